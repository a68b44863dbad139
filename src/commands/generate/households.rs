//! The households of a synthetic scenario (`households.csv`): compositions,
//! arrivals (a backlog, then through the year), family reunions, needs and
//! incomes, drawn from stream 2 and written in order of arrival.

use std::io::{self, Write};

use super::random::Rng;
use super::{Dates, HORIZON_DAYS, round_to};

struct HouseholdData {
    arrival: i64,
    adults: u32,
    children: u32,
    /// Day, adults, children.
    reunion: Option<(i64, u32, u32)>,
    needs_accessible: bool,
    income: Option<i64>,
}

fn draw_households(count: usize, seed: u64) -> Vec<HouseholdData> {
    let mut rng = Rng::new(seed, 2);
    let children_weights = [0.25, 0.28, 0.22, 0.13, 0.07, 0.05];
    let mut out: Vec<HouseholdData> = (0..count)
        .map(|_| {
            // A backlog from the weeks before the start, then through the year.
            let arrival = if rng.chance(0.08) {
                rng.int(-45, -1)
            } else {
                rng.int(0, HORIZON_DAYS - 1)
            };
            let kind = rng.unit();
            let (adults, children) = if kind < 0.45 {
                (1, 0)
            } else if kind < 0.60 {
                (if rng.chance(0.1) { 3 } else { 2 }, 0)
            } else {
                let children = 1 + rng.weighted(&children_weights) as u32;
                let adults = if rng.chance(0.3) {
                    1
                } else if rng.chance(0.08) {
                    3
                } else {
                    2
                };
                (adults, children)
            };
            // Family reunification inside the year for about 12 % in all.
            let reunion = (arrival <= 300 && rng.chance(0.14)).then(|| {
                let day = (arrival.max(0) + rng.int(45, 240)).min(HORIZON_DAYS - 1);
                let (a, c) = match (adults, children) {
                    (1, 0) => (1, rng.weighted(&[0.4, 0.2, 0.2, 0.15, 0.05]) as u32),
                    (_, 0) => (0, rng.int(1, 3) as u32),
                    (1, _) => (1, rng.int(0, 1) as u32),
                    _ => (0, rng.int(1, 2) as u32),
                };
                (day, a, c)
            });
            let needs_accessible = rng.chance(0.03);
            let income = rng
                .chance(0.1)
                .then(|| round_to(rng.uniform(12_000.0, 25_000.0), 100));
            HouseholdData {
                arrival,
                adults,
                children,
                reunion,
                needs_accessible,
                income,
            }
        })
        .collect();
    // Ids in order of arrival, as a municipality registers them.
    out.sort_by_key(|h| h.arrival);
    out
}

pub(super) fn write_households(
    w: &mut impl Write,
    count: usize,
    seed: u64,
    dates: &Dates,
) -> io::Result<()> {
    writeln!(
        w,
        "id,adults,children,arrival,income,reunion_date,reunion_adults,reunion_children,needs_accessible,language_school,work_place,locked_unit"
    )?;
    for (i, h) in draw_households(count, seed).iter().enumerate() {
        write!(
            w,
            "H{:06},{},{},{},",
            i + 1,
            h.adults,
            h.children,
            dates.day(h.arrival)
        )?;
        if let Some(income) = h.income {
            write!(w, "{income}")?;
        }
        match h.reunion {
            Some((day, a, c)) => write!(w, ",{},{a},{c}", dates.day(day))?,
            None => w.write_all(b",,,")?,
        }
        writeln!(w, ",{},,,", h.needs_accessible)?;
    }
    Ok(())
}
