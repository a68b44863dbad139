//! The stages of ARCHITECTURE.md point one way: no source file imports from
//! a later stage than its own.
//!
//! ARCHITECTURE.md lists the stages between the lines `<!-- stages -->` and
//! `<!-- /stages -->`, as a numbered list: each item names its modules first,
//! in backticks and separated by commas (`` `rules`, `travel` — … ``). A
//! module path such as `solve` covers src/solve.rs, src/solve/mod.rs and
//! every file under src/solve/; the longest listed path that covers a file or
//! an imported path gives its stage. src/main.rs and src/lib.rs are the glue
//! and belong to no stage.
//!
//! The imports are read with a small tokenizer rather than the compiler:
//! comments and string, char and raw-string literals are skipped, then every
//! `use` tree (grouped ones included) and every inline path starting with
//! `crate::`, `super::` or `self::` is resolved against the crate root.
//! Paths relative to a name in scope (`use fcfs::X;` for a child module) are
//! not followed; they stay inside the file's own module.
//!
//! Everything below but `no_import_points_back` works on text given to it,
//! so the tests at the end can show that the check fails when it should.

use std::fs;
use std::path::Path;

use crate::repo;

/// Every file under src/ imports only from its own stage or earlier ones.
#[test]
fn no_import_points_back() {
    let markdown = fs::read_to_string(repo().join("ARCHITECTURE.md")).unwrap();
    let stages = parse_stages(&markdown).unwrap_or_else(|e| panic!("ARCHITECTURE.md: {e}"));
    let files = rust_files(&repo().join("src"));
    let mut problems = check_sources(&stages, &files);
    problems.extend(listed_modules_without_files(&stages, &files));
    assert!(
        problems.is_empty(),
        "{} problem(s) with the stages of ARCHITECTURE.md:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

// ------------------------------------------------------------- the stages ---

/// The stages listed between the markers, in order: stage `n` is item `n`
/// (the list must be numbered 1, 2, 3, …), each with its module paths.
fn parse_stages(markdown: &str) -> Result<Vec<Vec<String>>, String> {
    let lines: Vec<&str> = markdown.lines().collect();
    let open = marker_line(&lines, "<!-- stages -->")?;
    let close = marker_line(&lines, "<!-- /stages -->")?;
    if close < open {
        return Err("`<!-- /stages -->` comes before `<!-- stages -->`".into());
    }
    let mut stages: Vec<Vec<String>> = Vec::new();
    for line in &lines[open + 1..close] {
        // Blank lines, prose and indented continuation lines name no stage.
        let Some((number, rest)) = numbered_item(line) else {
            continue;
        };
        let expected = stages.len() + 1;
        if number != expected {
            return Err(format!(
                "the stage item {line:?} is numbered {number}, expected {expected}"
            ));
        }
        let modules = leading_code_spans(rest);
        if modules.is_empty() {
            return Err(format!("stage {number} names no module in backticks"));
        }
        for m in &modules {
            if !is_module_path(m) {
                return Err(format!("stage {number}: `{m}` is not a module path"));
            }
            if let Some(k) = stages.iter().position(|s| s.contains(m)) {
                return Err(format!("`{m}` is listed in stage {} and {number}", k + 1));
            }
        }
        stages.push(modules);
    }
    if stages.is_empty() {
        return Err("no numbered stage between the markers".into());
    }
    Ok(stages)
}

fn marker_line(lines: &[&str], marker: &str) -> Result<usize, String> {
    let mut at = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.trim() == marker)
        .map(|(i, _)| i);
    match (at.next(), at.next()) {
        (Some(i), None) => Ok(i),
        (None, _) => Err(format!("no line `{marker}`")),
        (Some(_), Some(_)) => Err(format!("more than one line `{marker}`")),
    }
}

/// `12. rest` → (12, "rest"); anything else → `None`.
fn numbered_item(line: &str) -> Option<(usize, &str)> {
    let digits = line.len() - line.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let rest = line[digits..].strip_prefix(". ")?;
    Some((line[..digits].parse().ok()?, rest))
}

/// The code spans at the start of `text`: "`a`, `b::c` — …" → [a, b::c]
/// (a leading `crate::` dropped).
fn leading_code_spans(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut s = text.trim_start();
    while let Some(after) = s.strip_prefix('`') {
        let Some(end) = after.find('`') else {
            break;
        };
        let span = after[..end].trim();
        out.push(span.strip_prefix("crate::").unwrap_or(span).to_string());
        s = after[end + 1..].trim_start();
        s = s.strip_prefix(',').unwrap_or(s).trim_start();
    }
    out
}

fn is_module_path(path: &str) -> bool {
    path.split("::").all(|seg| {
        seg.chars()
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '_')
            && seg.chars().all(|c| c.is_alphanumeric() || c == '_')
    })
}

// ------------------------------------------------------------- the tokens ---

/// A token of Rust source, comments and literals left out.
#[derive(Debug, Clone, PartialEq)]
enum Tok {
    /// An identifier or keyword (or a number: harmless here).
    Ident(String),
    /// `::`
    PathSep,
    /// Any other single character.
    Punct(char),
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    line: usize,
}

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

fn is_ident_continue(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The tokens of `src` with their lines; comments, string literals (also
/// byte, C and raw strings), char literals and lifetimes are skipped.
fn tokenize(src: &str) -> Vec<Token> {
    let c: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut push = |tok: Tok, line: usize| out.push(Token { tok, line });
    let mut line = 1;
    let mut i = 0;
    while i < c.len() {
        let ch = c[i];
        let next = c.get(i + 1).copied();
        if ch == '\n' {
            line += 1;
            i += 1;
        } else if ch.is_whitespace() {
            i += 1;
        } else if ch == '/' && next == Some('/') {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
        } else if ch == '/' && next == Some('*') {
            i = skip_block_comment(&c, i, &mut line);
        } else if ch == '"' {
            i = skip_string(&c, i, &mut line);
        } else if ch == '\'' {
            i = skip_char_or_lifetime(&c, i);
        } else if is_ident_continue(ch) {
            let start = i;
            while i < c.len() && is_ident_continue(c[i]) {
                i += 1;
            }
            let word: String = c[start..i].iter().collect();
            let after = c.get(i).copied();
            match (word.as_str(), after) {
                ("b" | "c", Some('"')) => i = skip_string(&c, i, &mut line),
                ("b", Some('\'')) => i = skip_char_or_lifetime(&c, i),
                ("r" | "br" | "cr", Some('"' | '#')) => {
                    let hashes = c[i..].iter().take_while(|&&h| h == '#').count();
                    let quote = i + hashes;
                    if c.get(quote) == Some(&'"') {
                        i = skip_raw_string(&c, quote, hashes, &mut line);
                    } else if word == "r"
                        && hashes == 1
                        && c.get(quote).is_some_and(|&x| is_ident_start(x))
                    {
                        // A raw identifier, r#name.
                        let start = quote;
                        i = quote;
                        while i < c.len() && is_ident_continue(c[i]) {
                            i += 1;
                        }
                        push(Tok::Ident(c[start..i].iter().collect()), line);
                    } else {
                        push(Tok::Ident(word), line);
                    }
                }
                _ => push(Tok::Ident(word), line),
            }
        } else if ch == ':' && next == Some(':') {
            push(Tok::PathSep, line);
            i += 2;
        } else {
            push(Tok::Punct(ch), line);
            i += 1;
        }
    }
    out
}

/// From `/*` at `i` past its `*/`; block comments nest.
fn skip_block_comment(c: &[char], mut i: usize, line: &mut usize) -> usize {
    let mut depth = 0;
    while i < c.len() {
        if c[i] == '/' && c.get(i + 1) == Some(&'*') {
            depth += 1;
            i += 2;
        } else if c[i] == '*' && c.get(i + 1) == Some(&'/') {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            if c[i] == '\n' {
                *line += 1;
            }
            i += 1;
        }
    }
    i
}

/// From the opening `"` at `i` past the closing one.
fn skip_string(c: &[char], i: usize, line: &mut usize) -> usize {
    let mut j = i + 1;
    while j < c.len() {
        match c[j] {
            '\\' => {
                if c.get(j + 1) == Some(&'\n') {
                    *line += 1;
                }
                j += 2;
            }
            '"' => return j + 1,
            ch => {
                if ch == '\n' {
                    *line += 1;
                }
                j += 1;
            }
        }
    }
    c.len()
}

/// From the opening `"` at `i` of a raw string with `hashes` `#`s past its end.
fn skip_raw_string(c: &[char], i: usize, hashes: usize, line: &mut usize) -> usize {
    let mut j = i + 1;
    while j < c.len() {
        if c[j] == '"'
            && c[j + 1..]
                .iter()
                .take(hashes)
                .filter(|&&h| h == '#')
                .count()
                == hashes
        {
            return j + 1 + hashes;
        }
        if c[j] == '\n' {
            *line += 1;
        }
        j += 1;
    }
    c.len()
}

/// From `'` at `i`: past a char literal (`'a'`, `'"'`, `'\''`, `'\u{7f}'`),
/// or past a lifetime or label (`'a`, `'static`).
fn skip_char_or_lifetime(c: &[char], i: usize) -> usize {
    if c.get(i + 1) == Some(&'\\') {
        let mut j = i + 3;
        while j < c.len() && c[j] != '\'' && c[j] != '\n' {
            j += 1;
        }
        return (j + 1).min(c.len());
    }
    if c.get(i + 2) == Some(&'\'') {
        return i + 3;
    }
    let mut j = i + 1;
    while j < c.len() && is_ident_continue(c[j]) {
        j += 1;
    }
    j
}

// -------------------------------------------------------------- the paths ---

/// A path a source file names, resolved against the crate root (the
/// segments after `crate::`), with its line.
#[derive(Debug, Clone, PartialEq)]
struct CratePath {
    segments: Vec<String>,
    line: usize,
}

fn tok_at(toks: &[Token], i: usize) -> Option<&Tok> {
    toks.get(i).map(|t| &t.tok)
}

/// Every crate-local path in `src`, a file of module `module` (segments
/// from the crate root): the leaves of `use` trees and inline paths.
fn crate_paths(module: &[String], src: &str) -> Vec<CratePath> {
    let toks = tokenize(src);
    let mut out = Vec::new();
    // Inline `mod name { … }` blocks around the current token, with the
    // brace depth their body opened at.
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0;
    let mut pending_mod: Option<String> = None;
    let here = |inline: &[(String, usize)]| -> Vec<String> {
        module
            .iter()
            .cloned()
            .chain(inline.iter().map(|m| m.0.clone()))
            .collect()
    };
    let mut i = 0;
    while i < toks.len() {
        match &toks[i].tok {
            Tok::Punct('{') => {
                depth += 1;
                if let Some(name) = pending_mod.take() {
                    inline.push((name, depth));
                }
                i += 1;
            }
            Tok::Punct('}') => {
                if inline.last().is_some_and(|m| m.1 == depth) {
                    inline.pop();
                }
                depth = depth.saturating_sub(1);
                i += 1;
            }
            Tok::Ident(w) if w == "mod" => {
                if let (Some(Tok::Ident(name)), Some(Tok::Punct('{'))) =
                    (tok_at(&toks, i + 1), tok_at(&toks, i + 2))
                {
                    pending_mod = Some(name.clone());
                }
                i += 1;
            }
            Tok::Ident(w) if w == "use" => {
                let mut leaves = Vec::new();
                match use_tree(&toks, i + 1, &[], &mut leaves) {
                    Some(end) if tok_at(&toks, end) == Some(&Tok::Punct(';')) => {
                        let at = here(&inline);
                        out.extend(leaves.into_iter().filter_map(|(segs, line)| {
                            resolve(&at, &segs).map(|segments| CratePath { segments, line })
                        }));
                        i = end + 1;
                    }
                    // Not a use declaration (e.g. `impl Trait + use<'a>`).
                    _ => i += 1,
                }
            }
            Tok::Ident(w)
                if matches!(w.as_str(), "crate" | "super" | "self")
                    && tok_at(&toks, i + 1) == Some(&Tok::PathSep)
                    && !matches!(
                        i.checked_sub(1).and_then(|p| tok_at(&toks, p)),
                        Some(Tok::Punct('$') | Tok::PathSep)
                    ) =>
            {
                let line = toks[i].line;
                let mut segs = vec![w.clone()];
                let mut j = i + 1;
                while tok_at(&toks, j) == Some(&Tok::PathSep) {
                    let Some(Tok::Ident(name)) = tok_at(&toks, j + 1) else {
                        break;
                    };
                    segs.push(name.clone());
                    j += 2;
                }
                if let Some(segments) = resolve(&here(&inline), &segs) {
                    out.push(CratePath { segments, line });
                }
                i = j;
            }
            _ => i += 1,
        }
    }
    out
}

/// Reads one use tree from token `i` below `prefix`, pushing each leaf path
/// (a trailing `self` dropped) with its line; returns the index after the
/// tree, or `None` if the tokens are no use tree.
fn use_tree(
    toks: &[Token],
    mut i: usize,
    prefix: &[String],
    leaves: &mut Vec<(Vec<String>, usize)>,
) -> Option<usize> {
    let mut segs = prefix.to_vec();
    if prefix.is_empty() && tok_at(toks, i) == Some(&Tok::PathSep) {
        // `use ::name`: an external crate.
        segs.push("::".into());
        i += 1;
    }
    loop {
        let t = toks.get(i)?;
        match &t.tok {
            Tok::Ident(name) => {
                segs.push(name.clone());
                i += 1;
                if tok_at(toks, i) == Some(&Tok::PathSep) {
                    i += 1;
                    continue;
                }
                if tok_at(toks, i) == Some(&Tok::Ident("as".into())) {
                    i += 2;
                }
                if segs.last().is_some_and(|s| s == "self") {
                    segs.pop();
                }
                leaves.push((segs, t.line));
                return Some(i);
            }
            Tok::Punct('*') => {
                leaves.push((segs, t.line));
                return Some(i + 1);
            }
            Tok::Punct('{') => {
                i += 1;
                loop {
                    if tok_at(toks, i)? == &Tok::Punct('}') {
                        return Some(i + 1);
                    }
                    i = use_tree(toks, i, &segs, leaves)?;
                    match tok_at(toks, i)? {
                        Tok::Punct(',') => i += 1,
                        Tok::Punct('}') => return Some(i + 1),
                        _ => return None,
                    }
                }
            }
            _ => return None,
        }
    }
}

/// `segs` (starting `crate`, `self` or `super`) as a path from the crate
/// root, seen from module `here`; `None` for any other start, or a `super`
/// above the crate root.
fn resolve(here: &[String], segs: &[String]) -> Option<Vec<String>> {
    let (mut out, mut k) = match segs.first()?.as_str() {
        "crate" => (Vec::new(), 1),
        "self" | "super" => (here.to_vec(), 0),
        _ => return None,
    };
    while let Some(s) = segs.get(k) {
        match s.as_str() {
            "self" => {}
            "super" => {
                out.pop()?;
            }
            _ => break,
        }
        k += 1;
    }
    out.extend(segs[k..].iter().cloned());
    (!out.is_empty()).then_some(out)
}

// ------------------------------------------------------------ the checks ---

/// The module of a file under src/ (`src/solve/fcfs.rs` → solve::fcfs,
/// `src/solve/mod.rs` → solve); `None` for src/main.rs and src/lib.rs.
fn module_of_file(rel: &str) -> Option<Vec<String>> {
    let inner = rel.strip_prefix("src/")?.strip_suffix(".rs")?;
    let mut segs: Vec<String> = inner.split('/').map(str::to_string).collect();
    if segs.last().is_some_and(|s| s == "mod") {
        segs.pop();
    }
    match segs.as_slice() {
        [only] if only == "main" || only == "lib" => None,
        _ => Some(segs),
    }
}

/// Whether listed module path `listed` covers `path`.
fn covers(listed: &str, path: &[String]) -> bool {
    let segs: Vec<&str> = listed.split("::").collect();
    segs.len() <= path.len() && segs.iter().zip(path).all(|(a, b)| a == b)
}

/// The stage (1, 2, …) of the longest listed module path covering `path`.
fn stage_of(stages: &[Vec<String>], path: &[String]) -> Option<usize> {
    let mut best: Option<(usize, usize)> = None;
    for (k, modules) in stages.iter().enumerate() {
        for m in modules {
            let len = m.split("::").count();
            if covers(m, path) && best.is_none_or(|(l, _)| len > l) {
                best = Some((len, k + 1));
            }
        }
    }
    best.map(|(_, stage)| stage)
}

/// The problems of the source files (`src/…` path, text): every import from
/// a later stage, and every file or imported path in no stage.
fn check_sources(stages: &[Vec<String>], files: &[(String, String)]) -> Vec<String> {
    let mut problems: Vec<String> = Vec::new();
    for (rel, text) in files {
        let Some(module) = module_of_file(rel) else {
            continue;
        };
        let from = stage_of(stages, &module);
        if from.is_none() {
            problems.push(format!(
                "{rel}: module {} is in no stage of ARCHITECTURE.md",
                module.join("::")
            ));
        }
        for p in crate_paths(&module, text) {
            let shown = format!("crate::{}", p.segments.join("::"));
            let problem = match (stage_of(stages, &p.segments), from) {
                (None, _) => format!(
                    "{rel}:{}: module {shown} is in no stage of ARCHITECTURE.md",
                    p.line
                ),
                (Some(to), Some(from)) if to > from => format!(
                    "{rel}:{}: imports {shown} (stage {to}) from stage {from}",
                    p.line
                ),
                _ => continue,
            };
            if !problems.contains(&problem) {
                problems.push(problem);
            }
        }
    }
    problems
}

/// Listed module paths that cover no file: a stage list gone stale.
fn listed_modules_without_files(stages: &[Vec<String>], files: &[(String, String)]) -> Vec<String> {
    let modules: Vec<Vec<String>> = files
        .iter()
        .filter_map(|(rel, _)| module_of_file(rel))
        .collect();
    stages
        .iter()
        .flatten()
        .filter(|m| !modules.iter().any(|f| covers(m, f)))
        .map(|m| format!("ARCHITECTURE.md lists module {m}, which has no file under src/"))
        .collect()
}

/// Every .rs file under `dir` as (`src/…` path, text), sorted by path.
fn rust_files(dir: &Path) -> Vec<(String, String)> {
    fn walk(dir: &Path, rel: &str, out: &mut Vec<(String, String)>) {
        for e in fs::read_dir(dir).unwrap() {
            let e = e.unwrap();
            let name = e.file_name().to_string_lossy().into_owned();
            let path = e.path();
            if e.file_type().unwrap().is_dir() {
                walk(&path, &format!("{rel}/{name}"), out);
            } else if path.extension().is_some_and(|x| x == "rs") {
                out.push((format!("{rel}/{name}"), fs::read_to_string(&path).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, "src", &mut out);
    out.sort();
    out
}

// ------------------------------------------------------ tests of the check ---

mod self_tests {
    //! The check must be able to fail: planted back-edges in synthetic
    //! sources are reported, and look-alikes in comments and strings are not.

    use super::{check_sources, crate_paths, listed_modules_without_files, parse_stages};

    const ARCH: &str = "\
# Architecture

Prose before the block may name `solve` freely.

<!-- stages -->
1. `ids`, `model`, `scenario` — the domain
   (a continuation line naming `solve` adds nothing)
2. `load` — files into Inputs
3. `rules`, `travel` — the rules
4. `candidates` — eligible pairs
5. `solve`, `commands::explain` — the plan
6. `commands` — the side commands
<!-- /stages -->

7. `after` — not a stage: below the block.
";

    fn stages() -> Vec<Vec<String>> {
        parse_stages(ARCH).unwrap()
    }

    /// The problems of one synthetic file.
    fn problems(rel: &str, src: &str) -> Vec<String> {
        check_sources(&stages(), &[(rel.to_string(), src.to_string())])
    }

    fn strs(v: &[&str]) -> Vec<String> {
        v.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn stages_are_read_between_the_markers() {
        assert_eq!(
            stages(),
            vec![
                strs(&["ids", "model", "scenario"]),
                strs(&["load"]),
                strs(&["rules", "travel"]),
                strs(&["candidates"]),
                strs(&["solve", "commands::explain"]),
                strs(&["commands"]),
            ]
        );
    }

    #[test]
    fn a_missing_or_broken_stages_block_is_an_error() {
        assert!(parse_stages("# Architecture\n1. `a` — x\n").is_err());
        let without_end = ARCH.replace("<!-- /stages -->", "");
        assert!(parse_stages(&without_end).is_err());
        let misnumbered = ARCH.replace("3. `rules`", "4. `rules`");
        assert!(
            parse_stages(&misnumbered)
                .unwrap_err()
                .contains("expected 3")
        );
        let twice = ARCH.replace("2. `load`", "2. `load`, `ids`");
        assert!(parse_stages(&twice).unwrap_err().contains("`ids`"));
        let no_module = ARCH.replace("2. `load` — files", "2. files");
        assert!(parse_stages(&no_module).is_err());
    }

    #[test]
    fn a_back_edge_in_a_use_is_reported() {
        let src = "//! Candidates.\n\nuse crate::model::Inputs;\nuse crate::solve::Plan;\n";
        assert_eq!(
            problems("src/candidates.rs", src),
            ["src/candidates.rs:4: imports crate::solve::Plan (stage 5) from stage 4"]
        );
    }

    #[test]
    fn a_back_edge_inside_a_grouped_multi_line_use_is_reported() {
        let src = "\
use crate::{
    ids::UnitId,
    model::{self, Inputs},
    solve::{
        self,
        fcfs::Order as O,
    },
    travel::*,
};

pub fn f() {}
";
        assert_eq!(
            problems("src/rules.rs", src),
            [
                "src/rules.rs:5: imports crate::solve (stage 5) from stage 3",
                "src/rules.rs:6: imports crate::solve::fcfs::Order (stage 5) from stage 3",
            ]
        );
    }

    #[test]
    fn an_inline_expression_path_is_reported() {
        let src = "\
pub fn cost(h: u32) -> f64 {
    let m = crate::ids::to_u32(3);
    crate::solve::pair_cost(h, m) + crate::solve::pair_cost(h, m)
}
";
        assert_eq!(
            problems("src/candidates.rs", src),
            ["src/candidates.rs:3: imports crate::solve::pair_cost (stage 5) from stage 4"]
        );
    }

    #[test]
    fn comments_and_string_literals_do_not_count() {
        let src = r###"
//! Unlike crate::solve, this module is early.
/// See [`crate::solve::Plan`].
// use crate::solve::Plan;
/* use crate::solve::Plan; /* nested */ crate::solve::X */
#[doc = "crate::solve::Plan"]
pub fn f<'a>(s: &'a str) -> &'a str {
    let _ = "use crate::solve::Plan; \" crate::solve::Y";
    let _ = r#"crate::solve::Plan "quoted" "#;
    let _ = r##"crate::solve::Plan "# still inside"##;
    let _ = b"crate::solve::Plan";
    let _ = ('"', '\'', '\\', b'"', '\u{22}');
    let _ = "crate::solve::Plan";
    'outer: loop {
        break 'outer;
    }
    macro_rules! m { () => { $crate::solve::Plan } }
    s
}
"###;
        assert_eq!(problems("src/model.rs", src), Vec::<String>::new());
        // Yet the same file with one real import after all those literals fails.
        let with_import = format!("{src}use crate::solve::Plan;\n");
        assert_eq!(
            problems("src/model.rs", &with_import),
            ["src/model.rs:20: imports crate::solve::Plan (stage 5) from stage 1"]
        );
    }

    #[test]
    fn forward_and_same_stage_imports_pass() {
        let src = "use crate::ids::UnitId;\nuse crate::travel::Times;\nuse crate::rules::check;\n";
        assert_eq!(problems("src/rules.rs", src), Vec::<String>::new());
        assert_eq!(problems("src/travel/mod.rs", src), Vec::<String>::new());
    }

    #[test]
    fn the_longest_listed_module_path_wins() {
        // commands::explain is stage 5, the rest of commands stage 6.
        let src = "use crate::commands::explain::why;\nuse crate::commands::compare::diff;\n";
        assert_eq!(
            problems("src/commands/explain/mod.rs", src),
            [
                "src/commands/explain/mod.rs:2: imports crate::commands::compare::diff (stage 6) from stage 5"
            ]
        );
        assert_eq!(
            problems("src/commands/compare.rs", src),
            Vec::<String>::new()
        );
    }

    #[test]
    fn super_paths_are_resolved_and_cannot_escape_the_crate() {
        let src = "\
use super::Plan;
use super::super::commands::run;

pub fn f() {
    super::super::load::read();
}

#[cfg(test)]
mod tests {
    use super::super::Plan;
    use super::super::super::commands::other;
    use super::super::super::super::beyond::the_root;
}
";
        assert_eq!(
            problems("src/solve/fcfs.rs", src),
            [
                "src/solve/fcfs.rs:2: imports crate::commands::run (stage 6) from stage 5",
                "src/solve/fcfs.rs:11: imports crate::commands::other (stage 6) from stage 5",
            ]
        );
        let paths = crate_paths(&["solve".into(), "fcfs".into()], src);
        assert_eq!(paths[0].segments, ["solve", "Plan"]);
        assert_eq!(paths[2].segments, ["load", "read"]);
        assert_eq!(paths[3].segments, ["solve", "Plan"]);
        assert_eq!(paths.len(), 5, "{paths:?}");
    }

    #[test]
    fn modules_in_no_stage_are_reported() {
        let src = "use crate::nowhere::Thing;\nuse std::fmt;\nuse serde::Serialize;\n";
        assert_eq!(
            problems("src/extra.rs", src),
            [
                "src/extra.rs: module extra is in no stage of ARCHITECTURE.md",
                "src/extra.rs:1: module crate::nowhere::Thing is in no stage of ARCHITECTURE.md",
            ]
        );
        assert_eq!(
            problems("src/load.rs", src),
            ["src/load.rs:1: module crate::nowhere::Thing is in no stage of ARCHITECTURE.md"]
        );
    }

    #[test]
    fn main_and_lib_are_the_glue() {
        let src = "use crate::commands::run;\nuse crate::nowhere::Thing;\n";
        assert_eq!(problems("src/main.rs", src), Vec::<String>::new());
        assert_eq!(problems("src/lib.rs", src), Vec::<String>::new());
    }

    #[test]
    fn a_listed_module_without_a_file_is_reported() {
        let files: Vec<(String, String)> = [
            "src/ids.rs",
            "src/model/mod.rs",
            "src/scenario.rs",
            "src/load/table.rs",
            "src/rules.rs",
            "src/travel.rs",
            "src/candidates.rs",
            "src/commands/explain.rs",
        ]
        .iter()
        .map(|f| (f.to_string(), String::new()))
        .collect();
        assert_eq!(
            listed_modules_without_files(&stages(), &files),
            ["ARCHITECTURE.md lists module solve, which has no file under src/"].map(String::from)
        );
    }
}
