//! Sparse minimum-cost assignment where every row may also stay unassigned
//! at cost 0: shortest augmenting paths (Dijkstra over columns with
//! potentials, as in Jonker–Volgenant), one row at a time.
//!
//! Used by the optimising engine for its Lagrangian subproblem: households
//! are rows, dwellings columns, edges the candidate pairs with their reduced
//! costs. Written here rather than taken from a crate because the
//! well-known one (`pathfinding`'s Kuhn–Munkres) needs a dense square
//! matrix, O(n³), and cannot leave a row unassigned; this problem is sparse,
//! rectangular and optional on both sides.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// A sparse cost matrix in compressed rows: row r has the edges
/// `starts[r]..starts[r + 1]` of `cols`/`costs`.
#[derive(Debug, Clone, Default)]
pub struct Sparse {
    pub starts: Vec<usize>,
    pub cols: Vec<usize>,
    pub costs: Vec<f64>,
    pub n_cols: usize,
}

impl Sparse {
    #[must_use]
    pub fn rows(&self) -> usize {
        self.starts.len().saturating_sub(1)
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Entry(f64, usize);

impl Eq for Entry {}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Entry {
    // A min-heap on the distance, ties by column for determinism.
    fn cmp(&self, other: &Self) -> Ordering {
        other.0.total_cmp(&self.0).then(other.1.cmp(&self.1))
    }
}

/// The cheapest assignment: for each row, the edge index it takes (or
/// `None`: unassigned), and the total cost. Only edges with negative cost can
/// ever be worth taking.
#[must_use]
pub fn solve(m: &Sparse) -> (Vec<Option<usize>>, f64) {
    let s = solve_with_prices(m);
    (s.edges, s.total)
}

/// An optimal assignment with optimal dual prices.
#[derive(Debug, Clone)]
pub struct Solved {
    /// For each row, the edge it takes (`None`: unassigned).
    pub edges: Vec<Option<usize>>,
    /// The total cost.
    pub total: f64,
    /// A dual price per column, at most 0 (0 for a column nobody takes).
    /// With `row_i = min(0, min over the row's edges (cost − price))`, the
    /// prices are dual feasible for any edge set, so
    /// `Σ row_i + Σ price_j` is a lower bound on the assignment over *any*
    /// edges (weak duality), equal to `total` for the edges solved here.
    pub prices: Vec<f64>,
    /// Rows scanned by the shortest-path searches (a work counter).
    pub rows_scanned: usize,
}

/// [`solve`] with the column prices (the duals of "one row per column").
///
/// Why the prices are dual feasible: every real column, once matched, stays
/// matched, and its potential only falls (so it is ≤ 0); a free column is
/// never scanned except as the sink, so it keeps 0. A row matched to its own
/// "stay unassigned" column stays there, and all its edges have
/// `cost − price ≥ 0` (Dijkstra's reduced costs). A row matched to a real
/// column has `cost − price` minimal there and ≤ 0 (its dummy, never
/// scanned, has potential 0). So `min(0, min_j (cost_ij − price_j))` is the
/// row's dual and the two sums agree.
#[must_use]
pub fn solve_with_prices(m: &Sparse) -> Solved {
    let rows = m.rows();
    // Columns: the real ones, then one private "stay unassigned" column per row.
    let n = m.n_cols + rows;
    let mut v = vec![0.0_f64; n];
    let mut owner: Vec<Option<usize>> = vec![None; n];
    let mut row_edge: Vec<Option<usize>> = vec![None; rows];
    let mut row_col: Vec<usize> = vec![usize::MAX; rows];
    let mut row_cost: Vec<f64> = vec![0.0; rows];
    let mut dist = vec![f64::INFINITY; n];
    let mut pred_row = vec![usize::MAX; n];
    let mut pred_edge = vec![usize::MAX; n];
    let mut scanned = vec![false; n];
    let mut touched: Vec<usize> = Vec::new();
    let mut heap = BinaryHeap::new();
    let mut rows_scanned = 0;
    for start in 0..rows {
        let relax = |row: usize,
                     base: f64,
                     dist: &mut Vec<f64>,
                     pred_row: &mut Vec<usize>,
                     pred_edge: &mut Vec<usize>,
                     touched: &mut Vec<usize>,
                     heap: &mut BinaryHeap<Entry>,
                     scanned: &[bool]| {
            for e in m.starts[row]..m.starts[row + 1] {
                if m.costs[e] >= 0.0 {
                    continue;
                }
                let j = m.cols[e];
                let d = base + m.costs[e] - v[j];
                if !scanned[j] && d < dist[j] {
                    if dist[j].is_infinite() {
                        touched.push(j);
                    }
                    dist[j] = d;
                    pred_row[j] = row;
                    pred_edge[j] = e;
                    heap.push(Entry(d, j));
                }
            }
            let dummy = m.n_cols + row;
            let d = base - v[dummy];
            if !scanned[dummy] && d < dist[dummy] {
                if dist[dummy].is_infinite() {
                    touched.push(dummy);
                }
                dist[dummy] = d;
                pred_row[dummy] = row;
                pred_edge[dummy] = usize::MAX;
                heap.push(Entry(d, dummy));
            }
        };
        relax(
            start,
            0.0,
            &mut dist,
            &mut pred_row,
            &mut pred_edge,
            &mut touched,
            &mut heap,
            &scanned,
        );
        let mut done: Vec<usize> = Vec::new();
        rows_scanned += 1;
        let (sink, sink_dist) = loop {
            let Entry(d, j) = heap
                .pop()
                .expect("the row's own dummy column is always reachable");
            if scanned[j] || d > dist[j] {
                continue;
            }
            scanned[j] = true;
            done.push(j);
            match owner[j] {
                None => break (j, d),
                Some(r) => {
                    rows_scanned += 1;
                    // Leave column j to the path: row r continues from its
                    // matched cost, reduced by the potentials.
                    let base = d - (row_cost[r] - v[j]);
                    relax(
                        r,
                        base,
                        &mut dist,
                        &mut pred_row,
                        &mut pred_edge,
                        &mut touched,
                        &mut heap,
                        &scanned,
                    );
                }
            }
        };
        for &j in &done {
            v[j] += dist[j] - sink_dist;
        }
        // Augment along the predecessors.
        let mut j = sink;
        loop {
            let r = pred_row[j];
            let previous = row_col[r];
            owner[j] = Some(r);
            row_col[r] = j;
            row_edge[r] = (pred_edge[j] != usize::MAX).then_some(pred_edge[j]);
            row_cost[r] = row_edge[r].map_or(0.0, |e| m.costs[e]);
            if r == start {
                break;
            }
            j = previous;
        }
        for &j in &touched {
            dist[j] = f64::INFINITY;
            scanned[j] = false;
        }
        touched.clear();
        heap.clear();
    }
    let total = row_edge.iter().flatten().map(|&e| m.costs[e]).sum();
    v.truncate(m.n_cols);
    for p in &mut v {
        *p = p.min(0.0);
    }
    Solved {
        edges: row_edge,
        total,
        prices: v,
        rows_scanned,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Tiny deterministic generator for test matrices.
    fn next(state: &mut u64) -> u64 {
        *state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        *state >> 33
    }

    fn brute(m: &Sparse, row: usize, used: &mut Vec<bool>) -> f64 {
        if row == m.rows() {
            return 0.0;
        }
        let mut best = brute(m, row + 1, used);
        for e in m.starts[row]..m.starts[row + 1] {
            let j = m.cols[e];
            if !used[j] {
                used[j] = true;
                best = best.min(m.costs[e] + brute(m, row + 1, used));
                used[j] = false;
            }
        }
        best
    }

    #[test]
    fn matches_brute_force_on_random_sparse_matrices() {
        let mut state = 7;
        for case in 0..300 {
            let rows = 1 + (next(&mut state) % 6) as usize;
            let n_cols = 1 + (next(&mut state) % 6) as usize;
            let mut m = Sparse {
                starts: vec![0],
                n_cols,
                ..Sparse::default()
            };
            for _ in 0..rows {
                for j in 0..n_cols {
                    if !next(&mut state).is_multiple_of(3) {
                        m.cols.push(j);
                        m.costs.push((next(&mut state) % 21) as f64 - 15.0);
                    }
                }
                m.starts.push(m.cols.len());
            }
            let solved = solve_with_prices(&m);
            let (assignment, total) = (solved.edges.clone(), solved.total);
            let expected = brute(&m, 0, &mut vec![false; n_cols]);
            // The dual bound from the prices equals the optimum.
            let dual: f64 = (0..rows)
                .map(|r| {
                    (m.starts[r]..m.starts[r + 1])
                        .map(|e| m.costs[e] - solved.prices[m.cols[e]])
                        .fold(0.0_f64, f64::min)
                })
                .sum::<f64>()
                + solved.prices.iter().sum::<f64>();
            assert!(
                (dual - expected).abs() < 1e-9,
                "case {case}: dual {dual} vs {expected}"
            );
            assert!(
                (total - expected).abs() < 1e-9,
                "case {case}: {total} vs {expected}"
            );
            let mut used = vec![false; n_cols];
            for (r, e) in assignment.iter().enumerate() {
                if let Some(e) = e {
                    assert!(
                        (m.starts[r]..m.starts[r + 1]).contains(e),
                        "edge of another row"
                    );
                    assert!(!used[m.cols[*e]], "column used twice");
                    used[m.cols[*e]] = true;
                }
            }
        }
    }
}
