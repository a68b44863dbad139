//! Benchmark of the travel table alone: minutes from every unit of a
//! scenario to every one of its places (not only the language schools),
//! over its network, timed without loading and planning.
//!
//! ```sh
//! cargo run --release -- generate --size l --seed 1 --out /tmp/l1
//! cargo run --release --example travel_bench -- /tmp/l1/scenario.toml \
//!     --network /tmp/l1/network.geojson --runs 5
//! ```
//!
//! Prints each run's seconds and the median to stderr, and to stdout the
//! table's size and a checksum of every minute (FNV-1a over the bits), so
//! that runs with `RAYON_NUM_THREADS=1` and `=2` can be compared.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use boligplan::ids::PlaceId;
use boligplan::load::Severity;
use boligplan::travel::{TravelTimes, language_schools};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut scenario_path: Option<PathBuf> = None;
    let mut network: Option<PathBuf> = None;
    let mut runs = 5usize;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--network" => network = args.next().map(PathBuf::from),
            "--runs" => runs = args.next().and_then(|r| r.parse().ok()).unwrap_or(5),
            _ => scenario_path = Some(PathBuf::from(a)),
        }
    }
    let Some(path) = scenario_path else {
        eprintln!("usage: travel_bench SCENARIO.toml [--network FILE] [--runs N]");
        return ExitCode::from(2);
    };
    let mut scenario = match boligplan::scenario::load(&path) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(1);
        }
    };
    if network.is_some() {
        scenario.inputs.network = network;
    }
    let loading = Instant::now();
    let (inputs, findings) = boligplan::load::load(&scenario);
    if findings.iter().any(|f| f.severity == Severity::Error) {
        for f in &findings {
            eprintln!("{f}");
        }
        return ExitCode::from(1);
    }
    eprintln!(
        "loaded in {:.2} s: {} units, {} places, network: {}",
        loading.elapsed().as_secs_f64(),
        inputs.units.len(),
        inputs.places.len(),
        inputs.network.as_ref().map_or_else(
            || "none (straight-line)".to_string(),
            |n| format!("{} nodes, {} links", n.stats.nodes, n.stats.links)
        )
    );
    let places: Vec<PlaceId> = inputs.places.iter().map(|p| p.id).collect();
    let mut seconds = Vec::with_capacity(runs);
    let mut table = None;
    for run in 0..runs.max(1) {
        let t = Instant::now();
        let built = TravelTimes::to_places(
            &inputs,
            inputs.network.as_ref(),
            &scenario.travel,
            &places,
            language_schools(&inputs),
        );
        let s = t.elapsed().as_secs_f64();
        eprintln!("run {}: {s:.3} s", run + 1);
        seconds.push(s);
        table = Some(built);
    }
    seconds.sort_by(f64::total_cmp);
    let median = seconds[seconds.len() / 2];
    eprintln!(
        "median of {} runs: {median:.3} s ({} threads)",
        seconds.len(),
        rayon::current_num_threads()
    );
    let table = table.expect("at least one run");
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut reachable = 0usize;
    for &p in &places {
        for u in &inputs.units {
            let m = table.minutes(p, u.id).expect("every place has a row");
            if m.is_finite() {
                reachable += 1;
            }
            for b in m.to_bits().to_le_bytes() {
                hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
            }
        }
    }
    println!(
        "{} units x {} places = {} minutes ({} finite), checksum {hash:016x}",
        inputs.units.len(),
        places.len(),
        inputs.units.len() * places.len(),
        reachable
    );
    ExitCode::SUCCESS
}
