//! The pure analysis of one household of a plan: how many dwellings each
//! rule excluded and what the plan did with the lawful ones (`verdict`),
//! the objective terms of its home (`pair_terms`, [`crate::rules::cost::pair_terms`]
//! plus the district's marginal spread penalty), the three next-best
//! dwellings with their differences and why the plan did not give them (a
//! dynamic rule, a pin, or the trade-off in numbers: `displace`,
//! `caps_broken`), assembled into the [`Report`]. What would give a
//! household without a home one is in `change`.

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::candidates::{PermanentOption, Reason};
use crate::economy;
use crate::evaluate::DAYS_PER_MONTH;
use crate::findings::closest;
use crate::ids::{DistrictId, HouseholdId, UnitId};
use crate::model::{Day, Household, PinOrigin, PinTarget, Tenure};
use crate::rules::cost::Term as CostTerm;
use crate::rules::occupancy::Occupancy;
use crate::scenario::Scenario;
use crate::solve::{self, Strategy};

use super::change::what_would_change;
use super::context::{Context, option_of};
use super::render::{dkk, number, signed};
use super::{
    Alternative, ExplainError, Home, Limits, PinInfo, Report, ReunionInfo, RuleCount, Stay, Term,
};

/// The plan as counts, with one household's own share removable.
pub(super) struct PlanState {
    holder: Vec<Option<HouseholdId>>,
    /// The caps used by the plan's homes, the explained household's left
    /// out (the model's building numbers).
    pub(super) occupancy: Occupancy,
    /// Persons per day in each temporary site, the explained household left out.
    load: HashMap<UnitId, Vec<u32>>,
}

impl PlanState {
    fn new(ctx: &Context, without: HouseholdId) -> Self {
        let inputs = &ctx.inputs;
        let horizon = ctx.scenario.horizon_days;
        let mut holder = vec![None; inputs.units.len()];
        let mut occupancy = model_occupancy(&ctx.model);
        let mut load: HashMap<UnitId, Vec<u32>> = HashMap::new();
        for h in &inputs.households {
            if let Some(j) = ctx.chosen[h.id.index()] {
                let p = &ctx.model.pairs[j];
                holder[p.unit.index()] = Some(h.id);
                if h.id != without {
                    occupancy.add(home_of(&ctx.model, j), p.persons);
                }
            }
            if let Some(s) = ctx.stays[h.id.index()]
                && h.id != without
            {
                let days = load
                    .entry(s.unit)
                    .or_insert_with(|| vec![0; usize::try_from(horizon).unwrap_or(0)]);
                for d in s.from.max(0)..s.to.min(horizon) {
                    days[usize::try_from(d).unwrap_or(0)] += h.at(d).persons();
                }
            }
        }
        Self {
            holder,
            occupancy,
            load,
        }
    }
}

/// Every term of a pair for a household, the district's marginal spread
/// penalty last, with `others` persons placed in the district by others.
fn pair_terms(ctx: &Context, h: &Household, o: &PermanentOption, others: u32) -> Vec<Term> {
    let (inputs, scenario, model) = (&ctx.inputs, &ctx.scenario, &ctx.model);
    let w = &scenario.weights;
    let horizon = scenario.horizon_days;
    let t = crate::rules::cost::pair_terms(inputs, scenario, &ctx.decisions, h, o);
    let u = inputs.unit(o.unit);
    let ty = h.household_type(horizon);
    let persons = h.final_in(horizon).persons();
    let rooms_needed = persons.div_ceil(scenario.rules.max_persons_per_room);
    let empty_days = (o.move_in - u.available_from.max(0)).max(0);
    let mut terms = vec![
        Term {
            term: CostTerm::Permanent,
            value: t.permanent,
            detail: format!(
                "{persons} persons × {} ({})",
                number(w.permanent_person.of(ty), 0),
                ty.as_str()
            ),
        },
        Term {
            term: CostTerm::DaysSaved,
            value: t.days_saved,
            detail: format!(
                "{} person-days from {} to the plan's end × {}",
                number(crate::rules::cost::person_days(h, o.move_in, horizon), 0),
                scenario.date(o.move_in),
                w.temporary_person_day.of(ty)
            ),
        },
        Term {
            term: CostTerm::Travel,
            value: t.travel,
            detail: format!(
                "{} min × {}",
                number(o.travel_min.unwrap_or(0.0), 1),
                w.travel_minute
            ),
        },
        Term {
            term: CostTerm::WorkTravel,
            value: t.work_travel,
            detail: match o.work_travel_min {
                Some(m) => format!(
                    "{} min × {}",
                    number(m, 1),
                    number(w.work_travel_per_minute, 3)
                ),
                None => "no work place".to_string(),
            },
        },
        Term {
            term: CostTerm::EmptyRent,
            value: t.empty_rent,
            detail: format!(
                "{empty_days} days × {} DKK/month ÷ {DAYS_PER_MONTH} × {}",
                dkk(u.cost_dkk),
                w.empty_rent_dkk
            ),
        },
        Term {
            term: CostTerm::SpareRooms,
            value: t.spare_rooms,
            detail: format!(
                "{} of {} rooms beyond the {rooms_needed} needed × {}",
                o.spare_rooms, u.rooms, w.spare_room
            ),
        },
        Term {
            term: CostTerm::KeptProposal,
            value: t.kept_proposal,
            detail: if t.kept_proposal == 0.0 {
                "not an earlier proposal kept".to_string()
            } else {
                format!(
                    "keeps the earlier proposal: the {} a change would cost",
                    number(w.changed_proposal, 0)
                )
            },
        },
    ];
    let spread = u
        .district
        .map_or(0.0, |d| model.spread_marginal(d, others, persons));
    let detail = match u.district {
        Some(d) => {
            let k = d.index() * 3;
            let levels: Vec<String> = model.spread[k..k + 3]
                .iter()
                .map(|l| number(l.threshold, 1))
                .collect();
            format!(
                "{}: {others} persons placed by others + {persons}; levels at {} persons",
                inputs.district(d).label,
                levels.join(", ")
            )
        }
        None => "outside every district".to_string(),
    };
    terms.push(Term {
        term: CostTerm::Spread,
        value: spread,
        detail,
    });
    terms
}

/// Sum of terms in the model's order: the pair's cost, then its spread.
fn total(terms: &[Term]) -> f64 {
    let pair: f64 = terms
        .iter()
        .filter(|t| t.term != CostTerm::Spread)
        .map(|t| t.value)
        .sum();
    pair + terms
        .iter()
        .filter(|t| t.term == CostTerm::Spread)
        .map(|t| t.value)
        .sum::<f64>()
}

fn counts(map: &std::collections::BTreeMap<Reason, u32>) -> Vec<RuleCount> {
    let mut v: Vec<RuleCount> = map
        .iter()
        .map(|(r, n)| RuleCount {
            rule: r.code(),
            words: r.words(),
            count: *n,
        })
        .collect();
    v.sort_by_key(|c| std::cmp::Reverse(c.count));
    v
}

/// The dynamic verdict on a lawful dwelling in the final plan, the
/// household's own share left out.
enum Verdict {
    Taken(HouseholdId),
    DistrictCap {
        district: DistrictId,
        others: u32,
        cap: u32,
    },
    BuildingCap {
        households: u32,
    },
    NoBridge,
    Free,
}

fn verdict(ctx: &Context, state: &PlanState, h: &Household, o: &PermanentOption) -> Verdict {
    let persons = h.final_in(ctx.scenario.horizon_days).persons();
    let j = ctx
        .model
        .pair_of(h.id, o.unit)
        .expect("a candidate is a pair");
    let pair = &ctx.model.pairs[j];
    match state.occupancy.fits(home_of(&ctx.model, j), persons) {
        Err(Reason::Taken) => {
            return Verdict::Taken(state.holder[o.unit.index()].expect("a taken dwelling"));
        }
        Err(Reason::DistrictCap) => {
            let d = pair.district.expect("a district cap has a district");
            return Verdict::DistrictCap {
                district: d,
                others: state.occupancy.persons_in(d),
                cap: state.occupancy.capacity_of(d),
            };
        }
        Err(_) => {
            return Verdict::BuildingCap {
                households: state.occupancy.households_in(pair.building),
            };
        }
        Ok(()) => {}
    }
    let arrival = ctx.candidates.of(h.id).arrival;
    if o.move_in > arrival {
        let bridged = ctx.candidates.of(h.id).temporary.iter().any(|t| {
            solve::site_fits(
                ctx.inputs.unit(t.unit),
                state.load.get(&t.unit).map(Vec::as_slice),
                h,
                arrival,
                o.move_in,
            )
        });
        if !bridged {
            return Verdict::NoBridge;
        }
    }
    Verdict::Free
}

impl Verdict {
    fn reason(&self) -> Reason {
        match self {
            Verdict::Taken(_) => Reason::Taken,
            Verdict::DistrictCap { .. } => Reason::DistrictCap,
            Verdict::BuildingCap { .. } => Reason::BuildingCap,
            Verdict::NoBridge => Reason::NoTemporaryBridge,
            Verdict::Free => Reason::TradeOff,
        }
    }
}

/// Whether a choice of pairs keeps every district and building cap.
fn caps_broken(ctx: &Context, choice: &[usize]) -> Option<String> {
    let model = &ctx.model;
    let mut used = model_occupancy(model);
    for &j in choice {
        used.add(home_of(model, j), model.pairs[j].persons);
    }
    if let Some(d) = ctx
        .inputs
        .districts
        .iter()
        .find(|d| used.district_over(d.id))
    {
        return Some(format!("the cap of district {}", d.label));
    }
    (0..model.buildings.len())
        .find(|&b| used.building_over(b))
        .map(|b| format!("the cap of building {}", model.buildings[b]))
}

/// Nothing used yet of the model's caps.
fn model_occupancy(model: &crate::milp::Model) -> Occupancy {
    Occupancy::new(
        model.unit_count,
        model.district_cap.clone(),
        model.buildings.len(),
        model.building_cap,
    )
}

/// Where pair `j` counts toward the caps.
fn home_of(model: &crate::milp::Model, j: usize) -> crate::rules::occupancy::Home {
    let p = &model.pairs[j];
    crate::rules::occupancy::Home {
        unit: p.unit,
        district: p.district,
        building: p.building,
    }
}

/// What the plan loses when household `h` takes the dwelling of pair
/// `alt_pair` from household `g`: `g` moves to `h`'s home, to a dwelling
/// nobody holds, or to none, whichever keeps every cap at the lowest
/// objective (temporary places not considered). Returns `g`'s new pair, the
/// change of the objective, and the cap broken when no choice keeps them all.
fn displace(
    ctx: &Context,
    state: &PlanState,
    h: &Household,
    alt_pair: usize,
    g: HouseholdId,
    objective: f64,
) -> (Option<usize>, f64, Option<String>) {
    let model = &ctx.model;
    let own_unit = ctx.chosen[h.id.index()].map(|j| model.pairs[j].unit);
    let taken = model.pairs[alt_pair].unit;
    let options = std::iter::once(None).chain(
        model.by_household[g.index()]
            .clone()
            .filter(|&j| {
                let u = model.pairs[j].unit;
                u != taken && (Some(u) == own_unit || state.holder[u.index()].is_none())
            })
            .map(Some),
    );
    let mut best: Option<(Option<usize>, f64, Option<String>)> = None;
    for option in options {
        let mut choice = ctx.chosen.clone();
        choice[h.id.index()] = Some(alt_pair);
        choice[g.index()] = option;
        let choice: Vec<usize> = choice.into_iter().flatten().collect();
        let broken = caps_broken(ctx, &choice);
        if broken.is_some() && option.is_some() {
            continue;
        }
        let delta = model.objective(&choice, ctx.inputs.districts.len()) - objective;
        let better = best
            .as_ref()
            .is_none_or(|(_, d, b)| (broken.is_none(), -delta) > (b.is_none(), -*d));
        if better {
            best = Some((option, delta, broken));
        }
    }
    best.expect("leaving g without a home is always an option")
}

/// The largest differences, worst first: "travel +10.00, spread +50.00".
fn main_differences(delta: &[Term], worse: bool) -> String {
    let mut d: Vec<&Term> = delta
        .iter()
        .filter(|t| {
            if worse {
                t.value > 0.005
            } else {
                t.value < -0.005
            }
        })
        .collect();
    d.sort_by(|a, b| b.value.abs().total_cmp(&a.value.abs()));
    d.iter()
        .take(3)
        .map(|t| format!("{} {}", t.term.label(), signed(t.value)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Explains one household of the plan.
///
/// # Errors
/// An unknown household (with a did-you-mean).
pub fn explain(ctx: &Context, household: &str) -> Result<Report, ExplainError> {
    let Some(h) = ctx.inputs.households.iter().find(|h| h.name == household) else {
        let hint = closest(
            household,
            ctx.inputs.households.iter().map(|h| h.name.as_str()),
        )
        .map_or(String::new(), |c| format!(" (did you mean {c}?)"));
        return Err(ExplainError::UnknownHousehold(format!(
            "no household {household} in the plan{hint}"
        )));
    };
    Ok(report(ctx, h))
}

#[allow(clippy::too_many_lines)]
fn report(ctx: &Context, h: &Household) -> Report {
    let (inputs, scenario, model) = (&ctx.inputs, &ctx.scenario, &ctx.model);
    let horizon = scenario.horizon_days;
    let c = ctx.candidates.of(h.id);
    let row = &ctx.rows[ctx
        .rows
        .iter()
        .position(|r| r.household_id == h.name)
        .expect("match_plan checked every household")];
    let persons = h.final_in(horizon).persons();
    let state = PlanState::new(ctx, h.id);
    let others_in = |d: Option<DistrictId>| d.map_or(0, |d| state.occupancy.persons_in(d));
    let own = ctx.chosen[h.id.index()];
    let own_unit = own.map(|j| model.pairs[j].unit);

    let home = own_unit.map(|u| {
        let unit = inputs.unit(u);
        let o = option_of(&ctx.candidates, h.id, u);
        let b = economy::budget(
            h,
            h.final_in(horizon),
            unit.rent_dkk,
            unit.area_m2,
            &scenario.benefits,
            &scenario.housing_benefit,
            &scenario.rules.min_disposable,
        );
        let forced = match c.pin {
            Some((p, Ok(()))) if p == u => c.forced.iter().map(|r| r.code()).collect(),
            _ => Vec::new(),
        };
        Home {
            unit: unit.name.clone(),
            kind: unit.kind.as_str(),
            rooms: unit.rooms,
            area_m2: unit.area_m2,
            rent_dkk: unit.rent_dkk,
            housing_benefit_dkk: b.housing_benefit_dkk,
            disposable_dkk: b.disposable_dkk,
            district: unit.district.map(|d| inputs.district(d).label.clone()),
            building: unit.building.clone(),
            from: scenario.date(o.move_in),
            from_reunion: o.move_in
                > crate::rules::Subject::new(inputs, scenario, &ctx.travel, h, c.arrival, unit)
                    .move_in(),
            travel_min: o.travel_min,
            forced_rules: forced,
        }
    });
    let temporary = ctx.stays[h.id.index()].map(|s| {
        let u = inputs.unit(s.unit);
        Stay {
            unit: u.name.clone(),
            kind: u.kind.as_str(),
            from: scenario.date(s.from),
            to: scenario.date(s.to),
        }
    });
    let pin = match ctx.decisions.pin(h.id) {
        None => None,
        Some(pin) => {
            let target = match pin.target {
                PinTarget::Unit(u) => inputs.unit(u).name.clone(),
                PinTarget::District(d) => format!("district:{}", inputs.district(d).label),
            };
            let refused_by = match (c.pin, c.pin_district) {
                (_, Some((_, Err(r)))) | (Some((_, Err(r))), _) => Some(r.code()),
                _ => None,
            };
            Some(PinInfo {
                target,
                origin: match pin.origin {
                    PinOrigin::File => "households file",
                    PinOrigin::CommandLine => "command line",
                    PinOrigin::MovedIn => "moved in (--previous)",
                    PinOrigin::Resident => "lives there (--previous)",
                },
                refused_by,
                in_plan: row.pin.clone(),
            })
        }
    };

    // The home's terms.
    let own_terms = own_unit.map(|u| {
        let o = option_of(&ctx.candidates, h.id, u);
        pair_terms(ctx, h, o, others_in(inputs.unit(u).district))
    });
    let terms = own_terms.clone().unwrap_or_default();
    let own_total = own_terms.as_deref().map_or(0.0, total);

    // Every other lawful dwelling: its verdict, and its total for the ranking.
    let mut in_plan: std::collections::BTreeMap<Reason, u32> = std::collections::BTreeMap::new();
    let mut ranked: Vec<(f64, &PermanentOption)> = Vec::new();
    for o in &c.permanent {
        // A large model prunes pairs (`milp::Pruning`, stated in
        // summary.json): those dwellings are not weighed here.
        if Some(o.unit) == own_unit || ctx.model.pair_of(h.id, o.unit).is_none() {
            continue;
        }
        *in_plan
            .entry(verdict(ctx, &state, h, o).reason())
            .or_default() += 1;
        let district = inputs.unit(o.unit).district;
        let t = pair_terms(ctx, h, o, others_in(district));
        ranked.push((total(&t), o));
    }
    ranked.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.unit.cmp(&b.1.unit)));
    let flat: Vec<usize> = ctx.chosen.iter().flatten().copied().collect();
    let objective = model.objective(&flat, inputs.districts.len());
    let pinned_home = own.is_some() && model.fixed[h.id.index()] == own;
    let alternatives = ranked
        .iter()
        .take(3)
        .map(|&(alt_total, o)| {
            let u = inputs.unit(o.unit);
            let alt_terms = pair_terms(ctx, h, o, others_in(u.district));
            let delta: Vec<Term> = alt_terms
                .iter()
                .map(|t| {
                    let mine = own_terms
                        .as_ref()
                        .and_then(|ts| ts.iter().find(|x| x.term == t.term))
                        .map_or(0.0, |x| x.value);
                    Term {
                        term: t.term,
                        value: t.value - mine,
                        detail: String::new(),
                    }
                })
                .collect();
            let delta_total = alt_total - own_total;
            let v = verdict(ctx, &state, h, o);
            let mut held_by = None;
            let mut held_by_pinned = false;
            let mut swap_delta = None;
            let mut why = match &v {
                Verdict::Taken(g) if pinned_home => {
                    held_by = Some(inputs.households[g.index()].name.clone());
                    format!("given to {}", inputs.households[g.index()].name)
                }
                Verdict::Free if pinned_home => format!(
                    "free and lawful ({} {} for this household alone)",
                    if delta_total >= 0.0 { "worse by" } else { "better by" },
                    number(delta_total.abs(), 2)
                ),
                Verdict::Taken(g) => {
                    let other = &inputs.households[g.index()];
                    held_by = Some(other.name.clone());
                    let g_pair = ctx.chosen[g.index()].expect("a holder has a home");
                    held_by_pinned = model.fixed[g.index()] == Some(g_pair);
                    if held_by_pinned {
                        format!(
                            "given to {}, pinned there by the officer (a pin is fixed)",
                            other.name
                        )
                    } else {
                        let alt_pair = model.pair_of(h.id, o.unit).expect("a candidate is a pair");
                        let (moved, swap, broken) = displace(ctx, &state, h, alt_pair, *g, objective);
                        swap_delta = Some(swap);
                        let whither = match moved {
                            Some(j) => format!(
                                "move {} to {}",
                                other.name,
                                inputs.unit(model.pairs[j].unit).name
                            ),
                            None => format!("leave {} without a permanent home", other.name),
                        };
                        let broken = broken
                            .map(|c| format!(" and break {c}"))
                            .unwrap_or_default();
                        format!(
                            "given to {}; giving it to {} instead would {whither}{broken}: objective {} ({})",
                            other.name,
                            h.name,
                            signed(swap),
                            if swap > 0.005 {
                                "worse"
                            } else if swap < -0.005 {
                                "better: the plan is not optimal here"
                            } else {
                                "a tie"
                            }
                        )
                    }
                }
                Verdict::DistrictCap {
                    district,
                    others,
                    cap,
                } => format!(
                    "district {} is at its cap: room for {cap} newcomer persons, {others} placed by others, this household has {persons}",
                    inputs.district(*district).label
                ),
                Verdict::BuildingCap { households } => format!(
                    "building {} has {households} newcomer households already, the most allowed",
                    u.building
                ),
                Verdict::NoBridge => format!(
                    "no temporary place has room from {} until the move-in on {}",
                    scenario.date(c.arrival),
                    scenario.date(o.move_in)
                ),
                Verdict::Free if delta_total >= 0.0 => format!(
                    "free and lawful, but worse for the objective by {} ({})",
                    number(delta_total, 2),
                    main_differences(&delta, true)
                ),
                Verdict::Free => match ctx.strategy {
                    Strategy::Optimise => format!(
                        "free and lawful, and better by {} for this household alone: the plan is not optimal here{}",
                        number(-delta_total, 2),
                        ctx.gap
                            .map(|g| format!(" (it was found within a gap of {:.3} %)", g * 100.0))
                            .unwrap_or_default()
                    ),
                    s => format!(
                        "free and lawful, and better by {} for this household alone: strategy {} does not weigh the objective",
                        number(-delta_total, 2),
                        s.as_str()
                    ),
                },
            };
            let mut rule = v.reason().code();
            if pinned_home {
                let target = own_unit.map_or(String::new(), |u| inputs.unit(u).name.clone());
                why = format!("the household is pinned to {target}; otherwise: {why}");
                rule = Reason::Pin.code();
            }
            let forced_rules = match c.pin {
                Some((p, Ok(()))) if p == o.unit => c.forced.iter().map(|r| r.code()).collect(),
                _ => Vec::new(),
            };
            Alternative {
                unit: u.name.clone(),
                kind: u.kind.as_str(),
                rooms: u.rooms,
                area_m2: u.area_m2,
                rent_dkk: u.rent_dkk,
                district: u.district.map(|d| inputs.district(d).label.clone()),
                building: u.building.clone(),
                move_in: scenario.date(o.move_in),
                travel_min: o.travel_min,
                terms: alt_terms,
                total: alt_total,
                delta,
                delta_total,
                rule,
                why,
                forced_rules,
                held_by,
                held_by_pinned,
                swap_delta,
            }
        })
        .collect();

    let (dwellings, sites) = inputs
        .units
        .iter()
        .fold((0u32, 0u32), |(p, t), u| match u.tenure {
            Tenure::Permanent => (p + 1, t),
            Tenure::Temporary => (p, t + 1),
        });
    let limits = Limits {
        dwellings,
        lawful: u32::try_from(c.permanent.len()).unwrap_or(u32::MAX),
        excluded: counts(&c.permanent_excluded),
        temporary_sites: sites,
        temporary_lawful: c.temporary_lawful,
        temporary_excluded: counts(&c.temporary_excluded),
        in_plan: counts(&in_plan),
    };

    let what_would_change = own
        .is_none()
        .then(|| what_would_change(ctx, &state, h, row));
    let reunion = h.reunion.as_ref().map(|r| ReunionInfo {
        date: day_date(scenario, r.day),
        adults: r.adults,
        children: r.children,
    });
    Report {
        household: h.name.clone(),
        household_type: h.household_type(scenario.horizon_days),
        adults: h.adults,
        children: h.children,
        reunion,
        persons_at_end: persons,
        arrival: day_date(scenario, h.arrival),
        start: scenario.start,
        needs_step_free: h.needs_accessible,
        language_school: h.language_school.map(|s| ctx.inputs.place(s).label.clone()),
        strategy: ctx.strategy,
        status: row.status,
        home,
        temporary,
        pin,
        limits,
        terms,
        total: own_total,
        alternatives,
        what_would_change,
    }
}

/// The date of a day, also before the start or after the horizon.
pub(super) fn day_date(scenario: &Scenario, day: Day) -> NaiveDate {
    scenario.start + chrono::Duration::days(day)
}
