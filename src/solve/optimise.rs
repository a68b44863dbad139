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
    let mut upper = objective_of(model, districts, &best);
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
        let offset = m.offset(model, &levels);
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
            best_multipliers.clone_from(&m);
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
        if !m.step(model, &levels, &choice, theta * (upper - lower).max(1e-6)) {
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
    if relative_gap(upper, lower) > budget.target_gap && !out_of_time && searches {
        let mut search = Search::new(
            model,
            districts,
            &levels,
            &by_cost,
            (upper, best.clone()),
            max_nodes,
            budget,
        );
        search.run(lower, &best_multipliers);
        work.nodes = search.nodes;
        work.assignments += search.core.solves;
        work.rows_scanned += search.core.rows_scanned;
        work.pairs_priced += search.core.priced;
        if search.upper < upper {
            upper = search.upper;
            best = search.best;
        }
        // The least bound of the subtrees still open (every other was
        // explored or pruned against the incumbent); the incumbent when none is.
        lower = lower.max(search.lower.min(upper));
    }
    Solution {
        objective: upper,
        bound: lower.min(upper),
        chosen: best,
        iterations,
        work,
    }
}

/// The spread levels the engine relaxes: the model's levels with every
/// fractional threshold split at the integers around it.
///
/// Persons are whole, so a level `w·max(0, P − L)` with `f < L < f + 1`
/// (`f = ⌊L⌋`) equals, at every integer P, `w(f + 1 − L)·max(0, P − f) +
/// w(L − f)·max(0, P − f − 1)`: the same penalty on every plan, but the
/// convex hull of its integer points, so its relaxation is tighter (a
/// placement of fractional households cannot sit exactly on L).
struct Levels {
    levels: Vec<crate::milp::SpreadLevel>,
    /// The levels of each district (a range of `levels`).
    by_district: Vec<std::ops::Range<usize>>,
}

impl Levels {
    /// The model's levels, split at the integers when `split`.
    fn new(model: &Model, districts: usize, split: bool) -> Self {
        let mut per: Vec<Vec<crate::milp::SpreadLevel>> = vec![Vec::new(); districts];
        for l in &model.spread {
            let floor = l.threshold.floor();
            let above = l.threshold - floor;
            if !split || above <= 1e-9 || 1.0 - above <= 1e-9 {
                per[l.district.index()].push(l.clone());
            } else {
                per[l.district.index()].push(crate::milp::SpreadLevel {
                    district: l.district,
                    threshold: floor,
                    weight: l.weight * (1.0 - above),
                });
                per[l.district.index()].push(crate::milp::SpreadLevel {
                    district: l.district,
                    threshold: floor + 1.0,
                    weight: l.weight * above,
                });
            }
        }
        let mut levels = Vec::new();
        let mut by_district = Vec::with_capacity(districts);
        for list in per {
            let start = levels.len();
            levels.extend(list);
            by_district.push(start..levels.len());
        }
        Self {
            levels,
            by_district,
        }
    }
}

/// Lagrange multipliers of the relaxed constraints: λ per district cap, β
/// per building cap, μ per spread level of [`Levels`] (at most the level's
/// weight).
#[derive(Clone)]
struct Multipliers {
    lambda: Vec<f64>,
    beta: Vec<f64>,
    mu: Vec<f64>,
}

impl Multipliers {
    fn zero(model: &Model, districts: usize, levels: &Levels) -> Self {
        Self {
            lambda: vec![0.0; districts],
            beta: vec![0.0; model.buildings.len()],
            mu: vec![0.0; levels.levels.len()],
        }
    }

    /// Reduced costs of the pairs under the multipliers.
    fn reduced_costs(&self, model: &Model, levels: &Levels, out: &mut [f64]) {
        // Per district, what a person placed there costs: λ_d + Σ_k μ_{d,k}.
        let per_person: Vec<f64> = self
            .lambda
            .iter()
            .zip(&levels.by_district)
            .map(|(l, range)| self.mu[range.clone()].iter().fold(*l, |a, m| a + m))
            .collect();
        for (j, p) in model.pairs.iter().enumerate() {
            let mut r = p.cost + self.beta[p.building];
            if let Some(d) = p.district {
                r += f64::from(p.persons) * per_person[d.index()];
            }
            out[j] = r;
        }
    }

    /// The multipliers' constant part of the Lagrangian: −Σ λ·cap − Σ β·B − Σ μ·T.
    fn offset(&self, model: &Model, levels: &Levels) -> f64 {
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
            .zip(&levels.levels)
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
        levels: &Levels,
        choice: &[Option<usize>],
        target: f64,
    ) -> bool {
        let districts = self.lambda.len();
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
        let g_spread: Vec<f64> = levels
            .levels
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
        for ((g, x), l) in g_spread.iter().zip(&self.mu).zip(&levels.levels) {
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
        for ((x, g), l) in self.mu.iter_mut().zip(&g_spread).zip(&levels.levels) {
            *x = (*x + step * g).clamp(0.0, l.weight);
        }
        true
    }
}

/// Steps of the subgradient method at each node of the search, from its
/// parent's multipliers.
const NODE_STEPS: usize = 25;

/// A set of pairs or households, one bit each.
#[derive(Clone)]
struct Bits(Vec<u64>);

impl Bits {
    fn new(n: usize) -> Self {
        Self(vec![0; n.div_ceil(64)])
    }

    fn get(&self, i: usize) -> bool {
        self.0[i / 64] >> (i % 64) & 1 == 1
    }

    fn set(&mut self, i: usize) {
        self.0[i / 64] |= 1 << (i % 64);
    }

    fn ones(&self) -> impl Iterator<Item = usize> + '_ {
        self.0.iter().enumerate().flat_map(|(w, &bits)| {
            (0..64)
                .filter(move |b| bits >> b & 1 == 1)
                .map(move |b| w * 64 + b)
        })
    }
}

/// A subtree of the search: the plans that use none of the `excluded`
/// pairs and give every `forced` household one of its other pairs. Its
/// `bound` holds for all of them (its parent's, until it is evaluated).
struct Node {
    bound: f64,
    id: usize,
    excluded: Bits,
    forced: Bits,
    multipliers: Multipliers,
}

impl PartialEq for Node {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for Node {}

impl PartialOrd for Node {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Node {
    // A min-heap on the bound, ties by creation (deterministic).
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .bound
            .total_cmp(&self.bound)
            .then(other.id.cmp(&self.id))
    }
}

/// A node's best subgradient step: the relaxation's plan, the reduced
/// costs, the assignment's answer and the multipliers.
type Best = (Vec<Option<usize>>, Vec<f64>, Answer, Multipliers);

/// What evaluating a node gives.
enum Evaluated {
    /// No plan of the subtree beats the incumbent.
    Pruned,
    /// Two subtrees that together hold every plan of the node.
    Branch(Box<[Node; 2]>),
    /// Nothing left to branch on, and the bound does not prove the subtree:
    /// its bound stays open.
    Stuck(f64),
}

/// Best-first branch and bound over subtrees of plans, each bounded by the
/// Lagrangian relaxation with its own multipliers (re-optimised from its
/// parent's by a few subgradient steps).
///
/// A node is a set of plans: some pairs excluded, some households forced to
/// take one of their remaining pairs. Its bound is the Lagrangian value of
/// the assignment over the remaining pairs, a forced household's pairs made
/// cheaper by a constant `M` that is added back (any plan of the subtree
/// takes exactly one of them, so the shift is exact on the subtree and the
/// bound valid for every M). Branching splits on one household and a set S
/// of its pairs (those in a district, or in a building): take a pair of S,
/// or none of S. After a node is evaluated, the dual slack of each pair
/// (reduced-cost fixing) excludes the pairs no better plan of the subtree
/// can use. Every plan is in exactly one open subtree, so the least open
/// bound is a lower bound of the whole model.
struct Search<'a> {
    model: &'a Model,
    districts: usize,
    levels: &'a Levels,
    by_cost: &'a ByCost,
    /// Households not pinned that have pairs: the assignment's rows.
    rows: Vec<usize>,
    pinned_unit: Vec<bool>,
    improve_rounds: usize,
    upper: f64,
    best: Vec<Option<usize>>,
    /// After [`Search::run`]: a lower bound of the model (the incumbent's
    /// value when the search completed).
    lower: f64,
    nodes: usize,
    max_nodes: usize,
    deadline: Option<Instant>,
    core: Core,
    next_id: usize,
    reduced: Vec<f64>,
}

impl<'a> Search<'a> {
    fn new(
        model: &'a Model,
        districts: usize,
        levels: &'a Levels,
        by_cost: &'a ByCost,
        (upper, best): (f64, Vec<Option<usize>>),
        max_nodes: usize,
        budget: &Budget,
    ) -> Self {
        let mut pinned_unit = vec![false; model.unit_count];
        for j in model.fixed.iter().flatten() {
            pinned_unit[model.pairs[*j].unit.index()] = true;
        }
        let rows = (0..model.by_household.len())
            .filter(|&h| model.fixed[h].is_none() && !model.by_household[h].is_empty())
            .collect();
        Self {
            model,
            districts,
            levels,
            by_cost,
            rows,
            pinned_unit,
            improve_rounds: budget.improve_rounds,
            upper,
            best,
            lower: f64::NEG_INFINITY,
            nodes: 0,
            max_nodes,
            deadline: budget.deadline,
            core: Core::new(model, budget.core_size, 20),
            next_id: 0,
            reduced: vec![0.0; model.pairs.len()],
        }
    }

    fn prune_at(&self) -> f64 {
        self.upper - 1e-9 * self.upper.abs().max(1.0)
    }

    fn node(&mut self, bound: f64, excluded: Bits, forced: Bits, m: &Multipliers) -> Node {
        self.next_id += 1;
        Node {
            bound,
            id: self.next_id,
            excluded,
            forced,
            multipliers: m.clone(),
        }
    }

    /// Explores from the root (bound `root_bound` under `root`'s multipliers)
    /// until every subtree is pruned or the budget is spent; sets `lower`.
    fn run(&mut self, root_bound: f64, root: &Multipliers) {
        let mut open = std::collections::BinaryHeap::new();
        let pairs = self.model.pairs.len();
        let households = self.model.by_household.len();
        let first = self.node(root_bound, Bits::new(pairs), Bits::new(households), root);
        open.push(first);
        // Bounds of subtrees left unproven (nothing to branch on).
        let mut stuck = f64::INFINITY;
        while let Some(node) = open.pop() {
            if node.bound >= self.prune_at() {
                // Best first: every open subtree is at least as dear.
                open.clear();
                break;
            }
            let out_of_time = self.deadline.is_some_and(|d| Instant::now() >= d);
            if self.nodes >= self.max_nodes || out_of_time {
                self.lower = node.bound.min(stuck).min(self.upper);
                return;
            }
            self.nodes += 1;
            match self.evaluate(node) {
                Evaluated::Pruned => {}
                Evaluated::Branch(children) => {
                    let [a, b] = *children;
                    open.push(a);
                    open.push(b);
                }
                Evaluated::Stuck(bound) => stuck = stuck.min(bound),
            }
        }
        self.lower = stuck.min(self.upper);
    }

    /// Re-optimises the node's multipliers, tries its relaxation's plan as
    /// an incumbent, fixes pairs by their dual slack, and branches.
    #[allow(clippy::too_many_lines)]
    fn evaluate(&mut self, node: Node) -> Evaluated {
        let model = self.model;
        let Node {
            bound: parent_bound,
            mut excluded,
            mut forced,
            multipliers: mut m,
            ..
        } = node;
        let open = |excluded: &Bits, j: usize| {
            !excluded.get(j) && !self.pinned_unit[model.pairs[j].unit.index()]
        };
        let forced_rows: Vec<usize> = forced.ones().collect();
        // A household forced to take a pair must have one left.
        for &h in &forced_rows {
            if !model.by_household[h].clone().any(|j| open(&excluded, j)) {
                return Evaluated::Pruned;
            }
        }
        let shift = 1e3 * (1.0 + self.upper.abs());
        let mut best_value = f64::NEG_INFINITY;
        // The best step's plan, reduced costs, assignment duals and multipliers.
        let mut best: Option<Best> = None;
        let mut theta = 1.0;
        let mut since = 0;
        let mut reduced = std::mem::take(&mut self.reduced);
        for _ in 0..NODE_STEPS {
            m.reduced_costs(model, self.levels, &mut reduced);
            let pinned: f64 = model.fixed.iter().flatten().map(|&j| reduced[j]).sum();
            for j in excluded.ones() {
                reduced[j] = f64::INFINITY;
            }
            for &h in &forced_rows {
                for j in model.by_household[h].clone() {
                    reduced[j] -= shift;
                }
            }
            let answer = self
                .core
                .solve(model, &self.rows, &self.pinned_unit, &reduced);
            let value = model.constant
                + answer.bound
                + pinned
                + m.offset(model, self.levels)
                + shift * forced_rows.len() as f64;
            let mut choice = model.fixed.clone();
            for (row, j) in answer.choice.iter().enumerate() {
                choice[self.rows[row]] = *j;
            }
            let improved = value > best_value;
            let gap = (self.upper - value).max(1e-6);
            if improved {
                best_value = value;
                since = 0;
            } else {
                since += 1;
                if since >= 3 {
                    theta /= 2.0;
                    since = 0;
                }
            }
            let moved = m.step(model, self.levels, &choice, theta * gap);
            if improved {
                best = Some((choice, reduced.clone(), answer, m.clone()));
            }
            if best_value >= self.prune_at() || !moved {
                break;
            }
        }
        self.reduced = reduced;
        let bound = parent_bound.max(best_value);
        let Some((choice, reduced, answer, multipliers)) = best else {
            return Evaluated::Stuck(bound);
        };
        // The relaxation's plan made lawful: a new incumbent?
        let mut candidate = repair(model, self.districts, &choice, &reduced);
        improve(
            model,
            self.districts,
            self.by_cost,
            self.improve_rounds,
            &mut candidate,
        );
        let v = objective_of(model, self.districts, &candidate);
        if v < self.upper - 1e-9 {
            self.upper = v;
            self.best = candidate;
        }
        let prune_at = self.prune_at();
        if bound >= prune_at {
            return Evaluated::Pruned;
        }
        // Reduced-cost fixing: a plan of the subtree that uses pair j (or
        // leaves row h without a home) has a Lagrangian value of at least
        // `best_value` + the pair's dual slack (+ −row_dual), see [`Answer`].
        for (i, &h) in self.rows.iter().enumerate() {
            let row = answer.row_dual[i];
            for j in model.by_household[h].clone() {
                if !open(&excluded, j) {
                    continue;
                }
                let slack = reduced[j] - answer.prices[model.pairs[j].unit.index()] - row;
                if best_value + slack >= prune_at {
                    excluded.set(j);
                }
            }
            if best_value - row >= prune_at && !forced.get(h) {
                forced.set(h);
            }
        }
        // What to branch on: the relaxation's plan breaks a district cap,
        // then a building cap; else a household it places, else one it
        // leaves out that could have a home.
        let mut persons = vec![0u32; self.districts];
        let mut in_building = vec![0u32; model.buildings.len()];
        for j in choice.iter().flatten() {
            let p = &model.pairs[*j];
            in_building[p.building] += 1;
            if let Some(d) = p.district {
                persons[d.index()] += p.persons;
            }
        }
        let useful = |h: usize, inside: &dyn Fn(usize) -> bool| {
            let (mut yes, mut no) = (false, false);
            for j in model.by_household[h].clone() {
                if open(&excluded, j) {
                    if inside(j) {
                        yes = true;
                    } else {
                        no = true;
                    }
                }
            }
            yes && (no || !forced.get(h))
        };
        // (household, the set's district or building, priority)
        let mut pick: Option<(usize, Set, (u32, u32))> = None;
        let consider = |pick: &mut Option<(usize, Set, (u32, u32))>, h, set, key: (u32, u32)| {
            if pick
                .as_ref()
                .is_none_or(|(ph, _, pk)| key.cmp(pk).then(ph.cmp(&h)).is_gt())
            {
                *pick = Some((h, set, key));
            }
        };
        for &h in &self.rows {
            let Some(j) = choice[h] else { continue };
            let p = &model.pairs[j];
            if let Some(d) = p.district {
                let cap = model.district_cap[d.index()];
                if cap != u32::MAX && persons[d.index()] > cap {
                    let set = Set::District(d.index());
                    if useful(h, &|k| set.holds(model, k)) {
                        consider(&mut pick, h, set, (3, p.persons));
                    }
                }
            }
            if in_building[p.building] > model.building_cap {
                let set = Set::Building(p.building);
                if useful(h, &|k| set.holds(model, k)) {
                    consider(&mut pick, h, set, (2, p.persons));
                }
            }
            let set = p
                .district
                .map_or(Set::Building(p.building), |d| Set::District(d.index()));
            if useful(h, &|k| set.holds(model, k)) {
                consider(&mut pick, h, set, (1, p.persons));
            }
        }
        if pick.is_none() {
            for &h in &self.rows {
                if choice[h].is_some() {
                    continue;
                }
                let cheapest = model.by_household[h]
                    .clone()
                    .filter(|&j| open(&excluded, j))
                    .min_by(|&a, &b| reduced[a].total_cmp(&reduced[b]).then(a.cmp(&b)));
                if let Some(j) = cheapest {
                    let p = &model.pairs[j];
                    let set = p
                        .district
                        .map_or(Set::Building(p.building), |d| Set::District(d.index()));
                    consider(&mut pick, h, set, (0, p.persons));
                }
            }
        }
        let Some((h, set, _)) = pick else {
            return self.terminal(bound, &excluded, &forced_rows, &choice, &multipliers);
        };
        let mut take = excluded.clone();
        let mut take_forced = forced.clone();
        take_forced.set(h);
        let mut leave = excluded;
        for j in model.by_household[h].clone() {
            if set.holds(model, j) {
                leave.set(j);
            } else {
                take.set(j);
            }
        }
        let a = self.node(bound, take, take_forced, &multipliers);
        let b = self.node(bound, leave, forced, &multipliers);
        Evaluated::Branch(Box::new([a, b]))
    }

    /// A node with nothing left to branch on on the districts: every
    /// household of its plans is forced into one district or has no pair
    /// left, so the persons per district are the same in all of them. The
    /// spread penalty is then a constant, and the multipliers that price it
    /// exactly are known: λ = 0, μ_k = w_k where the persons exceed level k's
    /// threshold, else 0. One assignment under them (keeping β) bounds the
    /// node; if its plan keeps the building caps, it is the node's optimum.
    /// If it breaks one, the node branches on that building.
    fn terminal(
        &mut self,
        bound: f64,
        excluded: &Bits,
        forced_rows: &[usize],
        choice: &[Option<usize>],
        multipliers: &Multipliers,
    ) -> Evaluated {
        let model = self.model;
        let mut persons = vec![0u32; self.districts];
        for j in choice.iter().flatten() {
            if let Some(d) = model.pairs[*j].district {
                persons[d.index()] += model.pairs[*j].persons;
            }
        }
        if persons
            .iter()
            .zip(&model.district_cap)
            .any(|(&p, &cap)| cap != u32::MAX && p > cap)
        {
            // Every plan of the node breaks a district cap.
            return Evaluated::Pruned;
        }
        let mut m = multipliers.clone();
        m.lambda.iter_mut().for_each(|l| *l = 0.0);
        for (x, l) in m.mu.iter_mut().zip(&self.levels.levels) {
            *x = if f64::from(persons[l.district.index()]) > l.threshold {
                l.weight
            } else {
                0.0
            };
        }
        let mut reduced = std::mem::take(&mut self.reduced);
        m.reduced_costs(model, self.levels, &mut reduced);
        let pinned: f64 = model.fixed.iter().flatten().map(|&j| reduced[j]).sum();
        for j in excluded.ones() {
            reduced[j] = f64::INFINITY;
        }
        let shift = 1e3 * (1.0 + self.upper.abs());
        for &h in forced_rows {
            for j in model.by_household[h].clone() {
                reduced[j] -= shift;
            }
        }
        let answer = self
            .core
            .solve(model, &self.rows, &self.pinned_unit, &reduced);
        self.reduced = reduced;
        let value = model.constant
            + answer.bound
            + pinned
            + m.offset(model, self.levels)
            + shift * forced_rows.len() as f64;
        let bound = bound.max(value);
        let mut exact = model.fixed.clone();
        for (row, j) in answer.choice.iter().enumerate() {
            exact[self.rows[row]] = *j;
        }
        let mut usage = Usage::of(model, self.districts, &model.fixed);
        let mut lawful = true;
        for (h, j) in exact.iter().enumerate() {
            let Some(j) = *j else { continue };
            if model.fixed[h].is_some() {
                continue;
            }
            if !usage.fits(model, j) {
                lawful = false;
            }
            usage.add(model, j);
        }
        if lawful {
            let v = objective_of(model, self.districts, &exact);
            if v < self.upper - 1e-9 {
                self.upper = v;
                self.best.clone_from(&exact);
            }
        }
        if bound >= self.prune_at() {
            return Evaluated::Pruned;
        }
        // A building over its cap: split a household of it on the building.
        for &h in &self.rows {
            let Some(j) = exact[h] else { continue };
            let b = model.pairs[j].building;
            if usage.building[b] <= model.building_cap {
                continue;
            }
            let (mut inside, mut outside) = (false, false);
            for k in model.by_household[h].clone() {
                if !excluded.get(k) && !self.pinned_unit[model.pairs[k].unit.index()] {
                    if model.pairs[k].building == b {
                        inside = true;
                    } else {
                        outside = true;
                    }
                }
            }
            if inside && outside {
                let mut take = excluded.clone();
                let mut leave = excluded.clone();
                for k in model.by_household[h].clone() {
                    if model.pairs[k].building == b {
                        leave.set(k);
                    } else {
                        take.set(k);
                    }
                }
                let mut forced = Bits::new(model.by_household.len());
                for &f in forced_rows {
                    forced.set(f);
                }
                let a = self.node(bound, take, forced.clone(), &m);
                let b = self.node(bound, leave, forced, &m);
                return Evaluated::Branch(Box::new([a, b]));
            }
        }
        Evaluated::Stuck(bound)
    }
}

/// The pairs of a household a branch splits on.
#[derive(Clone, Copy)]
enum Set {
    District(usize),
    Building(usize),
}

impl Set {
    fn holds(self, model: &Model, j: usize) -> bool {
        let p = &model.pairs[j];
        match self {
            Set::District(d) => p.district.is_some_and(|x| x.index() == d),
            Set::Building(b) => p.building == b,
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
    /// The dual prices behind `bound`: per dwelling (`p_u ≤ 0`) and per row
    /// (`min(0, min_j (r_j − p_u(j)))` over the row's open pairs). Every open
    /// pair's dual slack `r_j − p_u − row` is ≥ 0, and any assignment using
    /// pair j costs at least `bound` + its slack (see [`Search`]).
    prices: Vec<f64>,
    row_dual: Vec<f64>,
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
            let mut row_dual = Vec::with_capacity(rows.len());
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
                row_dual.push(full);
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
                return Answer {
                    choice,
                    bound,
                    prices: solved.prices,
                    row_dual,
                };
            }
        }
    }
}
