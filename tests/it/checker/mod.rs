//! An independent checker of the README's "Rules" section.
//!
//! It reads the scenario and every input file itself, projects everything to
//! EPSG:25832 itself, assigns units to districts by its own point-in-polygon
//! test, recomputes income, housing benefit, disposable income and travel time
//! from the README's formulas, and then checks `plan.csv` against every rule.
//! It never calls the `boligplan` library: a check that asks the planner's own
//! rule code whether the planner obeyed it would prove nothing.
//!
//! Every violation is one string starting with a short code (`capacity:`,
//! `size:`, `travel:`, …) so that tests can assert which rule was found broken.
//!
//! The checker is split by job: `scenario`, `csv_rows`, `features`,
//! `inputs` and `network` read the inputs; `plan_rows` reads plan.csv;
//! `composition`, `money` and `travel` hold the README's formulas; `status`,
//! `temporary`, `permanent`, `districts`, `pins`, `money` and `travel`
//! check each household's row; `caps` checks the rules across households;
//! `headline` re-derives summary.json's headline figures (when the plan
//! directory has a summary.json). This file runs them in order.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use chrono::{Days, NaiveDate};

mod caps;
mod composition;
mod csv_rows;
mod districts;
mod features;
mod headline;
mod inputs;
mod money;
mod network;
mod permanent;
mod pins;
mod plan_rows;
mod scenario;
#[cfg(test)]
mod self_tests;
mod status;
mod temporary;
mod travel;

pub use composition::household_type;
pub use csv_rows::{parse_date, read_csv_maps};
pub use features::lonlat_to_utm;
pub use inputs::{Household, Inputs, Unit};
pub use inputs::{district_containing, load_districts, load_inputs};
pub use money::{housing_benefit, income, min_disposable};
pub use plan_rows::PLAN_COLUMNS;
pub use scenario::{Scenario, load_scenario};
pub use travel::{travel_minutes, work_travel_minutes};

use caps::Occupancy;
use plan_rows::Case;

/// Checks `out_dir/plan.csv` against every rule; returns the violations found.
pub fn check_plan(scenario_path: &Path, out_dir: &Path) -> Vec<String> {
    let sc = match load_scenario(scenario_path) {
        Ok(s) => s,
        Err(e) => return vec![format!("input: {e}")],
    };
    let inputs = match load_inputs(&sc) {
        Ok(i) => i,
        Err(e) => return vec![format!("input: {e}")],
    };
    let plan = match read_csv_maps(&out_dir.join("plan.csv")) {
        Ok(p) => p,
        Err(e) => return vec![format!("households: cannot read plan.csv: {e}")],
    };
    let mut v = Vec::new();
    let district_persons = check(&sc, &inputs, &plan, &mut v);
    let summary_path = out_dir.join("summary.json");
    if summary_path.exists() {
        match std::fs::read_to_string(&summary_path)
            .map_err(|e| e.to_string())
            .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()))
        {
            Ok(summary) => {
                headline::check_headline(&sc, &inputs, &district_persons, &summary, &mut v);
            }
            Err(e) => v.push(format!("headline: cannot read summary.json: {e}")),
        }
    }
    let forced = pins::forced_exemptions(&inputs, &plan, out_dir, &mut v);
    v.retain(|violation| {
        let Some((rule, rest)) = violation.split_once(": ") else {
            return true;
        };
        let id = rest.split([' ', ':']).next().unwrap_or("");
        !forced.contains(&(id.to_string(), rule.to_string()))
    });
    v
}

/// Every rule but the forced exemptions: the plan's columns and rows, then
/// each household's row in input order, then the rules across households.
/// Returns the persons given a permanent home in each district.
fn check(
    sc: &Scenario,
    inputs: &Inputs,
    plan: &[HashMap<String, String>],
    v: &mut Vec<String>,
) -> BTreeMap<String, f64> {
    plan_rows::check_columns(plan, v);
    let rows = plan_rows::check_households(inputs, plan, v);
    let mut occupancy = Occupancy::default();
    for h in &inputs.households {
        let Some(r) = rows.get(h.id.as_str()) else {
            continue;
        };
        let case = Case::new(sc, inputs, h, r);
        status::check_status(&case, v);
        if status::arrives_after_horizon(&case, v) {
            continue;
        }
        temporary::check_stay(&case, &mut occupancy, v);
        permanent::check_home(&case, &mut occupancy, v);
        temporary::check_roof(&case, v);
        permanent::check_no_home_missed(&case, v);
        pins::check_pin(&case, v);
        districts::check_district_column(&case, v);
        money::check_money_columns(&case, v);
        travel::check_reported_travel(&case, v);
    }
    caps::check_caps(sc, inputs, &occupancy, v);
    temporary::check_site_order(sc, inputs, &rows, &occupancy, v);
    occupancy.district_persons
}

fn day_before(d: NaiveDate) -> NaiveDate {
    d - Days::new(1)
}
