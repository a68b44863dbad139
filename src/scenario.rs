//! The scenario file: raw TOML structs, validated into a [`Scenario`].
//!
//! Every setting has a documented default (README, "Scenario settings").

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Deserialize;

use crate::crs::Crs;
pub use crate::network::NetworkSettings;

/// Why a scenario file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("{path}: cannot read the scenario: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
    /// A problem at a known line of the scenario file (1-based).
    #[error("{path} line {line}: {message}")]
    InvalidAt {
        path: PathBuf,
        line: usize,
        message: String,
    },
}

/// How dates are written in the CSV and GeoJSON inputs (key `date_format`).
///
/// `yyyy-mm-dd` (ISO 8601, the default) is always accepted. A scenario may
/// declare `date_format = "dd-mm-yyyy"` for files exported from Danish
/// spreadsheets and case systems (`01-02-2026` is 1 February 2026); ISO dates
/// are then still accepted, since the two cannot be confused. Without the
/// declaration a date like `01-02-2026` is an error with a hint, because
/// day-month and month-day orders cannot be told apart by looking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DateFormat {
    /// `2026-02-01` only.
    #[default]
    Iso,
    /// `01-02-2026` (day-month-year) or `2026-02-01`.
    DayMonthYear,
}

impl DateFormat {
    /// The key's value as written in the scenario.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            DateFormat::Iso => "yyyy-mm-dd",
            DateFormat::DayMonthYear => "dd-mm-yyyy",
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    name: Option<String>,
    /// A string `"2026-01-31"`, or a TOML date `2026-01-31` (accepted too).
    start: toml::Value,
    horizon_days: i64,
    crs: Option<String>,
    /// `"yyyy-mm-dd"` (default) or `"dd-mm-yyyy"`: see [`DateFormat`].
    date_format: Option<String>,
    seed: Option<u64>,
    inputs: RawInputs,
    #[serde(default)]
    rules: Rules,
    #[serde(default)]
    travel: TravelSettings,
    #[serde(default)]
    network: NetworkSettings,
    #[serde(default)]
    benefits: Benefits,
    #[serde(default)]
    housing_benefit: HousingBenefit,
    #[serde(default)]
    temporary_charge: TemporaryCharge,
    #[serde(default)]
    weights: Weights,
    #[serde(default)]
    privacy: Privacy,
    #[serde(default)]
    spread: SpreadSettings,
    #[serde(default)]
    temporary: TemporarySettings,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInputs {
    households: String,
    housing: String,
    districts: String,
    places: String,
    network: Option<String>,
    gtfs: Option<String>,
}

/// Minimum disposable amount after rent (rådighedsbeløb), DKK/month.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct MinDisposable {
    pub single: i64,
    pub couple: i64,
    pub per_child: i64,
}

impl Default for MinDisposable {
    fn default() -> Self {
        // Furesø Kommune's published guideline (DOMAIN.md).
        Self {
            single: 2800,
            couple: 5000,
            per_child: 1100,
        }
    }
}

/// The hard rules (PRODUCT.md "Rules").
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Rules {
    pub max_persons_per_room: u32,
    pub min_m2_per_person: f64,
    pub min_disposable: MinDisposable,
    pub forbidden_flags: Vec<String>,
    pub forbidden_flags_social_housing: Vec<String>,
    pub max_district_share: f64,
    pub max_households_per_building: u32,
    pub max_travel_min: f64,
    /// Travel time from a unit to the household's `work_place`; `None`: no limit.
    pub max_work_travel_min: Option<f64>,
}

impl Default for Rules {
    fn default() -> Self {
        Self {
            max_persons_per_room: 2,
            min_m2_per_person: 20.0,
            min_disposable: MinDisposable::default(),
            forbidden_flags: vec![
                "udsat".into(),
                "parallelsamfund".into(),
                "omdannelse".into(),
            ],
            forbidden_flags_social_housing: vec!["forebyggelse".into()],
            max_district_share: 0.05,
            max_households_per_building: 2,
            max_travel_min: 60.0,
            max_work_travel_min: None,
        }
    }
}

/// Straight-line travel fallback.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct TravelSettings {
    pub speed_kmh: f64,
    pub detour_factor: f64,
}

impl Default for TravelSettings {
    fn default() -> Self {
        Self {
            speed_kmh: 30.0,
            detour_factor: 1.3,
        }
    }
}

/// Benefit rates used when a household's income is not given, DKK/month.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Benefits {
    pub adult: i64,
    pub child_supplement: i64,
    pub single_parent: i64,
    pub child_allowance: i64,
}

impl Default for Benefits {
    fn default() -> Self {
        Self {
            adult: 6553,
            child_supplement: 2784,
            single_parent: 1638,
            child_allowance: 1200,
        }
    }
}

/// The simplified housing-benefit estimate (boligstøtte), yearly amounts.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct HousingBenefit {
    pub enabled: bool,
    pub rent_share: f64,
    pub income_share: f64,
    pub income_threshold: f64,
    pub min_own_payment: f64,
    pub max_counted_rent: f64,
    pub max_support: f64,
    pub no_children_cap_share: f64,
    pub area_first_person_m2: f64,
    pub area_per_extra_person_m2: f64,
}

impl Default for HousingBenefit {
    fn default() -> Self {
        Self {
            enabled: true,
            rent_share: 0.60,
            income_share: 0.18,
            income_threshold: 166_600.0,
            min_own_payment: 28_300.0,
            max_counted_rent: 94_200.0,
            max_support: 49_716.0,
            no_children_cap_share: 0.15,
            area_first_person_m2: 65.0,
            area_per_extra_person_m2: 20.0,
        }
    }
}

/// Legal maximum monthly charge in a temporary place (2024 order).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct TemporaryCharge {
    pub single: i64,
    pub couple: i64,
    pub couple_1_3_children: i64,
    pub couple_4plus_children: i64,
}

impl Default for TemporaryCharge {
    fn default() -> Self {
        Self {
            single: 2546,
            couple: 4665,
            couple_1_3_children: 5089,
            couple_4plus_children: 5514,
        }
    }
}

/// A value per household type.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PerType {
    pub family: f64,
    pub couple: f64,
    pub single: f64,
}

impl PerType {
    /// The value for a household type.
    #[must_use]
    pub fn of(&self, t: crate::model::HouseholdType) -> f64 {
        match t {
            crate::model::HouseholdType::Family => self.family,
            crate::model::HouseholdType::Couple => self.couple,
            crate::model::HouseholdType::Single => self.single,
        }
    }
}

/// Objective weights (docs/model.md). The objective is minimised.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Weights {
    /// Reward per person in a permanent home at the end of the horizon.
    pub permanent_person: PerType,
    /// Cost per person-day in a temporary place.
    pub temporary_person_day: PerType,
    /// Spread: cost per placed person above a quarter of the district cap;
    /// doubled above half the cap and again above three quarters.
    pub spread_person: f64,
    /// Cost per minute of travel to the language school (per household).
    pub travel_minute: f64,
    /// Cost per minute of travel to the household's `work_place`.
    pub work_travel_per_minute: f64,
    /// Cost per DKK of empty rent paid for a held dwelling before move-in.
    pub empty_rent_dkk: f64,
    /// Cost per room beyond what the size rule needs.
    pub spare_room: f64,
    /// Re-planning (`--previous`): cost per earlier proposal of a permanent
    /// home that the new plan does not keep.
    pub changed_proposal: f64,
}

impl Default for Weights {
    fn default() -> Self {
        Self {
            permanent_person: PerType {
                family: 1000.0,
                couple: 700.0,
                single: 500.0,
            },
            temporary_person_day: PerType {
                family: 1.5,
                couple: 1.0,
                single: 1.0,
            },
            spread_person: 50.0,
            travel_minute: 2.0,
            // Herning's 3 + 2 model: language school three days a week,
            // work or internship two. `travel_minute` is for three days, so
            // a minute to work, travelled two days, weighs 2 × 2/3.
            work_travel_per_minute: 2.0 * 2.0 / 3.0,
            empty_rent_dkk: 0.01,
            spare_room: 20.0,
            changed_proposal: 1000.0,
        }
    }
}

/// How hot spots of newcomers are looked for (docs/metrics.md).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct SpreadSettings {
    /// Neighbours of a district: 0 for queen contiguity (districts sharing a
    /// boundary point), else the districts whose centroids lie within this
    /// many metres.
    pub distance_band_m: f64,
}

impl Default for SpreadSettings {
    fn default() -> Self {
        Self {
            distance_band_m: 0.0,
        }
    }
}

/// How temporary places are chosen (`[temporary]`).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct TemporarySettings {
    /// The order in which kinds of temporary place are tried; inside a kind,
    /// the place nearest in travel to the household's language school, then
    /// the cheapest for the municipality. Kinds left out come after the
    /// listed ones, in the default order.
    pub order: Vec<crate::model::UnitKind>,
}

impl Default for TemporarySettings {
    /// Herning Kommune's order: empty municipal buildings, then private
    /// leases, then containers.
    fn default() -> Self {
        use crate::model::UnitKind;
        Self {
            order: vec![
                UnitKind::MunicipalBuilding,
                UnitKind::PrivateRental,
                UnitKind::Container,
            ],
        }
    }
}

impl TemporarySettings {
    /// Where a kind stands in [`TemporarySettings::order`]: kinds left out
    /// come after every listed one, in [`crate::model::UnitKind::ALL`]'s
    /// order.
    #[must_use]
    pub fn rank(&self, kind: crate::model::UnitKind) -> usize {
        let all = crate::model::UnitKind::ALL;
        self.order
            .iter()
            .position(|&k| k == kind)
            .unwrap_or_else(|| {
                self.order.len() + all.iter().position(|&k| k == kind).unwrap_or(all.len())
            })
    }
}

/// What published (GIS) outputs may show.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Privacy {
    /// District figures based on fewer than 5 persons are shown as "<5".
    pub suppress_small_counts: bool,
}

impl Default for Privacy {
    fn default() -> Self {
        Self {
            suppress_small_counts: true,
        }
    }
}

/// Paths of the input files, resolved against the scenario's folder.
#[derive(Debug, Clone)]
pub struct InputPaths {
    pub households: PathBuf,
    pub housing: PathBuf,
    pub districts: PathBuf,
    pub places: PathBuf,
    pub network: Option<PathBuf>,
    /// A GTFS feed: a `.zip` or a folder of its `.txt` files.
    pub gtfs: Option<PathBuf>,
    /// The GeoPackage layers named as `file.gpkg#layer`; the paths above
    /// are then the files alone.
    pub layers: InputLayers,
}

/// GeoPackage layer names of the inputs that may be a GeoPackage layer
/// (`None`: the file's only feature layer, or not a GeoPackage).
#[derive(Debug, Clone, Default)]
pub struct InputLayers {
    pub housing: Option<String>,
    pub districts: Option<String>,
    pub places: Option<String>,
}

impl InputPaths {
    /// An input as messages name it: the file, with `#layer` when the
    /// scenario names a GeoPackage layer.
    #[must_use]
    pub fn display(path: &Path, layer: Option<&str>) -> String {
        match layer {
            Some(l) => format!("{}#{l}", path.display()),
            None => path.display().to_string(),
        }
    }
}

/// Splits `stock.gpkg#dwellings` into the file and the layer name; any
/// other path (also one with a `#` that is not after `.gpkg`) is left whole.
fn split_layer(raw: &str) -> (&str, Option<&str>) {
    match raw.rsplit_once('#') {
        Some((file, layer)) if file.to_ascii_lowercase().ends_with(".gpkg") => {
            (file, Some(layer).filter(|l| !l.is_empty()))
        }
        _ => (raw, None),
    }
}

/// A validated scenario: every field is usable as it is.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub path: PathBuf,
    pub name: String,
    pub start: NaiveDate,
    pub horizon_days: i64,
    pub crs: Crs,
    /// How dates are written in the input files.
    pub date_format: DateFormat,
    pub seed: u64,
    pub inputs: InputPaths,
    pub rules: Rules,
    pub travel: TravelSettings,
    pub network: NetworkSettings,
    pub benefits: Benefits,
    pub housing_benefit: HousingBenefit,
    pub temporary_charge: TemporaryCharge,
    pub weights: Weights,
    pub privacy: Privacy,
    pub spread: SpreadSettings,
    pub temporary: TemporarySettings,
}

impl Scenario {
    /// The date of a plan day.
    #[must_use]
    pub fn date(&self, day: i64) -> NaiveDate {
        self.start + chrono::Days::new(u64::try_from(day).unwrap_or(0))
    }

    /// The date of a plan day, also before the start (a fact of an
    /// earlier plan).
    #[must_use]
    pub fn calendar_date(&self, day: i64) -> NaiveDate {
        if day < 0 {
            self.start - chrono::Days::new(day.unsigned_abs())
        } else {
            self.date(day)
        }
    }

    /// The plan day of a date (negative before the start).
    #[must_use]
    pub fn day(&self, date: NaiveDate) -> i64 {
        (date - self.start).num_days()
    }
}

/// The longest plan: ten years of days (the planner keeps figures per day).
pub const MAX_HORIZON_DAYS: i64 = 3660;

/// Reads and validates a scenario file.
///
/// # Errors
/// When the file cannot be read, is not valid TOML, misses a required key or
/// has a value out of range.
pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
    let text = fs_err::read_to_string(path).map_err(|source| ScenarioError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let invalid = |message: String| ScenarioError::Invalid {
        path: path.to_path_buf(),
        message,
    };
    let at = |key: &str, message: String| match key_line(&text, key) {
        Some(line) => ScenarioError::InvalidAt {
            path: path.to_path_buf(),
            line,
            message,
        },
        None => invalid(message),
    };
    let raw: RawScenario = toml::from_str(&text).map_err(|e| toml_error(path, &text, &e))?;
    let start_text = match &raw.start {
        toml::Value::String(text) => text.clone(),
        toml::Value::Datetime(d) if d.time.is_none() && d.offset.is_none() => d.to_string(),
        other => other.to_string(),
    };
    let start = NaiveDate::parse_from_str(&start_text, "%Y-%m-%d").map_err(|_| {
        at(
            "start",
            format!("key `start`: found {start_text:?}, expected a date like \"2026-01-31\""),
        )
    })?;
    if !(1..=MAX_HORIZON_DAYS).contains(&raw.horizon_days) {
        return Err(at(
            "horizon_days",
            format!(
                "key `horizon_days`: found {}, expected a number of days of at least 1 and at most {MAX_HORIZON_DAYS} (ten years)",
                raw.horizon_days
            ),
        ));
    }
    let date_format = match raw.date_format.as_deref() {
        None | Some("yyyy-mm-dd" | "YYYY-MM-DD") => DateFormat::Iso,
        Some("dd-mm-yyyy" | "DD-MM-YYYY") => DateFormat::DayMonthYear,
        Some(other) => {
            return Err(at(
                "date_format",
                format!(
                    "key `date_format`: found \"{other}\", expected \"yyyy-mm-dd\" or \"dd-mm-yyyy\""
                ),
            ));
        }
    };
    let crs_name = raw.crs.unwrap_or_else(|| "EPSG:25832".to_string());
    let crs = Crs::parse(&crs_name).map_err(|e| invalid(format!("key `crs`: {e}")))?;
    check_rules(&raw.rules).map_err(invalid)?;
    if raw.travel.speed_kmh <= 0.0 || raw.travel.detour_factor < 1.0 {
        return Err(invalid(
            "table `travel`: expected speed_kmh > 0 and detour_factor >= 1".to_string(),
        ));
    }
    raw.network.check().map_err(invalid)?;
    if let Some(twice) = raw
        .temporary
        .order
        .iter()
        .enumerate()
        .find(|&(i, k)| raw.temporary.order[..i].contains(k))
        .map(|(_, k)| k)
    {
        return Err(at(
            "order",
            format!(
                "key `temporary.order`: found \"{}\" twice, expected each kind at most once",
                twice.as_str()
            ),
        ));
    }
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let resolve = |p: &str| normalise(&dir.join(p));
    let name = raw.name.unwrap_or_else(|| {
        path.file_stem()
            .map_or_else(String::new, |s| s.to_string_lossy().into_owned())
    });
    Ok(Scenario {
        path: path.to_path_buf(),
        name,
        start,
        horizon_days: raw.horizon_days,
        crs,
        date_format,
        seed: raw.seed.unwrap_or(0),
        inputs: InputPaths {
            households: resolve(&raw.inputs.households),
            housing: resolve(split_layer(&raw.inputs.housing).0),
            districts: resolve(split_layer(&raw.inputs.districts).0),
            places: resolve(split_layer(&raw.inputs.places).0),
            network: raw.inputs.network.as_deref().map(resolve),
            gtfs: raw.inputs.gtfs.as_deref().map(resolve),
            layers: InputLayers {
                housing: split_layer(&raw.inputs.housing).1.map(str::to_string),
                districts: split_layer(&raw.inputs.districts).1.map(str::to_string),
                places: split_layer(&raw.inputs.places).1.map(str::to_string),
            },
        },
        rules: raw.rules,
        travel: raw.travel,
        network: raw.network,
        benefits: raw.benefits,
        housing_benefit: raw.housing_benefit,
        temporary_charge: raw.temporary_charge,
        weights: raw.weights,
        privacy: raw.privacy,
        spread: raw.spread,
        temporary: raw.temporary,
    })
}

/// The 1-based line of a top-level `key = ...` (before the first table).
fn key_line(text: &str, key: &str) -> Option<usize> {
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_start();
        if line.starts_with('[') {
            return None;
        }
        if let Some(rest) = line.strip_prefix(key)
            && rest.trim_start().starts_with('=')
        {
            return Some(i + 1);
        }
    }
    None
}

/// A TOML or serde error as a message naming the line, with a suggestion for
/// a misspelled key.
fn toml_error(path: &Path, text: &str, e: &toml::de::Error) -> ScenarioError {
    let mut message = e.message().trim().to_string();
    if let Some((key, expected)) = unknown_field(&message) {
        let list = expected
            .iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", ");
        message = format!("key `{key}`: unknown key, expected one of {list}");
        if let Some(best) = crate::findings::closest(&key, expected.iter().map(String::as_str)) {
            message = format!("{message}\n  hint: did you mean `{best}`?");
        }
    } else if let Some(field) = message
        .strip_prefix("missing field `")
        .and_then(|r| r.split('`').next())
    {
        message = format!(
            "found no key `{field}`, expected it in this table: it is required (see the README, \"Scenario settings\")"
        );
    }
    match e.span() {
        Some(span) if !text.is_empty() => ScenarioError::InvalidAt {
            path: path.to_path_buf(),
            line: text[..span.start.min(text.len())].matches('\n').count() + 1,
            message,
        },
        _ => ScenarioError::Invalid {
            path: path.to_path_buf(),
            message,
        },
    }
}

/// Parses serde's "unknown field `x`, expected one of `a`, `b`" (or
/// "expected `a`") into the key and the expected keys.
fn unknown_field(message: &str) -> Option<(String, Vec<String>)> {
    let rest = message.strip_prefix("unknown field `")?;
    let (key, rest) = rest.split_once('`')?;
    let expected: Vec<String> = rest
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect();
    Some((key.to_string(), expected))
}

/// Removes `.` and `dir/..` pairs without touching the file system, so that
/// messages name `data/demo/households.csv` rather than
/// `scenarios/../data/demo/households.csv`.
fn normalise(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out: Vec<Component<'_>> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    if out.is_empty() {
        PathBuf::from(".")
    } else {
        out.iter().collect()
    }
}

fn check_rules(rules: &Rules) -> Result<(), String> {
    if rules.max_persons_per_room == 0 {
        return Err("key `rules.max_persons_per_room`: found 0, expected at least 1".into());
    }
    if rules.min_m2_per_person.is_nan() || rules.min_m2_per_person <= 0.0 {
        return Err("key `rules.min_m2_per_person`: expected a number above 0".into());
    }
    if !(rules.max_district_share > 0.0 && rules.max_district_share <= 1.0) {
        return Err(format!(
            "key `rules.max_district_share`: found {}, expected a share in (0, 1]",
            rules.max_district_share
        ));
    }
    if rules.max_travel_min.is_nan() || rules.max_travel_min <= 0.0 {
        return Err("key `rules.max_travel_min`: expected minutes above 0".into());
    }
    if let Some(m) = rules.max_work_travel_min
        && !(m.is_finite() && m > 0.0)
    {
        return Err(format!(
            "key `rules.max_work_travel_min`: found {m}, expected minutes above 0"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::split_layer;

    #[test]
    fn a_geopackage_layer_is_split_off() {
        assert_eq!(
            split_layer("../gis/stock.gpkg#dwellings"),
            ("../gis/stock.gpkg", Some("dwellings"))
        );
        assert_eq!(split_layer("stock.GPKG#a#b"), ("stock.GPKG#a#b", None));
        assert_eq!(split_layer("stock.gpkg#"), ("stock.gpkg", None));
        assert_eq!(split_layer("stock.gpkg"), ("stock.gpkg", None));
        assert_eq!(
            split_layer("data#1/housing.csv"),
            ("data#1/housing.csv", None)
        );
    }
}
