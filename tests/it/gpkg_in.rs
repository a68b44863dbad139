//! GeoPackage layers as inputs (issue 6, "GeoPackage in, too"): housing,
//! districts and places given as `stock.gpkg#layer` plan exactly as the
//! GeoJSON files they were converted from.
//!
//! The GeoPackages are written by GDAL's `ogr2ogr`, as a QGIS user's would
//! be; without it the tests say SKIPPED (and fail under CI, which installs
//! gdal-bin).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::{repo, run_plan};

/// Whether `ogr2ogr` is here; prints a SKIPPED line if not, and fails under
/// CI (which installs gdal-bin).
fn have_ogr2ogr() -> bool {
    let found = Command::new("ogr2ogr").arg("--version").output().is_ok();
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "ogr2ogr not found but CI is set: .ci/run installs gdal-bin"
        );
        let _ = std::io::Write::write_all(
            &mut std::io::stderr(),
            b"SKIPPED: ogr2ogr not found (install gdal-bin); GeoPackage inputs not tested\n",
        );
    }
    found
}

fn demo_data() -> PathBuf {
    repo().join("data").join("demo")
}

/// Converts a demo GeoJSON file into layer `layer` of `gpkg` (created or
/// updated), optionally reprojected.
fn convert(gpkg: &Path, geojson: &str, layer: &str, t_srs: Option<&str>) {
    let mut cmd = Command::new("ogr2ogr");
    cmd.arg("-f").arg("GPKG");
    if gpkg.exists() {
        cmd.arg("-update");
    }
    if let Some(srs) = t_srs {
        cmd.arg("-t_srs").arg(srs);
    }
    let o = cmd
        .arg(gpkg)
        .arg(demo_data().join(geojson))
        .arg("-nln")
        .arg(layer)
        .output()
        .expect("cannot start ogr2ogr");
    assert!(
        o.status.success(),
        "ogr2ogr {geojson} failed:\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// The demo scenario in `dir` with its housing, districts and places
/// replaced by `inputs` (`[housing, districts, places]`), households and
/// network copied beside it.
fn demo_scenario(dir: &Path, inputs: [&str; 3]) -> PathBuf {
    let text = fs::read_to_string(repo().join("scenarios").join("demo.toml")).unwrap();
    let mut replaced = text.replace("../data/demo/households.csv", "households.csv");
    assert!(replaced.contains("\"../data/demo/network.geojson\""));
    replaced = replaced.replace("../data/demo/network.geojson", "network.geojson");
    fs::copy(
        demo_data().join("network.geojson"),
        dir.join("network.geojson"),
    )
    .unwrap();
    for (from, to) in ["housing.geojson", "districts.geojson", "places.geojson"]
        .iter()
        .zip(inputs)
    {
        let from = format!("\"../data/demo/{from}\"");
        assert!(replaced.contains(&from), "demo.toml names {from}");
        replaced = replaced.replace(&from, &format!("\"{to}\""));
    }
    fs::copy(
        demo_data().join("households.csv"),
        dir.join("households.csv"),
    )
    .unwrap();
    let path = dir.join("scenario.toml");
    fs::write(&path, replaced).unwrap();
    path
}

/// Plans `scenario` (with extra arguments) into `out`, asserting success.
fn plan(scenario: &Path, out: &Path, args: &[&str]) {
    let o = if args.is_empty() {
        run_plan(scenario, out)
    } else {
        super::bin()
            .arg("plan")
            .arg(scenario)
            .arg("--out")
            .arg(out)
            .args(args)
            .output()
            .expect("cannot start boligplan")
    };
    assert!(
        o.status.success(),
        "boligplan plan {} failed ({:?}):\n{}",
        scenario.display(),
        o.status.code(),
        String::from_utf8_lossy(&o.stderr)
    );
}

fn objective(out: &Path) -> f64 {
    let v: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    v["objective"]
        .as_f64()
        .expect("summary.json has an objective")
}

/// The status column of plan.csv, by household.
fn statuses(out: &Path) -> Vec<(String, String)> {
    let mut rows: Vec<(String, String)> = super::read_plan(out)
        .into_iter()
        .map(|(id, r)| (id, r["status"].clone()))
        .collect();
    rows.sort();
    rows
}

#[test]
fn geopackage_layers_plan_as_the_geojson_files_do() {
    if !have_ogr2ogr() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let gpkg = tmp.path().join("stock.gpkg");
    convert(&gpkg, "housing.geojson", "dwellings", None);
    convert(&gpkg, "districts.geojson", "districts", None);
    convert(&gpkg, "places.geojson", "places", None);
    let scenario = demo_scenario(
        tmp.path(),
        [
            "stock.gpkg#dwellings",
            "stock.gpkg#districts",
            "stock.gpkg#places",
        ],
    );
    let from_geojson = tmp.path().join("out-geojson");
    let from_gpkg = tmp.path().join("out-gpkg");
    plan(
        &repo().join("scenarios").join("demo.toml"),
        &from_geojson,
        &[],
    );
    plan(&scenario, &from_gpkg, &[]);
    let a = fs::read_to_string(from_geojson.join("plan.csv")).unwrap();
    let b = fs::read_to_string(from_gpkg.join("plan.csv")).unwrap();
    assert!(a.lines().count() > 1);
    assert_eq!(a, b, "plan.csv from the GeoPackage layers differs");
}

#[test]
fn a_layer_in_utm_32n_plans_the_same() {
    if !have_ogr2ogr() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    // Housing and places are WGS84 in the demo; here they are reprojected to
    // EPSG:25832, each in a file of its own (the only layer: no `#layer`).
    let housing = tmp.path().join("housing.gpkg");
    let places = tmp.path().join("places.gpkg");
    let districts = tmp.path().join("districts.gpkg");
    convert(&housing, "housing.geojson", "dwellings", Some("EPSG:25832"));
    convert(&places, "places.geojson", "places", Some("EPSG:25832"));
    convert(
        &districts,
        "districts.geojson",
        "districts",
        Some("EPSG:25832"),
    );
    let scenario = demo_scenario(
        tmp.path(),
        ["housing.gpkg", "districts.gpkg#districts", "places.gpkg"],
    );
    // The greedy strategy is a fixed order of exact comparisons: the same
    // plan to the byte.
    let greedy_geojson = tmp.path().join("greedy-geojson");
    let greedy_gpkg = tmp.path().join("greedy-gpkg");
    let demo = repo().join("scenarios").join("demo.toml");
    plan(&demo, &greedy_geojson, &["--strategy", "greedy"]);
    plan(&scenario, &greedy_gpkg, &["--strategy", "greedy"]);
    assert_eq!(
        fs::read_to_string(greedy_geojson.join("plan.csv")).unwrap(),
        fs::read_to_string(greedy_gpkg.join("plan.csv")).unwrap(),
        "greedy plan.csv from the EPSG:25832 layers differs"
    );
    // The optimiser's subgradient path feels GDAL's and proj4rs's last
    // digits (nanometres) and may swap two equally good households: the
    // same objective and the same status for every household.
    let opt_geojson = tmp.path().join("opt-geojson");
    let opt_gpkg = tmp.path().join("opt-gpkg");
    plan(&demo, &opt_geojson, &[]);
    plan(&scenario, &opt_gpkg, &[]);
    let (a, b) = (objective(&opt_geojson), objective(&opt_gpkg));
    assert!(
        (a - b).abs() <= 1e-6 * a.abs().max(1.0),
        "objective {a} from GeoJSON, {b} from the EPSG:25832 layers"
    );
    assert_eq!(statuses(&opt_geojson), statuses(&opt_gpkg));
}

#[test]
fn a_missing_layer_is_an_input_error_listing_the_layers() {
    if !have_ogr2ogr() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let gpkg = tmp.path().join("stock.gpkg");
    convert(&gpkg, "housing.geojson", "dwellings", None);
    convert(&gpkg, "districts.geojson", "districts", None);
    convert(&gpkg, "places.geojson", "places", None);
    let scenario = demo_scenario(
        tmp.path(),
        [
            "stock.gpkg#dwelings",
            "stock.gpkg#districts",
            "stock.gpkg#places",
        ],
    );
    let out = tmp.path().join("out");
    let o = run_plan(&scenario, &out);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("stock.gpkg: found no layer \"dwelings\"")
            && stderr.contains("its feature layers are districts, dwellings, places")
            && stderr.contains("did you mean `#dwellings`?"),
        "{stderr}"
    );
    assert!(!out.exists(), "nothing is written on an input error");

    // Without `#layer` a file of several layers is an error naming them.
    let scenario = demo_scenario(
        tmp.path(),
        ["stock.gpkg", "stock.gpkg#districts", "stock.gpkg#places"],
    );
    let o = run_plan(&scenario, &out);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("found 3 feature layers (districts, dwellings, places)"),
        "{stderr}"
    );
}
