//! The headline figures of `summary.json`, re-derived from the inputs and
//! plan.csv: the highest newcomer share and the districts over the cap,
//! before and after the plan, among the districts open to placement only
//! (no flag of `forbidden_flags`, which forbid a district for every unit;
//! a flag forbidden only for social housing leaves it open), and the list
//! `over_cap_before_plan` of every district already over the cap before
//! the plan.
//!
//! "After" adds to a district the persons (at the end of the horizon) of
//! the permanent homes in it, as the README defines the spread figures.
//! summary.json is read as plain JSON, never as the library's types.

use std::collections::BTreeMap;

use serde_json::Value;

use super::inputs::{District, Inputs};
use super::scenario::Scenario;

/// Figures are written rounded to 6 decimals.
const TOL: f64 = 1e-6;

/// The checker's figures of one district.
struct Shares<'a> {
    d: &'a District,
    open: bool,
    placed: f64,
    before: f64,
    after: f64,
}

/// Checks the headline figures of `summary` against the checker's own:
/// `district_persons` are the persons given a permanent home in each
/// district, as the per-household checks recorded them.
pub(super) fn check_headline(
    sc: &Scenario,
    inputs: &Inputs,
    district_persons: &BTreeMap<String, f64>,
    summary: &Value,
    v: &mut Vec<String>,
) {
    let cap = sc.max_district_share;
    let shares: Vec<Shares<'_>> = inputs
        .districts
        .iter()
        .map(|d| {
            let placed = district_persons.get(&d.id).copied().unwrap_or(0.0);
            Shares {
                d,
                open: !d.flags.iter().any(|f| sc.forbidden_flags.contains(f)),
                placed,
                before: d.newcomers / d.population,
                after: (d.newcomers + placed) / (d.population + placed),
            }
        })
        .collect();
    let over = |share: f64| share > cap + 1e-12;
    for (when, share) in [
        (
            "before",
            (|s: &Shares<'_>| s.before) as fn(&Shares<'_>) -> f64,
        ),
        ("after", |s: &Shares<'_>| s.after),
    ] {
        let open = || shares.iter().filter(|s| s.open).map(share);
        let max = open().fold(0.0, f64::max);
        let count = open().filter(|&x| over(x)).count();
        let side = &summary["spread"][when];
        match side["max_share"].as_f64() {
            Some(m) if (m - max).abs() <= TOL => {}
            m => v.push(format!(
                "headline: spread.{when}.max_share is {m:?}, expected {max:.6} (the highest share of a district open to placement)"
            )),
        }
        match side["districts_over_cap"].as_u64() {
            Some(n) if n == count as u64 => {}
            n => v.push(format!(
                "headline: spread.{when}.districts_over_cap is {n:?}, expected {count} (districts open to placement over the cap {cap})"
            )),
        }
    }
    let expected: Vec<&Shares<'_>> = shares.iter().filter(|s| over(s.before)).collect();
    let Some(listed) = summary["over_cap_before_plan"].as_array() else {
        v.push("headline: summary.json has no over_cap_before_plan list".into());
        return;
    };
    let listed_ids: Vec<&str> = listed
        .iter()
        .map(|e| e["district"].as_str().unwrap_or("?"))
        .collect();
    let expected_ids: Vec<&str> = expected.iter().map(|s| s.d.id.as_str()).collect();
    if listed_ids != expected_ids {
        v.push(format!(
            "headline: over_cap_before_plan lists {listed_ids:?}, expected {expected_ids:?} (every district over the cap {cap} before the plan, in input order)"
        ));
        return;
    }
    for (e, s) in listed.iter().zip(expected) {
        let id = &s.d.id;
        for (field, want) in [("share_before", s.before), ("share_after", s.after)] {
            match e[field].as_f64() {
                Some(x) if (x - want).abs() <= TOL => {}
                x => v.push(format!(
                    "headline: over_cap_before_plan {id} {field} is {x:?}, expected {want:.6}"
                )),
            }
        }
        if e["open"].as_bool() != Some(s.open) {
            v.push(format!(
                "headline: over_cap_before_plan {id} open is {}, expected {}",
                e["open"], s.open
            ));
        }
        if e["persons_placed"].as_f64() != Some(s.placed) {
            v.push(format!(
                "headline: over_cap_before_plan {id} persons_placed is {}, expected {}",
                e["persons_placed"], s.placed
            ));
        }
        if e["name"].as_str() != Some(s.d.name.as_str()) {
            v.push(format!(
                "headline: over_cap_before_plan {id} name is {}, expected {:?}",
                e["name"], s.d.name
            ));
        }
    }
}
