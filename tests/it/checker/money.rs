//! Money: the README's formulas for income, housing benefit, the minimum
//! disposable amount and the temporary charge; a permanent home affordable
//! at move-in and after a reunion; and the row's money columns.

use chrono::NaiveDate;

use super::csv_rows::{get, num};
use super::inputs::{Household, Unit};
use super::plan_rows::Case;
use super::scenario::Scenario;

/// Monthly income: the given one, else the benefits of the composition.
pub fn income(sc: &Scenario, h: &Household, (a, c): (u32, u32)) -> f64 {
    if let Some(i) = h.income {
        return i;
    }
    let mut inc = sc.ben_adult * f64::from(a) + sc.ben_child_allowance * f64::from(c);
    if c > 0 {
        inc += sc.ben_child_supplement;
        if a == 1 {
            inc += sc.ben_single_parent;
        }
    }
    inc
}

pub fn min_disposable(sc: &Scenario, (a, c): (u32, u32)) -> f64 {
    let adults = if a <= 1 {
        sc.md_single
    } else {
        sc.md_couple + sc.md_single * f64::from(a - 2)
    };
    adults + sc.md_per_child * f64::from(c)
}

/// The README's simplified monthly housing benefit, rounded down.
pub fn housing_benefit(
    sc: &Scenario,
    rent: f64,
    area_m2: f64,
    income_month: f64,
    comp: (u32, u32),
) -> f64 {
    if !sc.hb_enabled {
        return 0.0;
    }
    let persons = f64::from(comp.0 + comp.1);
    let counted_area = sc.hb_area_first + sc.hb_area_extra * (persons - 1.0);
    let factor = if area_m2 > 0.0 {
        (counted_area / area_m2).min(1.0)
    } else {
        1.0
    };
    let yearly_rent = rent * 12.0;
    let counted_rent = (yearly_rent * factor).min(sc.hb_max_counted_rent);
    let mut hb = sc.hb_rent_share * counted_rent
        - sc.hb_income_share * (income_month * 12.0 - sc.hb_income_threshold).max(0.0);
    hb = hb.min(yearly_rent - sc.hb_min_own_payment);
    hb = hb.min(sc.hb_max_support);
    if comp.1 == 0 {
        hb = hb.min(sc.hb_no_children_cap_share * yearly_rent);
    }
    (hb.max(0.0) / 12.0).floor()
}

/// The legal maximum temporary charge for a composition.
pub fn temporary_charge(sc: &Scenario, (a, c): (u32, u32)) -> f64 {
    if a <= 1 {
        sc.tc_single
    } else if c == 0 {
        sc.tc_couple
    } else if c <= 3 {
        sc.tc_couple_1_3
    } else {
        sc.tc_couple_4plus
    }
}

/// Affordability of the home `pid` moved into on `pf`: at move-in and after
/// a reunion inside the horizon.
pub(super) fn check_affordability(
    c: &Case<'_>,
    pid: &str,
    pf: NaiveDate,
    u: &Unit,
    v: &mut Vec<String>,
) {
    let (sc, h, id, fin) = (c.sc, c.h, c.id, c.fin);
    // Affordability at move-in and after a reunion inside the horizon.
    let mut comps = vec![h.comp_at(sc, pf)];
    if !comps.contains(&fin) {
        comps.push(fin);
    }
    for comp in comps {
        let inc = income(sc, h, comp);
        let hb = housing_benefit(sc, u.rent, u.area_m2.unwrap_or(0.0), inc, comp);
        let disp = inc + hb - u.rent;
        let min = min_disposable(sc, comp);
        if disp < min {
            v.push(format!(
                "affordability: {id} in {pid} with {comp:?}: {inc} + {hb} - {} = {disp} < {min}",
                u.rent
            ));
        }
    }
}

/// The row's income, housing benefit, rent and disposable amount.
pub(super) fn check_money_columns(c: &Case<'_>, v: &mut Vec<String>) {
    let (sc, h, r, id, fin, status) = (c.sc, c.h, c.r, c.id, c.fin, c.status);
    let (temp, perm) = (c.temp, c.perm);
    // Money columns.
    let exp_income = income(sc, h, fin);
    let row_income = num(r, "income");
    if row_income.is_none_or(|i| (i - exp_income).abs() > 1.0) {
        v.push(format!(
            "money: {id} income {:?}, expected {exp_income}",
            get(r, "income")
        ));
    }
    let exp_hb = match perm.and_then(|p| p.1).filter(|u| !u.temporary) {
        Some(u) if status == "permanent" => {
            housing_benefit(sc, u.rent, u.area_m2.unwrap_or(0.0), exp_income, fin)
        }
        _ => 0.0,
    };
    let row_hb = num(r, "housing_benefit").unwrap_or(0.0);
    if (row_hb - exp_hb).abs() > 1.0 {
        v.push(format!(
            "money: {id} housing_benefit {row_hb}, expected {exp_hb}"
        ));
    }
    let row_rent = num(r, "rent");
    match status {
        "permanent" => {
            if let Some(u) = perm.and_then(|p| p.1)
                && row_rent.is_none_or(|x| (x - u.rent).abs() > 0.5)
            {
                v.push(format!(
                    "money: {id} rent {row_rent:?}, dwelling rent {}",
                    u.rent
                ));
            }
        }
        "temporary_only" => {
            if let Some(u) = temp.and_then(|t| t.1) {
                let a = temporary_charge(sc, fin).min(u.rent);
                let b = temporary_charge(sc, (h.adults, h.children)).min(u.rent);
                if row_rent.is_none_or(|x| (x - a).abs() > 0.5 && (x - b).abs() > 0.5) {
                    v.push(format!(
                        "money: {id} temporary rent {row_rent:?}, expected {a}"
                    ));
                }
            }
        }
        _ => {}
    }
    if let (Some(i), Some(rent), Some(d)) = (row_income, row_rent, num(r, "disposable")) {
        if (i + row_hb - rent - d).abs() > 1e-6 {
            v.push(format!(
                "money: {id} disposable {d} != {i} + {row_hb} - {rent}"
            ));
        }
    } else if status != "unplaced" {
        v.push(format!("money: {id} income/rent/disposable not numbers"));
    }
}
