//! The dynamic caps between households, written once: a dwelling is
//! given once, a district takes newcomers up to its share
//! (`max_district_share`), a building up to `max_households_per_building`
//! newcomer households. [`Occupancy`] counts what a plan has used and says
//! whether one more home fits; allocation, the engine's repair, pins and
//! `explain` all ask it.
//!
//! Invariant: `fits` answers in one order — dwelling taken, building cap,
//! district cap — so every user reports the same rule for the same home.

/// The largest number of persons a district may receive under its cap.
#[must_use]
pub fn district_capacity(population: u32, newcomers: u32, share: f64) -> u32 {
    if share >= 1.0 {
        return u32::MAX;
    }
    let ok = |p: u32| f64::from(newcomers + p) / f64::from(population + p) <= share + 1e-12;
    let estimate = ((share * f64::from(population) - f64::from(newcomers)) / (1.0 - share)).floor();
    if estimate < 0.0 {
        return 0;
    }
    let mut p = estimate as u32;
    while p > 0 && !ok(p) {
        p -= 1;
    }
    while ok(p + 1) {
        p += 1;
    }
    if ok(p) { p } else { 0 }
}
