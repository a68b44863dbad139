//! The report's charts, drawn with `plotters` into SVG strings.
//!
//! Text: built without a font backend (no `ttf`, no `ab_glyph`), plotters
//! writes labels as SVG `<text>` elements in the `sans-serif` family and
//! estimates their size only roughly for the layout; the browser sets them
//! in whatever sans-serif font it has. Nothing is embedded.

use std::ops::Range;

use chrono::{Datelike, NaiveDate};
use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::prelude::*;

use super::i18n::{self, Lang};

/// Colours of the plans (series), in order; `BEFORE` for "before the plan".
pub const PLAN_COLOURS: [RGBColor; 6] = [
    RGBColor(31, 95, 191),
    RGBColor(224, 123, 0),
    RGBColor(42, 157, 75),
    RGBColor(142, 68, 173),
    RGBColor(192, 57, 43),
    RGBColor(85, 85, 85),
];
pub const BEFORE: RGBColor = RGBColor(170, 170, 170);

/// The colour of plan `i`.
#[must_use]
pub fn plan_colour(i: usize) -> RGBColor {
    PLAN_COLOURS[i % PLAN_COLOURS.len()]
}

/// One series of a chart.
pub struct Series {
    pub name: String,
    pub colour: RGBColor,
    pub values: Vec<f64>,
}

const WIDTH: u32 = 760;
const HEIGHT: u32 = 300;
const FONT: &str = "sans-serif";

fn err<E: std::fmt::Display>(e: E) -> String {
    format!("cannot draw a chart: {e}")
}

/// Draws into an SVG string and makes it fit for inline use in HTML: no
/// XML namespace (an HTML parser knows `<svg>`), a class, and a size that
/// follows the page's width.
fn svg(
    draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> Result<(), String>,
) -> Result<String, String> {
    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        draw(&root)?;
        root.present().map_err(err)?;
    }
    let inline = buf.replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1);
    Ok(inline.replacen("<svg ", "<svg class=\"chart\" role=\"img\" ", 1))
}

/// A linear f64 axis with labels exactly where we want them (the first of
/// each month, the middle of each category); plotters' `WithKeyPoints`
/// cannot be given a label formatter.
struct Ticked {
    lo: f64,
    hi: f64,
    ticks: Vec<f64>,
}

impl Ticked {
    fn new(lo: f64, hi: f64, ticks: Vec<f64>) -> Self {
        Self { lo, hi, ticks }
    }
}

impl Ranged for Ticked {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let span = self.hi - self.lo;
        if span <= 0.0 {
            return limit.0;
        }
        let t = (value - self.lo) / span;
        limit.0 + (f64::from(limit.1 - limit.0) * t).round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, _hint: Hint) -> Vec<f64> {
        self.ticks.clone()
    }

    fn range(&self) -> Range<f64> {
        self.lo..self.hi
    }
}

/// The top of the y axis: room above the highest value, more when a
/// legend of several series sits in the upper right corner.
fn upper_bound(max: f64, series: usize) -> f64 {
    if max <= 0.0 {
        return 1.0;
    }
    if series > 1 { max * 1.4 } else { max * 1.1 }
}

/// A line per series over the days of the plan (`values[d]` on day `d`),
/// months on the x axis.
pub fn time_series(
    series: &[Series],
    start: NaiveDate,
    y_desc: &str,
    lang: Lang,
) -> Result<String, String> {
    let days = series
        .iter()
        .map(|s| s.values.len())
        .max()
        .unwrap_or(1)
        .max(1);
    let y_max = upper_bound(
        series
            .iter()
            .flat_map(|s| s.values.iter().copied())
            .fold(0.0, f64::max),
        series.len(),
    );
    // A tick at the first day of each month (every second or third month on long plans).
    let mut months = Vec::new();
    let mut d = start;
    while (d - start).num_days() < days as i64 {
        months.push((d - start).num_days() as f64);
        d = d
            .checked_add_months(chrono::Months::new(1))
            .and_then(|m| m.with_day(1))
            .unwrap_or(d);
        if months.len() > 400 {
            break;
        }
    }
    let stride = months.len().div_ceil(12).max(1);
    let ticks: Vec<f64> = months.into_iter().step_by(stride).collect();
    svg(|root| {
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(34)
            .y_label_area_size(64)
            .build_cartesian_2d(Ticked::new(0.0, days as f64, ticks), 0.0..y_max)
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(WHITE)
            .bold_line_style(RGBColor(225, 225, 225))
            .label_style((FONT, 16))
            .axis_desc_style((FONT, 16))
            .y_desc(y_desc)
            .x_label_formatter(&|x| {
                let day = start + chrono::Days::new(x.round().max(0.0) as u64);
                // The year on the first tick and on each January only.
                if *x < 1.0 || day.month() == 1 {
                    i18n::month(day, lang)
                } else {
                    i18n::month_only(day, lang)
                }
            })
            .y_label_formatter(&|y| i18n::number(*y, 0, lang))
            .draw()
            .map_err(err)?;
        for s in series {
            let colour = s.colour;
            chart
                .draw_series(LineSeries::new(
                    s.values.iter().enumerate().map(|(d, &v)| (d as f64, v)),
                    colour.stroke_width(2),
                ))
                .map_err(err)?
                .label(s.name.clone())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], colour.stroke_width(3))
                });
        }
        if series.len() > 1 {
            series_labels(&mut chart)?;
        }
        Ok(())
    })
}

fn series_labels<'a, X, Y>(
    chart: &mut ChartContext<'a, SVGBackend<'a>, Cartesian2d<X, Y>>,
) -> Result<(), String>
where
    X: plotters::coord::ranged1d::Ranged,
    Y: plotters::coord::ranged1d::Ranged,
{
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .label_font((FONT, 16))
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(180, 180, 180))
        .draw()
        .map_err(err)
}

/// Bars per category, one bar per series side by side; `y_label` formats
/// the y axis.
pub fn grouped_bars(
    categories: &[String],
    series: &[Series],
    y_desc: &str,
    y_label: &dyn Fn(f64) -> String,
) -> Result<String, String> {
    let n = categories.len().max(1);
    let y_max = upper_bound(
        series
            .iter()
            .flat_map(|s| s.values.iter().copied())
            .fold(0.0, f64::max),
        series.len(),
    );
    let centres: Vec<f64> = (0..n).map(|i| i as f64 + 0.5).collect();
    let cats = categories.to_vec();
    svg(|root| {
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(34)
            .y_label_area_size(64)
            .build_cartesian_2d(Ticked::new(0.0, n as f64, centres), 0.0..y_max)
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(WHITE)
            .bold_line_style(RGBColor(225, 225, 225))
            .label_style((FONT, 15))
            .axis_desc_style((FONT, 16))
            .y_desc(y_desc)
            .x_label_formatter(&|x| {
                cats.get(x.floor().max(0.0) as usize)
                    .cloned()
                    .unwrap_or_default()
            })
            .y_label_formatter(&|y| y_label(*y))
            .draw()
            .map_err(err)?;
        let k = series.len().max(1) as f64;
        let width = 0.8 / k;
        for (j, s) in series.iter().enumerate() {
            let colour = s.colour;
            chart
                .draw_series(s.values.iter().enumerate().map(|(i, &v)| {
                    let x0 = i as f64 + 0.1 + width * j as f64;
                    Rectangle::new([(x0, 0.0), (x0 + width, v)], colour.filled())
                }))
                .map_err(err)?
                .label(s.name.clone())
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 14, y + 5)], colour.filled())
                });
        }
        if series.len() > 1 {
            series_labels(&mut chart)?;
        }
        Ok(())
    })
}

/// A round bin width: 1, 2, 2.5 or 5 × 10ⁿ, near `range / bins`.
#[must_use]
pub fn bin_width(range: f64, bins: f64) -> f64 {
    if range <= 0.0 || !range.is_finite() {
        return 1.0;
    }
    let raw = range / bins;
    let magnitude = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|f| f * magnitude)
        .find(|&w| w >= raw)
        .unwrap_or(10.0 * magnitude)
}

/// Counts per bin of every series over shared bins: the first bin's lower
/// edge and the width, and per series the counts.
#[must_use]
pub fn bins(series: &[&[f64]], target_bins: f64) -> (f64, f64, Vec<Vec<usize>>) {
    let all = || series.iter().flat_map(|s| s.iter().copied());
    let lo = all().fold(f64::INFINITY, f64::min);
    let hi = all().fold(f64::NEG_INFINITY, f64::max);
    if !lo.is_finite() {
        return (0.0, 1.0, series.iter().map(|_| vec![0]).collect());
    }
    let width = bin_width(hi - lo, target_bins);
    let first = (lo / width).floor() * width;
    let n = (((hi - first) / width).floor() as usize + 1).max(1);
    let counts = series
        .iter()
        .map(|s| {
            let mut c = vec![0; n];
            for &v in *s {
                c[(((v - first) / width).floor() as usize).min(n - 1)] += 1;
            }
            c
        })
        .collect();
    (first, width, counts)
}

/// A histogram of every series over shared bins, bars side by side.
pub fn histogram(
    series: &[Series],
    x_desc: &str,
    y_desc: &str,
    lang: Lang,
) -> Result<String, String> {
    let values: Vec<&[f64]> = series.iter().map(|s| s.values.as_slice()).collect();
    let (first, width, counts) = bins(&values, 12.0);
    let n = counts.first().map_or(1, Vec::len);
    let y_max = upper_bound(
        counts.iter().flatten().copied().max().unwrap_or(0) as f64,
        series.len(),
    );
    let decimals = usize::from(width < 1.0) + usize::from(width < 0.1);
    let last = first + width * n as f64;
    svg(|root| {
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(54)
            .build_cartesian_2d(first..last, 0.0..y_max)
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(WHITE)
            .bold_line_style(RGBColor(225, 225, 225))
            .label_style((FONT, 15))
            .axis_desc_style((FONT, 16))
            .x_desc(x_desc)
            .y_desc(y_desc)
            .x_labels(n.min(12) + 1)
            .x_label_formatter(&|x| i18n::number(*x, decimals, lang))
            .y_label_formatter(&|y| i18n::number(*y, 0, lang))
            .draw()
            .map_err(err)?;
        let k = series.len().max(1) as f64;
        let bar = width * 0.9 / k;
        for (j, (s, c)) in series.iter().zip(&counts).enumerate() {
            let colour = s.colour;
            chart
                .draw_series(
                    c.iter()
                        .enumerate()
                        .filter(|(_, n)| **n > 0)
                        .map(|(i, &n)| {
                            let x0 = first + width * i as f64 + width * 0.05 + bar * j as f64;
                            Rectangle::new([(x0, 0.0), (x0 + bar, n as f64)], colour.filled())
                        }),
                )
                .map_err(err)?
                .label(s.name.clone())
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 14, y + 5)], colour.filled())
                });
        }
        if series.len() > 1 {
            series_labels(&mut chart)?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_are_round_and_count_every_value() {
        assert!((bin_width(14_250.0, 12.0) - 2_000.0).abs() < 1e-9);
        assert!((bin_width(48.2, 12.0) - 5.0).abs() < 1e-9);
        let a = [2_983.0, 14_317.0, 17_233.0, 14_000.0];
        let b = [3_000.0];
        let (first, width, counts) = bins(&[&a, &b], 12.0);
        assert!((first - 2_000.0).abs() < 1e-9 && (width - 2_000.0).abs() < 1e-9);
        assert_eq!(counts[0].iter().sum::<usize>(), 4);
        assert_eq!(counts[1].iter().sum::<usize>(), 1);
        assert_eq!(counts[0][0], 1);
        assert_eq!(counts[0][6], 2);
        assert_eq!(counts[0].len(), counts[1].len());
    }

    #[test]
    fn charts_are_inline_svg_with_danish_labels() {
        let s = grouped_bars(
            &["D01".into(), "D02".into()],
            &[Series {
                name: "før".into(),
                colour: BEFORE,
                values: vec![0.035, 0.046],
            }],
            "andel",
            &|y| i18n::percent(y, 1, Lang::Da),
        )
        .unwrap();
        assert!(s.starts_with("<svg class=\"chart\""), "{}", &s[..80]);
        assert!(!s.contains("http"));
        assert!(s.contains("\nD02\n</text>"), "{s}");
        assert!(s.contains("4,0 %"), "{s}");
        let start = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let t = time_series(
            &[Series {
                name: "a".into(),
                colour: plan_colour(0),
                values: vec![0.0, 12_000.0, 3.0],
            }],
            start,
            "personer",
            Lang::Da,
        )
        .unwrap();
        assert!(t.contains("jan. 2026"), "{t}");
        assert!(t.contains("12.000"), "{t}");
    }
}
