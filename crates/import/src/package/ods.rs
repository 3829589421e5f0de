//! ODS content: tables with their repeated rows and columns, expanded only in arithmetic so a
//! table bomb is refused before calamine builds it.

use quick_xml::events::{BytesStart, Event};

use super::*;

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

pub(super) fn check_ods(file: &str, zip: &mut Zip) -> Result<(), Stop> {
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
