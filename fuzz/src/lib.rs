//! What every fuzz target shares: one workspace per process, the fuzzed bytes
//! loaded through `boligplan::fuzzing` (the same path as the regression test).

use std::path::Path;

pub use boligplan::fuzzing::Target;
use boligplan::fuzzing::Workspace;

/// Runs the AFL persistent loop for one target.
pub fn fuzz(target: Target) {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/fuzz/_base");
    let workspace = Workspace::new(&base).expect("cannot set up the fuzz workspace");
    afl::fuzz!(|data: &[u8]| {
        // A panic inside is a crash for AFL; an error result is a correct answer.
        let _ = workspace
            .run(target, data)
            .expect("cannot write the fuzzed file");
    });
}
