//! The `districts` layer: each district's polygon with the before/after
//! figures of the summary, and small-count suppression.
//!
//! Invariants: no district figure based on 1–4 persons (`persons_placed`,
//! `households_placed`, `newcomers_after` NULL, the label `<5`, the share
//! rounded to 0.1 percentage point) unless the scenario turns suppression
//! off; the districts of the summary are those of the inputs, in order, or
//! nothing is written.

use geo::BoundingRect;
use rusqlite::Connection;
use rusqlite::types::Value;

use super::geometry::gp_multipolygon;
use super::schema::{Column, Extent, Feature, Table};
use super::{GpkgError, SUPPRESSION_THRESHOLD, Writer, round_to, text};

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
}
