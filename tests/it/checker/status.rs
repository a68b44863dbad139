//! A row's status agrees with its columns: the units and dates each status
//! needs (and no others), a reason unless permanent, the household's type
//! and persons, and a household arriving after the horizon left unplaced.

use super::composition::household_type;
use super::csv_rows::{get, num};
use super::plan_rows::Case;

/// The status, its columns, the household type and the persons.
pub(super) fn check_status(c: &Case<'_>, v: &mut Vec<String>) {
    let (id, r, status) = (c.id, c.r, c.status);
    let fin = c.fin;
    match status {
        "permanent" => {
            if c.perm_unit.is_none() || c.perm_from.is_none() {
                v.push(format!(
                    "status: {id} permanent without perm_unit/perm_from"
                ));
            }
        }
        "temporary_only" => {
            if c.temp_unit.is_none() || c.temp_from.is_none() || c.temp_to.is_none() {
                v.push(format!(
                    "status: {id} temporary_only without temp_unit/temp_from/temp_to"
                ));
            }
            if c.perm_unit.is_some() || get(r, "perm_from").is_some() {
                v.push(format!("status: {id} temporary_only with a permanent home"));
            }
        }
        "unplaced" => {
            if c.temp_unit.is_some() || c.perm_unit.is_some() {
                v.push(format!("status: {id} unplaced but has a unit"));
            }
        }
        other => v.push(format!("status: {id} has unknown status {other:?}")),
    }
    if status != "permanent" && c.reason.is_empty() {
        v.push(format!("status: {id} is {status} without a reason"));
    }
    if c.temp_unit.is_some() != (c.temp_from.is_some() && c.temp_to.is_some()) {
        v.push(format!(
            "status: {id} temp_unit and temp dates not given together (or bad dates)"
        ));
    }
    if c.perm_unit.is_some() != c.perm_from.is_some() {
        v.push(format!(
            "status: {id} perm_unit and perm_from not given together (or bad date)"
        ));
    }
    let ty = get(r, "household_type").unwrap_or("");
    // The type over the plan: with the members who join inside the horizon.
    if ty != household_type(fin) {
        v.push(format!("type: {id} household_type {ty:?}"));
    }
    if num(r, "persons") != Some(f64::from(fin.0 + fin.1)) {
        v.push(format!(
            "status: {id} persons {:?}, expected {}",
            get(r, "persons"),
            fin.0 + fin.1
        ));
    }
}

/// Whether the household arrives on or after the horizon's end; it must then
/// be unplaced with the reason code `arrival_after_horizon`, and no other
/// rule applies to it.
pub(super) fn arrives_after_horizon(c: &Case<'_>, v: &mut Vec<String>) -> bool {
    let (id, status, reason_code) = (c.id, c.status, c.reason_code);
    if c.eff_arr >= c.sc.end {
        if status != "unplaced" || reason_code != "arrival_after_horizon" {
            v.push(format!(
                "arrival: {id} arrives {} on/after the horizon end but is {status}/{reason_code}",
                c.h.arrival
            ));
        }
        return true;
    }
    false
}
