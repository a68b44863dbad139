//! Stage 4: the plan's figures — one row per household and the summary.
//!
//! Pure: no I/O, no clock (solve time is passed in).

pub mod pins;
pub mod reasons;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize, Serializer};

use crate::economy::{budget, income_dkk, temporary_charge_dkk};
use crate::ids::{HouseholdId, UnitId};
use crate::model::{Day, Decisions, HouseholdType, Inputs};
use crate::scenario::Scenario;
use crate::solve::{Plan, Status, Strategy};
use crate::spread::{self, Quadrant};
use crate::travel::{Method, TravelTimes};

pub use crate::economy::DAYS_PER_MONTH;

/// One line of `plan.csv`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct HouseholdRow {
    pub household_id: String,
    pub status: Status,
    pub temp_unit: Option<String>,
    pub temp_from: Option<NaiveDate>,
    pub temp_to: Option<NaiveDate>,
    pub perm_unit: Option<String>,
    pub perm_from: Option<NaiveDate>,
    pub district: Option<String>,
    pub persons: u32,
    pub income: i64,
    pub housing_benefit: Option<i64>,
    pub rent: Option<i64>,
    pub disposable: Option<i64>,
    pub travel_minutes: Option<f64>,
    /// Minutes to the household's `work_place` (blank when it names none).
    pub work_travel_minutes: Option<f64>,
    pub reason: Option<String>,
    pub reason_code: Option<&'static str>,
    pub household_type: HouseholdType,
    /// What became of the household's pin: `followed`, `not followed` (the
    /// reason says why) or `forced (rules): reason`; empty without a pin.
    pub pin: Option<String>,
    /// Re-planning (`--previous`): `kept`, `changed from DWELLING: why`, or
    /// `new` (a home where the earlier plan proposed none).
    pub previous: Option<String>,
    /// Where the household lives at the end of the plan (working CRS); not written to CSV.
    #[serde(skip)]
    pub position: Option<(f64, f64)>,
    /// Persons in a temporary place on each day, summed; not written to CSV.
    #[serde(skip)]
    pub temporary_person_days: i64,
}

/// Count of households and persons.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Count {
    pub households: u32,
    pub persons: u32,
}

/// Figures of one household type.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct TypeFigures {
    pub households: u32,
    pub persons: u32,
    pub permanent: u32,
    pub temporary_only: u32,
    pub unplaced: u32,
    pub temporary_person_days: i64,
}

/// One district before and after the plan.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DistrictFigures {
    pub id: String,
    pub name: String,
    pub flags: Vec<String>,
    pub population: u32,
    pub newcomers_before: u32,
    pub newcomers_after: u32,
    pub share_before: f64,
    pub share_after: f64,
    pub households_placed: u32,
    pub persons_placed: u32,
    /// Persons in temporary places in the district at the end of the plan.
    pub persons_temporary_at_end: u32,
    pub over_cap: bool,
    pub location_quotient_before: f64,
    pub location_quotient_after: f64,
    /// Local statistics of the share after the plan (docs/metrics.md).
    pub gi_star_z: f64,
    pub gi_p: f64,
    pub gi_q: f64,
    pub moran_i: f64,
    pub moran_p: f64,
    pub moran_q: f64,
    pub quadrant: Quadrant,
    pub hot_spot: bool,
    pub high_high: bool,
    /// Persons moving into permanent homes here, per quarter (91 days) of the plan.
    pub placed_by_quarter: Vec<u32>,
}

/// Spread indices over districts.
///
/// The headline figures `max_share` and `districts_over_cap` look only at
/// the districts open to placement (not forbidden for every unit by rule 4,
/// [`crate::rules::district_forbidden`]): a district nobody may be placed
/// in cannot be moved by any plan, and those already over the cap are
/// listed in [`Summary::over_cap_before_plan`] instead. The segregation
/// indices and hot spots describe the whole municipality, every district.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct SpreadIndices {
    /// Highest newcomer share of a district open to placement.
    pub max_share: f64,
    /// Districts open to placement whose share is over the cap.
    pub districts_over_cap: u32,
    /// Index of dissimilarity D = ½ Σ |xᵢ/X − yᵢ/Y|.
    pub dissimilarity: f64,
    /// Isolation xPx = Σ (xᵢ/X)(xᵢ/tᵢ).
    pub isolation: f64,
    /// Theil's entropy index H.
    pub theil: f64,
    /// Exposure (interaction) xPy = Σ (xᵢ/X)((tᵢ − xᵢ)/tᵢ).
    pub exposure: f64,
    /// Districts that are significant Gi* hot spots of the newcomer share (docs/metrics.md).
    pub hot_spots: Vec<String>,
    /// Districts in a significant high-high local-Moran cluster.
    pub high_high: Vec<String>,
}

/// Spread before and after.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Spread {
    pub before: SpreadIndices,
    /// Persons in permanent homes at the end of the horizon added.
    pub after: SpreadIndices,
    pub districts_receiving: u32,
    pub buildings_receiving: u32,
    /// Most newcomer households placed in one building or stairwell.
    pub max_households_in_a_building: u32,
    /// Buildings that received as many households as the cap allows.
    pub buildings_at_cap: u32,
    /// How hot spots were found: neighbours, permutations, seed, FDR level.
    pub hot_spot_method: HotSpotMethod,
}

/// Settings of the hot-spot statistics, recorded in the summary.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct HotSpotMethod {
    pub neighbours: Neighbours,
    /// The band when `neighbours` is `distance_band` (0 for queen).
    pub distance_band_m: f64,
    pub permutations: usize,
    pub seed: u64,
    pub fdr_alpha: f64,
}

/// Which districts are neighbours in the hot-spot statistics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Neighbours {
    /// Districts sharing a boundary point.
    #[default]
    Queen,
    /// Districts whose centroids lie within `distance_band_m`.
    DistanceBand,
}

/// Median, min, max and more of a list of numbers.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Stats {
    pub count: usize,
    pub min: Option<f64>,
    pub median: Option<f64>,
    pub p90: Option<f64>,
    pub max: Option<f64>,
    pub mean: Option<f64>,
}

/// Municipal cost over the horizon, DKK.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Cost {
    pub temporary_places: i64,
    pub empty_rent: i64,
    pub total: i64,
}

/// Travel-time figures.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Travel {
    pub method: Method,
    /// To the language school, of every household with a place.
    pub minutes: Stats,
    /// To the work place, of every household with a place and a `work_place`.
    pub work_minutes: Stats,
}

/// `summary.json`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Summary {
    pub scenario: String,
    pub strategy: MadeBy,
    pub start: NaiveDate,
    pub horizon_days: i64,
    pub seed: u64,
    /// How the plan was made, enough to rebuild its model (`explain`).
    pub run: Run,
    pub households: Count,
    pub by_status: BTreeMap<Status, Count>,
    /// The household types of the plan (a type without households is left out).
    #[serde(serialize_with = "in_name_order")]
    pub by_type: BTreeMap<HouseholdType, TypeFigures>,
    pub families_waiting: u32,
    pub temporary_person_days: i64,
    pub rent_dkk: Stats,
    pub disposable_dkk: Stats,
    pub travel: Travel,
    pub municipal_cost_dkk: Cost,
    pub spread: Spread,
    pub districts: Vec<DistrictFigures>,
    /// Districts whose share was over the cap before the plan, open to
    /// placement or not, in input order. `None` only for a summary of an
    /// earlier version, which did not record them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub over_cap_before_plan: Option<Vec<OverCapBefore>>,
    pub objective: Option<f64>,
    pub bound: Option<f64>,
    pub gap: Option<f64>,
    /// How a large model's candidate pairs were pruned (`milp::Pruning`);
    /// absent when the model keeps every candidate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub candidate_pruning: Option<String>,
    /// Subgradient steps of the optimising engine (0 for other strategies).
    pub iterations: usize,
    pub solve_seconds: f64,
    pub pins: crate::evaluate::pins::PinReport,
    /// Only when re-planning with `--previous`.
    pub replanning: Option<crate::evaluate::pins::Replanning>,
}

/// A district whose newcomer share was already over the cap before the
/// plan placed anyone. A plan that places no one there does not break the
/// cap there.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct OverCapBefore {
    /// The district's id.
    pub district: String,
    pub name: String,
    pub share_before: f64,
    pub share_after: f64,
    /// Open to placement: not forbidden for every unit by rule 4 (a
    /// district forbidden only for social housing is open).
    pub open: bool,
    /// Persons this plan gives a permanent home there: 0 unless a household
    /// moved in there before the start (`--previous`, kept past every
    /// rule); the cap refuses every other placement in such a district.
    pub persons_placed: u32,
}

/// What made a plan, as `summary.json`'s `strategy` names it: a strategy
/// of `plan`, or the rolling plan of `simulate` (which no single strategy
/// made).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MadeBy {
    #[default]
    Optimise,
    Greedy,
    Fcfs,
    Rolling,
}

impl MadeBy {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Optimise => "optimise",
            Self::Greedy => "greedy",
            Self::Fcfs => "fcfs",
            Self::Rolling => "rolling",
        }
    }
}

impl From<Strategy> for MadeBy {
    fn from(s: Strategy) -> Self {
        match s {
            Strategy::Optimise => Self::Optimise,
            Strategy::Greedy => Self::Greedy,
            Strategy::Fcfs => Self::Fcfs,
        }
    }
}

impl Summary {
    /// `by_type` in the order of the types' names, as `summary.json` has
    /// it (the types themselves are ordered families first).
    #[must_use]
    pub fn by_type_in_name_order(&self) -> Vec<(HouseholdType, &TypeFigures)> {
        let mut v: Vec<_> = self.by_type.iter().map(|(t, f)| (*t, f)).collect();
        v.sort_by_key(|(t, _)| t.as_str());
        v
    }
}

impl Summary {
    /// The lines `plan` prints when it is done: the counts by status, the
    /// temporary person-days, the highest newcomer share of a district open
    /// to placement and how many open districts are over the cap; then, if
    /// any, the districts already over the cap before the plan.
    #[must_use]
    pub fn headline(&self) -> Vec<String> {
        let count = |k: Status| self.by_status.get(&k).map_or(0, |c| c.households);
        let after = &self.spread.after;
        let listed = self.over_cap_before_plan.as_deref().unwrap_or_default();
        let already = listed.iter().filter(|d| d.open).count();
        let mut lines = vec![format!(
            "planned {} households: {} permanent, {} temporary only, {} unplaced; {} temporary person-days; highest newcomer share in a district open to placement {:.1} %, {} open {} over the cap{}",
            self.households.households,
            count(Status::Permanent),
            count(Status::TemporaryOnly),
            count(Status::Unplaced),
            self.temporary_person_days,
            after.max_share * 100.0,
            after.districts_over_cap,
            if after.districts_over_cap == 1 {
                "district"
            } else {
                "districts"
            },
            if already > 0 {
                format!(" ({already} of them already before the plan)")
            } else {
                String::new()
            },
        )];
        if !listed.is_empty() {
            let each: Vec<String> = listed.iter().map(OverCapBefore::describe).collect();
            lines.push(format!(
                "already over the cap before the plan: {}",
                each.join("; ")
            ));
        }
        lines
    }
}

impl OverCapBefore {
    /// The district in words (English): its shares, whether it is open to
    /// placement, and whether the plan places anyone there, e.g. `D2
    /// Vollsmose 9.0 % (closed to placement; the plan places no one there,
    /// so it does not break the cap there)`.
    #[must_use]
    pub fn describe(&self) -> String {
        let shares = if self.persons_placed == 0 {
            format!("{:.1} %", self.share_before * 100.0)
        } else {
            format!(
                "{:.1} % → {:.1} %",
                self.share_before * 100.0,
                self.share_after * 100.0
            )
        };
        let open = if self.open {
            "open to placement"
        } else {
            "closed to placement"
        };
        let placed = match self.persons_placed {
            0 => "the plan places no one there, so it does not break the cap there".to_string(),
            1 => "the plan places 1 person there".to_string(),
            n => format!("the plan places {n} persons there"),
        };
        format!(
            "{} {} {shares} ({open}; {placed})",
            self.district, self.name
        )
    }
}

fn in_name_order<S: Serializer>(
    by_type: &BTreeMap<HouseholdType, TypeFigures>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let mut v: Vec<_> = by_type.iter().collect();
    v.sort_by_key(|(t, _)| t.as_str());
    serializer.collect_map(v)
}

/// The command that made a plan.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Run {
    /// The scenario file, as an absolute path.
    pub scenario_file: String,
    /// `None` (written `""`) for the rolling plan of `simulate`, which no
    /// single `plan` command made.
    #[serde(with = "blank_if_none")]
    pub strategy: Option<Strategy>,
    pub time_limit_s: Option<f64>,
    /// `--gap`, in percent.
    pub gap_percent: f64,
    /// `--pin` arguments.
    pub pins: Vec<String>,
    pub force: Option<String>,
    pub previous: Option<String>,
}

/// `run.strategy`: a strategy's name, or `""` for none.
mod blank_if_none {
    use serde::de::IntoDeserializer as _;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use crate::solve::Strategy;

    // The signature serde's `with` calls.
    #[allow(clippy::ref_option, clippy::trivially_copy_pass_by_ref)]
    pub fn serialize<S: Serializer>(
        strategy: &Option<Strategy>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match strategy {
            Some(s) => s.serialize(serializer),
            None => serializer.serialize_str(""),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Strategy>, D::Error> {
        let name = String::deserialize(deserializer)?;
        if name.is_empty() {
            return Ok(None);
        }
        Strategy::deserialize(name.into_deserializer()).map(Some)
    }
}

/// The plan's objective and, from the optimising engine, its proven bound.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quality {
    pub objective: f64,
    pub bound: Option<f64>,
    pub iterations: usize,
    pub solve_seconds: f64,
}

/// The date a household moves into its permanent home: the plan's day, or
/// the real date for a household that moved in before the start (a fact of
/// the earlier plan, which a re-plan never rewrites).
#[must_use]
pub fn move_in_date(
    scenario: &Scenario,
    decisions: &Decisions,
    h: HouseholdId,
    unit: UnitId,
    day: Day,
) -> NaiveDate {
    decisions
        .moved_in_on(h, unit)
        .map_or_else(|| scenario.date(day), |real| scenario.calendar_date(real))
}

/// The rows of `plan.csv`, one per household in input order.
#[must_use]
pub fn rows(
    inputs: &Inputs,
    scenario: &Scenario,
    decisions: &Decisions,
    travel: &TravelTimes,
    plan: &Plan,
) -> Vec<HouseholdRow> {
    let horizon = scenario.horizon_days;
    plan.placements
        .iter()
        .map(|p| {
            let h = &inputs.households[p.household.index()];
            let last = h.final_in(horizon);
            let status = p.status();
            let mut row = HouseholdRow {
                household_id: h.name.clone(),
                status,
                temp_unit: None,
                temp_from: None,
                temp_to: None,
                perm_unit: None,
                perm_from: None,
                district: None,
                persons: last.persons(),
                income: income_dkk(h, last, &scenario.benefits),
                housing_benefit: None,
                rent: None,
                disposable: None,
                travel_minutes: None,
                work_travel_minutes: None,
                reason: p
                    .explanation
                    .as_ref()
                    .map(|e| reasons::sentence(inputs, scenario, e)),
                reason_code: p.explanation.as_ref().map(|e| e.reason.code()),
                household_type: h.household_type(scenario.horizon_days),
                pin: None,
                previous: None,
                position: None,
                temporary_person_days: 0,
            };
            let mut lives_in = None;
            if let Some(t) = p.temporary {
                let u = inputs.unit(t.unit);
                row.temp_unit = Some(u.name.clone());
                row.temp_from = Some(scenario.date(t.from));
                row.temp_to = Some(scenario.date(t.to));
                row.temporary_person_days =
                    (t.from..t.to).map(|d| i64::from(h.at(d).persons())).sum();
                if status == Status::TemporaryOnly {
                    let charge = temporary_charge_dkk(last, u.rent_dkk, &scenario.temporary_charge);
                    row.housing_benefit = Some(0);
                    row.rent = Some(charge);
                    row.disposable = Some(row.income - charge);
                }
                lives_in = Some(u);
            }
            if let Some(home) = p.permanent {
                let u = inputs.unit(home.unit);
                let b = budget(
                    h,
                    last,
                    u.rent_dkk,
                    u.area_m2,
                    &scenario.benefits,
                    &scenario.housing_benefit,
                    &scenario.rules.min_disposable,
                );
                row.perm_unit = Some(u.name.clone());
                row.perm_from = Some(move_in_date(
                    scenario, decisions, h.id, home.unit, home.from,
                ));
                row.housing_benefit = Some(b.housing_benefit_dkk);
                row.rent = Some(b.rent_dkk);
                row.disposable = Some(b.disposable_dkk);
                lives_in = Some(u);
            }
            if let Some(u) = lives_in {
                row.district = u.district.map(|d| inputs.district(d).label.clone());
                row.travel_minutes = travel
                    .school_minutes(h, u.id)
                    .map(|m| (m * 10.0).round() / 10.0);
                row.work_travel_minutes = travel
                    .work_minutes(h, u.id)
                    .map(|m| (m * 10.0).round() / 10.0);
                row.position = Some((u.pos.x(), u.pos.y()));
            }
            row
        })
        .collect()
}

/// The summary figures of a plan.
#[must_use]
#[allow(clippy::too_many_lines, clippy::cast_precision_loss)]
pub fn summarise(
    inputs: &Inputs,
    scenario: &Scenario,
    plan: &Plan,
    rows: &[HouseholdRow],
    travel_method: Method,
    quality: Quality,
) -> Summary {
    let horizon = scenario.horizon_days;
    let mut by_status: BTreeMap<Status, Count> = BTreeMap::new();
    for s in [Status::Permanent, Status::TemporaryOnly, Status::Unplaced] {
        by_status.insert(s, Count::default());
    }
    let mut by_type: BTreeMap<HouseholdType, TypeFigures> = BTreeMap::new();
    let mut district_hh = vec![0u32; inputs.districts.len()];
    let mut district_persons = vec![0u32; inputs.districts.len()];
    let mut district_temp_end = vec![0u32; inputs.districts.len()];
    let mut buildings: BTreeMap<&str, u32> = BTreeMap::new();
    let (mut temp_cost, mut empty_rent) = (0.0_f64, 0.0_f64);
    for (p, row) in plan.placements.iter().zip(rows) {
        let h = &inputs.households[p.household.index()];
        let persons = row.persons;
        let status = p.status();
        let c = by_status.entry(status).or_default();
        c.households += 1;
        c.persons += persons;
        let t = by_type.entry(row.household_type).or_default();
        t.households += 1;
        t.persons += persons;
        t.temporary_person_days += row.temporary_person_days;
        match status {
            Status::Permanent => t.permanent += 1,
            Status::TemporaryOnly => t.temporary_only += 1,
            Status::Unplaced => t.unplaced += 1,
        }
        if let Some(stay) = p.temporary {
            let u = inputs.unit(stay.unit);
            temp_cost += row.temporary_person_days as f64 * u.cost_dkk as f64 / DAYS_PER_MONTH;
            if stay.to >= horizon
                && let Some(d) = u.district
            {
                district_temp_end[d.index()] += h.final_in(horizon).persons();
            }
        }
        if let Some(home) = p.permanent {
            let u = inputs.unit(home.unit);
            let empty_days = home.from - u.available_from.max(0);
            empty_rent += empty_days as f64 * u.cost_dkk as f64 / DAYS_PER_MONTH;
            *buildings.entry(u.building.as_str()).or_default() += 1;
            if let Some(d) = u.district {
                district_hh[d.index()] += 1;
                district_persons[d.index()] += persons;
            }
        }
    }
    let before: Vec<(f64, f64)> = inputs
        .districts
        .iter()
        .map(|d| (f64::from(d.newcomers), f64::from(d.population)))
        .collect();
    let after: Vec<(f64, f64)> = inputs
        .districts
        .iter()
        .map(|d| {
            let p = f64::from(district_persons[d.id.index()]);
            (f64::from(d.newcomers) + p, f64::from(d.population) + p)
        })
        .collect();
    let cap = scenario.rules.max_district_share;
    // Open to placement: not forbidden for every unit (rule 4).
    let open: Vec<bool> = inputs
        .districts
        .iter()
        .map(|d| !crate::rules::district_forbidden(scenario, d, false))
        .collect();
    let band = scenario.spread.distance_band_m;
    let neighbours = if band > 0.0 {
        spread::distance_band(&inputs.districts, band)
    } else {
        spread::queen_neighbours(&inputs.districts)
    };
    let settings = spread::HotSpotSettings {
        seed: scenario.seed,
        ..spread::HotSpotSettings::default()
    };
    let analysis_before = spread::analyse(&before, &neighbours, settings);
    let analysis_after = spread::analyse(&after, &neighbours, settings);
    let moves: Vec<(usize, i64, u32)> = plan
        .placements
        .iter()
        .zip(rows)
        .filter_map(|(p, r)| {
            let home = p.permanent?;
            let d = inputs.unit(home.unit).district?;
            Some((d.index(), home.from, r.persons))
        })
        .collect();
    let quarters = spread::per_period(&moves, inputs.districts.len(), 91, horizon);
    let districts: Vec<DistrictFigures> = inputs
        .districts
        .iter()
        .map(|d| {
            let i = d.id.index();
            let p = district_persons[i];
            let share_before = f64::from(d.newcomers) / f64::from(d.population);
            let share_after = f64::from(d.newcomers + p) / f64::from(d.population + p);
            DistrictFigures {
                id: d.label.clone(),
                name: d.name.clone(),
                flags: d.flags.clone(),
                population: d.population,
                newcomers_before: d.newcomers,
                newcomers_after: d.newcomers + p,
                share_before: round6(share_before),
                share_after: round6(share_after),
                households_placed: district_hh[i],
                persons_placed: p,
                persons_temporary_at_end: district_temp_end[i],
                over_cap: share_after > cap + 1e-12,
                location_quotient_before: round6(analysis_before.location_quotients[i]),
                location_quotient_after: round6(analysis_after.location_quotients[i]),
                gi_star_z: round6(analysis_after.hot_spots[i].gi_star_z),
                gi_p: round6(analysis_after.hot_spots[i].gi_p),
                gi_q: round6(analysis_after.hot_spots[i].gi_q),
                moran_i: round6(analysis_after.hot_spots[i].moran_i),
                moran_p: round6(analysis_after.hot_spots[i].moran_p),
                moran_q: round6(analysis_after.hot_spots[i].moran_q),
                quadrant: analysis_after.hot_spots[i].quadrant,
                hot_spot: analysis_after.hot_spots[i].hot,
                high_high: analysis_after.hot_spots[i].high_high,
                placed_by_quarter: quarters.iter().map(|q| q[i]).collect(),
            }
        })
        .collect();
    let over_cap_before_plan: Vec<OverCapBefore> = districts
        .iter()
        .zip(&open)
        .filter(|(d, _)| over(f64::from(d.newcomers_before), f64::from(d.population), cap))
        .map(|(d, &open)| OverCapBefore {
            district: d.id.clone(),
            name: d.name.clone(),
            share_before: d.share_before,
            share_after: d.share_after,
            open,
            persons_placed: d.persons_placed,
        })
        .collect();
    let permanent_rows = || rows.iter().filter(|r| r.status == Status::Permanent);
    let families_waiting = rows
        .iter()
        .filter(|r| r.household_type == HouseholdType::Family && r.status != Status::Permanent)
        .count();
    let travel_list: Vec<f64> = rows.iter().filter_map(|r| r.travel_minutes).collect();
    let work_list: Vec<f64> = rows.iter().filter_map(|r| r.work_travel_minutes).collect();
    Summary {
        scenario: scenario.name.clone(),
        strategy: plan.strategy.into(),
        start: scenario.start,
        horizon_days: horizon,
        seed: scenario.seed,
        run: Run::default(),
        households: Count {
            households: u32::try_from(rows.len()).unwrap_or(u32::MAX),
            persons: rows.iter().map(|r| r.persons).sum(),
        },
        by_status,
        by_type,
        families_waiting: u32::try_from(families_waiting).unwrap_or(u32::MAX),
        temporary_person_days: rows.iter().map(|r| r.temporary_person_days).sum(),
        rent_dkk: stats(
            permanent_rows()
                .filter_map(|r| r.rent.map(|x| x as f64))
                .collect(),
        ),
        disposable_dkk: stats(
            permanent_rows()
                .filter_map(|r| r.disposable.map(|x| x as f64))
                .collect(),
        ),
        travel: Travel {
            method: travel_method,
            minutes: stats(travel_list),
            work_minutes: stats(work_list),
        },
        municipal_cost_dkk: Cost {
            temporary_places: temp_cost.round() as i64,
            empty_rent: empty_rent.round() as i64,
            total: (temp_cost + empty_rent).round() as i64,
        },
        spread: Spread {
            before: spread_figures(&before, &open, cap, &analysis_before, inputs),
            after: spread_figures(&after, &open, cap, &analysis_after, inputs),
            districts_receiving: u32::try_from(district_hh.iter().filter(|&&n| n > 0).count())
                .unwrap_or(0),
            buildings_receiving: u32::try_from(buildings.len()).unwrap_or(0),
            max_households_in_a_building: buildings.values().copied().max().unwrap_or(0),
            buildings_at_cap: u32::try_from(
                buildings
                    .values()
                    .filter(|&&n| n >= scenario.rules.max_households_per_building)
                    .count(),
            )
            .unwrap_or(u32::MAX),
            hot_spot_method: HotSpotMethod {
                neighbours: if band > 0.0 {
                    Neighbours::DistanceBand
                } else {
                    Neighbours::Queen
                },
                distance_band_m: band,
                permutations: settings.permutations,
                seed: settings.seed,
                fdr_alpha: settings.alpha,
            },
        },
        districts,
        over_cap_before_plan: Some(over_cap_before_plan),
        objective: Some(round6(quality.objective)),
        bound: quality.bound.map(round6),
        gap: quality
            .bound
            .map(|b| round6(crate::solve::optimise::relative_gap(quality.objective, b))),
        iterations: quality.iterations,
        solve_seconds: (quality.solve_seconds * 1000.0).round() / 1000.0,
        pins: crate::evaluate::pins::PinReport::default(),
        replanning: None,
        candidate_pruning: None,
    }
}

pub(crate) fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// Median, 90th percentile (nearest rank), min, max and mean.
#[must_use]
#[allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss
)]
pub fn stats(mut values: Vec<f64>) -> Stats {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n == 0 {
        return Stats {
            count: 0,
            min: None,
            median: None,
            p90: None,
            max: None,
            mean: None,
        };
    }
    let median = if n % 2 == 1 {
        values[n / 2]
    } else {
        f64::midpoint(values[n / 2 - 1], values[n / 2])
    };
    let rank = ((0.9 * n as f64).ceil() as usize).clamp(1, n);
    Stats {
        count: n,
        min: Some(values[0]),
        median: Some(round6(median)),
        p90: Some(values[rank - 1]),
        max: Some(values[n - 1]),
        mean: Some(round6(values.iter().sum::<f64>() / n as f64)),
    }
}

/// Whether `newcomers` of `population` is a share over the cap.
fn over(newcomers: f64, population: f64, cap: f64) -> bool {
    population > 0.0 && newcomers / population > cap + 1e-12
}

/// The summary's spread figures: the global indices of `spread` over every
/// district, rounded; the highest share and the districts over the cap
/// among the districts open to placement (`open`); the hot spots by
/// district id.
fn spread_figures(
    counts: &[(f64, f64)],
    open: &[bool],
    cap: f64,
    analysis: &spread::Analysis,
    inputs: &Inputs,
) -> SpreadIndices {
    let ix = &analysis.indices;
    let label = |v: Vec<usize>| -> Vec<String> {
        v.into_iter()
            .map(|i| inputs.districts[i].label.clone())
            .collect()
    };
    let open_counts = || {
        counts
            .iter()
            .zip(open)
            .filter(|(_, o)| **o)
            .map(|(c, _)| *c)
    };
    SpreadIndices {
        max_share: round6(
            open_counts()
                .filter(|(_, t)| *t > 0.0)
                .map(|(x, t)| x / t)
                .fold(0.0, f64::max),
        ),
        districts_over_cap: u32::try_from(open_counts().filter(|(x, t)| over(*x, *t, cap)).count())
            .unwrap_or(u32::MAX),
        dissimilarity: round6(ix.dissimilarity),
        isolation: round6(ix.isolation),
        theil: round6(ix.theil),
        exposure: round6(ix.exposure),
        hot_spots: label(analysis.hot()),
        high_high: label(analysis.high_high()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_median_and_p90() {
        let s = stats(vec![5.0, 1.0, 3.0, 2.0, 4.0, 6.0, 7.0, 8.0, 9.0, 10.0]);
        assert_eq!(s.median, Some(5.5));
        assert_eq!(s.p90, Some(9.0));
        assert_eq!(s.min, Some(1.0));
    }

    #[test]
    fn the_headline_names_districts_over_the_cap_before_the_plan() {
        let district = |id: &str, open: bool, persons_placed: u32| OverCapBefore {
            district: id.into(),
            name: format!("{id} name"),
            share_before: 0.06,
            share_after: if persons_placed == 0 { 0.06 } else { 0.0625 },
            open,
            persons_placed,
        };
        let mut s = Summary {
            households: Count {
                households: 3,
                persons: 7,
            },
            spread: Spread {
                after: SpreadIndices {
                    max_share: 0.0625,
                    districts_over_cap: 2,
                    ..SpreadIndices::default()
                },
                ..Spread::default()
            },
            over_cap_before_plan: Some(vec![
                district("D1", false, 0),
                district("D2", true, 1),
                district("D3", true, 4),
            ]),
            ..Summary::default()
        };
        let lines = s.headline();
        assert!(
            lines[0].ends_with(
                "highest newcomer share in a district open to placement 6.2 %, 2 open districts over the cap (2 of them already before the plan)"
            ),
            "{lines:?}"
        );
        assert_eq!(
            lines[1],
            "already over the cap before the plan: \
             D1 D1 name 6.0 % (closed to placement; the plan places no one there, so it does not break the cap there); \
             D2 D2 name 6.0 % → 6.2 % (open to placement; the plan places 1 person there); \
             D3 D3 name 6.0 % → 6.2 % (open to placement; the plan places 4 persons there)"
        );
        // A summary of an earlier version, without the list: one line.
        s.over_cap_before_plan = None;
        s.spread.after.districts_over_cap = 1;
        let lines = s.headline();
        assert_eq!(lines.len(), 1);
        assert!(
            lines[0].ends_with(", 1 open district over the cap"),
            "{lines:?}"
        );
    }
}
