//! Every scenario shipped in `scenarios/*.toml` plans, passes the independent
//! checker and is tight enough that some households wait; planning is
//! deterministic.

use std::fs;
use std::path::PathBuf;

use crate::{plan_ok, read_plan, repo, run_plan};

fn shipped_scenarios() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(repo().join("scenarios"))
        .expect("scenarios/ missing")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    v.sort();
    assert!(!v.is_empty(), "no scenarios/*.toml");
    v
}

#[test]
fn every_shipped_scenario_plans_lawfully() {
    for scenario in shipped_scenarios() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let violations = plan_ok(&scenario, &out);
        assert!(
            violations.is_empty(),
            "{}: {} violations:\n{}",
            scenario.display(),
            violations.len(),
            violations.join("\n")
        );
        for f in ["plan.csv", "plan.geojson", "summary.json"] {
            assert!(out.join(f).is_file(), "{}: no {f}", scenario.display());
        }
        let plan = read_plan(&out);
        for status in ["permanent", "temporary_only"] {
            let n = plan.values().filter(|r| r["status"] == status).count();
            assert!(
                n > 0,
                "{}: no household is {status}; the demo is meant to be tight",
                scenario.display()
            );
        }
    }
}

#[test]
fn planning_twice_gives_identical_files() {
    for scenario in shipped_scenarios() {
        let tmp = tempfile::tempdir().unwrap();
        let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
        for out in [&a, &b] {
            let o = run_plan(&scenario, out);
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        }
        for f in ["plan.csv", "plan.geojson"] {
            let (x, y) = (fs::read(a.join(f)).unwrap(), fs::read(b.join(f)).unwrap());
            assert!(
                x == y,
                "{}: {f} differs between two runs",
                scenario.display()
            );
        }
    }
}
