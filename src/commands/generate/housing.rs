//! The housing stock of a synthetic scenario (`housing.csv`): temporary
//! sites, then permanent dwellings in buildings of 2–6, placed by the
//! districts' newcomer shares, with Danish rooms, areas and rents; only
//! about [`IN_HORIZON_PER_HOUSEHOLD`] dwellings per household become
//! available inside the year. Drawn from stream 3 and written as drawn.

use std::io::{self, Write};

use super::geography::Geography;
use super::random::Rng;
use super::{DAYS_AFTER, Dates, HORIZON_DAYS, IN_HORIZON_PER_HOUSEHOLD, Params, round_to};

/// Picks a district with probability proportional to `weights` (cumulative).
fn pick_district(rng: &mut Rng, cumulative: &[f64]) -> usize {
    let total = cumulative.last().copied().unwrap_or(0.0);
    let x = rng.unit() * total;
    cumulative
        .partition_point(|&c| c <= x)
        .min(cumulative.len() - 1)
}

/// Area (m²) and rent (DKK/month) ranges by rooms (1–5).
const AREA_M2: [(i64, i64); 5] = [(28, 45), (48, 70), (68, 95), (88, 115), (105, 140)];
const RENT_DKK: [(f64, f64); 5] = [
    (3_500.0, 4_800.0),
    (4_500.0, 6_500.0),
    (5_800.0, 8_000.0),
    (7_000.0, 9_500.0),
    (8_500.0, 11_000.0),
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Social,
    Private,
    Municipal,
    Container,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Social => "social_housing",
            Kind::Private => "private_rental",
            Kind::Municipal => "municipal_building",
            Kind::Container => "container",
        }
    }
}

pub(super) fn write_housing(
    out: &mut impl Write,
    params: &Params,
    geo: &Geography,
    seed: u64,
    dates: &Dates,
) -> io::Result<()> {
    let mut rng = Rng::new(seed, 3);
    writeln!(
        out,
        "id,kind,tenure,rooms,area_m2,rent,capacity,available_from,available_until,accessible,building,cost,district,x,y"
    )?;
    // Newcomers have gathered where the rental stock is: more dwellings per
    // resident in the districts with a higher newcomer share.
    let mut total = 0.0;
    let cumulative: Vec<f64> = geo
        .districts
        .iter()
        .map(|d| {
            let share = f64::from(d.newcomers) / f64::from(d.population) / 0.0275;
            total += f64::from(d.population) * (0.3 + share * share);
            total
        })
        .collect();
    let district_column = |rng: &mut Rng, d: usize| -> &str {
        if rng.chance(0.2) {
            ""
        } else {
            &geo.districts[d].id
        }
    };

    // Temporary sites: 8 % of the units, mostly in the larger places.
    let sites = ((params.units as f64) * 0.08).round() as usize;
    for i in 0..sites {
        let d = pick_district(&mut rng, &cumulative);
        let kind =
            [Kind::Municipal, Kind::Private, Kind::Container][rng.weighted(&[0.4, 0.25, 0.35])];
        let capacity = rng.int(8, 40);
        let rent = round_to(rng.uniform(2_000.0, 3_000.0), 50);
        let cost = match kind {
            Kind::Municipal => rng.uniform(1_500.0, 3_000.0),
            Kind::Private => rng.uniform(2_500.0, 4_000.0),
            _ => rng.uniform(3_000.0, 5_000.0),
        };
        let from = if rng.chance(0.75) {
            0
        } else {
            rng.int(20, 200)
        };
        let until = rng
            .chance(0.1)
            .then(|| rng.int((from + 90).max(150), HORIZON_DAYS - 1));
        let accessible = rng.chance(if kind == Kind::Municipal { 0.6 } else { 0.3 });
        let (x, y) = geo.random_inside(d, &mut rng);
        write!(
            out,
            "T{:06},{},temporary,,,{rent},{capacity},",
            i + 1,
            kind.as_str()
        )?;
        if from > 0 {
            out.write_all(dates.day(from).as_bytes())?;
        }
        out.write_all(b",")?;
        if let Some(u) = until {
            out.write_all(dates.day(u).as_bytes())?;
        }
        writeln!(
            out,
            ",{accessible},,{},{},{x:.1},{y:.1}",
            round_to(cost, 50),
            district_column(&mut rng, d)
        )?;
    }

    // Permanent dwellings in buildings of 2–6.
    let dwellings = params.units - sites;
    let in_horizon =
        (IN_HORIZON_PER_HOUSEHOLD * params.households as f64 / dwellings as f64).min(1.0);
    let mut written = 0;
    let mut building = 0;
    while written < dwellings {
        building += 1;
        let d = pick_district(&mut rng, &cumulative);
        let flagged = !geo.districts[d].flags.is_empty();
        // Building weights for dwelling shares of about 55 / 40 / 5 %
        // (85 / 12 / 3 % in flagged districts), given buildings of 4.5, 3
        // and 2.5 dwellings on average.
        let kind_weights = if flagged {
            [0.78, 0.17, 0.05]
        } else {
            [0.45, 0.48, 0.07]
        };
        let kind = [Kind::Social, Kind::Private, Kind::Municipal][rng.weighted(&kind_weights)];
        let (room_weights, size, rent_share): (&[f64], (i64, i64), (f64, f64)) = match kind {
            Kind::Social => (&[0.14, 0.30, 0.33, 0.17, 0.06], (3, 6), (0.0, 0.65)),
            Kind::Private => (&[0.16, 0.34, 0.28, 0.16, 0.06], (2, 4), (0.35, 1.0)),
            _ => (&[0.5, 0.35, 0.15], (2, 3), (0.0, 0.5)),
        };
        let in_building = (rng.int(size.0, size.1) as usize).min(dwellings - written);
        let (x, y) = geo.random_inside(d, &mut rng);
        for _ in 0..in_building {
            written += 1;
            let rooms = rng.weighted(room_weights);
            let area = rng.int(AREA_M2[rooms].0, AREA_M2[rooms].1);
            let (lo, hi) = RENT_DKK[rooms];
            let rent = round_to(lo + (hi - lo) * rng.uniform(rent_share.0, rent_share.1), 25);
            // Inside the horizon: a few vacant now, more and more through
            // the year; otherwise late (November on, mostly next year).
            let from = if rng.chance(in_horizon) {
                if rng.chance(0.08) {
                    0
                } else {
                    ((HORIZON_DAYS as f64) * rng.unit().sqrt()) as i64
                }
            } else {
                rng.int(HORIZON_DAYS - 60, DAYS_AFTER - 1)
            };
            let accessible = rng.chance(0.1);
            write!(
                out,
                "P{written:06},{},permanent,{},{area},{rent},,",
                kind.as_str(),
                rooms + 1
            )?;
            if from > 0 {
                out.write_all(dates.day(from).as_bytes())?;
            }
            writeln!(
                out,
                ",,{accessible},B{building:06},,{},{x:.1},{y:.1}",
                district_column(&mut rng, d)
            )?;
        }
    }
    Ok(())
}
