//! Reading a plan directory back and rebuilding what it was made from:
//! `DIR/summary.json`'s run record and `DIR/plan.csv` (through
//! [`crate::output`]), the scenario and its inputs loaded again, the run's
//! decisions applied with [`crate::pipeline::decide`], travel, candidates and
//! the model rebuilt, and every home of the plan checked to be still one of
//! its household's pairs, with the same move-in day, rent and objective.
//! The only I/O of `explain`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::candidates::{self, Candidates, PermanentOption};
use crate::ids::{HouseholdId, UnitId};
use crate::milp::{self, Model};
use crate::model::{Decisions, Household, Inputs};
use crate::output::{
    self,
    plan_csv::{self, PlanRow},
};
use crate::scenario::Scenario;
use crate::solve::{Strategy, TemporaryStay};
use crate::travel::TravelTimes;

use super::ExplainError;

/// The rebuilt model and the plan read back: everything an explanation is
/// computed from.
#[derive(Debug, Clone)]
pub struct Context {
    pub scenario: Scenario,
    pub inputs: Inputs,
    /// The officer's decisions of the run, applied again.
    pub decisions: Decisions,
    pub travel: TravelTimes,
    pub candidates: Candidates,
    pub model: Model,
    pub strategy: Strategy,
    /// The plan's relative gap, from `summary.json`.
    pub gap: Option<f64>,
    /// The plan's permanent home per household, as a pair of the model.
    pub chosen: Vec<Option<usize>>,
    /// The plan's temporary stay per household.
    pub stays: Vec<Option<TemporaryStay>>,
    /// `plan.csv`, in household order.
    pub rows: Vec<PlanRow>,
}

/// Loads the scenario a plan was made with, rebuilds its model and reads
/// the plan back, checking that they still belong together.
///
/// `scenario` overrides the scenario file recorded in `summary.json` (an
/// output directory moved to another machine); without it the file is
/// looked for ([`find_scenario`]).
///
/// # Errors
/// `DIR` is not a plan output, the scenario or its inputs cannot be loaded,
/// or they changed since the plan was made.
/// The scenario file a plan names, by its name relative to its own folder
/// (summary.json records no path outside it): the first file of that name
/// in the working folder, the output folder or any folder above either, or
/// a `scenarios/` folder in one of them, whose scenario `name` is the
/// plan's.
#[must_use]
pub fn find_scenario(out: &Path, file: &str, name: &str) -> Option<PathBuf> {
    let cwd = std::env::current_dir().ok()?;
    let out = cwd.join(out);
    let mut folders: Vec<PathBuf> = Vec::new();
    for start in [&cwd, &out] {
        for folder in start.ancestors() {
            for f in [folder.to_path_buf(), folder.join("scenarios")] {
                if !folders.contains(&f) {
                    folders.push(f);
                }
            }
        }
    }
    folders
        .into_iter()
        .map(|f| f.join(file))
        .find(|path| path.is_file() && crate::scenario::load(path).is_ok_and(|s| s.name == name))
}

pub fn load(
    dir: &Path,
    scenario: Option<&Path>,
    tuning: &crate::tuning::Tuning,
) -> Result<Context, ExplainError> {
    let summary = output::summary::read(dir).map_err(|e| ExplainError::NotAPlan(e.to_string()))?;
    let run = &summary.run;
    let strategy = run.strategy.unwrap_or(Strategy::Optimise);
    let rows =
        plan_csv::read(&dir.join("plan.csv")).map_err(|e| ExplainError::NotAPlan(e.to_string()))?;
    let scenario_path = match scenario {
        Some(path) => path.to_path_buf(),
        None => find_scenario(dir, &run.scenario_file, &summary.scenario).ok_or_else(|| {
            ExplainError::Inputs(format!(
                "the plan was made with the scenario {} (summary.json names it relative to the scenario's own folder), which is not here; give it with --scenario FILE",
                run.scenario_file
            ))
        })?,
    };
    if !scenario_path.exists() {
        return Err(ExplainError::Inputs(format!(
            "the scenario {} does not exist",
            scenario_path.display()
        )));
    }
    let scenario =
        crate::scenario::load(&scenario_path).map_err(|e| ExplainError::Inputs(e.to_string()))?;
    let (inputs, findings) = crate::load::load(&scenario);
    let errors: Vec<String> = findings
        .iter()
        .filter(|f| f.severity == crate::load::Severity::Error)
        .map(ToString::to_string)
        .collect();
    if !errors.is_empty() {
        // Each finding names its level (`error: …`), as `plan` prints them;
        // the count comes first, where the caller's `error: ` goes.
        return Err(ExplainError::Inputs(format!(
            "{} error(s) in the inputs of {}; nothing to explain\n{}",
            errors.len(),
            scenario_path.display(),
            errors.join("\n")
        )));
    }
    let options = crate::pipeline::Options {
        strategy,
        time_limit: None,
        pins: run.pins.clone(),
        force: run.force.clone(),
        // Recorded relative to the scenario's folder.
        previous: run
            .previous
            .as_ref()
            .map(|p| scenario_path.parent().unwrap_or(Path::new("")).join(p)),
        ..crate::pipeline::Options::default()
    };
    let decisions = crate::pipeline::decide(&inputs, &scenario, &options).map_err(|e| {
        ExplainError::Inputs(format!(
            "the decisions recorded in {} cannot be applied again: {e}",
            dir.join("summary.json").display()
        ))
    })?;
    if summary.start != scenario.start {
        return Err(ExplainError::Changed(format!(
            "the plan starts on {}, the scenario on {}",
            summary.start, scenario.start
        )));
    }
    if summary.horizon_days != scenario.horizon_days {
        return Err(ExplainError::Changed(format!(
            "the plan has a horizon of {} days, the scenario {}",
            summary.horizon_days, scenario.horizon_days
        )));
    }
    let travel = TravelTimes::build(&inputs, inputs.network.as_ref(), &scenario.travel);
    let candidates = candidates::build(&inputs, &scenario, &travel, &decisions, tuning);
    let model = milp::build(&inputs, &scenario, &candidates, &decisions, tuning);
    let (chosen, stays) = match_plan(
        (&inputs, &scenario, &decisions),
        &travel,
        &candidates,
        &model,
        &rows,
    )?;
    if let Some(recorded) = summary.objective {
        let flat: Vec<usize> = chosen.iter().flatten().copied().collect();
        let objective = model.objective(&flat, inputs.districts.len());
        // summary.json rounds the objective to 6 decimals.
        if (objective - recorded).abs() > 1e-4 + 1e-9 * recorded.abs() {
            return Err(ExplainError::Changed(format!(
                "the plan's homes have objective {objective:.6} in the rebuilt model, summary.json says {recorded:.6}"
            )));
        }
    }
    Ok(Context {
        scenario,
        inputs,
        decisions,
        travel,
        candidates,
        model,
        strategy,
        gap: summary.gap,
        chosen,
        stays,
        rows,
    })
}

type Matched = (Vec<Option<usize>>, Vec<Option<TemporaryStay>>);

/// The plan's rows as the model's pairs and temporary stays.
fn match_plan(
    (inputs, scenario, decisions): (&Inputs, &Scenario, &Decisions),
    travel: &TravelTimes,
    candidates: &Candidates,
    model: &Model,
    rows: &[PlanRow],
) -> Result<Matched, ExplainError> {
    let units: HashMap<&str, UnitId> = inputs
        .units
        .iter()
        .map(|u| (u.name.as_str(), u.id))
        .collect();
    let known: HashMap<&str, &Household> = inputs
        .households
        .iter()
        .map(|h| (h.name.as_str(), h))
        .collect();
    let in_plan: HashMap<&str, usize> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r.household_id.as_str(), i))
        .collect();
    if let Some(r) = rows
        .iter()
        .find(|r| !known.contains_key(r.household_id.as_str()))
    {
        return Err(ExplainError::Changed(format!(
            "household {} of plan.csv is not in the households file",
            r.household_id
        )));
    }
    if let Some(h) = inputs
        .households
        .iter()
        .find(|h| !in_plan.contains_key(h.name.as_str()))
    {
        return Err(ExplainError::Changed(format!(
            "household {} of the households file is not in plan.csv",
            h.name
        )));
    }
    let unit = |name: &str| {
        units.get(name).copied().ok_or_else(|| {
            ExplainError::Changed(format!(
                "dwelling {name} of plan.csv is not in the housing file"
            ))
        })
    };
    let mut chosen = vec![None; inputs.households.len()];
    let mut stays = vec![None; inputs.households.len()];
    for h in &inputs.households {
        let row = &rows[in_plan[h.name.as_str()]];
        if let Some(name) = &row.perm_unit {
            let u = unit(name)?;
            let Some(j) = model.pair_of(h.id, u) else {
                let c = candidates.of(h.id);
                return Err(
                    match crate::rules::static_verdict(
                        inputs,
                        scenario,
                        travel,
                        h,
                        c.arrival,
                        inputs.unit(u),
                    ) {
                        Err(r) => ExplainError::Changed(format!(
                            "{}'s home {name} in plan.csv is no longer lawful for it: rule {} ({})",
                            h.name,
                            r.code(),
                            r.words()
                        )),
                        Ok(()) => ExplainError::NotInModel(format!(
                            "{}'s home {name} in plan.csv is lawful for it, but not a pair of the model",
                            h.name
                        )),
                    },
                );
            };
            let option = option_of(candidates, h.id, u);
            let from = crate::evaluate::move_in_date(scenario, decisions, h.id, u, option.move_in);
            if row.perm_from != Some(from) {
                return Err(ExplainError::Changed(format!(
                    "{} moves into {name} on {} in plan.csv, but could first move in on {from} now",
                    h.name,
                    row.perm_from.map_or("-".to_string(), |d| d.to_string())
                )));
            }
            let rent = inputs.unit(u).rent_dkk;
            if row.rent.is_some_and(|r| r != rent) {
                return Err(ExplainError::Changed(format!(
                    "{}'s home {name} has rent {} DKK in plan.csv, {rent} DKK in the housing file",
                    h.name,
                    row.rent.unwrap_or_default()
                )));
            }
            chosen[h.id.index()] = Some(j);
        }
        if let (Some(name), Some(from), Some(to)) = (&row.temp_unit, row.temp_from, row.temp_to) {
            stays[h.id.index()] = Some(TemporaryStay {
                unit: unit(name)?,
                from: scenario.day(from),
                to: scenario.day(to),
            });
        }
    }
    Ok((chosen, stays))
}

pub(super) fn option_of(candidates: &Candidates, h: HouseholdId, u: UnitId) -> &PermanentOption {
    candidates
        .of(h)
        .permanent
        .iter()
        .find(|o| o.unit == u)
        .expect("every pair of the model is a candidate")
}
