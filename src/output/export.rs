//! Stage 5: writing `plan.csv` (through [`crate::output::plan_csv`]),
//! `plan.geojson`, `summary.json` (through [`crate::output::summary`]),
//! `districts.csv` and `plan.gpkg`.
//!
//! Everything is written into a temporary directory beside the output
//! directory and renamed into place only when complete, so a failed run never
//! leaves half a plan and an earlier plan survives until the new one is whole.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use crate::crs::Transformer;
use crate::evaluate::{HouseholdRow, Summary};
use crate::model::Inputs;
use crate::scenario::Scenario;

/// How the CSV outputs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CsvDialect {
    /// RFC 4180: `,` between fields, `.` in numbers, no byte-order mark.
    #[default]
    Standard,
    /// For a Danish Excel: `;` between fields, decimal commas, a UTF-8
    /// byte-order mark, so that a double-click opens it correctly.
    ExcelDa,
}

/// Columns of districts.csv that hold decimal numbers.
const DISTRICT_DECIMAL_COLUMNS: &[&str] = &[
    "share_before",
    "share_after",
    "location_quotient_before",
    "location_quotient_after",
    "gi_star_z",
    "gi_q",
    "moran_i",
    "moran_q",
];

impl CsvDialect {
    /// Parses `standard` or `excel-da`.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "standard" => Some(Self::Standard),
            "excel-da" => Some(Self::ExcelDa),
            _ => None,
        }
    }

    /// Rewrites a standard CSV in this dialect; `decimals` names the columns
    /// whose `.` becomes `,`.
    pub(crate) fn apply(self, standard: &[u8], decimals: &[&str]) -> Result<Vec<u8>, csv::Error> {
        if self == Self::Standard {
            return Ok(standard.to_vec());
        }
        let mut reader = csv::Reader::from_reader(standard);
        let headers = reader.headers()?.clone();
        let decimal: Vec<bool> = headers.iter().map(|h| decimals.contains(&h)).collect();
        let mut out = b"\xEF\xBB\xBF".to_vec();
        {
            let mut w = csv::WriterBuilder::new()
                .delimiter(b';')
                .from_writer(&mut out);
            w.write_record(&headers)?;
            for record in reader.records() {
                let record = record?;
                let fields: Vec<String> = record
                    .iter()
                    .zip(&decimal)
                    .map(|(f, &d)| {
                        if d {
                            f.replace('.', ",")
                        } else {
                            f.to_string()
                        }
                    })
                    .collect();
                w.write_record(&fields)?;
            }
            w.flush()?;
        }
        Ok(out)
    }
}

/// Why the outputs could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Format { path: PathBuf, message: String },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ExportError + '_ {
    move |source| ExportError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Writes the three output files into `dir`, atomically.
///
/// # Errors
/// When a file cannot be written or renamed; `dir` is then left as it was.
pub fn write_plan(
    dir: &Path,
    inputs: &Inputs,
    scenario: &Scenario,
    rows: &[HouseholdRow],
    summary: &Summary,
    dialect: CsvDialect,
) -> Result<(), ExportError> {
    let name = dir
        .file_name()
        .map_or_else(|| "out".to_string(), |n| n.to_string_lossy().into_owned());
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs_err::create_dir_all(&parent).map_err(io(&parent))?;
    let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
    if tmp.exists() {
        fs_err::remove_dir_all(&tmp).map_err(io(&tmp))?;
    }
    fs_err::create_dir(&tmp).map_err(io(&tmp))?;
    let written = write_files(&tmp, inputs, scenario, rows, summary, dialect);
    if let Err(e) = written {
        let _ = fs_err::remove_dir_all(&tmp);
        return Err(e);
    }
    let old = parent.join(format!(".{name}.old-{}", std::process::id()));
    let had_old = dir.exists();
    if had_old {
        fs_err::rename(dir, &old).map_err(io(dir))?;
    }
    if let Err(e) = fs_err::rename(&tmp, dir) {
        if had_old {
            let _ = fs_err::rename(&old, dir);
        }
        let _ = fs_err::remove_dir_all(&tmp);
        return Err(io(dir)(e));
    }
    if had_old {
        fs_err::remove_dir_all(&old).map_err(io(&old))?;
    }
    Ok(())
}

fn write_files(
    dir: &Path,
    inputs: &Inputs,
    scenario: &Scenario,
    rows: &[HouseholdRow],
    summary: &Summary,
    dialect: CsvDialect,
) -> Result<(), ExportError> {
    let csv_path = dir.join("plan.csv");
    let bytes = crate::output::plan_csv::write(rows, dialect).map_err(|e| ExportError::Format {
        path: csv_path.clone(),
        message: e.to_string(),
    })?;
    fs_err::write(&csv_path, bytes).map_err(io(&csv_path))?;

    let geojson_path = dir.join("plan.geojson");
    let geo = plan_geojson(
        inputs,
        rows,
        summary,
        scenario.privacy.suppress_small_counts,
    )
    .map_err(|message| ExportError::Format {
        path: geojson_path.clone(),
        message,
    })?;
    fs_err::write(&geojson_path, to_pretty(&geo) + "\n").map_err(io(&geojson_path))?;

    let summary_path = dir.join(crate::output::summary::FILE);
    let text = crate::output::summary::to_json(summary).map_err(|e| ExportError::Format {
        path: summary_path.clone(),
        message: e.to_string(),
    })?;
    fs_err::write(&summary_path, text).map_err(io(&summary_path))?;

    let districts_path = dir.join("districts.csv");
    write_districts(
        &districts_path,
        summary,
        scenario.privacy.suppress_small_counts,
        dialect,
    )?;

    let gpkg_path = dir.join("plan.gpkg");
    crate::output::gpkg::write_gpkg_with(
        &gpkg_path,
        inputs,
        scenario,
        rows,
        summary,
        scenario.privacy.suppress_small_counts,
    )
    .map_err(|e| ExportError::Format {
        path: gpkg_path.clone(),
        message: e.to_string(),
    })?;
    // The layers' QGIS styles, to load by hand next to plan.geojson.
    for (name, qml) in crate::output::gpkg::qml_sidecars() {
        let path = dir.join(name);
        fs_err::write(&path, qml).map_err(io(&path))?;
    }
    Ok(())
}

/// `districts.csv`: one row per district with the before/after figures, the
/// hot-spot statistics and the persons placed per quarter; small counts
/// suppressed as in the GIS outputs.
fn write_districts(
    path: &Path,
    summary: &Summary,
    suppress_small: bool,
    dialect: CsvDialect,
) -> Result<(), ExportError> {
    let format = |e: csv::Error| ExportError::Format {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let mut w = csv::Writer::from_writer(Vec::new());
    let quarters = summary
        .districts
        .first()
        .map_or(0, |d| d.placed_by_quarter.len());
    let mut header: Vec<String> = [
        "district",
        "name",
        "flags",
        "population",
        "newcomers_before",
        "newcomers_after",
        "share_before",
        "share_after",
        "households_placed",
        "persons_placed",
        "persons_placed_label",
        "persons_temporary_at_end",
        "over_cap",
        "location_quotient_before",
        "location_quotient_after",
        "gi_star_z",
        "gi_q",
        "moran_i",
        "moran_q",
        "quadrant",
        "hot_spot",
        "high_high",
    ]
    .iter()
    .map(|s| (*s).to_string())
    .collect();
    header.extend((1..=quarters).map(|q| format!("placed_q{q}")));
    w.write_record(&header).map_err(format)?;
    for d in &summary.districts {
        let small = suppress_small
            && d.persons_placed > 0
            && d.persons_placed < crate::output::gpkg::SUPPRESSION_THRESHOLD;
        let hide = |v: String| if small { String::new() } else { v };
        let mut record = vec![
            d.id.clone(),
            d.name.clone(),
            d.flags.join(","),
            d.population.to_string(),
            d.newcomers_before.to_string(),
            hide(d.newcomers_after.to_string()),
            d.share_before.to_string(),
            if small {
                ((d.share_after * 1000.0).round() / 1000.0).to_string()
            } else {
                d.share_after.to_string()
            },
            hide(d.households_placed.to_string()),
            hide(d.persons_placed.to_string()),
            if small {
                "<5".to_string()
            } else {
                d.persons_placed.to_string()
            },
            d.persons_temporary_at_end.to_string(),
            d.over_cap.to_string(),
            d.location_quotient_before.to_string(),
            d.location_quotient_after.to_string(),
            d.gi_star_z.to_string(),
            d.gi_q.to_string(),
            d.moran_i.to_string(),
            d.moran_q.to_string(),
            d.quadrant.as_str().to_string(),
            d.hot_spot.to_string(),
            d.high_high.to_string(),
        ];
        // Quarter cells: 1–4 persons read "<5" and the rest are rounded to a
        // multiple of 5, so that the total minus the other cells does not
        // give a suppressed cell away.
        record.extend(d.placed_by_quarter.iter().map(|&q| {
            if !suppress_small || q == 0 {
                q.to_string()
            } else if small || q < crate::output::gpkg::SUPPRESSION_THRESHOLD {
                "<5".to_string()
            } else {
                (((q + 2) / 5) * 5).to_string()
            }
        }));
        w.write_record(&record).map_err(format)?;
    }
    let bytes = w.into_inner().map_err(|e| ExportError::Format {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    let bytes = dialect
        .apply(&bytes, DISTRICT_DECIMAL_COLUMNS)
        .map_err(format)?;
    fs_err::write(path, bytes).map_err(io(path))
}

fn to_pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).expect("a JSON value always serialises")
}

/// Rounds a WGS84 coordinate to 7 decimals (about 1 cm).
fn round7(x: f64) -> f64 {
    (x * 1e7).round() / 1e7
}

/// RFC 7946: WGS84 lon/lat, no `crs` member. Placements as points (no
/// personal data: no income, benefit or disposable amount), districts as
/// polygons with their figures.
fn plan_geojson(
    inputs: &Inputs,
    rows: &[HouseholdRow],
    summary: &Summary,
    suppress_small: bool,
) -> Result<Value, String> {
    let t = Transformer::working_to_wgs84();
    let lonlat = |x: f64, y: f64| -> Result<Value, String> {
        let (lon, lat) = t.apply(x, y)?;
        Ok(json!([round7(lon), round7(lat)]))
    };
    let mut features = Vec::new();
    for row in rows {
        let Some((x, y)) = row.position else { continue };
        let mut props = Map::new();
        props.insert("layer".into(), json!("placement"));
        props.insert("household_id".into(), json!(row.household_id));
        props.insert("status".into(), json!(row.status));
        props.insert("temp_unit".into(), json!(row.temp_unit));
        props.insert("temp_from".into(), json!(row.temp_from));
        props.insert("temp_to".into(), json!(row.temp_to));
        props.insert("perm_unit".into(), json!(row.perm_unit));
        props.insert("perm_from".into(), json!(row.perm_from));
        props.insert("district".into(), json!(row.district));
        props.insert("persons".into(), json!(row.persons));
        props.insert("rent".into(), json!(row.rent));
        props.insert("travel_minutes".into(), json!(row.travel_minutes));
        props.insert("household_type".into(), json!(row.household_type));
        features.push(json!({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": lonlat(x, y)?},
            "properties": props,
        }));
    }
    for (d, figures) in inputs.districts.iter().zip(&summary.districts) {
        let mut polygons = Vec::new();
        for poly in &d.geometry.0 {
            let mut rings = Vec::new();
            let exterior = ring(poly.exterior(), true, &lonlat)?;
            rings.push(exterior);
            for inner in poly.interiors() {
                rings.push(ring(inner, false, &lonlat)?);
            }
            polygons.push(Value::Array(rings));
        }
        let mut props = match serde_json::to_value(figures).map_err(|e| e.to_string())? {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        props.insert("layer".into(), json!("district"));
        // Published layers show no district figure based on 1–4 persons
        // (the same rule as plan.gpkg): the counts, and the total that would
        // give them away, become null, with a label instead.
        let small = figures.persons_placed > 0
            && figures.persons_placed < crate::output::gpkg::SUPPRESSION_THRESHOLD;
        if suppress_small && small {
            for key in ["persons_placed", "households_placed", "newcomers_after"] {
                props.insert(key.into(), Value::Null);
            }
            props.insert("persons_placed_label".into(), json!("<5"));
            let share = (figures.share_after * 1000.0).round() / 1000.0;
            props.insert("share_after".into(), json!(share));
        } else {
            props.insert(
                "persons_placed_label".into(),
                json!(figures.persons_placed.to_string()),
            );
        }
        features.push(json!({
            "type": "Feature",
            "geometry": {"type": "MultiPolygon", "coordinates": polygons},
            "properties": props,
        }));
    }
    Ok(json!({"type": "FeatureCollection", "features": features}))
}

/// A ring in lon/lat; exterior rings counter-clockwise, holes clockwise
/// (RFC 7946 § 3.1.6). The orientation is that of the projected ring, which
/// a conformal projection keeps.
fn ring(
    line: &geo::LineString<f64>,
    exterior: bool,
    lonlat: &dyn Fn(f64, f64) -> Result<Value, String>,
) -> Result<Value, String> {
    use geo::Winding;
    let mut line = line.clone();
    if exterior {
        line.make_ccw_winding();
    } else {
        line.make_cw_winding();
    }
    let coords: Result<Vec<Value>, String> = line.coords().map(|c| lonlat(c.x, c.y)).collect();
    Ok(Value::Array(coords?))
}

/// Writes the model as MPS, via a temporary file renamed into place.
///
/// # Errors
/// When the file cannot be written.
pub fn write_mps(
    path: &Path,
    inputs: &Inputs,
    model: &crate::milp::Model,
) -> Result<(), ExportError> {
    let tmp = path.with_extension(format!("mps.tmp-{}", std::process::id()));
    let result = (|| {
        let mut file = std::io::BufWriter::new(fs_err::File::create(&tmp).map_err(io(&tmp))?);
        model.write_mps(inputs, &mut file).map_err(io(&tmp))?;
        std::io::Write::flush(&mut file).map_err(io(&tmp))?;
        drop(file);
        fs_err::rename(&tmp, path).map_err(io(path))
    })();
    if result.is_err() {
        let _ = fs_err::remove_file(&tmp);
    }
    result
}
