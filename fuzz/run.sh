#!/bin/sh
# Runs one fuzz target with AFL++ for a while (see the README, "Fuzzing").
#
#   cargo install cargo-afl            # once; builds AFL++ on first use
#   fuzz/run.sh csv_households 300     # target, seconds (default 300)
#
# Targets: csv_households csv_housing geojson_housing scenario_toml gtfs_stop_times.
# Seeds come from the repository's own inputs (the demo, tests/data/bad,
# tests/data/fuzz); findings land in fuzz/out/TARGET/default/{crashes,hangs}.
# Copy each into tests/data/fuzz/TARGET/ after the fix; `cargo test` replays them.
set -eu
target=$1
seconds=${2:-300}
root=$(cd "$(dirname "$0")/.." && pwd)
out=${FUZZ_OUT:-$root/fuzz/out}
seeds="$out/seeds/$target"
rm -rf "$seeds"
mkdir -p "$seeds"
n=0
seed() {
    for f in "$@"; do
        [ -f "$f" ] || continue
        n=$((n + 1))
        cp "$f" "$seeds/$n"
    done
}
cd "$root"
case $target in
csv_households) seed tests/data/fuzz/_base/households.csv data/demo/households.csv tests/data/bad/*/households.csv ;;
csv_housing) seed tests/data/fuzz/_base/housing.csv tests/data/crs_csv_25832/housing.csv tests/data/bad/*/housing.csv ;;
geojson_housing) seed tests/data/fuzz/_base/housing.geojson data/demo/housing.geojson tests/data/bad/*/housing.geojson ;;
scenario_toml) seed scenarios/demo.toml tests/data/bad/*/scenario.toml tests/data/rule_*/scenario.toml ;;
gtfs_stop_times) seed tests/data/fuzz/_base/feed/stop_times.txt ;;
*) echo "unknown target $target" >&2; exit 2 ;;
esac
# Earlier regression cases are seeds too.
seed tests/data/fuzz/"$target"/*
cd "$root/fuzz"
cargo afl build --release --bin "$target"
bin="${CARGO_TARGET_DIR:-$root/fuzz/target}/release/$target"
AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 \
    cargo afl fuzz -V "$seconds" -i "$seeds" -o "$out/$target" "$bin"
