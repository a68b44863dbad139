//! Reference tests of `boligplan::spread` against PySAL (`segregation`,
//! `esda`, `libpysal`): the values in tests/data/metrics/reference.json were
//! computed by tools/reference_metrics.py and are pinned here to 1e-6.
//!
//! Unlike the rest of this binary, these tests call the library: they check
//! the formulas, not the planner.

use std::fs;

use boligplan::ids::DistrictId;
use boligplan::model::District;
use boligplan::spread::{self, HotSpotSettings, Quadrant};
use geo::{LineString, MultiPolygon, Polygon};
use serde_json::Value;

use crate::{data_dir, repo};

const TOL: f64 = 1e-6;

fn reference() -> Value {
    let text = fs::read_to_string(data_dir().join("metrics").join("reference.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn lists(v: &Value) -> Vec<Vec<usize>> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|l| {
            l.as_array()
                .unwrap()
                .iter()
                .map(|x| usize::try_from(x.as_u64().unwrap()).unwrap())
                .collect()
        })
        .collect()
}

fn ring(v: &Value) -> LineString<f64> {
    LineString::from(
        v.as_array()
            .unwrap()
            .iter()
            .map(|p| (p[0].as_f64().unwrap(), p[1].as_f64().unwrap()))
            .collect::<Vec<_>>(),
    )
}

fn polygon(v: &Value) -> Polygon<f64> {
    let rings = v.as_array().unwrap();
    Polygon::new(ring(&rings[0]), rings[1..].iter().map(ring).collect())
}

/// Districts of a GeoJSON file in EPSG:25832, read without the planner's loader.
fn read_districts(path: &std::path::Path) -> Vec<District> {
    let doc: Value = serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap();
    doc["features"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let g = &f["geometry"];
            let geometry = match g["type"].as_str().unwrap() {
                "Polygon" => MultiPolygon(vec![polygon(&g["coordinates"])]),
                _ => MultiPolygon(
                    g["coordinates"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(polygon)
                        .collect(),
                ),
            };
            let p = &f["properties"];
            District {
                id: DistrictId(u32::try_from(i).unwrap()),
                name: p["name"].as_str().unwrap().to_string(),
                label: p["id"].as_str().unwrap().to_string(),
                population: u32::try_from(p["population"].as_u64().unwrap()).unwrap(),
                newcomers: u32::try_from(p["newcomers"].as_u64().unwrap()).unwrap(),
                flags: Vec::new(),
                geometry,
            }
        })
        .collect()
}

fn close(what: &str, ours: &[f64], theirs: &[f64]) {
    assert_eq!(ours.len(), theirs.len(), "{what}: lengths");
    for (i, (a, b)) in ours.iter().zip(theirs).enumerate() {
        assert!((a - b).abs() <= TOL, "{what}[{i}]: ours {a}, PySAL {b}");
    }
}

/// Compares every pinned figure of one case; returns nothing, panics on a difference.
fn check_case(name: &str, districts: &[District], r: &Value) {
    let x = floats(&r["newcomers"]);
    let t = floats(&r["population"]);
    let ids: Vec<&str> = r["ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let labels: Vec<&str> = districts.iter().map(|d| d.label.as_str()).collect();
    assert_eq!(labels, ids, "{name}: district order");
    let counts: Vec<(f64, f64)> = x.iter().copied().zip(t.iter().copied()).collect();

    let ix = spread::indices(&counts);
    let want = &r["indices"];
    for (field, ours) in [
        ("dissimilarity", ix.dissimilarity),
        ("isolation", ix.isolation),
        ("exposure", ix.exposure),
        ("theil", ix.theil),
    ] {
        let theirs = want[field].as_f64().unwrap();
        assert!(
            (ours - theirs).abs() <= TOL,
            "{name} {field}: ours {ours}, PySAL {theirs}"
        );
    }
    close(
        &format!("{name} location quotients"),
        &spread::location_quotients(&counts),
        &floats(&r["location_quotients"]),
    );

    let queen = spread::queen_neighbours(districts);
    assert_eq!(
        queen,
        lists(&r["queen"]),
        "{name}: queen contiguity differs from libpysal"
    );
    let band = &r["distance_band"];
    assert_eq!(
        spread::distance_band(districts, band["metres"].as_f64().unwrap()),
        lists(&band["neighbours"]),
        "{name}: distance band differs from libpysal"
    );

    let share: Vec<f64> = counts.iter().map(|(x, t)| x / t).collect();
    let settings = HotSpotSettings {
        permutations: 999,
        seed: 20_260_101,
        alpha: 0.05,
    };
    let hs = spread::hot_spots(&share, &queen, settings);
    let g = &r["gi_star"];
    close(
        &format!("{name} Gi*"),
        &hs.iter().map(|h| h.gi_star).collect::<Vec<_>>(),
        &floats(&g["G"]),
    );
    close(
        &format!("{name} Gi* z"),
        &hs.iter().map(|h| h.gi_star_z).collect::<Vec<_>>(),
        &floats(&g["z"]),
    );
    close(
        &format!("{name} Gi* p_norm"),
        &hs.iter().map(|h| h.gi_p_norm).collect::<Vec<_>>(),
        &floats(&g["p_norm"]),
    );
    let ours_sig: Vec<usize> = hs
        .iter()
        .filter(|h| h.gi_star_z.abs() > 1.96)
        .map(|h| h.district)
        .collect();
    let theirs_sig: Vec<usize> = g["significant_z_1_96"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| usize::try_from(v.as_u64().unwrap()).unwrap())
        .collect();
    assert_eq!(
        ours_sig, theirs_sig,
        "{name}: districts with |Gi* z| > 1.96"
    );
    let m = &r["moran"];
    close(
        &format!("{name} local Moran I"),
        &hs.iter().map(|h| h.moran_i).collect::<Vec<_>>(),
        &floats(&m["I"]),
    );
    close(
        &format!("{name} local Moran z"),
        &hs.iter().map(|h| h.moran_z).collect::<Vec<_>>(),
        &floats(&m["z"]),
    );
    let quadrants: Vec<&str> = hs.iter().map(|h| h.quadrant.as_str()).collect();
    let theirs_q: Vec<&str> = m["quadrant"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(quadrants, theirs_q, "{name}: Moran quadrants");

    // Permutation p-values come from different RNGs: they must agree only
    // roughly (999 draws: standard error at most 0.016 each).
    for (h, (gp, mp)) in hs
        .iter()
        .zip(floats(&g["p_sim"]).into_iter().zip(floats(&m["p_sim"])))
    {
        assert!(
            (h.gi_p - gp).abs() < 0.08,
            "{name} district {}: Gi* p_sim ours {}, esda {gp}",
            h.district,
            h.gi_p
        );
        assert!(
            (h.moran_p - mp).abs() < 0.08,
            "{name} district {}: Moran p_sim ours {}, esda {mp}",
            h.district,
            h.moran_p
        );
    }
    let ours_fdr: Vec<usize> = hs
        .iter()
        .filter(|h| h.significant)
        .map(|h| h.district)
        .collect();
    let ours_hh: Vec<usize> = hs
        .iter()
        .filter(|h| h.high_high)
        .map(|h| h.district)
        .collect();
    let esda_sim: Vec<usize> = floats(&g["p_sim"])
        .iter()
        .enumerate()
        .filter(|(_, p)| **p <= 0.05)
        .map(|(i, _)| i)
        .collect();
    eprintln!(
        "{name}: D {:.9} H {:.9}; |z|>1.96 {ours_sig:?}; ours Gi* FDR-significant {ours_fdr:?}, \
         HH clusters {ours_hh:?}; esda Gi* p_sim <= 0.05 (uncorrected) {esda_sim:?}",
        ix.dissimilarity, ix.theil
    );
    // A significant Gi* hot spot after FDR is also beyond |z| > 1.96 here.
    for h in hs.iter().filter(|h| h.significant) {
        assert!(
            theirs_sig.contains(&h.district),
            "{name}: {} significant but |z| ≤ 1.96",
            h.district
        );
    }
}

#[test]
fn grid_matches_pysal() {
    let r = reference();
    let districts = read_districts(&data_dir().join("metrics").join("grid.geojson"));
    check_case("grid", &districts, &r["grid"]);
    // The north-east corner is the cluster the grid was made with.
    let share: Vec<f64> = districts
        .iter()
        .map(|d| f64::from(d.newcomers) / f64::from(d.population))
        .collect();
    let hs = spread::hot_spots(
        &share,
        &spread::queen_neighbours(&districts),
        HotSpotSettings::default(),
    );
    assert!(
        hs[15].hot && hs[15].quadrant == Quadrant::HighHigh,
        "{:?}",
        hs[15]
    );
}

#[test]
fn demo_matches_pysal() {
    let r = reference();
    let mut districts = read_districts(&repo().join("data").join("demo").join("districts.geojson"));
    let placed = floats(&r["demo"]["placed"]);
    for (d, p) in districts.iter_mut().zip(&placed) {
        let p = *p as u32;
        d.newcomers += p;
        d.population += p;
    }
    let x: Vec<f64> = districts.iter().map(|d| f64::from(d.newcomers)).collect();
    assert_eq!(x, floats(&r["demo"]["newcomers"]));
    check_case("demo", &districts, &r["demo"]);
}
