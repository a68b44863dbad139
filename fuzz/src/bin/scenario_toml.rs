//! Fuzz target: arbitrary bytes as `scenario.toml`.

fn main() {
    boligplan_fuzz::fuzz(boligplan_fuzz::Target::ScenarioToml);
}
