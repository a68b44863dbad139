//! The HTML page around the report's sections: escaping, the stylesheet
//! (screen and print: A4, one section per page) and a Content Security
//! Policy that forbids every fetch, so that a browser refuses — and reports
//! in its console — anything the page would load from outside itself.

/// Escapes text for HTML element content and quoted attribute values.
#[must_use]
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Nothing may be fetched: no scripts, fonts, frames or connections;
/// styles only inline; images only as `data:` URIs.
pub const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const STYLE: &str = r"
:root { --ink: #1d1d1d; --muted: #5a5a5a; --rule: #d0d0d0; --best: #fff3c4; }
* { box-sizing: border-box; }
body { font-family: 'Liberation Sans', 'DejaVu Sans', Arial, Helvetica, sans-serif; color: var(--ink);
       max-width: 1060px; margin: 0 auto; padding: 18px 22px; line-height: 1.35; background: #fff; }
h1 { font-size: 1.6em; margin: 0 0 4px; }
h2 { font-size: 1.25em; margin: 0 0 10px; border-bottom: 2px solid var(--ink); padding-bottom: 3px; }
h3 { font-size: 1.02em; margin: 14px 0 4px; }
p.meta, p.note, footer { color: var(--muted); font-size: 0.9em; margin: 2px 0 8px; }
section { margin: 0 0 34px; }
table { border-collapse: collapse; width: 100%; font-size: 0.92em; }
th, td { border-bottom: 1px solid var(--rule); padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.group th { background: #e4e9f2; }
table.figures { width: auto; min-width: 62%; }
table.figures td:first-child { padding-right: 28px; }
td.best { background: var(--best); font-weight: bold; }
.cards { display: flex; flex-wrap: wrap; gap: 8px; margin: 8px 0 14px; }
.card { border: 1px solid var(--rule); border-radius: 4px; padding: 6px 10px; min-width: 150px; flex: 1 1 150px; }
.card .value { font-size: 1.45em; font-weight: bold; }
.card .label { font-size: 0.82em; color: var(--muted); }
.maps { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-start; }
svg { max-width: 100%; height: auto; font-family: 'Liberation Sans', 'DejaVu Sans', Arial, sans-serif; }
svg.map text { font-size: 13px; fill: #222; }
svg .small { font-size: 12px; }
svg .map-title, svg .legend-title { font-weight: bold; font-size: 14px; }
svg.legend text { font-size: 13px; }
.codes { font-size: 0.8em; color: var(--muted); }
.swatch { display: inline-block; width: 0.9em; height: 0.9em; vertical-align: -0.1em; margin-right: 3px; }
@page { size: A4; margin: 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 9.5pt; }
  section { break-after: page; page-break-after: always; margin: 0; }
  section:last-of-type { break-after: auto; page-break-after: auto; }
  tr, .card, svg { break-inside: avoid; }
  svg.chart { width: 100%; max-height: 88mm; }
  svg.map { max-height: 200mm; }
  .maps.multiple svg.map { max-height: 110mm; max-width: 48%; }
  footer { position: static; }
}
";

/// The whole page: head (charset, CSP, title, stylesheet) and body.
#[must_use]
pub fn page(lang: &str, title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n",
        esc(title)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(esc("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&#39;");
        let p = page("da", "x<y", "<p>hi</p>");
        assert!(p.contains("<title>x&lt;y</title>"));
        assert!(p.contains("default-src 'none'"));
    }
}
