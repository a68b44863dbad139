//! plan.geojson is strict RFC 7946: a FeatureCollection in WGS84 lon/lat
//! without a `crs` member, closed rings with counter-clockwise exteriors and
//! clockwise holes, coordinates rounded to at most 7 decimals.

use std::fs;

use serde_json::Value;

use crate::{plan_ok, repo};

/// Twice the signed area of a ring in lon/lat (positive: counter-clockwise).
fn signed_area2(ring: &[Value]) -> f64 {
    ring.windows(2)
        .map(|w| {
            let (a, b) = (&w[0], &w[1]);
            a[0].as_f64().unwrap() * b[1].as_f64().unwrap()
                - b[0].as_f64().unwrap() * a[1].as_f64().unwrap()
        })
        .sum()
}

fn check_position(p: &Value, problems: &mut Vec<String>) {
    let lon = p[0].as_f64().unwrap();
    let lat = p[1].as_f64().unwrap();
    // Denmark (without the Faroes and Greenland) lies within 8–15.3 E, 54.5–57.8 N.
    if !(8.0..=15.3).contains(&lon) || !(54.5..=57.8).contains(&lat) {
        problems.push(format!("position {lon}, {lat} is not lon/lat in Denmark"));
    }
    for v in [lon, lat] {
        let text = v.to_string();
        if text.split('.').nth(1).is_some_and(|d| d.len() > 7) {
            problems.push(format!("{text} has more than 7 decimals"));
        }
    }
}

#[test]
fn plan_geojson_is_rfc_7946() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    assert!(plan_ok(&repo().join("scenarios/demo.toml"), &out).is_empty());
    let doc: Value =
        serde_json::from_str(&fs::read_to_string(out.join("plan.geojson")).unwrap()).unwrap();
    assert_eq!(doc["type"], "FeatureCollection");
    assert!(doc.get("crs").is_none(), "RFC 7946 has no crs member");
    let mut problems = Vec::new();
    let (mut points, mut polygons) = (0, 0);
    for f in doc["features"].as_array().unwrap() {
        assert_eq!(f["type"], "Feature");
        let g = &f["geometry"];
        match g["type"].as_str().unwrap() {
            "Point" => {
                points += 1;
                check_position(&g["coordinates"], &mut problems);
            }
            "MultiPolygon" => {
                polygons += 1;
                for polygon in g["coordinates"].as_array().unwrap() {
                    for (k, ring) in polygon.as_array().unwrap().iter().enumerate() {
                        let ring = ring.as_array().unwrap();
                        if ring.len() < 4 || ring[0] != ring[ring.len() - 1] {
                            problems.push("a ring is not closed".into());
                        }
                        let area = signed_area2(ring);
                        if k == 0 && area <= 0.0 {
                            problems.push("an exterior ring is not counter-clockwise".into());
                        }
                        if k > 0 && area >= 0.0 {
                            problems.push("a hole is not clockwise".into());
                        }
                        for p in ring {
                            check_position(p, &mut problems);
                        }
                    }
                }
            }
            other => problems.push(format!("unexpected geometry {other}")),
        }
    }
    // A household's point carries the README's fields: its rent only as a
    // band, no amount.
    let documented = [
        "layer",
        "household_id",
        "status",
        "temp_unit",
        "temp_from",
        "temp_to",
        "perm_unit",
        "perm_from",
        "district",
        "persons",
        "rent_band",
        "travel_minutes",
        "household_type",
    ];
    for f in doc["features"].as_array().unwrap() {
        let p = f["properties"].as_object().unwrap();
        if p["layer"] == "placement" && p.get("aggregated").is_none() {
            let keys: Vec<&str> = p.keys().map(String::as_str).collect();
            assert_eq!(keys, documented);
            let band = p["rent_band"].as_str();
            assert!(
                band.is_none_or(|b| ["<4000", "4000-5999", "6000-7999", "8000+"].contains(&b)),
                "{band:?}"
            );
        }
    }
    assert!(
        points > 0 && polygons == 14,
        "{points} points, {polygons} districts"
    );
    assert!(problems.is_empty(), "{problems:#?}");
}
