//! Stage 3: the allocation.
//!
//! Three strategies choose the permanent homes: `optimise` (the default, the
//! model of docs/model.md solved by Lagrangian relaxation, see
//! [`optimise`]), `greedy` (families first, earliest move-in) and `fcfs`
//! (today's waiting list, see [`fcfs`]). All three end in [`allocate`],
//! which checks the dynamic rules — dwelling free, district share,
//! households per building, temporary capacity per day — bridges the wait
//! until move-in with a temporary place (empty municipal buildings, then
//! private leases, then containers) and says why a household got less,
//! as facts ([`Explanation`]: rules, ids, counts, days); the sentences are
//! made from them in `evaluate::reasons`. No I/O, no clock, no prose.

pub mod assignment;
mod explanation;
pub mod fcfs;
pub mod optimise;

pub use explanation::{Explanation, NotFollowed, Weighed, Why};

use std::collections::{BTreeMap, HashMap};

use crate::candidates::{
    Candidates, HouseholdCandidates, PermanentOption, Reason, TemporaryOption,
};
use crate::ids::{DistrictId, HouseholdId, UnitId};
use crate::model::{Day, Household, Inputs, Tenure};
use crate::rules::occupancy::{Home, Occupancy};
use crate::scenario::Scenario;

/// A stay in a temporary place, days `from..to` (half-open).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TemporaryStay {
    pub unit: UnitId,
    pub from: Day,
    pub to: Day,
}

/// A permanent home from a move-in day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PermanentHome {
    pub unit: UnitId,
    pub from: Day,
}

impl PermanentHome {
    /// The home of one of the household's candidate options, from its
    /// move-in day.
    ///
    /// # Panics
    /// If `unit` is not one of the candidates' options.
    #[must_use]
    pub fn candidate(c: &HouseholdCandidates, unit: UnitId) -> Self {
        let option = c
            .permanent
            .iter()
            .find(|o| o.unit == unit)
            .expect("a pair of the model is a candidate option");
        Self {
            unit,
            from: option.move_in,
        }
    }
}

/// What one household gets.
#[derive(Debug, Clone, PartialEq)]
pub struct Placement {
    pub household: HouseholdId,
    pub temporary: Option<TemporaryStay>,
    pub permanent: Option<PermanentHome>,
    /// For `temporary_only` and `unplaced`, and for a refused pin.
    pub explanation: Option<Explanation>,
}

/// The status written to `plan.csv` (declared in the order of the names:
/// `summary.json`'s `by_status` is sorted by them).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Permanent,
    TemporaryOnly,
    Unplaced,
}

impl Status {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Permanent => "permanent",
            Status::TemporaryOnly => "temporary_only",
            Status::Unplaced => "unplaced",
        }
    }
}

impl Placement {
    #[must_use]
    pub fn status(&self) -> Status {
        if self.permanent.is_some() {
            Status::Permanent
        } else if self.temporary.is_some() {
            Status::TemporaryOnly
        } else {
            Status::Unplaced
        }
    }
}

/// A plan: one placement per household, in household order.
#[derive(Debug, Clone)]
pub struct Plan {
    pub placements: Vec<Placement>,
    pub strategy: Strategy,
}

/// What is already used while the greedy pass runs.
struct State<'a> {
    inputs: &'a Inputs,
    scenario: &'a Scenario,
    /// Dwellings taken, persons per district, households per building.
    occupancy: Occupancy,
    /// A dwelling chosen by a strategy for a household, before `allocate` runs.
    reserved_for: Vec<Option<HouseholdId>>,
    /// Persons per day in each temporary site.
    load: HashMap<UnitId, Vec<u32>>,
}

impl<'a> State<'a> {
    fn new(inputs: &'a Inputs, scenario: &'a Scenario) -> Self {
        Self {
            inputs,
            scenario,
            occupancy: Occupancy::of_inputs(inputs, scenario),
            reserved_for: vec![None; inputs.units.len()],
            load: HashMap::new(),
        }
    }

    fn share_after(&self, d: DistrictId, persons: u32) -> f64 {
        let district = self.inputs.district(d);
        let p = self.occupancy.persons_in(d) + persons;
        f64::from(district.newcomers + p) / f64::from(district.population + p)
    }

    /// The dynamic rules of a permanent dwelling.
    fn permanent_ok(&self, option: &PermanentOption, persons: u32) -> Result<(), Reason> {
        self.dwelling_ok(option.unit, persons)
    }

    /// [`Self::permanent_ok`] of a dwelling for a household of `persons`,
    /// before its option is known.
    fn dwelling_ok(&self, unit: UnitId, persons: u32) -> Result<(), Reason> {
        self.occupancy.fits(Home::of(self.inputs, unit), persons)
    }

    fn release_permanent(&mut self, unit: UnitId, persons: u32) {
        self.reserved_for[unit.index()] = None;
        self.occupancy.remove(Home::of(self.inputs, unit), persons);
    }

    fn take_permanent(&mut self, unit: UnitId, persons: u32) {
        self.occupancy.add(Home::of(self.inputs, unit), persons);
    }

    /// Whether the site holds the household on every day of `from..to`.
    fn temporary_fits(&self, unit: UnitId, h: &Household, from: Day, to: Day) -> bool {
        site_fits(
            self.inputs.unit(unit),
            self.load.get(&unit).map(Vec::as_slice),
            h,
            from,
            to,
        )
    }

    /// Takes a temporary site for `from..to` and returns the stay.
    fn stay(&mut self, unit: UnitId, h: &Household, from: Day, to: Day) -> TemporaryStay {
        self.take_temporary(unit, h, from, to);
        TemporaryStay { unit, from, to }
    }

    fn take_temporary(&mut self, unit: UnitId, h: &Household, from: Day, to: Day) {
        let horizon = day_index(self.scenario.horizon_days);
        let load = self.load.entry(unit).or_insert_with(|| vec![0; horizon]);
        for d in from..to {
            load[day_index(d)] += h.at(d).persons();
        }
    }

    /// The first site, in preference order, that holds the household over `from..to`.
    fn find_temporary(
        &self,
        options: &[TemporaryOption],
        h: &Household,
        from: Day,
        to: Day,
    ) -> Option<UnitId> {
        options
            .iter()
            .map(|o| o.unit)
            .find(|&u| self.temporary_fits(u, h, from, to))
    }

    /// The site for a wait over `from..to`: a lawfully pinned site when it
    /// holds the household for all of it (a resident stays where it lives),
    /// else the first in preference order; with the rule that kept the
    /// household out of its pinned site, if one did.
    fn bridge(
        &self,
        (options, pinned): (&[TemporaryOption], Option<UnitId>),
        h: &Household,
        from: Day,
        to: Day,
    ) -> (Option<UnitId>, Option<Reason>) {
        let Some(site) = pinned else {
            return (self.find_temporary(options, h, from, to), None);
        };
        if self.temporary_fits(site, h, from, to) {
            return (Some(site), None);
        }
        let u = self.inputs.unit(site);
        let closes =
            from < u.available_from || u.available_until.is_some_and(|until| to - 1 > until);
        let why = if closes {
            Reason::Availability
        } else {
            Reason::Capacity
        };
        (self.find_temporary(options, h, from, to), Some(why))
    }
}

/// Whether a temporary site, with `load` persons already in it on each day
/// of the horizon (`None`: empty), holds the household on every day of
/// `from..to` and is available for all of them.
#[must_use]
pub fn site_fits(
    u: &crate::model::Unit,
    load: Option<&[u32]>,
    h: &Household,
    from: Day,
    to: Day,
) -> bool {
    if from < u.available_from || u.available_until.is_some_and(|until| to - 1 > until) {
        return false;
    }
    (from..to).all(|d| {
        let used = load.map_or(0, |l| l[day_index(d)]);
        used + h.at(d).persons() <= u.capacity
    })
}

/// Move-in week, district share after (‰), spare rooms, empty-rent days, travel minutes, unit.
type PreferenceKey = (i64, i64, u32, i64, i64, UnitId);

fn day_index(d: Day) -> usize {
    usize::try_from(d).expect("days inside the horizon are not negative")
}

/// Which strategy chose the permanent homes (`--strategy`; `summary.json`'s
/// `run.strategy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// The optimising engine (default).
    Optimise,
    /// Families first, earliest move-in.
    Greedy,
    /// First come, first served: today's waiting list.
    Fcfs,
}

/// `--strategy`'s values, by hand rather than derived: the derive would
/// make the variants' docs a help text per value and change `plan --help`.
impl clap::ValueEnum for Strategy {
    fn value_variants<'a>() -> &'a [Self] {
        &[Self::Optimise, Self::Greedy, Self::Fcfs]
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.as_str()))
    }
}

impl Strategy {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Optimise => "optimise",
            Self::Greedy => "greedy",
            Self::Fcfs => "fcfs",
        }
    }
}

/// The order in which [`allocate`] takes households.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// Lawfully pinned first, then families, couples, singles, each by arrival.
    Priority,
    /// By arrival only (the waiting list).
    Arrival,
}

/// Plans every household with the greedy rule of the module docs.
#[must_use]
pub fn greedy(inputs: &Inputs, scenario: &Scenario, candidates: &Candidates) -> Plan {
    allocate(
        inputs,
        scenario,
        candidates,
        None,
        Order::Priority,
        Strategy::Greedy,
    )
}

/// Turns chosen permanent homes (`picks`, one entry per household, each
/// with the move-in day the strategy found lawful; `None`: let `allocate`
/// choose, as the greedy rule does) into a plan: reserves the
/// picks, bridges each wait with a temporary place, fills in what the picks
/// left possible, and explains every household that got less.
///
/// A pick whose wait cannot be bridged is released and the household is
/// planned as if it had no pick.
#[must_use]
pub fn allocate(
    inputs: &Inputs,
    scenario: &Scenario,
    candidates: &Candidates,
    picks: Option<&[Option<PermanentHome>]>,
    order_by: Order,
    strategy: Strategy,
) -> Plan {
    allocate_from(
        inputs, scenario, candidates, picks, order_by, strategy, None,
    )
}

/// Every permanent dwelling the rules allow a household, as the candidates
/// would list them without a shortlist (in any order).
type EveryLawful<'a> = &'a dyn Fn(&Household, &HouseholdCandidates) -> Vec<PermanentOption>;

/// [`allocate`]; with `every_lawful`, a household without a (bridged) pick
/// weighs every dwelling the rules allow it, not only its candidates, which
/// a very large scenario shortlists (the waiting list of [`fcfs`] checks the
/// rules itself, so its plan does not depend on the shortlist).
fn allocate_from(
    inputs: &Inputs,
    scenario: &Scenario,
    candidates: &Candidates,
    picks: Option<&[Option<PermanentHome>]>,
    order_by: Order,
    strategy: Strategy,
    every_lawful: Option<EveryLawful<'_>>,
) -> Plan {
    let horizon = scenario.horizon_days;
    let mut order: Vec<&Household> = inputs.households.iter().collect();
    order.sort_by_key(|h| {
        let c = candidates.of(h.id);
        // Only a lawful pin to a permanent dwelling moves a household
        // ahead; a refused pin or a pinned temporary site keeps its place.
        let pinned =
            matches!(&c.pin, Some((u, Ok(()))) if inputs.unit(*u).tenure == Tenure::Permanent);
        match order_by {
            Order::Priority => (!pinned, h.household_type(horizon), c.arrival, h.id),
            Order::Arrival => (
                !pinned,
                crate::model::HouseholdType::Family,
                c.arrival,
                h.id,
            ),
        }
    });
    let mut state = State::new(inputs, scenario);
    if let Some(picks) = picks {
        for (h, pick) in inputs.households.iter().zip(picks) {
            if let Some(p) = pick {
                state.take_permanent(p.unit, h.final_in(horizon).persons());
                state.reserved_for[p.unit.index()] = Some(h.id);
            }
        }
    }
    let mut placements: Vec<Option<Placement>> = vec![None; inputs.households.len()];
    for h in order {
        let c = candidates.of(h.id);
        let placement = if c.arrival >= horizon {
            Placement {
                household: h.id,
                temporary: None,
                permanent: None,
                explanation: Some(Explanation::of(
                    Reason::ArrivalAfterHorizon,
                    Why::ArrivesAfterPlan {
                        arrival: c.arrival,
                        horizon,
                    },
                )),
            }
        } else {
            let pick = picks.and_then(|p| p[h.id.index()]);
            // With picks, the strategy has decided who gets a home; a
            // household without one keeps its explanation, not a leftover.
            let placement = place_one(&mut state, h, c, pick, picks.is_none(), every_lawful);
            explain_pin(inputs, c, placement)
        };
        placements[h.id.index()] = Some(placement);
    }
    Plan {
        placements: placements
            .into_iter()
            .map(|p| p.expect("every household placed once"))
            .collect(),
        strategy,
    }
}

fn place_one(
    state: &mut State<'_>,
    h: &Household,
    c: &HouseholdCandidates,
    pick: Option<PermanentHome>,
    mut fill_in: bool,
    every_lawful: Option<EveryLawful<'_>>,
) -> Placement {
    let inputs = state.inputs;
    let horizon = state.scenario.horizon_days;
    let persons = h.final_in(horizon).persons();
    let mut pin_note: Option<Explanation> = None;

    // Temporary options in `temporary.order`, then nearest to the school,
    // then cheapest (the candidates keep them in that order); a lawfully
    // pinned site is tried first (`State::bridge`).
    let pinned_site = match &c.pin {
        Some((p, Ok(()))) if inputs.unit(*p).tenure == Tenure::Temporary => Some(*p),
        _ => None,
    };
    // A resident's move is reported by the re-plan, not as a refused pin.
    let site_note = |refused: Option<Reason>| match (refused, pinned_site) {
        (Some(rule), Some(unit)) if !c.resident => {
            Some(Explanation::of(Reason::Pin, Why::PinRefused { unit, rule }))
        }
        _ => None,
    };
    let temporary = (c.temporary.as_slice(), pinned_site);
    // A strategy's pick: already reserved and checked against the caps; it
    // needs only a temporary place until move-in.
    if let Some(PermanentHome {
        unit,
        from: move_in,
    }) = pick
    {
        let (bridged, site_refused) = if move_in > c.arrival {
            state.bridge(temporary, h, c.arrival, move_in)
        } else {
            (None, None)
        };
        if move_in == c.arrival || bridged.is_some() {
            let temporary = bridged.map(|site| state.stay(site, h, c.arrival, move_in));
            // A pin the strategy could not honour is still explained.
            let explanation = c.pin.as_ref().and_then(|(pin, verdict)| {
                let refused = match verdict {
                    Err(reason) => Some(*reason),
                    Ok(()) if *pin != unit && inputs.unit(*pin).tenure == Tenure::Permanent => {
                        Some(Reason::Taken)
                    }
                    Ok(()) => site_refused.filter(|_| temporary.is_some() && !c.resident),
                };
                refused
                    .map(|rule| Explanation::of(Reason::Pin, Why::PinRefused { unit: *pin, rule }))
            });
            return Placement {
                household: h.id,
                temporary,
                permanent: Some(PermanentHome {
                    unit,
                    from: move_in,
                }),
                explanation,
            };
        }
        state.release_permanent(unit, persons);
        fill_in = true;
    }

    // The dwellings the household may get: its candidates, or every lawful one.
    let options: std::borrow::Cow<'_, [PermanentOption]> = match every_lawful {
        Some(every_lawful) => std::borrow::Cow::Owned(every_lawful(h, c)),
        None => std::borrow::Cow::Borrowed(&c.permanent),
    };
    let mut permanent: Vec<&PermanentOption> = options.iter().collect();

    if let Some((pin, verdict)) = &c.pin {
        let tenure = inputs.unit(*pin).tenure;
        let refused =
            |rule: Reason| Explanation::of(Reason::Pin, Why::PinRefused { unit: *pin, rule });
        match (tenure, verdict) {
            (_, Err(reason)) => pin_note = Some(refused(*reason)),
            (Tenure::Permanent, Ok(())) => {
                let option = c
                    .permanent
                    .iter()
                    .find(|o| o.unit == *pin)
                    .expect("a lawful pin is a candidate");
                match state.permanent_ok(option, persons) {
                    Ok(()) => permanent = vec![option],
                    Err(reason) => pin_note = Some(refused(reason)),
                }
            }
            (Tenure::Temporary, Ok(())) => {}
        }
    }

    // Earliest move-in week first, then the lowest district share after,
    // then the fewest spare rooms, the fewest empty-rent days, the shortest trip.
    let mut keyed: Vec<(PreferenceKey, &PermanentOption)> = permanent
        .into_iter()
        .map(|o| {
            let u = inputs.unit(o.unit);
            #[allow(clippy::cast_possible_truncation)]
            let share_permille = u.district.map_or(0, |d| {
                (state.share_after(d, persons) * 1000.0).round() as i64
            });
            #[allow(clippy::cast_possible_truncation)]
            let travel = o.travel_min.map_or(0, |t| t.round() as i64);
            (
                (
                    o.move_in / 7,
                    share_permille,
                    o.spare_rooms,
                    o.move_in - u.available_from,
                    travel,
                    o.unit,
                ),
                o,
            )
        })
        .collect();
    // Most households take one of their first options: sort only the head
    // first, and the rest only if the head gives nothing (the keys are
    // unique, so the order is the full sort's).
    let head = keyed.len().min(64);
    if keyed.len() > head {
        keyed.select_nth_unstable_by_key(head - 1, |(k, _)| *k);
    }
    keyed[..head].sort_unstable_by_key(|(k, _)| *k);
    let mut sorted = head;

    let mut dynamic: BTreeMap<Reason, u32> = BTreeMap::new();
    // The bridge to each move-in day: the state does not change in this loop
    // until the household takes a home.
    let mut bridges: HashMap<Day, (Option<UnitId>, Option<Reason>)> = HashMap::new();
    for i in 0..keyed.len() {
        if i == sorted {
            keyed[sorted..].sort_unstable_by_key(|(k, _)| *k);
            sorted = keyed.len();
        }
        let option = keyed[i].1;
        if let Err(reason) = state.permanent_ok(option, persons) {
            *dynamic.entry(reason).or_default() += 1;
            continue;
        }
        let bridge = if option.move_in > c.arrival {
            let site = *bridges
                .entry(option.move_in)
                .or_insert_with(|| state.bridge(temporary, h, c.arrival, option.move_in));
            match site {
                (Some(site), refused) => Some((site, refused)),
                (None, _) => {
                    *dynamic.entry(Reason::NoTemporaryBridge).or_default() += 1;
                    continue;
                }
            }
        } else {
            None
        };
        if !fill_in {
            *dynamic.entry(Reason::TradeOff).or_default() += 1;
            continue;
        }
        state.take_permanent(option.unit, persons);
        if let Some(note) = site_note(bridge.and_then(|(_, refused)| refused)) {
            pin_note = Some(note);
        }
        let temporary = bridge.map(|(site, _)| state.stay(site, h, c.arrival, option.move_in));
        return Placement {
            household: h.id,
            temporary,
            permanent: Some(PermanentHome {
                unit: option.unit,
                from: option.move_in,
            }),
            explanation: pin_note,
        };
    }

    // No permanent home: why.
    let why_not_permanent = if options.is_empty() {
        Explanation::counted(Weighed::NoPermanentFits, &c.permanent_excluded)
    } else {
        // A free dwelling refused by a cap or a missing bridge binds more
        // than the dwellings that were simply taken.
        let mut why = Explanation::counted(
            Weighed::PermanentUnusable {
                fitting: options.len(),
            },
            &dynamic,
        );
        if let Some(r) = dynamic
            .iter()
            .filter(|(r, _)| **r != Reason::Taken)
            .max_by_key(|(r, n)| (**n, std::cmp::Reverse(**r)))
            .map(|(r, _)| *r)
        {
            why.reason = r;
        }
        why
    };
    if let (Some(site), refused) = state.bridge(temporary, h, c.arrival, horizon) {
        if let Some(note) = site_note(refused) {
            pin_note = Some(note);
        }
        return Placement {
            household: h.id,
            temporary: Some(state.stay(site, h, c.arrival, horizon)),
            permanent: None,
            explanation: Some(why_not_permanent.after_pin(pin_note)),
        };
    }
    // The longest stay any site can give from arrival, if no site lasts the horizon.
    let mut best: Option<(Day, UnitId)> = None;
    for o in c.temporary.iter() {
        // Day by day: each extra day needs only that day checked.
        let mut end = c.arrival;
        while end < horizon && state.temporary_fits(o.unit, h, end, end + 1) {
            end += 1;
        }
        if end > c.arrival && best.is_none_or(|(e, _)| end > e) {
            best = Some((end, o.unit));
        }
    }
    if let Some((end, site)) = best {
        let stay = state.stay(site, h, c.arrival, end);
        let mut why = why_not_permanent;
        why.parts.push(Why::HousedUntil { until: end });
        return Placement {
            household: h.id,
            temporary: Some(stay),
            permanent: None,
            explanation: Some(why.after_pin(pin_note)),
        };
    }
    // The binding reason stays the permanent one.
    let mut why = why_not_permanent;
    if c.temporary_lawful == 0 {
        why.parts
            .extend(Explanation::counted(Weighed::NoTemporaryFits, &c.temporary_excluded).parts);
    } else {
        why.parts.push(Why::TemporaryFull {
            fitting: c.temporary_lawful,
        });
    }
    Placement {
        household: h.id,
        temporary: None,
        permanent: None,
        explanation: Some(why.after_pin(pin_note)),
    }
}

/// A pin the plan does not follow is always explained, naming the pinned unit.
fn explain_pin(inputs: &Inputs, c: &HouseholdCandidates, mut placement: Placement) -> Placement {
    if let (None, Some((d, Err(reason)))) = (&c.pin, &c.pin_district) {
        let mut parts = vec![Why::DistrictPinNotFollowed {
            district: *d,
            most_often: *reason,
        }];
        if let Some(e) = placement.explanation.take() {
            parts.extend(e.parts);
        }
        placement.explanation = Some(Explanation {
            reason: Reason::Pin,
            parts,
        });
        return placement;
    }
    let Some((pin, verdict)) = &c.pin else {
        return placement;
    };
    if c.resident {
        return placement;
    }
    let followed = placement.permanent.is_some_and(|p| p.unit == *pin)
        || placement.temporary.is_some_and(|t| t.unit == *pin);
    let explained = placement
        .explanation
        .as_ref()
        .is_some_and(|e| e.reason == Reason::Pin);
    if followed || explained {
        return placement;
    }
    let not_needed = inputs.unit(*pin).tenure == Tenure::Temporary && placement.temporary.is_none();
    let earlier = placement.explanation.take().map(|e| e.parts);
    let (because, rest) = match (verdict, not_needed) {
        // The rule that refused the pin, then what the household got instead.
        (Err(reason), _) => (NotFollowed::Rule(*reason), earlier.unwrap_or_default()),
        (Ok(()), true) => (NotFollowed::NotNeeded, Vec::new()),
        (Ok(()), false) => (
            earlier.map_or(NotFollowed::Rule(Reason::Taken), NotFollowed::Because),
            Vec::new(),
        ),
    };
    let mut parts = vec![Why::PinNotFollowed {
        unit: *pin,
        because,
    }];
    parts.extend(rest);
    placement.explanation = Some(Explanation {
        reason: Reason::Pin,
        parts,
    });
    placement
}
