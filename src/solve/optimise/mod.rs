//! The optimising engine: Lagrangian relaxation of the model in
//! [`crate::milp`], with a primal heuristic, giving a plan, a proven lower
//! bound and the gap between them.
//!
//! The district caps, building caps and spread levels are moved into the
//! objective with multipliers (λ, β, and μ at most the level's weight). What
//! remains is an assignment problem — each household at most one dwelling,
//! each dwelling at most one household — solved exactly by
//! [`super::assignment`]; its value is a lower bound on the optimum for any
//! multipliers (weak duality). Subgradient steps (Polyak's rule towards the
//! best plan found) raise the bound. After each step the assignment is
//! repaired into a lawful plan (drop what breaks a cap, refill greedily, local
//! search); the best one is kept. The assignment polytope is integral, so the
//! best reachable bound is the LP relaxation's.
//!
//! The assignment is solved on a core of each household's cheapest pairs
//! and priced over all pairs ([`Core`]), so a step costs a small assignment
//! plus a linear scan. The steps stop at an acceptable gap once a
//! deterministic amount of work is done ([`Budget`]): large instances stop
//! early, small ones keep closing the gap towards a proof. On small models a
//! best-first branch and bound ([`Search`]) then proves optimality:
//! multipliers re-optimised at each node, reduced-cost fixing against the
//! incumbent, branching on a household's district or building.
//!
//! This file is the driver: [`solve`] runs the steps, repairs each step's
//! answer beside the next one (`rayon::join`, one step behind, so the run
//! is deterministic), then the search; `multipliers` prices, `subproblem`
//! solves the assignment, `repair` makes plans lawful, `usage` counts
//! what a plan uses of the caps, `search` is the branch and bound.
//!
//! Invariants: the plan returned is lawful (the start's improvement or an
//! `Incumbent`, which only a lawful plan better by more than 1e-9
//! replaces); the bound returned is a valid lower bound, at most the
//! objective; the clock is read only through `Budget::deadline`, so without
//! one the answer depends on nothing but the model, the start and the budget.

#[cfg(test)]
mod fixtures;
mod multipliers;
mod repair;
mod search;
mod subproblem;
mod usage;

use std::cmp::Ordering;
use std::time::Instant;

use crate::milp::Model;

use multipliers::{Levels, Multipliers, NO_SHIFT, polyak_target};
use repair::{improve, lawful_plan, objective_of, pairs_by_cost};
use search::Search;
use subproblem::{Core, pinned_units};

/// When the engine must stop.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    /// Stop at this moment (`--time-limit`).
    pub deadline: Option<Instant>,
    /// Stop after this many subgradient steps.
    pub max_iterations: usize,
    /// Stop when the relative gap is at most this.
    pub target_gap: f64,
    /// Nodes the branch and bound may visit after the subgradient phase.
    pub max_nodes: usize,
    /// Nodes × pairs the branch and bound may spend (its work budget).
    pub search_work: usize,
    /// Fewest nodes that budget must allow for the search to run at all.
    pub min_nodes: usize,
    /// A gap good enough to stop at once the subgradient steps have done
    /// `work`; below that amount of work the engine keeps closing the gap
    /// (small instances: towards a proof of optimality).
    pub acceptable_gap: f64,
    /// Pairs priced by the subgradient steps (a deterministic work counter,
    /// about proportional to time) before an acceptable gap ends them.
    pub work: usize,
    /// Pairs per household in the assignment's core (see [`Core`]).
    pub core_size: usize,
    /// Rounds of the local search after each step's repair.
    pub improve_rounds: usize,
}

/// The gap, in percent, at which the steps stop by default (`plan --gap`).
pub const DEFAULT_GAP_PERCENT: f64 = 0.75;

impl Default for Budget {
    fn default() -> Self {
        Self {
            deadline: None,
            max_iterations: 500,
            target_gap: 1e-9,
            max_nodes: 100_000,
            search_work: 4_000_000,
            min_nodes: 16,
            acceptable_gap: DEFAULT_GAP_PERCENT / 100.0,
            work: 20_000_000,
            core_size: 8,
            improve_rounds: 5,
        }
    }
}

/// The engine's answer: the chosen pair per household, the plan's objective
/// and the best lower bound.
#[derive(Debug, Clone)]
pub struct Solution {
    pub chosen: Vec<Option<usize>>,
    pub objective: f64,
    pub bound: f64,
    pub iterations: usize,
    pub work: Work,
}

/// Deterministic work counters of a solve, for benchmarks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Work {
    /// Assignment problems solved on a core.
    pub assignments: usize,
    /// Rows scanned by their shortest-path searches.
    pub rows_scanned: usize,
    /// Pairs priced against the cores' prices.
    pub pairs_priced: usize,
    /// Branch-and-bound nodes.
    pub nodes: usize,
}

/// Where the engine is, for a progress display.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    pub iteration: usize,
    pub max_iterations: usize,
    pub objective: f64,
    pub bound: f64,
}

/// Relative gap between an objective and a lower bound.
#[must_use]
pub fn relative_gap(objective: f64, bound: f64) -> f64 {
    ((objective - bound) / objective.abs().max(1.0)).max(0.0)
}

/// Solves the model; `start` is a lawful choice to improve on (e.g. the
/// greedy plan's).
#[must_use]
pub fn solve(
    model: &Model,
    districts: usize,
    start: &[Option<usize>],
    budget: &Budget,
    progress: &mut dyn FnMut(&Progress),
) -> Solution {
    let households = model.by_household.len();
    let mut best = start.to_vec();
    let by_cost = pairs_by_cost(model);
    improve(model, districts, &by_cost, 20, &mut best);
    let mut incumbent = Incumbent {
        value: objective_of(model, districts, &best),
        plan: best,
    };
    let mut lower = f64::NEG_INFINITY;
    // Each search node solves an assignment over the open pairs: scale the
    // node budget so that the search costs about as much whatever the size.
    // A search of a few nodes cannot close a gap on a large model, only
    // spend a full assignment per node: it runs only with `min_nodes` or
    // more. Where it runs, the engine relaxes the tighter spread levels
    // (see [`Levels`]) from the start; elsewhere the model's own.
    let max_nodes = budget
        .max_nodes
        .min(budget.search_work / model.pairs.len().max(1));
    let searches = max_nodes >= budget.min_nodes.max(1);
    let levels = Levels::new(model, districts, searches);
    let mut m = Multipliers::zero(model, districts, &levels);
    // The multipliers of the best bound, where the search starts.
    let mut best_multipliers = m.clone();
    // Pinned households and their dwellings are fixed outside the assignment.
    let pinned_unit = pinned_units(model);
    let free_rows: Vec<usize> = (0..households)
        .filter(|&h| model.fixed[h].is_none())
        .collect();
    let mut theta = 2.0;
    let mut since_improvement = 0;
    let mut iterations = 0;
    let mut reduced = vec![0.0; model.pairs.len()];
    // The last step's answer and reduced costs, repaired into a lawful plan
    // while the next step's assignment is solved (two threads; the step
    // length then uses the incumbent of one step before, deterministically).
    let mut pending: Option<Vec<Option<usize>>> = None;
    let mut pending_reduced = vec![0.0; model.pairs.len()];
    let lawful = |choice: &[Option<usize>], reduced: &[f64]| {
        lawful_plan(
            model,
            districts,
            &by_cost,
            budget.improve_rounds,
            choice,
            reduced,
        )
    };
    let mut core = Core::new(model, budget.core_size, 1);
    while iterations < budget.max_iterations {
        iterations += 1;
        m.reduced_costs(model, &levels, &mut reduced);
        // The assignment subproblem over the households that are not pinned.
        let (answer, repaired) = rayon::join(
            || core.solve(model, &free_rows, &pinned_unit, &reduced),
            || {
                pending
                    .as_deref()
                    .map(|choice| lawful(choice, &pending_reduced))
            },
        );
        if let Some((candidate, v)) = repaired {
            incumbent.offer(v, &candidate);
        }
        let choice = answer.plan(model, &free_rows);
        let value = m.lagrangian_bound(model, &levels, &reduced, answer.bound, &NO_SHIFT);
        if value > lower + tolerance(value) {
            lower = value;
            best_multipliers.clone_from(&m);
            since_improvement = 0;
        } else {
            since_improvement += 1;
        }
        std::mem::swap(&mut reduced, &mut pending_reduced);
        pending = Some(choice.clone());
        let upper = incumbent.value;
        progress(&Progress {
            iteration: iterations,
            max_iterations: budget.max_iterations,
            objective: upper,
            bound: lower,
        });
        let gap = relative_gap(upper, lower);
        let enough = gap <= budget.acceptable_gap && core.priced >= budget.work;
        if gap <= budget.target_gap || enough || past(budget.deadline) {
            break;
        }
        if since_improvement >= 20 {
            theta /= 2.0;
            since_improvement = 0;
            if theta < 1e-4 {
                break;
            }
        }
        // Subgradients of the relaxed constraints at the subproblem's answer.
        if !m.step(model, &levels, &choice, polyak_target(theta, upper, lower)) {
            // No multiplier can move: the bound cannot rise further.
            break;
        }
    }
    // The last step's answer, not yet repaired.
    if let Some(choice) = &pending {
        let (candidate, v) = lawful(choice, &pending_reduced);
        incumbent.offer(v, &candidate);
    }
    // Close the gap by branch and bound on the best multipliers, within a
    // node budget (deterministic, unlike a time limit).
    let mut work = Work {
        assignments: core.solves,
        rows_scanned: core.rows_scanned,
        pairs_priced: core.priced,
        nodes: 0,
    };
    if relative_gap(incumbent.value, lower) > budget.target_gap
        && !past(budget.deadline)
        && searches
    {
        let mut search = Search::new(
            model,
            districts,
            &levels,
            &by_cost,
            incumbent.clone(),
            max_nodes,
            budget,
        );
        search.run(lower, &best_multipliers);
        work.nodes = search.nodes;
        work.assignments += search.core.solves;
        work.rows_scanned += search.core.rows_scanned;
        work.pairs_priced += search.core.priced;
        if search.incumbent.value < incumbent.value {
            incumbent = search.incumbent;
        }
        // The least bound of the subtrees still open (every other was
        // explored or pruned against the incumbent); the incumbent when none is.
        lower = lower.max(search.lower.min(incumbent.value));
    }
    Solution {
        objective: incumbent.value,
        bound: lower.min(incumbent.value),
        chosen: incumbent.plan,
        iterations,
        work,
    }
}

/// The best lawful plan found so far and its objective.
#[derive(Clone)]
struct Incumbent {
    value: f64,
    plan: Vec<Option<usize>>,
}

impl Incumbent {
    /// Takes `plan` (of objective `value`) if it is better by more than
    /// 1e-9; says whether it did.
    fn offer(&mut self, value: f64, plan: &[Option<usize>]) -> bool {
        if value < self.value - 1e-9 {
            self.value = value;
            self.plan.clear();
            self.plan.extend_from_slice(plan);
            true
        } else {
            false
        }
    }
}

/// The relative tolerance of comparisons with `x`: 1e-9 × max(1, |x|).
fn tolerance(x: f64) -> f64 {
    1e-9 * x.abs().max(1.0)
}

/// Whether the time limit, if any, has passed.
fn past(deadline: Option<Instant>) -> bool {
    deadline.is_some_and(|d| Instant::now() >= d)
}

/// Pairs in order of their reduced cost, ties by index (deterministic).
fn by_reduced(reduced: &[f64]) -> impl Fn(&usize, &usize) -> Ordering + '_ {
    |&a, &b| reduced[a].total_cmp(&reduced[b]).then(a.cmp(&b))
}

#[cfg(test)]
mod tests {
    use super::fixtures;
    use super::*;

    #[test]
    #[allow(clippy::float_cmp)] // exact: small integers and halves
    fn the_gap_is_relative_to_the_objective_and_never_negative() {
        assert_eq!(relative_gap(200.0, 150.0), 0.25);
        assert_eq!(relative_gap(-200.0, -250.0), 0.25);
        assert_eq!(relative_gap(0.5, 0.0), 0.5);
        assert_eq!(relative_gap(100.0, 101.0), 0.0);
    }

    #[test]
    fn the_incumbent_changes_only_for_a_better_plan() {
        let mut incumbent = Incumbent {
            value: 10.0,
            plan: vec![None],
        };
        assert!(!incumbent.offer(10.0 - 1e-10, &[Some(1)]));
        assert!(!incumbent.offer(11.0, &[Some(2)]));
        assert_eq!(incumbent.plan, vec![None]);
        assert!(incumbent.offer(9.0, &[Some(3)]));
        assert_eq!(
            (incumbent.value, incumbent.plan.clone()),
            (9.0, vec![Some(3)])
        );
    }

    #[test]
    fn pairs_go_by_reduced_cost_ties_by_index() {
        let reduced = [3.0, -1.0, 3.0, -2.0];
        let mut order = vec![2, 0, 3, 1];
        order.sort_by(by_reduced(&reduced));
        assert_eq!(order, vec![3, 1, 0, 2]);
    }

    #[test]
    fn solve_returns_the_optimum_with_its_proof() {
        for seed in 1..=15 {
            let mut model = fixtures::random_model(seed);
            if seed % 5 == 0 {
                model.fixed[0] = Some(model.by_household[0].start);
            }
            let Some((optimum, _)) = fixtures::optimum(&model, &|_| true) else {
                continue;
            };
            let start = model.fixed.clone();
            let mut steps = 0;
            let solution = solve(&model, 2, &start, &Budget::default(), &mut |p| {
                assert!(p.bound <= optimum + 1e-6 && p.objective >= optimum - 1e-6);
                steps += 1;
            });
            assert!(fixtures::lawful(&model, &solution.chosen), "seed {seed}");
            let v = fixtures::value(&model, &solution.chosen);
            assert!((v - solution.objective).abs() < 1e-9, "seed {seed}");
            assert!((v - optimum).abs() < 1e-6, "seed {seed}: {v} vs {optimum}");
            assert!(solution.bound <= optimum + 1e-6, "seed {seed}");
            assert!(
                relative_gap(solution.objective, solution.bound) <= 1e-9,
                "seed {seed}"
            );
            assert_eq!(solution.iterations, steps);
        }
    }
}
