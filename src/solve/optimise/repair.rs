//! The primal side: [`repair`] makes the relaxation's choice lawful (drop
//! what breaks a cap, least valuable first; refill greedily by reduced
//! cost), [`improve`] is the local search that follows, and [`ByCost`]
//! ([`pairs_by_cost`]) the households' pairs in order of cost that the local
//! search reads.
//!
//! Invariants: pinned pairs are always kept; every choice returned keeps one
//! dwelling per household, one household per dwelling, and every district
//! and building cap (given a lawful start for `improve`); a pair is only ever
//! added when it lowers the objective. Deterministic: ties by pair index.

use super::by_reduced;
use super::usage::{Usage, over_cap};
use crate::milp::Model;
use crate::rules::occupancy::room_in_building;

/// Makes a choice lawful: keeps pins, drops the pairs that break a district
/// or building cap (the least valuable first), then refills greedily in order
/// of reduced cost.
pub(super) fn repair(
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
    rest.sort_unstable_by(by_reduced(reduced));
    for j in rest {
        let h = model.pairs[j].household.index();
        if chosen[h].is_none() && usage.fits(model, j) && usage.gain(model, j) < 0.0 {
            usage.add(model, j);
            chosen[h] = Some(j);
        }
    }
    chosen
}

/// The relaxation's `choice` made lawful ([`repair`], guided by its
/// `reduced` costs) and improved by `rounds` of local search ([`improve`]),
/// with its objective: a candidate incumbent.
pub(super) fn lawful_plan(
    model: &Model,
    districts: usize,
    by_cost: &ByCost,
    rounds: usize,
    choice: &[Option<usize>],
    reduced: &[f64],
) -> (Vec<Option<usize>>, f64) {
    let mut candidate = repair(model, districts, choice, reduced);
    improve(model, districts, by_cost, rounds, &mut candidate);
    let v = objective_of(model, districts, &candidate);
    (candidate, v)
}

/// The objective of a choice (one pair or none per household).
pub(super) fn objective_of(model: &Model, districts: usize, chosen: &[Option<usize>]) -> f64 {
    let list: Vec<usize> = chosen.iter().flatten().copied().collect();
    model.objective(&list, districts)
}

/// Local search: move a household to a better free dwelling, or give a
/// household without a home one that lowers the objective; repeat while
/// anything improves.
pub(super) fn improve(
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
                if usage.dwelling()[by_cost.unit[k] as usize]
                    || !room_in_building(
                        usage.building()[by_cost.building[k] as usize],
                        model.building_cap,
                    )
                {
                    continue;
                }
                let d = by_cost.district[k];
                let spread = if d == u32::MAX {
                    0.0
                } else {
                    let now = usage.persons()[d as usize];
                    if over_cap(model, d as usize, now + persons) {
                        continue;
                    }
                    model.spread_marginal(crate::ids::DistrictId(d), now, persons)
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
pub(super) struct ByCost {
    pair: Vec<usize>,
    unit: Vec<u32>,
    cost: Vec<f64>,
    building: Vec<u32>,
    /// `u32::MAX`: outside every district.
    district: Vec<u32>,
}

pub(super) fn pairs_by_cost(model: &Model) -> ByCost {
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

#[cfg(test)]
mod tests {
    use super::super::fixtures::{self, P};
    use super::*;

    /// District 0 takes 4 persons, district 1 has no cap, every building one
    /// household, spread levels far away. h0, h1, h2 (2 persons each) in
    /// district 0, h2 also with a dearer dwelling in district 1; h3 and h4
    /// in the same building 3; h5 alone.
    fn crowded() -> Model {
        let far = [100.0, 200.0, 300.0];
        let pairs: [P; 7] = [
            (0, 0, -100.0, 2, Some(0), 0),
            (1, 1, -90.0, 2, Some(0), 1),
            (2, 2, -80.0, 2, Some(0), 2),
            (2, 7, -10.0, 2, Some(1), 5),
            (3, 3, -70.0, 1, Some(1), 3),
            (4, 4, -60.0, 1, Some(1), 3),
            (5, 5, -50.0, 1, Some(1), 4),
        ];
        fixtures::model(&[4, u32::MAX], &[far, far], 1, 6, &pairs)
    }

    /// Breaks district 0's cap (6 persons) and building 3's (2 households).
    const BROKEN: [Option<usize>; 6] = [Some(0), Some(1), Some(2), Some(4), Some(5), Some(6)];

    fn costs(model: &Model) -> Vec<f64> {
        model.pairs.iter().map(|p| p.cost).collect()
    }

    #[test]
    fn repair_keeps_every_cap_and_drops_only_what_it_must() {
        let model = crowded();
        assert!(!fixtures::lawful(&model, &BROKEN));
        let repaired = repair(&model, 2, &BROKEN, &costs(&model));
        assert!(fixtures::lawful(&model, &repaired), "{repaired:?}");
        // h2, the least valuable in district 0, moves to its other
        // dwelling; h4, the least valuable in building 3, has none left.
        // Everybody else keeps the home they had.
        assert_eq!(
            repaired,
            vec![Some(0), Some(1), Some(3), Some(4), None, Some(6)]
        );
    }

    #[test]
    fn repair_keeps_pins_first() {
        let mut model = crowded();
        // h4's home is pinned: h3 gives way in building 3.
        model.fixed[4] = Some(5);
        let repaired = repair(&model, 2, &BROKEN, &costs(&model));
        assert!(fixtures::lawful(&model, &repaired));
        assert_eq!(
            repaired,
            vec![Some(0), Some(1), Some(3), None, Some(5), Some(6)]
        );
    }

    #[test]
    fn repair_does_not_add_a_pair_that_does_not_pay() {
        // One person costs −40, the spread level from 0 persons +50: the home
        // raises the objective, so the lawful plan leaves it out.
        let pairs: [P; 1] = [(0, 0, -40.0, 1, Some(0), 0)];
        let model = fixtures::model(&[9], &[[0.0, 5.0, 6.0]], 1, 1, &pairs);
        assert_eq!(repair(&model, 1, &[Some(0)], &[-40.0]), vec![None]);
        assert_eq!(repair(&model, 1, &[None], &[-40.0]), vec![None]);
    }

    #[test]
    fn repair_refills_by_reduced_cost() {
        // Two households want the one dwelling of building 0 (cap 1); the
        // choice gives it to nobody; the refill goes by reduced cost, not cost.
        let far = [100.0, 200.0, 300.0];
        let pairs: [P; 2] = [(0, 0, -100.0, 1, None, 0), (1, 1, -50.0, 1, None, 0)];
        let model = fixtures::model(&[9], &[far], 1, 2, &pairs);
        assert_eq!(
            repair(&model, 1, &[None, None], &[-1.0, -2.0]),
            vec![None, Some(1)]
        );
        assert_eq!(
            repair(&model, 1, &[None, None], &[-2.0, -1.0]),
            vec![Some(0), None]
        );
    }

    #[test]
    fn improve_moves_to_better_free_dwellings_and_keeps_the_caps() {
        // h0 sits in its dearest dwelling; its cheapest is in building 1,
        // full with h1 (cap 1); the middle one in building 2 is free.
        let far = [100.0, 200.0, 300.0];
        let pairs: [P; 5] = [
            (0, 0, -10.0, 1, None, 0),
            (0, 1, -50.0, 1, None, 1),
            (0, 2, -30.0, 1, None, 2),
            (1, 3, -20.0, 1, None, 1),
            (2, 4, -5.0, 1, None, 3),
        ];
        let model = fixtures::model(&[9], &[far], 1, 3, &pairs);
        let by_cost = pairs_by_cost(&model);
        let mut chosen = vec![Some(0), Some(3), None];
        let before = fixtures::value(&model, &chosen);
        improve(&model, 1, &by_cost, 5, &mut chosen);
        assert!(fixtures::lawful(&model, &chosen));
        // h0 to the free building, h2 given a home that pays.
        assert_eq!(chosen, vec![Some(2), Some(3), Some(4)]);
        assert!(fixtures::value(&model, &chosen) < before);
    }

    #[test]
    fn improve_never_moves_a_pin() {
        let far = [100.0, 200.0, 300.0];
        let pairs: [P; 2] = [(0, 0, -10.0, 1, None, 0), (0, 1, -50.0, 1, None, 1)];
        let mut model = fixtures::model(&[9], &[far], 1, 1, &pairs);
        model.fixed[0] = Some(0);
        let mut chosen = vec![Some(0)];
        improve(&model, 1, &pairs_by_cost(&model), 5, &mut chosen);
        assert_eq!(chosen, vec![Some(0)]);
    }

    #[test]
    fn repaired_and_improved_random_plans_are_lawful_and_never_worse_than_empty() {
        for seed in 1..=20 {
            let model = fixtures::random_model(seed);
            let by_cost = pairs_by_cost(&model);
            // Everybody in their cheapest pair: caps broken at will.
            let greedy: Vec<Option<usize>> = model
                .by_household
                .iter()
                .map(|r| {
                    r.clone()
                        .min_by(|&a, &b| model.pairs[a].cost.total_cmp(&model.pairs[b].cost))
                })
                .collect();
            let (plan, v) = lawful_plan(&model, 2, &by_cost, 5, &greedy, &costs(&model));
            assert!(fixtures::lawful(&model, &plan), "seed {seed}: {plan:?}");
            assert!((v - fixtures::value(&model, &plan)).abs() < 1e-9);
            let empty = vec![None; model.by_household.len()];
            assert!(v <= fixtures::value(&model, &empty));
        }
    }

    #[test]
    fn by_cost_lists_each_households_pairs_cheapest_first() {
        let pairs: [P; 5] = [
            (0, 3, -10.0, 1, Some(0), 2),
            (0, 1, -30.0, 1, None, 1),
            (0, 2, -30.0, 1, Some(0), 0),
            (1, 0, 5.0, 2, None, 0),
            (1, 4, -1.0, 2, Some(0), 1),
        ];
        let model = fixtures::model(&[9], &[[1.0, 2.0, 3.0]], 1, 2, &pairs);
        let b = pairs_by_cost(&model);
        assert_eq!(b.pair, vec![1, 2, 0, 4, 3]);
        assert_eq!(b.cost, vec![-30.0, -30.0, -10.0, -1.0, 5.0]);
        assert_eq!(b.unit, vec![1, 2, 3, 4, 0]);
        assert_eq!(b.building, vec![1, 0, 2, 1, 0]);
        assert_eq!(b.district, vec![u32::MAX, 0, 0, 0, u32::MAX]);
    }
}
