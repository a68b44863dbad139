//! The checker must be able to fail: a hand-made lawful plan passes, and
//! each hand-made breach of one rule is reported under that rule's code.

use std::fs;
use std::path::Path;

use super::{PLAN_COLUMNS, check_plan};
use crate::{copy_dir, data_dir};

const VALID: &str = "\
household_id,status,temp_unit,temp_from,temp_to,perm_unit,perm_from,district,persons,income,housing_benefit,rent,disposable,travel_minutes,work_travel_minutes,reason,reason_code,household_type
H1,permanent,T1,2026-01-01,2026-01-15,P2,2026-01-15,D1,4,25000,1599,6000,20599,2.7,,,,family
H2,permanent,,,,P1,2026-01-10,D1,1,6553,600,4000,3153,2.9,,,,single
H3,permanent,T2,2026-01-05,2026-02-01,P6,2026-02-01,D1,2,20000,600,4000,16600,4.1,,,,couple
H4,unplaced,,,,,,,1,6553,0,0,6553,,,arrives after the horizon,arrival_after_horizon,single
H5,temporary_only,T2,2026-01-01,2026-04-11,,,D1,1,15000,0,2000,13000,4.1,,no dwelling left,taken,single
";

/// Runs the checker on the fixture (optionally with edited inputs) and a plan text.
fn run(plan: &str, edit: &dyn Fn(&Path)) -> Vec<String> {
    let tmp = tempfile::tempdir().unwrap();
    let case = tmp.path().join("case");
    copy_dir(&data_dir().join("checker_fixture"), &case);
    edit(&case);
    let out = tmp.path().join("out");
    fs::create_dir_all(&out).unwrap();
    fs::write(out.join("plan.csv"), plan).unwrap();
    check_plan(&case.join("scenario.toml"), &out)
}

/// Replaces one field of one household's row in the plan text.
fn set(plan: &str, hid: &str, col: &str, value: &str) -> String {
    let mut lines: Vec<String> = plan.lines().map(str::to_string).collect();
    let idx = PLAN_COLUMNS.iter().position(|c| *c == col).unwrap();
    for l in &mut lines {
        if l.starts_with(&format!("{hid},")) {
            let mut f: Vec<String> = l.split(',').map(str::to_string).collect();
            f[idx] = value.to_string();
            *l = f.join(",");
        }
    }
    lines.join("\n") + "\n"
}

fn edit_file(dir: &Path, file: &str, from: &str, to: &str) {
    let p = dir.join(file);
    let s = fs::read_to_string(&p).unwrap();
    assert!(s.contains(from), "{file} has no {from:?}");
    fs::write(&p, s.replacen(from, to, 1)).unwrap();
}

fn expect(plan: &str, edit: &dyn Fn(&Path), code: &str) {
    let v = run(plan, edit);
    assert!(
        v.iter().any(|m| m.starts_with(&format!("{code}:"))),
        "expected a `{code}` violation, got {v:#?}"
    );
}

fn none(_: &Path) {}

#[test]
fn the_hand_made_lawful_plan_passes() {
    let v = run(VALID, &none);
    assert!(v.is_empty(), "{v:#?}");
}

#[test]
fn household_missing_twice_or_unknown() {
    let without_h5: String = VALID
        .lines()
        .filter(|l| !l.starts_with("H5,"))
        .flat_map(|l| [l, "\n"])
        .collect();
    expect(&without_h5, &none, "households");
    let h5 = VALID.lines().find(|l| l.starts_with("H5,")).unwrap();
    expect(&format!("{VALID}{h5}\n"), &none, "households");
    expect(
        &format!("{VALID}{}\n", h5.replacen("H5", "HX", 1)),
        &none,
        "households",
    );
}

#[test]
fn status_inconsistent_with_columns() {
    expect(&set(VALID, "H5", "status", "permanent"), &none, "status");
    expect(&set(VALID, "H5", "reason", ""), &none, "status");
    expect(&set(VALID, "H2", "status", "unplaced"), &none, "status");
    expect(&set(VALID, "H1", "persons", "3"), &none, "status");
}

#[test]
fn temporary_site_over_capacity() {
    // H3 (2 persons) joins H1 (3 persons) in T1 (capacity 4) on 5-14 January.
    expect(&set(VALID, "H3", "temp_unit", "T1"), &none, "capacity");
}

#[test]
fn temporary_site_over_capacity_only_after_a_reunion() {
    // T1 holds 3 persons; H1 is 3 persons until its reunion on 1 February.
    let plan = set(
        &set(VALID, "H1", "temp_to", "2026-02-05"),
        "H1",
        "perm_from",
        "2026-02-05",
    );
    let cap3 = |d: &Path| edit_file(d, "housing.geojson", "\"capacity\": 4", "\"capacity\": 3");
    assert!(run(&set(VALID, "H3", "temp_unit", "T2"), &cap3).is_empty());
    expect(&plan, &cap3, "capacity");
}

#[test]
fn dwelling_given_twice() {
    let plan = set(
        &set(VALID, "H3", "perm_unit", "P1"),
        "H3",
        "reason",
        "pin P6 refused",
    );
    expect(&plan, &none, "capacity");
}

#[test]
fn dates_broken() {
    expect(&set(VALID, "H1", "temp_to", "2026-01-14"), &none, "dates");
    expect(&set(VALID, "H3", "temp_from", "2026-01-02"), &none, "dates");
    expect(&set(VALID, "H5", "temp_to", "2026-03-01"), &none, "dates");
}

#[test]
fn too_small_after_the_reunion() {
    // P3: 1 room, 70 m2 fits H1's 3 persons at arrival but not its 4 after the reunion.
    expect(&set(VALID, "H1", "perm_unit", "P3"), &none, "size");
}

#[test]
fn unaffordable() {
    // H2 (single on benefits) in P2 at 6000 DKK.
    expect(&set(VALID, "H2", "perm_unit", "P2"), &none, "affordability");
    // Without housing benefit H2 keeps 6553 - 4000 < 2800 in P1.
    let no_hb = |d: &Path| {
        let p = d.join("scenario.toml");
        let s = fs::read_to_string(&p).unwrap();
        fs::write(&p, format!("{s}\n[housing_benefit]\nenabled = false\n")).unwrap();
    };
    expect(
        &set(VALID, "H2", "housing_benefit", "0"),
        &no_hb,
        "affordability",
    );
}

#[test]
fn money_columns_wrong() {
    expect(&set(VALID, "H1", "disposable", "20000"), &none, "money");
    expect(&set(VALID, "H3", "income", "19000"), &none, "money");
    expect(&set(VALID, "H2", "housing_benefit", "900"), &none, "money");
    expect(&set(VALID, "H5", "rent", "2546"), &none, "money");
}

#[test]
fn forbidden_districts() {
    let plan = set(
        &set(VALID, "H3", "perm_unit", "P4"),
        "H3",
        "reason",
        "pin refused",
    );
    expect(&plan, &none, "forbidden_district");
    // P5 is social housing in a `forebyggelse` district.
    let plan = set(
        &set(VALID, "H3", "perm_unit", "P5"),
        "H3",
        "reason",
        "pin refused",
    );
    expect(&plan, &none, "forbidden_district");
}

#[test]
fn availability_broken() {
    let early = set(
        &set(VALID, "H3", "temp_to", "2026-01-20"),
        "H3",
        "perm_from",
        "2026-01-20",
    );
    expect(&early, &none, "availability");
    let plan = set(
        &set(VALID, "H3", "perm_unit", "P7"),
        "H3",
        "reason",
        "pin refused",
    );
    expect(&plan, &none, "availability");
    expect(&set(VALID, "H5", "temp_unit", "T1"), &none, "availability");
}

#[test]
fn accessibility_broken() {
    expect(&set(VALID, "H2", "perm_unit", "P8"), &none, "accessibility");
}

#[test]
fn district_over_its_cap() {
    // D3: population 100, 4 newcomers: (4 + 2) / (100 + 2) > 5 %.
    let plan = set(
        &set(VALID, "H3", "perm_unit", "P8"),
        "H3",
        "reason",
        "pin refused",
    );
    expect(&plan, &none, "district_cap");
}

#[test]
fn building_over_its_cap() {
    // P1, P2 and P3 share building B1.
    let plan = set(
        &set(VALID, "H3", "perm_unit", "P3"),
        "H3",
        "reason",
        "pin refused",
    );
    expect(&plan, &none, "building_cap");
}

#[test]
fn travel_too_long_or_misreported() {
    let plan = set(
        &set(VALID, "H3", "perm_unit", "P9"),
        "H3",
        "reason",
        "pin refused",
    );
    expect(&plan, &none, "travel");
    let far_school = |d: &Path| {
        edit_file(
            d,
            "households.csv",
            "H5,1,0,2026-01-01,15000,,,,,",
            "H5,1,0,2026-01-01,15000,,,,,S2",
        );
    };
    expect(VALID, &far_school, "travel");
    expect(&set(VALID, "H1", "travel_minutes", "9.0"), &none, "travel");
}

/// Work travel: H2 (in P1) works at J1, 1118 m away: 1118 × 1.3 at
/// 30 km/h = 2.9 min, to be reported, and within `max_work_travel_min`.
#[test]
fn work_travel_misreported_or_too_long() {
    let works_at_j1 = |d: &Path| {
        edit_file(
            d,
            "households.csv",
            "H2,1,0,2026-01-10,,,,,true,,,",
            "H2,1,0,2026-01-10,,,,,true,,J1,",
        );
    };
    let work = |v: &[String]| -> Vec<String> {
        v.iter()
            .filter(|m| m.starts_with("work_travel: "))
            .cloned()
            .collect()
    };
    // Blank, but H2 has a work place.
    let v = run(VALID, &works_at_j1);
    assert_eq!(work(&v).len(), 1, "{v:#?}");
    assert!(work(&v)[0].contains("expected Some(2.9"), "{v:#?}");
    let reported = set(VALID, "H2", "work_travel_minutes", "2.9");
    assert!(work(&run(&reported, &works_at_j1)).is_empty());
    // Reported for a household without a work place.
    expect(&reported, &none, "work_travel");
    // Over the scenario's limit.
    let limit = |d: &Path| {
        works_at_j1(d);
        fs::write(
            d.join("scenario.toml"),
            fs::read_to_string(d.join("scenario.toml")).unwrap()
                + "\n[rules]\nmax_work_travel_min = 2\n",
        )
        .unwrap();
    };
    let v = run(&reported, &limit);
    assert!(
        v.iter()
            .any(|m| m.starts_with("work_travel: H2 in P1: 2.9 min to work > 2")),
        "{v:#?}"
    );
}

/// With a network, travel is computed over it: a one-minute road link
/// from P1 to the school S1 makes H2's trip 1.0 min; drawn one-way the
/// other way, only the 1118 m walk is left (14.9 min at 4.5 km/h).
#[test]
fn travel_over_a_network() {
    let with_network = |oneway_back: bool| {
        move |d: &Path| {
            let (from, to) = if oneway_back {
                ("[492500,6222500]", "[491500,6223000]")
            } else {
                ("[491500,6223000]", "[492500,6222500]")
            };
            fs::write(
                d.join("network.geojson"),
                format!(
                    r#"{{"type":"FeatureCollection","crs":{{"type":"name","properties":{{"name":"EPSG:25832"}}}},"features":[{{"type":"Feature","properties":{{"mode":"road","minutes":1,"oneway":true}},"geometry":{{"type":"LineString","coordinates":[{from},[492000,6222900],{to}]}}}}]}}"#
                ),
            )
            .unwrap();
            edit_file(
                d,
                "scenario.toml",
                "places = \"places.geojson\"",
                "places = \"places.geojson\"\nnetwork = \"network.geojson\"",
            );
        }
    };
    let h2 = |v: &[String]| -> Vec<String> {
        v.iter()
            .filter(|m| m.starts_with("travel: H2 "))
            .cloned()
            .collect()
    };
    // The straight-line 2.9 is now wrong; 1.0 is right.
    let v = run(VALID, &with_network(false));
    assert_eq!(h2(&v).len(), 1, "{v:#?}");
    let v = run(
        &set(VALID, "H2", "travel_minutes", "1.0"),
        &with_network(false),
    );
    assert!(h2(&v).is_empty(), "{v:#?}");
    // Against the one-way link only walking is left.
    let v = run(
        &set(VALID, "H2", "travel_minutes", "1.0"),
        &with_network(true),
    );
    assert!(
        h2(&v).iter().any(|m| m.contains("expected 14.91")),
        "{v:#?}"
    );
    let v = run(
        &set(VALID, "H2", "travel_minutes", "14.9"),
        &with_network(true),
    );
    assert!(h2(&v).is_empty(), "{v:#?}");
}

#[test]
fn pin_ignored_silently() {
    let plan = set(
        &set(VALID, "H3", "perm_unit", "P8"),
        "H3",
        "reason",
        "nothing to say",
    );
    expect(&plan, &none, "pin");
}

#[test]
fn left_without_a_roof() {
    let plan = set(
        &set(&set(VALID, "H3", "temp_unit", ""), "H3", "temp_from", ""),
        "H3",
        "temp_to",
        "",
    );
    expect(&plan, &none, "roof");
}

#[test]
fn arrival_after_the_horizon_placed() {
    let plan = set(
        &set(VALID, "H4", "status", "temporary_only"),
        "H4",
        "temp_unit",
        "T2",
    );
    expect(&plan, &none, "arrival");
}

#[test]
fn wrong_district_column() {
    expect(&set(VALID, "H2", "district", "D3"), &none, "district");
}

#[test]
fn a_later_temporary_place_while_an_earlier_one_had_room() {
    // Without its end date T1 (municipal building, capacity 4) is lawful for
    // H5 and has room beside H1 (3 persons until 15 January); by the default
    // order municipal buildings come before containers such as T2.
    let open_t1 = |d: &Path| {
        edit_file(
            d,
            "housing.geojson",
            "\"available_until\": \"2026-03-01\"",
            "\"accessible\": false",
        );
    };
    expect(VALID, &open_t1, "temporary_order");
    // With containers first, T2 is H5's first place, and now H1 should have
    // been there too.
    let containers_first = |d: &Path| {
        open_t1(d);
        let p = d.join("scenario.toml");
        let s = fs::read_to_string(&p).unwrap();
        fs::write(&p, s + "\n[temporary]\norder = [\"container\"]\n").unwrap();
    };
    let v = run(VALID, &containers_first);
    assert!(
        v.len() == 1 && v[0].starts_with("temporary_order: H1 in T1"),
        "{v:#?}"
    );
}

#[test]
fn a_lawful_home_missed_is_found() {
    // The plan the planner made of `rule_affordability_reunion` before it
    // judged the reunion day: H1 is told no dwelling fits, yet F is
    // affordable from the reunion on 2026-04-01.
    let plan = "\
household_id,status,temp_unit,temp_from,temp_to,perm_unit,perm_from,district,persons,income,housing_benefit,rent,disposable,travel_minutes,work_travel_minutes,reason,reason_code,household_type
H1,temporary_only,T1,2026-01-01,2027-01-01,,,D1,4,18290,0,3000,15290,5.5,,no permanent dwelling fits,size,family
";
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("plan.csv"), plan).unwrap();
    let scenario = data_dir().join("rule_affordability_reunion/scenario.toml");
    let v = check_plan(&scenario, tmp.path());
    assert!(
        v.iter()
            .any(|m| m
                .starts_with("missed: H1 is told `size` but F passes every rule from 2026-04-01")),
        "{v:#?}"
    );
}
