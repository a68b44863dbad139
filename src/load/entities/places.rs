//! The places file (GeoJSON or a GeoPackage layer): language schools,
//! jobcentres, workplaces, schools and stations, each a point.

use std::collections::HashMap;
use std::path::Path;

use super::geometry::feature_point;
use super::{Rejected, read_features, unique_id};
use crate::findings::Findings;
use crate::ids::{PlaceId, to_u32};
use crate::load::table::{Fields, Ticker};
use crate::model::{Place, PlaceKind};

const PLACE_FIELDS: &[&str] = &["id", "kind", "name"];

/// Reads the places file (GeoJSON or a GeoPackage layer).
pub fn places(
    path: &Path,
    layer: Option<&str>,
    findings: &mut Findings,
    ticker: &mut Ticker<'_>,
) -> (Vec<Place>, Rejected) {
    let Some(mut table) = read_features(path, layer, PLACE_FIELDS, findings, ticker) else {
        return (Vec::new(), Rejected::unreadable());
    };
    let mut rejected = Rejected::default();
    let mut seen = HashMap::new();
    let mut out = Vec::new();
    while let Some(row) = table.next_row(findings) {
        ticker.table(&table);
        let before = out.len();
        let mut f = Fields::new(&table, &row, findings);
        let id = f.required("id");
        let kind = f.required("kind").and_then(|k| {
            let parsed = PlaceKind::parse(k);
            if parsed.is_none() {
                f.problem(
                    "kind",
                    format!("found \"{k}\", expected language_school, jobcentre, workplace, school or station"),
                );
            }
            parsed
        });
        let pos = feature_point(&table, &mut f, false);
        let fresh = id.is_some_and(|id| unique_id(&mut seen, id, &mut f));
        if let (Some(id), Some(kind), Some(pos), true, false) = (id, kind, pos, fresh, f.bad) {
            out.push(Place {
                id: PlaceId(to_u32(out.len())),
                name: f.text("name").unwrap_or(id).to_string(),
                label: id.to_string(),
                kind,
                pos,
            });
        }
        if out.len() == before {
            rejected.reject(id);
        }
    }
    (out, rejected)
}
