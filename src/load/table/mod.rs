//! Reading CSV rows and GeoJSON features into one shape, [`Row`]: a location
//! in the file, its fields as text, and (for GeoJSON) its geometry.
//!
//! The entity parsers in [`super::entities`] then read fields from rows the
//! same way whichever format the data came in.
//!
//! One file per job: `csv_in.rs` and `geojson_in.rs` read the two formats,
//! both first checked to be UTF-8 by `utf8.rs`; `fields.rs` reads typed
//! fields from a row, recording findings instead of failing; `progress.rs`
//! passes the bytes read on to the caller.

mod csv_in;
mod fields;
mod geojson_in;
mod progress;
mod utf8;

use std::collections::BTreeMap;
use std::path::Path;

use crate::crs::Crs;
use crate::findings::{Findings, Location};
use crate::scenario::DateFormat;
use csv_in::CsvRows;

pub use csv_in::read_csv;
pub use fields::Fields;
pub use geojson_in::read_geojson;
pub(in crate::load) use geojson_in::value_text;
pub use progress::{Progress, Ticker};
pub use utf8::decode_text;

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
        match &mut self.source {
            Source::Rows(rows) => rows.next(),
            Source::Csv(csv) => csv.next_row(&self.file, findings),
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
