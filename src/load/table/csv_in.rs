//! Reading a CSV file into [`Row`]s as they are taken: the separator told
//! from the header line (`,`, or `;` with decimal commas), the required
//! columns checked and unknown ones warned about, then one record at a
//! time, each bad record a finding. The file is first checked to be UTF-8;
//! neither its text nor all its rows are ever held in memory.

use std::path::Path;

use super::utf8::check_utf8;
use super::{Row, Source, Table, Ticker, open_input};
use crate::crs::Crs;
use crate::findings::{Findings, Location, Severity, closest};
use crate::scenario::DateFormat;

/// The header line (read first, to tell the separator) followed by the rest
/// of the file.
type CsvInput = std::io::Chain<std::io::Cursor<Vec<u8>>, std::io::BufReader<fs_err::File>>;

/// A CSV file being read: the reader, the header and a reused record.
pub(super) struct CsvRows {
    pub(super) reader: csv::Reader<CsvInput>,
    headers: csv::StringRecord,
    record: csv::StringRecord,
    /// Set when the file could not be read to its end.
    pub(super) cut_short: bool,
}

impl CsvRows {
    /// The next row of the file named `file` in messages (see
    /// [`Table::next_row`]).
    pub(super) fn next_row(&mut self, file: &str, findings: &mut Findings) -> Option<Row> {
        loop {
            match self.reader.read_record(&mut self.record) {
                Ok(false) => return None,
                Ok(true) => {}
                Err(e) => {
                    let line = e.position().map_or(0, csv::Position::line);
                    findings.error(
                        file,
                        Location::Line(line),
                        None,
                        format!("cannot read the row: {e}"),
                    );
                    if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                        // The rest of the file cannot be read either.
                        self.cut_short = true;
                        return None;
                    }
                    continue;
                }
            }
            let record = &self.record;
            let line = record.position().map_or(0, csv::Position::line);
            if record.iter().all(str::is_empty) {
                continue;
            }
            if record.len() != self.headers.len() {
                findings.error(
                    file,
                    Location::Line(line),
                    None,
                    format!(
                        "found {} fields, expected {} as in the header",
                        record.len(),
                        self.headers.len()
                    ),
                );
                continue;
            }
            let fields = self
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

#[cfg(test)]
mod tests {
    use super::separator;

    #[test]
    fn the_separator_is_told_from_the_header() {
        assert_eq!(separator("id,adults,children"), Some(b','));
        assert_eq!(separator("id;adults;children"), Some(b';'));
        assert_eq!(separator("id"), Some(b','));
        assert_eq!(separator("id;adults,children"), None);
    }
}
