//! Temporary stays: the site is a lawful temporary site, the dates fit the
//! arrival, the move-in and the horizon, the site is available and
//! accessible, in no forbidden district and near enough; and every
//! household has a roof from arrival to move-in, or its row says why not.

use std::collections::HashMap;

use chrono::{Days, NaiveDate};

use super::caps::Occupancy;
use super::csv_rows::get;
use super::day_before;
use super::districts::check_district_flags;
use super::inputs::{Household, Inputs, Unit};
use super::plan_rows::Case;
use super::scenario::Scenario;
use super::travel::{check_travel, check_work_travel, travel_minutes};

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

/// The README's order of temporary places (`temporary.order`): a kind's
/// place in the list (kinds left out after it, in the README's order), then
/// the travel minutes to the school, then `cost`, then `rent`, then id.
fn site_key(sc: &Scenario, inputs: &Inputs, h: &Household, u: &Unit) -> (usize, f64, f64, f64) {
    const ALL: [&str; 4] = [
        "municipal_building",
        "private_rental",
        "social_housing",
        "container",
    ];
    let rank = sc
        .temporary_order
        .iter()
        .position(|k| *k == u.kind)
        .unwrap_or_else(|| {
            sc.temporary_order.len() + ALL.iter().position(|k| *k == u.kind).unwrap_or(ALL.len())
        });
    (
        rank,
        travel_minutes(sc, inputs, h, u).unwrap_or(0.0),
        u.cost.unwrap_or(0.0),
        u.rent,
    )
}

/// Whether a site of key `a` comes strictly before one of key `b`; travel
/// minutes within 1e-6 count as equal (they are computed independently),
/// and a full tie (broken by the planner's unit order) is no violation.
fn comes_first(a: (usize, f64, f64, f64), b: (usize, f64, f64, f64)) -> bool {
    const EPS: f64 = 1e-6;
    if a.0 != b.0 {
        return a.0 < b.0;
    }
    if (a.1 - b.1).abs() > EPS {
        return a.1 < b.1;
    }
    (a.2, a.3) < (b.2, b.3)
}

/// Every household in a temporary place is in the first place of the
/// README's order that the rules allow it and that had room for it on
/// every day of its stay. Room is judged with the plan's final occupancy:
/// a plan only adds stays while it is made, so a place with room at the end
/// had room when the choice was made. Households whose stay the officer
/// decided (a pin, an earlier plan) or that are housed only part of the
/// horizon are left out.
pub(super) fn check_site_order(
    sc: &Scenario,
    inputs: &Inputs,
    rows: &HashMap<&str, &HashMap<String, String>>,
    occupancy: &Occupancy<'_>,
    v: &mut Vec<String>,
) {
    let days = usize::try_from((sc.end - sc.start).num_days()).unwrap_or(0);
    let index = |d: NaiveDate| usize::try_from((d - sc.start).num_days()).unwrap_or(0);
    // Persons in each site on each day.
    let mut load: HashMap<&str, Vec<u32>> = HashMap::new();
    for (tid, stays) in &occupancy.temp_stays {
        let l = load.entry(tid).or_insert_with(|| vec![0; days]);
        for (h, f, t) in stays {
            let (from, to) = (index(*f).min(days), index(*t).min(days));
            for (i, persons) in l.iter_mut().enumerate().take(to).skip(from) {
                let c = h.comp_at(sc, sc.start + Days::new(i as u64));
                *persons += c.0 + c.1;
            }
        }
    }
    for h in &inputs.households {
        let Some(r) = rows.get(h.id.as_str()) else {
            continue;
        };
        let c = Case::new(sc, inputs, h, r);
        let decided =
            get(r, "pin").is_some() || get(r, "previous").is_some() || h.locked_unit.is_some();
        let (Some((tid, Some(chosen))), Some(tf), Some(tt)) = (c.temp, c.temp_from, c.temp_to)
        else {
            continue;
        };
        if decided || c.reason.contains("housed until") {
            continue;
        }
        let key = site_key(sc, inputs, h, chosen);
        let lawful = |u: &Unit| {
            let mut broken = Vec::new();
            check_district_flags(sc, inputs, &h.id, u, &mut broken);
            check_travel(sc, inputs, h, u, &mut broken);
            check_work_travel(sc, inputs, h, u, &mut broken);
            broken.is_empty()
                && (!h.needs_accessible || u.accessible)
                && u.available_from.is_none_or(|a| a <= tf)
                && u.available_until.is_none_or(|a| day_before(tt) <= a)
        };
        let room = |u: &Unit| {
            let cap = u.capacity.unwrap_or(0.0);
            let l = load.get(u.id.as_str());
            (index(tf)..index(tt).min(days)).all(|i| {
                let p = h.comp_at(sc, sc.start + Days::new(i as u64));
                f64::from(l.map_or(0, |l| l[i]) + p.0 + p.1) <= cap
            })
        };
        let first = inputs
            .units
            .values()
            .filter(|u| u.temporary && u.id != tid)
            .filter(|u| comes_first(site_key(sc, inputs, h, u), key))
            .find(|u| lawful(u) && room(u));
        if let Some(u) = first {
            v.push(format!(
                "temporary_order: {} in {tid} from {tf} to {tt}, but {} ({}) comes first and had room",
                h.id, u.id, u.kind
            ));
        }
    }
}
