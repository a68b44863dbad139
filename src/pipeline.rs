//! The stages glued together: scenario → plan → figures. No file I/O here;
//! `load` and `export` are called by the binary around it.

use std::time::{Duration, Instant};

use crate::candidates;
use crate::evaluate::{self, HouseholdRow, Quality, Summary};
use crate::milp;
use crate::model::Inputs;
use crate::scenario::Scenario;
use crate::solve::{self, Order, Plan, Strategy, optimise};
use crate::travel::TravelTimes;

/// How to plan.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub strategy: Strategy,
    /// Stop the optimising engine after this long, with the best plan so far.
    pub time_limit: Option<Duration>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            strategy: Strategy::Optimise,
            time_limit: None,
        }
    }
}

/// A finished plan with its figures.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub plan: Plan,
    pub rows: Vec<HouseholdRow>,
    pub summary: Summary,
    /// The optimising engine's work counters (strategy `optimise` only).
    pub work: Option<optimise::Work>,
}

/// Broken internal invariant: a bug, never an input problem.
#[derive(Debug, thiserror::Error)]
#[error("internal error: {0}")]
pub struct InvariantError(String);

/// Plans validated inputs and checks the plan's invariants.
///
/// # Errors
/// When a household is missing from the plan or appears twice (a bug).
pub fn plan(
    inputs: &Inputs,
    scenario: &Scenario,
    options: &Options,
    progress: &mut dyn FnMut(&optimise::Progress),
) -> Result<Outcome, InvariantError> {
    let started = Instant::now();
    let travel = TravelTimes::build(inputs, inputs.network.as_ref(), &scenario.travel);
    let candidates = candidates::build(inputs, scenario, &travel);
    let model = milp::build(inputs, scenario, &candidates);
    let districts = inputs.districts.len();
    let mut work = None;
    let (plan, bound, iterations) = match options.strategy {
        Strategy::Greedy => (solve::greedy(inputs, scenario, &candidates), None, 0),
        Strategy::Fcfs => (solve::fcfs::plan(inputs, scenario, &candidates), None, 0),
        Strategy::Optimise => {
            let greedy = solve::greedy(inputs, scenario, &candidates);
            let start = chosen_pairs(&model, &greedy);
            let budget = optimise::Budget {
                deadline: options.time_limit.map(|t| started + t),
                ..optimise::Budget::default()
            };
            let solution = optimise::solve(&model, districts, &start, &budget, progress);
            work = Some(solution.work);
            let picks: Vec<_> = solution
                .chosen
                .iter()
                .map(|j| j.map(|j| model.pairs[j].unit))
                .collect();
            let plan = solve::allocate(
                inputs,
                scenario,
                &candidates,
                Some(&picks),
                Order::Priority,
                Strategy::Optimise,
            );
            (plan, Some(solution.bound), solution.iterations)
        }
    };
    let final_pairs: Vec<usize> = chosen_pairs(&model, &plan).into_iter().flatten().collect();
    let objective = model.objective(&final_pairs, districts);
    let seconds = started.elapsed().as_secs_f64();
    let rows = evaluate::rows(inputs, scenario, &travel, &plan);
    check_every_household_once(inputs, &rows)?;
    let quality = Quality {
        objective,
        bound,
        iterations,
        solve_seconds: seconds,
    };
    let summary = evaluate::summarise(inputs, scenario, &plan, &rows, travel.method(), quality);
    Ok(Outcome {
        plan,
        rows,
        summary,
        work,
    })
}

/// The model's pair for each household's permanent home in a plan.
#[must_use]
pub fn chosen_pairs(model: &milp::Model, plan: &Plan) -> Vec<Option<usize>> {
    plan.placements
        .iter()
        .map(|p| {
            p.permanent.map(|home| {
                model
                    .pair_of(p.household, home.unit)
                    .expect("every permanent home is a candidate pair")
            })
        })
        .collect()
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
