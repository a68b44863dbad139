//! From the counted trips of a GTFS feed to network [`Link`]s: trips grouped
//! into stop patterns (those running in the weekday window), one ride link
//! per consecutive stop pair of a pattern (median ride, headway from the
//! trip count, capped wait, a mode from the `route_type`), stops without
//! times interpolated, and walking transfers between nearby stops and to the
//! GeoJSON network's endpoints. Pure: no I/O; bad times are findings.

use std::collections::{BTreeMap, HashMap};

use geo::{Distance, Euclidean, Point};
use rstar::{RTree, primitives::GeomWithData};

use super::GtfsStats;
use super::feed::FileFindings;
use super::rows::{Route, StopTime, TripInfo};
use crate::network::{Link, NetworkSettings};

/// A mode name for a GTFS `route_type` (basic and extended types); never one
/// of [`crate::network::UNBOARDED_MODES`].
fn mode_name(route_type: u32) -> &'static str {
    match route_type {
        0 | 900..=999 => "tram",
        1 | 400..=499 => "subway",
        2 | 100..=199 => "rail",
        3 | 700..=799 => "bus",
        200..=299 => "coach",
        4 | 1000..=1099 | 1200..=1299 => "ferry",
        5 => "cable_tram",
        6 | 1300..=1399 => "aerial_lift",
        7 | 1400..=1499 => "funicular",
        11 | 800..=899 => "trolleybus",
        12 => "monorail",
        1500..=1599 => "taxi",
        _ => "transit",
    }
}

/// A stop pattern: a route's index and the stops it calls at, in order.
pub(super) type Pattern = (u32, Vec<u32>);

/// (arrival, departure) at each call of a trip, seconds after midnight.
pub(super) type TripTimes = Vec<(u32, u32)>;

/// The counted trips grouped by stop pattern: (route, stops in order) → the
/// times (arrival, departure) of each counted trip. A trip counts when it
/// runs on the weekday and leaves its first stop inside the window, or runs
/// on the day before and leaves 24 hours later than that. Adds the counted
/// trips to `stats`; a trip whose times cannot be used is a finding in `ff`.
pub(super) fn patterns(
    per_trip: Vec<Vec<StopTime>>,
    trip_info: &[TripInfo],
    settings: &NetworkSettings,
    stats: &mut GtfsStats,
    ff: &mut FileFindings<'_>,
) -> BTreeMap<Pattern, Vec<TripTimes>> {
    // Patterns: (route, stops in order) → the times (arrival, departure) of
    // each counted trip.
    let mut patterns: BTreeMap<Pattern, Vec<TripTimes>> = BTreeMap::new();
    for (t, mut calls) in per_trip.into_iter().enumerate() {
        if calls.is_empty() {
            continue;
        }
        calls.sort_by_key(|s| s.sequence);
        if let Some(w) = calls.windows(2).find(|w| w[0].sequence == w[1].sequence) {
            ff.error(
                w[1].line,
                Some("stop_sequence"),
                format!(
                    "found {} twice in one trip (also on line {}), expected each stop_sequence of a trip once",
                    w[1].sequence, w[0].line
                ),
            );
            continue;
        }
        let Some(times) = trip_times(&calls, ff) else {
            continue;
        };
        if calls.len() < 2 {
            continue;
        }
        let info = &trip_info[t];
        let first = times[0].1;
        let window = settings.gtfs_window;
        let counted = (info.runs_today && window.contains(first))
            || (info.runs_day_before && first >= 86_400 && window.contains(first - 86_400));
        if !counted {
            continue;
        }
        stats.trips_counted += 1;
        let stops: Vec<u32> = calls.iter().map(|s| s.stop).collect();
        patterns.entry((info.route, stops)).or_default().push(times);
    }
    patterns
}

/// One link between each two consecutive stops of each pattern (both stops
/// with a position): the median ride over the pattern's trips, the headway
/// of the window's length over its trip count, the wait half of it capped at
/// `gtfs_max_wait_min`, and one `line` per pattern. Marks the stops it links
/// in `used`.
pub(super) fn ride_links(
    patterns: &BTreeMap<Pattern, Vec<TripTimes>>,
    route_ids: &HashMap<String, Route>,
    stop_pos: &[Option<Point<f64>>],
    used: &mut [bool],
    settings: &NetworkSettings,
) -> Vec<Link> {
    let mut out = Vec::new();
    let route_names: Vec<&str> = {
        let mut v = vec![""; route_ids.len()];
        for (name, r) in route_ids {
            v[r.index as usize] = name.as_str();
        }
        v
    };
    let mut number_in_route: HashMap<u32, usize> = HashMap::new();
    for ((route, stops), trips) in patterns {
        let k = number_in_route.entry(*route).or_default();
        *k += 1;
        let route_name = route_names[*route as usize];
        let mode = mode_name(route_ids[route_name].route_type);
        let headway = settings.gtfs_window.minutes() / trips.len() as f64;
        let wait = (headway / 2.0).min(settings.gtfs_max_wait_min);
        for i in 0..stops.len() - 1 {
            let (a, b) = (stops[i] as usize, stops[i + 1] as usize);
            let (Some(from), Some(to)) = (stop_pos[a], stop_pos[b]) else {
                continue;
            };
            used[a] = true;
            used[b] = true;
            let minutes = median(trips.iter().map(|t| f64::from(t[i + 1].0 - t[i].1) / 60.0));
            out.push(Link {
                feature: 0,
                from,
                to,
                minutes,
                oneway: true,
                mode: Some(mode.to_string()),
                line: Some(format!("gtfs:{route_name}:{k}")),
                headway_min: Some(2.0 * wait),
            });
        }
    }
    out
}

/// The median of some numbers (the mean of the middle two for an even count).
fn median(values: impl Iterator<Item = f64>) -> f64 {
    let mut v: Vec<f64> = values.collect();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        f64::midpoint(v[n / 2 - 1], v[n / 2])
    }
}

/// (arrival, departure) at each call of a trip, sorted by sequence: a
/// missing one of the two is the other; calls with neither get times
/// interpolated evenly between the timed calls around them. `None` (with a
/// finding) when the first or last call has no time or time runs backwards.
fn trip_times(calls: &[StopTime], ff: &mut FileFindings<'_>) -> Option<Vec<(u32, u32)>> {
    let mut times: Vec<Option<(u32, u32)>> = calls
        .iter()
        .map(|c| match (c.arrival, c.departure) {
            (Some(a), Some(d)) => Some((a, d)),
            (Some(t), None) | (None, Some(t)) => Some((t, t)),
            (None, None) => None,
        })
        .collect();
    for end in [0, calls.len() - 1] {
        if times[end].is_none() {
            ff.error(
                calls[end].line,
                Some("departure_time"),
                "is empty, expected a time: the first and last stop of a trip need one".into(),
            );
            return None;
        }
    }
    let mut last = 0;
    for i in 1..calls.len() {
        if let Some((a, d)) = times[i] {
            let (_, before) = times[last].expect("timed");
            if a < before || d < a {
                let (field, what) = if a < before {
                    ("arrival_time", "the departure from the stop before")
                } else {
                    ("departure_time", "the arrival at this stop")
                };
                ff.error(
                    calls[i].line,
                    Some(field),
                    format!(
                        "is {}, before {what}; expected times that never go back",
                        hhmm_ss(if a < before { a } else { d })
                    ),
                );
                return None;
            }
            let gap = i - last;
            for (j, slot) in times.iter_mut().enumerate().take(i).skip(last + 1) {
                let t = before + ((a - before) as usize * (j - last) / gap) as u32;
                *slot = Some((t, t));
            }
            last = i;
        }
    }
    Some(
        times
            .into_iter()
            .map(|t| t.expect("interpolated"))
            .collect(),
    )
}

fn hhmm_ss(s: u32) -> String {
    format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

/// Walking links between used stops, and from used stops to network
/// endpoints, more than `snap_m` and at most `gtfs_transfer_m` apart; in a
/// fixed order (stop order, then the other end's order).
pub(super) fn transfers(
    stop_pos: &[Option<Point<f64>>],
    used: &[bool],
    endpoints: &[Point<f64>],
    settings: &NetworkSettings,
) -> Vec<Link> {
    let reach = settings.gtfs_transfer_m;
    if reach <= settings.snap_m {
        return Vec::new();
    }
    // Index i < stops: stop i; else endpoint i − stops.
    let n = stop_pos.len();
    let mut items: Vec<GeomWithData<[f64; 2], usize>> = Vec::new();
    for (i, p) in stop_pos.iter().enumerate() {
        if let (Some(p), true) = (p, used[i]) {
            items.push(GeomWithData::new([p.x(), p.y()], i));
        }
    }
    for (i, p) in endpoints.iter().enumerate() {
        items.push(GeomWithData::new([p.x(), p.y()], n + i));
    }
    let tree = RTree::bulk_load(items);
    let at = |i: usize| {
        if i < n {
            stop_pos[i].expect("a used stop has a position")
        } else {
            endpoints[i - n]
        }
    };
    let mut out = Vec::new();
    for (i, p) in stop_pos.iter().enumerate() {
        let (Some(p), true) = (p, used[i]) else {
            continue;
        };
        let mut near: Vec<usize> = tree
            .locate_within_distance([p.x(), p.y()], reach * reach)
            .map(|g| g.data)
            .filter(|&j| j > i)
            .collect();
        near.sort_unstable();
        for j in near {
            let q = at(j);
            let d = Euclidean.distance(*p, q);
            if d > settings.snap_m {
                out.push(Link {
                    feature: 0,
                    from: *p,
                    to: q,
                    minutes: d / settings.walk_m_per_min(),
                    oneway: false,
                    mode: Some("walk".into()),
                    line: None,
                    headway_min: None,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{median, mode_name};

    #[test]
    fn medians() {
        assert!((median([3.0, 1.0, 2.0].into_iter()) - 2.0).abs() < 1e-12);
        assert!((median([4.0, 1.0, 2.0, 10.0].into_iter()) - 3.0).abs() < 1e-12);
    }

    #[test]
    fn route_types_are_boarded_modes() {
        for t in [
            0, 1, 2, 3, 4, 5, 6, 7, 11, 12, 100, 204, 700, 1000, 1501, 9999,
        ] {
            assert!(!crate::network::UNBOARDED_MODES.contains(&mode_name(t)));
        }
        assert_eq!(mode_name(3), "bus");
        assert_eq!(mode_name(109), "rail");
    }
}
