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
//! - `housing` (POINT): every unit with its use over the horizon. Permanent
//!   dwellings: `used_by_plan`, `move_in`. Temporary sites: `peak_persons`
//!   (most persons on any night, counting reunited members from their
//!   reunion day, exactly as the planner does), `person_days` and
//!   `occupancy` = `peak_persons / capacity`.
//! - `districts` (MULTIPOLYGON): the before/after figures of the summary.
//!   **Small counts are suppressed**: when 1 to 4 persons are placed in a
//!   district, `persons_placed`, `households_placed` and `newcomers_after`
//!   (which would give the count away as `newcomers_after −
//!   newcomers_before`) are NULL and `persons_placed_label` reads `<5`;
//!   otherwise the label is the count itself. `share_after` is kept, rounded
//!   to 0.1 percentage point, so that the map still colours the district.
//! - `places` (POINT): the places households travel to.
//! - `scenario_kpi`, `run_metadata` (attributes, key/value text): the plan's
//!   figures; the scenario, settings, version, solve time and every input
//!   file with its SHA-256.
//! - `layer_styles` (the QGIS convention): one default QML style per spatial
//!   layer, applied by QGIS when the layer is opened.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use geo::{BoundingRect, MultiPolygon, Winding};
use rusqlite::types::Value;
use rusqlite::{Connection, params};
use sha2::{Digest, Sha256};

use crate::crs::WORKING_EPSG;
use crate::evaluate::{HouseholdRow, Summary};
use crate::model::{Household, Inputs, Tenure};
use crate::scenario::Scenario;

/// Counts below this many persons are suppressed in the GIS outputs.
pub const SUPPRESSION_THRESHOLD: u32 = 5;

/// Every column each table of `plan.gpkg` may have: the privacy allow-list.
/// Writing a column outside it is an error.
pub const GIS_FIELDS: &[(&str, &[&str])] = &[
    (
        "placements",
        &[
            "fid",
            "geom",
            "household_id",
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

/// The spatial layers with their default QML style.
const STYLES: &[(&str, &str, &str)] = &[
    (
        "placements",
        "placements by status",
        include_str!("../../assets/styles/placements.qml"),
    ),
    (
        "housing",
        "housing by occupancy",
        include_str!("../../assets/styles/housing.qml"),
    ),
    (
        "districts",
        "districts by newcomer share",
        include_str!("../../assets/styles/districts.qml"),
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

/// Writes `path` with small counts suppressed (the default).
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
    write_gpkg_with(path, inputs, scenario, rows, summary, true)
}

/// Writes the GeoPackage to `path`, via a temporary file beside it that is
/// renamed into place when complete; an existing `path` is replaced.
/// `suppress_small`: district counts of 1–4 persons become NULL / `<5`.
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
    suppress_small: bool,
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
            suppress_small,
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

/// The GeoPackage `application_id`, "GPKG".
const APPLICATION_ID: i32 = 0x4750_4B47;
/// GeoPackage 1.3.0.
const USER_VERSION: i32 = 10300;

const CORE_TABLES: &str = "
CREATE TABLE gpkg_spatial_ref_sys (
  srs_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL PRIMARY KEY,
  organization TEXT NOT NULL,
  organization_coordsys_id INTEGER NOT NULL,
  definition TEXT NOT NULL,
  description TEXT
);
CREATE TABLE gpkg_contents (
  table_name TEXT NOT NULL PRIMARY KEY,
  data_type TEXT NOT NULL,
  identifier TEXT UNIQUE,
  description TEXT DEFAULT '',
  last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  min_x DOUBLE,
  min_y DOUBLE,
  max_x DOUBLE,
  max_y DOUBLE,
  srs_id INTEGER,
  CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id)
);
CREATE TABLE gpkg_geometry_columns (
  table_name TEXT NOT NULL,
  column_name TEXT NOT NULL,
  geometry_type_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL,
  z TINYINT NOT NULL,
  m TINYINT NOT NULL,
  CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
  CONSTRAINT uk_gc_table_name UNIQUE (table_name),
  CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
  CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id)
);
CREATE TABLE layer_styles (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  f_table_catalog TEXT(256),
  f_table_schema TEXT(256),
  f_table_name TEXT(256),
  f_geometry_column TEXT(256),
  styleName TEXT(30),
  styleQML TEXT,
  styleSLD TEXT,
  useAsDefault BOOLEAN,
  description TEXT,
  owner TEXT(30),
  ui TEXT(30),
  update_time DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
";

/// WGS 84 as the GeoPackage specification spells it (Table 21).
const WGS84_WKT: &str = r#"GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4326"]]"#;

/// A column of a table: name and GeoPackage type.
type Column = (&'static str, &'static str);

/// A feature table: name, geometry type and description in gpkg_contents.
struct Table {
    name: &'static str,
    geometry: &'static str,
    description: &'static str,
}

/// One feature: its GeoPackage geometry and its values, in column order.
struct Feature {
    geom: Vec<u8>,
    values: Vec<Value>,
}

/// Extent of a layer's features.
#[derive(Clone, Copy)]
struct Extent {
    min_x: f64,
    min_y: f64,
    max_x: f64,
    max_y: f64,
}

impl Extent {
    fn add(extent: &mut Option<Extent>, x0: f64, y0: f64, x1: f64, y1: f64) {
        let e = extent.get_or_insert(Extent {
            min_x: x0,
            min_y: y0,
            max_x: x1,
            max_y: y1,
        });
        e.min_x = e.min_x.min(x0);
        e.min_y = e.min_y.min(y0);
        e.max_x = e.max_x.max(x1);
        e.max_y = e.max_y.max(y1);
    }
}

struct Writer<'a> {
    path: &'a Path,
    inputs: &'a Inputs,
    scenario: &'a Scenario,
    rows: &'a [HouseholdRow],
    summary: &'a Summary,
    suppress_small: bool,
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

    fn spatial_ref_sys(&self, tx: &Connection) -> Result<(), GpkgError> {
        let working = crs_definitions::from_code(WORKING_EPSG)
            .ok_or_else(|| self.err(format!("no definition of EPSG:{WORKING_EPSG}")))?;
        let rows: [(&str, i64, &str, i64, &str, &str); 4] = [
            (
                "WGS 84 geodetic",
                4326,
                "EPSG",
                4326,
                WGS84_WKT,
                "longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid",
            ),
            (
                "Undefined cartesian SRS",
                -1,
                "NONE",
                -1,
                "undefined",
                "undefined cartesian coordinate reference system",
            ),
            (
                "Undefined geographic SRS",
                0,
                "NONE",
                0,
                "undefined",
                "undefined geographic coordinate reference system",
            ),
            (
                "ETRS89 / UTM zone 32N",
                i64::from(WORKING_EPSG),
                "EPSG",
                i64::from(WORKING_EPSG),
                working.wkt,
                "ETRS89 / UTM zone 32N (metres), the planner's working CRS",
            ),
        ];
        for r in rows {
            tx.execute(
                "INSERT INTO gpkg_spatial_ref_sys (srs_name, srs_id, organization, \
                 organization_coordsys_id, definition, description) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![r.0, r.1, r.2, r.3, r.4, r.5],
            )
            .map_err(sql(self.path))?;
        }
        Ok(())
    }

    /// Creates a feature table, registers it and inserts its features.
    fn feature_table(
        &self,
        tx: &Connection,
        spec: &Table,
        columns: &[Column],
        features: &[Feature],
        extent: Option<Extent>,
    ) -> Result<(), GpkgError> {
        let (table, geometry_type, description) = (spec.name, spec.geometry, spec.description);
        self.check_allowed(table, columns)?;
        let defs: Vec<String> = columns
            .iter()
            .map(|(n, t)| format!("\"{n}\" {t}"))
            .collect();
        let create = format!(
            "CREATE TABLE \"{table}\" (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, \
             geom {geometry_type}, {})",
            defs.join(", ")
        );
        tx.execute(&create, []).map_err(sql(self.path))?;
        let (min_x, min_y, max_x, max_y) = match extent {
            Some(e) => (Some(e.min_x), Some(e.min_y), Some(e.max_x), Some(e.max_y)),
            None => (None, None, None, None),
        };
        tx.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, \
             min_x, min_y, max_x, max_y, srs_id) VALUES (?1, 'features', ?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                table,
                description,
                min_x,
                min_y,
                max_x,
                max_y,
                i64::from(WORKING_EPSG)
            ],
        )
        .map_err(sql(self.path))?;
        tx.execute(
            "INSERT INTO gpkg_geometry_columns (table_name, column_name, geometry_type_name, \
             srs_id, z, m) VALUES (?1, 'geom', ?2, ?3, 0, 0)",
            params![table, geometry_type, i64::from(WORKING_EPSG)],
        )
        .map_err(sql(self.path))?;
        let names: Vec<String> = columns.iter().map(|(n, _)| format!("\"{n}\"")).collect();
        let marks: Vec<String> = (2..=columns.len() + 1).map(|i| format!("?{i}")).collect();
        let insert = format!(
            "INSERT INTO \"{table}\" (geom, {}) VALUES (?1, {})",
            names.join(", "),
            marks.join(", ")
        );
        let mut stmt = tx.prepare(&insert).map_err(sql(self.path))?;
        for f in features {
            let mut values: Vec<Value> = Vec::with_capacity(columns.len() + 1);
            values.push(Value::Blob(f.geom.clone()));
            values.extend(f.values.iter().cloned());
            stmt.execute(rusqlite::params_from_iter(values))
                .map_err(sql(self.path))?;
        }
        Ok(())
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

    fn placements(&self, tx: &Connection) -> Result<(), GpkgError> {
        const COLUMNS: &[Column] = &[
            ("household_id", "TEXT NOT NULL"),
            ("status", "TEXT NOT NULL"),
            ("temp_unit", "TEXT"),
            ("temp_from", "DATE"),
            ("temp_to", "DATE"),
            ("perm_unit", "TEXT"),
            ("perm_from", "DATE"),
            ("district", "TEXT"),
            ("persons", "INTEGER"),
            ("rent_band", "TEXT"),
            ("travel_minutes", "REAL"),
            ("household_type", "TEXT"),
        ];
        let mut extent = None;
        let mut features = Vec::new();
        for row in self.rows {
            let Some((x, y)) = row.position else { continue };
            Extent::add(&mut extent, x, y, x, y);
            features.push(Feature {
                geom: gp_point(x, y),
                values: vec![
                    text(&row.household_id),
                    text(row.status.as_str()),
                    opt_text(row.temp_unit.as_deref()),
                    date(row.temp_from),
                    date(row.temp_to),
                    opt_text(row.perm_unit.as_deref()),
                    date(row.perm_from),
                    opt_text(row.district.as_deref()),
                    Value::Integer(i64::from(row.persons)),
                    opt_text(rent_band(row.rent)),
                    row.travel_minutes.map_or(Value::Null, Value::Real),
                    text(row.household_type.as_str()),
                ],
            });
        }
        self.feature_table(
            tx,
            &Table { name: "placements", geometry: "POINT", description: "Where each household lives at the end of the plan (household ids only, no personal data)" },
            COLUMNS,
            &features,
            extent,
        )
    }

    fn housing(&self, tx: &Connection) -> Result<(), GpkgError> {
        const COLUMNS: &[Column] = &[
            ("unit_id", "TEXT NOT NULL"),
            ("kind", "TEXT"),
            ("tenure", "TEXT"),
            ("rooms", "INTEGER"),
            ("area_m2", "REAL"),
            ("rent", "INTEGER"),
            ("capacity", "INTEGER"),
            ("district", "TEXT"),
            ("available_from", "DATE"),
            ("available_until", "DATE"),
            ("accessible", "BOOLEAN"),
            ("used_by_plan", "BOOLEAN"),
            ("move_in", "DATE"),
            ("peak_persons", "INTEGER"),
            ("person_days", "INTEGER"),
            ("occupancy", "REAL"),
        ];
        let uses = self.unit_use()?;
        let mut extent = None;
        let mut features = Vec::with_capacity(self.inputs.units.len());
        for (u, usage) in self.inputs.units.iter().zip(&uses) {
            let (x, y) = (u.pos.x(), u.pos.y());
            Extent::add(&mut extent, x, y, x, y);
            let permanent = u.tenure == Tenure::Permanent;
            let peak = peak(&usage.events);
            let (used, move_in, peak_v, days_v, occupancy) = if permanent {
                (
                    Value::Integer(i64::from(usage.move_in.is_some())),
                    date(usage.move_in),
                    Value::Null,
                    Value::Null,
                    Value::Null,
                )
            } else {
                let occupancy = if u.capacity > 0 {
                    Value::Real(round_to(peak as f64 / f64::from(u.capacity), 1e4))
                } else {
                    Value::Null
                };
                (
                    Value::Null,
                    Value::Null,
                    Value::Integer(peak),
                    Value::Integer(usage.person_days),
                    occupancy,
                )
            };
            features.push(Feature {
                geom: gp_point(x, y),
                values: vec![
                    text(&u.name),
                    text(u.kind.as_str()),
                    text(if permanent { "permanent" } else { "temporary" }),
                    Value::Integer(i64::from(u.rooms)),
                    Value::Real(u.area_m2),
                    Value::Integer(u.rent_dkk),
                    Value::Integer(i64::from(u.capacity)),
                    opt_text(u.district.map(|d| self.inputs.district(d).label.as_str())),
                    date(Some(self.scenario.date(u.available_from))),
                    date(u.available_until.map(|d| self.scenario.date(d))),
                    Value::Integer(i64::from(u.accessible)),
                    used,
                    move_in,
                    peak_v,
                    days_v,
                    occupancy,
                ],
            });
        }
        self.feature_table(
            tx,
            &Table {
                name: "housing",
                geometry: "POINT",
                description: "Every dwelling and temporary site with its use over the horizon",
            },
            COLUMNS,
            &features,
            extent,
        )
    }

    /// Per unit (input order): the move-in into a dwelling, and the
    /// arrivals/departures (+/− persons by day) and person-days of a site.
    fn unit_use(&self) -> Result<Vec<UnitUse>, GpkgError> {
        let index: HashMap<&str, usize> = self
            .inputs
            .units
            .iter()
            .enumerate()
            .map(|(i, u)| (u.name.as_str(), i))
            .collect();
        let households: HashMap<&str, &Household> = self
            .inputs
            .households
            .iter()
            .map(|h| (h.name.as_str(), h))
            .collect();
        let mut uses: Vec<UnitUse> = (0..self.inputs.units.len())
            .map(|_| UnitUse::default())
            .collect();
        let find = |name: &str| {
            index
                .get(name)
                .copied()
                .ok_or_else(|| self.err(format!("plan names unit {name}, not in the housing")))
        };
        for row in self.rows {
            if let Some(name) = &row.perm_unit {
                let u = &mut uses[find(name)?];
                u.move_in = match (u.move_in, row.perm_from) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
            }
            if let (Some(name), Some(from), Some(to)) = (&row.temp_unit, row.temp_from, row.temp_to)
            {
                let u = &mut uses[find(name)?];
                u.person_days += row.temporary_person_days;
                let (from, to) = (self.scenario.day(from), self.scenario.day(to));
                match households.get(row.household_id.as_str()) {
                    Some(h) => {
                        // Persons change at most once in a stay: on the reunion day.
                        let mut cuts = vec![from];
                        if let Some(r) = &h.reunion
                            && r.day > from
                            && r.day < to
                        {
                            cuts.push(r.day);
                        }
                        cuts.push(to);
                        for w in cuts.windows(2) {
                            let p = i64::from(h.at(w[0]).persons());
                            u.events.push((w[0], p));
                            u.events.push((w[1], -p));
                        }
                    }
                    None => {
                        let p = i64::from(row.persons);
                        u.events.push((from, p));
                        u.events.push((to, -p));
                    }
                }
            }
        }
        Ok(uses)
    }

    fn districts(&self, tx: &Connection) -> Result<(), GpkgError> {
        const COLUMNS: &[Column] = &[
            ("district_id", "TEXT NOT NULL"),
            ("name", "TEXT"),
            ("flags", "TEXT"),
            ("population", "INTEGER"),
            ("newcomers_before", "INTEGER"),
            ("newcomers_after", "INTEGER"),
            ("share_before", "REAL"),
            ("share_after", "REAL"),
            ("households_placed", "INTEGER"),
            ("persons_placed", "INTEGER"),
            ("persons_placed_label", "TEXT"),
            ("over_cap", "BOOLEAN"),
        ];
        if self.inputs.districts.len() != self.summary.districts.len() {
            return Err(self.err(format!(
                "{} districts in the inputs, {} in the summary",
                self.inputs.districts.len(),
                self.summary.districts.len()
            )));
        }
        let mut extent = None;
        let mut features = Vec::new();
        for (d, f) in self.inputs.districts.iter().zip(&self.summary.districts) {
            if d.label != f.id {
                return Err(self.err(format!(
                    "district {} of the inputs is {} in the summary",
                    d.label, f.id
                )));
            }
            if let Some(r) = d.geometry.bounding_rect() {
                Extent::add(&mut extent, r.min().x, r.min().y, r.max().x, r.max().y);
            }
            let small = self.suppress_small
                && f.persons_placed > 0
                && f.persons_placed < SUPPRESSION_THRESHOLD;
            let count = |n: u32| {
                if small {
                    Value::Null
                } else {
                    Value::Integer(i64::from(n))
                }
            };
            let label = if small {
                format!("<{SUPPRESSION_THRESHOLD}")
            } else {
                f.persons_placed.to_string()
            };
            let share_after = if small {
                round_to(f.share_after, 1e3)
            } else {
                f.share_after
            };
            features.push(Feature {
                geom: gp_multipolygon(&d.geometry),
                values: vec![
                    text(&f.id),
                    text(&f.name),
                    text(&f.flags.join(",")),
                    Value::Integer(i64::from(f.population)),
                    Value::Integer(i64::from(f.newcomers_before)),
                    count(f.newcomers_after),
                    Value::Real(f.share_before),
                    Value::Real(share_after),
                    count(f.households_placed),
                    count(f.persons_placed),
                    Value::Text(label),
                    Value::Integer(i64::from(f.over_cap)),
                ],
            });
        }
        self.feature_table(
            tx,
            &Table { name: "districts", geometry: "MULTIPOLYGON", description: "Districts with newcomer figures before and after the plan (counts of 1-4 persons suppressed)" },
            COLUMNS,
            &features,
            extent,
        )
    }

    fn places(&self, tx: &Connection) -> Result<(), GpkgError> {
        const COLUMNS: &[Column] = &[
            ("place_id", "TEXT NOT NULL"),
            ("kind", "TEXT"),
            ("name", "TEXT"),
        ];
        let mut extent = None;
        let features: Vec<Feature> = self
            .inputs
            .places
            .iter()
            .map(|p| {
                let (x, y) = (p.pos.x(), p.pos.y());
                Extent::add(&mut extent, x, y, x, y);
                Feature {
                    geom: gp_point(x, y),
                    values: vec![text(&p.label), text(p.kind.as_str()), text(&p.name)],
                }
            })
            .collect();
        self.feature_table(
            tx,
            &Table {
                name: "places",
                geometry: "POINT",
                description: "Language schools, jobcentres and other places households travel to",
            },
            COLUMNS,
            &features,
            extent,
        )
    }

    fn key_values(
        &self,
        tx: &Connection,
        table: &str,
        description: &str,
        pairs: &[(String, String)],
    ) -> Result<(), GpkgError> {
        self.check_allowed(table, &[("key", "TEXT"), ("value", "TEXT")])?;
        tx.execute(
            &format!(
                "CREATE TABLE \"{table}\" (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, \
                 key TEXT NOT NULL, value TEXT)"
            ),
            [],
        )
        .map_err(sql(self.path))?;
        tx.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description) \
             VALUES (?1, 'attributes', ?1, ?2)",
            params![table, description],
        )
        .map_err(sql(self.path))?;
        let mut stmt = tx
            .prepare(&format!(
                "INSERT INTO \"{table}\" (key, value) VALUES (?1, ?2)"
            ))
            .map_err(sql(self.path))?;
        for (k, v) in pairs {
            stmt.execute(params![k, v]).map_err(sql(self.path))?;
        }
        Ok(())
    }

    fn kpis(&self) -> Vec<(String, String)> {
        let s = self.summary;
        let mut kv: Vec<(String, String)> = Vec::new();
        let mut put = |k: &str, v: String| kv.push((k.to_string(), v));
        put("households", s.households.households.to_string());
        put("persons", s.households.persons.to_string());
        for (status, c) in &s.by_status {
            let status = status.as_str();
            put(&format!("households_{status}"), c.households.to_string());
            put(&format!("persons_{status}"), c.persons.to_string());
        }
        for (t, f) in s.by_type_in_name_order() {
            let t = t.as_str();
            put(&format!("households_{t}"), f.households.to_string());
            put(
                &format!("households_{t}_permanent"),
                f.permanent.to_string(),
            );
        }
        put("families_waiting", s.families_waiting.to_string());
        put("temporary_person_days", s.temporary_person_days.to_string());
        put("max_share_before", s.spread.before.max_share.to_string());
        put("max_share_after", s.spread.after.max_share.to_string());
        put(
            "districts_over_cap_after",
            s.spread.after.districts_over_cap.to_string(),
        );
        put(
            "dissimilarity_before",
            s.spread.before.dissimilarity.to_string(),
        );
        put(
            "dissimilarity_after",
            s.spread.after.dissimilarity.to_string(),
        );
        put("isolation_after", s.spread.after.isolation.to_string());
        put("theil_after", s.spread.after.theil.to_string());
        put(
            "districts_receiving",
            s.spread.districts_receiving.to_string(),
        );
        put(
            "buildings_receiving",
            s.spread.buildings_receiving.to_string(),
        );
        put("rent_dkk_median", opt_num(s.rent_dkk.median));
        put("disposable_dkk_median", opt_num(s.disposable_dkk.median));
        put("travel_method", s.travel.method.as_str().to_string());
        put("travel_minutes_median", opt_num(s.travel.minutes.median));
        put("travel_minutes_p90", opt_num(s.travel.minutes.p90));
        put("travel_minutes_max", opt_num(s.travel.minutes.max));
        put(
            "municipal_cost_dkk_total",
            s.municipal_cost_dkk.total.to_string(),
        );
        put("objective", opt_num(s.objective));
        put("bound", opt_num(s.bound));
        put("gap", opt_num(s.gap));
        kv
    }

    fn metadata(&self) -> Result<Vec<(String, String)>, GpkgError> {
        let (s, sc) = (self.summary, self.scenario);
        let rules = &sc.rules;
        let mut kv: Vec<(String, String)> = vec![
            ("scenario_name".into(), s.scenario.clone()),
            ("scenario_file".into(), sc.path.display().to_string()),
            ("scenario_sha256".into(), self.sha256(&sc.path)?),
            ("strategy".into(), s.strategy.as_str().to_string()),
            ("start".into(), s.start.to_string()),
            ("horizon_days".into(), s.horizon_days.to_string()),
            ("seed".into(), s.seed.to_string()),
            ("crs".into(), format!("EPSG:{WORKING_EPSG}")),
            ("input_crs".into(), sc.crs.to_string()),
            (
                "boligplan_version".into(),
                env!("CARGO_PKG_VERSION").to_string(),
            ),
            ("solve_seconds".into(), s.solve_seconds.to_string()),
            ("iterations".into(), s.iterations.to_string()),
            (
                "max_district_share".into(),
                rules.max_district_share.to_string(),
            ),
            (
                "max_persons_per_room".into(),
                rules.max_persons_per_room.to_string(),
            ),
            (
                "min_m2_per_person".into(),
                rules.min_m2_per_person.to_string(),
            ),
            (
                "max_households_per_building".into(),
                rules.max_households_per_building.to_string(),
            ),
            ("max_travel_min".into(), rules.max_travel_min.to_string()),
            (
                "max_work_travel_min".into(),
                rules
                    .max_work_travel_min
                    .map_or_else(String::new, |m| m.to_string()),
            ),
            ("forbidden_flags".into(), rules.forbidden_flags.join(",")),
            (
                "forbidden_flags_social_housing".into(),
                rules.forbidden_flags_social_housing.join(","),
            ),
            (
                "suppress_small_counts".into(),
                self.suppress_small.to_string(),
            ),
            (
                "suppression_threshold_persons".into(),
                SUPPRESSION_THRESHOLD.to_string(),
            ),
        ];
        let i = &sc.inputs;
        let mut files: Vec<(&str, &Path)> = vec![
            ("households", &i.households),
            ("housing", &i.housing),
            ("districts", &i.districts),
            ("places", &i.places),
        ];
        if let Some(n) = &i.network {
            files.push(("network", n));
        }
        if let Some(g) = &i.gtfs {
            files.push(("gtfs", g));
        }
        for (name, path) in files {
            kv.push((format!("input_{name}"), path.display().to_string()));
            // A GTFS feed may be a folder: only a file has one checksum.
            if !path.is_dir() {
                kv.push((format!("input_{name}_sha256"), self.sha256(path)?));
            }
        }
        Ok(kv)
    }

    fn sha256(&self, path: &Path) -> Result<String, GpkgError> {
        let _ = self;
        let bytes = fs_err::read(path).map_err(|source| GpkgError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let digest = Sha256::digest(&bytes);
        Ok(digest.iter().fold(String::new(), |mut hex, b| {
            let _ = write!(hex, "{b:02x}");
            hex
        }))
    }

    fn styles(&self, tx: &Connection) -> Result<(), GpkgError> {
        self.check_allowed(
            "layer_styles",
            &GIS_FIELDS
                .iter()
                .find(|(t, _)| *t == "layer_styles")
                .map(|(_, f)| f.iter().map(|n| (*n, "")).collect::<Vec<_>>())
                .unwrap_or_default(),
        )?;
        tx.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description) \
             VALUES ('layer_styles', 'attributes', 'layer_styles', 'QGIS default styles')",
            [],
        )
        .map_err(sql(self.path))?;
        for (table, name, qml) in STYLES {
            tx.execute(
                "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, \
                 f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description, \
                 owner, ui) VALUES ('', '', ?1, 'geom', ?2, ?3, '', 1, ?4, '', NULL)",
                params![table, name, qml, format!("boligplan default style: {name}")],
            )
            .map_err(sql(self.path))?;
        }
        Ok(())
    }
}

/// How a unit is used by the plan.
#[derive(Default)]
struct UnitUse {
    move_in: Option<NaiveDate>,
    /// (day, persons arriving (+) or leaving (−)) of temporary stays.
    events: Vec<(i64, i64)>,
    person_days: i64,
}

/// Most persons at once; those leaving on a day leave before others
/// arrive (stays are half-open).
fn peak(events: &[(i64, i64)]) -> i64 {
    let mut events = events.to_vec();
    events.sort_unstable();
    let (mut now, mut most) = (0_i64, 0_i64);
    for (_, delta) in events {
        now += delta;
        most = most.max(now);
    }
    most
}

/// The rent band of a monthly rent, DKK.
fn rent_band(rent: Option<i64>) -> Option<&'static str> {
    rent.map(|r| match r {
        ..4000 => "<4000",
        4000..6000 => "4000-5999",
        6000..8000 => "6000-7999",
        _ => "8000+",
    })
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

fn opt_num(x: Option<f64>) -> String {
    x.map(|v| v.to_string()).unwrap_or_default()
}

/// GeoPackage binary header: magic, version 0, flags (little-endian,
/// envelope indicator, empty bit), srs_id.
fn gp_header(buf: &mut Vec<u8>, envelope: Option<[f64; 4]>, empty: bool) {
    buf.extend_from_slice(b"GP");
    buf.push(0);
    let envelope_code = u8::from(envelope.is_some());
    let flags = 1 | (envelope_code << 1) | (u8::from(empty) << 4);
    buf.push(flags);
    buf.extend_from_slice(&i32::from(WORKING_EPSG).to_le_bytes());
    if let Some(e) = envelope {
        for v in e {
            buf.extend_from_slice(&v.to_le_bytes());
        }
    }
}

/// A point as GeoPackage binary (no envelope) + WKB.
fn gp_point(x: f64, y: f64) -> Vec<u8> {
    let mut b = Vec::with_capacity(8 + 21);
    gp_header(&mut b, None, false);
    b.push(1);
    b.extend_from_slice(&1_u32.to_le_bytes());
    b.extend_from_slice(&x.to_le_bytes());
    b.extend_from_slice(&y.to_le_bytes());
    b
}

/// A multipolygon as GeoPackage binary (xy envelope: minx, maxx, miny,
/// maxy) + WKB; exterior rings counter-clockwise, holes clockwise.
fn gp_multipolygon(mp: &MultiPolygon<f64>) -> Vec<u8> {
    let mut b = Vec::new();
    match mp.bounding_rect() {
        Some(r) => gp_header(
            &mut b,
            Some([r.min().x, r.max().x, r.min().y, r.max().y]),
            false,
        ),
        None => gp_header(&mut b, None, true),
    }
    b.push(1);
    b.extend_from_slice(&6_u32.to_le_bytes());
    b.extend_from_slice(&(mp.0.len() as u32).to_le_bytes());
    for poly in &mp.0 {
        b.push(1);
        b.extend_from_slice(&3_u32.to_le_bytes());
        b.extend_from_slice(&((1 + poly.interiors().len()) as u32).to_le_bytes());
        let mut exterior = poly.exterior().clone();
        exterior.make_ccw_winding();
        ring(&mut b, &exterior);
        for inner in poly.interiors() {
            let mut inner = inner.clone();
            inner.make_cw_winding();
            ring(&mut b, &inner);
        }
    }
    b
}

fn ring(b: &mut Vec<u8>, line: &geo::LineString<f64>) {
    b.extend_from_slice(&(line.0.len() as u32).to_le_bytes());
    for c in &line.0 {
        b.extend_from_slice(&c.x.to_le_bytes());
        b.extend_from_slice(&c.y.to_le_bytes());
    }
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
    fn peak_lets_leavers_out_before_arrivals() {
        // 3 persons from day 0 to 10, 4 from day 10 to 20, 2 from 5 to 15.
        let events = [(0, 3), (10, -3), (10, 4), (20, -4), (5, 2), (15, -2)];
        assert_eq!(peak(&events), 6);
    }

    #[test]
    fn point_header_is_geopackage_binary() {
        let b = gp_point(500_000.0, 6_200_000.0);
        assert_eq!(&b[..4], b"GP\x00\x01");
        assert_eq!(i32::from_le_bytes(b[4..8].try_into().unwrap()), 25832);
        assert_eq!(b[8], 1);
        assert_eq!(u32::from_le_bytes(b[9..13].try_into().unwrap()), 1);
        assert_eq!(b.len(), 8 + 21);
    }
}
