//! The `placements` layer: a point per household that lives somewhere at
//! the end of the plan, at its home or temporary place.
//!
//! Invariants: a household is named by its id only (no income, benefit,
//! disposable amount or reason: personal data stays in `plan.csv`); the
//! rent only as a band; the points are `output::privacy`'s, so a small
//! district's households are one point per status at the district's
//! interior point, with no household id and no count of 1–4.

use rusqlite::Connection;
use rusqlite::types::Value;

use super::geometry::gp_point;
use super::schema::{Column, Extent, Feature, Table};
use super::{GpkgError, Writer, date, opt_text, text};
use crate::output::privacy::{Point, rent_band};

impl Writer<'_> {
    pub(super) fn placements(&self, tx: &Connection) -> Result<(), GpkgError> {
        const COLUMNS: &[Column] = &[
            ("household_id", "TEXT"),
            ("aggregated", "BOOLEAN NOT NULL"),
            ("households", "INTEGER"),
            ("persons_label", "TEXT"),
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
        for point in self.privacy.points(self.inputs, self.rows) {
            let (x, y, values) = match point {
                Point::Exact(row) => {
                    let Some((x, y)) = row.position else { continue };
                    let values = vec![
                        text(&row.household_id),
                        Value::Integer(0),
                        Value::Integer(1),
                        Value::Text(row.persons.to_string()),
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
                    ];
                    (x, y, values)
                }
                Point::Aggregated(a) => {
                    let count =
                        |n: Option<u32>| n.map_or(Value::Null, |n| Value::Integer(i64::from(n)));
                    let values = vec![
                        Value::Null,
                        Value::Integer(1),
                        count(a.households),
                        Value::Text(a.persons_label),
                        text(a.status.as_str()),
                        Value::Null,
                        Value::Null,
                        Value::Null,
                        Value::Null,
                        Value::Null,
                        text(a.district),
                        count(a.persons),
                        Value::Null,
                        Value::Null,
                        Value::Null,
                    ];
                    (a.x, a.y, values)
                }
            };
            Extent::add(&mut extent, x, y, x, y);
            features.push(Feature {
                geom: gp_point(x, y),
                values,
            });
        }
        self.feature_table(
            tx,
            &Table { name: "placements", geometry: "POINT", description: "Where each household lives at the end of the plan (household ids only, no personal data; households of a district with 1-4 persons as one point per status)" },
            COLUMNS,
            &features,
            extent,
        )
    }
}
