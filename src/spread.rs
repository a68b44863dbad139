//! Segregation indices and local hot spots of newcomers over districts.
//!
//! Pure functions: no I/O, no clock; randomness only from a seeded ChaCha8
//! stream. The formulas and their references are in docs/metrics.md; the
//! reference values of PySAL's `segregation` and `esda` packages are pinned
//! in tests/it/spread.rs (regenerate with `tools/reference_metrics.py`).
//!
//! Inputs are per district: newcomers `xᵢ` and total population `tᵢ`
//! (newcomers included), so `pᵢ = xᵢ / tᵢ` is the newcomer share.

use geo::{Centroid, MultiPolygon};
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rstar::RTree;
use rstar::primitives::GeomWithData;
use serde::Serialize;

use crate::model::District;

/// Default snapping tolerance for queen contiguity, metres: polygons from
/// different sources rarely share vertices exactly.
pub const QUEEN_TOLERANCE_M: f64 = 0.5;

/// Global segregation indices of newcomers over districts.
///
/// Degenerate inputs (no newcomers, or nobody else) give 0 for D and H,
/// where the formulas divide by zero.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Indices {
    /// Total newcomers X = Σ xᵢ.
    pub newcomers: f64,
    /// Total population T = Σ tᵢ.
    pub population: f64,
    /// Overall newcomer share P = X / T.
    pub share: f64,
    /// Index of dissimilarity D = Σ tᵢ |pᵢ − P| / (2 T P (1 − P)), in [0, 1].
    pub dissimilarity: f64,
    /// Isolation xPx = Σ (xᵢ/X)(xᵢ/tᵢ).
    pub isolation: f64,
    /// Exposure (interaction) xPy = Σ (xᵢ/X)((tᵢ − xᵢ)/tᵢ) = 1 − xPx.
    pub exposure: f64,
    /// Theil's entropy index H = Σ tᵢ (E − Eᵢ) / (E T), in [0, 1].
    pub theil: f64,
    /// Largest district share maxᵢ pᵢ.
    pub max_share: f64,
}

/// Binary entropy `p ln(1/p) + (1 − p) ln(1/(1 − p))`, 0 at p = 0 and p = 1.
fn entropy(p: f64) -> f64 {
    let term = |q: f64| if q > 0.0 { -q * q.ln() } else { 0.0 };
    term(p) + term(1.0 - p)
}

/// The global indices from (newcomers xᵢ, population tᵢ) per district.
/// Districts with no population are skipped (pᵢ undefined).
#[must_use]
pub fn indices(counts: &[(f64, f64)]) -> Indices {
    let big_x: f64 = counts.iter().map(|c| c.0).sum();
    let big_t: f64 = counts.iter().map(|c| c.1).sum();
    let big_p = if big_t > 0.0 { big_x / big_t } else { 0.0 };
    let big_e = entropy(big_p);
    let (mut d, mut iso, mut exp, mut h, mut max_share) = (0.0, 0.0, 0.0, 0.0, 0.0_f64);
    for &(x, t) in counts {
        if t <= 0.0 {
            continue;
        }
        let p = x / t;
        max_share = max_share.max(p);
        d += t * (p - big_p).abs();
        if big_x > 0.0 {
            iso += (x / big_x) * p;
            exp += (x / big_x) * ((t - x) / t);
        }
        h += t * (big_e - entropy(p));
    }
    let mixed = big_p > 0.0 && big_p < 1.0;
    Indices {
        newcomers: big_x,
        population: big_t,
        share: big_p,
        dissimilarity: if mixed {
            d / (2.0 * big_t * big_p * (1.0 - big_p))
        } else {
            0.0
        },
        isolation: iso,
        exposure: exp,
        theil: if mixed && big_e > 0.0 {
            h / (big_e * big_t)
        } else {
            0.0
        },
        max_share,
    }
}

/// Location quotients pᵢ / P per district (1 = the municipality's share;
/// 0 where the district has no population or there are no newcomers).
#[must_use]
pub fn location_quotients(counts: &[(f64, f64)]) -> Vec<f64> {
    let big_x: f64 = counts.iter().map(|c| c.0).sum();
    let big_t: f64 = counts.iter().map(|c| c.1).sum();
    counts
        .iter()
        .map(|&(x, t)| {
            if t > 0.0 && big_x > 0.0 {
                (x / t) / (big_x / big_t)
            } else {
                0.0
            }
        })
        .collect()
}

// ---------------------------------------------------------------- weights

/// Queen contiguity of districts: neighbours share at least one boundary
/// point, within [`QUEEN_TOLERANCE_M`]. Sorted, without the district itself.
#[must_use]
pub fn queen_neighbours(districts: &[District]) -> Vec<Vec<usize>> {
    let geoms: Vec<&MultiPolygon<f64>> = districts.iter().map(|d| &d.geometry).collect();
    queen_neighbours_of(&geoms, QUEEN_TOLERANCE_M)
}

type Vertex = GeomWithData<[f64; 2], usize>;

/// Queen contiguity of polygons with a snapping tolerance (metres).
///
/// Two polygons are neighbours when a vertex of one lies within `tolerance`
/// of a boundary segment of the other: shared vertices (as in libpysal's
/// `Queen`) and T-junctions both count. An R-tree over all vertices is
/// queried with each segment's bounding box, so the work grows with the
/// number of vertices, not with the number of pairs of polygons.
#[must_use]
pub fn queen_neighbours_of(geoms: &[&MultiPolygon<f64>], tolerance: f64) -> Vec<Vec<usize>> {
    let mut vertices = Vec::new();
    for (i, g) in geoms.iter().enumerate() {
        for poly in &g.0 {
            for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
                vertices.extend(ring.0.iter().map(|c| Vertex::new([c.x, c.y], i)));
            }
        }
    }
    let tree = RTree::bulk_load(vertices);
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); geoms.len()];
    for (i, g) in geoms.iter().enumerate() {
        for poly in &g.0 {
            for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
                for seg in ring.0.windows(2) {
                    let (a, b) = ([seg[0].x, seg[0].y], [seg[1].x, seg[1].y]);
                    let envelope = rstar::AABB::from_corners(
                        [a[0].min(b[0]) - tolerance, a[1].min(b[1]) - tolerance],
                        [a[0].max(b[0]) + tolerance, a[1].max(b[1]) + tolerance],
                    );
                    for v in tree.locate_in_envelope_intersecting(&envelope) {
                        let j = v.data;
                        if j != i && segment_distance(*v.geom(), a, b) <= tolerance {
                            out[i].push(j);
                            out[j].push(i);
                        }
                    }
                }
            }
        }
    }
    for n in &mut out {
        n.sort_unstable();
        n.dedup();
    }
    out
}

/// Distance from point `p` to the segment `a`–`b`.
fn segment_distance(p: [f64; 2], a: [f64; 2], b: [f64; 2]) -> f64 {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    ((p[0] - a[0] - t * dx).powi(2) + (p[1] - a[1] - t * dy).powi(2)).sqrt()
}

/// Distance-band neighbours: districts whose centroids lie at most `metres`
/// apart (binary weights, as libpysal's `DistanceBand`). Sorted, without
/// the district itself.
#[must_use]
pub fn distance_band(districts: &[District], metres: f64) -> Vec<Vec<usize>> {
    let geoms: Vec<&MultiPolygon<f64>> = districts.iter().map(|d| &d.geometry).collect();
    distance_band_of(&geoms, metres)
}

/// [`distance_band`] over bare polygons.
#[must_use]
pub fn distance_band_of(geoms: &[&MultiPolygon<f64>], metres: f64) -> Vec<Vec<usize>> {
    let centroids: Vec<[f64; 2]> = geoms
        .iter()
        .map(|g| {
            g.centroid()
                .map_or([f64::NAN, f64::NAN], |c| [c.x(), c.y()])
        })
        .collect();
    let tree = RTree::bulk_load(
        centroids
            .iter()
            .enumerate()
            .filter(|(_, c)| c[0].is_finite())
            .map(|(i, c)| Vertex::new(*c, i))
            .collect(),
    );
    centroids
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if !c[0].is_finite() {
                return Vec::new();
            }
            let mut n: Vec<usize> = tree
                .locate_within_distance(*c, metres * metres)
                .map(|v| v.data)
                .filter(|&j| j != i)
                .collect();
            n.sort_unstable();
            n
        })
        .collect()
}

// ---------------------------------------------------------------- hot spots

/// Settings of the local statistics.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct HotSpotSettings {
    /// Conditional permutations per district (999: the smallest pseudo
    /// p-value is 0.001).
    pub permutations: usize,
    /// Seed of the ChaCha8 stream (the same seed gives the same p-values).
    pub seed: u64,
    /// False-discovery rate of the Benjamini–Hochberg correction.
    pub alpha: f64,
}

impl Default for HotSpotSettings {
    fn default() -> Self {
        Self {
            permutations: 999,
            seed: 0,
            alpha: 0.05,
        }
    }
}

/// Moran scatterplot quadrant: the district's value and its neighbours'
/// average, each above (High) or below (Low) the mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
pub enum Quadrant {
    #[serde(rename = "HH")]
    HighHigh,
    #[serde(rename = "LH")]
    LowHigh,
    #[serde(rename = "LL")]
    LowLow,
    #[serde(rename = "HL")]
    HighLow,
}

impl Quadrant {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::HighHigh => "HH",
            Self::LowHigh => "LH",
            Self::LowLow => "LL",
            Self::HighLow => "HL",
        }
    }
}

/// Local statistics of one district.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HotSpot {
    /// Index of the district in the input order.
    pub district: usize,
    /// The value analysed (the newcomer share).
    pub value: f64,
    /// Getis-Ord Gi* (binary weights, the district included).
    pub gi_star: f64,
    /// Its z-score under normality (Ord & Getis 1995).
    pub gi_star_z: f64,
    /// One-tailed normal p-value of |z| (esda's `p_norm`).
    pub gi_p_norm: f64,
    /// Conditional-permutation pseudo p-value (esda's `p_sim`).
    pub gi_p: f64,
    /// Benjamini–Hochberg adjusted `gi_p` (q-value) over all districts.
    pub gi_q: f64,
    /// Local Moran's I (row-standardised weights, esda's scaling).
    pub moran_i: f64,
    /// Its z-score under total randomisation (Anselin 1995).
    pub moran_z: f64,
    /// Conditional-permutation pseudo p-value.
    pub moran_p: f64,
    /// Benjamini–Hochberg adjusted `moran_p`.
    pub moran_q: f64,
    pub quadrant: Quadrant,
    /// Gi* significant after the FDR correction (a hot spot if z > 0, a
    /// cold spot if z < 0).
    pub significant: bool,
    /// A significant hot spot: `significant` and z > 0.
    pub hot: bool,
    /// Part of a significant high-high cluster: quadrant HH and `moran_q` ≤ α.
    pub high_high: bool,
}

/// Getis-Ord Gi* per district with binary weights and the district itself
/// included: Gᵢ* = Σⱼ wᵢⱼ yⱼ / Σⱼ yⱼ with wᵢᵢ = 1, and its z-score. Returns
/// (G, z); z is 0 where its variance is 0 (constant values, or a district
/// that neighbours every other one).
#[must_use]
pub fn getis_ord_star(values: &[f64], neighbours: &[Vec<usize>]) -> Vec<(f64, f64)> {
    let n = values.len() as f64;
    let sum: f64 = values.iter().sum();
    let mean = sum / n;
    let var = values.iter().map(|y| y * y).sum::<f64>() / n - mean * mean;
    values
        .iter()
        .enumerate()
        .map(|(i, &yi)| {
            let local = yi + neighbours[i].iter().map(|&j| values[j]).sum::<f64>();
            let g = if sum == 0.0 { 0.0 } else { local / sum };
            let card = (neighbours[i].len() + 1) as f64;
            let expected = card / n;
            let v = card * (n - card) / (n - 1.0) / (n * n) * var / (mean * mean);
            let z = if v > 0.0 && v.is_finite() {
                (g - expected) / v.sqrt()
            } else {
                0.0
            };
            (g, z)
        })
        .collect()
}

/// Local Moran's I with row-standardised weights, as esda's `Moran_Local`:
/// zᵢ = (yᵢ − ȳ)/s (population s.d.), Iᵢ = (n − 1) zᵢ Σⱼ wᵢⱼ zⱼ / Σ z².
/// Returns (I, z under total randomisation, quadrant).
#[must_use]
pub fn local_moran(values: &[f64], neighbours: &[Vec<usize>]) -> Vec<(f64, f64, Quadrant)> {
    let n = values.len();
    let nf = n as f64;
    let mean = values.iter().sum::<f64>() / nf;
    let sd = (values.iter().map(|y| (y - mean).powi(2)).sum::<f64>() / nf).sqrt();
    let z: Vec<f64> = values
        .iter()
        .map(|y| if sd > 0.0 { (y - mean) / sd } else { 0.0 })
        .collect();
    let den: f64 = z.iter().map(|v| v * v).sum();
    let m2 = den / nf;
    let m4 = z.iter().map(|v| v.powi(4)).sum::<f64>() / nf;
    let b2 = if m2 > 0.0 { m4 / (m2 * m2) } else { 0.0 };
    (0..n)
        .map(|i| {
            let k = neighbours[i].len() as f64;
            let lag = if k > 0.0 {
                neighbours[i].iter().map(|&j| z[j]).sum::<f64>() / k
            } else {
                0.0
            };
            let moran = if den > 0.0 {
                (nf - 1.0) * z[i] * lag / den
            } else {
                0.0
            };
            // Anselin (1995) moments of Iᵢ = zᵢ/m2 Σ wᵢⱼ zⱼ (total randomisation);
            // the z-score does not depend on the scaling of Iᵢ.
            let (wi, wi2) = if k > 0.0 { (1.0, 1.0 / k) } else { (0.0, 0.0) };
            let n1 = nf - 1.0;
            let expected = -wi / n1;
            let variance = wi2 * (nf - b2) / n1
                + (wi * wi - wi2) * (2.0 * b2 - nf) / (n1 * (nf - 2.0))
                - expected * expected;
            let anselin = if m2 > 0.0 { z[i] * lag / m2 } else { 0.0 };
            let zscore = if n > 2 && variance > 0.0 && variance.is_finite() {
                (anselin - expected) / variance.sqrt()
            } else {
                0.0
            };
            let quadrant = match (z[i] > 0.0, lag > 0.0) {
                (true, true) => Quadrant::HighHigh,
                (false, true) => Quadrant::LowHigh,
                (false, false) => Quadrant::LowLow,
                (true, false) => Quadrant::HighLow,
            };
            (moran, zscore, quadrant)
        })
        .collect()
}

/// Benjamini–Hochberg adjusted p-values (q-values): qᵢ = min over ranks
/// k ≥ rank(pᵢ) of m p₍ₖ₎ / k, at most 1. A test is significant at false
/// discovery rate α when qᵢ ≤ α.
#[must_use]
pub fn benjamini_hochberg(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    let mut q = vec![1.0; m];
    let mut running = 1.0_f64;
    for (rank, &i) in order.iter().enumerate().rev() {
        running = running.min(p[i] * m as f64 / (rank + 1) as f64);
        q[i] = running.min(1.0);
    }
    q
}

/// A uniform integer below `n` (rejection sampling, no modulo bias).
fn below(rng: &mut ChaCha8Rng, n: usize) -> usize {
    let n = n as u64;
    let zone = u64::MAX - u64::MAX % n;
    loop {
        let r = rng.next_u64();
        if r < zone {
            return (r % n) as usize;
        }
    }
}

/// Pseudo p-value from the counts of draws at least and at most the observed
/// value: (min(larger, smaller) + 1) / (permutations + 1). Without ties this
/// is esda's folded `p_sim`; with ties (e.g. constant values) it is near 1.
fn pseudo_p(larger: usize, smaller: usize, permutations: usize) -> f64 {
    (larger.min(smaller) + 1) as f64 / (permutations + 1) as f64
}

/// Gi* and local Moran's I of `values` (the newcomer share after placement)
/// per district, with conditional-permutation pseudo p-values (Anselin
/// 1995: the district's own value fixed, its neighbours drawn at random from
/// the other districts) and the Benjamini–Hochberg correction at
/// `settings.alpha`.
#[must_use]
pub fn hot_spots(
    values: &[f64],
    neighbours: &[Vec<usize>],
    settings: HotSpotSettings,
) -> Vec<HotSpot> {
    let n = values.len();
    let gi = getis_ord_star(values, neighbours);
    let moran = local_moran(values, neighbours);
    let mut rng = ChaCha8Rng::seed_from_u64(settings.seed);
    let perms = settings.permutations;
    let mean = values.iter().sum::<f64>() / n as f64;
    let eps = 1e-12 * values.iter().fold(1.0_f64, |a, v| a.max(v.abs()));
    let mut gi_p = vec![1.0; n];
    let mut moran_p = vec![1.0; n];
    let mut others: Vec<usize> = Vec::with_capacity(n);
    for i in 0..n {
        let k = neighbours[i].len();
        if k == 0 || perms == 0 || k >= n {
            continue;
        }
        others.clear();
        others.extend((0..n).filter(|&j| j != i));
        // Both statistics are monotone in the neighbours' sum: Gi* increases
        // with it, Moran's Iᵢ has the sign of (yᵢ − ȳ).
        let observed: f64 = neighbours[i].iter().map(|&j| values[j]).sum();
        let sign = values[i] - mean;
        let (mut g_large, mut g_small, mut m_large, mut m_small) = (0, 0, 0, 0);
        for _ in 0..perms {
            // Partial Fisher–Yates: the first k of `others` become a random k-subset.
            for s in 0..k {
                let r = s + below(&mut rng, others.len() - s);
                others.swap(s, r);
            }
            let drawn: f64 = others[..k].iter().map(|&j| values[j]).sum();
            if drawn >= observed - eps {
                g_large += 1;
            }
            if drawn <= observed + eps {
                g_small += 1;
            }
            let (md, mo) = (sign * drawn, sign * observed);
            let tie = eps * sign.abs().max(1.0);
            if md >= mo - tie {
                m_large += 1;
            }
            if md <= mo + tie {
                m_small += 1;
            }
        }
        gi_p[i] = pseudo_p(g_large, g_small, perms);
        moran_p[i] = pseudo_p(m_large, m_small, perms);
    }
    let gi_q = benjamini_hochberg(&gi_p);
    let moran_q = benjamini_hochberg(&moran_p);
    (0..n)
        .map(|i| {
            let significant = gi_q[i] <= settings.alpha;
            HotSpot {
                district: i,
                value: values[i],
                gi_star: gi[i].0,
                gi_star_z: gi[i].1,
                gi_p_norm: normal_sf(gi[i].1.abs()),
                gi_p: gi_p[i],
                gi_q: gi_q[i],
                moran_i: moran[i].0,
                moran_z: moran[i].1,
                moran_p: moran_p[i],
                moran_q: moran_q[i],
                quadrant: moran[i].2,
                significant,
                hot: significant && gi[i].1 > 0.0,
                high_high: moran[i].2 == Quadrant::HighHigh && moran_q[i] <= settings.alpha,
            }
        })
        .collect()
}

/// Everything the summary reports about spread for one state (before or
/// after the plan): the global indices, location quotients and hot spots.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Analysis {
    pub indices: Indices,
    pub location_quotients: Vec<f64>,
    pub hot_spots: Vec<HotSpot>,
}

impl Analysis {
    /// Indices of the districts that are significant Gi* hot spots.
    #[must_use]
    pub fn hot(&self) -> Vec<usize> {
        self.hot_spots
            .iter()
            .filter(|h| h.hot)
            .map(|h| h.district)
            .collect()
    }

    /// Indices of the districts in a significant high-high cluster.
    #[must_use]
    pub fn high_high(&self) -> Vec<usize> {
        self.hot_spots
            .iter()
            .filter(|h| h.high_high)
            .map(|h| h.district)
            .collect()
    }
}

/// Indices, location quotients and hot spots (of the share xᵢ/tᵢ) in one call.
#[must_use]
pub fn analyse(
    counts: &[(f64, f64)],
    neighbours: &[Vec<usize>],
    settings: HotSpotSettings,
) -> Analysis {
    let share: Vec<f64> = counts
        .iter()
        .map(|&(x, t)| if t > 0.0 { x / t } else { 0.0 })
        .collect();
    Analysis {
        indices: indices(counts),
        location_quotients: location_quotients(counts),
        hot_spots: hot_spots(&share, neighbours, settings),
    }
}

/// Placements per district per period from (district index, move-in day,
/// count) triples: `result[period][district]`. There are
/// max(1, ⌊horizon / period_days⌋) periods; the days left over at the end
/// count in the last one (quarters of a 365-day plan: 91, 91, 91, 92 days).
/// Days outside `0..horizon` are ignored. Placing many in the same district
/// in consecutive periods is what the research on dispersal warns against.
#[must_use]
pub fn per_period(
    placements: &[(usize, i64, u32)],
    districts: usize,
    period_days: i64,
    horizon: i64,
) -> Vec<Vec<u32>> {
    let period_days = period_days.max(1);
    let periods = usize::try_from(horizon / period_days).unwrap_or(0).max(1);
    let mut out = vec![vec![0u32; districts]; periods];
    for &(d, day, n) in placements {
        if (0..horizon).contains(&day) && d < districts {
            let p = usize::try_from(day / period_days)
                .unwrap_or(0)
                .min(periods - 1);
            out[p][d] += n;
        }
    }
    out
}

/// Upper tail of the standard normal, P(Z > x), from the complementary error
/// function (Chebyshev fit, relative error below 1.2e-7; Press et al.,
/// Numerical Recipes, 2nd ed., § 6.2).
#[must_use]
pub fn normal_sf(x: f64) -> f64 {
    0.5 * erfc(x / std::f64::consts::SQRT_2)
}

fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let r = t * poly.exp();
    if x >= 0.0 { r } else { 2.0 - r }
}

#[cfg(test)]
#[allow(clippy::float_cmp)] // the degenerate cases return exactly 0
mod tests {
    use super::*;
    use geo::{LineString, Polygon};

    fn square(x: f64, y: f64, size: f64) -> MultiPolygon<f64> {
        MultiPolygon(vec![Polygon::new(
            LineString::from(vec![
                (x, y),
                (x + size, y),
                (x + size, y + size),
                (x, y + size),
                (x, y),
            ]),
            vec![],
        )])
    }

    #[test]
    fn even_spread_gives_zero() {
        let even = [(5.0, 100.0), (10.0, 200.0), (1.0, 20.0)];
        let s = indices(&even);
        assert!(s.dissimilarity.abs() < 1e-12);
        assert!(s.theil.abs() < 1e-12);
        assert!((s.isolation - 0.05).abs() < 1e-12);
        assert!((s.exposure - 0.95).abs() < 1e-12);
        assert!(
            location_quotients(&even)
                .iter()
                .all(|q| (q - 1.0).abs() < 1e-12)
        );
    }

    #[test]
    fn everybody_in_one_district_gives_the_maximum() {
        // All newcomers in a district where nobody else lives: D = H = xPx = 1.
        let apart = [(50.0, 50.0), (0.0, 950.0), (0.0, 300.0)];
        let s = indices(&apart);
        assert!((s.dissimilarity - 1.0).abs() < 1e-12);
        assert!((s.theil - 1.0).abs() < 1e-12);
        assert!((s.isolation - 1.0).abs() < 1e-12);
        assert!(s.exposure.abs() < 1e-12);
        assert!((s.max_share - 1.0).abs() < 1e-12);
        // In one district that also has others: D = 1 − tᵢ/T·… is the largest
        // any placement of the same newcomers can reach.
        let one = indices(&[(50.0, 100.0), (0.0, 900.0)]);
        let split = indices(&[(25.0, 100.0), (25.0, 900.0)]);
        assert!(one.dissimilarity > split.dissimilarity);
        assert!((one.dissimilarity - (1.0 - 50.0 / 950.0)).abs() < 1e-12);
    }

    #[test]
    fn degenerate_inputs_do_not_divide_by_zero() {
        let none = indices(&[(0.0, 100.0), (0.0, 50.0)]);
        assert_eq!(
            (none.dissimilarity, none.theil, none.isolation),
            (0.0, 0.0, 0.0)
        );
        let empty = indices(&[]);
        assert_eq!(empty.dissimilarity, 0.0);
        let zero_pop = indices(&[(0.0, 0.0), (10.0, 100.0)]);
        assert!(zero_pop.dissimilarity.abs() < 1e-12);
    }

    #[test]
    fn dissimilarity_by_hand() {
        // x = (10, 30), t = (100, 100): ½ (|10/40 − 90/160| + |30/40 − 70/160|) = 0.3125.
        let s = indices(&[(10.0, 100.0), (30.0, 100.0)]);
        assert!((s.dissimilarity - 0.3125).abs() < 1e-12);
    }

    #[test]
    fn queen_on_a_grid_with_small_gaps() {
        // 3 × 3 squares of 100 m, the middle column shifted by 0.3 m.
        let mut g = Vec::new();
        for r in 0..3 {
            for c in 0..3 {
                let dx = if c == 1 { 0.3 } else { 0.0 };
                g.push(square(
                    f64::from(c) * 100.0 + dx,
                    f64::from(r) * 100.0,
                    100.0,
                ));
            }
        }
        let refs: Vec<&MultiPolygon<f64>> = g.iter().collect();
        let n = queen_neighbours_of(&refs, QUEEN_TOLERANCE_M);
        assert_eq!(n[4], vec![0, 1, 2, 3, 5, 6, 7, 8]);
        assert_eq!(n[0], vec![1, 3, 4]);
        let strict = queen_neighbours_of(&refs, 0.0);
        assert_eq!(strict[0], vec![3]);
        let band = distance_band_of(&refs, 100.5);
        assert_eq!(band[4], vec![1, 3, 5, 7]);
    }

    #[test]
    fn benjamini_hochberg_by_hand() {
        let q = benjamini_hochberg(&[0.01, 0.04, 0.03, 0.2]);
        let want = [0.04, 0.04 * 4.0 / 3.0, 0.04 * 4.0 / 3.0, 0.2];
        for (a, b) in q.iter().zip(want) {
            assert!((a - b).abs() < 1e-12, "{q:?}");
        }
    }

    #[test]
    fn a_corner_cluster_is_a_hot_spot() {
        // 5 × 5 rook-like grid: the high shares in one corner.
        let mut g = Vec::new();
        for r in 0..5 {
            for c in 0..5 {
                g.push(square(f64::from(c) * 10.0, f64::from(r) * 10.0, 10.0));
            }
        }
        let refs: Vec<&MultiPolygon<f64>> = g.iter().collect();
        let w = queen_neighbours_of(&refs, 0.5);
        let values: Vec<f64> = (0..25)
            .map(|i| {
                if i % 5 < 2 && i / 5 < 2 {
                    0.2
                } else {
                    0.01 + 0.001 * f64::from(i % 3)
                }
            })
            .collect();
        let settings = HotSpotSettings {
            seed: 7,
            ..HotSpotSettings::default()
        };
        let h = hot_spots(&values, &w, settings);
        assert!(h[0].gi_star_z > 1.96 && h[0].hot, "{:?}", h[0]);
        assert_eq!(h[0].quadrant, Quadrant::HighHigh);
        assert!(!h[24].hot);
        // Seeded: the same seed gives the same p-values.
        assert_eq!(h, hot_spots(&values, &w, settings));
        // Constant values: nothing is significant.
        let flat = hot_spots(&[0.03; 25], &w, settings);
        assert!(
            flat.iter()
                .all(|s| !s.significant && !s.high_high && s.gi_star_z == 0.0)
        );
    }

    #[test]
    fn normal_tail() {
        assert!((normal_sf(1.959_963_984_540_054) - 0.025).abs() < 1e-7);
        assert!((normal_sf(0.0) - 0.5).abs() < 1e-7);
        assert!((normal_sf(-1.0) - 0.841_344_746_068_543).abs() < 1e-7);
    }

    #[test]
    fn analyse_and_periods() {
        let counts = [(5.0, 100.0), (50.0, 100.0), (1.0, 100.0)];
        let w = vec![vec![1], vec![0, 2], vec![1]];
        let a = analyse(&counts, &w, HotSpotSettings::default());
        assert_eq!(a.hot_spots.len(), 3);
        assert!((a.location_quotients[1] - 50.0 / (56.0 / 3.0)).abs() < 1e-12);
        assert!(a.hot().is_empty() && a.high_high().is_empty());
        let q = per_period(
            &[(0, 0, 3), (0, 90, 1), (1, 91, 2), (2, 364, 5), (2, 365, 9)],
            3,
            91,
            365,
        );
        assert_eq!(q.len(), 4);
        assert_eq!(q[0], vec![4, 0, 0]);
        assert_eq!(q[1], vec![0, 2, 0]);
        assert_eq!(q[3], vec![0, 0, 5]);
    }
}
