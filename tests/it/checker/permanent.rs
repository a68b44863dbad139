//! The static rules of a permanent home: a dwelling (not a temporary site),
//! moved into inside the horizon and after arrival, available from move-in
//! to the horizon's end, accessible when needed, large enough after a
//! reunion, affordable, in no forbidden district and near enough.

use chrono::NaiveDate;

use super::caps::Occupancy;
use super::csv_rows::get;
use super::day_before;
use super::districts::check_district_flags;
use super::inputs::Unit;
use super::money::check_affordability;
use super::plan_rows::Case;
use super::travel::{check_travel, check_work_travel};

/// The row's permanent home, recorded in `occupancy` for the rules across
/// households.
pub(super) fn check_home<'a>(c: &Case<'a>, occupancy: &mut Occupancy<'a>, v: &mut Vec<String>) {
    let (id, fin) = (c.id, c.fin);
    let (Some((pid, pu)), Some(pf)) = (c.perm, c.perm_from) else {
        return;
    };
    match pu {
        None => v.push(format!("status: {id} perm_unit {pid} is not an input unit")),
        Some(u) if u.temporary => {
            v.push(format!(
                "capacity: {id} perm_unit {pid} is a temporary site"
            ));
        }
        Some(u) => {
            occupancy.perm_users.entry(pid).or_default().push(id);
            occupancy
                .building_households
                .entry(&u.building)
                .or_default()
                .push(id);
            if let Some(d) = &u.district {
                *occupancy.district_persons.entry(d.clone()).or_default() +=
                    f64::from(fin.0 + fin.1);
            }
            // A home moved into before the start is a fact of the earlier
            // plan (`--previous`): it keeps its real date, and is judged
            // from the start.
            let fact = pf < c.sc.start
                && get(c.r, "previous") == Some("kept")
                && get(c.r, "pin").is_some();
            check_static(c, pid, u, if fact { c.eff_arr } else { pf }, v);
        }
    }
}

/// The static rules of dwelling `u` for the household moving in on `pf`.
fn check_static(c: &Case<'_>, pid: &str, u: &Unit, pf: NaiveDate, v: &mut Vec<String>) {
    let (sc, inputs, h, id) = (c.sc, c.inputs, c.h, c.id);
    let (eff_arr, fin) = (c.eff_arr, c.fin);
    if pf < eff_arr {
        v.push(format!(
            "dates: {id} perm_from {pf} before arrival/start {eff_arr}"
        ));
    }
    if pf >= sc.end {
        v.push(format!("dates: {id} perm_from {pf} not inside the horizon"));
    }
    if u.available_from.is_some_and(|a| pf < a) {
        v.push(format!(
            "availability: {id} moves into {pid} on {pf} before available_from"
        ));
    }
    if u.available_until.is_some_and(|a| a < day_before(sc.end)) {
        v.push(format!(
            "availability: {pid} not available to the horizon end"
        ));
    }
    if h.needs_accessible && !u.accessible {
        v.push(format!(
            "accessibility: {id} needs access, home {pid} is not accessible"
        ));
    }
    // Size against the household after a reunion inside the horizon.
    let persons = f64::from(fin.0 + fin.1);
    let by_rooms = u
        .rooms
        .is_some_and(|r| persons <= sc.max_persons_per_room * r);
    let by_area = u
        .area_m2
        .is_some_and(|a| a >= sc.min_m2_per_person * persons);
    if !by_rooms && !by_area {
        v.push(format!(
            "size: {id} ({persons} persons) does not fit {pid} ({:?} rooms, {:?} m2)",
            u.rooms, u.area_m2
        ));
    }
    check_affordability(c, pid, pf, u, v);
    check_district_flags(sc, inputs, id, u, v);
    check_travel(sc, inputs, h, u, v);
    check_work_travel(sc, inputs, h, u, v);
}

/// The rules that can leave a household without any lawful dwelling.
const STATIC_CODES: [&str; 7] = [
    "availability",
    "forbidden_district",
    "accessibility",
    "size",
    "affordability",
    "travel",
    "work_travel",
];

/// A household left without a permanent home because of a rule (its
/// `reason_code` is a static rule) has no dwelling that passes every static
/// rule on any day it could move in: the first day it and the dwelling are
/// both there, or its reunion day inside the horizon (on which its income
/// and housing benefit change). A lawful home missed is reported as
/// `missed`.
pub(super) fn check_no_home_missed(c: &Case<'_>, v: &mut Vec<String>) {
    let (sc, inputs, h, id) = (c.sc, c.inputs, c.h, c.id);
    if c.perm.is_some() || !STATIC_CODES.contains(&c.reason_code) || h.locked_unit.is_some() {
        return;
    }
    let reunion = h.reunion_in_horizon(sc);
    for u in inputs.units.values().filter(|u| !u.temporary) {
        let first = u.available_from.map_or(c.eff_arr, |a| a.max(c.eff_arr));
        let days = std::iter::once(first).chain(reunion.filter(|&r| r > first));
        for day in days.filter(|&d| d < sc.end) {
            let mut broken = Vec::new();
            check_static(c, &u.id, u, day, &mut broken);
            if broken.is_empty() {
                v.push(format!(
                    "missed: {id} is told `{}` but {} passes every rule from {day}",
                    c.reason_code, u.id
                ));
                return;
            }
        }
    }
}
