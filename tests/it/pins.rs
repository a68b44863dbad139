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
fn unknown_names_in_a_pin_are_usage_errors_with_a_suggestion() {
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
        err.contains("no household H0044 in the households file (did you mean H044?)"),
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
