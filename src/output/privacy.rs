//! What the published outputs may show: the one place of the small-count
//! rule, the rent bands, the aggregation of placement points and the paths
//! written into outputs.
//!
//! `plan.geojson`, `plan.gpkg`, `districts.csv` and (through
//! `plan.geojson`) `report.html` are published; `plan.csv` and
//! `summary.json` are the officer's and the planner's own files. A district
//! is *small* when the plan places 1–4 persons in a permanent home there,
//! keeps 1–4 persons in a temporary place there at the end, or has a
//! status whose placement points hold 1–4 persons. Of a small district the
//! published outputs show no figure computed from its placed persons
//! ([`PublishedDistrict`]) and no single placement point: its points become
//! one point per status at the district's interior point ([`Point`]). In
//! every district a count cell of 1–4 persons (persons in temporary places
//! at the end, persons moving in per quarter) is withheld.
//!
//! Invariants: every published writer takes its district figures, its
//! placement points and its rent values from here; with suppression on, no
//! value here is a count of 1–4 persons or a figure from which one could be
//! worked out (the `share_after` of a small district is the share with 2.5
//! persons placed, the same whatever the count); a path written into an
//! output is relative to the scenario's folder, never absolute.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

use serde::Serialize;

use crate::evaluate::{DistrictFigures, HouseholdRow};
use crate::model::Inputs;
use crate::solve::Status;
use crate::spread::Quadrant;

/// Counts below this many persons are not published.
pub const SUPPRESSION_THRESHOLD: u32 = 5;

/// The label of a withheld count.
pub const SMALL_LABEL: &str = "<5";

/// A count of 1 to `SUPPRESSION_THRESHOLD − 1` persons.
#[must_use]
pub fn is_small(persons: u32) -> bool {
    persons > 0 && persons < SUPPRESSION_THRESHOLD
}

/// The rent band of a monthly rent, DKK: what the published outputs show
/// instead of a household's rent.
#[must_use]
pub fn rent_band(rent: Option<i64>) -> Option<&'static str> {
    rent.map(|r| match r {
        ..4000 => "<4000",
        4000..6000 => "4000-5999",
        6000..8000 => "6000-7999",
        _ => "8000+",
    })
}

/// Which districts are small, decided once per plan.
#[derive(Debug, Clone)]
pub struct Privacy {
    /// Whether the scenario suppresses small counts at all.
    pub suppress: bool,
    /// Per district of the inputs (and the summary), in order.
    small: Vec<bool>,
}

impl Privacy {
    /// Decides which districts are small. `figures` are the summary's
    /// districts, in the order of `inputs.districts`.
    #[must_use]
    pub fn new(
        inputs: &Inputs,
        rows: &[HouseholdRow],
        figures: &[DistrictFigures],
        suppress: bool,
    ) -> Self {
        let mut small: Vec<bool> = figures
            .iter()
            .map(|f| {
                suppress && (is_small(f.persons_placed) || is_small(f.persons_temporary_at_end))
            })
            .collect();
        small.resize(inputs.districts.len(), false);
        if suppress {
            for ((district, _), persons) in groups(inputs, rows) {
                if is_small(persons.1) {
                    small[district] = true;
                }
            }
        }
        Self { suppress, small }
    }

    /// Whether the district (index into the inputs' districts) is small.
    #[must_use]
    pub fn is_small_district(&self, district: usize) -> bool {
        self.small.get(district).copied().unwrap_or(false)
    }

    /// A count as published: `None` for 1–4 persons when suppressing.
    #[must_use]
    pub fn count(&self, persons: u32) -> Option<u32> {
        (!(self.suppress && is_small(persons))).then_some(persons)
    }

    /// The published figures of a district (index `i` of the inputs).
    #[must_use]
    pub fn district(&self, i: usize, f: &DistrictFigures) -> PublishedDistrict {
        let small = self.is_small_district(i);
        let keep = |x: f64| (!small).then_some(x);
        let share_after = if small {
            // The share with 2.5 persons placed: the middle of 1–4, so the
            // value is the same whatever the count is.
            let before = f64::from(f.newcomers_before);
            let population = f64::from(f.population);
            if population + 2.5 > 0.0 {
                (before + 2.5) / (population + 2.5)
            } else {
                0.0
            }
        } else {
            f.share_after
        };
        let quarter = |q: u32| {
            if small {
                None
            } else if !self.suppress || q == 0 {
                Some(q)
            } else if is_small(q) {
                None
            } else {
                // Rounded to a multiple of 5, so that the total minus the
                // other cells does not give a withheld cell away.
                Some(((q + 2) / 5) * 5)
            }
        };
        PublishedDistrict {
            id: f.id.clone(),
            name: f.name.clone(),
            flags: f.flags.clone(),
            population: f.population,
            newcomers_before: f.newcomers_before,
            newcomers_after: (!small).then_some(f.newcomers_after),
            share_before: f.share_before,
            share_after,
            households_placed: (!small).then_some(f.households_placed),
            persons_placed: (!small).then_some(f.persons_placed),
            persons_placed_label: if small {
                SMALL_LABEL.to_string()
            } else {
                f.persons_placed.to_string()
            },
            persons_temporary_at_end: if small {
                None
            } else {
                self.count(f.persons_temporary_at_end)
            },
            over_cap: (!small).then_some(f.over_cap),
            location_quotient_before: f.location_quotient_before,
            location_quotient_after: keep(f.location_quotient_after),
            gi_star_z: keep(f.gi_star_z),
            gi_p: keep(f.gi_p),
            gi_q: keep(f.gi_q),
            moran_i: keep(f.moran_i),
            moran_p: keep(f.moran_p),
            moran_q: keep(f.moran_q),
            quadrant: f.quadrant,
            hot_spot: f.hot_spot,
            high_high: f.high_high,
            placed_by_quarter: f.placed_by_quarter.iter().map(|&q| quarter(q)).collect(),
            suppressed: small,
        }
    }

    /// The placement points to publish, in the order of `rows`: a
    /// household's own point, or in a small district one point per status at
    /// the district's interior point, where its first household stood.
    #[must_use]
    pub fn points<'a>(&self, inputs: &'a Inputs, rows: &'a [HouseholdRow]) -> Vec<Point<'a>> {
        let groups = groups(inputs, rows);
        let mut done: BTreeSet<(usize, Status)> = BTreeSet::new();
        let mut points = Vec::new();
        for row in rows {
            let Some(position) = row.position else {
                continue;
            };
            let district = row
                .district
                .as_deref()
                .and_then(|d| district_index(inputs, d));
            match district {
                Some(i) if self.is_small_district(i) => {
                    if !done.insert((i, row.status)) {
                        continue;
                    }
                    let d = &inputs.districts[i];
                    let (households, persons) = groups[&(i, row.status)];
                    let at = interior_point(&d.geometry).unwrap_or(position);
                    points.push(Point::Aggregated(Aggregate {
                        district: d.label.as_str(),
                        status: row.status,
                        x: at.0,
                        y: at.1,
                        households: (!is_small(persons)).then_some(households),
                        persons: (!is_small(persons)).then_some(persons),
                        persons_label: if is_small(persons) {
                            SMALL_LABEL.to_string()
                        } else {
                            persons.to_string()
                        },
                    }));
                }
                _ => points.push(Point::Exact(row)),
            }
        }
        points
    }
}

/// Households and persons with a placement point, per (district, status).
fn groups(inputs: &Inputs, rows: &[HouseholdRow]) -> BTreeMap<(usize, Status), (u32, u32)> {
    let mut groups: BTreeMap<(usize, Status), (u32, u32)> = BTreeMap::new();
    for row in rows.iter().filter(|r| r.position.is_some()) {
        if let Some(i) = row
            .district
            .as_deref()
            .and_then(|d| district_index(inputs, d))
        {
            let g = groups.entry((i, row.status)).or_default();
            g.0 += 1;
            g.1 += row.persons;
        }
    }
    groups
}

fn district_index(inputs: &Inputs, label: &str) -> Option<usize> {
    inputs.districts.iter().position(|d| d.label == label)
}

/// A point inside the district (not its centroid, which may lie outside).
fn interior_point(geometry: &geo::MultiPolygon<f64>) -> Option<(f64, f64)> {
    use geo::InteriorPoint;
    geometry.interior_point().map(|p| (p.x(), p.y()))
}

/// A published placement point.
#[derive(Debug, Clone)]
pub enum Point<'a> {
    /// A household's own point (in a district that is not small).
    Exact(&'a HouseholdRow),
    /// The households of one status in a small district, as one point.
    Aggregated(Aggregate<'a>),
}

/// The households of one status in a small district.
#[derive(Debug, Clone)]
pub struct Aggregate<'a> {
    /// The district's id.
    pub district: &'a str,
    pub status: Status,
    /// The district's interior point, working CRS.
    pub x: f64,
    pub y: f64,
    /// `None` when the persons are 1–4.
    pub households: Option<u32>,
    /// `None` when 1–4.
    pub persons: Option<u32>,
    /// The persons, or `<5`.
    pub persons_label: String,
}

/// A district's figures as the published outputs show them: what could
/// reveal a count of 1–4 persons is `None` (null, an empty cell).
#[derive(Debug, Clone, Serialize)]
pub struct PublishedDistrict {
    pub id: String,
    pub name: String,
    pub flags: Vec<String>,
    pub population: u32,
    pub newcomers_before: u32,
    pub newcomers_after: Option<u32>,
    pub share_before: f64,
    /// Of a small district: the share with 2.5 persons placed.
    pub share_after: f64,
    pub households_placed: Option<u32>,
    pub persons_placed: Option<u32>,
    /// The persons placed, or `<5`.
    pub persons_placed_label: String,
    pub persons_temporary_at_end: Option<u32>,
    pub over_cap: Option<bool>,
    pub location_quotient_before: f64,
    pub location_quotient_after: Option<f64>,
    pub gi_star_z: Option<f64>,
    pub gi_p: Option<f64>,
    pub gi_q: Option<f64>,
    pub moran_i: Option<f64>,
    pub moran_p: Option<f64>,
    pub moran_q: Option<f64>,
    pub quadrant: Quadrant,
    pub hot_spot: bool,
    pub high_high: bool,
    /// Persons moving in per quarter: `None` for 1–4 (and every cell of a
    /// small district), else rounded to a multiple of 5.
    pub placed_by_quarter: Vec<Option<u32>>,
    /// Whether the district's figures are suppressed.
    pub suppressed: bool,
}

/// `path` relative to the scenario's folder, with `/` between the parts
/// (`..` where it lies beside the folder, as the scenario's own `[inputs]`
/// name such files): what an output records instead of an absolute path.
#[must_use]
pub fn relative_to_scenario(scenario_file: &Path, path: &Path) -> String {
    let folder = absolute(scenario_file.parent().unwrap_or(Path::new("")));
    let target = absolute(path);
    let (from, to): (Vec<Component>, Vec<Component>) =
        (folder.components().collect(), target.components().collect());
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_string(); from.len() - common];
    parts.extend(
        to[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    }
}

/// The path made absolute (symbolic links resolved when it exists) with
/// `.` and `..` taken out.
fn absolute(path: &Path) -> PathBuf {
    let path = std::fs::canonicalize(path)
        .or_else(|_| std::path::absolute(path))
        .unwrap_or_else(|_| path.to_path_buf());
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rent_bands() {
        assert_eq!(rent_band(Some(3999)), Some("<4000"));
        assert_eq!(rent_band(Some(4000)), Some("4000-5999"));
        assert_eq!(rent_band(Some(7999)), Some("6000-7999"));
        assert_eq!(rent_band(Some(8000)), Some("8000+"));
        assert_eq!(rent_band(None), None);
    }

    #[test]
    fn small_is_one_to_four() {
        assert!(!is_small(0));
        assert!(is_small(1) && is_small(4));
        assert!(!is_small(5));
    }

    #[test]
    fn paths_are_relative_to_the_scenario_folder() {
        let sc = Path::new("/nonexistent/work/scenarios/demo.toml");
        assert_eq!(relative_to_scenario(sc, sc), "demo.toml");
        assert_eq!(
            relative_to_scenario(
                sc,
                Path::new("/nonexistent/work/scenarios/../data/demo/households.csv")
            ),
            "../data/demo/households.csv"
        );
        assert_eq!(
            relative_to_scenario(sc, Path::new("/nonexistent/work/scenarios/in/h.csv")),
            "in/h.csv"
        );
    }
}
