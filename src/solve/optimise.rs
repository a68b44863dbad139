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

use std::time::Instant;

use super::assignment::{self, Sparse};
use crate::milp::Model;

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
}

impl Default for Budget {
    fn default() -> Self {
        Self {
            deadline: None,
            max_iterations: 500,
            target_gap: 1e-9,
            max_nodes: 100_000,
            search_work: 4_000_000,
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
    improve(model, districts, &mut best);
    let mut upper = objective_of(model, districts, &best);
    let mut lower = f64::NEG_INFINITY;
    // The multipliers of the best bound, as reduced costs and offset, for the search.
    let mut best_reduced: Vec<f64> = model.pairs.iter().map(|p| p.cost).collect();
    let mut best_offset = 0.0;
    let mut lambda = vec![0.0; districts];
    let mut beta = vec![0.0; model.buildings.len()];
    let mut mu = vec![0.0; model.spread.len()];
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
    let mut matrix = Sparse {
        n_cols: model.unit_count,
        ..Sparse::default()
    };
    let mut edge_pair: Vec<usize> = Vec::new();
    while iterations < budget.max_iterations {
        iterations += 1;
        reduced_costs(model, &lambda, &beta, &mu, &mut reduced);
        // The assignment subproblem over the households that are not pinned.
        matrix.starts.clear();
        matrix.cols.clear();
        matrix.costs.clear();
        edge_pair.clear();
        matrix.starts.push(0);
        for &h in &free_rows {
            for j in model.by_household[h].clone() {
                let u = model.pairs[j].unit.index();
                if reduced[j] < 0.0 && !pinned_unit[u] {
                    matrix.cols.push(u);
                    matrix.costs.push(reduced[j]);
                    edge_pair.push(j);
                }
            }
            matrix.starts.push(matrix.cols.len());
        }
        let (edges, value_free) = assignment::solve(&matrix);
        let mut choice: Vec<Option<usize>> = model.fixed.clone();
        for (row, e) in edges.iter().enumerate() {
            choice[free_rows[row]] = e.map(|e| edge_pair[e]);
        }
        let offset = dual_offset(model, &lambda, &beta, &mu);
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
        // A lawful plan from the subproblem's answer.
        let mut candidate = repair(model, districts, &choice, &reduced);
        improve(model, districts, &mut candidate);
        let v = objective_of(model, districts, &candidate);
        if v < upper - 1e-9 {
            upper = v;
            best = candidate;
        }
        progress(&Progress {
            iteration: iterations,
            max_iterations: budget.max_iterations,
            objective: upper,
            bound: lower,
        });
        let gap = relative_gap(upper, lower);
        let out_of_time = budget.deadline.is_some_and(|d| Instant::now() >= d);
        if gap <= budget.target_gap || out_of_time {
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
        for (g, x) in g_district.iter().zip(&lambda) {
            if movable(*g, *x, f64::INFINITY) {
                norm2 += g * g;
            }
        }
        for (g, x) in g_building.iter().zip(&beta) {
            if movable(*g, *x, f64::INFINITY) {
                norm2 += g * g;
            }
        }
        for ((g, x), l) in g_spread.iter().zip(&mu).zip(&model.spread) {
            if movable(*g, *x, l.weight) {
                norm2 += g * g;
            }
        }
        if norm2 == 0.0 {
            // No multiplier can move: the bound cannot rise further.
            break;
        }
        let step = theta * (upper - lower).max(1e-6) / norm2;
        for (x, g) in lambda.iter_mut().zip(&g_district) {
            *x = (*x + step * g).max(0.0);
        }
        for (x, g) in beta.iter_mut().zip(&g_building) {
            *x = (*x + step * g).max(0.0);
        }
        for ((x, g), l) in mu.iter_mut().zip(&g_spread).zip(&model.spread) {
            *x = (*x + step * g).clamp(0.0, l.weight);
        }
    }
    // Close the gap by branch and bound on the best multipliers, within a
    // node budget (deterministic, unlike a time limit).
    let out_of_time = budget.deadline.is_some_and(|d| Instant::now() >= d);
    if relative_gap(upper, lower) > budget.target_gap && !out_of_time && budget.max_nodes > 0 {
        // Each node solves an assignment over the open pairs: scale the node
        // budget so that the search costs about as much whatever the size.
        let max_nodes = budget
            .max_nodes
            .min(budget.search_work / model.pairs.len().max(1));
        let mut search = Search::new(
            model,
            districts,
            &best_reduced,
            best_offset,
            (upper, best.clone()),
            max_nodes,
            budget.deadline,
        );
        search.run();
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
    }
}

/// Reduced costs of the pairs under the multipliers.
fn reduced_costs(model: &Model, lambda: &[f64], beta: &[f64], mu: &[f64], out: &mut [f64]) {
    for (j, p) in model.pairs.iter().enumerate() {
        let mut r = p.cost + beta[p.building];
        if let Some(d) = p.district {
            let k = d.index() * 3;
            r += f64::from(p.persons) * (lambda[d.index()] + mu[k] + mu[k + 1] + mu[k + 2]);
        }
        out[j] = r;
    }
}

/// The multipliers' constant part of the Lagrangian: −Σ λ·cap − Σ β·B − Σ μ·T.
fn dual_offset(model: &Model, lambda: &[f64], beta: &[f64], mu: &[f64]) -> f64 {
    let caps: f64 = lambda
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
    let buildings = beta.iter().sum::<f64>() * f64::from(model.building_cap);
    let spread: f64 = mu
        .iter()
        .zip(&model.spread)
        .map(|(m, l)| m * l.threshold)
        .sum();
    -caps - buildings - spread
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
}

impl<'a> Search<'a> {
    fn new(
        model: &'a Model,
        districts: usize,
        reduced: &'a [f64],
        offset: f64,
        (upper, best): (f64, Vec<Option<usize>>),
        max_nodes: usize,
        deadline: Option<Instant>,
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
        order.sort_by(|&a, &b| stake(a).total_cmp(&stake(b)).then(a.cmp(&b)));
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
            deadline,
            aborted: false,
        }
    }

    fn run(&mut self) {
        self.dfs(0);
    }

    /// Lower bound of every completion of the households decided before `depth`.
    fn bound(&self, depth: usize) -> f64 {
        let model = self.model;
        let mut matrix = Sparse {
            n_cols: model.unit_count,
            starts: vec![0],
            ..Sparse::default()
        };
        for &h in &self.order[depth..] {
            for j in model.by_household[h].clone() {
                let u = model.pairs[j].unit.index();
                if self.reduced[j] < 0.0 && !self.usage.dwelling[u] {
                    matrix.cols.push(u);
                    matrix.costs.push(self.reduced[j]);
                }
            }
            matrix.starts.push(matrix.cols.len());
        }
        let (_, open) = assignment::solve(&matrix);
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
        children.sort_by(|&a, &b| self.reduced[a].total_cmp(&self.reduced[b]).then(a.cmp(&b)));
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
    order.sort_by(|&a, &b| {
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
    rest.sort_by(|&a, &b| reduced[a].total_cmp(&reduced[b]).then(a.cmp(&b)));
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
fn improve(model: &Model, districts: usize, chosen: &mut [Option<usize>]) {
    let mut usage = Usage::of(model, districts, chosen);
    for _round in 0..20 {
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
            let better = range
                .clone()
                .filter(|&j| Some(j) != current && usage.fits(model, j))
                .map(|j| (usage.gain(model, j), j))
                .filter(|(g, _)| *g < base - 1e-9 && *g < 0.0)
                .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
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
