//! Travel: minutes from a unit to the household's language school and work
//! place (over the network's minutes when the scenario has one, else
//! straight-line with the detour factor), the limits on them, and the
//! minutes the row reports.

use super::csv_rows::{get, num};
use super::inputs::{Household, Inputs, Place, Unit};
use super::plan_rows::Case;
use super::scenario::Scenario;

fn school_for<'a>(inputs: &'a Inputs, h: &Household, x: f64, y: f64) -> Option<&'a Place> {
    match &h.language_school {
        Some(id) => inputs.places.iter().find(|p| &p.id == id),
        None => inputs
            .places
            .iter()
            .filter(|p| p.kind == "language_school")
            .min_by(|a, b| {
                let da = (a.x - x).hypot(a.y - y);
                let db = (b.x - x).hypot(b.y - y);
                da.total_cmp(&db)
            }),
    }
}

/// Travel minutes from a unit to the household's language school: over the
/// network when the scenario names one (to the fastest school when the
/// household names none), else straight-line.
pub fn travel_minutes(sc: &Scenario, inputs: &Inputs, h: &Household, u: &Unit) -> Option<f64> {
    if let Some(net) = &inputs.network_minutes {
        let of = |p: &str| net.get(&(u.id.clone(), p.to_string())).copied();
        return match &h.language_school {
            Some(s) => of(s),
            None => inputs
                .places
                .iter()
                .filter(|p| p.kind == "language_school")
                .filter_map(|p| of(&p.id))
                .min_by(f64::total_cmp),
        };
    }
    let s = school_for(inputs, h, u.x, u.y)?;
    let km = (s.x - u.x).hypot(s.y - u.y) / 1000.0 * sc.detour_factor;
    Some(km / sc.speed_kmh * 60.0)
}

/// Travel minutes from a unit to the household's `work_place` (over the
/// network when the scenario names one, else straight-line); `None` when it
/// names none.
pub fn work_travel_minutes(sc: &Scenario, inputs: &Inputs, h: &Household, u: &Unit) -> Option<f64> {
    let id = h.work_place.as_ref()?;
    if let Some(net) = &inputs.network_minutes {
        return net.get(&(u.id.clone(), id.clone())).copied();
    }
    let p = inputs.places.iter().find(|p| &p.id == id)?;
    let km = (p.x - u.x).hypot(p.y - u.y) / 1000.0 * sc.detour_factor;
    Some(km / sc.speed_kmh * 60.0)
}

pub(super) fn check_travel(
    sc: &Scenario,
    inputs: &Inputs,
    h: &Household,
    u: &Unit,
    v: &mut Vec<String>,
) {
    match travel_minutes(sc, inputs, h, u) {
        None => v.push(format!("travel: {}: no language school found", h.id)),
        Some(m) if m > sc.max_travel_min + 1e-6 => v.push(format!(
            "travel: {} in {}: {m:.1} min > {}",
            h.id, u.id, sc.max_travel_min
        )),
        Some(_) => {}
    }
}

pub(super) fn check_work_travel(
    sc: &Scenario,
    inputs: &Inputs,
    h: &Household,
    u: &Unit,
    v: &mut Vec<String>,
) {
    if let (Some(max), Some(m)) = (
        sc.max_work_travel_min,
        work_travel_minutes(sc, inputs, h, u),
    ) && m > max + 1e-6
    {
        v.push(format!(
            "work_travel: {} in {}: {m:.1} min to work > {max}",
            h.id, u.id
        ));
    }
}

/// The row's `travel_minutes` and `work_travel_minutes` against the
/// minutes from where the household lives.
pub(super) fn check_reported_travel(c: &Case<'_>, v: &mut Vec<String>) {
    let (sc, inputs, h, r, id) = (c.sc, c.inputs, c.h, c.r, c.id);
    let home = c.home();
    // Reported travel time.
    if let Some(u) = home
        && let Some(exp) = travel_minutes(sc, inputs, h, u)
    {
        let got = num(r, "travel_minutes");
        // plan.csv rounds to 0.1 min; the straight-line check is looser.
        let tolerance = if inputs.network_minutes.is_some() {
            0.15
        } else {
            1.0
        };
        if got.is_none_or(|g| (g - exp).abs() > tolerance) {
            v.push(format!(
                "travel: {id} travel_minutes {got:?}, expected {exp:.2}"
            ));
        }
    }
    // Reported work travel: the time from where the household lives to
    // its work place, blank without one (or without a place to live).
    let expected_work = home.and_then(|u| work_travel_minutes(sc, inputs, h, u));
    let got_work = get(r, "work_travel_minutes");
    let tolerance = if inputs.network_minutes.is_some() {
        0.15
    } else {
        1.0
    };
    let ok = match (expected_work, got_work.and_then(|g| g.parse::<f64>().ok())) {
        (None, _) => got_work.is_none(),
        (Some(exp), Some(got)) => (got - exp).abs() <= tolerance,
        (Some(_), None) => false,
    };
    if !ok {
        v.push(format!(
            "work_travel: {id} work_travel_minutes {got_work:?}, expected {expected_work:?}"
        ));
    }
}
