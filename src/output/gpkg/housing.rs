//! The `housing` layer: every unit with its use over the horizon — a
//! dwelling's move-in, a temporary site's peak persons, person-days and
//! occupancy.
//!
//! Invariants: in a small district (`output::privacy`) no unit shows its
//! use, and a site's use of 1–4 persons at most is withheld (NULL); the
//! peak counts reunited members from their reunion day and
//! lets those leaving on a day leave before others arrive, exactly as the
//! planner does; a unit the plan names that is not in the housing is an
//! error, never a silent row.

use std::collections::HashMap;

use chrono::NaiveDate;
use rusqlite::Connection;
use rusqlite::types::Value;

use super::geometry::gp_point;
use super::schema::{Column, Extent, Feature, Table};
use super::{GpkgError, Writer, date, opt_text, round_to, text};
use crate::model::{Household, Tenure};

impl Writer<'_> {
    pub(super) fn housing(&self, tx: &Connection) -> Result<(), GpkgError> {
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
            // In a small district the dwellings' use would count its
            // households, and a site's 1–4 persons are a small count.
            let small_district = u
                .district
                .is_some_and(|d| self.privacy.is_small_district(d.index()));
            let withheld = small_district
                || (!permanent
                    && self
                        .privacy
                        .count(u32::try_from(peak).unwrap_or(u32::MAX))
                        .is_none());
            let (used, move_in, peak_v, days_v, occupancy) = if withheld {
                (
                    Value::Null,
                    Value::Null,
                    Value::Null,
                    Value::Null,
                    Value::Null,
                )
            } else if permanent {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peak_lets_leavers_out_before_arrivals() {
        // 3 persons from day 0 to 10, 4 from day 10 to 20, 2 from 5 to 15.
        let events = [(0, 3), (10, -3), (10, 4), (20, -4), (5, 2), (15, -2)];
        assert_eq!(peak(&events), 6);
    }
}
