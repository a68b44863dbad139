//! `boligplan report` (issue 8): one self-contained HTML file.
//!
//! The demo is planned twice (optimise, fcfs) by the binary, and the binary
//! writes the reports. A real browser (headless Chromium) renders them to a
//! PNG and a PDF: the page must load without any console message (the
//! report has no scripts, and its Content Security Policy makes the browser
//! refuse, and log, any fetch), the screenshot must not be blank and the
//! PDF must have one page per section at least. Without Chromium these
//! tests say SKIPPED loudly; under CI (`CI` set) they fail instead.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use super::{bin, repo, run_plan};

/// The demo planned with `optimise` and with `fcfs`, once per test run.
fn demo_plans() -> &'static (PathBuf, PathBuf) {
    static PLANS: OnceLock<(PathBuf, PathBuf)> = OnceLock::new();
    PLANS.get_or_init(|| {
        let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("report-demo");
        let scenario = repo().join("scenarios").join("demo.toml");
        let optimise = root.join("optimise");
        let fcfs = root.join("fcfs");
        let o = run_plan(&scenario, &optimise);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let o = bin()
            .arg("plan")
            .arg(&scenario)
            .arg("--out")
            .arg(&fcfs)
            .args(["--strategy", "fcfs", "--quiet"])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        (optimise, fcfs)
    })
}

/// Runs `boligplan report DIRS --out OUT [ARGS]`, asserting success, and
/// returns the HTML.
fn report(dirs: &[&Path], out: &Path, args: &[&str]) -> String {
    let o = bin()
        .arg("report")
        .args(dirs)
        .arg("--out")
        .arg(out)
        .args(args)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "report failed ({:?}): {}",
        o.status.code(),
        String::from_utf8_lossy(&o.stderr)
    );
    fs::read_to_string(out).unwrap()
}

// ---------------------------------------------------------------- Chromium

/// The Chromium binary, or `None` (with a loud SKIPPED message) when it is
/// missing; under CI a missing Chromium fails the test.
fn chromium(test: &str) -> Option<PathBuf> {
    let candidates = ["chromium", "chromium-browser", "google-chrome"];
    let path = std::env::var_os("PATH").unwrap_or_default();
    let found = std::env::split_paths(&path)
        .flat_map(|dir| candidates.iter().map(move |c| dir.join(c)))
        .find(|p| p.is_file());
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "{test}: Chromium is not installed, and CI is set; .ci/run installs it with apt-get install chromium"
        );
        // Straight to stderr, past the test harness's capture, so it shows.
        let _ = std::io::Write::write_all(
            &mut std::io::stderr(),
            format!(
                "SKIPPED {test}: Chromium not found (apt-get install chromium); the report was not rendered in a browser\n"
            )
            .as_bytes(),
        );
    }
    found
}

/// What Chromium made of a page.
struct Rendered {
    /// Lines Chromium logged from the page's console.
    console: Vec<String>,
    png: PathBuf,
    pdf: PathBuf,
}

/// Renders `html` with headless Chromium to a screenshot and a PDF.
fn render(chromium: &Path, html: &Path, work: &Path, height: u32) -> Rendered {
    fs::create_dir_all(work).unwrap();
    let png = work.join("page.png");
    let pdf = work.join("page.pdf");
    let profile = work.join("profile");
    let url = format!("file://{}", html.canonicalize().unwrap().display());
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--enable-logging=stderr",
            "--v=0",
            "--hide-scrollbars",
            "--no-pdf-header-footer",
            "--no-first-run",
        ])
        .arg(format!("--window-size=1100,{height}"))
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(url)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cannot start chromium");
    let stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut { stderr }, &mut s).unwrap();
        s
    });
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_mins(3) {
            let _ = child.kill();
            panic!("chromium did not finish within 3 minutes");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let log = reader.join().unwrap();
    assert!(
        png.is_file() && pdf.is_file(),
        "chromium wrote no screenshot or PDF:\n{log}"
    );
    Rendered {
        console: console_lines(&log),
        png,
        pdf,
    }
}

/// Chromium logs each message of the page's console (errors, refused
/// fetches, script output) as `…:CONSOLE:<line>] "text", source: …`.
fn console_lines(log: &str) -> Vec<String> {
    log.lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(str::to_string)
        .collect()
}

/// Distinct colours and the share of pixels that are not (nearly) white.
fn colours(png: &Path) -> (usize, f64) {
    let decoder = png::Decoder::new(std::io::BufReader::new(fs::File::open(png).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let bytes = &buf[..info.buffer_size()];
    let channels = info.color_type.samples();
    assert!(channels >= 3, "expected an RGB screenshot, found {info:?}");
    let mut distinct = BTreeSet::new();
    let mut inked = 0usize;
    let pixels = bytes.len() / channels;
    for px in bytes.chunks(channels) {
        distinct.insert((px[0], px[1], px[2]));
        if px[..3].iter().any(|&c| c < 235) {
            inked += 1;
        }
    }
    (distinct.len(), inked as f64 / pixels as f64)
}

/// Pages of a PDF (the largest `/Count` of its page trees).
fn pdf_pages(pdf: &Path) -> usize {
    let bytes = fs::read(pdf).unwrap();
    assert!(
        bytes.starts_with(b"%PDF-"),
        "{} is not a PDF",
        pdf.display()
    );
    let text = String::from_utf8_lossy(&bytes);
    text.match_indices("/Count ")
        .filter_map(|(i, m)| {
            text[i + m.len()..]
                .split(|c: char| !c.is_ascii_digit())
                .next()
                .and_then(|n| n.parse().ok())
        })
        .max()
        .unwrap_or(0)
}

fn assert_not_blank(png: &Path) {
    let (distinct, inked) = colours(png);
    assert!(
        distinct >= 64 && inked >= 0.05,
        "{} looks blank: {distinct} distinct colours, {:.1} % of pixels not white",
        png.display(),
        inked * 100.0
    );
}

#[test]
fn demo_report_renders_in_chromium_without_console_errors() {
    let Some(chromium) = chromium("demo_report_renders_in_chromium_without_console_errors") else {
        return;
    };
    let (optimise, fcfs) = demo_plans();
    let tmp = tempfile::tempdir().unwrap();
    for (name, dirs, args) in [
        ("one", vec![optimise.as_path()], vec!["--lang", "da"]),
        (
            "two",
            vec![optimise.as_path(), fcfs.as_path()],
            vec!["--lang", "en"],
        ),
    ] {
        let html = tmp.path().join(format!("{name}.html"));
        report(&dirs, &html, &args);
        let r = render(&chromium, &html, &tmp.path().join(name), 2400);
        assert!(
            r.console.is_empty(),
            "the {name}-plan report logged to the console:\n{}",
            r.console.join("\n")
        );
        assert_not_blank(&r.png);
        // Print stylesheet: one section per A4 page at least (key figures,
        // map, charts, distributions, waiting list).
        let pages = pdf_pages(&r.pdf);
        assert!(pages >= 5, "{name}: the PDF has {pages} pages");
    }
}

#[test]
fn console_and_blank_checks_can_fail() {
    let Some(chromium) = chromium("console_and_blank_checks_can_fail") else {
        return;
    };
    let (optimise, _) = demo_plans();
    let tmp = tempfile::tempdir().unwrap();
    let good = tmp.path().join("good.html");
    let page = report(&[optimise.as_path()], &good, &[]);
    // The real report with a reference to a file beside it and an inline
    // script: the CSP must refuse both, and the refusals must be seen.
    let broken = page.replacen(
        "<body>",
        "<body><img src=\"logo.png\" alt=\"\"><script>undefinedFunction();</script>",
        1,
    );
    let broken_path = tmp.path().join("broken.html");
    fs::write(&broken_path, broken).unwrap();
    let r = render(&chromium, &broken_path, &tmp.path().join("broken"), 800);
    assert!(
        r.console.iter().any(|l| l.contains("logo.png")),
        "the refused image was not noticed: {:?}",
        r.console
    );
    assert!(
        r.console.iter().any(|l| l.contains("script")),
        "the refused script was not noticed: {:?}",
        r.console
    );
    // A white page is blank.
    let blank = tmp.path().join("blank.html");
    fs::write(&blank, "<!DOCTYPE html><html><body></body></html>").unwrap();
    let r = render(&chromium, &blank, &tmp.path().join("blank"), 800);
    assert!(r.console.is_empty(), "{:?}", r.console);
    let (distinct, inked) = colours(&r.png);
    assert!(distinct < 64 || inked < 0.05, "{distinct} colours, {inked}");
}

// ------------------------------------------------------- self-containment

/// One start tag: its name and attributes (names lower-cased).
#[derive(Debug)]
struct Tag {
    name: String,
    attributes: Vec<(String, String)>,
}

/// A small HTML tokenizer: start tags with their attributes (quoted,
/// unquoted or bare), and the text of `<style>` and `<script>` elements.
/// Comments and the doctype are skipped.
fn parse_html(html: &str) -> (Vec<Tag>, Vec<String>) {
    let mut tags = Vec::new();
    let mut raw_texts = Vec::new();
    let b = html.as_bytes();
    let mut i = 0;
    while let Some(off) = html[i..].find('<') {
        i += off;
        if html[i..].starts_with("<!--") {
            i += html[i..].find("-->").map_or(html.len() - i, |e| e + 3);
            continue;
        }
        if html[i..].starts_with("<!") || html[i..].starts_with("</") {
            i += html[i..].find('>').map_or(html.len() - i, |e| e + 1);
            continue;
        }
        i += 1;
        let start = i;
        while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'-' || b[i] == b':') {
            i += 1;
        }
        if i == start {
            continue; // a lone '<' in text
        }
        let name = html[start..i].to_ascii_lowercase();
        let mut attributes = Vec::new();
        loop {
            while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
                i += 1;
            }
            if i >= b.len() || b[i] == b'>' {
                i += 1;
                break;
            }
            let a = i;
            while i < b.len() && !b[i].is_ascii_whitespace() && !b"=>/".contains(&b[i]) {
                i += 1;
            }
            let attr = html[a..i].to_ascii_lowercase();
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            let mut value = String::new();
            if i < b.len() && b[i] == b'=' {
                i += 1;
                while i < b.len() && b[i].is_ascii_whitespace() {
                    i += 1;
                }
                if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
                    let q = b[i] as char;
                    let end = html[i + 1..].find(q).map_or(html.len(), |e| i + 1 + e);
                    value = html[i + 1..end].to_string();
                    i = end + 1;
                } else {
                    let v = i;
                    while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                        i += 1;
                    }
                    value = html[v..i].to_string();
                }
            }
            attributes.push((attr, decode_entities(&value)));
        }
        if name == "style" || name == "script" {
            let close = format!("</{name}");
            let end = html[i.min(html.len())..]
                .to_ascii_lowercase()
                .find(&close)
                .map_or(html.len(), |e| i + e);
            raw_texts.push(html[i.min(end)..end].to_string());
            i = end;
        }
        tags.push(Tag { name, attributes });
    }
    (tags, raw_texts)
}

fn decode_entities(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Every `url(…)` target in a piece of CSS or an attribute value.
fn css_urls(css: &str) -> Vec<String> {
    let lower = css.to_ascii_lowercase();
    lower
        .match_indices("url(")
        .map(|(i, _)| {
            let rest = &css[i + 4..];
            let end = rest.find(')').unwrap_or(rest.len());
            rest[..end]
                .trim()
                .trim_matches(|c| c == '"' || c == '\'')
                .to_string()
        })
        .collect()
}

fn local(target: &str) -> bool {
    let t = target.trim().to_ascii_lowercase();
    t.starts_with('#') || t.starts_with("data:")
}

/// Everything in a page that would be fetched from outside it.
fn outside_references(html: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let lower = html.to_ascii_lowercase();
    for scheme in ["http:", "https:", "ftp:", "file:"] {
        if lower.contains(scheme) {
            problems.push(format!("the text contains `{scheme}`"));
        }
    }
    let (tags, raw_texts) = parse_html(html);
    for tag in &tags {
        if [
            "link", "iframe", "frame", "object", "embed", "base", "applet",
        ]
        .contains(&tag.name.as_str())
        {
            problems.push(format!("a <{}> element", tag.name));
        }
        for (name, value) in &tag.attributes {
            let fetches = matches!(
                name.as_str(),
                "src"
                    | "href"
                    | "xlink:href"
                    | "srcset"
                    | "action"
                    | "formaction"
                    | "poster"
                    | "data"
                    | "background"
                    | "manifest"
                    | "ping"
                    | "codebase"
            );
            if fetches && !local(value) {
                problems.push(format!("<{} {name}=\"{value}\">", tag.name));
            }
            if tag.name == "script" && name == "src" {
                problems.push(format!("<script src=\"{value}\">"));
            }
            if tag.name == "meta" && name == "http-equiv" && value.eq_ignore_ascii_case("refresh") {
                problems.push("a meta refresh".into());
            }
            for url in css_urls(value) {
                if !local(&url) {
                    problems.push(format!("<{} {name}=\"…url({url})…\">", tag.name));
                }
            }
        }
    }
    for text in &raw_texts {
        for url in css_urls(text) {
            if !local(&url) {
                problems.push(format!("url({url}) in a style or script"));
            }
        }
        if text.to_ascii_lowercase().contains("@import") {
            problems.push("an @import".into());
        }
    }
    problems
}

#[test]
fn the_reference_check_finds_what_a_page_would_fetch() {
    let bad = [
        "<img src=\"logo.png\">",
        "<IMG SRC='//cdn.example/x.png'>",
        "<script src=\"app.js\"></script>",
        "<link rel=stylesheet href=style.css>",
        "<p style=\"background: url( 'bg.png' )\">x</p>",
        "<style>body { background: URL(bg.png) }</style>",
        "<style>@import 'x.css';</style>",
        "<svg><use xlink:href=\"sprites.svg#a\"/></svg>",
        "<rect fill=\"url(pattern.svg#p)\"/>",
        "<iframe srcdoc=\"\"></iframe>",
    ];
    for snippet in bad {
        let page = format!("<!DOCTYPE html><html><body>{snippet}</body></html>");
        assert!(
            !outside_references(&page).is_empty(),
            "not caught: {snippet}"
        );
    }
    let good = "<!DOCTYPE html><html><head><style>a { fill: url(#p) }</style></head><body>\
                <a href=\"#x\">x</a><img src=\"data:image/png;base64,AAAA\" alt=\"\">\
                <svg><path fill=\"url(#m0-forbidden)\" d=\"M0 0\"/></svg><p>a &lt; b url</p></body></html>";
    assert_eq!(outside_references(good), Vec::<String>::new());
}

#[test]
fn demo_reports_reference_nothing_outside_themselves() {
    let (optimise, fcfs) = demo_plans();
    let tmp = tempfile::tempdir().unwrap();
    for (i, dirs) in [
        vec![optimise.as_path()],
        vec![optimise.as_path(), fcfs.as_path()],
    ]
    .iter()
    .enumerate()
    {
        let html = report(dirs, &tmp.path().join(format!("r{i}.html")), &[]);
        assert_eq!(outside_references(&html), Vec::<String>::new());
        let (tags, _) = parse_html(&html);
        // The parser really saw the page: SVG maps, charts and patterns.
        let count = |n: &str| tags.iter().filter(|t| t.name == n).count();
        assert!(count("svg") >= 5 && count("pattern") >= 2 && count("path") > 10);
        assert!(
            tags.iter()
                .any(|t| t.attributes.iter().any(|(_, v)| v.starts_with("url(#"))),
            "no hatch pattern is used"
        );
    }
}

// ------------------------------------------------------------- contents

#[test]
fn report_shows_figures_in_the_chosen_language_and_marks_the_better_plan() {
    let (optimise, fcfs) = demo_plans();
    let tmp = tempfile::tempdir().unwrap();
    let summary: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(optimise.join("summary.json")).unwrap()).unwrap();
    let days = summary["temporary_person_days"].as_i64().unwrap();
    assert!(
        days >= 1000,
        "the demo should have thousands of person-days"
    );
    let grouped = |sep: char| {
        let s = days.to_string();
        let (head, tail) = s.split_at(s.len() - 3);
        format!("{head}{sep}{tail}")
    };
    let da = report(&[optimise.as_path()], &tmp.path().join("da.html"), &[]);
    assert!(da.contains("<html lang=\"da\">"));
    assert!(da.contains("Nøgletal") && da.contains("Husstande der venter"));
    assert!(
        da.contains(&format!(">{}<", grouped('.'))),
        "{}",
        grouped('.')
    );
    let en = report(
        &[optimise.as_path(), fcfs.as_path()],
        &tmp.path().join("en.html"),
        &["--lang", "en"],
    );
    assert!(en.contains("Key figures") && en.contains("Households that wait"));
    assert!(en.contains(&grouped(',')), "{}", grouped(','));
    // The better value of a row is marked, and optimise beats fcfs on
    // temporary person-days.
    let row = en
        .split("<tr data-key=\"/temporary_person_days\">")
        .nth(1)
        .unwrap();
    let row = &row[..row.find("</tr>").unwrap()];
    let cells: Vec<&str> = row.split("<td").skip(2).collect();
    assert_eq!(cells.len(), 2, "{row}");
    assert!(cells[0].contains("best") && cells[0].contains('★'), "{row}");
    assert!(!cells[1].contains("best"), "{row}");
    // Small multiples: one map per plan, and one waiting list per plan.
    assert_eq!(en.matches("<svg class=\"map\"").count(), 2);
    assert!(en.contains("id=\"waiting-0\"") && en.contains("id=\"waiting-1\""));
    // The waiting list shows ids and reasons, never income.
    let plan_csv = fs::read_to_string(optimise.join("plan.csv")).unwrap();
    let waiting = plan_csv
        .lines()
        .find(|l| l.contains(",temporary_only,"))
        .unwrap();
    let id = waiting.split(',').next().unwrap();
    assert!(da.contains(&format!("<td>{id}</td>")));
    let waiting_list = &da[da.find("id=\"waiting-0\"").unwrap()..];
    for banned in ["Indkomst", "income", "rådighedsbeløb</th>", "6553", "6.553"] {
        assert!(
            !waiting_list.contains(banned),
            "{banned} in the waiting list"
        );
    }
}

#[test]
fn report_refuses_a_directory_that_is_not_a_plan() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("r.html");
    let run = |dir: &Path| {
        bin()
            .arg("report")
            .arg(dir)
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap()
    };
    let empty = tmp.path().join("empty");
    fs::create_dir(&empty).unwrap();
    let o = run(&empty);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("summary.json") && err.contains("boligplan plan"),
        "{err}"
    );
    // A summary alone is not enough: the missing plan.geojson is named.
    let (optimise, _) = demo_plans();
    let partial = tmp.path().join("partial");
    fs::create_dir(&partial).unwrap();
    fs::copy(optimise.join("summary.json"), partial.join("summary.json")).unwrap();
    let o = run(&partial);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("plan.geojson"), "{err}");
    // A path that does not exist.
    let o = run(&tmp.path().join("nowhere"));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("not a directory"), "{err}");
    // Nothing was written, not even a temporary file.
    let left: Vec<_> = fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("r.html"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    // A usage error: no --out.
    let o = bin().arg("report").arg(&empty).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
}
