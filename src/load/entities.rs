//! Parsers for the four input tables: places, districts, housing, households.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use geo::{BoundingRect, Centroid, Coord, Intersects, LineString, MultiPolygon, Point, Polygon};
use rstar::{AABB, RTree, primitives::GeomWithData, primitives::Rectangle};

use super::gpkg_in::{is_gpkg, read_gpkg};
use super::table::{Fields, Table, Ticker, read_csv, read_geojson};
use crate::crs::{Crs, Transformer};
use crate::findings::{Findings, Location};
use crate::ids::{BuildingId, DistrictId, HouseholdId, PlaceId, UnitId, to_u32};
use crate::model::{District, Household, Place, PlaceKind, Reunion, Tenure, Unit, UnitKind};
use crate::scenario::{InputPaths, Scenario};

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

/// The rows of a file that were not loaded because of an error already
/// reported, so that references to them are not reported a second time
/// (a district with a bad polygon is one error, not one per unit in it).
#[derive(Debug, Default)]
pub struct Rejected {
    /// The file could not be read at all.
    pub unreadable: bool,
    /// Ids of rejected rows.
    pub ids: HashSet<String>,
    /// Rejected rows, with or without an id.
    pub rows: usize,
}

impl Rejected {
    fn unreadable() -> Self {
        Self {
            unreadable: true,
            ..Self::default()
        }
    }

    fn reject(&mut self, id: Option<&str>) {
        self.rows += 1;
        if let Some(id) = id {
            self.ids.insert(id.to_string());
        }
    }

    /// Whether a reference to `id` may point at a row that was rejected.
    #[must_use]
    pub fn covers(&self, id: &str) -> bool {
        self.unreadable || self.ids.contains(id)
    }

    /// Whether anything of the file is missing.
    #[must_use]
    pub fn any(&self) -> bool {
        self.unreadable || self.rows > 0
    }
}

/// Reports duplicate ids; returns whether `id` is new.
fn unique_id(seen: &mut HashMap<String, Location>, id: &str, fields: &mut Fields<'_>) -> bool {
    if let Some(&first) = seen.get(id) {
        let first = location_text(first);
        fields.problem(
            "id",
            format!("found \"{id}\", which is already the id of {first}, expected a unique id"),
        );
        return false;
    }
    seen.insert(id.to_string(), fields.row.location);
    true
}

/// Reports a reference to an id that the other file does not have, with the
/// closest id as a suggestion.
fn missing_reference<'a>(
    f: &mut Fields<'_>,
    field: &str,
    value: &str,
    what: &str,
    file: &str,
    ids: impl Iterator<Item = &'a str>,
) {
    let mut ids: Vec<&str> = ids.collect();
    ids.sort_unstable();
    let message = format!("found \"{value}\", expected the id of a {what} in {file}");
    match crate::findings::closest(value, ids.iter().copied()) {
        Some(best) => f.problem_hint(field, message, format!("did you mean \"{best}\"?")),
        None => f.problem(field, message),
    }
}

fn position_text(c: &[f64]) -> String {
    let parts: Vec<String> = c.iter().map(f64::to_string).collect();
    format!("[{}]", parts.join(", "))
}

fn location_text(location: Location) -> String {
    match location {
        Location::File => "the file".into(),
        Location::Line(n) => format!("line {n}"),
        Location::Feature(n) => format!("feature {n}"),
    }
}

fn is_geojson(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("geojson") || e.eq_ignore_ascii_case("json"))
}

/// Reads a feature file: a GeoPackage layer or GeoJSON.
fn read_features(
    path: &Path,
    layer: Option<&str>,
    known: &[&str],
    findings: &mut Findings,
    ticker: &mut Ticker<'_>,
) -> Option<Table> {
    if is_gpkg(path) {
        read_gpkg(path, layer, known, findings)
    } else {
        read_geojson(path, known, findings, ticker)
    }
}

/// A point of a feature: a Point, or the centroid of a (Multi)Polygon.
fn feature_point(
    table: &Table,
    fields: &mut Fields<'_>,
    polygons_allowed: bool,
) -> Option<Point<f64>> {
    let Some(geometry) = &fields.row.geometry else {
        let expected = if polygons_allowed {
            "a Point or a Polygon"
        } else {
            "a Point"
        };
        fields.problem("geometry", format!("is missing, expected {expected}"));
        return None;
    };
    let t = Transformer::to_working(table.crs);
    match &geometry.value {
        geojson::GeometryValue::Point { coordinates } => {
            let c = coordinates.as_slice();
            if c.len() < 2 {
                fields.problem(
                    "geometry",
                    format!(
                        "found a Point with {} number(s), expected 2 (x, y)",
                        c.len()
                    ),
                );
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
                fields.problem(
                    "geometry",
                    "found a polygon with no area, expected one with an inside (its centroid is the unit's position)".into(),
                );
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
    let projected = t.point(x, y).ok().filter(|p| {
        // Denmark in EPSG:25832 lies within roughly E 400–900 km, N 6 000–6 450 km.
        (300_000.0..=1_000_000.0).contains(&p.x()) && (5_950_000.0..=6_500_000.0).contains(&p.y())
    });
    if projected.is_none() {
        fields.problem_hint(
            "geometry",
            format!("found ({x}, {y}) in {crs}, which lies outside Denmark, expected a position in Denmark; is the CRS right?"),
            crs_hint(crs, x, y),
        );
    }
    projected
}

/// What a coordinate outside Denmark probably means, from the size of its numbers.
fn crs_hint(crs: Crs, x: f64, y: f64) -> String {
    let degrees = x.abs() <= 180.0 && y.abs() <= 90.0;
    let lat_lon = (54.0..=58.0).contains(&x) && (7.0..=16.0).contains(&y);
    if crs.is_geographic() && lat_lon {
        "the numbers look like latitude, longitude; GeoJSON wants longitude first (x = longitude, y = latitude)".into()
    } else if crs.is_geographic() && !degrees {
        "the numbers look like metres, not degrees: a GeoJSON file without a `crs` member is read as WGS84 longitude/latitude; export it as WGS84 (EPSG:4326), or add \"crs\": {\"type\": \"name\", \"properties\": {\"name\": \"urn:ogc:def:crs:EPSG::25832\"}} if it is in ETRS89 / UTM 32N".into()
    } else if !crs.is_geographic() && degrees {
        format!(
            "the numbers look like longitude/latitude degrees, not {crs} metres: for a CSV set crs = \"EPSG:4326\" in the scenario; for a GeoJSON file fix or remove its `crs` member"
        )
    } else {
        format!(
            "check the CRS the file was exported in; Denmark in EPSG:25832 is about x 440 000–900 000, y 6 040 000–6 410 000 (read here as {crs})"
        )
    }
}

/// The first pair of non-adjacent edges of a closed ring that touch or
/// cross, as 1-based position numbers of their starts (edge `k` runs from
/// position `k` to `k + 1`). Repeated consecutive positions are ignored.
/// An R-tree over the edges' boxes keeps this near O(n log n).
fn ring_crossing(ring: &[Coord<f64>]) -> Option<(usize, usize)> {
    use geo::Line;
    // Edges between distinct consecutive positions, with the start position.
    let edges: Vec<(usize, Line<f64>)> = ring
        .windows(2)
        .enumerate()
        .filter(|(_, w)| w[0] != w[1])
        .map(|(k, w)| (k + 1, Line::new(w[0], w[1])))
        .collect();
    let n = edges.len();
    if n < 3 {
        return None;
    }
    let boxes: Vec<GeomWithData<Rectangle<[f64; 2]>, usize>> = edges
        .iter()
        .enumerate()
        .map(|(i, (_, l))| {
            GeomWithData::new(
                Rectangle::from_corners([l.start.x, l.start.y], [l.end.x, l.end.y]),
                i,
            )
        })
        .collect();
    let tree = RTree::bulk_load(boxes);
    let mut found: Option<(usize, usize)> = None;
    for (i, (_, line)) in edges.iter().enumerate() {
        let envelope = AABB::from_corners(
            [line.start.x.min(line.end.x), line.start.y.min(line.end.y)],
            [line.start.x.max(line.end.x), line.start.y.max(line.end.y)],
        );
        for g in tree.locate_in_envelope_intersecting(&envelope) {
            let j = g.data;
            let adjacent =
                j == i + 1 || i == j + 1 || (i == 0 && j == n - 1) || (j == 0 && i == n - 1);
            if j <= i || adjacent {
                continue;
            }
            if line.intersects(&edges[j].1) {
                let pair = (edges[i].0, edges[j].0);
                if found.is_none_or(|f| pair < f) {
                    found = Some(pair);
                }
            }
        }
    }
    found
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
                    format!(
                        "{which} is not closed: found the first position {} and the last {}, expected the last to repeat the first (RFC 7946 § 3.1.6)",
                        position_text(first),
                        position_text(last)
                    ),
                );
                return None;
            }
            let mut coords = Vec::with_capacity(ring.len());
            for pos in ring {
                let c = pos.as_slice();
                if c.len() < 2 {
                    fields.problem(
                        "geometry",
                        format!(
                            "{which} has a position with {} number(s), expected at least 2 (x, y)",
                            c.len()
                        ),
                    );
                    return None;
                }
                let p = project(&t, table.crs, c[0], c[1], fields)?;
                coords.push(Coord { x: p.x(), y: p.y() });
            }
            if let Some((a, b)) = ring_crossing(&coords) {
                let whose = fields
                    .text("id")
                    .map_or_else(String::new, |id| format!(" of \"{id}\""));
                fields.problem_hint(
                    "geometry",
                    format!(
                        "{which}{whose} crosses itself: the edge from position {a} to {} meets the edge from position {b} to {}, expected a simple ring (no bow-ties or loops)",
                        a + 1,
                        b + 1
                    ),
                    "repair the polygon (QGIS: Vector › Geometry Tools › Check Validity finds it, Processing › Fix Geometries repairs it) and save the file again".into(),
                );
                return None;
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

/// Reads the places file (GeoJSON or a GeoPackage layer).
pub fn places(
    path: &Path,
    layer: Option<&str>,
    findings: &mut Findings,
    ticker: &mut Ticker<'_>,
) -> (Vec<Place>, Rejected) {
    let Some(mut table) = read_features(path, layer, PLACE_FIELDS, findings, ticker) else {
        return (Vec::new(), Rejected::unreadable());
    };
    let mut rejected = Rejected::default();
    let mut seen = HashMap::new();
    let mut out = Vec::new();
    while let Some(row) = table.next_row(findings) {
        ticker.table(&table);
        let before = out.len();
        let mut f = Fields::new(&table, &row, findings);
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
        if out.len() == before {
            rejected.reject(id);
        }
    }
    (out, rejected)
}

/// Reads the districts file (GeoJSON or a GeoPackage layer).
pub fn districts(
    path: &Path,
    layer: Option<&str>,
    findings: &mut Findings,
    ticker: &mut Ticker<'_>,
) -> (Vec<District>, Rejected) {
    let Some(mut table) = read_features(path, layer, DISTRICT_FIELDS, findings, ticker) else {
        return (Vec::new(), Rejected::unreadable());
    };
    let mut rejected = Rejected::default();
    let mut seen = HashMap::new();
    let mut out = Vec::new();
    while let Some(row) = table.next_row(findings) {
        ticker.table(&table);
        let before = out.len();
        let mut f = Fields::new(&table, &row, findings);
        let id = f.required("id");
        let population = f.required_int("population", 1);
        let newcomers = f.int("newcomers", 0).unwrap_or(0);
        if let Some(p) = population
            && newcomers > p
        {
            f.problem(
                "newcomers",
                format!("found {newcomers}, expected at most the population {p}"),
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
        if out.len() == before {
            rejected.reject(id);
        }
    }
    if out.is_empty() && !findings.has_errors() {
        findings.error(
            &table.file,
            Location::File,
            None,
            "found no districts, expected at least one Polygon or MultiPolygon feature".into(),
        );
    }
    (out, rejected)
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
                locked_district: None,
                pin_origin: crate::model::PinOrigin::File,
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

#[cfg(test)]
mod tests {
    use super::ring_crossing;
    use geo::Coord;

    fn ring(points: &[(f64, f64)]) -> Vec<Coord<f64>> {
        points.iter().map(|&(x, y)| Coord { x, y }).collect()
    }

    #[test]
    fn a_square_is_simple() {
        let square = ring(&[(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0), (0.0, 0.0)]);
        assert_eq!(ring_crossing(&square), None);
        // A repeated position is not a crossing.
        let repeated = ring(&[
            (0.0, 0.0),
            (1.0, 0.0),
            (1.0, 0.0),
            (1.0, 1.0),
            (0.0, 1.0),
            (0.0, 0.0),
        ]);
        assert_eq!(ring_crossing(&repeated), None);
    }

    #[test]
    fn a_bow_tie_and_a_loop_cross() {
        let bow_tie = ring(&[(0.0, 0.0), (1.0, 1.0), (1.0, 0.0), (0.0, 1.0), (0.0, 0.0)]);
        assert_eq!(ring_crossing(&bow_tie), Some((1, 3)));
        // A ring that touches itself at a vertex (figure eight).
        let eight = ring(&[
            (0.0, 0.0),
            (2.0, 0.0),
            (1.0, 1.0),
            (2.0, 2.0),
            (0.0, 2.0),
            (1.0, 1.0),
            (0.0, 0.0),
        ]);
        assert!(ring_crossing(&eight).is_some());
    }
}
