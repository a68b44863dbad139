//! A GTFS feed (`inputs.gtfs`: a `.zip` or a folder) turned into network
//! [`Link`]s: one link between each two consecutive stops of a stop pattern,
//! with the boarding wait of its headway, plus walking links between nearby
//! stops. The links join those of the GeoJSON `network` (if any) in one
//! graph, so the travel convention of [`crate::network`] is unchanged.
//!
//! # What is read
//!
//! `stops.txt` (`stop_id`, `stop_lat`, `stop_lon`), `routes.txt`
//! (`route_id`, `route_type`), `trips.txt` (`route_id`, `service_id`,
//! `trip_id`), `stop_times.txt` (`trip_id`, `arrival_time`,
//! `departure_time`, `stop_id`, `stop_sequence`) and `calendar.txt`
//! (`service_id`, `monday` … `sunday`, `start_date`, `end_date`). Other files
//! and columns are ignored; `calendar_dates.txt` is not read (its exceptions
//! are single dates, and the planner looks at a typical weekday, not a date),
//! and neither are `start_date`/`end_date` used: a feed holding two periods
//! (say winter and summer) for the same weekday should be cut to one.
//!
//! # From a timetable to links
//!
//! - A trip counts when its service runs on `gtfs_weekday` and it leaves its
//!   first stop inside `gtfs_window`. Times past 24:00:00 are legal in GTFS:
//!   a trip of the day before that leaves its first stop at, say, 31:10:00
//!   runs at 07:10 on the chosen weekday and counts too.
//! - Trips of one route that call at the same stops in the same order form a
//!   *pattern*. Each pattern is one service of the network (its own `line`):
//!   riding on within it costs no new wait; changing to another pattern, even
//!   of the same route, does.
//! - Link minutes between two consecutive stops: the median over the
//!   pattern's counted trips of (arrival at the next stop − departure from
//!   this one), so a dwell at a stop is not counted (feeds mostly give
//!   arrival = departure). Stops without times between two timed ones get
//!   times interpolated evenly by their position in the trip.
//! - Headway of a pattern: the window's length / its trips counted; the
//!   boarding wait is half of it, at most `gtfs_max_wait_min`. Two patterns
//!   that share a stretch are not merged into one higher frequency (a wait
//!   that is too long rather than too short).
//! - Walking links join every two stops used by a counted trip that are
//!   between `snap_m` and `gtfs_transfer_m` apart (closer ones are one node),
//!   and such a stop to every endpoint of the GeoJSON network within that
//!   distance, at `walk_kmh`.
//!
//! Every bad row is reported (file in the feed, line, field, value, what was
//! expected), up to [`MAX_ERRORS_PER_FILE`] per file and then a count.

mod feed;
mod links;
mod rows;

use std::path::Path;

use geo::Point;

use crate::findings::{Findings, Location, Severity};
use crate::network::{Link, NetworkSettings};
use feed::{FileFindings, Source, table};
use links::{patterns, ride_links, transfers};
use rows::{WEEK, day_index, read_calendar, read_routes, read_stop_times, read_stops, read_trips};

/// Errors reported per file of a feed before the rest are only counted.
pub const MAX_ERRORS_PER_FILE: usize = 20;

/// Sizes of what a feed gave, for messages and tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GtfsStats {
    pub trips: usize,
    pub trips_counted: usize,
    pub patterns: usize,
    pub ride_links: usize,
    pub walk_links: usize,
}

/// Reads a feed and turns it into links. `endpoints` are the nodes of the
/// GeoJSON network (projected), which stops near them are walked to. `None`
/// when the feed cannot be read (the findings say why).
pub fn links(
    path: &Path,
    settings: &NetworkSettings,
    endpoints: &[Point<f64>],
    findings: &mut Findings,
) -> Option<(Vec<Link>, GtfsStats)> {
    let feed = path.display().to_string();
    let errors_before = count_errors(findings);
    let mut source = Source::open(path, &feed, findings)?;

    // Read every file before giving up, so that one run lists every problem.
    let stops = table(
        &mut source,
        &feed,
        "stops.txt",
        &["stop_id", "stop_lat", "stop_lon"],
        &["stop_id", "stop_lat", "stop_lon", "location_type"],
        findings,
    );
    let routes = table(
        &mut source,
        &feed,
        "routes.txt",
        &["route_id", "route_type"],
        &["route_id", "route_type"],
        findings,
    );
    let calendar = {
        let mut required = vec!["service_id"];
        required.extend(WEEK);
        required.extend(["start_date", "end_date"]);
        table(
            &mut source,
            &feed,
            "calendar.txt",
            &required,
            &required,
            findings,
        )
    };
    let trips = table(
        &mut source,
        &feed,
        "trips.txt",
        &["route_id", "service_id", "trip_id"],
        &["route_id", "service_id", "trip_id"],
        findings,
    );
    let stop_times = table(
        &mut source,
        &feed,
        "stop_times.txt",
        &[
            "trip_id",
            "arrival_time",
            "departure_time",
            "stop_id",
            "stop_sequence",
        ],
        &[
            "trip_id",
            "arrival_time",
            "departure_time",
            "stop_id",
            "stop_sequence",
        ],
        findings,
    );

    let (stop_ids, stop_pos) = read_stops(stops.as_ref(), &feed, findings);
    let route_ids = read_routes(routes.as_ref(), &feed, findings);
    let services = read_calendar(calendar.as_ref(), &feed, findings);
    let weekday = day_index(settings.gtfs_weekday.0);
    let day_before = (weekday + 6) % 7;
    // Per trip: route index, runs on the weekday, runs on the day before.
    let (trip_ids, trip_info) = read_trips(
        trips.as_ref(),
        &feed,
        &route_ids,
        &services,
        (weekday, day_before),
        findings,
    );
    let (Some(_), Some(_), Some(_), Some(_), Some(stop_times)) =
        (stops, routes, calendar, trips, stop_times)
    else {
        return None;
    };
    let file = format!("{feed}/stop_times.txt");
    let mut ff = FileFindings::new(file.clone(), findings);
    let per_trip = read_stop_times(&stop_times, (&trip_ids, &trip_info), &stop_ids, &mut ff);
    let mut stats = GtfsStats {
        trips: trip_ids.len(),
        ..GtfsStats::default()
    };
    let patterns = patterns(per_trip, &trip_info, settings, &mut stats, &mut ff);
    ff.finish();
    if count_errors(findings) > errors_before {
        return None;
    }

    let mut used = vec![false; stop_ids.len()];
    let mut out = ride_links(&patterns, &route_ids, &stop_pos, &mut used, settings);
    stats.patterns = patterns.len();
    stats.ride_links = out.len();
    let walks = transfers(&stop_pos, &used, endpoints, settings);
    stats.walk_links = walks.len();
    out.extend(walks);
    if stats.trips_counted == 0 {
        findings.push(
            Severity::Warning,
            &feed,
            Location::File,
            None,
            format!(
                "no trip of the feed leaves its first stop on a {} between {} and {}, so the feed adds no links",
                settings.gtfs_weekday.column(),
                hhmm(settings.gtfs_window.from_s),
                hhmm(settings.gtfs_window.to_s)
            ),
            Some("check `network.gtfs_weekday` and `network.gtfs_window`, and that calendar.txt lists the feed's services".into()),
        );
    }
    Some((out, stats))
}

fn count_errors(findings: &Findings) -> usize {
    findings
        .list
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count()
}

fn hhmm(s: u32) -> String {
    format!("{:02}:{:02}", s / 3600, s / 60 % 60)
}

#[cfg(test)]
mod tests {
    use super::{Findings, GtfsStats, Link, NetworkSettings, links};
    use std::path::PathBuf;

    fn fixture() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/gtfs/feed")
    }

    /// The links of `tests/data/gtfs/feed`, worked out by hand in the
    /// README beside it: medians over the counted trips, waits of half the
    /// headway capped at 30, one walking link C – C2.
    #[test]
    fn the_fixture_gives_the_links_worked_out_by_hand() {
        let mut findings = Findings::default();
        let (got, stats) = links(&fixture(), &NetworkSettings::default(), &[], &mut findings)
            .expect("the fixture loads");
        assert!(findings.list.is_empty(), "{:?}", findings.list);
        assert_eq!(
            stats,
            GtfsStats {
                trips: 14,
                trips_counted: 11,
                patterns: 3,
                ride_links: 6,
                walk_links: 1,
            }
        );
        let summary: Vec<(String, f64, Option<f64>, bool)> = got
            .iter()
            .map(|l: &Link| {
                (
                    l.line.clone().unwrap_or_else(|| l.mode.clone().unwrap()),
                    (l.minutes * 1000.0).round() / 1000.0,
                    l.headway_min,
                    l.oneway,
                )
            })
            .collect();
        let expected = [
            ("gtfs:R1:1", 11.5, Some(30.0), true), // A → B
            ("gtfs:R1:1", 12.0, Some(30.0), true), // B → C
            ("gtfs:R1:2", 15.0, Some(60.0), true), // C → B, wait 60 capped at 30
            ("gtfs:R1:2", 10.0, Some(60.0), true), // B → A
            ("gtfs:R2:1", 10.0, Some(20.0), true), // C2 → E (E interpolated)
            ("gtfs:R2:1", 10.0, Some(20.0), true), // E → D
        ];
        for (i, (line, minutes, headway, oneway)) in expected.iter().enumerate() {
            assert_eq!(summary[i].0, *line, "link {i}");
            assert!(
                (summary[i].1 - minutes).abs() < 1e-9,
                "link {i}: {:?}",
                summary[i]
            );
            assert_eq!(summary[i].2, *headway, "link {i}");
            assert_eq!(summary[i].3, *oneway, "link {i}");
        }
        // The wait is half the (capped) headway.
        assert!((got[2].wait_min(&NetworkSettings::default()) - 30.0).abs() < 1e-9);
        assert!((got[0].wait_min(&NetworkSettings::default()) - 15.0).abs() < 1e-9);
        // C – C2: about 200 m on foot, both ways.
        let walk = &got[6];
        assert_eq!(walk.mode.as_deref(), Some("walk"));
        assert!(!walk.oneway);
        let metres = walk.minutes * NetworkSettings::default().walk_m_per_min();
        assert!((190.0..210.0).contains(&metres), "{metres}");
    }

    #[test]
    fn another_weekday_and_window_count_other_trips() {
        let settings = NetworkSettings {
            gtfs_weekday: "saturday".to_string().try_into().unwrap(),
            ..NetworkSettings::default()
        };
        let mut findings = Findings::default();
        let (got, stats) = links(&fixture(), &settings, &[], &mut findings).unwrap();
        // Only t6_saturday: A → B 40, B → C 40, wait 60 capped at 30.
        assert_eq!(stats.trips_counted, 1);
        assert_eq!(got.len(), 2);
        assert!((got[0].minutes - 40.0).abs() < 1e-9);
        assert_eq!(got[0].headway_min, Some(60.0));
        let settings = NetworkSettings {
            gtfs_window: "06:00-07:00".to_string().try_into().unwrap(),
            ..NetworkSettings::default()
        };
        let (got, _) = links(&fixture(), &settings, &[], &mut findings).unwrap();
        // Only t0_early: A → B 60, B → C 60, one trip an hour: wait 30.
        assert_eq!(got.len(), 2);
        assert!((got[0].minutes - 60.0).abs() < 1e-9);
        assert_eq!(got[0].headway_min, Some(60.0));
        assert!(findings.list.is_empty(), "{:?}", findings.list);
    }
}
