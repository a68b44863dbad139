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

/// What is used while building a lawful choice.
pub(super) struct Usage {
    pub(super) dwelling: Vec<bool>,
    pub(super) building: Vec<u32>,
    pub(super) persons: Vec<u32>,
}

impl Usage {
    pub(super) fn of(model: &Model, districts: usize, chosen: &[Option<usize>]) -> Self {
        let mut u = Usage {
            dwelling: vec![false; model.unit_count],
            building: vec![0; model.buildings.len()],
            persons: vec![0; districts],
        };
        for j in chosen.iter().flatten() {
            u.add(model, *j);
        }
        u
    }

    pub(super) fn add(&mut self, model: &Model, j: usize) {
        let p = &model.pairs[j];
        self.dwelling[p.unit.index()] = true;
        self.building[p.building] += 1;
        if let Some(d) = p.district {
            self.persons[d.index()] += p.persons;
        }
    }

    pub(super) fn remove(&mut self, model: &Model, j: usize) {
        let p = &model.pairs[j];
        self.dwelling[p.unit.index()] = false;
        self.building[p.building] -= 1;
        if let Some(d) = p.district {
            self.persons[d.index()] -= p.persons;
        }
    }

    /// Whether pair j fits next to what is used.
    pub(super) fn fits(&self, model: &Model, j: usize) -> bool {
        let p = &model.pairs[j];
        !self.dwelling[p.unit.index()]
            && self.building[p.building] < model.building_cap
            && p.district
                .is_none_or(|d| !over_cap(model, d.index(), self.persons[d.index()] + p.persons))
    }

    /// Objective change of adding pair j.
    pub(super) fn gain(&self, model: &Model, j: usize) -> f64 {
        let p = &model.pairs[j];
        let spread = p.district.map_or(0.0, |d| {
            model.spread_marginal(d, self.persons[d.index()], p.persons)
        });
        p.cost + spread
    }
}

/// Whether `persons` placed in district `d` break its cap (`u32::MAX`: no cap).
pub(super) fn over_cap(model: &Model, d: usize, persons: u32) -> bool {
    let cap = model.district_cap[d];
    cap != u32::MAX && persons > cap
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
        assert_eq!((usage.persons[0], usage.building[1]), (4, 1));
        usage.remove(&model, 2);
        assert!(usage.fits(&model, 4));
        assert_eq!((usage.persons[0], usage.building[1]), (3, 0));
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
