//! Travel times from units to places.
//!
//! Without a network (not yet supported) the time is the straight-line
//! distance × `detour_factor` at `speed_kmh`, both scenario settings.

use geo::{Distance, Euclidean, Point};

use crate::ids::PlaceId;
use crate::model::{Household, Inputs, PlaceKind};
use crate::scenario::TravelSettings;

/// Straight-line travel time in minutes between two projected points.
#[must_use]
pub fn minutes(from: Point<f64>, to: Point<f64>, settings: &TravelSettings) -> f64 {
    let distance_m = Euclidean.distance(from, to);
    distance_m * settings.detour_factor / (settings.speed_kmh * 1000.0 / 60.0)
}

/// The largest straight-line distance that keeps within `max_min` minutes.
#[must_use]
pub fn reach_m(max_min: f64, settings: &TravelSettings) -> f64 {
    max_min * settings.speed_kmh * 1000.0 / 60.0 / settings.detour_factor
}

/// Every place of kind `language_school`.
#[must_use]
pub fn language_schools(inputs: &Inputs) -> Vec<PlaceId> {
    inputs
        .places
        .iter()
        .filter(|p| p.kind == PlaceKind::LanguageSchool)
        .map(|p| p.id)
        .collect()
}

/// Travel minutes from `pos` to the household's language school, or to the
/// nearest language school when it has none; `None` when there is no
/// language school at all.
#[must_use]
pub fn school_minutes(
    inputs: &Inputs,
    schools: &[PlaceId],
    household: &Household,
    pos: Point<f64>,
    settings: &TravelSettings,
) -> Option<f64> {
    match household.language_school {
        Some(s) => Some(minutes(pos, inputs.place(s).pos, settings)),
        None => schools
            .iter()
            .map(|&s| minutes(pos, inputs.place(s).pos, settings))
            .min_by(f64::total_cmp),
    }
}
