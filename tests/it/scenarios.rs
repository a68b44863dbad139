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

/// `districts.csv` has one row per district of the input, with the persons
/// placed there summing to the permanent persons of plan.csv.
#[test]
fn districts_table_has_one_row_per_district() {
    let scenario = repo().join("scenarios/demo.toml");
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    assert!(plan_ok(&scenario, &out).is_empty());
    let districts: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(repo().join("data/demo/districts.geojson")).unwrap(),
    )
    .unwrap();
    let ids: Vec<String> = districts["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["id"].as_str().unwrap().to_string())
        .collect();
    let mut reader = csv::Reader::from_path(out.join("districts.csv")).unwrap();
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let listed: Vec<String> = rows
        .iter()
        .map(|r| r[col("district")].to_string())
        .collect();
    assert_eq!(listed, ids);
    // The demo places at least 5 persons wherever it places anyone, so no
    // district total is suppressed and the totals add up.
    let placed: u32 = rows
        .iter()
        .map(|r| r[col("persons_placed")].parse::<u32>().unwrap())
        .sum();
    let plan = read_plan(&out);
    let permanent: u32 = plan
        .values()
        .filter(|r| r["status"] == "permanent")
        .map(|r| r["persons"].parse::<u32>().unwrap())
        .sum();
    assert_eq!(placed, permanent);
}

/// `--csv-dialect excel-da` writes the same table for a Danish Excel: a UTF-8
/// byte-order mark, `;` between fields and decimal commas.
#[test]
fn excel_da_dialect_is_the_same_table_for_danish_excel() {
    let scenario = repo().join("scenarios/demo.toml");
    let tmp = tempfile::tempdir().unwrap();
    let standard = tmp.path().join("standard");
    let danish = tmp.path().join("danish");
    assert!(run_plan(&scenario, &standard).status.success());
    let o = crate::bin()
        .arg("plan")
        .arg(&scenario)
        .arg("--out")
        .arg(&danish)
        .args(["--csv-dialect", "excel-da", "--quiet"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for file in ["plan.csv", "districts.csv"] {
        let a = fs::read_to_string(standard.join(file)).unwrap();
        let b = fs::read(danish.join(file)).unwrap();
        assert!(b.starts_with(b"\xEF\xBB\xBF"), "{file}: no byte-order mark");
        let b = String::from_utf8(b[3..].to_vec()).unwrap();
        let mut ra = csv::Reader::from_reader(a.as_bytes());
        let mut rb = csv::ReaderBuilder::new()
            .delimiter(b';')
            .from_reader(b.as_bytes());
        assert_eq!(ra.headers().unwrap(), rb.headers().unwrap(), "{file}");
        let mut decimals = 0;
        for (x, y) in ra.records().zip(rb.records()) {
            let (x, y) = (x.unwrap(), y.unwrap());
            assert_eq!(x.len(), y.len());
            for (f, g) in x.iter().zip(y.iter()) {
                if f.parse::<f64>().is_ok() && f.contains('.') {
                    decimals += 1;
                    assert_eq!(g, f.replace('.', ","), "{file}: {f} became {g}");
                } else {
                    assert_eq!(f, g, "{file}");
                }
            }
        }
        assert!(decimals > 0, "{file}: no decimal number to check");
    }
}
