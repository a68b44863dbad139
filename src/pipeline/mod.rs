//! The stages glued together: scenario → plan → figures. No file I/O here;
//! `load` and `export` are called by the binary around it.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::candidates;
use crate::evaluate::{self, HouseholdRow, Quality, Summary};
use crate::milp;
use crate::model::{Decisions, Inputs, PinOrigin};
pub mod decisions;
use crate::scenario::Scenario;
use crate::solve::{self, Order, Plan, Strategy, optimise};
use crate::travel::TravelTimes;

/// How to plan.
#[derive(Debug, Clone)]
pub struct Options {
    pub strategy: Strategy,
    /// Stop the optimising engine after this long, with the best plan so far.
    pub time_limit: Option<Duration>,
    /// `--gap` / 100: the engine stops at this relative gap (once it has done
    /// its minimum work).
    pub acceptable_gap: f64,
    /// `--pin HOUSEHOLD=DWELLING` or `HOUSEHOLD=district:ID`.
    pub pins: Vec<String>,
    /// `--force REASON`: honour pins that break a forceable rule.
    pub force: Option<String>,
    /// `--previous DIR`: keep the earlier plan's proposals where possible.
    pub previous: Option<PathBuf>,
    /// Subgradient steps of the engine (`None`: its default).
    pub max_iterations: Option<usize>,
    /// Shortlist and pruning sizes (benchmarks only; default: by size).
    pub tuning: crate::tuning::Tuning,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            strategy: Strategy::Optimise,
            time_limit: None,
            acceptable_gap: optimise::Budget::default().acceptable_gap,
            pins: Vec::new(),
            force: None,
            previous: None,
            max_iterations: None,
            tuning: crate::tuning::Tuning::default(),
        }
    }
}

/// The officer's decisions for a plan of the inputs: the pins of the
/// households file, then the households that moved in according to
/// `--previous` (pinned as facts) and the earlier proposals, then the
/// `--pin` arguments (each overrides the household's earlier pin), and
/// `--force`. The inputs are not changed; the decisions go to [`plan`].
///
/// # Errors
/// An unknown household, dwelling or district in a pin, or an unreadable
/// previous plan.
pub fn decide(
    inputs: &Inputs,
    scenario: &Scenario,
    options: &Options,
) -> Result<Decisions, decisions::DecisionError> {
    let mut d = Decisions::of_files(inputs);
    if let Some(dir) = &options.previous {
        d.previous = Some(decisions::read_previous(
            dir,
            inputs,
            scenario,
            &mut d.pins,
        )?);
    }
    decisions::apply_pins(inputs, &options.pins, &mut d.pins)?;
    d.force.clone_from(&options.force);
    Ok(d)
}

/// Why a plan could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// A pin from the command line breaks a rule and `--force` was not given.
    #[error("{0}")]
    PinRefused(String),
    /// A broken internal invariant (a bug).
    #[error(transparent)]
    Invariant(#[from] InvariantError),
}

/// Command-line pins the rules refuse, one line each.
fn refused_pins(
    inputs: &Inputs,
    decisions: &Decisions,
    candidates: &candidates::Candidates,
) -> Vec<String> {
    let mut lines = Vec::new();
    for h in &inputs.households {
        if decisions
            .pin(h.id)
            .is_none_or(|p| p.origin != PinOrigin::CommandLine)
        {
            continue;
        }
        let c = candidates.of(h.id);
        let (target, reason, partial) = match (c.pin, c.pin_district) {
            (_, Some((d, Err(r)))) => (format!("district:{}", inputs.district(d).label), r, true),
            (Some((u, Err(r))), _) => (inputs.unit(u).name.clone(), r, false),
            _ => continue,
        };
        let hint = if partial {
            "; a district pin cannot be forced: pin a dwelling (HOUSEHOLD=DWELLING) with --force to override a rule"
        } else if reason.forceable() && decisions.force.is_none() {
            "; add --force REASON to place the household there anyway (the reason is recorded in the plan)"
        } else if reason.forceable() {
            ""
        } else {
            "; this rule cannot be forced"
        };
        lines.push(format!(
            "--pin {}={target} refused: rule {} ({}){hint}",
            h.name,
            reason.code(),
            reason.words()
        ));
    }
    lines
}

/// A finished plan with its figures.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub plan: Plan,
    pub rows: Vec<HouseholdRow>,
    pub summary: Summary,
    /// The optimising engine's work counters (strategy `optimise` only).
    pub work: Option<optimise::Work>,
    /// Wall seconds per stage, in order (for benchmarks: `BOLIGPLAN_STATS=1`).
    pub stages: Vec<(&'static str, f64)>,
}

/// Broken internal invariant: a bug, never an input problem.
#[derive(Debug, thiserror::Error)]
#[error("internal error: {0}")]
pub struct InvariantError(String);

/// Plans validated inputs and checks the plan's invariants.
///
/// # Errors
/// A command-line pin the rules refuse (without `--force`), or a household
/// missing from the plan or appearing twice (a bug).
pub fn plan(
    inputs: &Inputs,
    decisions: &Decisions,
    scenario: &Scenario,
    options: &Options,
    progress: &mut dyn FnMut(&optimise::Progress),
) -> Result<Outcome, PlanError> {
    let started = Instant::now();
    let mut stages = Vec::new();
    let mut lap = started;
    let mut stage = |name: &'static str| {
        let now = Instant::now();
        stages.push((name, (now - lap).as_secs_f64()));
        lap = now;
    };
    let travel = TravelTimes::build(inputs, inputs.network.as_ref(), &scenario.travel);
    stage("travel");
    let candidates = candidates::build(inputs, scenario, &travel, decisions, &options.tuning);
    stage("candidates");
    let refused = refused_pins(inputs, decisions, &candidates);
    if !refused.is_empty() {
        return Err(PlanError::PinRefused(refused.join("\n")));
    }
    // The optimiser starts from the greedy plan: built beside the model
    // (greedy is sequential, the model's build parallel).
    let (model, greedy) = if options.strategy == Strategy::Optimise {
        let (model, greedy) = rayon::join(
            || milp::build(inputs, scenario, &candidates, decisions, &options.tuning),
            || solve::greedy(inputs, scenario, &candidates),
        );
        (model, Some(greedy))
    } else {
        (
            milp::build(inputs, scenario, &candidates, decisions, &options.tuning),
            None,
        )
    };
    stage("model");
    let districts = inputs.districts.len();
    let mut work = None;
    let (plan, bound, iterations) = match options.strategy {
        Strategy::Greedy => (solve::greedy(inputs, scenario, &candidates), None, 0),
        Strategy::Fcfs => (
            solve::fcfs::plan(inputs, scenario, &travel, &candidates, decisions),
            None,
            0,
        ),
        Strategy::Optimise => {
            let greedy = greedy.expect("built for the optimiser");
            // A pruned model may lack a greedy home: the start leaves that
            // household without one (still a feasible start).
            let start = start_pairs(&model, &greedy);
            let default = optimise::Budget::default();
            let budget = optimise::Budget {
                deadline: options.time_limit.map(|t| started + t),
                max_iterations: options.max_iterations.unwrap_or(default.max_iterations),
                acceptable_gap: options.acceptable_gap,
                ..default
            };
            let solution = optimise::solve(&model, districts, &start, &budget, progress);
            stage("engine");
            work = Some(solution.work);
            let picks: Vec<_> = solution
                .chosen
                .iter()
                .map(|j| {
                    j.map(|j| {
                        let pair = &model.pairs[j];
                        solve::PermanentHome::candidate(candidates.of(pair.household), pair.unit)
                    })
                })
                .collect();
            let plan = solve::allocate(
                inputs,
                scenario,
                &candidates,
                Some(&picks),
                Order::Priority,
                Strategy::Optimise,
            );
            (plan, Some(solution.bound), solution.iterations)
        }
    };
    stage("solve");
    let objective = plan_objective(
        (inputs, scenario, decisions),
        &travel,
        &candidates,
        &model,
        &plan,
    );
    let seconds = started.elapsed().as_secs_f64();
    let mut rows = evaluate::rows(inputs, scenario, decisions, &travel, &plan);
    check_every_household_once(inputs, &rows)?;
    let (cells, pin_report, replanning) =
        evaluate::pins::report(inputs, scenario, &travel, &candidates, decisions, &plan);
    for (row, (pin, previous)) in rows.iter_mut().zip(cells) {
        row.pin = pin;
        row.previous = previous;
    }
    let quality = Quality {
        objective,
        bound,
        iterations,
        solve_seconds: seconds,
    };
    let mut summary = evaluate::summarise(inputs, scenario, &plan, &rows, travel.method(), quality);
    summary.pins = pin_report;
    summary.candidate_pruning = model
        .pruning
        .as_ref()
        .map(|p| format!("{}: {} pairs kept, {} dropped", p.rule, p.kept, p.dropped));
    summary.replanning = replanning.map(|mut r| {
        // The earlier plan's directory as `run.previous` records it.
        if let Some(p) = &options.previous {
            r.previous = crate::output::privacy::relative_to_scenario(&scenario.path, p);
        }
        r
    });
    summary.run = evaluate::Run {
        // Relative to the scenario's folder: no output records a path of
        // the machine (README, "What is published").
        scenario_file: crate::output::privacy::relative_to_scenario(&scenario.path, &scenario.path),
        strategy: Some(options.strategy),
        time_limit_s: options.time_limit.map(|t| t.as_secs_f64()),
        gap_percent: evaluate::round6(100.0 * options.acceptable_gap),
        pins: options.pins.clone(),
        force: options.force.clone(),
        // Relative to the scenario's folder, like the scenario file.
        previous: options
            .previous
            .as_ref()
            .map(|p| crate::output::privacy::relative_to_scenario(&scenario.path, p)),
    };
    stage("evaluate");
    Ok(Outcome {
        plan,
        rows,
        summary,
        work,
        stages,
    })
}

/// The model's pair for each household's permanent home in a plan.
#[must_use]
pub fn chosen_pairs(model: &milp::Model, plan: &Plan) -> Vec<Option<usize>> {
    plan.placements
        .iter()
        .map(|p| {
            p.permanent.map(|home| {
                model
                    .pair_of(p.household, home.unit)
                    .expect("every permanent home is a candidate pair")
            })
        })
        .collect()
}

/// The model's objective of a plan. A plan of `greedy` or `fcfs` may use a
/// pair a large model pruned: its coefficient is then computed from the
/// candidate (the same [`crate::rules::cost::pair_cost`]), or, for a home of `fcfs`
/// outside a shortlist of the candidates, from the rules
/// ([`crate::rules::permanent_option_from`]).
pub fn plan_objective(
    (inputs, scenario, decisions): (&Inputs, &Scenario, &Decisions),
    travel: &TravelTimes,
    candidates: &candidates::Candidates,
    model: &milp::Model,
    plan: &Plan,
) -> f64 {
    let districts = inputs.districts.len();
    let homes: Vec<_> = plan
        .placements
        .iter()
        .filter_map(|p| p.permanent.map(|home| (p.household, home.unit)))
        .collect();
    let pairs: Vec<Option<usize>> = homes.iter().map(|&(h, u)| model.pair_of(h, u)).collect();
    if pairs.iter().all(Option::is_some) {
        let chosen: Vec<usize> = pairs.into_iter().flatten().collect();
        return model.objective(&chosen, districts);
    }
    let horizon = scenario.horizon_days;
    let mut cost = 0.0;
    let mut persons = vec![0u32; districts];
    for &(h, u) in &homes {
        let household = &inputs.households[h.index()];
        let c = candidates.of(h);
        let option = match c.permanent.iter().find(|o| o.unit == u) {
            Some(option) => option.clone(),
            None => crate::rules::permanent_option_from(
                inputs,
                scenario,
                travel,
                household,
                c.arrival,
                inputs.unit(u),
            )
            .expect("a home outside the candidates is lawful"),
        };
        cost += crate::rules::cost::pair_cost(inputs, scenario, decisions, household, &option);
        if let Some(d) = inputs.unit(u).district {
            persons[d.index()] += household.final_in(horizon).persons();
        }
    }
    let spread: f64 = persons
        .iter()
        .enumerate()
        .map(|(d, &p)| model.spread_penalty(crate::ids::DistrictId(crate::ids::to_u32(d)), p))
        .sum();
    model.constant + cost + spread
}

/// [`chosen_pairs`] for a start: a home that is not a model pair (pruned)
/// is left out.
fn start_pairs(model: &milp::Model, plan: &Plan) -> Vec<Option<usize>> {
    plan.placements
        .iter()
        .map(|p| {
            p.permanent
                .and_then(|home| model.pair_of(p.household, home.unit))
        })
        .collect()
}

/// Invariant: every input household appears exactly once, in input order.
pub(crate) fn check_every_household_once(
    inputs: &Inputs,
    rows: &[HouseholdRow],
) -> Result<(), InvariantError> {
    if rows.len() != inputs.households.len() {
        return Err(InvariantError(format!(
            "the plan has {} rows for {} households",
            rows.len(),
            inputs.households.len()
        )));
    }
    for (h, row) in inputs.households.iter().zip(rows) {
        if h.name != row.household_id {
            return Err(InvariantError(format!(
                "household {} is missing from the plan or out of order (found {})",
                h.name, row.household_id
            )));
        }
    }
    Ok(())
}
