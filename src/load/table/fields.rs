//! Typed fields of a [`Row`]: text, whole numbers, numbers (with a decimal
//! comma where the file uses one), yes/no flags and dates (ISO, or
//! day-month-year when the scenario says so). A bad field is a finding
//! naming the file, the row and the field, never a failure: the caller
//! reads every field of a row and then sees whether any was bad.

use chrono::NaiveDate;

use super::{Row, Table};
use crate::findings::{Findings, Severity};
use crate::scenario::DateFormat;

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

#[cfg(test)]
mod tests {
    use super::looks_iso;

    #[test]
    fn iso_shapes() {
        assert!(looks_iso("2026-13-01"));
        assert!(!looks_iso("01-02-2026"));
        assert!(!looks_iso("2026-1-x"));
    }
}
