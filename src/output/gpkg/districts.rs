//! The `districts` layer: each district's polygon with the before/after
//! figures of the summary, and small-count suppression.
//!
//! Invariants: the figures are those `output::privacy` publishes (of a
//! small district `persons_placed`, `households_placed`, `newcomers_after`
//! and `over_cap` NULL, the label `<5`, the share with 2.5 persons placed,
//! `suppressed` true) unless the scenario turns suppression off; the
//! districts of the summary are those of the inputs, in order, or
//! nothing is written.

use geo::BoundingRect;
use rusqlite::Connection;
use rusqlite::types::Value;

use super::geometry::gp_multipolygon;
use super::schema::{Column, Extent, Feature, Table};
use super::{GpkgError, Writer, text};

impl Writer<'_> {
    pub(super) fn districts(&self, tx: &Connection) -> Result<(), GpkgError> {
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
            ("suppressed", "BOOLEAN"),
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
        for (i, (d, f)) in self
            .inputs
            .districts
            .iter()
            .zip(&self.summary.districts)
            .enumerate()
        {
            if d.label != f.id {
                return Err(self.err(format!(
                    "district {} of the inputs is {} in the summary",
                    d.label, f.id
                )));
            }
            if let Some(r) = d.geometry.bounding_rect() {
                Extent::add(&mut extent, r.min().x, r.min().y, r.max().x, r.max().y);
            }
            let p = self.privacy.district(i, f);
            let count = |n: Option<u32>| n.map_or(Value::Null, |n| Value::Integer(i64::from(n)));
            features.push(Feature {
                geom: gp_multipolygon(&d.geometry),
                values: vec![
                    text(&p.id),
                    text(&p.name),
                    text(&p.flags.join(",")),
                    Value::Integer(i64::from(p.population)),
                    Value::Integer(i64::from(p.newcomers_before)),
                    count(p.newcomers_after),
                    Value::Real(p.share_before),
                    Value::Real(p.share_after),
                    count(p.households_placed),
                    count(p.persons_placed),
                    Value::Text(p.persons_placed_label),
                    p.over_cap
                        .map_or(Value::Null, |o| Value::Integer(i64::from(o))),
                    Value::Integer(i64::from(p.suppressed)),
                ],
            });
        }
        self.feature_table(
            tx,
            &Table { name: "districts", geometry: "MULTIPOLYGON", description: "Districts with newcomer figures before and after the plan (figures of 1-4 persons suppressed)" },
            COLUMNS,
            &features,
            extent,
        )
    }
}
