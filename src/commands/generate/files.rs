//! The files of a synthetic scenario: each written through a temporary
//! file beside it and renamed into place when complete; the districts and
//! places as GeoJSON in EPSG:25832 (with a `crs` member); `scenario.toml`.

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use super::geography::{Geography, PlaceData};
use super::{CRS_MEMBER, GenerateError, HORIZON_DAYS, START, Size};

/// Writes `path` through a buffered temporary file beside it, then renames.
pub(super) fn write_atomically(
    path: &Path,
    body: impl FnOnce(&mut BufWriter<fs::File>) -> io::Result<()>,
) -> Result<(), GenerateError> {
    let name = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let tmp = path.with_file_name(format!(".{name}.tmp"));
    let err = |p: &Path| {
        let p = p.to_path_buf();
        move |source| GenerateError::Io { path: p, source }
    };
    let file = fs::File::create(&tmp).map_err(err(&tmp))?;
    let mut w = BufWriter::with_capacity(1 << 16, file);
    let written = body(&mut w)
        .and_then(|()| w.flush())
        .and_then(|()| w.get_ref().sync_all());
    drop(w);
    if let Err(source) = written {
        let _ = fs::remove_file(&tmp);
        return Err(GenerateError::Io { path: tmp, source });
    }
    fs::rename(&tmp, path).map_err(err(path))
}

pub(super) fn write_districts(w: &mut impl Write, geo: &Geography) -> io::Result<()> {
    write!(
        w,
        "{{\"type\":\"FeatureCollection\",\"name\":\"districts\",{CRS_MEMBER},\"features\":["
    )?;
    for (d, data) in geo.districts.iter().enumerate() {
        if d > 0 {
            w.write_all(b",")?;
        }
        let flags: Vec<String> = data.flags.iter().map(|f| format!("\"{f}\"")).collect();
        write!(
            w,
            "\n{{\"type\":\"Feature\",\"properties\":{{\"id\":\"{}\",\"name\":{},\"population\":{},\"newcomers\":{},\"flags\":[{}]}},\"geometry\":{{\"type\":\"Polygon\",\"coordinates\":[[",
            data.id,
            json_string(&data.name),
            data.population,
            data.newcomers,
            flags.join(",")
        )?;
        let cell = geo.cell(d);
        for (k, (x, y)) in cell.iter().chain(std::iter::once(&cell[0])).enumerate() {
            if k > 0 {
                w.write_all(b",")?;
            }
            write!(w, "[{x:.1},{y:.1}]")?;
        }
        w.write_all(b"]]}}")?;
    }
    w.write_all(b"\n]}\n")
}

pub(super) fn write_places(w: &mut impl Write, places: &[PlaceData]) -> io::Result<()> {
    write!(
        w,
        "{{\"type\":\"FeatureCollection\",\"name\":\"places\",{CRS_MEMBER},\"features\":["
    )?;
    for (i, p) in places.iter().enumerate() {
        if i > 0 {
            w.write_all(b",")?;
        }
        write!(
            w,
            "\n{{\"type\":\"Feature\",\"properties\":{{\"id\":\"{}\",\"kind\":\"{}\",\"name\":{}}},\"geometry\":{{\"type\":\"Point\",\"coordinates\":[{:.1},{:.1}]}}}}",
            p.id,
            p.kind,
            json_string(&p.name),
            p.pos.0,
            p.pos.1
        )?;
    }
    w.write_all(b"\n]}\n")
}

fn json_string(s: &str) -> String {
    serde_json::Value::from(s).to_string()
}

pub(super) fn write_scenario(w: &mut impl Write, size: Size, seed: u64) -> io::Result<()> {
    writeln!(
        w,
        "# Synthetic scenario written by `boligplan generate --size {size} --seed {seed}`.\n\
         # Every household, dwelling and district is made up; places are synthetic too.\n\
         name = \"synthetic {size} seed {seed}\"\n\
         start = \"{:04}-{:02}-{:02}\"\n\
         horizon_days = {HORIZON_DAYS}\n\
         crs = \"EPSG:25832\"\n\
         seed = {seed}\n\
         \n\
         [inputs]\n\
         households = \"households.csv\"\n\
         housing    = \"housing.csv\"\n\
         districts  = \"districts.geojson\"\n\
         places     = \"places.geojson\"\n\
         # A synthetic bus network for the same districts; uncomment to plan\n\
         # with travel over it instead of straight-line estimates.\n\
         # network    = \"network.geojson\"",
        START.0, START.1, START.2
    )
}
