//! `boligplan report DIR [DIR ...] --out report.html`: one self-contained
//! HTML file for a committee — key figures, a map, charts and the list of
//! households that wait — for one plan, or several side by side.
//!
//! Reads only the plan directories (`summary.json` as a typed summary, its
//! figures taken with [`crate::commands::compare`]'s accessors,
//! `plan.geojson`, `plan.csv`); writes one file,
//! atomically. Nothing in the page is fetched: SVG drawn inline (the map
//! from the projected district polygons, the charts with `plotters`),
//! styles inline, no scripts, and a Content Security Policy that forbids
//! any fetch. Per household it shows ids, type, status, temporary place and
//! the binding reason, never income or other amounts.

pub mod charts;
pub mod data;
pub mod html;
pub mod i18n;
pub mod map;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::commands::compare::{Cell, Direction, best_of};
use crate::evaluate::Summary;
use crate::solve::Status;
use data::PlanData;
use html::esc;
use i18n::{Lang, T};

pub use data::ReadError;

/// Why the report could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("no plan directories to report on")]
    Empty,
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error("{0}")]
    Draw(String),
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Reads the plan directories and writes the report to `out`, atomically
/// (a temporary file beside it, renamed into place when complete).
pub fn write_report(dirs: &[PathBuf], out: &Path, lang: Lang) -> Result<(), ReportError> {
    if dirs.is_empty() {
        return Err(ReportError::Empty);
    }
    let plans = data::read_plans(dirs)?;
    let page = render(&plans, lang).map_err(ReportError::Draw)?;
    write_atomically(out, page.as_bytes())
}

fn write_atomically(out: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    let name = out.file_name().map_or_else(
        || "report.html".into(),
        |n| n.to_string_lossy().into_owned(),
    );
    let tmp = out.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    let wrap = |path: &Path| {
        let path = path.to_path_buf();
        move |source| ReportError::Write { path, source }
    };
    if let Err(e) = std::fs::write(&tmp, bytes) {
        let _ = std::fs::remove_file(&tmp);
        return Err(wrap(out)(e));
    }
    std::fs::rename(&tmp, out).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        wrap(out)(e)
    })
}

/// How a figure is written.
#[derive(Clone, Copy)]
enum Kind {
    Whole,
    Decimals(usize),
    Percent(usize),
    Kroner,
}

struct Figure {
    key: &'static str,
    label: T,
    direction: Direction,
    kind: Kind,
}

const fn fig(key: &'static str, label: T, direction: Direction, kind: Kind) -> Figure {
    Figure {
        key,
        label,
        direction,
        kind,
    }
}

/// The key figures, in groups, by their keys in `compare` (JSON pointers
/// into summary.json).
fn figures() -> Vec<(T, Vec<Figure>)> {
    use Direction::{Higher, Lower, Neutral};
    use Kind::{Decimals, Kroner, Percent, Whole};
    vec![
        (
            T::GroupHousing,
            vec![
                fig("/households/households", T::Households, Neutral, Whole),
                fig("/households/persons", T::Persons, Neutral, Whole),
                fig(
                    "/by_type/family/permanent",
                    T::FamiliesHoused,
                    Higher,
                    Whole,
                ),
                fig("/by_type/couple/permanent", T::CouplesHoused, Higher, Whole),
                fig("/by_type/single/permanent", T::SinglesHoused, Higher, Whole),
                fig(
                    "/by_status/temporary_only/households",
                    T::WaitingHouseholds,
                    Lower,
                    Whole,
                ),
                fig(
                    "/by_status/temporary_only/persons",
                    T::WaitingPersons,
                    Lower,
                    Whole,
                ),
                fig("/by_status/unplaced/households", T::Unplaced, Lower, Whole),
                fig("/families_waiting", T::FamiliesWaiting, Lower, Whole),
                fig(
                    "/temporary_person_days",
                    T::TemporaryPersonDays,
                    Lower,
                    Whole,
                ),
            ],
        ),
        (
            T::GroupMoney,
            vec![
                fig("/disposable_dkk/median", T::MedianDisposable, Higher, Whole),
                fig(
                    "/travel/minutes/median",
                    T::MedianTravel,
                    Lower,
                    Decimals(1),
                ),
                fig("/municipal_cost_dkk/total", T::CostTotal, Lower, Kroner),
                fig(
                    "/municipal_cost_dkk/temporary_places",
                    T::CostTemporary,
                    Lower,
                    Kroner,
                ),
                fig(
                    "/municipal_cost_dkk/empty_rent",
                    T::CostEmptyRent,
                    Lower,
                    Kroner,
                ),
            ],
        ),
        (
            T::GroupSpread,
            vec![
                fig(
                    "/spread/before/max_share",
                    T::MaxShareBefore,
                    Neutral,
                    Percent(1),
                ),
                fig(
                    "/spread/after/max_share",
                    T::MaxShareAfter,
                    Lower,
                    Percent(1),
                ),
                fig(
                    "/spread/after/districts_over_cap",
                    T::OverCapAfter,
                    Lower,
                    Whole,
                ),
                fig(
                    "/spread/before/dissimilarity",
                    T::DissimilarityBefore,
                    Neutral,
                    Decimals(3),
                ),
                fig(
                    "/spread/after/dissimilarity",
                    T::DissimilarityAfter,
                    Lower,
                    Decimals(3),
                ),
                fig(
                    "/spread/after/isolation",
                    T::IsolationAfter,
                    Lower,
                    Decimals(3),
                ),
                fig(
                    "/spread/after/exposure",
                    T::ExposureAfter,
                    Higher,
                    Decimals(3),
                ),
                fig("/spread/after/theil", T::TheilAfter, Lower, Decimals(3)),
                fig("/spread/after/hot_spots", T::HotSpotsAfter, Lower, Whole),
                fig("/spread/after/high_high", T::HighHighAfter, Lower, Whole),
                fig(
                    "/spread/districts_receiving",
                    T::DistrictsReceiving,
                    Higher,
                    Whole,
                ),
            ],
        ),
        (
            T::GroupModel,
            vec![
                fig("/objective", T::Objective, Lower, Decimals(0)),
                fig("/gap", T::Gap, Lower, Percent(2)),
            ],
        ),
    ]
}

/// The headline figures of a single plan, as cards above the table.
const CARDS: [(&str, Kind, T); 5] = [
    (
        "/by_status/permanent/households",
        Kind::Whole,
        T::StatusPermanent,
    ),
    (
        "/by_status/temporary_only/households",
        Kind::Whole,
        T::WaitingHouseholds,
    ),
    (
        "/temporary_person_days",
        Kind::Whole,
        T::TemporaryPersonDays,
    ),
    (
        "/spread/after/max_share",
        Kind::Percent(1),
        T::MaxShareAfter,
    ),
    ("/municipal_cost_dkk/total", Kind::Kroner, T::CostTotal),
];

/// A figure of a summary: a number, or the length of a list (hot spots),
/// taken with `compare`'s accessor of the same key.
fn value(summary: &Summary, key: &str) -> Cell {
    crate::commands::compare::figure(summary, key)
}

fn format(cell: &Cell, kind: Kind, lang: Lang) -> String {
    match cell {
        Cell::Number(x) => match kind {
            Kind::Whole => i18n::number(*x, 0, lang),
            Kind::Decimals(d) => i18n::number(*x, d, lang),
            Kind::Percent(d) => i18n::percent(*x, d, lang),
            Kind::Kroner => i18n::dkk(*x, lang),
        },
        Cell::Text(s) => s.clone(),
        Cell::Missing => "–".into(),
    }
}

/// Most districts in the chart of shares (the highest after any plan).
const MAX_DISTRICTS: usize = 20;

/// The whole report as an HTML page.
pub fn render(plans: &[PlanData], lang: Lang) -> Result<String, String> {
    if plans.is_empty() {
        return Err("no plans to report on".into());
    }
    let mut body = String::new();
    header(plans, lang, &mut body);
    key_figures(plans, lang, &mut body);
    maps(plans, lang, &mut body);
    time_and_districts(plans, lang, &mut body)?;
    distributions(plans, lang, &mut body)?;
    waiting(plans, lang, &mut body);
    let _ = write!(body, "<footer>{}</footer>", esc(T::Footer.get(lang)));
    let title = match plans {
        [one] => format!("{}: {}", T::Title.get(lang), one.summary.scenario),
        _ => format!(
            "{}: {}",
            T::Title.get(lang),
            plans
                .iter()
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>()
                .join(" / ")
        ),
    };
    Ok(html::page(lang.code(), &title, &body))
}

fn period(plan: &PlanData, lang: Lang) -> String {
    let (start, days) = (plan.summary.start, plan.summary.horizon_days);
    let last = start + chrono::Days::new(days.max(1) as u64 - 1);
    format!(
        "{} – {} ({} {})",
        i18n::date(start, lang),
        i18n::date(last, lang),
        i18n::number(days as f64, 0, lang),
        T::Days.get(lang)
    )
}

fn header(plans: &[PlanData], lang: Lang, out: &mut String) {
    let first = &plans[0];
    let _ = write!(
        out,
        "<header><h1>{}: {}</h1>",
        esc(T::Title.get(lang)),
        esc(&first.summary.scenario)
    );
    for p in plans {
        let _ = write!(
            out,
            "<p class=\"meta\">{} <b>{}</b> · {} {} · {} {}</p>",
            esc(T::Plan.get(lang)),
            esc(&p.name),
            esc(T::Strategy.get(lang)),
            esc(p.summary.strategy.as_str()),
            esc(T::PlanStart.get(lang)),
            esc(&period(p, lang)),
        );
    }
    out.push_str("</header>");
}

fn key_figures(plans: &[PlanData], lang: Lang, out: &mut String) {
    let _ = write!(
        out,
        "<section id=\"key-figures\"><h2>{}</h2>",
        esc(T::KeyFigures.get(lang))
    );
    if let [plan] = plans {
        // The headline figures as cards above the table.
        out.push_str("<div class=\"cards\">");
        for (key, kind, label) in CARDS {
            let v = format(&value(&plan.summary, key), kind, lang);
            let _ = write!(
                out,
                "<div class=\"card\"><div class=\"value\">{}</div><div class=\"label\">{}</div></div>",
                esc(&v),
                esc(label.get(lang))
            );
        }
        out.push_str("</div>");
    } else {
        let _ = write!(
            out,
            "<p class=\"note\">{}</p>",
            esc(T::BestMarked.get(lang))
        );
    }
    out.push_str("<table class=\"figures\"><thead><tr>");
    let _ = write!(out, "<th>{}</th>", esc(T::Figure.get(lang)));
    for p in plans {
        let _ = write!(out, "<th class=\"num\">{}</th>", esc(&p.name));
    }
    out.push_str("</tr></thead><tbody>");
    for (group, figs) in figures() {
        let _ = write!(
            out,
            "<tr class=\"group\"><th colspan=\"{}\">{}</th></tr>",
            plans.len() + 1,
            esc(group.get(lang))
        );
        for f in figs {
            let cells: Vec<Cell> = plans.iter().map(|p| value(&p.summary, f.key)).collect();
            if cells.iter().all(|c| *c == Cell::Missing) && f.key != "/gap" {
                continue;
            }
            let best = best_of(&cells, f.direction);
            let _ = write!(
                out,
                "<tr data-key=\"{}\"><td>{}</td>",
                esc(f.key),
                esc(f.label.get(lang))
            );
            for (c, b) in cells.iter().zip(best) {
                let text = format(c, f.kind, lang);
                if b {
                    let _ = write!(out, "<td class=\"num best\">{} ★</td>", esc(&text));
                } else {
                    let _ = write!(out, "<td class=\"num\">{}</td>", esc(&text));
                }
            }
            out.push_str("</tr>");
        }
    }
    out.push_str("</tbody></table>");
    over_cap_before(plans, lang, out);
    out.push_str("</section>");
}

/// The districts already over the cap before each plan, with their shares
/// as plan.geojson publishes them (small counts rounded there), whether
/// they are open to placement, and whether the plan places anyone there.
/// Left out for summaries of earlier versions, which did not record them.
fn over_cap_before(plans: &[PlanData], lang: Lang, out: &mut String) {
    let listed: Vec<(&PlanData, &[crate::evaluate::OverCapBefore])> = plans
        .iter()
        .filter_map(|p| Some((p, p.summary.over_cap_before_plan.as_deref()?)))
        .collect();
    if listed.is_empty() {
        return;
    }
    let _ = write!(
        out,
        "<h3>{}</h3><p class=\"note\">{}</p>",
        esc(T::OverCapBeforeTitle.get(lang)),
        esc(T::OverCapBeforeNote.get(lang))
    );
    if listed.iter().all(|(_, l)| l.is_empty()) {
        let _ = write!(out, "<p>{}</p>", esc(T::NoneOverCapBefore.get(lang)));
        return;
    }
    let multiple = plans.len() > 1;
    out.push_str("<table class=\"over-cap-before\"><thead><tr>");
    let mut columns = vec![];
    if multiple {
        columns.push((T::Plan, false));
    }
    columns.extend([
        (T::DistrictCol, false),
        (T::ShareBeforeCol, true),
        (T::ShareAfterCol, true),
        (T::OpenCol, false),
        (T::ThisPlanCol, false),
    ]);
    for (h, num) in columns {
        let _ = write!(
            out,
            "<th{}>{}</th>",
            if num { " class=\"num\"" } else { "" },
            esc(h.get(lang))
        );
    }
    out.push_str("</tr></thead><tbody>");
    for (p, districts) in listed {
        for d in districts {
            let published = p.districts.iter().find(|g| g.id == d.district);
            let before = published.map_or(d.share_before, |g| g.share_before);
            let after = published.map_or(d.share_after, |g| g.share_after);
            out.push_str("<tr>");
            if multiple {
                let _ = write!(out, "<td>{}</td>", esc(&p.name));
            }
            let _ = write!(
                out,
                "<td>{} {}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td></tr>",
                esc(&d.district),
                esc(&d.name),
                esc(&i18n::percent(before, 1, lang)),
                esc(&i18n::percent(after, 1, lang)),
                esc(if d.open { T::Yes } else { T::No }.get(lang)),
                esc(if d.persons_placed == 0 {
                    T::PlacesNoOne
                } else {
                    T::PlacesSome
                }
                .get(lang)),
            );
        }
    }
    out.push_str("</tbody></table>");
}

fn maps(plans: &[PlanData], lang: Lang, out: &mut String) {
    let _ = write!(
        out,
        "<section id=\"map\"><h2>{}</h2><p class=\"note\">{}</p>",
        esc(T::Map.get(lang)),
        esc(T::MapNote.get(lang))
    );
    let max_share = plans
        .iter()
        .flat_map(|p| &p.districts)
        .map(|d| d.share_after)
        .fold(0.0, f64::max);
    let classes = map::Classes::new(max_share);
    let multiple = plans.len() > 1;
    let (width, height) = if multiple {
        (480.0, 560.0)
    } else {
        (600.0, 760.0)
    };
    let _ = write!(
        out,
        "<div class=\"maps{}\">",
        if multiple { " multiple" } else { "" }
    );
    for (i, p) in plans.iter().enumerate() {
        let Some(bbox) = map::bbox(&p.districts) else {
            continue;
        };
        let frame = map::Frame::fit(bbox, width, height, 12.0);
        let id = format!("m{i}");
        out.push_str(&map::map_svg(
            &p.districts,
            &p.placements,
            &classes,
            &frame,
            &map::MapOptions {
                id: &id,
                lang,
                title: multiple.then_some(p.name.as_str()),
            },
        ));
    }
    out.push_str(&map::legend_svg(&classes, "legend", lang));
    out.push_str("</div></section>");
}

/// Persons in temporary places per day of the plan (persons as at the end).
fn temporary_per_day(plan: &PlanData) -> Vec<f64> {
    let (start, days) = (plan.summary.start, plan.summary.horizon_days);
    let days = days.max(0) as usize;
    let mut per_day = vec![0.0; days];
    for h in &plan.households {
        let (Some(from), Some(to)) = (h.temp_from, h.temp_to) else {
            continue;
        };
        let a = (from - start).num_days().clamp(0, days as i64) as usize;
        let b = (to - start).num_days().clamp(0, days as i64) as usize;
        for v in &mut per_day[a..b] {
            *v += f64::from(h.persons);
        }
    }
    per_day
}

fn time_and_districts(plans: &[PlanData], lang: Lang, out: &mut String) -> Result<(), String> {
    let _ = write!(
        out,
        "<section id=\"charts\"><h2>{}</h2><h3>{}</h3><p class=\"note\">{}</p>",
        esc(T::Charts.get(lang)),
        esc(T::TemporaryOverTime.get(lang)),
        esc(T::TemporaryOverTimeNote.get(lang))
    );
    let series: Vec<charts::Series> = plans
        .iter()
        .enumerate()
        .map(|(i, p)| charts::Series {
            name: p.name.clone(),
            colour: charts::plan_colour(i),
            values: temporary_per_day(p),
        })
        .collect();
    out.push_str(&charts::time_series(
        &series,
        plans[0].summary.start,
        T::PersonsAxis.get(lang),
        lang,
    )?);
    // District shares: the districts with the highest share after any plan.
    let first = &plans[0].districts;
    let mut order: Vec<usize> = (0..first.len()).collect();
    let share_after = |i: usize| {
        plans
            .iter()
            .filter_map(|p| p.districts.iter().find(|d| d.id == first[i].id))
            .map(|d| d.share_after)
            .fold(0.0, f64::max)
    };
    order.sort_by(|&a, &b| share_after(b).total_cmp(&share_after(a)).then(a.cmp(&b)));
    order.truncate(MAX_DISTRICTS);
    order.sort_unstable();
    let categories: Vec<String> = order.iter().map(|&i| first[i].id.clone()).collect();
    let mut bars = vec![charts::Series {
        name: T::Before.get(lang).into(),
        colour: charts::BEFORE,
        values: order.iter().map(|&i| first[i].share_before).collect(),
    }];
    for (j, p) in plans.iter().enumerate() {
        bars.push(charts::Series {
            name: if plans.len() == 1 {
                T::After.get(lang).into()
            } else {
                format!("{} ({})", T::After.get(lang), p.name)
            },
            colour: charts::plan_colour(j),
            values: order
                .iter()
                .map(|&i| {
                    p.districts
                        .iter()
                        .find(|d| d.id == first[i].id)
                        .map_or(0.0, |d| d.share_after)
                })
                .collect(),
        });
    }
    let _ = write!(
        out,
        "<h3>{}</h3><p class=\"note\">{}</p>",
        esc(T::SharesTitle.get(lang)),
        esc(T::SharesNote.get(lang))
    );
    out.push_str(&charts::grouped_bars(
        &categories,
        &bars,
        T::ShareAxis.get(lang),
        &|y| i18n::percent(y, 1, lang),
    )?);
    let names: Vec<String> = order
        .iter()
        .map(|&i| format!("{} {}", first[i].id, first[i].name))
        .collect();
    let _ = write!(out, "<p class=\"codes\">{}</p>", esc(&names.join(" · ")));
    out.push_str("</section>");
    Ok(())
}

fn distributions(plans: &[PlanData], lang: Lang, out: &mut String) -> Result<(), String> {
    let _ = write!(
        out,
        "<section id=\"distributions\"><h2>{}</h2>",
        esc(T::Distributions.get(lang))
    );
    let series = |pick: &dyn Fn(&data::Household) -> Option<f64>| -> Vec<charts::Series> {
        plans
            .iter()
            .enumerate()
            .map(|(i, p)| charts::Series {
                name: p.name.clone(),
                colour: charts::plan_colour(i),
                values: p.households.iter().filter_map(pick).collect(),
            })
            .collect()
    };
    let disposable = series(&|h| {
        if h.status == Status::Permanent {
            h.disposable
        } else {
            None
        }
    });
    let _ = write!(out, "<h3>{}</h3>", esc(T::DisposableTitle.get(lang)));
    out.push_str(&charts::histogram(
        &disposable,
        T::DisposableAxis.get(lang),
        T::HouseholdsAxis.get(lang),
        lang,
    )?);
    let travel = series(&|h| h.travel_minutes);
    let _ = write!(out, "<h3>{}</h3>", esc(T::TravelTitle.get(lang)));
    out.push_str(&charts::histogram(
        &travel,
        T::TravelAxis.get(lang),
        T::HouseholdsAxis.get(lang),
        lang,
    )?);
    out.push_str("</section>");
    Ok(())
}

fn waiting(plans: &[PlanData], lang: Lang, out: &mut String) {
    for (i, p) in plans.iter().enumerate() {
        let _ = write!(
            out,
            "<section id=\"waiting-{i}\" class=\"waiting\"><h2>{}{}</h2><p class=\"note\">{}</p>",
            esc(T::Waiting.get(lang)),
            if plans.len() > 1 {
                format!(": {}", esc(&p.name))
            } else {
                String::new()
            },
            esc(T::WaitingNote.get(lang))
        );
        let rows: Vec<&data::Household> = p
            .households
            .iter()
            .filter(|h| h.status != Status::Permanent)
            .collect();
        if rows.is_empty() {
            let _ = write!(out, "<p>{}</p></section>", esc(T::NobodyWaits.get(lang)));
            continue;
        }
        out.push_str("<table class=\"waiting-list\"><thead><tr>");
        for (h, num) in [
            (T::Household, false),
            (T::Type, false),
            (T::PersonsCol, true),
            (T::Status, false),
            (T::TemporaryPlace, false),
            (T::Since, false),
            (T::Reason, false),
            (T::Details, false),
        ] {
            let _ = write!(
                out,
                "<th{}>{}</th>",
                if num { " class=\"num\"" } else { "" },
                esc(h.get(lang))
            );
        }
        out.push_str("</tr></thead><tbody>");
        for h in rows {
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&h.id),
                esc(i18n::household_type(h.household_type, lang)),
                h.persons,
                esc(i18n::status(h.status, lang)),
                esc(h.temp_unit.as_deref().unwrap_or("–")),
                h.temp_from
                    .map_or_else(|| "–".into(), |d| esc(&i18n::date(d, lang))),
                esc(&h
                    .reason_code
                    .as_deref()
                    .map_or_else(|| "–".into(), |c| i18n::reason(c, lang))),
                esc(h.reason.as_deref().unwrap_or("")),
            );
        }
        out.push_str("</tbody></table></section>");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluate::{Count, Travel, TypeFigures, stats};
    use crate::model::HouseholdType;

    #[test]
    fn every_figure_of_the_report_is_a_figure_of_compare() {
        let summary = Summary {
            by_status: [Status::Permanent, Status::TemporaryOnly, Status::Unplaced]
                .into_iter()
                .map(|s| (s, Count::default()))
                .collect(),
            by_type: [
                HouseholdType::Family,
                HouseholdType::Couple,
                HouseholdType::Single,
            ]
            .into_iter()
            .map(|t| (t, TypeFigures::default()))
            .collect(),
            disposable_dkk: stats(vec![1.0]),
            travel: Travel {
                minutes: stats(vec![1.0]),
                ..Travel::default()
            },
            objective: Some(1.0),
            gap: Some(0.01),
            ..Summary::default()
        };
        let keys = CARDS
            .iter()
            .map(|c| c.0)
            .chain(figures().into_iter().flat_map(|(_, f)| f).map(|f| f.key));
        for key in keys {
            assert!(
                matches!(value(&summary, key), Cell::Number(_)),
                "{key} is not a figure of compare"
            );
        }
    }
}
