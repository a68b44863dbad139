//! What is published (issue 20): no field, point or figure of `plan.geojson`
//! or `plan.gpkg` reveals a district count of 1–4 persons; reruns give the
//! same bytes; the exact points only with `--officer-layers`.
//!
//! Independent of the writer: the true counts come from `plan.csv` (the
//! officer's file), the districts and their polygons from the inputs read
//! by the checker, a point's district by the checker's own point-in-polygon
//! (GeoJSON lon/lat projected with the checker's transformation; the
//! GeoPackage's geometry decoded here from its bytes), the rent bands and
//! the published share of a suppressed district from the README.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use rusqlite::Connection;
use rusqlite::types::Value as Sql;
use serde_json::Value;

use crate::checker::{self, Inputs};
use crate::{bin, plan_ok};

/// Generates the scenario of size s, seed 7, which has districts that
/// receive 1–4 persons.
fn generated(root: &Path) -> PathBuf {
    let dir = root.join("gen");
    let o = bin()
        .args(["generate", "--size", "s", "--seed", "7", "--out"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    dir.join("scenario.toml")
}

/// `boligplan plan SCENARIO --out OUT` with extra arguments and environment.
fn plan(scenario: &Path, out: &Path, args: &[&str], env: &[(&str, &str)]) {
    let mut c = bin();
    c.arg("plan")
        .arg(scenario)
        .arg("--out")
        .arg(out)
        .arg("--quiet");
    c.args(args).env_remove("SOURCE_DATE_EPOCH");
    for (k, v) in env {
        c.env(k, v);
    }
    let o = c.output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// The README's rent bands.
fn band(rent: i64) -> &'static str {
    if rent < 4000 {
        "<4000"
    } else if rent < 6000 {
        "4000-5999"
    } else if rent < 8000 {
        "6000-7999"
    } else {
        "8000+"
    }
}

fn small(n: i64) -> bool {
    (1..5).contains(&n)
}

/// What `plan.csv` says: persons per (district, status) of the households
/// that live somewhere, and each household's rent.
struct Truth {
    groups: BTreeMap<(String, String), i64>,
    rent: BTreeMap<String, Option<i64>>,
}

impl Truth {
    fn read(out: &Path) -> Truth {
        let rows = checker::read_csv_maps(&out.join("plan.csv")).unwrap();
        let mut groups = BTreeMap::new();
        let mut rent = BTreeMap::new();
        for r in &rows {
            rent.insert(r["household_id"].clone(), r["rent"].parse().ok());
            if r["district"].is_empty() {
                continue;
            }
            *groups
                .entry((r["district"].clone(), r["status"].clone()))
                .or_default() += r["persons"].parse::<i64>().unwrap();
        }
        Truth { groups, rent }
    }

    /// Districts where some status has 1–4 persons (the permanent ones are
    /// the district's placed persons).
    fn small_districts(&self) -> BTreeSet<String> {
        self.groups
            .iter()
            .filter(|(_, p)| small(**p))
            .map(|((d, _), _)| d.clone())
            .collect()
    }

    fn permanent(&self, district: &str) -> i64 {
        self.groups
            .get(&(district.to_string(), "permanent".to_string()))
            .copied()
            .unwrap_or(0)
    }
}

/// The README's published share after the plan of a suppressed district:
/// the share with 2.5 persons placed.
fn published_share(newcomers_before: f64, population: f64) -> f64 {
    (newcomers_before + 2.5) / (population + 2.5)
}

/// The figures of a suppressed district that may be numbers: those from
/// before the plan, and the share after as the README defines it.
const BEFORE: &[&str] = &[
    "population",
    "newcomers_before",
    "share_before",
    "location_quotient_before",
];

/// x, y of a GeoPackage point: the `GP` header (with its envelope, if
/// any), then little- or big-endian WKB.
fn gp_point(blob: &[u8]) -> (f64, f64) {
    assert_eq!(&blob[..2], b"GP");
    let envelope = match (blob[3] >> 1) & 7 {
        0 => 0,
        1 => 32,
        2 | 3 => 48,
        4 => 64,
        e => panic!("bad envelope {e}"),
    };
    let wkb = &blob[8 + envelope..];
    let le = wkb[0] == 1;
    let f = |at: usize| {
        let b: [u8; 8] = wkb[at..at + 8].try_into().unwrap();
        if le {
            f64::from_le_bytes(b)
        } else {
            f64::from_be_bytes(b)
        }
    };
    let kind: [u8; 4] = wkb[1..5].try_into().unwrap();
    let kind = if le {
        u32::from_le_bytes(kind)
    } else {
        u32::from_be_bytes(kind)
    };
    assert_eq!(kind, 1, "a POINT");
    (f(5), f(13))
}

fn district_of(inputs: &Inputs, (x, y): (f64, f64)) -> Option<String> {
    checker::district_containing(&inputs.districts, x, y)
}

/// Every problem of `plan.geojson`.
fn geojson_problems(
    out: &Path,
    inputs: &Inputs,
    truth: &Truth,
    smalls: &BTreeSet<String>,
) -> Vec<String> {
    let doc: Value =
        serde_json::from_str(&fs::read_to_string(out.join("plan.geojson")).unwrap()).unwrap();
    let mut problems = Vec::new();
    let mut aggregated: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut exact: BTreeMap<(String, String), i64> = BTreeMap::new();
    for f in doc["features"].as_array().unwrap() {
        let p = f["properties"].as_object().unwrap();
        match p["layer"].as_str().unwrap() {
            "district" => {
                let id = p["id"].as_str().unwrap();
                let num = |k: &str| p.get(k).and_then(Value::as_i64);
                // The rule counts persons: 2 households of 7 persons may show.
                for k in ["persons_placed", "persons_temporary_at_end"] {
                    if num(k).is_some_and(small) {
                        problems.push(format!("{id}: {k} {}", p[k]));
                    }
                }
                if let (Some(a), Some(b)) = (num("newcomers_after"), num("newcomers_before"))
                    && small(a - b)
                {
                    problems.push(format!("{id}: newcomers_after − before = {}", a - b));
                }
                for q in p["placed_by_quarter"].as_array().unwrap() {
                    if q.as_i64().is_some_and(small) {
                        problems.push(format!("{id}: a quarter cell {q}"));
                    }
                }
                if !smalls.contains(id) {
                    continue;
                }
                for (k, v) in p {
                    let allowed = BEFORE.contains(&k.as_str()) || k == "share_after";
                    if v.is_number() && !allowed {
                        problems.push(format!("{id} (small): {k} = {v}"));
                    }
                }
                if p["persons_placed_label"] != "<5" {
                    problems.push(format!("{id} (small): label {}", p["persons_placed_label"]));
                }
                if p["placed_by_quarter"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|q| !q.is_null())
                {
                    problems.push(format!(
                        "{id} (small): placed_by_quarter {}",
                        p["placed_by_quarter"]
                    ));
                }
                let d = inputs.districts.iter().find(|d| d.id == id).unwrap();
                let share = p["share_after"].as_f64().unwrap();
                let expected = published_share(d.newcomers, d.population);
                let placed = truth.permanent(id) as f64;
                let true_share = (d.newcomers + placed) / (d.population + placed);
                if (share - expected).abs() > 1e-12
                    || (placed > 0.0 && (share - true_share).abs() < 1e-12)
                {
                    problems.push(format!("{id} (small): share_after {share}"));
                }
            }
            "placement" => {
                let c = &f["geometry"]["coordinates"];
                let at = checker::lonlat_to_utm(c[0].as_f64().unwrap(), c[1].as_f64().unwrap());
                let district = district_of(inputs, at).unwrap_or_default();
                let status = p["status"].as_str().unwrap().to_string();
                if p.contains_key("rent") {
                    problems.push(format!("a placement carries its rent: {p:?}"));
                }
                if p.get("aggregated") == Some(&Value::Bool(true)) {
                    *aggregated.entry((district.clone(), status)).or_default() += 1;
                    if p.get("household_id").is_some_and(|h| !h.is_null())
                        || p["persons"].as_i64().is_some_and(small)
                        || (p["persons"].is_null() && !p["households"].is_null())
                    {
                        problems.push(format!("an aggregated point shows {p:?}"));
                    }
                } else {
                    let id = p["household_id"].as_str().unwrap();
                    if smalls.contains(&district) {
                        problems.push(format!("{id}'s own point in small district {district}"));
                    }
                    let rent = truth.rent[id].map(band);
                    if p.get("rent_band").and_then(Value::as_str) != rent {
                        problems.push(format!(
                            "{id}: rent band {:?}, not {rent:?}",
                            p.get("rent_band")
                        ));
                    }
                    *exact.entry((district, status)).or_default() += p["persons"].as_i64().unwrap();
                }
            }
            other => problems.push(format!("a feature of layer {other}")),
        }
    }
    for ((district, status), n) in &aggregated {
        if *n > 1 {
            problems.push(format!("{n} aggregated {status} points in {district}"));
        }
    }
    for ((district, status), persons) in &exact {
        if small(*persons) {
            problems.push(format!(
                "{persons} {status} persons shown as points in {district}"
            ));
        }
    }
    for d in smalls {
        if !aggregated.keys().any(|(a, _)| a == d) {
            problems.push(format!("small district {d} has no aggregated point"));
        }
    }
    problems
}

/// Every problem of `plan.gpkg`.
fn gpkg_problems(out: &Path, inputs: &Inputs, smalls: &BTreeSet<String>) -> Vec<String> {
    let conn = Connection::open(out.join("plan.gpkg")).unwrap();
    let mut problems = Vec::new();
    let rows = |sql: &str| -> Vec<BTreeMap<String, Sql>> {
        let mut stmt = conn.prepare(sql).unwrap();
        let names: Vec<String> = stmt.column_names().map(str::to_string).collect();
        stmt.query_map([], |r| {
            Ok(names
                .iter()
                .enumerate()
                .map(|(i, n)| (n.clone(), r.get::<_, Sql>(i).unwrap()))
                .collect())
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
    };
    let int = |r: &BTreeMap<String, Sql>, k: &str| match r.get(k) {
        Some(Sql::Integer(i)) => Some(*i),
        _ => None,
    };
    for r in rows("SELECT * FROM districts") {
        let Sql::Text(id) = &r["district_id"] else {
            panic!()
        };
        if int(&r, "persons_placed").is_some_and(small) {
            problems.push(format!("gpkg {id}: persons_placed"));
        }
        if let (Some(a), Some(b)) = (int(&r, "newcomers_after"), int(&r, "newcomers_before"))
            && small(a - b)
        {
            problems.push(format!("gpkg {id}: newcomers_after − before = {}", a - b));
        }
        if !smalls.contains(id) {
            continue;
        }
        for (k, v) in &r {
            let kept = BEFORE.contains(&k.as_str())
                || [
                    "fid",
                    "geom",
                    "district_id",
                    "name",
                    "flags",
                    "persons_placed_label",
                ]
                .contains(&k.as_str());
            match (k.as_str(), v) {
                ("share_after", Sql::Real(share)) => {
                    let d = inputs.districts.iter().find(|d| &d.id == id).unwrap();
                    if (share - published_share(d.newcomers, d.population)).abs() > 1e-12 {
                        problems.push(format!("gpkg {id} (small): share_after {share}"));
                    }
                }
                ("persons_placed_label", v) if *v != Sql::Text("<5".into()) => {
                    problems.push(format!("gpkg {id} (small): label {v:?}"));
                }
                ("suppressed", v) if *v != Sql::Integer(1) => {
                    problems.push(format!("gpkg {id} (small): suppressed {v:?}"));
                }
                (k, Sql::Integer(_) | Sql::Real(_)) if !kept && k != "suppressed" => {
                    problems.push(format!("gpkg {id} (small): {k} = {v:?}"));
                }
                _ => {}
            }
        }
    }
    let mut aggregated: BTreeMap<(String, String), usize> = BTreeMap::new();
    for r in
        rows("SELECT geom, household_id, aggregated, households, persons, status FROM placements")
    {
        let Sql::Blob(geom) = &r["geom"] else {
            panic!()
        };
        let district = district_of(inputs, gp_point(geom)).unwrap_or_default();
        let Sql::Text(status) = &r["status"] else {
            panic!()
        };
        if int(&r, "aggregated") == Some(1) {
            *aggregated
                .entry((district.clone(), status.clone()))
                .or_default() += 1;
            if r["household_id"] != Sql::Null
                || int(&r, "persons").is_some_and(small)
                || (r["persons"] == Sql::Null && r["households"] != Sql::Null)
            {
                problems.push(format!("gpkg: an aggregated point shows {r:?}"));
            }
        } else if smalls.contains(&district) {
            problems.push(format!(
                "gpkg: {:?}'s own point in small district {district}",
                r["household_id"]
            ));
        }
    }
    for ((district, status), n) in &aggregated {
        if *n > 1 {
            problems.push(format!(
                "gpkg: {n} aggregated {status} points in {district}"
            ));
        }
    }
    for r in rows(
        "SELECT geom, unit_id, used_by_plan, move_in, peak_persons, person_days, occupancy FROM housing",
    ) {
        let Sql::Blob(geom) = &r["geom"] else {
            panic!()
        };
        let district = district_of(inputs, gp_point(geom)).unwrap_or_default();
        if int(&r, "peak_persons").is_some_and(small) {
            problems.push(format!("gpkg housing: {:?} peak_persons", r["unit_id"]));
        }
        if smalls.contains(&district)
            && [
                "used_by_plan",
                "move_in",
                "peak_persons",
                "person_days",
                "occupancy",
            ]
            .iter()
            .any(|k| r[*k] != Sql::Null)
        {
            problems.push(format!(
                "gpkg housing: {:?} in small district {district} shows its use",
                r["unit_id"]
            ));
        }
    }
    problems
}

#[test]
fn no_published_field_point_or_figure_reveals_a_district_count_under_5() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = generated(tmp.path());
    let out = tmp.path().join("out");
    let violations = plan_ok(&scenario, &out);
    assert!(violations.is_empty(), "{violations:#?}");
    let sc = checker::load_scenario(&scenario).unwrap();
    let inputs = checker::load_inputs(&sc).unwrap();
    let truth = Truth::read(&out);
    let smalls = truth.small_districts();
    assert!(
        smalls.iter().any(|d| small(truth.permanent(d))),
        "the generated scenario (size s, seed 7) no longer places 1-4 persons in a district; pick another seed"
    );
    let mut problems = geojson_problems(&out, &inputs, &truth, &smalls);
    problems.extend(gpkg_problems(&out, &inputs, &smalls));
    assert!(problems.is_empty(), "{problems:#?}");
}

/// Every file of a directory, by name.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn gpkg_times(path: &Path) -> BTreeSet<String> {
    let conn = Connection::open(path).unwrap();
    let mut stmt = conn
        .prepare("SELECT last_change FROM gpkg_contents UNION SELECT update_time FROM layer_styles")
        .unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn reruns_give_the_same_bytes_and_record_no_path_of_the_machine() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = generated(tmp.path());
    let (a, b) = (
        tmp.path().join("a").join("out"),
        tmp.path().join("b").join("out"),
    );
    plan(&scenario, &a, &["--officer-layers"], &[]);
    plan(&scenario, &b, &["--officer-layers"], &[]);
    let (fa, fb) = (files(&a), files(&b));
    assert_eq!(fa.keys().collect::<Vec<_>>(), fb.keys().collect::<Vec<_>>());
    assert!(
        fa.contains_key("plan.gpkg") && fa.len() >= 8,
        "{:?}",
        fa.keys()
    );
    for (name, bytes) in &fa {
        if name == "summary.json" {
            // The README's one exception: the timing field.
            let strip = |b: &[u8]| {
                let mut v: Value = serde_json::from_slice(b).unwrap();
                v.as_object_mut().unwrap().remove("solve_seconds").unwrap();
                v
            };
            assert_eq!(strip(bytes), strip(&fb[name]), "summary.json differs");
        } else {
            assert!(bytes == &fb[name], "{name} differs between two runs");
        }
        // No path of the machine: not the temporary folder, not the
        // scenario's absolute path.
        let root = tmp.path().to_string_lossy().into_owned();
        assert!(!contains(bytes, root.as_bytes()), "{name} records {root}");
        let base = tmp
            .path()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        assert!(!contains(bytes, base.as_bytes()), "{name} records {base}");
    }
    let summary: Value = serde_json::from_slice(&fa["summary.json"]).unwrap();
    assert_eq!(summary["run"]["scenario_file"], "scenario.toml");

    // The report of the plan: the same bytes twice, and no path either.
    let report = |to: &Path| {
        let o = bin()
            .arg("report")
            .arg(&a)
            .arg("--out")
            .arg(to)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        fs::read(to).unwrap()
    };
    let (ra, rb) = (
        report(&tmp.path().join("r1.html")),
        report(&tmp.path().join("r2.html")),
    );
    assert!(ra == rb, "report.html differs between two runs");
    assert!(!contains(&ra, tmp.path().to_string_lossy().as_bytes()));

    // The GeoPackage's write time: SOURCE_DATE_EPOCH, else 1970.
    assert_eq!(
        gpkg_times(&a.join("plan.gpkg")),
        BTreeSet::from(["1970-01-01T00:00:00.000Z".to_string()])
    );
    let c = tmp.path().join("c");
    plan(&scenario, &c, &[], &[("SOURCE_DATE_EPOCH", "1767225600")]);
    assert_eq!(
        gpkg_times(&c.join("plan.gpkg")),
        BTreeSet::from(["2026-01-01T00:00:00.000Z".to_string()])
    );
}

#[test]
fn the_officer_layer_is_written_only_with_officer_layers() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = generated(tmp.path());
    let (without, with) = (tmp.path().join("without"), tmp.path().join("with"));
    plan(&scenario, &without, &[], &[]);
    plan(&scenario, &with, &["--officer-layers"], &[]);
    let (fw, fo) = (files(&without), files(&with));
    assert!(!fw.contains_key("officer_placements.geojson"));
    let extra: Vec<&String> = fo.keys().filter(|k| !fw.contains_key(*k)).collect();
    assert_eq!(extra, ["officer_placements.geojson"]);
    // Everything else is the same with the flag.
    for (name, bytes) in &fw {
        if name != "summary.json" {
            assert!(bytes == &fo[name], "{name} changes with --officer-layers");
        }
    }
    // The exact points: every household with a place, also in the small
    // districts.
    let sc = checker::load_scenario(&scenario).unwrap();
    let inputs = checker::load_inputs(&sc).unwrap();
    let truth = Truth::read(&with);
    let doc: Value = serde_json::from_slice(&fo["officer_placements.geojson"]).unwrap();
    let rows = checker::read_csv_maps(&with.join("plan.csv")).unwrap();
    let placed: BTreeSet<&str> = rows
        .iter()
        .filter(|r| !r["district"].is_empty())
        .map(|r| r["household_id"].as_str())
        .collect();
    let mut seen = BTreeSet::new();
    let mut in_small = 0;
    for f in doc["features"].as_array().unwrap() {
        let c = &f["geometry"]["coordinates"];
        let at = checker::lonlat_to_utm(c[0].as_f64().unwrap(), c[1].as_f64().unwrap());
        let district = district_of(&inputs, at).unwrap_or_default();
        assert_eq!(f["properties"]["district"], district.as_str());
        if truth.small_districts().contains(&district) {
            in_small += 1;
        }
        seen.insert(
            f["properties"]["household_id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    assert_eq!(
        seen.iter().map(String::as_str).collect::<BTreeSet<_>>(),
        placed
    );
    assert!(in_small > 0, "no exact point in a small district");
}
