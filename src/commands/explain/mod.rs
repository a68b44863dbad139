//! `boligplan explain DIR HOUSEHOLD_ID`: why one household got what the
//! plan gives it.
//!
//! The explanation is computed from the model, never written by hand: the
//! scenario and inputs named in `DIR/summary.json`'s `run` block are loaded
//! again, the officer's decisions of that run (pins, `--force`,
//! `--previous`) applied, and travel times, candidates and the model of
//! docs/model.md rebuilt; the plan itself is read back from `DIR/plan.csv`.
//! Before anything is explained the rebuilt model is checked against the
//! plan (every household and home still there, every home still one of its
//! household's candidate pairs with the same move-in day, the same objective
//! as `summary.json`), so a changed scenario is reported, not explained.
//!
//! What is reported, per household: its home and dates; how many dwellings
//! each static rule excluded and, of the lawful ones, what the plan did with
//! them; the objective terms of its home ([`crate::rules::cost::pair_terms`] plus
//! the district's marginal spread penalty); the three next-best dwellings
//! with their difference per term and why the plan did not give them (a
//! dynamic rule, a pin, or the trade-off in numbers); and for a household
//! without a permanent home, the binding reason and the dwelling that would
//! change it.
//!
//! The command is in four parts, one job each: `context` reads `DIR`,
//! reloads the scenario, replays the run's decisions and the pipeline and
//! checks that the plan still belongs to them (the only I/O, [`load`]);
//! `analysis` is the pure analysis of one household (rule counts, terms,
//! the alternatives and why the plan did not give them, [`explain`]);
//! `change` is the part of it for a household without a home (the
//! affordability search and what would change it); `render` writes the
//! [`Report`] as 80-column text or JSON. This module holds what they share:
//! the error and the report.

mod analysis;
mod change;
mod context;
mod render;

use chrono::NaiveDate;
use serde::Serialize;

use crate::model::HouseholdType;
use crate::solve::{Status, Strategy};

pub use analysis::explain;
pub use change::{max_affordable_rent, sentence};
pub use context::{Context, load};
pub use render::{number, render_json, render_text};

/// Why a household cannot be explained. Every case is exit code 1.
#[derive(Debug, thiserror::Error)]
pub enum ExplainError {
    /// `DIR` is not (or no longer) the output directory of `boligplan plan`.
    #[error("{0}")]
    NotAPlan(String),
    /// The recorded scenario or its inputs cannot be loaded.
    #[error("{0}")]
    Inputs(String),
    /// The scenario or its inputs changed since the plan was made.
    #[error(
        "{0}\nthe scenario or its inputs changed since the plan was made; plan again (or give the scenario it was made with, --scenario FILE) before explaining"
    )]
    Changed(String),
    /// No such household in the plan.
    #[error("{0}")]
    UnknownHousehold(String),
    /// A home of the plan is lawful but not one of the model's pairs: the
    /// model of a very large scenario keeps only some pairs (summary.json's
    /// `candidate_pruning`), and a `greedy` or `fcfs` plan may use another.
    #[error(
        "{0}\nexplain weighs a home against the model's pairs, and the model of a scenario this large keeps only some of them (see candidate_pruning in summary.json)"
    )]
    NotInModel(String),
}

// ------------------------------------------------------------ the report ---

/// One term of the objective, with what it is made of.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Term {
    /// One of the pair's terms ([`crate::rules::cost::Terms`]) or the
    /// district's marginal spread penalty; `name` in JSON.
    #[serde(rename = "name")]
    pub term: crate::rules::cost::Term,
    pub value: f64,
    /// How the value is made, in words.
    pub detail: String,
}

/// A permanent home of the plan.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Home {
    pub unit: String,
    pub kind: &'static str,
    pub rooms: u32,
    pub area_m2: f64,
    pub rent_dkk: i64,
    pub housing_benefit_dkk: i64,
    pub disposable_dkk: i64,
    pub district: Option<String>,
    pub building: String,
    pub from: NaiveDate,
    /// The household moves in on its reunion day, not on the first day it
    /// and the dwelling are both there: only from then can it afford the
    /// rent (docs/model.md, "move-in days").
    pub from_reunion: bool,
    pub travel_min: Option<f64>,
    /// The rules a forced pin breaks (empty: lawful).
    pub forced_rules: Vec<&'static str>,
}

/// A stay in a temporary place.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Stay {
    pub unit: String,
    pub kind: &'static str,
    pub from: NaiveDate,
    /// The day it moves on (exclusive).
    pub to: NaiveDate,
}

/// The household's pin and what became of it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PinInfo {
    /// A dwelling, or `district:ID`.
    pub target: String,
    /// `households file`, `command line` or `moved in (--previous)`.
    pub origin: &'static str,
    /// `None` when the rules allow it, else the code of the refusing rule.
    pub refused_by: Option<&'static str>,
    /// `plan.csv`'s `pin` cell.
    pub in_plan: Option<String>,
}

/// How many dwellings or sites a rule accounts for.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RuleCount {
    pub rule: &'static str,
    pub words: &'static str,
    pub count: u32,
}

/// Which rules limited the household's choice.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Limits {
    /// Permanent dwellings in the stock.
    pub dwellings: u32,
    /// Of them, those that pass every static rule for this household.
    pub lawful: u32,
    /// The rest, each counted under the first rule it fails.
    pub excluded: Vec<RuleCount>,
    pub temporary_sites: u32,
    pub temporary_lawful: u32,
    pub temporary_excluded: Vec<RuleCount>,
    /// The lawful dwellings other than its home, by what the plan did with
    /// them (`taken`, `district_cap`, `building_cap`,
    /// `no_temporary_bridge`, `trade_off`: free and lawful).
    pub in_plan: Vec<RuleCount>,
}

/// A dwelling the household did not get.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Alternative {
    pub unit: String,
    pub kind: &'static str,
    pub rooms: u32,
    pub area_m2: f64,
    pub rent_dkk: i64,
    pub district: Option<String>,
    pub building: String,
    pub move_in: NaiveDate,
    pub travel_min: Option<f64>,
    /// Its objective terms for this household.
    pub terms: Vec<Term>,
    pub total: f64,
    /// Term by term: its value minus the home's (the home's terms are 0
    /// for a household without one). Positive: worse.
    pub delta: Vec<Term>,
    /// The change of the objective if this household alone moved there.
    pub delta_total: f64,
    /// Why the plan did not give it: a rule code (`pin`, `taken`,
    /// `district_cap`, `building_cap`, `no_temporary_bridge`) or `trade_off`.
    pub rule: &'static str,
    pub why: String,
    /// The static rules it breaks (only a forced pin breaks any).
    pub forced_rules: Vec<&'static str>,
    /// The household the plan gives it to.
    pub held_by: Option<String>,
    pub held_by_pinned: bool,
    /// The change of the objective if the two households exchanged homes
    /// (the other one without a home if it cannot take this one's);
    /// temporary places not considered.
    pub swap_delta: Option<f64>,
}

/// What a dwelling that would give the household a home needs.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Requirement {
    /// Persons at the end of the plan (after a reunion inside it).
    pub persons: u32,
    /// Size rule: at least this many rooms …
    pub rooms: u32,
    /// … or at least this floor area.
    pub area_m2: f64,
    /// The highest rent that leaves the minimum disposable amount, before
    /// and after a reunion, with housing benefit, in a dwelling of `area_m2`;
    /// `None`: not even a rent of 0 does.
    pub max_rent_dkk: Option<i64>,
    pub income_dkk: i64,
    pub min_disposable_dkk: i64,
    pub step_free: bool,
    pub max_travel_min: f64,
    /// The language school, or `a language school` (the nearest).
    pub school: String,
    /// Districts not forbidden, with room under their cap for the household
    /// next to the others the plan places there.
    pub districts: Vec<String>,
    /// When the building cap binds: the most newcomer households per building.
    pub building_cap: Option<u32>,
}

/// A temporary place a household lacks: for `persons` from `from` on.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TemporaryNeed {
    pub persons: u32,
    pub from: NaiveDate,
}

/// The members who follow a household (familiesammenføring).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ReunionInfo {
    pub date: NaiveDate,
    pub adults: u32,
    pub children: u32,
}

/// For a household without a permanent home: what binds and what would change it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct WhatWouldChange {
    /// `plan.csv`'s `reason_code` and `reason`.
    pub reason_code: Option<String>,
    pub reason: Option<String>,
    pub requirement: Option<Requirement>,
    /// The temporary place it lacks, if its stay does not last the plan.
    pub temporary_needed: Option<TemporaryNeed>,
    pub sentence: String,
}

/// The explanation of one household.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Report {
    pub household: String,
    pub household_type: HouseholdType,
    pub adults: u32,
    pub children: u32,
    /// Date and members of a reunion (familiesammenføring), if any.
    pub reunion: Option<ReunionInfo>,
    pub persons_at_end: u32,
    pub arrival: NaiveDate,
    /// The plan's first day.
    pub start: NaiveDate,
    pub needs_step_free: bool,
    /// The household's language school; `None`: the nearest one.
    pub language_school: Option<String>,
    pub strategy: Strategy,
    pub status: Status,
    pub home: Option<Home>,
    pub temporary: Option<Stay>,
    pub pin: Option<PinInfo>,
    pub limits: Limits,
    /// The objective terms of its home, the district's spread last.
    pub terms: Vec<Term>,
    /// Their sum: what the home adds to the objective.
    pub total: f64,
    /// The three next-best dwellings, best first.
    pub alternatives: Vec<Alternative>,
    pub what_would_change: Option<WhatWouldChange>,
}
