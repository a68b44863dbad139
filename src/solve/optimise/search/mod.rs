//! The branch and bound (docs/model.md, "Branch and bound"): best-first
//! over [`Node`]s, each bounded by the Lagrangian relaxation with its own
//! multipliers, reduced-cost fixing against the incumbent, branching on a
//! household's district or building, and the terminal nodes where the spread
//! penalty is a constant.
//!
//! Invariants: every plan of the model lies in exactly one open node or in a
//! pruned one that cannot beat the incumbent, so the least open bound is a
//! lower bound of the model; a node is pruned only when its bound reaches
//! the incumbent (less a 1e-9 relative tolerance); the incumbent is only ever
//! replaced by a lawful plan with a lower objective. Deterministic: no
//! randomness, ties by creation order.

use std::time::Instant;

mod bits;
mod node;
mod terminal;

use bits::Bits;
use node::{Best, Evaluated, Node, Set};

use super::multipliers::{Levels, Multipliers, Shift, polyak_target};
use super::repair::{ByCost, lawful_plan};
use super::subproblem::{Answer, Core, pinned_units};
use super::usage::{Usage, over_cap};
use super::{Budget, Incumbent, by_reduced, past, tolerance};
use crate::milp::Model;

/// Steps of the subgradient method at each node of the search, from its
/// parent's multipliers.
const NODE_STEPS: usize = 25;

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
pub(super) struct Search<'a> {
    model: &'a Model,
    districts: usize,
    levels: &'a Levels,
    by_cost: &'a ByCost,
    /// Households not pinned that have pairs: the assignment's rows.
    rows: Vec<usize>,
    pinned_unit: Vec<bool>,
    improve_rounds: usize,
    pub(super) incumbent: Incumbent,
    /// After [`Search::run`]: a lower bound of the model (the incumbent's
    /// value when the search completed).
    pub(super) lower: f64,
    pub(super) nodes: usize,
    max_nodes: usize,
    deadline: Option<Instant>,
    pub(super) core: Core,
    next_id: usize,
    reduced: Vec<f64>,
}

impl<'a> Search<'a> {
    pub(super) fn new(
        model: &'a Model,
        districts: usize,
        levels: &'a Levels,
        by_cost: &'a ByCost,
        incumbent: Incumbent,
        max_nodes: usize,
        budget: &Budget,
    ) -> Self {
        let rows = (0..model.by_household.len())
            .filter(|&h| model.fixed[h].is_none() && !model.by_household[h].is_empty())
            .collect();
        Self {
            model,
            districts,
            levels,
            by_cost,
            rows,
            pinned_unit: pinned_units(model),
            improve_rounds: budget.improve_rounds,
            incumbent,
            lower: f64::NEG_INFINITY,
            nodes: 0,
            max_nodes,
            deadline: budget.deadline,
            core: Core::new(model, budget.core_size, 20),
            next_id: 0,
            reduced: vec![0.0; model.pairs.len()],
        }
    }

    /// A subtree whose bound reaches this holds no plan better than the
    /// incumbent (less the relative tolerance).
    fn prune_at(&self) -> f64 {
        self.incumbent.value - tolerance(self.incumbent.value)
    }

    /// The lowering of `rows` forced households' pairs: far more than any
    /// pair's cost, so the assignment gives each of them a pair if it can.
    fn shift(&self, rows: usize) -> Shift {
        Shift {
            per_row: 1e3 * (1.0 + self.incumbent.value.abs()),
            rows,
        }
    }

    /// Whether pair j is still open in a node excluding `excluded`.
    fn open(&self, excluded: &Bits, j: usize) -> bool {
        !excluded.get(j) && !self.pinned_unit[self.model.pairs[j].unit.index()]
    }

    /// Whether household h has open pairs inside the set, and outside it.
    fn sides(&self, excluded: &Bits, h: usize, set: Set) -> (bool, bool) {
        let (mut inside, mut outside) = (false, false);
        for j in self.model.by_household[h].clone() {
            if self.open(excluded, j) {
                if set.holds(self.model, j) {
                    inside = true;
                } else {
                    outside = true;
                }
            }
        }
        (inside, outside)
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

    /// Two children that split a node's plans on household h and its pairs
    /// in `set`: the first excludes h's pairs outside the set (forced as
    /// `forced[0]` says), the second those inside (forced as `forced[1]`).
    fn split(
        &mut self,
        bound: f64,
        excluded: Bits,
        (h, set): (usize, Set),
        [take_forced, leave_forced]: [Bits; 2],
        m: &Multipliers,
    ) -> Evaluated {
        let mut take = excluded.clone();
        let mut leave = excluded;
        for j in self.model.by_household[h].clone() {
            if set.holds(self.model, j) {
                leave.set(j);
            } else {
                take.set(j);
            }
        }
        let a = self.node(bound, take, take_forced, m);
        let b = self.node(bound, leave, leave_forced, m);
        Evaluated::Branch(Box::new([a, b]))
    }

    /// Explores from the root (bound `root_bound` under `root`'s multipliers)
    /// until every subtree is pruned or the budget is spent; sets `lower`.
    pub(super) fn run(&mut self, root_bound: f64, root: &Multipliers) {
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
            if self.nodes >= self.max_nodes || past(self.deadline) {
                self.lower = node.bound.min(stuck).min(self.incumbent.value);
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
        self.lower = stuck.min(self.incumbent.value);
    }

    /// The node's bound under multipliers `m`: the subproblem over the
    /// node's open pairs, with `reduced` (overwritten) its reduced costs.
    fn bound(
        &mut self,
        m: &Multipliers,
        excluded: &Bits,
        forced_rows: &[usize],
        reduced: &mut [f64],
    ) -> (f64, Answer) {
        let model = self.model;
        let shift = self.shift(forced_rows.len());
        m.reduced_costs(model, self.levels, reduced);
        restrict(model, reduced, excluded, forced_rows, shift.per_row);
        let answer = self
            .core
            .solve(model, &self.rows, &self.pinned_unit, reduced);
        let value = m.lagrangian_bound(model, self.levels, reduced, answer.bound, &shift);
        (value, answer)
    }

    /// Re-optimises the node's multipliers, tries its relaxation's plan as
    /// an incumbent, fixes pairs by their dual slack, and branches.
    fn evaluate(&mut self, node: Node) -> Evaluated {
        let model = self.model;
        let Node {
            bound: parent_bound,
            mut excluded,
            mut forced,
            multipliers: mut m,
            ..
        } = node;
        let forced_rows: Vec<usize> = forced.ones().collect();
        // A household forced to take a pair must have one left.
        for &h in &forced_rows {
            if !model.by_household[h]
                .clone()
                .any(|j| self.open(&excluded, j))
            {
                return Evaluated::Pruned;
            }
        }
        let mut best_value = f64::NEG_INFINITY;
        // The best step's plan, reduced costs, assignment duals and multipliers.
        let mut best: Option<Best> = None;
        let mut theta = 1.0;
        let mut since = 0;
        let mut reduced = std::mem::take(&mut self.reduced);
        for _ in 0..NODE_STEPS {
            let (value, answer) = self.bound(&m, &excluded, &forced_rows, &mut reduced);
            let choice = answer.plan(model, &self.rows);
            let improved = value > best_value;
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
            let target = polyak_target(theta, self.incumbent.value, value);
            let moved = m.step(model, self.levels, &choice, target);
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
        let (candidate, v) = lawful_plan(
            model,
            self.districts,
            self.by_cost,
            self.improve_rounds,
            &choice,
            &reduced,
        );
        self.incumbent.offer(v, &candidate);
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
                if !self.open(&excluded, j) {
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
        let usage = Usage::of(model, self.districts, &choice);
        let useful = |h: usize, set: Set| {
            let (yes, no) = self.sides(&excluded, h, set);
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
            if let Some(d) = p.district
                && over_cap(model, d.index(), usage.persons()[d.index()])
            {
                let set = Set::District(d.index());
                if useful(h, set) {
                    consider(&mut pick, h, set, (3, p.persons));
                }
            }
            if usage.building_over(p.building) {
                let set = Set::Building(p.building);
                if useful(h, set) {
                    consider(&mut pick, h, set, (2, p.persons));
                }
            }
            let set = Set::around(p);
            if useful(h, set) {
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
                    .filter(|&j| self.open(&excluded, j))
                    .min_by(by_reduced(&reduced));
                if let Some(j) = cheapest {
                    let p = &model.pairs[j];
                    consider(&mut pick, h, Set::around(p), (0, p.persons));
                }
            }
        }
        let Some((h, set, _)) = pick else {
            return self.terminal(bound, &excluded, &forced_rows, &choice, &multipliers);
        };
        let mut take_forced = forced.clone();
        take_forced.set(h);
        self.split(
            bound,
            excluded,
            (h, set),
            [take_forced, forced],
            &multipliers,
        )
    }
}

/// The reduced costs of a node: its excluded pairs never taken, its forced
/// households' pairs `shift` cheaper. Never touches a pin's pair (a node
/// excludes and forces only households of the assignment's rows), so the
/// pins' reduced costs in [`Multipliers::lagrangian_bound`] stay the
/// multipliers' own.
fn restrict(
    model: &Model,
    reduced: &mut [f64],
    excluded: &Bits,
    forced_rows: &[usize],
    shift: f64,
) {
    for j in excluded.ones() {
        debug_assert!(model.fixed[model.pairs[j].household.index()].is_none());
        reduced[j] = f64::INFINITY;
    }
    for &h in forced_rows {
        debug_assert!(model.fixed[h].is_none());
        for j in model.by_household[h].clone() {
            reduced[j] -= shift;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::solve::optimise::fixtures;
    use crate::solve::optimise::repair::pairs_by_cost;

    /// The empty plan (pins only) as the incumbent.
    fn empty(model: &Model) -> Incumbent {
        Incumbent {
            value: fixtures::value(model, &model.fixed),
            plan: model.fixed.clone(),
        }
    }

    /// A household with at least two pairs, its first pair, and another
    /// household's first pair.
    fn restriction(model: &Model) -> Option<(usize, usize, usize)> {
        let h = (0..model.by_household.len()).find(|&h| model.by_household[h].len() >= 2)?;
        let other =
            (0..model.by_household.len()).find(|&g| g != h && !model.by_household[g].is_empty())?;
        Some((
            h,
            model.by_household[h].start,
            model.by_household[other].start,
        ))
    }

    #[test]
    fn a_node_bound_is_at_most_the_best_plan_of_its_subtree() {
        let mut checked = 0;
        for seed in 1..=12 {
            let model = fixtures::random_model(seed);
            let Some((h, first, other)) = restriction(&model) else {
                continue;
            };
            // The subtree: h housed but not in its first pair, `other` unused.
            let in_subtree = |c: &[Option<usize>]| {
                c[h].is_some() && !c.contains(&Some(first)) && !c.contains(&Some(other))
            };
            let Some((best, _)) = fixtures::optimum(&model, &in_subtree) else {
                continue;
            };
            let mut excluded = Bits::new(model.pairs.len());
            excluded.set(first);
            excluded.set(other);
            let mut forced = Bits::new(model.by_household.len());
            forced.set(h);
            for split in [false, true] {
                let levels = Levels::new(&model, 2, split);
                let by_cost = pairs_by_cost(&model);
                // The incumbent sets the shift M: the bound holds for any.
                for upper in [empty(&model).value, 0.0, -1e6] {
                    let incumbent = Incumbent {
                        value: upper,
                        plan: model.fixed.clone(),
                    };
                    let budget = Budget::default();
                    let mut search =
                        Search::new(&model, 2, &levels, &by_cost, incumbent, 100, &budget);
                    let mut m = Multipliers::zero(&model, 2, &levels);
                    let mut reduced = vec![0.0; model.pairs.len()];
                    for step in 0..15 {
                        let (bound, answer) = search.bound(&m, &excluded, &[h], &mut reduced);
                        assert!(
                            bound <= best + 1e-6,
                            "seed {seed}, step {step}: node bound {bound} above {best}"
                        );
                        let choice = answer.plan(&model, &search.rows);
                        m.step(
                            &model,
                            &levels,
                            &choice,
                            polyak_target(1.0, best + 100.0, bound),
                        );
                    }
                    checked += 1;
                }
            }
        }
        assert!(checked >= 30, "{checked} nodes checked");
    }

    #[test]
    fn evaluating_a_node_never_loses_a_plan_better_than_the_incumbent() {
        let mut kept = 0;
        for seed in 1..=60 {
            let model = fixtures::random_model(seed);
            let Some((h, first, other)) = restriction(&model) else {
                continue;
            };
            let in_subtree = |c: &[Option<usize>]| {
                c[h].is_some() && !c.contains(&Some(first)) && !c.contains(&Some(other))
            };
            let levels = Levels::new(&model, 2, true);
            let by_cost = pairs_by_cost(&model);
            let budget = Budget::default();
            let mut search = Search::new(&model, 2, &levels, &by_cost, empty(&model), 100, &budget);
            let mut excluded = Bits::new(model.pairs.len());
            excluded.set(first);
            excluded.set(other);
            let mut forced = Bits::new(model.by_household.len());
            forced.set(h);
            let m = Multipliers::zero(&model, 2, &levels);
            let node = search.node(f64::NEG_INFINITY, excluded, forced, &m);
            let evaluated = search.evaluate(node);
            // The incumbent may have improved: it is lawful and its value true.
            assert!(fixtures::lawful(&model, &search.incumbent.plan));
            let v = fixtures::value(&model, &search.incumbent.plan);
            assert!((v - search.incumbent.value).abs() < 1e-9);
            // The plans of the node better than the incumbent: each must be
            // in a child (none of its pairs excluded there, every household
            // forced there housed), above none of the bounds.
            let prune_at = search.prune_at();
            let mut better = Vec::new();
            fixtures::every_choice(&model, &mut |c| {
                if fixtures::lawful(&model, c)
                    && in_subtree(c)
                    && fixtures::value(&model, c) < prune_at
                {
                    better.push(c.to_vec());
                }
            });
            let holds = |node: &Node, c: &[Option<usize>]| {
                c.iter().flatten().all(|&j| !node.excluded.get(j))
                    && node.forced.ones().all(|g| c[g].is_some())
            };
            kept += usize::from(!better.is_empty());
            match evaluated {
                Evaluated::Pruned => assert!(better.is_empty(), "seed {seed}"),
                Evaluated::Stuck(bound) => {
                    for c in &better {
                        assert!(bound <= fixtures::value(&model, c) + 1e-6, "seed {seed}");
                    }
                }
                Evaluated::Branch(children) => {
                    for c in &better {
                        let v = fixtures::value(&model, c);
                        assert!(
                            children
                                .iter()
                                .any(|child| holds(child, c) && child.bound <= v + 1e-6),
                            "seed {seed}: plan {c:?} lost"
                        );
                    }
                }
            }
        }
        // Not vacuous: some nodes hold plans better than the incumbent.
        assert!(kept >= 5, "{kept} nodes with better plans");
    }

    #[test]
    fn the_search_finds_the_optimum_by_enumeration_and_proves_it() {
        for seed in 1..=25 {
            let mut model = fixtures::random_model(seed);
            if seed % 4 == 0 {
                model.fixed[2] = Some(model.by_household[2].start);
            }
            let Some((optimum, _)) = fixtures::optimum(&model, &|_| true) else {
                continue;
            };
            let levels = Levels::new(&model, 2, true);
            let by_cost = pairs_by_cost(&model);
            let budget = Budget::default();
            let mut search =
                Search::new(&model, 2, &levels, &by_cost, empty(&model), 10_000, &budget);
            let m = Multipliers::zero(&model, 2, &levels);
            search.run(f64::NEG_INFINITY, &m);
            let found = &search.incumbent;
            assert!(fixtures::lawful(&model, &found.plan), "seed {seed}");
            assert!(
                (found.value - optimum).abs() < 1e-6,
                "seed {seed}: {} vs the optimum {optimum}",
                found.value
            );
            assert!((fixtures::value(&model, &found.plan) - optimum).abs() < 1e-6);
            assert!(search.lower <= optimum + 1e-6, "seed {seed}");
            assert!(search.lower >= optimum - 1e-6, "seed {seed}: gap left open");
        }
    }
}
