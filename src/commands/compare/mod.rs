//! `boligplan compare DIR_A DIR_B [...]`: side-by-side figures of plans.
//!
//! Reads each `DIR/summary.json` as a typed [`Summary`]
//! ([`crate::output::summary::read`]), picks the figures a planner compares
//! (one accessor per row, named by the figure's JSON pointer), and renders
//! them as an aligned table (the best value of each row marked `*`), JSON
//! or CSV. Figures a summary lacks (no households of a type, no bound from
//! a strategy that does not prove one) show as `-` and never count as best.
//!
//! One job per file: `mod.rs` reads the summaries and builds the
//! [`Comparison`] (its types, [`compare`], [`from_summaries`], [`best_of`],
//! [`names`]); `rows` is the table of rows, one accessor per figure, and
//! [`figure`]; `render` writes a comparison as text, JSON or CSV.
//!
//! Invariants: a missing figure never counts as best; nothing is marked
//! when every plan has the same value; a row no summary has is left out.

mod render;
mod rows;

use std::path::PathBuf;

use serde::Serialize;

use crate::evaluate::Summary;
use crate::output::summary::{self, SummaryError};

pub use render::{render_csv, render_json, render_table};
pub use rows::figure;
use rows::specs;

/// Which value of a row is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Lower,
    Higher,
    /// Not better or worse (inputs, timings, text): nothing is marked.
    Neutral,
}

/// One cell: a number, a text, or missing from that summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Cell {
    Number(f64),
    Text(String),
    Missing,
}

/// One figure across the plans.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// Section of the table (`households`, `spread after`, …).
    pub group: &'static str,
    /// Where the figure comes from in summary.json (JSON pointer).
    pub key: String,
    pub label: String,
    pub direction: Direction,
    /// Decimals shown in the table and CSV.
    #[serde(skip)]
    pub decimals: usize,
    /// Timing figures differ between runs of the same plan.
    pub timing: bool,
    pub values: Vec<Cell>,
    /// Per plan: whether its value is the best of the row (ties all marked;
    /// nothing marked when every plan has the same value).
    pub best: Vec<bool>,
}

/// The figures of several plans side by side.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// Column names: the directories' names.
    pub plans: Vec<String>,
    pub rows: Vec<Row>,
}

/// Why plans could not be compared.
#[derive(Debug, thiserror::Error)]
pub enum CompareError {
    #[error("no plan directories to compare")]
    Empty,
    #[error(transparent)]
    Summary(#[from] SummaryError),
}

/// Which cells are the best of the row.
#[must_use]
pub fn best_of(values: &[Cell], direction: Direction) -> Vec<bool> {
    let numbers: Vec<Option<f64>> = values
        .iter()
        .map(|c| match c {
            Cell::Number(x) => Some(*x),
            _ => None,
        })
        .collect();
    let present: Vec<f64> = numbers.iter().flatten().copied().collect();
    let target = match direction {
        Direction::Neutral => None,
        Direction::Lower => present.iter().copied().reduce(f64::min),
        Direction::Higher => present.iter().copied().reduce(f64::max),
    };
    // One value alone, or every plan the same: nothing to prefer.
    let all_same = present.len() < 2
        || (present.windows(2).all(|w| (w[0] - w[1]).abs() <= 1e-9)
            && present.len() == values.len());
    numbers
        .iter()
        .map(|x| match (x, target) {
            (Some(x), Some(t)) => !all_same && (x - t).abs() <= 1e-9,
            _ => false,
        })
        .collect()
}

/// A column name per directory: its last component, or the whole path when
/// two directories share a name.
#[must_use]
pub fn names(dirs: &[PathBuf]) -> Vec<String> {
    let short: Vec<String> = dirs
        .iter()
        .map(|d| {
            d.file_name().map_or_else(
                || d.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            )
        })
        .collect();
    short
        .iter()
        .enumerate()
        .map(|(i, s)| {
            if short.iter().filter(|t| *t == s).count() > 1 {
                dirs[i].display().to_string()
            } else {
                s.clone()
            }
        })
        .collect()
}

/// Reads `DIR/summary.json` of every directory and builds the rows.
pub fn compare(dirs: &[PathBuf]) -> Result<Comparison, CompareError> {
    if dirs.is_empty() {
        return Err(CompareError::Empty);
    }
    let summaries = dirs
        .iter()
        .map(|d| summary::read(d))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(from_summaries(names(dirs), &summaries))
}

/// The comparison of summaries already read, with the given column names.
#[must_use]
pub fn from_summaries(plans: Vec<String>, summaries: &[Summary]) -> Comparison {
    let rows = specs()
        .into_iter()
        .map(|s| {
            let values: Vec<Cell> = summaries.iter().map(|v| (s.get)(v)).collect();
            Row {
                group: s.group,
                best: best_of(&values, s.direction),
                timing: s.key == "/solve_seconds",
                key: s.key,
                label: s.label,
                direction: s.direction,
                decimals: s.decimals,
                values,
            }
        })
        // A figure no summary has (e.g. hot spots in older files) is left out.
        .filter(|r| r.values.iter().any(|c| *c != Cell::Missing))
        .collect();
    Comparison { plans, rows }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluate::{MadeBy, Spread, SpreadIndices, Stats};

    fn summary(
        strategy: MadeBy,
        families_waiting: u32,
        disposable_min: f64,
        high_high: &[&str],
    ) -> Summary {
        Summary {
            strategy,
            families_waiting,
            disposable_dkk: Stats {
                min: Some(disposable_min),
                ..Stats::default()
            },
            spread: Spread {
                after: SpreadIndices {
                    dissimilarity: 0.1,
                    high_high: high_high.iter().map(ToString::to_string).collect(),
                    ..SpreadIndices::default()
                },
                ..Spread::default()
            },
            ..Summary::default()
        }
    }

    pub(super) fn two() -> Comparison {
        let a = summary(MadeBy::Optimise, 2, 3000.0, &[]);
        let b = summary(MadeBy::Fcfs, 5, 3500.0, &["D02", "D04"]);
        from_summaries(vec!["a".into(), "b".into()], &[a, b])
    }

    #[test]
    fn best_follows_the_direction_and_skips_ties() {
        let c = two();
        let row = |label: &str| c.rows.iter().find(|r| r.label == label).unwrap();
        assert_eq!(row("families waiting").best, vec![true, false]);
        assert_eq!(row("disposable min").best, vec![false, true]);
        let d = c
            .rows
            .iter()
            .find(|r| r.key == "/spread/after/dissimilarity")
            .unwrap();
        assert_eq!(d.best, vec![false, false]);
        let hh = c
            .rows
            .iter()
            .find(|r| r.key == "/spread/after/high_high" && r.label == "high-high clusters")
            .unwrap();
        assert_eq!(hh.values, vec![Cell::Number(0.0), Cell::Number(2.0)]);
        assert_eq!(hh.best, vec![true, false]);
        // Rows no summary has are left out.
        assert!(c.rows.iter().all(|r| r.key != "/objective"));
        assert!(c.rows.iter().all(|r| !r.key.starts_with("/by_type/")));
        // A key names its figure for the report.
        let s = summary(MadeBy::Fcfs, 5, 3500.0, &["D02", "D04"]);
        assert_eq!(figure(&s, "/spread/after/high_high"), Cell::Number(2.0));
        assert_eq!(figure(&s, "/families_waiting"), Cell::Number(5.0));
        assert_eq!(figure(&s, "/gap"), Cell::Missing);
        assert_eq!(figure(&s, "/no/such/figure"), Cell::Missing);
    }

    #[test]
    fn duplicate_names_use_the_path() {
        let n = names(&[
            PathBuf::from("x/plan"),
            PathBuf::from("y/plan"),
            PathBuf::from("z"),
        ]);
        assert_eq!(n, vec!["x/plan", "y/plan", "z"]);
    }
}
