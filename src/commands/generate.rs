//! `boligplan generate`: a synthetic but realistic scenario for demos, tests
//! and benchmarks, at the sizes of PRODUCT.md ("Scale and speed").
//!
//! [`generate`] writes `scenario.toml`, `households.csv`, `housing.csv`
//! (x/y in EPSG:25832), `districts.geojson`, `places.geojson` and
//! `network.geojson` (all three EPSG:25832 with a `crs` member, as QGIS and
//! GDAL write it) into a folder. The scenario names the network only in a
//! comment: generated plans use straight-line travel unless it is
//! uncommented (so benchmarks of the planner stay comparable).
//!
//! What the data looks like:
//!
//! - **Districts**: a jittered grid of square-ish cells (5–6 km across) around
//!   Herning; at `xl` a strip of 20 × 50 cells over most of Jutland's north–
//!   south range. Interior grid corners are shared by the neighbouring cells
//!   (the districts tile without gaps or overlaps); corners on the outer edge
//!   are pushed outwards, so the fringe districts are larger, rural ones.
//!   Rings are closed and counter-clockwise. Population is lognormal
//!   (1,000–30,000, language-school towns about three times larger),
//!   newcomers 1–4.5 % of it; about 3 % of districts are `udsat` (some also
//!   `parallelsamfund`, a few of those `omdannelse`), about 6 % `forebyggelse`.
//! - **Places**: about one language school per 10 districts (one at `s`), in
//!   the towns, away from the outer edge; a jobcentre in every third school
//!   town; a station in about every fourth district. District centres lie
//!   within the default travel reach (60 min at 30 km/h × 1.3 ⇒ 23 km in a
//!   straight line) of a school; a few units in the outer fringe do not.
//! - **Housing**: 8 % temporary sites (municipal buildings, private leases,
//!   containers; 8–40 persons), the rest permanent dwellings in buildings of
//!   2–6 (social housing ~55 %, private rentals ~40 %, municipal ~5 %; 1–5
//!   rooms with Danish areas and rents, private above social, 10 %
//!   accessible). The stock is ten times the households, as in a housing
//!   register, but only about [`IN_HORIZON_PER_HOUSEHOLD`] dwellings per
//!   household become available inside the year, and few of them in the
//!   first months; the rest only become available late (from November on,
//!   most of them next year). So some households wait in temporary places,
//!   single adults (who can only afford cheap one-room flats) the longest.
//!   Units lie well inside their district; about 20 % leave the `district`
//!   column blank so that point-in-polygon is used.
//! - **Network**: buses — two local lines through each district's centre
//!   and trunk lines between the centres of neighbouring districts along the
//!   grid's rows and columns, headways drawn per line ([`write_network`]).
//! - **Households**: about 45 % single adults, 15 % couples, 40 % families
//!   with 1–6 children (a third of them single parents); 8 % arrived in the
//!   weeks before the start (a backlog), the rest through the year; about
//!   12 % with family members following inside the year; 3 % needing
//!   step-free access; income blank (benefit rates) for about 90 %.
//!
//! Deterministic: the same size and seed give byte-identical files on the
//! same platform (randomness from ChaCha8, a few `f64` functions — `ln`,
//! `cos`, `exp`, `sqrt` — whose last bit could in principle differ between
//! platforms' maths libraries; every value written is rounded).
//!
//! Memory and time are linear in the size: households are kept in memory
//! (sorted by arrival), units are written as they are drawn.

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{RngCore, SeedableRng};
use std::fmt;
use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use chrono::{Days, NaiveDate};

/// Dwellings per household that become available inside the horizon.
pub const IN_HORIZON_PER_HOUSEHOLD: f64 = 1.6;

/// The plan starts on 2026-01-01 and runs for a year.
const START: (i32, u32, u32) = (2026, 1, 1);
const HORIZON_DAYS: i64 = 365;
/// Days before the start for which dates are prepared (the backlog).
const DAYS_BEFORE: i64 = 60;
/// Days after the start for which dates are prepared (late availability).
const DAYS_AFTER: i64 = 2 * HORIZON_DAYS;

/// The CRS member written into the GeoJSON files.
const CRS_MEMBER: &str =
    r#""crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::25832"}}"#;

/// A benchmark size of PRODUCT.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Size {
    /// 60 households, 400 units, 12 districts.
    S,
    /// 600 households, 6,000 units, 40 districts.
    M,
    /// 6,000 households, 60,000 units, 200 districts.
    L,
    /// 30,000 households, 300,000 units, 1,000 districts.
    Xl,
}

/// The layout of one size.
struct Params {
    households: usize,
    units: usize,
    cols: usize,
    rows: usize,
    /// Cell size in metres.
    cell_m: f64,
    /// Centre of the grid, EPSG:25832.
    centre: (f64, f64),
    /// Median population of a district outside the school towns.
    median_population: f64,
}

/// Herning, EPSG:25832.
const HERNING: (f64, f64) = (500_000.0, 6_221_000.0);

impl Size {
    /// Parses `s`, `m`, `l` or `xl` (any case).
    pub fn parse(text: &str) -> Result<Self, GenerateError> {
        match text.trim().to_ascii_lowercase().as_str() {
            "s" => Ok(Size::S),
            "m" => Ok(Size::M),
            "l" => Ok(Size::L),
            "xl" => Ok(Size::Xl),
            _ => Err(GenerateError::UnknownSize(text.to_string())),
        }
    }

    /// `s`, `m`, `l` or `xl`.
    pub fn as_str(self) -> &'static str {
        match self {
            Size::S => "s",
            Size::M => "m",
            Size::L => "l",
            Size::Xl => "xl",
        }
    }

    /// Households generated at this size.
    pub fn households(self) -> usize {
        self.params().households
    }

    /// Units (dwellings and temporary sites) generated at this size.
    pub fn units(self) -> usize {
        self.params().units
    }

    /// Districts generated at this size.
    pub fn districts(self) -> usize {
        let p = self.params();
        p.cols * p.rows
    }

    fn params(self) -> Params {
        match self {
            Size::S => Params {
                households: 60,
                units: 400,
                cols: 4,
                rows: 3,
                cell_m: 6_500.0,
                centre: HERNING,
                median_population: 1_800.0,
            },
            Size::M => Params {
                households: 600,
                units: 6_000,
                cols: 8,
                rows: 5,
                cell_m: 5_000.0,
                centre: HERNING,
                median_population: 2_500.0,
            },
            Size::L => Params {
                households: 6_000,
                units: 60_000,
                cols: 20,
                rows: 10,
                cell_m: 5_000.0,
                centre: HERNING,
                median_population: 5_000.0,
            },
            Size::Xl => Params {
                households: 30_000,
                units: 300_000,
                cols: 20,
                rows: 50,
                cell_m: 5_500.0,
                centre: (HERNING.0, 6_225_000.0),
                median_population: 5_000.0,
            },
        }
    }
}

impl FromStr for Size {
    type Err = GenerateError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Size::parse(s)
    }
}

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What can go wrong while generating.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error("unknown size \"{0}\", expected s, m, l or xl")]
    UnknownSize(String),
    #[error("seed {0} is too large: a scenario's seed is at most {max}", max = i64::MAX)]
    SeedTooLarge(u64),
    #[error("cannot write {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

/// Writes a synthetic scenario of `size` into `out_dir` (created if missing)
/// and returns the path of its `scenario.toml`. Each file is written under a
/// temporary name and renamed into place when complete; the scenario file
/// comes last.
pub fn generate(size: Size, seed: u64, out_dir: &Path) -> Result<PathBuf, GenerateError> {
    if i64::try_from(seed).is_err() {
        return Err(GenerateError::SeedTooLarge(seed));
    }
    fs::create_dir_all(out_dir).map_err(|source| GenerateError::Io {
        path: out_dir.to_path_buf(),
        source,
    })?;
    let params = size.params();
    let dates = Dates::new();
    let geo = Geography::new(&params, seed);

    write_atomically(&out_dir.join("districts.geojson"), |w| {
        write_districts(w, &geo)
    })?;
    write_atomically(&out_dir.join("places.geojson"), |w| {
        write_places(w, &geo.places)
    })?;
    write_atomically(&out_dir.join("network.geojson"), |w| {
        write_network(w, &geo, seed)
    })?;
    write_atomically(&out_dir.join("households.csv"), |w| {
        write_households(w, params.households, seed, &dates)
    })?;
    write_atomically(&out_dir.join("housing.csv"), |w| {
        write_housing(w, &params, &geo, seed, &dates)
    })?;
    let scenario = out_dir.join("scenario.toml");
    write_atomically(&scenario, |w| write_scenario(w, size, seed))?;
    Ok(scenario)
}

/// Writes `path` through a buffered temporary file beside it, then renames.
fn write_atomically(
    path: &Path,
    body: impl FnOnce(&mut BufWriter<fs::File>) -> io::Result<()>,
) -> Result<(), GenerateError> {
    let name = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let tmp = path.with_file_name(format!(".{name}.tmp"));
    let err = |p: &Path| {
        let p = p.to_path_buf();
        move |source| GenerateError::Io { path: p, source }
    };
    let file = fs::File::create(&tmp).map_err(err(&tmp))?;
    let mut w = BufWriter::with_capacity(1 << 16, file);
    let written = body(&mut w)
        .and_then(|()| w.flush())
        .and_then(|()| w.get_ref().sync_all());
    drop(w);
    if let Err(source) = written {
        let _ = fs::remove_file(&tmp);
        return Err(GenerateError::Io { path: tmp, source });
    }
    fs::rename(&tmp, path).map_err(err(path))
}

/// The generator's randomness: ChaCha8 (`rand_chacha`), seeded from the
/// scenario seed, one stream per part of the data; portable and fully
/// determined by seed and stream.
struct Rng(ChaCha8Rng);

impl Rng {
    /// An independent stream per part of the data, so that changing how one
    /// part is drawn leaves the others as they were.
    fn new(seed: u64, stream: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(stream);
        Rng(rng)
    }

    fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// Uniform in [0, 1), from the top 53 bits.
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1_u64 << 53) as f64)
    }

    /// Uniform in [lo, hi).
    fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    /// Uniform in 0..n (n > 0), by multiply-shift.
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// Uniform in lo..=hi.
    fn int(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as usize) as i64
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Standard normal (Box–Muller).
    fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.unit();
        let u2 = self.unit();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// An index drawn with the given weights (which need not sum to 1).
    fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut x = self.unit() * total;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }
}

/// Dates as text, prepared once: day `d` of the plan is `text[d + DAYS_BEFORE]`.
struct Dates {
    text: Vec<String>,
}

impl Dates {
    fn new() -> Self {
        let start = NaiveDate::from_ymd_opt(START.0, START.1, START.2).expect("a valid date");
        let first = start - Days::new(DAYS_BEFORE as u64);
        let text = (0..=(DAYS_BEFORE + DAYS_AFTER) as u64)
            .map(|d| (first + Days::new(d)).format("%Y-%m-%d").to_string())
            .collect();
        Dates { text }
    }

    fn day(&self, day: i64) -> &str {
        let i = (day + DAYS_BEFORE).clamp(0, DAYS_BEFORE + DAYS_AFTER);
        &self.text[i as usize]
    }
}

/// Rounds to whole decimetres, as written.
fn dm(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// Rounds to a multiple of `step`.
fn round_to(v: f64, step: i64) -> i64 {
    (v / step as f64).round() as i64 * step
}

struct DistrictData {
    id: String,
    name: String,
    population: u32,
    newcomers: u32,
    flags: Vec<&'static str>,
}

struct PlaceData {
    id: String,
    kind: &'static str,
    name: String,
    pos: (f64, f64),
}

/// The districts (grid cells, row by row from the south-west) and places.
struct Geography {
    cols: usize,
    /// Grid corners, `(cols + 1) × (rows + 1)`, row by row.
    corners: Vec<(f64, f64)>,
    districts: Vec<DistrictData>,
    places: Vec<PlaceData>,
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
    fn new(params: &Params, seed: u64) -> Self {
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
    fn cell(&self, d: usize) -> [(f64, f64); 4] {
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
    fn inside(&self, district: usize, along: f64, up: f64) -> (f64, f64) {
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
    fn random_inside(&self, d: usize, rng: &mut Rng) -> (f64, f64) {
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

fn write_districts(w: &mut impl Write, geo: &Geography) -> io::Result<()> {
    write!(
        w,
        "{{\"type\":\"FeatureCollection\",\"name\":\"districts\",{CRS_MEMBER},\"features\":["
    )?;
    for (d, data) in geo.districts.iter().enumerate() {
        if d > 0 {
            w.write_all(b",")?;
        }
        let flags: Vec<String> = data.flags.iter().map(|f| format!("\"{f}\"")).collect();
        write!(
            w,
            "\n{{\"type\":\"Feature\",\"properties\":{{\"id\":\"{}\",\"name\":{},\"population\":{},\"newcomers\":{},\"flags\":[{}]}},\"geometry\":{{\"type\":\"Polygon\",\"coordinates\":[[",
            data.id,
            json_string(&data.name),
            data.population,
            data.newcomers,
            flags.join(",")
        )?;
        let cell = geo.cell(d);
        for (k, (x, y)) in cell.iter().chain(std::iter::once(&cell[0])).enumerate() {
            if k > 0 {
                w.write_all(b",")?;
            }
            write!(w, "[{x:.1},{y:.1}]")?;
        }
        w.write_all(b"]]}}")?;
    }
    w.write_all(b"\n]}\n")
}

fn write_places(w: &mut impl Write, places: &[PlaceData]) -> io::Result<()> {
    write!(
        w,
        "{{\"type\":\"FeatureCollection\",\"name\":\"places\",{CRS_MEMBER},\"features\":["
    )?;
    for (i, p) in places.iter().enumerate() {
        if i > 0 {
            w.write_all(b",")?;
        }
        write!(
            w,
            "\n{{\"type\":\"Feature\",\"properties\":{{\"id\":\"{}\",\"kind\":\"{}\",\"name\":{}}},\"geometry\":{{\"type\":\"Point\",\"coordinates\":[{:.1},{:.1}]}}}}",
            p.id,
            p.kind,
            json_string(&p.name),
            p.pos.0,
            p.pos.1
        )?;
    }
    w.write_all(b"\n]}\n")
}

/// A synthetic bus network: in every district two local lines crossing at
/// its centre (south-west – centre – north-east and south-east – centre –
/// north-west, stops a fifth of the cell in from its corners, 25 km/h), and
/// trunk lines joining the centres of neighbouring districts along every row
/// and column of the grid (45 km/h). Headways are drawn per line: local 20,
/// 30 or 60 minutes, trunk 15, 20 or 30. EPSG:25832, like the districts.
fn write_network(w: &mut impl Write, geo: &Geography, seed: u64) -> io::Result<()> {
    let mut rng = Rng::new(seed, 4);
    write!(
        w,
        "{{\"type\":\"FeatureCollection\",\"name\":\"network\",{CRS_MEMBER},\"features\":["
    )?;
    let mut first = true;
    let mut link = |w: &mut dyn Write,
                    line: &str,
                    headway: u32,
                    kmh: u32,
                    a: (f64, f64),
                    b: (f64, f64)|
     -> io::Result<()> {
        if !first {
            w.write_all(b",")?;
        }
        first = false;
        write!(
            w,
            "\n{{\"type\":\"Feature\",\"properties\":{{\"mode\":\"bus\",\"line\":\"{line}\",\"headway_min\":{headway},\"speed_kmh\":{kmh}}},\"geometry\":{{\"type\":\"LineString\",\"coordinates\":[[{:.1},{:.1}],[{:.1},{:.1}]]}}}}",
            a.0, a.1, b.0, b.1
        )
    };
    let count = geo.districts.len();
    let rows = count / geo.cols;
    let centre = |d: usize| geo.inside(d, 0.5, 0.5);
    for d in 0..count {
        let id = &geo.districts[d].id;
        for (k, (from, to)) in [((0.2, 0.2), (0.8, 0.8)), ((0.8, 0.2), (0.2, 0.8))]
            .into_iter()
            .enumerate()
        {
            let headway = [20, 30, 60][rng.below(3)];
            let line = format!("{id}-{}", ["a", "b"][k]);
            let (p, q) = (geo.inside(d, from.0, from.1), geo.inside(d, to.0, to.1));
            link(w, &line, headway, 25, p, centre(d))?;
            link(w, &line, headway, 25, centre(d), q)?;
        }
    }
    for j in 0..rows {
        let headway = [15, 20, 30][rng.below(3)];
        for i in 0..geo.cols - 1 {
            let d = j * geo.cols + i;
            link(
                w,
                &format!("R{}", j + 1),
                headway,
                45,
                centre(d),
                centre(d + 1),
            )?;
        }
    }
    for i in 0..geo.cols {
        let headway = [15, 20, 30][rng.below(3)];
        for j in 0..rows - 1 {
            let d = j * geo.cols + i;
            link(
                w,
                &format!("K{}", i + 1),
                headway,
                45,
                centre(d),
                centre(d + geo.cols),
            )?;
        }
    }
    w.write_all(b"\n]}\n")
}

fn json_string(s: &str) -> String {
    serde_json::Value::from(s).to_string()
}

struct HouseholdData {
    arrival: i64,
    adults: u32,
    children: u32,
    /// Day, adults, children.
    reunion: Option<(i64, u32, u32)>,
    needs_accessible: bool,
    income: Option<i64>,
}

fn draw_households(count: usize, seed: u64) -> Vec<HouseholdData> {
    let mut rng = Rng::new(seed, 2);
    let children_weights = [0.25, 0.28, 0.22, 0.13, 0.07, 0.05];
    let mut out: Vec<HouseholdData> = (0..count)
        .map(|_| {
            // A backlog from the weeks before the start, then through the year.
            let arrival = if rng.chance(0.08) {
                rng.int(-45, -1)
            } else {
                rng.int(0, HORIZON_DAYS - 1)
            };
            let kind = rng.unit();
            let (adults, children) = if kind < 0.45 {
                (1, 0)
            } else if kind < 0.60 {
                (if rng.chance(0.1) { 3 } else { 2 }, 0)
            } else {
                let children = 1 + rng.weighted(&children_weights) as u32;
                let adults = if rng.chance(0.3) {
                    1
                } else if rng.chance(0.08) {
                    3
                } else {
                    2
                };
                (adults, children)
            };
            // Family reunification inside the year for about 12 % in all.
            let reunion = (arrival <= 300 && rng.chance(0.14)).then(|| {
                let day = (arrival.max(0) + rng.int(45, 240)).min(HORIZON_DAYS - 1);
                let (a, c) = match (adults, children) {
                    (1, 0) => (1, rng.weighted(&[0.4, 0.2, 0.2, 0.15, 0.05]) as u32),
                    (_, 0) => (0, rng.int(1, 3) as u32),
                    (1, _) => (1, rng.int(0, 1) as u32),
                    _ => (0, rng.int(1, 2) as u32),
                };
                (day, a, c)
            });
            let needs_accessible = rng.chance(0.03);
            let income = rng
                .chance(0.1)
                .then(|| round_to(rng.uniform(12_000.0, 25_000.0), 100));
            HouseholdData {
                arrival,
                adults,
                children,
                reunion,
                needs_accessible,
                income,
            }
        })
        .collect();
    // Ids in order of arrival, as a municipality registers them.
    out.sort_by_key(|h| h.arrival);
    out
}

fn write_households(w: &mut impl Write, count: usize, seed: u64, dates: &Dates) -> io::Result<()> {
    writeln!(
        w,
        "id,adults,children,arrival,income,reunion_date,reunion_adults,reunion_children,needs_accessible,language_school,work_place,locked_unit"
    )?;
    for (i, h) in draw_households(count, seed).iter().enumerate() {
        write!(
            w,
            "H{:06},{},{},{},",
            i + 1,
            h.adults,
            h.children,
            dates.day(h.arrival)
        )?;
        if let Some(income) = h.income {
            write!(w, "{income}")?;
        }
        match h.reunion {
            Some((day, a, c)) => write!(w, ",{},{a},{c}", dates.day(day))?,
            None => w.write_all(b",,,")?,
        }
        writeln!(w, ",{},,,", h.needs_accessible)?;
    }
    Ok(())
}

/// Picks a district with probability proportional to `weights` (cumulative).
fn pick_district(rng: &mut Rng, cumulative: &[f64]) -> usize {
    let total = cumulative.last().copied().unwrap_or(0.0);
    let x = rng.unit() * total;
    cumulative
        .partition_point(|&c| c <= x)
        .min(cumulative.len() - 1)
}

/// Area (m²) and rent (DKK/month) ranges by rooms (1–5).
const AREA_M2: [(i64, i64); 5] = [(28, 45), (48, 70), (68, 95), (88, 115), (105, 140)];
const RENT_DKK: [(f64, f64); 5] = [
    (3_500.0, 4_800.0),
    (4_500.0, 6_500.0),
    (5_800.0, 8_000.0),
    (7_000.0, 9_500.0),
    (8_500.0, 11_000.0),
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Social,
    Private,
    Municipal,
    Container,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Social => "social_housing",
            Kind::Private => "private_rental",
            Kind::Municipal => "municipal_building",
            Kind::Container => "container",
        }
    }
}

fn write_housing(
    out: &mut impl Write,
    params: &Params,
    geo: &Geography,
    seed: u64,
    dates: &Dates,
) -> io::Result<()> {
    let mut rng = Rng::new(seed, 3);
    writeln!(
        out,
        "id,kind,tenure,rooms,area_m2,rent,capacity,available_from,available_until,accessible,building,cost,district,x,y"
    )?;
    // Newcomers have gathered where the rental stock is: more dwellings per
    // resident in the districts with a higher newcomer share.
    let mut total = 0.0;
    let cumulative: Vec<f64> = geo
        .districts
        .iter()
        .map(|d| {
            let share = f64::from(d.newcomers) / f64::from(d.population) / 0.0275;
            total += f64::from(d.population) * (0.3 + share * share);
            total
        })
        .collect();
    let district_column = |rng: &mut Rng, d: usize| -> &str {
        if rng.chance(0.2) {
            ""
        } else {
            &geo.districts[d].id
        }
    };

    // Temporary sites: 8 % of the units, mostly in the larger places.
    let sites = ((params.units as f64) * 0.08).round() as usize;
    for i in 0..sites {
        let d = pick_district(&mut rng, &cumulative);
        let kind =
            [Kind::Municipal, Kind::Private, Kind::Container][rng.weighted(&[0.4, 0.25, 0.35])];
        let capacity = rng.int(8, 40);
        let rent = round_to(rng.uniform(2_000.0, 3_000.0), 50);
        let cost = match kind {
            Kind::Municipal => rng.uniform(1_500.0, 3_000.0),
            Kind::Private => rng.uniform(2_500.0, 4_000.0),
            _ => rng.uniform(3_000.0, 5_000.0),
        };
        let from = if rng.chance(0.75) {
            0
        } else {
            rng.int(20, 200)
        };
        let until = rng
            .chance(0.1)
            .then(|| rng.int((from + 90).max(150), HORIZON_DAYS - 1));
        let accessible = rng.chance(if kind == Kind::Municipal { 0.6 } else { 0.3 });
        let (x, y) = geo.random_inside(d, &mut rng);
        write!(
            out,
            "T{:06},{},temporary,,,{rent},{capacity},",
            i + 1,
            kind.as_str()
        )?;
        if from > 0 {
            out.write_all(dates.day(from).as_bytes())?;
        }
        out.write_all(b",")?;
        if let Some(u) = until {
            out.write_all(dates.day(u).as_bytes())?;
        }
        writeln!(
            out,
            ",{accessible},,{},{},{x:.1},{y:.1}",
            round_to(cost, 50),
            district_column(&mut rng, d)
        )?;
    }

    // Permanent dwellings in buildings of 2–6.
    let dwellings = params.units - sites;
    let in_horizon =
        (IN_HORIZON_PER_HOUSEHOLD * params.households as f64 / dwellings as f64).min(1.0);
    let mut written = 0;
    let mut building = 0;
    while written < dwellings {
        building += 1;
        let d = pick_district(&mut rng, &cumulative);
        let flagged = !geo.districts[d].flags.is_empty();
        // Building weights for dwelling shares of about 55 / 40 / 5 %
        // (85 / 12 / 3 % in flagged districts), given buildings of 4.5, 3
        // and 2.5 dwellings on average.
        let kind_weights = if flagged {
            [0.78, 0.17, 0.05]
        } else {
            [0.45, 0.48, 0.07]
        };
        let kind = [Kind::Social, Kind::Private, Kind::Municipal][rng.weighted(&kind_weights)];
        let (room_weights, size, rent_share): (&[f64], (i64, i64), (f64, f64)) = match kind {
            Kind::Social => (&[0.14, 0.30, 0.33, 0.17, 0.06], (3, 6), (0.0, 0.65)),
            Kind::Private => (&[0.16, 0.34, 0.28, 0.16, 0.06], (2, 4), (0.35, 1.0)),
            _ => (&[0.5, 0.35, 0.15], (2, 3), (0.0, 0.5)),
        };
        let in_building = (rng.int(size.0, size.1) as usize).min(dwellings - written);
        let (x, y) = geo.random_inside(d, &mut rng);
        for _ in 0..in_building {
            written += 1;
            let rooms = rng.weighted(room_weights);
            let area = rng.int(AREA_M2[rooms].0, AREA_M2[rooms].1);
            let (lo, hi) = RENT_DKK[rooms];
            let rent = round_to(lo + (hi - lo) * rng.uniform(rent_share.0, rent_share.1), 25);
            // Inside the horizon: a few vacant now, more and more through
            // the year; otherwise late (November on, mostly next year).
            let from = if rng.chance(in_horizon) {
                if rng.chance(0.08) {
                    0
                } else {
                    ((HORIZON_DAYS as f64) * rng.unit().sqrt()) as i64
                }
            } else {
                rng.int(HORIZON_DAYS - 60, DAYS_AFTER - 1)
            };
            let accessible = rng.chance(0.1);
            write!(
                out,
                "P{written:06},{},permanent,{},{area},{rent},,",
                kind.as_str(),
                rooms + 1
            )?;
            if from > 0 {
                out.write_all(dates.day(from).as_bytes())?;
            }
            writeln!(
                out,
                ",,{accessible},B{building:06},,{},{x:.1},{y:.1}",
                district_column(&mut rng, d)
            )?;
        }
    }
    Ok(())
}

fn write_scenario(w: &mut impl Write, size: Size, seed: u64) -> io::Result<()> {
    writeln!(
        w,
        "# Synthetic scenario written by `boligplan generate --size {size} --seed {seed}`.\n\
         # Every household, dwelling and district is made up; places are synthetic too.\n\
         name = \"synthetic {size} seed {seed}\"\n\
         start = \"{:04}-{:02}-{:02}\"\n\
         horizon_days = {HORIZON_DAYS}\n\
         crs = \"EPSG:25832\"\n\
         seed = {seed}\n\
         \n\
         [inputs]\n\
         households = \"households.csv\"\n\
         housing    = \"housing.csv\"\n\
         districts  = \"districts.geojson\"\n\
         places     = \"places.geojson\"\n\
         # A synthetic bus network for the same districts; uncomment to plan\n\
         # with travel over it instead of straight-line estimates.\n\
         # network    = \"network.geojson\"",
        START.0, START.1, START.2
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Contains, Coord, LineString, Point, Polygon};

    fn polygon(geo: &Geography, d: usize) -> Polygon<f64> {
        let cell = geo.cell(d);
        let mut ring: Vec<Coord<f64>> = cell.iter().map(|&(x, y)| Coord { x, y }).collect();
        ring.push(ring[0]);
        Polygon::new(LineString::new(ring), vec![])
    }

    #[test]
    fn sizes_parse_and_count() {
        for (text, size, h, u, d) in [
            ("s", Size::S, 60, 400, 12),
            ("M", Size::M, 600, 6_000, 40),
            ("l", Size::L, 6_000, 60_000, 200),
            ("xl", Size::Xl, 30_000, 300_000, 1_000),
        ] {
            assert_eq!(Size::parse(text).unwrap(), size);
            assert_eq!(size.households(), h);
            assert_eq!(size.units(), u);
            assert_eq!(size.districts(), d);
            assert_eq!(size.to_string().parse::<Size>().unwrap(), size);
        }
        assert!(Size::parse("xxl").is_err());
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

    #[test]
    fn dates_cover_the_backlog_and_next_year() {
        let dates = Dates::new();
        assert_eq!(dates.day(0), "2026-01-01");
        assert_eq!(dates.day(-1), "2025-12-31");
        assert_eq!(dates.day(HORIZON_DAYS), "2027-01-01");
        assert_eq!(dates.day(DAYS_AFTER - 1), "2027-12-31");
    }
}
