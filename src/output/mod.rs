//! The last stage: the plan's files. `export` writes them all into a
//! temporary directory and renames it into place; `plan_csv` is plan.csv's
//! one home (columns, writer and the reader the side commands use),
//! `summary` summary.json's (its bytes and its one reader), and `gpkg` the
//! GeoPackage writer `export` calls.

pub mod export;
pub mod gpkg;
pub mod plan_csv;
pub mod summary;
