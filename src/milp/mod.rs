//! The optimisation model of docs/model.md, built once from the candidates
//! and shared by the engine, the objective evaluation and `export-model`.
//!
//! Variables: `x_j` ∈ {0, 1} for every candidate pair j = (household,
//! dwelling) — the household moves in on the pair's fixed move-in day — and
//! `e_{d,k}` ≥ 0, the persons placed in district d above spread level k.
//! Minimise `constant + Σ cost_j x_j + Σ weight_{d,k} e_{d,k}` subject to at
//! most one dwelling per household, one household per dwelling, the district
//! caps, the building caps and the spread levels.

use std::fmt::Write as _;
use std::io::Write;
use std::ops::Range;

use rayon::prelude::*;

use crate::candidates::Candidates;
use crate::ids::{DistrictId, HouseholdId, UnitId};
use crate::model::{Decisions, Inputs, Tenure};
use crate::rules::cost::{pair_cost, person_days};
use crate::rules::occupancy::district_capacity;
use crate::scenario::Scenario;
use crate::tuning::{PRUNE_ABOVE_PAIRS, PRUNE_TOP_PER_DISTRICT, PRUNE_TOP_PER_HOUSEHOLD, Tuning};

/// One candidate pair: household h may move into dwelling u on `move_in`.
#[derive(Debug, Clone)]
pub struct Pair {
    pub household: HouseholdId,
    pub unit: UnitId,
    /// Objective coefficient of `x_j`.
    pub cost: f64,
    /// Persons counted toward the district (after a reunion in the horizon).
    pub persons: u32,
    pub district: Option<DistrictId>,
    /// Index into [`Model::buildings`].
    pub building: usize,
}

/// A spread level: persons placed in `district` above `threshold` cost `weight` each.
#[derive(Debug, Clone)]
pub struct SpreadLevel {
    pub district: DistrictId,
    pub threshold: f64,
    pub weight: f64,
}

/// The model.
#[derive(Debug, Clone)]
pub struct Model {
    /// Temporary person-days of everybody if nobody got a home, weighted.
    pub constant: f64,
    /// Pairs grouped by household, households in input order.
    pub pairs: Vec<Pair>,
    pub by_household: Vec<Range<usize>>,
    /// Most persons a district may receive (rule 7); `u32::MAX`: no limit.
    pub district_cap: Vec<u32>,
    pub buildings: Vec<String>,
    pub building_cap: u32,
    /// Spread levels, three per district.
    pub spread: Vec<SpreadLevel>,
    /// The pair a lawful pin fixes to 1, per household.
    pub fixed: Vec<Option<usize>>,
    pub unit_count: usize,
    /// How the pairs were pruned (large models only), `None`: every candidate.
    pub pruning: Option<Pruning>,
}

/// Builds the model of a scenario from its candidates.
#[must_use]
pub fn build(
    inputs: &Inputs,
    scenario: &Scenario,
    candidates: &Candidates,
    decisions: &Decisions,
    tuning: &Tuning,
) -> Model {
    let w = &scenario.weights;
    let horizon = scenario.horizon_days;
    // The model numbers only the buildings with dwellings, in order of
    // their first dwelling.
    let mut buildings: Vec<String> = Vec::new();
    let mut building_index: Vec<Option<usize>> = vec![None; inputs.building_count()];
    let mut unit_building = vec![0usize; inputs.units.len()];
    for u in &inputs.units {
        if u.tenure == Tenure::Permanent {
            let b = *building_index[u.building_id.index()].get_or_insert_with(|| {
                buildings.push(u.building.clone());
                buildings.len() - 1
            });
            unit_building[u.id.index()] = b;
        }
    }
    let prune = Prune::new(inputs, scenario, candidates, &unit_building, tuning);
    // Each household's pairs (costed, pruned) in parallel, collected in
    // household order: the model does not depend on the number of threads.
    let own: Vec<(Vec<Pair>, usize)> = inputs
        .households
        .par_iter()
        .zip(candidates.households.par_iter())
        .map(|(h, c)| {
            if c.arrival >= horizon {
                return (Vec::new(), 0);
            }
            let persons = h.final_in(horizon).persons();
            let mut own: Vec<Pair> = c
                .permanent
                .iter()
                .map(|o| Pair {
                    household: h.id,
                    unit: o.unit,
                    cost: pair_cost(inputs, scenario, decisions, h, o),
                    persons,
                    district: inputs.unit(o.unit).district,
                    building: unit_building[o.unit.index()],
                })
                .collect();
            let dropped = prune
                .as_ref()
                .map_or(0, |prune| prune.apply(&mut own, lawful_pin(c), &c.cover));
            own.shrink_to_fit();
            (own, dropped)
        })
        .collect();
    let mut constant = 0.0;
    let mut pairs = Vec::with_capacity(own.iter().map(|(o, _)| o.len()).sum());
    let mut pruned = 0usize;
    let mut by_household = Vec::with_capacity(inputs.households.len());
    let mut fixed = vec![None; inputs.households.len()];
    for ((h, c), (own, dropped)) in inputs
        .households
        .iter()
        .zip(&candidates.households)
        .zip(own)
    {
        let start = pairs.len();
        if c.arrival < horizon {
            let t = h.household_type(horizon);
            let day_weight = w.temporary_person_day.of(t);
            constant += day_weight * person_days(h, c.arrival, horizon);
            if decisions.proposal(h.id).is_some() {
                constant += w.changed_proposal;
            }
            let pin = lawful_pin(c);
            pruned += dropped;
            for p in own {
                if pin == Some(p.unit) {
                    fixed[h.id.index()] = Some(pairs.len());
                }
                pairs.push(p);
            }
        }
        by_household.push(start..pairs.len());
    }
    let pairs_len = pairs.len();
    let share = scenario.rules.max_district_share;
    let mut spread = Vec::new();
    let district_cap = inputs
        .districts
        .iter()
        .map(|d| {
            for (k, fraction) in [0.25, 0.5, 0.75].into_iter().enumerate() {
                let level = share * fraction;
                let threshold = ((level * f64::from(d.population) - f64::from(d.newcomers))
                    / (1.0 - level))
                    .max(0.0);
                spread.push(SpreadLevel {
                    district: d.id,
                    threshold,
                    weight: w.spread_person * f64::from(1u32 << k),
                });
            }
            district_capacity(d.population, d.newcomers, share)
        })
        .collect();
    Model {
        constant,
        pairs,
        by_household,
        district_cap,
        buildings,
        building_cap: scenario.rules.max_households_per_building,
        spread,
        fixed,
        unit_count: inputs.units.len(),
        pruning: {
            // A shortlist (very large scenarios) dropped pairs before the model.
            let unlisted: usize = candidates
                .households
                .iter()
                .map(|c| c.unlisted as usize)
                .sum();
            let rule = match (&candidates.shortlist, &prune) {
                (Some(s), Some(p)) => Some(format!("{}; then {}", s.describe(), p.describe())),
                (Some(s), None) => Some(s.describe()),
                (None, Some(p)) => Some(p.describe()),
                (None, None) => None,
            };
            rule.map(|rule| Pruning {
                rule,
                kept: pairs_len,
                dropped: pruned + unlisted,
            })
        },
    }
}

/// The dwelling of a household's lawful pin.
fn lawful_pin(c: &crate::candidates::HouseholdCandidates) -> Option<UnitId> {
    match c.pin {
        Some((pin, Ok(()))) => Some(pin),
        _ => None,
    }
}

/// How the model's pairs were pruned, for `summary.json` and the MPS header.
#[derive(Debug, Clone)]
pub struct Pruning {
    pub rule: String,
    pub kept: usize,
    pub dropped: usize,
}

/// The pruning of a large model's pairs, in two parts.
///
/// Exact: for a household, the pairs into one district differ for the model
/// only by cost, dwelling and building (the persons and the district's rows
/// are the same). Keep the cheapest pairs of the district until blocking all
/// of them would take more other households than the district can receive
/// (`Σ_b min(building cap, kept in b)` > `others_d`). In any plan that uses a
/// dropped pair, one kept pair is free (dwelling untaken, building below its
/// cap without the household) and no dearer, and moving there changes no
/// other row; so an optimal plan on the kept pairs is optimal. Pairs in a
/// building that spans districts, or without a district, are always kept.
///
/// Heuristic: of what is left, keep the `top` cheapest pairs per household,
/// the `per_district` cheapest per household and district, and a lawful pin. This one can lose the optimum; its loss is measured in
/// BENCHMARKS.md and it is stated in `summary.json`.
struct Prune {
    /// Per district, most other households it can receive.
    others: Vec<usize>,
    /// Per building: whether all its dwellings lie in one district.
    single_district: Vec<bool>,
    building_cap: usize,
    top: usize,
    per_district: usize,
}

impl Prune {
    fn new(
        inputs: &Inputs,
        scenario: &Scenario,
        candidates: &Candidates,
        unit_building: &[usize],
        tuning: &Tuning,
    ) -> Option<Self> {
        let total: usize = candidates
            .households
            .iter()
            .map(|c| c.permanent.len())
            .sum();
        let top = tuning.prune_top;
        if total <= PRUNE_ABOVE_PAIRS && top.is_none() {
            return None;
        }
        let top = top.unwrap_or(PRUNE_TOP_PER_HOUSEHOLD).max(1);
        let per_district = tuning.prune_per_district.unwrap_or(PRUNE_TOP_PER_DISTRICT);
        let buildings = unit_building.iter().max().map_or(0, |b| b + 1);
        let mut district_of: Vec<Option<Option<DistrictId>>> = vec![None; buildings];
        let mut single_district = vec![true; buildings];
        for u in &inputs.units {
            if u.tenure != Tenure::Permanent {
                continue;
            }
            let b = unit_building[u.id.index()];
            match district_of[b] {
                None => district_of[b] = Some(u.district),
                Some(d) if d != u.district || d.is_none() => single_district[b] = false,
                Some(_) => {}
            }
            if u.district.is_none() {
                single_district[b] = false;
            }
        }
        // Persons of the households that have a pair in each district.
        let horizon = scenario.horizon_days;
        let districts = inputs.districts.len();
        let mut persons: Vec<Vec<u32>> = vec![Vec::new(); districts];
        let mut units_in: Vec<usize> = vec![0; districts];
        for u in &inputs.units {
            if u.tenure == Tenure::Permanent
                && let Some(d) = u.district
            {
                units_in[d.index()] += 1;
            }
        }
        let mut seen = vec![usize::MAX; districts];
        for (i, (h, c)) in inputs
            .households
            .iter()
            .zip(&candidates.households)
            .enumerate()
        {
            for o in &c.permanent {
                if let Some(d) = inputs.unit(o.unit).district
                    && seen[d.index()] != i
                {
                    seen[d.index()] = i;
                    persons[d.index()].push(h.final_in(horizon).persons());
                }
            }
        }
        let share = scenario.rules.max_district_share;
        let others = inputs
            .districts
            .iter()
            .zip(persons.iter_mut())
            .zip(&units_in)
            .map(|((d, p), &units)| {
                let cap = district_capacity(d.population, d.newcomers, share);
                p.sort_unstable();
                let mut sum = 0u64;
                let mut fit = 0usize;
                for &x in p.iter() {
                    sum += u64::from(x);
                    if sum > u64::from(cap) {
                        break;
                    }
                    fit += 1;
                }
                fit.min(units)
            })
            .collect();
        Some(Self {
            others,
            single_district,
            building_cap: scenario.rules.max_households_per_building as usize,
            top,
            per_district,
        })
    }

    fn describe(&self) -> String {
        format!(
            "exact per district (pairs no other plan could need), then the {} cheapest pairs per household and the {} cheapest per household and district (heuristic)",
            self.top, self.per_district
        )
    }

    /// Prunes one household's pairs in place (their order kept), keeping
    /// `pin` and the `cover` dwellings; returns how many were dropped.
    fn apply(&self, own: &mut Vec<Pair>, pin: Option<UnitId>, cover: &[UnitId]) -> usize {
        let before = own.len();
        let mut order: Vec<usize> = (0..own.len()).collect();
        order.sort_unstable_by(|&a, &b| own[a].cost.total_cmp(&own[b].cost).then(a.cmp(&b)));
        let mut keep = vec![false; own.len()];
        // Per district: blocking count so far, and kept pairs per building.
        let mut blocking: std::collections::HashMap<DistrictId, usize> =
            std::collections::HashMap::new();
        let mut in_building: std::collections::HashMap<usize, usize> =
            std::collections::HashMap::new();
        for &i in &order {
            let p = &own[i];
            let exact_needed = match p.district {
                Some(d) if self.single_district[p.building] && self.building_cap > 0 => {
                    let blocked = blocking.entry(d).or_insert(0);
                    if *blocked > self.others[d.index()] {
                        false
                    } else {
                        let k = in_building.entry(p.building).or_insert(0);
                        *k += 1;
                        if *k <= self.building_cap {
                            *blocked += 1;
                        }
                        true
                    }
                }
                _ => true,
            };
            keep[i] = exact_needed;
        }
        let mut kept = 0usize;
        let mut in_district: std::collections::HashMap<Option<DistrictId>, usize> =
            std::collections::HashMap::new();
        for &i in &order {
            if keep[i] {
                kept += 1;
                let rank = in_district.entry(own[i].district).or_insert(0);
                *rank += 1;
                if kept > self.top && *rank > self.per_district {
                    keep[i] = false;
                }
            }
        }
        if let Some(pin) = pin
            && let Some(i) = own.iter().position(|p| p.unit == pin)
        {
            keep[i] = true;
        }
        if !cover.is_empty() {
            for (i, p) in own.iter().enumerate() {
                if cover.binary_search(&p.unit).is_ok() {
                    keep[i] = true;
                }
            }
        }
        let mut i = 0;
        own.retain(|_| {
            i += 1;
            keep[i - 1]
        });
        before - own.len()
    }
}

impl Model {
    /// Persons placed per district by a choice of pairs.
    #[must_use]
    pub fn district_persons(&self, chosen: &[usize], districts: usize) -> Vec<u32> {
        let mut p = vec![0u32; districts];
        for &j in chosen {
            if let Some(d) = self.pairs[j].district {
                p[d.index()] += self.pairs[j].persons;
            }
        }
        p
    }

    /// The spread penalty of one district with `persons` placed.
    #[must_use]
    pub fn spread_penalty(&self, district: DistrictId, persons: u32) -> f64 {
        let k = district.index() * 3;
        self.spread[k..k + 3]
            .iter()
            .map(|l| l.weight * (f64::from(persons) - l.threshold).max(0.0))
            .sum()
    }

    /// The spread penalty that `persons` more persons add to a district where
    /// `others` persons are placed already: the district's marginal spread
    /// cost of a household (docs/model.md, `w_k e_{d,k}`).
    #[must_use]
    pub fn spread_marginal(&self, district: DistrictId, others: u32, persons: u32) -> f64 {
        self.spread_penalty(district, others + persons) - self.spread_penalty(district, others)
    }

    /// The objective of a choice of pairs (the `e` variables at their best).
    #[must_use]
    pub fn objective(&self, chosen: &[usize], districts: usize) -> f64 {
        let pairs: f64 = chosen.iter().map(|&j| self.pairs[j].cost).sum();
        let persons = self.district_persons(chosen, districts);
        let spread: f64 = persons
            .iter()
            .enumerate()
            .map(|(d, &p)| self.spread_penalty(DistrictId(crate::ids::to_u32(d)), p))
            .sum();
        self.constant + pairs + spread
    }

    /// The pair of a household and a dwelling.
    #[must_use]
    pub fn pair_of(&self, household: HouseholdId, unit: UnitId) -> Option<usize> {
        self.by_household[household.index()]
            .clone()
            .find(|&j| self.pairs[j].unit == unit)
    }

    /// Writes the model as a free-format MPS file.
    ///
    /// # Errors
    /// When writing fails.
    pub fn write_mps(&self, inputs: &Inputs, out: &mut dyn Write) -> std::io::Result<()> {
        let name = |s: &str| -> String {
            s.chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.') {
                        c
                    } else {
                        '_'
                    }
                })
                .collect()
        };
        let hname = |h: HouseholdId| name(&inputs.households[h.index()].name);
        let uname = |u: UnitId| name(&inputs.units[u.index()].name);
        let dname = |d: DistrictId| name(&inputs.districts[d.index()].label);
        let mut text = String::new();
        let _ = writeln!(text, "* boligplan model (docs/model.md), minimise");
        let _ = writeln!(
            text,
            "* x.<household>.<dwelling> = 1: the household moves into the dwelling"
        );
        let _ = writeln!(
            text,
            "* e.<district>.<k>: persons placed in the district above spread level k"
        );
        let _ = writeln!(
            text,
            "* ids have characters other than [A-Za-z0-9_.-] replaced by _"
        );
        let _ = writeln!(
            text,
            "* objective constant (in RHS of obj, negated): {}",
            self.constant
        );
        if let Some(p) = &self.pruning {
            let _ = writeln!(
                text,
                "* candidate pairs pruned ({}): {} kept, {} dropped",
                p.rule, p.kept, p.dropped
            );
        }
        let _ = writeln!(text, "NAME boligplan");
        let _ = writeln!(text, "ROWS");
        let _ = writeln!(text, " N obj");
        for (h, range) in self.by_household.iter().enumerate() {
            if !range.is_empty() {
                let _ = writeln!(text, " L hh.{}", hname(HouseholdId(crate::ids::to_u32(h))));
            }
        }
        let mut unit_used = vec![false; self.unit_count];
        let mut building_pairs = vec![0usize; self.buildings.len()];
        let mut district_used = vec![false; self.district_cap.len()];
        for p in &self.pairs {
            unit_used[p.unit.index()] = true;
            building_pairs[p.building] += 1;
            if let Some(d) = p.district {
                district_used[d.index()] = true;
            }
        }
        for (u, used) in unit_used.iter().enumerate() {
            if *used {
                let _ = writeln!(text, " L dw.{}", uname(UnitId(crate::ids::to_u32(u))));
            }
        }
        let building_row = |b: usize| building_pairs[b] > self.building_cap as usize;
        for (d, used) in district_used.iter().enumerate() {
            if *used {
                let id = dname(DistrictId(crate::ids::to_u32(d)));
                if self.district_cap[d] != u32::MAX {
                    let _ = writeln!(text, " L cap.{id}");
                }
                for k in 0..3 {
                    let _ = writeln!(text, " L spread.{id}.{k}");
                }
            }
        }
        for (b, building) in self.buildings.iter().enumerate() {
            if building_row(b) {
                let _ = writeln!(text, " L bld.{}.{b}", name(building));
            }
        }
        let _ = writeln!(text, "COLUMNS");
        let _ = writeln!(text, " MARKER 'MARKER' 'INTORG'");
        for p in &self.pairs {
            let var = format!("x.{}.{}", hname(p.household), uname(p.unit));
            let _ = writeln!(text, " {var} obj {}", p.cost);
            let _ = writeln!(text, " {var} hh.{} 1", hname(p.household));
            let _ = writeln!(text, " {var} dw.{} 1", uname(p.unit));
            if let Some(d) = p.district {
                let id = dname(d);
                if self.district_cap[d.index()] != u32::MAX {
                    let _ = writeln!(text, " {var} cap.{id} {}", p.persons);
                }
                for k in 0..3 {
                    let _ = writeln!(text, " {var} spread.{id}.{k} {}", p.persons);
                }
            }
            if building_row(p.building) {
                let _ = writeln!(
                    text,
                    " {var} bld.{}.{} 1",
                    name(&self.buildings[p.building]),
                    p.building
                );
            }
        }
        let _ = writeln!(text, " MARKER 'MARKER' 'INTEND'");
        for (i, level) in self.spread.iter().enumerate() {
            if district_used[level.district.index()] {
                let id = dname(level.district);
                let k = i % 3;
                let var = format!("e.{id}.{k}");
                let _ = writeln!(text, " {var} obj {}", level.weight);
                let _ = writeln!(text, " {var} spread.{id}.{k} -1");
            }
        }
        let _ = writeln!(text, "RHS");
        if self.constant != 0.0 {
            let _ = writeln!(text, " rhs obj {}", -self.constant);
        }
        for (h, range) in self.by_household.iter().enumerate() {
            if !range.is_empty() {
                let _ = writeln!(
                    text,
                    " rhs hh.{} 1",
                    hname(HouseholdId(crate::ids::to_u32(h)))
                );
            }
        }
        for (u, used) in unit_used.iter().enumerate() {
            if *used {
                let _ = writeln!(text, " rhs dw.{} 1", uname(UnitId(crate::ids::to_u32(u))));
            }
        }
        for (d, used) in district_used.iter().enumerate() {
            if *used {
                let id = dname(DistrictId(crate::ids::to_u32(d)));
                if self.district_cap[d] != u32::MAX {
                    let _ = writeln!(text, " rhs cap.{id} {}", self.district_cap[d]);
                }
                for k in 0..3 {
                    let _ = writeln!(
                        text,
                        " rhs spread.{id}.{k} {}",
                        self.spread[d * 3 + k].threshold
                    );
                }
            }
        }
        for (b, building) in self.buildings.iter().enumerate() {
            if building_row(b) {
                let _ = writeln!(
                    text,
                    " rhs bld.{}.{b} {}",
                    name(building),
                    self.building_cap
                );
            }
        }
        let _ = writeln!(text, "BOUNDS");
        for (j, p) in self.pairs.iter().enumerate() {
            let var = format!("x.{}.{}", hname(p.household), uname(p.unit));
            let _ = writeln!(text, " UP bnd {var} 1");
            if self.fixed[p.household.index()] == Some(j) {
                let _ = writeln!(text, " LO bnd {var} 1");
            }
        }
        let _ = writeln!(text, "ENDATA");
        out.write_all(text.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::district_capacity;

    #[test]
    fn district_capacity_is_the_largest_lawful_count() {
        // 1,000 residents, 40 newcomers, cap 5 %: (40 + P) / (1,000 + P) ≤ 0.05
        // ⇔ 0.95 P ≤ 10 ⇔ P ≤ 10.5, so 10.
        assert_eq!(district_capacity(1000, 40, 0.05), 10);
        assert_eq!(district_capacity(1000, 60, 0.05), 0);
        assert_eq!(district_capacity(1000, 50, 0.05), 0);
        assert_eq!(district_capacity(100, 0, 1.0), u32::MAX);
    }
}
