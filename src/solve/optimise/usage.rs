//! Cap usage while a lawful choice is built: which dwellings are taken, the
//! households per building and the persons per district, with `add`,
//! `remove`, `fits` (dwelling free, building and district caps kept) and
//! `gain` (the objective change of adding a pair, its spread penalty
//! included).
//!
//! Kept on its own so that it can be swapped for a shared occupancy type
//! without touching the engine. Invariant: the counts are exactly those of
//! the pairs added and not removed; it never decides anything itself.

use crate::milp::Model;
use crate::rules::occupancy::{Home, Occupancy, within_share};

/// What is used while building a lawful choice: the shared
/// [`Occupancy`] over the model's pairs (buildings by the model's numbers).
pub(super) struct Usage(Occupancy);

impl Usage {
    pub(super) fn of(model: &Model, districts: usize, chosen: &[Option<usize>]) -> Self {
        debug_assert_eq!(districts, model.district_cap.len());
        let mut u = Usage(Occupancy::new(
            model.unit_count,
            model.district_cap.clone(),
            model.buildings.len(),
            model.building_cap,
        ));
        for j in chosen.iter().flatten() {
            u.add(model, *j);
        }
        u
    }

    fn home(model: &Model, j: usize) -> Home {
        let p = &model.pairs[j];
        Home {
            unit: p.unit,
            district: p.district,
            building: p.building,
        }
    }

    pub(super) fn add(&mut self, model: &Model, j: usize) {
        self.0.add(Self::home(model, j), model.pairs[j].persons);
    }

    pub(super) fn remove(&mut self, model: &Model, j: usize) {
        self.0.remove(Self::home(model, j), model.pairs[j].persons);
    }

    /// Whether pair j fits next to what is used.
    pub(super) fn fits(&self, model: &Model, j: usize) -> bool {
        self.0
            .fits(Self::home(model, j), model.pairs[j].persons)
            .is_ok()
    }

    /// Objective change of adding pair j.
    pub(super) fn gain(&self, model: &Model, j: usize) -> f64 {
        let p = &model.pairs[j];
        let spread = p.district.map_or(0.0, |d| {
            model.spread_marginal(d, self.0.persons_in(d), p.persons)
        });
        p.cost + spread
    }

    /// Which dwellings are taken, by unit index.
    pub(super) fn dwelling(&self) -> &[bool] {
        self.0.taken()
    }

    /// Newcomer households per building (the model's numbers).
    pub(super) fn building(&self) -> &[u32] {
        self.0.households()
    }

    /// Persons per district.
    pub(super) fn persons(&self) -> &[u32] {
        self.0.persons()
    }

    /// Whether a building has more households than its cap.
    pub(super) fn building_over(&self, b: usize) -> bool {
        self.0.building_over(b)
    }
}

/// Whether `persons` placed in district `d` break its cap (`u32::MAX`: no cap).
pub(super) fn over_cap(model: &Model, d: usize, persons: u32) -> bool {
    !within_share(persons, model.district_cap[d])
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{self, P};
    use super::*;

    #[test]
    #[allow(clippy::float_cmp)] // exact: small integers and halves
    fn fits_checks_the_dwelling_the_building_and_the_district() {
        // District 0 of cap 4 persons, spread from 1 person; buildings of 1.
        let pairs: [P; 5] = [
            (0, 0, -500.0, 3, Some(0), 0),
            (1, 0, -400.0, 1, Some(0), 0),
            (1, 1, -400.0, 1, Some(0), 1),
            (2, 2, -300.0, 2, Some(0), 2),
            (2, 3, -300.0, 2, None, 1),
        ];
        let model = fixtures::model(&[4], &[[1.0, 2.0, 3.0]], 1, 3, &pairs);
        let mut usage = Usage::of(&model, 1, &[Some(0), None, None]);
        assert!(!usage.fits(&model, 1), "dwelling taken");
        assert!(usage.fits(&model, 2));
        assert!(!usage.fits(&model, 3), "3 + 2 persons over the cap of 4");
        assert!(usage.fits(&model, 4));
        // 3 persons now: one more costs 50 + 100 + 200 beyond levels 1, 2, 3.
        assert_eq!(usage.gain(&model, 2), -400.0 + 350.0);
        assert_eq!(usage.gain(&model, 4), -300.0);
        usage.add(&model, 2);
        assert!(!usage.fits(&model, 4), "building 1 full");
        assert_eq!((usage.persons()[0], usage.building()[1]), (4, 1));
        usage.remove(&model, 2);
        assert!(usage.fits(&model, 4));
        assert_eq!((usage.persons()[0], usage.building()[1]), (3, 0));
        usage.remove(&model, 0);
        assert!(usage.fits(&model, 1) && usage.fits(&model, 3));
        assert!(!over_cap(&model, 0, 4) && over_cap(&model, 0, 5));
    }

    #[test]
    fn an_uncapped_district_is_never_over() {
        let model = fixtures::model(&[u32::MAX], &[[1.0, 2.0, 3.0]], 1, 0, &[]);
        assert!(!over_cap(&model, 0, u32::MAX - 1));
    }
}
