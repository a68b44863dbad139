//! The engine finds the optimum on small instances.
//!
//! Seeded random scenarios are written into a temporary directory, their
//! model is exported as MPS and read with the parser of `model.rs`, and the
//! true optimum is found by exhaustive depth-first enumeration: each
//! household takes one of its `x` variables or none. Partial assignments are
//! cut only where that cannot lose the optimum: a `≤` row with non-negative
//! coefficients already broken, or (when the continuous variables' cost can
//! only grow as households are added) a partial objective plus the best each
//! remaining household could still add that is no better than the best
//! complete assignment found. The engine's objective must equal that optimum
//! and its gap must be zero.
//!
//! The scenario writer ([`Spec`]) is shared with the property tests.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::{Days, NaiveDate};

use crate::checker;
use crate::model::{
    FEAS_TOL, Mps, Sense, close, export_model, plan_vs_model, quality, solution_from_plan,
};
use crate::{bin, run_plan};

// ------------------------------------------------------------ scenarios ---

/// A square district in EPSG:25832.
#[derive(Debug, Clone)]
pub(crate) struct DistrictSpec {
    pub id: String,
    pub x0: f64,
    pub y0: f64,
    pub side: f64,
    pub population: u32,
    pub newcomers: u32,
    pub flags: Vec<String>,
}

/// A housing unit; days are counted from the scenario's start.
#[derive(Debug, Clone)]
pub(crate) struct UnitSpec {
    pub id: String,
    pub kind: String,
    pub temporary: bool,
    pub rooms: u32,
    pub area_m2: u32,
    pub rent: u32,
    pub capacity: u32,
    pub available_from: Option<i64>,
    pub available_until: Option<i64>,
    pub accessible: bool,
    pub building: Option<String>,
    pub x: f64,
    pub y: f64,
}

/// A household; days are counted from the scenario's start.
#[derive(Debug, Clone)]
pub(crate) struct HouseholdSpec {
    pub id: String,
    pub adults: u32,
    pub children: u32,
    pub arrival: i64,
    pub income: Option<u32>,
    /// (day, adults, children)
    pub reunion: Option<(i64, u32, u32)>,
    pub needs_accessible: bool,
    pub locked_unit: Option<String>,
}

/// A whole scenario, written by [`Spec::write`].
#[derive(Debug, Clone)]
pub(crate) struct Spec {
    pub horizon_days: i64,
    pub max_district_share: f64,
    pub max_travel_min: f64,
    pub max_households_per_building: u32,
    pub housing_benefit: bool,
    pub districts: Vec<DistrictSpec>,
    /// The language school.
    pub school: (f64, f64),
    pub units: Vec<UnitSpec>,
    pub households: Vec<HouseholdSpec>,
}

/// Day 0 of every generated scenario.
pub(crate) fn start() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
}

fn date(day: i64) -> String {
    let d = if day >= 0 {
        start() + Days::new(day.unsigned_abs())
    } else {
        start() - Days::new(day.unsigned_abs())
    };
    d.format("%Y-%m-%d").to_string()
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

impl Spec {
    /// Writes scenario.toml, households.csv, housing.csv (x/y in
    /// EPSG:25832), districts.geojson and places.geojson into `dir`;
    /// returns the scenario's path.
    pub(crate) fn write(&self, dir: &Path) -> PathBuf {
        fs::create_dir_all(dir).unwrap();
        let scenario = format!(
            "name = \"generated\"\nstart = \"{}\"\nhorizon_days = {}\ncrs = \"EPSG:25832\"\n\n\
             [inputs]\nhouseholds = \"households.csv\"\nhousing = \"housing.csv\"\n\
             districts = \"districts.geojson\"\nplaces = \"places.geojson\"\n\n\
             [rules]\nmax_district_share = {}\nmax_travel_min = {}\nmax_households_per_building = {}\n\n\
             [housing_benefit]\nenabled = {}\n",
            date(0),
            self.horizon_days,
            self.max_district_share,
            self.max_travel_min,
            self.max_households_per_building,
            self.housing_benefit
        );
        fs::write(dir.join("scenario.toml"), scenario).unwrap();

        let mut w = csv::Writer::from_path(dir.join("households.csv")).unwrap();
        w.write_record([
            "id",
            "adults",
            "children",
            "arrival",
            "income",
            "reunion_date",
            "reunion_adults",
            "reunion_children",
            "needs_accessible",
            "language_school",
            "work_place",
            "locked_unit",
        ])
        .unwrap();
        for h in &self.households {
            w.write_record([
                h.id.clone(),
                h.adults.to_string(),
                h.children.to_string(),
                date(h.arrival),
                opt(h.income),
                opt(h.reunion.map(|r| date(r.0))),
                opt(h.reunion.map(|r| r.1)),
                opt(h.reunion.map(|r| r.2)),
                h.needs_accessible.to_string(),
                String::new(),
                String::new(),
                h.locked_unit.clone().unwrap_or_default(),
            ])
            .unwrap();
        }
        w.flush().unwrap();

        let mut w = csv::Writer::from_path(dir.join("housing.csv")).unwrap();
        w.write_record([
            "id",
            "kind",
            "tenure",
            "rooms",
            "area_m2",
            "rent",
            "capacity",
            "available_from",
            "available_until",
            "accessible",
            "building",
            "x",
            "y",
        ])
        .unwrap();
        for u in &self.units {
            let (rooms, area, capacity) = if u.temporary {
                (String::new(), String::new(), u.capacity.to_string())
            } else {
                (u.rooms.to_string(), u.area_m2.to_string(), String::new())
            };
            w.write_record([
                u.id.clone(),
                u.kind.clone(),
                if u.temporary {
                    "temporary"
                } else {
                    "permanent"
                }
                .to_string(),
                rooms,
                area,
                u.rent.to_string(),
                capacity,
                opt(u.available_from.map(date)),
                opt(u.available_until.map(date)),
                u.accessible.to_string(),
                u.building.clone().unwrap_or_default(),
                format!("{:.1}", u.x),
                format!("{:.1}", u.y),
            ])
            .unwrap();
        }
        w.flush().unwrap();

        let crs = r#""crs": {"type": "name", "properties": {"name": "EPSG:25832"}}"#;
        let mut districts = format!("{{\"type\": \"FeatureCollection\", {crs}, \"features\": [\n");
        for (i, d) in self.districts.iter().enumerate() {
            let (x0, y0, x1, y1) = (d.x0, d.y0, d.x0 + d.side, d.y0 + d.side);
            let props = serde_json::json!({
                "id": d.id, "name": d.id, "population": d.population,
                "newcomers": d.newcomers, "flags": d.flags,
            });
            let _ = writeln!(
                districts,
                "{}{{\"type\": \"Feature\", \"properties\": {props}, \"geometry\": {{\"type\": \"Polygon\", \
                 \"coordinates\": [[[{x0}, {y0}], [{x1}, {y0}], [{x1}, {y1}], [{x0}, {y1}], [{x0}, {y0}]]]}}}}",
                if i == 0 { "" } else { "," }
            );
        }
        districts.push_str("]}\n");
        fs::write(dir.join("districts.geojson"), districts).unwrap();

        let places = format!(
            "{{\"type\": \"FeatureCollection\", {crs}, \"features\": [\n\
             {{\"type\": \"Feature\", \"properties\": {{\"id\": \"S1\", \"kind\": \"language_school\", \"name\": \"Sprogcenter\"}}, \
             \"geometry\": {{\"type\": \"Point\", \"coordinates\": [{}, {}]}}}}\n]}}\n",
            self.school.0, self.school.1
        );
        fs::write(dir.join("places.geojson"), places).unwrap();
        dir.join("scenario.toml")
    }
}

/// The three squares (5 km) the generated districts use, west to east, south to north.
pub(crate) const SQUARES: [(f64, f64); 3] = [
    (490_000.0, 6_220_000.0),
    (495_000.0, 6_220_000.0),
    (490_000.0, 6_225_000.0),
];

/// Side of a generated district square, metres.
pub(crate) const SIDE: f64 = 5_000.0;

// ------------------------------------------------------------------ PRNG ---

/// A 64-bit linear congruential generator (Knuth's MMIX constants).
pub(crate) struct Lcg(u64);

impl Lcg {
    pub(crate) fn new(seed: u64) -> Lcg {
        let mut g = Lcg(seed ^ 0x9E37_79B9_7F4A_7C15);
        g.next();
        g
    }

    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    /// Uniform in `lo..=hi`.
    pub(crate) fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % (hi - lo + 1).unsigned_abs()) as i64
    }

    pub(crate) fn chance(&mut self, p: f64) -> bool {
        (self.next() % 1_000_000) as f64 / 1_000_000.0 < p
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.next() as usize % items.len()]
    }
}

// ------------------------------------------------------------- generator ---

/// Minimum disposable amount with the default rates (README).
fn min_disposable(adults: u32, children: u32) -> u32 {
    let adults_part = if adults >= 2 {
        5000 + 2800 * (adults - 2)
    } else {
        2800
    };
    adults_part + 1100 * children
}

/// A small scenario in which each household has at most five candidate
/// dwellings: dwellings come in three classes (small, medium, large) and a
/// household's size and income (housing benefit off) let it into one class only.
fn random_spec(seed: u64) -> Spec {
    // (rooms, area range, rent range) per class; a household of class c fits
    // classes ≥ c by size and affords classes ≤ c.
    type Span = (i64, i64);
    const CLASSES: [(u32, Span, Span); 3] = [
        (1, (30, 38), (3000, 4000)),
        (2, (55, 75), (5500, 6500)),
        (3, (80, 110), (8000, 9000)),
    ];
    const COMPOSITIONS: [&[(u32, u32)]; 3] = [
        &[(1, 0), (2, 0)],
        &[(2, 1), (2, 2), (1, 2), (1, 3)],
        &[(2, 3), (2, 4), (1, 4)],
    ];
    let mut g = Lcg::new(seed);
    let n_districts = g.range(2, 3) as usize;
    let districts: Vec<DistrictSpec> = (0..n_districts)
        .map(|i| DistrictSpec {
            id: format!("D{}", i + 1),
            x0: SQUARES[i].0,
            y0: SQUARES[i].1,
            side: SIDE,
            population: g.range(60, 400) as u32,
            newcomers: g.range(0, 2) as u32,
            flags: if i == 2 && g.chance(0.3) {
                vec!["forebyggelse".into()]
            } else {
                Vec::new()
            },
        })
        .collect();
    let point_in = |g: &mut Lcg, d: &DistrictSpec| {
        (
            d.x0 + g.range(200, 4800) as f64,
            d.y0 + g.range(200, 4800) as f64,
        )
    };
    let mut units = Vec::new();
    for t in 0..g.range(1, 2) {
        let (x, y) = point_in(&mut g, &districts[0]);
        units.push(UnitSpec {
            id: format!("T{}", t + 1),
            kind: if t == 0 {
                "municipal_building"
            } else {
                "container"
            }
            .into(),
            temporary: true,
            rooms: 0,
            area_m2: 0,
            rent: g.range(2000, 3000) as u32,
            capacity: 200,
            available_from: None,
            available_until: None,
            accessible: true,
            building: None,
            x,
            y,
        });
    }
    let n_dwellings = g.range(6, 14) as usize;
    let mut dwelling_class = Vec::new();
    let offset = g.range(0, 2) as usize;
    for i in 0..n_dwellings {
        let class = (i + offset) % 3;
        let (rooms, area, rent) = CLASSES[class];
        let d = g.pick(&districts).clone();
        let (x, y) = point_in(&mut g, &d);
        let available_from = if g.chance(0.4) {
            None
        } else {
            Some(g.range(0, 200))
        };
        let available_until = if g.chance(0.85) {
            None
        } else {
            Some(available_from.unwrap_or(0) + g.range(100, 400))
        };
        let id = if i % 4 == 3 {
            format!("P.{i}#") // sanitised to `P.{i}_` in the MPS
        } else {
            format!("P{i}")
        };
        units.push(UnitSpec {
            id,
            kind: g
                .pick(&[
                    "private_rental",
                    "social_housing",
                    "municipal_building",
                    "container",
                ])
                .to_string(),
            temporary: false,
            rooms,
            area_m2: g.range(area.0, area.1) as u32,
            rent: g.range(rent.0, rent.1) as u32,
            capacity: 0,
            available_from,
            available_until,
            accessible: g.chance(0.5),
            building: if g.chance(0.5) {
                Some(format!("B{}", g.range(1, 3)))
            } else {
                None
            },
            x,
            y,
        });
        dwelling_class.push((units.len() - 1, class));
    }
    let n_households = g.range(5, 12) as usize;
    let mut households = Vec::new();
    let mut pinned = Vec::new();
    let pin_seed = g.chance(0.3);
    for i in 0..n_households {
        let class = g.range(0, 2) as usize;
        let (adults, children) = *g.pick(COMPOSITIONS[class]);
        let income =
            min_disposable(adults, children) + CLASSES[class].2.1 as u32 + g.range(0, 1000) as u32;
        let id = if i % 3 == 2 {
            format!("h/{i} ø") // sanitised to `h_{i}__`
        } else {
            format!("H{i}")
        };
        let mut locked_unit = None;
        if pin_seed && households.len() == n_households / 2 {
            let own: Vec<usize> = dwelling_class
                .iter()
                .filter(|&&(u, c)| c == class && !pinned.contains(&u))
                .map(|&(u, _)| u)
                .collect();
            if !own.is_empty() {
                let u = *g.pick(&own);
                pinned.push(u);
                locked_unit = Some(units[u].id.clone());
            }
        }
        households.push(HouseholdSpec {
            id,
            adults,
            children,
            arrival: g.range(-10, 120),
            income: Some(income),
            reunion: None,
            needs_accessible: g.chance(0.15),
            locked_unit,
        });
    }
    Spec {
        horizon_days: 365,
        max_district_share: 0.05,
        max_travel_min: 60.0,
        max_households_per_building: 2,
        housing_benefit: false,
        districts,
        school: (494_000.0, 6_224_000.0),
        units,
        households,
    }
}

// ----------------------------------------------------------- brute force ---

/// The optimum of a model whose integer variables are binaries, each in at
/// most one `hh.*` row, found by enumeration.
pub(crate) struct Optimum {
    pub objective: f64,
    pub chosen: Vec<String>,
    pub nodes: u64,
}

struct Search<'a> {
    mps: &'a Mps,
    /// Per household: its options (variable indices), cheapest first.
    groups: Vec<Vec<usize>>,
    forced: Vec<Option<usize>>,
    /// Rows on integer variables only, `≤`, with non-negative coefficients.
    prunable: Vec<bool>,
    /// Σ a·x over the integer variables set so far, per row.
    lhs: Vec<f64>,
    values: Vec<f64>,
    /// Σ over groups g.. of the least each could add.
    optimistic: Vec<f64>,
    /// Whether the continuous variables' cost can only grow as x grows.
    monotone: bool,
    best: f64,
    best_values: Vec<f64>,
    nodes: u64,
}

impl Search<'_> {
    /// The continuous variables' least cost given the integer part in `lhs`.
    fn continuous_cost(&self) -> f64 {
        let mut total = 0.0;
        for var in self.mps.vars.iter().filter(|v| !v.integer) {
            let mut lo = var.lo;
            for &(r, a) in &var.rows {
                let row = &self.mps.rows[r];
                let bound = (row.rhs - self.lhs[r]) / a;
                match row.sense {
                    Sense::Le if a < 0.0 => lo = lo.max(bound),
                    Sense::Ge if a > 0.0 => lo = lo.max(bound),
                    _ => {}
                }
            }
            total += var.cost * lo;
        }
        total
    }

    fn set(&mut self, v: usize, value: f64) -> bool {
        self.values[v] = value;
        let mut ok = true;
        for &(r, a) in &self.mps.vars[v].rows {
            if self.mps.vars[v].integer {
                self.lhs[r] += a * value;
            }
            if value > 0.0 && self.prunable[r] && self.lhs[r] > self.mps.rows[r].rhs + FEAS_TOL {
                ok = false;
            }
        }
        ok
    }

    fn unset(&mut self, v: usize) {
        let value = self.values[v];
        for &(r, a) in &self.mps.vars[v].rows {
            self.lhs[r] -= a * value;
        }
        self.values[v] = 0.0;
    }

    fn leaf(&mut self) {
        let mut values = self.values.clone();
        self.mps.fill_continuous(&mut values);
        if self.mps.violations(&values).is_empty() {
            let z = self.mps.objective(&values);
            if z < self.best {
                self.best = z;
                self.best_values = values;
            }
        }
    }

    fn dfs(&mut self, g: usize, x_cost: f64) {
        self.nodes += 1;
        if g == self.groups.len() {
            self.leaf();
            return;
        }
        if self.monotone {
            let lower = self.mps.constant + x_cost + self.continuous_cost() + self.optimistic[g];
            if lower >= self.best - 1e-9 {
                return;
            }
        }
        let options: Vec<usize> = match self.forced[g] {
            Some(v) => vec![v],
            None => self.groups[g].clone(),
        };
        for v in options {
            if self.set(v, 1.0) {
                self.dfs(g + 1, x_cost + self.mps.vars[v].cost);
            }
            self.unset(v);
        }
        if self.forced[g].is_none() {
            self.dfs(g + 1, x_cost);
        }
    }
}

/// Finds the optimum of `mps` by enumeration (see the module comment).
pub(crate) fn brute_force(mps: &Mps) -> Optimum {
    enumerate(mps, true)
}

/// Enumeration; `by_bound`: also cut by the objective bound.
fn enumerate(mps: &Mps, by_bound: bool) -> Optimum {
    let mut group_of_row: Vec<Option<usize>> = vec![None; mps.rows.len()];
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut forced: Vec<Option<usize>> = Vec::new();
    for (v, var) in mps.vars.iter().enumerate() {
        if !var.integer {
            continue;
        }
        assert!(
            var.lo >= 0.0 && var.up <= 1.0,
            "{} is not binary: [{}, {}]",
            var.name,
            var.lo,
            var.up
        );
        let hh: Vec<usize> = var
            .rows
            .iter()
            .map(|&(r, _)| r)
            .filter(|&r| mps.rows[r].name.starts_with("hh."))
            .collect();
        assert!(hh.len() <= 1, "{} is in several hh rows", var.name);
        let g = match hh.first() {
            Some(&r) => *group_of_row[r].get_or_insert_with(|| {
                groups.push(Vec::new());
                forced.push(None);
                groups.len() - 1
            }),
            None => {
                groups.push(Vec::new());
                forced.push(None);
                groups.len() - 1
            }
        };
        if var.up < 0.5 {
            continue; // fixed at 0
        }
        groups[g].push(v);
        if var.lo > 0.5 {
            assert!(
                forced[g].is_none(),
                "two variables forced to 1 in one household"
            );
            forced[g] = Some(v);
        }
    }
    for grp in &mut groups {
        grp.sort_by(|&a, &b| mps.vars[a].cost.total_cmp(&mps.vars[b].cost));
    }
    let prunable: Vec<bool> = mps
        .rows
        .iter()
        .map(|r| {
            r.sense == Sense::Le
                && r.terms
                    .iter()
                    .all(|&(v, a)| mps.vars[v].integer && a >= 0.0)
        })
        .collect();
    let monotone = mps.vars.iter().filter(|v| !v.integer).all(|var| {
        var.cost >= 0.0
            && var.rows.iter().all(|&(r, a)| {
                let row = &mps.rows[r];
                let mut others = row.terms.iter().filter(|&&(w, _)| mps.vars[w].integer);
                match row.sense {
                    Sense::Le if a < 0.0 => others.all(|&(_, b)| b >= 0.0),
                    Sense::Ge if a > 0.0 => others.all(|&(_, b)| b <= 0.0),
                    Sense::Eq => false,
                    _ => true,
                }
            })
    });
    let least: Vec<f64> = groups
        .iter()
        .zip(&forced)
        .map(|(grp, f)| match f {
            Some(v) => mps.vars[*v].cost,
            None => grp.iter().map(|&v| mps.vars[v].cost).fold(0.0, f64::min),
        })
        .collect();
    let mut optimistic = vec![0.0; groups.len() + 1];
    for g in (0..groups.len()).rev() {
        optimistic[g] = optimistic[g + 1] + least[g];
    }
    let mut s = Search {
        mps,
        groups,
        forced,
        prunable,
        lhs: vec![0.0; mps.rows.len()],
        values: vec![0.0; mps.vars.len()],
        optimistic,
        monotone: monotone && by_bound,
        best: f64::INFINITY,
        best_values: Vec::new(),
        nodes: 0,
    };
    s.dfs(0, 0.0);
    assert!(s.best.is_finite(), "the model has no feasible point");
    let chosen = mps
        .vars
        .iter()
        .zip(&s.best_values)
        .filter(|(v, x)| v.integer && **x > 0.5)
        .map(|(v, _)| v.name.clone())
        .collect();
    Optimum {
        objective: s.best,
        chosen,
        nodes: s.nodes,
    }
}

// ------------------------------------------------------------------ tests ---

#[test]
fn brute_force_finds_the_optimum_of_a_hand_made_model() {
    // Two households, two dwellings in one district with cap 5 and a spread
    // row at 2: a (3 persons) gains 10 in either dwelling, b (3 persons) gains
    // 8 in d1 only; both together break the cap, so the optimum is a alone:
    // 100 − 10 + 1·(3 − 2) = 91.
    let text = "\
NAME t
ROWS
 N obj
 L hh.a
 L hh.b
 L dw.d1
 L dw.d2
 L cap.D
 L spread.D.0
COLUMNS
 MARKER 'MARKER' 'INTORG'
 x.a.d1 obj -10 hh.a 1
 x.a.d1 dw.d1 1 cap.D 3
 x.a.d1 spread.D.0 3
 x.a.d2 obj -10 hh.a 1
 x.a.d2 dw.d2 1 cap.D 3
 x.a.d2 spread.D.0 3
 x.b.d1 obj -8 hh.b 1
 x.b.d1 dw.d1 1 cap.D 3
 x.b.d1 spread.D.0 3
 MARKER 'MARKER' 'INTEND'
 e.D.0 obj 1 spread.D.0 -1
RHS
 rhs obj -100
 rhs hh.a 1 hh.b 1
 rhs dw.d1 1 dw.d2 1
 rhs cap.D 5 spread.D.0 2
BOUNDS
 UP bnd x.a.d1 1
 UP bnd x.a.d2 1
 UP bnd x.b.d1 1
ENDATA
";
    let mps = Mps::parse(text).unwrap();
    let o = brute_force(&mps);
    assert!((o.objective - 91.0).abs() < 1e-9, "{}", o.objective);
    assert_eq!(o.chosen.len(), 1);
}

#[test]
fn cutting_by_the_bound_never_loses_the_optimum() {
    // Full enumeration (only infeasible partial assignments cut) on the
    // seeds small enough for it, against the enumeration the oracle uses.
    let tmp = tempfile::tempdir().unwrap();
    let mut compared = 0;
    for seed in 1..=30 {
        let spec = random_spec(seed);
        let dir = tmp.path().join(format!("seed{seed}"));
        let scenario = spec.write(&dir);
        let mps_path = dir.join("model.mps");
        export_model(&scenario, &mps_path);
        let mps = Mps::read(&mps_path);
        let (cut, full) = (enumerate(&mps, true), enumerate(&mps, false));
        eprintln!("seed {seed}: {} vs {} nodes", cut.nodes, full.nodes);
        assert!(
            (cut.objective - full.objective).abs() <= 1e-9 * full.objective.abs().max(1.0),
            "seed {seed}: cut {} ≠ full {}",
            cut.objective,
            full.objective
        );
        compared += 1;
    }
    assert!(compared >= 10, "only {compared} seeds compared");
}

/// One seed's result.
struct Outcome {
    line: String,
    failure: Option<String>,
    /// The greedy plan is worse than the optimum.
    greedy_worse: bool,
}

/// Which cap rows (`cap.*`, `bld.*`) the optimum fills so far that no
/// further household fits, and which households are pinned (LO 1).
fn saturated(mps: &Mps, opt: &Optimum) -> String {
    let mut values = vec![0.0; mps.vars.len()];
    for name in &opt.chosen {
        values[mps.var_index[name]] = 1.0;
    }
    let lhs = mps.activities(&values);
    let full: Vec<&str> = mps
        .rows
        .iter()
        .zip(&lhs)
        .filter(|(r, l)| {
            (r.name.starts_with("cap.") || r.name.starts_with("bld."))
                && r.terms
                    .iter()
                    .any(|&(v, a)| values[v] < 0.5 && **l + a > r.rhs + FEAS_TOL)
        })
        .map(|(r, _)| r.name.as_str())
        .collect();
    let pinned = mps.vars.iter().filter(|v| v.integer && v.lo > 0.5).count();
    format!("binding caps {full:?}, {pinned} pinned")
}

fn run_seed(seed: u64, root: &Path) -> Outcome {
    let spec = random_spec(seed);
    let dir = root.join(format!("seed{seed}"));
    let scenario = spec.write(&dir);
    let mps_path = dir.join("model.mps");
    export_model(&scenario, &mps_path);
    let mps = Mps::read(&mps_path);
    let t = Instant::now();
    let opt = brute_force(&mps);
    let bf_seconds = t.elapsed().as_secs_f64();
    let out = dir.join("out");
    let o = run_plan(&scenario, &out);
    assert!(
        o.status.success(),
        "seed {seed}: plan failed:\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let (objective, bound, gap) = quality(&out);
    let objective = objective.unwrap_or(f64::NAN);
    let bound = bound.unwrap_or(f64::NAN);
    let gap = gap.unwrap_or(f64::NAN);
    let mut line = format!(
        "seed {seed:2}: {} households, {} x vars, brute force {:.6} ({} nodes, {bf_seconds:.2} s), \
         engine objective {objective:.6}, bound {bound:.6}, gap {gap:e}; {}",
        spec.households.len(),
        mps.vars.iter().filter(|v| v.integer).count(),
        opt.objective,
        opt.nodes,
        saturated(&mps, &opt),
    );
    let mut problems = Vec::new();
    // The greedy plan is a lawful point of the model too: never better than
    // the optimum; where it is worse the instance is not trivial.
    let greedy_out = dir.join("greedy");
    let o = bin()
        .arg("plan")
        .arg(&scenario)
        .arg("--out")
        .arg(&greedy_out)
        .args(["--strategy", "greedy", "--quiet"])
        .output()
        .expect("cannot start boligplan");
    assert!(o.status.success(), "seed {seed}: greedy plan failed");
    let greedy = match solution_from_plan(&mps, &greedy_out) {
        Ok(values) => {
            problems.extend(
                mps.violations(&values)
                    .into_iter()
                    .map(|v| format!("greedy plan: {v}")),
            );
            mps.objective(&values)
        }
        Err(e) => {
            problems.push(format!("greedy plan: {e}"));
            f64::NAN
        }
    };
    if greedy < opt.objective - 1e-6 * opt.objective.abs().max(1.0) {
        problems.push(format!(
            "the greedy plan ({greedy:.6}) beats the brute-force optimum ({:.6}): the enumeration is wrong",
            opt.objective
        ));
    }
    let _ = write!(line, "; greedy {greedy:.6}");
    if !close(objective, opt.objective, 1e-6) {
        problems.push(format!(
            "engine objective {objective:.6} ≠ brute-force optimum {:.6} (excess {:.6}; optimum picks {:?})",
            opt.objective,
            objective - opt.objective,
            opt.chosen
        ));
    }
    if gap.is_nan() || gap > 1e-6 {
        problems.push(format!("gap {gap} > 1e-6"));
    }
    if bound.is_nan() || bound > opt.objective + 1e-3 + 1e-9 * opt.objective.abs() {
        problems.push(format!(
            "bound {bound:.6} is above the true optimum {:.6}: not a valid lower bound",
            opt.objective
        ));
    }
    problems.extend(plan_vs_model(&mps, &out));
    problems.extend(checker::check_plan(&scenario, &out));
    Outcome {
        line,
        failure: (!problems.is_empty()).then(|| format!("seed {seed}: {}", problems.join("; "))),
        greedy_worse: greedy > opt.objective + 1e-3,
    }
}

#[test]
fn the_engine_finds_the_brute_force_optimum_on_small_random_instances() {
    let tmp = tempfile::tempdir().unwrap();
    let mut lines = Vec::new();
    let mut failures = Vec::new();
    let mut greedy_worse = 0;
    for seed in 1..=30 {
        let o = run_seed(seed, tmp.path());
        eprintln!("{}", o.line);
        lines.push(o.line);
        failures.extend(o.failure);
        greedy_worse += usize::from(o.greedy_worse);
    }
    assert!(
        greedy_worse > 0,
        "the greedy plan is optimal on every seed: the instances are too easy to test the engine\n{}",
        lines.join("\n")
    );
    assert!(
        failures.is_empty(),
        "{} of 30 seeds are not solved to optimality:\n{}\n\nall seeds:\n{}",
        failures.len(),
        failures.join("\n"),
        lines.join("\n")
    );
}

/// Size s is solved to optimality: on generated scenarios of seeds 1–3 the
/// plan's objective is the optimum HiGHS 1.16 proves on the exported model
/// (`export-model`, default options), with a lawful plan each. Seeds 1 and
/// 2 are proven by the engine itself (gap 0, bound equal to the
/// objective); on seed 3 its bound stays 0.012 % below (it never claims
/// more than it proves: the bound is below the optimum).
#[test]
fn generated_s_scenarios_are_proven_optimal() {
    let tmp = tempfile::tempdir().unwrap();
    for (seed, optimum, max_gap) in [
        (1, -132_678.728_303, 0.0),
        (2, -70_197.067_128, 0.0),
        (3, -103_211.948_136, 0.000_13),
    ] {
        let dir = tmp.path().join(format!("s{seed}"));
        let o = bin()
            .args([
                "generate",
                "--size",
                "s",
                "--seed",
                &seed.to_string(),
                "--out",
            ])
            .arg(&dir)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let scenario = dir.join("scenario.toml");
        let out = dir.join("out");
        let o = run_plan(&scenario, &out);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let (objective, bound, gap) = quality(&out);
        let (objective, bound, gap) = (objective.unwrap(), bound.unwrap(), gap.unwrap());
        assert!(
            close(objective, optimum, 1e-9),
            "s-{seed}: objective {objective} ≠ the proven optimum {optimum}"
        );
        assert!(
            gap <= max_gap
                && bound <= optimum + 1e-6
                && (max_gap > 0.0 || close(bound, objective, 1e-9)),
            "s-{seed}: not proven optimal: bound {bound}, gap {gap}"
        );
        let violations = checker::check_plan(&scenario, &out);
        assert!(violations.is_empty(), "s-{seed}: {violations:?}");
    }
}
