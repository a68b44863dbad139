//! The MPS is the model the plan is scored on.
//!
//! `export-model` writes the optimisation model as free-format MPS; `plan`
//! reports the plan's `objective` in summary.json. This file parses the MPS
//! with its own small reader (nothing of the planner's `milp` module is
//! used), turns plan.csv into a solution vector — `x.<household>.<dwelling>`
//! = 1 for every permanent home, the continuous `e.*` variables at their
//! smallest feasible value — and asserts that the solution satisfies every
//! row and bound and that its objective is summary.json's.
//!
//! The parser and the solution helpers are `pub(crate)`: the oracle tests
//! reuse them.

use std::collections::HashMap;
use std::fs;
use std::path::Path;

use serde_json::Value;

use crate::{bin, checker, data_dir, repo, run_plan};

/// Feasibility tolerance for rows and bounds.
pub(crate) const FEAS_TOL: f64 = 1e-6;

/// The sense of a constraint row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sense {
    /// `Σ a·x ≤ rhs`
    Le,
    /// `Σ a·x ≥ rhs`
    Ge,
    /// `Σ a·x = rhs`
    Eq,
}

/// A constraint row.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub name: String,
    pub sense: Sense,
    pub rhs: f64,
    /// (variable index, coefficient)
    pub terms: Vec<(usize, f64)>,
}

/// A variable (column).
#[derive(Debug, Clone)]
pub(crate) struct Var {
    pub name: String,
    /// Declared between `'INTORG'` and `'INTEND'` markers (or `BV`).
    pub integer: bool,
    /// Objective coefficient.
    pub cost: f64,
    pub lo: f64,
    pub up: f64,
    /// (row index, coefficient), constraint rows only.
    pub rows: Vec<(usize, f64)>,
}

/// A parsed free-format MPS model (minimisation).
#[derive(Debug, Clone)]
pub(crate) struct Mps {
    /// The objective constant: the negated RHS of the objective row.
    pub constant: f64,
    pub rows: Vec<Row>,
    pub vars: Vec<Var>,
    pub var_index: HashMap<String, usize>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    None,
    Rows,
    Columns,
    Rhs,
    Bounds,
    End,
}

/// What a row name in the ROWS section stands for.
#[derive(Clone, Copy)]
enum RowRef {
    /// The (first) `N` row.
    Objective,
    /// A further `N` row: free, ignored.
    Free,
    Constraint(usize),
}

fn number(tok: &str, line: usize) -> Result<f64, String> {
    tok.parse::<f64>()
        .map_err(|_| format!("MPS line {line}: {tok:?} is not a number"))
}

impl Mps {
    /// Parses free-format MPS text: ROWS (N/L/G/E), COLUMNS with MARKER
    /// lines, RHS (the objective row's RHS is the negated constant), BOUNDS
    /// (UP/LO/FX/BV, and MI/PL/FR). RANGES is refused.
    pub(crate) fn parse(text: &str) -> Result<Mps, String> {
        let mut section = Section::None;
        let mut row_refs: HashMap<String, RowRef> = HashMap::new();
        let mut have_objective = false;
        let mut rows: Vec<Row> = Vec::new();
        let mut vars: Vec<Var> = Vec::new();
        let mut var_index: HashMap<String, usize> = HashMap::new();
        let mut in_integer = false;
        let mut constant = 0.0;
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            if raw.trim().is_empty() || raw.starts_with('*') {
                continue;
            }
            let toks: Vec<&str> = raw.split_whitespace().collect();
            // Section headers start in column 1.
            if !raw.starts_with(' ') && !raw.starts_with('\t') {
                section = match toks[0] {
                    "NAME" => Section::None,
                    "ROWS" => Section::Rows,
                    "COLUMNS" => Section::Columns,
                    "RHS" => Section::Rhs,
                    "BOUNDS" => Section::Bounds,
                    "ENDATA" => Section::End,
                    other => return Err(format!("MPS line {line}: unsupported section {other}")),
                };
                continue;
            }
            match section {
                Section::Rows => {
                    let [sense, name] = toks[..] else {
                        return Err(format!("MPS line {line}: expected `SENSE name`"));
                    };
                    let r = match sense {
                        "N" if !have_objective => {
                            have_objective = true;
                            RowRef::Objective
                        }
                        "N" => RowRef::Free,
                        "L" | "G" | "E" => {
                            rows.push(Row {
                                name: name.to_string(),
                                sense: match sense {
                                    "L" => Sense::Le,
                                    "G" => Sense::Ge,
                                    _ => Sense::Eq,
                                },
                                rhs: 0.0,
                                terms: Vec::new(),
                            });
                            RowRef::Constraint(rows.len() - 1)
                        }
                        other => return Err(format!("MPS line {line}: row type {other}")),
                    };
                    if row_refs.insert(name.to_string(), r).is_some() {
                        return Err(format!("MPS line {line}: row {name} declared twice"));
                    }
                }
                Section::Columns => {
                    if toks.len() == 3 && toks[1] == "'MARKER'" {
                        match toks[2] {
                            "'INTORG'" => in_integer = true,
                            "'INTEND'" => in_integer = false,
                            other => return Err(format!("MPS line {line}: marker {other}")),
                        }
                        continue;
                    }
                    if toks.len() != 3 && toks.len() != 5 {
                        return Err(format!(
                            "MPS line {line}: expected `col row value [row value]`"
                        ));
                    }
                    let col = toks[0];
                    let v = *var_index.entry(col.to_string()).or_insert_with(|| {
                        vars.push(Var {
                            name: col.to_string(),
                            integer: in_integer,
                            cost: 0.0,
                            lo: 0.0,
                            up: f64::INFINITY,
                            rows: Vec::new(),
                        });
                        vars.len() - 1
                    });
                    for pair in toks[1..].chunks(2) {
                        let value = number(pair[1], line)?;
                        match row_refs.get(pair[0]) {
                            Some(RowRef::Objective) => vars[v].cost += value,
                            Some(RowRef::Free) => {}
                            Some(RowRef::Constraint(r)) => {
                                vars[v].rows.push((*r, value));
                                rows[*r].terms.push((v, value));
                            }
                            None => {
                                return Err(format!("MPS line {line}: unknown row {}", pair[0]));
                            }
                        }
                    }
                }
                Section::Rhs => {
                    // `[set] row value [row value]`
                    let rest = if toks.len() % 2 == 1 {
                        &toks[1..]
                    } else {
                        &toks[..]
                    };
                    for pair in rest.chunks(2) {
                        let value = number(pair[1], line)?;
                        match row_refs.get(pair[0]) {
                            Some(RowRef::Objective) => constant = -value,
                            Some(RowRef::Free) => {}
                            Some(RowRef::Constraint(r)) => rows[*r].rhs = value,
                            None => {
                                return Err(format!("MPS line {line}: unknown row {}", pair[0]));
                            }
                        }
                    }
                }
                Section::Bounds => {
                    // `TYPE [set] col [value]`
                    let kind = toks[0];
                    let needs_value = matches!(kind, "UP" | "LO" | "FX");
                    let (col, value) = match (needs_value, toks.len()) {
                        (true, 4) => (toks[2], Some(number(toks[3], line)?)),
                        (true, 3) => (toks[1], Some(number(toks[2], line)?)),
                        (false, 3) => (toks[2], None),
                        (false, 2) => (toks[1], None),
                        _ => return Err(format!("MPS line {line}: malformed bound")),
                    };
                    let v = *var_index
                        .get(col)
                        .ok_or(format!("MPS line {line}: bound on unknown column {col}"))?;
                    let var = &mut vars[v];
                    match (kind, value) {
                        ("UP", Some(x)) => var.up = x,
                        ("LO", Some(x)) => var.lo = x,
                        ("FX", Some(x)) => {
                            var.lo = x;
                            var.up = x;
                        }
                        ("BV", None) => {
                            var.integer = true;
                            var.lo = 0.0;
                            var.up = 1.0;
                        }
                        ("MI", None) => var.lo = f64::NEG_INFINITY,
                        ("PL", None) => var.up = f64::INFINITY,
                        ("FR", None) => {
                            var.lo = f64::NEG_INFINITY;
                            var.up = f64::INFINITY;
                        }
                        _ => return Err(format!("MPS line {line}: bound type {kind}")),
                    }
                }
                Section::None => return Err(format!("MPS line {line}: data outside a section")),
                Section::End => return Err(format!("MPS line {line}: data after ENDATA")),
            }
        }
        if section != Section::End {
            return Err("MPS: no ENDATA".into());
        }
        if !have_objective {
            return Err("MPS: no N row".into());
        }
        Ok(Mps {
            constant,
            rows,
            vars,
            var_index,
        })
    }

    /// Reads and parses a file.
    pub(crate) fn read(path: &Path) -> Mps {
        let text = fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        Mps::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// Sets every continuous variable to its smallest value allowed by its
    /// lower bound and by every row it appears in, given the other
    /// (integer) variables. A row with two continuous variables is refused.
    pub(crate) fn fill_continuous(&self, values: &mut [f64]) {
        for (v, var) in self.vars.iter().enumerate() {
            if var.integer {
                continue;
            }
            let mut lo = var.lo;
            let mut exact = None;
            for &(r, a) in &var.rows {
                let row = &self.rows[r];
                let mut rest = 0.0;
                for &(w, b) in &row.terms {
                    if w != v {
                        assert!(
                            self.vars[w].integer,
                            "row {} has two continuous variables",
                            row.name
                        );
                        rest += b * values[w];
                    }
                }
                // a·v (sense) rhs − rest
                let bound = (row.rhs - rest) / a;
                match row.sense {
                    Sense::Eq => exact = Some(bound),
                    Sense::Le if a < 0.0 => lo = lo.max(bound),
                    Sense::Ge if a > 0.0 => lo = lo.max(bound),
                    _ => {}
                }
            }
            values[v] = exact.unwrap_or(lo);
        }
    }

    /// Left-hand side of every row.
    pub(crate) fn activities(&self, values: &[f64]) -> Vec<f64> {
        self.rows
            .iter()
            .map(|r| r.terms.iter().map(|&(v, a)| a * values[v]).sum())
            .collect()
    }

    /// Every broken row, bound and integrality requirement.
    pub(crate) fn violations(&self, values: &[f64]) -> Vec<String> {
        let mut out = Vec::new();
        for (row, lhs) in self.rows.iter().zip(self.activities(values)) {
            let ok = match row.sense {
                Sense::Le => lhs <= row.rhs + FEAS_TOL,
                Sense::Ge => lhs >= row.rhs - FEAS_TOL,
                Sense::Eq => (lhs - row.rhs).abs() <= FEAS_TOL,
            };
            if !ok {
                out.push(format!(
                    "row {} ({:?}): lhs {lhs} vs rhs {}",
                    row.name, row.sense, row.rhs
                ));
            }
        }
        for (var, &x) in self.vars.iter().zip(values) {
            if x < var.lo - FEAS_TOL || x > var.up + FEAS_TOL {
                out.push(format!(
                    "variable {} = {x} outside [{}, {}]",
                    var.name, var.lo, var.up
                ));
            }
            if var.integer && (x - x.round()).abs() > FEAS_TOL {
                out.push(format!("integer variable {} = {x}", var.name));
            }
        }
        out
    }

    /// `constant + Σ cost·value`.
    pub(crate) fn objective(&self, values: &[f64]) -> f64 {
        self.constant
            + self
                .vars
                .iter()
                .zip(values)
                .map(|(v, x)| v.cost * x)
                .sum::<f64>()
    }
}

/// An id as `write_mps` spells it: characters other than [A-Za-z0-9_.-] become `_`.
pub(crate) fn sanitise(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The solution vector of a plan: `x.<household>.<dwelling>` = 1 for each
/// permanent home in plan.csv, other integer variables 0, continuous
/// variables at their smallest feasible value. Errors name homes the model
/// has no variable for.
pub(crate) fn solution_from_plan(mps: &Mps, out: &Path) -> Result<Vec<f64>, String> {
    let rows = checker::read_csv_maps(&out.join("plan.csv"))?;
    let mut values = vec![0.0; mps.vars.len()];
    for r in &rows {
        let unit = r.get("perm_unit").map_or("", String::as_str);
        if unit.is_empty() {
            continue;
        }
        let name = format!("x.{}.{}", sanitise(&r["household_id"]), sanitise(unit));
        let v = *mps.var_index.get(&name).ok_or(format!(
            "plan.csv gives {} the home {unit}, but the model has no variable {name}",
            r["household_id"]
        ))?;
        values[v] = 1.0;
    }
    mps.fill_continuous(&mut values);
    Ok(values)
}

/// `objective`, `bound` and `gap` of summary.json (`None` where null).
pub(crate) fn quality(out: &Path) -> (Option<f64>, Option<f64>, Option<f64>) {
    let text = fs::read_to_string(out.join("summary.json")).expect("no summary.json");
    let v: Value = serde_json::from_str(&text).expect("summary.json is not JSON");
    let f = |k: &str| v.get(k).and_then(Value::as_f64);
    (f("objective"), f("bound"), f("gap"))
}

/// summary.json rounds to 6 decimals: 1e-3 absolute plus a relative part.
pub(crate) fn close(a: f64, b: f64, relative: f64) -> bool {
    (a - b).abs() <= 1e-3 + relative * a.abs().max(b.abs())
}

/// Runs `export-model`, asserting success.
pub(crate) fn export_model(scenario: &Path, mps: &Path) {
    let o = bin()
        .arg("export-model")
        .arg(scenario)
        .arg("--mps")
        .arg(mps)
        .output()
        .expect("cannot start boligplan");
    assert!(
        o.status.success(),
        "boligplan export-model {} failed ({:?}):\n{}",
        scenario.display(),
        o.status.code(),
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Every complaint about a planned scenario's plan against its model:
/// unknown homes, broken rows or bounds, an objective that is not
/// summary.json's, a bound above the objective, a gap outside [0, 1].
pub(crate) fn plan_vs_model(mps: &Mps, out: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    let values = match solution_from_plan(mps, out) {
        Ok(v) => v,
        Err(e) => return vec![e],
    };
    problems.extend(mps.violations(&values));
    let ours = mps.objective(&values);
    let (objective, bound, gap) = quality(out);
    let Some(objective) = objective else {
        problems.push("summary.json has no objective".into());
        return problems;
    };
    if !close(ours, objective, 1e-9) {
        problems.push(format!(
            "objective from the MPS {ours} ≠ summary.json objective {objective} (difference {})",
            ours - objective
        ));
    }
    match bound {
        Some(b) if b > objective + 1e-6 => {
            problems.push(format!("bound {b} > objective {objective}"));
        }
        Some(_) => {}
        None => problems.push("summary.json has no bound".into()),
    }
    match gap {
        Some(g) if (0.0..=1.0).contains(&g) => {}
        Some(g) => problems.push(format!("gap {g} outside [0, 1]")),
        None => problems.push("summary.json has no gap".into()),
    }
    problems
}

/// Plans and exports a scenario and asserts the plan is a feasible point of
/// the model with summary.json's objective.
fn assert_plan_scored_on_model(scenario: &Path) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let mps_path = tmp.path().join("model.mps");
    let o = run_plan(scenario, &out);
    assert!(
        o.status.success(),
        "plan {} failed:\n{}",
        scenario.display(),
        String::from_utf8_lossy(&o.stderr)
    );
    export_model(scenario, &mps_path);
    let mps = Mps::read(&mps_path);
    assert!(
        mps.vars.iter().any(|v| v.integer),
        "{}: the model has no x variables",
        scenario.display()
    );
    let problems = plan_vs_model(&mps, &out);
    assert!(
        problems.is_empty(),
        "{}: the plan is not the model's point it claims to be:\n{}",
        scenario.display(),
        problems.join("\n")
    );
}

#[test]
fn demo_plan_is_a_feasible_point_of_the_exported_model_with_its_objective() {
    assert_plan_scored_on_model(&repo().join("scenarios").join("demo.toml"));
}

#[test]
fn rule_cases_are_feasible_points_of_their_models_with_their_objectives() {
    // District cap and building cap give cap./bld. rows; the pin case a LO bound.
    for case in ["rule_district_cap", "rule_building_cap", "rule_pin"] {
        assert_plan_scored_on_model(&data_dir().join(case).join("scenario.toml"));
    }
}

#[test]
fn the_mps_parser_reads_markers_rhs_constant_and_bounds() {
    let text = "\
* comment
NAME t
ROWS
 N obj
 L c1
 G c2
 E c3
COLUMNS
 MARKER 'MARKER' 'INTORG'
 x obj -2 c1 1
 x c2 1
 MARKER 'MARKER' 'INTEND'
 y obj 3 c1 -1
 y c3 1
 z obj 1 c2 1
RHS
 rhs obj -10
 rhs c1 0.5 c2 1
 rhs c3 4
BOUNDS
 UP bnd x 1
 LO bnd y 2
 FX bnd z 0
ENDATA
";
    let m = Mps::parse(text).unwrap();
    assert!((m.constant - 10.0).abs() < 1e-12);
    let x = m.var_index["x"];
    let y = m.var_index["y"];
    let z = m.var_index["z"];
    assert!(m.vars[x].integer && !m.vars[y].integer && !m.vars[z].integer);
    assert_eq!((m.vars[x].lo, m.vars[x].up), (0.0, 1.0));
    assert_eq!((m.vars[y].lo, m.vars[y].up), (2.0, f64::INFINITY));
    assert_eq!((m.vars[z].lo, m.vars[z].up), (0.0, 0.0));
    assert_eq!(m.rows.len(), 3);
    assert_eq!(m.rows[1].sense, Sense::Ge);
    let mut values = vec![0.0; 3];
    values[x] = 1.0;
    m.fill_continuous(&mut values);
    // c3 fixes y = 4 (E row); c1: 1 − 4 ≤ 0.5 holds.
    assert!((values[y] - 4.0).abs() < 1e-12);
    assert!(
        m.violations(&values).is_empty(),
        "{:?}",
        m.violations(&values)
    );
    assert!((m.objective(&values) - (10.0 - 2.0 + 12.0)).abs() < 1e-12);
    values[x] = 0.0;
    // c2: x + z ≥ 1 is broken with z fixed at 0.
    assert_eq!(m.violations(&values).len(), 1);
}

/// `--gap` is recorded in the run and a plan made with it is still a
/// feasible point of the model with its objective; a gap that is not a
/// percentage is refused before anything is written.
#[test]
fn gap_flag_is_recorded_and_checked() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = repo().join("scenarios").join("demo.toml");
    let out = tmp.path().join("out");
    let o = bin()
        .args(["plan", "--quiet", "--gap", "2.5", "--out"])
        .arg(&out)
        .arg(&scenario)
        .output()
        .expect("cannot start boligplan");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let summary: Value =
        serde_json::from_str(&fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["run"]["gap_percent"].as_f64(), Some(2.5));
    let mps_path = tmp.path().join("model.mps");
    export_model(&scenario, &mps_path);
    let problems = plan_vs_model(&Mps::read(&mps_path), &out);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    for bad in ["-1", "101", "lots"] {
        let refused = tmp.path().join(format!("refused{bad}"));
        let o = bin()
            .args(["plan", "--quiet", &format!("--gap={bad}"), "--out"])
            .arg(&refused)
            .arg(&scenario)
            .output()
            .expect("cannot start boligplan");
        assert_eq!(o.status.code(), Some(2), "--gap {bad} accepted");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("--gap") && err.contains("percentage"), "{err}");
        assert!(!refused.exists(), "--gap {bad} wrote {}", refused.display());
    }
}
