//! Reads CSV files (the inputs and plan.csv alike) into rows of trimmed
//! cells, and parses single cells: text, numbers, dates and flags.

use std::collections::HashMap;
use std::path::Path;

use chrono::NaiveDate;

/// Reads a CSV file into one map per row (header → trimmed value).
pub fn read_csv_maps(path: &Path) -> Result<Vec<HashMap<String, String>>, String> {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| format!("{}: {e}", path.display()))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let mut rows = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| format!("{}: {e}", path.display()))?;
        let mut m = HashMap::new();
        for (h, v) in headers.iter().zip(rec.iter()) {
            m.insert(h.clone(), v.trim().to_string());
        }
        rows.push(m);
    }
    Ok(rows)
}

pub(super) fn get<'a>(m: &'a HashMap<String, String>, key: &str) -> Option<&'a str> {
    m.get(key).map(String::as_str).filter(|s| !s.is_empty())
}

pub(super) fn num(r: &HashMap<String, String>, k: &str) -> Option<f64> {
    get(r, k).and_then(|s| s.parse::<f64>().ok())
}

pub fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

pub(super) fn parse_bool(s: Option<&str>) -> bool {
    matches!(
        s.map(|s| s.trim().to_ascii_lowercase()).as_deref(),
        Some("true" | "yes" | "1")
    )
}
