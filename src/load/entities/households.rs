//! The households file (CSV): composition, arrival, income, a family
//! reunion, needs, and references to places (language school, work place)
//! and to a locked unit, each checked against the file it names.

use std::collections::HashMap;

use super::{Rejected, missing_reference, unique_id};
use crate::findings::{Findings, Location};
use crate::ids::{HouseholdId, PlaceId, UnitId, to_u32};
use crate::load::table::{Fields, Ticker, read_csv};
use crate::model::{Household, Reunion};
use crate::scenario::{InputPaths, Scenario};

const HOUSEHOLD_FIELDS: &[&str] = &[
    "id",
    "adults",
    "children",
    "arrival",
    "income",
    "reunion_date",
    "reunion_adults",
    "reunion_children",
    "needs_accessible",
    "language_school",
    "work_place",
    "locked_unit",
];

/// Reads the households file and resolves its references.
pub fn households(
    scenario: &Scenario,
    places: (&HashMap<&str, PlaceId>, &Rejected),
    units: (&HashMap<&str, UnitId>, &Rejected),
    findings: &mut Findings,
    ticker: &mut Ticker<'_>,
) -> Vec<Household> {
    let (places, places_rejected) = places;
    let (units, units_rejected) = units;
    let Some(mut table) = read_csv(
        &scenario.inputs.households,
        &["id", "adults", "children", "arrival"],
        HOUSEHOLD_FIELDS,
        findings,
        ticker,
    ) else {
        return Vec::new();
    };
    table.date_format = scenario.date_format;
    let layers = &scenario.inputs.layers;
    let places_file = InputPaths::display(&scenario.inputs.places, layers.places.as_deref());
    let housing_file = InputPaths::display(&scenario.inputs.housing, layers.housing.as_deref());
    let mut seen = HashMap::new();
    let mut out = Vec::new();
    let mut rows = 0usize;
    while let Some(row) = table.next_row(findings) {
        ticker.table(&table);
        rows += 1;
        let mut f = Fields::new(&table, &row, findings);
        let id = f.required("id");
        let adults = f.required_int_because(
            "adults",
            1,
            "every household has at least one adult; count children in `children`",
        );
        let children = f.required_int("children", 0);
        let arrival = f.required_date("arrival");
        let income = f.int("income", 0);
        let reunion_date = f.date("reunion_date");
        let reunion_adults = f.int("reunion_adults", 0).unwrap_or(0);
        let reunion_children = f.int("reunion_children", 0).unwrap_or(0);
        let reunion = match reunion_date {
            Some(date) => {
                if reunion_adults + reunion_children == 0 {
                    f.problem(
                        "reunion_adults",
                        "reunion_date is given but nobody follows, expected reunion_adults or reunion_children above 0"
                            .into(),
                    );
                }
                if let Some(a) = arrival
                    && date < a
                {
                    f.problem(
                        "reunion_date",
                        format!("found {date}, expected a date on or after the arrival {a} (family members follow the refugee)"),
                    );
                }
                Some(Reunion {
                    day: scenario.day(date),
                    adults: u32::try_from(reunion_adults).unwrap_or(0),
                    children: u32::try_from(reunion_children).unwrap_or(0),
                })
            }
            None => {
                if reunion_adults + reunion_children > 0 && f.text("reunion_date").is_none() {
                    f.problem(
                        "reunion_date",
                        "is empty, expected the date the family members in reunion_adults/reunion_children arrive".into(),
                    );
                }
                None
            }
        };
        let needs_accessible = f.flag("needs_accessible");
        let place_ref = |f: &mut Fields<'_>, field: &str| {
            let v = f.text(field)?;
            let found = places.get(v).copied();
            if found.is_none() && !places_rejected.covers(v) {
                missing_reference(f, field, v, "place", &places_file, places.keys().copied());
            }
            found
        };
        let language_school = place_ref(&mut f, "language_school");
        let work_place = place_ref(&mut f, "work_place");
        let locked_unit = f.text("locked_unit").and_then(|v| {
            let found = units.get(v).copied();
            if found.is_none() && !units_rejected.covers(v) {
                missing_reference(
                    &mut f,
                    "locked_unit",
                    v,
                    "unit",
                    &housing_file,
                    units.keys().copied(),
                );
            }
            found
        });
        let fresh = id.is_some_and(|id| unique_id(&mut seen, id, &mut f));
        if let (Some(id), Some(adults), Some(children), Some(arrival), true, false) =
            (id, adults, children, arrival, fresh, f.bad)
        {
            out.push(Household {
                id: HouseholdId(to_u32(out.len())),
                name: id.to_string(),
                adults: u32::try_from(adults).unwrap_or(0),
                children: u32::try_from(children).unwrap_or(0),
                arrival: scenario.day(arrival),
                income_dkk: income,
                reunion,
                needs_accessible,
                language_school,
                work_place,
                locked_unit,
            });
        }
    }
    ticker.table(&table);
    if rows == 0 && !table.cut_short() {
        findings.error(
            &table.file,
            Location::File,
            None,
            "found a header and no rows, expected at least one household".into(),
        );
    }
    out
}
