//! The `placements` layer: a point per household that lives somewhere at
//! the end of the plan, at its home or temporary place.
//!
//! Invariants: a household is named by its id only (no income, benefit,
//! disposable amount or reason: personal data stays in `plan.csv`); the
//! rent only as a band.

use rusqlite::Connection;
use rusqlite::types::Value;

use super::geometry::gp_point;
use super::schema::{Column, Extent, Feature, Table};
use super::{GpkgError, Writer, date, opt_text, text};

impl Writer<'_> {
    pub(super) fn placements(&self, tx: &Connection) -> Result<(), GpkgError> {
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
}
