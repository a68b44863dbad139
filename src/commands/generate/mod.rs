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
//!   grid's rows and columns, headways drawn per line
//!   ([`network::write_network`]).
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
//!
//! One file per part: `geography.rs` draws the districts grid and the
//! places, `housing.rs` the stock, `households.rs` the households,
//! `network.rs` the bus network; `files.rs` writes each file atomically
//! (the districts and places as GeoJSON, `scenario.toml`); `random.rs` is
//! the seeded randomness they all draw from.

mod files;
mod geography;
mod households;
mod housing;
mod network;
mod random;

use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use chrono::{Days, NaiveDate};

use files::{write_atomically, write_districts, write_places, write_scenario};
use geography::Geography;
use households::write_households;
use housing::write_housing;
use network::write_network;

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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn dates_cover_the_backlog_and_next_year() {
        let dates = Dates::new();
        assert_eq!(dates.day(0), "2026-01-01");
        assert_eq!(dates.day(-1), "2025-12-31");
        assert_eq!(dates.day(HORIZON_DAYS), "2027-01-01");
        assert_eq!(dates.day(DAYS_AFTER - 1), "2027-12-31");
    }
}
