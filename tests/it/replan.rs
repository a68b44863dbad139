//! The weekly loop: a re-plan (`--previous`) never undoes facts. The case
//! `tests/data/replan` is small enough to check on paper; its scenario.toml
//! says what must happen and why.

use std::path::Path;

use serde_json::Value;

use crate::{bin, checker, data_dir, read_plan};

fn replan(out: &Path, extra: &[&str]) {
    let case = data_dir().join("replan");
    let o = bin()
        .arg("plan")
        .arg(case.join("scenario.toml"))
        .arg("--previous")
        .arg(case.join("previous"))
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let violations = checker::check_plan(&case.join("scenario.toml"), out);
    assert!(violations.is_empty(), "{violations:#?}");
}

#[test]
fn a_replan_keeps_the_facts_and_says_what_it_moves() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    replan(&out, &["--pin", "H5=P4"]);
    let plan = read_plan(&out);
    let cell = |h: &str, c: &str| plan[h][c].clone();
    // A moved-in date survives.
    assert_eq!(cell("H1", "perm_unit"), "P1");
    assert_eq!(cell("H1", "perm_from"), "2026-02-01");
    assert_eq!(cell("H1", "previous"), "kept");
    // A temporary resident is not moved (T1 would be its first choice now).
    assert_eq!(cell("H2", "temp_unit"), "T2");
    assert_eq!(cell("H2", "pin"), "stays in T2");
    assert_eq!(
        (cell("H2", "perm_unit"), cell("H2", "perm_from")),
        ("P2".to_string(), "2026-06-01".to_string())
    );
    // A resident whose place closes moves, and the re-plan says why.
    assert_eq!(cell("H3", "temp_unit"), "T1");
    assert_eq!(cell("H3", "pin"), "moves out of T3");
    assert_ne!(cell("H3", "reason_code"), "pin");
    // A pin that displaces someone says so, in the row and the summary.
    assert_eq!(cell("H5", "perm_unit"), "P4");
    assert_eq!(
        cell("H4", "previous"),
        "changed from P4: gave way to the pin of H5"
    );
    let summary: Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    let r = &summary["replanning"];
    assert_eq!(r["residents"], 2, "{r:#}");
    assert_eq!(r["residents_moved"].as_array().unwrap().len(), 1, "{r:#}");
    assert_eq!(r["residents_moved"][0]["household"], "H3");
    assert_eq!(r["residents_moved"][0]["why"], "T3 closes on 2026-04-30");
    assert_eq!(r["changed"][0]["household"], "H4");
    assert_eq!(r["changed"][0]["why"], "gave way to the pin of H5");
}

#[test]
fn explain_agrees_with_a_replan() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    replan(&out, &["--pin", "H5=P4"]);
    for h in ["H1", "H2", "H3", "H4", "H5"] {
        let o = bin()
            .arg("explain")
            .arg(&out)
            .arg(h)
            .arg("--scenario")
            .arg(data_dir().join("replan/scenario.toml"))
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{h}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
}
