//! The nodes of the branch and bound ([`super`]): a [`Node`] is a
//! set of plans (some pairs excluded, some households forced to take one of
//! their other pairs) with a bound valid for all of them, ordered for a
//! best-first min-heap; a [`Set`] is the pairs of a household a branch splits
//! on; [`Evaluated`] is what evaluating a node gives.
//!
//! Invariants: nodes are ordered by bound, ties by creation (a total,
//! deterministic order); a node's bound never falls below its parent's.

use std::cmp::Ordering;

use super::bits::Bits;
use crate::milp::{Model, Pair};
use crate::solve::optimise::multipliers::Multipliers;
use crate::solve::optimise::subproblem::Answer;

/// A subtree of the search: the plans that use none of the `excluded`
/// pairs and give every `forced` household one of its other pairs. Its
/// `bound` holds for all of them (its parent's, until it is evaluated).
pub(super) struct Node {
    pub(super) bound: f64,
    pub(super) id: usize,
    pub(super) excluded: Bits,
    pub(super) forced: Bits,
    pub(super) multipliers: Multipliers,
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
pub(super) type Best = (Vec<Option<usize>>, Vec<f64>, Answer, Multipliers);

/// What evaluating a node gives.
pub(super) enum Evaluated {
    /// No plan of the subtree beats the incumbent.
    Pruned,
    /// Two subtrees that together hold every plan of the node.
    Branch(Box<[Node; 2]>),
    /// Nothing left to branch on, and the bound does not prove the subtree:
    /// its bound stays open.
    Stuck(f64),
}

/// The pairs of a household a branch splits on.
#[derive(Clone, Copy)]
pub(super) enum Set {
    District(usize),
    Building(usize),
}

impl Set {
    /// The pairs of the pair's district (of its building, outside every
    /// district).
    pub(super) fn around(p: &Pair) -> Self {
        p.district
            .map_or(Set::Building(p.building), |d| Set::District(d.index()))
    }

    pub(super) fn holds(self, model: &Model, j: usize) -> bool {
        let p = &model.pairs[j];
        match self {
            Set::District(d) => p.district.is_some_and(|x| x.index() == d),
            Set::Building(b) => p.building == b,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::solve::optimise::fixtures::{self, P};
    use crate::solve::optimise::multipliers::Levels;

    #[test]
    fn the_heap_gives_the_least_bound_first_ties_by_creation() {
        let model = fixtures::model(&[4], &[[1.0, 2.0, 3.0]], 1, 0, &[]);
        let levels = Levels::new(&model, 1, false);
        let m = Multipliers::zero(&model, 1, &levels);
        let node = |bound, id| Node {
            bound,
            id,
            excluded: Bits::new(0),
            forced: Bits::new(0),
            multipliers: m.clone(),
        };
        let mut heap = std::collections::BinaryHeap::new();
        for (bound, id) in [(3.0, 1), (1.0, 2), (2.0, 3), (1.0, 4), (-5.0, 5)] {
            heap.push(node(bound, id));
        }
        let order: Vec<usize> = std::iter::from_fn(|| heap.pop().map(|n| n.id)).collect();
        assert_eq!(order, vec![5, 2, 4, 3, 1]);
    }

    #[test]
    fn a_set_holds_the_pairs_of_its_district_or_building() {
        let pairs: [P; 3] = [
            (0, 0, -1.0, 1, Some(0), 0),
            (0, 1, -1.0, 1, Some(1), 0),
            (0, 2, -1.0, 1, None, 1),
        ];
        let model = fixtures::model(&[9, 9], &[[1.0, 2.0, 3.0]; 2], 1, 1, &pairs);
        let holds = |set: Set| (0..3).filter(|&j| set.holds(&model, j)).collect::<Vec<_>>();
        assert_eq!(holds(Set::District(0)), vec![0]);
        assert_eq!(holds(Set::Building(0)), vec![0, 1]);
        assert_eq!(holds(Set::around(&model.pairs[1])), vec![1]);
        assert_eq!(holds(Set::around(&model.pairs[2])), vec![2]);
    }
}
