//! The explanation as text for an officer (English, 80 columns) or as
//! JSON, and how `explain` writes numbers (also in the analysis's sentences).

use std::fmt::Write as _;

use crate::commands::report::i18n::{self, Lang};

use super::{Report, ReunionInfo, Term};
use crate::rules::cost::Term as CostTerm;

const WIDTH: usize = 80;

/// A number with thousands separators and `decimals` decimals, in English
/// (`1,234.5`): the report's formatter.
#[must_use]
pub fn number(x: f64, decimals: usize) -> String {
    i18n::number(x, decimals, Lang::En)
}

/// A signed number: `+1,234.50`, `-3.00`, `0.00`.
pub(super) fn signed(x: f64) -> String {
    let n = number(x, 2);
    if n.starts_with('-') || n.chars().all(|c| matches!(c, '0' | '.' | ',')) {
        n
    } else {
        format!("+{n}")
    }
}

/// Whole kroner, without a unit (the text says `DKK` after it).
pub(super) fn dkk(x: i64) -> String {
    number(x as f64, 0)
}

/// Wraps `text` at [`WIDTH`] columns, the first line after `first`, the
/// others indented by `indent` spaces.
fn wrap(out: &mut String, first: &str, indent: usize, text: &str) {
    let mut line = first.to_string();
    let mut used = first.chars().count();
    let mut empty = true;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let n = word.chars().count();
        if !empty && used + 1 + n > WIDTH {
            out.push_str(line.trim_end());
            out.push('\n');
            line = " ".repeat(indent);
            used = indent;
            empty = true;
        }
        if !empty {
            line.push(' ');
            used += 1;
        }
        line.push_str(word);
        used += n;
        empty = false;
    }
    out.push_str(line.trim_end());
    out.push('\n');
}

/// "1 adult", "2 adults and 1 child".
fn members(adults: u32, children: u32) -> String {
    let a = format!("{adults} adult{}", if adults == 1 { "" } else { "s" });
    match children {
        0 => a,
        1 => format!("{a} and 1 child"),
        c => format!("{a} and {c} children"),
    }
}

fn rooms(n: u32) -> String {
    format!("{n} room{}", if n == 1 { "" } else { "s" })
}

fn term_lines(out: &mut String, terms: &[Term], show_kept: bool) {
    for t in terms {
        if t.term == CostTerm::KeptProposal && !show_kept {
            continue;
        }
        let first = format!("  {:<22}{:>11}  ", t.term.label(), signed(t.value));
        wrap(out, &first, 37, &t.detail);
    }
}

/// The explanation as text for an officer (English, 80 columns).
#[must_use]
#[allow(clippy::too_many_lines)]
pub fn render_text(r: &Report) -> String {
    let mut out = String::new();
    let mut head = format!(
        "Household {}: {}, {}",
        r.household,
        r.household_type.as_str(),
        members(r.adults, r.children)
    );
    if let Some(ReunionInfo {
        date,
        adults: a,
        children: c,
    }) = r.reunion
    {
        let verb = if a + c == 1 { "follows" } else { "follow" };
        let _ = write!(
            head,
            "; {} {verb} on {date}",
            members(a, c).replace("0 adults and ", "")
        );
    }
    let _ = write!(
        head,
        " ({} person{} at the end of the plan).",
        r.persons_at_end,
        if r.persons_at_end == 1 { "" } else { "s" }
    );
    wrap(&mut out, "", 0, &head);
    wrap(
        &mut out,
        "",
        0,
        &format!(
            "{}; language school: {}{}.",
            if r.arrival < r.start {
                format!("Arrived {}, before the plan's start", r.arrival)
            } else {
                format!("Arrives {}", r.arrival)
            },
            r.language_school.as_deref().unwrap_or("the nearest one"),
            if r.needs_step_free {
                "; needs step-free access"
            } else {
                ""
            }
        ),
    );
    out.push('\n');

    let mut plan = format!("Plan (strategy {}): ", r.strategy.as_str());
    if let Some(home) = &r.home {
        let _ = write!(
            plan,
            "permanent home {} ({}, {}, {} m², rent {} DKK, housing benefit {} DKK, {} DKK left a month) in {} from {}; travel {} min",
            home.unit,
            home.kind,
            rooms(home.rooms),
            number(home.area_m2, 0),
            dkk(home.rent_dkk),
            dkk(home.housing_benefit_dkk),
            dkk(home.disposable_dkk),
            home.district.as_deref().unwrap_or("no district"),
            home.from,
            home.travel_min.map_or("-".to_string(), |t| number(t, 1))
        );
        if home.from_reunion {
            plan.push_str(
                "; it moves in on its reunion day, as only from then can it afford the rent",
            );
        }
        if !home.forced_rules.is_empty() {
            let _ = write!(
                plan,
                "; forced against rule(s) {}",
                home.forced_rules.join(", ")
            );
        }
        if let Some(t) = &r.temporary {
            let _ = write!(
                plan,
                "; before that, temporary place {} ({}) from {} to {}",
                t.unit, t.kind, t.from, t.to
            );
        }
    } else if let Some(t) = &r.temporary {
        let _ = write!(
            plan,
            "temporary only, no permanent home: temporary place {} ({}) from {} to {}",
            t.unit, t.kind, t.from, t.to
        );
    } else {
        plan.push_str("unplaced: neither a permanent home nor a temporary place");
    }
    plan.push('.');
    wrap(&mut out, "", 0, &plan);
    if let Some(p) = &r.pin {
        let mut s = format!("Pin: {} ({})", p.target, p.origin);
        match p.refused_by {
            Some(rule) => {
                let _ = write!(s, ", refused by rule {rule}");
            }
            None => s.push_str(", lawful"),
        }
        if let Some(cell) = &p.in_plan {
            let _ = write!(s, "; in the plan: {cell}");
        }
        s.push('.');
        wrap(&mut out, "", 0, &s);
    }
    out.push('\n');

    let l = &r.limits;
    out.push_str("Rules that limited its choice\n");
    wrap(
        &mut out,
        "  ",
        2,
        &format!(
            "{} of {} permanent dwellings pass every rule for this household; the others fail (first rule failed):",
            l.lawful, l.dwellings
        ),
    );
    for c in &l.excluded {
        let first = format!("  {:>6}  {:<20}", c.count, c.rule);
        wrap(&mut out, &first, 30, c.words);
    }
    let mut temp = format!(
        "{} of {} temporary places pass every rule",
        l.temporary_lawful, l.temporary_sites
    );
    if !l.temporary_excluded.is_empty() {
        let parts: Vec<String> = l
            .temporary_excluded
            .iter()
            .map(|c| format!("{} {}", c.count, c.rule))
            .collect();
        let _ = write!(temp, " ({})", parts.join(", "));
    }
    temp.push('.');
    wrap(&mut out, "  ", 2, &temp);
    let others = l.in_plan.iter().map(|c| c.count).sum::<u32>();
    if others > 0 {
        let parts: Vec<String> = l
            .in_plan
            .iter()
            .map(|c| {
                let what = match c.rule {
                    "taken" => "given to other households",
                    "district_cap" => "in a district at its cap",
                    "building_cap" => "in a building at its cap",
                    "no_temporary_bridge" => "without a temporary place to bridge the wait",
                    _ => "free, left by the trade-off",
                };
                format!("{} {what}", c.count)
            })
            .collect();
        wrap(
            &mut out,
            "  ",
            2,
            &format!(
                "In the plan, of the {others} other lawful dwellings: {}.",
                parts.join(", ")
            ),
        );
    }
    out.push('\n');

    let show_kept = r
        .terms
        .iter()
        .chain(r.alternatives.iter().flat_map(|a| a.terms.iter()))
        .any(|t| t.term == CostTerm::KeptProposal && t.value != 0.0);
    if r.home.is_some() {
        out.push_str("Objective terms of its home (negative: a reward; lower is better)\n");
        term_lines(&mut out, &r.terms, show_kept);
        let _ = writeln!(out, "  {:<22}{:>11}", "total", signed(r.total));
    } else {
        wrap(
            &mut out,
            "",
            0,
            "Objective: without a permanent home the household adds only its temporary person-days (part of the model's constant); each dwelling below would add its total.",
        );
    }
    out.push('\n');

    if r.alternatives.is_empty() {
        out.push_str("Next-best dwellings: none, no other dwelling passes every rule.\n");
    } else {
        wrap(
            &mut out,
            "",
            0,
            "Next-best dwellings (Δ: the change of the objective if this household alone moved there; positive is worse)",
        );
        for (i, a) in r.alternatives.iter().enumerate() {
            let head = format!(
                "{}. {} ({}, {}, {} m², rent {} DKK) in {} from {}: total {}, Δ {}",
                i + 1,
                a.unit,
                a.kind,
                rooms(a.rooms),
                number(a.area_m2, 0),
                dkk(a.rent_dkk),
                a.district.as_deref().unwrap_or("no district"),
                a.move_in,
                signed(a.total),
                signed(a.delta_total)
            );
            wrap(&mut out, "  ", 5, &head);
            let parts: Vec<String> = a
                .delta
                .iter()
                .filter(|t| t.value.abs() >= 0.005)
                .map(|t| format!("{} {}", t.term.label(), signed(t.value)))
                .collect();
            if !parts.is_empty() {
                wrap(&mut out, "     Δ by term: ", 5, &parts.join(", "));
            }
            if !a.forced_rules.is_empty() {
                wrap(
                    &mut out,
                    "     ",
                    5,
                    &format!(
                        "breaks rule(s) {} (a forced pin)",
                        a.forced_rules.join(", ")
                    ),
                );
            }
            wrap(
                &mut out,
                "     ",
                5,
                &format!("Not given ({}): {}.", a.rule, a.why),
            );
        }
    }

    if let Some(w) = &r.what_would_change {
        out.push('\n');
        out.push_str("What would change it\n");
        let binding = match (&w.reason_code, &w.reason) {
            (Some(code), Some(words)) => format!("Binding reason ({code}): {words}."),
            (Some(code), None) => format!("Binding reason: {code}."),
            _ => "Binding reason: not recorded in plan.csv.".to_string(),
        };
        wrap(&mut out, "  ", 2, &binding);
        let mut s = w.sentence.clone();
        s.push('.');
        wrap(&mut out, "  It would take ", 2, &s);
    }
    out
}

/// The explanation as JSON.
#[must_use]
pub fn render_json(r: &Report) -> String {
    serde_json::to_string_pretty(r).expect("a report serialises") + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_have_thousands_separators() {
        assert_eq!(number(1_234_567.891, 2), "1,234,567.89");
        assert_eq!(number(-6_000.0, 2), "-6,000.00");
        assert_eq!(number(-0.001, 2), "0.00");
        assert_eq!(number(999.0, 0), "999");
        assert_eq!(signed(12.5), "+12.50");
        assert_eq!(signed(-3.0), "-3.00");
        assert_eq!(signed(0.0), "0.00");
    }
}
