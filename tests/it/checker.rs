//! An independent checker of the README's "Rules" section.
//!
//! It reads the scenario and every input file itself, projects everything to
//! EPSG:25832 itself, assigns units to districts by its own point-in-polygon
//! test, recomputes income, housing benefit, disposable income and travel time
//! from the README's formulas, and then checks `plan.csv` against every rule.
//! It never calls the `boligplan` library: a check that asks the planner's own
//! rule code whether the planner obeyed it would prove nothing.
//!
//! Every violation is one string starting with a short code (`capacity:`,
//! `size:`, `travel:`, …) so that tests can assert which rule was found broken.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use chrono::{Days, NaiveDate};
use geo::{Centroid, Contains, Coord, LineString, MultiPolygon, Point, Polygon};
use serde_json::Value;

/// The plan.csv columns the README promises.
pub const PLAN_COLUMNS: [&str; 18] = [
    "household_id",
    "status",
    "temp_unit",
    "temp_from",
    "temp_to",
    "perm_unit",
    "perm_from",
    "district",
    "persons",
    "income",
    "housing_benefit",
    "rent",
    "disposable",
    "travel_minutes",
    "work_travel_minutes",
    "reason",
    "reason_code",
    "household_type",
];

/// Scenario settings with the README's defaults.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub start: NaiveDate,
    /// Exclusive end date of the horizon.
    pub end: NaiveDate,
    pub crs: u16,
    pub households: PathBuf,
    pub housing: PathBuf,
    pub districts: PathBuf,
    pub places: PathBuf,
    /// `inputs.network`, if the scenario names one.
    pub network: Option<PathBuf>,
    pub walk_kmh: f64,
    pub snap_m: f64,
    pub default_wait_min: f64,
    pub max_persons_per_room: f64,
    pub min_m2_per_person: f64,
    pub md_single: f64,
    pub md_couple: f64,
    pub md_per_child: f64,
    pub forbidden_flags: Vec<String>,
    pub forbidden_flags_social: Vec<String>,
    pub max_district_share: f64,
    pub max_households_per_building: usize,
    pub max_travel_min: f64,
    /// `rules.max_work_travel_min`; `None`: no limit (the default).
    pub max_work_travel_min: Option<f64>,
    pub speed_kmh: f64,
    pub detour_factor: f64,
    pub ben_adult: f64,
    pub ben_child_supplement: f64,
    pub ben_single_parent: f64,
    pub ben_child_allowance: f64,
    pub hb_enabled: bool,
    pub hb_rent_share: f64,
    pub hb_income_share: f64,
    pub hb_income_threshold: f64,
    pub hb_min_own_payment: f64,
    pub hb_max_counted_rent: f64,
    pub hb_max_support: f64,
    pub hb_no_children_cap_share: f64,
    pub hb_area_first: f64,
    pub hb_area_extra: f64,
    pub tc_single: f64,
    pub tc_couple: f64,
    pub tc_couple_1_3: f64,
    pub tc_couple_4plus: f64,
}

#[derive(Debug, Clone)]
pub struct Household {
    pub id: String,
    pub adults: u32,
    pub children: u32,
    pub arrival: NaiveDate,
    pub income: Option<f64>,
    pub reunion_date: Option<NaiveDate>,
    pub reunion_adults: u32,
    pub reunion_children: u32,
    pub needs_accessible: bool,
    pub language_school: Option<String>,
    pub work_place: Option<String>,
    pub locked_unit: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Unit {
    pub id: String,
    pub kind: String,
    pub temporary: bool,
    pub rooms: Option<f64>,
    pub area_m2: Option<f64>,
    pub rent: f64,
    pub capacity: Option<f64>,
    pub available_from: Option<NaiveDate>,
    pub available_until: Option<NaiveDate>,
    pub accessible: bool,
    pub building: String,
    /// Monthly cost to the municipality, if given (a dwelling's default is its rent).
    pub cost: Option<f64>,
    /// Given in the input, or found by point-in-polygon.
    pub district: Option<String>,
    pub x: f64,
    pub y: f64,
}

#[derive(Debug, Clone)]
pub struct District {
    pub id: String,
    pub population: f64,
    pub newcomers: f64,
    pub flags: Vec<String>,
    pub shape: MultiPolygon<f64>,
}

#[derive(Debug, Clone)]
pub struct Place {
    pub id: String,
    pub kind: String,
    pub x: f64,
    pub y: f64,
}

#[derive(Debug, Clone)]
pub struct Inputs {
    pub households: Vec<Household>,
    pub units: BTreeMap<String, Unit>,
    pub districts: Vec<District>,
    pub places: Vec<Place>,
    /// Network minutes from each unit to each place a household travels to,
    /// `(unit id, place id)`; `None` without a network (straight-line).
    pub network_minutes: Option<HashMap<(String, String), f64>>,
}

/// Checks `out_dir/plan.csv` against every rule; returns the violations found.
pub fn check_plan(scenario_path: &Path, out_dir: &Path) -> Vec<String> {
    let sc = match load_scenario(scenario_path) {
        Ok(s) => s,
        Err(e) => return vec![format!("input: {e}")],
    };
    let inputs = match load_inputs(&sc) {
        Ok(i) => i,
        Err(e) => return vec![format!("input: {e}")],
    };
    let plan = match read_csv_maps(&out_dir.join("plan.csv")) {
        Ok(p) => p,
        Err(e) => return vec![format!("households: cannot read plan.csv: {e}")],
    };
    let mut v = Vec::new();
    check(&sc, &inputs, &plan, &mut v);
    let forced = forced_exemptions(&inputs, &plan, out_dir, &mut v);
    v.retain(|violation| {
        let Some((rule, rest)) = violation.split_once(": ") else {
            return true;
        };
        let id = rest.split([' ', ':']).next().unwrap_or("");
        !forced.contains(&(id.to_string(), rule.to_string()))
    });
    v
}

/// The rules an officer forced (`--force`) for pinned households: the pairs
/// (household, rule) whose violations the plan may contain. An exemption is
/// accepted only for a pinned household in its pinned dwelling, for a rule
/// about the household and its own home, with a reason recorded in
/// summary.json; anything else is itself a violation.
fn forced_exemptions(
    inputs: &Inputs,
    plan: &[HashMap<String, String>],
    out_dir: &Path,
    v: &mut Vec<String>,
) -> std::collections::HashSet<(String, String)> {
    const FORCEABLE: [&str; 6] = [
        "work_travel",
        "size",
        "affordability",
        "accessibility",
        "forbidden_district",
        "travel",
    ];
    let mut out = std::collections::HashSet::new();
    let summary: Value = std::fs::read_to_string(out_dir.join("summary.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Null);
    let run = &summary["run"];
    let reason = run["force"].as_str().unwrap_or("").trim().to_string();
    let mut pins: HashMap<String, String> = inputs
        .households
        .iter()
        .filter_map(|h| h.locked_unit.clone().map(|u| (h.id.clone(), u)))
        .collect();
    for p in run["pins"].as_array().into_iter().flatten() {
        if let Some((h, u)) = p.as_str().and_then(|p| p.split_once('=')) {
            pins.insert(h.to_string(), u.to_string());
        }
    }
    for r in plan {
        let Some(cell) = r.get("pin").filter(|c| c.starts_with("forced")) else {
            continue;
        };
        let id = r.get("household_id").cloned().unwrap_or_default();
        let Some(rules) = cell
            .strip_prefix("forced (")
            .and_then(|c| c.split_once(')'))
            .map(|(rules, _)| rules)
        else {
            v.push(format!(
                "pin: {id} pin cell {cell:?} is not `forced (rules): reason`"
            ));
            continue;
        };
        let home = r
            .get("perm_unit")
            .filter(|u| !u.is_empty())
            .or(r.get("temp_unit"));
        if reason.is_empty() || !cell.ends_with(&reason) {
            v.push(format!("pin: {id} forced without the run's --force reason"));
            continue;
        }
        if pins.get(&id) != home {
            v.push(format!(
                "pin: {id} forced into {home:?}, but pinned to {:?}",
                pins.get(&id)
            ));
            continue;
        }
        for rule in rules.split(", ") {
            if FORCEABLE.contains(&rule) {
                out.insert((id.clone(), rule.to_string()));
            } else {
                v.push(format!(
                    "pin: {id} forced past rule {rule}, which may not be forced"
                ));
            }
        }
    }
    out
}

// ---------------------------------------------------------------- loading ---

fn toml_get<'a>(t: &'a toml::Table, path: &[&str]) -> Option<&'a toml::Value> {
    let mut cur = t.get(path[0])?;
    for key in &path[1..] {
        cur = cur.as_table()?.get(*key)?;
    }
    Some(cur)
}

fn toml_f64(t: &toml::Table, path: &[&str], default: f64) -> f64 {
    match toml_get(t, path) {
        Some(toml::Value::Integer(i)) => *i as f64,
        Some(toml::Value::Float(f)) => *f,
        _ => default,
    }
}

fn toml_strs(t: &toml::Table, path: &[&str], default: &[&str]) -> Vec<String> {
    match toml_get(t, path).and_then(|v| v.as_array()) {
        Some(a) => a
            .iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect(),
        None => default.iter().map(ToString::to_string).collect(),
    }
}

pub fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

fn epsg_code(name: &str) -> Result<u16, String> {
    let n = name.trim();
    if n.to_ascii_uppercase().contains("CRS84") {
        return Ok(4326);
    }
    let digits = n.rsplit(':').next().unwrap_or("");
    digits
        .parse::<u16>()
        .map_err(|_| format!("unknown CRS name {name:?}"))
}

pub fn load_scenario(path: &Path) -> Result<Scenario, String> {
    let text = fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let t: toml::Table = toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let start = toml_get(&t, &["start"])
        .and_then(|v| {
            v.as_str()
                .map(str::to_string)
                .or_else(|| Some(v.to_string()))
        })
        .and_then(|s| parse_date(&s))
        .ok_or("scenario: `start` missing or not a date")?;
    let horizon = toml_get(&t, &["horizon_days"])
        .and_then(toml::Value::as_integer)
        .ok_or("scenario: `horizon_days` missing")?;
    let end = start + Days::new(horizon as u64);
    let crs = match toml_get(&t, &["crs"]).and_then(|v| v.as_str()) {
        Some(s) => epsg_code(s)?,
        None => 25832,
    };
    let input = |key: &str| -> Result<PathBuf, String> {
        toml_get(&t, &["inputs", key])
            .and_then(|v| v.as_str())
            .map(|s| dir.join(s))
            .ok_or(format!("scenario: inputs.{key} missing"))
    };
    if toml_get(&t, &["inputs", "gtfs"]).is_some() {
        // Travel over a GTFS feed is checked by tests/it/gtfs.rs against
        // hand-computed minutes; checking it here would need a second GTFS
        // reader, and without one every travel time would look wrong.
        return Err("scenario: the checker does not read GTFS feeds (inputs.gtfs)".into());
    }
    let hb_enabled = toml_get(&t, &["housing_benefit", "enabled"])
        .and_then(toml::Value::as_bool)
        .unwrap_or(true);
    Ok(Scenario {
        start,
        end,
        crs,
        households: input("households")?,
        housing: input("housing")?,
        districts: input("districts")?,
        places: input("places")?,
        network: input("network").ok(),
        walk_kmh: toml_f64(&t, &["network", "walk_kmh"], 4.5),
        snap_m: toml_f64(&t, &["network", "snap_m"], 5.0),
        default_wait_min: toml_f64(&t, &["network", "default_wait_min"], 5.0),
        max_persons_per_room: toml_f64(&t, &["rules", "max_persons_per_room"], 2.0),
        min_m2_per_person: toml_f64(&t, &["rules", "min_m2_per_person"], 20.0),
        md_single: toml_f64(&t, &["rules", "min_disposable", "single"], 2800.0),
        md_couple: toml_f64(&t, &["rules", "min_disposable", "couple"], 5000.0),
        md_per_child: toml_f64(&t, &["rules", "min_disposable", "per_child"], 1100.0),
        forbidden_flags: toml_strs(
            &t,
            &["rules", "forbidden_flags"],
            &["udsat", "parallelsamfund", "omdannelse"],
        ),
        forbidden_flags_social: toml_strs(
            &t,
            &["rules", "forbidden_flags_social_housing"],
            &["forebyggelse"],
        ),
        max_district_share: toml_f64(&t, &["rules", "max_district_share"], 0.05),
        max_households_per_building: toml_f64(&t, &["rules", "max_households_per_building"], 2.0)
            as usize,
        max_travel_min: toml_f64(&t, &["rules", "max_travel_min"], 60.0),
        max_work_travel_min: toml_get(&t, &["rules", "max_work_travel_min"])
            .and_then(|v| v.as_float().or_else(|| v.as_integer().map(|i| i as f64))),
        speed_kmh: toml_f64(&t, &["travel", "speed_kmh"], 30.0),
        detour_factor: toml_f64(&t, &["travel", "detour_factor"], 1.3),
        ben_adult: toml_f64(&t, &["benefits", "adult"], 6553.0),
        ben_child_supplement: toml_f64(&t, &["benefits", "child_supplement"], 2784.0),
        ben_single_parent: toml_f64(&t, &["benefits", "single_parent"], 1638.0),
        ben_child_allowance: toml_f64(&t, &["benefits", "child_allowance"], 1200.0),
        hb_enabled,
        hb_rent_share: toml_f64(&t, &["housing_benefit", "rent_share"], 0.60),
        hb_income_share: toml_f64(&t, &["housing_benefit", "income_share"], 0.18),
        hb_income_threshold: toml_f64(&t, &["housing_benefit", "income_threshold"], 166_600.0),
        hb_min_own_payment: toml_f64(&t, &["housing_benefit", "min_own_payment"], 28_300.0),
        hb_max_counted_rent: toml_f64(&t, &["housing_benefit", "max_counted_rent"], 94_200.0),
        hb_max_support: toml_f64(&t, &["housing_benefit", "max_support"], 49_716.0),
        hb_no_children_cap_share: toml_f64(&t, &["housing_benefit", "no_children_cap_share"], 0.15),
        hb_area_first: toml_f64(&t, &["housing_benefit", "area_first_person_m2"], 65.0),
        hb_area_extra: toml_f64(&t, &["housing_benefit", "area_per_extra_person_m2"], 20.0),
        tc_single: toml_f64(&t, &["temporary_charge", "single"], 2546.0),
        tc_couple: toml_f64(&t, &["temporary_charge", "couple"], 4665.0),
        tc_couple_1_3: toml_f64(&t, &["temporary_charge", "couple_1_3_children"], 5089.0),
        tc_couple_4plus: toml_f64(&t, &["temporary_charge", "couple_4plus_children"], 5514.0),
    })
}

/// Reads a CSV file into one map per row (header → trimmed value).
pub fn read_csv_maps(path: &Path) -> Result<Vec<HashMap<String, String>>, String> {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| format!("{}: {e}", path.display()))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let mut rows = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| format!("{}: {e}", path.display()))?;
        let mut m = HashMap::new();
        for (h, v) in headers.iter().zip(rec.iter()) {
            m.insert(h.clone(), v.trim().to_string());
        }
        rows.push(m);
    }
    Ok(rows)
}

fn get<'a>(m: &'a HashMap<String, String>, key: &str) -> Option<&'a str> {
    m.get(key).map(String::as_str).filter(|s| !s.is_empty())
}

fn parse_bool(s: Option<&str>) -> bool {
    matches!(
        s.map(|s| s.trim().to_ascii_lowercase()).as_deref(),
        Some("true" | "yes" | "1")
    )
}

fn load_households(path: &Path) -> Result<Vec<Household>, String> {
    let rows = read_csv_maps(path)?;
    let mut out = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        let line = i + 2;
        let num = |k: &str| -> Result<u32, String> {
            get(r, k)
                .unwrap_or("0")
                .parse::<u32>()
                .map_err(|_| format!("households line {line}: bad {k}"))
        };
        out.push(Household {
            id: get(r, "id")
                .ok_or(format!("households line {line}: no id"))?
                .to_string(),
            adults: num("adults")?,
            children: num("children")?,
            arrival: get(r, "arrival")
                .and_then(parse_date)
                .ok_or(format!("households line {line}: bad arrival"))?,
            income: get(r, "income").and_then(|s| s.parse().ok()),
            reunion_date: get(r, "reunion_date").and_then(parse_date),
            reunion_adults: num("reunion_adults")?,
            reunion_children: num("reunion_children")?,
            needs_accessible: parse_bool(get(r, "needs_accessible")),
            language_school: get(r, "language_school").map(str::to_string),
            work_place: get(r, "work_place").map(str::to_string),
            locked_unit: get(r, "locked_unit").map(str::to_string),
        });
    }
    Ok(out)
}

/// Projects coordinates of one source CRS to EPSG:25832.
struct ToUtm {
    from: Option<proj4rs::Proj>,
    to: proj4rs::Proj,
    geographic: bool,
}

impl ToUtm {
    fn new(code: u16) -> Result<ToUtm, String> {
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

    fn apply(&self, x: f64, y: f64) -> (f64, f64) {
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

struct GeoFeatures {
    tx: ToUtm,
    features: Vec<(serde_json::Map<String, Value>, Value)>,
}

fn read_geojson(path: &Path) -> Result<GeoFeatures, String> {
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

fn prop(p: &serde_json::Map<String, Value>, key: &str) -> Option<String> {
    match p.get(key)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn ring(tx: &ToUtm, v: &Value) -> LineString<f64> {
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

fn shape(tx: &ToUtm, geom: &Value) -> Option<MultiPolygon<f64>> {
    let coords = geom.get("coordinates")?;
    match geom.get("type")?.as_str()? {
        "Polygon" => Some(MultiPolygon::new(vec![polygon(tx, coords)])),
        "MultiPolygon" => Some(MultiPolygon::new(
            coords.as_array()?.iter().map(|p| polygon(tx, p)).collect(),
        )),
        _ => None,
    }
}

fn point_of(tx: &ToUtm, geom: &Value) -> Option<(f64, f64)> {
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

fn flags_of(p: &serde_json::Map<String, Value>) -> Vec<String> {
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

pub fn load_districts(path: &Path) -> Result<Vec<District>, String> {
    let g = read_geojson(path)?;
    let mut out = Vec::new();
    for (i, (p, geom)) in g.features.iter().enumerate() {
        let num = |k: &str| prop(p, k).and_then(|s| s.parse::<f64>().ok());
        out.push(District {
            id: prop(p, "id").ok_or(format!("districts feature {}: no id", i + 1))?,
            population: num("population").unwrap_or(0.0),
            newcomers: num("newcomers").unwrap_or(0.0),
            flags: flags_of(p),
            shape: shape(&g.tx, geom).ok_or(format!("districts feature {}: no polygon", i + 1))?,
        });
    }
    Ok(out)
}

/// The id of the first district whose polygon contains the point.
pub fn district_containing(districts: &[District], x: f64, y: f64) -> Option<String> {
    let pt = Point::new(x, y);
    districts
        .iter()
        .find(|d| d.shape.contains(&pt))
        .map(|d| d.id.clone())
}

fn unit_from(get: &dyn Fn(&str) -> Option<String>, x: f64, y: f64) -> Result<Unit, String> {
    let f = |k: &str| get(k).and_then(|s| s.parse::<f64>().ok());
    let d = |k: &str| get(k).and_then(|s| parse_date(&s));
    let id = get("id").ok_or("housing: unit without id")?;
    Ok(Unit {
        kind: get("kind").unwrap_or_default(),
        temporary: get("tenure").as_deref() == Some("temporary"),
        rooms: f("rooms"),
        area_m2: f("area_m2"),
        rent: f("rent").unwrap_or(0.0),
        capacity: f("capacity"),
        available_from: d("available_from"),
        available_until: d("available_until"),
        accessible: parse_bool(get("accessible").as_deref()),
        building: get("building").unwrap_or_else(|| id.clone()),
        cost: f("cost"),
        district: get("district"),
        id,
        x,
        y,
    })
}

fn load_units(sc: &Scenario) -> Result<Vec<Unit>, String> {
    let is_csv = sc
        .housing
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let mut out = Vec::new();
    if is_csv {
        let tx = ToUtm::new(sc.crs)?;
        for r in read_csv_maps(&sc.housing)? {
            let x = get(&r, "x").and_then(|s| s.parse::<f64>().ok());
            let y = get(&r, "y").and_then(|s| s.parse::<f64>().ok());
            let (Some(x), Some(y)) = (x, y) else {
                return Err("housing csv: row without x/y".into());
            };
            let (x, y) = tx.apply(x, y);
            out.push(unit_from(&|k| get(&r, k).map(str::to_string), x, y)?);
        }
    } else {
        let g = read_geojson(&sc.housing)?;
        for (i, (p, geom)) in g.features.iter().enumerate() {
            let (x, y) =
                point_of(&g.tx, geom).ok_or(format!("housing feature {}: no point", i + 1))?;
            out.push(unit_from(&|k| prop(p, k), x, y)?);
        }
    }
    Ok(out)
}

fn load_places(path: &Path) -> Result<Vec<Place>, String> {
    let g = read_geojson(path)?;
    let mut out = Vec::new();
    for (i, (p, geom)) in g.features.iter().enumerate() {
        let (x, y) = point_of(&g.tx, geom).ok_or(format!("places feature {}: no point", i + 1))?;
        out.push(Place {
            id: prop(p, "id").ok_or(format!("places feature {}: no id", i + 1))?,
            kind: prop(p, "kind").unwrap_or_default(),
            x,
            y,
        });
    }
    Ok(out)
}

pub fn load_inputs(sc: &Scenario) -> Result<Inputs, String> {
    let households = load_households(&sc.households)?;
    let districts = load_districts(&sc.districts)?;
    let places = load_places(&sc.places)?;
    let mut units = BTreeMap::new();
    for mut u in load_units(sc)? {
        if u.district.is_none() {
            u.district = district_containing(&districts, u.x, u.y);
        }
        units.insert(u.id.clone(), u);
    }
    let network_minutes = match &sc.network {
        Some(path) => {
            let net = load_network(sc, path)?;
            if net.links.is_empty() {
                None
            } else {
                let mut targets: Vec<&Place> = places
                    .iter()
                    .filter(|p| p.kind == "language_school")
                    .collect();
                for h in &households {
                    for named in [&h.language_school, &h.work_place] {
                        if let Some(s) = named
                            && let Some(p) = places.iter().find(|p| &p.id == s)
                        {
                            targets.push(p);
                        }
                    }
                }
                let mut m = HashMap::new();
                for u in units.values() {
                    for p in &targets {
                        m.entry((u.id.clone(), p.id.clone()))
                            .or_insert_with(|| net.minutes(sc, (u.x, u.y), (p.x, p.y)));
                    }
                }
                Some(m)
            }
        }
        None => None,
    };
    Ok(Inputs {
        households,
        units,
        districts,
        places,
        network_minutes,
    })
}

// ---------------------------------------------------------------- network ---

/// A search state: a node, and the service being ridden (`None`: on foot).
type State<'a> = (usize, Option<&'a str>);

/// The unsettled state with the least minutes, if any (a Dijkstra step
/// without a heap: the networks checked here are small).
fn closest_open<'a>(
    best: &HashMap<State<'a>, f64>,
    done: &HashSet<State<'a>>,
) -> Option<(State<'a>, f64)> {
    best.iter()
        .filter(|(s, _)| !done.contains(*s))
        .min_by(|x, y| x.1.total_cmp(y.1))
        .map(|(&s, &d)| (s, d))
}

/// One link between two merged endpoints.
#[derive(Debug, Clone)]
struct NetLink {
    from: usize,
    to: usize,
    minutes: f64,
    oneway: bool,
    /// Boarding wait; 0 for a link used without boarding.
    wait: f64,
    /// The service riding on within costs no new wait (boarded links only).
    service: String,
}

/// The network as the README describes it: endpoints merged within
/// `snap_m`, links in both directions unless `oneway`.
#[derive(Debug, Clone, Default)]
struct Net {
    nodes: Vec<(f64, f64)>,
    links: Vec<NetLink>,
}

const WALK_MODES: [&str; 7] = ["walk", "foot", "road", "car", "bike", "bicycle", "cycle"];

fn load_network(sc: &Scenario, path: &Path) -> Result<Net, String> {
    let g = read_geojson(path)?;
    let mut net = Net::default();
    for (i, (p, geom)) in g.features.iter().enumerate() {
        let num = |k: &str| prop(p, k).and_then(|s| s.parse::<f64>().ok());
        let minutes = num("minutes");
        let speed = num("speed_kmh");
        if minutes.is_none() && speed.is_none() {
            return Err(format!(
                "network feature {}: no minutes or speed_kmh",
                i + 1
            ));
        }
        let oneway = parse_bool(prop(p, "oneway").as_deref());
        let mode = prop(p, "mode");
        let line = prop(p, "line");
        let headway = num("headway_min");
        let wait = match (headway, &mode) {
            (Some(h), _) => h / 2.0,
            (None, None) => 0.0,
            (None, Some(m)) if WALK_MODES.iter().any(|w| w.eq_ignore_ascii_case(m)) => 0.0,
            (None, Some(_)) => sc.default_wait_min,
        };
        let service = match &line {
            Some(l) => format!("line {l}"),
            None => format!(
                "mode {} every {:?}",
                mode.as_deref().unwrap_or("").to_lowercase(),
                headway
            ),
        };
        let coords = geom.get("coordinates");
        let parts: Vec<Vec<(f64, f64)>> = match geom.get("type").and_then(Value::as_str) {
            Some("LineString") => vec![ring(&g.tx, coords.unwrap_or(&Value::Null))],
            Some("MultiLineString") => coords
                .and_then(Value::as_array)
                .map(|ls| ls.iter().map(|l| ring(&g.tx, l)).collect())
                .unwrap_or_default(),
            _ => return Err(format!("network feature {}: not a LineString", i + 1)),
        }
        .into_iter()
        .map(|l| l.0.iter().map(|c| (c.x, c.y)).collect())
        .collect();
        let length = |l: &[(f64, f64)]| -> f64 {
            l.windows(2)
                .map(|w| (w[1].0 - w[0].0).hypot(w[1].1 - w[0].1))
                .sum()
        };
        let total: f64 = parts.iter().map(|l| length(l)).sum();
        for part in &parts {
            let (Some(&a), Some(&b)) = (part.first(), part.last()) else {
                continue;
            };
            let len = length(part);
            let m = match (minutes, speed) {
                (Some(m), _) if total > 0.0 => m * len / total,
                (Some(m), _) => m / parts.len() as f64,
                (None, Some(kmh)) => len / (kmh * 1000.0 / 60.0),
                (None, None) => unreachable!(),
            };
            let from = net.node(a, sc.snap_m);
            let to = net.node(b, sc.snap_m);
            if from != to {
                net.links.push(NetLink {
                    from,
                    to,
                    minutes: m,
                    oneway,
                    wait,
                    service: service.clone(),
                });
            }
        }
    }
    Ok(net)
}

impl Net {
    /// The node an endpoint merges into: the nearest earlier endpoint within
    /// `snap_m`, else a new node.
    fn node(&mut self, p: (f64, f64), snap_m: f64) -> usize {
        if let Some((i, d)) = self.nearest(p)
            && d <= snap_m
        {
            return i;
        }
        self.nodes.push(p);
        self.nodes.len() - 1
    }

    fn nearest(&self, p: (f64, f64)) -> Option<(usize, f64)> {
        self.nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (i, (n.0 - p.0).hypot(n.1 - p.1)))
            .min_by(|a, b| a.1.total_cmp(&b.1))
    }

    /// Minutes from `a` to `b`: walk to the node nearest `a`, the fastest
    /// path, walk from the node nearest `b`; or walk directly if faster.
    /// A plain Dijkstra over states (node, riding service or on foot).
    fn minutes(&self, sc: &Scenario, a: (f64, f64), b: (f64, f64)) -> f64 {
        let walk_m_per_min = sc.walk_kmh * 1000.0 / 60.0;
        let direct = (a.0 - b.0).hypot(a.1 - b.1) / walk_m_per_min;
        let (Some((start, walk_on)), Some((goal, walk_off))) = (self.nearest(a), self.nearest(b))
        else {
            return direct;
        };
        // Arcs from each node: (to, minutes, wait, service), both directions
        // unless one-way.
        let mut out: Vec<Vec<(usize, f64, f64, &str)>> = vec![Vec::new(); self.nodes.len()];
        for l in &self.links {
            out[l.from].push((l.to, l.minutes, l.wait, &l.service));
            if !l.oneway {
                out[l.to].push((l.from, l.minutes, l.wait, &l.service));
            }
        }
        // State: (node, Some(service) while riding a boarded service).
        let mut best: HashMap<State<'_>, f64> = HashMap::new();
        let mut done: HashSet<State<'_>> = HashSet::new();
        best.insert((start, None), 0.0);
        let mut arrive = f64::INFINITY;
        while let Some((state, d)) = closest_open(&best, &done) {
            done.insert(state);
            let (n, riding) = state;
            if n == goal {
                arrive = arrive.min(d);
            }
            // Getting off is free.
            let mut next: Vec<(State<'_>, f64)> = Vec::new();
            if riding.is_some() {
                next.push(((n, None), d));
            }
            for &(to, m, wait, service) in &out[n] {
                if wait > 0.0 {
                    let board = if riding == Some(service) { 0.0 } else { wait };
                    next.push(((to, Some(service)), d + board + m));
                } else if riding.is_none() {
                    next.push(((to, None), d + m));
                }
            }
            for (s, c) in next {
                if !done.contains(&s) && best.get(&s).is_none_or(|&b| c < b) {
                    best.insert(s, c);
                }
            }
        }
        let walk = |d: f64| d / walk_m_per_min;
        direct.min(walk(walk_on) + arrive + walk(walk_off))
    }
}

// --------------------------------------------------------------- formulas ---

impl Household {
    /// Whether the reunion falls inside the horizon (a later one is ignored).
    pub fn reunion_in_horizon(&self, sc: &Scenario) -> Option<NaiveDate> {
        self.reunion_date
            .filter(|d| *d < sc.end && self.reunion_adults + self.reunion_children > 0)
    }

    /// (adults, children) present on day `d`.
    pub fn comp_at(&self, sc: &Scenario, d: NaiveDate) -> (u32, u32) {
        match self.reunion_in_horizon(sc) {
            Some(r) if d >= r => (
                self.adults + self.reunion_adults,
                self.children + self.reunion_children,
            ),
            _ => (self.adults, self.children),
        }
    }

    /// (adults, children) at the end of the horizon.
    pub fn final_comp(&self, sc: &Scenario) -> (u32, u32) {
        self.comp_at(sc, sc.end)
    }

    pub fn eff_arrival(&self, sc: &Scenario) -> NaiveDate {
        self.arrival.max(sc.start)
    }
}

pub fn household_type((adults, children): (u32, u32)) -> &'static str {
    if children > 0 {
        "family"
    } else if adults >= 2 {
        "couple"
    } else {
        "single"
    }
}

/// Monthly income: the given one, else the benefits of the composition.
pub fn income(sc: &Scenario, h: &Household, (a, c): (u32, u32)) -> f64 {
    if let Some(i) = h.income {
        return i;
    }
    let mut inc = sc.ben_adult * f64::from(a) + sc.ben_child_allowance * f64::from(c);
    if c > 0 {
        inc += sc.ben_child_supplement;
        if a == 1 {
            inc += sc.ben_single_parent;
        }
    }
    inc
}

pub fn min_disposable(sc: &Scenario, (a, c): (u32, u32)) -> f64 {
    let adults = if a <= 1 {
        sc.md_single
    } else {
        sc.md_couple + sc.md_single * f64::from(a - 2)
    };
    adults + sc.md_per_child * f64::from(c)
}

/// The README's simplified monthly housing benefit, rounded down.
pub fn housing_benefit(
    sc: &Scenario,
    rent: f64,
    area_m2: f64,
    income_month: f64,
    comp: (u32, u32),
) -> f64 {
    if !sc.hb_enabled {
        return 0.0;
    }
    let persons = f64::from(comp.0 + comp.1);
    let counted_area = sc.hb_area_first + sc.hb_area_extra * (persons - 1.0);
    let factor = if area_m2 > 0.0 {
        (counted_area / area_m2).min(1.0)
    } else {
        1.0
    };
    let yearly_rent = rent * 12.0;
    let counted_rent = (yearly_rent * factor).min(sc.hb_max_counted_rent);
    let mut hb = sc.hb_rent_share * counted_rent
        - sc.hb_income_share * (income_month * 12.0 - sc.hb_income_threshold).max(0.0);
    hb = hb.min(yearly_rent - sc.hb_min_own_payment);
    hb = hb.min(sc.hb_max_support);
    if comp.1 == 0 {
        hb = hb.min(sc.hb_no_children_cap_share * yearly_rent);
    }
    (hb.max(0.0) / 12.0).floor()
}

/// The legal maximum temporary charge for a composition.
pub fn temporary_charge(sc: &Scenario, (a, c): (u32, u32)) -> f64 {
    if a <= 1 {
        sc.tc_single
    } else if c == 0 {
        sc.tc_couple
    } else if c <= 3 {
        sc.tc_couple_1_3
    } else {
        sc.tc_couple_4plus
    }
}

fn school_for<'a>(inputs: &'a Inputs, h: &Household, x: f64, y: f64) -> Option<&'a Place> {
    match &h.language_school {
        Some(id) => inputs.places.iter().find(|p| &p.id == id),
        None => inputs
            .places
            .iter()
            .filter(|p| p.kind == "language_school")
            .min_by(|a, b| {
                let da = (a.x - x).hypot(a.y - y);
                let db = (b.x - x).hypot(b.y - y);
                da.total_cmp(&db)
            }),
    }
}

/// Travel minutes from a unit to the household's language school: over the
/// network when the scenario names one (to the fastest school when the
/// household names none), else straight-line.
pub fn travel_minutes(sc: &Scenario, inputs: &Inputs, h: &Household, u: &Unit) -> Option<f64> {
    if let Some(net) = &inputs.network_minutes {
        let of = |p: &str| net.get(&(u.id.clone(), p.to_string())).copied();
        return match &h.language_school {
            Some(s) => of(s),
            None => inputs
                .places
                .iter()
                .filter(|p| p.kind == "language_school")
                .filter_map(|p| of(&p.id))
                .min_by(f64::total_cmp),
        };
    }
    let s = school_for(inputs, h, u.x, u.y)?;
    let km = (s.x - u.x).hypot(s.y - u.y) / 1000.0 * sc.detour_factor;
    Some(km / sc.speed_kmh * 60.0)
}

/// Travel minutes from a unit to the household's `work_place` (over the
/// network when the scenario names one, else straight-line); `None` when it
/// names none.
pub fn work_travel_minutes(sc: &Scenario, inputs: &Inputs, h: &Household, u: &Unit) -> Option<f64> {
    let id = h.work_place.as_ref()?;
    if let Some(net) = &inputs.network_minutes {
        return net.get(&(u.id.clone(), id.clone())).copied();
    }
    let p = inputs.places.iter().find(|p| &p.id == id)?;
    let km = (p.x - u.x).hypot(p.y - u.y) / 1000.0 * sc.detour_factor;
    Some(km / sc.speed_kmh * 60.0)
}

// ----------------------------------------------------------------- checks ---

fn num(r: &HashMap<String, String>, k: &str) -> Option<f64> {
    get(r, k).and_then(|s| s.parse::<f64>().ok())
}

fn day_before(d: NaiveDate) -> NaiveDate {
    d - Days::new(1)
}

#[allow(clippy::too_many_lines)]
fn check(sc: &Scenario, inputs: &Inputs, plan: &[HashMap<String, String>], v: &mut Vec<String>) {
    if let Some(first) = plan.first() {
        for c in PLAN_COLUMNS {
            if !first.contains_key(c) {
                v.push(format!("households: plan.csv has no column `{c}`"));
            }
        }
    }

    // Exactly once, nothing else, in input order.
    let input_ids: Vec<&str> = inputs.households.iter().map(|h| h.id.as_str()).collect();
    let known: HashSet<&str> = input_ids.iter().copied().collect();
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for r in plan {
        let id = r.get("household_id").map_or("", String::as_str);
        *seen.entry(id).or_default() += 1;
        if !known.contains(id) {
            v.push(format!("households: plan row for unknown household {id:?}"));
        }
    }
    for id in &input_ids {
        match seen.get(id).copied().unwrap_or(0) {
            1 => {}
            0 => v.push(format!("households: household {id} missing from plan.csv")),
            n => v.push(format!("households: household {id} appears {n} times")),
        }
    }
    let plan_ids: Vec<&str> = plan
        .iter()
        .map(|r| r.get("household_id").map_or("", String::as_str))
        .collect();
    if plan_ids == input_ids {
        // in order
    } else if v.is_empty() {
        v.push("households: plan.csv rows are not in input order".into());
    }
    let rows: HashMap<&str, &HashMap<String, String>> = plan
        .iter()
        .map(|r| (r.get("household_id").map_or("", String::as_str), r))
        .collect();

    // Occupancy for the cross-household rules.
    let mut perm_users: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut temp_stays: BTreeMap<&str, Vec<(&Household, NaiveDate, NaiveDate)>> = BTreeMap::new();
    let mut district_persons: BTreeMap<String, f64> = BTreeMap::new();
    let mut building_households: BTreeMap<&str, Vec<&str>> = BTreeMap::new();

    for h in &inputs.households {
        let Some(r) = rows.get(h.id.as_str()) else {
            continue;
        };
        let id = &h.id;
        let status = get(r, "status").unwrap_or("");
        let reason = get(r, "reason").unwrap_or("");
        let reason_code = get(r, "reason_code").unwrap_or("");
        let temp_unit = get(r, "temp_unit");
        let perm_unit = get(r, "perm_unit");
        let temp_from = get(r, "temp_from").and_then(parse_date);
        let temp_to = get(r, "temp_to").and_then(parse_date);
        let perm_from = get(r, "perm_from").and_then(parse_date);
        let eff_arr = h.eff_arrival(sc);
        let fin = h.final_comp(sc);

        // Status and columns.
        match status {
            "permanent" => {
                if perm_unit.is_none() || perm_from.is_none() {
                    v.push(format!(
                        "status: {id} permanent without perm_unit/perm_from"
                    ));
                }
            }
            "temporary_only" => {
                if temp_unit.is_none() || temp_from.is_none() || temp_to.is_none() {
                    v.push(format!(
                        "status: {id} temporary_only without temp_unit/temp_from/temp_to"
                    ));
                }
                if perm_unit.is_some() || get(r, "perm_from").is_some() {
                    v.push(format!("status: {id} temporary_only with a permanent home"));
                }
            }
            "unplaced" => {
                if temp_unit.is_some() || perm_unit.is_some() {
                    v.push(format!("status: {id} unplaced but has a unit"));
                }
            }
            other => v.push(format!("status: {id} has unknown status {other:?}")),
        }
        if status != "permanent" && reason.is_empty() {
            v.push(format!("status: {id} is {status} without a reason"));
        }
        if temp_unit.is_some() != (temp_from.is_some() && temp_to.is_some()) {
            v.push(format!(
                "status: {id} temp_unit and temp dates not given together (or bad dates)"
            ));
        }
        if perm_unit.is_some() != perm_from.is_some() {
            v.push(format!(
                "status: {id} perm_unit and perm_from not given together (or bad date)"
            ));
        }
        let ty = get(r, "household_type").unwrap_or("");
        if ty != household_type((h.adults, h.children)) && ty != household_type(fin) {
            v.push(format!("type: {id} household_type {ty:?}"));
        }
        if num(r, "persons") != Some(f64::from(fin.0 + fin.1)) {
            v.push(format!(
                "status: {id} persons {:?}, expected {}",
                get(r, "persons"),
                fin.0 + fin.1
            ));
        }

        // Arrival after the horizon.
        if eff_arr >= sc.end {
            if status != "unplaced" || reason_code != "arrival_after_horizon" {
                v.push(format!(
                    "arrival: {id} arrives {} on/after the horizon end but is {status}/{reason_code}",
                    h.arrival
                ));
            }
            continue;
        }

        let temp = temp_unit.map(|t| (t, inputs.units.get(t)));
        let perm = perm_unit.map(|p| (p, inputs.units.get(p)));

        // Temporary stay.
        if let (Some((tid, tu)), Some(tf), Some(tt)) = (temp, temp_from, temp_to) {
            match tu {
                None => v.push(format!("status: {id} temp_unit {tid} is not an input unit")),
                Some(u) if !u.temporary => {
                    v.push(format!(
                        "capacity: {id} temp_unit {tid} is a permanent dwelling"
                    ));
                }
                Some(u) => {
                    if tf < eff_arr {
                        v.push(format!(
                            "dates: {id} temp_from {tf} before arrival/start {eff_arr}"
                        ));
                    }
                    if tt <= tf {
                        v.push(format!("dates: {id} temp_to {tt} not after temp_from {tf}"));
                    }
                    if tt > sc.end {
                        v.push(format!(
                            "dates: {id} temp_to {tt} after the horizon end {}",
                            sc.end
                        ));
                    }
                    match perm_from {
                        Some(pf) if tt != pf => {
                            v.push(format!("dates: {id} temp_to {tt} != perm_from {pf}"));
                        }
                        // A stay may end early only when the plan says so:
                        // no site has room for the rest of the horizon.
                        None if tt != sc.end && !reason.contains("housed until") => {
                            v.push(format!(
                                "dates: {id} temporary only, temp_to {tt} != horizon end {}",
                                sc.end
                            ));
                        }
                        _ => {}
                    }
                    if u.available_from.is_some_and(|a| tf < a) {
                        v.push(format!(
                            "availability: {id} enters {tid} on {tf} before available_from"
                        ));
                    }
                    if u.available_until.is_some_and(|a| day_before(tt) > a) {
                        v.push(format!(
                            "availability: {id} stays in {tid} until {tt} past available_until"
                        ));
                    }
                    if h.needs_accessible && !u.accessible {
                        v.push(format!(
                            "accessibility: {id} needs access, temp {tid} is not accessible"
                        ));
                    }
                    check_district_flags(sc, inputs, id, u, v);
                    check_travel(sc, inputs, h, u, v);
                    check_work_travel(sc, inputs, h, u, v);
                    temp_stays.entry(tid).or_default().push((h, tf, tt));
                }
            }
        }

        // Permanent home.
        if let (Some((pid, pu)), Some(pf)) = (perm, perm_from) {
            match pu {
                None => v.push(format!("status: {id} perm_unit {pid} is not an input unit")),
                Some(u) if u.temporary => {
                    v.push(format!(
                        "capacity: {id} perm_unit {pid} is a temporary site"
                    ));
                }
                Some(u) => {
                    perm_users.entry(pid).or_default().push(id);
                    building_households.entry(&u.building).or_default().push(id);
                    if let Some(d) = &u.district {
                        *district_persons.entry(d.clone()).or_default() += f64::from(fin.0 + fin.1);
                    }
                    if pf < eff_arr {
                        v.push(format!(
                            "dates: {id} perm_from {pf} before arrival/start {eff_arr}"
                        ));
                    }
                    if pf >= sc.end {
                        v.push(format!("dates: {id} perm_from {pf} not inside the horizon"));
                    }
                    if u.available_from.is_some_and(|a| pf < a) {
                        v.push(format!(
                            "availability: {id} moves into {pid} on {pf} before available_from"
                        ));
                    }
                    if u.available_until.is_some_and(|a| a < day_before(sc.end)) {
                        v.push(format!(
                            "availability: {pid} not available to the horizon end"
                        ));
                    }
                    if h.needs_accessible && !u.accessible {
                        v.push(format!(
                            "accessibility: {id} needs access, home {pid} is not accessible"
                        ));
                    }
                    // Size against the household after a reunion inside the horizon.
                    let persons = f64::from(fin.0 + fin.1);
                    let by_rooms = u
                        .rooms
                        .is_some_and(|r| persons <= sc.max_persons_per_room * r);
                    let by_area = u
                        .area_m2
                        .is_some_and(|a| a >= sc.min_m2_per_person * persons);
                    if !by_rooms && !by_area {
                        v.push(format!(
                            "size: {id} ({persons} persons) does not fit {pid} ({:?} rooms, {:?} m2)",
                            u.rooms, u.area_m2
                        ));
                    }
                    // Affordability at move-in and after a reunion inside the horizon.
                    let mut comps = vec![h.comp_at(sc, pf)];
                    if !comps.contains(&fin) {
                        comps.push(fin);
                    }
                    for comp in comps {
                        let inc = income(sc, h, comp);
                        let hb = housing_benefit(sc, u.rent, u.area_m2.unwrap_or(0.0), inc, comp);
                        let disp = inc + hb - u.rent;
                        let min = min_disposable(sc, comp);
                        if disp < min {
                            v.push(format!(
                                "affordability: {id} in {pid} with {comp:?}: {inc} + {hb} - {} = {disp} < {min}",
                                u.rent
                            ));
                        }
                    }
                    check_district_flags(sc, inputs, id, u, v);
                    check_travel(sc, inputs, h, u, v);
                    check_work_travel(sc, inputs, h, u, v);
                }
            }
            // A roof from arrival to move-in.
            if pf > eff_arr {
                let covered = temp_from == Some(eff_arr) && temp_to == Some(pf) && temp.is_some();
                if !covered && reason.is_empty() {
                    v.push(format!(
                        "roof: {id} arrives {eff_arr}, moves in {pf}, no temporary place covers the gap and the row says nothing"
                    ));
                }
            }
        }
        if perm.is_none()
            && temp.is_some()
            && temp_from.is_some_and(|tf| tf > eff_arr)
            && reason.is_empty()
        {
            v.push(format!(
                "roof: {id} without a place from {eff_arr} and the row says nothing"
            ));
        }

        // The pin.
        if let Some(lock) = &h.locked_unit {
            let honoured = perm_unit == Some(lock.as_str()) || temp_unit == Some(lock.as_str());
            let rl = reason.to_lowercase();
            let mentioned =
                rl.contains(&lock.to_lowercase()) || rl.contains("pin") || rl.contains("lock");
            if !honoured && !mentioned {
                v.push(format!("pin: {id} locked to {lock}, not honoured and reason {reason:?} does not say why"));
            }
        }

        // The row's district.
        let home = perm.and_then(|p| p.1).or(temp.and_then(|t| t.1));
        if let Some(d) = home.and_then(|u| u.district.as_deref())
            && get(r, "district") != Some(d)
        {
            v.push(format!(
                "district: {id} district {:?}, expected {d}",
                get(r, "district")
            ));
        }

        // Money columns.
        let exp_income = income(sc, h, fin);
        let row_income = num(r, "income");
        if row_income.is_none_or(|i| (i - exp_income).abs() > 1.0) {
            v.push(format!(
                "money: {id} income {:?}, expected {exp_income}",
                get(r, "income")
            ));
        }
        let exp_hb = match perm.and_then(|p| p.1).filter(|u| !u.temporary) {
            Some(u) if status == "permanent" => {
                housing_benefit(sc, u.rent, u.area_m2.unwrap_or(0.0), exp_income, fin)
            }
            _ => 0.0,
        };
        let row_hb = num(r, "housing_benefit").unwrap_or(0.0);
        if (row_hb - exp_hb).abs() > 1.0 {
            v.push(format!(
                "money: {id} housing_benefit {row_hb}, expected {exp_hb}"
            ));
        }
        let row_rent = num(r, "rent");
        match status {
            "permanent" => {
                if let Some(u) = perm.and_then(|p| p.1)
                    && row_rent.is_none_or(|x| (x - u.rent).abs() > 0.5)
                {
                    v.push(format!(
                        "money: {id} rent {row_rent:?}, dwelling rent {}",
                        u.rent
                    ));
                }
            }
            "temporary_only" => {
                if let Some(u) = temp.and_then(|t| t.1) {
                    let a = temporary_charge(sc, fin).min(u.rent);
                    let b = temporary_charge(sc, (h.adults, h.children)).min(u.rent);
                    if row_rent.is_none_or(|x| (x - a).abs() > 0.5 && (x - b).abs() > 0.5) {
                        v.push(format!(
                            "money: {id} temporary rent {row_rent:?}, expected {a}"
                        ));
                    }
                }
            }
            _ => {}
        }
        if let (Some(i), Some(rent), Some(d)) = (row_income, row_rent, num(r, "disposable")) {
            if (i + row_hb - rent - d).abs() > 1e-6 {
                v.push(format!(
                    "money: {id} disposable {d} != {i} + {row_hb} - {rent}"
                ));
            }
        } else if status != "unplaced" {
            v.push(format!("money: {id} income/rent/disposable not numbers"));
        }

        // Reported travel time.
        if let Some(u) = home
            && let Some(exp) = travel_minutes(sc, inputs, h, u)
        {
            let got = num(r, "travel_minutes");
            // plan.csv rounds to 0.1 min; the straight-line check is looser.
            let tolerance = if inputs.network_minutes.is_some() {
                0.15
            } else {
                1.0
            };
            if got.is_none_or(|g| (g - exp).abs() > tolerance) {
                v.push(format!(
                    "travel: {id} travel_minutes {got:?}, expected {exp:.2}"
                ));
            }
        }
        // Reported work travel: the time from where the household lives to
        // its work place, blank without one (or without a place to live).
        let expected_work = home.and_then(|u| work_travel_minutes(sc, inputs, h, u));
        let got_work = get(r, "work_travel_minutes");
        let tolerance = if inputs.network_minutes.is_some() {
            0.15
        } else {
            1.0
        };
        let ok = match (expected_work, got_work.and_then(|g| g.parse::<f64>().ok())) {
            (None, _) => got_work.is_none(),
            (Some(exp), Some(got)) => (got - exp).abs() <= tolerance,
            (Some(_), None) => false,
        };
        if !ok {
            v.push(format!(
                "work_travel: {id} work_travel_minutes {got_work:?}, expected {expected_work:?}"
            ));
        }
    }

    // One household per dwelling.
    for (pid, users) in &perm_users {
        if users.len() > 1 {
            v.push(format!("capacity: dwelling {pid} given to {users:?}"));
        }
    }
    // Persons per day on temporary sites.
    for (tid, stays) in &temp_stays {
        let cap = inputs.units[*tid].capacity.unwrap_or(0.0);
        let mut d = sc.start;
        while d < sc.end {
            let present: u32 = stays
                .iter()
                .filter(|(_, f, t)| *f <= d && d < *t)
                .map(|(h, _, _)| {
                    let c = h.comp_at(sc, d);
                    c.0 + c.1
                })
                .sum();
            if f64::from(present) > cap {
                v.push(format!(
                    "capacity: site {tid} holds {present} persons on {d}, capacity {cap}"
                ));
                break;
            }
            d = d + Days::new(1);
        }
    }
    // District shares.
    for (did, p) in &district_persons {
        if *p <= 0.0 {
            continue;
        }
        let Some(d) = inputs.districts.iter().find(|d| &d.id == did) else {
            continue;
        };
        let share = (d.newcomers + p) / (d.population + p);
        if share > sc.max_district_share + 1e-12 {
            v.push(format!(
                "district_cap: district {did}: ({} + {p}) / ({} + {p}) = {share:.4} > {}",
                d.newcomers, d.population, sc.max_district_share
            ));
        }
    }
    // Households per building.
    for (b, hs) in &building_households {
        if hs.len() > sc.max_households_per_building {
            v.push(format!("building_cap: building {b} has {hs:?}"));
        }
    }
}

fn check_district_flags(sc: &Scenario, inputs: &Inputs, id: &str, u: &Unit, v: &mut Vec<String>) {
    let Some(did) = &u.district else {
        return;
    };
    let Some(d) = inputs.districts.iter().find(|d| &d.id == did) else {
        v.push(format!(
            "district: unit {} names unknown district {did}",
            u.id
        ));
        return;
    };
    for f in &d.flags {
        let social = u.kind == "social_housing" && sc.forbidden_flags_social.contains(f);
        if sc.forbidden_flags.contains(f) || social {
            v.push(format!(
                "forbidden_district: {id} in {} ({}) in district {did} flagged {f}",
                u.id, u.kind
            ));
        }
    }
}

fn check_work_travel(sc: &Scenario, inputs: &Inputs, h: &Household, u: &Unit, v: &mut Vec<String>) {
    if let (Some(max), Some(m)) = (
        sc.max_work_travel_min,
        work_travel_minutes(sc, inputs, h, u),
    ) && m > max + 1e-6
    {
        v.push(format!(
            "work_travel: {} in {}: {m:.1} min to work > {max}",
            h.id, u.id
        ));
    }
}

fn check_travel(sc: &Scenario, inputs: &Inputs, h: &Household, u: &Unit, v: &mut Vec<String>) {
    match travel_minutes(sc, inputs, h, u) {
        None => v.push(format!("travel: {}: no language school found", h.id)),
        Some(m) if m > sc.max_travel_min + 1e-6 => v.push(format!(
            "travel: {} in {}: {m:.1} min > {}",
            h.id, u.id, sc.max_travel_min
        )),
        Some(_) => {}
    }
}

// ------------------------------------------------- tests of the checker ---

#[cfg(test)]
mod self_tests {
    //! The checker must be able to fail: a hand-made lawful plan passes, and
    //! each hand-made breach of one rule is reported under that rule's code.
    use super::*;
    use crate::{copy_dir, data_dir};

    const VALID: &str = "\
household_id,status,temp_unit,temp_from,temp_to,perm_unit,perm_from,district,persons,income,housing_benefit,rent,disposable,travel_minutes,work_travel_minutes,reason,reason_code,household_type
H1,permanent,T1,2026-01-01,2026-01-15,P2,2026-01-15,D1,4,25000,1599,6000,20599,2.7,,,,family
H2,permanent,,,,P1,2026-01-10,D1,1,6553,600,4000,3153,2.9,,,,single
H3,permanent,T2,2026-01-05,2026-02-01,P6,2026-02-01,D1,2,20000,600,4000,16600,4.1,,,,couple
H4,unplaced,,,,,,,1,6553,0,0,6553,,,arrives after the horizon,arrival_after_horizon,single
H5,temporary_only,T2,2026-01-01,2026-04-11,,,D1,1,15000,0,2000,13000,4.1,,no dwelling left,taken,single
";

    /// Runs the checker on the fixture (optionally with edited inputs) and a plan text.
    fn run(plan: &str, edit: &dyn Fn(&Path)) -> Vec<String> {
        let tmp = tempfile::tempdir().unwrap();
        let case = tmp.path().join("case");
        copy_dir(&data_dir().join("checker_fixture"), &case);
        edit(&case);
        let out = tmp.path().join("out");
        fs::create_dir_all(&out).unwrap();
        fs::write(out.join("plan.csv"), plan).unwrap();
        check_plan(&case.join("scenario.toml"), &out)
    }

    /// Replaces one field of one household's row in the plan text.
    fn set(plan: &str, hid: &str, col: &str, value: &str) -> String {
        let mut lines: Vec<String> = plan.lines().map(str::to_string).collect();
        let idx = PLAN_COLUMNS.iter().position(|c| *c == col).unwrap();
        for l in &mut lines {
            if l.starts_with(&format!("{hid},")) {
                let mut f: Vec<String> = l.split(',').map(str::to_string).collect();
                f[idx] = value.to_string();
                *l = f.join(",");
            }
        }
        lines.join("\n") + "\n"
    }

    fn edit_file(dir: &Path, file: &str, from: &str, to: &str) {
        let p = dir.join(file);
        let s = fs::read_to_string(&p).unwrap();
        assert!(s.contains(from), "{file} has no {from:?}");
        fs::write(&p, s.replacen(from, to, 1)).unwrap();
    }

    fn expect(plan: &str, edit: &dyn Fn(&Path), code: &str) {
        let v = run(plan, edit);
        assert!(
            v.iter().any(|m| m.starts_with(&format!("{code}:"))),
            "expected a `{code}` violation, got {v:#?}"
        );
    }

    fn none(_: &Path) {}

    #[test]
    fn the_hand_made_lawful_plan_passes() {
        let v = run(VALID, &none);
        assert!(v.is_empty(), "{v:#?}");
    }

    #[test]
    fn household_missing_twice_or_unknown() {
        let without_h5: String = VALID
            .lines()
            .filter(|l| !l.starts_with("H5,"))
            .flat_map(|l| [l, "\n"])
            .collect();
        expect(&without_h5, &none, "households");
        let h5 = VALID.lines().find(|l| l.starts_with("H5,")).unwrap();
        expect(&format!("{VALID}{h5}\n"), &none, "households");
        expect(
            &format!("{VALID}{}\n", h5.replacen("H5", "HX", 1)),
            &none,
            "households",
        );
    }

    #[test]
    fn status_inconsistent_with_columns() {
        expect(&set(VALID, "H5", "status", "permanent"), &none, "status");
        expect(&set(VALID, "H5", "reason", ""), &none, "status");
        expect(&set(VALID, "H2", "status", "unplaced"), &none, "status");
        expect(&set(VALID, "H1", "persons", "3"), &none, "status");
    }

    #[test]
    fn temporary_site_over_capacity() {
        // H3 (2 persons) joins H1 (3 persons) in T1 (capacity 4) on 5-14 January.
        expect(&set(VALID, "H3", "temp_unit", "T1"), &none, "capacity");
    }

    #[test]
    fn temporary_site_over_capacity_only_after_a_reunion() {
        // T1 holds 3 persons; H1 is 3 persons until its reunion on 1 February.
        let plan = set(
            &set(VALID, "H1", "temp_to", "2026-02-05"),
            "H1",
            "perm_from",
            "2026-02-05",
        );
        let cap3 = |d: &Path| edit_file(d, "housing.geojson", "\"capacity\": 4", "\"capacity\": 3");
        assert!(run(&set(VALID, "H3", "temp_unit", "T2"), &cap3).is_empty());
        expect(&plan, &cap3, "capacity");
    }

    #[test]
    fn dwelling_given_twice() {
        let plan = set(
            &set(VALID, "H3", "perm_unit", "P1"),
            "H3",
            "reason",
            "pin P6 refused",
        );
        expect(&plan, &none, "capacity");
    }

    #[test]
    fn dates_broken() {
        expect(&set(VALID, "H1", "temp_to", "2026-01-14"), &none, "dates");
        expect(&set(VALID, "H3", "temp_from", "2026-01-02"), &none, "dates");
        expect(&set(VALID, "H5", "temp_to", "2026-03-01"), &none, "dates");
    }

    #[test]
    fn too_small_after_the_reunion() {
        // P3: 1 room, 70 m2 fits H1's 3 persons at arrival but not its 4 after the reunion.
        expect(&set(VALID, "H1", "perm_unit", "P3"), &none, "size");
    }

    #[test]
    fn unaffordable() {
        // H2 (single on benefits) in P2 at 6000 DKK.
        expect(&set(VALID, "H2", "perm_unit", "P2"), &none, "affordability");
        // Without housing benefit H2 keeps 6553 - 4000 < 2800 in P1.
        let no_hb = |d: &Path| {
            let p = d.join("scenario.toml");
            let s = fs::read_to_string(&p).unwrap();
            fs::write(&p, format!("{s}\n[housing_benefit]\nenabled = false\n")).unwrap();
        };
        expect(
            &set(VALID, "H2", "housing_benefit", "0"),
            &no_hb,
            "affordability",
        );
    }

    #[test]
    fn money_columns_wrong() {
        expect(&set(VALID, "H1", "disposable", "20000"), &none, "money");
        expect(&set(VALID, "H3", "income", "19000"), &none, "money");
        expect(&set(VALID, "H2", "housing_benefit", "900"), &none, "money");
        expect(&set(VALID, "H5", "rent", "2546"), &none, "money");
    }

    #[test]
    fn forbidden_districts() {
        let plan = set(
            &set(VALID, "H3", "perm_unit", "P4"),
            "H3",
            "reason",
            "pin refused",
        );
        expect(&plan, &none, "forbidden_district");
        // P5 is social housing in a `forebyggelse` district.
        let plan = set(
            &set(VALID, "H3", "perm_unit", "P5"),
            "H3",
            "reason",
            "pin refused",
        );
        expect(&plan, &none, "forbidden_district");
    }

    #[test]
    fn availability_broken() {
        let early = set(
            &set(VALID, "H3", "temp_to", "2026-01-20"),
            "H3",
            "perm_from",
            "2026-01-20",
        );
        expect(&early, &none, "availability");
        let plan = set(
            &set(VALID, "H3", "perm_unit", "P7"),
            "H3",
            "reason",
            "pin refused",
        );
        expect(&plan, &none, "availability");
        expect(&set(VALID, "H5", "temp_unit", "T1"), &none, "availability");
    }

    #[test]
    fn accessibility_broken() {
        expect(&set(VALID, "H2", "perm_unit", "P8"), &none, "accessibility");
    }

    #[test]
    fn district_over_its_cap() {
        // D3: population 100, 4 newcomers: (4 + 2) / (100 + 2) > 5 %.
        let plan = set(
            &set(VALID, "H3", "perm_unit", "P8"),
            "H3",
            "reason",
            "pin refused",
        );
        expect(&plan, &none, "district_cap");
    }

    #[test]
    fn building_over_its_cap() {
        // P1, P2 and P3 share building B1.
        let plan = set(
            &set(VALID, "H3", "perm_unit", "P3"),
            "H3",
            "reason",
            "pin refused",
        );
        expect(&plan, &none, "building_cap");
    }

    #[test]
    fn travel_too_long_or_misreported() {
        let plan = set(
            &set(VALID, "H3", "perm_unit", "P9"),
            "H3",
            "reason",
            "pin refused",
        );
        expect(&plan, &none, "travel");
        let far_school = |d: &Path| {
            edit_file(
                d,
                "households.csv",
                "H5,1,0,2026-01-01,15000,,,,,",
                "H5,1,0,2026-01-01,15000,,,,,S2",
            );
        };
        expect(VALID, &far_school, "travel");
        expect(&set(VALID, "H1", "travel_minutes", "9.0"), &none, "travel");
    }

    /// Work travel: H2 (in P1) works at J1, 1118 m away: 1118 × 1.3 at
    /// 30 km/h = 2.9 min, to be reported, and within `max_work_travel_min`.
    #[test]
    fn work_travel_misreported_or_too_long() {
        let works_at_j1 = |d: &Path| {
            edit_file(
                d,
                "households.csv",
                "H2,1,0,2026-01-10,,,,,true,,,",
                "H2,1,0,2026-01-10,,,,,true,,J1,",
            );
        };
        let work = |v: &[String]| -> Vec<String> {
            v.iter()
                .filter(|m| m.starts_with("work_travel: "))
                .cloned()
                .collect()
        };
        // Blank, but H2 has a work place.
        let v = run(VALID, &works_at_j1);
        assert_eq!(work(&v).len(), 1, "{v:#?}");
        assert!(work(&v)[0].contains("expected Some(2.9"), "{v:#?}");
        let reported = set(VALID, "H2", "work_travel_minutes", "2.9");
        assert!(work(&run(&reported, &works_at_j1)).is_empty());
        // Reported for a household without a work place.
        expect(&reported, &none, "work_travel");
        // Over the scenario's limit.
        let limit = |d: &Path| {
            works_at_j1(d);
            fs::write(
                d.join("scenario.toml"),
                fs::read_to_string(d.join("scenario.toml")).unwrap()
                    + "\n[rules]\nmax_work_travel_min = 2\n",
            )
            .unwrap();
        };
        let v = run(&reported, &limit);
        assert!(
            v.iter()
                .any(|m| m.starts_with("work_travel: H2 in P1: 2.9 min to work > 2")),
            "{v:#?}"
        );
    }

    /// With a network, travel is computed over it: a one-minute road link
    /// from P1 to the school S1 makes H2's trip 1.0 min; drawn one-way the
    /// other way, only the 1118 m walk is left (14.9 min at 4.5 km/h).
    #[test]
    fn travel_over_a_network() {
        let with_network = |oneway_back: bool| {
            move |d: &Path| {
                let (from, to) = if oneway_back {
                    ("[492500,6222500]", "[491500,6223000]")
                } else {
                    ("[491500,6223000]", "[492500,6222500]")
                };
                fs::write(
                    d.join("network.geojson"),
                    format!(
                        r#"{{"type":"FeatureCollection","crs":{{"type":"name","properties":{{"name":"EPSG:25832"}}}},"features":[{{"type":"Feature","properties":{{"mode":"road","minutes":1,"oneway":true}},"geometry":{{"type":"LineString","coordinates":[{from},[492000,6222900],{to}]}}}}]}}"#
                    ),
                )
                .unwrap();
                edit_file(
                    d,
                    "scenario.toml",
                    "places = \"places.geojson\"",
                    "places = \"places.geojson\"\nnetwork = \"network.geojson\"",
                );
            }
        };
        let h2 = |v: &[String]| -> Vec<String> {
            v.iter()
                .filter(|m| m.starts_with("travel: H2 "))
                .cloned()
                .collect()
        };
        // The straight-line 2.9 is now wrong; 1.0 is right.
        let v = run(VALID, &with_network(false));
        assert_eq!(h2(&v).len(), 1, "{v:#?}");
        let v = run(
            &set(VALID, "H2", "travel_minutes", "1.0"),
            &with_network(false),
        );
        assert!(h2(&v).is_empty(), "{v:#?}");
        // Against the one-way link only walking is left.
        let v = run(
            &set(VALID, "H2", "travel_minutes", "1.0"),
            &with_network(true),
        );
        assert!(
            h2(&v).iter().any(|m| m.contains("expected 14.91")),
            "{v:#?}"
        );
        let v = run(
            &set(VALID, "H2", "travel_minutes", "14.9"),
            &with_network(true),
        );
        assert!(h2(&v).is_empty(), "{v:#?}");
    }

    #[test]
    fn pin_ignored_silently() {
        let plan = set(
            &set(VALID, "H3", "perm_unit", "P8"),
            "H3",
            "reason",
            "nothing to say",
        );
        expect(&plan, &none, "pin");
    }

    #[test]
    fn left_without_a_roof() {
        let plan = set(
            &set(&set(VALID, "H3", "temp_unit", ""), "H3", "temp_from", ""),
            "H3",
            "temp_to",
            "",
        );
        expect(&plan, &none, "roof");
    }

    #[test]
    fn arrival_after_the_horizon_placed() {
        let plan = set(
            &set(VALID, "H4", "status", "temporary_only"),
            "H4",
            "temp_unit",
            "T2",
        );
        expect(&plan, &none, "arrival");
    }

    #[test]
    fn wrong_district_column() {
        expect(&set(VALID, "H2", "district", "D3"), &none, "district");
    }
}
