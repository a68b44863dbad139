//! Stage 2: which units each household may lawfully get, before anyone is
//! placed (the static rules), and why the others are excluded.
//!
//! The dynamic rules — a dwelling taken, a district or building cap reached,
//! a temporary site full on some day — are checked by `solve`.
//! Units out of travel reach are pruned with the travel-time table
//! ([`TravelTimes`], straight-line or over the network), once per language
//! school (or "nearest school") rather than once per household, so the rule
//! checks grow with the number of eligible pairs. A radius around the school
//! would be wrong with a network: a fast line reaches farther than any
//! radius of the straight-line fallback.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use rayon::prelude::*;

use crate::economy::{Budget, budget};
use crate::ids::{DistrictId, HouseholdId, PlaceId, UnitId};
use crate::model::{Day, Household, Inputs, PinOrigin, Tenure, Unit, UnitKind};
use crate::scenario::Scenario;
use crate::travel::TravelTimes;

/// A rule, as the reason a household did not get a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
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
}

impl Reason {
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

/// A permanent dwelling a household may get.
#[derive(Debug, Clone)]
pub struct PermanentOption {
    pub unit: UnitId,
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
    pub unit: UnitId,
    pub travel_min: Option<f64>,
    pub work_travel_min: Option<f64>,
}

/// What one household may get.
#[derive(Debug, Clone, Default)]
pub struct HouseholdCandidates {
    /// Arrival day, at least day 0.
    pub arrival: Day,
    pub permanent: Vec<PermanentOption>,
    /// In the order every strategy tries them (see [`build`]). Shared by
    /// the households of one profile, so it may also hold sites whose
    /// `available_until` lies before this household's arrival: no stay fits
    /// in those ([`crate::solve::site_fits`]), and `temporary_lawful` leaves
    /// them out.
    pub temporary: Arc<Vec<TemporaryOption>>,
    /// How many temporary sites the household may lawfully get.
    pub temporary_lawful: u32,
    /// How many permanent dwellings each rule excluded (first failing rule).
    pub permanent_excluded: BTreeMap<Reason, u32>,
    /// Lawful dwellings left out of `permanent` by the shortlist of a very
    /// large scenario ([`Shortlist`]); 0 otherwise.
    pub unlisted: u32,
    /// Dwellings added back to `permanent` because the household is their
    /// best one ([`Cover`]): the model's pruning keeps them too.
    pub cover: Vec<UnitId>,
    /// How many temporary sites each rule excluded.
    pub temporary_excluded: BTreeMap<Reason, u32>,
    /// The pinned unit's verdict: `Err` names the rule that refuses it. A
    /// lawful partial pin is resolved to a dwelling of its district here.
    pub pin: Option<(UnitId, Result<(), Reason>)>,
    /// A partial pin's district and verdict.
    pub pin_district: Option<(DistrictId, Result<(), Reason>)>,
    /// The rules a forced pin breaks (`--force`, or moved in according to
    /// `--previous`); empty when the pin breaks none or is not forced.
    pub forced: Vec<Reason>,
}

/// Candidates of every household, in household order.
#[derive(Debug, Clone)]
pub struct Candidates {
    pub households: Vec<HouseholdCandidates>,
    /// Set when each household keeps only a shortlist of its lawful
    /// dwellings (a very large scenario).
    pub shortlist: Option<Shortlist>,
}

impl Candidates {
    #[must_use]
    pub fn of(&self, h: HouseholdId) -> &HouseholdCandidates {
        &self.households[h.index()]
    }
}

/// Builds the candidates of every household, with travel times from
/// `travel` (rule 8).
#[must_use]
pub fn build(inputs: &Inputs, scenario: &Scenario, travel: &TravelTimes) -> Candidates {
    let max = scenario.rules.max_travel_min;
    // Units within reach, per language school (`None`: the nearest one):
    // the dwellings in unit order, the temporary sites in the order every
    // strategy tries them (Herning's: municipal building, private lease,
    // container; then nearest to the school, then id), which depends on the
    // school only, so each household's sites come out in that order.
    let horizon = scenario.horizon_days;
    let mut reach: HashMap<Option<PlaceId>, Reach> = HashMap::new();
    for h in &inputs.households {
        reach.entry(h.language_school).or_insert_with(|| {
            // With no school at all the travel rule cannot apply.
            let units = travel
                .within(h.language_school, max)
                .unwrap_or_else(|| inputs.units.iter().map(|u| u.id).collect());
            let (permanent, mut temporary): (Vec<UnitId>, Vec<UnitId>) = units
                .into_iter()
                .partition(|&u| inputs.unit(u).tenure == Tenure::Permanent);
            let key =
                |u: UnitId| site_order(inputs, u, travel.school_minutes_from(h.language_school, u));
            temporary.sort_by(|&a, &b| {
                key(a)
                    .partial_cmp(&key(b))
                    .expect("travel minutes are finite")
            });
            // The first two rules do not depend on the household (one that
            // arrives within the horizon): checked once per school.
            let seen = crate::ids::to_u32(permanent.len());
            let mut excluded: BTreeMap<Reason, u32> = BTreeMap::new();
            let permanent = permanent
                .into_iter()
                .filter(|&u| match check_unit(inputs, scenario, inputs.unit(u)) {
                    Ok(()) => true,
                    Err(r) => {
                        *excluded.entry(r).or_default() += 1;
                        false
                    }
                })
                .collect();
            let mut expiring: Vec<(Day, UnitId)> = temporary
                .iter()
                .filter_map(|&u| inputs.unit(u).available_until.map(|until| (until, u)))
                .collect();
            expiring.sort_unstable();
            Reach {
                permanent,
                seen,
                excluded,
                temporary,
                expiring,
            }
        });
    }
    let counts = inputs
        .units
        .iter()
        .fold((0u32, 0u32), |(p, t), u| match u.tenure {
            Tenure::Permanent => (p + 1, t),
            Tenure::Temporary => (p, t + 1),
        });
    // The next rules depend on the household's profile, not on its arrival:
    // checked once per profile (in parallel, rayon), then per household only
    // what its move-in day changes.
    let mut profiles: HashMap<Profile, &Household> = HashMap::new();
    for h in &inputs.households {
        profiles.entry(Profile::of(h, horizon)).or_insert(h);
    }
    let verdicts: HashMap<Profile, ProfileVerdicts> = profiles
        .into_par_iter()
        .map(|(profile, h)| {
            let verdicts = profile_verdicts(
                inputs,
                scenario,
                travel,
                &reach[&h.language_school].permanent,
                h,
            );
            (profile, verdicts)
        })
        .collect();
    let mut site_profiles: HashMap<SiteProfile, &Household> = HashMap::new();
    for h in &inputs.households {
        site_profiles.entry(SiteProfile::of(h)).or_insert(h);
    }
    let site_verdicts: HashMap<SiteProfile, SiteVerdicts> = site_profiles
        .into_par_iter()
        .map(|(profile, h)| {
            let verdicts = site_verdicts(inputs, scenario, travel, &reach[&h.language_school], h);
            (profile, verdicts)
        })
        .collect();
    let passing: usize = inputs
        .households
        .iter()
        .map(|h| verdicts[&Profile::of(h, horizon)].entries.len())
        .sum();
    let shortlist = Shortlist::for_pairs(passing);
    // In parallel (rayon), in chunks of households, each with its own
    // cover; collected and merged in household order, so deterministic.
    let chunks: Vec<(Vec<HouseholdCandidates>, Option<Cover>)> = inputs
        .households
        .par_chunks(1024)
        .map(|chunk| {
            let mut cover = shortlist.map(|_| Cover::new(inputs.units.len()));
            let households = chunk
                .iter()
                .map(|h| {
                    household_candidates(
                        inputs,
                        scenario,
                        travel,
                        Shared {
                            reach: &reach[&h.language_school],
                            verdicts: &verdicts[&Profile::of(h, horizon)],
                            sites: &site_verdicts[&SiteProfile::of(h)],
                        },
                        counts,
                        (shortlist, cover.as_mut()),
                        h,
                    )
                })
                .collect();
            (households, cover)
        })
        .collect();
    let mut households = Vec::with_capacity(inputs.households.len());
    let mut cover: Option<Cover> = None;
    for (chunk, c) in chunks {
        households.extend(chunk);
        if let Some(c) = c {
            match &mut cover {
                None => cover = Some(c),
                Some(all) => all.merge(&c),
            }
        }
    }
    if let Some(cover) = cover {
        cover.apply(inputs, scenario, travel, &mut households);
    }
    refuse_conflicting_pins(inputs, scenario, &mut households);
    Candidates {
        households,
        shortlist,
    }
}

/// Pairs that pass the rules of the households' profiles (about the lawful
/// pairs) above which each household keeps only a shortlist of its lawful
/// dwellings. Size l has about 4.1e7, all kept (2 GB); xl about 1e9, which
/// no 8 GB machine can hold.
pub const SHORTLIST_ABOVE_PAIRS: usize = 100_000_000;

/// Each household's cheapest lawful dwellings in the model's terms
/// ([`crate::milp::pair_cost`]): the `top` cheapest, and up to `top` more
/// from the `per_district` cheapest in each district (the district caps
/// bind, so a household needs alternatives elsewhere), and its pinned
/// dwelling; a household pinned to a district keeps all of that district's
/// (the pin is resolved to one of them). The same heuristic as
/// the model's pruning (`milp`), applied while the candidates are built, so
/// that the other pairs are never stored. Every strategy then chooses from
/// the shortlist, except `fcfs`, which checks the rules as it goes down its
/// waiting list (as an officer would).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shortlist {
    pub top: usize,
    pub per_district: usize,
}

impl Shortlist {
    /// The shortlist for a scenario with this many pairs, if any
    /// (`BOLIGPLAN_SHORTLIST_TOP` sets `top` and forces it, for benchmarks).
    #[must_use]
    pub fn for_pairs(pairs: usize) -> Option<Self> {
        let top = std::env::var("BOLIGPLAN_SHORTLIST_TOP")
            .ok()
            .and_then(|v| v.parse::<usize>().ok());
        if pairs <= SHORTLIST_ABOVE_PAIRS && top.is_none() {
            return None;
        }
        Some(Self {
            top: top.unwrap_or(crate::milp::PRUNE_TOP_PER_HOUSEHOLD).max(1),
            per_district: crate::milp::PRUNE_TOP_PER_DISTRICT,
        })
    }

    /// In words, for `summary.json`.
    #[must_use]
    pub fn describe(&self) -> String {
        format!(
            "each household's {} cheapest lawful dwellings kept as candidates, and up to {} more, its {} cheapest in each other district, cheapest first (heuristic)",
            self.top, self.top, self.per_district
        )
    }

    /// Which of one household's lawful dwellings, given with their
    /// [`crate::milp::pair_cost`], make its shortlist (`keep` always).
    /// `slot` numbers a dwelling's district below `slots`.
    fn select(
        &self,
        costed: &[(f64, UnitId)],
        (slot, slots): (impl Fn(UnitId) -> usize, usize),
        keep: Option<UnitId>,
    ) -> Vec<bool> {
        let n = costed.len();
        if n <= self.top {
            return vec![true; n];
        }
        let order = |a: &usize, b: &usize| costed[*a].0.total_cmp(&costed[*b].0).then(a.cmp(b));
        let mut kept = vec![false; n];
        let mut index: Vec<usize> = (0..n).collect();
        index.select_nth_unstable_by(self.top - 1, order);
        for &i in &index[..self.top] {
            kept[i] = true;
        }
        // The cheapest few per district, in one pass.
        let mut best: Vec<Vec<usize>> = vec![Vec::new(); slots];
        for (i, &(_, unit)) in costed.iter().enumerate() {
            let list = &mut best[slot(unit)];
            let at = list.partition_point(|j| order(j, &i) == std::cmp::Ordering::Less);
            if at < self.per_district {
                list.insert(at, i);
                list.truncate(self.per_district);
            }
        }
        // The districts' cheapest not yet kept, cheapest first, at most
        // `top` of them (with a thousand districts, two per district would
        // be many times the top).
        let mut extra: Vec<usize> = best.into_iter().flatten().filter(|&i| !kept[i]).collect();
        extra.sort_unstable_by(order);
        for &i in extra.iter().take(self.top) {
            kept[i] = true;
        }
        if let Some(k) = keep
            && let Some(i) = costed.iter().position(|&(_, u)| u == k)
        {
            kept[i] = true;
        }
        kept
    }
}

/// How many households keep each lawful dwelling under a shortlist
/// ([`Cover`]): on xl seed 1, 3 instead of 1 made the objective 0.5 % better
/// and took 5 fewer steps, for 42,000 more pairs.
const COVER: usize = 3;

/// Under a shortlist, each lawful dwelling's [`COVER`] best households: those
/// for which it is the least worse than their own cheapest dwelling (ties:
/// the first household). Households' shortlists are alike (the
/// cheapest dwellings are cheap for many), so without it a dwelling that is
/// in no shortlist would be lost to the model; with it every dwelling that
/// is lawful for a household not pinned to a dwelling is in at least one
/// household's candidates.
struct Cover {
    /// Per unit, `COVER` slots, best first: (how much dearer than the
    /// household's cheapest, household).
    best: Vec<Option<(f64, HouseholdId)>>,
}

impl Cover {
    fn new(units: usize) -> Self {
        Self {
            best: vec![None; units * COVER],
        }
    }

    fn offer(&mut self, unit: UnitId, regret: f64, h: HouseholdId) {
        let slots = &mut self.best[unit.index() * COVER..(unit.index() + 1) * COVER];
        let better = |s: &Option<(f64, HouseholdId)>| {
            s.is_none_or(|(r, k)| regret.total_cmp(&r).then(h.cmp(&k)).is_lt())
        };
        if let Some(at) = slots.iter().position(better) {
            slots[at..].rotate_right(1);
            slots[at] = Some((regret, h));
        }
    }

    fn merge(&mut self, other: &Self) {
        for (i, b) in other.best.iter().enumerate() {
            if let Some((r, h)) = *b {
                self.offer(UnitId(crate::ids::to_u32(i / COVER)), r, h);
            }
        }
    }

    /// Adds each dwelling to its best households' candidates where their
    /// shortlists left it out (in unit order, as the rest).
    fn apply(
        &self,
        inputs: &Inputs,
        scenario: &Scenario,
        travel: &TravelTimes,
        households: &mut [HouseholdCandidates],
    ) {
        let mut added: Vec<Vec<UnitId>> = vec![Vec::new(); households.len()];
        for (i, b) in self.best.iter().enumerate() {
            if let Some((_, h)) = *b {
                let unit = UnitId(crate::ids::to_u32(i / COVER));
                let c = &households[h.index()];
                if c.permanent.binary_search_by_key(&unit, |o| o.unit).is_err() {
                    added[h.index()].push(unit);
                }
            }
        }
        for ((h, c), units) in inputs.households.iter().zip(households).zip(added) {
            if units.is_empty() {
                continue;
            }
            c.unlisted -= crate::ids::to_u32(units.len());
            c.cover.clone_from(&units);
            c.permanent.extend(units.into_iter().map(|u| {
                permanent_option(
                    scenario,
                    travel,
                    h,
                    c.arrival,
                    inputs.unit(u),
                    Loose { moved_in: false },
                )
            }));
            c.permanent.sort_unstable_by_key(|o| o.unit);
        }
    }
}

/// Where a temporary site stands in the order every strategy tries them:
/// Herning's (municipal building, private lease, container), then nearest
/// to the school, then id.
fn site_order(inputs: &Inputs, unit: UnitId, school_minutes: Option<f64>) -> (u8, f64, UnitId) {
    (
        inputs.unit(unit).kind.temporary_rank(),
        school_minutes.unwrap_or(0.0),
        unit,
    )
}

/// The units within travel reach of one language school.
struct Reach {
    /// Dwellings that the rules not about the household allow
    /// ([`check_unit`]), in unit order.
    permanent: Vec<UnitId>,
    /// Dwellings in reach, with those the rules refuse.
    seen: u32,
    /// How many dwellings in reach each of those rules refuses.
    excluded: BTreeMap<Reason, u32>,
    /// Temporary sites, in the order every strategy tries them.
    temporary: Vec<UnitId>,
    /// The temporary sites with an `available_until`, by that day.
    expiring: Vec<(Day, UnitId)>,
}

/// Pins must hold together: two pins to one dwelling, or pins that together
/// break a district or building cap, cannot all be honoured. In input order,
/// each lawful pin to a dwelling is kept if it fits next to the pins kept
/// before it, and refused with the rule it would break otherwise.
fn refuse_conflicting_pins(
    inputs: &Inputs,
    scenario: &Scenario,
    households: &mut [HouseholdCandidates],
) {
    let horizon = scenario.horizon_days;
    let mut used = vec![false; inputs.units.len()];
    let mut building: HashMap<&str, u32> = HashMap::new();
    let mut persons = vec![0u32; inputs.districts.len()];
    for (h, c) in inputs.households.iter().zip(households.iter_mut()) {
        if c.arrival >= horizon {
            continue;
        }
        let p = h.final_in(horizon).persons();
        let fits_with_kept = |unit: UnitId, building: &HashMap<&str, u32>, persons: &[u32]| {
            let u = inputs.unit(unit);
            if used[unit.index()] {
                Err(Reason::Taken)
            } else if building.get(u.building.as_str()).copied().unwrap_or(0)
                >= scenario.rules.max_households_per_building
            {
                Err(Reason::BuildingCap)
            } else if u.district.is_some_and(|d| {
                let district = inputs.district(d);
                persons[d.index()] + p
                    > crate::milp::district_capacity(
                        district.population,
                        district.newcomers,
                        scenario.rules.max_district_share,
                    )
            }) {
                Err(Reason::DistrictCap)
            } else {
                Ok(())
            }
        };
        let chosen = match (c.pin, c.pin_district) {
            (Some((pin, Ok(()))), _) if inputs.unit(pin).tenure == Tenure::Permanent => {
                let verdict = fits_with_kept(pin, &building, &persons);
                c.pin = Some((pin, verdict));
                verdict.ok().map(|()| pin)
            }
            (None, Some((d, Ok(())))) => {
                // The planner picks the dwelling: the cheapest pair in the
                // model's terms among those that fit next to the kept pins.
                let mut options: Vec<(f64, UnitId)> = c
                    .permanent
                    .iter()
                    .map(|o| (crate::milp::pair_cost(inputs, scenario, h, o), o.unit))
                    .collect();
                options.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                let mut refusals: BTreeMap<Reason, u32> = BTreeMap::new();
                let mut found = None;
                for (_, unit) in options {
                    match fits_with_kept(unit, &building, &persons) {
                        Ok(()) => {
                            found = Some(unit);
                            break;
                        }
                        Err(r) => *refusals.entry(r).or_default() += 1,
                    }
                }
                match found {
                    Some(unit) => c.pin = Some((unit, Ok(()))),
                    None => {
                        let reason = refusals
                            .iter()
                            .max_by_key(|(r, n)| (**n, std::cmp::Reverse(**r)))
                            .map_or(Reason::Taken, |(r, _)| *r);
                        c.pin_district = Some((d, Err(reason)));
                    }
                }
                found
            }
            _ => None,
        };
        if let Some(pin) = chosen {
            let u = inputs.unit(pin);
            used[pin.index()] = true;
            *building.entry(u.building.as_str()).or_default() += 1;
            if let Some(d) = u.district {
                persons[d.index()] += p;
            }
        }
    }
}

/// What the rules of a permanent dwelling look at in a household, except
/// its arrival: households with one profile get the same verdicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Profile {
    language_school: Option<PlaceId>,
    work_place: Option<PlaceId>,
    needs_accessible: bool,
    income_dkk: Option<i64>,
    initial: (u32, u32),
    last: (u32, u32),
}

impl Profile {
    fn of(h: &Household, horizon: Day) -> Self {
        let initial = h.initial();
        let last = h.final_in(horizon);
        Self {
            language_school: h.language_school,
            work_place: h.work_place,
            needs_accessible: h.needs_accessible,
            income_dkk: h.income_dkk,
            initial: (initial.adults, initial.children),
            last: (last.adults, last.children),
        }
    }
}

/// One profile's verdicts on the dwellings of its school's [`Reach`].
struct ProfileVerdicts {
    /// The dwellings that pass accessibility, size and affordability for
    /// the composition at the end of the horizon, in unit order.
    entries: Vec<Entry>,
    /// How many dwellings each of those rules refused.
    excluded: BTreeMap<Reason, u32>,
}

/// A dwelling that passes a profile's first rules.
struct Entry {
    unit: UnitId,
    /// Whether the rent is affordable before a reunion too.
    initial_affordable: bool,
    /// The first of the later rules (travel, work travel) it fails.
    later: Option<Reason>,
}

/// The rules of [`permanent_option_from`] that depend on the profile of
/// `h` only, in the same order, for the dwellings of `permanent`.
fn profile_verdicts(
    inputs: &Inputs,
    scenario: &Scenario,
    travel: &TravelTimes,
    permanent: &[UnitId],
    h: &Household,
) -> ProfileVerdicts {
    let horizon = scenario.horizon_days;
    let last = h.final_in(horizon);
    let initial = h.initial();
    let mut out = ProfileVerdicts {
        entries: Vec::new(),
        excluded: BTreeMap::new(),
    };
    for &uid in permanent {
        let u = inputs.unit(uid);
        let refused = if h.needs_accessible && !u.accessible {
            Some(Reason::Accessibility)
        } else if !fits(u, last.persons(), scenario) {
            Some(Reason::Size)
        } else if !money(scenario, h, last, u).affordable() {
            Some(Reason::Affordability)
        } else {
            None
        };
        match refused {
            Some(r) => *out.excluded.entry(r).or_default() += 1,
            None => out.entries.push(Entry {
                unit: uid,
                initial_affordable: initial == last || money(scenario, h, initial, u).affordable(),
                later: travel_ok(scenario, travel, h, u)
                    .and_then(|_| work_travel_ok(scenario, travel, h, u))
                    .err(),
            }),
        }
    }
    out
}

/// What the rules of a temporary site look at in a household, except its
/// arrival day itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct SiteProfile {
    language_school: Option<PlaceId>,
    work_place: Option<PlaceId>,
    needs_accessible: bool,
    /// Persons on the arrival day.
    persons: u32,
}

impl SiteProfile {
    fn of(h: &Household) -> Self {
        Self {
            language_school: h.language_school,
            work_place: h.work_place,
            needs_accessible: h.needs_accessible,
            persons: h.at(h.arrival.max(0)).persons(),
        }
    }
}

/// One site profile's verdicts on the temporary sites of its school's
/// [`Reach`], leaving out `available_until` against the arrival day.
struct SiteVerdicts {
    /// The sites that pass, in the school's order.
    sites: Arc<Vec<TemporaryOption>>,
    /// How many sites each rule refused.
    excluded: BTreeMap<Reason, u32>,
    /// The verdict on each of the school's `expiring` sites (`None`: passes).
    expiring: Vec<Option<Reason>>,
}

fn site_verdicts(
    inputs: &Inputs,
    scenario: &Scenario,
    travel: &TravelTimes,
    reach: &Reach,
    h: &Household,
) -> SiteVerdicts {
    // `check_temporary` without `available_until` against the arrival day.
    let persons = h.at(h.arrival.max(0)).persons();
    let check = |u: &Unit| check_site(inputs, scenario, travel, h, persons, u);
    let mut sites = Vec::new();
    let mut excluded: BTreeMap<Reason, u32> = BTreeMap::new();
    for &uid in &reach.temporary {
        match check(inputs.unit(uid)) {
            Ok(option) => sites.push(option),
            Err(r) => *excluded.entry(r).or_default() += 1,
        }
    }
    let expiring = reach
        .expiring
        .iter()
        .map(|&(_, uid)| check(inputs.unit(uid)).err())
        .collect();
    SiteVerdicts {
        sites: Arc::new(sites),
        excluded,
        expiring,
    }
}

/// The rules of a permanent dwelling that do not depend on the household
/// (for one that arrives within the horizon), in [`permanent_option_from`]'s
/// order: available from a day within the horizon to its end, not in a
/// forbidden district.
pub fn check_unit(inputs: &Inputs, scenario: &Scenario, u: &Unit) -> Result<(), Reason> {
    let horizon = scenario.horizon_days;
    if u.available_from >= horizon || u.available_until.is_some_and(|until| until < horizon - 1) {
        Err(Reason::Availability)
    } else if forbidden(inputs, scenario, u) {
        Err(Reason::ForbiddenDistrict)
    } else {
        Ok(())
    }
}

/// What a household shares with others: its school's reach, its profile's
/// and its site profile's verdicts.
struct Shared<'a> {
    reach: &'a Reach,
    verdicts: &'a ProfileVerdicts,
    sites: &'a SiteVerdicts,
}

fn household_candidates(
    inputs: &Inputs,
    scenario: &Scenario,
    travel: &TravelTimes,
    Shared {
        reach: in_reach,
        verdicts,
        sites,
    }: Shared,
    (n_perm, n_temp): (u32, u32),
    (shortlist, cover): (Option<Shortlist>, Option<&mut Cover>),
    h: &Household,
) -> HouseholdCandidates {
    let mut out = HouseholdCandidates {
        arrival: h.arrival.max(0),
        ..HouseholdCandidates::default()
    };
    let horizon = scenario.horizon_days;
    let perm_seen = in_reach.seen;
    let temp_seen = crate::ids::to_u32(in_reach.temporary.len());
    if out.arrival >= horizon {
        // Every dwelling fails availability first.
        if perm_seen > 0 {
            out.permanent_excluded
                .insert(Reason::Availability, perm_seen);
        }
    } else {
        // What `permanent_option_from` would say of each dwelling in reach:
        // the rules checked per school and per profile, then what the
        // move-in day changes (the composition before a reunion).
        out.permanent_excluded.clone_from(&in_reach.excluded);
        for (r, n) in &verdicts.excluded {
            *out.permanent_excluded.entry(*r).or_default() += n;
        }
        let last = h.final_in(horizon);
        let lawful = verdicts.entries.iter().filter_map(|e| {
            let u = inputs.unit(e.unit);
            let move_in = out.arrival.max(u.available_from);
            let refused = if !e.initial_affordable && h.at(move_in) != last {
                Some(Reason::Affordability)
            } else {
                e.later
            };
            match refused {
                Some(r) => {
                    *out.permanent_excluded.entry(r).or_default() += 1;
                    None
                }
                None => Some(u),
            }
        });
        let option = |u: &Unit| {
            permanent_option(
                scenario,
                travel,
                h,
                out.arrival,
                u,
                Loose { moved_in: false },
            )
        };
        // A partial pin keeps every lawful dwelling (of its district, below):
        // the pin is resolved to one of them, and a district is small.
        let partial_pin = h.locked_unit.is_none() && h.locked_district.is_some();
        match shortlist.filter(|_| !partial_pin) {
            None => out.permanent = lawful.map(option).collect(),
            Some(s) => {
                // Only the shortlist's options are stored.
                let costed: Vec<(f64, UnitId)> = lawful
                    .map(|u| {
                        let cost = crate::milp::pair_cost(inputs, scenario, h, &option(u));
                        (cost, u.id)
                    })
                    .collect();
                // Slot 0: no district.
                let slot = |u: UnitId| inputs.unit(u).district.map_or(0, |d| d.index() + 1);
                let kept = s.select(&costed, (slot, inputs.districts.len() + 1), h.locked_unit);
                out.permanent = costed
                    .iter()
                    .zip(&kept)
                    .filter(|&(_, &k)| k)
                    .map(|(&(_, unit), _)| option(inputs.unit(unit)))
                    .collect();
                out.unlisted = crate::ids::to_u32(costed.len() - out.permanent.len());
                if let Some(cover) = cover
                    && h.locked_unit.is_none()
                {
                    let least = costed.iter().map(|c| c.0).fold(f64::INFINITY, f64::min);
                    for &(cost, unit) in &costed {
                        cover.offer(unit, cost - least, h.id);
                    }
                }
            }
        }
    }
    // What `check_temporary` would say of each site in reach: the profile's
    // verdicts, except that a site given up before arrival fails
    // availability first.
    out.temporary = Arc::clone(&sites.sites);
    out.temporary_excluded.clone_from(&sites.excluded);
    let mut lawful = crate::ids::to_u32(sites.sites.len());
    for (&(until, _), verdict) in in_reach.expiring.iter().zip(&sites.expiring) {
        if until >= out.arrival {
            break;
        }
        match verdict {
            None => lawful -= 1,
            Some(r) => {
                let n = out
                    .temporary_excluded
                    .get_mut(r)
                    .expect("counted in the profile");
                *n -= 1;
                if *n == 0 {
                    out.temporary_excluded.remove(r);
                }
            }
        }
        *out.temporary_excluded
            .entry(Reason::Availability)
            .or_default() += 1;
    }
    out.temporary_lawful = lawful;
    if n_perm > perm_seen {
        *out.permanent_excluded.entry(Reason::Travel).or_default() += n_perm - perm_seen;
    }
    if n_temp > temp_seen {
        *out.temporary_excluded.entry(Reason::Travel).or_default() += n_temp - temp_seen;
    }
    if let Some(pin) = h.locked_unit {
        pin_unit(inputs, scenario, travel, h, pin, &mut out);
    } else if let Some(d) = h.locked_district {
        pin_district(inputs, scenario, travel, h, d, &mut out);
    }
    out
}

/// The verdict on a pin to one unit; a forced pin that breaks only
/// forceable rules becomes a candidate with those rules recorded.
fn pin_unit(
    inputs: &Inputs,
    scenario: &Scenario,
    travel: &TravelTimes,
    h: &Household,
    pin: UnitId,
    out: &mut HouseholdCandidates,
) {
    let u = inputs.unit(pin);
    let verdict = match u.tenure {
        Tenure::Permanent => {
            permanent_option_from(inputs, scenario, travel, h, out.arrival, u).map(|_| ())
        }
        Tenure::Temporary => {
            check_temporary(inputs, scenario, travel, h, out.arrival, u).map(|_| ())
        }
    };
    let moved_in = h.pin_origin == PinOrigin::MovedIn;
    let may_force = moved_in || inputs.decisions.force.is_some();
    let verdict = match verdict {
        Err(_) if may_force => {
            let loose = Loose { moved_in };
            let broken = broken_rules(inputs, scenario, travel, h, out.arrival, u, loose);
            let lawful_otherwise = broken.iter().all(|r| r.forceable() || moved_in);
            if lawful_otherwise {
                match u.tenure {
                    Tenure::Permanent => {
                        let option = permanent_option(scenario, travel, h, out.arrival, u, loose);
                        if !out.permanent.iter().any(|o| o.unit == pin) {
                            out.permanent.push(option);
                        }
                    }
                    Tenure::Temporary => {
                        // (A site given up before arrival may be on the
                        // shared list already, in its place.)
                        if !out.temporary.iter().any(|o| o.unit == pin) {
                            let sites = Arc::make_mut(&mut out.temporary);
                            sites.push(TemporaryOption {
                                unit: pin,
                                travel_min: travel.school_minutes(h, pin),
                                work_travel_min: travel.work_minutes(h, pin),
                            });
                            sites.sort_by(|a, b| {
                                let key =
                                    |o: &TemporaryOption| site_order(inputs, o.unit, o.travel_min);
                                key(a)
                                    .partial_cmp(&key(b))
                                    .expect("travel minutes are finite")
                            });
                        }
                        out.temporary_lawful += 1;
                    }
                }
                out.forced = broken;
                Ok(())
            } else {
                Err(*broken
                    .iter()
                    .find(|r| !r.forceable())
                    .expect("a rule that is not forceable"))
            }
        }
        other => other,
    };
    out.pin = Some((pin, verdict));
}

/// A partial pin: only the district's dwellings stay candidates.
fn pin_district(
    inputs: &Inputs,
    scenario: &Scenario,
    travel: &TravelTimes,
    h: &Household,
    d: DistrictId,
    out: &mut HouseholdCandidates,
) {
    let before = out.permanent.len();
    out.permanent
        .retain(|o| inputs.unit(o.unit).district == Some(d));
    let excluded = u32::try_from(before - out.permanent.len()).unwrap_or(u32::MAX);
    if excluded > 0 {
        *out.permanent_excluded.entry(Reason::Pin).or_default() += excluded;
    }
    let verdict = if out.permanent.is_empty() {
        // The rule that excluded most of the district's dwellings.
        let mut counts: BTreeMap<Reason, u32> = BTreeMap::new();
        for u in inputs
            .units
            .iter()
            .filter(|u| u.tenure == Tenure::Permanent && u.district == Some(d))
        {
            if let Err(r) = permanent_option_from(inputs, scenario, travel, h, out.arrival, u) {
                *counts.entry(r).or_default() += 1;
            }
        }
        Err(counts
            .iter()
            .max_by_key(|(r, n)| (**n, std::cmp::Reverse(**r)))
            .map_or(Reason::Availability, |(r, _)| *r))
    } else {
        Ok(())
    };
    out.pin_district = Some((d, verdict));
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
    match u.tenure {
        Tenure::Permanent => {
            permanent_option_from(inputs, scenario, travel, h, arrival, u).map(|_| ())
        }
        Tenure::Temporary => check_temporary(inputs, scenario, travel, h, arrival, u).map(|_| ()),
    }
}

/// Which rules a forced pin may pass over.
#[derive(Debug, Clone, Copy)]
struct Loose {
    /// Moved in already: every static rule, dates included, is a fact.
    moved_in: bool,
}

/// Every static rule the unit breaks for the household, each checked on its own.
fn broken_rules(
    inputs: &Inputs,
    scenario: &Scenario,
    travel: &TravelTimes,
    h: &Household,
    arrival: Day,
    u: &Unit,
    loose: Loose,
) -> Vec<Reason> {
    let horizon = scenario.horizon_days;
    let mut broken = Vec::new();
    let available = match u.tenure {
        Tenure::Permanent => {
            let move_in = arrival.max(u.available_from);
            move_in < horizon && u.available_until.is_none_or(|until| until >= horizon - 1)
        }
        Tenure::Temporary => {
            u.available_from < horizon && u.available_until.is_none_or(|until| until >= arrival)
        }
    };
    if !available && !loose.moved_in {
        broken.push(Reason::Availability);
    }
    if forbidden(inputs, scenario, u) {
        broken.push(Reason::ForbiddenDistrict);
    }
    if h.needs_accessible && !u.accessible {
        broken.push(Reason::Accessibility);
    }
    match u.tenure {
        Tenure::Permanent => {
            let option = permanent_option(scenario, travel, h, arrival, u, loose);
            if !fits(u, h.final_in(horizon).persons(), scenario) {
                broken.push(Reason::Size);
            }
            let at_move_in = money(scenario, h, h.at(option.move_in), u);
            let at_end = money(scenario, h, h.final_in(horizon), u);
            if !at_move_in.affordable() || !at_end.affordable() {
                broken.push(Reason::Affordability);
            }
        }
        Tenure::Temporary => {
            if u.capacity < h.at(arrival).persons() {
                broken.push(Reason::Capacity);
            }
        }
    }
    if travel_ok(scenario, travel, h, u).is_err() {
        broken.push(Reason::Travel);
    }
    if work_travel_ok(scenario, travel, h, u).is_err() {
        broken.push(Reason::WorkTravel);
    }
    broken
}

/// The household's budget in the unit with composition `comp`.
fn money(scenario: &Scenario, h: &Household, comp: crate::model::Composition, u: &Unit) -> Budget {
    budget(
        h,
        comp,
        u.rent_dkk,
        u.area_m2,
        &scenario.benefits,
        &scenario.housing_benefit,
        &scenario.rules.min_disposable,
    )
}

/// The permanent option of a unit without checking the rules (a forced pin).
fn permanent_option(
    scenario: &Scenario,
    travel: &TravelTimes,
    h: &Household,
    arrival: Day,
    u: &Unit,
    loose: Loose,
) -> PermanentOption {
    let horizon = scenario.horizon_days;
    let move_in = if loose.moved_in {
        arrival
    } else {
        arrival.max(u.available_from)
    };
    let last = h.final_in(horizon);
    let rooms_needed = last.persons().div_ceil(scenario.rules.max_persons_per_room);
    PermanentOption {
        unit: u.id,
        move_in,
        travel_min: travel.school_minutes(h, u.id),
        work_travel_min: travel.work_minutes(h, u.id),
        spare_rooms: u.rooms.saturating_sub(rooms_needed),
    }
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
pub fn district_forbidden(
    scenario: &Scenario,
    district: &crate::model::District,
    social_housing: bool,
) -> bool {
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

fn travel_ok(
    scenario: &Scenario,
    travel: &TravelTimes,
    h: &Household,
    u: &Unit,
) -> Result<Option<f64>, Reason> {
    match travel.school_minutes(h, u.id) {
        Some(m) if m > scenario.rules.max_travel_min => Err(Reason::Travel),
        other => Ok(other),
    }
}

/// The travel to the household's work place, within `max_work_travel_min`
/// when the scenario sets one.
fn work_travel_ok(
    scenario: &Scenario,
    travel: &TravelTimes,
    h: &Household,
    u: &Unit,
) -> Result<Option<f64>, Reason> {
    match (
        travel.work_minutes(h, u.id),
        scenario.rules.max_work_travel_min,
    ) {
        (Some(m), Some(max)) if m > max => Err(Reason::WorkTravel),
        (other, _) => Ok(other),
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
    let horizon = scenario.horizon_days;
    let move_in = arrival.max(u.available_from);
    if move_in >= horizon || u.available_until.is_some_and(|until| until < horizon - 1) {
        return Err(Reason::Availability);
    }
    if forbidden(inputs, scenario, u) {
        return Err(Reason::ForbiddenDistrict);
    }
    if h.needs_accessible && !u.accessible {
        return Err(Reason::Accessibility);
    }
    let last = h.final_in(horizon);
    if !fits(u, last.persons(), scenario) {
        return Err(Reason::Size);
    }
    let now = h.at(move_in);
    // Without a reunion in between, the two compositions are one.
    if !money(scenario, h, now, u).affordable()
        || (now != last && !money(scenario, h, last, u).affordable())
    {
        return Err(Reason::Affordability);
    }
    travel_ok(scenario, travel, h, u)?;
    work_travel_ok(scenario, travel, h, u)?;
    Ok(permanent_option(
        scenario,
        travel,
        h,
        arrival,
        u,
        Loose { moved_in: false },
    ))
}

fn check_temporary(
    inputs: &Inputs,
    scenario: &Scenario,
    travel: &TravelTimes,
    h: &Household,
    arrival: Day,
    u: &Unit,
) -> Result<TemporaryOption, Reason> {
    if u.available_until.is_some_and(|until| until < arrival) {
        return Err(Reason::Availability);
    }
    check_site(inputs, scenario, travel, h, h.at(arrival).persons(), u)
}

/// [`check_temporary`] without `available_until` against the arrival day,
/// for `persons` on that day.
fn check_site(
    inputs: &Inputs,
    scenario: &Scenario,
    travel: &TravelTimes,
    h: &Household,
    persons: u32,
    u: &Unit,
) -> Result<TemporaryOption, Reason> {
    if u.available_from >= scenario.horizon_days {
        return Err(Reason::Availability);
    }
    if forbidden(inputs, scenario, u) {
        return Err(Reason::ForbiddenDistrict);
    }
    if h.needs_accessible && !u.accessible {
        return Err(Reason::Accessibility);
    }
    if u.capacity < persons {
        return Err(Reason::Capacity);
    }
    let travel_min = travel_ok(scenario, travel, h, u)?;
    let work_travel_min = work_travel_ok(scenario, travel, h, u)?;
    Ok(TemporaryOption {
        unit: u.id,
        travel_min,
        work_travel_min,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shortlist's promise, checked by sorting: exactly the `top`
    /// cheapest, the `top` cheapest of the districts' `per_district`
    /// cheapest beyond them, and the pin.
    #[test]
    fn shortlist_keeps_the_cheapest_and_each_districts_best() {
        let mut state = 11_u64;
        let mut next = || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            state >> 33
        };
        for case in 0..200 {
            let n = 1 + (next() % 60) as usize;
            let districts = 1 + (next() % 12) as usize;
            let costed: Vec<(f64, UnitId)> = (0..n)
                .map(|i| {
                    (
                        (next() % 40) as f64 - 20.0,
                        UnitId(crate::ids::to_u32(i) * 3),
                    )
                })
                .collect();
            let district = |u: UnitId| (u.index() * 7 + u.index() / 5) % districts;
            let top = 1 + (next() % 8) as usize;
            let per_district = 1 + (next() % 3) as usize;
            let pin = (next() % 3 == 0).then(|| costed[(next() as usize) % n].1);
            let s = Shortlist { top, per_district };
            let kept = s.select(&costed, (district, districts), pin);
            assert_eq!(kept.len(), n);
            // Ranks by (cost, position), overall and within the district.
            let rank = |i: usize, within: bool| {
                (0..n)
                    .filter(|&k| !within || district(costed[k].1) == district(costed[i].1))
                    .filter(|&k| (costed[k].0, k) < (costed[i].0, i))
                    .count()
            };
            let in_top = |i: usize| n <= top || rank(i, false) < top;
            // The districts' best beyond the top, cheapest first: the first
            // `top` of them are kept, the rest only as the pin.
            let mut bests: Vec<usize> = (0..n)
                .filter(|&i| !in_top(i) && rank(i, true) < per_district)
                .collect();
            bests.sort_by(|&a, &b| {
                (costed[a].0, a)
                    .partial_cmp(&(costed[b].0, b))
                    .expect("finite")
            });
            for i in 0..n {
                let expected = in_top(i)
                    || bests.iter().position(|&k| k == i).is_some_and(|p| p < top)
                    || Some(costed[i].1) == pin;
                assert_eq!(kept[i], expected, "case {case}: dwelling {i}");
            }
            if let Some(p) = pin {
                let i = costed.iter().position(|&(_, u)| u == p).expect("a pin");
                assert!(kept[i], "case {case}: the pin left out");
            }
        }
    }
}
