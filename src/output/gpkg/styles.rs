//! The QGIS `layer_styles` table: one default QML style per spatial layer
//! (`assets/styles/`, built into the binary), which QGIS applies when the
//! layer is opened; the same QML is written beside `plan.geojson`
//! (`qml_sidecars`).
//!
//! Invariant: the table's columns are those of `GIS_FIELDS`; every style is
//! the default of its layer's `geom` column.

use rusqlite::{Connection, params};

use super::{GIS_FIELDS, GpkgError, Writer, sql};

/// The spatial layers with their default QML style.
pub(super) const STYLES: &[(&str, &str, &str)] = &[
    (
        "placements",
        "placements by status",
        include_str!("../../../assets/styles/placements.qml"),
    ),
    (
        "housing",
        "housing by occupancy",
        include_str!("../../../assets/styles/housing.qml"),
    ),
    (
        "districts",
        "districts by newcomer share",
        include_str!("../../../assets/styles/districts.qml"),
    ),
];

impl Writer<'_> {
    pub(super) fn styles(&self, tx: &Connection) -> Result<(), GpkgError> {
        self.check_allowed(
            "layer_styles",
            &GIS_FIELDS
                .iter()
                .find(|(t, _)| *t == "layer_styles")
                .map(|(_, f)| f.iter().map(|n| (*n, "")).collect::<Vec<_>>())
                .unwrap_or_default(),
        )?;
        tx.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, \
             last_change) VALUES ('layer_styles', 'attributes', 'layer_styles', \
             'QGIS default styles', ?1)",
            params![self.written_at],
        )
        .map_err(sql(self.path))?;
        for (table, name, qml) in STYLES {
            tx.execute(
                "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, \
                 f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description, \
                 owner, ui, update_time) VALUES ('', '', ?1, 'geom', ?2, ?3, '', 1, ?4, '', NULL, ?5)",
                params![
                    table,
                    name,
                    qml,
                    format!("boligplan default style: {name}"),
                    self.written_at
                ],
            )
            .map_err(sql(self.path))?;
        }
        Ok(())
    }
}
