//! `plan.gpkg`: the plan as an OGC GeoPackage 1.3 for GIS staff (QGIS).
//!
//! Written with the bundled SQLite of `rusqlite`, by hand: the standard
//! `gpkg_spatial_ref_sys`, `gpkg_contents` and `gpkg_geometry_columns`
//! tables, GeoPackage binary geometries (header `GP`, version 0,
//! little-endian, no envelope for points and an xy envelope for polygons,
//! then standard WKB) and everything in the working CRS EPSG:25832.
//!
//! Layers (their fields are the allow-list [`GIS_FIELDS`]):
//!
//! - `placements` (POINT): one per household that lives somewhere at the
//!   end of the plan, with its household id only — no income, benefit,
//!   disposable amount or reason (personal data stays in `plan.csv`); the
//!   rent as a band (`<4000`, `4000-5999`, `6000-7999`, `8000+` DKK/month).
//!   In a small district (`output::privacy`) one point per status at the
//!   district's interior point instead (`aggregated`, no household id).
//! - `housing` (POINT): every unit with its use over the horizon. Permanent
//!   dwellings: `used_by_plan`, `move_in`. Temporary sites: `peak_persons`
//!   (most persons on any night, counting reunited members from their
//!   reunion day, exactly as the planner does), `person_days` and
//!   `occupancy` = `peak_persons / capacity`.
//! - `districts` (MULTIPOLYGON): the before/after figures of the summary.
//!   **Small counts are suppressed** as `output::privacy` decides: of a
//!   small district `persons_placed`, `households_placed`, `newcomers_after`
//!   and `over_cap` are NULL, `persons_placed_label` reads `<5` and
//!   `share_after` is the share with 2.5 persons placed (the same whatever
//!   the count), so that the map still colours the district.
//! - `places` (POINT): the places households travel to.
//! - `scenario_kpi`, `run_metadata` (attributes, key/value text): the plan's
//!   figures; the scenario, settings, version and every input file (its path
//!   relative to the scenario's folder) with its SHA-256.
//! - `layer_styles` (the QGIS convention): one default QML style per spatial
//!   layer, applied by QGIS when the layer is opened.
//!
//! One job per file: `mod.rs` holds the entry points ([`write_gpkg`],
//! [`write_gpkg_with`]: the file written beside its place and renamed into
//! it, complete or not at all), the allow-list [`GIS_FIELDS`] and its
//! check, [`SUPPRESSION_THRESHOLD`], [`qml_sidecars`], and the `Writer` that
//! writes the tables in order; `schema` the standard `gpkg_*` tables,
//! `geometry` the GeoPackage binary, `styles` the `layer_styles` table, one
//! file per layer (`placements`, `housing`, `districts`, `places`) and
//! `figures` the two key/value tables.
//!
//! Invariants: no column outside [`GIS_FIELDS`] is ever written (every
//! table goes through `Writer::check_allowed` before it is created); no
//! district figure, placement point or dwelling's use that reveals 1–4
//! persons unless the scenario turns suppression off; no clock and no
//! absolute path (the write time is [`Settings::written_at`]), so the same
//! plan gives the same bytes; nothing is left at the path when writing fails.

mod districts;
mod figures;
mod geometry;
mod housing;
mod placements;
mod places;
mod schema;
mod styles;

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rusqlite::Connection;
use rusqlite::types::Value;

use crate::evaluate::{HouseholdRow, Summary};
use crate::model::Inputs;
use crate::output::privacy::Privacy;
use crate::scenario::Scenario;

use schema::{APPLICATION_ID, CORE_TABLES, Column, USER_VERSION};
use styles::STYLES;

pub use crate::output::privacy::SUPPRESSION_THRESHOLD;

/// Every column each table of `plan.gpkg` may have: the privacy allow-list.
/// Writing a column outside it is an error.
pub const GIS_FIELDS: &[(&str, &[&str])] = &[
    (
        "placements",
        &[
            "fid",
            "geom",
            "household_id",
            "aggregated",
            "households",
            "persons_label",
            "status",
            "temp_unit",
            "temp_from",
            "temp_to",
            "perm_unit",
            "perm_from",
            "district",
            "persons",
            "rent_band",
            "travel_minutes",
            "household_type",
        ],
    ),
    (
        "housing",
        &[
            "fid",
            "geom",
            "unit_id",
            "kind",
            "tenure",
            "rooms",
            "area_m2",
            "rent",
            "capacity",
            "district",
            "available_from",
            "available_until",
            "accessible",
            "used_by_plan",
            "move_in",
            "peak_persons",
            "person_days",
            "occupancy",
        ],
    ),
    (
        "districts",
        &[
            "fid",
            "geom",
            "district_id",
            "name",
            "flags",
            "population",
            "newcomers_before",
            "newcomers_after",
            "share_before",
            "share_after",
            "households_placed",
            "persons_placed",
            "persons_placed_label",
            "over_cap",
            "suppressed",
        ],
    ),
    ("places", &["fid", "geom", "place_id", "kind", "name"]),
    ("scenario_kpi", &["fid", "key", "value"]),
    ("run_metadata", &["fid", "key", "value"]),
    (
        "layer_styles",
        &[
            "id",
            "f_table_catalog",
            "f_table_schema",
            "f_table_name",
            "f_geometry_column",
            "styleName",
            "styleQML",
            "styleSLD",
            "useAsDefault",
            "description",
            "owner",
            "ui",
            "update_time",
        ],
    ),
];

/// The default styles as QML files, `(file name, QML)`, to write beside
/// `plan.geojson`: `placements.qml` (categorised `status`), `housing.qml`
/// (graduated `occupancy`), `districts.qml` (graduated `share_after`).
pub fn qml_sidecars() -> Vec<(&'static str, &'static str)> {
    vec![
        ("placements.qml", STYLES[0].2),
        ("housing.qml", STYLES[1].2),
        ("districts.qml", STYLES[2].2),
    ]
}

/// Why `plan.gpkg` could not be written.
#[derive(Debug, thiserror::Error)]
pub enum GpkgError {
    #[error("{path}: {source}")]
    Sqlite {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Format { path: PathBuf, message: String },
}

/// How `plan.gpkg` is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// Counts of 1–4 persons withheld (`output::privacy`).
    pub suppress_small: bool,
    /// The write time recorded in `gpkg_contents.last_change` and
    /// `layer_styles.update_time`, seconds since 1970 (UTC).
    pub written_at: i64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            suppress_small: true,
            written_at: 0,
        }
    }
}

/// Writes `path` with small counts suppressed and the write time 1970-01-01
/// (the defaults).
///
/// # Errors
/// See [`write_gpkg_with`].
pub fn write_gpkg(
    path: &Path,
    inputs: &Inputs,
    scenario: &Scenario,
    rows: &[HouseholdRow],
    summary: &Summary,
) -> Result<(), GpkgError> {
    write_gpkg_with(path, inputs, scenario, rows, summary, &Settings::default())
}

/// Writes the GeoPackage to `path`, via a temporary file beside it that is
/// renamed into place when complete; an existing `path` is replaced.
///
/// # Errors
/// When SQLite fails, an input file cannot be read for its checksum, or
/// the plan does not match the inputs; nothing is left at `path` then.
pub fn write_gpkg_with(
    path: &Path,
    inputs: &Inputs,
    scenario: &Scenario,
    rows: &[HouseholdRow],
    summary: &Summary,
    settings: &Settings,
) -> Result<(), GpkgError> {
    let mut tmp_name = path.file_name().unwrap_or_default().to_os_string();
    tmp_name.push(format!(".tmp-{}", std::process::id()));
    let tmp = path.with_file_name(tmp_name);
    let io = |p: &Path| {
        let p = p.to_path_buf();
        move |source| GpkgError::Io { path: p, source }
    };
    if tmp.exists() {
        fs_err::remove_file(&tmp).map_err(io(&tmp))?;
    }
    let result = (|| {
        let mut conn = Connection::open(&tmp).map_err(sql(&tmp))?;
        let writer = Writer {
            path: &tmp,
            inputs,
            scenario,
            rows,
            summary,
            privacy: Privacy::new(inputs, rows, &summary.districts, settings.suppress_small),
            written_at: timestamp(settings.written_at).ok_or_else(|| GpkgError::Format {
                path: tmp.clone(),
                message: format!("the write time {} is out of range", settings.written_at),
            })?,
        };
        writer.write(&mut conn)?;
        conn.close().map_err(|(_, e)| sql(&tmp)(e))?;
        fs_err::rename(&tmp, path).map_err(io(path))
    })();
    if result.is_err() {
        let _ = fs_err::remove_file(&tmp);
    }
    result
}

fn sql(path: &Path) -> impl FnOnce(rusqlite::Error) -> GpkgError + '_ {
    move |source| GpkgError::Sqlite {
        path: path.to_path_buf(),
        source,
    }
}

struct Writer<'a> {
    path: &'a Path,
    inputs: &'a Inputs,
    scenario: &'a Scenario,
    rows: &'a [HouseholdRow],
    summary: &'a Summary,
    privacy: Privacy,
    /// `gpkg_contents.last_change` and `layer_styles.update_time`.
    written_at: String,
}

impl Writer<'_> {
    fn err(&self, message: String) -> GpkgError {
        GpkgError::Format {
            path: self.path.to_path_buf(),
            message,
        }
    }

    fn write(&self, conn: &mut Connection) -> Result<(), GpkgError> {
        let s = sql(self.path);
        conn.pragma_update(None, "application_id", APPLICATION_ID)
            .map_err(sql(self.path))?;
        conn.pragma_update(None, "user_version", USER_VERSION)
            .map_err(sql(self.path))?;
        let tx = conn.transaction().map_err(sql(self.path))?;
        tx.execute_batch(CORE_TABLES).map_err(sql(self.path))?;
        self.spatial_ref_sys(&tx)?;
        self.placements(&tx)?;
        self.housing(&tx)?;
        self.districts(&tx)?;
        self.places(&tx)?;
        let kpi = self.kpis();
        self.key_values(&tx, "scenario_kpi", "The plan's figures", &kpi)?;
        let meta = self.metadata()?;
        self.key_values(
            &tx,
            "run_metadata",
            "Scenario, settings, version, solve time and input checksums",
            &meta,
        )?;
        self.styles(&tx)?;
        tx.commit().map_err(s)
    }

    fn check_allowed(&self, table: &str, columns: &[Column]) -> Result<(), GpkgError> {
        let allowed = GIS_FIELDS
            .iter()
            .find(|(t, _)| *t == table)
            .map(|(_, f)| *f)
            .ok_or_else(|| self.err(format!("table {table} is not in GIS_FIELDS")))?;
        for (name, _) in columns {
            if !allowed.contains(name) {
                return Err(self.err(format!(
                    "column {table}.{name} is not in the GIS allow-list"
                )));
            }
        }
        Ok(())
    }
}

/// A GeoPackage timestamp (`%Y-%m-%dT%H:%M:%fZ`, as SQLite's `strftime`
/// writes it) of seconds since 1970.
fn timestamp(seconds: i64) -> Option<String> {
    chrono::DateTime::from_timestamp(seconds, 0)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
}

fn round_to(x: f64, scale: f64) -> f64 {
    (x * scale).round() / scale
}

fn text(s: &str) -> Value {
    Value::Text(s.to_string())
}

fn opt_text(s: Option<&str>) -> Value {
    s.map_or(Value::Null, text)
}

fn date(d: Option<NaiveDate>) -> Value {
    d.map_or(Value::Null, |d| {
        Value::Text(d.format("%Y-%m-%d").to_string())
    })
}
