//! The map of the municipality as SVG, drawn straight from the district
//! polygons projected to EPSG:25832 (metres), so that the scale bar is
//! true: a choropleth of the newcomer share after the plan, forbidden
//! districts hatched, hot spots outlined, placements as points coloured by
//! status (a small district's aggregated point with a dashed ring and its
//! persons label, never a household count), a scale bar and a north arrow. The legend is a separate SVG, so
//! that small multiples of several plans share one.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::data::{District, Placement};
use super::html::esc;
use super::i18n::{self, Lang, T};
use crate::solve::Status;

/// Flags that forbid every unit in a district (the law's default
/// `rules.forbidden_flags`; plan outputs do not record the scenario's rules).
pub const FORBIDDEN_FLAGS: &[&str] = &["udsat", "parallelsamfund", "omdannelse"];
/// Flags that forbid social housing (default `rules.forbidden_flags_social_housing`).
pub const PREVENTION_FLAGS: &[&str] = &["forebyggelse"];

/// Sequential colours of the share classes, light to dark (yellow–red).
const CLASS_COLOURS: [&str; 5] = ["#ffffcc", "#fed976", "#fd8d3c", "#e31a1c", "#800026"];
/// Placement colours by status.
pub const PERMANENT_COLOUR: &str = "#1f5fbf";
pub const TEMPORARY_COLOUR: &str = "#1b9e3a";

/// Space below the map for the scale bar, in pixels.
const SCALE_BAR_SPACE: f64 = 44.0;

/// Where projected metres land in the SVG: `px = pad + (x − min_x) × scale`,
/// `py = pad + (max_y − y) × scale` (north up).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Frame {
    pub min_x: f64,
    pub max_y: f64,
    /// Pixels per metre.
    pub scale: f64,
    pub pad: f64,
    /// Size of the map area (padding included), pixels.
    pub width: f64,
    pub height: f64,
}

impl Frame {
    /// The frame that fits the bounding box `(min_x, min_y, max_x, max_y)`
    /// into `width` pixels (and at most `max_height`), keeping the aspect.
    #[must_use]
    pub fn fit(bbox: (f64, f64, f64, f64), width: f64, max_height: f64, pad: f64) -> Self {
        let (min_x, min_y, max_x, max_y) = bbox;
        let dx = (max_x - min_x).max(1.0);
        let dy = (max_y - min_y).max(1.0);
        let scale = ((width - 2.0 * pad) / dx).min((max_height - 2.0 * pad) / dy);
        Self {
            min_x,
            max_y,
            scale,
            pad,
            width: dx * scale + 2.0 * pad,
            height: dy * scale + 2.0 * pad,
        }
    }

    /// The pixel position of a projected point.
    #[must_use]
    pub fn px(&self, x: f64, y: f64) -> (f64, f64) {
        (
            self.pad + (x - self.min_x) * self.scale,
            self.pad + (self.max_y - y) * self.scale,
        )
    }

    /// The SVG's full height: the map and the scale bar below it.
    #[must_use]
    pub fn svg_height(&self) -> f64 {
        self.height + SCALE_BAR_SPACE
    }
}

/// Bounding box of every ring of every district.
#[must_use]
pub fn bbox(districts: &[District]) -> Option<(f64, f64, f64, f64)> {
    let mut it = districts
        .iter()
        .flat_map(|d| d.polygons.iter().flatten().flatten());
    let &(x0, y0) = it.next()?;
    Some(it.fold((x0, y0, x0, y0), |(a, b, c, d), &(x, y)| {
        (a.min(x), b.min(y), c.max(x), d.max(y))
    }))
}

/// The longest round length (1, 2 or 5 × 10ⁿ metres) not over `max_m`.
#[must_use]
pub fn nice_length(max_m: f64) -> f64 {
    if max_m <= 0.0 || !max_m.is_finite() {
        return 0.0;
    }
    let magnitude = 10f64.powf(max_m.log10().floor());
    [5.0, 2.0, 1.0]
        .iter()
        .map(|f| f * magnitude)
        .find(|&l| l <= max_m * (1.0 + 1e-12))
        .unwrap_or(magnitude)
}

/// The scale bar of a frame: its length in metres (a round number, at most
/// a quarter of the map's width) and in pixels.
#[must_use]
pub fn scale_bar(frame: &Frame) -> (f64, f64) {
    let max_m = (frame.width - 2.0 * frame.pad) / 4.0 / frame.scale;
    let metres = nice_length(max_m);
    (metres, metres * frame.scale)
}

/// Classes of the newcomer share: five equal steps from 0 to a round upper
/// value at or above the largest share of all plans, so that small
/// multiples share one legend.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Classes {
    pub upper: f64,
}

impl Classes {
    #[must_use]
    pub fn new(max_share: f64) -> Self {
        let upper = [
            0.01, 0.02, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1.0,
        ]
        .into_iter()
        .find(|&u| u >= max_share - 1e-12)
        .unwrap_or(1.0);
        Self { upper }
    }

    /// The class (0–4) of a share.
    #[must_use]
    pub fn class(&self, share: f64) -> usize {
        ((share / self.upper * 5.0 + 1e-9).floor().max(0.0) as usize).min(4)
    }

    #[must_use]
    pub fn colour(&self, share: f64) -> &'static str {
        CLASS_COLOURS[self.class(share)]
    }
}

/// How one map is drawn.
pub struct MapOptions<'a> {
    /// Prefix of the SVG ids (patterns), unique in the page.
    pub id: &'a str,
    pub lang: Lang,
    /// Title shown above the map inside the SVG (plan name), if any.
    pub title: Option<&'a str>,
}

fn path_data(polygons: &[Vec<super::data::Ring>], frame: &Frame) -> String {
    let mut d = String::new();
    for ring in polygons.iter().flatten() {
        for (i, &(x, y)) in ring.iter().enumerate() {
            let (px, py) = frame.px(x, y);
            let _ = write!(d, "{}{px:.1} {py:.1} ", if i == 0 { 'M' } else { 'L' });
        }
        d.push_str("Z ");
    }
    d.trim_end().to_string()
}

fn has_flag(d: &District, flags: &[&str]) -> bool {
    d.flags.iter().any(|f| flags.contains(&f.as_str()))
}

/// The hatch patterns (forbidden, prevention area) with ids from `id`.
fn patterns(id: &str) -> String {
    format!(
        concat!(
            "<defs>",
            "<pattern id=\"{id}-forbidden\" patternUnits=\"userSpaceOnUse\" width=\"8\" height=\"8\" patternTransform=\"rotate(45)\">",
            "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"8\" stroke=\"#fff\" stroke-width=\"2.6\"/>",
            "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"8\" stroke=\"#000\" stroke-width=\"1.2\"/></pattern>",
            "<pattern id=\"{id}-prevention\" patternUnits=\"userSpaceOnUse\" width=\"9\" height=\"9\" patternTransform=\"rotate(-45)\">",
            "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"9\" stroke=\"#fff\" stroke-width=\"3\" stroke-dasharray=\"3 3\"/>",
            "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"9\" stroke=\"#000\" stroke-width=\"1.2\" stroke-dasharray=\"3 3\"/></pattern>",
            "</defs>"
        ),
        id = id
    )
}

fn status_colour(status: Status) -> &'static str {
    if status == Status::Permanent {
        PERMANENT_COLOUR
    } else {
        TEMPORARY_COLOUR
    }
}

/// The map of one plan as an SVG element.
#[must_use]
pub fn map_svg(
    districts: &[District],
    placements: &[Placement],
    classes: &Classes,
    frame: &Frame,
    options: &MapOptions<'_>,
) -> String {
    let lang = options.lang;
    let id = options.id;
    let title_space = if options.title.is_some() { 24.0 } else { 0.0 };
    let width = frame.width;
    let height = frame.svg_height() + title_space;
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg class=\"map\" viewBox=\"0 {:.1} {width:.1} {height:.1}\" width=\"{width:.0}\" height=\"{height:.0}\" role=\"img\" aria-label=\"{}\">",
        -title_space,
        esc(T::Map.get(lang))
    );
    s.push_str(&patterns(id));
    if let Some(title) = options.title {
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"-7\" class=\"map-title\">{}</text>",
            frame.pad,
            esc(title)
        );
    }
    // Fill by share, then the hatches, then outlines (hot spots on top).
    s.push_str(
        "<g class=\"districts\" stroke=\"#666\" stroke-width=\"0.8\" fill-rule=\"evenodd\">",
    );
    for d in districts {
        let _ = write!(
            s,
            "<path d=\"{}\" fill=\"{}\"><title>{} ({}): {} {} → {}</title></path>",
            path_data(&d.polygons, frame),
            classes.colour(d.share_after),
            esc(&d.name),
            esc(&d.id),
            esc(T::ShareAxis.get(lang)),
            i18n::percent(d.share_before, 1, lang),
            i18n::percent(d.share_after, 1, lang),
        );
    }
    s.push_str("</g><g class=\"hatches\" stroke=\"none\" fill-rule=\"evenodd\">");
    for d in districts {
        let pattern = if has_flag(d, FORBIDDEN_FLAGS) {
            "forbidden"
        } else if has_flag(d, PREVENTION_FLAGS) {
            "prevention"
        } else {
            continue;
        };
        let _ = write!(
            s,
            "<path d=\"{}\" fill=\"url(#{id}-{pattern})\" data-district=\"{}\"/>",
            path_data(&d.polygons, frame),
            esc(&d.id)
        );
    }
    s.push_str("</g><g class=\"hot-spots\" fill=\"none\" stroke=\"#000\" stroke-width=\"3.5\" stroke-linejoin=\"round\">");
    for d in districts.iter().filter(|d| d.hot_spot) {
        let _ = write!(
            s,
            "<path d=\"{}\" data-district=\"{}\"/>",
            path_data(&d.polygons, frame),
            esc(&d.id)
        );
    }
    s.push_str("</g>");
    // Placements: one point per address and status, larger for more
    // households; a small district's households of one status are one
    // point inside it (plan.geojson's `aggregated`), drawn with a dashed
    // ring and its persons label, never as a count of households.
    let mut at: BTreeMap<(i64, i64, Status), usize> = BTreeMap::new();
    for p in placements.iter().filter(|p| p.aggregated.is_none()) {
        *at.entry((p.x.round() as i64, p.y.round() as i64, p.status))
            .or_default() += 1;
    }
    s.push_str("<g class=\"placements\" stroke=\"#fff\" stroke-width=\"1\">");
    for p in placements {
        let Some(label) = &p.aggregated else { continue };
        let (px, py) = frame.px(p.x, p.y);
        let _ = write!(
            s,
            "<circle class=\"aggregated\" cx=\"{px:.1}\" cy=\"{py:.1}\" r=\"5.5\" fill=\"{}\" stroke=\"#333\" stroke-dasharray=\"2 1.5\"><title>{}: {}</title></circle>",
            status_colour(p.status),
            esc(i18n::status(p.status, lang)),
            esc(label)
        );
    }
    for ((x, y, status), n) in at {
        let (px, py) = frame.px(x as f64, y as f64);
        let colour = status_colour(status);
        let r = 3.5 + 1.5 * ((n - 1) as f64).sqrt();
        let _ = write!(
            s,
            "<circle cx=\"{px:.1}\" cy=\"{py:.1}\" r=\"{r:.1}\" fill=\"{colour}\"><title>{}: {n}</title></circle>",
            esc(i18n::status(status, lang))
        );
    }
    s.push_str("</g>");
    // Scale bar below the map, two halves.
    let (metres, px_len) = scale_bar(frame);
    let x0 = frame.pad;
    let y0 = frame.height + 10.0;
    let label = if metres >= 1000.0 {
        format!("{} km", i18n::number(metres / 1000.0, 0, lang))
    } else {
        format!("{} m", i18n::number(metres, 0, lang))
    };
    let _ = write!(
        s,
        concat!(
            "<g class=\"scale-bar\" data-metres=\"{metres}\" data-px=\"{px:.3}\">",
            "<rect x=\"{x0:.1}\" y=\"{y0:.1}\" width=\"{half:.3}\" height=\"6\" fill=\"#000\"/>",
            "<rect x=\"{x1:.3}\" y=\"{y0:.1}\" width=\"{half:.3}\" height=\"6\" fill=\"#fff\" stroke=\"#000\" stroke-width=\"0.8\"/>",
            "<text x=\"{x0:.1}\" y=\"{ty:.1}\" class=\"small\">0</text>",
            "<text x=\"{x2:.3}\" y=\"{ty:.1}\" class=\"small\" text-anchor=\"middle\">{label}</text>",
            "</g>"
        ),
        metres = metres,
        px = px_len,
        x0 = x0,
        y0 = y0,
        half = px_len / 2.0,
        x1 = x0 + px_len / 2.0,
        x2 = x0 + px_len,
        ty = y0 + 22.0,
        label = esc(&label),
    );
    // North arrow in the top right corner.
    let nx = width - frame.pad - 10.0;
    let ny = frame.pad;
    let _ = write!(
        s,
        "<g class=\"north\"><path d=\"M{nx:.1} {ny:.1} l7 20 l-7 -5 l-7 5 Z\" fill=\"#000\"/><text x=\"{nx:.1}\" y=\"{:.1}\" text-anchor=\"middle\" class=\"small\">N</text></g>",
        ny + 34.0
    );
    s.push_str("</svg>");
    s
}

/// The legend shared by the maps of a report.
#[must_use]
pub fn legend_svg(classes: &Classes, id: &str, lang: Lang) -> String {
    let row = 22.0;
    let rows = 5 + 5;
    let height = row * f64::from(rows) + 30.0;
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg class=\"legend\" viewBox=\"0 0 400 {height:.0}\" width=\"400\" height=\"{height:.0}\" role=\"img\" aria-label=\"{}\">",
        esc(T::ShareAfter.get(lang))
    );
    s.push_str(&patterns(id));
    let _ = write!(
        s,
        "<text x=\"0\" y=\"14\" class=\"legend-title\">{}</text>",
        esc(T::ShareAfter.get(lang))
    );
    let step = classes.upper / 5.0;
    let mut y = 24.0;
    for (i, colour) in CLASS_COLOURS.iter().enumerate() {
        let lo = step * i as f64;
        let label = if i == 4 {
            format!("≥ {}", i18n::percent(lo, 1, lang))
        } else {
            format!(
                "{} – {}",
                i18n::percent(lo, 1, lang),
                i18n::percent(lo + step, 1, lang)
            )
        };
        let _ = write!(
            s,
            "<rect x=\"0\" y=\"{y:.0}\" width=\"26\" height=\"16\" fill=\"{colour}\" stroke=\"#666\" stroke-width=\"0.8\"/><text x=\"34\" y=\"{:.0}\">{}</text>",
            y + 13.0,
            esc(&label)
        );
        y += row;
    }
    let swatches = [
        (
            format!(
                "<rect x=\"0\" y=\"{y:.0}\" width=\"26\" height=\"16\" fill=\"url(#{id}-forbidden)\" stroke=\"#666\" stroke-width=\"0.8\"/>"
            ),
            T::Forbidden,
        ),
        (
            format!(
                "<rect x=\"0\" y=\"{:.0}\" width=\"26\" height=\"16\" fill=\"url(#{id}-prevention)\" stroke=\"#666\" stroke-width=\"0.8\"/>",
                y + row
            ),
            T::Prevention,
        ),
        (
            format!(
                "<rect x=\"2\" y=\"{:.0}\" width=\"22\" height=\"14\" fill=\"none\" stroke=\"#000\" stroke-width=\"3\"/>",
                y + 2.0 * row + 1.0
            ),
            T::HotSpot,
        ),
        (
            format!(
                "<circle cx=\"13\" cy=\"{:.0}\" r=\"5\" fill=\"{PERMANENT_COLOUR}\" stroke=\"#fff\"/>",
                y + 3.0 * row + 8.0
            ),
            T::StatusPermanent,
        ),
        (
            format!(
                "<circle cx=\"13\" cy=\"{:.0}\" r=\"5\" fill=\"{TEMPORARY_COLOUR}\" stroke=\"#fff\"/>",
                y + 4.0 * row + 8.0
            ),
            T::StatusTemporary,
        ),
    ];
    for (swatch, text) in swatches {
        s.push_str(&swatch);
        let _ = write!(
            s,
            "<text x=\"34\" y=\"{:.0}\" class=\"small\">{}</text>",
            y + 13.0,
            esc(text.get(lang))
        );
        y += row;
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(id: &str, x0: f64, y0: f64, side: f64, share: f64) -> District {
        District {
            id: id.into(),
            name: id.into(),
            flags: vec![],
            share_before: 0.0,
            share_after: share,
            hot_spot: false,
            over_cap: false,
            polygons: vec![vec![vec![
                (x0, y0),
                (x0 + side, y0),
                (x0 + side, y0 + side),
                (x0, y0 + side),
                (x0, y0),
            ]]],
        }
    }

    /// The numbers of every `d="…"` path of an SVG, as (x, y) pairs.
    fn path_points(svg: &str) -> Vec<(f64, f64)> {
        let mut out = Vec::new();
        for part in svg.split(" d=\"").skip(1) {
            let d = &part[..part.find('"').unwrap()];
            if d.contains('l') {
                continue; // the north arrow (relative moves)
            }
            let nums: Vec<f64> = d
                .split(['M', 'L', 'Z', ' '])
                .filter(|t| !t.is_empty())
                .map(|t| t.parse().unwrap())
                .collect();
            out.extend(nums.chunks(2).map(|c| (c[0], c[1])));
        }
        out
    }

    fn view_box(svg: &str) -> (f64, f64, f64, f64) {
        let start = svg.find("viewBox=\"").unwrap() + 9;
        let v: Vec<f64> = svg[start..start + svg[start..].find('"').unwrap()]
            .split(' ')
            .map(|t| t.parse().unwrap())
            .collect();
        (v[0], v[1], v[2], v[3])
    }

    #[test]
    fn an_aggregated_point_shows_its_label_not_a_household_count() {
        let districts = vec![square("A", 490_000.0, 6_220_000.0, 4_000.0, 0.01)];
        let frame = Frame::fit(bbox(&districts).unwrap(), 300.0, 300.0, 5.0);
        let point = |aggregated: Option<&str>| Placement {
            x: 492_000.0,
            y: 6_222_000.0,
            status: Status::Permanent,
            aggregated: aggregated.map(str::to_string),
        };
        let svg = map_svg(
            &districts,
            &[point(Some("<5")), point(None), point(None)],
            &Classes::new(0.06),
            &frame,
            &MapOptions {
                id: "t",
                lang: Lang::En,
                title: None,
            },
        );
        let placements = &svg[svg.find("class=\"placements\"").unwrap()..];
        let placements = &placements[..placements.find("</g>").unwrap()];
        assert_eq!(placements.matches("<circle").count(), 2, "{placements}");
        assert_eq!(placements.matches("class=\"aggregated\"").count(), 1);
        assert!(placements.contains(": &lt;5</title>"), "{placements}");
        // The two households' own points are one point of 2.
        assert!(placements.contains(": 2</title>"), "{placements}");
    }

    #[test]
    fn a_known_polygon_lands_inside_the_view_box_north_up() {
        // Two districts near Herning, 4 km and 2 km squares, in EPSG:25832.
        let districts = vec![
            square("A", 490_000.0, 6_220_000.0, 4_000.0, 0.01),
            square("B", 494_000.0, 6_222_000.0, 2_000.0, 0.06),
        ];
        let frame = Frame::fit(bbox(&districts).unwrap(), 600.0, 800.0, 20.0);
        // 6 km wide into 560 px.
        assert!((frame.scale - 560.0 / 6_000.0).abs() < 1e-12);
        let classes = Classes::new(0.06);
        let svg = map_svg(
            &districts,
            &[],
            &classes,
            &frame,
            &MapOptions {
                id: "t",
                lang: Lang::Da,
                title: None,
            },
        );
        let (vx, vy, vw, vh) = view_box(&svg);
        let points = path_points(&svg);
        assert_eq!(points.len(), 10, "{svg}");
        for (x, y) in &points {
            assert!(
                *x >= vx && *x <= vx + vw && *y >= vy && *y <= vy + vh,
                "({x}, {y}) outside the view box"
            );
        }
        // North up: the south-west corner of A is at the bottom left.
        let (px, py) = frame.px(490_000.0, 6_220_000.0);
        assert!((px - 20.0).abs() < 1e-9 && (py - frame.height + 20.0).abs() < 1e-9);
        // B's north-east corner is the top right of the map.
        let (px, py) = frame.px(496_000.0, 6_224_000.0);
        assert!((px - 580.0).abs() < 1e-9 && (py - 20.0).abs() < 1e-9);
        // The 6 % district is in the darkest class when the upper bound is 7.5 %.
        assert!((classes.upper - 0.075).abs() < 1e-12);
        assert!(svg.contains(&format!("fill=\"{}\"", CLASS_COLOURS[4])));
    }

    #[test]
    fn the_scale_bar_is_as_long_as_the_metres_it_claims() {
        let districts = vec![square("A", 470_000.0, 6_200_000.0, 45_000.0, 0.0)];
        let frame = Frame::fit(bbox(&districts).unwrap(), 700.0, 900.0, 10.0);
        let (metres, px) = scale_bar(&frame);
        // A quarter of 45 km is 11.25 km: the bar shows 10 km.
        assert!((metres - 10_000.0).abs() < 1e-9, "{metres}");
        // Independently: the whole map (680 px) is 45 km.
        assert!((px - 10_000.0 * 680.0 / 45_000.0).abs() < 1e-9, "{px}");
        let svg = map_svg(
            &districts,
            &[],
            &Classes::new(0.0),
            &frame,
            &MapOptions {
                id: "t",
                lang: Lang::En,
                title: Some("plan"),
            },
        );
        // The two drawn halves add up to the pixels of 10 km, labelled so.
        let bar = &svg[svg.find("class=\"scale-bar\"").unwrap()..];
        let widths: Vec<f64> = bar
            .split("width=\"")
            .skip(1)
            .take(2)
            .map(|w| w[..w.find('"').unwrap()].parse().unwrap())
            .collect();
        assert!((widths[0] + widths[1] - px).abs() < 0.01, "{widths:?}");
        assert!(bar.contains(">10 km</text>"));
    }

    #[test]
    fn round_lengths_and_classes() {
        assert!((nice_length(11_250.0) - 10_000.0).abs() < 1e-9);
        assert!((nice_length(4_999.0) - 2_000.0).abs() < 1e-9);
        assert!((nice_length(5_000.0) - 5_000.0).abs() < 1e-9);
        assert!((nice_length(730.0) - 500.0).abs() < 1e-9);
        let c = Classes::new(0.046);
        assert!((c.upper - 0.05).abs() < 1e-12);
        assert_eq!(c.class(0.0), 0);
        assert_eq!(c.class(0.0099), 0);
        assert_eq!(c.class(0.01), 1);
        assert_eq!(c.class(0.2), 4);
    }

    #[test]
    fn forbidden_districts_are_hatched_and_hot_spots_outlined() {
        let mut a = square("A", 0.0, 0.0, 1000.0, 0.0);
        a.flags = vec!["udsat".into()];
        let mut b = square("B", 1000.0, 0.0, 1000.0, 0.0);
        b.flags = vec!["forebyggelse".into()];
        b.hot_spot = true;
        let districts = vec![a, b, square("C", 2000.0, 0.0, 1000.0, 0.0)];
        let frame = Frame::fit(bbox(&districts).unwrap(), 300.0, 300.0, 5.0);
        let svg = map_svg(
            &districts,
            &[],
            &Classes::new(0.05),
            &frame,
            &MapOptions {
                id: "m1",
                lang: Lang::En,
                title: None,
            },
        );
        assert!(svg.contains("fill=\"url(#m1-forbidden)\" data-district=\"A\""));
        assert!(svg.contains("fill=\"url(#m1-prevention)\" data-district=\"B\""));
        assert!(!svg.contains("data-district=\"C\""));
        let hot = &svg[svg.find("class=\"hot-spots\"").unwrap()..];
        assert!(hot[..hot.find("</g>").unwrap()].contains("data-district=\"B\""));
    }
}
