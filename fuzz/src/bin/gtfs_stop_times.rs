//! Fuzz target: arbitrary bytes as `feed/stop_times.txt`.

fn main() {
    boligplan_fuzz::fuzz(boligplan_fuzz::Target::GtfsStopTimes);
}
