//! The GeoPackage's own tables: the `application_id` and `user_version`,
//! the standard `gpkg_spatial_ref_sys`, `gpkg_contents` and
//! `gpkg_geometry_columns` (and the QGIS `layer_styles` table's definition),
//! the spatial reference systems, and the two kinds of user table every
//! layer is written through: a feature table (`feature_table`) and a
//! key/value attributes table (`key_values`).
//!
//! Invariants: every user table is registered in `gpkg_contents` (a feature
//! table also in `gpkg_geometry_columns`, with its extent and the working
//! CRS EPSG:25832) and checked against `GIS_FIELDS` before it is created;
//! `last_change` is the writer's given write time, never the clock.

use rusqlite::types::Value;
use rusqlite::{Connection, params};

use super::{GpkgError, Writer, sql};
use crate::crs::WORKING_EPSG;

/// The GeoPackage `application_id`, "GPKG".
pub(super) const APPLICATION_ID: i32 = 0x4750_4B47;
/// GeoPackage 1.3.0.
pub(super) const USER_VERSION: i32 = 10300;

pub(super) const CORE_TABLES: &str = "
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
pub(super) type Column = (&'static str, &'static str);

/// A feature table: name, geometry type and description in gpkg_contents.
pub(super) struct Table {
    pub(super) name: &'static str,
    pub(super) geometry: &'static str,
    pub(super) description: &'static str,
}

/// One feature: its GeoPackage geometry and its values, in column order.
pub(super) struct Feature {
    pub(super) geom: Vec<u8>,
    pub(super) values: Vec<Value>,
}

/// Extent of a layer's features.
#[derive(Clone, Copy)]
pub(super) struct Extent {
    min_x: f64,
    min_y: f64,
    max_x: f64,
    max_y: f64,
}

impl Extent {
    pub(super) fn add(extent: &mut Option<Extent>, x0: f64, y0: f64, x1: f64, y1: f64) {
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

impl Writer<'_> {
    pub(super) fn spatial_ref_sys(&self, tx: &Connection) -> Result<(), GpkgError> {
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
    pub(super) fn feature_table(
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
             last_change, min_x, min_y, max_x, max_y, srs_id) \
             VALUES (?1, 'features', ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                table,
                description,
                self.written_at,
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

    pub(super) fn key_values(
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
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, \
             last_change) VALUES (?1, 'attributes', ?1, ?2, ?3)",
            params![table, description, self.written_at],
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
}
