//! Checks on a workbook's zip package (XLSX, ODS) before the spreadsheet reader opens it.
//!
//! calamine trusts what a package says: it expands an ODS sheet's repeated rows and columns in
//! memory, allocates an XLSX sheet as the rectangle from its first to its last cell, indexes
//! shared strings without a bounds check and inflates zip entries past their declared size. So
//! the parts it will read are inflated and scanned here first, as a stream with bounded memory,
//! and the file is refused with an error naming the sheet and cell when what calamine would build
//! passes the limits of `limits.rs`. A part whose XML is malformed is left for calamine to
//! report: it stops at the same byte.

use std::borrow::Cow;
use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use zip::ZipArchive;

use super::limits::{
    check_file_size, grouped, MAX_CELLS, MAX_COLUMNS, MAX_DECOMPRESSED_BYTES, MAX_ROWS,
    MAX_ZIP_ENTRIES,
};
use super::{column_letter, unreadable, FileFormat};

mod ods;
mod xlsx;

use self::ods::check_ods;
use self::xlsx::check_xlsx;
use crate::error::{error as refuse, ImportError};

/// Excel's sheet size, which no cell reference may pass.
const EXCEL_ROWS: u32 = 1_048_576;
const EXCEL_COLUMNS: u32 = 16_384;
/// The largest ODS repeat count taken (16,777,216): LibreOffice writes at most 1,048,576 rows
/// and 16,384 columns; larger counts only serve to blow the sheet up.
const MAX_ODS_REPEAT: u64 = 1 << 24;

type Zip = ZipArchive<BufReader<File>>;
/// The XML of one zip entry, read with calamine's settings.
type Xml<'a> = Reader<BufReader<Bounded<zip::read::ZipFile<'a, BufReader<File>>>>>;

/// What stopped a scan: a refusal to report, or XML that calamine will reject by itself.
enum Stop {
    Refuse(ImportError),
    Malformed,
}

impl From<ImportError> for Stop {
    fn from(e: ImportError) -> Self {
        Stop::Refuse(e)
    }
}

/// Checks the file's size and, for XLSX and ODS, its package; `sheet` is the sheet the import
/// will read, by name as the user gave it (`None`: the first).
pub(super) fn check_workbook(
    path: &Path,
    file: &str,
    format: FileFormat,
    sheet: Option<&str>,
) -> Result<(), ImportError> {
    let size = std::fs::metadata(path)
        .map_err(|e| unreadable(file, e))?
        .len();
    check_file_size(file, size)?;
    if !matches!(format, FileFormat::Xlsx | FileFormat::Ods) {
        return Ok(());
    }
    let mut f = File::open(path).map_err(|e| unreadable(file, e))?;
    check_zip_entry_count(file, &mut f, size)?;
    let Ok(mut zip) = ZipArchive::new(BufReader::new(f)) else {
        // Not a zip archive: calamine says so in its own words.
        return Ok(());
    };
    check_declared_sizes(file, &mut zip)?;
    let result = match format {
        FileFormat::Xlsx => check_xlsx(file, &mut zip, sheet),
        _ => check_ods(file, &mut zip),
    };
    match result {
        Ok(()) | Err(Stop::Malformed) => Ok(()),
        Err(Stop::Refuse(e)) => Err(e),
    }
}

/// The zip reader sizes its table of entries from the count the archive's end record claims, so
/// that count is read here first. Every end-record signature in the tail is looked at, since a
/// comment may hide one.
fn check_zip_entry_count(file: &str, f: &mut File, size: u64) -> Result<(), ImportError> {
    let tail_len = size.min(65_557 + 20);
    let mut tail = vec![0u8; tail_len as usize];
    f.seek(SeekFrom::Start(size - tail_len))
        .and_then(|_| f.read_exact(&mut tail))
        .map_err(|e| unreadable(file, e))?;
    let too_many = |count: u64| {
        refuse(
            file,
            None,
            None,
            format!(
                "The workbook's zip archive lists {} parts, more than the {} a workbook may have: it is damaged or not a real workbook.",
                grouped(count),
                grouped(MAX_ZIP_ENTRIES as u64)
            ),
        )
    };
    for at in (0..tail.len().saturating_sub(21)).rev() {
        if &tail[at..at + 4] != b"PK\x05\x06" {
            continue;
        }
        let count = u16::from_le_bytes([tail[at + 10], tail[at + 11]]) as u64;
        if count != 0xFFFF {
            if count as usize > MAX_ZIP_ENTRIES {
                return Err(too_many(count));
            }
            continue;
        }
        // ZIP64: the locator just before the end record gives where the real count is.
        if at < 20 || &tail[at - 20..at - 16] != b"PK\x06\x07" {
            continue;
        }
        let offset = u64::from_le_bytes(tail[at - 12..at - 4].try_into().expect("8 bytes"));
        let mut record = [0u8; 40];
        if offset.checked_add(40).is_none_or(|end| end > size) {
            continue;
        }
        f.seek(SeekFrom::Start(offset))
            .and_then(|_| f.read_exact(&mut record))
            .map_err(|e| unreadable(file, e))?;
        let count = u64::from_le_bytes(record[32..40].try_into().expect("8 bytes"));
        if &record[..4] == b"PK\x06\x06" && count > MAX_ZIP_ENTRIES as u64 {
            return Err(too_many(count));
        }
    }
    Ok(())
}

fn check_declared_sizes(file: &str, zip: &mut Zip) -> Result<(), ImportError> {
    if zip.len() > MAX_ZIP_ENTRIES {
        return Err(refuse(
            file,
            None,
            None,
            format!(
                "The workbook's zip archive has {} parts, more than the {} a workbook may have.",
                grouped(zip.len() as u64),
                grouped(MAX_ZIP_ENTRIES as u64)
            ),
        ));
    }
    let mut total = 0u64;
    for i in 0..zip.len() {
        let Ok(entry) = zip.by_index_raw(i) else {
            continue;
        };
        total = total.saturating_add(entry.size());
        if total > MAX_DECOMPRESSED_BYTES {
            return Err(refuse(
                file,
                None,
                None,
                format!(
                    "The workbook decompresses to more than {} bytes (2 GiB), the most one import reads (the part \"{}\" alone declares {} bytes). It is too large, or a zip bomb.",
                    grouped(MAX_DECOMPRESSED_BYTES),
                    entry.name(),
                    grouped(entry.size())
                ),
            ));
        }
    }
    Ok(())
}

/// A zip entry read through this never yields more than it declared: past that the entry lies
/// about its size (a zip bomb's trick), and reading stops with `overrun` set.
struct Bounded<R> {
    inner: R,
    left: u64,
    overrun: bool,
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n as u64 > self.left {
            self.overrun = true;
            return Err(io::Error::other("entry larger than declared"));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

/// The entry named `path` (case-insensitively, either slash), as calamine finds it.
fn entry_name(zip: &Zip, path: &str) -> Option<String> {
    zip.file_names()
        .find(|n| n.replace('\\', "/").eq_ignore_ascii_case(path))
        .map(str::to_string)
}

/// Streams the XML of an entry through `visit`, which sees every event; an entry larger than it
/// declares is refused.
fn scan_entry(
    file: &str,
    zip: &mut Zip,
    name: &str,
    mut visit: impl FnMut(&mut Xml<'_>, Event<'_>) -> Result<bool, Stop>,
) -> Result<(), Stop> {
    let Ok(entry) = zip.by_name(name) else {
        return Err(Stop::Malformed);
    };
    let declared = entry.size();
    let bounded = Bounded {
        inner: entry,
        left: declared,
        overrun: false,
    };
    let mut xml = Reader::from_reader(BufReader::new(bounded));
    let config = xml.config_mut();
    config.check_end_names = false;
    config.trim_text(false);
    config.check_comments = false;
    config.expand_empty_elements = true;
    let mut buf = Vec::with_capacity(1024);
    loop {
        buf.clear();
        let event = match xml.read_event_into(&mut buf) {
            Ok(Event::Eof) => return Ok(()),
            Ok(event) => event,
            Err(_) if xml.get_ref().get_ref().overrun => {
                return Err(Stop::Refuse(refuse(
                    file,
                    None,
                    None,
                    format!(
                        "The workbook's part \"{name}\" decompresses to more than the {} bytes it declares: the file is damaged or a zip bomb.",
                        grouped(declared)
                    ),
                )))
            }
            Err(_) => return Err(Stop::Malformed),
        };
        if !visit(&mut xml, event)? {
            return Ok(());
        }
    }
}

/// An attribute's raw value, by its full name.
fn attribute<'a>(e: &'a BytesStart<'_>, name: &[u8]) -> Option<Cow<'a, [u8]>> {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name)
        .map(|a| a.value)
}

// ---- XLSX -------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::xlsx::cell_ref;

    #[test]
    fn cell_references() {
        assert_eq!(cell_ref(b"A1"), Some((0, Some(0))));
        assert_eq!(cell_ref(b"B7"), Some((6, Some(1))));
        assert_eq!(cell_ref(b"XFD1048576"), Some((1_048_575, Some(16_383))));
        assert_eq!(cell_ref(b"12"), Some((11, None)));
        assert_eq!(cell_ref(b"XFE1"), None);
        assert_eq!(cell_ref(b"A1048577"), None);
        assert_eq!(cell_ref(b"A0"), None);
        assert_eq!(cell_ref(b"A99999999999"), None);
        assert_eq!(cell_ref(b"a1"), None);
        assert_eq!(cell_ref(b""), None);
    }
}
