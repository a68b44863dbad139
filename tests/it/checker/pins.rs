//! Pins: a household's pin is honoured or the row says why not, and the
//! rules an officer forced (`--force`) for pinned households are accepted
//! only as the README allows.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde_json::Value;

use super::inputs::Inputs;
use super::plan_rows::Case;

/// The rules an officer forced (`--force`) for pinned households: the pairs
/// (household, rule) whose violations the plan may contain. An exemption is
/// accepted only for a pinned household in its pinned dwelling, for a rule
/// about the household and its own home, with a reason recorded in
/// summary.json; anything else is itself a violation.
pub(super) fn forced_exemptions(
    inputs: &Inputs,
    plan: &[HashMap<String, String>],
    out_dir: &Path,
    v: &mut Vec<String>,
) -> HashSet<(String, String)> {
    const FORCEABLE: [&str; 6] = [
        "work_travel",
        "size",
        "affordability",
        "accessibility",
        "forbidden_district",
        "travel",
    ];
    let mut out = HashSet::new();
    let summary: Value = std::fs::read_to_string(out_dir.join("summary.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Null);
    let run = &summary["run"];
    let reason = run["force"].as_str().unwrap_or("").trim().to_string();
    let mut pins: HashMap<String, String> = inputs
        .households
        .iter()
        .filter_map(|h| h.locked_unit.clone().map(|u| (h.id.clone(), u)))
        .collect();
    for p in run["pins"].as_array().into_iter().flatten() {
        if let Some((h, u)) = p.as_str().and_then(|p| p.split_once('=')) {
            pins.insert(h.to_string(), u.to_string());
        }
    }
    for r in plan {
        let Some(cell) = r.get("pin").filter(|c| c.starts_with("forced")) else {
            continue;
        };
        let id = r.get("household_id").cloned().unwrap_or_default();
        let Some(rules) = cell
            .strip_prefix("forced (")
            .and_then(|c| c.split_once(')'))
            .map(|(rules, _)| rules)
        else {
            v.push(format!(
                "pin: {id} pin cell {cell:?} is not `forced (rules): reason`"
            ));
            continue;
        };
        let home = r
            .get("perm_unit")
            .filter(|u| !u.is_empty())
            .or(r.get("temp_unit"));
        if reason.is_empty() || !cell.ends_with(&reason) {
            v.push(format!("pin: {id} forced without the run's --force reason"));
            continue;
        }
        if pins.get(&id) != home {
            v.push(format!(
                "pin: {id} forced into {home:?}, but pinned to {:?}",
                pins.get(&id)
            ));
            continue;
        }
        for rule in rules.split(", ") {
            if FORCEABLE.contains(&rule) {
                out.insert((id.clone(), rule.to_string()));
            } else {
                v.push(format!(
                    "pin: {id} forced past rule {rule}, which may not be forced"
                ));
            }
        }
    }
    out
}

/// A pinned (`locked_unit`) household lives in its pinned unit, or the
/// row's reason names the unit, the pin or the lock.
pub(super) fn check_pin(c: &Case<'_>, v: &mut Vec<String>) {
    let (h, id, reason) = (c.h, c.id, c.reason);
    let (perm_unit, temp_unit) = (c.perm_unit, c.temp_unit);
    if let Some(lock) = &h.locked_unit {
        let honoured = perm_unit == Some(lock.as_str()) || temp_unit == Some(lock.as_str());
        let rl = reason.to_lowercase();
        let mentioned =
            rl.contains(&lock.to_lowercase()) || rl.contains("pin") || rl.contains("lock");
        if !honoured && !mentioned {
            v.push(format!(
                "pin: {id} locked to {lock}, not honoured and reason {reason:?} does not say why"
            ));
        }
    }
}
