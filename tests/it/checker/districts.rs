//! Districts: a unit's district may carry no forbidden flag (for its kind
//! of housing), and the row's `district` column names the district where
//! the household lives.

use super::csv_rows::get;
use super::inputs::{Inputs, Unit};
use super::plan_rows::Case;
use super::scenario::Scenario;

pub(super) fn check_district_flags(
    sc: &Scenario,
    inputs: &Inputs,
    id: &str,
    u: &Unit,
    v: &mut Vec<String>,
) {
    let Some(did) = &u.district else {
        return;
    };
    let Some(d) = inputs.districts.iter().find(|d| &d.id == did) else {
        v.push(format!(
            "district: unit {} names unknown district {did}",
            u.id
        ));
        return;
    };
    for f in &d.flags {
        let social = u.kind == "social_housing" && sc.forbidden_flags_social.contains(f);
        if sc.forbidden_flags.contains(f) || social {
            v.push(format!(
                "forbidden_district: {id} in {} ({}) in district {did} flagged {f}",
                u.id, u.kind
            ));
        }
    }
}

/// The row's `district` against the district of the household's home.
pub(super) fn check_district_column(c: &Case<'_>, v: &mut Vec<String>) {
    let (r, id) = (c.r, c.id);
    let home = c.home();
    if let Some(d) = home.and_then(|u| u.district.as_deref())
        && get(r, "district") != Some(d)
    {
        v.push(format!(
            "district: {id} district {:?}, expected {d}",
            get(r, "district")
        ));
    }
}
