//! The optimising engine: Lagrangian relaxation of the model in
//! [`crate::milp`], with a primal heuristic, giving a plan, a proven lower
//! bound and the gap between them.
//!
//! Every constraint but "at most one dwelling per household" (and the pins)
//! is moved into the objective with a multiplier: one per dwelling (ν),
//! district cap (λ), building cap (β) and spread level (μ, at most the level's
//! weight). What remains splits into one tiny problem per household — take
//! the pair with the most negative reduced cost, or none — whose value is a
//! lower bound on the optimum for any multipliers (weak duality). Subgradient
//! steps (Polyak's rule towards the best plan found) raise the bound. Every
//! few steps a greedy pass over the pairs in order of reduced cost, obeying
//! every constraint, followed by a local search, gives a lawful plan; the best
//! one is kept. The household subproblem has the integrality property, so
//! the best bound reachable is the LP relaxation's.

use std::time::Instant;

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
}

impl Default for Budget {
    fn default() -> Self {
        Self {
            deadline: None,
            max_iterations: 3000,
            target_gap: 1e-9,
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

/// Relative gap between an objective and a lower bound.
#[must_use]
pub fn relative_gap(objective: f64, bound: f64) -> f64 {
    ((objective - bound) / objective.abs().max(1.0)).max(0.0)
}

/// Multipliers of the relaxed constraints.
struct Multipliers {
    dwelling: Vec<f64>,
    district: Vec<f64>,
    building: Vec<f64>,
    spread: Vec<f64>,
}

/// Solves the model; `start` is a lawful choice to improve on (e.g. the
/// greedy plan's).
#[must_use]
pub fn solve(
    model: &Model,
    districts: usize,
    start: &[Option<usize>],
    budget: &Budget,
) -> Solution {
    let households = model.by_household.len();
    let mut best = start.to_vec();
    improve(model, districts, &mut best);
    let mut upper = objective_of(model, districts, &best);
    let mut lower = f64::NEG_INFINITY;
    let mut m = Multipliers {
        dwelling: vec![0.0; model.unit_count],
        district: vec![0.0; districts],
        building: vec![0.0; model.buildings.len()],
        spread: vec![0.0; model.spread.len()],
    };
    let mut theta = 2.0;
    let mut since_improvement = 0;
    let mut iterations = 0;
    let mut reduced = vec![0.0; model.pairs.len()];
    let mut choice: Vec<Option<usize>> = vec![None; households];
    while iterations < budget.max_iterations {
        iterations += 1;
        // Reduced costs and the household subproblems.
        for (j, p) in model.pairs.iter().enumerate() {
            let mut r = p.cost + m.dwelling[p.unit.index()] + m.building[p.building];
            if let Some(d) = p.district {
                let k = d.index() * 3;
                let per_person =
                    m.district[d.index()] + m.spread[k] + m.spread[k + 1] + m.spread[k + 2];
                r += f64::from(p.persons) * per_person;
            }
            reduced[j] = r;
        }
        let mut value = model.constant;
        for (h, range) in model.by_household.iter().enumerate() {
            choice[h] = match model.fixed[h] {
                Some(j) => Some(j),
                None => range
                    .clone()
                    .filter(|&j| reduced[j] < 0.0)
                    .min_by(|&a, &b| reduced[a].total_cmp(&reduced[b]).then(a.cmp(&b))),
            };
            if let Some(j) = choice[h] {
                value += reduced[j];
            }
        }
        value -= m.dwelling.iter().sum::<f64>();
        value -= m
            .district
            .iter()
            .zip(&model.district_cap)
            .map(|(l, &cap)| {
                if cap == u32::MAX {
                    0.0
                } else {
                    l * f64::from(cap)
                }
            })
            .sum::<f64>();
        value -= m.building.iter().sum::<f64>() * f64::from(model.building_cap);
        value -= m
            .spread
            .iter()
            .zip(&model.spread)
            .map(|(mu, l)| mu * l.threshold)
            .sum::<f64>();
        if value > lower + 1e-9 * value.abs().max(1.0) {
            lower = value;
            since_improvement = 0;
        } else {
            since_improvement += 1;
        }
        // A lawful plan from the reduced costs, now and then.
        if iterations % 10 == 1 {
            let mut candidate = greedy_by(model, districts, &reduced);
            improve(model, districts, &mut candidate);
            let v = objective_of(model, districts, &candidate);
            if v < upper - 1e-9 {
                upper = v;
                best = candidate;
            }
        }
        let gap = relative_gap(upper, lower);
        let out_of_time = budget.deadline.is_some_and(|d| Instant::now() >= d);
        if gap <= budget.target_gap || out_of_time {
            break;
        }
        if since_improvement >= 25 {
            theta /= 2.0;
            since_improvement = 0;
            if theta < 1e-5 {
                break;
            }
        }
        // Subgradients of the relaxed constraints at the subproblem's answer.
        let mut g_dwelling = vec![-1.0; model.unit_count];
        let mut g_building = vec![-f64::from(model.building_cap); model.buildings.len()];
        let mut persons = vec![0.0; districts];
        for j in choice.iter().flatten() {
            let p = &model.pairs[*j];
            g_dwelling[p.unit.index()] += 1.0;
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
        // Only directions that can move count (a multiplier at 0 with a
        // negative subgradient stays at 0).
        let norm = |g: &[f64], x: &[f64]| -> f64 {
            g.iter()
                .zip(x)
                .filter(|(gi, xi)| **gi > 0.0 || **xi > 0.0)
                .map(|(gi, _)| gi * gi)
                .sum::<f64>()
        };
        let norm2 = norm(&g_dwelling, &m.dwelling)
            + norm(&g_district, &m.district)
            + norm(&g_building, &m.building)
            + norm(&g_spread, &m.spread);
        if norm2 == 0.0 {
            // The relaxed answer is lawful and complementary: it is optimal.
            let mut candidate = choice.clone();
            improve(model, districts, &mut candidate);
            let v = objective_of(model, districts, &candidate);
            if v < upper {
                upper = v;
                best = candidate;
            }
            break;
        }
        let step = theta * (upper - lower).max(1e-6) / norm2;
        let update = |x: &mut [f64], g: &[f64], cap: &dyn Fn(usize) -> f64| {
            for (i, (xi, gi)) in x.iter_mut().zip(g).enumerate() {
                *xi = (*xi + step * gi).clamp(0.0, cap(i));
            }
        };
        update(&mut m.dwelling, &g_dwelling, &|_| f64::INFINITY);
        update(&mut m.district, &g_district, &|_| f64::INFINITY);
        update(&mut m.building, &g_building, &|_| f64::INFINITY);
        let weights: Vec<f64> = model.spread.iter().map(|l| l.weight).collect();
        update(&mut m.spread, &g_spread, &|i| weights[i]);
    }
    Solution {
        objective: upper,
        bound: lower.min(upper),
        chosen: best,
        iterations,
    }
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

/// A lawful choice: pins first, then pairs in order of `key`, each taken if
/// its household is free, it fits and it lowers the objective.
fn greedy_by(model: &Model, districts: usize, key: &[f64]) -> Vec<Option<usize>> {
    let mut chosen: Vec<Option<usize>> = model.fixed.clone();
    let mut usage = Usage::of(model, districts, &chosen);
    let mut order: Vec<usize> = (0..model.pairs.len()).collect();
    order.sort_by(|&a, &b| key[a].total_cmp(&key[b]).then(a.cmp(&b)));
    for j in order {
        let h = model.pairs[j].household.index();
        if chosen[h].is_none() && usage.fits(model, j) && usage.gain(model, j) < 0.0 {
            usage.add(model, j);
            chosen[h] = Some(j);
        }
    }
    chosen
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
