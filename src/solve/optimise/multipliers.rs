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
            .building
            .iter()
            .map(|&n| f64::from(n) - f64::from(model.building_cap))
            .collect();
        let persons: Vec<f64> = usage.persons.iter().map(|&p| f64::from(p)).collect();
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
