//! The `places` layer: the places households travel to (language schools,
//! jobcentres, work places), as points.
//!
//! Invariant: only a place's id, kind and name are written.

use rusqlite::Connection;

use super::geometry::gp_point;
use super::schema::{Column, Extent, Feature, Table};
use super::{GpkgError, Writer, text};

impl Writer<'_> {
    pub(super) fn places(&self, tx: &Connection) -> Result<(), GpkgError> {
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
}
