//! Golden test of `compare`: the demo planned with `optimise` and with
//! `fcfs`, side by side. The plans come from the binary; the table from the
//! library's `compare::compare` and `render_table`, timing rows left out.
//!
//! When the planner's figures change on purpose, regenerate the golden file
//! with `BOLIGPLAN_BLESS=1 cargo test --test it compare::` and review the diff.

use std::fs;

use boligplan::commands::compare;

use crate::{data_dir, repo, run_plan};

#[test]
fn demo_optimise_vs_fcfs_matches_golden_file() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = repo().join("scenarios").join("demo.toml");
    let optimise = tmp.path().join("optimise");
    let fcfs = tmp.path().join("fcfs");
    let o = run_plan(&scenario, &optimise);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = crate::bin()
        .arg("plan")
        .arg(&scenario)
        .arg("--out")
        .arg(&fcfs)
        .args(["--strategy", "fcfs", "--quiet"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    let mut c = compare::compare(&[optimise, fcfs]).unwrap();
    assert_eq!(c.plans, ["optimise", "fcfs"]);
    c.rows.retain(|r| !r.timing);
    let table = compare::render_table(&c);

    let golden = data_dir().join("compare").join("demo.txt");
    if std::env::var_os("BOLIGPLAN_BLESS").is_some() || !golden.exists() {
        fs::create_dir_all(golden.parent().unwrap()).unwrap();
        fs::write(&golden, &table).unwrap();
    }
    let want = fs::read_to_string(&golden).unwrap();
    assert_eq!(
        table,
        want,
        "compare output differs from {}; if the change is intended, rerun with BOLIGPLAN_BLESS=1",
        golden.display()
    );
    // The two strategies must differ somewhere, and the table must say which is better.
    assert!(table.contains('*'));
}

#[test]
fn compare_reports_a_missing_summary() {
    let tmp = tempfile::tempdir().unwrap();
    let err = compare::compare(&[tmp.path().to_path_buf()]).unwrap_err();
    assert!(err.to_string().contains("summary.json"), "{err}");
}
