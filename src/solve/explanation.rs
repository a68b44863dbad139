//! Why a household got less than it needed, as facts: the binding rule and
//! the parts of the explanation (ids, counts, days), never sentences.
//!
//! Invariant: nothing here holds prose; the officer's words are made from
//! these values in one place (`evaluate::reasons`), so that the same facts
//! can be said in another language.

use std::collections::BTreeMap;

use crate::candidates::Reason;
use crate::ids::{DistrictId, UnitId};
use crate::model::Day;

/// Why a household did not get (all of) what it needed: the binding rule
/// (`reason_code`) and the parts of the explanation, said in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    pub reason: Reason,
    pub parts: Vec<Why>,
}

/// One part of an [`Explanation`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Why {
    /// The household arrives on day `arrival`, at or after the end of a
    /// plan of `horizon` days.
    ArrivesAfterPlan { arrival: Day, horizon: Day },
    /// The units of one kind that were weighed, and how many each rule
    /// excluded, most first (ties in rule order); empty: the stock has none.
    Counted {
        what: Weighed,
        counts: Vec<(Reason, u32)>,
    },
    /// A temporary place holds the household from arrival until day `until`
    /// (exclusive), not to the end of the plan.
    HousedUntil { until: Day },
    /// All `fitting` temporary places the rules allow are full on the
    /// arrival day.
    TemporaryFull { fitting: u32 },
    /// The pin to `unit` is refused by `rule`.
    PinRefused { unit: UnitId, rule: Reason },
    /// The plan does not follow the pin to `unit`.
    PinNotFollowed { unit: UnitId, because: NotFollowed },
    /// The plan does not follow the pin to `district`: no dwelling there
    /// can be used, `most_often` because of that rule.
    DistrictPinNotFollowed {
        district: DistrictId,
        most_often: Reason,
    },
}

/// Which units a [`Why::Counted`] counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weighed {
    /// No permanent dwelling passes the static rules.
    NoPermanentFits,
    /// `fitting` permanent dwellings pass the static rules, none could be used.
    PermanentUnusable { fitting: usize },
    /// No temporary place passes the static rules.
    NoTemporaryFits,
}

/// Why a pin to a unit is not followed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotFollowed {
    /// The rule that refused it (or stopped the household).
    Rule(Reason),
    /// A pinned temporary place is not needed: the household moves into its
    /// permanent home on arrival.
    NotNeeded,
    /// What kept the household from the pinned unit, said in full.
    Because(Vec<Why>),
}

impl Explanation {
    /// One part with its binding rule.
    #[must_use]
    pub fn of(reason: Reason, why: Why) -> Self {
        Self {
            reason,
            parts: vec![why],
        }
    }

    /// The units of one kind weighed, with how many each rule excluded; the
    /// rule that excluded the most is the binding reason (no units at all:
    /// availability).
    #[must_use]
    pub fn counted(what: Weighed, counts: &BTreeMap<Reason, u32>) -> Self {
        let mut sorted: Vec<(Reason, u32)> = counts.iter().map(|(r, n)| (*r, *n)).collect();
        sorted.sort_by_key(|(r, n)| (std::cmp::Reverse(*n), *r));
        let reason = sorted.first().map_or(Reason::Availability, |(r, _)| *r);
        Self::of(
            reason,
            Why::Counted {
                what,
                counts: sorted,
            },
        )
    }

    /// A refused pin said first: the officer asked for a unit, so that
    /// refusal is what they need to see first, and it is the binding reason.
    #[must_use]
    pub fn after_pin(mut self, pin: Option<Explanation>) -> Self {
        if let Some(pin) = pin {
            self.reason = Reason::Pin;
            let mut parts = pin.parts;
            parts.append(&mut self.parts);
            self.parts = parts;
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule_that_excluded_the_most_binds_and_is_said_first() {
        let counts = BTreeMap::from([(Reason::Travel, 3), (Reason::Size, 3), (Reason::Taken, 5)]);
        let e = Explanation::counted(Weighed::NoPermanentFits, &counts);
        assert_eq!(e.reason, Reason::Taken);
        assert_eq!(
            e.parts,
            vec![Why::Counted {
                what: Weighed::NoPermanentFits,
                counts: vec![(Reason::Taken, 5), (Reason::Size, 3), (Reason::Travel, 3)],
            }]
        );
        let none = Explanation::counted(Weighed::NoTemporaryFits, &BTreeMap::new());
        assert_eq!(none.reason, Reason::Availability);
    }

    #[test]
    fn a_refused_pin_comes_first_and_binds() {
        let pin = Explanation::of(
            Reason::Pin,
            Why::PinRefused {
                unit: UnitId(4),
                rule: Reason::Size,
            },
        );
        let why = Explanation::of(Reason::Capacity, Why::TemporaryFull { fitting: 2 });
        let e = why.clone().after_pin(Some(pin.clone()));
        assert_eq!(e.reason, Reason::Pin);
        assert_eq!(e.parts, vec![pin.parts[0].clone(), why.parts[0].clone()]);
        assert_eq!(why.clone().after_pin(None), why);
    }
}
