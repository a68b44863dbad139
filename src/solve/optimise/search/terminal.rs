//! The terminal nodes of the branch and bound: nothing left to branch on
//! over the districts, so the persons per district are the same in every
//! plan of the node and the spread penalty is a constant, priced exactly by
//! known multipliers.
//!
//! Invariants: the node's bound only rises (the better of the node's and the
//! exact pricing's); its plan becomes the incumbent only if it keeps every
//! cap (checked pair by pair); a node is split only on a building its plan
//! overfills, into children that together hold every plan of the node.

use super::Search;
use super::bits::Bits;
use super::node::{Evaluated, Set};
use crate::solve::optimise::multipliers::Multipliers;
use crate::solve::optimise::repair::objective_of;
use crate::solve::optimise::usage::{Usage, over_cap};

impl Search<'_> {
    /// A node with nothing left to branch on on the districts: every
    /// household of its plans is forced into one district or has no pair
    /// left, so the persons per district are the same in all of them. The
    /// spread penalty is then a constant, and the multipliers that price it
    /// exactly are known: λ = 0, μ_k = w_k where the persons exceed level k's
    /// threshold, else 0. One assignment under them (keeping β) bounds the
    /// node; if its plan keeps the building caps, it is the node's optimum.
    /// If it breaks one, the node branches on that building.
    pub(super) fn terminal(
        &mut self,
        bound: f64,
        excluded: &Bits,
        forced_rows: &[usize],
        choice: &[Option<usize>],
        multipliers: &Multipliers,
    ) -> Evaluated {
        let model = self.model;
        let persons = Usage::of(model, self.districts, choice).persons().to_vec();
        if persons
            .iter()
            .enumerate()
            .any(|(d, &p)| over_cap(model, d, p))
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
        let (value, answer) = self.bound(&m, excluded, forced_rows, &mut reduced);
        self.reduced = reduced;
        let bound = bound.max(value);
        let exact = answer.plan(model, &self.rows);
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
            self.incumbent.offer(v, &exact);
        }
        if bound >= self.prune_at() {
            return Evaluated::Pruned;
        }
        // A building over its cap: split a household of it on the building.
        for &h in &self.rows {
            let Some(j) = exact[h] else { continue };
            let b = model.pairs[j].building;
            if !usage.building_over(b) {
                continue;
            }
            let set = Set::Building(b);
            if self.sides(excluded, h, set) == (true, true) {
                let mut forced = Bits::new(model.by_household.len());
                for &f in forced_rows {
                    forced.set(f);
                }
                return self.split(
                    bound,
                    excluded.clone(),
                    (h, set),
                    [forced.clone(), forced],
                    &m,
                );
            }
        }
        Evaluated::Stuck(bound)
    }
}

#[cfg(test)]
mod tests {
    use super::super::Budget;
    use super::*;
    use crate::milp::Model;
    use crate::solve::optimise::Incumbent;
    use crate::solve::optimise::fixtures::{self, P};
    use crate::solve::optimise::multipliers::Levels;
    use crate::solve::optimise::repair::pairs_by_cost;

    /// Two households of 2 persons, both forced into district 0 (4 persons
    /// in every plan of the node); their cheapest dwellings share building 0
    /// (cap 1). The best plan gives building 0 to h1 (−450) and h0 its
    /// second (−400).
    fn forced_pair() -> Model {
        let pairs: [P; 4] = [
            (0, 0, -500.0, 2, Some(0), 0),
            (0, 1, -400.0, 2, Some(0), 1),
            (1, 2, -450.0, 2, Some(0), 0),
            (1, 3, -300.0, 2, Some(0), 2),
        ];
        fixtures::model(&[10], &[[1.0, 2.0, 3.0]], 1, 2, &pairs)
    }

    /// Runs the terminal step of the node "both housed" with `beta` on
    /// building 0, from the relaxation's plan of both in building 0.
    fn terminal_of(model: &Model, beta: f64) -> (Evaluated, Incumbent, f64) {
        let (optimum, best) =
            fixtures::optimum(model, &|c| c.iter().all(Option::is_some)).expect("a lawful plan");
        assert_eq!(best, vec![Some(1), Some(2)]);
        let levels = Levels::new(model, 1, false);
        let by_cost = pairs_by_cost(model);
        let budget = Budget::default();
        let empty = Incumbent {
            value: fixtures::value(model, &[None, None]),
            plan: vec![None, None],
        };
        let mut search = Search::new(model, 1, &levels, &by_cost, empty, 100, &budget);
        let mut m = Multipliers::zero(model, 1, &levels);
        m.beta[0] = beta;
        let excluded = Bits::new(model.pairs.len());
        let relaxed = [Some(0), Some(2)];
        let evaluated = search.terminal(f64::NEG_INFINITY, &excluded, &[0, 1], &relaxed, &m);
        (evaluated, search.incumbent, optimum)
    }

    #[test]
    fn a_terminal_node_splits_on_an_overfull_building_and_keeps_the_optimum() {
        let model = forced_pair();
        let (evaluated, _, optimum) = terminal_of(&model, 0.0);
        let Evaluated::Branch(children) = evaluated else {
            panic!("the exact pricing puts both in building 0: a split");
        };
        // h0 inside building 0 (its other pair excluded), or outside it.
        let [inside, outside] = &*children;
        assert!(inside.excluded.get(1) && !inside.excluded.get(0));
        assert!(outside.excluded.get(0) && !outside.excluded.get(1));
        assert!(inside.forced.get(0) && inside.forced.get(1));
        for child in children.iter() {
            assert!(child.bound <= optimum + 1e-9);
        }
        // The best plan (h0 in dwelling 1) lives on in the second child.
        assert!(!outside.excluded.get(2));
    }

    #[test]
    fn a_terminal_nodes_lawful_plan_becomes_the_incumbent() {
        let model = forced_pair();
        // β = 200 on building 0: the exact pricing's plan leaves it empty
        // (h0 in 1, h1 in 3), lawful, so it is offered as the incumbent.
        let (evaluated, incumbent, optimum) = terminal_of(&model, 200.0);
        assert_eq!(incumbent.plan, vec![Some(1), Some(3)]);
        assert!(fixtures::lawful(&model, &incumbent.plan));
        assert!((incumbent.value - fixtures::value(&model, &incumbent.plan)).abs() < 1e-9);
        let Evaluated::Stuck(bound) = evaluated else {
            panic!("a lawful plan above the bound: the node stays open");
        };
        assert!(bound <= optimum + 1e-9);
    }
}
