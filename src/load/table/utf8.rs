//! Whether an input file is UTF-8 text: checked in 64 KiB pieces for a
//! file on disk (never held whole), or on bytes in memory; a byte that is not
//! UTF-8 (or a UTF-16 file) is a finding naming the line and the byte, with
//! a hint how to save the file as UTF-8. A UTF-8 byte-order mark is dropped.

use std::path::Path;

use super::open_input;
use crate::findings::{Findings, Location, Severity};

/// Checks that a file is UTF-8 text, with the messages of [`decode_text`],
/// reading it in pieces (a large file is never held whole).
pub(super) fn check_utf8(path: &Path, file: &str, findings: &mut Findings) -> Option<()> {
    use std::io::BufRead;
    let (handle, _) = open_input(path, file, findings)?;
    let mut reader = std::io::BufReader::with_capacity(64 * 1024, handle);
    // Bytes of a character cut by the end of the previous piece.
    let mut carry: Vec<u8> = Vec::new();
    let mut piece: Vec<u8> = Vec::new();
    let mut line: usize = 1;
    let mut first = true;
    loop {
        let buf = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) => {
                findings.error(
                    file,
                    Location::File,
                    None,
                    format!("cannot read the file: {e}"),
                );
                return None;
            }
        };
        let end = buf.is_empty();
        piece.clear();
        piece.extend_from_slice(&carry);
        piece.extend_from_slice(buf);
        let read = buf.len();
        reader.consume(read);
        let mut text: &[u8] = &piece;
        if first {
            first = false;
            if text.starts_with(b"\xFF\xFE") || text.starts_with(b"\xFE\xFF") {
                // Let `decode_text` word the finding.
                return decode_text(file, text, findings).map(|_| ());
            }
            text = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(text);
        }
        match std::str::from_utf8(text) {
            Ok(_) => {
                line += newlines(text);
                carry.clear();
            }
            Err(e) if e.error_len().is_none() && !end => {
                let at = e.valid_up_to();
                line += newlines(&text[..at]);
                carry = text[at..].to_vec();
            }
            Err(e) => {
                let at = e.valid_up_to();
                let at_line = line + newlines(&text[..at]);
                utf8_finding(file, at_line, text[at], findings);
                return None;
            }
        }
        if end {
            return Some(());
        }
    }
}

/// A byte that is not UTF-8, at a 1-based line.
fn utf8_finding(file: &str, line: usize, byte: u8, findings: &mut Findings) {
    let latin1 = if byte >= 0xA0 {
        format!(
            ", which is \"{}\" in Latin-1 (ISO 8859-1, Windows-1252)",
            char::from(byte)
        )
    } else {
        String::new()
    };
    findings.push(
        Severity::Error,
        file,
        Location::Line(line as u64),
        None,
        format!("found the byte 0x{byte:02X}{latin1}, expected UTF-8 text"),
        Some(save_as_utf8("latin1")),
    );
}

/// Bytes of a text file (named `file` in messages) as UTF-8 text, dropping
/// a UTF-8 byte-order mark. Anything that is not UTF-8 is an error naming
/// the line and the byte, with a hint to save the file as UTF-8.
pub fn decode_text(file: &str, bytes: &[u8], findings: &mut Findings) -> Option<String> {
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        findings.push(
            Severity::Error,
            file,
            Location::File,
            None,
            "the file is UTF-16 text, expected UTF-8".into(),
            Some(save_as_utf8("utf-16")),
        );
        return None;
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Some(text.to_string()),
        Err(e) => {
            let at = e.valid_up_to();
            utf8_finding(file, text_lines(&bytes[..at]), bytes[at], findings);
            None
        }
    }
}

/// How to save a file as UTF-8, converting from `from` (an iconv name).
fn save_as_utf8(from: &str) -> String {
    format!(
        "save the file as UTF-8: in Excel \"Save As\" › \"CSV UTF-8 (comma delimited)\"; in QGIS set the encoding to UTF-8; or convert it with `iconv -f {from} -t utf-8 IN > OUT`"
    )
}

/// The number of line feeds in `bytes`.
fn newlines(bytes: &[u8]) -> usize {
    text_lines(bytes) - 1
}

/// The 1-based line number just after `bytes`.
fn text_lines(bytes: &[u8]) -> usize {
    bytes.split(|&b| b == b'\n').count()
}

#[cfg(test)]
mod tests {
    use super::{Findings, check_utf8, text_lines};

    /// The UTF-8 check reads the file in 64 KiB pieces: a character cut by
    /// the end of a piece is fine, a Latin-1 byte far into the file is found
    /// on its line, and a character cut by the end of the file is an error.
    #[test]
    fn utf8_is_checked_piece_by_piece() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.csv");
        let check = |bytes: &[u8]| {
            std::fs::write(&path, bytes).unwrap();
            let mut findings = Findings::default();
            let ok = check_utf8(&path, "f.csv", &mut findings).is_some();
            (
                ok,
                findings
                    .list
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>(),
            )
        };
        // "æ" (2 bytes) across the first boundary; a BOM in front shifts it.
        for lead in [64 * 1024 - 1, 64 * 1024 - 1 - 3] {
            let mut bytes = if lead < 64 * 1024 - 1 {
                b"\xEF\xBB\xBF".to_vec()
            } else {
                Vec::new()
            };
            bytes.extend(std::iter::repeat_n(b'a', lead));
            bytes.extend("æ\nø\n".as_bytes());
            assert_eq!(check(&bytes), (true, vec![]));
        }
        let mut bytes = "a,b\n".repeat(40_000).into_bytes();
        bytes.extend(b"x\xE6y\n");
        let (ok, found) = check(&bytes);
        assert!(!ok);
        assert!(
            found[0].starts_with("error: f.csv line 40001: found the byte 0xE6, which is \"æ\""),
            "{found:?}"
        );
        let (ok, found) = check("ab\næ".as_bytes().split_last().unwrap().1);
        assert!(!ok);
        assert!(
            found[0].starts_with("error: f.csv line 2: found the byte 0xC3"),
            "{found:?}"
        );
        assert!(!check(b"\xFF\xFEa\x00").0);
    }

    #[test]
    fn line_numbers() {
        assert_eq!(text_lines(b""), 1);
        assert_eq!(text_lines(b"a\nb\n"), 3);
    }
}
