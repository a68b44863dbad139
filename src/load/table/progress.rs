//! Progress of the loading: the bytes of each input file read so far,
//! passed on to the caller's callback at most every 256 KiB and at the end
//! of each file. The library prints nothing itself.

use super::Table;

/// How far the loading of one file has come, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress<'a> {
    /// The file as messages name it.
    pub file: &'a str,
    /// Bytes read so far.
    pub done: u64,
    /// The file's size.
    pub total: u64,
}

/// Passes progress on to the caller's callback, at most once per
/// [`Ticker::STEP`] bytes (and at the end of each file).
pub struct Ticker<'p> {
    report: &'p mut dyn FnMut(Progress<'_>),
    last: Option<u64>,
}

impl<'p> Ticker<'p> {
    /// Bytes between two reports.
    const STEP: u64 = 256 * 1024;

    pub fn new(report: &'p mut dyn FnMut(Progress<'_>)) -> Self {
        Self { report, last: None }
    }

    /// Reports `done` of `total` bytes of `file`, if far enough on.
    pub fn tick(&mut self, file: &str, done: u64, total: u64) {
        let due = match self.last {
            None => true,
            Some(last) => {
                done < last || done >= last + Self::STEP || (done == total && last != total)
            }
        };
        if due {
            self.last = Some(done);
            (self.report)(Progress { file, done, total });
        }
    }

    /// Reports where a table's reading stands.
    pub fn table(&mut self, table: &Table) {
        let (done, total) = table.progress();
        self.tick(&table.file, done, total);
    }

    /// A new file starts.
    pub fn start(&mut self, file: &str, total: u64) {
        self.last = None;
        self.tick(file, 0, total);
    }
}
