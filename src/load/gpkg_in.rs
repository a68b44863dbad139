//! Reading one layer of a GeoPackage (`stock.gpkg#dwellings`) into a
//! [`Table`], the shape the GeoJSON and CSV readers produce.
//!
//! The layer is found in `gpkg_contents` / `gpkg_geometry_columns`, its CRS
//! in `gpkg_spatial_ref_sys` (organisation `EPSG`), and every row becomes a
//! [`Row`]: attribute columns as text (NULL and blank are absent; integers
//! and reals printed; a GDAL string list, stored as a JSON array, joined
//! with commas as in GeoJSON), the feature number from 1 in primary-key
//! order, and the GeoPackage binary geometry decoded into a GeoJSON value.

use std::collections::BTreeMap;
use std::path::Path;

use geojson::{Geometry, GeometryValue, Position};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags, OptionalExtension};

use super::table::{Row, Table, value_text};
use crate::crs::Crs;
use crate::findings::{Findings, Location, Severity, closest};

/// Whether `path` names a GeoPackage (by its extension).
pub(super) fn is_gpkg(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gpkg"))
}

/// Reads the feature layer `layer` of the GeoPackage at `path` (without a
/// layer name: its only feature layer). Problems are findings naming the
/// file, the layer and the feature; `None` when the layer cannot be read.
pub(super) fn read_gpkg(
    path: &Path,
    layer: Option<&str>,
    known: &[&str],
    findings: &mut Findings,
) -> Option<Table> {
    let file = path.display().to_string();
    if !path.is_file() {
        findings.missing_input(&file);
        return None;
    }
    let conn = match open(path) {
        Ok(c) => c,
        Err(message) => {
            findings.push(
                Severity::Error,
                &file,
                Location::File,
                None,
                message,
                Some("save the layer from QGIS with Export › Save Features As… › GeoPackage, or convert it with `ogr2ogr -f GPKG OUT.gpkg IN`".into()),
            );
            return None;
        }
    };
    let layer = find_layer(&conn, &file, layer, findings)?;
    let name = format!("{file}#{}", layer.table);
    let crs = layer_crs(&conn, &name, layer.srs_id, findings)?;
    let rows = read_rows(&conn, &name, &layer, known, findings)?;
    Some(Table::from_rows(name, rows, 0, crs))
}

fn open(path: &Path) -> Result<Connection, String> {
    let not_gpkg = |e: &dyn std::fmt::Display| {
        format!("cannot be opened as an SQLite database ({e}), expected a GeoPackage")
    };
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| not_gpkg(&e))?;
    let has_contents: Option<i64> = conn
        .query_row(
            "SELECT 1 FROM sqlite_master WHERE type IN ('table', 'view') AND name = 'gpkg_contents'",
            [],
            |r| r.get(0),
        )
        .optional()
        .map_err(|e| not_gpkg(&e))?;
    if has_contents.is_none() {
        return Err(
            "found an SQLite database without a `gpkg_contents` table, expected a GeoPackage"
                .into(),
        );
    }
    Ok(conn)
}

/// A feature layer: its table, geometry column and srs_id.
struct Layer {
    table: String,
    geometry_column: String,
    srs_id: i64,
}

fn find_layer(
    conn: &Connection,
    file: &str,
    wanted: Option<&str>,
    findings: &mut Findings,
) -> Option<Layer> {
    let contents: Vec<(String, String)> = match conn
        .prepare("SELECT table_name, data_type FROM gpkg_contents ORDER BY table_name")
        .and_then(|mut s| {
            s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<Vec<_>, _>>()
        }) {
        Ok(c) => c,
        Err(e) => {
            findings.error(
                file,
                Location::File,
                None,
                format!("cannot read gpkg_contents ({e}), expected a GeoPackage"),
            );
            return None;
        }
    };
    let features: Vec<&str> = contents
        .iter()
        .filter(|(_, kind)| kind.eq_ignore_ascii_case("features"))
        .map(|(t, _)| t.as_str())
        .collect();
    let listing = if features.is_empty() {
        "it has no feature layers".to_string()
    } else {
        format!("its feature layers are {}", features.join(", "))
    };
    let table = match wanted {
        Some(w) => {
            let found = contents
                .iter()
                .find(|(t, _)| t == w)
                .or_else(|| contents.iter().find(|(t, _)| t.eq_ignore_ascii_case(w)));
            match found {
                Some((t, kind)) if kind.eq_ignore_ascii_case("features") => t.clone(),
                Some((t, kind)) => {
                    findings.error(
                        file,
                        Location::File,
                        None,
                        format!("found the layer \"{t}\" of type {kind}, expected a feature layer (with geometry); {listing}"),
                    );
                    return None;
                }
                None => {
                    let hint = closest(w, features.iter().copied()).map_or_else(
                        || {
                            format!(
                                "name a layer after `#` in the scenario, e.g. `{}#{}`",
                                file_name(file),
                                features.first().unwrap_or(&"LAYER")
                            )
                        },
                        |c| format!("did you mean `#{c}`?"),
                    );
                    findings.push(
                        Severity::Error,
                        file,
                        Location::File,
                        None,
                        format!("found no layer \"{w}\", expected one of the file's feature layers; {listing}"),
                        Some(hint),
                    );
                    return None;
                }
            }
        }
        None => match features.as_slice() {
            [only] => (*only).to_string(),
            [] => {
                findings.error(
                    file,
                    Location::File,
                    None,
                    "found no feature layer, expected a GeoPackage with a layer of points or polygons".into(),
                );
                return None;
            }
            several => {
                findings.push(
                    Severity::Error,
                    file,
                    Location::File,
                    None,
                    format!(
                        "found {} feature layers ({}), expected the scenario to name one",
                        several.len(),
                        several.join(", ")
                    ),
                    Some(format!(
                        "write the layer after `#`, e.g. `{}#{}`",
                        file_name(file),
                        several[0]
                    )),
                );
                return None;
            }
        },
    };
    let column: Option<(String, i64)> = conn
        .query_row(
            "SELECT column_name, srs_id FROM gpkg_geometry_columns WHERE table_name = ?1 COLLATE NOCASE",
            [&table],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .unwrap_or(None);
    let Some((geometry_column, srs_id)) = column else {
        findings.error(
            &format!("{file}#{table}"),
            Location::File,
            None,
            "found no entry in gpkg_geometry_columns, expected the layer's geometry column and CRS there".into(),
        );
        return None;
    };
    Some(Layer {
        table,
        geometry_column,
        srs_id,
    })
}

/// The last component of a path as written in a message.
fn file_name(file: &str) -> &str {
    file.rsplit(['/', '\\']).next().unwrap_or(file)
}

/// The layer's CRS from gpkg_spatial_ref_sys (organisation EPSG).
fn layer_crs(conn: &Connection, name: &str, srs_id: i64, findings: &mut Findings) -> Option<Crs> {
    let srs: Option<(String, i64)> = conn
        .query_row(
            "SELECT organization, organization_coordsys_id FROM gpkg_spatial_ref_sys WHERE srs_id = ?1",
            [srs_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .unwrap_or(None);
    let hint = "assign the layer's CRS (QGIS: Layer Properties › Source › Assigned Coordinate Reference System, then save it again; or `ogr2ogr -a_srs EPSG:25832 OUT.gpkg IN.gpkg`)".to_string();
    let crs = match &srs {
        Some((org, code)) if org.eq_ignore_ascii_case("EPSG") && *code > 0 => {
            Crs::parse(&format!("EPSG:{code}"))
        }
        Some((org, code)) => Err(format!(
            "found the CRS srs_id {srs_id} ({org} {code}), which is not an EPSG CRS, expected a layer with a defined EPSG CRS"
        )),
        None => Err(format!(
            "found srs_id {srs_id}, which gpkg_spatial_ref_sys does not define, expected a layer with a defined EPSG CRS"
        )),
    };
    match crs {
        Ok(c) => Some(c),
        Err(message) => {
            findings.push(
                Severity::Error,
                name,
                Location::File,
                Some("crs"),
                message,
                Some(hint),
            );
            None
        }
    }
}

fn quote(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}

fn read_rows(
    conn: &Connection,
    name: &str,
    layer: &Layer,
    known: &[&str],
    findings: &mut Findings,
) -> Option<Vec<Row>> {
    // (name, declared type, primary-key position)
    let columns: Vec<(String, String, i64)> = match conn
        .prepare("SELECT name, type, pk FROM pragma_table_info(?1)")
        .and_then(|mut s| {
            s.query_map([&layer.table], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<Result<Vec<_>, _>>()
        }) {
        Ok(c) => c,
        Err(e) => {
            findings.error(
                name,
                Location::File,
                None,
                format!("cannot read the layer's columns: {e}"),
            );
            return None;
        }
    };
    let geometry = columns
        .iter()
        .position(|(c, _, _)| c.eq_ignore_ascii_case(&layer.geometry_column));
    // The feature id (an INTEGER PRIMARY KEY such as `fid`) orders the rows
    // and is no attribute, unless it is one the loader knows (`id`).
    let fid = columns
        .iter()
        .find(|(_, t, pk)| *pk == 1 && t.eq_ignore_ascii_case("INTEGER"))
        .map(|(c, _, _)| c.clone());
    let attributes: Vec<&str> = columns
        .iter()
        .enumerate()
        .filter(|&(i, (c, _, _))| {
            Some(i) != geometry
                && (fid.as_deref() != Some(c.as_str()) || known.contains(&c.as_str()))
        })
        .map(|(_, (c, _, _))| c.as_str())
        .collect();
    for column in &attributes {
        if !known.contains(column) {
            let hint =
                closest(column, known.iter().copied()).map(|k| format!("did you mean `{k}`?"));
            findings.push(
                Severity::Warning,
                name,
                Location::File,
                Some(column),
                "unknown column, ignored".into(),
                hint,
            );
        }
    }
    let mut select: Vec<String> = attributes.iter().map(|c| quote(c)).collect();
    select.push(geometry.map_or_else(|| "NULL".to_string(), |_| quote(&layer.geometry_column)));
    let order = fid.as_deref().map_or_else(|| "rowid".to_string(), quote);
    let sql = format!(
        "SELECT {} FROM {} ORDER BY {order}",
        select.join(", "),
        quote(&layer.table)
    );
    let result = conn.prepare(&sql).and_then(|mut stmt| {
        let mut rows = Vec::new();
        let mut query = stmt.query([])?;
        let mut n = 0;
        while let Some(r) = query.next()? {
            n += 1;
            let location = Location::Feature(n);
            let mut fields = BTreeMap::new();
            for (i, column) in attributes.iter().enumerate() {
                if let Some(text) = field_text(r.get_ref(i)?) {
                    fields.insert((*column).to_string(), text);
                }
            }
            let geometry = match r.get_ref(attributes.len())? {
                ValueRef::Blob(blob) => match decode(blob) {
                    Ok(g) => g,
                    Err(message) => {
                        findings.error(name, location, Some("geometry"), message);
                        continue;
                    }
                },
                _ => None,
            };
            rows.push(Row {
                location,
                fields,
                geometry: geometry.map(Geometry::new),
            });
        }
        Ok(rows)
    });
    match result {
        Ok(rows) => Some(rows),
        Err(e) => {
            findings.error(
                name,
                Location::File,
                None,
                format!("cannot read the layer's rows: {e}"),
            );
            None
        }
    }
}

/// An attribute as text: NULL and blank are absent, numbers printed, a JSON
/// array of values (GDAL's string lists) joined with commas.
fn field_text(value: ValueRef<'_>) -> Option<String> {
    match value {
        ValueRef::Null | ValueRef::Blob(_) => None,
        ValueRef::Integer(i) => Some(i.to_string()),
        ValueRef::Real(f) => Some(f.to_string()),
        ValueRef::Text(bytes) => {
            let text = String::from_utf8_lossy(bytes);
            let t = text.trim();
            if t.starts_with('[')
                && t.ends_with(']')
                && let Ok(v @ serde_json::Value::Array(_)) = serde_json::from_str(t)
            {
                return value_text(&v).filter(|s| !s.is_empty());
            }
            (!t.is_empty()).then(|| t.to_string())
        }
    }
}

/// Decodes a GeoPackage binary geometry: the header (`GP`, version, flags,
/// srs_id, envelope) and the WKB after it. `None` for an empty geometry.
fn decode(blob: &[u8]) -> Result<Option<GeometryValue>, String> {
    if blob.len() < 8 || &blob[..2] != b"GP" {
        return Err("found a value that is not a GeoPackage binary geometry (no `GP` header), expected a Point, Polygon or MultiPolygon".into());
    }
    let flags = blob[3];
    if flags & 0x20 != 0 {
        return Err(
            "found an extended GeoPackage geometry type, expected a Point, Polygon or MultiPolygon"
                .into(),
        );
    }
    let envelope = match (flags >> 1) & 0b111 {
        0 => 0,
        1 => 32,
        2 | 3 => 48,
        4 => 64,
        other => {
            return Err(format!(
                "found the envelope code {other} in the GeoPackage geometry header, expected 0 to 4"
            ));
        }
    };
    if flags & 0x10 != 0 {
        return Ok(None);
    }
    let Some(wkb) = blob.get(8 + envelope..) else {
        return Err("found a GeoPackage geometry cut short in its header".into());
    };
    let mut reader = Wkb { buf: wkb, pos: 0 };
    let value = reader.geometry()?;
    let empty_point = matches!(&value, GeometryValue::Point { coordinates } if coordinates.as_slice().iter().all(|c| c.is_nan()));
    Ok((!empty_point).then_some(value))
}

/// A reader of well-known binary, 2D with Z and M ordinates skipped.
struct Wkb<'a> {
    buf: &'a [u8],
    pos: usize,
}

fn wkb_type_name(base: u32) -> Option<&'static str> {
    Some(match base {
        1 => "Point",
        2 => "LineString",
        3 => "Polygon",
        4 => "MultiPoint",
        5 => "MultiLineString",
        6 => "MultiPolygon",
        7 => "GeometryCollection",
        8 => "CircularString",
        9 => "CompoundCurve",
        10 => "CurvePolygon",
        11 => "MultiCurve",
        12 => "MultiSurface",
        13 => "Curve",
        14 => "Surface",
        15 => "PolyhedralSurface",
        16 => "TIN",
        17 => "Triangle",
        _ => return None,
    })
}

impl Wkb<'_> {
    fn bytes<const N: usize>(&mut self) -> Result<[u8; N], String> {
        let b = self
            .buf
            .get(self.pos..self.pos + N)
            .and_then(|s| <[u8; N]>::try_from(s).ok())
            .ok_or_else(|| "found a geometry cut short (WKB ends early)".to_string())?;
        self.pos += N;
        Ok(b)
    }

    fn u32(&mut self, le: bool) -> Result<u32, String> {
        let b = self.bytes::<4>()?;
        Ok(if le {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    }

    fn f64(&mut self, le: bool) -> Result<f64, String> {
        let b = self.bytes::<8>()?;
        Ok(if le {
            f64::from_le_bytes(b)
        } else {
            f64::from_be_bytes(b)
        })
    }

    /// A count of items of at least `min_bytes` each, checked against what
    /// is left so that a corrupt count cannot allocate much.
    fn count(&mut self, le: bool, min_bytes: usize) -> Result<usize, String> {
        let n = self.u32(le)? as usize;
        if n.saturating_mul(min_bytes) > self.buf.len() - self.pos {
            return Err("found a geometry cut short (WKB ends early)".into());
        }
        Ok(n)
    }

    fn position(&mut self, le: bool, dims: usize) -> Result<Position, String> {
        let x = self.f64(le)?;
        let y = self.f64(le)?;
        for _ in 2..dims {
            self.f64(le)?;
        }
        Ok(Position::from([x, y]))
    }

    fn positions(&mut self, le: bool, dims: usize) -> Result<Vec<Position>, String> {
        let n = self.count(le, 8 * dims)?;
        (0..n).map(|_| self.position(le, dims)).collect()
    }

    fn rings(&mut self, le: bool, dims: usize) -> Result<Vec<Vec<Position>>, String> {
        let n = self.count(le, 4)?;
        (0..n).map(|_| self.positions(le, dims)).collect()
    }

    /// The members of a multi-geometry or collection.
    fn members(&mut self, le: bool) -> Result<Vec<GeometryValue>, String> {
        let n = self.count(le, 5)?;
        (0..n).map(|_| self.geometry()).collect()
    }

    fn geometry(&mut self) -> Result<GeometryValue, String> {
        let le = match self.bytes::<1>()?[0] {
            0 => false,
            1 => true,
            other => {
                return Err(format!(
                    "found the WKB byte order {other}, expected 0 or 1 (not a valid geometry)"
                ));
            }
        };
        let code = self.u32(le)?;
        // ISO codes (1000 Z, 2000 M, 3000 ZM) and the EWKB flag bits.
        let iso = code & 0x0FFF_FFFF;
        let (base, thousands) = (iso % 1000, iso / 1000);
        let z = code & 0x8000_0000 != 0 || thousands == 1 || thousands == 3;
        let m = code & 0x4000_0000 != 0 || thousands == 2 || thousands == 3;
        let dims = 2 + usize::from(z) + usize::from(m);
        let unsupported = || match wkb_type_name(base).filter(|_| thousands <= 3) {
            Some(kind) => format!(
                "found a {kind}, a geometry type not supported here, expected a Point, Polygon or MultiPolygon"
            ),
            None => format!(
                "found the WKB geometry type {code}, which is not supported, expected a Point, Polygon or MultiPolygon"
            ),
        };
        if thousands > 3 {
            return Err(unsupported());
        }
        Ok(match base {
            1 => GeometryValue::Point {
                coordinates: self.position(le, dims)?,
            },
            2 => GeometryValue::LineString {
                coordinates: self.positions(le, dims)?,
            },
            3 => GeometryValue::Polygon {
                coordinates: self.rings(le, dims)?,
            },
            4 => GeometryValue::MultiPoint {
                coordinates: self
                    .members(le)?
                    .into_iter()
                    .map(|g| match g {
                        GeometryValue::Point { coordinates } => Ok(coordinates),
                        other => Err(member_error("MultiPoint", &other)),
                    })
                    .collect::<Result<_, _>>()?,
            },
            5 => GeometryValue::MultiLineString {
                coordinates: self
                    .members(le)?
                    .into_iter()
                    .map(|g| match g {
                        GeometryValue::LineString { coordinates } => Ok(coordinates),
                        other => Err(member_error("MultiLineString", &other)),
                    })
                    .collect::<Result<_, _>>()?,
            },
            6 => GeometryValue::MultiPolygon {
                coordinates: self
                    .members(le)?
                    .into_iter()
                    .map(|g| match g {
                        GeometryValue::Polygon { coordinates } => Ok(coordinates),
                        other => Err(member_error("MultiPolygon", &other)),
                    })
                    .collect::<Result<_, _>>()?,
            },
            7 => GeometryValue::GeometryCollection {
                geometries: self.members(le)?.into_iter().map(Geometry::new).collect(),
            },
            _ => return Err(unsupported()),
        })
    }
}

fn member_error(multi: &str, member: &GeometryValue) -> String {
    format!(
        "found a {} inside a {multi}, expected only {} members (not a valid geometry)",
        member.type_name(),
        multi.trim_start_matches("Multi")
    )
}

#[cfg(test)]
mod tests {
    use super::{GeometryValue, decode, field_text};
    use rusqlite::types::ValueRef;

    fn header(flags: u8, envelope: usize) -> Vec<u8> {
        let mut b = b"GP\x00".to_vec();
        b.push(flags);
        b.extend_from_slice(&25832_i32.to_le_bytes());
        b.extend(std::iter::repeat_n(0u8, envelope));
        b
    }

    #[test]
    fn a_little_endian_point_with_an_envelope() {
        let mut b = header(0b011, 32);
        b.push(1);
        b.extend_from_slice(&1_u32.to_le_bytes());
        b.extend_from_slice(&500_000.0_f64.to_le_bytes());
        b.extend_from_slice(&6_200_000.0_f64.to_le_bytes());
        let GeometryValue::Point { coordinates } = decode(&b).unwrap().unwrap() else {
            panic!("not a point");
        };
        assert_eq!(coordinates.as_slice(), &[500_000.0, 6_200_000.0]);
    }

    #[test]
    fn a_big_endian_polygon_z_drops_the_third_ordinate() {
        let mut b = header(0b000, 0);
        b.push(0);
        b.extend_from_slice(&1003_u32.to_be_bytes());
        b.extend_from_slice(&1_u32.to_be_bytes());
        b.extend_from_slice(&4_u32.to_be_bytes());
        for (x, y) in [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 0.0)] {
            for v in [x, y, 99.0_f64] {
                b.extend_from_slice(&v.to_be_bytes());
            }
        }
        let GeometryValue::Polygon { coordinates } = decode(&b).unwrap().unwrap() else {
            panic!("not a polygon");
        };
        assert_eq!(coordinates[0].len(), 4);
        assert_eq!(coordinates[0][2].as_slice(), &[1.0, 1.0]);
    }

    #[test]
    fn a_multipolygon_with_an_xyzm_envelope() {
        let mut b = header(0b1001, 64);
        b.push(1);
        b.extend_from_slice(&6_u32.to_le_bytes());
        b.extend_from_slice(&1_u32.to_le_bytes());
        b.push(1);
        b.extend_from_slice(&3_u32.to_le_bytes());
        b.extend_from_slice(&1_u32.to_le_bytes());
        b.extend_from_slice(&4_u32.to_le_bytes());
        for (x, y) in [(0.0_f64, 0.0_f64), (1.0, 0.0), (1.0, 1.0), (0.0, 0.0)] {
            b.extend_from_slice(&x.to_le_bytes());
            b.extend_from_slice(&y.to_le_bytes());
        }
        assert!(matches!(
            decode(&b).unwrap(),
            Some(GeometryValue::MultiPolygon { coordinates }) if coordinates.len() == 1
        ));
    }

    #[test]
    fn empty_curved_and_broken_geometries() {
        assert!(decode(&header(0b1_0001, 0)).unwrap().is_none());
        let mut curve = header(1, 0);
        curve.push(1);
        curve.extend_from_slice(&10_u32.to_le_bytes());
        let e = decode(&curve).unwrap_err();
        assert!(e.contains("CurvePolygon"), "{e}");
        let mut short = header(1, 0);
        short.push(1);
        short.extend_from_slice(&1_u32.to_le_bytes());
        short.extend_from_slice(&1.0_f64.to_le_bytes());
        assert!(decode(&short).unwrap_err().contains("cut short"));
        assert!(decode(b"not a geometry").unwrap_err().contains("GP"));
    }

    #[test]
    fn fields_as_text() {
        assert_eq!(field_text(ValueRef::Null), None);
        assert_eq!(field_text(ValueRef::Integer(3)).as_deref(), Some("3"));
        assert_eq!(field_text(ValueRef::Real(2500.0)).as_deref(), Some("2500"));
        assert_eq!(field_text(ValueRef::Real(42.5)).as_deref(), Some("42.5"));
        assert_eq!(field_text(ValueRef::Text(b"  ")), None);
        assert_eq!(
            field_text(ValueRef::Text(b"[ \"udsat\", \"parallelsamfund\" ]")).as_deref(),
            Some("udsat,parallelsamfund")
        );
        assert_eq!(field_text(ValueRef::Text(b"[ ]")), None);
        assert_eq!(field_text(ValueRef::Text(b"[x")).as_deref(), Some("[x"));
    }
}
