//! One tiny hand-made case per rule (`tests/data/rule_*`, `tests/data/crs_*`).
//!
//! Each case is small enough to check on paper; its `scenario.toml` says in a
//! comment what the plan must be and why. Every test plans the case, asserts
//! that the independent checker finds nothing, and asserts the one outcome the
//! case exists for.

use std::collections::HashMap;

use crate::{data_dir, plan_ok, read_plan};

type Plan = HashMap<String, HashMap<String, String>>;

/// Plans `tests/data/<case>`, asserts the checker passes, returns plan.csv.
fn plan_case(case: &str) -> Plan {
    let scenario = data_dir().join(case).join("scenario.toml");
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let violations = plan_ok(&scenario, &out);
    let plan = read_plan(&out);
    assert!(
        violations.is_empty(),
        "{case}: the checker found violations:\n{violations:#?}\nplan: {plan:#?}"
    );
    plan
}

fn field<'a>(plan: &'a Plan, hid: &str, col: &str) -> &'a str {
    plan.get(hid)
        .unwrap_or_else(|| panic!("no row for {hid}"))
        .get(col)
        .unwrap_or_else(|| panic!("no column {col}"))
}

fn assert_field(plan: &Plan, hid: &str, col: &str, expected: &str) {
    assert_eq!(
        field(plan, hid, col),
        expected,
        "{hid}.{col}; row: {:#?}",
        plan[hid]
    );
}

fn perm_units(plan: &Plan) -> Vec<&str> {
    let mut v: Vec<&str> = plan
        .values()
        .map(|r| r["perm_unit"].as_str())
        .filter(|s| !s.is_empty())
        .collect();
    v.sort_unstable();
    v
}

#[test]
fn size_counts_the_reunion_inside_the_horizon() {
    let plan = plan_case("rule_size_reunion");
    assert_field(&plan, "H1", "status", "permanent");
    assert_field(&plan, "H1", "perm_unit", "B");
    assert_field(&plan, "H1", "persons", "5");
}

#[test]
fn forbidden_districts_are_never_used() {
    let plan = plan_case("rule_forbidden_district");
    assert_field(&plan, "H1", "status", "temporary_only");
    assert_field(&plan, "H1", "temp_unit", "T_ok");
    assert_field(&plan, "H1", "reason_code", "forbidden_district");
}

#[test]
fn district_cap_refuses_the_second_family() {
    let plan = plan_case("rule_district_cap");
    assert_field(&plan, "H1", "status", "permanent");
    assert_field(&plan, "H1", "district", "D1");
    assert_field(&plan, "H2", "status", "temporary_only");
    assert_field(&plan, "H2", "reason_code", "district_cap");
}

#[test]
fn the_accessible_unit_goes_to_who_needs_it() {
    let plan = plan_case("rule_accessibility");
    assert_field(&plan, "H2", "perm_unit", "A");
    assert_field(&plan, "H1", "perm_unit", "B");
}

#[test]
fn building_cap_refuses_the_third_household() {
    let plan = plan_case("rule_building_cap");
    assert_field(&plan, "H1", "status", "permanent");
    assert_field(&plan, "H2", "status", "permanent");
    assert_field(&plan, "H3", "status", "temporary_only");
    assert_field(&plan, "H3", "reason_code", "building_cap");
}

#[test]
fn travel_to_the_own_or_nearest_language_school() {
    let plan = plan_case("rule_travel");
    assert_field(&plan, "H2", "status", "permanent");
    assert_field(&plan, "H2", "perm_unit", "P_far");
    assert_field(&plan, "H1", "status", "temporary_only");
    assert_field(&plan, "H1", "temp_unit", "T_near");
    assert_field(&plan, "H1", "reason_code", "travel");
}

#[test]
fn housing_benefit_makes_homes_affordable() {
    let plan = plan_case("rule_affordability_hb");
    assert_field(&plan, "H1", "perm_unit", "F");
    assert_field(&plan, "H1", "income", "13375");
    assert_field(&plan, "H1", "housing_benefit", "4143");
    assert_field(&plan, "H1", "disposable", "8518");
    assert_field(&plan, "H2", "perm_unit", "S");
    assert_field(&plan, "H2", "housing_benefit", "600");
    assert_field(&plan, "H2", "disposable", "3153");
}

#[test]
fn without_housing_benefit_nothing_is_affordable() {
    let plan = plan_case("rule_affordability_no_hb");
    for hid in ["H1", "H2"] {
        assert_field(&plan, hid, "status", "temporary_only");
        assert_field(&plan, hid, "rent", "2546");
        assert_field(&plan, hid, "housing_benefit", "0");
    }
    // Only affordability keeps H2 out of a home.
    assert_field(&plan, "H2", "reason_code", "affordability");
    // H1 would be housed if either rule were relaxed (S is too small but
    // affordable, F fits but is not affordable): both are binding.
    let code = field(&plan, "H1", "reason_code");
    assert!(
        code == "affordability" || code == "size",
        "H1's reason_code {code:?}"
    );
}

#[test]
fn temporary_capacity_counts_reunited_members() {
    let plan = plan_case("rule_temp_capacity_reunion");
    assert_field(&plan, "H1", "status", "temporary_only");
    assert_field(&plan, "H2", "status", "temporary_only");
    assert_field(&plan, "H1", "persons", "3");
    assert_ne!(
        field(&plan, "H1", "temp_unit"),
        field(&plan, "H2", "temp_unit"),
        "5 persons from 1 February do not fit T1 (capacity 4)"
    );
}

#[test]
fn availability_dates_are_respected() {
    let plan = plan_case("rule_availability");
    assert_eq!(perm_units(&plan), ["P1", "P3"]);
    for hid in ["H1", "H2"] {
        assert_field(&plan, hid, "status", "permanent");
        assert_field(&plan, hid, "temp_unit", "T2");
        assert_field(&plan, hid, "temp_from", "2026-01-01");
        let from = field(&plan, hid, "perm_from");
        let min = if field(&plan, hid, "perm_unit") == "P1" {
            "2026-01-31"
        } else {
            "2026-03-01"
        };
        assert!(from >= min, "{hid} moves in {from}, before {min}");
    }
}

#[test]
fn pins_are_honoured_or_explained() {
    let plan = plan_case("rule_pin");
    assert_field(&plan, "H2", "perm_unit", "P1");
    assert_field(&plan, "H1", "perm_unit", "P2");
    assert_ne!(field(&plan, "H3", "perm_unit"), "P_udsat");
    // The refused pin does not move H3 ahead of H1 (both single; H1 arrived first).
    let code = field(&plan, "H3", "reason_code");
    assert!(
        code == "pin" || code == "forbidden_district",
        "H3's reason_code {code:?}"
    );
    let reason = field(&plan, "H3", "reason").to_lowercase();
    assert!(
        reason.contains("p_udsat") || reason.contains("pin") || reason.contains("lock"),
        "H3's reason does not mention its pin: {reason:?}"
    );
    assert_field(&plan, "H4", "status", "temporary_only");
    assert_field(&plan, "H4", "temp_unit", "T2");
}

#[test]
fn arrival_after_the_horizon_is_unplaced() {
    let plan = plan_case("rule_arrival_after_horizon");
    assert_field(&plan, "H1", "status", "unplaced");
    assert_field(&plan, "H1", "reason_code", "arrival_after_horizon");
    for col in [
        "temp_unit",
        "temp_from",
        "temp_to",
        "perm_unit",
        "perm_from",
    ] {
        assert_field(&plan, "H1", col, "");
    }
    assert_ne!(field(&plan, "H2", "status"), "unplaced");
    let from = match field(&plan, "H2", "temp_from") {
        "" => field(&plan, "H2", "perm_from"),
        t => t,
    };
    assert_eq!(from, "2026-03-31");
    assert_field(&plan, "H3", "status", "permanent");
    assert_field(&plan, "H3", "persons", "1");
}

#[test]
fn housing_csv_in_utm_with_point_in_polygon() {
    let plan = plan_case("crs_csv_25832");
    assert_field(&plan, "H1", "perm_unit", "P_b");
    assert_field(&plan, "H1", "district", "D2");
}

#[test]
fn geojson_in_wgs84_without_crs_member() {
    let plan = plan_case("crs_wgs84");
    assert_eq!(perm_units(&plan), ["P_ok"]);
    let (home, other) = if field(&plan, "H1", "perm_unit") == "P_ok" {
        ("H1", "H2")
    } else {
        ("H2", "H1")
    };
    assert_field(&plan, home, "district", "D1");
    assert_field(&plan, other, "status", "temporary_only");
    assert_field(&plan, other, "temp_unit", "T");
    // P_ok's centroid is (8.96, 56.16); the school is at (8.95, 56.15).
    let t: f64 = field(&plan, home, "travel_minutes").parse().unwrap();
    assert!((2.0..5.0).contains(&t), "travel_minutes {t}");
}

/// Every case directory here has a test above.
#[test]
fn every_case_directory_is_tested() {
    let src = std::fs::read_to_string(crate::repo().join("tests/it/rules.rs")).unwrap();
    for e in std::fs::read_dir(data_dir()).unwrap() {
        let name = e.unwrap().file_name().into_string().unwrap();
        if name.starts_with("rule_") || name.starts_with("crs_") {
            assert!(src.contains(&format!("\"{name}\"")), "no test for {name}");
        }
    }
}

#[test]
fn work_travel_is_weighed_and_bounded() {
    let plan = plan_case("rule_work_travel");
    assert_field(&plan, "H1", "perm_unit", "P_east");
    assert_field(&plan, "H1", "travel_minutes", "2.6");
    assert_field(&plan, "H1", "work_travel_minutes", "23.4");
    assert_field(&plan, "H2", "perm_unit", "P_west");
    assert_field(&plan, "H2", "work_travel_minutes", "23.4");
    assert_field(&plan, "H3", "status", "unplaced");
    assert_field(&plan, "H3", "reason_code", "work_travel");
    assert_field(&plan, "H3", "work_travel_minutes", "");
}

/// Plans `tests/data/<case>` with `args` added, asserts the checker passes.
fn plan_case_with(case: &str, args: &[&str]) -> Plan {
    let scenario = data_dir().join(case).join("scenario.toml");
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o = crate::bin()
        .arg("plan")
        .arg(&scenario)
        .arg("--out")
        .arg(&out)
        .args(args)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "{case} {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let violations = crate::checker::check_plan(&scenario, &out);
    assert!(violations.is_empty(), "{case} {args:?}: {violations:#?}");
    read_plan(&out)
}

#[test]
fn a_home_affordable_from_the_reunion_is_lawful_from_that_day() {
    for strategy in ["optimise", "greedy", "fcfs"] {
        let plan = plan_case_with("rule_affordability_reunion", &["--strategy", strategy]);
        let row = |c| field(&plan, "H1", c);
        assert_eq!(
            [
                row("perm_unit"),
                row("perm_from"),
                row("temp_unit"),
                row("temp_from"),
                row("temp_to")
            ],
            ["F", "2026-04-01", "T1", "2026-01-01", "2026-04-01"],
            "{strategy}: {:#?}",
            plan["H1"]
        );
        assert_eq!(row("housing_benefit"), "3916", "{strategy}");
        assert_eq!(row("disposable"), "13206", "{strategy}");
        assert_eq!(row("household_type"), "family", "{strategy}");
    }
    // The officer's pin to F is lawful: no --force is needed.
    let pinned = plan_case_with("rule_affordability_reunion", &["--pin", "H1=F"]);
    assert_field(&pinned, "H1", "perm_unit", "F");
    assert_field(&pinned, "H1", "perm_from", "2026-04-01");
    // explain agrees with the plan.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let scenario = data_dir().join("rule_affordability_reunion/scenario.toml");
    assert!(crate::run_plan(&scenario, &out).status.success());
    let o = crate::bin()
        .args(["explain", "--json"])
        .arg(&out)
        .arg("H1")
        .arg("--scenario")
        .arg(&scenario)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(json["home"]["unit"], "F");
    assert_eq!(json["home"]["from"], "2026-04-01");
    assert_eq!(json["home"]["from_reunion"], true);
    assert_eq!(json["limits"]["lawful"], 1, "{:#}", json["limits"]);
}

#[test]
fn a_single_whose_family_follows_is_weighted_as_a_family() {
    for strategy in ["optimise", "greedy"] {
        let plan = plan_case_with("rule_priority_followers", &["--strategy", strategy]);
        assert_field(&plan, "H1", "perm_unit", "F");
        assert_field(&plan, "H1", "household_type", "family");
        assert_field(&plan, "H2", "status", "temporary_only");
        assert_field(&plan, "H2", "household_type", "couple");
    }
}

#[test]
fn the_temporary_place_follows_the_order_of_kinds_then_travel_then_cost() {
    let case = data_dir().join("rule_temporary_order");
    for (scenario, expected) in [
        ("scenario.toml", "M2"),
        ("scenario_containers_first.toml", "C2"),
    ] {
        for strategy in ["optimise", "greedy", "fcfs"] {
            let tmp = tempfile::tempdir().unwrap();
            let out = tmp.path().join("out");
            let o = crate::bin()
                .arg("plan")
                .arg(case.join(scenario))
                .arg("--out")
                .arg(&out)
                .args(["--strategy", strategy])
                .output()
                .unwrap();
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            let violations = crate::checker::check_plan(&case.join(scenario), &out);
            assert!(
                violations.is_empty(),
                "{scenario} {strategy}: {violations:#?}"
            );
            let plan = read_plan(&out);
            assert_eq!(
                field(&plan, "H1", "temp_unit"),
                expected,
                "{scenario} {strategy}"
            );
            assert_field(&plan, "H1", "perm_unit", "P1");
        }
    }
}
