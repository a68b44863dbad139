//! The shortlist of a very large scenario (`candidates::Shortlist`), forced
//! on generated scenarios with `BOLIGPLAN_SHORTLIST_TOP` (set on the child
//! process only): `fcfs` checks the rules itself as it goes down its waiting
//! list, so its plan does not change; `greedy` and `optimise` choose from
//! the shortlist and still plan lawfully.

use std::path::{Path, PathBuf};

use crate::{bin, checker};

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
    let mut cmd = bin();
    cmd.arg("plan")
        .arg(scenario)
        .arg("--out")
        .arg(out)
        .args(["--strategy", strategy, "--quiet"])
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
            plan(
                &scenario,
                &tmp.path().join(format!("optimise-{seed}-{top}")),
                "optimise",
                Some(top),
            );
        }
    }
}
