//! Parsers for the four input tables: places, districts, housing, households.

use std::collections::HashMap;
use std::path::Path;

use geo::{BoundingRect, Centroid, Coord, Intersects, LineString, MultiPolygon, Point, Polygon};
use rstar::{AABB, RTree, primitives::GeomWithData, primitives::Rectangle};

use super::findings::{Findings, Location};
use super::table::{Fields, Row, Table, read_csv, read_geojson};
use crate::crs::{Crs, Transformer};
use crate::ids::{DistrictId, HouseholdId, PlaceId, UnitId, to_u32};
use crate::model::{District, Household, Place, PlaceKind, Reunion, Tenure, Unit, UnitKind};
use crate::scenario::Scenario;

const PLACE_FIELDS: &[&str] = &["id", "kind", "name"];
const DISTRICT_FIELDS: &[&str] = &["id", "name", "population", "newcomers", "flags"];
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

/// Reports duplicate ids; returns whether `id` is new.
fn unique_id(seen: &mut HashMap<String, String>, id: &str, fields: &mut Fields<'_>) -> bool {
    let here = location_text(fields.row);
    if let Some(first) = seen.get(id) {
        fields.problem(
            "id",
            format!("duplicate id \"{id}\", first used at {first}"),
        );
        return false;
    }
    seen.insert(id.to_string(), here);
    true
}

fn location_text(row: &Row) -> String {
    match row.location {
        Location::File => "the file".into(),
        Location::Line(n) => format!("line {n}"),
        Location::Feature(n) => format!("feature {n}"),
    }
}

fn is_geojson(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("geojson") || e.eq_ignore_ascii_case("json"))
}

/// A point of a feature: a Point, or the centroid of a (Multi)Polygon.
fn feature_point(
    table: &Table,
    fields: &mut Fields<'_>,
    polygons_allowed: bool,
) -> Option<Point<f64>> {
    let Some(geometry) = &fields.row.geometry else {
        fields.problem("geometry", "is missing, expected a Point".into());
        return None;
    };
    let t = Transformer::to_working(table.crs);
    match &geometry.value {
        geojson::GeometryValue::Point { coordinates } => {
            let c = coordinates.as_slice();
            if c.len() < 2 {
                fields.problem("geometry", "a Point needs two coordinates".into());
                return None;
            }
            project(&t, table.crs, c[0], c[1], fields)
        }
        geojson::GeometryValue::Polygon { .. } | geojson::GeometryValue::MultiPolygon { .. }
            if polygons_allowed =>
        {
            let mp = multipolygon(table, fields)?;
            let c = mp.centroid();
            if c.is_none() {
                fields.problem("geometry", "the polygon has no area, so no centroid".into());
            }
            c
        }
        other => {
            let expected = if polygons_allowed {
                "a Point or a Polygon"
            } else {
                "a Point"
            };
            fields.problem(
                "geometry",
                format!("found a {}, expected {expected}", other.type_name()),
            );
            None
        }
    }
}

fn project(
    t: &Transformer,
    crs: Crs,
    x: f64,
    y: f64,
    fields: &mut Fields<'_>,
) -> Option<Point<f64>> {
    match t.point(x, y) {
        Ok(p) => {
            // Denmark in EPSG:25832 lies within roughly E 400–900 km, N 6 000–6 450 km.
            let (px, py) = (p.x(), p.y());
            if !(300_000.0..=1_000_000.0).contains(&px)
                || !(5_950_000.0..=6_500_000.0).contains(&py)
            {
                fields.problem(
                    "geometry",
                    format!("({x}, {y}) in {crs} lies outside Denmark; is the CRS right?"),
                );
                return None;
            }
            Some(p)
        }
        Err(e) => {
            fields.problem("geometry", e);
            None
        }
    }
}

/// A (Multi)Polygon feature in the working CRS; rings must be closed.
fn multipolygon(table: &Table, fields: &mut Fields<'_>) -> Option<MultiPolygon<f64>> {
    let geometry = fields.row.geometry.clone()?;
    let t = Transformer::to_working(table.crs);
    let polygons: Vec<&geojson::PolygonType> = match &geometry.value {
        geojson::GeometryValue::Polygon { coordinates } => vec![coordinates],
        geojson::GeometryValue::MultiPolygon { coordinates } => coordinates.iter().collect(),
        other => {
            fields.problem(
                "geometry",
                format!(
                    "found a {}, expected a Polygon or MultiPolygon",
                    other.type_name()
                ),
            );
            return None;
        }
    };
    let mut out = Vec::new();
    for (pi, rings) in polygons.iter().enumerate() {
        let mut converted: Vec<LineString<f64>> = Vec::new();
        for (ri, ring) in rings.iter().enumerate() {
            let which = if polygons.len() > 1 {
                format!("polygon {} ring {}", pi + 1, ri + 1)
            } else {
                format!("ring {}", ri + 1)
            };
            if ring.len() < 4 {
                fields.problem(
                    "geometry",
                    format!("{which} has {} positions, expected at least 4", ring.len()),
                );
                return None;
            }
            let first = ring[0].as_slice();
            let last = ring[ring.len() - 1].as_slice();
            if first.len() < 2 || last.len() < 2 || first[..2] != last[..2] {
                fields.problem(
                    "geometry",
                    format!("{which} is not closed: its first and last positions differ (RFC 7946 § 3.1.6)"),
                );
                return None;
            }
            let mut coords = Vec::with_capacity(ring.len());
            for pos in ring {
                let c = pos.as_slice();
                if c.len() < 2 {
                    fields.problem(
                        "geometry",
                        format!("{which} has a position with fewer than 2 numbers"),
                    );
                    return None;
                }
                let p = project(&t, table.crs, c[0], c[1], fields)?;
                coords.push(Coord { x: p.x(), y: p.y() });
            }
            converted.push(LineString::new(coords));
        }
        let mut iter = converted.into_iter();
        if let Some(exterior) = iter.next() {
            out.push(Polygon::new(exterior, iter.collect()));
        }
    }
    Some(MultiPolygon::new(out))
}

/// Reads the places file.
pub fn places(path: &Path, findings: &mut Findings) -> Vec<Place> {
    let Some(table) = read_geojson(path, PLACE_FIELDS, findings) else {
        return Vec::new();
    };
    let mut seen = HashMap::new();
    let mut out = Vec::new();
    for row in &table.rows {
        let mut f = Fields::new(&table.file, row, findings);
        let id = f.required("id");
        let kind = f.required("kind").and_then(|k| {
            let parsed = PlaceKind::parse(k);
            if parsed.is_none() {
                f.problem(
                    "kind",
                    format!("found \"{k}\", expected language_school, jobcentre, workplace, school or station"),
                );
            }
            parsed
        });
        let pos = feature_point(&table, &mut f, false);
        let fresh = id.is_some_and(|id| unique_id(&mut seen, id, &mut f));
        if let (Some(id), Some(kind), Some(pos), true, false) = (id, kind, pos, fresh, f.bad) {
            out.push(Place {
                id: PlaceId(to_u32(out.len())),
                name: f.text("name").unwrap_or(id).to_string(),
                label: id.to_string(),
                kind,
                pos,
            });
        }
    }
    out
}

/// Reads the districts file.
pub fn districts(path: &Path, findings: &mut Findings) -> Vec<District> {
    let Some(table) = read_geojson(path, DISTRICT_FIELDS, findings) else {
        return Vec::new();
    };
    let mut seen = HashMap::new();
    let mut out = Vec::new();
    for row in &table.rows {
        let mut f = Fields::new(&table.file, row, findings);
        let id = f.required("id");
        let population = f.required_int("population", 1);
        let newcomers = f.int("newcomers", 0).unwrap_or(0);
        if let Some(p) = population
            && newcomers > p
        {
            f.problem(
                "newcomers",
                format!("found {newcomers}, more than the population {p}"),
            );
        }
        let flags: Vec<String> = f
            .text("flags")
            .map(|s| {
                s.split(',')
                    .map(|x| x.trim().to_ascii_lowercase())
                    .filter(|x| !x.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        let geometry = if row.geometry.is_none() {
            f.problem(
                "geometry",
                "is missing, expected a Polygon or MultiPolygon".into(),
            );
            None
        } else {
            multipolygon(&table, &mut f)
        };
        let fresh = id.is_some_and(|id| unique_id(&mut seen, id, &mut f));
        if let (Some(id), Some(population), Some(geometry), true, false) =
            (id, population, geometry, fresh, f.bad)
        {
            out.push(District {
                id: DistrictId(to_u32(out.len())),
                name: f.text("name").unwrap_or(id).to_string(),
                label: id.to_string(),
                population: u32::try_from(population).unwrap_or(u32::MAX),
                newcomers: u32::try_from(newcomers).unwrap_or(u32::MAX),
                flags,
                geometry,
            });
        }
    }
    if out.is_empty() && !findings.has_errors() {
        findings.error(
            &table.file,
            Location::File,
            None,
            "no districts, expected at least one".into(),
        );
    }
    out
}

/// Finds the district containing a point: an R-tree over the districts'
/// bounding boxes, then an exact test.
pub struct DistrictIndex<'a> {
    districts: &'a [District],
    tree: RTree<GeomWithData<Rectangle<[f64; 2]>, usize>>,
}

impl<'a> DistrictIndex<'a> {
    #[must_use]
    pub fn new(districts: &'a [District]) -> Self {
        let boxes = districts
            .iter()
            .enumerate()
            .filter_map(|(i, d)| {
                let r = d.geometry.bounding_rect()?;
                Some(GeomWithData::new(
                    Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                    i,
                ))
            })
            .collect();
        Self {
            districts,
            tree: RTree::bulk_load(boxes),
        }
    }

    /// The first district (in file order) whose polygon contains or touches `p`.
    #[must_use]
    pub fn locate(&self, p: Point<f64>) -> Option<DistrictId> {
        let mut hits: Vec<usize> = self
            .tree
            .locate_in_envelope_intersecting(&AABB::from_point([p.x(), p.y()]))
            .map(|g| g.data)
            .filter(|&i| self.districts[i].geometry.intersects(&p))
            .collect();
        hits.sort_unstable();
        hits.first().map(|&i| self.districts[i].id)
    }
}

/// Reads the housing file (GeoJSON, or CSV with x/y in the scenario's CRS).
pub fn housing(scenario: &Scenario, districts: &[District], findings: &mut Findings) -> Vec<Unit> {
    let path = &scenario.inputs.housing;
    let table = if is_geojson(path) {
        read_geojson(path, HOUSING_FIELDS, findings)
    } else {
        read_csv(
            path,
            &["id", "kind", "tenure", "rent", "x", "y"],
            HOUSING_FIELDS,
            findings,
        )
        .map(|mut t| {
            t.crs = scenario.crs;
            t
        })
    };
    let Some(table) = table else {
        return Vec::new();
    };
    let index = DistrictIndex::new(districts);
    let district_ids: HashMap<&str, DistrictId> =
        districts.iter().map(|d| (d.label.as_str(), d.id)).collect();
    let mut seen = HashMap::new();
    let mut out = Vec::new();
    for row in &table.rows {
        let mut f = Fields::new(&table.file, row, findings);
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
            f.problem("available_until", "is before available_from".into());
        }
        let accessible = f.flag("accessible");
        let cost = f.int("cost", 0);
        let pos = if table.rows.first().is_some_and(|r| r.geometry.is_some()) || is_geojson(path) {
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
                if found.is_none() && !districts.is_empty() {
                    f.problem(
                        "district",
                        format!("found \"{d}\", which is not a district id"),
                    );
                }
                found
            }
            (None, Some(p)) => {
                let found = index.locate(p);
                if found.is_none() && !districts.is_empty() {
                    f.problem(
                        "geometry",
                        "the unit lies in no district; is it outside the municipality or in another CRS?".into(),
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
                cost_dkk: cost.unwrap_or(if tenure == Tenure::Permanent { rent } else { 0 }),
                district,
                pos,
            });
        }
    }
    out
}

/// Reads the households file and resolves its references.
pub fn households(
    scenario: &Scenario,
    places: &HashMap<&str, PlaceId>,
    units: &HashMap<&str, UnitId>,
    findings: &mut Findings,
) -> Vec<Household> {
    let Some(table) = read_csv(
        &scenario.inputs.households,
        &["id", "adults", "children", "arrival"],
        HOUSEHOLD_FIELDS,
        findings,
    ) else {
        return Vec::new();
    };
    let mut seen = HashMap::new();
    let mut out = Vec::new();
    for row in &table.rows {
        let mut f = Fields::new(&table.file, row, findings);
        let id = f.required("id");
        let adults = f.required_int("adults", 1);
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
                    f.problem("reunion_date", format!("{date} is before the arrival {a}"));
                }
                Some(Reunion {
                    day: scenario.day(date),
                    adults: u32::try_from(reunion_adults).unwrap_or(0),
                    children: u32::try_from(reunion_children).unwrap_or(0),
                })
            }
            None => {
                if reunion_adults + reunion_children > 0 {
                    f.problem(
                        "reunion_date",
                        "is empty but reunion_adults/reunion_children are given".into(),
                    );
                }
                None
            }
        };
        let needs_accessible = f.flag("needs_accessible");
        let place_ref = |f: &mut Fields<'_>, field: &str| {
            let v = f.text(field)?;
            let found = places.get(v).copied();
            if found.is_none() {
                f.problem(
                    field,
                    format!("found \"{v}\", which is not a place id in the places file"),
                );
            }
            found
        };
        let language_school = place_ref(&mut f, "language_school");
        let work_place = place_ref(&mut f, "work_place");
        let locked_unit = f.text("locked_unit").and_then(|v| {
            let found = units.get(v).copied();
            if found.is_none() {
                f.problem(
                    "locked_unit",
                    format!("found \"{v}\", which is not a unit id in the housing file"),
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
    if table.rows.is_empty() {
        findings.error(
            &table.file,
            Location::File,
            None,
            "no households, expected at least one row".into(),
        );
    }
    out
}
