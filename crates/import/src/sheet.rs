//! Workbooks (XLSX, XLSM, XLS, ODS) through calamine: one sheet becomes a table, each cell's
//! typed value becomes the text a CSV export of it would hold.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use calamine::{open_workbook, Data, ExcelDateTime, Range, Reader, Sheets};
use chrono::{Datelike, NaiveDate};

use super::limits::{check_columns, check_next_row, check_values, no_data_rows};
use super::{
    empty_file, file_label, header_names, numbered_columns, package, unreadable, ColumnRef,
    FileFormat, ImportOptions, Table,
};
use crate::error::ImportError;

pub(super) fn read_workbook(
    path: &Path,
    format: FileFormat,
    opts: &ImportOptions,
) -> Result<Table, ImportError> {
    let file = file_label(path);
    let err = |message: String| ImportError {
        file: file.clone(),
        row: None,
        column: None,
        message,
    };
    // calamine reports a missing file as a workbook error; the user should read "not found".
    std::fs::metadata(path).map_err(|e| unreadable(&file, e))?;
    // What calamine would build from the file is checked against the limits first: it trusts
    // the file's repeats, cell references and sizes.
    package::check_workbook(path, &file, format, opts.sheet.as_deref())?;
    // The checks above cover the panics known in calamine; any other one in a damaged file is
    // still a damaged file to the user, not a crash.
    let guarded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        read_sheet(path, &file, format, opts)
    }));
    let (range, sheets, sheet) = guarded.unwrap_or_else(|_| {
        Err(err(format!(
            "The file could not be read as an {} workbook: it is damaged in a way the spreadsheet reader cannot handle. Open and save it again in Excel or LibreOffice.",
            format.as_str().to_uppercase()
        )))
    })?;
    let (columns, rows, header_row, row_numbers) = table_from_range(&file, &range, opts.has_header)
        .map_err(|e| match e {
            // Name the sheet: the workbook may have several, and an empty one is easily picked.
            e if e.row.is_none() => err(format!(
                "The sheet \"{sheet}\" is empty: it has {}.",
                if opts.has_header {
                    "no header row and no data"
                } else {
                    "no data"
                }
            )),
            e => e,
        })?;
    if rows.is_empty() {
        return Err(no_data_rows(
            &file,
            header_row,
            &format!("The sheet \"{sheet}\""),
        ));
    }
    Ok(Table {
        file,
        format,
        columns,
        rows,
        header_row,
        row_numbers,
        delimiter: b',',
        encoding: "utf-8",
        sheets,
        sheet: Some(sheet),
    })
}

/// Opens the workbook and reads the chosen sheet's cells: the sheet's range, every sheet's name
/// and the name of the sheet read.
fn read_sheet(
    path: &Path,
    file: &str,
    format: FileFormat,
    opts: &ImportOptions,
) -> Result<(Range<Data>, Vec<String>, String), ImportError> {
    let err = |message: String| ImportError {
        file: file.to_string(),
        row: None,
        column: None,
        message,
    };
    let opened: Result<Sheets<BufReader<File>>, String> = match format {
        FileFormat::Xlsx => open_workbook(path)
            .map(Sheets::Xlsx)
            .map_err(|e: calamine::XlsxError| e.to_string()),
        FileFormat::Xls => open_workbook(path)
            .map(Sheets::Xls)
            .map_err(|e: calamine::XlsError| e.to_string()),
        FileFormat::Ods => open_workbook(path)
            .map(Sheets::Ods)
            .map_err(|e: calamine::OdsError| e.to_string()),
        FileFormat::Csv | FileFormat::Json | FileFormat::EInvoice => {
            unreachable!("not a workbook format")
        }
    };
    let kind = format.as_str().to_uppercase();
    let mut workbook = opened.map_err(|e| {
        err(format!(
            "The file could not be read as an {kind} workbook ({e}). It may be damaged, protected by a password, or in another format than its extension says."
        ))
    })?;
    let sheets = workbook.sheet_names();
    let sheet = match &opts.sheet {
        None => sheets
            .first()
            .cloned()
            .ok_or_else(|| err("The workbook has no sheets.".to_string()))?,
        Some(wanted) => sheets
            .iter()
            .find(|s| *s == wanted)
            // A name typed by hand may differ in case or surrounding spaces.
            .or_else(|| {
                sheets
                    .iter()
                    .find(|s| s.trim().to_lowercase() == wanted.trim().to_lowercase())
            })
            .cloned()
            .ok_or_else(|| {
                err(format!(
                    "There is no sheet named \"{wanted}\". The sheets are: {}.",
                    sheets.join(", ")
                ))
            })?,
    };
    let range = workbook
        .worksheet_range(&sheet)
        .map_err(|e| err(format!("The sheet \"{sheet}\" could not be read: {e}")))?;
    Ok((range, sheets, sheet))
}

type Parts = (Vec<String>, Vec<Vec<String>>, u64, Vec<u64>);

/// The columns, rows, header row and row numbers of a sheet's cells. Rows and columns are numbered
/// as the sheet shows them: the range starts at the first used cell, not at A1.
fn table_from_range(
    file: &str,
    range: &Range<Data>,
    has_header: bool,
) -> Result<Parts, ImportError> {
    let Some((first_row, first_col)) = range.start() else {
        return Err(empty_file(file, has_header));
    };
    let refs = ColumnRef::Letter { first: first_col };
    let mut columns: Option<Vec<String>> = None;
    let mut header_row = 0;
    let mut rows = Vec::new();
    let mut row_numbers = Vec::new();
    for (i, cells) in range.rows().enumerate() {
        let row = u64::from(first_row) + i as u64 + 1;
        if cells.iter().all(is_blank) {
            continue;
        }
        let cols = match &columns {
            Some(cols) => cols,
            None if has_header => {
                columns = Some(header(file, row, cells, refs)?);
                header_row = row;
                continue;
            }
            None => {
                check_columns(file, row, cells.len())?;
                columns.insert(numbered_columns(cells.len()))
            }
        };
        let values = data_row(file, row, cells, refs, cols, has_header, rows.len())?;
        rows.push(values);
        row_numbers.push(row);
    }
    match columns {
        Some(columns) => Ok((columns, rows, header_row, row_numbers)),
        None => Err(empty_file(file, has_header)),
    }
}

fn cell_error(file: &str, row: u64, column: String, message: String) -> ImportError {
    ImportError {
        file: file.to_string(),
        row: Some(row),
        column: Some(column),
        message,
    }
}

/// The column names in the header row's cells.
fn header(
    file: &str,
    row: u64,
    cells: &[Data],
    refs: ColumnRef,
) -> Result<Vec<String>, ImportError> {
    // The range is as wide as the widest row; the header ends at its last name.
    let width = cells
        .iter()
        .rposition(|c| !is_blank(c))
        .map_or(0, |j| j + 1);
    check_columns(file, row, width)?;
    let names = cell_texts(file, row, &cells[..width], &|j| refs.label(j))?;
    check_values(file, row, names.iter().map(String::as_str), |j| {
        refs.label(j)
    })?;
    header_names(file, row, names.iter().map(String::as_str), refs)
}

/// The texts of `cells`; a cell holding an error is refused, named by `labels` from its index.
fn cell_texts(
    file: &str,
    row: u64,
    cells: &[Data],
    labels: &dyn Fn(usize) -> String,
) -> Result<Vec<String>, ImportError> {
    cells
        .iter()
        .enumerate()
        .map(|(j, cell)| {
            cell_text(cell).map_err(|code| {
                cell_error(
                    file,
                    row,
                    labels(j),
                    format!(
                        "The cell holds the error {code} instead of a value. Correct the formula or clear the cell, then import again."
                    ),
                )
            })
        })
        .collect::<Result<Vec<String>, ImportError>>()
}

/// The values of a non-blank row after the header, one per column of `cols`; `kept` is how many
/// data rows are in before it. A value beyond the last column is refused rather than dropped.
fn data_row(
    file: &str,
    row: u64,
    cells: &[Data],
    refs: ColumnRef,
    cols: &[String],
    has_header: bool,
    kept: usize,
) -> Result<Vec<String>, ImportError> {
    if let Some(j) = (cols.len()..cells.len()).find(|&j| !is_blank(&cells[j])) {
        let letter = refs.label(j);
        return Err(cell_error(
            file,
            row,
            letter.clone(),
            format!(
                "This row has a value in column {letter}, beyond the last column of the header ({}). Give the column a name in the header row or remove the value.",
                refs.label(cols.len() - 1)
            ),
        ));
    }
    let width = cols.len().min(cells.len());
    let label = |j: usize| {
        if has_header {
            cols[j].clone()
        } else {
            refs.label(j)
        }
    };
    check_next_row(file, row, kept, cols.len())?;
    let mut values = cell_texts(file, row, &cells[..width], &label)?;
    check_values(file, row, values.iter().map(String::as_str), label)?;
    values.resize(cols.len(), String::new());
    Ok(values)
}

/// Empty, or text of only spaces: rows of such cells are skipped, as blank lines of a CSV file are.
fn is_blank(cell: &Data) -> bool {
    match cell {
        Data::Empty => true,
        Data::String(s) => s.trim().is_empty(),
        _ => false,
    }
}

/// The text of a cell, or the error it holds (e.g. "#DIV/0!"): a formula's error is no value to
/// match on, and importing it as text would hide the broken formula.
fn cell_text(cell: &Data) -> Result<String, String> {
    Ok(match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number_text(*f),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => datetime_text(dt),
        Data::DateTimeIso(s) => iso_datetime_text(s),
        Data::DurationIso(s) => iso_duration_text(s),
        Data::Error(e) => return Err(e.to_string()),
    })
}

/// Workbooks store every number as a float, so 1500 is 1500.0: integers are shown without a
/// fraction, other values in the shortest form that reads back as the same float (never in
/// exponent notation, which the number parser would not take for an amount).
fn number_text(value: f64) -> String {
    if value == 0.0 {
        // Also -0.0, which would print as "-0".
        return "0".to_string();
    }
    value.to_string()
}

/// Dates as ISO "YYYY-MM-DD", with "THH:MM:SS" when there is a time of day; times without a date
/// (serial below 1) as "HH:MM:SS"; durations as hours:minutes:seconds, hours not wrapping at 24.
fn datetime_text(dt: &ExcelDateTime) -> String {
    if dt.is_duration() {
        return hms((dt.as_f64() * 86_400.0).round() as i64);
    }
    // Excel keeps times as fractions of a day, so 10:30 may come back as 10:29:59.999; rounding to
    // the second before splitting it into fields gives the time the sheet shows.
    let serial = dt.as_f64();
    let seconds = (serial * 86_400.0).round() as i64;
    let (year, month, day, _, _, _, _) = dt.to_ymd_hms_milli();
    let (day_seconds, whole_days) = (seconds.rem_euclid(86_400), seconds.div_euclid(86_400));
    if (0.0..1.0).contains(&serial) && whole_days == 0 {
        return hms(day_seconds);
    }
    // Rounding up to midnight moves the date too; to_ymd_hms_milli gave the unrounded day.
    let (year, month, day) = if whole_days as f64 > serial.floor() {
        next_day(year, month, day)
    } else {
        (year, month, day)
    };
    let date = format!("{year:04}-{month:02}-{day:02}");
    if day_seconds == 0 {
        date
    } else {
        format!(
            "{date}T{:02}:{:02}:{:02}",
            day_seconds / 3600,
            day_seconds / 60 % 60,
            day_seconds % 60
        )
    }
}

fn next_day(year: u16, month: u8, day: u8) -> (u16, u8, u8) {
    match NaiveDate::from_ymd_opt(year.into(), month.into(), day.into()).and_then(|d| d.succ_opt())
    {
        Some(d) => (d.year() as u16, d.month() as u8, d.day() as u8),
        // Only Excel's 1900-02-29, which never was, is no date; the sheet follows it with March 1.
        None => (year, month + 1, 1),
    }
}

fn hms(total_seconds: i64) -> String {
    let sign = if total_seconds < 0 { "-" } else { "" };
    let s = total_seconds.abs();
    format!("{sign}{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

/// ODS (and some XLSX writers) store dates as ISO text: "2024-02-12" or "2024-02-12T10:30:00.5".
/// Shown like workbook serial dates: the time only when there is one, without fractions.
fn iso_datetime_text(s: &str) -> String {
    let Some((date, time)) = s.split_once('T') else {
        return s.to_string();
    };
    let time = time.split(['.', 'Z', '+']).next().unwrap_or_default();
    match time {
        "" | "00:00:00" | "00:00" => date.to_string(),
        time => format!("{date}T{time}"),
    }
}

/// ODS durations are ISO 8601 ("PT12H30M15S"); shown as hours:minutes:seconds like workbook
/// durations. Anything else is kept as written.
fn iso_duration_text(s: &str) -> String {
    let parse = || -> Option<i64> {
        let (negative, rest) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let rest = rest.strip_prefix('P')?;
        let (days, time) = match rest.split_once('T') {
            Some((days, time)) => (days, time),
            None => (rest, ""),
        };
        let mut seconds = 0.0;
        if !days.is_empty() {
            seconds += days.strip_suffix('D')?.parse::<f64>().ok()? * 86_400.0;
        }
        let mut number = String::new();
        for c in time.chars() {
            let unit = match c {
                'H' => 3600.0,
                'M' => 60.0,
                'S' => 1.0,
                c if c.is_ascii_digit() || c == '.' => {
                    number.push(c);
                    continue;
                }
                _ => return None,
            };
            seconds += number.parse::<f64>().ok()? * unit;
            number.clear();
        }
        if !number.is_empty() {
            return None;
        }
        let seconds = seconds.round() as i64;
        Some(if negative { -seconds } else { seconds })
    };
    parse().map_or_else(|| s.to_string(), hms)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::column_letter;
    use calamine::{CellErrorType, ExcelDateTimeType};

    fn date(serial: f64) -> Data {
        Data::DateTime(ExcelDateTime::new(
            serial,
            ExcelDateTimeType::DateTime,
            false,
        ))
    }

    fn sheet(start: (u32, u32), rows: &[&[Data]]) -> Range<Data> {
        let width = rows.iter().map(|r| r.len()).max().unwrap_or(1).max(1) as u32;
        let end = (start.0 + rows.len() as u32 - 1, start.1 + width - 1);
        let mut range = Range::new(start, end);
        for (i, row) in rows.iter().enumerate() {
            for (j, cell) in row.iter().enumerate() {
                range.set_value((start.0 + i as u32, start.1 + j as u32), cell.clone());
            }
        }
        range
    }

    fn s(v: &str) -> Data {
        Data::String(v.to_string())
    }

    #[test]
    fn converts_cell_values() {
        assert_eq!(cell_text(&Data::Float(1500.0)).unwrap(), "1500");
        assert_eq!(cell_text(&Data::Float(1487.5)).unwrap(), "1487.5");
        assert_eq!(
            cell_text(&Data::Float(0.1 + 0.2)).unwrap(),
            "0.30000000000000004"
        );
        assert_eq!(cell_text(&Data::Float(-0.0)).unwrap(), "0");
        assert_eq!(cell_text(&Data::Float(-12.25)).unwrap(), "-12.25");
        assert_eq!(cell_text(&Data::Float(1e16)).unwrap(), "10000000000000000");
        assert_eq!(cell_text(&Data::Float(0.000001)).unwrap(), "0.000001");
        assert_eq!(cell_text(&Data::Int(-42)).unwrap(), "-42");
        assert_eq!(cell_text(&Data::Bool(true)).unwrap(), "true");
        assert_eq!(cell_text(&Data::Bool(false)).unwrap(), "false");
        assert_eq!(cell_text(&s(" as is ")).unwrap(), " as is ");
        assert_eq!(cell_text(&Data::Empty).unwrap(), "");
        assert_eq!(
            cell_text(&Data::Error(CellErrorType::Div0)).unwrap_err(),
            "#DIV/0!"
        );
    }

    #[test]
    fn converts_dates_and_times() {
        // 45342 is 2024-02-20 in the 1900 system.
        assert_eq!(cell_text(&date(45342.0)).unwrap(), "2024-02-20");
        assert_eq!(cell_text(&date(45342.4375)).unwrap(), "2024-02-20T10:30:00");
        // 14:20 is not exact in binary; the sheet shows 14:20:00.
        let fourteen_twenty = 45342.0 + (14.0 * 60.0 + 20.0) / 1440.0;
        assert_eq!(
            cell_text(&date(fourteen_twenty)).unwrap(),
            "2024-02-20T14:20:00"
        );
        // Half a second before midnight rounds into the next day (and year).
        let new_year = 45658.0 - 0.4 / 86_400.0; // 2024-12-31 23:59:59.6
        assert_eq!(cell_text(&date(new_year)).unwrap(), "2025-01-01");
        assert_eq!(cell_text(&date(0.75)).unwrap(), "18:00:00");
        assert_eq!(next_day(2024, 2, 28), (2024, 2, 29));
        assert_eq!(next_day(1900, 2, 29), (1900, 3, 1));
        let long = Data::DateTime(ExcelDateTime::new(1.5, ExcelDateTimeType::TimeDelta, false));
        assert_eq!(cell_text(&long).unwrap(), "36:00:00");
        let mac = Data::DateTime(ExcelDateTime::new(
            45342.0 - 1462.0,
            ExcelDateTimeType::DateTime,
            true,
        ));
        assert_eq!(cell_text(&mac).unwrap(), "2024-02-20");
        assert_eq!(
            cell_text(&Data::DateTimeIso("2024-02-20".into())).unwrap(),
            "2024-02-20"
        );
        assert_eq!(
            cell_text(&Data::DateTimeIso("2024-02-20T00:00:00".into())).unwrap(),
            "2024-02-20"
        );
        assert_eq!(
            cell_text(&Data::DateTimeIso("2024-02-20T10:30:15.250".into())).unwrap(),
            "2024-02-20T10:30:15"
        );
        assert_eq!(
            cell_text(&Data::DurationIso("PT12H30M05S".into())).unwrap(),
            "12:30:05"
        );
        assert_eq!(
            cell_text(&Data::DurationIso("P1DT1H".into())).unwrap(),
            "25:00:00"
        );
        assert_eq!(
            cell_text(&Data::DurationIso("soon".into())).unwrap(),
            "soon"
        );
    }

    #[test]
    fn column_letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }

    #[test]
    fn rows_and_columns_are_numbered_as_the_sheet_shows_them() {
        // The table starts at C3: header in row 3, a blank row 5 skipped.
        let range = sheet(
            (2, 2),
            &[
                &[s("id"), s("amount"), Data::Empty],
                &[s("a"), Data::Float(1.0), Data::Empty],
                &[Data::Empty, s("  "), Data::Empty],
                &[s("b"), Data::Error(CellErrorType::Div0), Data::Empty],
            ],
        );
        let err = table_from_range("t.xlsx", &range, true).unwrap_err();
        assert_eq!(err.file, "t.xlsx");
        assert_eq!(err.row, Some(6));
        assert_eq!(err.column.as_deref(), Some("amount"));
        assert!(err.message.contains("#DIV/0!"), "{}", err.message);

        let range = sheet(
            (2, 2),
            &[
                &[s("id"), s("amount"), Data::Empty],
                &[s("a"), Data::Float(1.0), Data::Empty],
                &[Data::Empty, s("  "), Data::Empty],
                &[s("b"), Data::Float(2.5), Data::Bool(true)],
            ],
        );
        let err = table_from_range("t.xlsx", &range, true).unwrap_err();
        assert_eq!(err.row, Some(6));
        assert_eq!(err.column.as_deref(), Some("E"));
        assert!(err.message.contains("beyond"), "{}", err.message);

        let range = sheet(
            (2, 2),
            &[
                &[s("id"), s("amount")],
                &[s("a"), Data::Float(1.0)],
                &[Data::Empty, s("  ")],
                &[s("b"), Data::Empty],
            ],
        );
        let (columns, rows, header_row, row_numbers) =
            table_from_range("t.xlsx", &range, true).unwrap();
        assert_eq!(columns, ["id", "amount"]);
        assert_eq!(rows, [["a", "1"], ["b", ""]]);
        assert_eq!(header_row, 3);
        assert_eq!(row_numbers, [4, 6]);
    }

    #[test]
    fn header_problems_name_the_column_letter() {
        let range = sheet((0, 1), &[&[s("id"), Data::Empty, s("x")], &[s("1")]]);
        let err = table_from_range("t.xlsx", &range, true).unwrap_err();
        assert_eq!(err.row, Some(1));
        assert_eq!(err.column.as_deref(), Some("C"));
        assert!(
            err.message.contains("Column C has no name"),
            "{}",
            err.message
        );

        let range = sheet((1, 0), &[&[s("id"), s(" id ")]]);
        let err = table_from_range("t.xlsx", &range, true).unwrap_err();
        assert_eq!(err.row, Some(2));
        assert_eq!(err.column.as_deref(), Some("id"));
        assert!(err.message.contains("columns A and B"), "{}", err.message);

        // Non-text header cells name their columns by their text.
        let range = sheet((0, 0), &[&[Data::Float(2024.0), date(45342.0)], &[s("a")]]);
        let (columns, rows, _, _) = table_from_range("t.xlsx", &range, true).unwrap();
        assert_eq!(columns, ["2024", "2024-02-20"]);
        assert_eq!(rows, [["a", ""]]);
    }

    #[test]
    fn without_header_every_row_is_data() {
        let range = sheet(
            (4, 0),
            &[
                &[s("a"), Data::Float(1.5)],
                &[Data::Empty, Data::Empty],
                &[s("b"), Data::Error(CellErrorType::NA)],
            ],
        );
        let err = table_from_range("t.xlsx", &range, false).unwrap_err();
        assert_eq!(err.row, Some(7));
        assert_eq!(err.column.as_deref(), Some("B"));

        let range = sheet((4, 0), &[&[s("a"), Data::Float(1.5)], &[s("b")]]);
        let (columns, rows, header_row, row_numbers) =
            table_from_range("t.xlsx", &range, false).unwrap();
        assert_eq!(columns, ["column_1", "column_2"]);
        assert_eq!(rows, [["a", "1.5"], ["b", ""]]);
        assert_eq!(header_row, 0);
        assert_eq!(row_numbers, [5, 6]);
    }

    #[test]
    fn empty_sheet_is_an_error() {
        let err = table_from_range("t.xlsx", &Range::empty(), true).unwrap_err();
        assert_eq!(err.row, None);
        let range = sheet((0, 0), &[&[s(" ")]]);
        assert!(table_from_range("t.xlsx", &range, false).is_err());
        // A header alone is a table without rows, as in CSV.
        let range = sheet((0, 0), &[&[s("id")]]);
        let (columns, rows, _, _) = table_from_range("t.xlsx", &range, true).unwrap();
        assert_eq!(columns, ["id"]);
        assert!(rows.is_empty());
    }
}
