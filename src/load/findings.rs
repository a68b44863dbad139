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

    #[must_use]
    pub fn has_errors(&self) -> bool {
        self.list.iter().any(|f| f.severity == Severity::Error)
    }
}
