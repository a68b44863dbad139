//! Reading a plan output directory: `summary.json` (through
//! [`crate::output::summary`]), the district polygons and placement points of
//! `plan.geojson` (projected to EPSG:25832), and the rows of `plan.csv`
//! (through [`crate::output::plan_csv`]) without their amounts (no income,
//! benefit or rent is kept).

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde_json::Value;

use crate::crs::{Crs, Transformer};
use crate::evaluate::Summary;
use crate::model::HouseholdType;
use crate::output::plan_csv::{self, PlanCsvError, PlanRow};
use crate::output::summary::{self, SummaryError};
use crate::solve::Status;

/// Why a plan directory could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{}: not a directory; expected the output directory of `boligplan plan`", path.display())]
    NotADirectory { path: PathBuf },
    #[error(transparent)]
    Summary(#[from] SummaryError),
    #[error(transparent)]
    PlanCsv(#[from] PlanCsvError),
    #[error("cannot read {}: {source}; expected the {what} that `boligplan plan` writes", path.display())]
    Read {
        path: PathBuf,
        what: &'static str,
        source: std::io::Error,
    },
    #[error("{}: {message}", path.display())]
    Format { path: PathBuf, message: String },
}

/// A ring of projected coordinates (EPSG:25832 metres).
pub type Ring = Vec<(f64, f64)>;

/// A district of `plan.geojson`: its polygons and the figures the map needs.
/// Small counts are already suppressed there (README, Privacy), and the
/// report uses them as they are.
#[derive(Debug, Clone, PartialEq)]
pub struct District {
    pub id: String,
    pub name: String,
    pub flags: Vec<String>,
    pub share_before: f64,
    pub share_after: f64,
    pub hot_spot: bool,
    pub over_cap: bool,
    /// Polygons, each a list of rings (the first the exterior), projected.
    pub polygons: Vec<Vec<Ring>>,
}

/// A placement point of `plan.geojson`, projected.
#[derive(Debug, Clone, PartialEq)]
pub struct Placement {
    pub x: f64,
    pub y: f64,
    pub status: Status,
    /// For the one point that stands for a small district's households of
    /// one status (`aggregated: true`): its persons label, e.g. `<5`.
    pub aggregated: Option<String>,
}

/// One row of `plan.csv`, without its amounts except the disposable amount
/// of a permanent home (used only in the aggregate distribution).
#[derive(Debug, Clone, PartialEq)]
pub struct Household {
    pub id: String,
    pub status: Status,
    pub household_type: HouseholdType,
    pub persons: u32,
    pub temp_unit: Option<String>,
    pub temp_from: Option<NaiveDate>,
    pub temp_to: Option<NaiveDate>,
    pub disposable: Option<f64>,
    pub travel_minutes: Option<f64>,
    pub reason: Option<String>,
    pub reason_code: Option<String>,
}

/// Everything the report shows of one plan.
#[derive(Debug, Clone)]
pub struct PlanData {
    /// Column name: the directory's name (its path when two share a name).
    pub name: String,
    pub summary: Summary,
    pub districts: Vec<District>,
    pub placements: Vec<Placement>,
    pub households: Vec<Household>,
}

/// Reads the plan directories, in order.
pub fn read_plans(dirs: &[PathBuf]) -> Result<Vec<PlanData>, ReadError> {
    let names = crate::commands::compare::names(dirs);
    dirs.iter()
        .zip(names)
        .map(|(dir, name)| read_plan(dir, name))
        .collect()
}

fn read_plan(dir: &Path, name: String) -> Result<PlanData, ReadError> {
    if !dir.is_dir() {
        return Err(ReadError::NotADirectory {
            path: dir.to_path_buf(),
        });
    }
    let summary = summary::read(dir)?;
    let geojson_path = dir.join("plan.geojson");
    let text = read(
        &geojson_path,
        "plan.geojson (RFC 7946 placements and districts)",
    )?;
    let (districts, placements) = parse_geojson(&text).map_err(|message| ReadError::Format {
        path: geojson_path.clone(),
        message,
    })?;
    let households = plan_csv::read(&dir.join("plan.csv"))?
        .into_iter()
        .map(Household::from)
        .collect();
    Ok(PlanData {
        name,
        summary,
        districts,
        placements,
        households,
    })
}

fn read(path: &Path, what: &'static str) -> Result<String, ReadError> {
    std::fs::read_to_string(path).map_err(|source| ReadError::Read {
        path: path.to_path_buf(),
        what,
        source,
    })
}

/// The districts and placements of `plan.geojson`, projected to EPSG:25832.
pub fn parse_geojson(text: &str) -> Result<(Vec<District>, Vec<Placement>), String> {
    let doc: Value = serde_json::from_str(text)
        .map_err(|e| format!("found invalid JSON ({e}), expected a GeoJSON FeatureCollection"))?;
    let features = doc
        .get("features")
        .and_then(Value::as_array)
        .ok_or("found no `features` array, expected a GeoJSON FeatureCollection")?;
    let t = Transformer::to_working(Crs::WGS84);
    let project = |c: &Value, n: usize| -> Result<(f64, f64), String> {
        let lon = c.get(0).and_then(Value::as_f64);
        let lat = c.get(1).and_then(Value::as_f64);
        match (lon, lat) {
            (Some(lon), Some(lat)) => t.apply(lon, lat).map_err(|e| format!("feature {n}: {e}")),
            _ => Err(format!(
                "feature {n}: found the position {c}, expected [longitude, latitude]"
            )),
        }
    };
    let mut districts = Vec::new();
    let mut placements = Vec::new();
    for (i, f) in features.iter().enumerate() {
        let n = i + 1;
        let props = f.get("properties").cloned().unwrap_or(Value::Null);
        let geometry = f.get("geometry").cloned().unwrap_or(Value::Null);
        let gtype = geometry.get("type").and_then(Value::as_str).unwrap_or("");
        let coords = geometry.get("coordinates").cloned().unwrap_or(Value::Null);
        let text = |k: &str| props.get(k).and_then(Value::as_str).map(str::to_string);
        match props.get("layer").and_then(Value::as_str) {
            Some("placement") => {
                if gtype != "Point" {
                    return Err(format!(
                        "feature {n}: found a {gtype} placement, expected a Point"
                    ));
                }
                let (x, y) = project(&coords, n)?;
                let status = props.get("status").cloned().unwrap_or(Value::Null);
                let status = serde_json::from_value(status.clone()).map_err(|_| {
                    format!(
                        "feature {n}: found the status {status}, expected permanent, temporary_only or unplaced"
                    )
                })?;
                let aggregated = (props.get("aggregated") == Some(&Value::Bool(true)))
                    .then(|| text("persons_label").unwrap_or_else(|| "<5".to_string()));
                placements.push(Placement {
                    x,
                    y,
                    status,
                    aggregated,
                });
            }
            Some("district") => {
                let polygons: Vec<&Value> = match (gtype, coords.as_array()) {
                    ("MultiPolygon", Some(ps)) => ps.iter().collect(),
                    ("Polygon", Some(_)) => vec![&coords],
                    _ => {
                        return Err(format!(
                            "feature {n}: found a {gtype} district, expected a MultiPolygon"
                        ));
                    }
                };
                let mut projected = Vec::new();
                for p in polygons {
                    let mut rings = Vec::new();
                    for ring in p.as_array().into_iter().flatten() {
                        let positions = ring.as_array().ok_or(format!(
                            "feature {n}: found a ring that is not an array of positions"
                        ))?;
                        rings.push(
                            positions
                                .iter()
                                .map(|c| project(c, n))
                                .collect::<Result<Ring, _>>()?,
                        );
                    }
                    projected.push(rings);
                }
                let number = |k: &str| props.get(k).and_then(Value::as_f64).unwrap_or(0.0);
                let flag = |k: &str| props.get(k).and_then(Value::as_bool).unwrap_or(false);
                districts.push(District {
                    id: text("id").unwrap_or_else(|| format!("#{n}")),
                    name: text("name").or_else(|| text("id")).unwrap_or_default(),
                    flags: props
                        .get("flags")
                        .and_then(Value::as_array)
                        .map(|a| {
                            a.iter()
                                .filter_map(Value::as_str)
                                .map(str::to_string)
                                .collect()
                        })
                        .unwrap_or_default(),
                    share_before: number("share_before"),
                    share_after: number("share_after"),
                    hot_spot: flag("hot_spot"),
                    over_cap: flag("over_cap"),
                    polygons: projected,
                });
            }
            _ => {}
        }
    }
    if districts.is_empty() {
        return Err("found no district features (`layer` = \"district\"), expected the district polygons `boligplan plan` writes".into());
    }
    Ok((districts, placements))
}

impl From<PlanRow> for Household {
    /// Keeps the disposable amount of a row and drops its other amounts.
    fn from(r: PlanRow) -> Self {
        Self {
            id: r.household_id,
            status: r.status,
            household_type: r.household_type,
            persons: r.persons,
            temp_unit: r.temp_unit,
            temp_from: r.temp_from,
            temp_to: r.temp_to,
            disposable: r.disposable.map(|d| d as f64),
            travel_minutes: r.travel_minutes,
            reason: r.reason,
            reason_code: r.reason_code,
        }
    }
}
