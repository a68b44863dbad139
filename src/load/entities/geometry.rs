//! The geometry of a row in the working CRS (EPSG:25832): a point from a
//! Point feature, a polygon's centroid or a CSV's x/y, checked to lie in
//! Denmark (with a hint what a wrong CRS looks like); a (Multi)Polygon whose
//! rings must be closed and simple (self-crossings found with an R-tree
//! over the edges).

use geo::{Centroid, Coord, Intersects, LineString, MultiPolygon, Point, Polygon};
use rstar::{AABB, RTree, primitives::GeomWithData, primitives::Rectangle};

use crate::crs::{Crs, Transformer};
use crate::load::table::{Fields, Table};

fn position_text(c: &[f64]) -> String {
    let parts: Vec<String> = c.iter().map(f64::to_string).collect();
    format!("[{}]", parts.join(", "))
}

/// A point of a feature: a Point, or the centroid of a (Multi)Polygon.
pub(super) fn feature_point(
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

pub(super) fn project(
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
pub(super) fn multipolygon(table: &Table, fields: &mut Fields<'_>) -> Option<MultiPolygon<f64>> {
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
