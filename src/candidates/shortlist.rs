//! The shortlist of a very large scenario: each household keeps its
//! cheapest lawful dwellings ([`Shortlist`]), and each lawful dwelling stays
//! with the few households that lose least by it ([`Cover`]), so that no
//! lawful dwelling is lost to the model.
//!
//! Invariant: the choice depends on the pair costs and ids only (ties by
//! position), never on the thread count.

use crate::ids::{HouseholdId, UnitId};
use crate::model::Inputs;
use crate::rules::{self, Subject};
use crate::scenario::Scenario;
use crate::travel::TravelTimes;
use crate::tuning::{
    PRUNE_TOP_PER_DISTRICT, PRUNE_TOP_PER_HOUSEHOLD, SHORTLIST_ABOVE_PAIRS, Tuning,
};

use super::HouseholdCandidates;

/// Each household's cheapest lawful dwellings in the model's terms
/// ([`cost::pair_cost`]): the `top` cheapest, and up to `top` more
/// from the `per_district` cheapest in each district (the district caps
/// bind, so a household needs alternatives elsewhere), and its pinned
/// dwelling; a household pinned to a district keeps all of that district's
/// (the pin is resolved to one of them). The same heuristic as
/// the model's pruning (`milp`), applied while the candidates are built, so
/// that the other pairs are never stored. Every strategy then chooses from
/// the shortlist, except `fcfs`, which checks the rules as it goes down its
/// waiting list (as an officer would).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shortlist {
    pub top: usize,
    pub per_district: usize,
}

impl Shortlist {
    /// The shortlist for a scenario with this many pairs (those that pass
    /// the rules of the households' profiles, about the lawful pairs), if
    /// any (`tuning.shortlist_top` sets `top` and forces it, for benchmarks).
    #[must_use]
    pub fn for_pairs(pairs: usize, tuning: &Tuning) -> Option<Self> {
        let top = tuning.shortlist_top;
        if pairs <= SHORTLIST_ABOVE_PAIRS && top.is_none() {
            return None;
        }
        Some(Self {
            top: top.unwrap_or(PRUNE_TOP_PER_HOUSEHOLD).max(1),
            per_district: PRUNE_TOP_PER_DISTRICT,
        })
    }

    /// In words, for `summary.json`.
    #[must_use]
    pub fn describe(&self) -> String {
        format!(
            "each household's {} cheapest lawful dwellings kept as candidates, and up to {} more, its {} cheapest in each other district, cheapest first (heuristic)",
            self.top, self.top, self.per_district
        )
    }

    /// Which of one household's lawful dwellings, given with their
    /// [`cost::pair_cost`], make its shortlist (`keep` always).
    /// `slot` numbers a dwelling's district below `slots`.
    pub(super) fn select(
        &self,
        costed: &[(f64, UnitId)],
        (slot, slots): (impl Fn(UnitId) -> usize, usize),
        keep: Option<UnitId>,
    ) -> Vec<bool> {
        let n = costed.len();
        if n <= self.top {
            return vec![true; n];
        }
        let order = |a: &usize, b: &usize| costed[*a].0.total_cmp(&costed[*b].0).then(a.cmp(b));
        let mut kept = vec![false; n];
        let mut index: Vec<usize> = (0..n).collect();
        index.select_nth_unstable_by(self.top - 1, order);
        for &i in &index[..self.top] {
            kept[i] = true;
        }
        // The cheapest few per district, in one pass.
        let mut best: Vec<Vec<usize>> = vec![Vec::new(); slots];
        for (i, &(_, unit)) in costed.iter().enumerate() {
            let list = &mut best[slot(unit)];
            let at = list.partition_point(|j| order(j, &i) == std::cmp::Ordering::Less);
            if at < self.per_district {
                list.insert(at, i);
                list.truncate(self.per_district);
            }
        }
        // The districts' cheapest not yet kept, cheapest first, at most
        // `top` of them (with a thousand districts, two per district would
        // be many times the top).
        let mut extra: Vec<usize> = best.into_iter().flatten().filter(|&i| !kept[i]).collect();
        extra.sort_unstable_by(order);
        for &i in extra.iter().take(self.top) {
            kept[i] = true;
        }
        if let Some(k) = keep
            && let Some(i) = costed.iter().position(|&(_, u)| u == k)
        {
            kept[i] = true;
        }
        kept
    }
}

/// How many households keep each lawful dwelling under a shortlist
/// ([`Cover`]): on xl seed 1, 3 instead of 1 made the objective 0.5 % better
/// and took 5 fewer steps, for 42,000 more pairs.
const COVER: usize = 3;

/// Under a shortlist, each lawful dwelling's [`COVER`] best households: those
/// for which it is the least worse than their own cheapest dwelling (ties:
/// the first household). Households' shortlists are alike (the
/// cheapest dwellings are cheap for many), so without it a dwelling that is
/// in no shortlist would be lost to the model; with it every dwelling that
/// is lawful for a household not pinned to a dwelling is in at least one
/// household's candidates.
pub(super) struct Cover {
    /// Per unit, `COVER` slots, best first: (how much dearer than the
    /// household's cheapest, household).
    best: Vec<Option<(f64, HouseholdId)>>,
}

impl Cover {
    pub(super) fn new(units: usize) -> Self {
        Self {
            best: vec![None; units * COVER],
        }
    }

    pub(super) fn offer(&mut self, unit: UnitId, regret: f64, h: HouseholdId) {
        let slots = &mut self.best[unit.index() * COVER..(unit.index() + 1) * COVER];
        let better = |s: &Option<(f64, HouseholdId)>| {
            s.is_none_or(|(r, k)| regret.total_cmp(&r).then(h.cmp(&k)).is_lt())
        };
        if let Some(at) = slots.iter().position(better) {
            slots[at..].rotate_right(1);
            slots[at] = Some((regret, h));
        }
    }

    pub(super) fn merge(&mut self, other: &Self) {
        for (i, b) in other.best.iter().enumerate() {
            if let Some((r, h)) = *b {
                self.offer(UnitId(crate::ids::to_u32(i / COVER)), r, h);
            }
        }
    }

    /// Adds each dwelling to its best households' candidates where their
    /// shortlists left it out (in unit order, as the rest).
    pub(super) fn apply(
        &self,
        inputs: &Inputs,
        scenario: &Scenario,
        travel: &TravelTimes,
        households: &mut [HouseholdCandidates],
    ) {
        let mut added: Vec<Vec<UnitId>> = vec![Vec::new(); households.len()];
        for (i, b) in self.best.iter().enumerate() {
            if let Some((_, h)) = *b {
                let unit = UnitId(crate::ids::to_u32(i / COVER));
                let c = &households[h.index()];
                if c.permanent.binary_search_by_key(&unit, |o| o.unit).is_err() {
                    added[h.index()].push(unit);
                }
            }
        }
        for ((h, c), units) in inputs.households.iter().zip(households).zip(added) {
            if units.is_empty() {
                continue;
            }
            c.unlisted -= crate::ids::to_u32(units.len());
            c.cover.clone_from(&units);
            c.permanent.extend(units.into_iter().map(|u| {
                rules::permanent_option(
                    &Subject::new(inputs, scenario, travel, h, c.arrival, inputs.unit(u))
                        .on_move_in_day(),
                )
            }));
            c.permanent.sort_unstable_by_key(|o| o.unit);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shortlist's promise, checked by sorting: exactly the `top`
    /// cheapest, the `top` cheapest of the districts' `per_district`
    /// cheapest beyond them, and the pin.
    #[test]
    fn shortlist_keeps_the_cheapest_and_each_districts_best() {
        let mut state = 11_u64;
        let mut next = || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            state >> 33
        };
        for case in 0..200 {
            let n = 1 + (next() % 60) as usize;
            let districts = 1 + (next() % 12) as usize;
            let costed: Vec<(f64, UnitId)> = (0..n)
                .map(|i| {
                    (
                        (next() % 40) as f64 - 20.0,
                        UnitId(crate::ids::to_u32(i) * 3),
                    )
                })
                .collect();
            let district = |u: UnitId| (u.index() * 7 + u.index() / 5) % districts;
            let top = 1 + (next() % 8) as usize;
            let per_district = 1 + (next() % 3) as usize;
            let pin = (next() % 3 == 0).then(|| costed[(next() as usize) % n].1);
            let s = Shortlist { top, per_district };
            let kept = s.select(&costed, (district, districts), pin);
            assert_eq!(kept.len(), n);
            // Ranks by (cost, position), overall and within the district.
            let rank = |i: usize, within: bool| {
                (0..n)
                    .filter(|&k| !within || district(costed[k].1) == district(costed[i].1))
                    .filter(|&k| (costed[k].0, k) < (costed[i].0, i))
                    .count()
            };
            let in_top = |i: usize| n <= top || rank(i, false) < top;
            // The districts' best beyond the top, cheapest first: the first
            // `top` of them are kept, the rest only as the pin.
            let mut bests: Vec<usize> = (0..n)
                .filter(|&i| !in_top(i) && rank(i, true) < per_district)
                .collect();
            bests.sort_by(|&a, &b| {
                (costed[a].0, a)
                    .partial_cmp(&(costed[b].0, b))
                    .expect("finite")
            });
            for i in 0..n {
                let expected = in_top(i)
                    || bests.iter().position(|&k| k == i).is_some_and(|p| p < top)
                    || Some(costed[i].1) == pin;
                assert_eq!(kept[i], expected, "case {case}: dwelling {i}");
            }
            if let Some(p) = pin {
                let i = costed.iter().position(|&(_, u)| u == p).expect("a pin");
                assert!(kept[i], "case {case}: the pin left out");
            }
        }
    }
}
