//! summary.json read back by the library's one reader
//! (`boligplan::output::summary`): what `plan` writes, read and written
//! again, gives the same bytes, for every strategy.

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
        let written = boligplan::output::summary::to_json(&outcome.summary).unwrap();
        let read: boligplan::evaluate::Summary = serde_json::from_str(&written).unwrap();
        assert_eq!(read, outcome.summary);
        assert_eq!(boligplan::output::summary::to_json(&read).unwrap(), written);
    }
}
