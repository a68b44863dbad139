//! The sizes that keep a very large scenario within memory: when each
//! household keeps only a shortlist of its lawful dwellings (candidates) and
//! when the model's pairs are pruned (milp). They are plain values passed
//! into the pipeline, so a plan is a function of its inputs; the binary may
//! set them from the environment for benchmarks (`BOLIGPLAN_SHORTLIST_TOP`,
//! `BOLIGPLAN_PRUNE_TOP`, `BOLIGPLAN_PRUNE_PER_DISTRICT`, read in `main.rs`
//! only).

/// Lawful pairs above which each household keeps only a shortlist of its
/// lawful dwellings. Size l has about 4.1e7, all kept (2 GB); xl about
/// 1e9, which no 8 GB machine can hold.
pub const SHORTLIST_ABOVE_PAIRS: usize = 100_000_000;

/// Candidate pairs above which the model is pruned (s and m stay whole).
pub const PRUNE_ABOVE_PAIRS: usize = 2_000_000;

/// Cheapest pairs kept per household by the heuristic part of the pruning,
/// and by the shortlist.
pub const PRUNE_TOP_PER_HOUSEHOLD: usize = 300;

/// Cheapest pairs kept per household and district besides the top ones
/// (the district caps bind: a household needs alternatives elsewhere).
pub const PRUNE_TOP_PER_DISTRICT: usize = 2;

/// Overrides of the sizes above (`None`: the scenario's size decides).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tuning {
    /// Force a shortlist of this many cheapest dwellings per household.
    pub shortlist_top: Option<usize>,
    /// Force the model's pruning, keeping this many pairs per household.
    pub prune_top: Option<usize>,
    /// Pairs kept per household and district by the pruning.
    pub prune_per_district: Option<usize>,
}
