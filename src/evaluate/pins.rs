//! After planning, what became of the officer's decisions: the `pin` and
//! `previous` cells of each plan row, `summary.pins` (forced pins) and
//! `summary.replanning` (each proposal of the earlier plan that changed,
//! with the rule, the taker, the cap or the trade-off behind it).

use crate::model::{Decisions, Inputs, PinOrigin};
use crate::rules::occupancy::{Home, Occupancy};
use crate::scenario::Scenario;

/// A pin honoured against a rule (`--force`, or moved in already).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq)]
pub struct ForcedPin {
    pub household: String,
    pub unit: String,
    /// The codes of the rules the pin breaks.
    pub rules: Vec<String>,
    pub reason: String,
}

/// What became of the pins, for `summary.json`.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, PartialEq)]
pub struct PinReport {
    /// Households with a pin (file, command line or moved in).
    pub pinned: u32,
    pub followed: u32,
    pub not_followed: u32,
    pub forced: Vec<ForcedPin>,
}

/// One earlier proposal the new plan does not keep.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq)]
pub struct Change {
    pub household: String,
    pub before: String,
    /// The new permanent home, if any.
    pub after: Option<String>,
    /// The code of the rule or trade-off behind the change.
    pub reason_code: String,
    pub why: String,
}

/// A household that lived in a temporary place on the start and is moved
/// by the new plan: only when the place closes or is full.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq)]
pub struct SiteMove {
    pub household: String,
    pub before: String,
    /// The new temporary place, if any (none: it moves into its permanent
    /// home on the start, or has no roof).
    pub after: Option<String>,
    pub reason_code: String,
    pub why: String,
}

/// How a re-plan relates to the earlier plan (`--previous`).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq)]
pub struct Replanning {
    pub previous: String,
    /// Households of this scenario with an earlier permanent proposal.
    pub earlier_proposals: u32,
    pub kept: u32,
    pub changed: Vec<Change>,
    /// Households of the earlier plan no longer in the households file.
    pub households_gone: Vec<String>,
    /// Households living in a temporary place on the start: how many stay
    /// there until they move on, and each that the plan moves, with why.
    #[serde(default)]
    pub residents: u32,
    #[serde(default)]
    pub residents_moved: Vec<SiteMove>,
}

/// The `pin` and `previous` cells of one household in `plan.csv`.
pub type Cells = (Option<String>, Option<String>);

/// The `pin` and `previous` cells of each household, the pin report and,
/// when re-planning, the changes to earlier proposals with their reasons.
#[must_use]
pub fn report(
    inputs: &Inputs,
    scenario: &Scenario,
    travel: &crate::travel::TravelTimes,
    candidates: &crate::candidates::Candidates,
    decisions: &Decisions,
    plan: &crate::solve::Plan,
) -> (Vec<Cells>, PinReport, Option<Replanning>) {
    use crate::rules::{Reason, static_verdict};
    let horizon = scenario.horizon_days;
    let mut pins = PinReport::default();
    let mut cells = Vec::with_capacity(plan.placements.len());
    // Who holds each dwelling in the new plan, and what it uses of the caps.
    let mut holder = vec![None; inputs.units.len()];
    let mut occupancy = Occupancy::of_inputs(inputs, scenario);
    for p in &plan.placements {
        if let Some(home) = p.permanent {
            holder[home.unit.index()] = Some(p.household);
            let persons = inputs.households[p.household.index()]
                .final_in(horizon)
                .persons();
            occupancy.add(Home::of(inputs, home.unit), persons);
        }
    }
    let mut replanning = decisions.previous.as_ref().map(|prev| Replanning {
        previous: prev.dir.clone(),
        earlier_proposals: 0,
        kept: 0,
        changed: Vec::new(),
        households_gone: prev.dropped.clone(),
        residents: 0,
        residents_moved: Vec::new(),
    });
    for (h, p) in inputs.households.iter().zip(&plan.placements) {
        let c = candidates.of(h.id);
        let home = p.permanent.map(|home| home.unit);
        let temp = p.temporary.map(|t| t.unit);
        let resident = decisions
            .pin(h.id)
            .is_some_and(|p| p.origin == PinOrigin::Resident);
        let pin_cell = match (c.pin, c.pin_district) {
            (None, None) => None,
            // Living in a temporary place is a fact, not the officer's pin:
            // a move is in `replanning.residents_moved`.
            (Some((u, _)), _) if resident => Some(if temp == Some(u) {
                format!("stays in {}", inputs.unit(u).name)
            } else {
                format!("moves out of {}", inputs.unit(u).name)
            }),
            (pin, district) => {
                pins.pinned += 1;
                let followed = match (pin, district) {
                    (Some((u, Ok(()))), _) => home == Some(u) || temp == Some(u),
                    _ => false,
                };
                if followed {
                    pins.followed += 1;
                } else {
                    pins.not_followed += 1;
                }
                let unit = pin.map(|(u, _)| u);
                Some(if followed && !c.forced.is_empty() {
                    let moved_in = decisions
                        .pin(h.id)
                        .is_some_and(|p| p.origin == PinOrigin::MovedIn);
                    let reason = if moved_in {
                        "moved in before the plan's start (--previous)".to_string()
                    } else {
                        decisions.force.clone().unwrap_or_default()
                    };
                    let rules: Vec<String> =
                        c.forced.iter().map(|r| r.code().to_string()).collect();
                    pins.forced.push(ForcedPin {
                        household: h.name.clone(),
                        unit: unit
                            .map(|u| inputs.unit(u).name.clone())
                            .unwrap_or_default(),
                        rules: rules.clone(),
                        reason: reason.clone(),
                    });
                    format!("forced ({}): {reason}", rules.join(", "))
                } else if followed {
                    "followed".to_string()
                } else {
                    "not followed".to_string()
                })
            }
        };
        if let (Some(r), Some(prev)) = (replanning.as_mut(), decisions.previous.as_ref())
            && let Some(stay) = &prev.stays[h.id.index()]
            && p.permanent.is_none_or(|home| home.from > 0)
        {
            r.residents += 1;
            if stay.unit.is_none() || stay.unit != temp {
                let (code, why) = match (stay.unit, c.pin) {
                    (None, _) => (
                        "withdrawn",
                        format!("{} is no longer in the housing file", stay.unit_name),
                    ),
                    (Some(u), Some((pin, Err(rule)))) if pin == u => {
                        (rule.code(), rule.words().to_string())
                    }
                    (Some(u), _) => {
                        let site = inputs.unit(u);
                        let closes = site.available_until.is_some_and(|until| {
                            p.permanent.map_or(horizon, |home| home.from) - 1 > until
                        });
                        if closes {
                            (
                                Reason::Availability.code(),
                                format!(
                                    "{} closes on {}",
                                    site.name,
                                    scenario.date(site.available_until.unwrap_or_default())
                                ),
                            )
                        } else {
                            (
                                Reason::Capacity.code(),
                                format!("{} has no room for the whole wait", site.name),
                            )
                        }
                    }
                };
                r.residents_moved.push(SiteMove {
                    household: h.name.clone(),
                    before: stay.unit_name.clone(),
                    after: temp.map(|t| inputs.unit(t).name.clone()),
                    reason_code: code.to_string(),
                    why,
                });
            }
        }
        let mut previous_cell = None;
        if let (Some(r), Some(prev)) = (replanning.as_mut(), decisions.previous.as_ref())
            && let Some(proposal) = &prev.proposals[h.id.index()]
        {
            r.earlier_proposals += 1;
            if proposal.unit.is_some() && proposal.unit == home {
                r.kept += 1;
                previous_cell = Some("kept".to_string());
            } else {
                // The officer's own pin, followed, moved it.
                let officer = decisions
                    .pin(h.id)
                    .is_some_and(|p| matches!(p.origin, PinOrigin::CommandLine | PinOrigin::File));
                let pinned_here = match (c.pin, c.pin_district) {
                    (Some((u, Ok(()))), _) => home == Some(u),
                    (_, Some((d, Ok(())))) => {
                        home.is_some_and(|u| inputs.unit(u).district == Some(d))
                    }
                    _ => false,
                };
                let (code, why) = match proposal.unit {
                    _ if officer && pinned_here => {
                        (Reason::Pin.code(), "the officer's pin".to_string())
                    }
                    None => (
                        "withdrawn",
                        format!(
                            "dwelling {} is no longer in the housing file",
                            proposal.unit_name
                        ),
                    ),
                    Some(u) => {
                        let unit = inputs.unit(u);
                        match static_verdict(inputs, scenario, travel, h, c.arrival, unit) {
                            Err(reason) => (reason.code(), reason.words().to_string()),
                            Ok(()) => match occupancy
                                .fits(Home::of(inputs, u), h.final_in(horizon).persons())
                            {
                                Err(Reason::Taken) => {
                                    let other = holder[u.index()].expect("a taken dwelling");
                                    let other = &inputs.households[other.index()];
                                    let pinned = candidates
                                        .of(other.id)
                                        .pin
                                        .is_some_and(|(p, v)| p == u && v.is_ok());
                                    let why = if pinned {
                                        format!("gave way to the pin of {}", other.name)
                                    } else {
                                        format!("given to {}", other.name)
                                    };
                                    (Reason::Taken.code(), why)
                                }
                                Err(cap) => (cap.code(), cap.words().to_string()),
                                Ok(()) => (
                                    Reason::TradeOff.code(),
                                    format!(
                                        "free, but the new plan is better by more than the cost of a change ({} in the objective)",
                                        scenario.weights.changed_proposal
                                    ),
                                ),
                            },
                        }
                    }
                };
                r.changed.push(Change {
                    household: h.name.clone(),
                    before: proposal.unit_name.clone(),
                    after: home.map(|u| inputs.unit(u).name.clone()),
                    reason_code: code.to_string(),
                    why: why.clone(),
                });
                previous_cell = Some(format!("changed from {}: {why}", proposal.unit_name));
            }
        } else if replanning.is_some() && home.is_some() {
            previous_cell = Some("new".to_string());
        }
        cells.push((pin_cell, previous_cell));
    }
    (cells, pins, replanning)
}
