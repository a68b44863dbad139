//! `boligplan explain DIR HOUSEHOLD_ID`: why one household got what the
//! plan gives it.
//!
//! The explanation is computed from the model, never written by hand: the
//! scenario and inputs named in `DIR/summary.json`'s `run` block are loaded
//! again, the officer's decisions of that run (pins, `--force`,
//! `--previous`) applied, and travel times, candidates and the model of
//! docs/model.md rebuilt; the plan itself is read back from `DIR/plan.csv`.
//! Before anything is explained the rebuilt model is checked against the
//! plan (every household and home still there, every home still one of its
//! household's candidate pairs with the same move-in day, the same objective
//! as `summary.json`), so a changed scenario is reported, not explained.
//!
//! What is reported, per household: its home and dates; how many dwellings
//! each static rule excluded and, of the lawful ones, what the plan did with
//! them; the objective terms of its home ([`crate::milp::pair_terms`] plus
//! the district's marginal spread penalty); the three next-best dwellings
//! with their difference per term and why the plan did not give them (a
//! dynamic rule, a pin, or the trade-off in numbers); and for a household
//! without a permanent home, the binding reason and the dwelling that would
//! change it.
//!
//! Reading the files is in [`load`]; everything after it is pure.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Serialize;

use crate::candidates::{self, Candidates, PermanentOption, Reason};
use crate::economy;
use crate::evaluate::DAYS_PER_MONTH;
use crate::findings::closest;
use crate::ids::{DistrictId, HouseholdId, UnitId};
use crate::milp::{self, Model};
use crate::model::{Composition, Day, Household, HouseholdType, Inputs, PinOrigin, Tenure};
use crate::output::{
    self,
    plan_csv::{self, PlanRow},
};
use crate::scenario::{Benefits, HousingBenefit, MinDisposable, Scenario};
use crate::solve::{self, Status, Strategy, TemporaryStay};
use crate::travel::TravelTimes;

/// Why a household cannot be explained. Every case is exit code 1.
#[derive(Debug, thiserror::Error)]
pub enum ExplainError {
    /// `DIR` is not (or no longer) the output directory of `boligplan plan`.
    #[error("{0}")]
    NotAPlan(String),
    /// The recorded scenario or its inputs cannot be loaded.
    #[error("{0}")]
    Inputs(String),
    /// The scenario or its inputs changed since the plan was made.
    #[error(
        "{0}\nthe scenario or its inputs changed since the plan was made; plan again (or give the scenario it was made with, --scenario FILE) before explaining"
    )]
    Changed(String),
    /// No such household in the plan.
    #[error("{0}")]
    UnknownHousehold(String),
    /// A home of the plan is lawful but not one of the model's pairs: the
    /// model of a very large scenario keeps only some pairs (summary.json's
    /// `candidate_pruning`), and a `greedy` or `fcfs` plan may use another.
    #[error(
        "{0}\nexplain weighs a home against the model's pairs, and the model of a scenario this large keeps only some of them (see candidate_pruning in summary.json)"
    )]
    NotInModel(String),
}

// ------------------------------------------------------------ reading DIR ---

// --------------------------------------------------------------- context ---

/// The rebuilt model and the plan read back: everything an explanation is
/// computed from.
#[derive(Debug, Clone)]
pub struct Context {
    pub scenario: Scenario,
    pub inputs: Inputs,
    pub travel: TravelTimes,
    pub candidates: Candidates,
    pub model: Model,
    pub strategy: Strategy,
    /// The plan's relative gap, from `summary.json`.
    pub gap: Option<f64>,
    /// The plan's permanent home per household, as a pair of the model.
    pub chosen: Vec<Option<usize>>,
    /// The plan's temporary stay per household.
    pub stays: Vec<Option<TemporaryStay>>,
    /// `plan.csv`, in household order.
    pub rows: Vec<PlanRow>,
}

/// Loads the scenario a plan was made with, rebuilds its model and reads
/// the plan back, checking that they still belong together.
///
/// `scenario` overrides the scenario file recorded in `summary.json` (an
/// output directory moved to another machine).
///
/// # Errors
/// `DIR` is not a plan output, the scenario or its inputs cannot be loaded,
/// or they changed since the plan was made.
pub fn load(dir: &Path, scenario: Option<&Path>) -> Result<Context, ExplainError> {
    let summary = output::summary::read(dir).map_err(|e| ExplainError::NotAPlan(e.to_string()))?;
    let run = &summary.run;
    let strategy = run.strategy.unwrap_or(Strategy::Optimise);
    let rows =
        plan_csv::read(&dir.join("plan.csv")).map_err(|e| ExplainError::NotAPlan(e.to_string()))?;
    let scenario_path =
        scenario.map_or_else(|| PathBuf::from(&run.scenario_file), Path::to_path_buf);
    if !scenario_path.exists() {
        return Err(ExplainError::Inputs(format!(
            "the plan was made with the scenario {}, which is not there any more; give it with --scenario FILE",
            scenario_path.display()
        )));
    }
    let scenario =
        crate::scenario::load(&scenario_path).map_err(|e| ExplainError::Inputs(e.to_string()))?;
    let (mut inputs, findings) = crate::load::load(&scenario);
    let errors: Vec<String> = findings
        .iter()
        .filter(|f| f.severity == crate::load::Severity::Error)
        .map(ToString::to_string)
        .collect();
    if !errors.is_empty() {
        // Each finding names its level (`error: …`), as `plan` prints them;
        // the count comes first, where the caller's `error: ` goes.
        return Err(ExplainError::Inputs(format!(
            "{} error(s) in the inputs of {}; nothing to explain\n{}",
            errors.len(),
            scenario_path.display(),
            errors.join("\n")
        )));
    }
    let options = crate::pipeline::Options {
        strategy,
        time_limit: None,
        pins: run.pins.clone(),
        force: run.force.clone(),
        previous: run.previous.as_ref().map(PathBuf::from),
        ..crate::pipeline::Options::default()
    };
    crate::pipeline::decide(&mut inputs, &scenario, &options).map_err(|e| {
        ExplainError::Inputs(format!(
            "the decisions recorded in {} cannot be applied again: {e}",
            dir.join("summary.json").display()
        ))
    })?;
    if summary.start != scenario.start {
        return Err(ExplainError::Changed(format!(
            "the plan starts on {}, the scenario on {}",
            summary.start, scenario.start
        )));
    }
    if summary.horizon_days != scenario.horizon_days {
        return Err(ExplainError::Changed(format!(
            "the plan has a horizon of {} days, the scenario {}",
            summary.horizon_days, scenario.horizon_days
        )));
    }
    let travel = TravelTimes::build(&inputs, inputs.network.as_ref(), &scenario.travel);
    let candidates = candidates::build(&inputs, &scenario, &travel);
    let model = milp::build(&inputs, &scenario, &candidates);
    let (chosen, stays) = match_plan(&inputs, &scenario, &travel, &candidates, &model, &rows)?;
    if let Some(recorded) = summary.objective {
        let flat: Vec<usize> = chosen.iter().flatten().copied().collect();
        let objective = model.objective(&flat, inputs.districts.len());
        // summary.json rounds the objective to 6 decimals.
        if (objective - recorded).abs() > 1e-4 + 1e-9 * recorded.abs() {
            return Err(ExplainError::Changed(format!(
                "the plan's homes have objective {objective:.6} in the rebuilt model, summary.json says {recorded:.6}"
            )));
        }
    }
    Ok(Context {
        scenario,
        inputs,
        travel,
        candidates,
        model,
        strategy,
        gap: summary.gap,
        chosen,
        stays,
        rows,
    })
}

type Matched = (Vec<Option<usize>>, Vec<Option<TemporaryStay>>);

/// The plan's rows as the model's pairs and temporary stays.
fn match_plan(
    inputs: &Inputs,
    scenario: &Scenario,
    travel: &TravelTimes,
    candidates: &Candidates,
    model: &Model,
    rows: &[PlanRow],
) -> Result<Matched, ExplainError> {
    let units: HashMap<&str, UnitId> = inputs
        .units
        .iter()
        .map(|u| (u.name.as_str(), u.id))
        .collect();
    let known: HashMap<&str, &Household> = inputs
        .households
        .iter()
        .map(|h| (h.name.as_str(), h))
        .collect();
    let in_plan: HashMap<&str, usize> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r.household_id.as_str(), i))
        .collect();
    if let Some(r) = rows
        .iter()
        .find(|r| !known.contains_key(r.household_id.as_str()))
    {
        return Err(ExplainError::Changed(format!(
            "household {} of plan.csv is not in the households file",
            r.household_id
        )));
    }
    if let Some(h) = inputs
        .households
        .iter()
        .find(|h| !in_plan.contains_key(h.name.as_str()))
    {
        return Err(ExplainError::Changed(format!(
            "household {} of the households file is not in plan.csv",
            h.name
        )));
    }
    let unit = |name: &str| {
        units.get(name).copied().ok_or_else(|| {
            ExplainError::Changed(format!(
                "dwelling {name} of plan.csv is not in the housing file"
            ))
        })
    };
    let mut chosen = vec![None; inputs.households.len()];
    let mut stays = vec![None; inputs.households.len()];
    for h in &inputs.households {
        let row = &rows[in_plan[h.name.as_str()]];
        if let Some(name) = &row.perm_unit {
            let u = unit(name)?;
            let Some(j) = model.pair_of(h.id, u) else {
                let c = candidates.of(h.id);
                return Err(
                    match candidates::static_verdict(
                        inputs,
                        scenario,
                        travel,
                        h,
                        c.arrival,
                        inputs.unit(u),
                    ) {
                        Err(r) => ExplainError::Changed(format!(
                            "{}'s home {name} in plan.csv is no longer lawful for it: rule {} ({})",
                            h.name,
                            r.code(),
                            r.words()
                        )),
                        Ok(()) => ExplainError::NotInModel(format!(
                            "{}'s home {name} in plan.csv is lawful for it, but not a pair of the model",
                            h.name
                        )),
                    },
                );
            };
            let option = option_of(candidates, h.id, u);
            let from = scenario.date(option.move_in);
            if row.perm_from != Some(from) {
                return Err(ExplainError::Changed(format!(
                    "{} moves into {name} on {} in plan.csv, but could first move in on {from} now",
                    h.name,
                    row.perm_from.map_or("-".to_string(), |d| d.to_string())
                )));
            }
            let rent = inputs.unit(u).rent_dkk;
            if row.rent.is_some_and(|r| r != rent) {
                return Err(ExplainError::Changed(format!(
                    "{}'s home {name} has rent {} DKK in plan.csv, {rent} DKK in the housing file",
                    h.name,
                    row.rent.unwrap_or_default()
                )));
            }
            chosen[h.id.index()] = Some(j);
        }
        if let (Some(name), Some(from), Some(to)) = (&row.temp_unit, row.temp_from, row.temp_to) {
            stays[h.id.index()] = Some(TemporaryStay {
                unit: unit(name)?,
                from: scenario.day(from),
                to: scenario.day(to),
            });
        }
    }
    Ok((chosen, stays))
}

fn option_of(candidates: &Candidates, h: HouseholdId, u: UnitId) -> &PermanentOption {
    candidates
        .of(h)
        .permanent
        .iter()
        .find(|o| o.unit == u)
        .expect("every pair of the model is a candidate")
}

// ---------------------------------------------------------------- report ---

/// One term of the objective, with what it is made of.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Term {
    /// `permanent`, `days_saved`, `travel`, `empty_rent`, `spare_rooms`,
    /// `kept_proposal` (the pair's terms, [`milp::Terms`]) or `spread` (the
    /// district's marginal spread penalty).
    pub name: &'static str,
    pub value: f64,
    /// How the value is made, in words.
    pub detail: String,
}

/// A permanent home of the plan.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Home {
    pub unit: String,
    pub kind: &'static str,
    pub rooms: u32,
    pub area_m2: f64,
    pub rent_dkk: i64,
    pub housing_benefit_dkk: i64,
    pub disposable_dkk: i64,
    pub district: Option<String>,
    pub building: String,
    pub from: NaiveDate,
    pub travel_min: Option<f64>,
    /// The rules a forced pin breaks (empty: lawful).
    pub forced_rules: Vec<&'static str>,
}

/// A stay in a temporary place.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Stay {
    pub unit: String,
    pub kind: &'static str,
    pub from: NaiveDate,
    /// The day it moves on (exclusive).
    pub to: NaiveDate,
}

/// The household's pin and what became of it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PinInfo {
    /// A dwelling, or `district:ID`.
    pub target: String,
    /// `households file`, `command line` or `moved in (--previous)`.
    pub origin: &'static str,
    /// `None` when the rules allow it, else the code of the refusing rule.
    pub refused_by: Option<&'static str>,
    /// `plan.csv`'s `pin` cell.
    pub in_plan: Option<String>,
}

/// How many dwellings or sites a rule accounts for.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RuleCount {
    pub rule: &'static str,
    pub words: &'static str,
    pub count: u32,
}

/// Which rules limited the household's choice.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Limits {
    /// Permanent dwellings in the stock.
    pub dwellings: u32,
    /// Of them, those that pass every static rule for this household.
    pub lawful: u32,
    /// The rest, each counted under the first rule it fails.
    pub excluded: Vec<RuleCount>,
    pub temporary_sites: u32,
    pub temporary_lawful: u32,
    pub temporary_excluded: Vec<RuleCount>,
    /// The lawful dwellings other than its home, by what the plan did with
    /// them (`taken`, `district_cap`, `building_cap`,
    /// `no_temporary_bridge`, `trade_off`: free and lawful).
    pub in_plan: Vec<RuleCount>,
}

/// A dwelling the household did not get.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Alternative {
    pub unit: String,
    pub kind: &'static str,
    pub rooms: u32,
    pub area_m2: f64,
    pub rent_dkk: i64,
    pub district: Option<String>,
    pub building: String,
    pub move_in: NaiveDate,
    pub travel_min: Option<f64>,
    /// Its objective terms for this household.
    pub terms: Vec<Term>,
    pub total: f64,
    /// Term by term: its value minus the home's (the home's terms are 0
    /// for a household without one). Positive: worse.
    pub delta: Vec<Term>,
    /// The change of the objective if this household alone moved there.
    pub delta_total: f64,
    /// Why the plan did not give it: a rule code (`pin`, `taken`,
    /// `district_cap`, `building_cap`, `no_temporary_bridge`) or `trade_off`.
    pub rule: &'static str,
    pub why: String,
    /// The static rules it breaks (only a forced pin breaks any).
    pub forced_rules: Vec<&'static str>,
    /// The household the plan gives it to.
    pub held_by: Option<String>,
    pub held_by_pinned: bool,
    /// The change of the objective if the two households exchanged homes
    /// (the other one without a home if it cannot take this one's);
    /// temporary places not considered.
    pub swap_delta: Option<f64>,
}

/// What a dwelling that would give the household a home needs.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Requirement {
    /// Persons at the end of the plan (after a reunion inside it).
    pub persons: u32,
    /// Size rule: at least this many rooms …
    pub rooms: u32,
    /// … or at least this floor area.
    pub area_m2: f64,
    /// The highest rent that leaves the minimum disposable amount, before
    /// and after a reunion, with housing benefit, in a dwelling of `area_m2`;
    /// `None`: not even a rent of 0 does.
    pub max_rent_dkk: Option<i64>,
    pub income_dkk: i64,
    pub min_disposable_dkk: i64,
    pub step_free: bool,
    pub max_travel_min: f64,
    /// The language school, or `a language school` (the nearest).
    pub school: String,
    /// Districts not forbidden, with room under their cap for the household
    /// next to the others the plan places there.
    pub districts: Vec<String>,
    /// When the building cap binds: the most newcomer households per building.
    pub building_cap: Option<u32>,
}

/// A temporary place a household lacks: for `persons` from `from` on.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TemporaryNeed {
    pub persons: u32,
    pub from: NaiveDate,
}

/// The members who follow a household (familiesammenføring).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ReunionInfo {
    pub date: NaiveDate,
    pub adults: u32,
    pub children: u32,
}

/// For a household without a permanent home: what binds and what would change it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct WhatWouldChange {
    /// `plan.csv`'s `reason_code` and `reason`.
    pub reason_code: Option<String>,
    pub reason: Option<String>,
    pub requirement: Option<Requirement>,
    /// The temporary place it lacks, if its stay does not last the plan.
    pub temporary_needed: Option<TemporaryNeed>,
    pub sentence: String,
}

/// The explanation of one household.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Report {
    pub household: String,
    pub household_type: HouseholdType,
    pub adults: u32,
    pub children: u32,
    /// Date and members of a reunion (familiesammenføring), if any.
    pub reunion: Option<ReunionInfo>,
    pub persons_at_end: u32,
    pub arrival: NaiveDate,
    /// The plan's first day.
    pub start: NaiveDate,
    pub needs_step_free: bool,
    /// The household's language school; `None`: the nearest one.
    pub language_school: Option<String>,
    pub strategy: Strategy,
    pub status: Status,
    pub home: Option<Home>,
    pub temporary: Option<Stay>,
    pub pin: Option<PinInfo>,
    pub limits: Limits,
    /// The objective terms of its home, the district's spread last.
    pub terms: Vec<Term>,
    /// Their sum: what the home adds to the objective.
    pub total: f64,
    /// The three next-best dwellings, best first.
    pub alternatives: Vec<Alternative>,
    pub what_would_change: Option<WhatWouldChange>,
}

/// The plan as counts, with one household's own share removable.
struct PlanState {
    holder: Vec<Option<HouseholdId>>,
    district_persons: Vec<u32>,
    building_households: Vec<u32>,
    /// Persons per day in each temporary site, the explained household left out.
    load: HashMap<UnitId, Vec<u32>>,
}

impl PlanState {
    fn new(ctx: &Context, without: HouseholdId) -> Self {
        let inputs = &ctx.inputs;
        let horizon = ctx.scenario.horizon_days;
        let mut holder = vec![None; inputs.units.len()];
        let mut district_persons = vec![0u32; inputs.districts.len()];
        let mut building_households = vec![0u32; ctx.model.buildings.len()];
        let mut load: HashMap<UnitId, Vec<u32>> = HashMap::new();
        for h in &inputs.households {
            if let Some(j) = ctx.chosen[h.id.index()] {
                let p = &ctx.model.pairs[j];
                holder[p.unit.index()] = Some(h.id);
                if h.id != without {
                    if let Some(d) = p.district {
                        district_persons[d.index()] += p.persons;
                    }
                    building_households[p.building] += 1;
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
            district_persons,
            building_households,
            load,
        }
    }
}

/// A number with thousands separators and `decimals` decimals.
#[must_use]
pub fn number(x: f64, decimals: usize) -> String {
    let text = format!("{:.*}", decimals, x.abs());
    let (int, frac) = text.split_once('.').map_or((text.as_str(), ""), |p| p);
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let negative = x < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0');
    format!(
        "{}{grouped}{}{frac}",
        if negative { "-" } else { "" },
        if frac.is_empty() { "" } else { "." }
    )
}

/// A signed number: `+1,234.50`, `-3.00`, `0.00`.
fn signed(x: f64) -> String {
    let n = number(x, 2);
    if n.starts_with('-') || n.chars().all(|c| matches!(c, '0' | '.' | ',')) {
        n
    } else {
        format!("+{n}")
    }
}

fn dkk(x: i64) -> String {
    number(x as f64, 0)
}

/// Every term of a pair for a household, the district's marginal spread
/// penalty last, with `others` persons placed in the district by others.
fn pair_terms(ctx: &Context, h: &Household, o: &PermanentOption, others: u32) -> Vec<Term> {
    let (inputs, scenario, model) = (&ctx.inputs, &ctx.scenario, &ctx.model);
    let w = &scenario.weights;
    let horizon = scenario.horizon_days;
    let t = milp::pair_terms(inputs, scenario, h, o);
    let u = inputs.unit(o.unit);
    let ty = h.initial().household_type();
    let persons = h.final_in(horizon).persons();
    let rooms_needed = persons.div_ceil(scenario.rules.max_persons_per_room);
    let empty_days = (o.move_in - u.available_from.max(0)).max(0);
    let mut terms = vec![
        Term {
            name: "permanent",
            value: t.permanent,
            detail: format!(
                "{persons} persons × {} ({})",
                number(w.permanent_person.of(ty), 0),
                ty.as_str()
            ),
        },
        Term {
            name: "days_saved",
            value: t.days_saved,
            detail: format!(
                "{} person-days from {} to the plan's end × {}",
                number(milp::person_days(h, o.move_in, horizon), 0),
                scenario.date(o.move_in),
                w.temporary_person_day.of(ty)
            ),
        },
        Term {
            name: "travel",
            value: t.travel,
            detail: format!(
                "{} min × {}",
                number(o.travel_min.unwrap_or(0.0), 1),
                w.travel_minute
            ),
        },
        Term {
            name: "work_travel",
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
            name: "empty_rent",
            value: t.empty_rent,
            detail: format!(
                "{empty_days} days × {} DKK/month ÷ {DAYS_PER_MONTH} × {}",
                dkk(u.cost_dkk),
                w.empty_rent_dkk
            ),
        },
        Term {
            name: "spare_rooms",
            value: t.spare_rooms,
            detail: format!(
                "{} of {} rooms beyond the {rooms_needed} needed × {}",
                o.spare_rooms, u.rooms, w.spare_room
            ),
        },
        Term {
            name: "kept_proposal",
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
        name: "spread",
        value: spread,
        detail,
    });
    terms
}

/// Sum of terms in the model's order: the pair's cost, then its spread.
fn total(terms: &[Term]) -> f64 {
    let pair: f64 = terms
        .iter()
        .filter(|t| t.name != "spread")
        .map(|t| t.value)
        .sum();
    pair + terms
        .iter()
        .filter(|t| t.name == "spread")
        .map(|t| t.value)
        .sum::<f64>()
}

fn label(name: &str) -> &'static str {
    match name {
        "permanent" => "permanent home",
        "days_saved" => "temporary days saved",
        "travel" => "travel",
        "work_travel" => "travel to work",
        "empty_rent" => "empty rent",
        "spare_rooms" => "spare rooms",
        "kept_proposal" => "kept earlier proposal",
        "spread" => "district spread",
        _ => "",
    }
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
    if let Some(g) = state.holder[o.unit.index()]
        && g != h.id
    {
        return Verdict::Taken(g);
    }
    if let Some(d) = pair.district {
        let others = state.district_persons[d.index()];
        let cap = ctx.model.district_cap[d.index()];
        if others + persons > cap {
            return Verdict::DistrictCap {
                district: d,
                others,
                cap,
            };
        }
    }
    let households = state.building_households[pair.building];
    if households >= ctx.model.building_cap {
        return Verdict::BuildingCap { households };
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
    let persons = model.district_persons(choice, ctx.inputs.districts.len());
    for (d, &p) in persons.iter().enumerate() {
        if p > model.district_cap[d] {
            return Some(format!(
                "the cap of district {}",
                ctx.inputs.districts[d].label
            ));
        }
    }
    let mut buildings = vec![0u32; model.buildings.len()];
    for &j in choice {
        buildings[model.pairs[j].building] += 1;
    }
    buildings
        .iter()
        .position(|&n| n > model.building_cap)
        .map(|b| format!("the cap of building {}", model.buildings[b]))
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
        .map(|t| format!("{} {}", label(t.name), signed(t.value)))
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
    let others_in = |d: Option<DistrictId>| d.map_or(0, |d| state.district_persons[d.index()]);
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
    let pin = match (h.locked_unit, h.locked_district) {
        (None, None) => None,
        (unit, district) => {
            let target = unit.map_or_else(
                || {
                    format!(
                        "district:{}",
                        district.map_or("", |d| &inputs.district(d).label)
                    )
                },
                |u| inputs.unit(u).name.clone(),
            );
            let refused_by = match (c.pin, c.pin_district) {
                (_, Some((_, Err(r)))) | (Some((_, Err(r))), _) => Some(r.code()),
                _ => None,
            };
            Some(PinInfo {
                target,
                origin: match h.pin_origin {
                    PinOrigin::File => "households file",
                    PinOrigin::CommandLine => "command line",
                    PinOrigin::MovedIn => "moved in (--previous)",
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
                        .and_then(|ts| ts.iter().find(|x| x.name == t.name))
                        .map_or(0.0, |x| x.value);
                    Term {
                        name: t.name,
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
        household_type: h.initial().household_type(),
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
fn day_date(scenario: &Scenario, day: Day) -> NaiveDate {
    scenario.start + chrono::Duration::days(day)
}

fn school(ctx: &Context, h: &Household) -> String {
    h.language_school.map_or_else(
        || "a language school".to_string(),
        |s| ctx.inputs.place(s).label.clone(),
    )
}

/// The highest monthly rent, in whole DKK, at which the household keeps its
/// minimum disposable amount (with housing benefit) in each of `comps`, in
/// a dwelling of `area_m2`; `None` when not even a rent of 0 does.
///
/// What is left after rent never grows with the rent (the benefit rises by
/// at most the rent's own increase), so the affordable rents are `0..=max`
/// and a bisection finds `max`.
#[must_use]
pub fn max_affordable_rent(
    h: &Household,
    comps: &[Composition],
    area_m2: f64,
    benefits: &Benefits,
    housing_benefit: &HousingBenefit,
    min: &MinDisposable,
) -> Option<i64> {
    let ok = |rent: i64| {
        comps.iter().all(|&comp| {
            economy::budget(h, comp, rent, area_m2, benefits, housing_benefit, min).affordable()
        })
    };
    if !ok(0) {
        return None;
    }
    let mut hi = 1024;
    while ok(hi) {
        if hi > 1 << 40 {
            return Some(hi);
        }
        hi *= 2;
    }
    let mut lo = 0; // ok(lo) && !ok(hi)
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if ok(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Some(lo)
}

/// What a dwelling needs to give the household a home, given the plan.
fn requirement(
    ctx: &Context,
    state: &PlanState,
    h: &Household,
    binding: Option<&str>,
) -> Requirement {
    let scenario = &ctx.scenario;
    let rules = &scenario.rules;
    let horizon = scenario.horizon_days;
    let last = h.final_in(horizon);
    let persons = last.persons();
    let area_m2 = rules.min_m2_per_person * f64::from(persons);
    let arrival = ctx.candidates.of(h.id).arrival;
    let mut comps = vec![h.at(arrival), last];
    comps.dedup();
    let max_rent_dkk = max_affordable_rent(
        h,
        &comps,
        area_m2,
        &scenario.benefits,
        &scenario.housing_benefit,
        &rules.min_disposable,
    );
    let districts = ctx
        .inputs
        .districts
        .iter()
        .filter(|d| !candidates::district_forbidden(scenario, d, false))
        .filter(|d| {
            state.district_persons[d.id.index()] + persons <= ctx.model.district_cap[d.id.index()]
        })
        .map(|d| d.label.clone())
        .collect();
    Requirement {
        persons,
        rooms: persons.div_ceil(rules.max_persons_per_room),
        area_m2,
        max_rent_dkk,
        income_dkk: economy::income_dkk(h, last, &scenario.benefits),
        min_disposable_dkk: economy::min_disposable_dkk(last, &rules.min_disposable),
        step_free: h.needs_accessible,
        max_travel_min: rules.max_travel_min,
        school: school(ctx, h),
        districts,
        building_cap: (binding == Some(Reason::BuildingCap.code()))
            .then_some(rules.max_households_per_building),
    }
}

/// "one more dwelling with ≥ 2 rooms (or ≥ 60 m²) at ≤ 6,900 DKK/month,
/// step-free, within 60 min of SPR1, in a district under its cap (D01, …)".
#[must_use]
pub fn sentence(r: &Requirement) -> String {
    let Some(rent) = r.max_rent_dkk else {
        return format!(
            "a higher income: {} DKK/month cannot leave the minimum disposable amount of {} DKK/month at any rent",
            dkk(r.income_dkk),
            dkk(r.min_disposable_dkk)
        );
    };
    if r.districts.is_empty() {
        return format!(
            "room under a district's cap: no district that may be used has room for {} more persons next to the plan's placements, so one more dwelling would not help (a higher rules.max_district_share would)",
            r.persons
        );
    }
    let mut s = format!(
        "one more dwelling with ≥ {} room{} (or ≥ {} m²) at ≤ {} DKK/month",
        r.rooms,
        if r.rooms == 1 { "" } else { "s" },
        number(r.area_m2, 0),
        dkk(rent)
    );
    if r.step_free {
        s.push_str(", step-free");
    }
    let _ = write!(
        s,
        ", within {} min of {}",
        number(r.max_travel_min, 0),
        r.school
    );
    if let Some(n) = r.building_cap {
        let _ = write!(s, ", in a building with fewer than {n} newcomer households");
    }
    let list = if r.districts.len() > SHOWN {
        format!(
            "{}, … ({} in all)",
            r.districts[..SHOWN].join(", "),
            r.districts.len()
        )
    } else {
        r.districts.join(", ")
    };
    let _ = write!(s, ", in a district under its cap ({list})");
    s
}

fn what_would_change(
    ctx: &Context,
    state: &PlanState,
    h: &Household,
    row: &PlanRow,
) -> WhatWouldChange {
    let scenario = &ctx.scenario;
    let horizon = scenario.horizon_days;
    let c = ctx.candidates.of(h.id);
    let code = row.reason_code.clone();
    if c.arrival >= horizon {
        return WhatWouldChange {
            reason_code: code,
            reason: row.reason.clone(),
            requirement: None,
            temporary_needed: None,
            sentence: format!(
                "a longer plan: the household arrives on {}, after the plan's last day {}",
                day_date(scenario, h.arrival),
                scenario.date(horizon - 1)
            ),
        };
    }
    let requirement = requirement(ctx, state, h, code.as_deref());
    let mut text = sentence(&requirement);
    // A stay that does not last to the plan's end (or none at all).
    let stay_end = ctx.stays[h.id.index()].map_or(c.arrival, |s| s.to);
    let temporary_needed = (stay_end < horizon).then(|| TemporaryNeed {
        persons: h.at(stay_end).persons(),
        from: scenario.date(stay_end),
    });
    if let Some(TemporaryNeed { persons: p, from }) = temporary_needed {
        let _ = write!(
            text,
            "; meanwhile, a temporary place for {p} persons from {from}{}, within {} min of {}",
            if h.needs_accessible {
                ", step-free"
            } else {
                ""
            },
            number(scenario.rules.max_travel_min, 0),
            requirement.school
        );
    }
    WhatWouldChange {
        reason_code: code,
        reason: row.reason.clone(),
        requirement: Some(requirement),
        temporary_needed,
        sentence: text,
    }
}

// ------------------------------------------------------------- rendering ---

const WIDTH: usize = 80;

/// Districts named in the "what would change it" sentence before `…`.
const SHOWN: usize = 8;

/// Wraps `text` at [`WIDTH`] columns, the first line after `first`, the
/// others indented by `indent` spaces.
fn wrap(out: &mut String, first: &str, indent: usize, text: &str) {
    let mut line = first.to_string();
    let mut used = first.chars().count();
    let mut empty = true;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let n = word.chars().count();
        if !empty && used + 1 + n > WIDTH {
            out.push_str(line.trim_end());
            out.push('\n');
            line = " ".repeat(indent);
            used = indent;
            empty = true;
        }
        if !empty {
            line.push(' ');
            used += 1;
        }
        line.push_str(word);
        used += n;
        empty = false;
    }
    out.push_str(line.trim_end());
    out.push('\n');
}

/// "1 adult", "2 adults and 1 child".
fn members(adults: u32, children: u32) -> String {
    let a = format!("{adults} adult{}", if adults == 1 { "" } else { "s" });
    match children {
        0 => a,
        1 => format!("{a} and 1 child"),
        c => format!("{a} and {c} children"),
    }
}

fn rooms(n: u32) -> String {
    format!("{n} room{}", if n == 1 { "" } else { "s" })
}

fn term_lines(out: &mut String, terms: &[Term], show_kept: bool) {
    for t in terms {
        if t.name == "kept_proposal" && !show_kept {
            continue;
        }
        let first = format!("  {:<22}{:>11}  ", label(t.name), signed(t.value));
        wrap(out, &first, 37, &t.detail);
    }
}

/// The explanation as text for an officer (English, 80 columns).
#[must_use]
#[allow(clippy::too_many_lines)]
pub fn render_text(r: &Report) -> String {
    let mut out = String::new();
    let mut head = format!(
        "Household {}: {}, {}",
        r.household,
        r.household_type.as_str(),
        members(r.adults, r.children)
    );
    if let Some(ReunionInfo {
        date,
        adults: a,
        children: c,
    }) = r.reunion
    {
        let verb = if a + c == 1 { "follows" } else { "follow" };
        let _ = write!(
            head,
            "; {} {verb} on {date}",
            members(a, c).replace("0 adults and ", "")
        );
    }
    let _ = write!(
        head,
        " ({} person{} at the end of the plan).",
        r.persons_at_end,
        if r.persons_at_end == 1 { "" } else { "s" }
    );
    wrap(&mut out, "", 0, &head);
    wrap(
        &mut out,
        "",
        0,
        &format!(
            "{}; language school: {}{}.",
            if r.arrival < r.start {
                format!("Arrived {}, before the plan's start", r.arrival)
            } else {
                format!("Arrives {}", r.arrival)
            },
            r.language_school.as_deref().unwrap_or("the nearest one"),
            if r.needs_step_free {
                "; needs step-free access"
            } else {
                ""
            }
        ),
    );
    out.push('\n');

    let mut plan = format!("Plan (strategy {}): ", r.strategy.as_str());
    if let Some(home) = &r.home {
        let _ = write!(
            plan,
            "permanent home {} ({}, {}, {} m², rent {} DKK, housing benefit {} DKK, {} DKK left a month) in {} from {}; travel {} min",
            home.unit,
            home.kind,
            rooms(home.rooms),
            number(home.area_m2, 0),
            dkk(home.rent_dkk),
            dkk(home.housing_benefit_dkk),
            dkk(home.disposable_dkk),
            home.district.as_deref().unwrap_or("no district"),
            home.from,
            home.travel_min.map_or("-".to_string(), |t| number(t, 1))
        );
        if !home.forced_rules.is_empty() {
            let _ = write!(
                plan,
                "; forced against rule(s) {}",
                home.forced_rules.join(", ")
            );
        }
        if let Some(t) = &r.temporary {
            let _ = write!(
                plan,
                "; before that, temporary place {} ({}) from {} to {}",
                t.unit, t.kind, t.from, t.to
            );
        }
    } else if let Some(t) = &r.temporary {
        let _ = write!(
            plan,
            "temporary only, no permanent home: temporary place {} ({}) from {} to {}",
            t.unit, t.kind, t.from, t.to
        );
    } else {
        plan.push_str("unplaced: neither a permanent home nor a temporary place");
    }
    plan.push('.');
    wrap(&mut out, "", 0, &plan);
    if let Some(p) = &r.pin {
        let mut s = format!("Pin: {} ({})", p.target, p.origin);
        match p.refused_by {
            Some(rule) => {
                let _ = write!(s, ", refused by rule {rule}");
            }
            None => s.push_str(", lawful"),
        }
        if let Some(cell) = &p.in_plan {
            let _ = write!(s, "; in the plan: {cell}");
        }
        s.push('.');
        wrap(&mut out, "", 0, &s);
    }
    out.push('\n');

    let l = &r.limits;
    out.push_str("Rules that limited its choice\n");
    wrap(
        &mut out,
        "  ",
        2,
        &format!(
            "{} of {} permanent dwellings pass every rule for this household; the others fail (first rule failed):",
            l.lawful, l.dwellings
        ),
    );
    for c in &l.excluded {
        let first = format!("  {:>6}  {:<20}", c.count, c.rule);
        wrap(&mut out, &first, 30, c.words);
    }
    let mut temp = format!(
        "{} of {} temporary places pass every rule",
        l.temporary_lawful, l.temporary_sites
    );
    if !l.temporary_excluded.is_empty() {
        let parts: Vec<String> = l
            .temporary_excluded
            .iter()
            .map(|c| format!("{} {}", c.count, c.rule))
            .collect();
        let _ = write!(temp, " ({})", parts.join(", "));
    }
    temp.push('.');
    wrap(&mut out, "  ", 2, &temp);
    let others = l.in_plan.iter().map(|c| c.count).sum::<u32>();
    if others > 0 {
        let parts: Vec<String> = l
            .in_plan
            .iter()
            .map(|c| {
                let what = match c.rule {
                    "taken" => "given to other households",
                    "district_cap" => "in a district at its cap",
                    "building_cap" => "in a building at its cap",
                    "no_temporary_bridge" => "without a temporary place to bridge the wait",
                    _ => "free, left by the trade-off",
                };
                format!("{} {what}", c.count)
            })
            .collect();
        wrap(
            &mut out,
            "  ",
            2,
            &format!(
                "In the plan, of the {others} other lawful dwellings: {}.",
                parts.join(", ")
            ),
        );
    }
    out.push('\n');

    let show_kept = r
        .terms
        .iter()
        .chain(r.alternatives.iter().flat_map(|a| a.terms.iter()))
        .any(|t| t.name == "kept_proposal" && t.value != 0.0);
    if r.home.is_some() {
        out.push_str("Objective terms of its home (negative: a reward; lower is better)\n");
        term_lines(&mut out, &r.terms, show_kept);
        let _ = writeln!(out, "  {:<22}{:>11}", "total", signed(r.total));
    } else {
        wrap(
            &mut out,
            "",
            0,
            "Objective: without a permanent home the household adds only its temporary person-days (part of the model's constant); each dwelling below would add its total.",
        );
    }
    out.push('\n');

    if r.alternatives.is_empty() {
        out.push_str("Next-best dwellings: none, no other dwelling passes every rule.\n");
    } else {
        wrap(
            &mut out,
            "",
            0,
            "Next-best dwellings (Δ: the change of the objective if this household alone moved there; positive is worse)",
        );
        for (i, a) in r.alternatives.iter().enumerate() {
            let head = format!(
                "{}. {} ({}, {}, {} m², rent {} DKK) in {} from {}: total {}, Δ {}",
                i + 1,
                a.unit,
                a.kind,
                rooms(a.rooms),
                number(a.area_m2, 0),
                dkk(a.rent_dkk),
                a.district.as_deref().unwrap_or("no district"),
                a.move_in,
                signed(a.total),
                signed(a.delta_total)
            );
            wrap(&mut out, "  ", 5, &head);
            let parts: Vec<String> = a
                .delta
                .iter()
                .filter(|t| t.value.abs() >= 0.005)
                .map(|t| format!("{} {}", label(t.name), signed(t.value)))
                .collect();
            if !parts.is_empty() {
                wrap(&mut out, "     Δ by term: ", 5, &parts.join(", "));
            }
            if !a.forced_rules.is_empty() {
                wrap(
                    &mut out,
                    "     ",
                    5,
                    &format!(
                        "breaks rule(s) {} (a forced pin)",
                        a.forced_rules.join(", ")
                    ),
                );
            }
            wrap(
                &mut out,
                "     ",
                5,
                &format!("Not given ({}): {}.", a.rule, a.why),
            );
        }
    }

    if let Some(w) = &r.what_would_change {
        out.push('\n');
        out.push_str("What would change it\n");
        let binding = match (&w.reason_code, &w.reason) {
            (Some(code), Some(words)) => format!("Binding reason ({code}): {words}."),
            (Some(code), None) => format!("Binding reason: {code}."),
            _ => "Binding reason: not recorded in plan.csv.".to_string(),
        };
        wrap(&mut out, "  ", 2, &binding);
        let mut s = w.sentence.clone();
        s.push('.');
        wrap(&mut out, "  It would take ", 2, &s);
    }
    out
}

/// The explanation as JSON.
#[must_use]
pub fn render_json(r: &Report) -> String {
    serde_json::to_string_pretty(r).expect("a report serialises") + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::HouseholdId;

    fn household(adults: u32, children: u32, income: Option<i64>) -> Household {
        Household {
            id: HouseholdId(0),
            name: "H".into(),
            adults,
            children,
            arrival: 0,
            income_dkk: income,
            reunion: None,
            needs_accessible: false,
            language_school: None,
            work_place: None,
            locked_unit: None,
            locked_district: None,
            pin_origin: PinOrigin::File,
        }
    }

    fn affordable(h: &Household, comp: Composition, rent: i64, area: f64) -> bool {
        economy::budget(
            h,
            comp,
            rent,
            area,
            &Benefits::default(),
            &HousingBenefit::default(),
            &MinDisposable::default(),
        )
        .affordable()
    }

    fn search(h: &Household, comps: &[Composition], area: f64) -> Option<i64> {
        max_affordable_rent(
            h,
            comps,
            area,
            &Benefits::default(),
            &HousingBenefit::default(),
            &MinDisposable::default(),
        )
    }

    #[test]
    fn the_highest_affordable_rent_is_the_last_affordable_one() {
        // A single adult on benefits: 6,553 DKK; at most 15 % of the rent comes
        // back as housing benefit, and 2,800 DKK must be left.
        let h = household(1, 0, None);
        let comp = h.initial();
        let max = search(&h, &[comp], 20.0).expect("some rent is affordable");
        assert!(affordable(&h, comp, max, 20.0));
        assert!(!affordable(&h, comp, max + 1, 20.0));
        // Every rent below is affordable too (the search's premise).
        assert!((0..=max).step_by(7).all(|r| affordable(&h, comp, r, 20.0)));
        // 6,553 + 0.15 r − r ≥ 2,800 ⇔ r ≤ 4,415 (before rounding the benefit down).
        assert!((4_400..=4_416).contains(&max), "{max}");
    }

    #[test]
    fn the_search_takes_every_composition_and_the_benefit_into_account() {
        // Before and after a reunion: the stricter of the two binds.
        let h = household(1, 1, None);
        let before = h.initial();
        let after = Composition {
            adults: 2,
            children: 3,
        };
        let both = search(&h, &[before, after], 100.0).unwrap();
        let alone = search(&h, &[before], 100.0).unwrap();
        let later = search(&h, &[after], 100.0).unwrap();
        assert_eq!(both, alone.min(later));
        // Without housing benefit the limit is income − minimum, exactly.
        let none = max_affordable_rent(
            &h,
            &[before],
            100.0,
            &Benefits::default(),
            &HousingBenefit {
                enabled: false,
                ..HousingBenefit::default()
            },
            &MinDisposable::default(),
        )
        .unwrap();
        let income = economy::income_dkk(&h, before, &Benefits::default());
        let min = economy::min_disposable_dkk(before, &MinDisposable::default());
        assert_eq!(none, income - min);
        assert!(alone > none, "housing benefit raises the limit");
        // A given income below the minimum: no rent at all.
        let couple = household(2, 2, Some(4_000));
        assert_eq!(search(&couple, &[couple.initial()], 60.0), None);
    }

    fn requirement() -> Requirement {
        Requirement {
            persons: 3,
            rooms: 2,
            area_m2: 60.0,
            max_rent_dkk: Some(6_900),
            income_dkk: 15_000,
            min_disposable_dkk: 6_100,
            step_free: true,
            max_travel_min: 60.0,
            school: "SPR1".into(),
            districts: vec!["D01".into(), "D04".into()],
            building_cap: None,
        }
    }

    #[test]
    fn the_sentence_names_every_requirement() {
        assert_eq!(
            sentence(&requirement()),
            "one more dwelling with ≥ 2 rooms (or ≥ 60 m²) at ≤ 6,900 DKK/month, step-free, within 60 min of SPR1, in a district under its cap (D01, D04)"
        );
        let single = Requirement {
            persons: 1,
            rooms: 1,
            area_m2: 20.0,
            max_rent_dkk: Some(4_415),
            step_free: false,
            building_cap: Some(2),
            districts: (1..=10).map(|i| format!("D{i:02}")).collect(),
            ..requirement()
        };
        assert_eq!(
            sentence(&single),
            "one more dwelling with ≥ 1 room (or ≥ 20 m²) at ≤ 4,415 DKK/month, within 60 min of SPR1, in a building with fewer than 2 newcomer households, in a district under its cap (D01, D02, D03, D04, D05, D06, D07, D08, … (10 in all))"
        );
    }

    #[test]
    fn the_sentence_says_when_a_dwelling_would_not_help() {
        let poor = Requirement {
            max_rent_dkk: None,
            ..requirement()
        };
        assert_eq!(
            sentence(&poor),
            "a higher income: 15,000 DKK/month cannot leave the minimum disposable amount of 6,100 DKK/month at any rent"
        );
        let full = Requirement {
            districts: Vec::new(),
            ..requirement()
        };
        assert!(sentence(&full).starts_with("room under a district's cap"));
    }

    #[test]
    fn numbers_have_thousands_separators() {
        assert_eq!(number(1_234_567.891, 2), "1,234,567.89");
        assert_eq!(number(-6_000.0, 2), "-6,000.00");
        assert_eq!(number(-0.001, 2), "0.00");
        assert_eq!(number(999.0, 0), "999");
        assert_eq!(signed(12.5), "+12.50");
        assert_eq!(signed(-3.0), "-3.00");
        assert_eq!(signed(0.0), "0.00");
    }
}
