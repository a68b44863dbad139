//! Stage 1: files → typed domain data ([`Inputs`]) plus a list of findings.
//!
//! Every problem in every file is collected; nothing stops at the first one.
//! The caller decides what to do with errors (`validate` prints them, `plan`
//! refuses to run).

mod entities;
pub mod findings;
mod gpkg_in;
pub mod gtfs;
mod network;
mod table;

use std::collections::HashMap;

pub use findings::{Finding, Location, Severity};

use crate::model::Inputs;
use crate::scenario::Scenario;

/// Loads every input of a scenario.
///
/// Returns the inputs (usable only when no finding is an error) and all
/// findings, errors first, in file order.
#[must_use]
pub fn load(scenario: &Scenario) -> (Inputs, Vec<Finding>) {
    let mut findings = findings::Findings::default();
    let mut inputs = Inputs::default();
    let (places, places_rejected) = entities::places(
        &scenario.inputs.places,
        scenario.inputs.layers.places.as_deref(),
        &mut findings,
    );
    inputs.places = places;
    let (districts, districts_rejected) = entities::districts(
        &scenario.inputs.districts,
        scenario.inputs.layers.districts.as_deref(),
        &mut findings,
    );
    inputs.districts = districts;
    let (units, units_rejected) = entities::housing(
        scenario,
        &inputs.districts,
        &districts_rejected,
        &mut findings,
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
    );
    if scenario.inputs.network.is_some() || scenario.inputs.gtfs.is_some() {
        inputs.network = network::network(
            scenario.inputs.network.as_deref(),
            scenario.inputs.gtfs.as_deref(),
            &scenario.network,
            &mut findings,
        );
    }
    let mut list = findings.list;
    list.sort_by_key(|f| f.severity);
    (inputs, list)
}
