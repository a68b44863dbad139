//! The network input: LineString/MultiLineString features into
//! [`Link`]s (projected to EPSG:25832), with findings for every bad feature,
//! then the graph ([`Network::build`]).
//!
//! A LineString is one link from its first to its last position; the
//! positions between only give its length. Each part of a MultiLineString is
//! a link of its own, and a `minutes` given for the feature is shared among
//! the parts in proportion to their length.

use std::path::Path;

use geo::{Coord, Euclidean, Length, LineString, Point};

use super::table::{Fields, Ticker, read_geojson};
use crate::crs::Transformer;
use crate::findings::{Findings, Location};
use crate::network::{Link, Network, NetworkSettings};

const NETWORK_FIELDS: &[&str] = &[
    "id",
    "name",
    "minutes",
    "speed_kmh",
    "oneway",
    "mode",
    "line",
    "headway_min",
];

/// Reads the network file and/or the GTFS feed and builds one graph; `None`
/// when neither can be read or they give no usable link (travel is then
/// straight-line, and a finding says so).
pub fn network(
    geojson: Option<&Path>,
    gtfs: Option<&Path>,
    settings: &NetworkSettings,
    findings: &mut Findings,
    ticker: &mut Ticker<'_>,
) -> Option<Network> {
    let mut all = match geojson {
        Some(path) => Some(links(path, findings, ticker)?),
        None => None,
    };
    if let Some(feed) = gtfs {
        let endpoints: Vec<Point<f64>> = all
            .iter()
            .flatten()
            .flat_map(|l: &Link| [l.from, l.to])
            .collect();
        let (feed_links, _) = super::gtfs::links(feed, settings, &endpoints, findings)?;
        all.get_or_insert_with(Vec::new).extend(feed_links);
    }
    let links = all?;
    let file = geojson.or(gtfs)?.display().to_string();
    if links.is_empty() {
        findings.warning(
            &file,
            Location::File,
            None,
            "the network has no links; travel times are straight-line estimates".into(),
        );
        return None;
    }
    let network = Network::build(&links, settings);
    if network.stats.loops_dropped > 0 {
        findings.warning(
            &file,
            Location::File,
            None,
            format!(
                "{} links begin and end within snap_m ({} m) of one node and were left out",
                network.stats.loops_dropped, settings.snap_m
            ),
        );
    }
    Some(network)
}

/// Reads the links of a network file, reporting every bad feature.
pub fn links(path: &Path, findings: &mut Findings, ticker: &mut Ticker<'_>) -> Option<Vec<Link>> {
    let mut table = read_geojson(path, NETWORK_FIELDS, findings, ticker)?;
    let t = Transformer::to_working(table.crs);
    let mut out = Vec::new();
    while let Some(row) = table.next_row(findings) {
        let Location::Feature(feature) = row.location else {
            continue;
        };
        let mut f = Fields::new(&table, &row, findings);
        let minutes = non_negative(&mut f, "minutes");
        let speed_kmh = f.number("speed_kmh", 0.0);
        let oneway = f.flag("oneway");
        let headway_min = f.number("headway_min", 0.0);
        let mode = f.text("mode").map(str::to_string);
        let line = f.text("line").map(str::to_string);
        let parts = lines(&t, table.crs, &mut f);
        if minutes.is_none() && speed_kmh.is_none() && !f.bad {
            f.problem_hint(
                "minutes",
                "is empty, expected the link's minutes or a `speed_kmh`".into(),
                "give `minutes` for a timetabled link, `speed_kmh` to time it by its length".into(),
            );
            continue;
        }
        if minutes.is_some() && speed_kmh.is_some() {
            f.findings.warning(
                f.file,
                row.location,
                Some("speed_kmh"),
                "both `minutes` and `speed_kmh` are given; `minutes` is used".into(),
            );
        }
        let (Some(parts), false) = (parts, f.bad) else {
            continue;
        };
        let lengths: Vec<f64> = parts.iter().map(|l| Euclidean.length(l)).collect();
        let total_m: f64 = lengths.iter().sum();
        for (part, length_m) in parts.iter().zip(&lengths) {
            let part_minutes = match (minutes, speed_kmh) {
                (Some(m), _) if total_m > 0.0 => m * length_m / total_m,
                (Some(m), _) => m / parts.len() as f64,
                (None, Some(kmh)) => length_m / (kmh * 1000.0 / 60.0),
                (None, None) => unreachable!("checked above"),
            };
            let ends = (part.0.first(), part.0.last());
            let (Some(&from), Some(&to)) = ends else {
                continue;
            };
            out.push(Link {
                feature,
                from: Point::from(from),
                to: Point::from(to),
                minutes: part_minutes,
                oneway,
                mode: mode.clone(),
                line: line.clone(),
                headway_min,
            });
        }
    }
    Some(out)
}

/// An optional number that is 0 or more (a link may take no time, e.g. a
/// transfer between two platforms drawn apart).
fn non_negative(f: &mut Fields<'_>, field: &str) -> Option<f64> {
    let raw = f.text(field)?;
    match raw.parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Some(v),
        _ => {
            f.problem(
                field,
                format!("found \"{raw}\", expected a number of minutes, 0 or more"),
            );
            None
        }
    }
}

/// The projected lines of a LineString or MultiLineString feature.
fn lines(
    t: &Transformer,
    crs: crate::crs::Crs,
    f: &mut Fields<'_>,
) -> Option<Vec<LineString<f64>>> {
    let Some(geometry) = &f.row.geometry else {
        f.problem("geometry", "is missing, expected a LineString".into());
        return None;
    };
    let raw: Vec<&Vec<geojson::Position>> = match &geometry.value {
        geojson::GeometryValue::LineString { coordinates } => vec![coordinates],
        geojson::GeometryValue::MultiLineString { coordinates } => coordinates.iter().collect(),
        other => {
            f.problem(
                "geometry",
                format!(
                    "found a {}, expected a LineString or MultiLineString",
                    other.type_name()
                ),
            );
            return None;
        }
    };
    if raw.is_empty() {
        f.problem("geometry", "the MultiLineString has no lines".into());
        return None;
    }
    let mut out = Vec::with_capacity(raw.len());
    for (i, positions) in raw.iter().enumerate() {
        let which = if raw.len() > 1 {
            format!("line {}", i + 1)
        } else {
            "the line".to_string()
        };
        if positions.len() < 2 {
            f.problem(
                "geometry",
                format!(
                    "{which} has {} positions, expected at least 2",
                    positions.len()
                ),
            );
            return None;
        }
        let mut coords = Vec::with_capacity(positions.len());
        for pos in *positions {
            let c = pos.as_slice();
            if c.len() < 2 {
                f.problem(
                    "geometry",
                    format!("{which} has a position with fewer than 2 numbers"),
                );
                return None;
            }
            match t.apply(c[0], c[1]) {
                // Denmark in EPSG:25832 lies within roughly E 400–900 km, N 6 000–6 450 km.
                Ok((x, y))
                    if (300_000.0..=1_000_000.0).contains(&x)
                        && (5_950_000.0..=6_500_000.0).contains(&y) =>
                {
                    coords.push(Coord { x, y });
                }
                Ok(_) => {
                    f.problem(
                        "geometry",
                        format!(
                            "({}, {}) in {crs} lies outside Denmark; is the CRS right?",
                            c[0], c[1]
                        ),
                    );
                    return None;
                }
                Err(e) => {
                    f.problem("geometry", e);
                    return None;
                }
            }
        }
        out.push(LineString::new(coords));
    }
    Some(out)
}
