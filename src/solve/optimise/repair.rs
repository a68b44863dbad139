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
                if usage.dwelling[by_cost.unit[k] as usize]
                    || usage.building[by_cost.building[k] as usize] >= model.building_cap
                {
                    continue;
                }
                let d = by_cost.district[k];
                let spread = if d == u32::MAX {
                    0.0
                } else {
                    let now = usage.persons[d as usize];
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
