//! The `boligplan` command line: argument parsing and glue; the work lives in
//! the library. Exit codes: 0 success, 1 input problem, 2 usage error.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use boligplan::load::{self, Severity};
use boligplan::solve::Strategy;
use boligplan::{export, pipeline, scenario};

/// Housing placement and dispersal planner for Danish municipalities.
#[derive(Debug, Parser)]
#[command(name = "boligplan", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Plan a scenario and write plan.csv, plan.geojson and summary.json.
    Plan {
        /// The scenario file (TOML).
        scenario: PathBuf,
        /// Output directory (replaced as a whole when the plan is complete).
        #[arg(long)]
        out: PathBuf,
        /// Print nothing but errors.
        #[arg(long)]
        quiet: bool,
        /// How to choose homes: optimise (default), greedy, or fcfs (today's waiting list).
        #[arg(long, default_value = "optimise", value_parser = ["optimise", "greedy", "fcfs"])]
        strategy: String,
        /// Stop optimising after this many seconds, with the best plan found so far.
        #[arg(long, value_name = "SECONDS")]
        time_limit: Option<f64>,
        /// CSV outputs for a Danish Excel (`;`, decimal commas, UTF-8 BOM) or standard.
        #[arg(long, default_value = "standard", value_parser = ["standard", "excel-da"])]
        csv_dialect: String,
    },
    /// Write a synthetic but realistic scenario (toml + data) for demos, tests and benchmarks.
    Generate {
        /// s (60 households), m (600), l (6,000) or xl (30,000).
        #[arg(long, value_parser = boligplan::generate::Size::parse)]
        size: boligplan::generate::Size,
        /// Seed of the generator: the same seed gives the same files.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Output directory.
        #[arg(long)]
        out: PathBuf,
    },
    /// Write the optimisation model as a free-format MPS file.
    ExportModel {
        /// The scenario file (TOML).
        scenario: PathBuf,
        /// Where to write the model.
        #[arg(long)]
        mps: PathBuf,
    },
    /// Compare the figures of two or more plans side by side (the best value of each row marked *).
    Compare {
        /// Output directories of `boligplan plan`; columns are named after them.
        #[arg(required = true, num_args = 2..)]
        dirs: Vec<PathBuf>,
        /// Print the comparison as JSON.
        #[arg(long, conflicts_with = "csv")]
        json: bool,
        /// Print the comparison as CSV.
        #[arg(long)]
        csv: bool,
    },
    /// Load and check every input; print every problem.
    Validate {
        /// The scenario file (TOML).
        scenario: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Plan {
            scenario,
            out,
            quiet,
            strategy,
            time_limit,
            csv_dialect,
        } => {
            let options = pipeline::Options {
                strategy: Strategy::parse(&strategy).expect("clap checked the value"),
                time_limit: time_limit.map(std::time::Duration::from_secs_f64),
            };
            let dialect = export::CsvDialect::parse(&csv_dialect).expect("clap checked the value");
            plan(&scenario, &out, quiet, &options, dialect)
        }
        Command::ExportModel { scenario, mps } => export_model(&scenario, &mps),
        Command::Generate { size, seed, out } => {
            match boligplan::generate::generate(size, seed, &out) {
                Ok(path) => {
                    println!("{}", path.display());
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::from(1)
                }
            }
        }
        Command::Validate { scenario } => validate(&scenario),
        Command::Compare { dirs, json, csv } => match boligplan::compare::compare(&dirs) {
            Ok(c) => {
                let text = if json {
                    boligplan::compare::render_json(&c)
                } else if csv {
                    boligplan::compare::render_csv(&c)
                } else {
                    boligplan::compare::render_table(&c)
                };
                print!("{text}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(1)
            }
        },
    }
}

/// Loads a scenario and its inputs, printing findings; `None` on errors.
fn load_all(
    path: &std::path::Path,
    print_warnings: bool,
) -> Option<(scenario::Scenario, boligplan::model::Inputs)> {
    let scenario = match scenario::load(path) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return None;
        }
    };
    let (inputs, findings) = load::load(&scenario);
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    for f in &findings {
        if f.severity == Severity::Error || print_warnings {
            eprintln!("{f}");
        }
    }
    if errors > 0 {
        eprintln!(
            "{errors} error(s) in the inputs of {}; nothing was planned",
            path.display()
        );
        return None;
    }
    Some((scenario, inputs))
}

fn validate(path: &std::path::Path) -> ExitCode {
    match load_all(path, true) {
        Some((_, inputs)) => {
            println!(
                "ok: {} households, {} units, {} districts, {} places",
                inputs.households.len(),
                inputs.units.len(),
                inputs.districts.len(),
                inputs.places.len()
            );
            ExitCode::SUCCESS
        }
        None => ExitCode::from(1),
    }
}

fn export_model(path: &std::path::Path, mps: &std::path::Path) -> ExitCode {
    let Some((scenario, inputs)) = load_all(path, false) else {
        return ExitCode::from(1);
    };
    let travel =
        boligplan::travel::TravelTimes::build(&inputs, inputs.network.as_ref(), &scenario.travel);
    let candidates = boligplan::candidates::build(&inputs, &scenario, &travel);
    let model = boligplan::milp::build(&inputs, &scenario, &candidates);
    match export::write_mps(mps, &inputs, &model) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

fn plan(
    path: &std::path::Path,
    out: &std::path::Path,
    quiet: bool,
    options: &pipeline::Options,
    dialect: export::CsvDialect,
) -> ExitCode {
    let Some((scenario, inputs)) = load_all(path, !quiet) else {
        return ExitCode::from(1);
    };
    let bar = if quiet {
        indicatif::ProgressBar::hidden()
    } else {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} optimising {pos}/{len} steps, {msg}",
            )
            .expect("a valid template"),
        );
        bar
    };
    let mut progress = |p: &boligplan::solve::optimise::Progress| {
        bar.set_length(p.max_iterations as u64);
        bar.set_position(p.iteration as u64);
        bar.set_message(format!(
            "gap {:.3} %",
            100.0 * boligplan::solve::optimise::relative_gap(p.objective, p.bound)
        ));
    };
    let result = pipeline::plan(&inputs, &scenario, options, &mut progress);
    bar.finish_and_clear();
    let outcome = match result {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(3);
        }
    };
    // For benchmarks: the engine's deterministic work counters.
    if let (Some(w), Some(_)) = (outcome.work, std::env::var_os("BOLIGPLAN_STATS")) {
        eprintln!(
            "engine work: {} steps, {} assignments, {} rows scanned, {} pairs priced, {} nodes",
            outcome.summary.iterations, w.assignments, w.rows_scanned, w.pairs_priced, w.nodes
        );
    }
    if let Err(e) = export::write_plan(
        out,
        &inputs,
        &scenario,
        &outcome.rows,
        &outcome.summary,
        dialect,
    ) {
        eprintln!("error: {e}");
        return ExitCode::from(1);
    }
    if !quiet {
        let s = &outcome.summary;
        let count = |k: &str| s.by_status.get(k).map_or(0, |c| c.households);
        eprintln!(
            "planned {} households: {} permanent, {} temporary only, {} unplaced; {} temporary person-days; max district share {:.1} % → {}",
            s.households.households,
            count("permanent"),
            count("temporary_only"),
            count("unplaced"),
            s.temporary_person_days,
            s.spread.after.max_share * 100.0,
            out.display()
        );
    }
    ExitCode::SUCCESS
}
