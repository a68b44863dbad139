//! Stage 1: files → typed domain data ([`Inputs`]) plus a list of findings.
//!
//! Every problem in every file is collected; nothing stops at the first one.
//! The caller decides what to do with errors (`validate` prints them, `plan`
//! refuses to run).

mod entities;

mod gpkg_in;
pub mod gtfs;
mod network;
mod table;

use std::collections::HashMap;

pub use crate::findings::{Finding, Location, Severity};
pub use table::Progress;

use crate::model::Inputs;
use crate::scenario::Scenario;

/// Loads every input of a scenario.
///
/// Returns the inputs (usable only when no finding is an error) and all
/// findings, errors first, in file order.
#[must_use]
pub fn load(scenario: &Scenario) -> (Inputs, Vec<Finding>) {
    load_with_progress(scenario, &mut |_| {})
}

/// [`load`], telling `progress` how far the reading of each file has come
/// (bytes; at most every 256 KiB, and at the end of a file). The library
/// prints nothing: the caller draws a progress bar if it wants one.
#[must_use]
pub fn load_with_progress(
    scenario: &Scenario,
    progress: &mut dyn FnMut(Progress<'_>),
) -> (Inputs, Vec<Finding>) {
    let mut ticker = table::Ticker::new(progress);
    let mut findings = crate::findings::Findings::default();
    let mut inputs = Inputs::default();
    let (places, places_rejected) = entities::places(
        &scenario.inputs.places,
        scenario.inputs.layers.places.as_deref(),
        &mut findings,
        &mut ticker,
    );
    inputs.places = places;
    let (districts, districts_rejected) = entities::districts(
        &scenario.inputs.districts,
        scenario.inputs.layers.districts.as_deref(),
        &mut findings,
        &mut ticker,
    );
    inputs.districts = districts;
    let (units, units_rejected) = entities::housing(
        scenario,
        &inputs.districts,
        &districts_rejected,
        &mut findings,
        &mut ticker,
    );
    inputs.units = units;
    let place_ids: HashMap<&str, _> = inputs
        .places
        .iter()
        .map(|p| (p.label.as_str(), p.id))
        .collect();
    let unit_ids: HashMap<&str, _> = inputs
        .units
        .iter()
        .map(|u| (u.name.as_str(), u.id))
        .collect();
    inputs.households = entities::households(
        scenario,
        (&place_ids, &places_rejected),
        (&unit_ids, &units_rejected),
        &mut findings,
        &mut ticker,
    );
    if scenario.inputs.network.is_some() || scenario.inputs.gtfs.is_some() {
        inputs.network = network::network(
            scenario.inputs.network.as_deref(),
            scenario.inputs.gtfs.as_deref(),
            &scenario.network,
            &mut findings,
            &mut ticker,
        );
    }
    let mut list = findings.list;
    list.sort_by_key(|f| f.severity);
    (inputs, list)
}

#[cfg(test)]
mod tests {
    /// Every input file is reported from 0 to its size, never going back.
    #[test]
    fn progress_runs_from_zero_to_the_size_of_each_file() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let scenario =
            crate::scenario::load(&root.join("tests/data/bad/_base/scenario.toml")).unwrap();
        let mut seen: Vec<(String, u64, u64)> = Vec::new();
        let (_, findings) = super::load_with_progress(&scenario, &mut |p| {
            seen.push((p.file.to_string(), p.done, p.total));
        });
        assert!(findings.is_empty(), "{findings:?}");
        let mut files: Vec<&str> = seen.iter().map(|(f, _, _)| f.as_str()).collect();
        files.dedup();
        assert_eq!(files.len(), 4, "{seen:?}");
        for file in files {
            let steps: Vec<(u64, u64)> = seen
                .iter()
                .filter(|(f, _, _)| f == file)
                .map(|&(_, d, t)| (d, t))
                .collect();
            let size = std::fs::metadata(file).unwrap().len();
            assert_eq!(steps.first(), Some(&(0, size)), "{file}: {steps:?}");
            assert_eq!(steps.last(), Some(&(size, size)), "{file}: {steps:?}");
            assert!(
                steps.windows(2).all(|w| w[0].0 <= w[1].0),
                "{file}: {steps:?}"
            );
        }
    }
}
