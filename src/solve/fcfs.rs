//! The status quo as a strategy: a municipality's waiting list.
//!
//! Households queue in arrival order. Whenever a household arrives or a
//! dwelling falls vacant, the free dwellings go, in order of availability
//! (then id), to the longest-waiting household each fits — the first fitting
//! flat to whoever has waited longest. The same hard rules apply as for
//! every strategy; [`super::allocate`] then bridges the waits with temporary
//! places.

use std::collections::BTreeSet;

use super::{Order, Plan, State, Strategy, allocate};
use crate::candidates::Candidates;
use crate::ids::UnitId;
use crate::model::{Day, Inputs};
use crate::scenario::Scenario;

/// Plans the scenario as a first-come-first-served waiting list would.
#[must_use]
pub fn plan(inputs: &Inputs, scenario: &Scenario, candidates: &Candidates) -> Plan {
    let picks = picks(inputs, scenario, candidates);
    allocate(
        inputs,
        scenario,
        candidates,
        Some(&picks),
        Order::Arrival,
        Strategy::Fcfs,
    )
}

/// The dwelling each household gets from the waiting list, if any. A lawful
/// pin is honoured first, as an officer's decision.
#[must_use]
pub fn picks(inputs: &Inputs, scenario: &Scenario, candidates: &Candidates) -> Vec<Option<UnitId>> {
    let horizon = scenario.horizon_days;
    let mut state = State::new(inputs, scenario);
    let mut picks: Vec<Option<UnitId>> = vec![None; inputs.households.len()];
    for (i, c) in candidates.households.iter().enumerate() {
        if let Some((pin, Ok(()))) = c.pin
            && let Some(option) = c.permanent.iter().find(|o| o.unit == pin)
        {
            let persons = inputs.households[i].final_in(horizon).persons();
            if state.permanent_ok(option, persons).is_ok() {
                state.take_permanent(pin, persons);
                picks[i] = Some(pin);
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
    // Each household's options by move-in day, and how many of them it has
    // already seen. The state only fills up (nothing is released here), so
    // an option seen on an earlier day that was not taken then never fits
    // later: each day only the options that became possible since are tried.
    // (Indices into the household's options, freed once it has a home.)
    let mut by_move_in: Vec<Vec<u32>> = vec![Vec::new(); inputs.households.len()];
    for &i in &queue {
        let permanent = &candidates.households[i].permanent;
        let options = &mut by_move_in[i];
        options.extend(0..crate::ids::to_u32(permanent.len()));
        options.sort_by_key(|&k| {
            let o = &permanent[k as usize];
            (o.move_in, o.unit)
        });
    }
    let mut seen = vec![0usize; inputs.households.len()];
    for day in events {
        for &i in &queue {
            let c = &candidates.households[i];
            if picks[i].is_some() || c.arrival > day {
                continue;
            }
            let persons = inputs.households[i].final_in(horizon).persons();
            let option = |k: u32| &c.permanent[k as usize];
            let options = &by_move_in[i];
            let from = seen[i];
            let to = from + options[from..].partition_point(|&k| option(k).move_in <= day);
            seen[i] = to;
            // The first fitting flat: by availability, then id.
            if let Some(o) = options[from..to]
                .iter()
                .map(|&k| option(k))
                .filter(|o| state.permanent_ok(o, persons).is_ok())
                .min_by_key(|o| (inputs.unit(o.unit).available_from, o.unit))
            {
                state.take_permanent(o.unit, persons);
                picks[i] = Some(o.unit);
                by_move_in[i] = Vec::new();
            }
        }
    }
    picks
}
