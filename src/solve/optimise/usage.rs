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
