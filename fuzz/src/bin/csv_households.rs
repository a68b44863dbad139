//! Fuzz target: arbitrary bytes as `households.csv`.

fn main() {
    boligplan_fuzz::fuzz(boligplan_fuzz::Target::CsvHouseholds);
}
