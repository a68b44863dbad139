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

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};

use geo::{Distance, Euclidean, Point};
use rstar::{RTree, primitives::GeomWithData};

use super::table::decode_text;
use crate::crs::{Crs, Transformer};
use crate::findings::{Findings, Location, Severity, closest};
use crate::network::{Link, NetworkSettings};

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

/// Where a feed's files are.
enum Source {
    Zip(zip::ZipArchive<std::fs::File>),
    Folder(PathBuf),
}

impl Source {
    /// The bytes of a file of the feed; `Ok(None)` when the feed has none.
    /// In a zip the file may also sit in one folder (a common way to zip).
    fn read(&mut self, name: &str) -> Result<Option<Vec<u8>>, String> {
        match self {
            Source::Folder(dir) => match fs_err::read(dir.join(name)) {
                Ok(b) => Ok(Some(b)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(e.to_string()),
            },
            Source::Zip(archive) => {
                let suffix = format!("/{name}");
                let Some(entry) = archive
                    .file_names()
                    .filter_map(Result::ok)
                    .filter(|n| n == name || n.ends_with(&suffix))
                    .min_by_key(|n| n.len())
                    .map(|n| n.to_string())
                else {
                    return Ok(None);
                };
                let mut file = archive.by_name(&entry).map_err(|e| e.to_string())?;
                let mut bytes = Vec::new();
                file.read_to_end(&mut bytes).map_err(|e| e.to_string())?;
                Ok(Some(bytes))
            }
        }
    }
}

/// One file of the feed being read: its name in messages and its findings,
/// with errors beyond [`MAX_ERRORS_PER_FILE`] only counted.
struct FileFindings<'a> {
    file: String,
    findings: &'a mut Findings,
    errors: usize,
}

impl<'a> FileFindings<'a> {
    fn new(file: String, findings: &'a mut Findings) -> Self {
        Self {
            file,
            findings,
            errors: 0,
        }
    }

    fn error(&mut self, line: u64, field: Option<&str>, message: String) {
        self.errors += 1;
        if self.errors <= MAX_ERRORS_PER_FILE {
            self.findings
                .error(&self.file, Location::Line(line), field, message);
        }
    }

    fn finish(self) {
        if self.errors > MAX_ERRORS_PER_FILE {
            self.findings.error(
                &self.file,
                Location::File,
                None,
                format!(
                    "{} more problems in this file are not listed",
                    self.errors - MAX_ERRORS_PER_FILE
                ),
            );
        }
    }
}

/// A CSV file of the feed with its header read.
struct Table {
    text: String,
    columns: HashMap<String, usize>,
}

impl Table {
    fn col(&self, name: &str) -> Option<usize> {
        self.columns.get(name).copied()
    }

    /// Each record with its line number (the header is line 1).
    fn records(&self) -> impl Iterator<Item = (u64, Result<csv::StringRecord, csv::Error>)> + '_ {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(self.text.as_bytes());
        // Skip the header (already read).
        let _ = reader.headers();
        reader.into_records().map(|r| {
            let line = match &r {
                Ok(rec) => rec.position().map_or(0, csv::Position::line),
                Err(e) => e.position().map_or(0, csv::Position::line),
            };
            (line, r)
        })
    }
}

/// A field of a record: trimmed, `None` when empty or absent.
fn field(rec: &csv::StringRecord, col: Option<usize>) -> Option<&str> {
    col.and_then(|c| rec.get(c)).filter(|v| !v.is_empty())
}

/// Reads one required file of the feed and checks its columns.
fn table(
    source: &mut Source,
    feed: &str,
    name: &str,
    required: &[&str],
    known: &[&str],
    findings: &mut Findings,
) -> Option<Table> {
    let file = format!("{feed}/{name}");
    let bytes = match source.read(name) {
        Ok(Some(b)) => b,
        Ok(None) => {
            let hint = (name == "calendar.txt").then(|| {
                "a feed whose services are all in calendar_dates.txt is not supported: the planner reads the weekly calendar".to_string()
            });
            findings.push(
                Severity::Error,
                feed,
                Location::File,
                None,
                format!(
                    "found no {name} in the feed, expected the GTFS files stops.txt, routes.txt, trips.txt, stop_times.txt and calendar.txt"
                ),
                hint,
            );
            return None;
        }
        Err(e) => {
            findings.error(
                &file,
                Location::File,
                None,
                format!("cannot read the file: {e}"),
            );
            return None;
        }
    };
    let text = decode_text(&file, &bytes, findings)?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(str::to_string).collect(),
        Err(e) => {
            findings.error(
                &file,
                Location::Line(1),
                None,
                format!("cannot read the header: {e}"),
            );
            return None;
        }
    };
    let mut missing = false;
    for column in required {
        if !headers.iter().any(|h| h == column) {
            let unknown = headers
                .iter()
                .map(String::as_str)
                .filter(|h| !known.contains(h));
            let hint = closest(column, unknown)
                .map(|h| format!("is the column `{h}` meant to be `{column}`?"));
            findings.push(
                Severity::Error,
                &file,
                Location::Line(1),
                Some(column),
                format!(
                    "found the columns {}, expected a column `{column}` too (GTFS requires it)",
                    headers.join(", ")
                ),
                hint,
            );
            missing = true;
        }
    }
    if missing {
        return None;
    }
    let columns = headers
        .iter()
        .enumerate()
        .map(|(i, h)| (h.clone(), i))
        .collect();
    Some(Table { text, columns })
}

/// A GTFS time `H:MM:SS` (hours may pass 24) in seconds after midnight.
fn parse_time(raw: &str) -> Option<u32> {
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

/// The weekday before, as a `calendar.txt` column index (0 = monday).
fn day_index(w: chrono::Weekday) -> usize {
    w.num_days_from_monday() as usize
}

const WEEK: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// A stop pattern: a route's index and the stops it calls at, in order.
type Pattern = (u32, Vec<u32>);

/// (arrival, departure) at each call of a trip, seconds after midnight.
type TripTimes = Vec<(u32, u32)>;

/// A stop time as read: line, sequence, stop index, arrival and departure.
#[derive(Debug, Clone, Copy)]
struct StopTime {
    line: u64,
    sequence: u32,
    stop: u32,
    arrival: Option<u32>,
    departure: Option<u32>,
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
    let mut source = if path.is_dir() {
        Source::Folder(path.to_path_buf())
    } else if path.is_file() {
        let opened = std::fs::File::open(path)
            .map_err(|e| e.to_string())
            .and_then(|f| zip::ZipArchive::new(f).map_err(|e| e.to_string()));
        match opened {
            Ok(a) => Source::Zip(a),
            Err(e) => {
                findings.push(
                    Severity::Error,
                    &feed,
                    Location::File,
                    None,
                    format!("cannot read the file as a zip archive ({e}), expected a GTFS feed: a .zip or a folder of .txt files"),
                    None,
                );
                return None;
            }
        }
    } else {
        findings.missing_input(&feed);
        return None;
    };

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
    // Patterns: (route, stops in order) → the times (arrival, departure) of
    // each counted trip.
    let mut patterns: BTreeMap<Pattern, Vec<TripTimes>> = BTreeMap::new();
    let mut stats = GtfsStats {
        trips: trip_ids.len(),
        ..GtfsStats::default()
    };
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
        let Some(times) = trip_times(&calls, &mut ff) else {
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
    ff.finish();
    if count_errors(findings) > errors_before {
        return None;
    }

    let mut out = Vec::new();
    let mut used = vec![false; stop_ids.len()];
    let route_names: Vec<&str> = {
        let mut v = vec![""; route_ids.len()];
        for (name, r) in &route_ids {
            v[r.index as usize] = name.as_str();
        }
        v
    };
    let mut number_in_route: HashMap<u32, usize> = HashMap::new();
    for ((route, stops), trips) in &patterns {
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
fn transfers(
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

/// `stops.txt`: stop ids → index, and each stop's projected position
/// (`None` for a stop without coordinates, which GTFS allows for generic
/// nodes and boarding areas).
fn read_stops(
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
struct Route {
    index: u32,
    route_type: u32,
}

fn read_routes(
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
fn read_calendar(
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
struct TripInfo {
    route: u32,
    runs_today: bool,
    runs_day_before: bool,
}

fn read_trips(
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

#[cfg(test)]
mod tests {
    use super::{Findings, GtfsStats, Link, NetworkSettings, links, median, mode_name, parse_time};
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
