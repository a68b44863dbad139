//! Who lives in a household on a given day (a family reunion inside the
//! horizon adds its members from that day) and the household's type.

use chrono::NaiveDate;

use super::inputs::Household;
use super::scenario::Scenario;

impl Household {
    /// Whether the reunion falls inside the horizon (a later one is ignored).
    pub fn reunion_in_horizon(&self, sc: &Scenario) -> Option<NaiveDate> {
        self.reunion_date
            .filter(|d| *d < sc.end && self.reunion_adults + self.reunion_children > 0)
    }

    /// (adults, children) present on day `d`.
    pub fn comp_at(&self, sc: &Scenario, d: NaiveDate) -> (u32, u32) {
        match self.reunion_in_horizon(sc) {
            Some(r) if d >= r => (
                self.adults + self.reunion_adults,
                self.children + self.reunion_children,
            ),
            _ => (self.adults, self.children),
        }
    }

    /// (adults, children) at the end of the horizon.
    pub fn final_comp(&self, sc: &Scenario) -> (u32, u32) {
        self.comp_at(sc, sc.end)
    }

    pub fn eff_arrival(&self, sc: &Scenario) -> NaiveDate {
        self.arrival.max(sc.start)
    }
}

pub fn household_type((adults, children): (u32, u32)) -> &'static str {
    if children > 0 {
        "family"
    } else if adults >= 2 {
        "couple"
    } else {
        "single"
    }
}
