//! The districts and places of a synthetic scenario: a jittered grid of
//! cells around Herning whose interior corners are shared (the districts
//! tile without gaps or overlaps) and whose outer corners are pushed
//! outwards; populations, newcomers, flags and names; language schools in
//! towns away from the edge, jobcentres and stations. Drawn from stream 1.

use super::random::Rng;
use super::{Params, dm};

pub(super) struct DistrictData {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) population: u32,
    pub(super) newcomers: u32,
    pub(super) flags: Vec<&'static str>,
}

pub(super) struct PlaceData {
    pub(super) id: String,
    pub(super) kind: &'static str,
    pub(super) name: String,
    pub(super) pos: (f64, f64),
}

/// The districts (grid cells, row by row from the south-west) and places.
pub(super) struct Geography {
    pub(super) cols: usize,
    /// Grid corners, `(cols + 1) × (rows + 1)`, row by row.
    corners: Vec<(f64, f64)>,
    pub(super) districts: Vec<DistrictData>,
    pub(super) places: Vec<PlaceData>,
}

const NAME_PREFIXES: [&str; 8] = [
    "", "Nørre ", "Sønder ", "Øster ", "Vester ", "Lille ", "Store ", "Ny ",
];
const NAME_STEMS: [&str; 30] = [
    "Ager", "Bal", "Bjerre", "Bran", "Dam", "Ejs", "Fjel", "Gim", "Gryde", "Ham", "Has", "Hav",
    "Hol", "Hvid", "Kib", "Kol", "Lind", "Lun", "Mam", "Ørne", "Rind", "Ry", "Sej", "Sim", "Skov",
    "Ted", "Tvis", "Vind", "Vej", "Ål",
];
const NAME_SUFFIXES: [&str; 15] = [
    "by", "strup", "rup", "lund", "holm", "bjerg", "sted", "lev", "høj", "skov", "bæk", "ager",
    "kær", "vad", "toft",
];

/// A unique synthetic Danish place name for district `i` (up to 3,600).
fn district_name(i: usize, offset: usize) -> String {
    let combos = NAME_PREFIXES.len() * NAME_STEMS.len() * NAME_SUFFIXES.len();
    // 1009 is prime and does not divide 3,600: i ↦ k is a bijection.
    let k = (offset + i * 1009) % combos;
    let suffix = NAME_SUFFIXES[k % NAME_SUFFIXES.len()];
    let stem = NAME_STEMS[(k / NAME_SUFFIXES.len()) % NAME_STEMS.len()];
    let prefix = NAME_PREFIXES[k / (NAME_SUFFIXES.len() * NAME_STEMS.len())];
    format!("{prefix}{stem}{suffix}")
}

impl Geography {
    pub(super) fn new(params: &Params, seed: u64) -> Self {
        let mut rng = Rng::new(seed, 1);
        let (cols, rows, cell) = (params.cols, params.rows, params.cell_m);
        let x0 = params.centre.0 - cell * cols as f64 / 2.0;
        let y0 = params.centre.1 - cell * rows as f64 / 2.0;
        let mut corners = Vec::with_capacity((cols + 1) * (rows + 1));
        for j in 0..=rows {
            for i in 0..=cols {
                let mut x = x0 + cell * i as f64;
                let mut y = y0 + cell * j as f64;
                let (edge_x, edge_y) = (i == 0 || i == cols, j == 0 || j == rows);
                // Along the edge (and inside): jitter that keeps cells convex.
                if !edge_x {
                    x += rng.uniform(-0.2, 0.2) * cell;
                }
                if !edge_y {
                    y += rng.uniform(-0.2, 0.2) * cell;
                }
                // On the outer edge: outwards, so fringe districts are larger.
                if edge_x {
                    let out = rng.uniform(0.5, 1.5) * cell;
                    x += if i == 0 { -out } else { out };
                }
                if edge_y {
                    let out = rng.uniform(0.5, 1.5) * cell;
                    y += if j == 0 { -out } else { out };
                }
                corners.push((dm(x), dm(y)));
            }
        }
        let count = cols * rows;
        let mut geo = Geography {
            cols,
            corners,
            districts: Vec::with_capacity(count),
            places: Vec::new(),
        };

        // Language-school towns: one per block of the grid, away from the edge.
        let k = (count as f64 / 10.0).round().max(1.0);
        let bx = ((k * cols as f64 / rows as f64).sqrt().round() as usize).clamp(1, cols);
        let by = ((k / bx as f64).round() as usize).clamp(1, rows);
        let mut towns = Vec::with_capacity(bx * by);
        for b in 0..by {
            for a in 0..bx {
                let col = pick_in_block(&mut rng, a, bx, cols);
                let row = pick_in_block(&mut rng, b, by, rows);
                towns.push(row * cols + col);
            }
        }
        let mut is_town = vec![false; count];
        for &t in &towns {
            is_town[t] = true;
        }

        let name_offset = rng.below(3_600);
        for (d, &town) in is_town.iter().enumerate() {
            let base = (params.median_population.ln() + 0.7 * rng.normal()).exp();
            let population = if town { base * 3.0 } else { base };
            let population = population.clamp(1_000.0, 30_000.0).round();
            let newcomers = (population * rng.uniform(0.01, 0.045)).round();
            geo.districts.push(DistrictData {
                id: format!("D{:04}", d + 1),
                name: district_name(d, name_offset),
                population: population as u32,
                newcomers: newcomers as u32,
                flags: Vec::new(),
            });
        }

        // Flags: deprived estates lie in the more populous districts, not in
        // the school towns' own district.
        let mut populous: Vec<usize> = (0..count).filter(|&d| !is_town[d]).collect();
        populous.sort_by_key(|&d| (std::cmp::Reverse(geo.districts[d].population), d));
        populous.truncate((populous.len() / 2).max(2).min(populous.len()));
        let udsat = ((count as f64 * 0.03).round() as usize).max(1);
        let forebyggelse = ((count as f64 * 0.06).round() as usize).max(1);
        for i in 0..(udsat + forebyggelse).min(populous.len()) {
            let j = i + rng.below(populous.len() - i);
            populous.swap(i, j);
            let flags = &mut geo.districts[populous[i]].flags;
            if i < udsat {
                flags.push("udsat");
                if rng.chance(0.5) {
                    flags.push("parallelsamfund");
                    if rng.chance(0.4) {
                        flags.push("omdannelse");
                    }
                }
            } else {
                flags.push("forebyggelse");
            }
        }

        // Places: schools in the towns, a jobcentre in every third town,
        // a station in about every fourth district.
        for (i, &t) in towns.iter().enumerate() {
            let town = geo.districts[t].name.clone();
            let pos = geo.inside(t, rng.uniform(0.4, 0.6), rng.uniform(0.4, 0.6));
            geo.places.push(PlaceData {
                id: format!("LS{:03}", i + 1),
                kind: "language_school",
                name: format!("Sprogcenter {town}"),
                pos,
            });
        }
        for (i, &t) in towns.iter().step_by(3).enumerate() {
            let town = geo.districts[t].name.clone();
            let pos = geo.inside(t, rng.uniform(0.35, 0.65), rng.uniform(0.35, 0.65));
            geo.places.push(PlaceData {
                id: format!("JC{:03}", i + 1),
                kind: "jobcentre",
                name: format!("Jobcenter {town}"),
                pos,
            });
        }
        let mut station = 0;
        for (d, &town) in is_town.iter().enumerate() {
            if town || rng.chance(0.2) {
                station += 1;
                let pos = geo.inside(d, rng.uniform(0.3, 0.7), rng.uniform(0.3, 0.7));
                geo.places.push(PlaceData {
                    id: format!("ST{station:04}"),
                    kind: "station",
                    name: format!("{} Station", geo.districts[d].name),
                    pos,
                });
            }
        }
        geo
    }

    /// The four corners of district `d`: south-west, south-east, north-east,
    /// north-west (counter-clockwise).
    pub(super) fn cell(&self, d: usize) -> [(f64, f64); 4] {
        let (i, j) = (d % self.cols, d / self.cols);
        let w = self.cols + 1;
        [
            self.corners[j * w + i],
            self.corners[j * w + i + 1],
            self.corners[(j + 1) * w + i + 1],
            self.corners[(j + 1) * w + i],
        ]
    }

    /// The point at (s, t) ∈ [0, 1]² of the (convex) cell, by bilinear
    /// interpolation; rounded to decimetres as written.
    pub(super) fn inside(&self, district: usize, along: f64, up: f64) -> (f64, f64) {
        let weights = [
            (1.0 - along) * (1.0 - up),
            along * (1.0 - up),
            along * up,
            (1.0 - along) * up,
        ];
        let corners = self.cell(district);
        let (mut east, mut north) = (0.0, 0.0);
        for (corner, weight) in corners.iter().zip(weights) {
            east += weight * corner.0;
            north += weight * corner.1;
        }
        (dm(east), dm(north))
    }

    /// A random point well inside district `d` (at least 12 % of the cell
    /// from its border).
    pub(super) fn random_inside(&self, d: usize, rng: &mut Rng) -> (f64, f64) {
        self.inside(d, rng.uniform(0.12, 0.88), rng.uniform(0.12, 0.88))
    }
}

/// A random column (or row) of block `b` of `blocks` over `len` cells,
/// avoiding the outer edge where the block allows.
fn pick_in_block(rng: &mut Rng, b: usize, blocks: usize, len: usize) -> usize {
    let lo = b * len / blocks;
    let hi = ((b + 1) * len / blocks).max(lo + 1);
    let (ilo, ihi) = (lo.max(1), hi.min(len.saturating_sub(1)));
    if ilo < ihi {
        ilo + rng.below(ihi - ilo)
    } else {
        lo + rng.below(hi - lo)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::generate::Size;
    use geo::{Contains, Coord, LineString, Point, Polygon};

    fn polygon(geo: &Geography, d: usize) -> Polygon<f64> {
        let cell = geo.cell(d);
        let mut ring: Vec<Coord<f64>> = cell.iter().map(|&(x, y)| Coord { x, y }).collect();
        ring.push(ring[0]);
        Polygon::new(LineString::new(ring), vec![])
    }

    #[test]
    fn cells_are_counter_clockwise_inside_denmark_and_hold_their_points() {
        for size in [Size::S, Size::M, Size::L, Size::Xl] {
            let p = size.params();
            let geo = Geography::new(&p, 7);
            let mut rng = Rng::new(7, 99);
            for d in 0..geo.districts.len() {
                let cell = geo.cell(d);
                // Shoelace: positive area is counter-clockwise; every turn left (convex).
                for k in 0..4 {
                    let (a, b, c) = (cell[k], cell[(k + 1) % 4], cell[(k + 2) % 4]);
                    let cross = (b.0 - a.0) * (c.1 - b.1) - (b.1 - a.1) * (c.0 - b.0);
                    assert!(cross > 0.0, "{size} district {d} is not convex and CCW");
                }
                for &(x, y) in &cell {
                    assert!((300_000.0..=1_000_000.0).contains(&x), "{size} x {x}");
                    assert!((5_950_000.0..=6_500_000.0).contains(&y), "{size} y {y}");
                }
                let poly = polygon(&geo, d);
                for _ in 0..20 {
                    let (x, y) = geo.random_inside(d, &mut rng);
                    assert!(poly.contains(&Point::new(x, y)));
                    for other in [d.wrapping_sub(1), d + 1, d + p.cols, d.wrapping_sub(p.cols)] {
                        if other < geo.districts.len() {
                            assert!(!polygon(&geo, other).contains(&Point::new(x, y)));
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn district_centres_are_mostly_within_reach_of_a_school() {
        // 60 min at 30 km/h with a detour factor of 1.3.
        let reach = 60.0 * 30_000.0 / 60.0 / 1.3;
        for size in [Size::S, Size::M, Size::L, Size::Xl] {
            for seed in [1, 2, 3] {
                let geo = Geography::new(&size.params(), seed);
                let schools: Vec<(f64, f64)> = geo
                    .places
                    .iter()
                    .filter(|p| p.kind == "language_school")
                    .map(|p| p.pos)
                    .collect();
                let near = |(x, y): (f64, f64)| {
                    schools
                        .iter()
                        .map(|s| (s.0 - x).hypot(s.1 - y))
                        .fold(f64::INFINITY, f64::min)
                };
                let n = geo.districts.len();
                let centres_out = (0..n)
                    .filter(|&d| near(geo.inside(d, 0.5, 0.5)) > reach)
                    .count();
                assert!(
                    centres_out * 20 <= n,
                    "{size} seed {seed}: {centres_out} of {n} centres out of reach"
                );
            }
        }
    }

    #[test]
    fn names_are_unique() {
        let names: std::collections::HashSet<String> =
            (0..1_000).map(|i| district_name(i, 17)).collect();
        assert_eq!(names.len(), 1_000);
    }
}
