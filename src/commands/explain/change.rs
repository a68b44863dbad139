//! For a household without a permanent home, what would change it: the
//! dwelling it would need (size, the highest affordable rent by bisection,
//! step-free access, travel, districts under their cap, the building cap
//! when that binds) and the temporary place it lacks, as data and as one
//! sentence. Part of the analysis, pure.

use std::fmt::Write as _;

use crate::candidates::Reason;
use crate::economy;
use crate::model::{Composition, Household};
use crate::output::plan_csv::PlanRow;
use crate::rules::occupancy::within_share;
use crate::scenario::{Benefits, HousingBenefit, MinDisposable};

use super::analysis::{PlanState, day_date};
use super::context::Context;
use super::render::{dkk, number};
use super::{Requirement, TemporaryNeed, WhatWouldChange};

/// Districts named in the "what would change it" sentence before `…`.
const SHOWN: usize = 8;

fn school(ctx: &Context, h: &Household) -> String {
    h.language_school.map_or_else(
        || "a language school".to_string(),
        |s| ctx.inputs.place(s).label.clone(),
    )
}

/// The highest monthly rent, in whole DKK, at which the household keeps its
/// minimum disposable amount (with housing benefit) in each of `comps`, in
/// a dwelling of `area_m2`; `None` when not even a rent of 0 does.
///
/// What is left after rent never grows with the rent (the benefit rises by
/// at most the rent's own increase), so the affordable rents are `0..=max`
/// and a bisection finds `max`.
#[must_use]
pub fn max_affordable_rent(
    h: &Household,
    comps: &[Composition],
    area_m2: f64,
    benefits: &Benefits,
    housing_benefit: &HousingBenefit,
    min: &MinDisposable,
) -> Option<i64> {
    let ok = |rent: i64| {
        comps.iter().all(|&comp| {
            economy::budget(h, comp, rent, area_m2, benefits, housing_benefit, min).affordable()
        })
    };
    if !ok(0) {
        return None;
    }
    let mut hi = 1024;
    while ok(hi) {
        if hi > 1 << 40 {
            return Some(hi);
        }
        hi *= 2;
    }
    let mut lo = 0; // ok(lo) && !ok(hi)
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if ok(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Some(lo)
}

/// What a dwelling needs to give the household a home, given the plan.
fn requirement(
    ctx: &Context,
    state: &PlanState,
    h: &Household,
    binding: Option<&str>,
) -> Requirement {
    let scenario = &ctx.scenario;
    let rules = &scenario.rules;
    let horizon = scenario.horizon_days;
    let last = h.final_in(horizon);
    let persons = last.persons();
    let area_m2 = rules.min_m2_per_person * f64::from(persons);
    let arrival = ctx.candidates.of(h.id).arrival;
    let mut comps = vec![h.at(arrival), last];
    comps.dedup();
    let max_rent_dkk = max_affordable_rent(
        h,
        &comps,
        area_m2,
        &scenario.benefits,
        &scenario.housing_benefit,
        &rules.min_disposable,
    );
    let districts = ctx
        .inputs
        .districts
        .iter()
        .filter(|d| !crate::rules::district_forbidden(scenario, d, false))
        .filter(|d| {
            within_share(
                state.occupancy.persons_in(d.id) + persons,
                state.occupancy.capacity_of(d.id),
            )
        })
        .map(|d| d.label.clone())
        .collect();
    Requirement {
        persons,
        rooms: persons.div_ceil(rules.max_persons_per_room),
        area_m2,
        max_rent_dkk,
        income_dkk: economy::income_dkk(h, last, &scenario.benefits),
        min_disposable_dkk: economy::min_disposable_dkk(last, &rules.min_disposable),
        step_free: h.needs_accessible,
        max_travel_min: rules.max_travel_min,
        school: school(ctx, h),
        districts,
        building_cap: (binding == Some(Reason::BuildingCap.code()))
            .then_some(rules.max_households_per_building),
    }
}

/// "one more dwelling with ≥ 2 rooms (or ≥ 60 m²) at ≤ 6,900 DKK/month,
/// step-free, within 60 min of SPR1, in a district under its cap (D01, …)".
#[must_use]
pub fn sentence(r: &Requirement) -> String {
    let Some(rent) = r.max_rent_dkk else {
        return format!(
            "a higher income: {} DKK/month cannot leave the minimum disposable amount of {} DKK/month at any rent",
            dkk(r.income_dkk),
            dkk(r.min_disposable_dkk)
        );
    };
    if r.districts.is_empty() {
        return format!(
            "room under a district's cap: no district that may be used has room for {} more persons next to the plan's placements, so one more dwelling would not help (a higher rules.max_district_share would)",
            r.persons
        );
    }
    let mut s = format!(
        "one more dwelling with ≥ {} room{} (or ≥ {} m²) at ≤ {} DKK/month",
        r.rooms,
        if r.rooms == 1 { "" } else { "s" },
        number(r.area_m2, 0),
        dkk(rent)
    );
    if r.step_free {
        s.push_str(", step-free");
    }
    let _ = write!(
        s,
        ", within {} min of {}",
        number(r.max_travel_min, 0),
        r.school
    );
    if let Some(n) = r.building_cap {
        let _ = write!(s, ", in a building with fewer than {n} newcomer households");
    }
    let list = if r.districts.len() > SHOWN {
        format!(
            "{}, … ({} in all)",
            r.districts[..SHOWN].join(", "),
            r.districts.len()
        )
    } else {
        r.districts.join(", ")
    };
    let _ = write!(s, ", in a district under its cap ({list})");
    s
}

pub(super) fn what_would_change(
    ctx: &Context,
    state: &PlanState,
    h: &Household,
    row: &PlanRow,
) -> WhatWouldChange {
    let scenario = &ctx.scenario;
    let horizon = scenario.horizon_days;
    let c = ctx.candidates.of(h.id);
    let code = row.reason_code.clone();
    if c.arrival >= horizon {
        return WhatWouldChange {
            reason_code: code,
            reason: row.reason.clone(),
            requirement: None,
            temporary_needed: None,
            sentence: format!(
                "a longer plan: the household arrives on {}, after the plan's last day {}",
                day_date(scenario, h.arrival),
                scenario.date(horizon - 1)
            ),
        };
    }
    let requirement = requirement(ctx, state, h, code.as_deref());
    let mut text = sentence(&requirement);
    // A stay that does not last to the plan's end (or none at all).
    let stay_end = ctx.stays[h.id.index()].map_or(c.arrival, |s| s.to);
    let temporary_needed = (stay_end < horizon).then(|| TemporaryNeed {
        persons: h.at(stay_end).persons(),
        from: scenario.date(stay_end),
    });
    if let Some(TemporaryNeed { persons: p, from }) = temporary_needed {
        let _ = write!(
            text,
            "; meanwhile, a temporary place for {p} persons from {from}{}, within {} min of {}",
            if h.needs_accessible {
                ", step-free"
            } else {
                ""
            },
            number(scenario.rules.max_travel_min, 0),
            requirement.school
        );
    }
    WhatWouldChange {
        reason_code: code,
        reason: row.reason.clone(),
        requirement: Some(requirement),
        temporary_needed,
        sentence: text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::HouseholdId;

    fn household(adults: u32, children: u32, income: Option<i64>) -> Household {
        Household {
            id: HouseholdId(0),
            name: "H".into(),
            adults,
            children,
            arrival: 0,
            income_dkk: income,
            reunion: None,
            needs_accessible: false,
            language_school: None,
            work_place: None,
            locked_unit: None,
        }
    }

    fn affordable(h: &Household, comp: Composition, rent: i64, area: f64) -> bool {
        economy::budget(
            h,
            comp,
            rent,
            area,
            &Benefits::default(),
            &HousingBenefit::default(),
            &MinDisposable::default(),
        )
        .affordable()
    }

    fn search(h: &Household, comps: &[Composition], area: f64) -> Option<i64> {
        max_affordable_rent(
            h,
            comps,
            area,
            &Benefits::default(),
            &HousingBenefit::default(),
            &MinDisposable::default(),
        )
    }

    #[test]
    fn the_highest_affordable_rent_is_the_last_affordable_one() {
        // A single adult on benefits: 6,553 DKK; at most 15 % of the rent comes
        // back as housing benefit, and 2,800 DKK must be left.
        let h = household(1, 0, None);
        let comp = h.initial();
        let max = search(&h, &[comp], 20.0).expect("some rent is affordable");
        assert!(affordable(&h, comp, max, 20.0));
        assert!(!affordable(&h, comp, max + 1, 20.0));
        // Every rent below is affordable too (the search's premise).
        assert!((0..=max).step_by(7).all(|r| affordable(&h, comp, r, 20.0)));
        // 6,553 + 0.15 r − r ≥ 2,800 ⇔ r ≤ 4,415 (before rounding the benefit down).
        assert!((4_400..=4_416).contains(&max), "{max}");
    }

    #[test]
    fn the_search_takes_every_composition_and_the_benefit_into_account() {
        // Before and after a reunion: the stricter of the two binds.
        let h = household(1, 1, None);
        let before = h.initial();
        let after = Composition {
            adults: 2,
            children: 3,
        };
        let both = search(&h, &[before, after], 100.0).unwrap();
        let alone = search(&h, &[before], 100.0).unwrap();
        let later = search(&h, &[after], 100.0).unwrap();
        assert_eq!(both, alone.min(later));
        // Without housing benefit the limit is income − minimum, exactly.
        let none = max_affordable_rent(
            &h,
            &[before],
            100.0,
            &Benefits::default(),
            &HousingBenefit {
                enabled: false,
                ..HousingBenefit::default()
            },
            &MinDisposable::default(),
        )
        .unwrap();
        let income = economy::income_dkk(&h, before, &Benefits::default());
        let min = economy::min_disposable_dkk(before, &MinDisposable::default());
        assert_eq!(none, income - min);
        assert!(alone > none, "housing benefit raises the limit");
        // A given income below the minimum: no rent at all.
        let couple = household(2, 2, Some(4_000));
        assert_eq!(search(&couple, &[couple.initial()], 60.0), None);
    }

    fn requirement() -> Requirement {
        Requirement {
            persons: 3,
            rooms: 2,
            area_m2: 60.0,
            max_rent_dkk: Some(6_900),
            income_dkk: 15_000,
            min_disposable_dkk: 6_100,
            step_free: true,
            max_travel_min: 60.0,
            school: "SPR1".into(),
            districts: vec!["D01".into(), "D04".into()],
            building_cap: None,
        }
    }

    #[test]
    fn the_sentence_names_every_requirement() {
        assert_eq!(
            sentence(&requirement()),
            "one more dwelling with ≥ 2 rooms (or ≥ 60 m²) at ≤ 6,900 DKK/month, step-free, within 60 min of SPR1, in a district under its cap (D01, D04)"
        );
        let single = Requirement {
            persons: 1,
            rooms: 1,
            area_m2: 20.0,
            max_rent_dkk: Some(4_415),
            step_free: false,
            building_cap: Some(2),
            districts: (1..=10).map(|i| format!("D{i:02}")).collect(),
            ..requirement()
        };
        assert_eq!(
            sentence(&single),
            "one more dwelling with ≥ 1 room (or ≥ 20 m²) at ≤ 4,415 DKK/month, within 60 min of SPR1, in a building with fewer than 2 newcomer households, in a district under its cap (D01, D02, D03, D04, D05, D06, D07, D08, … (10 in all))"
        );
    }

    #[test]
    fn the_sentence_says_when_a_dwelling_would_not_help() {
        let poor = Requirement {
            max_rent_dkk: None,
            ..requirement()
        };
        assert_eq!(
            sentence(&poor),
            "a higher income: 15,000 DKK/month cannot leave the minimum disposable amount of 6,100 DKK/month at any rent"
        );
        let full = Requirement {
            districts: Vec::new(),
            ..requirement()
        };
        assert!(sentence(&full).starts_with("room under a district's cap"));
    }
}
