//! The Lagrangian subproblem: households (rows) to free dwellings by
//! reduced cost, an assignment solved exactly on a small core of each
//! household's pairs ([`Core`]) and priced over all of them, with the duals
//! behind its bound ([`Answer`]).
//!
//! Invariants: `Answer::bound` is always a valid lower bound on the
//! cheapest assignment over *all* the rows' open pairs (weak duality),
//! whatever the core; the answer's choice uses only open pairs (negative
//! reduced cost, dwelling not pinned), at most one per row and per dwelling.
//! Deterministic: ties by pair index.

use super::{by_reduced, tolerance};
use crate::milp::Model;
use crate::solve::assignment::{self, Sparse};

/// The Lagrangian subproblem's answer.
pub(super) struct Answer {
    /// The pair each row takes, in the order of the rows asked for.
    pub(super) choice: Vec<Option<usize>>,
    /// A lower bound on the cheapest assignment of the rows over *all* their
    /// pairs (equal to it when pricing found nothing the core missed).
    pub(super) bound: f64,
    /// The dual prices behind `bound`: per dwelling (`p_u ≤ 0`) and per row
    /// (`min(0, min_j (r_j − p_u(j)))` over the row's open pairs). Every open
    /// pair's dual slack `r_j − p_u − row` is ≥ 0, and any assignment using
    /// pair j costs at least `bound` + its slack (see [`super::search::Search`]).
    pub(super) prices: Vec<f64>,
    pub(super) row_dual: Vec<f64>,
}

impl Answer {
    /// The relaxation's plan: the pins, and each row's pair; `rows` are the
    /// households the subproblem was solved for, in its order.
    pub(super) fn plan(&self, model: &Model, rows: &[usize]) -> Vec<Option<usize>> {
        let mut plan = model.fixed.clone();
        for (row, j) in self.choice.iter().enumerate() {
            plan[rows[row]] = *j;
        }
        plan
    }
}

/// The dwellings of the pins: closed to the assignment (their households
/// are fixed outside it).
pub(super) fn pinned_units(model: &Model) -> Vec<bool> {
    let mut pinned = vec![false; model.unit_count];
    for j in model.fixed.iter().flatten() {
        pinned[model.pairs[*j].unit.index()] = true;
    }
    pinned
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
pub(super) struct Core {
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
    pub(super) solves: usize,
    pub(super) rows_scanned: usize,
    pub(super) priced: usize,
}

impl Core {
    pub(super) fn new(model: &Model, k: usize, rounds: usize) -> Self {
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

    pub(super) fn solve(
        &mut self,
        model: &Model,
        rows: &[usize],
        used: &[bool],
        reduced: &[f64],
    ) -> Answer {
        let open = |j: usize| reduced[j] < 0.0 && !used[model.pairs[j].unit.index()];
        let by_cost = by_reduced(reduced);
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
                    self.row.select_nth_unstable_by(self.k - 1, &by_cost);
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
                let margin = tolerance(core_dual);
                if full < core_dual - margin {
                    missed = true;
                    self.row.clear();
                    self.row
                        .extend(range.filter(|&j| open(j) && price(j) < core_dual - margin));
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

#[cfg(test)]
mod tests {
    use super::super::fixtures;
    use super::*;

    /// Reduced costs that differ from the costs, some positive.
    fn some_reduced(model: &Model, seed: u64) -> Vec<f64> {
        model
            .pairs
            .iter()
            .enumerate()
            .map(|(j, p)| p.cost + ((seed * 131 + j as u64 * 97) % 700) as f64)
            .collect()
    }

    /// What the answer's choice costs, after checking that it is an
    /// assignment of open pairs: each row one of its own pairs or none, no
    /// dwelling twice, no pinned dwelling, no pair of positive reduced cost.
    fn checked_total(
        model: &Model,
        rows: &[usize],
        used: &[bool],
        reduced: &[f64],
        a: &Answer,
    ) -> f64 {
        let mut taken = vec![false; model.unit_count];
        let mut total = 0.0;
        for (row, j) in a.choice.iter().enumerate() {
            let Some(j) = *j else { continue };
            assert!(model.by_household[rows[row]].contains(&j));
            let u = model.pairs[j].unit.index();
            assert!(!taken[u] && !used[u] && reduced[j] < 0.0);
            taken[u] = true;
            total += reduced[j];
        }
        total
    }

    #[test]
    fn the_answer_is_the_cheapest_assignment_over_all_pairs() {
        for seed in 1..=10 {
            let mut model = fixtures::random_model(seed);
            if seed % 2 == 0 {
                model.fixed[1] = Some(model.by_household[1].start);
            }
            let rows: Vec<usize> = (0..model.by_household.len())
                .filter(|&h| model.fixed[h].is_none())
                .collect();
            let used = pinned_units(&model);
            let reduced = some_reduced(&model, seed);
            let open = |j: usize| !used[model.pairs[j].unit.index()];
            let cheapest = fixtures::cheapest_assignment(&model, &reduced, &open);
            // A core of one pair per row: pricing must find the rest.
            let mut core = Core::new(&model, 1, 50);
            let a = core.solve(&model, &rows, &used, &reduced);
            assert!((a.bound - cheapest).abs() < 1e-9, "seed {seed}");
            let total = checked_total(&model, &rows, &used, &reduced, &a);
            assert!((total - cheapest).abs() < 1e-9, "seed {seed}");
        }
    }

    #[test]
    fn after_one_round_the_bound_is_still_below_and_the_duals_feasible() {
        for seed in 1..=10 {
            let model = fixtures::random_model(seed);
            let rows: Vec<usize> = (0..model.by_household.len()).collect();
            let used = vec![false; model.unit_count];
            let reduced = some_reduced(&model, seed + 100);
            let cheapest = fixtures::cheapest_assignment(&model, &reduced, &|_| true);
            let mut core = Core::new(&model, 1, 1);
            let a = core.solve(&model, &rows, &used, &reduced);
            assert!(a.bound <= cheapest + 1e-9, "seed {seed}");
            assert!(a.prices.iter().all(|&p| p <= 0.0));
            // Every open pair's dual slack is ≥ 0 (what reduced-cost fixing relies on).
            for (i, &h) in rows.iter().enumerate() {
                assert!(a.row_dual[i] <= 0.0);
                for j in model.by_household[h].clone().filter(|&j| reduced[j] < 0.0) {
                    let slack = reduced[j] - a.prices[model.pairs[j].unit.index()] - a.row_dual[i];
                    assert!(slack >= -1e-9, "seed {seed}, pair {j}: slack {slack}");
                }
            }
            let sum: f64 = a.prices.iter().chain(&a.row_dual).sum();
            assert!((sum - a.bound).abs() < 1e-9);
        }
    }

    #[test]
    fn the_plan_holds_the_pins_and_each_rows_pair() {
        let mut model = fixtures::random_model(3);
        model.fixed[0] = Some(model.by_household[0].start);
        let rows = [2, 4];
        let a = Answer {
            choice: vec![None, Some(model.by_household[4].start)],
            bound: 0.0,
            prices: Vec::new(),
            row_dual: Vec::new(),
        };
        let plan = a.plan(&model, &rows);
        let mut expected = vec![None; model.by_household.len()];
        expected[0] = model.fixed[0];
        expected[4] = Some(model.by_household[4].start);
        assert_eq!(plan, expected);
        let pinned = pinned_units(&model);
        let pin_unit = model.pairs[model.by_household[0].start].unit.index();
        assert!(pinned[pin_unit]);
        assert_eq!(pinned.iter().filter(|&&p| p).count(), 1);
    }
}
