//! The one code path of the fuzz targets (`fuzz/`) and their regression test
//! (`tests/it/fuzz_regressions.rs`): arbitrary bytes take the place of one
//! input file of a small valid scenario, and the scenario is loaded exactly
//! as `validate` and `plan` load it ([`crate::scenario::load`], then
//! [`crate::load::load`]). Not part of the planner; hidden from the docs.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::load::Finding;
use crate::scenario::ScenarioError;

/// Which input file the fuzzed bytes replace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The households CSV.
    CsvHouseholds,
    /// The housing file as CSV (x, y in the scenario's CRS).
    CsvHousing,
    /// The housing file as GeoJSON.
    GeojsonHousing,
    /// The scenario TOML itself (beside the valid input files).
    ScenarioToml,
    /// `stop_times.txt` of a GTFS feed given as a folder.
    GtfsStopTimes,
}

impl Target {
    pub const ALL: [Target; 5] = [
        Target::CsvHouseholds,
        Target::CsvHousing,
        Target::GeojsonHousing,
        Target::ScenarioToml,
        Target::GtfsStopTimes,
    ];

    /// The name of the fuzz target and of its folder in `tests/data/fuzz`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Target::CsvHouseholds => "csv_households",
            Target::CsvHousing => "csv_housing",
            Target::GeojsonHousing => "geojson_housing",
            Target::ScenarioToml => "scenario_toml",
            Target::GtfsStopTimes => "gtfs_stop_times",
        }
    }

    #[must_use]
    pub fn parse(name: &str) -> Option<Target> {
        Target::ALL.into_iter().find(|t| t.name() == name)
    }

    /// The file in the workspace that holds the fuzzed bytes.
    #[must_use]
    pub fn file(self) -> &'static str {
        match self {
            Target::CsvHouseholds => "fuzzed_households.csv",
            Target::CsvHousing => "fuzzed_housing.csv",
            Target::GeojsonHousing => "fuzzed_housing.geojson",
            Target::ScenarioToml => "fuzzed_scenario.toml",
            Target::GtfsStopTimes => "fuzzed_feed/stop_times.txt",
        }
    }

    /// The scenario of the target; its inputs name the fuzzed file.
    fn scenario(self) -> String {
        let households = match self {
            Target::CsvHouseholds => self.file(),
            _ => "households.csv",
        };
        let housing = match self {
            Target::CsvHousing | Target::GeojsonHousing => self.file(),
            _ => "housing.geojson",
        };
        let gtfs = match self {
            Target::GtfsStopTimes => "gtfs = \"fuzzed_feed\"\n",
            _ => "",
        };
        format!(
            "name = \"fuzz {}\"\nstart = \"2026-01-01\"\nhorizon_days = 365\n\n[inputs]\nhouseholds = \"{households}\"\nhousing = \"{housing}\"\ndistricts = \"districts.geojson\"\nplaces = \"places.geojson\"\n{gtfs}",
            self.name()
        )
    }
}

/// A scratch folder holding a copy of the base inputs; removed on drop.
#[derive(Debug)]
pub struct Workspace {
    dir: PathBuf,
}

impl Workspace {
    /// Copies the base inputs (`tests/data/fuzz/_base`) into a new folder
    /// under the system's temporary folder.
    pub fn new(base: &Path) -> std::io::Result<Workspace> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let dir = std::env::temp_dir().join(format!(
            "boligplan-fuzz-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        if dir.exists() {
            fs_err::remove_dir_all(&dir)?;
        }
        copy_dir(base, &dir)?;
        copy_dir(&base.join("feed"), &dir.join("fuzzed_feed"))?;
        Ok(Workspace { dir })
    }

    /// The workspace folder.
    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes `bytes` into the target's file and loads the scenario as
    /// `validate` does: the scenario's error, or every finding of the inputs.
    pub fn run(
        &self,
        target: Target,
        bytes: &[u8],
    ) -> std::io::Result<Result<Vec<Finding>, ScenarioError>> {
        fs_err::write(self.dir.join(target.file()), bytes)?;
        let scenario_file = match target {
            Target::ScenarioToml => self.dir.join(target.file()),
            _ => {
                let path = self.dir.join(format!("scenario_{}.toml", target.name()));
                fs_err::write(&path, target.scenario())?;
                path
            }
        };
        Ok(crate::scenario::load(&scenario_file).map(|s| crate::load::load(&s).1))
    }
}

impl Drop for Workspace {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    fs_err::create_dir_all(to)?;
    for entry in fs_err::read_dir(from)? {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            fs_err::copy(entry.path(), to.join(entry.file_name()))?;
        }
    }
    Ok(())
}
