//! The rows of the comparison, in table order: one accessor per figure
//! (`Fn(&Summary) -> Cell`), named by the figure's JSON pointer in
//! summary.json, with its group, label, direction and decimals; [`figure`]
//! looks one up by that key for `report`.
//!
//! Invariants: a key is the figure's place in summary.json; an accessor
//! never fails: a figure a summary lacks is [`Cell::Missing`].

use crate::evaluate::{Count, OverCapBefore, SpreadIndices, Summary, TypeFigures};
use crate::model::HouseholdType;
use crate::solve::Status;

use super::{Cell, Direction};

/// How a row's value is taken from a summary.
type Getter = Box<dyn Fn(&Summary) -> Cell>;

pub(super) struct Spec {
    pub(super) group: &'static str,
    /// The figure's place in summary.json, as a JSON pointer (shown in the
    /// JSON and CSV output, and naming the figure for [`figure`]).
    pub(super) key: String,
    pub(super) label: String,
    pub(super) direction: Direction,
    pub(super) decimals: usize,
    pub(super) get: Getter,
}

fn spec(
    group: &'static str,
    key: &str,
    label: &str,
    direction: Direction,
    decimals: usize,
    get: impl Fn(&Summary) -> Cell + 'static,
) -> Spec {
    Spec {
        group,
        key: key.to_string(),
        label: label.to_string(),
        direction,
        decimals,
        get: Box::new(get),
    }
}

/// A number of one part of the summary (a status's or a type's figures).
type Part<T> = fn(&T) -> f64;

/// The spread indices before or after the plan.
type Side = fn(&Summary) -> &SpreadIndices;

fn number(x: impl Into<f64>) -> Cell {
    Cell::Number(x.into())
}

/// A figure that may be absent (`null` in summary.json).
fn maybe(x: Option<f64>) -> Cell {
    x.map_or(Cell::Missing, Cell::Number)
}

/// How many districts a list names.
fn count(list: &[String]) -> Cell {
    Cell::Number(list.len() as f64)
}

/// The districts of a list, joined (`none` when empty).
fn list(list: &[String]) -> Cell {
    if list.is_empty() {
        Cell::Text("none".into())
    } else {
        Cell::Text(list.join(" "))
    }
}

/// The key of the row of districts already over the cap before the plan
/// (shown below the table, one line per plan).
pub(super) const OVER_CAP_BEFORE_KEY: &str = "/over_cap_before_plan";

/// The districts already over the cap before the plan, each in words
/// (`none` when there are none).
/// `Missing` for a summary of an earlier version, which did not record them.
fn over_cap_before(s: &Summary) -> Cell {
    let Some(listed) = &s.over_cap_before_plan else {
        return Cell::Missing;
    };
    if listed.is_empty() {
        return Cell::Text("none".into());
    }
    let each: Vec<String> = listed.iter().map(OverCapBefore::describe).collect();
    Cell::Text(each.join("; "))
}

/// The rows of the comparison, in order.
#[allow(clippy::cast_precision_loss)]
pub(super) fn specs() -> Vec<Spec> {
    use Direction::{Higher, Lower, Neutral};
    let mut s = vec![
        spec("plan", "/scenario", "scenario", Neutral, 0, |s| {
            Cell::Text(s.scenario.clone())
        }),
        spec("plan", "/strategy", "strategy", Neutral, 0, |s| {
            Cell::Text(s.strategy.as_str().to_string())
        }),
        spec(
            "households",
            "/households/households",
            "households",
            Neutral,
            0,
            |s| number(s.households.households),
        ),
        spec(
            "households",
            "/households/persons",
            "persons",
            Neutral,
            0,
            |s| number(s.households.persons),
        ),
    ];
    for (status, dir) in [
        (Status::Permanent, Higher),
        (Status::TemporaryOnly, Lower),
        (Status::Unplaced, Lower),
    ] {
        let fields: [(&str, Part<Count>); 2] = [
            ("households", |c| c.households.into()),
            ("persons", |c| c.persons.into()),
        ];
        for (what, field) in fields {
            let name = status.as_str();
            s.push(spec(
                "by status",
                &format!("/by_status/{name}/{what}"),
                &format!("{name} {what}"),
                dir,
                0,
                move |s| {
                    s.by_status
                        .get(&status)
                        .map_or(Cell::Missing, |c| number(field(c)))
                },
            ));
        }
    }
    for t in [
        HouseholdType::Family,
        HouseholdType::Couple,
        HouseholdType::Single,
    ] {
        let fields: [(&str, Direction, Part<TypeFigures>); 6] = [
            ("households", Neutral, |f| f.households.into()),
            ("persons", Neutral, |f| f.persons.into()),
            ("permanent", Higher, |f| f.permanent.into()),
            ("temporary_only", Lower, |f| f.temporary_only.into()),
            ("unplaced", Lower, |f| f.unplaced.into()),
            ("temporary_person_days", Lower, |f| {
                f.temporary_person_days as f64
            }),
        ];
        for (field, dir, value) in fields {
            let name = t.as_str();
            s.push(spec(
                "by type",
                &format!("/by_type/{name}/{field}"),
                &format!("{name} {field}"),
                dir,
                0,
                move |s| {
                    s.by_type
                        .get(&t)
                        .map_or(Cell::Missing, |f| number(value(f)))
                },
            ));
        }
    }
    s.extend([
        spec(
            "waiting",
            "/families_waiting",
            "families waiting",
            Lower,
            0,
            |s| number(s.families_waiting),
        ),
        spec(
            "waiting",
            "/temporary_person_days",
            "temporary person-days",
            Lower,
            0,
            |s| number(s.temporary_person_days as f64),
        ),
        spec(
            "money (DKK/month)",
            "/rent_dkk/median",
            "rent median",
            Lower,
            0,
            |s| maybe(s.rent_dkk.median),
        ),
        spec(
            "money (DKK/month)",
            "/rent_dkk/min",
            "rent min",
            Neutral,
            0,
            |s| maybe(s.rent_dkk.min),
        ),
        spec(
            "money (DKK/month)",
            "/disposable_dkk/median",
            "disposable median",
            Higher,
            0,
            |s| maybe(s.disposable_dkk.median),
        ),
        spec(
            "money (DKK/month)",
            "/disposable_dkk/min",
            "disposable min",
            Higher,
            0,
            |s| maybe(s.disposable_dkk.min),
        ),
        spec(
            "travel (minutes)",
            "/travel/minutes/median",
            "travel median",
            Lower,
            1,
            |s| maybe(s.travel.minutes.median),
        ),
        spec(
            "travel (minutes)",
            "/travel/minutes/p90",
            "travel p90",
            Lower,
            1,
            |s| maybe(s.travel.minutes.p90),
        ),
        spec(
            "travel (minutes)",
            "/travel/work_minutes/median",
            "work travel median",
            Lower,
            1,
            |s| maybe(s.travel.work_minutes.median),
        ),
        spec(
            "travel (minutes)",
            "/travel/work_minutes/p90",
            "work travel p90",
            Lower,
            1,
            |s| maybe(s.travel.work_minutes.p90),
        ),
        spec(
            "municipal cost (DKK)",
            "/municipal_cost_dkk/temporary_places",
            "temporary places",
            Lower,
            0,
            |s| number(s.municipal_cost_dkk.temporary_places as f64),
        ),
        spec(
            "municipal cost (DKK)",
            "/municipal_cost_dkk/empty_rent",
            "empty rent",
            Lower,
            0,
            |s| number(s.municipal_cost_dkk.empty_rent as f64),
        ),
        spec(
            "municipal cost (DKK)",
            "/municipal_cost_dkk/total",
            "total",
            Lower,
            0,
            |s| number(s.municipal_cost_dkk.total as f64),
        ),
    ]);
    let sides: [(&str, &'static str, Side); 2] = [
        ("before", "spread before", |s| &s.spread.before),
        ("after", "spread after", |s| &s.spread.after),
    ];
    for (when, group, side) in sides {
        s.extend([
            spec(
                group,
                &format!("/spread/{when}/max_share"),
                "max share (open districts)",
                Lower,
                6,
                move |s| number(side(s).max_share),
            ),
            spec(
                group,
                &format!("/spread/{when}/districts_over_cap"),
                "open districts over cap",
                Lower,
                0,
                move |s| number(side(s).districts_over_cap),
            ),
            spec(
                group,
                &format!("/spread/{when}/dissimilarity"),
                "dissimilarity D",
                Lower,
                6,
                move |s| number(side(s).dissimilarity),
            ),
            spec(
                group,
                &format!("/spread/{when}/isolation"),
                "isolation xPx",
                Lower,
                6,
                move |s| number(side(s).isolation),
            ),
            spec(
                group,
                &format!("/spread/{when}/exposure"),
                "exposure xPy",
                Higher,
                6,
                move |s| number(side(s).exposure),
            ),
            spec(
                group,
                &format!("/spread/{when}/theil"),
                "Theil H",
                Lower,
                6,
                move |s| number(side(s).theil),
            ),
            spec(
                group,
                &format!("/spread/{when}/hot_spots"),
                "Gi* hot spots",
                Lower,
                0,
                move |s| count(&side(s).hot_spots),
            ),
            spec(
                group,
                &format!("/spread/{when}/high_high"),
                "high-high clusters",
                Lower,
                0,
                move |s| count(&side(s).high_high),
            ),
            spec(
                group,
                &format!("/spread/{when}/high_high"),
                "high-high districts",
                Neutral,
                0,
                move |s| list(&side(s).high_high),
            ),
        ]);
    }
    s.push(spec(
        "spread before",
        OVER_CAP_BEFORE_KEY,
        "over the cap before the plan",
        Neutral,
        0,
        over_cap_before,
    ));
    s.extend([
        spec(
            "spread after",
            "/spread/districts_receiving",
            "districts receiving",
            Higher,
            0,
            |s| number(s.spread.districts_receiving),
        ),
        spec(
            "spread after",
            "/spread/buildings_receiving",
            "buildings receiving",
            Higher,
            0,
            |s| number(s.spread.buildings_receiving),
        ),
        spec(
            "spread after",
            "/spread/max_households_in_a_building",
            "most households in a building",
            Lower,
            0,
            |s| number(s.spread.max_households_in_a_building),
        ),
        spec(
            "spread after",
            "/spread/buildings_at_cap",
            "buildings at their cap",
            Lower,
            0,
            |s| number(s.spread.buildings_at_cap),
        ),
        spec("model", "/objective", "objective", Lower, 2, |s| {
            maybe(s.objective)
        }),
        spec("model", "/bound", "bound", Neutral, 2, |s| maybe(s.bound)),
        spec("model", "/gap", "gap", Lower, 6, |s| maybe(s.gap)),
        spec("model", "/iterations", "iterations", Neutral, 0, |s| {
            number(s.iterations as f64)
        }),
        spec(
            "model",
            "/solve_seconds",
            "solve seconds",
            Neutral,
            3,
            |s| number(s.solve_seconds),
        ),
    ]);
    s
}

/// The number a summary has for `key`, one of the comparison's keys (a
/// count for a list of districts); `Missing` for a figure it lacks or a key
/// the comparison does not have.
#[must_use]
pub fn figure(summary: &Summary, key: &str) -> Cell {
    specs()
        .iter()
        .filter(|s| s.key == key)
        .map(|s| (s.get)(summary))
        .find(|c| matches!(c, Cell::Number(_)))
        .unwrap_or(Cell::Missing)
}
