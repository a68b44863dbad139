//! The candidate stage decides the static rules layer by layer (per
//! language school, per household profile, per household and move-in day)
//! from one list (`boligplan::rules`). This checks that the layered caches
//! say what the plain walk of the whole list says, pair by pair, on the demo
//! and a generated scenario with reunions, access needs and expiring
//! temporary sites: the same lawful dwellings and sites for every household.

use std::collections::BTreeSet;
use std::path::Path;

use boligplan::model::Tenure;
use boligplan::rules::static_verdict;
use boligplan::travel::TravelTimes;

use crate::{bin, repo};

fn check(scenario_file: &Path) -> usize {
    let scenario = boligplan::scenario::load(scenario_file).expect("a valid scenario");
    let (inputs, findings) = boligplan::load::load(&scenario);
    assert!(
        findings
            .iter()
            .all(|f| f.severity != boligplan::load::Severity::Error),
        "inputs with errors"
    );
    let travel = TravelTimes::build(&inputs, inputs.network.as_ref(), &scenario.travel);
    let candidates = boligplan::candidates::build(
        &inputs,
        &scenario,
        &travel,
        &boligplan::model::Decisions::of_files(&inputs),
        &boligplan::tuning::Tuning::default(),
    );
    assert!(
        candidates.shortlist.is_none(),
        "a scenario without a shortlist"
    );
    let mut lawful_pairs = 0;
    for h in &inputs.households {
        let c = candidates.of(h.id);
        if h.locked_unit.is_some() {
            continue;
        }
        let mut permanent = BTreeSet::new();
        let mut temporary = BTreeSet::new();
        for u in &inputs.units {
            if static_verdict(&inputs, &scenario, &travel, h, c.arrival, u).is_ok() {
                match u.tenure {
                    Tenure::Permanent => permanent.insert(u.id),
                    Tenure::Temporary => temporary.insert(u.id),
                };
            }
        }
        let listed: BTreeSet<_> = c.permanent.iter().map(|o| o.unit).collect();
        assert_eq!(listed, permanent, "household {}: lawful dwellings", h.name);
        // The shared site list may hold sites given up before arrival; the
        // lawful ones are all on it and counted.
        let sites: BTreeSet<_> = c.temporary.iter().map(|o| o.unit).collect();
        assert!(temporary.is_subset(&sites), "household {}: sites", h.name);
        assert_eq!(
            c.temporary_lawful as usize,
            temporary.len(),
            "household {}: lawful sites",
            h.name
        );
        let refused: u32 = c.permanent_excluded.values().sum();
        let dwellings = inputs
            .units
            .iter()
            .filter(|u| u.tenure == Tenure::Permanent)
            .count();
        assert_eq!(
            refused as usize + permanent.len(),
            dwellings,
            "household {}: every dwelling lawful or refused once",
            h.name
        );
        lawful_pairs += permanent.len() + temporary.len();
    }
    lawful_pairs
}

#[test]
fn layered_candidates_match_the_whole_list_on_the_demo() {
    let pairs = check(&repo().join("scenarios/demo.toml"));
    assert!(
        pairs > 100,
        "only {pairs} lawful pairs: the check saw little"
    );
}

#[test]
fn layered_candidates_match_the_whole_list_on_a_generated_scenario() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let out = dir.path().join("s7");
    let o = bin()
        .args(["generate", "--size", "s", "--seed", "7", "--out"])
        .arg(&out)
        .output()
        .expect("cannot start boligplan");
    assert!(o.status.success());
    let pairs = check(&out.join("scenario.toml"));
    assert!(
        pairs > 100,
        "only {pairs} lawful pairs: the check saw little"
    );
}
