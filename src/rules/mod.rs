//! The rules, each written once: the static rules of one household and one
//! unit ([`PERMANENT`], [`TEMPORARY`]), the dynamic caps between households
//! ([`occupancy`]) and the objective's terms ([`cost`]).
//!
//! A static rule is a [`Condition`] with the [`Reason`] reported when it
//! fails and the [`Layer`] at which it can first be decided: the household
//! alone, the unit alone, the household's profile (school, work place,
//! access needs, income, composition), or the household and its move-in
//! day. The lists are in the order a refusal is reported: the first rule
//! that fails names it. Every user of the rules walks these lists: the
//! candidate caches (each layer once, `candidates`), the waiting list
//! (`solve::fcfs`), pins and forced pins, `explain` and the rolling
//! simulation — so they cannot disagree.
//!
//! Invariant: nothing here reads files, the clock or the environment; a
//! verdict is a pure function of the inputs, the scenario and the travel
//! table.

pub mod cost;
pub mod occupancy;

use crate::economy::{Budget, budget};
use crate::model::{Composition, Day, District, Household, Inputs, Tenure, Unit, UnitKind};
use crate::scenario::Scenario;
use crate::travel::TravelTimes;

/// A rule, as the reason a household did not get a unit.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    Availability,
    ForbiddenDistrict,
    Accessibility,
    Size,
    Capacity,
    Affordability,
    Travel,
    WorkTravel,
    Pin,
    Taken,
    DistrictCap,
    BuildingCap,
    NoTemporaryBridge,
    TradeOff,
    ArrivalAfterHorizon,
}

impl Reason {
    /// The code written to `reason_code`.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Reason::Availability => "availability",
            Reason::ForbiddenDistrict => "forbidden_district",
            Reason::Accessibility => "accessibility",
            Reason::Size => "size",
            Reason::Capacity => "capacity",
            Reason::Affordability => "affordability",
            Reason::Travel => "travel",
            Reason::WorkTravel => "work_travel",
            Reason::Pin => "pin",
            Reason::Taken => "taken",
            Reason::DistrictCap => "district_cap",
            Reason::BuildingCap => "building_cap",
            Reason::NoTemporaryBridge => "no_temporary_bridge",
            Reason::TradeOff => "trade_off",
            Reason::ArrivalAfterHorizon => "arrival_after_horizon",
        }
    }

    /// A few words for an officer.
    #[must_use]
    pub fn words(self) -> &'static str {
        match self {
            Reason::Availability => "not available in time or not for the whole horizon",
            Reason::ForbiddenDistrict => "in a district where placement is forbidden",
            Reason::Accessibility => "without the step-free access the household needs",
            Reason::Size => "too small for the household",
            Reason::Capacity => "without room for the household",
            Reason::Affordability => "rent leaves less than the minimum disposable amount",
            Reason::Travel => "too far from the language school",
            Reason::WorkTravel => "too far from the work place",
            Reason::Pin => "refused for the pinned unit",
            Reason::Taken => "given to another household in the plan",
            Reason::DistrictCap => "the district would exceed its newcomer share",
            Reason::BuildingCap => "the building already has its maximum of newcomer households",
            Reason::NoTemporaryBridge => "no temporary place until the move-in date",
            Reason::TradeOff => {
                "free, but the optimal plan leaves it: the gain would not outweigh spread, travel or cost"
            }
            Reason::ArrivalAfterHorizon => "arrives after the end of the plan",
        }
    }

    /// Whether `--force` may override the rule for a pinned household: the
    /// rules about the household and its own home. Rules that protect others
    /// (caps, a dwelling given to someone else, a full temporary site) and
    /// dates are never forced.
    #[must_use]
    pub fn forceable(self) -> bool {
        matches!(
            self,
            Reason::ForbiddenDistrict
                | Reason::Accessibility
                | Reason::Size
                | Reason::Affordability
                | Reason::Travel
                | Reason::WorkTravel
        )
    }
}

/// What a static rule needs to know before it can be decided; the
/// candidate stage decides each rule once per layer value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Layer {
    /// The household alone (its arrival against the horizon).
    Household,
    /// The unit alone (and the scenario): once per unit.
    Unit,
    /// The household's profile: language school, work place, access needs,
    /// income and composition (before and after a reunion; for a temporary
    /// site, the persons on arrival). Households of one profile get the
    /// same verdict.
    Profile,
    /// The household and the day it would move in.
    MoveIn,
}

/// The condition of one static rule: what must hold for the household to
/// get the unit. Each is written once, in [`Condition::holds`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Condition {
    /// The household arrives before the horizon ends.
    ArrivesWithinHorizon,
    /// A dwelling is free from a day within the horizon to its end.
    FreeToHorizonEnd,
    /// A temporary site opens within the horizon.
    OpensWithinHorizon,
    /// A temporary site is still open on the household's arrival.
    OpenOnArrival,
    /// The unit's district does not forbid placement (rule 4).
    DistrictAllowed,
    /// Step-free access where the household needs it.
    StepFree,
    /// Rooms or floor area for everyone at the end of the horizon.
    BigEnough,
    /// A temporary site holds everyone on the arrival day.
    RoomOnArrival,
    /// The rent leaves the minimum disposable amount for the composition
    /// at the end of the horizon.
    AffordableAtEnd,
    /// ... and for the composition on the move-in day (before a reunion).
    AffordableOnMoveIn,
    /// Within `max_travel_min` of the language school.
    SchoolInReach,
    /// Within `max_work_travel_min` of the work place, when set.
    WorkInReach,
}

/// One static rule.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub reason: Reason,
    pub layer: Layer,
    pub condition: Condition,
}

const fn rule(reason: Reason, layer: Layer, condition: Condition) -> Rule {
    Rule {
        reason,
        layer,
        condition,
    }
}

/// The static rules of a permanent dwelling, in the order a refusal is
/// reported.
pub const PERMANENT: [Rule; 9] = [
    rule(
        Reason::Availability,
        Layer::Household,
        Condition::ArrivesWithinHorizon,
    ),
    rule(
        Reason::Availability,
        Layer::Unit,
        Condition::FreeToHorizonEnd,
    ),
    rule(
        Reason::ForbiddenDistrict,
        Layer::Unit,
        Condition::DistrictAllowed,
    ),
    rule(Reason::Accessibility, Layer::Profile, Condition::StepFree),
    rule(Reason::Size, Layer::Profile, Condition::BigEnough),
    rule(
        Reason::Affordability,
        Layer::Profile,
        Condition::AffordableAtEnd,
    ),
    rule(
        Reason::Affordability,
        Layer::MoveIn,
        Condition::AffordableOnMoveIn,
    ),
    rule(Reason::Travel, Layer::Profile, Condition::SchoolInReach),
    rule(Reason::WorkTravel, Layer::Profile, Condition::WorkInReach),
];

/// The static rules of a temporary site, in the order a refusal is
/// reported.
pub const TEMPORARY: [Rule; 7] = [
    rule(
        Reason::Availability,
        Layer::MoveIn,
        Condition::OpenOnArrival,
    ),
    rule(
        Reason::Availability,
        Layer::Unit,
        Condition::OpensWithinHorizon,
    ),
    rule(
        Reason::ForbiddenDistrict,
        Layer::Unit,
        Condition::DistrictAllowed,
    ),
    rule(Reason::Accessibility, Layer::Profile, Condition::StepFree),
    rule(Reason::Capacity, Layer::Profile, Condition::RoomOnArrival),
    rule(Reason::Travel, Layer::Profile, Condition::SchoolInReach),
    rule(Reason::WorkTravel, Layer::Profile, Condition::WorkInReach),
];

/// The rules of a unit's tenure.
#[must_use]
pub fn rules_of(tenure: Tenure) -> &'static [Rule] {
    match tenure {
        Tenure::Permanent => &PERMANENT,
        Tenure::Temporary => &TEMPORARY,
    }
}

/// What the rules look at: the data, one household, one unit and the day
/// from which the household can move in.
#[derive(Clone, Copy)]
pub struct Subject<'a> {
    pub inputs: &'a Inputs,
    pub scenario: &'a Scenario,
    pub travel: &'a TravelTimes,
    pub h: &'a Household,
    pub u: &'a Unit,
    /// The household's first possible day (its arrival, at least day 0).
    pub arrival: Day,
    /// Moved in already (`--previous`): the move-in day is `arrival` itself.
    pub moved_in: bool,
    /// The move-in day being judged, one of [`Subject::move_in_days`]
    /// (`None`: the first of them).
    pub day: Option<Day>,
    /// Whether the rent is affordable for the household's initial
    /// composition, when a caller has decided it already (a cache of
    /// [`Condition::AffordableOnMoveIn`] for the days before a reunion).
    pub initial_affordable: Option<bool>,
}

impl<'a> Subject<'a> {
    #[must_use]
    pub fn new(
        inputs: &'a Inputs,
        scenario: &'a Scenario,
        travel: &'a TravelTimes,
        h: &'a Household,
        arrival: Day,
        u: &'a Unit,
    ) -> Self {
        Self {
            inputs,
            scenario,
            travel,
            h,
            u,
            arrival,
            moved_in: false,
            day: None,
            initial_affordable: None,
        }
    }

    /// The same subject judged as moving in on `day`.
    #[must_use]
    pub fn on(self, day: Day) -> Self {
        Self {
            day: Some(day),
            ..self
        }
    }

    /// The same subject for another unit.
    #[must_use]
    pub fn with_unit(self, u: &'a Unit) -> Self {
        Self {
            u,
            day: None,
            initial_affordable: None,
            ..self
        }
    }

    /// The day the household would move into a dwelling: the day being
    /// judged, or the first of [`Subject::move_in_days`].
    #[must_use]
    pub fn move_in(&self) -> Day {
        if self.moved_in {
            self.arrival
        } else {
            self.day.unwrap_or_else(|| self.earliest())
        }
    }

    /// The first day the household and the unit are both there.
    fn earliest(&self) -> Day {
        self.arrival.max(self.u.available_from)
    }

    /// The days on which a [`Layer::MoveIn`] verdict can change, earliest
    /// first: the first day the household and the dwelling are both there
    /// (its arrival or the dwelling's availability), and the reunion day
    /// when it falls after that and within the horizon (the household's
    /// composition, its income and its housing benefit change then). The
    /// composition is the same on every day between two of these days, so
    /// judging them is exact. A household that has moved in already, and a
    /// temporary site (judged on the arrival day), have one day.
    pub fn move_in_days(&self) -> impl Iterator<Item = Day> {
        let first = Subject { day: None, ..*self }.move_in();
        let reunion = self.h.reunion.as_ref().map(|r| r.day).filter(|&d| {
            !self.moved_in
                && self.u.tenure == Tenure::Permanent
                && d > first
                && d < self.scenario.horizon_days
        });
        std::iter::once(first).chain(reunion)
    }

    /// The subject on the first of its move-in days on which the
    /// [`Layer::MoveIn`] rules hold (the first day if none does): the day a
    /// forced pin moves in, whatever else it breaks.
    #[must_use]
    pub fn on_move_in_day(self) -> Self {
        let rules = rules_of(self.u.tenure);
        match lawful_day(rules, &[Layer::MoveIn], &self) {
            Ok(day) => self.on(day),
            Err(_) => self,
        }
    }

    /// The household's budget in the unit with composition `comp`.
    #[must_use]
    pub fn money(&self, comp: Composition) -> Budget {
        let s = self.scenario;
        budget(
            self.h,
            comp,
            self.u.rent_dkk,
            self.u.area_m2,
            &s.benefits,
            &s.housing_benefit,
            &s.rules.min_disposable,
        )
    }

    /// Whether the rent leaves the minimum disposable amount for `comp`.
    #[must_use]
    pub fn affordable(&self, comp: Composition) -> bool {
        match self.initial_affordable {
            Some(known) if comp == self.h.initial() => known,
            _ => self.money(comp).affordable(),
        }
    }
}

impl Condition {
    /// Whether the condition holds for the subject.
    #[must_use]
    pub fn holds(self, s: &Subject) -> bool {
        if let Some(verdict) = self.holds_for_unit(s.inputs, s.scenario, s.u) {
            return verdict;
        }
        let horizon = s.scenario.horizon_days;
        let rules = &s.scenario.rules;
        let (h, u) = (s.h, s.u);
        match self {
            Condition::ArrivesWithinHorizon => s.arrival < horizon,
            Condition::OpenOnArrival => u.available_until.is_none_or(|until| until >= s.arrival),
            Condition::StepFree => !h.needs_accessible || u.accessible,
            Condition::BigEnough => fits(u, h.final_in(horizon).persons(), s.scenario),
            Condition::RoomOnArrival => u.capacity >= h.at(s.arrival).persons(),
            Condition::AffordableAtEnd => s.affordable(h.final_in(horizon)),
            Condition::AffordableOnMoveIn => {
                // Without a reunion in between, this is the rule above.
                let now = h.at(s.move_in());
                now == h.final_in(horizon) || s.affordable(now)
            }
            Condition::SchoolInReach => s
                .travel
                .school_minutes(h, u.id)
                .is_none_or(|m| m <= rules.max_travel_min),
            Condition::WorkInReach => {
                match (s.travel.work_minutes(h, u.id), rules.max_work_travel_min) {
                    (Some(m), Some(max)) => m <= max,
                    _ => true,
                }
            }
            Condition::FreeToHorizonEnd
            | Condition::OpensWithinHorizon
            | Condition::DistrictAllowed => unreachable!("decided by the unit alone"),
        }
    }

    /// The verdict of a [`Layer::Unit`] condition, which looks at the unit
    /// alone; `None` for the others.
    #[must_use]
    pub fn holds_for_unit(self, inputs: &Inputs, scenario: &Scenario, u: &Unit) -> Option<bool> {
        let horizon = scenario.horizon_days;
        match self {
            Condition::FreeToHorizonEnd => Some(
                u.available_from < horizon
                    && u.available_until.is_none_or(|until| until >= horizon - 1),
            ),
            Condition::OpensWithinHorizon => Some(u.available_from < horizon),
            Condition::DistrictAllowed => Some(!forbidden(inputs, scenario, u)),
            _ => None,
        }
    }
}

/// The first rule of `rules` whose layer is in `layers` and that fails for
/// the subject: its position in `rules` and its reason.
#[must_use]
pub fn first_refusal(rules: &[Rule], layers: &[Layer], s: &Subject) -> Option<(usize, Reason)> {
    rules
        .iter()
        .enumerate()
        .find(|(_, r)| layers.contains(&r.layer) && !r.condition.holds(s))
        .map(|(i, r)| (i, r.reason))
}

/// The first of the subject's move-in days ([`Subject::move_in_days`]) on
/// which no rule of `rules` whose layer is in `layers` fails; or, when
/// every day fails, the first rule that fails on the first day. Rules of
/// the other layers give the same verdict on every day, so only the move-in
/// rules can make a later day lawful.
pub fn lawful_day(rules: &[Rule], layers: &[Layer], s: &Subject) -> Result<Day, (usize, Reason)> {
    let mut first = None;
    for day in s.move_in_days() {
        let on = s.on(day);
        match first_refusal(rules, layers, &on) {
            None => return Ok(on.move_in()),
            Some(refusal) => {
                first.get_or_insert(refusal);
            }
        }
        if !layers.contains(&Layer::MoveIn) {
            break;
        }
    }
    Err(first.expect("a subject has a first move-in day"))
}

/// The first [`Layer::Unit`] rule of `rules` that fails for the unit.
#[must_use]
pub fn unit_refusal(
    rules: &[Rule],
    inputs: &Inputs,
    scenario: &Scenario,
    u: &Unit,
) -> Option<(usize, Reason)> {
    rules
        .iter()
        .enumerate()
        .find(|(_, r)| r.condition.holds_for_unit(inputs, scenario, u) == Some(false))
        .map(|(i, r)| (i, r.reason))
}

/// The position of the first rule of `layer` in `rules` (`rules.len()`
/// if none).
#[must_use]
pub fn first_of(rules: &[Rule], layer: Layer) -> usize {
    rules
        .iter()
        .position(|r| r.layer == layer)
        .unwrap_or(rules.len())
}

/// Every layer.
pub const ALL_LAYERS: [Layer; 4] = [Layer::Household, Layer::Unit, Layer::Profile, Layer::MoveIn];

/// A permanent dwelling a household may get.
#[derive(Debug, Clone)]
pub struct PermanentOption {
    pub unit: crate::ids::UnitId,
    /// First day the household can move in.
    pub move_in: Day,
    pub travel_min: Option<f64>,
    /// Minutes to the household's `work_place`, if it names one.
    pub work_travel_min: Option<f64>,
    /// Rooms beyond what the size rule needs.
    pub spare_rooms: u32,
}

/// A temporary site a household may get.
#[derive(Debug, Clone)]
pub struct TemporaryOption {
    pub unit: crate::ids::UnitId,
    pub travel_min: Option<f64>,
    pub work_travel_min: Option<f64>,
}

/// The permanent option of the subject's dwelling, without checking the
/// rules (for a forced pin, or once they are checked).
#[must_use]
pub fn permanent_option(s: &Subject) -> PermanentOption {
    let horizon = s.scenario.horizon_days;
    let rooms_needed =
        s.h.final_in(horizon)
            .persons()
            .div_ceil(s.scenario.rules.max_persons_per_room);
    PermanentOption {
        unit: s.u.id,
        move_in: s.move_in(),
        travel_min: s.travel.school_minutes(s.h, s.u.id),
        work_travel_min: s.travel.work_minutes(s.h, s.u.id),
        spare_rooms: s.u.rooms.saturating_sub(rooms_needed),
    }
}

/// The temporary option of the subject's site, without checking the rules.
#[must_use]
pub fn temporary_option(s: &Subject) -> TemporaryOption {
    TemporaryOption {
        unit: s.u.id,
        travel_min: s.travel.school_minutes(s.h, s.u.id),
        work_travel_min: s.travel.work_minutes(s.h, s.u.id),
    }
}

/// The permanent option of a unit for a household that can move in no
/// earlier than `arrival`, or the first static rule that refuses it (the
/// rolling simulation scores homes at the day they were really moved into).
pub fn permanent_option_from(
    inputs: &Inputs,
    scenario: &Scenario,
    travel: &TravelTimes,
    h: &Household,
    arrival: Day,
    u: &Unit,
) -> Result<PermanentOption, Reason> {
    let s = Subject::new(inputs, scenario, travel, h, arrival, u);
    match lawful_day(&PERMANENT, &ALL_LAYERS, &s) {
        Err((_, r)) => Err(r),
        Ok(day) => Ok(permanent_option(&s.on(day))),
    }
}

/// The first static rule that refuses the unit to the household, if any.
pub fn static_verdict(
    inputs: &Inputs,
    scenario: &Scenario,
    travel: &TravelTimes,
    h: &Household,
    arrival: Day,
    u: &Unit,
) -> Result<(), Reason> {
    let s = Subject::new(inputs, scenario, travel, h, arrival, u);
    match lawful_day(rules_of(u.tenure), &ALL_LAYERS, &s) {
        Err((_, r)) => Err(r),
        Ok(_) => Ok(()),
    }
}

/// The rules of a permanent dwelling that do not depend on the household
/// (for one that arrives within the horizon): the [`Layer::Unit`] rules.
pub fn check_unit(inputs: &Inputs, scenario: &Scenario, u: &Unit) -> Result<(), Reason> {
    match unit_refusal(&PERMANENT, inputs, scenario, u) {
        Some((_, r)) => Err(r),
        None => Ok(()),
    }
}

/// Every static rule the unit breaks for the household, each checked on
/// its own, each reason once, on the subject's move-in day (see
/// [`Subject::on_move_in_day`]). A household that moved in already
/// (`moved_in`) breaks no date: its move-in is a fact.
#[must_use]
pub fn broken_rules(s: &Subject) -> Vec<Reason> {
    let mut broken: Vec<Reason> = Vec::new();
    for r in rules_of(s.u.tenure) {
        if s.moved_in && r.reason == Reason::Availability {
            continue;
        }
        if !broken.contains(&r.reason) && !r.condition.holds(s) {
            broken.push(r.reason);
        }
    }
    broken
}

fn forbidden(inputs: &Inputs, scenario: &Scenario, u: &Unit) -> bool {
    u.district.is_some_and(|d| {
        district_forbidden(
            scenario,
            inputs.district(d),
            u.kind == UnitKind::SocialHousing,
        )
    })
}

/// Whether rule 4 forbids a district: for every unit, or, with
/// `social_housing`, for a social dwelling.
#[must_use]
pub fn district_forbidden(scenario: &Scenario, district: &District, social_housing: bool) -> bool {
    let rules = &scenario.rules;
    district.flags.iter().any(|f| {
        rules
            .forbidden_flags
            .iter()
            .any(|x| x.eq_ignore_ascii_case(f))
            || (social_housing
                && rules
                    .forbidden_flags_social_housing
                    .iter()
                    .any(|x| x.eq_ignore_ascii_case(f)))
    })
}

/// Whether a dwelling is big enough for `persons` (either part of the rule).
#[must_use]
pub fn fits(u: &Unit, persons: u32, scenario: &Scenario) -> bool {
    persons <= scenario.rules.max_persons_per_room * u.rooms
        || u.area_m2 >= scenario.rules.min_m2_per_person * f64::from(persons)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The candidate caches decide the rules layer by layer and rely on the
    /// order of the lists: a permanent dwelling's household and unit rules
    /// come before every profile and move-in rule (so a unit refused per
    /// language school is refused for every household arriving in time),
    /// and a temporary site's move-in rules come first (so they can be
    /// applied after the profile's verdict).
    #[test]
    fn the_lists_are_ordered_as_the_caches_expect() {
        let layers: Vec<Layer> = PERMANENT.iter().map(|r| r.layer).collect();
        let first_late = layers
            .iter()
            .position(|l| matches!(l, Layer::Profile | Layer::MoveIn))
            .expect("profile rules");
        assert!(
            layers[..first_late]
                .iter()
                .all(|l| matches!(l, Layer::Household | Layer::Unit))
        );
        assert!(
            layers[first_late..]
                .iter()
                .all(|l| matches!(l, Layer::Profile | Layer::MoveIn))
        );
        assert_eq!(layers[0], Layer::Household);
        let temp: Vec<Layer> = TEMPORARY.iter().map(|r| r.layer).collect();
        let first_other = temp
            .iter()
            .position(|l| *l != Layer::MoveIn)
            .expect("rules");
        assert!(
            temp[first_other..]
                .iter()
                .all(|l| matches!(l, Layer::Unit | Layer::Profile))
        );
        assert!(!temp.contains(&Layer::Household));
    }

    /// Every reason a static rule reports is one of the forceable rules or
    /// a date or capacity: `--force` and the pin report rely on it.
    #[test]
    fn static_reasons() {
        for r in PERMANENT.iter().chain(&TEMPORARY) {
            assert!(
                r.reason.forceable() || matches!(r.reason, Reason::Availability | Reason::Capacity),
                "{:?}",
                r.reason
            );
        }
    }
}
