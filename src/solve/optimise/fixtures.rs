//! Tiny hand-made models for the engine's unit tests, and what the tests
//! check the engine against: an enumeration of every choice with its own cap
//! count and its own objective. Nothing here uses the engine's code (nor
//! `Model::objective`), so a test that compares the two is a real check.

use crate::ids::{DistrictId, HouseholdId, UnitId};
use crate::milp::{Model, Pair, SpreadLevel};

/// A pair as a test writes it: (household, dwelling, cost, persons,
/// district, building). Pairs come grouped by household, households in order.
pub(super) type P = (usize, u32, f64, u32, Option<u32>, usize);

/// The weights of the three spread levels of every district.
pub(super) const WEIGHTS: [f64; 3] = [50.0, 100.0, 200.0];

/// A model of `households` households with the given pairs; district d has
/// cap `caps[d]` (`u32::MAX`: none) and spread thresholds `thresholds[d]`
/// (weights [`WEIGHTS`]); every building takes at most `building_cap`
/// households. No pins (set `fixed` afterwards).
pub(super) fn model(
    caps: &[u32],
    thresholds: &[[f64; 3]],
    building_cap: u32,
    households: usize,
    pairs: &[P],
) -> Model {
    assert_eq!(caps.len(), thresholds.len());
    assert!(
        pairs.windows(2).all(|w| w[0].0 <= w[1].0),
        "pairs grouped by household"
    );
    let mut by_household = Vec::with_capacity(households);
    for h in 0..households {
        let start = pairs.iter().take_while(|p| p.0 < h).count();
        let end = pairs.iter().take_while(|p| p.0 <= h).count();
        by_household.push(start..end);
    }
    let buildings = pairs.iter().map(|p| p.5 + 1).max().unwrap_or(0);
    let unit_count = pairs.iter().map(|p| p.1 as usize + 1).max().unwrap_or(0);
    let spread = thresholds
        .iter()
        .enumerate()
        .flat_map(|(d, levels)| {
            levels
                .iter()
                .zip(WEIGHTS)
                .map(move |(&threshold, weight)| SpreadLevel {
                    district: DistrictId(d as u32),
                    threshold,
                    weight,
                })
        })
        .collect();
    Model {
        constant: 10_000.0,
        pairs: pairs
            .iter()
            .map(|&(h, u, cost, persons, district, building)| Pair {
                household: HouseholdId(h as u32),
                unit: UnitId(u),
                cost,
                persons,
                district: district.map(DistrictId),
                building,
            })
            .collect(),
        by_household,
        district_cap: caps.to_vec(),
        buildings: (0..buildings).map(|b| format!("b{b}")).collect(),
        building_cap,
        spread,
        fixed: vec![None; households],
        unit_count,
        pruning: None,
    }
}

/// A small deterministic pseudo-random model (xorshift from `seed`): 5–6
/// households of 1–4 persons, 7 dwellings in 3 buildings over 2 districts
/// (one building in neither), each household 1–4 pairs, district caps and
/// spread levels that bind.
pub(super) fn random_model(seed: u64) -> Model {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = |n: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % n
    };
    let households = 5 + next(2) as usize;
    // Dwelling u: (district, building).
    let dwellings: Vec<(Option<u32>, usize)> = (0..7)
        .map(|u| match u % 4 {
            0 | 1 => (Some(0), u % 2),
            2 => (Some(1), 2),
            _ => (None, 3),
        })
        .collect();
    let mut pairs = Vec::new();
    for h in 0..households {
        let persons = 1 + next(4) as u32;
        let mut units: Vec<u32> = (0..7).collect();
        let take = 1 + next(4) as usize;
        for i in 0..take {
            let k = i + next((7 - i) as u64) as usize;
            units.swap(i, k);
        }
        let mut mine = units[..take].to_vec();
        mine.sort_unstable();
        for u in mine {
            let (district, building) = dwellings[u as usize];
            let cost = -(f64::from(persons) * 300.0) - next(400) as f64 + 0.25 * h as f64;
            pairs.push((h, u, cost, persons, district, building));
        }
    }
    let caps = [4 + next(4) as u32, 3 + next(4) as u32];
    let thresholds = [
        [0.5 + next(2) as f64, 2.25, 3.5],
        [1.0, 1.5 + next(3) as f64, 4.75],
    ];
    model(&caps, &thresholds, 1 + next(2) as u32, households, &pairs)
}

/// The districts of a test model.
pub(super) fn districts(model: &Model) -> usize {
    model.district_cap.len()
}

/// Whether a choice keeps every rule of the model, by counting: each
/// household at most one of its own pairs (its pin if it has one), each
/// dwelling at most once, each building at most `building_cap`
/// households, each capped district at most its cap in persons.
pub(super) fn lawful(model: &Model, choice: &[Option<usize>]) -> bool {
    let mut dwellings = vec![0u32; model.unit_count];
    let mut buildings = vec![0u32; model.buildings.len()];
    let mut persons = vec![0u32; districts(model)];
    for (h, j) in choice.iter().enumerate() {
        if model.fixed[h].is_some() && *j != model.fixed[h] {
            return false;
        }
        let Some(j) = *j else { continue };
        if !model.by_household[h].contains(&j) {
            return false;
        }
        let p = &model.pairs[j];
        dwellings[p.unit.index()] += 1;
        buildings[p.building] += 1;
        if let Some(d) = p.district {
            persons[d.index()] += p.persons;
        }
    }
    dwellings.iter().all(|&n| n <= 1)
        && buildings.iter().all(|&n| n <= model.building_cap)
        && persons
            .iter()
            .zip(&model.district_cap)
            .all(|(&p, &cap)| cap == u32::MAX || p <= cap)
}

/// The objective of a choice, written out: the constant, the pairs' costs,
/// and per district `Σ_k w_k max(0, P − L_k)` over its levels.
pub(super) fn value(model: &Model, choice: &[Option<usize>]) -> f64 {
    let mut persons = vec![0u32; districts(model)];
    let mut total = model.constant;
    for j in choice.iter().flatten() {
        total += model.pairs[*j].cost;
        if let Some(d) = model.pairs[*j].district {
            persons[d.index()] += model.pairs[*j].persons;
        }
    }
    for l in &model.spread {
        total += l.weight * (f64::from(persons[l.district.index()]) - l.threshold).max(0.0);
    }
    total
}

/// Every choice of one pair or none per household (pins respected), lawful
/// or not, that `keep` accepts.
pub(super) fn every_choice(model: &Model, keep: &mut dyn FnMut(&[Option<usize>])) {
    fn go(
        model: &Model,
        h: usize,
        choice: &mut Vec<Option<usize>>,
        keep: &mut dyn FnMut(&[Option<usize>]),
    ) {
        if h == model.by_household.len() {
            keep(choice);
            return;
        }
        let options: Vec<Option<usize>> = match model.fixed[h] {
            Some(j) => vec![Some(j)],
            None => std::iter::once(None)
                .chain(model.by_household[h].clone().map(Some))
                .collect(),
        };
        for o in options {
            choice.push(o);
            go(model, h + 1, choice, keep);
            choice.pop();
        }
    }
    go(model, 0, &mut Vec::new(), keep);
}

/// The optimum over the lawful choices that `allowed` accepts, by
/// enumeration: its value and the first choice that reaches it.
pub(super) fn optimum(
    model: &Model,
    allowed: &dyn Fn(&[Option<usize>]) -> bool,
) -> Option<(f64, Vec<Option<usize>>)> {
    let mut best: Option<(f64, Vec<Option<usize>>)> = None;
    every_choice(model, &mut |choice| {
        if lawful(model, choice) && allowed(choice) {
            let v = value(model, choice);
            if best.as_ref().is_none_or(|(b, _)| v < *b) {
                best = Some((v, choice.to_vec()));
            }
        }
    });
    best
}

/// The cheapest assignment by `reduced` costs of the households that are
/// not pinned, over the pairs `open` accepts: each household one pair or
/// none, each dwelling at most once (no caps), by enumeration.
pub(super) fn cheapest_assignment(
    model: &Model,
    reduced: &[f64],
    open: &dyn Fn(usize) -> bool,
) -> f64 {
    let mut best = 0.0_f64;
    every_choice(model, &mut |choice| {
        let mut used = vec![false; model.unit_count];
        let mut total = 0.0;
        for (h, j) in choice.iter().enumerate() {
            let Some(j) = *j else { continue };
            if model.fixed[h].is_some() {
                continue;
            }
            let u = model.pairs[j].unit.index();
            if !open(j) || used[u] {
                return;
            }
            used[u] = true;
            total += reduced[j];
        }
        best = best.min(total);
    });
    best
}
