//! Travel over a GTFS feed: the hand-made feed of `tests/data/gtfs` (its
//! README works out every link), read as a folder and as a zip; broken
//! feeds reported like any other input; and the real Midttrafik stop points
//! of `../shared` as the stops of a feed.
//!
//! The independent checker does not read GTFS, so these tests assert the
//! hand-computed minutes themselves.

use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::checker::{lonlat_to_utm, read_csv_maps};
use crate::{bin, copy_dir, data_dir, read_plan, repo, run_plan};

/// Minutes to walk between two WGS84 points at the default 4.5 km/h, with
/// the checker's own projection.
fn walk_min(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (a, b) = (lonlat_to_utm(a.0, a.1), lonlat_to_utm(b.0, b.1));
    (a.0 - b.0).hypot(a.1 - b.1) / 75.0
}

/// Plans a scenario and returns H1's row of plan.csv and summary.json's `travel`.
fn plan_h1(scenario: &Path) -> (std::collections::HashMap<String, String>, serde_json::Value) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o = run_plan(scenario, &out);
    assert!(
        o.status.success(),
        "plan {} failed:\n{}",
        scenario.display(),
        String::from_utf8_lossy(&o.stderr)
    );
    let summary: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    (
        read_plan(&out).remove("H1").unwrap(),
        summary["travel"].clone(),
    )
}

/// The hand-computed time from stop A to stop D (README of the fixture).
fn expected_a_to_d() -> String {
    let walk = walk_min((9.00, 56.10), (9.00, 56.1018));
    format!("{:.1}", 15.0 + 11.5 + 12.0 + walk + 10.0 + 10.0 + 10.0)
}

/// A copy of the fixture in `dir` whose feed is `feed.zip`, zipped from
/// `feed/` (with deflate), its files under `folder` inside the zip if given.
fn zipped_copy(dir: &Path, folder: Option<&str>) -> PathBuf {
    copy_dir(&data_dir().join("gtfs"), dir);
    let file = fs::File::create(dir.join("feed.zip")).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let mut names: Vec<_> = fs::read_dir(dir.join("feed"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    for name in names {
        let inside = match folder {
            Some(f) => format!("{f}/{name}"),
            None => name.clone(),
        };
        zip.start_file(inside, options).unwrap();
        zip.write_all(&fs::read(dir.join("feed").join(&name)).unwrap())
            .unwrap();
    }
    zip.finish().unwrap();
    fs::remove_dir_all(dir.join("feed")).unwrap();
    let toml = dir.join("scenario.toml");
    let text = fs::read_to_string(&toml).unwrap();
    fs::write(
        &toml,
        text.replace("gtfs = \"feed\"", "gtfs = \"feed.zip\""),
    )
    .unwrap();
    toml
}

#[test]
fn travel_goes_by_bus_on_foot_and_by_train_over_the_feed() {
    let (h1, travel) = plan_h1(&data_dir().join("gtfs/scenario.toml"));
    assert_eq!(h1["perm_unit"], "U");
    assert_eq!(h1["travel_minutes"], expected_a_to_d());
    assert_eq!(travel["method"], "network");
}

#[test]
fn a_zipped_feed_gives_the_same_times() {
    let tmp = tempfile::tempdir().unwrap();
    let (h1, _) = plan_h1(&zipped_copy(&tmp.path().join("a"), None));
    assert_eq!(h1["travel_minutes"], expected_a_to_d());
    // Zipped with its folder, as many tools do.
    let (h1, _) = plan_h1(&zipped_copy(&tmp.path().join("b"), Some("gtfs-2026")));
    assert_eq!(h1["travel_minutes"], expected_a_to_d());
}

#[test]
fn a_window_without_trips_adds_no_links_and_says_so() {
    // From 10:00 no trip leaves: the feed adds no links (a warning says so)
    // and, with no other network, travel falls back to straight-line.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("gtfs");
    copy_dir(&data_dir().join("gtfs"), &dir);
    let toml = dir.join("scenario.toml");
    let text = fs::read_to_string(&toml).unwrap();
    fs::write(
        &toml,
        format!("{text}\n[network]\ngtfs_window = \"10:00-12:00\"\n"),
    )
    .unwrap();
    let o = bin().arg("validate").arg(&toml).output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(
            "no trip of the feed leaves its first stop on a tuesday between 10:00 and 12:00"
        ),
        "{err}"
    );
    let (_, travel) = plan_h1(&toml);
    assert_eq!(travel["method"], "straight_line");
}

/// `validate` on a copy of the fixture with `edit` applied to one file of
/// the feed; returns stderr, asserting exit code 1.
fn validate_broken(file: &str, edit: impl FnOnce(String) -> String) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("gtfs");
    copy_dir(&data_dir().join("gtfs"), &dir);
    let path = dir.join("feed").join(file);
    fs::write(&path, edit(fs::read_to_string(&path).unwrap())).unwrap();
    let o = bin()
        .arg("validate")
        .arg(dir.join("scenario.toml"))
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stderr).replace(&dir.display().to_string(), "DIR")
}

#[test]
fn a_feed_without_a_required_column_is_named_with_the_file_in_the_feed() {
    let err = validate_broken("stop_times.txt", |t| {
        t.replacen(
            "trip_id,arrival_time,departure_time,stop_id,stop_sequence",
            "trip_id,arrival_time,departure_time,stop_id,stop_seq",
            1,
        )
    });
    assert!(
        err.contains(
            "error: DIR/feed/stop_times.txt line 1: field `stop_sequence`: found the columns trip_id, arrival_time, departure_time, stop_id, stop_seq, expected a column `stop_sequence` too (GTFS requires it)\n"
        ),
        "{err}"
    );
    let err = validate_broken("stops.txt", |t| t.replacen("stop_lat", "stop_lt", 1));
    assert!(
        err.contains(
            "error: DIR/feed/stops.txt line 1: field `stop_lat`: found the columns stop_id, stop_name, stop_lt, stop_lon, location_type, expected a column `stop_lat` too (GTFS requires it)\n  hint: is the column `stop_lt` meant to be `stop_lat`?"
        ),
        "{err}"
    );
}

#[test]
fn bad_values_in_a_feed_are_each_reported_with_line_field_and_value() {
    let err = validate_broken("stop_times.txt", |t| {
        t.replacen("t1,07:10:00,07:10:00,B,2", "t1,7:1:00,07:10:00,B,2", 1)
            .replacen("t2,07:42:00,07:43:00,B,2", "t2,07:42:00,07:43:00,Q,2", 1)
    });
    assert!(
        err.contains("error: DIR/feed/stop_times.txt line 3: field `arrival_time`: found \"7:1:00\", expected a time like 07:05:00 (hours may pass 24: 25:10:00 is 01:10 the next morning)"),
        "{err}"
    );
    assert!(
        err.contains("error: DIR/feed/stop_times.txt line 6: field `stop_id`: found \"Q\", expected a stop_id of stops.txt"),
        "{err}"
    );
    let err = validate_broken("calendar.txt", |t| {
        t.replace("SAT,0,0,0,0,0,1", "SAT,0,0,0,0,0,yes")
    });
    assert!(
        err.contains("error: DIR/feed/calendar.txt line 4: field `saturday`: found \"yes\", expected 1 (the service runs on saturdays) or 0"),
        "{err}"
    );
}

#[test]
fn a_missing_file_in_the_feed_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("gtfs");
    copy_dir(&data_dir().join("gtfs"), &dir);
    fs::remove_file(dir.join("feed/calendar.txt")).unwrap();
    let o = bin()
        .arg("validate")
        .arg(dir.join("scenario.toml"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("feed: found no calendar.txt in the feed, expected the GTFS files stops.txt, routes.txt, trips.txt, stop_times.txt and calendar.txt"),
        "{err}"
    );
}

fn real_stops() -> PathBuf {
    repo().join("../shared/data/real/midttrafik-stops-2024/stoppunkter_4kommuner.csv")
}

/// Midttrafik's own stop points (Herning) as the stops of a feed: their
/// WGS84 positions, projected by the planner, must land on Midttrafik's own
/// UTM 32N coordinates of the same points. A dwelling placed at one stop's
/// UTM coordinates and a school at another's, joined by one timetabled
/// trip, then travel exactly wait + ride: any error in the projection would
/// add a walk.
#[test]
fn real_midttrafik_stops_load_as_a_feed_and_project_onto_their_utm_positions() {
    let path = real_stops();
    if !path.is_file() {
        eprintln!(
            "SKIPPED: {} not found (the shared real data lives outside the repository)",
            path.display()
        );
        return;
    }
    let rows = read_csv_maps(&path).unwrap();
    // Herning's regular stop points: not discontinued, not on-demand.
    let herning: Vec<_> = rows
        .iter()
        .filter(|r| {
            r["komkode"] == "0657"
                && !r["long_name"].starts_with("NEDLAGT")
                && !r["long_name"].contains("Plustur")
        })
        .collect();
    assert!(herning.len() > 500, "{} stop points", herning.len());
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("real");
    copy_dir(&data_dir().join("gtfs"), &dir);
    let feed = dir.join("feed");
    let mut stops = String::from("stop_id,stop_name,stop_lat,stop_lon\n");
    for r in &herning {
        let _ = writeln!(
            stops,
            "{},\"{}\",{},{}",
            r["stoppunkt_kode"],
            r["long_name"].replace('"', "'"),
            r["lat"],
            r["lon"]
        );
    }
    fs::write(feed.join("stops.txt"), stops).unwrap();
    // One bus from the first stop point to one far from it (more than 5 km),
    // every 20 minutes, 17 minutes' ride.
    let utm = |r: &std::collections::HashMap<String, String>| -> (f64, f64) {
        (r["utm32_e"].parse().unwrap(), r["utm32_n"].parse().unwrap())
    };
    let from = herning[0];
    let to = herning
        .iter()
        .find(|r| {
            let (a, b) = (utm(from), utm(r));
            (a.0 - b.0).hypot(a.1 - b.1) > 5000.0
        })
        .unwrap();
    fs::write(feed.join("routes.txt"), "route_id,route_type\nR,3\n").unwrap();
    let mut trips = String::from("route_id,service_id,trip_id\n");
    let mut times = String::from("trip_id,arrival_time,departure_time,stop_id,stop_sequence\n");
    for k in 0..6 {
        let (h, m) = (7 + k * 20 / 60, k * 20 % 60);
        let _ = writeln!(trips, "R,WK,t{k}");
        let _ = write!(
            times,
            "t{k},{h:02}:{m:02}:00,{h:02}:{m:02}:00,{},1\nt{k},{h:02}:{:02}:00,{h:02}:{:02}:00,{},2\n",
            from["stoppunkt_kode"],
            m + 17,
            m + 17,
            to["stoppunkt_kode"]
        );
    }
    fs::write(feed.join("trips.txt"), trips).unwrap();
    fs::write(feed.join("stop_times.txt"), times).unwrap();
    // The dwelling and the school at the stop points' own UTM coordinates.
    let (ux, uy) = utm(from);
    let (sx, sy) = utm(to);
    fs::write(
        dir.join("housing.geojson"),
        format!(
            r#"{{"type": "FeatureCollection", "crs": {{"type": "name", "properties": {{"name": "EPSG:25832"}}}}, "features": [
{{"type": "Feature", "properties": {{"id": "U", "kind": "private_rental", "tenure": "permanent", "rooms": 1, "area_m2": 40, "rent": 4000, "district": "D1"}}, "geometry": {{"type": "Point", "coordinates": [{ux}, {uy}]}}}}]}}"#
        ),
    )
    .unwrap();
    fs::write(
        dir.join("places.geojson"),
        format!(
            r#"{{"type": "FeatureCollection", "crs": {{"type": "name", "properties": {{"name": "EPSG:25832"}}}}, "features": [
{{"type": "Feature", "properties": {{"id": "S", "kind": "language_school"}}, "geometry": {{"type": "Point", "coordinates": [{sx}, {sy}]}}}}]}}"#
        ),
    )
    .unwrap();
    let o = bin()
        .arg("validate")
        .arg(dir.join("scenario.toml"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (h1, _) = plan_h1(&dir.join("scenario.toml"));
    // Wait 10 (headway 20) + ride 17; the UTM columns are whole metres, so
    // up to ~0.7 m of walk each end (0.01 min) is rounding, not error.
    assert_eq!(h1["travel_minutes"], "27.0", "{h1:?}");
}
