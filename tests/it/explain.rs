//! `boligplan explain`: golden files of three demo households, and an
//! independent recomputation of what `--json` reports.
//!
//! The recomputation never calls the planner's cost code: it reads the
//! inputs with the checker's loaders and applies the objective of
//! docs/model.md with the weights documented in the README (the demo
//! scenario sets none), the move-in day from plan.csv and the checker's own
//! travel times. Every alternative `explain` lists must pass the README's
//! rules in the checker's own formulas, or say which rule it breaks.
//!
//! When the explanation changes on purpose, regenerate the golden files with
//! `BOLIGPLAN_BLESS=1 cargo test --test it explain::` and review the diff.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::Path;

use chrono::{Days, NaiveDate};
use serde_json::Value;

use crate::checker::{self, Household, Inputs, Scenario, Unit};
use crate::{bin, copy_dir, data_dir, read_plan, repo, run_plan};

/// The README's default weights (the demo scenario has no `[weights]`).
fn permanent_weight(household_type: &str) -> f64 {
    match household_type {
        "family" => 1000.0,
        "couple" => 700.0,
        _ => 500.0,
    }
}
fn day_weight(household_type: &str) -> f64 {
    if household_type == "family" { 1.5 } else { 1.0 }
}
const W_TRAVEL: f64 = 2.0;
/// README: `weights.work_travel_per_minute` (4/3).
const W_WORK: f64 = 4.0 / 3.0;
const W_EMPTY: f64 = 0.01;
const W_ROOM: f64 = 20.0;
const W_SPREAD: f64 = 50.0;
const DAYS_PER_MONTH: f64 = 30.4375;

/// `explain` of a plan of the demo (summary.json names the scenario only
/// relative to its own folder, so it is given).
fn explain(dir: &Path, household: &str, json: bool) -> std::process::Output {
    let mut c = bin();
    c.arg("explain").arg(dir).arg(household);
    c.arg("--scenario")
        .arg(repo().join("scenarios").join("demo.toml"));
    if json {
        c.arg("--json");
    }
    c.output().expect("cannot start boligplan")
}

fn stdout_ok(o: &std::process::Output) -> String {
    assert!(
        o.status.success(),
        "explain failed ({:?}): {}",
        o.status.code(),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn date(s: &str) -> NaiveDate {
    checker::parse_date(s).unwrap_or_else(|| panic!("not a date: {s:?}"))
}

/// The person-days of a household from `from` to the end of the horizon.
fn person_days(sc: &Scenario, h: &Household, from: NaiveDate) -> f64 {
    let mut d = from;
    let mut sum = 0.0;
    while d < sc.end {
        let (a, c) = h.comp_at(sc, d);
        sum += f64::from(a + c);
        d = d + Days::new(1);
    }
    sum
}

/// docs/model.md's spread penalty of a district with `persons` placed.
fn spread_penalty(sc: &Scenario, inputs: &Inputs, district: &str, persons: f64) -> f64 {
    let d = inputs.districts.iter().find(|d| d.id == district).unwrap();
    [0.25, 0.5, 0.75]
        .iter()
        .enumerate()
        .map(|(k, f)| {
            let s = sc.max_district_share * f;
            let level = ((s * d.population - d.newcomers) / (1.0 - s)).max(0.0);
            W_SPREAD * f64::from(1u32 << k) * (persons - level).max(0.0)
        })
        .sum()
}

/// The objective terms of household `h` in dwelling `u` from `move_in`,
/// with `others` persons placed in the dwelling's district by the rest of
/// the plan.
fn terms(
    sc: &Scenario,
    inputs: &Inputs,
    h: &Household,
    u: &Unit,
    move_in: NaiveDate,
    others: f64,
) -> BTreeMap<&'static str, f64> {
    let ty = checker::household_type((h.adults, h.children));
    let (a, c) = h.final_comp(sc);
    let persons = f64::from(a + c);
    let minutes = checker::travel_minutes(sc, inputs, h, u).unwrap();
    let available = u.available_from.unwrap_or(sc.start).max(sc.start);
    let empty_days = (move_in - available).num_days().max(0) as f64;
    let needed = (persons / sc.max_persons_per_room).ceil();
    let spare = (u.rooms.unwrap() - needed).max(0.0);
    let spread = u.district.as_deref().map_or(0.0, |d| {
        spread_penalty(sc, inputs, d, others + persons) - spread_penalty(sc, inputs, d, others)
    });
    BTreeMap::from([
        ("permanent", -permanent_weight(ty) * persons),
        ("days_saved", -day_weight(ty) * person_days(sc, h, move_in)),
        ("travel", W_TRAVEL * minutes),
        (
            "work_travel",
            checker::work_travel_minutes(sc, inputs, h, u).map_or(0.0, |m| W_WORK * m),
        ),
        (
            "empty_rent",
            W_EMPTY * empty_days * u.cost.unwrap_or(u.rent) / DAYS_PER_MONTH,
        ),
        ("spare_rooms", W_ROOM * spare),
        ("kept_proposal", 0.0),
        ("spread", spread),
    ])
}

/// The first README rule a permanent dwelling breaks for a household, if any.
fn broken_rule(sc: &Scenario, inputs: &Inputs, h: &Household, u: &Unit) -> Option<&'static str> {
    if u.temporary {
        return Some("tenure");
    }
    let move_in = h.eff_arrival(sc).max(u.available_from.unwrap_or(sc.start));
    let last = sc.end - Days::new(1);
    if move_in >= sc.end || u.available_until.is_some_and(|until| until < last) {
        return Some("availability");
    }
    if let Some(d) = inputs
        .districts
        .iter()
        .find(|d| Some(&d.id) == u.district.as_ref())
        && d.flags.iter().any(|f| {
            sc.forbidden_flags.contains(f)
                || (u.kind == "social_housing" && sc.forbidden_flags_social.contains(f))
        })
    {
        return Some("forbidden_district");
    }
    if h.needs_accessible && !u.accessible {
        return Some("accessibility");
    }
    let (a, c) = h.final_comp(sc);
    let persons = f64::from(a + c);
    let (rooms, area) = (u.rooms.unwrap_or(0.0), u.area_m2.unwrap_or(0.0));
    if persons > sc.max_persons_per_room * rooms && area < sc.min_m2_per_person * persons {
        return Some("size");
    }
    for comp in [h.comp_at(sc, move_in), h.final_comp(sc)] {
        let income = checker::income(sc, h, comp);
        let hb = checker::housing_benefit(sc, u.rent, area, income, comp);
        if income + hb - u.rent < checker::min_disposable(sc, comp) {
            return Some("affordability");
        }
    }
    match checker::travel_minutes(sc, inputs, h, u) {
        Some(m) if m <= sc.max_travel_min + 1e-9 => None,
        _ => Some("travel"),
    }
}

fn json_terms(v: &Value) -> BTreeMap<String, f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["name"].as_str().unwrap().to_string(),
                t["value"].as_f64().unwrap(),
            )
        })
        .collect()
}

fn assert_terms_match(what: &str, want: &BTreeMap<&str, f64>, got: &BTreeMap<String, f64>) {
    assert_eq!(
        got.keys().map(String::as_str).collect::<Vec<_>>(),
        want.keys().copied().collect::<Vec<_>>(),
        "{what}: term names"
    );
    for (name, w) in want {
        let g = got[*name];
        assert!(
            (g - w).abs() < 1e-6,
            "{what}: term {name}: explain says {g}, recomputed {w}"
        );
    }
}

/// Recomputes the home's terms and checks every alternative of `--json`.
fn check_independently(
    sc: &Scenario,
    inputs: &Inputs,
    plan: &HashMap<String, HashMap<String, String>>,
    report: &Value,
) {
    let id = report["household"].as_str().unwrap();
    let h = inputs.households.iter().find(|h| h.id == id).unwrap();
    let row = &plan[id];
    // Persons each district receives from the rest of the plan.
    let mut placed: HashMap<&str, f64> = HashMap::new();
    for (other, r) in plan {
        if other != id && r["status"] == "permanent" {
            *placed.entry(r["district"].as_str()).or_default() +=
                r["persons"].parse::<f64>().unwrap();
        }
    }
    let others = |u: &Unit| {
        u.district
            .as_deref()
            .and_then(|d| placed.get(d))
            .copied()
            .unwrap_or(0.0)
    };

    let own_total = if row["status"] == "permanent" {
        let u = &inputs.units[&row["perm_unit"]];
        let home = &report["home"];
        assert_eq!(home["unit"], row["perm_unit"].as_str());
        // plan.csv rounds the minutes to 0.1; the checker computes its own.
        let minutes = home["travel_min"].as_f64().unwrap();
        let csv_minutes: f64 = row["travel_minutes"].parse().unwrap();
        assert!((minutes - csv_minutes).abs() <= 0.05 + 1e-9, "{id}: travel");
        let want = terms(sc, inputs, h, u, date(&row["perm_from"]), others(u));
        assert_terms_match(
            &format!("{id}'s home"),
            &want,
            &json_terms(&report["terms"]),
        );
        let total: f64 = want.values().sum();
        let got = report["total"].as_f64().unwrap();
        assert!(
            (got - total).abs() < 1e-6,
            "{id}: explain's total {got}, recomputed {total}"
        );
        total
    } else {
        assert!(report["home"].is_null());
        assert_eq!(report["total"].as_f64(), Some(0.0));
        0.0
    };

    let alternatives = report["alternatives"].as_array().unwrap();
    assert_eq!(alternatives.len(), 3, "{id}: three next-best dwellings");
    let mut last = f64::NEG_INFINITY;
    for a in alternatives {
        let unit = a["unit"].as_str().unwrap();
        assert_ne!(Some(unit), row.get("perm_unit").map(String::as_str));
        let u = &inputs.units[unit];
        let forced = a["forced_rules"].as_array().unwrap();
        if forced.is_empty() {
            assert_eq!(
                broken_rule(sc, inputs, h, u),
                None,
                "{id}: alternative {unit} is not a lawful candidate and not marked"
            );
        }
        let move_in = h.eff_arrival(sc).max(u.available_from.unwrap_or(sc.start));
        assert_eq!(a["move_in"], move_in.to_string().as_str(), "{id}: {unit}");
        let want = terms(sc, inputs, h, u, move_in, others(u));
        assert_terms_match(
            &format!("{id}'s alternative {unit}"),
            &want,
            &json_terms(&a["terms"]),
        );
        let total: f64 = want.values().sum();
        assert!((a["total"].as_f64().unwrap() - total).abs() < 1e-6);
        assert!((a["delta_total"].as_f64().unwrap() - (total - own_total)).abs() < 1e-6);
        assert!(total >= last - 1e-9, "{id}: alternatives best first");
        last = total;
        // Why not: the rule must hold in plan.csv.
        match a["rule"].as_str().unwrap() {
            "taken" => {
                let holder = a["held_by"].as_str().unwrap();
                assert_eq!(
                    plan[holder]["perm_unit"], unit,
                    "{id}: {unit} held by {holder}"
                );
            }
            "pin" => assert!(
                report["pin"].is_object(),
                "{id}: a pin reason without a pin"
            ),
            "district_cap" | "building_cap" | "no_temporary_bridge" | "trade_off" => {
                assert!(
                    plan.values().all(|r| r["perm_unit"] != unit),
                    "{id}: {unit} is held, yet the reason is {}",
                    a["rule"]
                );
            }
            other => panic!("{id}: unexpected rule {other}"),
        }
        assert!(!a["why"].as_str().unwrap().is_empty());
    }
}

fn bless_or_compare(name: &str, text: &str) {
    let golden = data_dir().join("explain").join(format!("{name}.txt"));
    if std::env::var_os("BOLIGPLAN_BLESS").is_some() || !golden.exists() {
        fs::create_dir_all(golden.parent().unwrap()).unwrap();
        fs::write(&golden, text).unwrap();
    }
    let want = fs::read_to_string(&golden).unwrap();
    assert_eq!(
        text,
        want,
        "explain output differs from {}; if the change is intended, rerun with BOLIGPLAN_BLESS=1",
        golden.display()
    );
}

#[test]
fn demo_explanations_match_golden_files_and_an_independent_recomputation() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = repo().join("scenarios").join("demo.toml");
    let out = tmp.path().join("plan");
    let o = run_plan(&scenario, &out);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        !fs::read_to_string(&scenario).unwrap().contains("[weights"),
        "the recomputation assumes the README's default weights"
    );
    let plan = read_plan(&out);
    // The three households stand for the three cases; if the demo changes,
    // pick others of the same kind.
    assert_eq!(plan["H003"]["status"], "permanent");
    assert_eq!(plan["H058"]["pin"], "followed", "H058 has a locked_unit");
    assert_eq!(plan["H077"]["status"], "temporary_only");

    let sc = checker::load_scenario(&scenario).unwrap();
    let inputs = checker::load_inputs(&sc).unwrap();
    for id in ["H003", "H058", "H077"] {
        let text = stdout_ok(&explain(&out, id, false));
        assert!(
            !text.contains(&tmp.path().display().to_string()) && !text.contains("/work/"),
            "no absolute paths in {id}'s explanation"
        );
        assert!(
            text.lines().all(|l| l.chars().count() <= 80),
            "{id}: 80 columns"
        );
        bless_or_compare(id, &text);
        let report: Value = serde_json::from_str(&stdout_ok(&explain(&out, id, true))).unwrap();
        check_independently(&sc, &inputs, &plan, &report);
    }
    // The README shows H077's explanation as it is.
    let readme = fs::read_to_string(repo().join("README.md")).unwrap();
    let golden = fs::read_to_string(data_dir().join("explain").join("H077.txt")).unwrap();
    assert!(
        readme.contains(&golden),
        "README.md's `explain` example differs from tests/data/explain/H077.txt: copy it over"
    );
    // The temporary-only household gets the dwelling that would change it.
    let report: Value = serde_json::from_str(&stdout_ok(&explain(&out, "H077", true))).unwrap();
    let change = &report["what_would_change"];
    assert_eq!(change["reason_code"], plan["H077"]["reason_code"].as_str());
    let sentence = change["sentence"].as_str().unwrap();
    assert!(
        sentence.starts_with("one more dwelling with ≥ 4 rooms"),
        "{sentence}"
    );
    // The pinned household's alternatives are ruled out by its pin.
    let report: Value = serde_json::from_str(&stdout_ok(&explain(&out, "H058", true))).unwrap();
    assert_eq!(report["pin"]["origin"], "households file");
    assert!(
        report["alternatives"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["rule"] == "pin")
    );

    // plan.csv in the Danish Excel dialect explains the same.
    let danish = tmp.path().join("danish");
    copy_dir(&out, &danish);
    let text = fs::read_to_string(danish.join("plan.csv")).unwrap();
    let mut rewritten = String::from("\u{feff}");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(Vec::new());
    w.write_record(reader.headers().unwrap()).unwrap();
    for r in reader.records() {
        let r = r.unwrap();
        w.write_record(r.iter().map(|f| f.replace('.', ",")))
            .unwrap();
    }
    rewritten.push_str(&String::from_utf8(w.into_inner().unwrap()).unwrap());
    fs::write(danish.join("plan.csv"), rewritten).unwrap();
    assert_eq!(
        stdout_ok(&explain(&danish, "H077", false)),
        stdout_ok(&explain(&out, "H077", false))
    );

    // An unknown household: exit 1 with a suggestion.
    let o = explain(&out, "H0077", false);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("did you mean H007?"), "{err}");
}

#[test]
fn explain_refuses_what_is_not_a_plan_or_no_longer_matches_its_inputs() {
    let tmp = tempfile::tempdir().unwrap();
    // Not a plan output: the missing file is named.
    let o = explain(tmp.path(), "H001", false);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("summary.json"));

    // A copy of the demo, planned, then moved.
    let a = tmp.path().join("a");
    copy_dir(&repo().join("scenarios"), &a.join("scenarios"));
    copy_dir(
        &repo().join("data").join("demo"),
        &a.join("data").join("demo"),
    );
    let out = tmp.path().join("plan");
    let o = run_plan(&a.join("scenarios").join("demo.toml"), &out);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let b = tmp.path().join("b");
    fs::rename(&a, &b).unwrap();
    // (Run outside the repository, whose own scenarios/demo.toml would be
    // found by its name.)
    let o = bin()
        .current_dir(tmp.path())
        .arg("explain")
        .arg(&out)
        .arg("H001")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--scenario FILE"));
    let moved = b.join("scenarios").join("demo.toml");
    let with = |dir: &Path| {
        bin()
            .arg("explain")
            .arg(dir)
            .arg("H001")
            .arg("--scenario")
            .arg(&moved)
            .output()
            .unwrap()
    };
    let o = with(&out);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    // A scenario that does not load: its error is printed once, with one
    // `error: ` in front.
    let bad = tmp.path().join("bad.toml");
    fs::write(&bad, "start = \"2026-01-01\"\n").unwrap();
    let o = bin()
        .arg("explain")
        .arg(&out)
        .arg("H001")
        .arg("--scenario")
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.starts_with("error: ") && !err.contains("error: error:"),
        "{err}"
    );

    // The households file changes: a household of the plan is gone.
    let households = b.join("data").join("demo").join("households.csv");
    let text = fs::read_to_string(&households).unwrap();
    let fewer: String = text
        .lines()
        .filter(|l| !l.starts_with("H080,"))
        .flat_map(|l| [l, "\n"])
        .collect();
    fs::write(&households, fewer).unwrap();
    let o = with(&out);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("H080") && err.contains("changed since the plan"),
        "{err}"
    );

    // A dwelling's rent changes: the same households, another model.
    fs::write(&households, &text).unwrap();
    let housing = b.join("data").join("demo").join("housing.geojson");
    let stock = fs::read_to_string(&housing).unwrap();
    let row = read_plan(&out);
    let home = &row["H001"]["perm_unit"];
    let mut json: Value = serde_json::from_str(&stock).unwrap();
    for f in json["features"].as_array_mut().unwrap() {
        if f["properties"]["id"] == home.as_str() {
            let rent = f["properties"]["rent"].as_f64().unwrap();
            f["properties"]["rent"] = Value::from(rent - 100.0);
        }
    }
    fs::write(&housing, serde_json::to_string(&json).unwrap()).unwrap();
    let o = with(&out);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("changed since the plan"), "{err}");
}
