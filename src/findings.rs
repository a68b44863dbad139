//! Data-quality findings: what `load` reports instead of crashing.

use std::fmt;

/// Where in a file a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Location {
    /// The whole file.
    File,
    /// A CSV line, 1-based, the header being line 1.
    Line(u64),
    /// A GeoJSON feature, 1-based.
    Feature(usize),
}

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The input cannot be planned.
    Error,
    /// Planned anyway; worth a look.
    Warning,
}

/// One problem in one input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub severity: Severity,
    pub file: String,
    pub location: Location,
    pub field: Option<String>,
    pub message: String,
    pub hint: Option<String>,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{level}: {}", self.file)?;
        match self.location {
            Location::File => {}
            Location::Line(n) => write!(f, " line {n}")?,
            Location::Feature(n) => write!(f, " feature {n}")?,
        }
        if let Some(field) = &self.field {
            write!(f, ": field `{field}`")?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// Collects findings for one file.
#[derive(Debug, Default)]
pub struct Findings {
    pub list: Vec<Finding>,
}

impl Findings {
    pub fn error(&mut self, file: &str, location: Location, field: Option<&str>, message: String) {
        self.push(Severity::Error, file, location, field, message, None);
    }

    pub fn warning(
        &mut self,
        file: &str,
        location: Location,
        field: Option<&str>,
        message: String,
    ) {
        self.push(Severity::Warning, file, location, field, message, None);
    }

    pub fn push(
        &mut self,
        severity: Severity,
        file: &str,
        location: Location,
        field: Option<&str>,
        message: String,
        hint: Option<String>,
    ) {
        self.list.push(Finding {
            severity,
            file: file.to_string(),
            location,
            field: field.map(str::to_string),
            message,
            hint,
        });
    }

    /// An input file the scenario names does not exist.
    pub fn missing_input(&mut self, file: &str) {
        self.push(
            Severity::Error,
            file,
            Location::File,
            None,
            "found no such file, expected the input file the scenario names".into(),
            Some(
                "paths in the scenario's [inputs] are relative to the scenario file's folder"
                    .into(),
            ),
        );
    }

    #[must_use]
    pub fn has_errors(&self) -> bool {
        self.list.iter().any(|f| f.severity == Severity::Error)
    }
}

/// The candidate closest to `word` by edit distance, if it is close enough to
/// be a likely misspelling (at most a third of the word's length, and at
/// least 1, edits away). Used for "did you mean" hints.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (edit_distance(&word.to_lowercase(), &c.to_lowercase()), c))
        .filter(|&(d, _)| d <= limit)
        .min_by_key(|&(d, c)| (d, c))
        .map(|(_, c)| c)
}

/// Levenshtein distance (insertions, deletions, substitutions) over chars.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, &cb) in b.iter().enumerate() {
            let substitution = prev[j] + usize::from(ca != cb);
            cur[j + 1] = substitution.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::{closest, edit_distance};

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("horizon_dayz", "horizon_days"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("æøå", "aøå"), 1);
    }

    #[test]
    fn closest_suggests_only_near_misses() {
        let keys = ["name", "start", "horizon_days", "crs"];
        assert_eq!(closest("horizon_dayz", keys), Some("horizon_days"));
        assert_eq!(closest("Start", keys), Some("start"));
        assert_eq!(closest("population", keys), None);
    }
}
