//! Reading a GeoJSON FeatureCollection into [`Row`]s: property values as
//! text, the geometry kept as GeoJSON, the CRS from the `crs` member (else
//! WGS84). The file is checked to be UTF-8, then parsed from the disk
//! (never held whole as text), each feature's JSON freed once it is a row;
//! the bytes read are passed to the [`Ticker`] on the way.

use std::collections::BTreeMap;
use std::path::Path;

use super::utf8::check_utf8;
use super::{Row, Table, Ticker, open_input};
use crate::crs::Crs;
use crate::findings::{Findings, Location, Severity, closest};

/// Reads a GeoJSON FeatureCollection. Property values become text: strings as
/// they are, numbers and booleans printed, arrays joined with commas.
///
/// The file is parsed from the disk as it is read (its text is never held
/// whole), after one pass that checks it is UTF-8.
pub fn read_geojson(
    path: &Path,
    known: &[&str],
    findings: &mut Findings,
    ticker: &mut Ticker<'_>,
) -> Option<Table> {
    use std::io::BufRead;
    let file = path.display().to_string();
    check_utf8(path, &file, findings)?;
    let (handle, size) = open_input(path, &file, findings)?;
    ticker.start(&file, size);
    let counted = Counted {
        inner: handle,
        done: 0,
        size,
        file: &file,
        ticker,
    };
    let mut input = std::io::BufReader::with_capacity(64 * 1024, counted);
    if input
        .fill_buf()
        .is_ok_and(|buf| buf.starts_with(b"\xEF\xBB\xBF"))
    {
        input.consume(3);
    }
    let parsed = serde_json::from_reader(input);
    let mut json: serde_json::Value = match parsed {
        Ok(v) => v,
        Err(e) => {
            findings.error(
                &file,
                Location::Line(e.line() as u64),
                None,
                format!("found invalid JSON ({e}), expected a GeoJSON FeatureCollection"),
            );
            return None;
        }
    };
    let kind = json.get("type").and_then(serde_json::Value::as_str);
    if kind != Some("FeatureCollection") {
        let found = match (kind, &json) {
            (Some(k), _) => format!("\"{k}\""),
            (None, serde_json::Value::Object(_)) => "no `type`".into(),
            (None, serde_json::Value::Array(_)) => "a JSON array".into(),
            (None, _) => "a JSON value that is not an object".into(),
        };
        findings.push(
            Severity::Error,
            &file,
            Location::File,
            Some("type"),
            format!("found {found}, expected a GeoJSON \"FeatureCollection\""),
            Some("export the layer as GeoJSON (QGIS: Export › Save Features As… › GeoJSON), which writes a FeatureCollection of Features".into()),
        );
        return None;
    }
    let crs = match json
        .pointer("/crs/properties/name")
        .and_then(serde_json::Value::as_str)
    {
        Some(name) => match Crs::parse(name) {
            Ok(c) => c,
            Err(e) => {
                findings.error(&file, Location::File, Some("crs"), e);
                return None;
            }
        },
        None => Crs::WGS84,
    };
    // Taken out of the document, so that each feature's JSON is freed once
    // it is a row.
    let Some(features) = json
        .get_mut("features")
        .and_then(serde_json::Value::as_array_mut)
        .map(std::mem::take)
    else {
        findings.error(
            &file,
            Location::File,
            Some("features"),
            "found no array `features`, expected an array of Features".into(),
        );
        return None;
    };
    let mut unknown: Vec<String> = Vec::new();
    let mut rows = Vec::with_capacity(features.len());
    for (i, mut feature) in features.into_iter().enumerate() {
        let location = Location::Feature(i + 1);
        let feature_type = feature.get("type").and_then(serde_json::Value::as_str);
        if feature_type != Some("Feature") {
            findings.error(
                &file,
                location,
                Some("type"),
                format!(
                    "found {}, expected \"Feature\"",
                    feature_type.map_or_else(|| "no `type`".to_string(), |t| format!("\"{t}\""))
                ),
            );
            continue;
        }
        let mut fields = BTreeMap::new();
        if let Some(props) = feature
            .get("properties")
            .and_then(serde_json::Value::as_object)
        {
            for (k, v) in props {
                if !known.contains(&k.as_str()) && !unknown.contains(k) {
                    unknown.push(k.clone());
                }
                if let Some(text) = value_text(v) {
                    fields.insert(k.clone(), text);
                }
            }
        }
        let geometry = match feature.get_mut("geometry").map(serde_json::Value::take) {
            None | Some(serde_json::Value::Null) => None,
            Some(g) => match serde_json::from_value::<geojson::Geometry>(g) {
                Ok(g) => Some(g),
                Err(e) => {
                    findings.error(
                        &file,
                        location,
                        Some("geometry"),
                        format!("found an invalid geometry ({e}), expected a GeoJSON Point, Polygon or MultiPolygon"),
                    );
                    continue;
                }
            },
        };
        rows.push(Row {
            location,
            fields,
            geometry,
        });
    }
    for k in unknown {
        let hint = closest(&k, known.iter().copied()).map(|c| format!("did you mean `{c}`?"));
        findings.push(
            Severity::Warning,
            &file,
            Location::File,
            Some(&k),
            "unknown property, ignored".into(),
            hint,
        );
    }
    Some(Table::from_rows(file, rows, size, crs))
}

/// A reader that reports how many bytes have passed through it.
struct Counted<'t, 'p, R> {
    inner: R,
    done: u64,
    size: u64,
    file: &'t str,
    ticker: &'t mut Ticker<'p>,
}

impl<R: std::io::Read> std::io::Read for Counted<'_, '_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.done += n as u64;
        self.ticker
            .tick(self.file, self.done.min(self.size), self.size);
        Ok(n)
    }
}

pub(in crate::load) fn value_text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => {
            let t = s.trim();
            (!t.is_empty()).then(|| t.to_string())
        }
        serde_json::Value::Array(items) => {
            let parts: Vec<String> = items.iter().filter_map(value_text).collect();
            Some(parts.join(","))
        }
        other => Some(other.to_string()),
    }
}
