//! Telling a text table from binary data before reading it: a file of zeros, random bytes or a
//! workbook saved under a .csv name decodes "successfully" as Windows-1252 and would be read as
//! one huge value or an empty table, so it is refused up front with a message that says what it
//! looks like.

use std::io::Read;
use std::path::Path;

use super::limits::{check_file_size, grouped, MAX_FILE_BYTES, SNIFF_BYTES};
use super::{decode, unreadable, TextEncoding};
use crate::error::ImportError;

/// Reads a text file (CSV, JSON) whole, after checking its size and that its start is text, so
/// neither a huge file nor a binary one is read into memory at all.
pub(super) fn read_text_file(
    path: &Path,
    file: &str,
    forced: Option<TextEncoding>,
) -> Result<Vec<u8>, ImportError> {
    let mut f = std::fs::File::open(path).map_err(|e| unreadable(file, e))?;
    let size = f.metadata().map_err(|e| unreadable(file, e))?.len();
    check_file_size(file, size)?;
    let mut bytes = Vec::with_capacity(SNIFF_BYTES.min(size as usize));
    (&mut f)
        .take(SNIFF_BYTES as u64)
        .read_to_end(&mut bytes)
        .map_err(|e| unreadable(file, e))?;
    check_text_start(file, &bytes, forced)?;
    bytes.reserve((size as usize).saturating_sub(bytes.len()));
    // The file may have grown since its size was read; never read past the limit.
    f.take(MAX_FILE_BYTES + 1 - bytes.len() as u64)
        .read_to_end(&mut bytes)
        .map_err(|e| unreadable(file, e))?;
    check_file_size(file, bytes.len() as u64)?;
    Ok(bytes)
}

/// Refuses a file whose first bytes are not text: they hold a NUL character, or more than one
/// character in 32 is a control character no text table has. A known binary format is named.
pub(super) fn check_text_start(
    file: &str,
    start: &[u8],
    forced: Option<TextEncoding>,
) -> Result<(), ImportError> {
    let sample = &start[..start.len().min(SNIFF_BYTES)];
    let (text, _) = decode(sample, forced);
    let mut chars = 0usize;
    let mut controls = 0usize;
    let mut nul = false;
    for c in text.chars() {
        chars += 1;
        if c == '\0' {
            nul = true;
            break;
        }
        if c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\x0c' | '\x1a') {
            controls += 1;
        }
    }
    if nul || controls * 32 > chars {
        return Err(ImportError {
            file: file.to_string(),
            row: None,
            column: None,
            message: format!(
                "The file is not a text table: {}. Import CSV or TSV text, a JSON array, or a workbook with its own extension (.xlsx, .xls, .ods).",
                describe_binary(sample)
            ),
        });
    }
    Ok(())
}

/// What a binary file's first bytes say it is.
fn describe_binary(start: &[u8]) -> String {
    let kind = if start.starts_with(b"PK\x03\x04") {
        Some("a zip archive, such as an XLSX or ODS workbook saved under another extension")
    } else if start.starts_with(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") {
        Some("an Excel 97-2003 (.xls) workbook or another Office file")
    } else if start.starts_with(b"%PDF") {
        Some("a PDF document")
    } else if start.starts_with(b"\x1F\x8B") {
        Some("a gzip-compressed file")
    } else {
        None
    };
    let utf16 = start.len() >= 8
        && (start.iter().step_by(2).all(|&b| b == 0)
            || start.iter().skip(1).step_by(2).all(|&b| b == 0));
    match kind {
        Some(kind) => format!("it looks like {kind}"),
        None if utf16 && start.iter().any(|&b| b != 0) => "it looks like UTF-16 text without a byte-order mark; choose the encoding utf-16le or utf-16be".to_string(),
        None if !start.is_empty() && start.iter().all(|&b| b == 0) => {
            "it holds only zero bytes (NUL characters)".to_string()
        }
        None => "it holds binary data (NUL or control characters), not text".to_string(),
    }
}

/// Refuses decoded text holding a NUL character, naming the row (as a spreadsheet counts lines)
/// where the first one is: text never holds one, so the file is damaged or not text from there.
pub(super) fn check_no_nul(file: &str, text: &str) -> Result<(), ImportError> {
    let Some(at) = text.find('\0') else {
        return Ok(());
    };
    let before = &text.as_bytes()[..at];
    let row = 1 + before
        .iter()
        .enumerate()
        .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && before.get(i + 1) != Some(&b'\n')))
        .count() as u64;
    Err(ImportError {
        file: file.to_string(),
        row: Some(row),
        column: None,
        message: format!(
            "This row holds a NUL character (at byte {} of the text): the file is damaged or holds binary data from here on, not text.",
            grouped(at as u64)
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(bytes: &[u8]) -> ImportError {
        check_text_start("f.csv", bytes, None).unwrap_err()
    }

    #[test]
    fn zeros_random_bytes_and_workbooks_are_not_text() {
        let err = refused(&[0u8; 4096]);
        assert_eq!(err.file, "f.csv");
        assert!(err.message.contains("not a text table"), "{}", err.message);
        assert!(err.message.contains("only zero bytes"), "{}", err.message);
        // A deterministic stream of "random" bytes.
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let random: Vec<u8> = (0..4096)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 24) as u8
            })
            .collect();
        assert!(refused(&random).message.contains("binary data"));
        // Even without a NUL, a control character in every few bytes is not text.
        let controls: Vec<u8> = (0..400)
            .map(|i| if i % 8 == 0 { 0x01 } else { b'a' })
            .collect();
        assert!(check_text_start("f.csv", &controls, None).is_err());
        assert!(refused(b"PK\x03\x04\x14\x00\x00\x00")
            .message
            .contains("zip"));
    }

    #[test]
    fn text_in_any_encoding_passes() {
        for text in [
            &b"id,name\n1,M\xC3\xBCller\n"[..],
            b"id;name\r\n1;M\xFCller\r\n",
            b"\xEF\xBB\xBFid\tname\n",
            b"\xFF\xFEi\0d\0\n\0",
            b"a\tb\x0c\x1a",
            b"",
        ] {
            check_text_start("f.csv", text, None).unwrap();
        }
    }

    #[test]
    fn a_nul_later_names_its_row() {
        let err = check_no_nul("f.csv", "id\r\n1\r\n\r\n2\0").unwrap_err();
        assert_eq!(err.row, Some(4));
        assert!(check_no_nul("f.csv", "id\n1\n").is_ok());
    }
}
