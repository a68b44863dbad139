//! Parsers for the four input tables: places, districts, housing, households.
//!
//! One file per table (`places.rs`, `districts.rs`, `housing.rs`,
//! `households.rs`), each with its columns; `geometry.rs` turns a row's
//! geometry or x/y into the working CRS and checks polygons. What they share
//! is here: the rows left out ([`Rejected`]), duplicate ids, references to
//! another file's ids, and reading a feature file (GeoJSON or GeoPackage).

mod districts;
mod geometry;
mod households;
mod housing;
mod places;

use std::collections::{HashMap, HashSet};
use std::path::Path;

use super::gpkg_in::{is_gpkg, read_gpkg};
use super::table::{Fields, Table, Ticker, read_geojson};
use crate::findings::{Findings, Location};

pub use districts::districts;
pub use households::households;
pub use housing::housing;
pub use places::places;

/// The rows of a file that were not loaded because of an error already
/// reported, so that references to them are not reported a second time
/// (a district with a bad polygon is one error, not one per unit in it).
#[derive(Debug, Default)]
pub struct Rejected {
    /// The file could not be read at all.
    pub unreadable: bool,
    /// Ids of rejected rows.
    pub ids: HashSet<String>,
    /// Rejected rows, with or without an id.
    pub rows: usize,
}

impl Rejected {
    fn unreadable() -> Self {
        Self {
            unreadable: true,
            ..Self::default()
        }
    }

    fn reject(&mut self, id: Option<&str>) {
        self.rows += 1;
        if let Some(id) = id {
            self.ids.insert(id.to_string());
        }
    }

    /// Whether a reference to `id` may point at a row that was rejected.
    #[must_use]
    pub fn covers(&self, id: &str) -> bool {
        self.unreadable || self.ids.contains(id)
    }

    /// Whether anything of the file is missing.
    #[must_use]
    pub fn any(&self) -> bool {
        self.unreadable || self.rows > 0
    }
}

/// Reports duplicate ids; returns whether `id` is new.
fn unique_id(seen: &mut HashMap<String, Location>, id: &str, fields: &mut Fields<'_>) -> bool {
    if let Some(&first) = seen.get(id) {
        let first = location_text(first);
        fields.problem(
            "id",
            format!("found \"{id}\", which is already the id of {first}, expected a unique id"),
        );
        return false;
    }
    seen.insert(id.to_string(), fields.row.location);
    true
}

/// Reports a reference to an id that the other file does not have, with the
/// closest id as a suggestion.
fn missing_reference<'a>(
    f: &mut Fields<'_>,
    field: &str,
    value: &str,
    what: &str,
    file: &str,
    ids: impl Iterator<Item = &'a str>,
) {
    let mut ids: Vec<&str> = ids.collect();
    ids.sort_unstable();
    let message = format!("found \"{value}\", expected the id of a {what} in {file}");
    match crate::findings::closest(value, ids.iter().copied()) {
        Some(best) => f.problem_hint(field, message, format!("did you mean \"{best}\"?")),
        None => f.problem(field, message),
    }
}

fn location_text(location: Location) -> String {
    match location {
        Location::File => "the file".into(),
        Location::Line(n) => format!("line {n}"),
        Location::Feature(n) => format!("feature {n}"),
    }
}

fn is_geojson(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("geojson") || e.eq_ignore_ascii_case("json"))
}

/// Reads a feature file: a GeoPackage layer or GeoJSON.
fn read_features(
    path: &Path,
    layer: Option<&str>,
    known: &[&str],
    findings: &mut Findings,
    ticker: &mut Ticker<'_>,
) -> Option<Table> {
    if is_gpkg(path) {
        read_gpkg(path, layer, known, findings)
    } else {
        read_geojson(path, known, findings, ticker)
    }
}
