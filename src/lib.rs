//! boligplan: a housing-placement and dispersal planner for Danish municipalities.
//!
//! A plan is a pure function of (inputs, scenario): the pipeline is
//! `load` → `candidates` → `solve` → `evaluate` → `export`, with plain data
//! between the stages. Only `load` and `export` touch files.
//!
//! # Glossary (Danish policy terms)
//!
//! - *udsat boligområde*: a deprived housing area on the yearly government
//!   list; no refugee may be placed there (integrationsloven § 12 stk. 2).
//!   *Parallelsamfund* and *omdannelsesområde* are subsets of it.
//! - *forebyggelsesområde*: prevention area; no social dwelling there may be
//!   assigned to a newly arrived refugee (almenboligloven § 59 stk. 7).
//! - *rådighedsbeløb*: disposable amount, what is left after rent.
//! - *boligstøtte*: housing benefit (boligstøtteloven § 22).
//! - *familiesammenføring*: family reunification; the members who follow move
//!   into the refugee's home.
//! - *anvisningsret*: the municipality's right to assign vacant social
//!   dwellings; it pays the rent while they stand empty (*tomgangsleje*).
//! - *midlertidigt opholdssted*: temporary place (integrationsloven § 12).

pub mod candidates;
pub mod commands;
pub mod crs;
pub mod economy;
pub mod evaluate;
pub mod findings;
#[doc(hidden)]
pub mod fuzzing;
pub mod ids;
pub mod load;
pub mod milp;
pub mod model;
pub mod network;
pub mod output;
pub mod pipeline;
pub mod rules;
pub mod scenario;
pub mod solve;
pub mod spread;
pub mod travel;
pub mod tuning;
