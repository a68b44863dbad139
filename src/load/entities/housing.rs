//! The housing file (GeoJSON, a GeoPackage layer, or CSV with x/y in the
//! scenario's CRS): temporary sites and permanent dwellings, each placed in
//! a district by its `district` id or else by point-in-polygon, and the
//! buildings numbered once every unit is read.

use std::collections::HashMap;

use super::districts::DistrictIndex;
use super::geometry::{feature_point, project};
use super::{Rejected, is_geojson, missing_reference, read_features, unique_id};
use crate::crs::Transformer;
use crate::findings::Findings;
use crate::ids::{BuildingId, DistrictId, UnitId, to_u32};
use crate::load::gpkg_in::is_gpkg;
use crate::load::table::{Fields, Ticker, read_csv};
use crate::model::{District, Tenure, Unit, UnitKind};
use crate::scenario::{InputPaths, Scenario};

const HOUSING_FIELDS: &[&str] = &[
    "id",
    "kind",
    "tenure",
    "rooms",
    "area_m2",
    "rent",
    "capacity",
    "available_from",
    "available_until",
    "accessible",
    "building",
    "cost",
    "district",
    "x",
    "y",
];

/// Reads the housing file (GeoJSON, a GeoPackage layer, or CSV with x/y in
/// the scenario's CRS).
pub fn housing(
    scenario: &Scenario,
    districts: &[District],
    districts_rejected: &Rejected,
    findings: &mut Findings,
    ticker: &mut Ticker<'_>,
) -> (Vec<Unit>, Rejected) {
    let path = &scenario.inputs.housing;
    let layer = scenario.inputs.layers.housing.as_deref();
    let table = if is_geojson(path) || is_gpkg(path) {
        read_features(path, layer, HOUSING_FIELDS, findings, ticker)
    } else {
        read_csv(
            path,
            &["id", "kind", "tenure", "rent", "x", "y"],
            HOUSING_FIELDS,
            findings,
            ticker,
        )
        .map(|mut t| {
            t.crs = scenario.crs;
            t
        })
    };
    let Some(mut table) = table else {
        return (Vec::new(), Rejected::unreadable());
    };
    let mut rejected = Rejected::default();
    table.date_format = scenario.date_format;
    let districts_file = InputPaths::display(
        &scenario.inputs.districts,
        scenario.inputs.layers.districts.as_deref(),
    );
    let index = DistrictIndex::new(districts);
    let district_ids: HashMap<&str, DistrictId> =
        districts.iter().map(|d| (d.label.as_str(), d.id)).collect();
    let mut seen = HashMap::new();
    let mut out = Vec::new();
    while let Some(row) = table.next_row(findings) {
        ticker.table(&table);
        let before = out.len();
        let mut f = Fields::new(&table, &row, findings);
        let id = f.required("id");
        let kind = f.required("kind").and_then(|k| {
            let parsed = UnitKind::parse(k);
            if parsed.is_none() {
                f.problem(
                    "kind",
                    format!("found \"{k}\", expected municipal_building, container, private_rental or social_housing"),
                );
            }
            parsed
        });
        let tenure = f.required("tenure").and_then(|t| match t {
            "temporary" => Some(Tenure::Temporary),
            "permanent" => Some(Tenure::Permanent),
            other => {
                f.problem(
                    "tenure",
                    format!("found \"{other}\", expected temporary or permanent"),
                );
                None
            }
        });
        let permanent = tenure == Some(Tenure::Permanent);
        let rooms = if permanent {
            f.required_int("rooms", 1)
        } else {
            f.int("rooms", 1)
        }
        .unwrap_or(0);
        let area_m2 = if permanent {
            f.required_number("area_m2", 0.0)
        } else {
            f.number("area_m2", 0.0)
        }
        .unwrap_or(0.0);
        let rent = f.required_int("rent", 0);
        let capacity = if tenure == Some(Tenure::Temporary) {
            f.required_int("capacity", 1)
        } else {
            f.int("capacity", 0)
        }
        .unwrap_or(0);
        let from = f.date("available_from").map_or(0, |d| scenario.day(d));
        let until = f.date("available_until").map(|d| scenario.day(d));
        if let Some(u) = until
            && u < from
        {
            f.problem(
                "available_until",
                format!(
                    "found {}, expected a date on or after available_from {}",
                    scenario.date(u.max(0)),
                    scenario.date(from.max(0))
                ),
            );
        }
        let accessible = f.flag("accessible");
        let cost = f.int("cost", 0);
        let pos = if is_geojson(path) || is_gpkg(path) {
            feature_point(&table, &mut f, true)
        } else {
            let x = f.required_number("x", f64::NEG_INFINITY);
            let y = f.required_number("y", f64::NEG_INFINITY);
            match (x, y) {
                (Some(x), Some(y)) => {
                    project(&Transformer::to_working(table.crs), table.crs, x, y, &mut f)
                }
                _ => None,
            }
        };
        let district = match (f.text("district"), pos) {
            (Some(d), _) => {
                let found = district_ids.get(d).copied();
                if found.is_none() && !districts.is_empty() && !districts_rejected.covers(d) {
                    missing_reference(
                        &mut f,
                        "district",
                        d,
                        "district",
                        &districts_file,
                        district_ids.keys().copied(),
                    );
                }
                found
            }
            (None, Some(p)) => {
                let found = index.locate(p);
                if found.is_none() && !districts.is_empty() && !districts_rejected.any() {
                    f.problem(
                        "geometry",
                        format!("the unit lies in no district, expected a position inside a district of {districts_file} (or a `district` id); is it outside the municipality or in another CRS?"),
                    );
                }
                found
            }
            (None, None) => None,
        };
        let fresh = id.is_some_and(|id| unique_id(&mut seen, id, &mut f));
        if let (Some(id), Some(kind), Some(tenure), Some(rent), Some(pos), true, false) =
            (id, kind, tenure, rent, pos, fresh, f.bad)
        {
            out.push(Unit {
                id: UnitId(to_u32(out.len())),
                name: id.to_string(),
                kind,
                tenure,
                rooms: u32::try_from(rooms).unwrap_or(0),
                area_m2,
                rent_dkk: rent,
                capacity: u32::try_from(capacity).unwrap_or(0),
                available_from: from,
                available_until: until,
                accessible,
                building: f.text("building").unwrap_or(id).to_string(),
                // Numbered below, once every unit is read.
                building_id: BuildingId(0),
                cost_dkk: cost.unwrap_or(if tenure == Tenure::Permanent { rent } else { 0 }),
                district,
                pos,
            });
        }
        if out.len() == before {
            rejected.reject(id);
        }
    }
    ticker.table(&table);
    // Rows after an unreadable part are unknown: references to them are not
    // reported again.
    rejected.unreadable |= table.cut_short();
    let mut buildings: HashMap<String, BuildingId> = HashMap::new();
    for u in &mut out {
        let next = BuildingId(to_u32(buildings.len()));
        u.building_id = *buildings.entry(u.building.clone()).or_insert(next);
    }
    (out, rejected)
}
