//! Pricing: the Lagrange multipliers of the relaxed constraints and what
//! they price — the pairs' reduced costs, the constant part (offset) of the
//! Lagrangian, the projected subgradient step — and the spread levels the
//! engine relaxes ([`Levels`]).
//!
//! Invariants: λ ≥ 0 and β ≥ 0 always, 0 ≤ μ ≤ the level's weight always
//! (the step projects onto these boxes), so every value computed from them
//! is a valid Lagrangian bound; the split levels price every integer plan
//! exactly as the model's own. Nothing here chooses pairs or builds plans.

use super::usage::Usage;
use crate::milp::Model;

/// The spread levels the engine relaxes: the model's levels with every
/// fractional threshold split at the integers around it.
///
/// Persons are whole, so a level `w·max(0, P − L)` with `f < L < f + 1`
/// (`f = ⌊L⌋`) equals, at every integer P, `w(f + 1 − L)·max(0, P − f) +
/// w(L − f)·max(0, P − f − 1)`: the same penalty on every plan, but the
/// convex hull of its integer points, so its relaxation is tighter (a
/// placement of fractional households cannot sit exactly on L).
pub(super) struct Levels {
    pub(super) levels: Vec<crate::milp::SpreadLevel>,
    /// The levels of each district (a range of `levels`).
    pub(super) by_district: Vec<std::ops::Range<usize>>,
}

impl Levels {
    /// The model's levels, split at the integers when `split`.
    pub(super) fn new(model: &Model, districts: usize, split: bool) -> Self {
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
pub(super) struct Multipliers {
    pub(super) lambda: Vec<f64>,
    pub(super) beta: Vec<f64>,
    pub(super) mu: Vec<f64>,
}

impl Multipliers {
    pub(super) fn zero(model: &Model, districts: usize, levels: &Levels) -> Self {
        Self {
            lambda: vec![0.0; districts],
            beta: vec![0.0; model.buildings.len()],
            mu: vec![0.0; levels.levels.len()],
        }
    }

    /// Reduced costs of the pairs under the multipliers.
    pub(super) fn reduced_costs(&self, model: &Model, levels: &Levels, out: &mut [f64]) {
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
    pub(super) fn offset(&self, model: &Model, levels: &Levels) -> f64 {
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

    /// The Lagrangian bound under these multipliers of the plans of a node
    /// (the whole model at the root): `K + assignment + Σ_pinned r_j +
    /// offset + M × forced` (docs/model.md), where `assignment` is the
    /// subproblem's bound over the free rows ([`super::subproblem::Answer`])
    /// with each forced household's pairs lowered by `shift.per_row` (M),
    /// and `reduced` the reduced costs it was solved with.
    ///
    /// The pinned pairs' reduced costs are read from `reduced`: a node
    /// excludes or lowers only pairs of the assignment's rows, never a pin's.
    pub(super) fn lagrangian_bound(
        &self,
        model: &Model,
        levels: &Levels,
        reduced: &[f64],
        assignment: f64,
        shift: &Shift,
    ) -> f64 {
        let pinned: f64 = model.fixed.iter().flatten().map(|&j| reduced[j]).sum();
        model.constant
            + assignment
            + pinned
            + self.offset(model, levels)
            + shift.per_row * shift.rows as f64
    }

    /// One projected subgradient step at the relaxation's answer `choice`,
    /// of length `target / ‖g‖²` (Polyak's rule with `target` = θ × gap,
    /// [`polyak_target`]): each multiplier moves by the step length times its
    /// subgradient (the relaxation's usage of its constraint less the
    /// constraint's bound), then back into its box.
    /// Returns false when no multiplier can move.
    pub(super) fn step(
        &mut self,
        model: &Model,
        levels: &Levels,
        choice: &[Option<usize>],
        target: f64,
    ) -> bool {
        let usage = Usage::of(model, self.lambda.len(), choice);
        let g_building: Vec<f64> = usage
            .building()
            .iter()
            .map(|&n| f64::from(n) - f64::from(model.building_cap))
            .collect();
        let persons: Vec<f64> = usage.persons().iter().map(|&p| f64::from(p)).collect();
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

/// The lowering of a node's forced households' pairs (docs/model.md,
/// "Branch and bound"): `rows` households, each pair of theirs `per_row`
/// cheaper, so `per_row × rows` goes back into the bound.
pub(super) struct Shift {
    pub(super) per_row: f64,
    pub(super) rows: usize,
}

/// No household forced: the whole model's bound.
pub(super) const NO_SHIFT: Shift = Shift {
    per_row: 0.0,
    rows: 0,
};

/// Polyak's step target towards the incumbent: θ × (upper − bound), at
/// least θ × 1e-6.
pub(super) fn polyak_target(theta: f64, upper: f64, bound: f64) -> f64 {
    theta * (upper - bound).max(1e-6)
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{self, P};
    use super::*;

    /// One district (cap 3 persons, levels far away), buildings of one
    /// household: h0 and h1 (2 persons each) in building 0 of the
    /// district, h2 (1 person) in building 1 outside every district.
    fn one_district(thresholds: [f64; 3]) -> Model {
        let pairs: [P; 3] = [
            (0, 0, -100.0, 2, Some(0), 0),
            (1, 1, -100.0, 2, Some(0), 0),
            (2, 2, -50.0, 1, None, 1),
        ];
        fixtures::model(&[3], &[thresholds], 1, 3, &pairs)
    }

    #[test]
    fn the_step_raises_the_multipliers_of_broken_caps_by_target_over_norm() {
        let model = one_district([100.0, 200.0, 300.0]);
        let levels = Levels::new(&model, 1, false);
        let mut m = Multipliers::zero(&model, 1, &levels);
        // 4 persons in a district of cap 3 (g = +1), 2 households in a
        // building of cap 1 (g = +1); building 1 (g = −1) and the spread
        // levels (g < 0) sit at 0 and cannot fall: ‖g‖² = 2.
        assert!(m.step(&model, &levels, &[Some(0), Some(1), None], 3.0));
        assert_eq!(m.lambda, vec![1.5]);
        assert_eq!(m.beta, vec![1.5, 0.0]);
        assert_eq!(m.mu, vec![0.0; 3]);
    }

    #[test]
    fn with_slack_the_multiplier_falls_and_never_below_zero() {
        let model = one_district([100.0, 200.0, 300.0]);
        let levels = Levels::new(&model, 1, false);
        let mut m = Multipliers::zero(&model, 1, &levels);
        m.lambda[0] = 5.0;
        // Nobody in the district: g = 0 − 3 = −3, the only direction that
        // can move, so the step is target / 9 and λ falls by 3 × that.
        let choice = [None, None, Some(2)];
        assert!(m.step(&model, &levels, &choice, 9.0));
        assert_eq!(m.lambda, vec![2.0]);
        assert!(m.step(&model, &levels, &choice, 90.0));
        assert_eq!(m.lambda, vec![0.0]);
        // Every multiplier at 0 with a negative subgradient: none can move.
        assert!(!m.step(&model, &levels, &choice, 90.0));
        assert_eq!(m.lambda, vec![0.0]);
        assert!(m.beta.iter().chain(&m.mu).all(|&x| x == 0.0));
    }

    #[test]
    fn spread_multipliers_stay_within_their_weights() {
        let model = one_district([1.0, 2.0, 3.0]);
        let levels = Levels::new(&model, 1, false);
        let mut m = Multipliers::zero(&model, 1, &levels);
        let choice = [Some(0), Some(1), None];
        // 4 persons: the levels' subgradients are 3, 2, 1; a huge step.
        assert!(m.step(&model, &levels, &choice, 1e9));
        assert_eq!(m.mu, fixtures::WEIGHTS.to_vec());
        // At their weights with positive subgradients the μ cannot move;
        // λ and β still can.
        let lambda = m.lambda[0];
        assert!(m.step(&model, &levels, &choice, 1.0));
        assert_eq!(m.mu, fixtures::WEIGHTS.to_vec());
        assert!(m.lambda[0] > lambda);
    }

    #[test]
    #[allow(clippy::float_cmp)] // exact: small integers and halves
    fn polyak_target_is_theta_times_the_gap_and_never_zero() {
        assert_eq!(polyak_target(0.5, 110.0, 100.0), 5.0);
        assert_eq!(polyak_target(2.0, 100.0, 100.0), 2e-6);
        assert_eq!(polyak_target(2.0, 100.0, 120.0), 2e-6);
    }

    #[test]
    fn split_levels_price_every_integer_count_as_the_model() {
        let model = fixtures::model(
            &[u32::MAX, u32::MAX],
            &[[0.5, 2.25, 3.0], [0.0, 1.999_999_999_9, 7.75]],
            1,
            0,
            &[],
        );
        let split = Levels::new(&model, 2, true);
        // Every threshold is whole (or within 1e-9 of it, then left as it is).
        assert!(
            split
                .levels
                .iter()
                .all(|l| (l.threshold - l.threshold.round()).abs() <= 1e-9)
        );
        assert_eq!(split.levels.len(), 6 + 3);
        for d in 0..2 {
            for persons in 0..12_u32 {
                let price = |levels: &[crate::milp::SpreadLevel]| -> f64 {
                    levels
                        .iter()
                        .filter(|l| l.district.index() == d)
                        .map(|l| l.weight * (f64::from(persons) - l.threshold).max(0.0))
                        .sum()
                };
                let (a, b) = (price(&model.spread), price(&split.levels));
                assert!(
                    (a - b).abs() < 1e-6,
                    "district {d}, {persons} persons: {a} vs {b}"
                );
            }
        }
    }

    /// Two districts (d1 uncapped), three buildings, a pair outside every
    /// district.
    fn two_districts() -> Model {
        let pairs: [P; 5] = [
            (0, 0, -10.0, 3, Some(0), 0),
            (0, 1, -20.0, 3, Some(1), 1),
            (1, 2, -30.0, 2, Some(1), 1),
            (1, 3, -40.0, 2, None, 2),
            (2, 0, -50.0, 1, Some(0), 0),
        ];
        fixtures::model(
            &[6, u32::MAX],
            &[[1.0, 2.0, 4.0], [0.5, 1.5, 2.5]],
            2,
            3,
            &pairs,
        )
    }

    #[test]
    fn reduced_costs_add_the_multipliers_of_the_pairs_rows() {
        let model = two_districts();
        let levels = Levels::new(&model, 2, false);
        let mut m = Multipliers::zero(&model, 2, &levels);
        m.lambda = vec![1.0, 2.0];
        m.beta = vec![0.5, 0.25, 8.0];
        m.mu = vec![3.0, 5.0, 7.0, 11.0, 13.0, 17.0];
        let mut reduced = vec![0.0; model.pairs.len()];
        m.reduced_costs(&model, &levels, &mut reduced);
        // Written out per pair: cost + β_b + persons × (λ_d + Σ_k μ_{d,k}).
        let expected = [
            -10.0 + 0.5 + 3.0 * (1.0 + 3.0 + 5.0 + 7.0),
            -20.0 + 0.25 + 3.0 * (2.0 + 11.0 + 13.0 + 17.0),
            -30.0 + 0.25 + 2.0 * (2.0 + 11.0 + 13.0 + 17.0),
            -40.0 + 8.0,
            -50.0 + 0.5 + (1.0 + 3.0 + 5.0 + 7.0),
        ];
        assert_eq!(reduced, expected);
    }

    #[test]
    fn the_offset_prices_each_constraint_at_its_bound() {
        let model = two_districts();
        let levels = Levels::new(&model, 2, false);
        let mut m = Multipliers::zero(&model, 2, &levels);
        m.lambda = vec![1.0, 2.0];
        m.beta = vec![0.5, 0.25, 8.0];
        m.mu = vec![3.0, 5.0, 7.0, 11.0, 13.0, 17.0];
        // −λ_0·6 (d1 has no cap) − Σβ·2 − Σ μ·L.
        let spread = 3.0 + 5.0 * 2.0 + 7.0 * 4.0 + 11.0 * 0.5 + 13.0 * 1.5 + 17.0 * 2.5;
        let expected = -6.0 - 8.75 * 2.0 - spread;
        assert!((m.offset(&model, &levels) - expected).abs() < 1e-12);
    }

    /// The Lagrangian bound of the whole model under `m`, the assignment
    /// found by enumeration (pinned dwellings closed to the others).
    fn bound_by_enumeration(model: &Model, levels: &Levels, m: &Multipliers) -> f64 {
        let mut reduced = vec![0.0; model.pairs.len()];
        m.reduced_costs(model, levels, &mut reduced);
        let pinned: Vec<usize> = model
            .fixed
            .iter()
            .flatten()
            .map(|&j| model.pairs[j].unit.index())
            .collect();
        let open = |j: usize| !pinned.contains(&model.pairs[j].unit.index());
        let assignment = fixtures::cheapest_assignment(model, &reduced, &open);
        m.lagrangian_bound(model, levels, &reduced, assignment, &NO_SHIFT)
    }

    /// Some multipliers in their boxes, different for every seed.
    fn some_multipliers(model: &Model, levels: &Levels, seed: u32) -> Multipliers {
        let s = f64::from(seed);
        let mut m = Multipliers::zero(model, fixtures::districts(model), levels);
        for (d, l) in m.lambda.iter_mut().enumerate() {
            *l = (s * 37.0 + 53.0 * d as f64) % 90.0;
        }
        for (b, x) in m.beta.iter_mut().enumerate() {
            *x = (s * 71.0 + 29.0 * b as f64) % 400.0;
        }
        for (k, (x, l)) in m.mu.iter_mut().zip(&levels.levels).enumerate() {
            *x = l.weight * (((s + k as f64) * 0.37) % 1.0);
        }
        m
    }

    #[test]
    fn the_lagrangian_bound_is_at_most_the_optimum() {
        for seed in 1..=8_u32 {
            let mut model = fixtures::random_model(u64::from(seed));
            if seed % 3 == 0 {
                // A pin: its pair is fixed, its dwelling closed to the others.
                model.fixed[0] = Some(model.by_household[0].start);
            }
            let Some((optimum, _)) = fixtures::optimum(&model, &|_| true) else {
                continue;
            };
            for split in [false, true] {
                let levels = Levels::new(&model, 2, split);
                let mut tries = vec![Multipliers::zero(&model, 2, &levels)];
                tries.extend((0..6).map(|k| some_multipliers(&model, &levels, seed * 10 + k)));
                for m in &tries {
                    let bound = bound_by_enumeration(&model, &levels, m);
                    assert!(
                        bound <= optimum + 1e-6,
                        "seed {seed}: bound {bound} above the optimum {optimum}"
                    );
                }
            }
        }
    }

    #[test]
    #[allow(clippy::float_cmp)] // exact: small integers and halves
    fn the_lagrangian_bound_is_the_optimum_when_nothing_binds() {
        // Caps and levels far away: at zero multipliers the relaxation is
        // the model, so the bound is its optimum (not merely below it).
        let pairs: [P; 4] = [
            (0, 0, -10.0, 3, Some(0), 0),
            (0, 1, -20.0, 3, Some(0), 1),
            (1, 1, -30.0, 2, Some(0), 1),
            (1, 2, -5.0, 2, None, 2),
        ];
        let model = fixtures::model(&[100], &[[50.0, 60.0, 70.0]], 5, 2, &pairs);
        let levels = Levels::new(&model, 1, false);
        let m = Multipliers::zero(&model, 1, &levels);
        let (optimum, _) = fixtures::optimum(&model, &|_| true).expect("a lawful plan");
        assert_eq!(optimum, 10_000.0 - 40.0);
        assert!((bound_by_enumeration(&model, &levels, &m) - optimum).abs() < 1e-9);
    }

    #[test]
    #[allow(clippy::float_cmp)] // exact: small integers and halves
    fn the_node_shift_is_added_back_whole() {
        let model = two_districts();
        let levels = Levels::new(&model, 2, false);
        let m = Multipliers::zero(&model, 2, &levels);
        let reduced = vec![0.0; model.pairs.len()];
        let shift = Shift {
            per_row: 1000.0,
            rows: 2,
        };
        let with = m.lagrangian_bound(&model, &levels, &reduced, -2050.0, &shift);
        let without = m.lagrangian_bound(&model, &levels, &reduced, -50.0, &NO_SHIFT);
        assert_eq!(with, without);
    }
}
