//! Fuzz target: arbitrary bytes as `housing.geojson`.

fn main() {
    boligplan_fuzz::fuzz(boligplan_fuzz::Target::GeojsonHousing);
}
