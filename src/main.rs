//! The `boligplan` command line: argument parsing and glue; the work lives in
//! the library. Exit codes: 0 success, 1 input problem, 2 usage error.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::builder::{PossibleValuesParser, TypedValueParser as _};
use clap::{Parser, Subcommand, ValueEnum as _};

use boligplan::load::{self, Severity};
use boligplan::output::export;
use boligplan::solve::Strategy;
use boligplan::{pipeline, scenario};

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
        #[arg(long, value_enum, default_value_t = Strategy::Optimise)]
        strategy: Strategy,
        /// Stop optimising after this many seconds, with the best plan found so far.
        #[arg(long, value_name = "SECONDS")]
        time_limit: Option<f64>,
        /// Stop optimising once the plan is proven within this many percent of the
        /// optimum (after a minimum amount of work; smaller models go on towards a proof).
        #[arg(
            long,
            value_name = "PERCENT",
            default_value_t = boligplan::solve::optimise::DEFAULT_GAP_PERCENT,
            value_parser = parse_gap
        )]
        gap: f64,
        /// CSV outputs for a Danish Excel (`;`, decimal commas, UTF-8 BOM) or standard.
        #[arg(long, default_value = "standard", value_parser = ["standard", "excel-da"])]
        csv_dialect: String,
        /// Fix a household's home: HOUSEHOLD=DWELLING, or HOUSEHOLD=district:ID to fix
        /// only the district (the planner picks the dwelling). Repeatable.
        #[arg(long = "pin", value_name = "HOUSEHOLD=TARGET")]
        pins: Vec<String>,
        /// Honour pins that break a rule about the household and its own home
        /// (size, affordability, forbidden district, accessibility, travel); the
        /// reason is recorded in plan.csv and summary.json.
        #[arg(long, value_name = "REASON")]
        force: Option<String>,
        /// Re-plan against an earlier plan's output directory: households already
        /// moved in stay, and every earlier proposal changed costs `weights.changed_proposal`.
        #[arg(long, value_name = "DIR")]
        previous: Option<PathBuf>,
        /// Also write officer_placements.geojson: every household's exact point,
        /// also in districts whose small counts the published files aggregate.
        /// For the officer only; never publish it.
        #[arg(long)]
        officer_layers: bool,
    },
    /// Write a synthetic but realistic scenario (toml + data) for demos, tests and benchmarks.
    Generate {
        /// s (60 households), m (600), l (6,000) or xl (30,000).
        #[arg(long, value_parser = boligplan::commands::generate::Size::parse)]
        size: boligplan::commands::generate::Size,
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
    /// Re-plan week by week with only what is known, and compare with the
    /// hindsight plan (everything known in advance) and with fcfs.
    Simulate {
        /// The scenario file (TOML).
        scenario: PathBuf,
        /// Days between re-plans: `week`, `day` or a number of days.
        #[arg(long, default_value = "week", value_parser = parse_step)]
        step: i64,
        /// How many days before arrival the municipality learns of a household.
        #[arg(long, default_value_t = 30)]
        household_notice_days: i64,
        /// How many days before a dwelling becomes available the municipality learns of it.
        #[arg(long, default_value_t = 30)]
        vacancy_notice_days: i64,
        /// How each week's plan is made.
        #[arg(
            long,
            default_value = "optimise",
            value_parser = PossibleValuesParser::new(["optimise", "greedy"])
                .map(|s| Strategy::from_str(&s, false).expect("a strategy")),
        )]
        strategy: Strategy,
        /// Subgradient steps of the engine per plan (default: the engine's own).
        #[arg(long)]
        max_iterations: Option<usize>,
        /// Plan each week with sampled future arrivals: the year's number of
        /// households is known (the quota), their make-up and dates are drawn
        /// from those known so far.
        #[arg(long)]
        sampled_futures: bool,
        /// Keep last week's proposals unless a change gains more than
        /// `weights.changed_proposal` (households have been told where they will live).
        #[arg(long)]
        keep_proposals: bool,
        /// Print the comparison as JSON.
        #[arg(long)]
        json: bool,
        /// Also write the rolling plan as plan outputs to this directory.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Print nothing but the result and errors.
        #[arg(long)]
        quiet: bool,
    },
    /// Write one self-contained HTML report (figures, map, charts, waiting list) of one or more plans.
    Report {
        /// Output directories of `boligplan plan`; several are shown side by side.
        #[arg(required = true, num_args = 1..)]
        dirs: Vec<PathBuf>,
        /// The HTML file to write (replaced only when complete).
        #[arg(long)]
        out: PathBuf,
        /// Language of labels and number formats: da (12.345,6) or en (12,345.6).
        #[arg(long, default_value = "da", value_parser = ["da", "en"])]
        lang: String,
    },
    /// Explain one household of a plan: its home, the rules and objective terms that
    /// decided it, the next-best dwellings and why the plan did not give them.
    Explain {
        /// Output directory of `boligplan plan`.
        dir: PathBuf,
        /// The household's id in the households file.
        household: String,
        /// Print the explanation as JSON.
        #[arg(long)]
        json: bool,
        /// The scenario file the plan was made with, instead of the one recorded in
        /// DIR/summary.json (an output directory moved to another machine).
        #[arg(long, value_name = "FILE")]
        scenario: Option<PathBuf>,
    },
    /// Load and check every input; print every problem.
    Validate {
        /// The scenario file (TOML).
        scenario: PathBuf,
        /// Print nothing but errors and the result (no warnings, no progress bar).
        #[arg(long)]
        quiet: bool,
    },
}

/// `--gap`: a percentage from 0 to 100.
fn parse_gap(text: &str) -> Result<f64, String> {
    match text.trim().trim_end_matches('%').parse::<f64>() {
        Ok(g) if (0.0..=100.0).contains(&g) => Ok(g),
        _ => Err(format!(
            "expected a percentage from 0 to 100, found {text:?}"
        )),
    }
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
            gap,
            csv_dialect,
            pins,
            force,
            previous,
            officer_layers,
        } => {
            if force.as_deref().is_some_and(|f| f.trim().is_empty()) {
                eprintln!(
                    "error: --force needs a reason, e.g. --force \"the family needs to live near the hospital\""
                );
                return ExitCode::from(2);
            }
            let options = pipeline::Options {
                strategy,
                time_limit: time_limit.map(std::time::Duration::from_secs_f64),
                acceptable_gap: gap / 100.0,
                pins,
                force,
                previous,
                max_iterations: None,
                tuning: tuning_from_env(),
            };
            let Some(written_at) = source_date_epoch() else {
                eprintln!(
                    "error: SOURCE_DATE_EPOCH must be a whole number of seconds since 1970, e.g. 1767225600"
                );
                return ExitCode::from(2);
            };
            let export = export::Export {
                dialect: export::CsvDialect::parse(&csv_dialect).expect("clap checked the value"),
                officer_layers,
                written_at,
            };
            plan(&scenario, &out, quiet, &options, &export)
        }
        Command::ExportModel { scenario, mps } => export_model(&scenario, &mps),
        Command::Generate { size, seed, out } => {
            match boligplan::commands::generate::generate(size, seed, &out) {
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
        Command::Validate { scenario, quiet } => validate(&scenario, quiet),
        Command::Simulate {
            scenario,
            step,
            household_notice_days,
            vacancy_notice_days,
            strategy,
            max_iterations,
            sampled_futures,
            keep_proposals,
            json,
            out,
            quiet,
        } => {
            let settings = boligplan::commands::simulate::Settings {
                step_days: step,
                household_notice_days,
                vacancy_notice_days,
                strategy,
                max_iterations,
                sampled_futures,
                keep_proposals,
                tuning: tuning_from_env(),
            };
            simulate(&scenario, &settings, json, out.as_deref(), quiet)
        }
        Command::Report { dirs, out, lang } => {
            let lang = boligplan::commands::report::i18n::Lang::parse(&lang)
                .expect("clap checked the value");
            match boligplan::commands::report::write_report(&dirs, &out, lang) {
                Ok(()) => {
                    eprintln!("wrote {}", out.display());
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::from(1)
                }
            }
        }
        Command::Explain {
            dir,
            household,
            json,
            scenario,
        } => explain(&dir, &household, json, scenario.as_deref()),
        Command::Compare { dirs, json, csv } => {
            match boligplan::commands::compare::compare(&dirs) {
                Ok(c) => {
                    let text = if json {
                        boligplan::commands::compare::render_json(&c)
                    } else if csv {
                        boligplan::commands::compare::render_csv(&c)
                    } else {
                        boligplan::commands::compare::render_table(&c)
                    };
                    print!("{text}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::from(1)
                }
            }
        }
    }
}

/// A progress bar on stderr while a large input file is read; hidden with
/// `--quiet`, for files under [`LoadBar::MIN_BYTES`], and when stderr is not
/// a terminal.
struct LoadBar {
    show: bool,
    file: String,
    bar: Option<indicatif::ProgressBar>,
}

impl LoadBar {
    /// Smaller files are read in well under a second.
    const MIN_BYTES: u64 = 4 << 20;

    fn new(show: bool) -> Self {
        use std::io::IsTerminal;
        Self {
            show: show && std::io::stderr().is_terminal(),
            file: String::new(),
            bar: None,
        }
    }

    fn update(&mut self, p: load::Progress<'_>) {
        if !self.show || p.total < Self::MIN_BYTES {
            return;
        }
        if self.file != p.file {
            self.clear();
            let bar = indicatif::ProgressBar::new(p.total);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} reading {msg} {bytes}/{total_bytes} [{bar:30}] {eta}",
                )
                .expect("a valid template")
                .progress_chars("=> "),
            );
            bar.set_message(p.file.to_string());
            self.file = p.file.to_string();
            self.bar = Some(bar);
        }
        if let Some(bar) = &self.bar {
            bar.set_position(p.done);
        }
    }

    fn clear(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
        self.file.clear();
    }
}

/// Loads a scenario and its inputs, printing findings; `None` on errors.
/// `quiet`: no warnings, no progress bar.
fn load_all(
    path: &std::path::Path,
    quiet: bool,
) -> Option<(scenario::Scenario, boligplan::model::Inputs)> {
    let print_warnings = !quiet;
    let show_progress = !quiet;
    let scenario = match scenario::load(path) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return None;
        }
    };
    let mut bar = LoadBar::new(show_progress);
    let (inputs, findings) = load::load_with_progress(&scenario, &mut |p| bar.update(p));
    bar.clear();
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

fn parse_step(s: &str) -> Result<i64, String> {
    match s {
        "week" => Ok(7),
        "day" => Ok(1),
        n => match n.parse::<i64>() {
            Ok(d) if d > 0 => Ok(d),
            _ => Err(format!(
                "expected `week`, `day` or a number of days, found {n:?}"
            )),
        },
    }
}

fn simulate(
    path: &std::path::Path,
    settings: &boligplan::commands::simulate::Settings,
    json: bool,
    out: Option<&std::path::Path>,
    quiet: bool,
) -> ExitCode {
    let Some((scenario, inputs)) = load_all(path, quiet) else {
        return ExitCode::from(1);
    };
    let bar = if quiet {
        indicatif::ProgressBar::hidden()
    } else {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} simulating step {pos}/{len}")
                .expect("a valid template"),
        );
        bar
    };
    let mut progress = |k: usize, n: usize| {
        bar.set_length(n as u64);
        bar.set_position(k as u64);
    };
    let result =
        boligplan::commands::simulate::simulate(&inputs, &scenario, settings, &mut progress);
    bar.finish_and_clear();
    let report = match result {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(3);
        }
    };
    if let Some(out) = out
        && let Err(e) = export::write_plan(
            out,
            &inputs,
            &scenario,
            &report.rolling_rows,
            &report.rolling_summary,
            &export::Export {
                written_at: source_date_epoch().unwrap_or(0),
                ..export::Export::default()
            },
        )
    {
        eprintln!("error: {e}");
        return ExitCode::from(1);
    }
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).expect("the report serialises")
        );
    } else {
        print!("{}", boligplan::commands::simulate::render(&report));
    }
    ExitCode::SUCCESS
}

fn explain(
    dir: &std::path::Path,
    household: &str,
    json: bool,
    scenario: Option<&std::path::Path>,
) -> ExitCode {
    use boligplan::commands::explain;
    let report = explain::load(dir, scenario, &tuning_from_env())
        .and_then(|ctx| explain::explain(&ctx, household));
    match report {
        Ok(r) => {
            let text = if json {
                explain::render_json(&r)
            } else {
                explain::render_text(&r)
            };
            // A closed pipe (`| head`) is not an error worth a panic.
            let _ = std::io::Write::write_all(&mut std::io::stdout(), text.as_bytes());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

fn validate(path: &std::path::Path, quiet: bool) -> ExitCode {
    match load_all(path, quiet) {
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

/// The shortlist and pruning sizes, from the environment variables for
/// measuring (README, "Environment variables"); the library reads none.
/// The write time recorded in `plan.gpkg`: `SOURCE_DATE_EPOCH` (the
/// reproducible-builds convention) when set, else 1970-01-01, so that a
/// rerun gives the same bytes. `None` when it is set but not a number.
fn source_date_epoch() -> Option<i64> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(text) => text.trim().parse().ok(),
        Err(_) => Some(0),
    }
}

fn tuning_from_env() -> boligplan::tuning::Tuning {
    let size = |name: &str| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse::<usize>().ok())
    };
    boligplan::tuning::Tuning {
        shortlist_top: size("BOLIGPLAN_SHORTLIST_TOP"),
        prune_top: size("BOLIGPLAN_PRUNE_TOP"),
        prune_per_district: size("BOLIGPLAN_PRUNE_PER_DISTRICT"),
    }
}

fn export_model(path: &std::path::Path, mps: &std::path::Path) -> ExitCode {
    let Some((scenario, inputs)) = load_all(path, true) else {
        return ExitCode::from(1);
    };
    let travel =
        boligplan::travel::TravelTimes::build(&inputs, inputs.network.as_ref(), &scenario.travel);
    let tuning = tuning_from_env();
    let decisions = boligplan::model::Decisions::of_files(&inputs);
    let candidates = boligplan::candidates::build(&inputs, &scenario, &travel, &decisions, &tuning);
    let model = boligplan::milp::build(&inputs, &scenario, &candidates, &decisions, &tuning);
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
    export: &export::Export,
) -> ExitCode {
    let Some((scenario, inputs)) = load_all(path, quiet) else {
        return ExitCode::from(1);
    };
    let decisions = match pipeline::decide(&inputs, &scenario, options) {
        Ok(decisions) => decisions,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
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
    // For benchmarks: each step's objective, bound and gap on stderr.
    let trace = std::env::var_os("BOLIGPLAN_TRACE").map(|_| std::time::Instant::now());
    let mut progress = |p: &boligplan::solve::optimise::Progress| {
        if let Some(t) = trace {
            eprintln!(
                "step {} at {:.1} s: objective {:.1}, bound {:.1}, gap {:.3} %",
                p.iteration,
                t.elapsed().as_secs_f64(),
                p.objective,
                p.bound,
                100.0 * boligplan::solve::optimise::relative_gap(p.objective, p.bound)
            );
        }
        bar.set_length(p.max_iterations as u64);
        bar.set_position(p.iteration as u64);
        bar.set_message(format!(
            "gap {:.3} %",
            100.0 * boligplan::solve::optimise::relative_gap(p.objective, p.bound)
        ));
    };
    let result = pipeline::plan(&inputs, &decisions, &scenario, options, &mut progress);
    bar.finish_and_clear();
    let outcome = match result {
        Ok(o) => o,
        Err(pipeline::PlanError::PinRefused(e)) => {
            eprintln!("error: {e}\nnothing was planned");
            return ExitCode::from(1);
        }
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
    if std::env::var_os("BOLIGPLAN_STATS").is_some() {
        let stages: Vec<String> = outcome
            .stages
            .iter()
            .map(|(name, s)| format!("{name} {s:.2} s"))
            .collect();
        eprintln!("stages: {}", stages.join(", "));
    }
    if let Err(e) = export::write_plan(
        out,
        &inputs,
        &scenario,
        &outcome.rows,
        &outcome.summary,
        export,
    ) {
        eprintln!("error: {e}");
        return ExitCode::from(1);
    }
    if !quiet {
        let lines = outcome.summary.headline();
        eprintln!("{} → {}", lines[0], out.display());
        for line in &lines[1..] {
            eprintln!("{line}");
        }
    }
    ExitCode::SUCCESS
}
