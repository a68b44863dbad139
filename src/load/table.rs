//! Reading CSV rows and GeoJSON features into one shape, [`Row`]: a location
//! in the file, its fields as text, and (for GeoJSON) its geometry.
//!
//! The entity parsers in [`super::entities`] then read fields from rows the
//! same way whichever format the data came in.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;

use super::findings::{Findings, Location};
use crate::crs::Crs;

/// One record of an input file.
#[derive(Debug, Clone)]
pub struct Row {
    pub location: Location,
    pub fields: BTreeMap<String, String>,
    pub geometry: Option<geojson::Geometry>,
}

/// A table read from one file.
#[derive(Debug)]
pub struct Table {
    /// The file as it is named in messages.
    pub file: String,
    pub rows: Vec<Row>,
    /// The CRS of the coordinates (GeoJSON `crs` member, else WGS84).
    pub crs: Crs,
}

/// Reads a CSV file with a header line. Checks that `required` columns exist
/// and warns about columns not in `known`.
pub fn read_csv(
    path: &Path,
    required: &[&str],
    known: &[&str],
    findings: &mut Findings,
) -> Option<Table> {
    let file = path.display().to_string();
    let bytes = match fs_err::read(path) {
        Ok(b) => b,
        Err(e) => {
            findings.error(
                &file,
                Location::File,
                None,
                format!("cannot read the file: {e}"),
            );
            return None;
        }
    };
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    if std::str::from_utf8(bytes).is_err() {
        findings.push(
            super::findings::Severity::Error,
            &file,
            Location::File,
            None,
            "the file is not UTF-8 text".into(),
            Some("save it as \"CSV UTF-8\" (Excel) or convert it, e.g. from Latin-1".into()),
        );
        return None;
    }
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            findings.error(
                &file,
                Location::Line(1),
                None,
                format!("cannot read the header: {e}"),
            );
            return None;
        }
    };
    if headers.iter().all(str::is_empty) {
        findings.error(
            &file,
            Location::File,
            None,
            "the file is empty, expected a header line".into(),
        );
        return None;
    }
    let mut missing = false;
    for column in required {
        if !headers.iter().any(|h| h == *column) {
            findings.error(
                &file,
                Location::Line(1),
                Some(column),
                "required column is missing from the header".into(),
            );
            missing = true;
        }
    }
    for h in &headers {
        if !known.contains(&h) {
            findings.warning(
                &file,
                Location::Line(1),
                Some(h),
                "unknown column, ignored".into(),
            );
        }
    }
    if missing {
        return None;
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, csv::Position::line);
                findings.error(
                    &file,
                    Location::Line(line),
                    None,
                    format!("cannot read the row: {e}"),
                );
                continue;
            }
        };
        let line = record.position().map_or(0, csv::Position::line);
        if record.iter().all(str::is_empty) {
            continue;
        }
        if record.len() != headers.len() {
            findings.error(
                &file,
                Location::Line(line),
                None,
                format!(
                    "found {} fields, expected {} as in the header",
                    record.len(),
                    headers.len()
                ),
            );
            continue;
        }
        let fields = headers
            .iter()
            .zip(record.iter())
            .filter(|(_, v)| !v.is_empty())
            .map(|(h, v)| (h.to_string(), v.to_string()))
            .collect();
        rows.push(Row {
            location: Location::Line(line),
            fields,
            geometry: None,
        });
    }
    Some(Table {
        file,
        rows,
        crs: Crs::WGS84,
    })
}

/// Reads a GeoJSON FeatureCollection. Property values become text: strings as
/// they are, numbers and booleans printed, arrays joined with commas.
pub fn read_geojson(path: &Path, known: &[&str], findings: &mut Findings) -> Option<Table> {
    let file = path.display().to_string();
    let text = match fs_err::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            findings.error(
                &file,
                Location::File,
                None,
                format!("cannot read the file: {e}"),
            );
            return None;
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let json: serde_json::Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            findings.error(&file, Location::File, None, format!("not valid JSON: {e}"));
            return None;
        }
    };
    if json.get("type").and_then(serde_json::Value::as_str) != Some("FeatureCollection") {
        findings.error(
            &file,
            Location::File,
            Some("type"),
            "expected a GeoJSON FeatureCollection".into(),
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
    let Some(features) = json.get("features").and_then(serde_json::Value::as_array) else {
        findings.error(
            &file,
            Location::File,
            Some("features"),
            "expected an array of features".into(),
        );
        return None;
    };
    let mut unknown: Vec<String> = Vec::new();
    let mut rows = Vec::with_capacity(features.len());
    for (i, feature) in features.iter().enumerate() {
        let location = Location::Feature(i + 1);
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
        let geometry = match feature.get("geometry") {
            None | Some(serde_json::Value::Null) => None,
            Some(g) => match serde_json::from_value::<geojson::Geometry>(g.clone()) {
                Ok(g) => Some(g),
                Err(e) => {
                    findings.error(
                        &file,
                        location,
                        Some("geometry"),
                        format!("not a valid geometry: {e}"),
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
        findings.warning(
            &file,
            Location::File,
            Some(&k),
            "unknown property, ignored".into(),
        );
    }
    Some(Table { file, rows, crs })
}

fn value_text(v: &serde_json::Value) -> Option<String> {
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

/// Reads typed fields from one row, reporting problems as findings.
pub struct Fields<'a> {
    pub file: &'a str,
    pub row: &'a Row,
    pub findings: &'a mut Findings,
    /// Set when any field of the row was bad.
    pub bad: bool,
}

impl<'a> Fields<'a> {
    pub fn new(file: &'a str, row: &'a Row, findings: &'a mut Findings) -> Self {
        Self {
            file,
            row,
            findings,
            bad: false,
        }
    }

    fn fail(&mut self, field: &str, message: String) {
        self.findings
            .error(self.file, self.row.location, Some(field), message);
        self.bad = true;
    }

    /// The raw text of an optional field.
    #[must_use]
    pub fn text(&self, field: &str) -> Option<&'a str> {
        self.row.fields.get(field).map(String::as_str)
    }

    /// A required text field.
    pub fn required(&mut self, field: &str) -> Option<&'a str> {
        let v = self.text(field);
        if v.is_none() {
            self.fail(field, "is empty, expected a value".into());
        }
        v
    }

    /// An optional whole number at least `min`.
    pub fn int(&mut self, field: &str, min: i64) -> Option<i64> {
        let raw = self.text(field)?;
        match raw.parse::<i64>() {
            Ok(v) if v >= min => Some(v),
            Ok(v) => {
                self.fail(
                    field,
                    format!("found {v}, expected a whole number of at least {min}"),
                );
                None
            }
            Err(_) => {
                // Accept "3.0" from spreadsheets and JSON writers.
                match raw.parse::<f64>() {
                    #[allow(clippy::cast_possible_truncation)]
                    Ok(f) if f.fract() == 0.0 && f >= min as f64 => Some(f as i64),
                    _ => {
                        self.fail(
                            field,
                            format!("found \"{raw}\", expected a whole number of at least {min}"),
                        );
                        None
                    }
                }
            }
        }
    }

    /// A required whole number at least `min`.
    pub fn required_int(&mut self, field: &str, min: i64) -> Option<i64> {
        if self.text(field).is_none() {
            self.fail(
                field,
                format!("is empty, expected a whole number of at least {min}"),
            );
            return None;
        }
        self.int(field, min)
    }

    /// An optional number strictly above `above`.
    pub fn number(&mut self, field: &str, above: f64) -> Option<f64> {
        let raw = self.text(field)?;
        match raw.parse::<f64>() {
            Ok(v) if v.is_finite() && v > above => Some(v),
            _ => {
                self.fail(
                    field,
                    format!("found \"{raw}\", expected a number above {above}"),
                );
                None
            }
        }
    }

    /// A required number strictly above `above`.
    pub fn required_number(&mut self, field: &str, above: f64) -> Option<f64> {
        if self.text(field).is_none() {
            self.fail(field, format!("is empty, expected a number above {above}"));
            return None;
        }
        self.number(field, above)
    }

    /// An optional yes/no field, `false` when empty.
    pub fn flag(&mut self, field: &str) -> bool {
        match self.text(field).map(str::to_ascii_lowercase).as_deref() {
            None | Some("false" | "no" | "0" | "nej") => false,
            Some("true" | "yes" | "1" | "ja") => true,
            Some(other) => {
                self.fail(field, format!("found \"{other}\", expected true or false"));
                false
            }
        }
    }

    /// An optional ISO date.
    pub fn date(&mut self, field: &str) -> Option<NaiveDate> {
        let raw = self.text(field)?;
        match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                self.fail(
                    field,
                    format!("found \"{raw}\", expected a date like 2026-01-31"),
                );
                None
            }
        }
    }

    /// A required ISO date.
    pub fn required_date(&mut self, field: &str) -> Option<NaiveDate> {
        if self.text(field).is_none() {
            self.fail(field, "is empty, expected a date like 2026-01-31".into());
            return None;
        }
        self.date(field)
    }

    /// Reports a problem found by the caller.
    pub fn problem(&mut self, field: &str, message: String) {
        self.fail(field, message);
    }
}
