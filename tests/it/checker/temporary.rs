//! Temporary stays: the site is a lawful temporary site, the dates fit the
//! arrival, the move-in and the horizon, the site is available and
//! accessible, in no forbidden district and near enough; and every
//! household has a roof from arrival to move-in, or its row says why not.

use super::caps::Occupancy;
use super::day_before;
use super::districts::check_district_flags;
use super::plan_rows::Case;
use super::travel::{check_travel, check_work_travel};

/// The row's temporary stay, recorded in `occupancy` for the site's
/// capacity per day.
pub(super) fn check_stay<'a>(c: &Case<'a>, occupancy: &mut Occupancy<'a>, v: &mut Vec<String>) {
    let (sc, inputs, h, id) = (c.sc, c.inputs, c.h, c.id);
    let (eff_arr, perm_from, reason) = (c.eff_arr, c.perm_from, c.reason);
    let (Some((tid, tu)), Some(tf), Some(tt)) = (c.temp, c.temp_from, c.temp_to) else {
        return;
    };
    match tu {
        None => v.push(format!("status: {id} temp_unit {tid} is not an input unit")),
        Some(u) if !u.temporary => {
            v.push(format!(
                "capacity: {id} temp_unit {tid} is a permanent dwelling"
            ));
        }
        Some(u) => {
            if tf < eff_arr {
                v.push(format!(
                    "dates: {id} temp_from {tf} before arrival/start {eff_arr}"
                ));
            }
            if tt <= tf {
                v.push(format!("dates: {id} temp_to {tt} not after temp_from {tf}"));
            }
            if tt > sc.end {
                v.push(format!(
                    "dates: {id} temp_to {tt} after the horizon end {}",
                    sc.end
                ));
            }
            match perm_from {
                Some(pf) if tt != pf => {
                    v.push(format!("dates: {id} temp_to {tt} != perm_from {pf}"));
                }
                // A stay may end early only when the plan says so:
                // no site has room for the rest of the horizon.
                None if tt != sc.end && !reason.contains("housed until") => {
                    v.push(format!(
                        "dates: {id} temporary only, temp_to {tt} != horizon end {}",
                        sc.end
                    ));
                }
                _ => {}
            }
            if u.available_from.is_some_and(|a| tf < a) {
                v.push(format!(
                    "availability: {id} enters {tid} on {tf} before available_from"
                ));
            }
            if u.available_until.is_some_and(|a| day_before(tt) > a) {
                v.push(format!(
                    "availability: {id} stays in {tid} until {tt} past available_until"
                ));
            }
            if h.needs_accessible && !u.accessible {
                v.push(format!(
                    "accessibility: {id} needs access, temp {tid} is not accessible"
                ));
            }
            check_district_flags(sc, inputs, id, u, v);
            check_travel(sc, inputs, h, u, v);
            check_work_travel(sc, inputs, h, u, v);
            occupancy
                .temp_stays
                .entry(tid)
                .or_default()
                .push((h, tf, tt));
        }
    }
}

/// A roof from arrival to move-in, or from arrival for a temporary stay
/// alone, unless the row's reason says why not.
pub(super) fn check_roof(c: &Case<'_>, v: &mut Vec<String>) {
    let (id, eff_arr, reason) = (c.id, c.eff_arr, c.reason);
    let (temp, perm, temp_from, temp_to) = (c.temp, c.perm, c.temp_from, c.temp_to);
    if let (Some(_), Some(pf)) = (perm, c.perm_from) {
        // A roof from arrival to move-in.
        if pf > eff_arr {
            let covered = temp_from == Some(eff_arr) && temp_to == Some(pf) && temp.is_some();
            if !covered && reason.is_empty() {
                v.push(format!(
                    "roof: {id} arrives {eff_arr}, moves in {pf}, no temporary place covers the gap and the row says nothing"
                ));
            }
        }
    }
    if perm.is_none()
        && temp.is_some()
        && temp_from.is_some_and(|tf| tf > eff_arr)
        && reason.is_empty()
    {
        v.push(format!(
            "roof: {id} without a place from {eff_arr} and the row says nothing"
        ));
    }
}
