//! `summary.json`: its bytes and the one reader of them.
//!
//! The file is exactly the serialisation of [`Summary`]: the structs (in
//! [`crate::evaluate`], and the pin report in [`crate::evaluate::pins`])
//! derive `Serialize` and `Deserialize`, so reading a summary back gives the
//! values `plan` wrote, and writing them again gives the same bytes. The
//! structs stay beside `evaluate::summarise`, which fills every field and
//! documents what it means; this module owns what is about the file: how it
//! is written ([`to_json`]) and how `explain`, `compare` and `report` read it
//! ([`read`], one error wording for all three). Summaries written by earlier
//! versions need not be readable: reading one fails with the field it lacks,
//! except `over_cap_before_plan`, which reads as absent when missing.

use std::path::{Path, PathBuf};

use crate::evaluate::Summary;

/// The file's name in a plan directory.
pub const FILE: &str = "summary.json";

/// Why `DIR/summary.json` could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SummaryError {
    #[error("cannot read {}: {source}; expected the output directory of `boligplan plan`", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{} is not a valid summary.json: {source}", path.display())]
    Parse {
        path: PathBuf,
        source: serde_json::Error,
    },
}

/// The text of `summary.json`: pretty JSON and a final newline.
///
/// # Errors
/// Never for a summary the planner made (serialising plain data).
pub fn to_json(summary: &Summary) -> Result<String, serde_json::Error> {
    serde_json::to_string_pretty(summary).map(|text| text + "\n")
}

/// Reads `DIR/summary.json`.
///
/// # Errors
/// When the file cannot be read or is not a summary of this version.
pub fn read(dir: &Path) -> Result<Summary, SummaryError> {
    let path = dir.join(FILE);
    let text = std::fs::read_to_string(&path).map_err(|source| SummaryError::Read {
        path: path.clone(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|source| SummaryError::Parse { path, source })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_file() {
        let dir = Path::new("/nonexistent/plan");
        let err = read(dir).unwrap_err().to_string();
        assert!(
            err.starts_with("cannot read /nonexistent/plan/summary.json: ")
                && err.ends_with("expected the output directory of `boligplan plan`"),
            "{err}"
        );
        let tmp = std::env::temp_dir().join(format!("summary-test-{}", std::process::id()));
        std::fs::create_dir_all(&tmp).unwrap();
        std::fs::write(tmp.join(FILE), "{\"scenario\": 3").unwrap();
        let err = read(&tmp).unwrap_err().to_string();
        std::fs::remove_dir_all(&tmp).unwrap();
        assert!(
            err.contains("summary.json is not a valid summary.json"),
            "{err}"
        );
    }
}
