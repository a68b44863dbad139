//! The dynamic caps between households, written once: a dwelling is
//! given once, a district takes newcomers up to its share
//! (`max_district_share`), a building up to `max_households_per_building`
//! newcomer households. [`Occupancy`] counts what a plan has used and says
//! whether one more home fits; allocation, the engine's repair, pins and
//! `explain` all ask it.
//!
//! Invariant: `fits` answers in one order — dwelling taken, district cap,
//! building cap — so every user reports the same rule for the same home.

use crate::ids::{DistrictId, UnitId};
use crate::model::Inputs;
use crate::rules::Reason;
use crate::scenario::Scenario;

/// The largest number of persons a district may receive under its cap.
#[must_use]
pub fn district_capacity(population: u32, newcomers: u32, share: f64) -> u32 {
    if share >= 1.0 {
        return u32::MAX;
    }
    let ok = |p: u32| f64::from(newcomers + p) / f64::from(population + p) <= share + 1e-12;
    let estimate = ((share * f64::from(population) - f64::from(newcomers)) / (1.0 - share)).floor();
    if estimate < 0.0 {
        return 0;
    }
    let mut p = estimate as u32;
    while p > 0 && !ok(p) {
        p -= 1;
    }
    while ok(p + 1) {
        p += 1;
    }
    if ok(p) { p } else { 0 }
}

/// Where a permanent home counts toward the caps: the dwelling, its
/// district and its building (a [`crate::ids::BuildingId`]'s index, or the
/// model's own number of the building).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Home {
    pub unit: UnitId,
    pub district: Option<DistrictId>,
    pub building: usize,
}

impl Home {
    /// The home of a dwelling of the inputs.
    #[must_use]
    pub fn of(inputs: &Inputs, unit: UnitId) -> Self {
        let u = inputs.unit(unit);
        Self {
            unit,
            district: u.district,
            building: u.building_id.index(),
        }
    }
}

/// What a plan uses of the dynamic caps: dwellings taken, persons per
/// district, newcomer households per building.
#[derive(Debug, Clone)]
pub struct Occupancy {
    taken: Vec<bool>,
    persons: Vec<u32>,
    /// Most persons each district may receive ([`district_capacity`]).
    capacity: Vec<u32>,
    households: Vec<u32>,
    building_cap: u32,
}

impl Occupancy {
    /// Nothing used yet, with these caps: `capacity` per district,
    /// `building_cap` households in each of `buildings` buildings, over
    /// `units` dwellings.
    #[must_use]
    pub fn new(units: usize, capacity: Vec<u32>, buildings: usize, building_cap: u32) -> Self {
        Self {
            taken: vec![false; units],
            persons: vec![0; capacity.len()],
            capacity,
            households: vec![0; buildings],
            building_cap,
        }
    }

    /// Nothing used yet, with the scenario's caps, buildings numbered by
    /// [`crate::model::Unit::building_id`].
    #[must_use]
    pub fn of_inputs(inputs: &Inputs, scenario: &Scenario) -> Self {
        Self::new(
            inputs.units.len(),
            capacities(inputs, scenario),
            inputs.building_count(),
            scenario.rules.max_households_per_building,
        )
    }

    /// Whether a household of `persons` may move into `home` next to what
    /// is used: the dwelling free, the district's share kept, the building
    /// below its cap — the first rule it breaks otherwise.
    pub fn fits(&self, home: Home, persons: u32) -> Result<(), Reason> {
        if self.taken[home.unit.index()] {
            return Err(Reason::Taken);
        }
        if let Some(d) = home.district
            && !within_share(
                self.persons[d.index()].saturating_add(persons),
                self.capacity[d.index()],
            )
        {
            return Err(Reason::DistrictCap);
        }
        if !room_in_building(self.households[home.building], self.building_cap) {
            return Err(Reason::BuildingCap);
        }
        Ok(())
    }

    /// A household of `persons` moves into `home`.
    pub fn add(&mut self, home: Home, persons: u32) {
        self.taken[home.unit.index()] = true;
        if let Some(d) = home.district {
            self.persons[d.index()] += persons;
        }
        self.households[home.building] += 1;
    }

    /// A household of `persons` leaves `home`.
    pub fn remove(&mut self, home: Home, persons: u32) {
        self.taken[home.unit.index()] = false;
        if let Some(d) = home.district {
            self.persons[d.index()] -= persons;
        }
        self.households[home.building] -= 1;
    }

    /// Whether the dwelling is taken.
    #[must_use]
    pub fn is_taken(&self, unit: UnitId) -> bool {
        self.taken[unit.index()]
    }

    /// Persons placed in the district.
    #[must_use]
    pub fn persons_in(&self, d: DistrictId) -> u32 {
        self.persons[d.index()]
    }

    /// Most persons the district may receive.
    #[must_use]
    pub fn capacity_of(&self, d: DistrictId) -> u32 {
        self.capacity[d.index()]
    }

    /// Newcomer households in the building.
    #[must_use]
    pub fn households_in(&self, building: usize) -> u32 {
        self.households[building]
    }

    /// Which dwellings are taken, by unit index.
    #[must_use]
    pub fn taken(&self) -> &[bool] {
        &self.taken
    }

    /// Persons placed per district.
    #[must_use]
    pub fn persons(&self) -> &[u32] {
        &self.persons
    }

    /// Newcomer households per building.
    #[must_use]
    pub fn households(&self) -> &[u32] {
        &self.households
    }

    /// Whether a district's cap is broken (a relaxed plan may break it).
    #[must_use]
    pub fn district_over(&self, d: DistrictId) -> bool {
        !within_share(self.persons[d.index()], self.capacity[d.index()])
    }

    /// Whether a building has more households than its cap.
    #[must_use]
    pub fn building_over(&self, building: usize) -> bool {
        self.households[building] > self.building_cap
    }
}

/// The district cap: `persons` newcomers placed in a district that may
/// receive `capacity` ([`district_capacity`]; `u32::MAX`: no cap).
#[must_use]
pub fn within_share(persons: u32, capacity: u32) -> bool {
    persons <= capacity
}

/// The building cap: room for one more household in a building that has
/// `households` of at most `cap`.
#[must_use]
pub fn room_in_building(households: u32, cap: u32) -> bool {
    households < cap
}

/// Each district's [`district_capacity`] under the scenario's share.
#[must_use]
pub fn capacities(inputs: &Inputs, scenario: &Scenario) -> Vec<u32> {
    inputs
        .districts
        .iter()
        .map(|d| district_capacity(d.population, d.newcomers, scenario.rules.max_district_share))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn home(unit: u32, district: Option<u32>, building: usize) -> Home {
        Home {
            unit: UnitId(unit),
            district: district.map(DistrictId),
            building,
        }
    }

    #[test]
    fn fits_adds_and_removes() {
        // District 0 takes 5 persons; 2 households per building.
        let mut o = Occupancy::new(4, vec![5, u32::MAX], 2, 2);
        let a = home(0, Some(0), 0);
        let b = home(1, Some(0), 0);
        let c = home(2, Some(1), 0);
        let d = home(3, None, 1);
        assert_eq!(o.fits(a, 3), Ok(()));
        o.add(a, 3);
        assert_eq!(o.fits(a, 1), Err(Reason::Taken));
        assert_eq!(o.fits(b, 3), Err(Reason::DistrictCap));
        assert_eq!(o.fits(b, 2), Ok(()));
        o.add(b, 2);
        assert_eq!(o.persons_in(DistrictId(0)), 5);
        // The building has its 2 households; a district without a cap.
        assert_eq!(o.fits(c, 100), Err(Reason::BuildingCap));
        assert_eq!(o.fits(d, 100), Ok(()));
        o.remove(a, 3);
        assert_eq!(o.fits(c, 100), Ok(()));
        assert_eq!(o.fits(a, 3), Ok(()));
        assert_eq!(o.households_in(0), 1);
    }

    #[test]
    fn capacity_keeps_the_share() {
        // 1,000 inhabitants, 20 newcomers, share 5 %: 31 persons give
        // 51 / 1,031 = 4.95 %, 32 give 52 / 1,032 = 5.04 %.
        assert_eq!(district_capacity(1000, 20, 0.05), 31);
        assert_eq!(district_capacity(1000, 60, 0.05), 0);
        assert_eq!(district_capacity(1000, 60, 1.0), u32::MAX);
    }
}
