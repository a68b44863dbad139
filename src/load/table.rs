//! Reading CSV rows and GeoJSON features into one shape, [`Row`]: a location
//! in the file, its fields as text, and (for GeoJSON) its geometry.
//!
//! The entity parsers in [`super::entities`] then read fields from rows the
//! same way whichever format the data came in.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;

use super::findings::{Findings, Location, Severity, closest};
use crate::crs::Crs;
use crate::scenario::DateFormat;

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
    /// Numbers may use `,` as the decimal separator (a `;`-separated CSV).
    pub decimal_comma: bool,
    /// How dates are written (the scenario's `date_format`).
    pub date_format: DateFormat,
}

/// Reads a text file, accepting and dropping a UTF-8 byte-order mark.
/// Anything that is not UTF-8 is an error naming the line and the byte, with
/// a hint to save the file as UTF-8.
pub fn read_text(path: &Path, findings: &mut Findings) -> Option<String> {
    let file = path.display().to_string();
    let bytes = match fs_err::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            findings.missing_input(&file);
            return None;
        }
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
    decode_text(&file, &bytes, findings)
}

/// Bytes of a text file (named `file` in messages) as UTF-8 text, with the
/// checks of [`read_text`].
pub fn decode_text(file: &str, bytes: &[u8], findings: &mut Findings) -> Option<String> {
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        findings.push(
            Severity::Error,
            file,
            Location::File,
            None,
            "the file is UTF-16 text, expected UTF-8".into(),
            Some(save_as_utf8("utf-16")),
        );
        return None;
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Some(text.to_string()),
        Err(e) => {
            let at = e.valid_up_to();
            let line = text_lines(&bytes[..at]);
            let byte = bytes[at];
            let latin1 = if byte >= 0xA0 {
                format!(
                    ", which is \"{}\" in Latin-1 (ISO 8859-1, Windows-1252)",
                    char::from(byte)
                )
            } else {
                String::new()
            };
            findings.push(
                Severity::Error,
                file,
                Location::Line(line as u64),
                None,
                format!("found the byte 0x{byte:02X}{latin1}, expected UTF-8 text"),
                Some(save_as_utf8("latin1")),
            );
            None
        }
    }
}

/// How to save a file as UTF-8, converting from `from` (an iconv name).
fn save_as_utf8(from: &str) -> String {
    format!(
        "save the file as UTF-8: in Excel \"Save As\" › \"CSV UTF-8 (comma delimited)\"; in QGIS set the encoding to UTF-8; or convert it with `iconv -f {from} -t utf-8 IN > OUT`"
    )
}

/// The field separator of a CSV file, told from its header line: `;` when
/// the header has a `;` and no `,` (a Danish Excel export, whose numbers
/// then use `,` as the decimal separator), else `,`. `None` when the header
/// has both, which cannot be told apart.
fn separator(header: &str) -> Option<u8> {
    match (header.contains(';'), header.contains(',')) {
        (true, false) => Some(b';'),
        (true, true) => None,
        (false, _) => Some(b','),
    }
}

/// Reads a CSV file with a header line. Checks that `required` columns exist
/// and warns about columns not in `known`.
///
/// The separator is `,`, or `;` when the header line has `;` and no `,`; in
/// a `;`-separated file numbers may use a decimal comma (`12,5`).
pub fn read_csv(
    path: &Path,
    required: &[&str],
    known: &[&str],
    findings: &mut Findings,
) -> Option<Table> {
    let file = path.display().to_string();
    let text = read_text(path, findings)?;
    let header_line = text.lines().next().unwrap_or("");
    let Some(delimiter) = separator(header_line) else {
        findings.push(
            Severity::Error,
            &file,
            Location::Line(1),
            None,
            format!(
                "found the header \"{header_line}\", which has both `;` and `,`, expected columns separated by `,` (or all by `;`)"
            ),
            Some("save it from Excel as \"CSV UTF-8 (comma delimited)\", or separate every column by `;` and use `,` only as the decimal separator".into()),
        );
        return None;
    };
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .delimiter(delimiter)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
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
            format!(
                "the file is empty, expected a header line with the columns {}",
                required.join(", ")
            ),
        );
        return None;
    }
    let mut missing = false;
    for column in required {
        if !headers.iter().any(|h| h == *column) {
            let unknown = headers.iter().filter(|h| !known.contains(h));
            let hint = closest(column, unknown)
                .map(|h| format!("is the column `{h}` meant to be `{column}`?"));
            findings.push(
                Severity::Error,
                &file,
                Location::Line(1),
                Some(column),
                format!(
                    "found the columns {}, expected a column `{column}` too",
                    headers.iter().collect::<Vec<_>>().join(", ")
                ),
                hint,
            );
            missing = true;
        }
    }
    for h in &headers {
        if !known.contains(&h) {
            let hint = closest(h, known.iter().copied()).map(|k| format!("did you mean `{k}`?"));
            findings.push(
                Severity::Warning,
                &file,
                Location::Line(1),
                Some(h),
                "unknown column, ignored".into(),
                hint,
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
        decimal_comma: delimiter == b';',
        date_format: DateFormat::Iso,
    })
}

/// Reads a GeoJSON FeatureCollection. Property values become text: strings as
/// they are, numbers and booleans printed, arrays joined with commas.
pub fn read_geojson(path: &Path, known: &[&str], findings: &mut Findings) -> Option<Table> {
    let file = path.display().to_string();
    let text = read_text(path, findings)?;
    let json: serde_json::Value = match serde_json::from_str(&text) {
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
    let Some(features) = json.get("features").and_then(serde_json::Value::as_array) else {
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
    for (i, feature) in features.iter().enumerate() {
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
        let geometry = match feature.get("geometry") {
            None | Some(serde_json::Value::Null) => None,
            Some(g) => match serde_json::from_value::<geojson::Geometry>(g.clone()) {
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
    Some(Table {
        file,
        rows,
        crs,
        decimal_comma: false,
        date_format: DateFormat::Iso,
    })
}

pub(super) fn value_text(v: &serde_json::Value) -> Option<String> {
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
    decimal_comma: bool,
    date_format: DateFormat,
}

impl<'a> Fields<'a> {
    pub fn new(table: &'a Table, row: &'a Row, findings: &'a mut Findings) -> Self {
        Self {
            file: &table.file,
            row,
            findings,
            bad: false,
            decimal_comma: table.decimal_comma,
            date_format: table.date_format,
        }
    }

    fn fail(&mut self, field: &str, message: String) {
        self.fail_hint(field, message, None);
    }

    fn fail_hint(&mut self, field: &str, message: String, hint: Option<String>) {
        self.findings.push(
            Severity::Error,
            self.file,
            self.row.location,
            Some(field),
            message,
            hint,
        );
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

    /// Parses a number, with `,` as a decimal separator where the file uses
    /// one (`12,5`; a `.` is accepted too, thousands separators are not).
    fn parse_f64(&self, raw: &str) -> Option<f64> {
        if self.decimal_comma && raw.matches(',').count() == 1 && !raw.contains('.') {
            raw.replace(',', ".").parse().ok()
        } else {
            raw.parse().ok()
        }
    }

    /// A hint for a number written with a decimal comma where none is expected.
    fn comma_hint(&self, raw: &str) -> Option<String> {
        (!self.decimal_comma && raw.contains(',')).then(|| {
            "write numbers with `.` as the decimal separator and no thousands separator (a decimal comma is accepted only in a `;`-separated CSV)".to_string()
        })
    }

    /// An optional whole number at least `min`.
    pub fn int(&mut self, field: &str, min: i64) -> Option<i64> {
        self.int_because(field, min, "")
    }

    /// An optional whole number at least `min`; `why` (if not empty) is
    /// added to the message when the number is too small.
    pub fn int_because(&mut self, field: &str, min: i64, why: &str) -> Option<i64> {
        let raw = self.text(field)?;
        let why = if why.is_empty() {
            String::new()
        } else {
            format!(" ({why})")
        };
        let value = match raw.parse::<i64>() {
            Ok(v) => Some(v),
            // Accept "3.0" from spreadsheets and JSON writers.
            #[allow(clippy::cast_possible_truncation)]
            Err(_) => self
                .parse_f64(raw)
                .filter(|f| f.is_finite() && f.fract() == 0.0)
                .map(|f| f as i64),
        };
        match value {
            Some(v) if v >= min => Some(v),
            Some(v) => {
                self.fail(
                    field,
                    format!("found {v}, expected a whole number of at least {min}{why}"),
                );
                None
            }
            None => {
                let hint = self.comma_hint(raw);
                self.fail_hint(
                    field,
                    format!("found \"{raw}\", expected a whole number of at least {min}"),
                    hint,
                );
                None
            }
        }
    }

    /// A required whole number at least `min`.
    pub fn required_int(&mut self, field: &str, min: i64) -> Option<i64> {
        self.required_int_because(field, min, "")
    }

    /// A required whole number at least `min`, with a reason for the minimum.
    pub fn required_int_because(&mut self, field: &str, min: i64, why: &str) -> Option<i64> {
        if self.text(field).is_none() {
            self.fail(
                field,
                format!("is empty, expected a whole number of at least {min}"),
            );
            return None;
        }
        self.int_because(field, min, why)
    }

    /// An optional number strictly above `above`.
    pub fn number(&mut self, field: &str, above: f64) -> Option<f64> {
        let raw = self.text(field)?;
        let expected = if above == f64::NEG_INFINITY {
            "a number".to_string()
        } else {
            format!("a number above {above}")
        };
        match self.parse_f64(raw) {
            Some(v) if v.is_finite() && v > above => Some(v),
            _ => {
                let hint = self.comma_hint(raw);
                self.fail_hint(field, format!("found \"{raw}\", expected {expected}"), hint);
                None
            }
        }
    }

    /// A required number strictly above `above`.
    pub fn required_number(&mut self, field: &str, above: f64) -> Option<f64> {
        if self.text(field).is_none() {
            let expected = if above == f64::NEG_INFINITY {
                "a number".to_string()
            } else {
                format!("a number above {above}")
            };
            self.fail(field, format!("is empty, expected {expected}"));
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
                self.fail(
                    field,
                    format!("found \"{other}\", expected true or false (also yes/no, ja/nej, 1/0)"),
                );
                false
            }
        }
    }

    /// An optional date: `YYYY-MM-DD`, or also `DD-MM-YYYY` when the
    /// scenario declares `date_format = "dd-mm-yyyy"`.
    pub fn date(&mut self, field: &str) -> Option<NaiveDate> {
        let raw = self.text(field)?;
        if let Ok(d) = NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
            return Some(d);
        }
        let day_first = ["%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y"]
            .iter()
            .find_map(|f| NaiveDate::parse_from_str(raw, f).ok().map(|d| (f, d)));
        if day_first.is_none() && looks_iso(raw) {
            self.fail(
                field,
                format!("found \"{raw}\" (no such day), expected a date like 2026-01-31"),
            );
            return None;
        }
        match (self.date_format, day_first) {
            (DateFormat::DayMonthYear, Some((&"%d-%m-%Y", d))) => Some(d),
            (DateFormat::DayMonthYear, _) => {
                self.fail(
                    field,
                    format!("found \"{raw}\", expected a date like 31-01-2026 (date_format = \"dd-mm-yyyy\") or 2026-01-31"),
                );
                None
            }
            (DateFormat::Iso, Some((format, d))) => {
                let option = if *format == "%d-%m-%Y" {
                    ", or if every date in the inputs is day-month-year, set date_format = \"dd-mm-yyyy\" in the scenario"
                } else {
                    ""
                };
                self.fail_hint(
                    field,
                    format!("found \"{raw}\", expected a date like 2026-01-31"),
                    Some(format!(
                        "dates must be YYYY-MM-DD; if \"{raw}\" is day-month-year, write {d}{option}"
                    )),
                );
                None
            }
            (DateFormat::Iso, None) => {
                self.fail_hint(
                    field,
                    format!("found \"{raw}\", expected a date like 2026-01-31"),
                    Some(
                        "dates must be YYYY-MM-DD (in Excel: Format Cells › Custom › yyyy-mm-dd)"
                            .into(),
                    ),
                );
                None
            }
        }
    }

    /// A required date.
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

    /// Reports a problem found by the caller, with a hint how to fix it.
    pub fn problem_hint(&mut self, field: &str, message: String, hint: String) {
        self.fail_hint(field, message, Some(hint));
    }
}

/// Whether `raw` has the shape of an ISO date (`dddd-dd-dd`), valid or not.
fn looks_iso(raw: &str) -> bool {
    let parts: Vec<&str> = raw.split('-').collect();
    parts.len() == 3
        && parts[0].len() == 4
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit()))
}

/// The 1-based line number just after `bytes`.
fn text_lines(bytes: &[u8]) -> usize {
    bytes.split(|&b| b == b'\n').count()
}

#[cfg(test)]
mod tests {
    use super::{looks_iso, separator, text_lines};

    #[test]
    fn the_separator_is_told_from_the_header() {
        assert_eq!(separator("id,adults,children"), Some(b','));
        assert_eq!(separator("id;adults;children"), Some(b';'));
        assert_eq!(separator("id"), Some(b','));
        assert_eq!(separator("id;adults,children"), None);
    }

    #[test]
    fn iso_shapes_and_line_numbers() {
        assert!(looks_iso("2026-13-01"));
        assert!(!looks_iso("01-02-2026"));
        assert!(!looks_iso("2026-1-x"));
        assert_eq!(text_lines(b""), 1);
        assert_eq!(text_lines(b"a\nb\n"), 3);
    }
}
