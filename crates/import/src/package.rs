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
use crate::error::ImportError;

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

fn refuse(file: &str, row: Option<u64>, column: Option<String>, message: String) -> ImportError {
    ImportError {
        file: file.to_string(),
        row,
        column,
        message,
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

fn check_xlsx(file: &str, zip: &mut Zip, wanted: Option<&str>) -> Result<(), Stop> {
    // What calamine reads on opening, whole: relationships, workbook, styles and shared strings.
    let targets = xlsx_relationships(file, zip)?;
    let sheets = xlsx_sheets(file, zip, &targets)?;
    if let Some(name) = entry_name(zip, "xl/styles.xml") {
        scan_entry(file, zip, &name, |_, _| Ok(true))?;
    }
    let strings = match entry_name(zip, "xl/sharedStrings.xml") {
        Some(name) => count_shared_strings(file, zip, &name)?,
        None => 0,
    };
    for (sheet, entry) in xlsx_sheet_parts(zip, &sheets, wanted) {
        check_xlsx_sheet(file, zip, &sheet, &entry, strings)?;
    }
    Ok(())
}

/// The workbook's relationships: each id with the part it points at.
fn xlsx_relationships(file: &str, zip: &mut Zip) -> Result<Vec<(Vec<u8>, String)>, Stop> {
    let mut targets: Vec<(Vec<u8>, String)> = Vec::new();
    if let Some(name) = entry_name(zip, "xl/_rels/workbook.xml.rels") {
        scan_entry(file, zip, &name, |_, event| {
            if let Event::Start(e) = event {
                if e.local_name().as_ref() == b"Relationship" {
                    if let (Some(id), Some(target)) =
                        (attribute(&e, b"Id"), attribute(&e, b"Target"))
                    {
                        targets.push((
                            id.into_owned(),
                            String::from_utf8_lossy(&target).into_owned(),
                        ));
                    }
                }
            }
            Ok(true)
        })?;
    }
    Ok(targets)
}

/// The workbook's sheets in order: each one's name and, when its relationship resolves, the path
/// of its part.
fn xlsx_sheets(
    file: &str,
    zip: &mut Zip,
    targets: &[(Vec<u8>, String)],
) -> Result<Vec<(String, Option<String>)>, Stop> {
    let mut sheets: Vec<(String, Option<String>)> = Vec::new();
    if let Some(name) = entry_name(zip, "xl/workbook.xml") {
        scan_entry(file, zip, &name, |xml, event| {
            if let Event::Start(e) = event {
                if e.local_name().as_ref() == b"sheet" {
                    let sheet_name = e
                        .try_get_attribute("name")
                        .ok()
                        .flatten()
                        .and_then(|a| a.decode_and_unescape_value(xml.decoder()).ok())
                        .map(|v| v.into_owned())
                        .unwrap_or_default();
                    let id = attribute(&e, b"r:id").or_else(|| attribute(&e, b"relationships:id"));
                    let path = id
                        .and_then(|id| targets.iter().find(|(i, _)| i[..] == id[..]))
                        .map(|(_, t)| match t.strip_prefix('/') {
                            Some(t) if t.starts_with("xl/") => t.to_string(),
                            _ if t.starts_with("xl/") => t.clone(),
                            _ => format!("xl/{t}"),
                        });
                    sheets.push((sheet_name, path));
                }
            }
            Ok(true)
        })?;
    }
    Ok(sheets)
}

/// The worksheet parts to check, each with the name its errors give the sheet: the sheet the
/// import reads, matched as `sheet.rs` matches it; if it cannot be told, every worksheet.
fn xlsx_sheet_parts(
    zip: &Zip,
    sheets: &[(String, Option<String>)],
    wanted: Option<&str>,
) -> Vec<(String, String)> {
    let chosen = match wanted {
        None => sheets.first(),
        Some(w) => sheets.iter().find(|(n, _)| n == w).or_else(|| {
            sheets
                .iter()
                .find(|(n, _)| n.trim().to_lowercase() == w.trim().to_lowercase())
        }),
    };
    match chosen {
        Some((sheet, Some(path))) => entry_name(zip, path)
            .map(|entry| vec![(sheet.clone(), entry)])
            .unwrap_or_default(),
        _ => zip
            .file_names()
            .filter(|n| {
                let n = n.replace('\\', "/").to_ascii_lowercase();
                n.starts_with("xl/worksheets/") && n.ends_with(".xml")
            })
            .map(|n| (n.to_string(), n.to_string()))
            .collect(),
    }
}

/// The shared strings calamine keeps: one per `<si>` holding a `<t>` outside phonetic runs, or a
/// rich-text `<r>`.
fn count_shared_strings(file: &str, zip: &mut Zip, name: &str) -> Result<u64, Stop> {
    let (mut count, mut in_si, mut has_text, mut phonetic) = (0u64, false, false, false);
    scan_entry(file, zip, name, |_, event| {
        match event {
            Event::Start(e) => match e.local_name().as_ref() {
                b"si" if !in_si => (in_si, has_text, phonetic) = (true, false, false),
                b"r" if in_si => has_text = true,
                b"rPh" => phonetic = true,
                b"t" if in_si && !phonetic => has_text = true,
                _ => {}
            },
            Event::End(e) => match e.local_name().as_ref() {
                b"si" if in_si => {
                    in_si = false;
                    count += u64::from(has_text);
                }
                b"rPh" => phonetic = false,
                _ => {}
            },
            _ => {}
        }
        Ok(true)
    })?;
    Ok(count)
}

/// A cell reference: "B7" is row 6, column 1 (0-based); the row alone ("7") has no column.
/// `None` for anything outside an Excel sheet, which calamine would read wrongly or overflow on.
fn cell_ref(r: &[u8]) -> Option<(u32, Option<u32>)> {
    let letters = r.iter().take_while(|b| b.is_ascii_uppercase()).count();
    let digits = &r[letters..];
    if letters > 3
        || digits.is_empty()
        || digits.len() > 7
        || !digits.iter().all(u8::is_ascii_digit)
    {
        return None;
    }
    let row: u32 = std::str::from_utf8(digits).ok()?.parse().ok()?;
    if row == 0 || row > EXCEL_ROWS {
        return None;
    }
    let col = (letters > 0).then(|| {
        r[..letters]
            .iter()
            .fold(0u32, |c, &b| c * 26 + u32::from(b - b'A') + 1)
            - 1
    });
    match col {
        Some(c) if c >= EXCEL_COLUMNS => None,
        col => Some((row - 1, col)),
    }
}

/// The part of a sheet calamine keeps: the rectangle from the first to the last cell with a
/// value. Refused when it passes the limits, naming the cell that stretched it; also refused: a
/// shared-string index past the shared strings, and cell references outside a sheet.
fn check_xlsx_sheet(
    file: &str,
    zip: &mut Zip,
    sheet: &str,
    entry: &str,
    strings: u64,
) -> Result<(), Stop> {
    let mut scan = SheetScan {
        file,
        sheet,
        strings,
        row_index: 0,
        col_index: 0,
        cell: None,
        has_value: false,
        v_text: None,
        in_v: false,
        bounds: None,
    };
    scan_entry(file, zip, entry, |_, event| scan.event(event))
}

/// How far the scan of one worksheet has come.
struct SheetScan<'a> {
    file: &'a str,
    sheet: &'a str,
    /// How many shared strings the workbook has.
    strings: u64,
    /// Where a row or cell without a reference is: after the one before it.
    row_index: u32,
    col_index: u32,
    /// The cell being read: its position, whether it is a shared string, its value so far.
    cell: Option<(u32, u32, bool)>,
    has_value: bool,
    v_text: Option<Vec<u8>>,
    in_v: bool,
    /// First row, first column, last row, last column of the cells with a value so far.
    bounds: Option<(u32, u32, u32, u32)>,
}

impl SheetScan<'_> {
    /// Takes one event of the sheet's XML; false once past the cells.
    fn event(&mut self, event: Event<'_>) -> Result<bool, Stop> {
        match event {
            Event::Start(e) => self.start(&e)?,
            Event::Text(t) if self.in_v => {
                if let Some(v) = self.v_text.as_mut().filter(|v| v.len() < 32) {
                    v.extend_from_slice(&t);
                }
            }
            // An entity in a shared-string index: not a plain number.
            Event::GeneralRef(_) if self.in_v => {
                if let Some(v) = self.v_text.as_mut() {
                    v.push(b'&');
                }
            }
            Event::End(e) => return self.end(e.local_name().as_ref()),
            _ => {}
        }
        Ok(true)
    }

    fn start(&mut self, e: &BytesStart<'_>) -> Result<(), Stop> {
        match e.local_name().as_ref() {
            b"dimension" => {
                if let Some(r) = attribute(e, b"ref") {
                    for part in r.split(|&b| b == b':') {
                        cell_ref(part).ok_or_else(|| self.bad_ref(part))?;
                    }
                }
            }
            b"row" => {
                if let Some(r) = attribute(e, b"r") {
                    self.row_index = cell_ref(&r).ok_or_else(|| self.bad_ref(&r))?.0;
                }
            }
            b"c" => {
                let (row, col) = match attribute(e, b"r") {
                    Some(r) => match cell_ref(&r) {
                        Some((row, Some(col))) => (row, col),
                        _ => return Err(self.bad_ref(&r)),
                    },
                    None => (self.row_index, self.col_index),
                };
                self.col_index = col;
                let shared = attribute(e, b"t").as_deref() == Some(b"s");
                self.cell = Some((row, col, shared));
                (self.has_value, self.v_text, self.in_v) = (false, None, false);
            }
            b"v" if self.cell.is_some() => {
                (self.has_value, self.in_v) = (true, true);
                self.v_text.get_or_insert_with(Vec::new);
            }
            b"is" if self.cell.is_some() => self.has_value = true,
            _ => {}
        }
        Ok(())
    }

    /// Takes the end of an element by its local name; false at the end of the cells.
    fn end(&mut self, name: &[u8]) -> Result<bool, Stop> {
        match name {
            b"v" => self.in_v = false,
            b"row" => {
                self.row_index = self.row_index.saturating_add(1);
                self.col_index = 0;
            }
            b"c" => {
                if let Some((row, col, shared)) = self.cell.take() {
                    let (file, sheet) = (self.file, self.sheet);
                    if shared {
                        if let Some(v) = &self.v_text {
                            check_shared_index(file, sheet, row, col, v, self.strings)?;
                        }
                    }
                    if self.has_value {
                        self.bounds = Some(stretch(file, sheet, self.bounds, row, col)?);
                    }
                }
                self.col_index = self.col_index.saturating_add(1);
            }
            b"sheetData" => return Ok(false),
            _ => {}
        }
        Ok(true)
    }

    fn bad_ref(&self, r: &[u8]) -> Stop {
        Stop::Refuse(refuse(
            self.file,
            None,
            None,
            format!(
                "The sheet \"{}\" refers to the cell \"{}\", which is outside any sheet (at most 1,048,576 rows and 16,384 columns, A1 to XFD1048576): the file is damaged.",
                self.sheet,
                String::from_utf8_lossy(&r[..r.len().min(40)])
            ),
        ))
    }
}

fn check_shared_index(
    file: &str,
    sheet: &str,
    row: u32,
    col: u32,
    v: &[u8],
    strings: u64,
) -> Result<(), Stop> {
    let index = std::str::from_utf8(v)
        .ok()
        .filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|s| s.parse::<u64>().ok());
    if index.is_some_and(|i| i < strings) {
        return Ok(());
    }
    let what = match index {
        Some(i) => format!("the shared text number {i}"),
        None => format!(
            "the shared text \"{}\", which is no number",
            String::from_utf8_lossy(v)
        ),
    };
    Err(Stop::Refuse(refuse(
        file,
        Some(u64::from(row) + 1),
        Some(column_letter(col)),
        format!(
            "The cell {}{} of the sheet \"{sheet}\" refers to {what}, but the workbook has only {} shared texts: the file is damaged. Open and save it again in Excel or LibreOffice.",
            column_letter(col),
            row + 1,
            grouped(strings)
        ),
    )))
}

/// The bounds grown to take the cell at (`row`, `col`), refused once calamine's rectangle for
/// them passes the limits.
fn stretch(
    file: &str,
    sheet: &str,
    bounds: Option<(u32, u32, u32, u32)>,
    row: u32,
    col: u32,
) -> Result<(u32, u32, u32, u32), Stop> {
    let (r0, c0, r1, c1) = match bounds {
        None => (row, col, row, col),
        Some((r0, c0, r1, c1)) => (r0.min(row), c0.min(col), r1.max(row), c1.max(col)),
    };
    let rows = u64::from(r1 - r0) + 1;
    let cols = u64::from(c1 - c0) + 1;
    if rows > MAX_ROWS as u64 + 1 || cols > MAX_COLUMNS as u64 || rows * cols > MAX_CELLS {
        let cell = format!("{}{}", column_letter(col), row + 1);
        return Err(Stop::Refuse(refuse(
            file,
            Some(u64::from(row) + 1),
            Some(column_letter(col)),
            format!(
                "The sheet \"{sheet}\" has a value in cell {cell}, which makes its table {} rows by {} columns ({} cells), more than one import takes ({} rows, {} columns, {} cells). Delete the cells outside the table, or split the sheet.",
                grouped(rows),
                grouped(cols),
                grouped(rows * cols),
                grouped(MAX_ROWS as u64),
                grouped(MAX_COLUMNS as u64),
                grouped(MAX_CELLS)
            ),
        )));
    }
    Ok((r0, c0, r1, c1))
}

// ---- ODS --------------------------------------------------------------------------------------

/// One ODS table as calamine builds it: every `<table-row>` element is kept at the width up to
/// its last value, then the rows from the first to the last with a value are expanded by their
/// repeat counts at the widest width.
#[derive(Default)]
struct OdsTable {
    name: String,
    /// Sheet rows so far, repeats counted.
    rows: u64,
    /// Cells kept before expansion.
    kept: u64,
    /// Rows from the first row with a value to the last, repeats counted, and the empty rows
    /// since the last row with a value.
    span: Option<u64>,
    empty_since: u64,
    /// The widest row, up to its last value.
    width: u64,
}

fn check_ods(file: &str, zip: &mut Zip) -> Result<(), Stop> {
    for name in ["mimetype", "META-INF/manifest.xml"] {
        if let Some(entry) = entry_name(zip, name) {
            if name.ends_with(".xml") {
                scan_entry(file, zip, &entry, |_, _| Ok(true))?;
            }
        }
    }
    let Some(content) = entry_name(zip, "content.xml") else {
        return Ok(());
    };
    let mut scan = OdsScan {
        file,
        table: None,
        workbook_cells: 0,
        row: None,
        row_has_value: false,
        cell_buf: Vec::new(),
    };
    scan_entry(file, zip, &content, |xml, event| scan.event(xml, event))
}

/// How far the scan of an ODS workbook's content has come.
struct OdsScan<'a> {
    file: &'a str,
    /// The table being read.
    table: Option<OdsTable>,
    /// Cells kept by the tables before this one: calamine keeps every sheet in memory.
    workbook_cells: u64,
    /// The row being read: its repeats, the width kept, and the empty cells since its last value.
    row: Option<(u64, u64, u64)>,
    row_has_value: bool,
    /// Where a cell's content is skipped to, reused.
    cell_buf: Vec<u8>,
}

impl OdsScan<'_> {
    /// Takes one event of content.xml; a cell's content is skipped through `xml`.
    fn event(&mut self, xml: &mut Xml<'_>, event: Event<'_>) -> Result<bool, Stop> {
        match event {
            Event::Start(e) if e.name().as_ref() == b"table:table" => {
                let name = attribute(&e, b"table:name")
                    .map(|n| String::from_utf8_lossy(&n).into_owned())
                    .unwrap_or_default();
                self.table = Some(OdsTable {
                    name,
                    ..OdsTable::default()
                });
            }
            Event::Start(e) if e.name().as_ref() == b"table:table-row" && self.table.is_some() => {
                let repeats = repeat(self.file, &self.table, &e, b"table:number-rows-repeated")?;
                self.row = Some((repeats, 0, 0));
                self.row_has_value = false;
            }
            Event::Start(e)
                if self.row.is_some()
                    && matches!(
                        e.name().as_ref(),
                        b"table:table-cell" | b"table:covered-table-cell"
                    ) =>
            {
                self.cell(xml, &e)?;
            }
            Event::End(e) if e.name().as_ref() == b"table:table-row" => self.end_row()?,
            Event::End(e) if e.name().as_ref() == b"table:table" => {
                if let Some(t) = self.table.take() {
                    let expanded = t.span.unwrap_or(0).saturating_mul(t.width);
                    self.workbook_cells = self.workbook_cells.saturating_add(t.kept.max(expanded));
                }
            }
            _ => {}
        }
        Ok(true)
    }

    /// Widens the row by the cell and its repeats, refused once the table's kept cells pass the
    /// limit.
    fn cell(&mut self, xml: &mut Xml<'_>, e: &BytesStart<'_>) -> Result<(), Stop> {
        let repeats = repeat(self.file, &self.table, e, b"table:number-columns-repeated")?;
        let (_, width, pending) = self.row.as_mut().expect("in a row");
        *width = width.saturating_add(*pending);
        *pending = 0;
        if ods_cell_has_value(e) {
            *width = width.saturating_add(repeats);
            self.row_has_value = true;
        } else {
            *pending = repeats;
        }
        let t = self.table.as_ref().expect("in a table");
        if t.kept.saturating_add(*width) > MAX_CELLS {
            return Err(ods_too_big(self.file, t, t.rows + 1, *width).into());
        }
        self.cell_buf.clear();
        xml.read_to_end_into(e.name(), &mut self.cell_buf)
            .map_err(|_| Stop::Malformed)?;
        Ok(())
    }

    /// Adds the row to its table, refused once the table as calamine expands it, with the
    /// tables before it, passes the limits.
    fn end_row(&mut self) -> Result<(), Stop> {
        let (Some(t), Some((repeats, width, _))) = (self.table.as_mut(), self.row.take()) else {
            return Ok(());
        };
        t.kept = t.kept.saturating_add(width);
        if self.row_has_value {
            t.span = Some(match t.span {
                None => repeats,
                Some(span) => span.saturating_add(t.empty_since).saturating_add(repeats),
            });
            t.empty_since = 0;
            t.width = t.width.max(width);
        } else {
            t.empty_since = t.empty_since.saturating_add(repeats);
        }
        t.rows = t.rows.saturating_add(repeats);
        let expanded = t.span.unwrap_or(0).saturating_mul(t.width);
        let span = t.span.unwrap_or(0);
        if self.workbook_cells.saturating_add(t.kept.max(expanded)) > MAX_CELLS
            || span > MAX_ROWS as u64 + 1
            || t.width > MAX_COLUMNS as u64
        {
            return Err(ods_too_big(self.file, t, t.rows, t.width).into());
        }
        Ok(())
    }
}

/// A repeat count; calamine reports a malformed one itself.
fn repeat(
    file: &str,
    table: &Option<OdsTable>,
    e: &BytesStart<'_>,
    name: &[u8],
) -> Result<u64, Stop> {
    let Some(raw) = attribute(e, name) else {
        return Ok(1);
    };
    let Some(n) = std::str::from_utf8(&raw)
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
    else {
        return Err(Stop::Malformed);
    };
    if n > MAX_ODS_REPEAT {
        let sheet = table.as_ref().map_or("", |t| t.name.as_str());
        return Err(Stop::Refuse(refuse(
            file,
            table.as_ref().map(|t| t.rows + 1),
            None,
            format!(
                "The sheet \"{sheet}\" repeats a {} {} times, more than a sheet can hold: the file is damaged or built to exhaust memory.",
                if name.ends_with(b"rows-repeated") { "row" } else { "cell" },
                grouped(n)
            ),
        )));
    }
    Ok(n)
}

/// Whether calamine reads a value from the cell: any value attribute, a formula, or the string
/// type (whose text may be empty).
fn ods_cell_has_value(e: &BytesStart<'_>) -> bool {
    e.attributes().flatten().any(|a| match a.key.as_ref() {
        b"office:value"
        | b"office:string-value"
        | b"office:date-value"
        | b"office:time-value"
        | b"office:boolean-value"
        | b"table:formula" => true,
        b"office:value-type" => a.value.as_ref() == b"string",
        _ => false,
    })
}

fn ods_too_big(file: &str, t: &OdsTable, row: u64, width: u64) -> ImportError {
    let span = t.span.unwrap_or(0);
    refuse(
        file,
        Some(row),
        (width > 0).then(|| column_letter(width.min(u64::from(u32::MAX)) as u32 - 1)),
        format!(
            "The sheet \"{}\" repeats rows or cells until it spans {} rows by {} columns (the rows and columns of every sheet together may have at most {} cells, {} rows and {} columns in one import). Delete the repeated empty or filled rows and columns, or split the sheet.",
            t.name,
            grouped(span.max(row)),
            grouped(width.max(t.width)),
            grouped(MAX_CELLS),
            grouped(MAX_ROWS as u64),
            grouped(MAX_COLUMNS as u64)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

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
