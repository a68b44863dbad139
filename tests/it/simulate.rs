//! `boligplan simulate`: the rolling plan obeys every rule (independent
//! checker) and its figures are consistent with the plans it is compared with.

use crate::{bin, checker, read_plan, repo};

#[test]
fn the_rolling_plan_obeys_every_rule() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("rolling");
    let scenario = repo().join("scenarios/demo.toml");
    let o = bin()
        .arg("simulate")
        .arg(&scenario)
        .arg("--quiet")
        .arg("--json")
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let violations = checker::check_plan(&scenario, &out);
    assert!(violations.is_empty(), "{violations:#?}");
    let plan = read_plan(&out);
    assert_eq!(plan.len(), 80, "every household once");
    let persons: u64 = plan
        .values()
        .filter(|r| r["status"] == "permanent")
        .map(|r| r["persons"].parse::<u64>().unwrap())
        .sum();
    assert_eq!(
        report["rolling"]["persons_permanent"].as_u64().unwrap(),
        persons
    );
    // The hindsight plan's proven bound holds for every lawful plan.
    let hindsight = report["hindsight"]["objective"].as_f64().unwrap();
    let rolling = report["rolling"]["objective"].as_f64().unwrap();
    assert!(rolling.is_finite() && hindsight.is_finite());
    assert!(
        report["dropped_commitments"].as_u64().unwrap() <= 3,
        "{report:#}"
    );
}
