//! Smoke test of `generate`: a synthetic `s` scenario is deterministic, loads
//! and plans, and the plan has both permanent homes and households waiting in
//! temporary places.

use std::path::Path;
use std::process::Command;

use boligplan::commands::generate::{Size, generate};

const FILES: [&str; 6] = [
    "scenario.toml",
    "households.csv",
    "housing.csv",
    "districts.geojson",
    "places.geojson",
    "network.geojson",
];

fn plan(scenario: &Path, out: &Path) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_boligplan"))
        .arg("plan")
        .arg(scenario)
        .arg("--out")
        .arg(out)
        .output()
        .expect("the binary runs");
    assert_eq!(
        output.status.code(),
        Some(0),
        "plan failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    std::fs::read_to_string(out.join("plan.csv")).expect("plan.csv is written")
}

#[test]
fn generated_s_scenarios_plan_with_permanent_and_temporary_households() {
    for seed in [1, 2] {
        let dir = tempfile::tempdir().unwrap();
        let scenario = generate(Size::S, seed, &dir.path().join("scenario")).unwrap();
        assert_eq!(scenario, dir.path().join("scenario").join("scenario.toml"));
        let csv = plan(&scenario, &dir.path().join("plan"));
        let mut lines = csv.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        let status = header.iter().position(|h| *h == "status").unwrap();
        let statuses: Vec<String> = lines
            .map(|l| l.split(',').nth(status).unwrap().to_string())
            .collect();
        assert_eq!(statuses.len(), 60, "seed {seed}: one row per household");
        for wanted in ["permanent", "temporary_only"] {
            assert!(
                statuses.iter().any(|s| s == wanted),
                "seed {seed}: no household is {wanted}: {statuses:?}"
            );
        }
    }
}

#[test]
fn the_same_seed_gives_byte_identical_files() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, c) = (
        dir.path().join("a"),
        dir.path().join("b"),
        dir.path().join("c"),
    );
    generate(Size::S, 7, &a).unwrap();
    generate(Size::S, 7, &b).unwrap();
    generate(Size::S, 8, &c).unwrap();
    for file in FILES {
        let bytes = |d: &Path| std::fs::read(d.join(file)).unwrap();
        assert_eq!(bytes(&a), bytes(&b), "{file} differs for the same seed");
        assert_ne!(bytes(&a), bytes(&c), "{file} is the same for another seed");
    }
    // No temporary files are left behind.
    let names: Vec<String> = std::fs::read_dir(&a)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), FILES.len(), "{names:?}");
}

/// The synthetic bus network loads, and planning over it (the scenario's
/// commented `network` line switched on) houses people with network times.
#[test]
fn the_generated_network_plans() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = generate(Size::S, 3, &dir.path().join("scenario")).unwrap();
    let text = std::fs::read_to_string(&scenario).unwrap();
    assert!(
        text.contains("# network    = \"network.geojson\""),
        "{text}"
    );
    std::fs::write(&scenario, text.replace("# network    = ", "network = ")).unwrap();
    let out = dir.path().join("plan");
    let csv = plan(&scenario, &out);
    assert!(csv.lines().skip(1).any(|l| l.contains(",permanent,")));
    let summary = std::fs::read_to_string(out.join("summary.json")).unwrap();
    assert!(summary.contains("\"method\": \"network\""), "{summary}");
}
