//! Fuzz regression cases: every file in `tests/data/fuzz/<target>/` (the
//! crashes the fuzz targets found, fixed since, and a few interesting inputs
//! of their corpora) is loaded through `boligplan::fuzzing`, the code path of
//! the fuzz targets in `fuzz/`, which loads a scenario as `validate` does.
//! None may panic, and each must come out as a clean load or as findings that
//! name a file and say what was expected.

use std::fs;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;

use boligplan::fuzzing::{Target, Workspace};
use boligplan::load::{Finding, Severity};

use crate::data_dir;

fn fuzz_dir() -> PathBuf {
    data_dir().join("fuzz")
}

fn workspace() -> Workspace {
    Workspace::new(&fuzz_dir().join("_base")).expect("cannot set up the fuzz workspace")
}

/// What is wrong with the findings of one case, if anything: every error
/// names a file (one of the workspace's, unless a fuzzed scenario names
/// files elsewhere) and says what was expected, or is the count of a GTFS
/// file's problems beyond the first 20.
fn unclear(findings: &[Finding], workspace: &Workspace, target: Target) -> Option<String> {
    let dir = workspace.dir().display().to_string();
    let named = |file: &str| match target {
        Target::ScenarioToml => !file.is_empty(),
        _ => file.starts_with(&dir),
    };
    findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .find(|f| {
            let clear = f.message.contains("expected")
                || f.message
                    .ends_with("more problems in this file are not listed");
            !named(&f.file) || !clear
        })
        .map(|f| format!("unclear finding: {f}"))
}

#[test]
fn every_fuzz_case_loads_without_a_panic() {
    let workspace = workspace();
    let mut targets: Vec<PathBuf> = fs::read_dir(fuzz_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir() && !p.file_name().unwrap().to_string_lossy().starts_with('_'))
        .collect();
    targets.sort();
    let mut failures = Vec::new();
    let mut cases = 0;
    for dir in &targets {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let target = Target::parse(&name)
            .unwrap_or_else(|| panic!("{}: not the name of a fuzz target", dir.display()));
        let mut files: Vec<PathBuf> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for file in files {
            cases += 1;
            let case = format!("{name}/{}", file.file_name().unwrap().to_string_lossy());
            let bytes = fs::read(&file).unwrap();
            let outcome = catch_unwind(AssertUnwindSafe(|| workspace.run(target, &bytes)));
            let problem = match outcome {
                Err(panic) => Some(format!(
                    "panicked: {}",
                    panic
                        .downcast_ref::<String>()
                        .map(String::as_str)
                        .or_else(|| panic.downcast_ref::<&str>().copied())
                        .unwrap_or("?")
                )),
                Ok(Err(io)) => panic!("{case}: cannot write the fuzzed file: {io}"),
                // A scenario that cannot be read names the scenario file.
                Ok(Ok(Err(e))) => {
                    let scenario = workspace.dir().join(target.file());
                    let text = e.to_string();
                    (!text.starts_with(&scenario.display().to_string()))
                        .then(|| format!("the scenario error names no file: {text}"))
                }
                Ok(Ok(Ok(findings))) => unclear(&findings, &workspace, target),
            };
            if let Some(problem) = problem {
                failures.push(format!("{case}: {problem}"));
            }
        }
    }
    assert!(
        cases >= 10,
        "only {cases} fuzz regression cases in {}",
        fuzz_dir().display()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The harness really puts the bytes in the scenario: the base file's own
/// bytes load without an error, and an empty file is an error naming the
/// fuzzed file.
#[test]
fn the_fuzzed_bytes_take_the_place_of_the_file() {
    let workspace = workspace();
    let base = fuzz_dir().join("_base");
    for target in Target::ALL {
        let own = match target {
            Target::ScenarioToml => {
                b"start = \"2026-01-01\"\nhorizon_days = 30\n[inputs]\nhouseholds = \"households.csv\"\nhousing = \"housing.geojson\"\ndistricts = \"districts.geojson\"\nplaces = \"places.geojson\"\n".to_vec()
            }
            Target::GtfsStopTimes => fs::read(base.join("feed/stop_times.txt")).unwrap(),
            _ => fs::read(base.join(target.file().trim_start_matches("fuzzed_"))).unwrap(),
        };
        let findings = workspace.run(target, &own).unwrap().unwrap();
        let errors: Vec<String> = findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .map(ToString::to_string)
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", target.name());

        let empty = workspace.run(target, b"").unwrap();
        let named = match &empty {
            Err(e) => e.to_string().contains(target.file()),
            Ok(findings) => findings
                .iter()
                .any(|f| f.severity == Severity::Error && f.file.ends_with(target.file())),
        };
        assert!(
            named,
            "{}: an empty file was not reported: {empty:?}",
            target.name()
        );
    }
}
