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
use crate::model::{Day, Decisions, Household, Inputs, Pin, PinTarget, Tenure, Unit};
use crate::rules::{self, Layer, PERMANENT, Subject, TEMPORARY, cost};
pub use crate::rules::{PermanentOption, Reason, TemporaryOption};
use crate::scenario::Scenario;
use crate::travel::TravelTimes;
use crate::tuning::Tuning;

mod layers;
mod pins;
mod shortlist;

use layers::{
    Profile, ProfileVerdicts, SiteProfile, SiteVerdicts, profile_verdicts, site_verdicts,
};
use pins::{pin_district, pin_unit, refuse_conflicting_pins};
use shortlist::Cover;
pub use shortlist::Shortlist;

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
    /// The pin is the temporary place the household lives in on the start
    /// (`--previous`), a fact rather than the officer's pin: a move out of
    /// it is reported in `replanning`, not as a refused pin.
    pub resident: bool,
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
    decisions: &Decisions,
    tuning: &Tuning,
) -> Candidates {
    let max = scenario.rules.max_travel_min;
    // Units within reach, per language school (`None`: the nearest one):
    // the dwellings in unit order, the temporary sites in the order every
    // strategy tries them ([`site_order`]), which depends on the school
    // only, so each household's sites come out in that order.
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
            let key = |u: UnitId| {
                site_order(
                    inputs,
                    scenario,
                    u,
                    travel.school_minutes_from(h.language_school, u),
                )
            };
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
                        (inputs, scenario, travel, decisions),
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
    refuse_conflicting_pins(inputs, scenario, decisions, &mut households);
    Candidates {
        households,
        shortlist,
    }
}

/// Where a temporary site stands in the order every strategy tries them:
/// its kind in `temporary.order` (Herning's by default: municipal building,
/// private lease, container), then nearest to the school, then cheapest
/// for the municipality (`cost` per person), then lowest charge, then id.
pub(crate) fn site_order(
    inputs: &Inputs,
    scenario: &Scenario,
    unit: UnitId,
    school_minutes: Option<f64>,
) -> (usize, f64, i64, i64, UnitId) {
    let u = inputs.unit(unit);
    (
        scenario.temporary.rank(u.kind),
        school_minutes.unwrap_or(0.0),
        u.cost_dkk,
        u.rent_dkk,
        unit,
    )
}

/// The units within travel reach of one language school.
pub(super) struct Reach {
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

/// What a household shares with others: its school's reach, its profile's
/// and its site profile's verdicts.
struct Shared<'a> {
    reach: &'a Reach,
    verdicts: &'a ProfileVerdicts,
    sites: &'a SiteVerdicts,
}

fn household_candidates(
    (inputs, scenario, travel, decisions): (&Inputs, &Scenario, &TravelTimes, &Decisions),
    Shared {
        reach: in_reach,
        verdicts,
        sites,
    }: Shared,
    (n_perm, n_temp): (u32, u32),
    (shortlist, cover): (Option<Shortlist>, Option<&mut Cover>),
    h: &Household,
) -> HouseholdCandidates {
    let pin = decisions.pin(h.id);
    let locked_unit = pin.and_then(Pin::unit);
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
            // The move-in rules on the household's move-in days.
            let refused = match rules::lawful_day(&PERMANENT[..before], &[Layer::MoveIn], &s) {
                Err(refusal) => Err(refusal),
                Ok(day) => e.later.map_or(Ok(day), Err),
            };
            match refused {
                Err((_, r)) => {
                    *out.permanent_excluded.entry(r).or_default() += 1;
                    None
                }
                Ok(day) => Some((u, day)),
            }
        });
        let option = |(u, day): (&Unit, Day)| {
            rules::permanent_option(
                &Subject::new(inputs, scenario, travel, h, out.arrival, u).on(day),
            )
        };
        // A partial pin keeps every lawful dwelling (of its district, below):
        // the pin is resolved to one of them, and a district is small.
        let partial_pin = pin.and_then(Pin::district).is_some();
        match shortlist.filter(|_| !partial_pin) {
            None => out.permanent = lawful.map(option).collect(),
            Some(s) => {
                // Only the shortlist's options are stored.
                let options: Vec<PermanentOption> = lawful.map(option).collect();
                let costed: Vec<(f64, UnitId)> = options
                    .iter()
                    .map(|o| (cost::pair_cost(inputs, scenario, decisions, h, o), o.unit))
                    .collect();
                // Slot 0: no district.
                let slot = |u: UnitId| inputs.unit(u).district.map_or(0, |d| d.index() + 1);
                let kept = s.select(&costed, (slot, inputs.districts.len() + 1), locked_unit);
                out.permanent = options
                    .into_iter()
                    .zip(&kept)
                    .filter(|&(_, &k)| k)
                    .map(|(o, _)| o)
                    .collect();
                out.unlisted = crate::ids::to_u32(costed.len() - out.permanent.len());
                if let Some(cover) = cover
                    && locked_unit.is_none()
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
    match pin.map(|p| (p.target, p.origin)) {
        Some((PinTarget::Unit(unit), origin)) => pin_unit(
            (inputs, scenario, travel, decisions),
            h,
            (unit, origin),
            &mut out,
        ),
        Some((PinTarget::District(d), _)) => {
            pin_district(inputs, scenario, travel, h, d, &mut out);
        }
        None => {}
    }
    out
}
