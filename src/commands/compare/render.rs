//! A comparison written out: an aligned text table (a legend naming each
//! plan's scenario, figures grouped under headings, the best value of each
//! row marked `*`), JSON, or CSV.
//!
//! Invariants: rendering only formats, it never decides which value is
//! best (that is [`Row::best`]); a missing value is `-` in the table,
//! `null` in JSON and empty in CSV.

use std::fmt::Write as _;

use serde_json::Value;

use super::rows::OVER_CAP_BEFORE_KEY;
use super::{Cell, Comparison, Direction, Row};

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
    let rows: Vec<&Row> = c
        .rows
        .iter()
        .filter(|r| r.key != LEGEND_KEY && r.key != OVER_CAP_BEFORE_KEY)
        .collect();
    render_rows(&c.plans, &rows, &mut out);
    if let Some(over) = c.rows.iter().find(|r| r.key == OVER_CAP_BEFORE_KEY) {
        out.push_str("\ndistricts already over the cap before the plan:\n");
        for (plan, v) in c.plans.iter().zip(&over.values) {
            let _ = writeln!(out, "  {plan}: {}", format_cell(v, 0));
        }
    }
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
    use crate::commands::compare::tests::two;
    use serde_json::json;

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
}
