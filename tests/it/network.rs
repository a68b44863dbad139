//! Travel over a network (rule 8), on hand-made networks in
//! `tests/data/net_*` whose scenario files draw them and work out the
//! expected minutes by hand. These tests assert on `plan.csv` and
//! `summary.json` directly, and every plan must also pass the independent
//! checker, which computes network travel on its own.

use std::fs;
use std::path::{Path, PathBuf};

use super::{bin, copy_dir, data_dir, read_plan, run_plan};

/// Plans `tests/data/<case>/<toml>` into a fresh directory and returns
/// plan.csv by household and summary.json's `travel`.
fn plan(
    case: &str,
    toml: &str,
) -> (
    std::collections::HashMap<String, std::collections::HashMap<String, String>>,
    serde_json::Value,
) {
    plan_at(&data_dir().join(case).join(toml))
}

fn plan_at(
    scenario: &Path,
) -> (
    std::collections::HashMap<String, std::collections::HashMap<String, String>>,
    serde_json::Value,
) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o = run_plan(scenario, &out);
    assert!(
        o.status.success(),
        "plan {} failed:\n{}",
        scenario.display(),
        String::from_utf8_lossy(&o.stderr)
    );
    let violations = super::checker::check_plan(scenario, &out);
    assert!(
        violations.is_empty(),
        "{}: the checker found violations:\n{violations:#?}",
        scenario.display()
    );
    let summary: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    (read_plan(&out), summary["travel"].clone())
}

/// A copy of a case without its `network` input line.
fn without_network(case: &str, tmp: &Path) -> PathBuf {
    let dir = tmp.join(case);
    copy_dir(&data_dir().join(case), &dir);
    let toml = dir.join("scenario.toml");
    let text = fs::read_to_string(&toml).unwrap();
    let kept: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with("network ="))
        .collect();
    fs::write(&toml, kept.join("\n")).unwrap();
    toml
}

#[test]
fn the_fastest_route_is_not_the_shortest_line() {
    let (rows, travel) = plan("net_fastest", "scenario.toml");
    assert_eq!(rows["H1"]["perm_unit"], "U");
    // 1 walk + 4 + 4 around the north (the two features meet by snapping) + 2 walk.
    assert_eq!(rows["H1"]["travel_minutes"], "11.0");
    assert_eq!(travel["method"], "network");
}

#[test]
fn without_a_network_travel_is_straight_line_and_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let (rows, travel) = plan_at(&without_network("net_fastest", tmp.path()));
    // 10 075 m x 1.3 at 30 km/h.
    assert_eq!(rows["H1"]["travel_minutes"], "26.2");
    assert_eq!(travel["method"], "straight_line");
}

#[test]
fn a_oneway_link_reaches_one_way_only() {
    let (rows, _) = plan("net_oneway", "scenario.toml");
    assert_eq!(rows["H1"]["perm_unit"], "U_west");
    assert_eq!(rows["H1"]["travel_minutes"], "17.0");
    let h2 = &rows["H2"];
    assert_eq!(h2["status"], "unplaced");
    assert_eq!(h2["reason_code"], "travel");
    assert!(
        h2["reason"].contains("2 too far from the language school"),
        "{}",
        h2["reason"]
    );
}

#[test]
fn a_oneway_link_would_be_usable_both_ways_if_it_were_not_oneway() {
    // The same case with the link two-way: H2 now reaches S_west over it,
    // from U_east2 (141 m to Y: 1.9 + 15 = 16.9 min, a minute less than
    // U_east's 17.0), so the one-way flag is what kept it out.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("net_oneway");
    copy_dir(&data_dir().join("net_oneway"), &dir);
    let net = dir.join("network.geojson");
    let text = fs::read_to_string(&net).unwrap();
    fs::write(&net, text.replace("\"oneway\": true", "\"oneway\": false")).unwrap();
    let (rows, _) = plan_at(&dir.join("scenario.toml"));
    assert_eq!(rows["H2"]["perm_unit"], "U_east2");
    assert_eq!(rows["H2"]["travel_minutes"], "16.9");
}

#[test]
fn walking_beats_the_bus_and_riding_on_costs_one_wait() {
    let (rows, travel) = plan("net_walk", "scenario.toml");
    let by_unit: std::collections::HashMap<&str, &str> = rows
        .values()
        .map(|r| (r["perm_unit"].as_str(), r["travel_minutes"].as_str()))
        .collect();
    // 600 m on foot beats 0.7 + 15 wait + 2.
    assert_eq!(by_unit["U_near"], "8.0");
    // One wait of 15 for the ride through B1, then 8 + 2.
    assert_eq!(by_unit["U_far"], "25.0");
    assert_eq!(travel["method"], "network");
}

#[test]
fn a_bad_network_feature_is_reported_with_its_field() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("net_walk");
    copy_dir(&data_dir().join("net_walk"), &dir);
    let net = dir.join("network.geojson");
    let text = fs::read_to_string(&net).unwrap();
    // Feature 2 loses its minutes; feature 1 gets a Point.
    let text = text.replacen("\"minutes\": 2, ", "", 1).replacen(
        "\"type\": \"LineString\", \"coordinates\": [[510000, 6220000], [500650, 6220000]]",
        "\"type\": \"Point\", \"coordinates\": [510000, 6220000]",
        1,
    );
    fs::write(&net, text).unwrap();
    let o = bin()
        .arg("validate")
        .arg(dir.join("scenario.toml"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("network.geojson feature 1: field `geometry`: found a Point"),
        "{err}"
    );
    assert!(
        err.contains("network.geojson feature 2: field `minutes`: is empty"),
        "{err}"
    );
}

#[test]
fn network_settings_are_checked() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("net_fastest");
    copy_dir(&data_dir().join("net_fastest"), &dir);
    let toml = dir.join("scenario.toml");
    let text = fs::read_to_string(&toml).unwrap();
    fs::write(&toml, text.replace("walk_kmh = 4.5", "walk_kmh = 0")).unwrap();
    let o = bin().arg("validate").arg(&toml).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("network.walk_kmh"), "{err}");
}
