//! The side commands around the planning pipeline, each with its own small
//! I/O: `explain` (why a household got what it got), `compare` (plans side
//! by side), `report` (one HTML file), `simulate` (the rolling weekly
//! replan) and `generate` (synthetic scenarios).

pub mod compare;
pub mod explain;
pub mod generate;
pub mod report;
pub mod simulate;
