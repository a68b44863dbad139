//! The rows of a GTFS feed's files into typed data: `stops.txt` (positions
//! projected to the working CRS), `routes.txt`, `calendar.txt` (the weekdays
//! each service runs), `trips.txt` and `stop_times.txt`. Every bad row is a
//! finding naming the file in the feed, its line and field; the row is left
//! out and the reading goes on, so one run lists every problem.

use std::collections::HashMap;

use geo::Point;

use super::feed::{FileFindings, Table, field};
use crate::crs::{Crs, Transformer};
use crate::findings::{Findings, Location};

/// A GTFS time `H:MM:SS` (hours may pass 24) in seconds after midnight.
pub(super) fn parse_time(raw: &str) -> Option<u32> {
    let mut parts = raw.split(':');
    let (h, m, s) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || h.is_empty() || m.len() != 2 || s.len() != 2 {
        return None;
    }
    let all_digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if !(all_digits(h) && all_digits(m) && all_digits(s)) {
        return None;
    }
    let (h, m, s) = (
        h.parse::<u32>().ok()?,
        m.parse::<u32>().ok()?,
        s.parse::<u32>().ok()?,
    );
    // `then`, not `then_some`: the sum must not be computed for a huge `h`
    // (found by fuzzing: 066666666:50:00 overflowed).
    (m < 60 && s < 60 && h < 240).then(|| h * 3600 + m * 60 + s)
}

/// The weekday before, as a `calendar.txt` column index (0 = monday).
pub(super) fn day_index(w: chrono::Weekday) -> usize {
    w.num_days_from_monday() as usize
}

pub(super) const WEEK: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// A stop time as read: line, sequence, stop index, arrival and departure.
#[derive(Debug, Clone, Copy)]
pub(super) struct StopTime {
    pub(super) line: u64,
    pub(super) sequence: u32,
    pub(super) stop: u32,
    pub(super) arrival: Option<u32>,
    pub(super) departure: Option<u32>,
}

/// `stops.txt`: stop ids → index, and each stop's projected position
/// (`None` for a stop without coordinates, which GTFS allows for generic
/// nodes and boarding areas).
pub(super) fn read_stops(
    table: Option<&Table>,
    feed: &str,
    findings: &mut Findings,
) -> (HashMap<String, u32>, Vec<Option<Point<f64>>>) {
    let mut ids = HashMap::new();
    let mut pos = Vec::new();
    let Some(t) = table else {
        return (ids, pos);
    };
    let to_working = Transformer::to_working(Crs::WGS84);
    let mut ff = FileFindings::new(format!("{feed}/stops.txt"), findings);
    let (c_id, c_lat, c_lon, c_type) = (
        t.col("stop_id"),
        t.col("stop_lat"),
        t.col("stop_lon"),
        t.col("location_type"),
    );
    let mut first_line: HashMap<String, u64> = HashMap::new();
    for (line, rec) in t.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                ff.error(line, None, format!("cannot read the row: {e}"));
                continue;
            }
        };
        if rec.iter().all(str::is_empty) {
            continue;
        }
        let Some(id) = field(&rec, c_id) else {
            ff.error(line, Some("stop_id"), "is empty, expected an id".into());
            continue;
        };
        if let Some(before) = first_line.get(id) {
            ff.error(
                line,
                Some("stop_id"),
                format!(
                    "found \"{id}\" again (first on line {before}), expected each stop_id once"
                ),
            );
            continue;
        }
        first_line.insert(id.to_string(), line);
        // Generic nodes (3) and boarding areas (4) may go without a position.
        let optional = matches!(field(&rec, c_type), Some("3" | "4"));
        let mut coord = |name: &str, col, limit: f64| match field(&rec, col) {
            None if optional => None,
            None => {
                ff.error(
                    line,
                    Some(name),
                    format!("is empty, expected WGS84 degrees between -{limit} and {limit}"),
                );
                None
            }
            Some(raw) => {
                match raw.parse::<f64>() {
                    Ok(v) if v.is_finite() && v.abs() <= limit => Some(v),
                    _ => {
                        ff.error(
                        line,
                        Some(name),
                        format!("found \"{raw}\", expected WGS84 degrees between -{limit} and {limit}"),
                    );
                        None
                    }
                }
            }
        };
        let lat = coord("stop_lat", c_lat, 90.0);
        let lon = coord("stop_lon", c_lon, 180.0);
        let p = match (lon, lat) {
            (Some(lon), Some(lat)) => match to_working.point(lon, lat) {
                Ok(p) => Some(p),
                Err(e) => {
                    ff.error(line, Some("stop_lon"), e);
                    None
                }
            },
            _ => None,
        };
        ids.insert(id.to_string(), crate::ids::to_u32(pos.len()));
        pos.push(p);
    }
    ff.finish();
    (ids, pos)
}

/// A route: its index (in file order) and `route_type`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Route {
    pub(super) index: u32,
    pub(super) route_type: u32,
}

pub(super) fn read_routes(
    table: Option<&Table>,
    feed: &str,
    findings: &mut Findings,
) -> HashMap<String, Route> {
    let mut out = HashMap::new();
    let Some(t) = table else {
        return out;
    };
    let mut ff = FileFindings::new(format!("{feed}/routes.txt"), findings);
    let (c_id, c_type) = (t.col("route_id"), t.col("route_type"));
    for (line, rec) in t.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                ff.error(line, None, format!("cannot read the row: {e}"));
                continue;
            }
        };
        if rec.iter().all(str::is_empty) {
            continue;
        }
        let Some(id) = field(&rec, c_id) else {
            ff.error(line, Some("route_id"), "is empty, expected an id".into());
            continue;
        };
        let route_type = match field(&rec, c_type).map(|s| (s, s.parse::<u32>())) {
            Some((_, Ok(v))) => v,
            Some((raw, Err(_))) => {
                ff.error(
                    line,
                    Some("route_type"),
                    format!(
                        "found \"{raw}\", expected a GTFS route type such as 3 (bus) or 2 (rail)"
                    ),
                );
                continue;
            }
            None => {
                ff.error(
                    line,
                    Some("route_type"),
                    "is empty, expected a GTFS route type such as 3 (bus) or 2 (rail)".into(),
                );
                continue;
            }
        };
        if out.contains_key(id) {
            ff.error(
                line,
                Some("route_id"),
                format!("found \"{id}\" again, expected each route_id once"),
            );
            continue;
        }
        let index = crate::ids::to_u32(out.len());
        out.insert(id.to_string(), Route { index, route_type });
    }
    ff.finish();
    out
}

/// `calendar.txt`: on which weekdays each service runs.
pub(super) fn read_calendar(
    table: Option<&Table>,
    feed: &str,
    findings: &mut Findings,
) -> HashMap<String, [bool; 7]> {
    let mut out = HashMap::new();
    let Some(t) = table else {
        return out;
    };
    let mut ff = FileFindings::new(format!("{feed}/calendar.txt"), findings);
    let c_id = t.col("service_id");
    let days: Vec<Option<usize>> = WEEK.iter().map(|d| t.col(d)).collect();
    for (line, rec) in t.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                ff.error(line, None, format!("cannot read the row: {e}"));
                continue;
            }
        };
        if rec.iter().all(str::is_empty) {
            continue;
        }
        let Some(id) = field(&rec, c_id) else {
            ff.error(line, Some("service_id"), "is empty, expected an id".into());
            continue;
        };
        let mut runs = [false; 7];
        let mut ok = true;
        for (i, col) in days.iter().enumerate() {
            match field(&rec, *col) {
                Some("1") => runs[i] = true,
                Some("0") => {}
                other => {
                    ff.error(
                        line,
                        Some(WEEK[i]),
                        format!(
                            "found \"{}\", expected 1 (the service runs on {}s) or 0",
                            other.unwrap_or(""),
                            WEEK[i]
                        ),
                    );
                    ok = false;
                }
            }
        }
        for name in ["start_date", "end_date"] {
            let raw = field(&rec, t.col(name)).unwrap_or("");
            if chrono::NaiveDate::parse_from_str(raw, "%Y%m%d").is_err() {
                ff.error(
                    line,
                    Some(name),
                    format!("found \"{raw}\", expected a date like 20260131 (YYYYMMDD)"),
                );
                ok = false;
            }
        }
        if ok {
            out.insert(id.to_string(), runs);
        }
    }
    ff.finish();
    out
}

/// What the stop times need of a trip.
#[derive(Debug, Clone, Copy)]
pub(super) struct TripInfo {
    pub(super) route: u32,
    pub(super) runs_today: bool,
    pub(super) runs_day_before: bool,
}

pub(super) fn read_trips(
    table: Option<&Table>,
    feed: &str,
    routes: &HashMap<String, Route>,
    services: &HashMap<String, [bool; 7]>,
    (today, day_before): (usize, usize),
    findings: &mut Findings,
) -> (HashMap<String, usize>, Vec<TripInfo>) {
    let mut ids = HashMap::new();
    let mut info = Vec::new();
    let Some(t) = table else {
        return (ids, info);
    };
    let file = format!("{feed}/trips.txt");
    let mut ff = FileFindings::new(file.clone(), findings);
    let (c_route, c_service, c_trip) = (t.col("route_id"), t.col("service_id"), t.col("trip_id"));
    let mut without_calendar = 0usize;
    for (line, rec) in t.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                ff.error(line, None, format!("cannot read the row: {e}"));
                continue;
            }
        };
        if rec.iter().all(str::is_empty) {
            continue;
        }
        let Some(id) = field(&rec, c_trip) else {
            ff.error(line, Some("trip_id"), "is empty, expected an id".into());
            continue;
        };
        let route = match field(&rec, c_route) {
            Some(r) => match routes.get(r) {
                Some(route) => Some(route.index),
                // Unknown when routes.txt could not be read: said there.
                None if routes.is_empty() => None,
                None => {
                    ff.error(
                        line,
                        Some("route_id"),
                        format!("found \"{r}\", expected a route_id of routes.txt"),
                    );
                    None
                }
            },
            None => {
                ff.error(
                    line,
                    Some("route_id"),
                    "is empty, expected a route_id of routes.txt".into(),
                );
                None
            }
        };
        let runs = match field(&rec, c_service) {
            Some(s) => match services.get(s) {
                Some(days) => *days,
                None => {
                    without_calendar += 1;
                    [false; 7]
                }
            },
            None => {
                ff.error(
                    line,
                    Some("service_id"),
                    "is empty, expected a service_id of calendar.txt".into(),
                );
                [false; 7]
            }
        };
        if ids.contains_key(id) {
            ff.error(
                line,
                Some("trip_id"),
                format!("found \"{id}\" again, expected each trip_id once"),
            );
            continue;
        }
        let Some(route) = route else { continue };
        ids.insert(id.to_string(), info.len());
        info.push(TripInfo {
            route,
            runs_today: runs[today],
            runs_day_before: runs[day_before],
        });
    }
    ff.finish();
    if without_calendar > 0 && !services.is_empty() {
        findings.warning(
            &file,
            Location::File,
            Some("service_id"),
            format!(
                "{without_calendar} trips have a service_id that calendar.txt does not list; calendar_dates.txt is not read, so they are left out"
            ),
        );
    }
    (ids, info)
}

/// `stop_times.txt`: the calls of each trip that runs on the weekday or the
/// day before (in file order, not yet sorted), indexed like the trips; bad
/// rows are findings in `ff`, which the caller finishes.
pub(super) fn read_stop_times(
    stop_times: &Table,
    (trip_ids, trip_info): (&HashMap<String, usize>, &[TripInfo]),
    stop_ids: &HashMap<String, u32>,
    ff: &mut FileFindings<'_>,
) -> Vec<Vec<StopTime>> {
    let mut per_trip: Vec<Vec<StopTime>> = vec![Vec::new(); trip_ids.len()];
    let c = |n: &str| stop_times.col(n);
    let (c_trip, c_arr, c_dep, c_stop, c_seq) = (
        c("trip_id"),
        c("arrival_time"),
        c("departure_time"),
        c("stop_id"),
        c("stop_sequence"),
    );
    for (line, rec) in stop_times.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                ff.error(line, None, format!("cannot read the row: {e}"));
                continue;
            }
        };
        if rec.iter().all(str::is_empty) {
            continue;
        }
        let trip = match field(&rec, c_trip) {
            None => {
                ff.error(
                    line,
                    Some("trip_id"),
                    "is empty, expected a trip_id of trips.txt".into(),
                );
                None
            }
            Some(t) => match trip_ids.get(t) {
                Some(&i) => Some(i),
                None => {
                    ff.error(
                        line,
                        Some("trip_id"),
                        format!("found \"{t}\", expected a trip_id of trips.txt"),
                    );
                    None
                }
            },
        };
        let stop = match field(&rec, c_stop) {
            None => {
                ff.error(
                    line,
                    Some("stop_id"),
                    "is empty, expected a stop_id of stops.txt".into(),
                );
                None
            }
            Some(s) => match stop_ids.get(s) {
                Some(&i) => Some(i),
                None => {
                    ff.error(
                        line,
                        Some("stop_id"),
                        format!("found \"{s}\", expected a stop_id of stops.txt"),
                    );
                    None
                }
            },
        };
        let sequence = match field(&rec, c_seq).map(|s| (s, s.parse::<u32>())) {
            Some((_, Ok(v))) => Some(v),
            Some((s, Err(_))) => {
                ff.error(
                    line,
                    Some("stop_sequence"),
                    format!("found \"{s}\", expected a whole number, 0 or more"),
                );
                None
            }
            None => {
                ff.error(
                    line,
                    Some("stop_sequence"),
                    "is empty, expected a whole number, 0 or more".into(),
                );
                None
            }
        };
        let mut time = |name: &str, col| match field(&rec, col) {
            None => Some(None),
            Some(raw) => match parse_time(raw) {
                Some(t) => Some(Some(t)),
                None => {
                    ff.error(
                        line,
                        Some(name),
                        format!(
                            "found \"{raw}\", expected a time like 07:05:00 (hours may pass 24: 25:10:00 is 01:10 the next morning)"
                        ),
                    );
                    None
                }
            },
        };
        let arrival = time("arrival_time", c_arr);
        let departure = time("departure_time", c_dep);
        if let (Some(t), Some(stop), Some(sequence), Some(arrival), Some(departure)) =
            (trip, stop, sequence, arrival, departure)
        {
            let info = &trip_info[t];
            if info.runs_today || info.runs_day_before {
                per_trip[t].push(StopTime {
                    line,
                    sequence,
                    stop,
                    arrival,
                    departure,
                });
            }
        }
    }
    per_trip
}

#[cfg(test)]
mod tests {
    use super::parse_time;

    #[test]
    fn gtfs_times_may_pass_midnight() {
        assert_eq!(parse_time("07:05:00"), Some(7 * 3600 + 300));
        assert_eq!(parse_time("7:05:00"), Some(7 * 3600 + 300));
        assert_eq!(parse_time("25:10:30"), Some(25 * 3600 + 630));
        assert_eq!(parse_time("07:5:00"), None);
        assert_eq!(parse_time("07:60:00"), None);
        assert_eq!(parse_time("07:05"), None);
        assert_eq!(parse_time("-1:00:00"), None);
        assert_eq!(parse_time("066666666:50:00"), None);
        assert_eq!(parse_time("4294967295:00:00"), None);
    }
}
