//! Broken inputs: `validate` names every problem (file, line or feature,
//! field) and exits 1; `plan` on them exits 1 and writes nothing.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

use crate::{bin, copy_dir, repo, run_plan};

/// Copies the demo (scenario and data, same relative layout) into `dir`.
fn demo_copy(dir: &Path) -> PathBuf {
    fs::create_dir_all(dir.join("scenarios")).unwrap();
    fs::copy(
        repo().join("scenarios/demo.toml"),
        dir.join("scenarios/demo.toml"),
    )
    .unwrap();
    copy_dir(&repo().join("data/demo"), &dir.join("data/demo"));
    dir.join("scenarios/demo.toml")
}

fn households(dir: &Path) -> PathBuf {
    dir.join("data/demo/households.csv")
}

/// Rewrites households.csv through `f` (rows include the header as row 0).
fn edit_households(dir: &Path, f: impl FnOnce(&mut Vec<Vec<String>>)) {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(households(dir))
        .unwrap();
    let mut rows: Vec<Vec<String>> = rdr
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    f(&mut rows);
    let mut w = csv::Writer::from_path(households(dir)).unwrap();
    for r in rows {
        w.write_record(r).unwrap();
    }
    w.flush().unwrap();
}

fn col(rows: &[Vec<String>], name: &str) -> usize {
    rows[0].iter().position(|h| h == name).unwrap()
}

/// Removes the closing position of the first ring of district feature `n` (from 1).
fn open_district_ring(dir: &Path, n: usize) {
    let path = dir.join("data/demo/districts.geojson");
    let mut v: Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
    let geom = &mut v["features"][n - 1]["geometry"];
    let ring = match geom["type"].as_str().unwrap() {
        "Polygon" => &mut geom["coordinates"][0],
        _ => &mut geom["coordinates"][0][0],
    };
    let ring = ring.as_array_mut().unwrap();
    ring.pop();
    assert_ne!(ring.first(), ring.last());
    fs::write(&path, serde_json::to_string_pretty(&v).unwrap()).unwrap();
}

fn validate(scenario: &Path) -> Output {
    bin()
        .arg("validate")
        .arg(scenario)
        .output()
        .expect("cannot start boligplan")
}

/// Asserts one stderr line names the file, the place (`line N` / `feature N`) and the field.
fn assert_reported(out: &Output, file: &str, place: &str, field: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr
            .lines()
            .any(|l| l.contains(file) && l.contains(place) && l.contains(field)),
        "no stderr line names {file}, {place} and {field}:\n{stderr}"
    );
}

fn assert_exit(out: &Output, code: i32) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "stderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `plan` on broken inputs exits 1 and leaves no output directory.
fn assert_plan_refuses(scenario: &Path, tmp: &Path) {
    let out_dir = tmp.join("out");
    let o = run_plan(scenario, &out_dir);
    assert_exit(&o, 1);
    assert!(!out_dir.exists(), "plan left {} behind", out_dir.display());
}

#[test]
fn the_unbroken_demo_validates() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = demo_copy(tmp.path());
    assert_exit(&validate(&scenario), 0);
}

#[test]
fn missing_column() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = demo_copy(tmp.path());
    edit_households(tmp.path(), |rows| {
        let c = col(rows, "children");
        for r in rows.iter_mut() {
            r.remove(c);
        }
    });
    let o = validate(&scenario);
    assert_exit(&o, 1);
    assert_reported(&o, "households.csv", "line 1", "children");
    assert_plan_refuses(&scenario, tmp.path());
}

#[test]
fn bad_date() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = demo_copy(tmp.path());
    edit_households(tmp.path(), |rows| {
        let c = col(rows, "arrival");
        rows[2][c] = "2026-13-01".into(); // line 3
    });
    let o = validate(&scenario);
    assert_exit(&o, 1);
    assert_reported(&o, "households.csv", "line 3", "arrival");
    assert_plan_refuses(&scenario, tmp.path());
}

#[test]
fn unknown_language_school() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = demo_copy(tmp.path());
    edit_households(tmp.path(), |rows| {
        let c = col(rows, "language_school");
        rows[3][c] = "NO-SUCH-SCHOOL".into(); // line 4
    });
    let o = validate(&scenario);
    assert_exit(&o, 1);
    assert_reported(&o, "households.csv", "line 4", "language_school");
    assert_plan_refuses(&scenario, tmp.path());
}

#[test]
fn duplicate_household_id() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = demo_copy(tmp.path());
    edit_households(tmp.path(), |rows| {
        rows[4][0] = rows[1][0].clone(); // line 5 repeats line 2's id
    });
    let o = validate(&scenario);
    assert_exit(&o, 1);
    assert_reported(&o, "households.csv", "line 5", "id");
    assert_plan_refuses(&scenario, tmp.path());
}

#[test]
fn district_ring_not_closed() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = demo_copy(tmp.path());
    open_district_ring(tmp.path(), 2);
    let o = validate(&scenario);
    assert_exit(&o, 1);
    assert_reported(&o, "districts.geojson", "feature 2", "geometry");
    assert_plan_refuses(&scenario, tmp.path());
}

#[test]
fn every_problem_is_reported_at_once() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = demo_copy(tmp.path());
    edit_households(tmp.path(), |rows| {
        let arrival = col(rows, "arrival");
        let school = col(rows, "language_school");
        rows[2][arrival] = "2026-13-01".into();
        rows[3][school] = "NO-SUCH-SCHOOL".into();
        rows[4][0] = rows[1][0].clone();
    });
    open_district_ring(tmp.path(), 2);
    let o = validate(&scenario);
    assert_exit(&o, 1);
    assert_reported(&o, "households.csv", "line 3", "arrival");
    assert_reported(&o, "households.csv", "line 4", "language_school");
    assert_reported(&o, "households.csv", "line 5", "id");
    assert_reported(&o, "districts.geojson", "feature 2", "geometry");
    assert_plan_refuses(&scenario, tmp.path());
}

#[test]
fn failed_plan_leaves_an_earlier_output_as_it_was() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = demo_copy(tmp.path());
    let out_dir = tmp.path().join("out");
    fs::create_dir_all(&out_dir).unwrap();
    fs::write(out_dir.join("plan.csv"), "earlier plan\n").unwrap();
    edit_households(tmp.path(), |rows| {
        let c = col(rows, "arrival");
        rows[2][c] = "not a date".into();
    });
    assert_exit(&run_plan(&scenario, &out_dir), 1);
    assert_eq!(
        fs::read_to_string(out_dir.join("plan.csv")).unwrap(),
        "earlier plan\n"
    );
    let entries: Vec<_> = fs::read_dir(&out_dir).unwrap().collect();
    assert_eq!(entries.len(), 1, "plan wrote into the earlier output dir");
    let siblings: Vec<_> = fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        siblings.len(),
        3,
        "a temporary directory was left beside out: {siblings:?}"
    );
}

#[test]
fn plan_without_arguments_is_a_usage_error() {
    let o = bin().arg("plan").output().unwrap();
    assert_exit(&o, 2);
}
