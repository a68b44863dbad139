//! The rules across households, from the occupancy the per-household rules
//! record: one household per dwelling, persons per day on each temporary
//! site within its capacity, each district's share of newcomers and the
//! households per building within their caps.

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};

use super::inputs::{Household, Inputs};
use super::scenario::Scenario;

/// Who lives where, gathered over all rows.
#[derive(Default)]
pub(super) struct Occupancy<'a> {
    /// The households given each dwelling.
    pub(super) perm_users: BTreeMap<&'a str, Vec<&'a str>>,
    /// The stays on each temporary site: household, first day, day after.
    pub(super) temp_stays: BTreeMap<&'a str, Vec<(&'a Household, NaiveDate, NaiveDate)>>,
    /// Persons (after a reunion) given a permanent home in each district.
    pub(super) district_persons: BTreeMap<String, f64>,
    /// The households given a permanent home in each building.
    pub(super) building_households: BTreeMap<&'a str, Vec<&'a str>>,
}

/// Checks the caps across households.
pub(super) fn check_caps(
    sc: &Scenario,
    inputs: &Inputs,
    occupancy: &Occupancy<'_>,
    v: &mut Vec<String>,
) {
    let Occupancy {
        perm_users,
        temp_stays,
        district_persons,
        building_households,
    } = occupancy;
    // One household per dwelling.
    for (pid, users) in perm_users {
        if users.len() > 1 {
            v.push(format!("capacity: dwelling {pid} given to {users:?}"));
        }
    }
    // Persons per day on temporary sites.
    for (tid, stays) in temp_stays {
        let cap = inputs.units[*tid].capacity.unwrap_or(0.0);
        let mut d = sc.start;
        while d < sc.end {
            let present: u32 = stays
                .iter()
                .filter(|(_, f, t)| *f <= d && d < *t)
                .map(|(h, _, _)| {
                    let c = h.comp_at(sc, d);
                    c.0 + c.1
                })
                .sum();
            if f64::from(present) > cap {
                v.push(format!(
                    "capacity: site {tid} holds {present} persons on {d}, capacity {cap}"
                ));
                break;
            }
            d = d + Days::new(1);
        }
    }
    // District shares.
    for (did, p) in district_persons {
        if *p <= 0.0 {
            continue;
        }
        let Some(d) = inputs.districts.iter().find(|d| &d.id == did) else {
            continue;
        };
        let share = (d.newcomers + p) / (d.population + p);
        if share > sc.max_district_share + 1e-12 {
            v.push(format!(
                "district_cap: district {did}: ({} + {p}) / ({} + {p}) = {share:.4} > {}",
                d.newcomers, d.population, sc.max_district_share
            ));
        }
    }
    // Households per building.
    for (b, hs) in building_households {
        if hs.len() > sc.max_households_per_building {
            v.push(format!("building_cap: building {b} has {hs:?}"));
        }
    }
}
