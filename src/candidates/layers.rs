//! The shared verdicts of the candidate caches: the rules of a permanent
//! dwelling decided once per household profile ([`Profile`]), those of a
//! temporary site once per site profile ([`SiteProfile`]), for the units
//! of one language school's reach.
//!
//! Invariant: a verdict here depends only on the profile, never on the
//! household's arrival day (the move-in rules are decided per household).

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::ids::{PlaceId, UnitId};
use crate::model::{Day, Household, Inputs, Unit};
use crate::rules::{self, Layer, PERMANENT, Reason, Subject, TEMPORARY, TemporaryOption};
use crate::scenario::Scenario;
use crate::travel::TravelTimes;

use super::Reach;

/// What the rules of a permanent dwelling look at in a household, except
/// its arrival: households with one profile get the same verdicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct Profile {
    pub(super) language_school: Option<PlaceId>,
    pub(super) work_place: Option<PlaceId>,
    pub(super) needs_accessible: bool,
    pub(super) income_dkk: Option<i64>,
    pub(super) initial: (u32, u32),
    pub(super) last: (u32, u32),
}

impl Profile {
    pub(super) fn of(h: &Household, horizon: Day) -> Self {
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
pub(super) struct ProfileVerdicts {
    /// The dwellings that pass accessibility, size and affordability for
    /// the composition at the end of the horizon, in unit order.
    pub(super) entries: Vec<Entry>,
    /// How many dwellings each of those rules refused.
    pub(super) excluded: BTreeMap<Reason, u32>,
}

/// A dwelling that passes a profile's rules that come before the first
/// move-in rule.
pub(super) struct Entry {
    pub(super) unit: UnitId,
    /// Whether the rent is affordable for the initial composition (what
    /// [`rules::Condition::AffordableOnMoveIn`] asks before a reunion).
    pub(super) initial_affordable: bool,
    /// The first profile rule after the first move-in rule that it fails:
    /// its position in [`PERMANENT`] and its reason.
    pub(super) later: Option<(usize, Reason)>,
}

/// The [`Layer::Profile`] rules of [`PERMANENT`] for the profile of `h`,
/// for the dwellings of `permanent`. A dwelling refused by a rule before
/// the first [`Layer::MoveIn`] rule is refused for every household of the
/// profile; one refused after it may still be refused earlier by that
/// move-in rule, so its refusal waits in [`Entry::later`].
pub(super) fn profile_verdicts(
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
pub(super) struct SiteProfile {
    pub(super) language_school: Option<PlaceId>,
    pub(super) work_place: Option<PlaceId>,
    pub(super) needs_accessible: bool,
    /// Persons on the arrival day.
    pub(super) persons: u32,
}

impl SiteProfile {
    pub(super) fn of(h: &Household) -> Self {
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
pub(super) struct SiteVerdicts {
    /// The sites that pass, in the school's order.
    pub(super) sites: Arc<Vec<TemporaryOption>>,
    /// How many sites each rule refused.
    pub(super) excluded: BTreeMap<Reason, u32>,
    /// The verdict on each of the school's `expiring` sites (`None`: passes).
    pub(super) expiring: Vec<Option<Reason>>,
}

pub(super) fn site_verdicts(
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
