//! The officer's decisions from the command line, read into
//! [`crate::model::Decisions`] (the inputs are not changed):
//! `--pin HOUSEHOLD=DWELLING`, `--pin HOUSEHOLD=district:ID`, `--force
//! REASON` and `--previous DIR` (the earlier plan whose proposals a re-plan
//! keeps where it can, and whose moved-in households it treats as fixed).
//!
//! What a pin means to the rules lives in [`crate::candidates`]; this module
//! only resolves names to ids and reads the earlier plan.

use std::collections::HashMap;
use std::path::Path;

use crate::findings::closest;
use crate::ids::UnitId;
use crate::model::{Inputs, Pin, PinOrigin, PinTarget, PreviousPlan, PreviousStay, Proposal};
use crate::scenario::Scenario;

/// A problem with a `--pin` or `--previous` argument, in the officer's words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct DecisionError(pub String);

fn suggestion<'a>(word: &str, names: impl IntoIterator<Item = &'a str>) -> String {
    closest(word, names).map_or(String::new(), |c| format!(" (did you mean {c}?)"))
}

/// Households (by index) and units of the inputs, by their ids in the files.
fn by_name(inputs: &Inputs) -> (HashMap<&str, usize>, HashMap<&str, UnitId>) {
    let households = inputs
        .households
        .iter()
        .enumerate()
        .map(|(i, h)| (h.name.as_str(), i))
        .collect();
    let units = inputs
        .units
        .iter()
        .map(|u| (u.name.as_str(), u.id))
        .collect();
    (households, units)
}

/// Applies `--pin` arguments to the pins by household: each overrides the
/// household's earlier pin.
///
/// # Errors
/// Every malformed pin and every unknown household, dwelling or district,
/// one line each.
pub fn apply_pins(
    inputs: &Inputs,
    pins: &[String],
    decided: &mut [Option<Pin>],
) -> Result<(), DecisionError> {
    let (households, units) = by_name(inputs);
    let districts: HashMap<&str, _> = inputs
        .districts
        .iter()
        .map(|d| (d.label.as_str(), d.id))
        .collect();
    let mut problems = Vec::new();
    let mut resolved = Vec::new();
    for pin in pins {
        let Some((household, target)) = pin.split_once('=') else {
            problems.push(format!(
                "--pin {pin}: expected HOUSEHOLD=DWELLING or HOUSEHOLD=district:DISTRICT"
            ));
            continue;
        };
        let (household, target) = (household.trim(), target.trim());
        let Some(&h) = households.get(household) else {
            problems.push(format!(
                "--pin {pin}: no household {household} in the households file{}",
                suggestion(household, inputs.households.iter().map(|h| h.name.as_str()))
            ));
            continue;
        };
        if let Some(district) = target.strip_prefix("district:") {
            match districts.get(district) {
                Some(&d) => resolved.push((h, PinTarget::District(d))),
                None => problems.push(format!(
                    "--pin {pin}: no district {district} in the districts file{}",
                    suggestion(district, inputs.districts.iter().map(|d| d.label.as_str()))
                )),
            }
        } else {
            match units.get(target) {
                Some(&u) => resolved.push((h, PinTarget::Unit(u))),
                None => problems.push(format!(
                    "--pin {pin}: no dwelling {target} in the housing file{}",
                    suggestion(target, inputs.units.iter().map(|u| u.name.as_str()))
                )),
            }
        }
    }
    if !problems.is_empty() {
        return Err(DecisionError(problems.join("\n")));
    }
    for (h, target) in resolved {
        decided[h] = Some(Pin {
            target,
            origin: PinOrigin::CommandLine,
        });
    }
    Ok(())
}

/// Reads the permanent homes proposed by an earlier plan (`DIR/plan.csv`,
/// standard or Danish Excel dialect). A household that moved in before the
/// scenario's start is pinned to its home as a fact ([`PinOrigin::MovedIn`]);
/// one living in a temporary place on the start is pinned to that place
/// ([`PinOrigin::Resident`]).
///
/// # Errors
/// When `DIR/plan.csv` cannot be read or is not a plan.
pub fn read_previous(
    dir: &Path,
    inputs: &Inputs,
    scenario: &Scenario,
    decided: &mut [Option<Pin>],
) -> Result<PreviousPlan, DecisionError> {
    let rows = crate::output::plan_csv::read(&dir.join("plan.csv"))
        .map_err(|e| DecisionError(format!("--previous {}: {e}", dir.display())))?;
    let (households, units) = by_name(inputs);
    let mut previous = PreviousPlan {
        dir: dir.display().to_string(),
        proposals: vec![None; inputs.households.len()],
        dropped: Vec::new(),
        stays: vec![None; inputs.households.len()],
    };
    let mut moved_in = Vec::new();
    let mut residents = Vec::new();
    for row in rows {
        let Some(&h) = households.get(row.household_id.as_str()) else {
            previous.dropped.push(row.household_id);
            continue;
        };
        // In a temporary place on the new start, and not moved on before it.
        if let (Some(unit), Some(from), Some(to)) = (&row.temp_unit, row.temp_from, row.temp_to)
            && scenario.day(from) < 0
            && scenario.day(to) > 0
        {
            let id = units.get(unit.as_str()).copied();
            if let Some(u) = id {
                residents.push((h, u));
            }
            previous.stays[h] = Some(PreviousStay {
                unit: id,
                unit_name: unit.clone(),
                from: scenario.day(from),
            });
        }
        let (Some(unit), Some(date)) = (row.perm_unit, row.perm_from) else {
            continue;
        };
        let day = scenario.day(date);
        let id = units.get(unit.as_str()).copied();
        if day < 0
            && let Some(u) = id
        {
            moved_in.push((h, u));
        }
        previous.proposals[h] = Some(Proposal {
            unit: id,
            unit_name: unit,
            from: day,
        });
    }
    for (h, u) in residents {
        decided[h] = Some(Pin {
            target: PinTarget::Unit(u),
            origin: PinOrigin::Resident,
        });
    }
    for (h, u) in moved_in {
        decided[h] = Some(Pin {
            target: PinTarget::Unit(u),
            origin: PinOrigin::MovedIn,
        });
    }
    Ok(previous)
}
