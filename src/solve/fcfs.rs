//! The status quo as a strategy: a municipality's waiting list.
//!
//! Households queue in arrival order. Whenever a household arrives, its
//! family joins it or a dwelling falls vacant, the free dwellings go, in order of availability
//! (then id), to the longest-waiting household each fits — the first fitting
//! flat to whoever has waited longest. The same hard rules apply as for
//! every strategy; [`super::allocate`] then bridges the waits with temporary
//! places, and weighs every lawful dwelling for a household without a home
//! from the list (to say why), not only its candidates.
//!
//! The waiting list does not read the household's candidates (which a very
//! large scenario shortlists, [`crate::candidates::Shortlist`]): like an
//! officer it goes down the dwellings within reach of the household's
//! language school and checks the rules of each as it comes to it
//! ([`crate::rules::permanent_option_from`]). Only a pinned dwelling is taken
//! from the candidates, which always keep it (a forced pin breaks rules on
//! purpose).

use std::collections::{BTreeSet, HashMap};

use rayon::prelude::*;

use super::{EveryLawful, Order, PermanentHome, Plan, State, Strategy, allocate_from};
use crate::candidates::{Candidates, HouseholdCandidates, PermanentOption};
use crate::ids::{DistrictId, PlaceId, UnitId};
use crate::model::{Day, Decisions, Household, Inputs, Pin, Tenure};
use crate::scenario::Scenario;
use crate::travel::TravelTimes;

/// Plans the scenario as a first-come-first-served waiting list would.
#[must_use]
pub fn plan(
    inputs: &Inputs,
    scenario: &Scenario,
    travel: &TravelTimes,
    candidates: &Candidates,
    decisions: &Decisions,
) -> Plan {
    let lists = WaitingLists::new(inputs, scenario, travel);
    let picks = picks_from(inputs, scenario, travel, candidates, decisions, &lists);
    // Without a shortlist the candidates are every lawful dwelling.
    let every_lawful = |h: &Household, c: &HouseholdCandidates| {
        lists.every_lawful((inputs, scenario, travel, decisions), h, c)
    };
    allocate_from(
        inputs,
        scenario,
        candidates,
        Some(&picks),
        Order::Arrival,
        Strategy::Fcfs,
        candidates
            .shortlist
            .is_some()
            .then_some(&every_lawful as EveryLawful<'_>),
    )
}

/// Dwellings in one batch above which the rules are checked in parallel.
const PARALLEL_FROM: usize = 512;

/// The waiting list of each language school (`None`: the nearest): the
/// dwellings in reach that the rules not about the household allow
/// ([`crate::rules::check_unit`]), by availability, then id.
struct WaitingLists {
    lists: Vec<Vec<UnitId>>,
    of: HashMap<Option<PlaceId>, usize>,
}

impl WaitingLists {
    fn new(inputs: &Inputs, scenario: &Scenario, travel: &TravelTimes) -> Self {
        let mut lists = Vec::new();
        let mut of = HashMap::new();
        for h in &inputs.households {
            of.entry(h.language_school).or_insert_with(|| {
                lists.push(Self::list(inputs, scenario, travel, h.language_school));
                lists.len() - 1
            });
        }
        Self { lists, of }
    }

    fn list(
        inputs: &Inputs,
        scenario: &Scenario,
        travel: &TravelTimes,
        school: Option<PlaceId>,
    ) -> Vec<UnitId> {
        // With no school at all the travel rule cannot apply (as in
        // `candidates::build`).
        let mut units: Vec<UnitId> = travel
            .within(school, scenario.rules.max_travel_min)
            .unwrap_or_else(|| inputs.units.iter().map(|u| u.id).collect())
            .into_iter()
            .filter(|&u| {
                let unit = inputs.unit(u);
                unit.tenure == Tenure::Permanent
                    && crate::rules::check_unit(inputs, scenario, unit).is_ok()
            })
            .collect();
        units.sort_unstable_by_key(|&u| (inputs.unit(u).available_from, u));
        units
    }

    /// The index of the household's list.
    fn index(&self, h: &Household) -> usize {
        self.of[&h.language_school]
    }

    /// Every dwelling the rules allow the household, as
    /// [`candidates::build`] lists them without a shortlist (in the list's
    /// order, the pinned dwelling last): only a partial pin's district, and
    /// its pinned dwelling as `c` has it (a forced pin breaks rules on
    /// purpose). Checked in parallel (rayon), collected in order.
    fn every_lawful(
        &self,
        (inputs, scenario, travel, decisions): (&Inputs, &Scenario, &TravelTimes, &Decisions),
        h: &Household,
        c: &HouseholdCandidates,
    ) -> Vec<PermanentOption> {
        let (locked, district) = pins(inputs, decisions, h);
        let mut options: Vec<PermanentOption> = self.lists[self.index(h)]
            .par_iter()
            .filter_map(|&uid| {
                let u = inputs.unit(uid);
                if Some(uid) == locked || district.is_some_and(|d| u.district != Some(d)) {
                    return None;
                }
                crate::rules::permanent_option_from(inputs, scenario, travel, h, c.arrival, u).ok()
            })
            .collect();
        if let Some(pinned) = locked.and_then(|u| c.permanent.iter().find(|o| o.unit == u)) {
            options.push(pinned.clone());
        }
        options
    }
}

/// The household's pinned dwelling (left out of the lists: the candidates
/// keep it), and a partial pin's district (the candidates narrow to it only
/// without a pinned unit).
fn pins(
    inputs: &Inputs,
    decisions: &Decisions,
    h: &Household,
) -> (Option<UnitId>, Option<DistrictId>) {
    let pin = decisions.pin(h.id);
    (
        pin.and_then(Pin::unit)
            .filter(|&u| inputs.unit(u).tenure == Tenure::Permanent),
        pin.and_then(Pin::district),
    )
}

/// What one household looks for on the waiting list.
struct Seeker<'a> {
    /// Its pinned dwelling's option, from the candidates, until seen.
    pinned: Option<&'a PermanentOption>,
    /// The pinned dwelling, left out of the list (it is `pinned`).
    locked: Option<UnitId>,
    /// A partial pin: only the district's dwellings.
    district: Option<DistrictId>,
    /// Its school's list, and how far down it the household has looked.
    list: usize,
    seen: usize,
}

/// The dwelling each household gets from the waiting list, if any. A lawful
/// pin is honoured first, as an officer's decision.
#[must_use]
pub fn picks(
    inputs: &Inputs,
    scenario: &Scenario,
    travel: &TravelTimes,
    candidates: &Candidates,
    decisions: &Decisions,
) -> Vec<Option<PermanentHome>> {
    let lists = WaitingLists::new(inputs, scenario, travel);
    picks_from(inputs, scenario, travel, candidates, decisions, &lists)
}

fn picks_from(
    inputs: &Inputs,
    scenario: &Scenario,
    travel: &TravelTimes,
    candidates: &Candidates,
    decisions: &Decisions,
    lists: &WaitingLists,
) -> Vec<Option<PermanentHome>> {
    let horizon = scenario.horizon_days;
    let mut state = State::new(inputs, scenario);
    let mut picks: Vec<Option<PermanentHome>> = vec![None; inputs.households.len()];
    for (i, c) in candidates.households.iter().enumerate() {
        if let Some((pin, Ok(()))) = c.pin
            && let Some(option) = c.permanent.iter().find(|o| o.unit == pin)
        {
            let persons = inputs.households[i].final_in(horizon).persons();
            if state.permanent_ok(option, persons).is_ok() {
                state.take_permanent(pin, persons);
                picks[i] = Some(PermanentHome {
                    unit: pin,
                    from: option.move_in,
                });
            }
        }
    }
    let mut queue: Vec<usize> = (0..inputs.households.len())
        .filter(|&i| candidates.households[i].arrival < horizon && picks[i].is_none())
        .collect();
    queue.sort_by_key(|&i| (candidates.households[i].arrival, i));
    let mut events: BTreeSet<Day> = queue
        .iter()
        .map(|&i| candidates.households[i].arrival)
        .collect();
    events.extend(
        inputs
            .units
            .iter()
            .map(|u| u.available_from.max(0))
            .filter(|&d| d < horizon),
    );
    // A reunion changes what a household can afford: on that day it goes
    // down its whole list again.
    let reunion = |i: usize| {
        let c = &candidates.households[i];
        inputs.households[i]
            .reunion
            .as_ref()
            .map(|r| r.day)
            .filter(|&d| d > c.arrival && d < horizon)
    };
    events.extend(queue.iter().filter_map(|&i| reunion(i)));
    let mut seekers: Vec<Option<Seeker<'_>>> = Vec::new();
    seekers.resize_with(inputs.households.len(), || None);
    for &i in &queue {
        let h = &inputs.households[i];
        let c = &candidates.households[i];
        let (locked, district) = pins(inputs, decisions, h);
        seekers[i] = Some(Seeker {
            pinned: locked.and_then(|u| c.permanent.iter().find(|o| o.unit == u)),
            locked,
            district,
            list: lists.index(h),
            seen: 0,
        });
    }
    // The state only fills up (nothing is released here), so a dwelling
    // seen on an earlier day that did not fit then never fits later (until
    // the household's reunion, which may make it affordable): each
    // day only the dwellings that became possible since are tried, and the
    // first that fits, by availability then id, is taken.
    for day in events {
        for &i in &queue {
            let c = &candidates.households[i];
            if picks[i].is_some() || c.arrival > day {
                continue;
            }
            let h = &inputs.households[i];
            let persons = h.final_in(horizon).persons();
            let seeker = seekers[i].as_mut().expect("every queued household seeks");
            let list = &lists.lists[seeker.list];
            if reunion(i) == Some(day) {
                seeker.seen = 0;
            }
            let from = seeker.seen;
            let to = from + list[from..].partition_point(|&u| inputs.unit(u).available_from <= day);
            seeker.seen = to;
            let pinned = seeker
                .pinned
                .take_if(|o| o.move_in <= day)
                .filter(|o| state.permanent_ok(o, persons).is_ok());
            // The household's own rules only for a dwelling free for it
            // now: its move-in day has come.
            let fits = |&u: &UnitId| {
                let free = Some(u) != seeker.locked
                    && seeker
                        .district
                        .is_none_or(|d| inputs.unit(u).district == Some(d))
                    && state.dwelling_ok(u, persons).is_ok();
                free.then(|| {
                    crate::rules::permanent_option_from(
                        inputs,
                        scenario,
                        travel,
                        h,
                        c.arrival,
                        inputs.unit(u),
                    )
                    .ok()
                    .filter(|o| o.move_in <= day)
                    .map(|o| PermanentHome {
                        unit: u,
                        from: o.move_in,
                    })
                })
                .flatten()
            };
            let batch = &list[from..to];
            let found = if batch.len() >= PARALLEL_FROM {
                // In order, in parallel: the first that fits, as sequentially.
                batch.par_iter().find_map_first(fits)
            } else {
                batch.iter().find_map(fits)
            };
            let pinned = pinned.map(|o| PermanentHome {
                unit: o.unit,
                from: o.move_in,
            });
            let key = |p: &PermanentHome| (inputs.unit(p.unit).available_from, p.unit);
            let chosen = match (found, pinned) {
                (Some(f), Some(p)) => Some(if key(&p) < key(&f) { p } else { f }),
                (found, pinned) => found.or(pinned),
            };
            if let Some(p) = chosen {
                state.take_permanent(p.unit, persons);
                picks[i] = Some(p);
                seekers[i] = None;
            }
        }
    }
    picks
}
