//! The officer's sentence for an [`Explanation`]: `plan.csv`'s `reason`.
//!
//! `solve` says why a household got less as facts ([`Why`]); this module is
//! the one place that turns them into English, naming units and districts
//! and writing days as dates. Each rule's own short phrase is
//! [`Reason::words`]; every other word of these sentences is here, so that a
//! second language is one more match over the same enums.

use crate::candidates::Reason;
use crate::model::Inputs;
use crate::scenario::Scenario;
use crate::solve::{Explanation, NotFollowed, Weighed, Why};

/// The explanation as one sentence: its parts in order, joined by "; ".
#[must_use]
pub fn sentence(inputs: &Inputs, scenario: &Scenario, explanation: &Explanation) -> String {
    parts(inputs, scenario, &explanation.parts)
}

fn parts(inputs: &Inputs, scenario: &Scenario, parts: &[Why]) -> String {
    parts
        .iter()
        .map(|why| part(inputs, scenario, why))
        .collect::<Vec<_>>()
        .join("; ")
}

fn part(inputs: &Inputs, scenario: &Scenario, why: &Why) -> String {
    match why {
        Why::ArrivesAfterPlan { arrival, horizon } => format!(
            "arrives on day {arrival} of a plan of {horizon} days: {}",
            Reason::ArrivalAfterHorizon.words()
        ),
        Why::Counted { what, counts } => {
            let what = match what {
                Weighed::NoPermanentFits => "no permanent dwelling fits".to_string(),
                Weighed::PermanentUnusable { fitting } => {
                    format!("none of the {fitting} fitting permanent dwellings could be used")
                }
                Weighed::NoTemporaryFits => "no temporary place fits".to_string(),
            };
            if counts.is_empty() {
                format!("{what}: the stock has none")
            } else {
                let counts: Vec<String> = counts
                    .iter()
                    .map(|(rule, n)| format!("{n} {}", rule.words()))
                    .collect();
                format!("{what}: {}", counts.join(", "))
            }
        }
        Why::HousedUntil { until } => format!(
            "no temporary place has room for the whole stay: housed until {} only",
            scenario.date(*until)
        ),
        Why::TemporaryFull { fitting } => {
            format!("all {fitting} fitting temporary places are full on the arrival day")
        }
        Why::PinRefused { unit, rule } => {
            format!(
                "pin to {} refused: {}",
                inputs.unit(*unit).name,
                rule.words()
            )
        }
        Why::PinNotFollowed { unit, because } => {
            let because = match because {
                NotFollowed::Rule(rule) => rule.words().to_string(),
                NotFollowed::NotNeeded => {
                    "not needed: the household moves into its permanent home on arrival".to_string()
                }
                NotFollowed::Because(why) => parts(inputs, scenario, why),
            };
            format!("pin to {} not followed: {because}", inputs.unit(*unit).name)
        }
        Why::DistrictPinNotFollowed {
            district,
            most_often,
        } => format!(
            "pin to district {} not followed: no dwelling there can be used (most often: {})",
            inputs.district(*district).label,
            most_often.words()
        ),
    }
}
