//! Rolling simulation (`boligplan simulate`): the municipality learns of
//! arrivals and vacancies week by week and re-plans each week with only what
//! it knows; decisions whose move-in falls inside the week are carried out
//! and cannot be undone. The result is compared with the hindsight plan
//! (everything known in advance) and with `fcfs` (today's waiting list).
//!
//! Each step is an ordinary plan of a reduced scenario: the households known
//! by then (arrival within `household_notice_days`), the dwellings known by
//! then (available within `vacancy_notice_days`; the others are not
//! available yet), nobody moving before the step's day, and every household
//! already moved in pinned to its home as a fact (as with `--previous`). The
//! rolling plan is then scored in the full model with the move-in days it
//! really had, so the three plans are compared on one objective.

use serde::Serialize;

use crate::candidates::{self, Candidates};
use crate::evaluate::{self, Quality, Summary};
use crate::ids::{HouseholdId, UnitId, to_u32};
use crate::milp;
use crate::model::{Day, Decisions, Inputs, Pin, PinOrigin, PinTarget, Tenure};
use crate::pipeline::{self, Options, PlanError};
use crate::scenario::Scenario;
use crate::solve::{self, Order, Strategy};
use crate::travel::TravelTimes;

/// How the simulation runs.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Days between re-plans (7: weekly).
    pub step_days: i64,
    /// How long before its arrival the municipality knows of a household.
    pub household_notice_days: i64,
    /// How long before a dwelling becomes available the municipality knows
    /// of it (default 30: offered for anvisning about a month ahead).
    pub vacancy_notice_days: i64,
    /// How each week is planned (`optimise` or `greedy`).
    pub strategy: Strategy,
    /// Subgradient steps per weekly plan (`None`: the engine's default).
    pub max_iterations: Option<usize>,
    /// Plan each week with sampled future arrivals: the year's number of
    /// households is known (the municipal quota), their make-up and dates
    /// are not; the households not yet known are drawn from those known so
    /// far, on dates spread over the rest of the horizon. They hold back
    /// dwellings that later families would need, and are never placed.
    pub sampled_futures: bool,
    /// Keep last week's proposals unless a change gains more than
    /// `weights.changed_proposal` (as `plan --previous` does): households
    /// have been told where they will live.
    pub keep_proposals: bool,
    /// Shortlist and pruning sizes for every plan of the simulation.
    pub tuning: crate::tuning::Tuning,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            step_days: 7,
            household_notice_days: 30,
            vacancy_notice_days: 30,
            strategy: Strategy::Optimise,
            max_iterations: None,
            sampled_futures: false,
            keep_proposals: false,
            tuning: crate::tuning::Tuning::default(),
        }
    }
}

/// The figures of one plan in the comparison.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Figures {
    pub objective: f64,
    /// The objective's improvement on housing nobody permanently (the
    /// model's constant minus the objective): what the percentages compare.
    pub value: f64,
    pub persons_permanent: u32,
    pub households_permanent: u32,
    pub families_waiting: u32,
    pub temporary_person_days: i64,
    pub max_share_after: f64,
    pub dissimilarity_after: f64,
    pub municipal_cost_dkk: i64,
}

/// Each figure of a plan as a percentage of the hindsight plan's.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Percentages {
    pub value: f64,
    pub persons_permanent: f64,
    pub temporary_person_days: f64,
    pub max_share_after: f64,
    pub dissimilarity_after: f64,
    pub municipal_cost_dkk: f64,
}

/// The simulation's result.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub scenario: String,
    pub step_days: i64,
    pub household_notice_days: i64,
    pub vacancy_notice_days: i64,
    pub weekly_strategy: Strategy,
    pub sampled_futures: bool,
    pub steps: usize,
    pub rolling: Figures,
    pub hindsight: Figures,
    pub fcfs: Figures,
    pub rolling_of_hindsight: Percentages,
    pub fcfs_of_hindsight: Percentages,
    /// Committed homes the full model could not take as they were (a
    /// household's circumstances differ at the earlier move-in the full
    /// model assumes); they are left out of the rolling plan. Expected 0.
    pub dropped_commitments: usize,
    /// Homes committed during the simulation (moved into in its week).
    pub committed_homes: usize,
    /// The rolling plan's own summary (as `plan` writes it).
    #[serde(skip)]
    pub rolling_summary: Summary,
    #[serde(skip)]
    pub rolling_rows: Vec<evaluate::HouseholdRow>,
}

/// A home that has been moved into: fixed for the rest of the simulation.
#[derive(Debug, Clone, Copy)]
struct Commitment {
    unit: UnitId,
    from: Day,
}

/// Runs the rolling simulation and the two plans it is compared with.
///
/// # Errors
/// A broken invariant in one of the plans (a bug).
pub fn simulate(
    inputs: &Inputs,
    scenario: &Scenario,
    settings: &Settings,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Report, PlanError> {
    let horizon = scenario.horizon_days;
    let step = settings.step_days.max(1);
    let steps = usize::try_from((horizon + step - 1) / step).unwrap_or(0);
    let mut committed: Vec<Option<Commitment>> = vec![None; inputs.households.len()];
    // Last step's proposal of a permanent home, per household.
    let mut proposed: Vec<Option<Commitment>> = vec![None; inputs.households.len()];
    let options = Options {
        strategy: settings.strategy,
        max_iterations: settings.max_iterations,
        tuning: settings.tuning,
        ..Options::default()
    };
    for (k, t) in (0..horizon)
        .step_by(usize::try_from(step).unwrap_or(1))
        .enumerate()
    {
        progress(k, steps);
        let (sub, mut decisions, index) = known_at(inputs, scenario, settings, &committed, t);
        if settings.keep_proposals {
            decisions.previous = Some(crate::model::PreviousPlan {
                dir: String::new(),
                proposals: index
                    .iter()
                    .map(|&full| {
                        (full != SAMPLED && committed[full].is_none())
                            .then(|| proposed[full])
                            .flatten()
                            .map(|p| crate::model::Proposal {
                                unit: Some(p.unit),
                                unit_name: inputs.unit(p.unit).name.clone(),
                                from: p.from,
                            })
                    })
                    .collect(),
                dropped: Vec::new(),
                stays: vec![None; index.len()],
            });
        }
        if sub.households.is_empty() {
            continue;
        }
        let outcome = pipeline::plan(&sub, &decisions, scenario, &options, &mut |_| {})?;
        for (p, &full) in outcome.plan.placements.iter().zip(&index) {
            if full != SAMPLED {
                proposed[full] = p.permanent.map(|home| Commitment {
                    unit: home.unit,
                    from: home.from,
                });
            }
            if full != SAMPLED
                && committed[full].is_none()
                && let Some(home) = p.permanent
                && home.from < t + step
            {
                committed[full] = Some(Commitment {
                    unit: home.unit,
                    from: home.from,
                });
            }
        }
    }
    progress(steps, steps);

    let (rolling, rows, summary, dropped, constant) =
        score_rolling(inputs, scenario, &committed, &settings.tuning)?;
    let decisions = Decisions::of_files(inputs);
    let hindsight = pipeline::plan(
        inputs,
        &decisions,
        scenario,
        &Options::default(),
        &mut |_| {},
    )?;
    let fcfs = pipeline::plan(
        inputs,
        &decisions,
        scenario,
        &Options {
            strategy: Strategy::Fcfs,
            tuning: settings.tuning,
            ..Options::default()
        },
        &mut |_| {},
    )?;
    let hindsight = figures(&hindsight.summary, constant);
    let fcfs = figures(&fcfs.summary, constant);
    Ok(Report {
        scenario: scenario.name.clone(),
        step_days: step,
        household_notice_days: settings.household_notice_days,
        vacancy_notice_days: settings.vacancy_notice_days,
        weekly_strategy: settings.strategy,
        sampled_futures: settings.sampled_futures,
        steps,
        rolling_of_hindsight: percentages(&rolling, &hindsight),
        fcfs_of_hindsight: percentages(&fcfs, &hindsight),
        rolling,
        hindsight,
        fcfs,
        dropped_commitments: dropped,
        committed_homes: committed.iter().flatten().count(),
        rolling_summary: summary,
        rolling_rows: rows,
    })
}

/// The index of a sampled future household, which has none in the full scenario.
const SAMPLED: usize = usize::MAX;

/// The scenario as known on day `t`, and the full index of each of its
/// households ([`SAMPLED`] for a sampled future arrival).
fn known_at(
    inputs: &Inputs,
    scenario: &Scenario,
    settings: &Settings,
    committed: &[Option<Commitment>],
    t: Day,
) -> (Inputs, Decisions, Vec<usize>) {
    let mut sub = inputs.clone();
    let horizon_unknown = Day::MAX / 4;
    let mut occupied = vec![false; inputs.units.len()];
    for c in committed.iter().flatten() {
        occupied[c.unit.index()] = true;
    }
    for u in &mut sub.units {
        if u.tenure == Tenure::Permanent && !occupied[u.id.index()] {
            if u.available_from > t + settings.vacancy_notice_days {
                // Not known yet: not available in this step's plan.
                u.available_from = horizon_unknown;
            } else {
                u.available_from = u.available_from.max(t);
            }
        }
    }
    let mut households = Vec::new();
    let mut index = Vec::new();
    for (i, h) in inputs.households.iter().enumerate() {
        let mut h = h.clone();
        if let Some(c) = committed[i] {
            // Living there since `from`: in this step's plan the household
            // arrives straight into its home.
            h.arrival = c.from;
        } else if h.arrival <= t + settings.household_notice_days {
            h.arrival = h.arrival.max(t);
        } else {
            continue;
        }
        h.id = HouseholdId(to_u32(households.len()));
        households.push(h);
        index.push(i);
    }
    if settings.sampled_futures {
        sample_futures(inputs, scenario, settings, t, &mut households, &mut index);
    }
    sub.households = households;
    // The households file's pins, and the homes moved into as facts.
    let mut decisions = Decisions::of_files(&sub);
    for (pin, &full) in decisions.pins.iter_mut().zip(&index) {
        if let Some(c) = committed.get(full).copied().flatten() {
            *pin = Some(Pin {
                target: PinTarget::Unit(c.unit),
                origin: PinOrigin::MovedIn,
            });
        }
    }
    (sub, decisions, index)
}

/// Adds the households not known on day `t` as draws from those known,
/// arriving on evenly spread dates after the notice window (seeded by the
/// scenario's seed and `t`: the same run gives the same draws).
fn sample_futures(
    inputs: &Inputs,
    scenario: &Scenario,
    settings: &Settings,
    t: Day,
    households: &mut Vec<crate::model::Household>,
    index: &mut Vec<usize>,
) {
    use rand_chacha::ChaCha8Rng;
    use rand_chacha::rand_core::{RngCore, SeedableRng};
    let horizon = scenario.horizon_days;
    let known_until = t + settings.household_notice_days;
    let known: Vec<usize> = (0..inputs.households.len())
        .filter(|&i| inputs.households[i].arrival <= known_until)
        .collect();
    let missing = inputs.households.len() - known.len();
    if known.is_empty() || missing == 0 || known_until + 1 >= horizon {
        return;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(scenario.seed ^ 0x5349_4d55);
    rng.set_stream(u64::try_from(t).unwrap_or(0));
    let window = horizon - known_until - 1;
    for k in 0..missing {
        let n = u64::try_from(known.len()).unwrap_or(1);
        let draw = known[usize::try_from(rng.next_u64() % n).unwrap_or(0)];
        let mut h = inputs.households[draw].clone();
        let offset = (i64::try_from(k).unwrap_or(0) * 2 + 1) * window
            / (2 * i64::try_from(missing).unwrap_or(1));
        let shift = known_until + 1 + offset - h.arrival;
        h.arrival += shift;
        if let Some(r) = h.reunion.as_mut() {
            r.day += shift;
        }
        h.name = format!("sampled-{k}");
        h.locked_unit = None;
        h.id = HouseholdId(to_u32(households.len()));
        households.push(h);
        index.push(SAMPLED);
    }
}

/// The rolling plan's figures, rows, summary, dropped commitments, and the
/// full model's constant (everybody's weighted temporary person-days, which
/// depends on the households only, so it is the same for all three plans).
type Scored = (Figures, Vec<evaluate::HouseholdRow>, Summary, usize, f64);

/// Scores the committed homes in the full model, with their real move-in days.
fn score_rolling(
    inputs: &Inputs,
    scenario: &Scenario,
    committed: &[Option<Commitment>],
    tuning: &crate::tuning::Tuning,
) -> Result<Scored, PlanError> {
    let travel = TravelTimes::build(inputs, inputs.network.as_ref(), &scenario.travel);
    let decisions = Decisions::of_files(inputs);
    let mut candidates: Candidates =
        candidates::build(inputs, scenario, &travel, &decisions, tuning);
    let mut picks: Vec<Option<solve::PermanentHome>> = vec![None; inputs.households.len()];
    let mut dropped = 0;
    for (i, c) in committed.iter().enumerate() {
        let Some(c) = c else { continue };
        let hc = &mut candidates.households[i];
        // The home as it happened, with the move-in day it really had and
        // the rules checked for that day (a household may fit a dwelling
        // after its reunion that it could not afford before).
        let h = &inputs.households[i];
        let option = crate::rules::permanent_option_from(
            inputs,
            scenario,
            &travel,
            h,
            c.from,
            inputs.unit(c.unit),
        );
        match option {
            Ok(option) if option.move_in == c.from => {
                hc.permanent.retain(|o| o.unit != c.unit);
                hc.permanent.push(option);
                picks[i] = Some(solve::PermanentHome {
                    unit: c.unit,
                    from: c.from,
                });
            }
            _ => dropped += 1,
        }
    }
    let model = milp::build(inputs, scenario, &candidates, &decisions, tuning);
    let plan = solve::allocate(
        inputs,
        scenario,
        &candidates,
        Some(&picks),
        Order::Priority,
        Strategy::Optimise,
    );
    // A large model may have pruned a carried-out home: the objective is
    // then taken from its candidate (the same pair cost).
    let objective = pipeline::plan_objective(
        (inputs, scenario, &decisions),
        &travel,
        &candidates,
        &model,
        &plan,
    );
    let rows = evaluate::rows(inputs, scenario, &decisions, &travel, &plan);
    pipeline::check_every_household_once(inputs, &rows)?;
    let quality = Quality {
        objective,
        bound: None,
        iterations: 0,
        solve_seconds: 0.0,
    };
    let mut summary = evaluate::summarise(inputs, scenario, &plan, &rows, travel.method(), quality);
    summary.strategy = evaluate::MadeBy::Rolling;
    let figures = figures(&summary, model.constant);
    Ok((figures, rows, summary, dropped, model.constant))
}

fn figures(s: &Summary, constant: f64) -> Figures {
    let objective = s.objective.unwrap_or(f64::NAN);
    let permanent = s.by_status.get(&solve::Status::Permanent);
    Figures {
        objective,
        value: constant - objective,
        persons_permanent: permanent.map_or(0, |c| c.persons),
        households_permanent: permanent.map_or(0, |c| c.households),
        families_waiting: s.families_waiting,
        temporary_person_days: s.temporary_person_days,
        max_share_after: s.spread.after.max_share,
        dissimilarity_after: s.spread.after.dissimilarity,
        municipal_cost_dkk: s.municipal_cost_dkk.total,
    }
}

fn percent(a: f64, b: f64) -> f64 {
    if b == 0.0 {
        if a == 0.0 { 100.0 } else { f64::INFINITY }
    } else {
        (1000.0 * a / b).round() / 10.0
    }
}

fn percentages(a: &Figures, hindsight: &Figures) -> Percentages {
    Percentages {
        value: percent(a.value, hindsight.value),
        persons_permanent: percent(
            f64::from(a.persons_permanent),
            f64::from(hindsight.persons_permanent),
        ),
        temporary_person_days: percent(
            a.temporary_person_days as f64,
            hindsight.temporary_person_days as f64,
        ),
        max_share_after: percent(a.max_share_after, hindsight.max_share_after),
        dissimilarity_after: percent(a.dissimilarity_after, hindsight.dissimilarity_after),
        municipal_cost_dkk: percent(
            a.municipal_cost_dkk as f64,
            hindsight.municipal_cost_dkk as f64,
        ),
    }
}

/// One column's cell of a row of [`render`]'s table.
type Cell = fn(&Figures) -> String;

/// The report as a table for a terminal.
#[must_use]
pub fn render(r: &Report) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{}: rolling plan re-planned every {} days ({} steps, {} each week), households known {} days and vacancies {} days ahead",
        r.scenario,
        r.step_days,
        r.steps,
        r.weekly_strategy.as_str(),
        r.household_notice_days,
        r.vacancy_notice_days
    );
    let _ = writeln!(
        s,
        "{:<28} {:>14} {:>14} {:>14} {:>9} {:>9}",
        "", "rolling", "hindsight", "fcfs", "rolling %", "fcfs %"
    );
    let (a, h, f) = (&r.rolling, &r.hindsight, &r.fcfs);
    let (pa, pf) = (&r.rolling_of_hindsight, &r.fcfs_of_hindsight);
    let rows: [(&str, Cell, f64, f64); 6] = [
        (
            "value (constant - objective)",
            |x| format!("{:.1}", x.value),
            pa.value,
            pf.value,
        ),
        (
            "persons in permanent homes",
            |x| x.persons_permanent.to_string(),
            pa.persons_permanent,
            pf.persons_permanent,
        ),
        (
            "temporary person-days",
            |x| x.temporary_person_days.to_string(),
            pa.temporary_person_days,
            pf.temporary_person_days,
        ),
        (
            "max district share after",
            |x| format!("{:.4}", x.max_share_after),
            pa.max_share_after,
            pf.max_share_after,
        ),
        (
            "dissimilarity D after",
            |x| format!("{:.4}", x.dissimilarity_after),
            pa.dissimilarity_after,
            pf.dissimilarity_after,
        ),
        (
            "municipal cost, DKK",
            |x| x.municipal_cost_dkk.to_string(),
            pa.municipal_cost_dkk,
            pf.municipal_cost_dkk,
        ),
    ];
    for (name, cell, p, q) in rows {
        let (x, y, z) = (cell(a), cell(h), cell(f));
        let _ = writeln!(s, "{name:<28} {x:>14} {y:>14} {z:>14} {p:>8.1}% {q:>8.1}%");
    }
    let _ = writeln!(
        s,
        "objective: rolling {:.1}, hindsight {:.1}, fcfs {:.1} (lower is better); families waiting: {}, {}, {}",
        a.objective,
        h.objective,
        f.objective,
        a.families_waiting,
        h.families_waiting,
        f.families_waiting
    );
    if r.dropped_commitments > 0 {
        let _ = writeln!(
            s,
            "note: {} committed homes could not be scored in the full model and were left out",
            r.dropped_commitments
        );
    }
    s
}
