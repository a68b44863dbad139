//! Pins from the command line (issue 7): a pin honoured, a partial pin
//! honoured, a pin that breaks a rule refused with the rule's name, and
//! `--force` recorded. Every successful plan passes the independent checker,
//! which accepts a forced rule only for the pinned dwelling and with the
//! run's reason.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::{bin, checker, read_plan, repo};

fn demo() -> PathBuf {
    repo().join("scenarios").join("demo.toml")
}

fn plan_with(out: &Path, args: &[&str]) -> Output {
    bin()
        .arg("plan")
        .arg(demo())
        .arg("--out")
        .arg(out)
        .arg("--quiet")
        .args(args)
        .output()
        .expect("cannot start boligplan")
}

fn ok(out: &Path, args: &[&str]) {
    let o = plan_with(out, args);
    assert!(
        o.status.success(),
        "plan {args:?} failed:\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let violations = checker::check_plan(&demo(), out);
    assert!(violations.is_empty(), "{violations:#?}");
}

/// The district of a dwelling, read from the demo's housing file.
fn district_of(unit: &str) -> String {
    let text = std::fs::read_to_string(repo().join("data/demo/housing.geojson")).unwrap();
    let fc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let f = fc["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["properties"]["id"] == unit)
        .unwrap_or_else(|| panic!("no unit {unit}"));
    let (x, y) = (
        f["geometry"]["coordinates"][0].as_f64().unwrap(),
        f["geometry"]["coordinates"][1].as_f64().unwrap(),
    );
    let (x, y) = checker::lonlat_to_utm(x, y);
    let districts = checker::load_districts(&repo().join("data/demo/districts.geojson")).unwrap();
    checker::district_containing(&districts, x, y).unwrap()
}

#[test]
fn a_pin_to_a_dwelling_is_honoured() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    // Without the pin the optimiser gives P001 to someone else or no one.
    ok(&out, &["--pin", "H005=P001"]);
    let plan = read_plan(&out);
    assert_eq!(plan["H005"]["perm_unit"], "P001");
    assert_eq!(plan["H005"]["pin"], "followed");
    let others: Vec<_> = plan
        .values()
        .filter(|r| r["perm_unit"] == "P001")
        .map(|r| r["household_id"].clone())
        .collect();
    assert_eq!(others, ["H005"]);
}

#[test]
fn a_partial_pin_fixes_the_district_not_the_dwelling() {
    let tmp = tempfile::tempdir().unwrap();
    let free = tmp.path().join("free");
    ok(&free, &[]);
    let before = read_plan(&free);
    assert_ne!(
        before["H004"]["district"], "D13",
        "pick another district for the test"
    );
    let out = tmp.path().join("out");
    ok(&out, &["--pin", "H004=district:D13"]);
    let plan = read_plan(&out);
    assert_eq!(plan["H004"]["status"], "permanent");
    assert_eq!(plan["H004"]["pin"], "followed");
    assert_eq!(district_of(&plan["H004"]["perm_unit"]), "D13");
}

#[test]
fn a_pin_that_breaks_a_rule_is_refused_with_the_rule_named() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    // P001: 1 room, 31 m²; H004 is a family of six.
    let o = plan_with(&out, &["--pin", "H004=P001"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("--pin H004=P001 refused: rule size (too small for the household)"),
        "{err}"
    );
    assert!(err.contains("--force"), "{err}");
    assert!(!out.exists(), "nothing may be written for a refused pin");

    // D02 is flagged as forbidden in the demo: a partial pin there is refused.
    let o = plan_with(&out, &["--pin", "H004=district:D02"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("rule forbidden_district"), "{err}");
    assert!(err.contains("cannot be forced"), "{err}");
    assert!(!out.exists());
}

#[test]
fn unknown_names_in_a_pin_are_refused_with_a_suggestion() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o = plan_with(
        &out,
        &[
            "--pin",
            "H0044=P001",
            "--pin",
            "H004=P9999",
            "--pin",
            "H004",
        ],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("no household H0044 in the households file (did you mean H004?)"),
        "{err}"
    );
    assert!(
        err.contains("no dwelling P9999 in the housing file"),
        "{err}"
    );
    assert!(
        err.contains("--pin H004: expected HOUSEHOLD=DWELLING"),
        "{err}"
    );
    assert!(!out.exists());
}

#[test]
fn force_places_the_household_and_records_the_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let reason = "the family asked to stay near the hospital";
    ok(&out, &["--pin", "H004=P001", "--force", reason]);
    let plan = read_plan(&out);
    assert_eq!(plan["H004"]["perm_unit"], "P001");
    assert_eq!(plan["H004"]["pin"], format!("forced (size): {reason}"));
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let forced = &summary["pins"]["forced"];
    assert_eq!(forced[0]["household"], "H004");
    assert_eq!(forced[0]["rules"], serde_json::json!(["size"]));
    assert_eq!(forced[0]["reason"], reason);
    assert_eq!(summary["run"]["force"], reason);

    // The checker exempts the forced rule only with the run's reason: without
    // it, the same plan breaks the size rule.
    let mut edited = summary.clone();
    edited["run"]["force"] = serde_json::Value::Null;
    std::fs::write(out.join("summary.json"), edited.to_string()).unwrap();
    let violations = checker::check_plan(&demo(), &out);
    assert!(
        violations.iter().any(|v| v.starts_with("size: H004")),
        "{violations:#?}"
    );
}

#[test]
fn force_does_not_override_a_cap() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    // Two pins to one dwelling: the second is refused even with --force.
    let o = plan_with(
        &out,
        &[
            "--pin",
            "H005=P001",
            "--pin",
            "H006=P001",
            "--force",
            "test",
        ],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("--pin H006=P001 refused: rule taken"), "{err}");
    assert!(err.contains("cannot be forced"), "{err}");
}

/// A copy of the demo (scenario + data) in `dir`, so the test can edit it.
fn demo_copy(dir: &Path) -> PathBuf {
    crate::copy_dir(&repo().join("data/demo"), &dir.join("data/demo"));
    std::fs::create_dir_all(dir.join("scenarios")).unwrap();
    std::fs::copy(demo(), dir.join("scenarios/demo.toml")).unwrap();
    dir.join("scenarios/demo.toml")
}

fn plan_scenario(scenario: &Path, out: &Path, args: &[&str]) {
    let o = bin()
        .arg("plan")
        .arg(scenario)
        .arg("--out")
        .arg(out)
        .arg("--quiet")
        .args(args)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let violations = checker::check_plan(scenario, out);
    assert!(violations.is_empty(), "{violations:#?}");
}

/// Earlier permanent proposals that `after` does not keep, counted from the
/// two plan.csv files.
fn changed_proposals(before: &Path, after: &Path) -> Vec<String> {
    let (a, b) = (read_plan(before), read_plan(after));
    let mut changed: Vec<String> = a
        .values()
        .filter(|r| !r["perm_unit"].is_empty())
        .filter(|r| b[&r["household_id"]]["perm_unit"] != r["perm_unit"])
        .map(|r| r["household_id"].clone())
        .collect();
    changed.sort();
    changed
}

#[test]
fn one_added_household_changes_at_most_one_earlier_proposal() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = demo_copy(tmp.path());
    let first = tmp.path().join("first");
    plan_scenario(&scenario, &first, &[]);
    // A family of four arriving in March, with no pin.
    let households = tmp.path().join("data/demo/households.csv");
    let mut text = std::fs::read_to_string(&households).unwrap();
    text.push_str("H081,2,2,2026-03-02,,,,,false,,,\n");
    std::fs::write(&households, text).unwrap();

    let again = tmp.path().join("again");
    plan_scenario(&scenario, &again, &["--previous", first.to_str().unwrap()]);
    let changed = changed_proposals(&first, &again);
    assert!(changed.len() <= 1, "changed: {changed:?}");
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(again.join("summary.json")).unwrap())
            .unwrap();
    let r = &summary["replanning"];
    let reported: Vec<String> = r["changed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["household"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(reported, changed, "summary and plan.csv disagree");
    assert_eq!(
        r["kept"].as_u64().unwrap() + reported.len() as u64,
        r["earlier_proposals"].as_u64().unwrap()
    );
    for c in r["changed"].as_array().unwrap() {
        assert!(!c["why"].as_str().unwrap().is_empty(), "{c}");
    }
    let plan = read_plan(&again);
    for id in &changed {
        assert!(
            plan[id]["previous"].starts_with("changed from "),
            "{:?}",
            plan[id]
        );
    }

    // Without --previous the planner is free to reshuffle, and does more.
    let free = tmp.path().join("free");
    plan_scenario(&scenario, &free, &[]);
    assert!(
        changed_proposals(&first, &free).len() > changed.len(),
        "the change penalty should matter on the demo"
    );
}

#[test]
fn households_moved_in_before_the_start_keep_their_homes() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = demo_copy(tmp.path());
    let first = tmp.path().join("first");
    plan_scenario(&scenario, &first, &[]);
    // A month later: whoever moved in during January is living there.
    let toml = std::fs::read_to_string(&scenario).unwrap();
    let later = toml.replace("start = \"2026-01-01\"", "start = \"2026-02-01\"");
    assert_ne!(later, toml, "the demo's start date moved; update the test");
    std::fs::write(&scenario, later).unwrap();
    let again = tmp.path().join("again");
    plan_scenario(&scenario, &again, &["--previous", first.to_str().unwrap()]);
    let (a, b) = (read_plan(&first), read_plan(&again));
    let moved_in: Vec<&String> = a
        .keys()
        .filter(|k| !a[*k]["perm_from"].is_empty() && a[*k]["perm_from"].as_str() < "2026-02-01")
        .collect();
    assert!(!moved_in.is_empty(), "nobody moved in during January");
    for id in moved_in {
        assert_eq!(b[id]["perm_unit"], a[id]["perm_unit"], "{id} lost its home");
        assert!(!b[id]["pin"].is_empty(), "{id}: {:?}", b[id]);
    }
}

#[test]
fn a_previous_directory_that_is_not_a_plan_is_an_input_error() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o = plan_with(&out, &["--previous", tmp.path().to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("plan.csv"), "{err}");
    assert!(
        err.contains("expected the output directory of `boligplan plan`"),
        "{err}"
    );
    assert!(!out.exists());
}
