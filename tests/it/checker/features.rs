//! Reads GeoJSON features and projects their coordinates to EPSG:25832
//! with the checker's own transformation: points, polygons, rings and the
//! feature properties the inputs use.

use std::fs;
use std::path::Path;

use geo::{Centroid, Coord, LineString, MultiPolygon, Polygon};
use serde_json::Value;

use super::scenario::epsg_code;

/// Projects coordinates of one source CRS to EPSG:25832.
pub(super) struct ToUtm {
    from: Option<proj4rs::Proj>,
    to: proj4rs::Proj,
    geographic: bool,
}

impl ToUtm {
    pub(super) fn new(code: u16) -> Result<ToUtm, String> {
        let def = |c: u16| {
            crs_definitions::from_code(c)
                .map(|d| d.proj4)
                .ok_or(format!("EPSG:{c} unknown"))
        };
        let to = proj4rs::Proj::from_proj_string(def(25832)?).map_err(|e| e.to_string())?;
        if code == 25832 {
            return Ok(ToUtm {
                from: None,
                to,
                geographic: false,
            });
        }
        let from = proj4rs::Proj::from_proj_string(def(code)?).map_err(|e| e.to_string())?;
        let geographic = from.is_latlong();
        Ok(ToUtm {
            from: Some(from),
            to,
            geographic,
        })
    }

    pub(super) fn apply(&self, x: f64, y: f64) -> (f64, f64) {
        let Some(from) = &self.from else {
            return (x, y);
        };
        let mut p = if self.geographic {
            (x.to_radians(), y.to_radians(), 0.0)
        } else {
            (x, y, 0.0)
        };
        proj4rs::transform::transform(from, &self.to, &mut p).expect("projection failed");
        (p.0, p.1)
    }
}

/// Converts lon/lat degrees (WGS84) to EPSG:25832.
pub fn lonlat_to_utm(lon: f64, lat: f64) -> (f64, f64) {
    ToUtm::new(4326).unwrap().apply(lon, lat)
}

pub(super) struct GeoFeatures {
    pub(super) tx: ToUtm,
    pub(super) features: Vec<(serde_json::Map<String, Value>, Value)>,
}

pub(super) fn read_geojson(path: &Path) -> Result<GeoFeatures, String> {
    let text = fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let v: Value = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let code = match v.pointer("/crs/properties/name").and_then(Value::as_str) {
        Some(name) => epsg_code(name)?,
        None => 4326,
    };
    let features = v
        .get("features")
        .and_then(Value::as_array)
        .ok_or(format!("{}: no features", path.display()))?
        .iter()
        .map(|f| {
            (
                f.get("properties")
                    .and_then(Value::as_object)
                    .cloned()
                    .unwrap_or_default(),
                f.get("geometry").cloned().unwrap_or(Value::Null),
            )
        })
        .collect();
    Ok(GeoFeatures {
        tx: ToUtm::new(code)?,
        features,
    })
}

pub(super) fn prop(p: &serde_json::Map<String, Value>, key: &str) -> Option<String> {
    match p.get(key)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

pub(super) fn ring(tx: &ToUtm, v: &Value) -> LineString<f64> {
    LineString::from(
        v.as_array()
            .map(|pts| {
                pts.iter()
                    .filter_map(|p| {
                        let a = p.as_array()?;
                        let (x, y) = tx.apply(a.first()?.as_f64()?, a.get(1)?.as_f64()?);
                        Some(Coord { x, y })
                    })
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default(),
    )
}

fn polygon(tx: &ToUtm, rings: &Value) -> Polygon<f64> {
    let rs: Vec<LineString<f64>> = rings
        .as_array()
        .map(|a| a.iter().map(|r| ring(tx, r)).collect())
        .unwrap_or_default();
    let mut it = rs.into_iter();
    let exterior = it.next().unwrap_or_else(|| LineString::new(vec![]));
    Polygon::new(exterior, it.collect())
}

pub(super) fn shape(tx: &ToUtm, geom: &Value) -> Option<MultiPolygon<f64>> {
    let coords = geom.get("coordinates")?;
    match geom.get("type")?.as_str()? {
        "Polygon" => Some(MultiPolygon::new(vec![polygon(tx, coords)])),
        "MultiPolygon" => Some(MultiPolygon::new(
            coords.as_array()?.iter().map(|p| polygon(tx, p)).collect(),
        )),
        _ => None,
    }
}

pub(super) fn point_of(tx: &ToUtm, geom: &Value) -> Option<(f64, f64)> {
    let coords = geom.get("coordinates")?;
    match geom.get("type")?.as_str()? {
        "Point" => {
            let a = coords.as_array()?;
            Some(tx.apply(a.first()?.as_f64()?, a.get(1)?.as_f64()?))
        }
        _ => {
            let c = shape(tx, geom)?.centroid()?;
            Some((c.x(), c.y()))
        }
    }
}

pub(super) fn flags_of(p: &serde_json::Map<String, Value>) -> Vec<String> {
    match p.get("flags") {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(|s| s.trim().to_string())
            .collect(),
        Some(Value::String(s)) => s
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect(),
        _ => Vec::new(),
    }
}
