//! Reads plan.csv's rows: the columns the README promises, every input
//! household exactly once and in input order, and each household's row
//! parsed into a `Case` that the per-household rules read.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;

use super::csv_rows::{get, parse_date};
use super::inputs::{Household, Inputs, Unit};
use super::scenario::Scenario;

/// The plan.csv columns the README promises.
pub const PLAN_COLUMNS: [&str; 18] = [
    "household_id",
    "status",
    "temp_unit",
    "temp_from",
    "temp_to",
    "perm_unit",
    "perm_from",
    "district",
    "persons",
    "income",
    "housing_benefit",
    "rent",
    "disposable",
    "travel_minutes",
    "work_travel_minutes",
    "reason",
    "reason_code",
    "household_type",
];

/// Every column is present (judged by the first row).
pub(super) fn check_columns(plan: &[HashMap<String, String>], v: &mut Vec<String>) {
    if let Some(first) = plan.first() {
        for c in PLAN_COLUMNS {
            if !first.contains_key(c) {
                v.push(format!("households: plan.csv has no column `{c}`"));
            }
        }
    }
}

/// Every input household exactly once, nothing else, in input order;
/// returns the rows by household id.
pub(super) fn check_households<'a>(
    inputs: &'a Inputs,
    plan: &'a [HashMap<String, String>],
    v: &mut Vec<String>,
) -> HashMap<&'a str, &'a HashMap<String, String>> {
    // Exactly once, nothing else, in input order.
    let input_ids: Vec<&str> = inputs.households.iter().map(|h| h.id.as_str()).collect();
    let known: HashSet<&str> = input_ids.iter().copied().collect();
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for r in plan {
        let id = r.get("household_id").map_or("", String::as_str);
        *seen.entry(id).or_default() += 1;
        if !known.contains(id) {
            v.push(format!("households: plan row for unknown household {id:?}"));
        }
    }
    for id in &input_ids {
        match seen.get(id).copied().unwrap_or(0) {
            1 => {}
            0 => v.push(format!("households: household {id} missing from plan.csv")),
            n => v.push(format!("households: household {id} appears {n} times")),
        }
    }
    let plan_ids: Vec<&str> = plan
        .iter()
        .map(|r| r.get("household_id").map_or("", String::as_str))
        .collect();
    if plan_ids == input_ids {
        // in order
    } else if v.is_empty() {
        v.push("households: plan.csv rows are not in input order".into());
    }
    plan.iter()
        .map(|r| (r.get("household_id").map_or("", String::as_str), r))
        .collect()
}

/// One household and its plan row, with the cells every rule reads parsed.
pub(super) struct Case<'a> {
    pub(super) sc: &'a Scenario,
    pub(super) inputs: &'a Inputs,
    pub(super) h: &'a Household,
    /// The row's cells by column.
    pub(super) r: &'a HashMap<String, String>,
    /// The household's id.
    pub(super) id: &'a str,
    pub(super) status: &'a str,
    pub(super) reason: &'a str,
    pub(super) reason_code: &'a str,
    pub(super) temp_unit: Option<&'a str>,
    pub(super) perm_unit: Option<&'a str>,
    pub(super) temp_from: Option<NaiveDate>,
    pub(super) temp_to: Option<NaiveDate>,
    pub(super) perm_from: Option<NaiveDate>,
    /// Arrival, or the horizon's start if later.
    pub(super) eff_arr: NaiveDate,
    /// (adults, children) at the end of the horizon.
    pub(super) fin: (u32, u32),
    /// `temp_unit` and the input unit of that id, if there is one.
    pub(super) temp: Option<(&'a str, Option<&'a Unit>)>,
    /// `perm_unit` and the input unit of that id, if there is one.
    pub(super) perm: Option<(&'a str, Option<&'a Unit>)>,
}

impl<'a> Case<'a> {
    pub(super) fn new(
        sc: &'a Scenario,
        inputs: &'a Inputs,
        h: &'a Household,
        r: &'a HashMap<String, String>,
    ) -> Case<'a> {
        let temp_unit = get(r, "temp_unit");
        let perm_unit = get(r, "perm_unit");
        Case {
            sc,
            inputs,
            h,
            r,
            id: &h.id,
            status: get(r, "status").unwrap_or(""),
            reason: get(r, "reason").unwrap_or(""),
            reason_code: get(r, "reason_code").unwrap_or(""),
            temp_unit,
            perm_unit,
            temp_from: get(r, "temp_from").and_then(parse_date),
            temp_to: get(r, "temp_to").and_then(parse_date),
            perm_from: get(r, "perm_from").and_then(parse_date),
            eff_arr: h.eff_arrival(sc),
            fin: h.final_comp(sc),
            temp: temp_unit.map(|t| (t, inputs.units.get(t))),
            perm: perm_unit.map(|p| (p, inputs.units.get(p))),
        }
    }

    /// Where the household lives: its permanent home, else its temporary site.
    pub(super) fn home(&self) -> Option<&'a Unit> {
        self.perm.and_then(|p| p.1).or(self.temp.and_then(|t| t.1))
    }
}
