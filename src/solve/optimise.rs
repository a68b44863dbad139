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
//! early, small ones keep closing the gap towards a proof.

use std::time::Instant;

use super::assignment::{self, Sparse};
use crate::milp::Model;
use std::cmp::Ordering;

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

impl Default for Budget {
    fn default() -> Self {
        Self {
            deadline: None,
            max_iterations: 500,
            target_gap: 1e-9,
            max_nodes: 100_000,
            search_work: 4_000_000,
            min_nodes: 16,
            acceptable_gap: 0.0075,
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
    let mut upper = objective_of(model, districts, &best);
    let mut lower = f64::NEG_INFINITY;
    // The multipliers of the best bound, as reduced costs and offset, for the search.
    let mut best_reduced: Vec<f64> = model.pairs.iter().map(|p| p.cost).collect();
    let mut best_offset = 0.0;
    let mut m = Multipliers::zero(model, districts);
    // Pinned households and their dwellings are fixed outside the assignment.
    let mut pinned_unit = vec![false; model.unit_count];
    for j in model.fixed.iter().flatten() {
        pinned_unit[model.pairs[*j].unit.index()] = true;
    }
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
        let mut candidate = repair(model, districts, choice, reduced);
        improve(
            model,
            districts,
            &by_cost,
            budget.improve_rounds,
            &mut candidate,
        );
        let v = objective_of(model, districts, &candidate);
        (candidate, v)
    };
    let mut core = Core::new(model, budget.core_size, 1);
    while iterations < budget.max_iterations {
        iterations += 1;
        m.reduced_costs(model, &mut reduced);
        // The assignment subproblem over the households that are not pinned.
        let (answer, repaired) = rayon::join(
            || core.solve(model, &free_rows, &pinned_unit, &reduced),
            || {
                pending
                    .as_deref()
                    .map(|choice| lawful(choice, &pending_reduced))
            },
        );
        if let Some((candidate, v)) = repaired
            && v < upper - 1e-9
        {
            upper = v;
            best = candidate;
        }
        let value_free = answer.bound;
        let mut choice: Vec<Option<usize>> = model.fixed.clone();
        for (row, j) in answer.choice.iter().enumerate() {
            choice[free_rows[row]] = *j;
        }
        let offset = m.offset(model);
        let value = model.constant
            + value_free
            + model
                .fixed
                .iter()
                .flatten()
                .map(|&j| reduced[j])
                .sum::<f64>()
            + offset;
        if value > lower + 1e-9 * value.abs().max(1.0) {
            lower = value;
            best_reduced.clone_from(&reduced);
            best_offset = offset;
            since_improvement = 0;
        } else {
            since_improvement += 1;
        }
        std::mem::swap(&mut reduced, &mut pending_reduced);
        pending = Some(choice.clone());
        progress(&Progress {
            iteration: iterations,
            max_iterations: budget.max_iterations,
            objective: upper,
            bound: lower,
        });
        let gap = relative_gap(upper, lower);
        let out_of_time = budget.deadline.is_some_and(|d| Instant::now() >= d);
        let enough = gap <= budget.acceptable_gap && core.priced >= budget.work;
        if gap <= budget.target_gap || enough || out_of_time {
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
        if !m.step(model, districts, &choice, theta * (upper - lower).max(1e-6)) {
            // No multiplier can move: the bound cannot rise further.
            break;
        }
    }
    // The last step's answer, not yet repaired.
    if let Some(choice) = &pending {
        let (candidate, v) = lawful(choice, &pending_reduced);
        if v < upper - 1e-9 {
            upper = v;
            best = candidate;
        }
    }
    // Close the gap by branch and bound on the best multipliers, within a
    // node budget (deterministic, unlike a time limit).
    let mut work = Work {
        assignments: core.solves,
        rows_scanned: core.rows_scanned,
        pairs_priced: core.priced,
        nodes: 0,
    };
    let out_of_time = budget.deadline.is_some_and(|d| Instant::now() >= d);
    // Each node solves an assignment over the open pairs: scale the node
    // budget so that the search costs about as much whatever the size. A
    // search of a few nodes cannot close a gap on a large model, only spend
    // a full assignment per node: it runs only with `min_nodes` or more.
    let max_nodes = budget
        .max_nodes
        .min(budget.search_work / model.pairs.len().max(1));
    if relative_gap(upper, lower) > budget.target_gap
        && !out_of_time
        && max_nodes >= budget.min_nodes.max(1)
    {
        let mut search = Search::new(
            model,
            districts,
            &best_reduced,
            best_offset,
            (upper, best.clone()),
            max_nodes,
            budget,
        );
        search.run();
        work.nodes = search.nodes;
        work.assignments += search.core.solves;
        work.rows_scanned += search.core.rows_scanned;
        work.pairs_priced += search.core.priced;
        if search.upper < upper {
            upper = search.upper;
            best = search.best;
        }
        if !search.aborted {
            // Every subtree was explored or pruned against the incumbent.
            lower = upper;
        }
    }
    Solution {
        objective: upper,
        bound: lower.min(upper),
        chosen: best,
        iterations,
        work,
    }
}

/// Lagrange multipliers of the relaxed constraints: λ per district cap, β
/// per building cap, μ per spread level (at most the level's weight).
struct Multipliers {
    lambda: Vec<f64>,
    beta: Vec<f64>,
    mu: Vec<f64>,
}

impl Multipliers {
    fn zero(model: &Model, districts: usize) -> Self {
        Self {
            lambda: vec![0.0; districts],
            beta: vec![0.0; model.buildings.len()],
            mu: vec![0.0; model.spread.len()],
        }
    }

    /// Reduced costs of the pairs under the multipliers.
    fn reduced_costs(&self, model: &Model, out: &mut [f64]) {
        for (j, p) in model.pairs.iter().enumerate() {
            out[j] = self.reduced(p);
        }
    }

    fn reduced(&self, p: &crate::milp::Pair) -> f64 {
        let mut r = p.cost + self.beta[p.building];
        if let Some(d) = p.district {
            let k = d.index() * 3;
            r += f64::from(p.persons)
                * (self.lambda[d.index()] + self.mu[k] + self.mu[k + 1] + self.mu[k + 2]);
        }
        r
    }

    /// The multipliers' constant part of the Lagrangian: −Σ λ·cap − Σ β·B − Σ μ·T.
    fn offset(&self, model: &Model) -> f64 {
        let caps: f64 = self
            .lambda
            .iter()
            .zip(&model.district_cap)
            .map(|(l, &cap)| {
                if cap == u32::MAX {
                    0.0
                } else {
                    l * f64::from(cap)
                }
            })
            .sum();
        let buildings = self.beta.iter().sum::<f64>() * f64::from(model.building_cap);
        let spread: f64 = self
            .mu
            .iter()
            .zip(&model.spread)
            .map(|(m, l)| m * l.threshold)
            .sum();
        -caps - buildings - spread
    }

    /// One projected subgradient step at the relaxation's answer `choice`,
    /// of length `target / ‖g‖²` (Polyak's rule with `target` = θ × gap).
    /// Returns false when no multiplier can move.
    fn step(
        &mut self,
        model: &Model,
        districts: usize,
        choice: &[Option<usize>],
        target: f64,
    ) -> bool {
        let mut g_building = vec![-f64::from(model.building_cap); model.buildings.len()];
        let mut persons = vec![0.0; districts];
        for j in choice.iter().flatten() {
            let p = &model.pairs[*j];
            g_building[p.building] += 1.0;
            if let Some(d) = p.district {
                persons[d.index()] += f64::from(p.persons);
            }
        }
        let g_district: Vec<f64> = persons
            .iter()
            .zip(&model.district_cap)
            .map(|(p, &cap)| {
                if cap == u32::MAX {
                    0.0
                } else {
                    p - f64::from(cap)
                }
            })
            .collect();
        let g_spread: Vec<f64> = model
            .spread
            .iter()
            .map(|l| persons[l.district.index()] - l.threshold)
            .collect();
        // Only directions that can move count: a multiplier at a bound whose
        // subgradient pushes it further out stays where it is.
        let movable = |g: f64, x: f64, cap: f64| (g > 0.0 && x < cap) || (g < 0.0 && x > 0.0);
        let mut norm2 = 0.0;
        for (g, x) in g_district.iter().zip(&self.lambda) {
            if movable(*g, *x, f64::INFINITY) {
                norm2 += g * g;
            }
        }
        for (g, x) in g_building.iter().zip(&self.beta) {
            if movable(*g, *x, f64::INFINITY) {
                norm2 += g * g;
            }
        }
        for ((g, x), l) in g_spread.iter().zip(&self.mu).zip(&model.spread) {
            if movable(*g, *x, l.weight) {
                norm2 += g * g;
            }
        }
        if norm2 == 0.0 {
            return false;
        }
        let step = target / norm2;
        for (x, g) in self.lambda.iter_mut().zip(&g_district) {
            *x = (*x + step * g).max(0.0);
        }
        for (x, g) in self.beta.iter_mut().zip(&g_building) {
            *x = (*x + step * g).max(0.0);
        }
        for ((x, g), l) in self.mu.iter_mut().zip(&g_spread).zip(&model.spread) {
            *x = (*x + step * g).clamp(0.0, l.weight);
        }
        true
    }
}

/// Depth-first branch and bound over households, bounded by the Lagrangian
/// (assignment) relaxation of what is still open under fixed multipliers.
struct Search<'a> {
    model: &'a Model,
    districts: usize,
    reduced: &'a [f64],
    offset: f64,
    order: Vec<usize>,
    chosen: Vec<Option<usize>>,
    usage: Usage,
    upper: f64,
    best: Vec<Option<usize>>,
    nodes: usize,
    max_nodes: usize,
    deadline: Option<Instant>,
    aborted: bool,
    core: Core,
}

impl<'a> Search<'a> {
    fn new(
        model: &'a Model,
        districts: usize,
        reduced: &'a [f64],
        offset: f64,
        (upper, best): (f64, Vec<Option<usize>>),
        max_nodes: usize,
        budget: &Budget,
    ) -> Self {
        let chosen = model.fixed.clone();
        let usage = Usage::of(model, districts, &chosen);
        // Households with the most at stake first.
        let mut order: Vec<usize> = (0..model.by_household.len())
            .filter(|&h| model.fixed[h].is_none() && !model.by_household[h].is_empty())
            .collect();
        let stake = |h: usize| {
            model.by_household[h]
                .clone()
                .map(|j| reduced[j])
                .fold(0.0_f64, f64::min)
        };
        order.sort_unstable_by(|&a, &b| stake(a).total_cmp(&stake(b)).then(a.cmp(&b)));
        Self {
            model,
            districts,
            reduced,
            offset,
            order,
            chosen,
            usage,
            upper,
            best,
            nodes: 0,
            max_nodes,
            deadline: budget.deadline,
            aborted: false,
            core: Core::new(model, budget.core_size, 20),
        }
    }

    fn run(&mut self) {
        self.dfs(0);
    }

    /// Lower bound of every completion of the households decided before `depth`.
    fn bound(&mut self, depth: usize) -> f64 {
        let model = self.model;
        let open = self
            .core
            .solve(
                model,
                &self.order[depth..],
                &self.usage.dwelling,
                self.reduced,
            )
            .bound;
        let decided: f64 = self.chosen.iter().flatten().map(|&j| self.reduced[j]).sum();
        model.constant + self.offset + decided + open
    }

    fn prune_at(&self) -> f64 {
        self.upper - 1e-9 * self.upper.abs().max(1.0)
    }

    fn dfs(&mut self, depth: usize) {
        if self.aborted {
            return;
        }
        self.nodes += 1;
        if self.nodes > self.max_nodes
            || (self.nodes.is_multiple_of(256)
                && self.deadline.is_some_and(|d| Instant::now() >= d))
        {
            self.aborted = true;
            return;
        }
        if depth == self.order.len() {
            let v = objective_of(self.model, self.districts, &self.chosen);
            if v < self.upper - 1e-9 {
                self.upper = v;
                self.best.clone_from(&self.chosen);
            }
            return;
        }
        let h = self.order[depth];
        let mut children: Vec<usize> = self.model.by_household[h]
            .clone()
            .filter(|&j| self.usage.fits(self.model, j))
            .collect();
        children
            .sort_unstable_by(|&a, &b| self.reduced[a].total_cmp(&self.reduced[b]).then(a.cmp(&b)));
        for j in children {
            self.usage.add(self.model, j);
            self.chosen[h] = Some(j);
            if self.bound(depth + 1) < self.prune_at() {
                self.dfs(depth + 1);
            }
            self.usage.remove(self.model, j);
            self.chosen[h] = None;
            if self.aborted {
                return;
            }
        }
        if self.bound(depth + 1) < self.prune_at() {
            self.dfs(depth + 1);
        }
    }
}

/// Makes a choice lawful: keeps pins, drops the pairs that break a district
/// or building cap (the least valuable first), then refills greedily in order
/// of reduced cost.
fn repair(
    model: &Model,
    districts: usize,
    choice: &[Option<usize>],
    reduced: &[f64],
) -> Vec<Option<usize>> {
    let mut order: Vec<usize> = choice.iter().flatten().copied().collect();
    // Pins first, then the most valuable pairs.
    order.sort_unstable_by(|&a, &b| {
        let pa = model.fixed[model.pairs[a].household.index()].is_some();
        let pb = model.fixed[model.pairs[b].household.index()].is_some();
        pb.cmp(&pa)
            .then(model.pairs[a].cost.total_cmp(&model.pairs[b].cost))
            .then(a.cmp(&b))
    });
    let mut chosen: Vec<Option<usize>> = vec![None; model.by_household.len()];
    let mut usage = Usage::of(model, districts, &chosen);
    for j in order {
        let pinned = model.fixed[model.pairs[j].household.index()] == Some(j);
        if pinned || (usage.fits(model, j) && usage.gain(model, j) < 0.0) {
            usage.add(model, j);
            chosen[model.pairs[j].household.index()] = Some(j);
        }
    }
    let mut rest: Vec<usize> = (0..model.pairs.len())
        .filter(|&j| chosen[model.pairs[j].household.index()].is_none())
        .collect();
    rest.sort_unstable_by(|&a, &b| reduced[a].total_cmp(&reduced[b]).then(a.cmp(&b)));
    for j in rest {
        let h = model.pairs[j].household.index();
        if chosen[h].is_none() && usage.fits(model, j) && usage.gain(model, j) < 0.0 {
            usage.add(model, j);
            chosen[h] = Some(j);
        }
    }
    chosen
}

fn objective_of(model: &Model, districts: usize, chosen: &[Option<usize>]) -> f64 {
    let list: Vec<usize> = chosen.iter().flatten().copied().collect();
    model.objective(&list, districts)
}

/// What is used while building a lawful choice.
struct Usage {
    dwelling: Vec<bool>,
    building: Vec<u32>,
    persons: Vec<u32>,
}

impl Usage {
    fn of(model: &Model, districts: usize, chosen: &[Option<usize>]) -> Self {
        let mut u = Usage {
            dwelling: vec![false; model.unit_count],
            building: vec![0; model.buildings.len()],
            persons: vec![0; districts],
        };
        for j in chosen.iter().flatten() {
            u.add(model, *j);
        }
        u
    }

    fn add(&mut self, model: &Model, j: usize) {
        let p = &model.pairs[j];
        self.dwelling[p.unit.index()] = true;
        self.building[p.building] += 1;
        if let Some(d) = p.district {
            self.persons[d.index()] += p.persons;
        }
    }

    fn remove(&mut self, model: &Model, j: usize) {
        let p = &model.pairs[j];
        self.dwelling[p.unit.index()] = false;
        self.building[p.building] -= 1;
        if let Some(d) = p.district {
            self.persons[d.index()] -= p.persons;
        }
    }

    /// Whether pair j fits next to what is used.
    fn fits(&self, model: &Model, j: usize) -> bool {
        let p = &model.pairs[j];
        !self.dwelling[p.unit.index()]
            && self.building[p.building] < model.building_cap
            && p.district.is_none_or(|d| {
                let cap = model.district_cap[d.index()];
                cap == u32::MAX || self.persons[d.index()] + p.persons <= cap
            })
    }

    /// Objective change of adding pair j.
    fn gain(&self, model: &Model, j: usize) -> f64 {
        let p = &model.pairs[j];
        let spread = p.district.map_or(0.0, |d| {
            let now = self.persons[d.index()];
            model.spread_penalty(d, now + p.persons) - model.spread_penalty(d, now)
        });
        p.cost + spread
    }
}

/// Local search: move a household to a better free dwelling, or give a
/// household without a home one that lowers the objective; repeat while
/// anything improves.
fn improve(
    model: &Model,
    districts: usize,
    by_cost: &ByCost,
    rounds: usize,
    chosen: &mut [Option<usize>],
) {
    let mut usage = Usage::of(model, districts, chosen);
    for _round in 0..rounds {
        let mut changed = false;
        for (h, range) in model.by_household.iter().enumerate() {
            if model.fixed[h].is_some() || range.is_empty() {
                continue;
            }
            let current = chosen[h];
            if let Some(j) = current {
                usage.remove(model, j);
            }
            let base = current.map_or(0.0, |j| usage.gain(model, j));
            // A pair's gain is its cost plus a spread penalty that is never
            // negative, so in order of cost the search can stop at the first
            // pair whose cost alone is no better than the best gain so far.
            let persons = model.pairs[range.start].persons;
            let mut better: Option<(f64, usize)> = None;
            for k in range.clone() {
                let limit = better.map_or(base.min(0.0), |(g, _)| g);
                if by_cost.cost[k] > limit {
                    break;
                }
                // `Usage::fits` and `Usage::gain` on the compact arrays.
                if usage.dwelling[by_cost.unit[k] as usize]
                    || usage.building[by_cost.building[k] as usize] >= model.building_cap
                {
                    continue;
                }
                let d = by_cost.district[k];
                let spread = if d == u32::MAX {
                    0.0
                } else {
                    let cap = model.district_cap[d as usize];
                    let now = usage.persons[d as usize];
                    if cap != u32::MAX && now + persons > cap {
                        continue;
                    }
                    let d = crate::ids::DistrictId(d);
                    model.spread_penalty(d, now + persons) - model.spread_penalty(d, now)
                };
                let j = by_cost.pair[k];
                if Some(j) == current {
                    continue;
                }
                let g = by_cost.cost[k] + spread;
                if g < base - 1e-9
                    && g < 0.0
                    && better.is_none_or(|(b, i)| g.total_cmp(&b).then(j.cmp(&i)).is_lt())
                {
                    better = Some((g, j));
                }
            }
            match better {
                Some((_, j)) => {
                    usage.add(model, j);
                    chosen[h] = Some(j);
                    changed = true;
                }
                None => {
                    if let Some(j) = current {
                        usage.add(model, j);
                    }
                }
            }
        }
        if !changed {
            break;
        }
    }
}

/// Every household's pairs in order of cost (ties by index), laid out like
/// [`Model::pairs`]: `pair[range]` is the household's range, sorted, with
/// the pairs' dwellings and costs beside them (read in order by the local
/// search, so kept compact).
struct ByCost {
    pair: Vec<usize>,
    unit: Vec<u32>,
    cost: Vec<f64>,
    building: Vec<u32>,
    /// `u32::MAX`: outside every district.
    district: Vec<u32>,
}

fn pairs_by_cost(model: &Model) -> ByCost {
    let mut pair: Vec<usize> = (0..model.pairs.len()).collect();
    for range in &model.by_household {
        pair[range.clone()].sort_unstable_by(|&a, &b| {
            model.pairs[a]
                .cost
                .total_cmp(&model.pairs[b].cost)
                .then(a.cmp(&b))
        });
    }
    let unit = pair.iter().map(|&j| model.pairs[j].unit.0).collect();
    let cost = pair.iter().map(|&j| model.pairs[j].cost).collect();
    let building = pair
        .iter()
        .map(|&j| crate::ids::to_u32(model.pairs[j].building))
        .collect();
    let district = pair
        .iter()
        .map(|&j| model.pairs[j].district.map_or(u32::MAX, |d| d.0))
        .collect();
    ByCost {
        pair,
        unit,
        cost,
        building,
        district,
    }
}

/// The Lagrangian subproblem's answer.
struct Answer {
    /// The pair each row takes, in the order of the rows asked for.
    choice: Vec<Option<usize>>,
    /// A lower bound on the cheapest assignment of the rows over *all* their
    /// pairs (equal to it when pricing found nothing the core missed).
    bound: f64,
}

/// The assignment subproblem — households (rows) to free dwellings by
/// reduced cost — solved on a small core of each household's pairs and
/// priced over all of them.
///
/// The core of a row is its `k` cheapest pairs by reduced cost plus the
/// pairs earlier pricing added. After solving the core, every pair of every
/// row is priced against the core's column prices `p` (the duals of "one
/// household per dwelling", all ≤ 0): with
/// `row_h = min(0, min_{j ∈ J_h} (r_j − p_u(j)))` the pair `(row, p)` is
/// feasible for the dual of the assignment LP over *all* pairs, so
/// `Σ_h row_h + Σ_u p_u` is a valid lower bound whatever the core (weak
/// duality; the assignment polytope is integral, so it bounds the integer
/// assignment too). When no pair prices below its row's core dual, the
/// bound equals the core's optimum, which is then optimal over all pairs.
/// Pairs that price below are added to the core and the core solved again.
struct Core {
    k: usize,
    /// Pricing rounds per subproblem before the (always valid) bound is
    /// taken as it is and the core's assignment used.
    rounds: usize,
    extra: Vec<Vec<usize>>,
    marked: Vec<bool>,
    row: Vec<usize>,
    matrix: Sparse,
    edge_pair: Vec<usize>,
    /// Work done: core solves, rows scanned in them, pairs priced.
    solves: usize,
    rows_scanned: usize,
    priced: usize,
}

impl Core {
    fn new(model: &Model, k: usize, rounds: usize) -> Self {
        Self {
            k,
            extra: vec![Vec::new(); model.by_household.len()],
            marked: vec![false; model.pairs.len()],
            row: Vec::new(),
            matrix: Sparse {
                n_cols: model.unit_count,
                ..Sparse::default()
            },
            edge_pair: Vec::new(),
            rounds,
            solves: 0,
            rows_scanned: 0,
            priced: 0,
        }
    }

    fn solve(&mut self, model: &Model, rows: &[usize], used: &[bool], reduced: &[f64]) -> Answer {
        let open = |j: usize| reduced[j] < 0.0 && !used[model.pairs[j].unit.index()];
        let by_cost = |a: &usize, b: &usize| -> Ordering {
            reduced[*a].total_cmp(&reduced[*b]).then(a.cmp(b))
        };
        let mut round = 0;
        loop {
            round += 1;
            self.matrix.starts.clear();
            self.matrix.cols.clear();
            self.matrix.costs.clear();
            self.edge_pair.clear();
            self.matrix.starts.push(0);
            for &h in rows {
                self.row.clear();
                self.row
                    .extend(model.by_household[h].clone().filter(|&j| open(j)));
                if self.row.len() > self.k {
                    self.row.select_nth_unstable_by(self.k - 1, by_cost);
                    self.row.truncate(self.k);
                }
                for &j in &self.row {
                    self.marked[j] = true;
                }
                for &j in &self.extra[h] {
                    if !self.marked[j] && open(j) {
                        self.marked[j] = true;
                        self.row.push(j);
                    }
                }
                self.row.sort_unstable();
                for &j in &self.row {
                    self.marked[j] = false;
                    self.matrix.cols.push(model.pairs[j].unit.index());
                    self.matrix.costs.push(reduced[j]);
                    self.edge_pair.push(j);
                }
                self.matrix.starts.push(self.matrix.cols.len());
            }
            let solved = assignment::solve_with_prices(&self.matrix);
            self.solves += 1;
            self.rows_scanned += solved.rows_scanned;
            let price = |j: usize| reduced[j] - solved.prices[model.pairs[j].unit.index()];
            // Price every pair of every row against the core's prices.
            let mut bound = solved.prices.iter().sum::<f64>();
            let mut missed = false;
            for (i, &h) in rows.iter().enumerate() {
                let core_dual = (self.matrix.starts[i]..self.matrix.starts[i + 1])
                    .map(|e| self.matrix.costs[e] - solved.prices[self.matrix.cols[e]])
                    .fold(0.0_f64, f64::min);
                let range = model.by_household[h].clone();
                self.priced += range.len();
                let full = range
                    .clone()
                    .filter(|&j| open(j))
                    .map(price)
                    .fold(0.0_f64, f64::min);
                bound += full;
                let tolerance = 1e-9 * core_dual.abs().max(1.0);
                if full < core_dual - tolerance {
                    missed = true;
                    self.row.clear();
                    self.row
                        .extend(range.filter(|&j| open(j) && price(j) < core_dual - tolerance));
                    if self.row.len() > self.k {
                        self.row.select_nth_unstable_by(self.k - 1, |a, b| {
                            price(*a).total_cmp(&price(*b)).then(a.cmp(b))
                        });
                        self.row.truncate(self.k);
                    }
                    let extra = &mut self.extra[h];
                    extra.extend_from_slice(&self.row);
                    let cap = 64 * self.k;
                    if extra.len() > cap {
                        // The oldest go first.
                        extra.drain(..extra.len() - cap);
                    }
                }
            }
            if !missed || round >= self.rounds {
                let choice = solved
                    .edges
                    .iter()
                    .map(|e| e.map(|e| self.edge_pair[e]))
                    .collect();
                return Answer { choice, bound };
            }
        }
    }
}
