//! Fuzz target: arbitrary bytes as `housing.csv`.

fn main() {
    boligplan_fuzz::fuzz(boligplan_fuzz::Target::CsvHousing);
}
