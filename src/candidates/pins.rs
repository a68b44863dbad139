//! What a pin means to the static rules: a pin to a unit is checked
//! against the whole list of rules (a forced pin records the rules it
//! breaks), a partial pin keeps only its district's dwellings, and pins that
//! cannot all hold together (one dwelling, a cap) are refused in input
//! order.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::ids::{DistrictId, UnitId};
use crate::model::{Decisions, Household, Inputs, PinOrigin, Tenure};
use crate::rules::occupancy::{Home, Occupancy};
use crate::rules::{self, ALL_LAYERS, Reason, Subject, TemporaryOption, cost};
use crate::scenario::Scenario;
use crate::travel::TravelTimes;

use super::{HouseholdCandidates, site_order};

/// Pins must hold together: two pins to one dwelling, or pins that together
/// break a district or building cap, cannot all be honoured. In input order,
/// each lawful pin to a dwelling is kept if it fits next to the pins kept
/// before it, and refused with the rule it would break otherwise.
pub(super) fn refuse_conflicting_pins(
    inputs: &Inputs,
    scenario: &Scenario,
    decisions: &Decisions,
    households: &mut [HouseholdCandidates],
) {
    let horizon = scenario.horizon_days;
    let mut kept = Occupancy::of_inputs(inputs, scenario);
    for (h, c) in inputs.households.iter().zip(households.iter_mut()) {
        if c.arrival >= horizon {
            continue;
        }
        let p = h.final_in(horizon).persons();
        let fits_with_kept = |unit: UnitId| kept.fits(Home::of(inputs, unit), p);
        let chosen = match (c.pin, c.pin_district) {
            (Some((pin, Ok(()))), _) if inputs.unit(pin).tenure == Tenure::Permanent => {
                let verdict = fits_with_kept(pin);
                c.pin = Some((pin, verdict));
                verdict.ok().map(|()| pin)
            }
            (None, Some((d, Ok(())))) => {
                // The planner picks the dwelling: the cheapest pair in the
                // model's terms among those that fit next to the kept pins.
                let mut options: Vec<(f64, UnitId)> = c
                    .permanent
                    .iter()
                    .map(|o| (cost::pair_cost(inputs, scenario, decisions, h, o), o.unit))
                    .collect();
                options.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                let mut refusals: BTreeMap<Reason, u32> = BTreeMap::new();
                let mut found = None;
                for (_, unit) in options {
                    match fits_with_kept(unit) {
                        Ok(()) => {
                            found = Some(unit);
                            break;
                        }
                        Err(r) => *refusals.entry(r).or_default() += 1,
                    }
                }
                match found {
                    Some(unit) => c.pin = Some((unit, Ok(()))),
                    None => {
                        let reason = refusals
                            .iter()
                            .max_by_key(|(r, n)| (**n, std::cmp::Reverse(**r)))
                            .map_or(Reason::Taken, |(r, _)| *r);
                        c.pin_district = Some((d, Err(reason)));
                    }
                }
                found
            }
            _ => None,
        };
        if let Some(pin) = chosen {
            kept.add(Home::of(inputs, pin), p);
        }
    }
}

/// The verdict on a pin to one unit; a forced pin that breaks only
/// forceable rules becomes a candidate with those rules recorded.
pub(super) fn pin_unit(
    (inputs, scenario, travel, decisions): (&Inputs, &Scenario, &TravelTimes, &Decisions),
    h: &Household,
    (pin, origin): (UnitId, PinOrigin),
    out: &mut HouseholdCandidates,
) {
    let u = inputs.unit(pin);
    let moved_in = origin == PinOrigin::MovedIn;
    out.resident = origin == PinOrigin::Resident;
    let lawful = Subject::new(inputs, scenario, travel, h, out.arrival, u);
    let verdict = match rules::lawful_day(rules::rules_of(u.tenure), &ALL_LAYERS, &lawful) {
        Err((_, r)) => Err(r),
        Ok(_) => Ok(()),
    };
    let may_force = moved_in || decisions.force.is_some();
    let verdict = match verdict {
        Err(_) if may_force => {
            let forced = Subject { moved_in, ..lawful }.on_move_in_day();
            let broken = rules::broken_rules(&forced);
            let lawful_otherwise = broken.iter().all(|r| r.forceable() || moved_in);
            if lawful_otherwise {
                match u.tenure {
                    Tenure::Permanent => {
                        let option = rules::permanent_option(&forced);
                        if !out.permanent.iter().any(|o| o.unit == pin) {
                            out.permanent.push(option);
                        }
                    }
                    Tenure::Temporary => {
                        // (A site given up before arrival may be on the
                        // shared list already, in its place.)
                        if !out.temporary.iter().any(|o| o.unit == pin) {
                            let sites = Arc::make_mut(&mut out.temporary);
                            sites.push(rules::temporary_option(&forced));
                            sites.sort_by(|a, b| {
                                let key = |o: &TemporaryOption| {
                                    site_order(inputs, scenario, o.unit, o.travel_min)
                                };
                                key(a)
                                    .partial_cmp(&key(b))
                                    .expect("travel minutes are finite")
                            });
                        }
                        out.temporary_lawful += 1;
                    }
                }
                out.forced = broken;
                Ok(())
            } else {
                Err(*broken
                    .iter()
                    .find(|r| !r.forceable())
                    .expect("a rule that is not forceable"))
            }
        }
        other => other,
    };
    out.pin = Some((pin, verdict));
}

/// A partial pin: only the district's dwellings stay candidates.
pub(super) fn pin_district(
    inputs: &Inputs,
    scenario: &Scenario,
    travel: &TravelTimes,
    h: &Household,
    d: DistrictId,
    out: &mut HouseholdCandidates,
) {
    let before = out.permanent.len();
    out.permanent
        .retain(|o| inputs.unit(o.unit).district == Some(d));
    let excluded = u32::try_from(before - out.permanent.len()).unwrap_or(u32::MAX);
    if excluded > 0 {
        *out.permanent_excluded.entry(Reason::Pin).or_default() += excluded;
    }
    let verdict = if out.permanent.is_empty() {
        // The rule that excluded most of the district's dwellings.
        let mut counts: BTreeMap<Reason, u32> = BTreeMap::new();
        for u in inputs
            .units
            .iter()
            .filter(|u| u.tenure == Tenure::Permanent && u.district == Some(d))
        {
            if let Err(r) =
                rules::permanent_option_from(inputs, scenario, travel, h, out.arrival, u)
            {
                *counts.entry(r).or_default() += 1;
            }
        }
        Err(counts
            .iter()
            .max_by_key(|(r, n)| (**n, std::cmp::Reverse(**r)))
            .map_or(Reason::Availability, |(r, _)| *r))
    } else {
        Ok(())
    };
    out.pin_district = Some((d, verdict));
}
