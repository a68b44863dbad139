//! The shortlist of a very large scenario (`candidates::Shortlist`), forced
//! on generated scenarios with `BOLIGPLAN_SHORTLIST_TOP` (set on the child
//! process only): `fcfs` checks the rules itself as it goes down its waiting
//! list, so its plan does not change; `greedy` and `optimise` choose from
//! the shortlist and still plan lawfully.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::{bin, checker, read_plan, repo};

/// Generates a scenario of `size` and `seed` into `dir`; returns its file.
fn generated(dir: &Path, size: &str, seed: u32) -> PathBuf {
    let out = dir.join(format!("{size}{seed}"));
    let o = bin()
        .args([
            "generate",
            "--size",
            size,
            "--seed",
            &seed.to_string(),
            "--out",
        ])
        .arg(&out)
        .output()
        .expect("cannot start boligplan");
    assert!(
        o.status.success(),
        "generate failed:\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    out.join("scenario.toml")
}

/// Plans with `strategy`, the shortlist forced to `top` (or left to the
/// scenario's size), asserts success and lawfulness; returns plan.csv.
fn plan(scenario: &Path, out: &Path, strategy: &str, top: Option<usize>) -> String {
    plan_with(scenario, out, strategy, top, &[])
}

/// [`plan`] with more arguments (pins).
fn plan_with(
    scenario: &Path,
    out: &Path,
    strategy: &str,
    top: Option<usize>,
    args: &[&str],
) -> String {
    let mut cmd = bin();
    cmd.arg("plan")
        .arg(scenario)
        .arg("--out")
        .arg(out)
        .args(["--strategy", strategy, "--quiet"])
        .args(args)
        .env_remove("BOLIGPLAN_SHORTLIST_TOP");
    if let Some(top) = top {
        cmd.env("BOLIGPLAN_SHORTLIST_TOP", top.to_string());
    }
    let o = cmd.output().expect("cannot start boligplan");
    assert!(
        o.status.success(),
        "plan --strategy {strategy} (shortlist {top:?}) failed:\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let violations = checker::check_plan(scenario, out);
    assert!(
        violations.is_empty(),
        "{strategy} (shortlist {top:?}): {violations:#?}"
    );
    std::fs::read_to_string(out.join("plan.csv")).unwrap()
}

#[test]
fn fcfs_gives_the_same_plan_with_and_without_a_shortlist() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = generated(tmp.path(), "m", 1);
    let whole = plan(&scenario, &tmp.path().join("fcfs"), "fcfs", None);
    let short = plan(&scenario, &tmp.path().join("fcfs-5"), "fcfs", Some(5));
    // The shortlist bites: greedy chooses from it and plans differently.
    let greedy = plan(&scenario, &tmp.path().join("greedy"), "greedy", None);
    let greedy_short = plan(&scenario, &tmp.path().join("greedy-5"), "greedy", Some(5));
    assert_ne!(greedy, greedy_short, "the forced shortlist changes nothing");
    // Byte for byte, the reasons included: a household the waiting list
    // leaves without a home is told about every lawful dwelling, more than
    // the shortlist's at most 5 + 5.
    let most = short
        .split("none of the ")
        .skip(1)
        .filter_map(|rest| rest.split(' ').next()?.parse::<usize>().ok())
        .max();
    assert!(
        most.is_some_and(|n| n > 10),
        "no reason counts more dwellings than the shortlist: {most:?}"
    );
    assert!(whole == short, "fcfs plan.csv changes under a shortlist");
}

#[test]
fn optimise_plans_lawfully_under_a_forced_shortlist() {
    let tmp = tempfile::tempdir().unwrap();
    for seed in [1, 2] {
        let scenario = generated(tmp.path(), "s", seed);
        for top in [1, 5] {
            let out = tmp.path().join(format!("optimise-{seed}-{top}"));
            plan(&scenario, &out, "optimise", Some(top));
            // The summary says the candidates were shortlisted, and how.
            let summary: serde_json::Value = serde_json::from_str(
                &std::fs::read_to_string(out.join("summary.json")).expect("summary.json"),
            )
            .expect("JSON");
            let pruning = summary["candidate_pruning"].as_str().unwrap_or_default();
            assert!(
                pruning.starts_with(&format!("each household's {top} cheapest lawful dwellings")),
                "candidate_pruning: {pruning:?}"
            );
        }
    }
}

#[test]
fn pins_to_a_district_hold_under_a_forced_shortlist() {
    // Three households pinned to one district: each keeps all of the
    // district's lawful dwellings, so the pins are resolved as without a
    // shortlist (with the shortlist's one or two, two of them would be
    // refused as taken).
    let tmp = tempfile::tempdir().unwrap();
    let demo = repo().join("scenarios").join("demo.toml");
    let pins = [
        "--pin",
        "H004=district:D13",
        "--pin",
        "H005=district:D13",
        "--pin",
        "H010=district:D13",
    ];
    let whole = plan_with(&demo, &tmp.path().join("fcfs"), "fcfs", None, &pins);
    let short = plan_with(&demo, &tmp.path().join("fcfs-1"), "fcfs", Some(1), &pins);
    assert!(whole == short, "fcfs plan.csv changes under a shortlist");
    for strategy in ["greedy", "optimise"] {
        let out = tmp.path().join(format!("{strategy}-1"));
        plan_with(&demo, &out, strategy, Some(1), &pins);
        let plan = read_plan(&out);
        for h in ["H004", "H005", "H010"] {
            assert_eq!(plan[h]["pin"], "followed", "{strategy}: {h}");
            assert_eq!(plan[h]["district"], "D13", "{strategy}: {h}");
        }
    }
}

/// The dwellings that appear in some `x.<household>.<dwelling>` variable of
/// the exported model, the shortlist forced to `top` (or not).
fn model_dwellings(scenario: &Path, mps: &Path, top: Option<usize>) -> BTreeSet<String> {
    let mut cmd = bin();
    cmd.arg("export-model")
        .arg(scenario)
        .arg("--mps")
        .arg(mps)
        .env_remove("BOLIGPLAN_SHORTLIST_TOP");
    if let Some(top) = top {
        cmd.env("BOLIGPLAN_SHORTLIST_TOP", top.to_string());
    }
    let o = cmd.output().expect("cannot start boligplan");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    crate::model::Mps::read(mps)
        .vars
        .iter()
        .filter_map(|v| v.name.strip_prefix("x."))
        .map(|rest| {
            rest.rsplit('.')
                .next()
                .expect("x.<household>.<dwelling>")
                .to_owned()
        })
        .collect()
}

/// However short the shortlist, every dwelling that is lawful for some
/// household stays a pair of the model (`candidates::Cover`).
#[test]
fn no_lawful_dwelling_is_lost_to_a_forced_shortlist() {
    let tmp = tempfile::tempdir().unwrap();
    for seed in [1, 2] {
        let scenario = generated(tmp.path(), "s", seed);
        let whole = model_dwellings(&scenario, &tmp.path().join("whole.mps"), None);
        let short = model_dwellings(&scenario, &tmp.path().join("short.mps"), Some(1));
        assert!(
            whole.len() > 50,
            "seed {seed}: only {} dwellings",
            whole.len()
        );
        let lost: Vec<_> = whole.difference(&short).collect();
        assert!(lost.is_empty(), "seed {seed}: dwellings lost: {lost:?}");
    }
}
