//! Travel times from units to places, as one table computed before the
//! candidates: [`TravelTimes`]. Its places are the language schools and the
//! places households name as `language_school` or `work_place`.
//!
//! With a network (`inputs.network`) the times follow the convention of
//! [`crate::network`]: walk to the nearest node, the fastest path, walk to
//! the place, or walk all the way if that is faster; one search per place.
//! Without one the time is the straight-line distance × `detour_factor` at
//! `speed_kmh`, both scenario settings, and the summary says so.

use geo::{Distance, Euclidean, Point};
use rayon::prelude::*;

use crate::ids::{PlaceId, UnitId, to_u32};
use crate::model::{Household, Inputs, PlaceKind};
use crate::network::Network;
use crate::scenario::TravelSettings;

/// Straight-line travel time in minutes between two projected points.
#[must_use]
pub fn minutes(from: Point<f64>, to: Point<f64>, settings: &TravelSettings) -> f64 {
    let distance_m = Euclidean.distance(from, to);
    distance_m * settings.detour_factor / (settings.speed_kmh * 1000.0 / 60.0)
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

/// How travel times were found, as written to `summary.json`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Over the scenario's network.
    Network,
    /// The straight-line fallback.
    #[default]
    StraightLine,
}

impl Method {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Network => "network",
            Method::StraightLine => "straight_line",
        }
    }
}

/// Minutes from every unit to every place a household travels to: the
/// language schools, any other place named as a household's
/// `language_school`, and every place named as a household's `work_place`.
#[derive(Debug, Clone)]
pub struct TravelTimes {
    method: Method,
    /// The language schools, in place order.
    schools: Vec<PlaceId>,
    /// Row of `minutes` for each place, indexed by place; `None` for places
    /// nobody travels to.
    row: Vec<Option<usize>>,
    /// `minutes[row][unit]`.
    minutes: Vec<Vec<f64>>,
    /// Per unit, minutes to the nearest language school (households with
    /// none named), computed once rather than per pair.
    nearest: Vec<Option<f64>>,
}

impl TravelTimes {
    /// Computes the table: over `network` when given, else straight-line.
    #[must_use]
    pub fn build(inputs: &Inputs, network: Option<&Network>, settings: &TravelSettings) -> Self {
        let schools = language_schools(inputs);
        let named = inputs.households.iter().filter_map(|h| h.language_school);
        let work = inputs.households.iter().filter_map(|h| h.work_place);
        let mut seen = vec![false; inputs.places.len()];
        let targets: Vec<PlaceId> = schools
            .iter()
            .copied()
            .chain(named)
            .chain(work)
            .filter(|p| !std::mem::replace(&mut seen[p.index()], true))
            .collect();
        Self::to_places(inputs, network, settings, &targets, schools)
    }

    /// The table for the given places (each once): one search per place
    /// over the network, the places in parallel (rayon) and collected in
    /// their order, so the table does not depend on the number of threads.
    #[must_use]
    pub fn to_places(
        inputs: &Inputs,
        network: Option<&Network>,
        settings: &TravelSettings,
        targets: &[PlaceId],
        schools: Vec<PlaceId>,
    ) -> Self {
        let mut row = vec![None; inputs.places.len()];
        for (i, p) in targets.iter().enumerate() {
            row[p.index()] = Some(i);
        }
        let units: Vec<Point<f64>> = inputs.units.iter().map(|u| u.pos).collect();
        let (method, minutes): (Method, Vec<Vec<f64>>) = match network {
            Some(net) => {
                let origins = net.origins(&units);
                let minutes = targets
                    .par_iter()
                    .map(|&p| net.minutes_to(inputs.place(p).pos, &origins))
                    .collect();
                (Method::Network, minutes)
            }
            None => {
                let minutes = targets
                    .par_iter()
                    .map(|&p| {
                        let to = inputs.place(p).pos;
                        units
                            .iter()
                            .map(|&u| self::minutes(u, to, settings))
                            .collect()
                    })
                    .collect();
                (Method::StraightLine, minutes)
            }
        };
        let nearest = (0..units.len())
            .map(|u| {
                schools
                    .iter()
                    .filter_map(|s| row[s.index()].map(|r| minutes[r][u]))
                    .min_by(f64::total_cmp)
            })
            .collect();
        Self {
            method,
            schools,
            row,
            minutes,
            nearest,
        }
    }

    /// Minutes from a unit to the household's `work_place`; `None` when it
    /// names none.
    #[must_use]
    pub fn work_minutes(&self, household: &Household, unit: UnitId) -> Option<f64> {
        household.work_place.and_then(|p| self.minutes(p, unit))
    }

    #[must_use]
    pub fn method(&self) -> Method {
        self.method
    }

    /// The places of kind `language_school`.
    #[must_use]
    pub fn schools(&self) -> &[PlaceId] {
        &self.schools
    }

    /// Minutes from a unit to a place; `None` for a place outside the table.
    #[must_use]
    pub fn minutes(&self, place: PlaceId, unit: UnitId) -> Option<f64> {
        self.row[place.index()].map(|r| self.minutes[r][unit.index()])
    }

    /// Minutes from a unit to the household's language school, or to the
    /// nearest (fastest) language school when it has none; `None` when there
    /// is no language school at all.
    #[must_use]
    pub fn school_minutes(&self, household: &Household, unit: UnitId) -> Option<f64> {
        self.school_minutes_from(household.language_school, unit)
    }

    /// [`Self::school_minutes`] for any household with this `language_school`.
    #[must_use]
    pub fn school_minutes_from(
        &self,
        language_school: Option<PlaceId>,
        unit: UnitId,
    ) -> Option<f64> {
        match language_school {
            Some(s) => self.minutes(s, unit),
            None => self.nearest[unit.index()],
        }
    }

    /// Units whose time to the school(s) of a household with this
    /// `language_school` is at most `max_min`, in unit order; `None` when
    /// there is no language school, so the travel rule cannot apply.
    #[must_use]
    pub fn within(&self, language_school: Option<PlaceId>, max_min: f64) -> Option<Vec<UnitId>> {
        let rows: Vec<&Vec<f64>> = match language_school {
            Some(s) => vec![&self.minutes[self.row[s.index()]?]],
            None => self
                .schools
                .iter()
                .filter_map(|s| self.row[s.index()].map(|r| &self.minutes[r]))
                .collect(),
        };
        if rows.is_empty() {
            return None;
        }
        let units = rows[0].len();
        Some(
            (0..units)
                .filter(|&u| rows.iter().any(|r| r[u] <= max_min))
                .map(|u| UnitId(to_u32(u)))
                .collect(),
        )
    }
}
