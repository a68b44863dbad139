//! Integration tests of the `boligplan` binary.
//!
//! Everything here runs the compiled binary and reads its files; nothing
//! calls the `boligplan` library but `fuzz_regressions` (through
//! `boligplan::fuzzing`, the fuzz targets' own code path) and a few pure
//! functions. `checker` is an independent implementation
//! of the README's rules that every plan must pass.

mod architecture;
mod bad_input;
mod candidate_layers;
mod checker;
mod compare;
mod durability;
mod explain;
mod fuzz_regressions;
mod geojson_out;
mod gpkg;
mod gpkg_in;
mod gtfs;
mod headline;
mod model;
mod network;
mod oracle;
mod pins;
mod privacy;
mod properties;
mod real_herning;
mod replan;
mod report;
mod rules;
mod scenarios;
mod shortlist;
mod simulate;
mod spread;
mod summary_json;
mod validate;

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `tests/data`.
pub fn data_dir() -> PathBuf {
    repo().join("tests").join("data")
}

/// A `Command` for the compiled binary.
pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_boligplan"))
}

/// Runs `boligplan plan SCENARIO --out OUT`.
pub fn run_plan(scenario: &Path, out: &Path) -> Output {
    bin()
        .arg("plan")
        .arg(scenario)
        .arg("--out")
        .arg(out)
        .output()
        .expect("cannot start boligplan")
}

/// Plans a scenario, asserting success, and returns the checker's violations.
pub fn plan_ok(scenario: &Path, out: &Path) -> Vec<String> {
    let o = run_plan(scenario, out);
    assert!(
        o.status.success(),
        "boligplan plan {} failed ({:?}):\n{}",
        scenario.display(),
        o.status.code(),
        String::from_utf8_lossy(&o.stderr)
    );
    checker::check_plan(scenario, out)
}

/// plan.csv as one map per row, keyed by household id.
pub fn read_plan(out: &Path) -> HashMap<String, HashMap<String, String>> {
    checker::read_csv_maps(&out.join("plan.csv"))
        .unwrap()
        .into_iter()
        .map(|r| (r["household_id"].clone(), r))
        .collect()
}

/// Copies a directory tree.
pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            fs::copy(e.path(), &target).unwrap();
        }
    }
}
