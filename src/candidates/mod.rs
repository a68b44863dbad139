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

use crate::ids::{DistrictId, HouseholdId, PlaceId, UnitId};
use crate::model::{Day, Household, Inputs, PinOrigin, Tenure, Unit};
use crate::rules::occupancy::{Home, Occupancy};
use crate::rules::{self, ALL_LAYERS, Layer, PERMANENT, Subject, TEMPORARY, cost};
pub use crate::rules::{PermanentOption, Reason, TemporaryOption};
use crate::scenario::Scenario;
use crate::travel::TravelTimes;
use crate::tuning::{
    PRUNE_TOP_PER_DISTRICT, PRUNE_TOP_PER_HOUSEHOLD, SHORTLIST_ABOVE_PAIRS, Tuning,
};

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
pub fn build(
    inputs: &Inputs,
    scenario: &Scenario,
    travel: &TravelTimes,
    tuning: &Tuning,
) -> Candidates {
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
            // The rules of the unit alone come before every rule about the
            // household (one that arrives within the horizon): checked
            // once per school.
            let seen = crate::ids::to_u32(permanent.len());
            let mut excluded: BTreeMap<Reason, u32> = BTreeMap::new();
            let permanent = permanent
                .into_iter()
                .filter(|&u| {
                    match rules::unit_refusal(&PERMANENT, inputs, scenario, inputs.unit(u)) {
                        None => true,
                        Some((_, r)) => {
                            *excluded.entry(r).or_default() += 1;
                            false
                        }
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
    let shortlist = Shortlist::for_pairs(passing, tuning);
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

/// Each household's cheapest lawful dwellings in the model's terms
/// ([`cost::pair_cost`]): the `top` cheapest, and up to `top` more
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
    /// The shortlist for a scenario with this many pairs (those that pass
    /// the rules of the households' profiles, about the lawful pairs), if
    /// any (`tuning.shortlist_top` sets `top` and forces it, for benchmarks).
    #[must_use]
    pub fn for_pairs(pairs: usize, tuning: &Tuning) -> Option<Self> {
        let top = tuning.shortlist_top;
        if pairs <= SHORTLIST_ABOVE_PAIRS && top.is_none() {
            return None;
        }
        Some(Self {
            top: top.unwrap_or(PRUNE_TOP_PER_HOUSEHOLD).max(1),
            per_district: PRUNE_TOP_PER_DISTRICT,
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
    /// [`cost::pair_cost`], make its shortlist (`keep` always).
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
                rules::permanent_option(&Subject::new(
                    inputs,
                    scenario,
                    travel,
                    h,
                    c.arrival,
                    inputs.unit(u),
                ))
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
    let mut kept = Occupancy::of_inputs(inputs, scenario);
    for (h, c) in inputs.households.iter().zip(households.iter_mut()) {
        if c.arrival >= horizon {
            continue;
        }
        let p = h.final_in(horizon).persons();
        let fits_with_kept = |unit: UnitId| kept.fits(Home::of(inputs, unit), p);
        let chosen = match (c.pin, c.pin_district) {
            (Some((pin, Ok(()))), _) if inputs.unit(pin).tenure == Tenure::Permanent => {
                let verdict = fits_with_kept(pin);
                c.pin = Some((pin, verdict));
                verdict.ok().map(|()| pin)
            }
            (None, Some((d, Ok(())))) => {
                // The planner picks the dwelling: the cheapest pair in the
                // model's terms among those that fit next to the kept pins.
                let mut options: Vec<(f64, UnitId)> = c
                    .permanent
                    .iter()
                    .map(|o| (cost::pair_cost(inputs, scenario, h, o), o.unit))
                    .collect();
                options.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                let mut refusals: BTreeMap<Reason, u32> = BTreeMap::new();
                let mut found = None;
                for (_, unit) in options {
                    match fits_with_kept(unit) {
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
            kept.add(Home::of(inputs, pin), p);
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

/// A dwelling that passes a profile's rules that come before the first
/// move-in rule.
struct Entry {
    unit: UnitId,
    /// Whether the rent is affordable for the initial composition (what
    /// [`rules::Condition::AffordableOnMoveIn`] asks before a reunion).
    initial_affordable: bool,
    /// The first profile rule after the first move-in rule that it fails:
    /// its position in [`PERMANENT`] and its reason.
    later: Option<(usize, Reason)>,
}

/// The [`Layer::Profile`] rules of [`PERMANENT`] for the profile of `h`,
/// for the dwellings of `permanent`. A dwelling refused by a rule before
/// the first [`Layer::MoveIn`] rule is refused for every household of the
/// profile; one refused after it may still be refused earlier by that
/// move-in rule, so its refusal waits in [`Entry::later`].
fn profile_verdicts(
    inputs: &Inputs,
    scenario: &Scenario,
    travel: &TravelTimes,
    permanent: &[UnitId],
    h: &Household,
) -> ProfileVerdicts {
    let move_in_rules = rules::first_of(&PERMANENT, Layer::MoveIn);
    let initial = h.initial();
    let mut out = ProfileVerdicts {
        entries: Vec::new(),
        excluded: BTreeMap::new(),
    };
    for &uid in permanent {
        let u = inputs.unit(uid);
        // The profile rules do not look at the arrival day.
        let s = Subject::new(inputs, scenario, travel, h, h.arrival.max(0), u);
        match rules::first_refusal(&PERMANENT, &[Layer::Profile], &s) {
            Some((i, r)) if i < move_in_rules => *out.excluded.entry(r).or_default() += 1,
            later => out.entries.push(Entry {
                unit: uid,
                initial_affordable: s.affordable(initial),
                later,
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
    // The rules of the unit and the profile: the move-in rules (the site
    // still open on the arrival day) come first, decided per household.
    let check = |u: &Unit| {
        let s = Subject::new(inputs, scenario, travel, h, h.arrival.max(0), u);
        match rules::first_refusal(&TEMPORARY, &[Layer::Unit, Layer::Profile], &s) {
            Some((_, r)) => Err(r),
            None => Ok(rules::temporary_option(&s)),
        }
    };
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
    let perm_seen = in_reach.seen;
    let temp_seen = crate::ids::to_u32(in_reach.temporary.len());
    // Any unit will do for the rules of the household alone.
    let household_refusal = inputs.units.first().and_then(|u| {
        let s = Subject::new(inputs, scenario, travel, h, out.arrival, u);
        rules::first_refusal(&PERMANENT, &[Layer::Household], &s)
    });
    if let Some((_, r)) = household_refusal {
        // Every dwelling fails it first.
        if perm_seen > 0 {
            out.permanent_excluded.insert(r, perm_seen);
        }
    } else {
        // What the whole list would say of each dwelling in reach: the
        // rules checked per school and per profile, then the move-in rules
        // that come before the profile's refusal (the composition before a
        // reunion).
        out.permanent_excluded.clone_from(&in_reach.excluded);
        for (r, n) in &verdicts.excluded {
            *out.permanent_excluded.entry(*r).or_default() += n;
        }
        let lawful = verdicts.entries.iter().filter_map(|e| {
            let u = inputs.unit(e.unit);
            let s = Subject {
                initial_affordable: Some(e.initial_affordable),
                ..Subject::new(inputs, scenario, travel, h, out.arrival, u)
            };
            let before = e.later.map_or(PERMANENT.len(), |(i, _)| i);
            let refused = rules::first_refusal(&PERMANENT[..before], &[Layer::MoveIn], &s)
                .or(e.later)
                .map(|(_, r)| r);
            match refused {
                Some(r) => {
                    *out.permanent_excluded.entry(r).or_default() += 1;
                    None
                }
                None => Some(u),
            }
        });
        let option = |u: &Unit| {
            rules::permanent_option(&Subject::new(inputs, scenario, travel, h, out.arrival, u))
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
                        let cost = cost::pair_cost(inputs, scenario, h, &option(u));
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
    // What the whole list would say of each site in reach: the profile's
    // verdicts, except where a move-in rule (which comes first) refuses the
    // site: one given up before arrival. Only sites with an end can be
    // given up, and once one by that day is open, the later ones are.
    out.temporary = Arc::clone(&sites.sites);
    out.temporary_excluded.clone_from(&sites.excluded);
    let mut lawful = crate::ids::to_u32(sites.sites.len());
    for (&(_, unit), verdict) in in_reach.expiring.iter().zip(&sites.expiring) {
        let s = Subject::new(inputs, scenario, travel, h, out.arrival, inputs.unit(unit));
        let Some((_, refusal)) = rules::first_refusal(&TEMPORARY, &[Layer::MoveIn], &s) else {
            break;
        };
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
        *out.temporary_excluded.entry(refusal).or_default() += 1;
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
    let moved_in = h.pin_origin == PinOrigin::MovedIn;
    let lawful = Subject::new(inputs, scenario, travel, h, out.arrival, u);
    let verdict = match rules::first_refusal(rules::rules_of(u.tenure), &ALL_LAYERS, &lawful) {
        Some((_, r)) => Err(r),
        None => Ok(()),
    };
    let may_force = moved_in || inputs.decisions.force.is_some();
    let verdict = match verdict {
        Err(_) if may_force => {
            let forced = Subject { moved_in, ..lawful };
            let broken = rules::broken_rules(&forced);
            let lawful_otherwise = broken.iter().all(|r| r.forceable() || moved_in);
            if lawful_otherwise {
                match u.tenure {
                    Tenure::Permanent => {
                        let option = rules::permanent_option(&forced);
                        if !out.permanent.iter().any(|o| o.unit == pin) {
                            out.permanent.push(option);
                        }
                    }
                    Tenure::Temporary => {
                        // (A site given up before arrival may be on the
                        // shared list already, in its place.)
                        if !out.temporary.iter().any(|o| o.unit == pin) {
                            let sites = Arc::make_mut(&mut out.temporary);
                            sites.push(rules::temporary_option(&forced));
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
            if let Err(r) =
                rules::permanent_option_from(inputs, scenario, travel, h, out.arrival, u)
            {
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
