//! Stage 5: writing `plan.csv` (through [`crate::output::plan_csv`]),
//! `plan.geojson`, `summary.json` (through [`crate::output::summary`]),
//! `districts.csv` and `plan.gpkg`, and with `--officer-layers` the
//! officer's `officer_placements.geojson`.
//!
//! Everything is written into a temporary directory beside the output
//! directory and renamed into place only when complete, so a failed run never
//! leaves half a plan and an earlier plan survives until the new one is whole.
//!
//! Invariants: the published files (`plan.geojson`, `plan.gpkg`,
//! `districts.csv`) take their district figures, placement points and rents
//! from [`crate::output::privacy`]; every file is a function of the plan and
//! the [`Export`] settings (no clock, no absolute path), so a rerun writes
//! the same bytes except `summary.json`'s `solve_seconds`.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use crate::crs::Transformer;
use crate::evaluate::{HouseholdRow, Summary};
use crate::model::Inputs;
use crate::output::privacy::{Point, Privacy, SMALL_LABEL, rent_band};
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

/// How the plan's files are written: the settings of `plan` that are not
/// the plan itself.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Export {
    /// The CSV dialect of `plan.csv` and `districts.csv`.
    pub dialect: CsvDialect,
    /// Also write `officer_placements.geojson`, every household's exact
    /// point (`plan --officer-layers`; not for publication).
    pub officer_layers: bool,
    /// The write time recorded in `plan.gpkg`, seconds since 1970 (UTC):
    /// `SOURCE_DATE_EPOCH` when set, else 0, so that reruns give the same
    /// bytes.
    pub written_at: i64,
}

/// The officer-only file of exact placement points.
pub const OFFICER_PLACEMENTS: &str = "officer_placements.geojson";

/// Writes the output files into `dir`, atomically.
///
/// # Errors
/// When a file cannot be written or renamed; `dir` is then left as it was.
pub fn write_plan(
    dir: &Path,
    inputs: &Inputs,
    scenario: &Scenario,
    rows: &[HouseholdRow],
    summary: &Summary,
    export: &Export,
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
    let written = write_files(&tmp, inputs, scenario, rows, summary, export);
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
    export: &Export,
) -> Result<(), ExportError> {
    let dialect = export.dialect;
    let privacy = Privacy::new(
        inputs,
        rows,
        &summary.districts,
        scenario.privacy.suppress_small_counts,
    );
    let csv_path = dir.join("plan.csv");
    let bytes = crate::output::plan_csv::write(rows, dialect).map_err(|e| ExportError::Format {
        path: csv_path.clone(),
        message: e.to_string(),
    })?;
    fs_err::write(&csv_path, bytes).map_err(io(&csv_path))?;

    let geojson_path = dir.join("plan.geojson");
    let geo =
        plan_geojson(inputs, rows, summary, &privacy).map_err(|message| ExportError::Format {
            path: geojson_path.clone(),
            message,
        })?;
    fs_err::write(&geojson_path, to_pretty(&geo) + "\n").map_err(io(&geojson_path))?;

    if export.officer_layers {
        let officer_path = dir.join(OFFICER_PLACEMENTS);
        let geo = officer_geojson(rows).map_err(|message| ExportError::Format {
            path: officer_path.clone(),
            message,
        })?;
        fs_err::write(&officer_path, to_pretty(&geo) + "\n").map_err(io(&officer_path))?;
    }

    let summary_path = dir.join(crate::output::summary::FILE);
    let text = crate::output::summary::to_json(summary).map_err(|e| ExportError::Format {
        path: summary_path.clone(),
        message: e.to_string(),
    })?;
    fs_err::write(&summary_path, text).map_err(io(&summary_path))?;

    let districts_path = dir.join("districts.csv");
    write_districts(&districts_path, summary, &privacy, dialect)?;

    let gpkg_path = dir.join("plan.gpkg");
    crate::output::gpkg::write_gpkg_with(
        &gpkg_path,
        inputs,
        scenario,
        rows,
        summary,
        &crate::output::gpkg::Settings {
            suppress_small: scenario.privacy.suppress_small_counts,
            written_at: export.written_at,
        },
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
    privacy: &Privacy,
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
    let cell = |v: Option<String>| v.unwrap_or_default();
    for (i, d) in summary.districts.iter().enumerate() {
        let p = privacy.district(i, d);
        let mut record = vec![
            p.id,
            p.name,
            p.flags.join(","),
            p.population.to_string(),
            p.newcomers_before.to_string(),
            cell(p.newcomers_after.map(|v| v.to_string())),
            p.share_before.to_string(),
            p.share_after.to_string(),
            cell(p.households_placed.map(|v| v.to_string())),
            cell(p.persons_placed.map(|v| v.to_string())),
            p.persons_placed_label,
            cell(p.persons_temporary_at_end.map(|v| v.to_string())),
            cell(p.over_cap.map(|v| v.to_string())),
            p.location_quotient_before.to_string(),
            cell(p.location_quotient_after.map(|v| v.to_string())),
            cell(p.gi_star_z.map(|v| v.to_string())),
            cell(p.gi_q.map(|v| v.to_string())),
            cell(p.moran_i.map(|v| v.to_string())),
            cell(p.moran_q.map(|v| v.to_string())),
            p.quadrant.as_str().to_string(),
            p.hot_spot.to_string(),
            p.high_high.to_string(),
        ];
        // A withheld quarter cell reads `<5` (`privacy` rounds the others to
        // a multiple of 5).
        record.extend(
            p.placed_by_quarter
                .iter()
                .map(|q| q.map_or_else(|| SMALL_LABEL.to_string(), |q| q.to_string())),
        );
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
/// personal data: no income, benefit or disposable amount; the rent as a
/// band; a small district's households as one point per status),
/// districts as polygons with their published figures.
fn plan_geojson(
    inputs: &Inputs,
    rows: &[HouseholdRow],
    summary: &Summary,
    privacy: &Privacy,
) -> Result<Value, String> {
    let lonlat = wgs84();
    let mut features = Vec::new();
    for point in privacy.points(inputs, rows) {
        features.push(match point {
            Point::Exact(row) => placement_feature(row, &lonlat)?,
            Point::Aggregated(a) => {
                let mut props = Map::new();
                props.insert("layer".into(), json!("placement"));
                props.insert("aggregated".into(), json!(true));
                props.insert("status".into(), json!(a.status));
                props.insert("district".into(), json!(a.district));
                props.insert("households".into(), json!(a.households));
                props.insert("persons".into(), json!(a.persons));
                props.insert("persons_label".into(), json!(a.persons_label));
                point_feature(a.x, a.y, &props, &lonlat)?
            }
        });
    }
    for (i, (d, figures)) in inputs.districts.iter().zip(&summary.districts).enumerate() {
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
        let published = privacy.district(i, figures);
        let mut props = match serde_json::to_value(&published).map_err(|e| e.to_string())? {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        props.insert("layer".into(), json!("district"));
        features.push(json!({
            "type": "Feature",
            "geometry": {"type": "MultiPolygon", "coordinates": polygons},
            "properties": props,
        }));
    }
    Ok(json!({"type": "FeatureCollection", "features": features}))
}

/// `officer_placements.geojson`: every household's exact point, with the
/// same fields as a published placement (not for publication).
fn officer_geojson(rows: &[HouseholdRow]) -> Result<Value, String> {
    let lonlat = wgs84();
    let features = rows
        .iter()
        .filter(|r| r.position.is_some())
        .map(|r| placement_feature(r, &lonlat))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(json!({"type": "FeatureCollection", "features": features}))
}

/// A household's own placement point: its id and plan, the rent as a band.
fn placement_feature(row: &HouseholdRow, lonlat: &LonLat) -> Result<Value, String> {
    let Some((x, y)) = row.position else {
        return Err(format!("household {} has no position", row.household_id));
    };
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
    props.insert("rent_band".into(), json!(rent_band(row.rent)));
    props.insert("travel_minutes".into(), json!(row.travel_minutes));
    props.insert("household_type".into(), json!(row.household_type));
    point_feature(x, y, &props, lonlat)
}

/// Working-CRS metres to a rounded `[lon, lat]`.
type LonLat = dyn Fn(f64, f64) -> Result<Value, String>;

fn point_feature(
    x: f64,
    y: f64,
    props: &Map<String, Value>,
    lonlat: &LonLat,
) -> Result<Value, String> {
    Ok(json!({
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": lonlat(x, y)?},
        "properties": props,
    }))
}

/// Working CRS to a rounded `[lon, lat]`.
fn wgs84() -> impl Fn(f64, f64) -> Result<Value, String> {
    let t = Transformer::working_to_wgs84();
    move |x, y| {
        let (lon, lat) = t.apply(x, y)?;
        Ok(json!([round7(lon), round7(lat)]))
    }
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
