//! The bad-input suite: `tests/data/bad/<case>/` is a small scenario broken
//! in one way (its `scenario.toml` says how); `expected.txt` is the exact
//! stderr of `boligplan validate scenario.toml` run in the case directory, so
//! the goldens name files as the scenario does (`households.csv`,
//! `../_base/places.geojson`) wherever the repository sits. A case whose
//! golden has an `error:` line must exit 1, any other case 0.
//!
//! `BOLIGPLAN_BLESS=1 cargo test --test it bad_input` rewrites the goldens;
//! review the diff before committing it.

use std::fs;
use std::path::{Path, PathBuf};

use crate::{bin, data_dir};

fn bad_dir() -> PathBuf {
    data_dir().join("bad")
}

/// Every case directory, sorted; `_base` (the shared good inputs) excluded.
fn cases() -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = fs::read_dir(bad_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir() && !p.file_name().unwrap().to_string_lossy().starts_with('_'))
        .collect();
    cases.sort();
    cases
}

/// Runs `boligplan validate scenario.toml` in `dir`: (exit code, stderr).
fn validate_in(dir: &Path) -> (Option<i32>, String) {
    let o = bin()
        .arg("validate")
        .arg("scenario.toml")
        .current_dir(dir)
        .output()
        .expect("cannot start boligplan");
    (o.status.code(), String::from_utf8(o.stderr).unwrap())
}

fn expected_exit(stderr: &str) -> i32 {
    i32::from(stderr.lines().any(|l| l.starts_with("error:")))
}

#[test]
fn every_bad_input_gets_its_pinned_message() {
    let bless = std::env::var_os("BOLIGPLAN_BLESS").is_some_and(|v| v == "1");
    let mut failures = Vec::new();
    let cases = cases();
    assert!(
        cases.len() >= 30,
        "only {} cases in {}",
        cases.len(),
        bad_dir().display()
    );
    for dir in &cases {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let golden = dir.join("expected.txt");
        let (code, stderr) = validate_in(dir);
        assert!(
            !stderr.contains("panicked"),
            "{name}: boligplan panicked:\n{stderr}"
        );
        if bless {
            fs::write(&golden, &stderr).unwrap();
        }
        let Ok(expected) = fs::read_to_string(&golden) else {
            failures.push(format!(
                "{name}: no expected.txt (run with BOLIGPLAN_BLESS=1 to write it); stderr was:\n{stderr}"
            ));
            continue;
        };
        if stderr != expected {
            failures.push(format!(
                "{name}: stderr differs from expected.txt\n--- expected\n{expected}--- found\n{stderr}"
            ));
        }
        let want = expected_exit(&expected);
        if code != Some(want) {
            failures.push(format!("{name}: exit code {code:?}, expected {want}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_shared_good_inputs_validate_without_a_finding() {
    let (code, stderr) = validate_in(&bad_dir().join("_base"));
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(stderr, "");
}

/// Every finding line names the file, the line or feature (or is about the
/// whole file), and what was expected; every error case says what it found.
#[test]
fn every_message_names_where_and_what_was_expected() {
    for dir in cases() {
        let (_, stderr) = validate_in(&dir);
        for line in stderr
            .lines()
            .filter(|l| l.starts_with("error:") || l.starts_with("warning:"))
        {
            let names_file = [".csv", ".geojson", ".toml"]
                .iter()
                .any(|e| line.contains(e));
            assert!(names_file, "{}: no file named in {line:?}", dir.display());
            let says_expected = line.contains("expected")
                || line.contains("ignored")
                || line.contains("nothing was planned");
            assert!(
                says_expected,
                "{}: nothing expected in {line:?}",
                dir.display()
            );
        }
    }
}

/// All problems of a file come out in one run: three bad rows, three lines.
#[test]
fn three_bad_rows_give_three_errors() {
    let (code, stderr) = validate_in(&bad_dir().join("households_three_bad_rows"));
    assert_eq!(code, Some(1));
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 3, "{stderr}");
    for (n, field) in [(2, "adults"), (3, "arrival"), (4, "children")] {
        assert!(
            errors
                .iter()
                .any(|l| l.contains(&format!("households.csv line {n}: field `{field}`"))),
            "line {n} field {field} not reported:\n{stderr}"
        );
    }
    assert!(stderr.ends_with("3 error(s) in the inputs of scenario.toml; nothing was planned\n"));
}

/// The files of the accepted variants (semicolons, BOM, declared Danish
/// dates) give the same plan-relevant counts as the plain ones.
#[test]
fn accepted_variants_load_every_row() {
    for case in [
        "csv_semicolon_decimal_comma",
        "utf8_bom",
        "dates_danish_declared",
    ] {
        let o = bin()
            .arg("validate")
            .arg("scenario.toml")
            .current_dir(bad_dir().join(case))
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{case}");
        let stdout = String::from_utf8(o.stdout).unwrap();
        assert_eq!(
            stdout, "ok: 3 households, 3 units, 2 districts, 2 places\n",
            "{case}"
        );
    }
}
