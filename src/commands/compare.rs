//! `boligplan compare DIR_A DIR_B [...]`: side-by-side figures of plans.
//!
//! Reads each `DIR/summary.json` as a typed [`Summary`]
//! ([`crate::output::summary::read`]), picks the figures a planner compares
//! (one accessor per row, named by the figure's JSON pointer), and renders
//! them as an aligned table (the best value of each row marked `*`), JSON
//! or CSV. Figures a summary lacks (no households of a type, no bound from
//! a strategy that does not prove one) show as `-` and never count as best.

use std::fmt::Write as _;
use std::path::PathBuf;

use serde::Serialize;
use serde_json::Value;

use crate::evaluate::{Count, SpreadIndices, Summary, TypeFigures};
use crate::model::HouseholdType;
use crate::output::summary::{self, SummaryError};
use crate::solve::Status;

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

/// How a row's value is taken from a summary.
type Getter = Box<dyn Fn(&Summary) -> Cell>;

struct Spec {
    group: &'static str,
    /// The figure's place in summary.json, as a JSON pointer (shown in the
    /// JSON and CSV output, and naming the figure for [`figure`]).
    key: String,
    label: String,
    direction: Direction,
    decimals: usize,
    get: Getter,
}

fn spec(
    group: &'static str,
    key: &str,
    label: &str,
    direction: Direction,
    decimals: usize,
    get: impl Fn(&Summary) -> Cell + 'static,
) -> Spec {
    Spec {
        group,
        key: key.to_string(),
        label: label.to_string(),
        direction,
        decimals,
        get: Box::new(get),
    }
}

/// A number of one part of the summary (a status's or a type's figures).
type Part<T> = fn(&T) -> f64;

/// The spread indices before or after the plan.
type Side = fn(&Summary) -> &SpreadIndices;

fn number(x: impl Into<f64>) -> Cell {
    Cell::Number(x.into())
}

/// A figure that may be absent (`null` in summary.json).
fn maybe(x: Option<f64>) -> Cell {
    x.map_or(Cell::Missing, Cell::Number)
}

/// How many districts a list names.
fn count(list: &[String]) -> Cell {
    Cell::Number(list.len() as f64)
}

/// The districts of a list, joined (`none` when empty).
fn list(list: &[String]) -> Cell {
    if list.is_empty() {
        Cell::Text("none".into())
    } else {
        Cell::Text(list.join(" "))
    }
}

/// The rows of the comparison, in order.
#[allow(clippy::cast_precision_loss)]
fn specs() -> Vec<Spec> {
    use Direction::{Higher, Lower, Neutral};
    let mut s = vec![
        spec("plan", "/scenario", "scenario", Neutral, 0, |s| {
            Cell::Text(s.scenario.clone())
        }),
        spec("plan", "/strategy", "strategy", Neutral, 0, |s| {
            Cell::Text(s.strategy.as_str().to_string())
        }),
        spec(
            "households",
            "/households/households",
            "households",
            Neutral,
            0,
            |s| number(s.households.households),
        ),
        spec(
            "households",
            "/households/persons",
            "persons",
            Neutral,
            0,
            |s| number(s.households.persons),
        ),
    ];
    for (status, dir) in [
        (Status::Permanent, Higher),
        (Status::TemporaryOnly, Lower),
        (Status::Unplaced, Lower),
    ] {
        let fields: [(&str, Part<Count>); 2] = [
            ("households", |c| c.households.into()),
            ("persons", |c| c.persons.into()),
        ];
        for (what, field) in fields {
            let name = status.as_str();
            s.push(spec(
                "by status",
                &format!("/by_status/{name}/{what}"),
                &format!("{name} {what}"),
                dir,
                0,
                move |s| {
                    s.by_status
                        .get(&status)
                        .map_or(Cell::Missing, |c| number(field(c)))
                },
            ));
        }
    }
    for t in [
        HouseholdType::Family,
        HouseholdType::Couple,
        HouseholdType::Single,
    ] {
        let fields: [(&str, Direction, Part<TypeFigures>); 6] = [
            ("households", Neutral, |f| f.households.into()),
            ("persons", Neutral, |f| f.persons.into()),
            ("permanent", Higher, |f| f.permanent.into()),
            ("temporary_only", Lower, |f| f.temporary_only.into()),
            ("unplaced", Lower, |f| f.unplaced.into()),
            ("temporary_person_days", Lower, |f| {
                f.temporary_person_days as f64
            }),
        ];
        for (field, dir, value) in fields {
            let name = t.as_str();
            s.push(spec(
                "by type",
                &format!("/by_type/{name}/{field}"),
                &format!("{name} {field}"),
                dir,
                0,
                move |s| {
                    s.by_type
                        .get(&t)
                        .map_or(Cell::Missing, |f| number(value(f)))
                },
            ));
        }
    }
    s.extend([
        spec(
            "waiting",
            "/families_waiting",
            "families waiting",
            Lower,
            0,
            |s| number(s.families_waiting),
        ),
        spec(
            "waiting",
            "/temporary_person_days",
            "temporary person-days",
            Lower,
            0,
            |s| number(s.temporary_person_days as f64),
        ),
        spec(
            "money (DKK/month)",
            "/rent_dkk/median",
            "rent median",
            Lower,
            0,
            |s| maybe(s.rent_dkk.median),
        ),
        spec(
            "money (DKK/month)",
            "/rent_dkk/min",
            "rent min",
            Neutral,
            0,
            |s| maybe(s.rent_dkk.min),
        ),
        spec(
            "money (DKK/month)",
            "/disposable_dkk/median",
            "disposable median",
            Higher,
            0,
            |s| maybe(s.disposable_dkk.median),
        ),
        spec(
            "money (DKK/month)",
            "/disposable_dkk/min",
            "disposable min",
            Higher,
            0,
            |s| maybe(s.disposable_dkk.min),
        ),
        spec(
            "travel (minutes)",
            "/travel/minutes/median",
            "travel median",
            Lower,
            1,
            |s| maybe(s.travel.minutes.median),
        ),
        spec(
            "travel (minutes)",
            "/travel/minutes/p90",
            "travel p90",
            Lower,
            1,
            |s| maybe(s.travel.minutes.p90),
        ),
        spec(
            "travel (minutes)",
            "/travel/work_minutes/median",
            "work travel median",
            Lower,
            1,
            |s| maybe(s.travel.work_minutes.median),
        ),
        spec(
            "travel (minutes)",
            "/travel/work_minutes/p90",
            "work travel p90",
            Lower,
            1,
            |s| maybe(s.travel.work_minutes.p90),
        ),
        spec(
            "municipal cost (DKK)",
            "/municipal_cost_dkk/temporary_places",
            "temporary places",
            Lower,
            0,
            |s| number(s.municipal_cost_dkk.temporary_places as f64),
        ),
        spec(
            "municipal cost (DKK)",
            "/municipal_cost_dkk/empty_rent",
            "empty rent",
            Lower,
            0,
            |s| number(s.municipal_cost_dkk.empty_rent as f64),
        ),
        spec(
            "municipal cost (DKK)",
            "/municipal_cost_dkk/total",
            "total",
            Lower,
            0,
            |s| number(s.municipal_cost_dkk.total as f64),
        ),
    ]);
    let sides: [(&str, &'static str, Side); 2] = [
        ("before", "spread before", |s| &s.spread.before),
        ("after", "spread after", |s| &s.spread.after),
    ];
    for (when, group, side) in sides {
        s.extend([
            spec(
                group,
                &format!("/spread/{when}/max_share"),
                "max share",
                Lower,
                6,
                move |s| number(side(s).max_share),
            ),
            spec(
                group,
                &format!("/spread/{when}/districts_over_cap"),
                "districts over cap",
                Lower,
                0,
                move |s| number(side(s).districts_over_cap),
            ),
            spec(
                group,
                &format!("/spread/{when}/dissimilarity"),
                "dissimilarity D",
                Lower,
                6,
                move |s| number(side(s).dissimilarity),
            ),
            spec(
                group,
                &format!("/spread/{when}/isolation"),
                "isolation xPx",
                Lower,
                6,
                move |s| number(side(s).isolation),
            ),
            spec(
                group,
                &format!("/spread/{when}/exposure"),
                "exposure xPy",
                Higher,
                6,
                move |s| number(side(s).exposure),
            ),
            spec(
                group,
                &format!("/spread/{when}/theil"),
                "Theil H",
                Lower,
                6,
                move |s| number(side(s).theil),
            ),
            spec(
                group,
                &format!("/spread/{when}/hot_spots"),
                "Gi* hot spots",
                Lower,
                0,
                move |s| count(&side(s).hot_spots),
            ),
            spec(
                group,
                &format!("/spread/{when}/high_high"),
                "high-high clusters",
                Lower,
                0,
                move |s| count(&side(s).high_high),
            ),
            spec(
                group,
                &format!("/spread/{when}/high_high"),
                "high-high districts",
                Neutral,
                0,
                move |s| list(&side(s).high_high),
            ),
        ]);
    }
    s.extend([
        spec(
            "spread after",
            "/spread/districts_receiving",
            "districts receiving",
            Higher,
            0,
            |s| number(s.spread.districts_receiving),
        ),
        spec(
            "spread after",
            "/spread/buildings_receiving",
            "buildings receiving",
            Higher,
            0,
            |s| number(s.spread.buildings_receiving),
        ),
        spec(
            "spread after",
            "/spread/max_households_in_a_building",
            "most households in a building",
            Lower,
            0,
            |s| number(s.spread.max_households_in_a_building),
        ),
        spec(
            "spread after",
            "/spread/buildings_at_cap",
            "buildings at their cap",
            Lower,
            0,
            |s| number(s.spread.buildings_at_cap),
        ),
        spec("model", "/objective", "objective", Lower, 2, |s| {
            maybe(s.objective)
        }),
        spec("model", "/bound", "bound", Neutral, 2, |s| maybe(s.bound)),
        spec("model", "/gap", "gap", Lower, 6, |s| maybe(s.gap)),
        spec("model", "/iterations", "iterations", Neutral, 0, |s| {
            number(s.iterations as f64)
        }),
        spec(
            "model",
            "/solve_seconds",
            "solve seconds",
            Neutral,
            3,
            |s| number(s.solve_seconds),
        ),
    ]);
    s
}

/// The number a summary has for `key`, one of the comparison's keys (a
/// count for a list of districts); `Missing` for a figure it lacks or a key
/// the comparison does not have.
#[must_use]
pub fn figure(summary: &Summary, key: &str) -> Cell {
    specs()
        .iter()
        .filter(|s| s.key == key)
        .map(|s| (s.get)(summary))
        .find(|c| matches!(c, Cell::Number(_)))
        .unwrap_or(Cell::Missing)
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

fn format_cell(c: &Cell, decimals: usize) -> String {
    match c {
        Cell::Number(x) => format!("{x:.decimals$}"),
        Cell::Text(s) => s.clone(),
        Cell::Missing => "-".into(),
    }
}

/// An aligned text table: a legend naming each plan's scenario, then one
/// column per plan, the best value of each row followed by `*`, figures
/// grouped under section headings.
#[must_use]
pub fn render_table(c: &Comparison) -> String {
    let mut out = String::new();
    if let Some(names) = c.rows.iter().find(|r| r.key == LEGEND_KEY) {
        for (plan, v) in c.plans.iter().zip(&names.values) {
            let _ = writeln!(out, "{plan}: {}", format_cell(v, 0));
        }
        out.push('\n');
    }
    let rows: Vec<&Row> = c.rows.iter().filter(|r| r.key != LEGEND_KEY).collect();
    render_rows(&c.plans, &rows, &mut out);
    out
}

/// The row shown as a legend above the table (long texts would widen every column).
const LEGEND_KEY: &str = "/scenario";

fn render_rows(plans: &[String], rows: &[&Row], out: &mut String) {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            r.values
                .iter()
                .zip(&r.best)
                .map(|(v, &b)| {
                    format!(
                        "{}{}",
                        format_cell(v, r.decimals),
                        if b { "*" } else { " " }
                    )
                })
                .collect()
        })
        .collect();
    let label_width = rows
        .iter()
        .map(|r| r.label.chars().count() + 2)
        .chain(rows.iter().map(|r| r.group.chars().count()))
        .max()
        .unwrap_or(0);
    let widths: Vec<usize> = (0..plans.len())
        .map(|j| {
            cells
                .iter()
                .map(|row| row[j].chars().count())
                .chain(std::iter::once(plans[j].chars().count() + 1))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let pad = |s: &str, w: usize| format!("{}{s}", " ".repeat(w.saturating_sub(s.chars().count())));
    let mut line = format!("{:label_width$}", "");
    for (name, w) in plans.iter().zip(&widths) {
        line.push_str("  ");
        line.push_str(&pad(&format!("{name} "), *w));
    }
    out.push_str(line.trim_end());
    out.push('\n');
    let mut group = "";
    for (r, row) in rows.iter().zip(&cells) {
        if r.group != group {
            group = r.group;
            let _ = writeln!(out, "{group}");
        }
        let mut line = format!(
            "  {}{}",
            r.label,
            " ".repeat(label_width - 2 - r.label.chars().count())
        );
        for (s, w) in row.iter().zip(&widths) {
            line.push_str("  ");
            line.push_str(&pad(s, *w));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out.push_str("* best value of the row (lower or higher, as the figure's direction says)\n");
}

/// The comparison as JSON: `plans` and `rows` (group, key, label, direction,
/// timing, values with `null` for missing, best).
#[must_use]
pub fn render_json(c: &Comparison) -> String {
    let rows: Vec<Value> = c
        .rows
        .iter()
        .map(|r| {
            serde_json::json!({
                "group": r.group,
                "key": r.key,
                "label": r.label,
                "direction": r.direction,
                "timing": r.timing,
                "values": r.values.iter().map(|v| match v {
                    Cell::Number(x) => serde_json::json!(x),
                    Cell::Text(s) => serde_json::json!(s),
                    Cell::Missing => Value::Null,
                }).collect::<Vec<_>>(),
                "best": r.best,
            })
        })
        .collect();
    let doc = serde_json::json!({ "plans": c.plans, "rows": rows });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

/// The comparison as CSV: `group,key,label,direction,<plan>…,best` where
/// `best` names the best plans, separated by `;`; missing values are empty.
#[must_use]
pub fn render_csv(c: &Comparison) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec![
        "group".to_string(),
        "key".into(),
        "label".into(),
        "direction".into(),
    ];
    header.extend(c.plans.iter().cloned());
    header.push("best".into());
    let _ = w.write_record(&header);
    for r in &c.rows {
        let mut rec = vec![
            r.group.to_string(),
            r.key.clone(),
            r.label.clone(),
            match r.direction {
                Direction::Lower => "lower",
                Direction::Higher => "higher",
                Direction::Neutral => "neutral",
            }
            .to_string(),
        ];
        rec.extend(r.values.iter().map(|v| match v {
            Cell::Missing => String::new(),
            Cell::Number(x) => format!("{x}"),
            Cell::Text(_) => format_cell(v, r.decimals),
        }));
        rec.push(
            c.plans
                .iter()
                .zip(&r.best)
                .filter(|(_, b)| **b)
                .map(|(p, _)| p.as_str())
                .collect::<Vec<_>>()
                .join(";"),
        );
        let _ = w.write_record(&rec);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluate::{MadeBy, Spread, Stats};
    use serde_json::json;

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

    fn two() -> Comparison {
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
    fn table_marks_and_aligns() {
        let t = render_table(&two());
        assert!(t.contains("  families waiting  "), "{t}");
        let line = t.lines().find(|l| l.contains("families waiting")).unwrap();
        assert!(line.contains("2*") && line.ends_with('5'), "{line}");
        assert!(t.contains("D02 D04"));
        let csv = render_csv(&two());
        assert!(csv.starts_with("group,key,label,direction,a,b,best\n"));
        assert!(
            csv.contains("waiting,/families_waiting,families waiting,lower,2,5,a\n"),
            "{csv}"
        );
        let j: Value = serde_json::from_str(&render_json(&two())).unwrap();
        assert_eq!(j["plans"], json!(["a", "b"]));
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
