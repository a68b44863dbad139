//! The last stage: the plan's files. `export` writes them all into a
//! temporary directory and renames it into place; `plan_csv` is plan.csv's
//! one home (columns, writer and the reader the side commands use),
//! `summary` summary.json's (its bytes and its one reader), `gpkg` the
//! GeoPackage writer `export` calls, and `privacy` what the published
//! outputs may show (small counts, rent bands, placement points, paths).

pub mod export;
pub mod gpkg;
pub mod plan_csv;
pub mod privacy;
pub mod summary;
