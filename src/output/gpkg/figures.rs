//! The two key/value tables: `scenario_kpi` (the plan's figures from the
//! summary) and `run_metadata` (scenario, settings, version, and every
//! input file with its SHA-256).
//!
//! Invariant: only plan-level figures, never a household's; paths relative
//! to the scenario's folder and no timing, so that a rerun writes the same
//! values; an input file
//! that cannot be read for its checksum is an error (a GTFS folder has no
//! checksum).

use std::fmt::Write as _;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::{GpkgError, SUPPRESSION_THRESHOLD, Writer};
use crate::crs::WORKING_EPSG;
use crate::output::privacy::relative_to_scenario;

impl Writer<'_> {
    pub(super) fn kpis(&self) -> Vec<(String, String)> {
        let s = self.summary;
        let mut kv: Vec<(String, String)> = Vec::new();
        let mut put = |k: &str, v: String| kv.push((k.to_string(), v));
        put("households", s.households.households.to_string());
        put("persons", s.households.persons.to_string());
        for (status, c) in &s.by_status {
            let status = status.as_str();
            put(&format!("households_{status}"), c.households.to_string());
            put(&format!("persons_{status}"), c.persons.to_string());
        }
        for (t, f) in s.by_type_in_name_order() {
            let t = t.as_str();
            put(&format!("households_{t}"), f.households.to_string());
            put(
                &format!("households_{t}_permanent"),
                f.permanent.to_string(),
            );
        }
        put("families_waiting", s.families_waiting.to_string());
        put("temporary_person_days", s.temporary_person_days.to_string());
        put("max_share_before", s.spread.before.max_share.to_string());
        put("max_share_after", s.spread.after.max_share.to_string());
        put(
            "districts_over_cap_after",
            s.spread.after.districts_over_cap.to_string(),
        );
        put(
            "dissimilarity_before",
            s.spread.before.dissimilarity.to_string(),
        );
        put(
            "dissimilarity_after",
            s.spread.after.dissimilarity.to_string(),
        );
        put("isolation_after", s.spread.after.isolation.to_string());
        put("theil_after", s.spread.after.theil.to_string());
        put(
            "districts_receiving",
            s.spread.districts_receiving.to_string(),
        );
        put(
            "buildings_receiving",
            s.spread.buildings_receiving.to_string(),
        );
        put("rent_dkk_median", opt_num(s.rent_dkk.median));
        put("disposable_dkk_median", opt_num(s.disposable_dkk.median));
        put("travel_method", s.travel.method.as_str().to_string());
        put("travel_minutes_median", opt_num(s.travel.minutes.median));
        put("travel_minutes_p90", opt_num(s.travel.minutes.p90));
        put("travel_minutes_max", opt_num(s.travel.minutes.max));
        put(
            "municipal_cost_dkk_total",
            s.municipal_cost_dkk.total.to_string(),
        );
        put("objective", opt_num(s.objective));
        put("bound", opt_num(s.bound));
        put("gap", opt_num(s.gap));
        kv
    }

    pub(super) fn metadata(&self) -> Result<Vec<(String, String)>, GpkgError> {
        let (s, sc) = (self.summary, self.scenario);
        let rules = &sc.rules;
        let mut kv: Vec<(String, String)> = vec![
            ("scenario_name".into(), s.scenario.clone()),
            (
                "scenario_file".into(),
                relative_to_scenario(&sc.path, &sc.path),
            ),
            ("scenario_sha256".into(), self.sha256(&sc.path)?),
            ("strategy".into(), s.strategy.as_str().to_string()),
            ("start".into(), s.start.to_string()),
            ("horizon_days".into(), s.horizon_days.to_string()),
            ("seed".into(), s.seed.to_string()),
            ("crs".into(), format!("EPSG:{WORKING_EPSG}")),
            ("input_crs".into(), sc.crs.to_string()),
            (
                "boligplan_version".into(),
                env!("CARGO_PKG_VERSION").to_string(),
            ),
            ("iterations".into(), s.iterations.to_string()),
            (
                "max_district_share".into(),
                rules.max_district_share.to_string(),
            ),
            (
                "max_persons_per_room".into(),
                rules.max_persons_per_room.to_string(),
            ),
            (
                "min_m2_per_person".into(),
                rules.min_m2_per_person.to_string(),
            ),
            (
                "max_households_per_building".into(),
                rules.max_households_per_building.to_string(),
            ),
            ("max_travel_min".into(), rules.max_travel_min.to_string()),
            (
                "max_work_travel_min".into(),
                rules
                    .max_work_travel_min
                    .map_or_else(String::new, |m| m.to_string()),
            ),
            ("forbidden_flags".into(), rules.forbidden_flags.join(",")),
            (
                "forbidden_flags_social_housing".into(),
                rules.forbidden_flags_social_housing.join(","),
            ),
            (
                "suppress_small_counts".into(),
                self.privacy.suppress.to_string(),
            ),
            (
                "suppression_threshold_persons".into(),
                SUPPRESSION_THRESHOLD.to_string(),
            ),
        ];
        let i = &sc.inputs;
        let mut files: Vec<(&str, &Path)> = vec![
            ("households", &i.households),
            ("housing", &i.housing),
            ("districts", &i.districts),
            ("places", &i.places),
        ];
        if let Some(n) = &i.network {
            files.push(("network", n));
        }
        if let Some(g) = &i.gtfs {
            files.push(("gtfs", g));
        }
        for (name, path) in files {
            kv.push((
                format!("input_{name}"),
                relative_to_scenario(&sc.path, path),
            ));
            // A GTFS feed may be a folder: only a file has one checksum.
            if !path.is_dir() {
                kv.push((format!("input_{name}_sha256"), self.sha256(path)?));
            }
        }
        Ok(kv)
    }

    fn sha256(&self, path: &Path) -> Result<String, GpkgError> {
        let _ = self;
        let bytes = fs_err::read(path).map_err(|source| GpkgError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let digest = Sha256::digest(&bytes);
        Ok(digest.iter().fold(String::new(), |mut hex, b| {
            let _ = write!(hex, "{b:02x}");
            hex
        }))
    }
}

fn opt_num(x: Option<f64>) -> String {
    x.map(|v| v.to_string()).unwrap_or_default()
}
