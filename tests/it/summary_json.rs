//! summary.json read back by the library's one reader
//! (`boligplan::output::summary`): what `plan` writes, read and written
//! again, gives the same bytes, for every strategy; a summary of an earlier
//! version without the `over_cap_before_plan` block is still read.

use crate::repo;

/// The demo planned with each strategy: write, read, write gives the
/// same bytes.
#[test]
fn a_summary_reads_back_to_the_same_bytes() {
    let root = repo();
    let scenario = boligplan::scenario::load(&root.join("scenarios").join("demo.toml")).unwrap();
    let (inputs, findings) = boligplan::load::load(&scenario);
    assert!(
        findings
            .iter()
            .all(|f| f.severity != boligplan::load::Severity::Error)
    );
    for strategy in [
        boligplan::solve::Strategy::Fcfs,
        boligplan::solve::Strategy::Greedy,
        boligplan::solve::Strategy::Optimise,
    ] {
        let options = boligplan::pipeline::Options {
            strategy,
            ..boligplan::pipeline::Options::default()
        };
        let outcome = boligplan::pipeline::plan(
            &inputs,
            &boligplan::model::Decisions::of_files(&inputs),
            &scenario,
            &options,
            &mut |_| {},
        )
        .unwrap();
        assert!(outcome.summary.over_cap_before_plan.is_some());
        let written = boligplan::output::summary::to_json(&outcome.summary).unwrap();
        let read: boligplan::evaluate::Summary = serde_json::from_str(&written).unwrap();
        assert_eq!(read, outcome.summary);
        assert_eq!(boligplan::output::summary::to_json(&read).unwrap(), written);
    }
}

/// A summary.json of an earlier version, without `over_cap_before_plan`,
/// is still read by `compare` and `report` (the block reads as absent and
/// is left out); the demo's own summary has the block.
#[test]
fn a_summary_without_the_over_cap_block_is_still_read() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("old");
    let scenario = crate::repo().join("scenarios").join("demo.toml");
    let o = crate::bin()
        .arg("plan")
        .arg(&scenario)
        .arg("--out")
        .arg(&out)
        .args(["--strategy", "fcfs", "--quiet"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let path = out.join("summary.json");
    let written_before = std::fs::read_to_string(&path).unwrap();
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let block = doc
        .as_object_mut()
        .unwrap()
        .remove("over_cap_before_plan")
        .expect("a new summary has over_cap_before_plan");
    assert!(block.is_array(), "{block}");
    std::fs::write(&path, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    let read = boligplan::output::summary::read(&out).unwrap();
    assert_eq!(read.over_cap_before_plan, None);
    // Written again, the summary still has no block (nothing invented).
    let again = boligplan::output::summary::to_json(&read).unwrap();
    assert!(!again.contains("over_cap_before_plan"), "{again}");
    // Beside a summary of this version: a missing figure for the old one.
    let new = tmp.path().join("new");
    crate::copy_dir(&out, &new);
    std::fs::write(new.join("summary.json"), &written_before).unwrap();
    let o = crate::bin()
        .arg("compare")
        .arg(&out)
        .arg(&new)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.ends_with("districts already over the cap before the plan:\n  old: -\n  new: none\n"),
        "{text}"
    );
    let html = tmp.path().join("report.html");
    let o = crate::bin()
        .arg("report")
        .arg(&out)
        .arg("--out")
        .arg(&html)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(!page.contains("over-cap-before"));
}
