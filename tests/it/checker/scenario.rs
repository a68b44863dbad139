//! Reads the scenario TOML into `Scenario`, with the README's defaults for
//! every setting the file leaves out.

use std::fs;
use std::path::{Path, PathBuf};

use chrono::{Days, NaiveDate};

use super::csv_rows::parse_date;

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
    /// `temporary.order`: the order in which kinds of temporary place are tried.
    pub temporary_order: Vec<String>,
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

pub(super) fn epsg_code(name: &str) -> Result<u16, String> {
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
        temporary_order: toml_strs(
            &t,
            &["temporary", "order"],
            &["municipal_building", "private_rental", "container"],
        ),
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
