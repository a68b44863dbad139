//! Reading CSV rows and GeoJSON features into one shape, [`Row`]: a location
//! in the file, its fields as text, and (for GeoJSON) its geometry.
//!
//! The entity parsers in [`super::entities`] then read fields from rows the
//! same way whichever format the data came in.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;

use crate::crs::Crs;
use crate::findings::{Findings, Location, Severity, closest};
use crate::scenario::DateFormat;

/// One record of an input file.
#[derive(Debug, Clone)]
pub struct Row {
    pub location: Location,
    pub fields: BTreeMap<String, String>,
    pub geometry: Option<geojson::Geometry>,
}

/// A table read from one file. Its rows are taken one at a time with
/// [`Table::next_row`]: a CSV file is read as the rows are taken (its text
/// is never held whole), a feature file (GeoJSON, GeoPackage) is parsed
/// first.
#[derive(Debug)]
pub struct Table {
    /// The file as it is named in messages.
    pub file: String,
    source: Source,
    /// The file's size in bytes (for progress).
    size: u64,
    /// The CRS of the coordinates (GeoJSON `crs` member, else WGS84).
    pub crs: Crs,
    /// Numbers may use `,` as the decimal separator (a `;`-separated CSV).
    pub decimal_comma: bool,
    /// How dates are written (the scenario's `date_format`).
    pub date_format: DateFormat,
}

/// Where the rows of a [`Table`] come from.
enum Source {
    /// Parsed already (features).
    Rows(std::vec::IntoIter<Row>),
    /// Read from the file row by row.
    Csv(Box<CsvRows>),
}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Rows(rows) => write!(f, "Rows({} left)", rows.len()),
            Source::Csv(_) => write!(f, "Csv"),
        }
    }
}

/// The header line (read first, to tell the separator) followed by the rest
/// of the file.
type CsvInput = std::io::Chain<std::io::Cursor<Vec<u8>>, std::io::BufReader<fs_err::File>>;

/// A CSV file being read: the reader, the header and a reused record.
struct CsvRows {
    reader: csv::Reader<CsvInput>,
    headers: csv::StringRecord,
    record: csv::StringRecord,
    /// Set when the file could not be read to its end.
    cut_short: bool,
}

impl Table {
    /// A table of rows parsed already.
    pub fn from_rows(file: String, rows: Vec<Row>, size: u64, crs: Crs) -> Table {
        Table {
            file,
            source: Source::Rows(rows.into_iter()),
            size,
            crs,
            decimal_comma: false,
            date_format: DateFormat::Iso,
        }
    }

    /// The next row, or `None` at the end. A CSV record that cannot be a row
    /// (too few or too many fields, unreadable) is a finding and skipped;
    /// blank lines are skipped.
    pub fn next_row(&mut self, findings: &mut Findings) -> Option<Row> {
        let csv = match &mut self.source {
            Source::Rows(rows) => return rows.next(),
            Source::Csv(csv) => csv,
        };
        loop {
            match csv.reader.read_record(&mut csv.record) {
                Ok(false) => return None,
                Ok(true) => {}
                Err(e) => {
                    let line = e.position().map_or(0, csv::Position::line);
                    findings.error(
                        &self.file,
                        Location::Line(line),
                        None,
                        format!("cannot read the row: {e}"),
                    );
                    if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                        // The rest of the file cannot be read either.
                        csv.cut_short = true;
                        return None;
                    }
                    continue;
                }
            }
            let record = &csv.record;
            let line = record.position().map_or(0, csv::Position::line);
            if record.iter().all(str::is_empty) {
                continue;
            }
            if record.len() != csv.headers.len() {
                findings.error(
                    &self.file,
                    Location::Line(line),
                    None,
                    format!(
                        "found {} fields, expected {} as in the header",
                        record.len(),
                        csv.headers.len()
                    ),
                );
                continue;
            }
            let fields = csv
                .headers
                .iter()
                .zip(record.iter())
                .filter(|(_, v)| !v.is_empty())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect();
            return Some(Row {
                location: Location::Line(line),
                fields,
                geometry: None,
            });
        }
    }

    /// Whether some rows of the file could not be read (an I/O error).
    #[must_use]
    pub fn cut_short(&self) -> bool {
        matches!(&self.source, Source::Csv(csv) if csv.cut_short)
    }

    /// Bytes of the file read so far and the file's size.
    #[must_use]
    pub fn progress(&self) -> (u64, u64) {
        match &self.source {
            Source::Rows(_) => (self.size, self.size),
            Source::Csv(csv) => (csv.reader.position().byte().min(self.size), self.size),
        }
    }
}

/// How far the loading of one file has come, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress<'a> {
    /// The file as messages name it.
    pub file: &'a str,
    /// Bytes read so far.
    pub done: u64,
    /// The file's size.
    pub total: u64,
}

/// Passes progress on to the caller's callback, at most once per
/// [`Ticker::STEP`] bytes (and at the end of each file).
pub struct Ticker<'p> {
    report: &'p mut dyn FnMut(Progress<'_>),
    last: Option<u64>,
}

impl<'p> Ticker<'p> {
    /// Bytes between two reports.
    const STEP: u64 = 256 * 1024;

    pub fn new(report: &'p mut dyn FnMut(Progress<'_>)) -> Self {
        Self { report, last: None }
    }

    /// Reports `done` of `total` bytes of `file`, if far enough on.
    pub fn tick(&mut self, file: &str, done: u64, total: u64) {
        let due = match self.last {
            None => true,
            Some(last) => {
                done < last || done >= last + Self::STEP || (done == total && last != total)
            }
        };
        if due {
            self.last = Some(done);
            (self.report)(Progress { file, done, total });
        }
    }

    /// Reports where a table's reading stands.
    pub fn table(&mut self, table: &Table) {
        let (done, total) = table.progress();
        self.tick(&table.file, done, total);
    }

    /// A new file starts.
    pub fn start(&mut self, file: &str, total: u64) {
        self.last = None;
        self.tick(file, 0, total);
    }
}

/// Opens an input file; a missing or unreadable file is a finding.
fn open_input(path: &Path, file: &str, findings: &mut Findings) -> Option<(fs_err::File, u64)> {
    let opened = fs_err::File::open(path).and_then(|f| {
        let size = f.metadata()?.len();
        Ok((f, size))
    });
    match opened {
        Ok(f) => Some(f),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            findings.missing_input(file);
            None
        }
        Err(e) => {
            findings.error(
                file,
                Location::File,
                None,
                format!("cannot read the file: {e}"),
            );
            None
        }
    }
}

/// Checks that a file is UTF-8 text, with the messages of [`decode_text`],
/// reading it in pieces (a large file is never held whole).
fn check_utf8(path: &Path, file: &str, findings: &mut Findings) -> Option<()> {
    use std::io::BufRead;
    let (handle, _) = open_input(path, file, findings)?;
    let mut reader = std::io::BufReader::with_capacity(64 * 1024, handle);
    // Bytes of a character cut by the end of the previous piece.
    let mut carry: Vec<u8> = Vec::new();
    let mut piece: Vec<u8> = Vec::new();
    let mut line: usize = 1;
    let mut first = true;
    loop {
        let buf = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) => {
                findings.error(
                    file,
                    Location::File,
                    None,
                    format!("cannot read the file: {e}"),
                );
                return None;
            }
        };
        let end = buf.is_empty();
        piece.clear();
        piece.extend_from_slice(&carry);
        piece.extend_from_slice(buf);
        let read = buf.len();
        reader.consume(read);
        let mut text: &[u8] = &piece;
        if first {
            first = false;
            if text.starts_with(b"\xFF\xFE") || text.starts_with(b"\xFE\xFF") {
                // Let `decode_text` word the finding.
                return decode_text(file, text, findings).map(|_| ());
            }
            text = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(text);
        }
        match std::str::from_utf8(text) {
            Ok(_) => {
                line += newlines(text);
                carry.clear();
            }
            Err(e) if e.error_len().is_none() && !end => {
                let at = e.valid_up_to();
                line += newlines(&text[..at]);
                carry = text[at..].to_vec();
            }
            Err(e) => {
                let at = e.valid_up_to();
                let at_line = line + newlines(&text[..at]);
                utf8_finding(file, at_line, text[at], findings);
                return None;
            }
        }
        if end {
            return Some(());
        }
    }
}

/// A byte that is not UTF-8, at a 1-based line.
fn utf8_finding(file: &str, line: usize, byte: u8, findings: &mut Findings) {
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
}

/// Bytes of a text file (named `file` in messages) as UTF-8 text, dropping
/// a UTF-8 byte-order mark. Anything that is not UTF-8 is an error naming
/// the line and the byte, with a hint to save the file as UTF-8.
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
            utf8_finding(file, text_lines(&bytes[..at]), bytes[at], findings);
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
/// and warns about columns not in `known`. The rows are read as they are
/// taken ([`Table::next_row`]), after one pass that checks the whole file
/// is UTF-8.
///
/// The separator is `,`, or `;` when the header line has `;` and no `,`; in
/// a `;`-separated file numbers may use a decimal comma (`12,5`).
pub fn read_csv(
    path: &Path,
    required: &[&str],
    known: &[&str],
    findings: &mut Findings,
    ticker: &mut Ticker<'_>,
) -> Option<Table> {
    use std::io::{BufRead, Read};
    let file = path.display().to_string();
    check_utf8(path, &file, findings)?;
    let (handle, size) = open_input(path, &file, findings)?;
    ticker.start(&file, size);
    let mut input = std::io::BufReader::with_capacity(64 * 1024, handle);
    let header_bytes = input
        .fill_buf()
        .map(|buf| usize::from(buf.starts_with(b"\xEF\xBB\xBF")) * 3)
        .and_then(|bom| {
            input.consume(bom);
            let mut header = Vec::new();
            input.read_until(b'\n', &mut header)?;
            Ok(header)
        });
    let header_bytes = match header_bytes {
        Ok(h) => h,
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
    // UTF-8 was checked above.
    let header_text = String::from_utf8_lossy(&header_bytes);
    let header_line = header_text.lines().next().unwrap_or("");
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
        .from_reader(std::io::Cursor::new(header_bytes).chain(input));
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
    Some(Table {
        file,
        source: Source::Csv(Box::new(CsvRows {
            reader,
            headers,
            record: csv::StringRecord::new(),
            cut_short: false,
        })),
        size,
        crs: Crs::WGS84,
        decimal_comma: delimiter == b';',
        date_format: DateFormat::Iso,
    })
}

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

/// The largest whole number a field may hold: every count and amount then
/// fits a `u32`, and sums and products of a few of them fit an `i64`.
pub const MAX_INT: i64 = u32::MAX as i64;

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
            // `raw`, not `v`: a float beyond i64 was cast to i64::MAX.
            Some(v) if v > MAX_INT => {
                self.fail(
                    field,
                    format!("found {raw}, expected a whole number of at least {min} and at most {MAX_INT}"),
                );
                None
            }
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

/// The number of line feeds in `bytes`.
fn newlines(bytes: &[u8]) -> usize {
    text_lines(bytes) - 1
}

/// The 1-based line number just after `bytes`.
fn text_lines(bytes: &[u8]) -> usize {
    bytes.split(|&b| b == b'\n').count()
}

#[cfg(test)]
mod tests {
    use super::{Findings, check_utf8, looks_iso, separator, text_lines};

    /// The UTF-8 check reads the file in 64 KiB pieces: a character cut by
    /// the end of a piece is fine, a Latin-1 byte far into the file is found
    /// on its line, and a character cut by the end of the file is an error.
    #[test]
    fn utf8_is_checked_piece_by_piece() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.csv");
        let check = |bytes: &[u8]| {
            std::fs::write(&path, bytes).unwrap();
            let mut findings = Findings::default();
            let ok = check_utf8(&path, "f.csv", &mut findings).is_some();
            (
                ok,
                findings
                    .list
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>(),
            )
        };
        // "æ" (2 bytes) across the first boundary; a BOM in front shifts it.
        for lead in [64 * 1024 - 1, 64 * 1024 - 1 - 3] {
            let mut bytes = if lead < 64 * 1024 - 1 {
                b"\xEF\xBB\xBF".to_vec()
            } else {
                Vec::new()
            };
            bytes.extend(std::iter::repeat_n(b'a', lead));
            bytes.extend("æ\nø\n".as_bytes());
            assert_eq!(check(&bytes), (true, vec![]));
        }
        let mut bytes = "a,b\n".repeat(40_000).into_bytes();
        bytes.extend(b"x\xE6y\n");
        let (ok, found) = check(&bytes);
        assert!(!ok);
        assert!(
            found[0].starts_with("error: f.csv line 40001: found the byte 0xE6, which is \"æ\""),
            "{found:?}"
        );
        let (ok, found) = check("ab\næ".as_bytes().split_last().unwrap().1);
        assert!(!ok);
        assert!(
            found[0].starts_with("error: f.csv line 2: found the byte 0xC3"),
            "{found:?}"
        );
        assert!(!check(b"\xFF\xFEa\x00").0);
    }

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
