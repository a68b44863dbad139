//! Money: income from benefit rates, the simplified housing benefit, the
//! legal charge in a temporary place and the minimum disposable amount.
//!
//! All amounts are whole DKK per month; formulas are in the README.

use crate::model::{Composition, Household};
use crate::scenario::{Benefits, HousingBenefit, MinDisposable, TemporaryCharge};

/// Days per month for monthly amounts (365.25 / 12).
pub const DAYS_PER_MONTH: f64 = 30.4375;

/// Monthly income: the household's own figure, else the benefit rates.
#[must_use]
pub fn income_dkk(household: &Household, comp: Composition, rates: &Benefits) -> i64 {
    if let Some(income) = household.income_dkk {
        return income;
    }
    let adults = i64::from(comp.adults);
    let children = i64::from(comp.children);
    let mut income = rates.adult * adults + rates.child_allowance * children;
    if children > 0 {
        income += rates.child_supplement;
        if adults == 1 {
            income += rates.single_parent;
        }
    }
    income
}

/// The minimum disposable amount after rent (rådighedsbeløb) for a household.
#[must_use]
pub fn min_disposable_dkk(comp: Composition, table: &MinDisposable) -> i64 {
    let adults = i64::from(comp.adults);
    let base = if adults <= 1 {
        table.single
    } else {
        table.couple + (adults - 2) * table.single
    };
    base + table.per_child * i64::from(comp.children)
}

/// Estimated monthly housing benefit (boligstøtte), simplified from
/// boligstøtteloven § 22; 0 when disabled.
#[must_use]
#[allow(clippy::cast_possible_truncation)]
pub fn housing_benefit_dkk(
    comp: Composition,
    income_dkk: i64,
    rent_dkk: i64,
    area_m2: f64,
    cfg: &HousingBenefit,
) -> i64 {
    if !cfg.enabled || rent_dkk <= 0 {
        return 0;
    }
    let rent_year = rent_dkk as f64 * 12.0;
    let counted_area = cfg.area_first_person_m2
        + cfg.area_per_extra_person_m2 * f64::from(comp.persons().saturating_sub(1));
    let area_share = if area_m2 > 0.0 {
        (counted_area / area_m2).min(1.0)
    } else {
        1.0
    };
    let counted_rent = (rent_year * area_share).min(cfg.max_counted_rent);
    let income_year = income_dkk as f64 * 12.0;
    let mut support = cfg.rent_share * counted_rent
        - cfg.income_share * (income_year - cfg.income_threshold).max(0.0);
    support = support
        .min(rent_year - cfg.min_own_payment)
        .min(cfg.max_support);
    if comp.children == 0 {
        support = support.min(cfg.no_children_cap_share * rent_year);
    }
    (support.max(0.0) / 12.0).floor() as i64
}

/// The legal maximum monthly charge in a temporary place for this household.
#[must_use]
pub fn temporary_cap_dkk(comp: Composition, caps: &TemporaryCharge) -> i64 {
    if comp.adults <= 1 {
        caps.single
    } else if comp.children == 0 {
        caps.couple
    } else if comp.children <= 3 {
        caps.couple_1_3_children
    } else {
        caps.couple_4plus_children
    }
}

/// What the household pays in a temporary place: the site's charge, at most
/// the legal cap.
#[must_use]
pub fn temporary_charge_dkk(comp: Composition, site_rent_dkk: i64, caps: &TemporaryCharge) -> i64 {
    site_rent_dkk.min(temporary_cap_dkk(comp, caps))
}

/// Income, benefit and what is left in a permanent dwelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    pub income_dkk: i64,
    pub housing_benefit_dkk: i64,
    pub rent_dkk: i64,
    pub disposable_dkk: i64,
    pub required_dkk: i64,
}

impl Budget {
    #[must_use]
    pub fn affordable(&self) -> bool {
        self.disposable_dkk >= self.required_dkk
    }
}

/// The budget of a household of composition `comp` in a dwelling.
#[must_use]
pub fn budget(
    household: &Household,
    comp: Composition,
    rent_dkk: i64,
    area_m2: f64,
    rates: &Benefits,
    hb: &HousingBenefit,
    min: &MinDisposable,
) -> Budget {
    let income = income_dkk(household, comp, rates);
    let benefit = housing_benefit_dkk(comp, income, rent_dkk, area_m2, hb);
    Budget {
        income_dkk: income,
        housing_benefit_dkk: benefit,
        rent_dkk,
        disposable_dkk: income + benefit - rent_dkk,
        required_dkk: min_disposable_dkk(comp, min),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comp(adults: u32, children: u32) -> Composition {
        Composition { adults, children }
    }

    #[test]
    fn benefit_for_a_single_adult_is_capped_at_15_percent_of_rent() {
        // 4,000 DKK rent: 60 % of 48,000 = 28,800 a year; income 6,553 × 12 = 78,636
        // is below the threshold; own payment cap 48,000 − 28,300 = 19,700; the
        // no-children cap 15 % × 48,000 = 7,200 binds: 600 a month.
        let hb = housing_benefit_dkk(comp(1, 0), 6553, 4000, 40.0, &HousingBenefit::default());
        assert_eq!(hb, 600);
    }

    #[test]
    fn benefit_for_a_family_counts_area_and_income() {
        // 2 adults 2 children, 7,000 DKK, 100 m²: counted area 65 + 3 × 20 = 125 ≥ 100,
        // counted rent 84,000; 0.6 × 84,000 = 50,400; income 20,000 × 12 = 240,000,
        // 0.18 × (240,000 − 166,600) = 13,212; 37,188 < 84,000 − 28,300 and < 49,716.
        let hb = housing_benefit_dkk(comp(2, 2), 20_000, 7000, 100.0, &HousingBenefit::default());
        assert_eq!(hb, 37_188 / 12);
        let off = HousingBenefit {
            enabled: false,
            ..HousingBenefit::default()
        };
        assert_eq!(
            housing_benefit_dkk(comp(2, 2), 20_000, 7000, 100.0, &off),
            0
        );
    }

    #[test]
    fn min_disposable_follows_the_table() {
        let t = MinDisposable::default();
        assert_eq!(min_disposable_dkk(comp(1, 0), &t), 2800);
        assert_eq!(min_disposable_dkk(comp(2, 0), &t), 5000);
        assert_eq!(min_disposable_dkk(comp(3, 2), &t), 5000 + 2800 + 2200);
    }

    #[test]
    fn temporary_charge_is_capped_by_type() {
        let caps = TemporaryCharge::default();
        assert_eq!(temporary_charge_dkk(comp(1, 2), 9000, &caps), 2546);
        assert_eq!(temporary_charge_dkk(comp(2, 0), 9000, &caps), 4665);
        assert_eq!(temporary_charge_dkk(comp(2, 3), 9000, &caps), 5089);
        assert_eq!(temporary_charge_dkk(comp(2, 4), 9000, &caps), 5514);
        assert_eq!(temporary_charge_dkk(comp(2, 4), 3000, &caps), 3000);
    }
}
