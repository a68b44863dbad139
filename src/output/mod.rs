//! The last stage: the plan's files. `export` writes them all into a
//! temporary directory and renames it into place; `gpkg` is the GeoPackage
//! writer it calls.

pub mod export;
pub mod gpkg;
