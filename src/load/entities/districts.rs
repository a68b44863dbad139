//! The districts file (GeoJSON or a GeoPackage layer): polygons with
//! population, newcomers and flags; and [`DistrictIndex`], which finds the
//! district a point lies in (an R-tree over the districts' bounding boxes,
//! then an exact test).

use std::collections::HashMap;
use std::path::Path;

use geo::{BoundingRect, Intersects, Point};
use rstar::{AABB, RTree, primitives::GeomWithData, primitives::Rectangle};

use super::geometry::multipolygon;
use super::{Rejected, read_features, unique_id};
use crate::findings::{Findings, Location};
use crate::ids::{DistrictId, to_u32};
use crate::load::table::{Fields, Ticker};
use crate::model::District;

const DISTRICT_FIELDS: &[&str] = &["id", "name", "population", "newcomers", "flags"];

/// Reads the districts file (GeoJSON or a GeoPackage layer).
pub fn districts(
    path: &Path,
    layer: Option<&str>,
    findings: &mut Findings,
    ticker: &mut Ticker<'_>,
) -> (Vec<District>, Rejected) {
    let Some(mut table) = read_features(path, layer, DISTRICT_FIELDS, findings, ticker) else {
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
        let population = f.required_int("population", 1);
        let newcomers = f.int("newcomers", 0).unwrap_or(0);
        if let Some(p) = population
            && newcomers > p
        {
            f.problem(
                "newcomers",
                format!("found {newcomers}, expected at most the population {p}"),
            );
        }
        let flags: Vec<String> = f
            .text("flags")
            .map(|s| {
                s.split(',')
                    .map(|x| x.trim().to_ascii_lowercase())
                    .filter(|x| !x.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        let geometry = if row.geometry.is_none() {
            f.problem(
                "geometry",
                "is missing, expected a Polygon or MultiPolygon".into(),
            );
            None
        } else {
            multipolygon(&table, &mut f)
        };
        let fresh = id.is_some_and(|id| unique_id(&mut seen, id, &mut f));
        if let (Some(id), Some(population), Some(geometry), true, false) =
            (id, population, geometry, fresh, f.bad)
        {
            out.push(District {
                id: DistrictId(to_u32(out.len())),
                name: f.text("name").unwrap_or(id).to_string(),
                label: id.to_string(),
                population: u32::try_from(population).unwrap_or(u32::MAX),
                newcomers: u32::try_from(newcomers).unwrap_or(u32::MAX),
                flags,
                geometry,
            });
        }
        if out.len() == before {
            rejected.reject(id);
        }
    }
    if out.is_empty() && !findings.has_errors() {
        findings.error(
            &table.file,
            Location::File,
            None,
            "found no districts, expected at least one Polygon or MultiPolygon feature".into(),
        );
    }
    (out, rejected)
}

/// Finds the district containing a point: an R-tree over the districts'
/// bounding boxes, then an exact test.
pub struct DistrictIndex<'a> {
    districts: &'a [District],
    tree: RTree<GeomWithData<Rectangle<[f64; 2]>, usize>>,
}

impl<'a> DistrictIndex<'a> {
    #[must_use]
    pub fn new(districts: &'a [District]) -> Self {
        let boxes = districts
            .iter()
            .enumerate()
            .filter_map(|(i, d)| {
                let r = d.geometry.bounding_rect()?;
                Some(GeomWithData::new(
                    Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                    i,
                ))
            })
            .collect();
        Self {
            districts,
            tree: RTree::bulk_load(boxes),
        }
    }

    /// The first district (in file order) whose polygon contains or touches `p`.
    #[must_use]
    pub fn locate(&self, p: Point<f64>) -> Option<DistrictId> {
        let mut hits: Vec<usize> = self
            .tree
            .locate_in_envelope_intersecting(&AABB::from_point([p.x(), p.y()]))
            .map(|g| g.data)
            .filter(|&i| self.districts[i].geometry.intersects(&p))
            .collect();
        hits.sort_unstable();
        hits.first().map(|&i| self.districts[i].id)
    }
}
