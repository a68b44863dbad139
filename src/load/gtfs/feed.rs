//! Opening a GTFS feed (a `.zip` or a folder) and reading its CSV files:
//! each file as UTF-8 text with its header checked against the columns GTFS
//! requires ([`Table`]), its records one at a time with their line numbers,
//! and the findings of one file, of which those beyond
//! [`MAX_ERRORS_PER_FILE`] are only counted ([`FileFindings`]).
//!
//! A file of the feed is held as text while it is read (a zip entry cannot
//! be read twice); its records are parsed as they are taken.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use super::MAX_ERRORS_PER_FILE;
use crate::findings::{Findings, Location, Severity, closest};
use crate::load::table::decode_text;

/// Where a feed's files are.
pub(super) enum Source {
    Zip(zip::ZipArchive<std::fs::File>),
    Folder(PathBuf),
}

impl Source {
    /// Opens a feed: a folder, or a file read as a zip archive. `None` (with
    /// a finding) when the path is neither.
    pub(super) fn open(path: &Path, feed: &str, findings: &mut Findings) -> Option<Source> {
        if path.is_dir() {
            Some(Source::Folder(path.to_path_buf()))
        } else if path.is_file() {
            let opened = std::fs::File::open(path)
                .map_err(|e| e.to_string())
                .and_then(|f| zip::ZipArchive::new(f).map_err(|e| e.to_string()));
            match opened {
                Ok(a) => Some(Source::Zip(a)),
                Err(e) => {
                    findings.push(
                        Severity::Error,
                        feed,
                        Location::File,
                        None,
                        format!("cannot read the file as a zip archive ({e}), expected a GTFS feed: a .zip or a folder of .txt files"),
                        None,
                    );
                    None
                }
            }
        } else {
            findings.missing_input(feed);
            None
        }
    }

    /// The bytes of a file of the feed; `Ok(None)` when the feed has none.
    /// In a zip the file may also sit in one folder (a common way to zip).
    fn read(&mut self, name: &str) -> Result<Option<Vec<u8>>, String> {
        match self {
            Source::Folder(dir) => match fs_err::read(dir.join(name)) {
                Ok(b) => Ok(Some(b)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(e.to_string()),
            },
            Source::Zip(archive) => {
                let suffix = format!("/{name}");
                let Some(entry) = archive
                    .file_names()
                    .filter_map(Result::ok)
                    .filter(|n| n == name || n.ends_with(&suffix))
                    .min_by_key(|n| n.len())
                    .map(|n| n.to_string())
                else {
                    return Ok(None);
                };
                let mut file = archive.by_name(&entry).map_err(|e| e.to_string())?;
                let mut bytes = Vec::new();
                file.read_to_end(&mut bytes).map_err(|e| e.to_string())?;
                Ok(Some(bytes))
            }
        }
    }
}

/// One file of the feed being read: its name in messages and its findings,
/// with errors beyond [`MAX_ERRORS_PER_FILE`] only counted.
pub(super) struct FileFindings<'a> {
    file: String,
    findings: &'a mut Findings,
    errors: usize,
}

impl<'a> FileFindings<'a> {
    pub(super) fn new(file: String, findings: &'a mut Findings) -> Self {
        Self {
            file,
            findings,
            errors: 0,
        }
    }

    pub(super) fn error(&mut self, line: u64, field: Option<&str>, message: String) {
        self.errors += 1;
        if self.errors <= MAX_ERRORS_PER_FILE {
            self.findings
                .error(&self.file, Location::Line(line), field, message);
        }
    }

    pub(super) fn finish(self) {
        if self.errors > MAX_ERRORS_PER_FILE {
            self.findings.error(
                &self.file,
                Location::File,
                None,
                format!(
                    "{} more problems in this file are not listed",
                    self.errors - MAX_ERRORS_PER_FILE
                ),
            );
        }
    }
}

/// A CSV file of the feed with its header read.
pub(super) struct Table {
    text: String,
    columns: HashMap<String, usize>,
}

impl Table {
    pub(super) fn col(&self, name: &str) -> Option<usize> {
        self.columns.get(name).copied()
    }

    /// Each record with its line number (the header is line 1).
    pub(super) fn records(
        &self,
    ) -> impl Iterator<Item = (u64, Result<csv::StringRecord, csv::Error>)> + '_ {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(self.text.as_bytes());
        // Skip the header (already read).
        let _ = reader.headers();
        reader.into_records().map(|r| {
            let line = match &r {
                Ok(rec) => rec.position().map_or(0, csv::Position::line),
                Err(e) => e.position().map_or(0, csv::Position::line),
            };
            (line, r)
        })
    }
}

/// A field of a record: trimmed, `None` when empty or absent.
pub(super) fn field(rec: &csv::StringRecord, col: Option<usize>) -> Option<&str> {
    col.and_then(|c| rec.get(c)).filter(|v| !v.is_empty())
}

/// Reads one required file of the feed and checks its columns.
pub(super) fn table(
    source: &mut Source,
    feed: &str,
    name: &str,
    required: &[&str],
    known: &[&str],
    findings: &mut Findings,
) -> Option<Table> {
    let file = format!("{feed}/{name}");
    let bytes = match source.read(name) {
        Ok(Some(b)) => b,
        Ok(None) => {
            let hint = (name == "calendar.txt").then(|| {
                "a feed whose services are all in calendar_dates.txt is not supported: the planner reads the weekly calendar".to_string()
            });
            findings.push(
                Severity::Error,
                feed,
                Location::File,
                None,
                format!(
                    "found no {name} in the feed, expected the GTFS files stops.txt, routes.txt, trips.txt, stop_times.txt and calendar.txt"
                ),
                hint,
            );
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
    let text = decode_text(&file, &bytes, findings)?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(str::to_string).collect(),
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
    let mut missing = false;
    for column in required {
        if !headers.iter().any(|h| h == column) {
            let unknown = headers
                .iter()
                .map(String::as_str)
                .filter(|h| !known.contains(h));
            let hint = closest(column, unknown)
                .map(|h| format!("is the column `{h}` meant to be `{column}`?"));
            findings.push(
                Severity::Error,
                &file,
                Location::Line(1),
                Some(column),
                format!(
                    "found the columns {}, expected a column `{column}` too (GTFS requires it)",
                    headers.join(", ")
                ),
                hint,
            );
            missing = true;
        }
    }
    if missing {
        return None;
    }
    let columns = headers
        .iter()
        .enumerate()
        .map(|(i, h)| (h.clone(), i))
        .collect();
    Some(Table { text, columns })
}
