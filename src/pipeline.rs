//! The stages glued together: scenario → plan → figures. No file I/O here;
//! `load` and `export` are called by the binary around it.

use std::time::Instant;

use crate::candidates;
use crate::evaluate::{self, HouseholdRow, Summary};
use crate::model::Inputs;
use crate::scenario::Scenario;
use crate::solve::{self, Plan};

/// A finished plan with its figures.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub plan: Plan,
    pub rows: Vec<HouseholdRow>,
    pub summary: Summary,
}

/// Broken internal invariant: a bug, never an input problem.
#[derive(Debug, thiserror::Error)]
#[error("internal error: {0}")]
pub struct InvariantError(String);

/// Plans validated inputs and checks the plan's invariants.
///
/// # Errors
/// When a household is missing from the plan or appears twice (a bug).
pub fn plan(inputs: &Inputs, scenario: &Scenario) -> Result<Outcome, InvariantError> {
    let started = Instant::now();
    let candidates = candidates::build(inputs, scenario);
    let plan = solve::greedy(inputs, scenario, &candidates);
    let seconds = started.elapsed().as_secs_f64();
    let rows = evaluate::rows(inputs, scenario, &plan);
    check_every_household_once(inputs, &rows)?;
    let summary = evaluate::summarise(inputs, scenario, &plan, &rows, seconds);
    Ok(Outcome {
        plan,
        rows,
        summary,
    })
}

/// Invariant: every input household appears exactly once, in input order.
fn check_every_household_once(
    inputs: &Inputs,
    rows: &[HouseholdRow],
) -> Result<(), InvariantError> {
    if rows.len() != inputs.households.len() {
        return Err(InvariantError(format!(
            "the plan has {} rows for {} households",
            rows.len(),
            inputs.households.len()
        )));
    }
    for (h, row) in inputs.households.iter().zip(rows) {
        if h.name != row.household_id {
            return Err(InvariantError(format!(
                "household {} is missing from the plan or out of order (found {})",
                h.name, row.household_id
            )));
        }
    }
    Ok(())
}
