//! The headline figures count only districts open to placement (issue 17,
//! point 5), on the hand-made case `tests/data/headline_forbidden_over_cap`.
//!
//! Worked on paper (the case's scenario.toml says the same), with the
//! default cap 5 %:
//!
//! | district | flags        | population | newcomers | share before | open |
//! |----------|--------------|-----------:|----------:|-------------:|------|
//! | D1       |              |        100 |         0 |          0 % | yes  |
//! | D2       | udsat        |        100 |         9 |          9 % | no   |
//! | D3       | forebyggelse |        100 |         6 |          6 % | yes  |
//!
//! Both households (3 + 1 persons) get a home in D1, the only district with
//! dwellings: D1 after = 4 / 104 = 0.038462. So, among the open districts
//! D1 and D3: highest share 0.06 before and after, 1 district over the cap
//! before and after (D3). Counting the forbidden D2 would give 0.09 and 2.
//! Already over the cap before the plan: D2 (9 % → 9 %, closed) and D3
//! (6 % → 6 %, open), no one placed in either.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::{Value, json};

use crate::{bin, checker, data_dir, run_plan};

fn scenario() -> PathBuf {
    data_dir()
        .join("headline_forbidden_over_cap")
        .join("scenario.toml")
}

/// The case planned once by the binary: its directory and `plan`'s stderr.
fn planned() -> &'static (PathBuf, String) {
    static PLAN: OnceLock<(PathBuf, String)> = OnceLock::new();
    PLAN.get_or_init(|| {
        let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("headline-case");
        let _ = fs::remove_dir_all(&out);
        let o = run_plan(&scenario(), &out);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        (out, String::from_utf8_lossy(&o.stderr).into_owned())
    })
}

fn summary(dir: &Path) -> Value {
    serde_json::from_str(&fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap()
}

#[test]
fn a_forbidden_district_over_the_cap_is_left_out_of_the_headline() {
    let (out, stderr) = planned();
    let violations = checker::check_plan(&scenario(), out);
    assert!(violations.is_empty(), "{violations:#?}");
    let s = summary(out);
    assert_eq!(s["by_status"]["permanent"]["persons"], json!(4));
    for when in ["before", "after"] {
        assert_eq!(s["spread"][when]["max_share"], json!(0.06), "{when}");
        assert_eq!(s["spread"][when]["districts_over_cap"], json!(1), "{when}");
    }
    let d1 = &s["districts"][0];
    assert_eq!(
        (&d1["id"], &d1["share_after"]),
        (&json!("D1"), &json!(0.038_462))
    );
    assert_eq!(
        s["over_cap_before_plan"],
        json!([
            {"district": "D2", "name": "Vollsmose", "share_before": 0.09, "share_after": 0.09,
             "open": false, "persons_placed": 0},
            {"district": "D3", "name": "Forebyggelse", "share_before": 0.06, "share_after": 0.06,
             "open": true, "persons_placed": 0},
        ])
    );
    // The summary line says the same in words.
    assert!(
        stderr.contains(
            "highest newcomer share in a district open to placement 6.0 %, 1 open district over the cap (1 of them already before the plan) → "
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "already over the cap before the plan: D2 Vollsmose 9.0 % (closed to placement; the plan places no one there, so it does not break the cap there); D3 Forebyggelse 6.0 % (open to placement; "
        ),
        "{stderr}"
    );
}

#[test]
fn compare_lists_the_districts_over_the_cap_before_each_plan() {
    let (out, _) = planned();
    let o = bin().arg("compare").arg(out).arg(out).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    let over = "D2 Vollsmose 9.0 % (closed to placement; the plan places no one there, so it does not break the cap there); D3 Forebyggelse 6.0 % (open to placement;";
    // One line per plan below the table (the two columns share a name, so
    // they are named by their paths).
    let lines: Vec<&str> = text.lines().filter(|l| l.contains(over)).collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(
        text.contains("\ndistricts already over the cap before the plan:\n"),
        "{text}"
    );
    let max = text
        .lines()
        .find(|l| l.trim_start().starts_with("max share (open districts)"))
        .unwrap();
    assert!(max.contains("0.060000"), "{max}");
    let o = bin()
        .arg("compare")
        .arg(out)
        .arg(out)
        .arg("--json")
        .output()
        .unwrap();
    let j: Value = serde_json::from_slice(&o.stdout).unwrap();
    let row = j["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == "/over_cap_before_plan")
        .unwrap();
    assert!(
        row["values"][0].as_str().unwrap().starts_with(over),
        "{row}"
    );
}

#[test]
fn the_report_lists_them_in_both_languages() {
    let (out, _) = planned();
    let tmp = tempfile::tempdir().unwrap();
    for (lang, words) in [
        (
            "en",
            [
                "Districts already over the cap before the plan",
                "<td>D2 Vollsmose</td><td class=\"num\">9.0%</td><td class=\"num\">9.0%</td><td>no (forbidden district)</td><td>places no one here, so it does not break the cap here</td>",
                "<td>D3 Forebyggelse</td><td class=\"num\">6.0%</td><td class=\"num\">6.0%</td><td>yes</td>",
                "Highest newcomer share in a district open to placement, after</td><td class=\"num\">6.0%</td>",
            ],
        ),
        (
            "da",
            [
                "Områder over loftet allerede før planen",
                "<td>D2 Vollsmose</td><td class=\"num\">9,0 %</td><td class=\"num\">9,0 %</td><td>nej (forbudt område)</td><td>placerer ingen her og bryder derfor ikke loftet her</td>",
                "<td>D3 Forebyggelse</td><td class=\"num\">6,0 %</td><td class=\"num\">6,0 %</td><td>ja</td>",
                "Højeste andel nytilkomne i et område åbent for boligplacering, efter</td><td class=\"num\">6,0 %</td>",
            ],
        ),
    ] {
        let html_path = tmp.path().join(format!("report-{lang}.html"));
        let o = bin()
            .arg("report")
            .arg(out)
            .arg("--out")
            .arg(&html_path)
            .args(["--lang", lang])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let html = fs::read_to_string(&html_path).unwrap();
        for w in words {
            assert!(html.contains(w), "{lang}: no {w:?}");
        }
    }
    // Two plans side by side: a row per plan and district, the plan named.
    let html_path = tmp.path().join("two.html");
    let o = bin()
        .arg("report")
        .arg(out)
        .arg(out)
        .arg("--out")
        .arg(&html_path)
        .args(["--lang", "en"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let html = fs::read_to_string(&html_path).unwrap();
    let table = &html[html.find("<table class=\"over-cap-before\">").unwrap()..];
    let table = &table[..table.find("</table>").unwrap()];
    assert!(
        table.starts_with(
            "<table class=\"over-cap-before\"><thead><tr><th>Plan</th><th>District</th>"
        ),
        "{table}"
    );
    assert_eq!(table.matches("<td>D2 Vollsmose</td>").count(), 2, "{table}");
}

/// The checker's headline check can fail: each figure planted wrong in a
/// copy of the case's output is found.
#[test]
fn the_checker_finds_wrong_headline_figures() {
    let (out, _) = planned();
    let tmp = tempfile::tempdir().unwrap();
    let plant = |edit: &dyn Fn(&mut Value)| -> Vec<String> {
        let dir = tmp.path().join("planted");
        let _ = fs::remove_dir_all(&dir);
        crate::copy_dir(out, &dir);
        let mut s = summary(&dir);
        edit(&mut s);
        fs::write(dir.join("summary.json"), s.to_string()).unwrap();
        checker::check_plan(&scenario(), &dir)
    };
    let found = |v: &[String], what: &str| {
        assert!(
            v.iter()
                .any(|m| m.starts_with("headline:") && m.contains(what)),
            "expected a headline violation about {what}, got {v:#?}"
        );
    };
    assert!(plant(&|_| {}).is_empty());
    // The highest share and the count over every district, D2 included.
    found(
        &plant(&|s| s["spread"]["after"]["max_share"] = json!(0.09)),
        "spread.after.max_share",
    );
    found(
        &plant(&|s| s["spread"]["before"]["districts_over_cap"] = json!(2)),
        "spread.before.districts_over_cap",
    );
    // D3, forbidden for social housing only, left out as if closed.
    found(
        &plant(&|s| s["spread"]["before"]["max_share"] = json!(0.0)),
        "spread.before.max_share",
    );
    // The list: a district missing, a wrong flag, a wrong share.
    found(
        &plant(&|s| {
            s["over_cap_before_plan"].as_array_mut().unwrap().remove(0);
        }),
        "lists [\"D3\"], expected [\"D2\", \"D3\"]",
    );
    found(
        &plant(&|s| s["over_cap_before_plan"][0]["open"] = json!(true)),
        "D2 open",
    );
    found(
        &plant(&|s| s["over_cap_before_plan"][1]["share_after"] = json!(0.07)),
        "D3 share_after",
    );
    found(
        &plant(&|s| {
            s.as_object_mut().unwrap().remove("over_cap_before_plan");
        }),
        "no over_cap_before_plan",
    );
}
