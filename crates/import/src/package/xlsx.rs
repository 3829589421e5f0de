//! XLSX parts: the workbook's sheets, each sheet's cell references and extent, and shared
//! string indexes, checked against what calamine would allocate.

use quick_xml::events::{BytesStart, Event};

use super::*;

pub(super) fn check_xlsx(file: &str, zip: &mut Zip, wanted: Option<&str>) -> Result<(), Stop> {
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
pub(super) fn cell_ref(r: &[u8]) -> Option<(u32, Option<u32>)> {
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
