//! The objective's terms, written once: what a pair (household,
//! permanent option) costs in the model of docs/model.md. The candidates'
//! shortlist, the model's pairs, the plan's objective and `explain` all
//! use [`pair_terms`] / [`pair_cost`].
//!
//! Invariant: a pair's cost is the sum of its terms, in [`Term::PAIR`]
//! order (the float sum is the same everywhere).

use crate::economy::DAYS_PER_MONTH;
use crate::model::{Decisions, Household, Inputs};
use crate::rules::PermanentOption;
use crate::scenario::Scenario;

/// One term of the objective, as `explain` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Term {
    Permanent,
    DaysSaved,
    Travel,
    WorkTravel,
    EmptyRent,
    SpareRooms,
    KeptProposal,
    /// The district's marginal spread penalty (not a term of the pair's
    /// cost: the model prices spread per district).
    Spread,
}

impl Term {
    /// The terms of a pair's cost, in the order of [`Terms::values`].
    pub const PAIR: [Term; 7] = [
        Term::Permanent,
        Term::DaysSaved,
        Term::Travel,
        Term::WorkTravel,
        Term::EmptyRent,
        Term::SpareRooms,
        Term::KeptProposal,
    ];

    /// The name in `explain --json` and in docs/model.md.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Term::Permanent => "permanent",
            Term::DaysSaved => "days_saved",
            Term::Travel => "travel",
            Term::WorkTravel => "work_travel",
            Term::EmptyRent => "empty_rent",
            Term::SpareRooms => "spare_rooms",
            Term::KeptProposal => "kept_proposal",
            Term::Spread => "spread",
        }
    }

    /// A few words for an officer.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Term::Permanent => "permanent home",
            Term::DaysSaved => "temporary days saved",
            Term::Travel => "travel",
            Term::WorkTravel => "travel to work",
            Term::EmptyRent => "empty rent",
            Term::SpareRooms => "spare rooms",
            Term::KeptProposal => "kept earlier proposal",
            Term::Spread => "district spread",
        }
    }
}

/// Σ persons over the days `from..to` (`PD_h` of docs/model.md).
#[must_use]
pub fn person_days(h: &Household, from: i64, to: i64) -> f64 {
    // Persons change at most once (the reunion), so two spans suffice.
    let split = h.reunion.as_ref().map_or(to, |r| r.day.clamp(from, to));
    let before = (split - from).max(0) as f64 * f64::from(h.at(from).persons());
    let after = (to - split).max(0) as f64 * f64::from(h.at(to - 1).persons());
    before + after
}

/// The named terms of a pair's objective coefficient (docs/model.md), each
/// with its sign: negative terms are rewards. [`pair_cost`] is their sum;
/// `explain` shows them one by one.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Terms {
    /// `−π(h)·p_h`: the persons housed permanently, by household type.
    pub permanent: f64,
    /// `−τ(h)·PD_h(m_j, T)`: the temporary person-days the home saves.
    pub days_saved: f64,
    /// `w_travel·travel_j`: minutes to the language school.
    pub travel: f64,
    /// `w_work·work_j`: minutes to the household's work place, if any.
    pub work_travel: f64,
    /// `w_empty·empty_j`: empty rent paid while the dwelling waits.
    pub empty_rent: f64,
    /// `w_room·spare_j`: rooms beyond what the size rule needs.
    pub spare_rooms: f64,
    /// `−changed_proposal` when re-planning keeps the earlier proposal.
    pub kept_proposal: f64,
}

impl Terms {
    /// The terms in the order of [`Term::PAIR`].
    #[must_use]
    pub fn values(&self) -> [f64; 7] {
        [
            self.permanent,
            self.days_saved,
            self.travel,
            self.work_travel,
            self.empty_rent,
            self.spare_rooms,
            self.kept_proposal,
        ]
    }

    /// The pair's objective coefficient: the sum of the terms.
    #[must_use]
    pub fn total(&self) -> f64 {
        self.values().iter().sum()
    }
}

/// The named terms of the pair (household, permanent option): the reward
/// for the persons housed and the temporary days saved, less travel, empty
/// rent and spare rooms; when re-planning, keeping the earlier proposal earns
/// back its `changed_proposal` cost (counted in the constant).
#[must_use]
pub fn pair_terms(
    inputs: &Inputs,
    scenario: &Scenario,
    decisions: &Decisions,
    h: &Household,
    o: &PermanentOption,
) -> Terms {
    let w = &scenario.weights;
    let horizon = scenario.horizon_days;
    let t = h.household_type(horizon);
    let persons = h.final_in(horizon).persons();
    let u = inputs.unit(o.unit);
    let saved = person_days(h, o.move_in, horizon);
    let empty_days = (o.move_in - u.available_from.max(0)).max(0) as f64;
    let kept = decisions
        .proposal(h.id)
        .is_some_and(|p| p.unit == Some(o.unit));
    Terms {
        permanent: -w.permanent_person.of(t) * f64::from(persons),
        days_saved: -w.temporary_person_day.of(t) * saved,
        travel: w.travel_minute * o.travel_min.unwrap_or(0.0),
        work_travel: w.work_travel_per_minute * o.work_travel_min.unwrap_or(0.0),
        empty_rent: w.empty_rent_dkk * empty_days * u.cost_dkk as f64 / DAYS_PER_MONTH,
        spare_rooms: w.spare_room * f64::from(o.spare_rooms),
        kept_proposal: if kept { -w.changed_proposal } else { 0.0 },
    }
}

/// The objective coefficient of the pair (household, permanent option): the
/// sum of its [`pair_terms`].
#[must_use]
pub fn pair_cost(
    inputs: &Inputs,
    scenario: &Scenario,
    decisions: &Decisions,
    h: &Household,
    o: &PermanentOption,
) -> f64 {
    pair_terms(inputs, scenario, decisions, h, o).total()
}
