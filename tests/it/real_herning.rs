//! A scenario on the real parishes of Herning Kommune, built at test time.
//!
//! The parishes come from `../shared/data/real/dagi-2014-500k/sogne.geojson`
//! (MultiPolygons in CRS84, kept with their `crs` member as they are), the
//! dwellings sit a few hundred metres from real towns of
//! `../shared/data/real/geonames-dk/places_4kommuner.csv`, given as a CSV in
//! EPSG:25832 without a `district`, so the planner has to find each one's
//! parish by point-in-polygon. The test checks the plan with the independent
//! checker and the parish of every permanent home with its own containment
//! test.

use std::fmt::Write as _;
use std::fs;
use std::path::PathBuf;

use serde_json::{Value, json};

use crate::checker::{self, lonlat_to_utm};
use crate::{plan_ok, read_plan, repo};

fn real_data() -> PathBuf {
    repo().join("..").join("shared").join("data").join("real")
}

#[test]
fn herning_parishes_assign_every_home_to_its_parish() {
    let real = real_data();
    if !real.is_dir() {
        // The shared real data lives outside the repository (it must not be
        // copied in). CI has it; on a machine without it this test cannot say
        // anything, so it says so loudly and passes instead of failing on a
        // missing file that is not the planner's fault.
        eprintln!(
            "SKIPPED: ../shared/data/real not found (looked in {})",
            real.display()
        );
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();

    // Districts: Herning's 34 parishes.
    let sogne: Value = serde_json::from_str(
        &fs::read_to_string(real.join("dagi-2014-500k/sogne.geojson")).unwrap(),
    )
    .unwrap();
    let mut features = Vec::new();
    for f in sogne["features"].as_array().unwrap() {
        let p = &f["properties"];
        if p["komkode"] != "0657" {
            continue;
        }
        let area = p["area_km2"].as_f64().unwrap();
        let population = (area * 60.0 + 500.0).round();
        features.push(json!({
            "type": "Feature",
            "properties": {
                "id": p["SOGNEKODE"],
                "name": p["SOGNENAVN"],
                "population": population,
                "newcomers": (population * 0.01).round(),
            },
            "geometry": f["geometry"],
        }));
    }
    assert_eq!(features.len(), 34, "Herning Kommune has 34 parishes");
    let districts = json!({"type": "FeatureCollection", "crs": sogne["crs"], "features": features});
    fs::write(dir.join("districts.geojson"), districts.to_string()).unwrap();
    let parishes = checker::load_districts(&dir.join("districts.geojson")).unwrap();

    // Towns: the 20 largest (then alphabetical) populated places in Herning.
    let mut rdr = csv::Reader::from_path(real.join("geonames-dk/places_4kommuner.csv")).unwrap();
    let mut towns: Vec<(String, i64, f64, f64)> = rdr
        .deserialize::<std::collections::HashMap<String, String>>()
        .map(Result::unwrap)
        .filter(|r| r["kommunekode"] == "0657" && r["feature_class"] == "P")
        .map(|r| {
            (
                r["name"].clone(),
                r["population"].parse().unwrap_or(0),
                r["longitude"].parse().unwrap(),
                r["latitude"].parse().unwrap(),
            )
        })
        .collect();
    towns.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));

    let mut housing = String::from("id,kind,tenure,rooms,area_m2,rent,capacity,building,x,y\n");
    let mut homes = Vec::new();
    for (i, (_, _, lon, lat)) in towns.iter().take(20).enumerate() {
        let (x, y) = lonlat_to_utm(*lon, *lat);
        let (x, y) = (
            x + 150.0 + 50.0 * (i % 4) as f64,
            y - 200.0 + 100.0 * (i % 3) as f64,
        );
        if checker::district_containing(&parishes, x, y).is_none() {
            // A town on the municipal border: its offset point may leave Herning.
            continue;
        }
        let id = format!("P{i:02}");
        writeln!(
            housing,
            "{id},private_rental,permanent,2,60,4500,,,{x:.1},{y:.1}"
        )
        .unwrap();
        homes.push((id, x, y));
    }
    assert!(
        homes.len() >= 15,
        "only {} towns inside Herning",
        homes.len()
    );
    // Two temporary sites next to the two largest towns.
    for (i, (_, _, lon, lat)) in towns.iter().take(2).enumerate() {
        let (x, y) = lonlat_to_utm(*lon, *lat);
        writeln!(
            housing,
            "T{i},municipal_building,temporary,,,2500,40,,{:.1},{:.1}",
            x - 300.0,
            y + 250.0
        )
        .unwrap();
    }
    fs::write(dir.join("housing.csv"), housing).unwrap();

    // Language schools in four towns, WGS84 without a crs member.
    let schools: Vec<Value> = ["Herning", "Vildbjerg", "Kibæk", "Sunds"]
        .iter()
        .map(|name| {
            let t = towns.iter().find(|t| t.0 == *name).unwrap();
            json!({"type": "Feature",
                   "properties": {"id": format!("LS-{name}"), "kind": "language_school", "name": name},
                   "geometry": {"type": "Point", "coordinates": [t.2, t.3]}})
        })
        .collect();
    fs::write(
        dir.join("places.geojson"),
        json!({"type": "FeatureCollection", "features": schools}).to_string(),
    )
    .unwrap();

    // 24 households: singles, couples and families, arriving over six months.
    let mut households = String::from(
        "id,adults,children,arrival,income,reunion_date,reunion_adults,reunion_children,needs_accessible,language_school,work_place,locked_unit\n",
    );
    for i in 0..24 {
        let (adults, children, income) = match i % 3 {
            0 => (1, 0, 15000),
            1 => (2, 0, 22000),
            _ => (2, 2, 28000),
        };
        let month = 1 + i / 4;
        writeln!(
            households,
            "R{i:02},{adults},{children},2026-{month:02}-{:02},{income},,,,,,,",
            1 + 3 * (i % 4)
        )
        .unwrap();
    }
    fs::write(dir.join("households.csv"), households).unwrap();

    let scenario = dir.join("scenario.toml");
    fs::write(
        &scenario,
        r#"name = "Herning parishes (real) with synthetic homes"
start = "2026-01-01"
horizon_days = 365
crs = "EPSG:25832"

[inputs]
households = "households.csv"
housing = "housing.csv"
districts = "districts.geojson"
places = "places.geojson"
"#,
    )
    .unwrap();

    let out = dir.join("out");
    let violations = plan_ok(&scenario, &out);
    assert!(violations.is_empty(), "{}", violations.join("\n"));

    let plan = read_plan(&out);
    let mut permanent = 0;
    for row in plan.values() {
        if row["status"] != "permanent" {
            continue;
        }
        permanent += 1;
        let (_, x, y) = homes.iter().find(|h| h.0 == row["perm_unit"]).unwrap();
        let parish = checker::district_containing(&parishes, *x, *y).unwrap();
        assert_eq!(
            row["district"], parish,
            "{} lives in {} at ({x:.0}, {y:.0}), which lies in parish {parish}",
            row["household_id"], row["perm_unit"]
        );
    }
    assert!(permanent > 0, "nobody got a home: {plan:#?}");
}
