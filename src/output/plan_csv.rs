//! `plan.csv`, one row per household: its columns, its writer and its
//! reader.
//!
//! The columns are declared once, in the invocation of `plan_columns!` below:
//! that list is the field list of [`PlanRow`] (whose serialisation writes the
//! file, so the header is the field names in order), [`COLUMNS`], and the
//! reader's parsing of each cell. The writer writes the standard dialect and
//! rewrites it for a Danish Excel ([`CsvDialect::ExcelDa`]: `;`, decimal
//! commas in [`DECIMAL_COLUMNS`], a byte-order mark). The one reader,
//! [`read`], takes either dialect: a byte-order mark is skipped, `;` in the
//! header line means the Danish dialect, and a number may have a decimal
//! comma. `explain`, `report` and `plan --previous` all read plan.csv
//! through it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Serialize;

use crate::evaluate::HouseholdRow;
use crate::model::HouseholdType;
use crate::output::export::CsvDialect;
use crate::solve::Status;

/// Why `plan.csv` could not be read. Every message names the file, and a
/// bad cell its line and column.
#[derive(Debug, thiserror::Error)]
pub enum PlanCsvError {
    #[error("cannot read {}: {source}; expected the output directory of `boligplan plan`", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: no column {column}; expected the plan.csv of `boligplan plan`", path.display())]
    MissingColumn { path: PathBuf, column: &'static str },
    #[error("{}, line {line}, column {column}: found {found:?}, expected {expected}", path.display())]
    Cell {
        path: PathBuf,
        line: u64,
        column: &'static str,
        found: String,
        expected: String,
    },
    #[error("{}: {source}", path.display())]
    Csv { path: PathBuf, source: csv::Error },
}

/// What a cell holds: how it is read, and whether its column may be absent
/// (a column whose cells may be empty may be missing altogether).
trait CellValue: Sized {
    /// `None`: the column is missing; `Some("")`: the cell is empty. The
    /// error says what was expected.
    fn from_cell(cell: Option<&str>) -> Result<Self, String>;
    const REQUIRED: bool;
}

impl CellValue for String {
    fn from_cell(cell: Option<&str>) -> Result<Self, String> {
        Ok(cell.unwrap_or_default().to_string())
    }
    const REQUIRED: bool = true;
}

impl CellValue for u32 {
    fn from_cell(cell: Option<&str>) -> Result<Self, String> {
        cell.unwrap_or_default()
            .parse()
            .map_err(|_| "a whole number".to_string())
    }
    const REQUIRED: bool = true;
}

impl CellValue for i64 {
    fn from_cell(cell: Option<&str>) -> Result<Self, String> {
        cell.unwrap_or_default()
            .parse()
            .map_err(|_| "a whole number".to_string())
    }
    const REQUIRED: bool = true;
}

impl CellValue for f64 {
    /// A decimal point or, as a Danish Excel writes it, a decimal comma.
    fn from_cell(cell: Option<&str>) -> Result<Self, String> {
        let text = cell.unwrap_or_default();
        let text = if text.contains('.') {
            text.to_string()
        } else {
            text.replacen(',', ".", 1)
        };
        text.parse().map_err(|_| "a number".to_string())
    }
    const REQUIRED: bool = true;
}

impl CellValue for NaiveDate {
    /// `YYYY-MM-DD` as written, or `DD-MM-YYYY` as a Danish Excel may save it.
    fn from_cell(cell: Option<&str>) -> Result<Self, String> {
        let text = cell.unwrap_or_default();
        NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .or_else(|_| NaiveDate::parse_from_str(text, "%d-%m-%Y"))
            .map_err(|_| "a date (YYYY-MM-DD)".to_string())
    }
    const REQUIRED: bool = true;
}

/// A name of the enum's (its serde name, as the writer writes it).
fn name_of<T: serde::de::DeserializeOwned>(cell: Option<&str>) -> Result<T, String> {
    use serde::de::IntoDeserializer as _;
    let result: Result<T, serde::de::value::Error> =
        T::deserialize(cell.unwrap_or_default().into_deserializer());
    result.map_err(|e| {
        // "unknown variant `x`, expected one of `a`, `b`": what was expected.
        let e = e.to_string();
        e.find("one of")
            .map_or(e.clone(), |i| e[i..].replace('`', ""))
    })
}

impl CellValue for Status {
    fn from_cell(cell: Option<&str>) -> Result<Self, String> {
        name_of(cell)
    }
    const REQUIRED: bool = true;
}

impl CellValue for HouseholdType {
    fn from_cell(cell: Option<&str>) -> Result<Self, String> {
        name_of(cell)
    }
    const REQUIRED: bool = true;
}

impl<T: CellValue> CellValue for Option<T> {
    fn from_cell(cell: Option<&str>) -> Result<Self, String> {
        match cell {
            None | Some("") => Ok(None),
            Some(_) => T::from_cell(cell).map(Some),
        }
    }
    const REQUIRED: bool = false;
}

/// Declares the columns of `plan.csv` once: [`PlanRow`] with one field per
/// column in file order, [`COLUMNS`], and the reader of a row.
macro_rules! plan_columns {
    ($($(#[$doc:meta])* $name:ident: $ty:ty,)*) => {
        /// One row of `plan.csv`, typed: an empty cell is `None`.
        #[derive(Debug, Clone, PartialEq, Serialize)]
        pub struct PlanRow {
            $($(#[$doc])* pub $name: $ty,)*
        }

        /// The columns of `plan.csv`, in order.
        pub const COLUMNS: &[&str] = &[$(stringify!($name)),*];

        /// The columns a file must have (the others may be missing, as in
        /// plans of earlier versions).
        const PRESENCE: &[(&str, bool)] = &[$((stringify!($name), <$ty as CellValue>::REQUIRED)),*];

        impl PlanRow {
            fn from_record(record: &Record<'_>) -> Result<Self, (&'static str, String)> {
                Ok(Self {
                    $($name: record.get(stringify!($name))?,)*
                })
            }
        }
    };
}

plan_columns! {
    household_id: String,
    status: Status,
    temp_unit: Option<String>,
    temp_from: Option<NaiveDate>,
    /// The day the household moves on (exclusive).
    temp_to: Option<NaiveDate>,
    perm_unit: Option<String>,
    perm_from: Option<NaiveDate>,
    district: Option<String>,
    /// Persons at the end of the plan.
    persons: u32,
    /// DKK/month.
    income: i64,
    housing_benefit: Option<i64>,
    /// DKK/month: the home's rent, or the charge in a temporary place.
    rent: Option<i64>,
    disposable: Option<i64>,
    travel_minutes: Option<f64>,
    /// Minutes to the household's `work_place` (blank when it names none).
    work_travel_minutes: Option<f64>,
    reason: Option<String>,
    reason_code: Option<String>,
    household_type: HouseholdType,
    /// What became of the household's pin (see [`HouseholdRow::pin`]).
    pin: Option<String>,
    /// Re-planning: `kept`, `changed from DWELLING: why` or `new`.
    previous: Option<String>,
}

/// Columns that hold decimal numbers: decimal commas in the Danish dialect.
pub const DECIMAL_COLUMNS: &[&str] = &["travel_minutes", "work_travel_minutes"];

impl From<&HouseholdRow> for PlanRow {
    fn from(r: &HouseholdRow) -> Self {
        Self {
            household_id: r.household_id.clone(),
            status: r.status,
            temp_unit: r.temp_unit.clone(),
            temp_from: r.temp_from,
            temp_to: r.temp_to,
            perm_unit: r.perm_unit.clone(),
            perm_from: r.perm_from,
            district: r.district.clone(),
            persons: r.persons,
            income: r.income,
            housing_benefit: r.housing_benefit,
            rent: r.rent,
            disposable: r.disposable,
            travel_minutes: r.travel_minutes,
            work_travel_minutes: r.work_travel_minutes,
            reason: r.reason.clone(),
            reason_code: r.reason_code.map(str::to_string),
            household_type: r.household_type,
            pin: r.pin.clone(),
            previous: r.previous.clone(),
        }
    }
}

/// `plan.csv`'s bytes in `dialect`: a header and one line per row (nothing
/// at all without rows).
///
/// # Errors
/// When a row cannot be serialised.
pub fn write(rows: &[HouseholdRow], dialect: CsvDialect) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for row in rows {
        w.serialize(PlanRow::from(row))?;
    }
    let standard = w
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))?;
    dialect.apply(&standard, DECIMAL_COLUMNS)
}

/// One record with the file's column positions.
struct Record<'a> {
    positions: &'a HashMap<&'static str, usize>,
    record: &'a csv::StringRecord,
}

impl Record<'_> {
    fn get<T: CellValue>(&self, column: &'static str) -> Result<T, (&'static str, String)> {
        let cell = self
            .positions
            .get(column)
            .map(|&i| self.record.get(i).unwrap_or_default().trim());
        T::from_cell(cell).map_err(|expected| (column, expected))
    }
}

/// Reads `plan.csv` at `path`, in either dialect.
///
/// # Errors
/// When the file cannot be read, lacks a column, or has a cell that is not
/// what its column holds.
pub fn read(path: &Path) -> Result<Vec<PlanRow>, PlanCsvError> {
    let bytes = std::fs::read(path).map_err(|source| PlanCsvError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse(&bytes, path)
}

/// Parses the bytes of a `plan.csv`, in either dialect; `path` is named in
/// errors.
///
/// # Errors
/// As [`read`].
pub fn parse(bytes: &[u8], path: &Path) -> Result<Vec<PlanRow>, PlanCsvError> {
    let csv_error = |source| PlanCsvError::Csv {
        path: path.to_path_buf(),
        source,
    };
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let header = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    let delimiter = if header.contains(&b';') { b';' } else { b',' };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .from_reader(bytes);
    let headers = reader.headers().map_err(csv_error)?.clone();
    let mut positions = HashMap::new();
    for &(column, required) in PRESENCE {
        match headers.iter().position(|h| h.trim() == column) {
            Some(i) => {
                positions.insert(column, i);
            }
            None if required => {
                return Err(PlanCsvError::MissingColumn {
                    path: path.to_path_buf(),
                    column,
                });
            }
            None => {}
        }
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(csv_error)?;
        let row = PlanRow::from_record(&Record {
            positions: &positions,
            record: &record,
        })
        .map_err(|(column, expected)| PlanCsvError::Cell {
            path: path.to_path_buf(),
            line: record.position().map_or(0, csv::Position::line),
            column,
            found: positions
                .get(column)
                .and_then(|&i| record.get(i))
                .unwrap_or_default()
                .trim()
                .to_string(),
            expected,
        })?;
        rows.push(row);
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    const STANDARD: &str = "household_id,status,temp_unit,temp_from,temp_to,perm_unit,perm_from,district,persons,income,housing_benefit,rent,disposable,travel_minutes,work_travel_minutes,reason,reason_code,household_type,pin,previous\n\
H1,temporary_only,T01,2026-01-21,2027-01-01,,,D11,2,6553,0,2500,4053,45.5,,\"none fit, sadly\",building_cap,couple,,\n\
H2,permanent,,,,P07,2026-02-01,D02,1,6553,645,4300,2898,52.0,12.3,,,single,followed,kept\n";

    fn row(household_id: &str) -> HouseholdRow {
        HouseholdRow {
            household_id: household_id.into(),
            status: Status::Permanent,
            temp_unit: Some("T1".into()),
            temp_from: NaiveDate::from_ymd_opt(2026, 1, 1),
            temp_to: NaiveDate::from_ymd_opt(2026, 2, 1),
            perm_unit: Some("P1".into()),
            perm_from: NaiveDate::from_ymd_opt(2026, 2, 1),
            district: Some("D1".into()),
            persons: 3,
            income: 15_000,
            housing_benefit: Some(1_200),
            rent: Some(6_000),
            disposable: Some(10_200),
            travel_minutes: Some(42.0),
            work_travel_minutes: Some(7.5),
            reason: Some("a reason; with, punctuation".into()),
            reason_code: Some("size"),
            household_type: HouseholdType::Family,
            pin: None,
            previous: Some("kept".into()),
            position: None,
            temporary_person_days: 0,
        }
    }

    #[test]
    fn the_header_is_the_column_list() {
        let bytes = write(&[row("H1")], CsvDialect::Standard).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        assert_eq!(text.lines().next().unwrap(), COLUMNS.join(","));
        assert!(DECIMAL_COLUMNS.iter().all(|c| COLUMNS.contains(c)));
        assert!(write(&[], CsvDialect::Standard).unwrap().is_empty());
    }

    #[test]
    fn both_dialects_read_back_what_was_written() {
        let rows = [row("H1"), row("H2")];
        let standard = write(&rows, CsvDialect::Standard).unwrap();
        let excel = write(&rows, CsvDialect::ExcelDa).unwrap();
        assert!(excel.starts_with(b"\xEF\xBB\xBF"));
        assert!(String::from_utf8_lossy(&excel).contains(";42,0;7,5;"));
        let path = Path::new("plan.csv");
        let a = parse(&standard, path).unwrap();
        let b = parse(&excel, path).unwrap();
        assert_eq!(a, b);
        assert_eq!(a[1], PlanRow::from(&rows[1]));
    }

    #[test]
    fn reads_a_file_of_either_dialect_with_empty_and_missing_cells() {
        let path = Path::new("plan.csv");
        let rows = parse(STANDARD.as_bytes(), path).unwrap();
        assert_eq!(rows[0].travel_minutes, Some(45.5));
        assert_eq!(rows[0].reason.as_deref(), Some("none fit, sadly"));
        assert_eq!(rows[0].persons, 2);
        assert_eq!(rows[0].perm_from, None);
        assert_eq!(rows[1].perm_from, NaiveDate::from_ymd_opt(2026, 2, 1));
        let excel = format!(
            "\u{feff}{}",
            STANDARD
                .replace(',', ";")
                .replace("45.5", "45,5")
                .replace("none fit; sadly", "none fit, sadly")
                .replace("2026-02-01", "01-02-2026")
        );
        assert_eq!(parse(excel.as_bytes(), path).unwrap(), rows);
        // Columns added in later versions may be missing.
        let older: String = STANDARD
            .lines()
            .map(|l| {
                let cells: Vec<&str> = l.split(',').collect();
                cells[..cells.len() - 2].join(",") + "\n"
            })
            .collect();
        let read = parse(older.as_bytes(), path).unwrap();
        assert_eq!(read[1].pin, None);
        assert_eq!(read[1].previous, None);
    }

    #[test]
    fn errors_name_the_file_the_line_and_the_column() {
        let path = Path::new("out/plan.csv");
        let err = parse(b"id,status\nH1,permanent\n", path).unwrap_err();
        assert_eq!(
            err.to_string(),
            "out/plan.csv: no column household_id; expected the plan.csv of `boligplan plan`"
        );
        let bad = STANDARD.replace("2026-02-01", "2026-02x01");
        let err = parse(bad.as_bytes(), path).unwrap_err();
        assert_eq!(
            err.to_string(),
            "out/plan.csv, line 3, column perm_from: found \"2026-02x01\", expected a date (YYYY-MM-DD)"
        );
        let bad = STANDARD.replace("45.5", "many");
        let err = parse(bad.as_bytes(), path).unwrap_err();
        assert_eq!(
            err.to_string(),
            "out/plan.csv, line 2, column travel_minutes: found \"many\", expected a number"
        );
        let bad = STANDARD.replace(",permanent,", ",housed,");
        let err = parse(bad.as_bytes(), path).unwrap_err();
        assert_eq!(
            err.to_string(),
            "out/plan.csv, line 3, column status: found \"housed\", expected one of permanent, temporary_only, unplaced"
        );
        let err = read(Path::new("/nonexistent/plan.csv")).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("cannot read /nonexistent/plan.csv: ")
        );
    }
}
