//! The most one import reads, in one place, and the errors that say so.
//!
//! Every reader checks these before it allocates for what a file claims to hold (a file's size
//! before reading it, a workbook's decompressed size and cell area before the spreadsheet reader
//! expands it), so a hostile or damaged file is refused in bounded time and memory instead of
//! exhausting the machine. The values are far above real finance data: a purchase-order table of
//! two million rows by twenty columns as CSV is about 400 MB and 40 million cells. See "Hostile
//! files (issue 11)" in docs/DECISIONS.md.

use crate::error::{error, ImportError};

/// The largest file read, in bytes (1 GiB), checked before reading it.
pub const MAX_FILE_BYTES: u64 = 1 << 30;
/// The most a workbook's parts (XLSX, ODS: zip archives of XML) may decompress to, in bytes
/// (2 GiB), as declared and as actually inflated.
pub const MAX_DECOMPRESSED_BYTES: u64 = 2 << 30;
/// The most entries a workbook's zip archive may have; real workbooks have a few dozen.
pub const MAX_ZIP_ENTRIES: usize = 10_000;
/// The most data rows one import takes.
pub const MAX_ROWS: usize = 5_000_000;
/// The most columns one import takes (Excel's own limit is 16,384).
pub const MAX_COLUMNS: usize = 4_096;
/// The most cells (rows times columns) one import takes; with the row and column limits this is
/// what bounds memory: about 100 bytes a cell while reading and storing, so at most about 5 GB.
pub const MAX_CELLS: u64 = 50_000_000;
/// The longest value of one cell, in bytes of UTF-8 (1 MiB; Excel keeps at most 32,767
/// characters in a cell).
pub const MAX_CELL_BYTES: usize = 1 << 20;
/// The most text one row may hold, in bytes (16 MiB). A row is stored as one JSON text, which
/// this keeps far below SQLite's limit of 1,000,000,000 bytes for one value even when every
/// character needs escaping.
pub const MAX_ROW_BYTES: usize = 16 << 20;
/// How much of a text file is looked at to tell text from binary data before reading it all.
pub const SNIFF_BYTES: usize = 64 * 1024;

/// Numbers with thousands separators, as the messages show them.
pub(super) fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A file larger than `MAX_FILE_BYTES`, refused before it is read.
pub(super) fn check_file_size(file: &str, size: u64) -> Result<(), ImportError> {
    if size > MAX_FILE_BYTES {
        return Err(error(
            file,
            None,
            None,
            format!(
                "The file is {} bytes, more than the {} bytes (1 GiB) one import reads. Split it into smaller files.",
                grouped(size),
                grouped(MAX_FILE_BYTES)
            ),
        ));
    }
    Ok(())
}

/// A header or first row with more than `MAX_COLUMNS` values.
pub(super) fn check_columns(file: &str, row: u64, count: usize) -> Result<(), ImportError> {
    if count > MAX_COLUMNS {
        return Err(error(
            file,
            Some(row),
            Some(format!("column {}", MAX_COLUMNS + 1)),
            format!(
                "This row has {} columns, more than the {} one import takes.",
                grouped(count as u64),
                grouped(MAX_COLUMNS as u64)
            ),
        ));
    }
    Ok(())
}

/// Whether one more data row of `columns` values still fits, checked before it is kept:
/// `rows` data rows are kept already.
pub(super) fn check_next_row(
    file: &str,
    row: u64,
    rows: usize,
    columns: usize,
) -> Result<(), ImportError> {
    if rows >= MAX_ROWS {
        return Err(error(
            file,
            Some(row),
            None,
            format!(
                "The file has more than {} data rows, the most one import takes. Split it into smaller files.",
                grouped(MAX_ROWS as u64)
            ),
        ));
    }
    let cells = (rows as u64 + 1).saturating_mul(columns as u64);
    if cells > MAX_CELLS {
        return Err(error(
            file,
            Some(row),
            None,
            format!(
                "The file has more than {} cells (rows times columns), the most one import takes. Split it into smaller files or remove unused columns.",
                grouped(MAX_CELLS)
            ),
        ));
    }
    Ok(())
}

/// A row's values checked against `MAX_CELL_BYTES` and `MAX_ROW_BYTES`; `label` names the
/// column of a value by its 0-based index.
pub(super) fn check_values<'a>(
    file: &str,
    row: u64,
    values: impl IntoIterator<Item = &'a str>,
    label: impl Fn(usize) -> String,
) -> Result<(), ImportError> {
    let mut total = 0usize;
    for (i, value) in values.into_iter().enumerate() {
        if value.len() > MAX_CELL_BYTES {
            return Err(error(
                file,
                Some(row),
                Some(label(i)),
                format!(
                    "This value is {} bytes long, more than the {} bytes (1 MiB) one cell may hold. A quote may be missing, so the rest of the file was read as one value.",
                    grouped(value.len() as u64),
                    grouped(MAX_CELL_BYTES as u64)
                ),
            ));
        }
        total += value.len();
        if total > MAX_ROW_BYTES {
            return Err(error(
                file,
                Some(row),
                Some(label(i)),
                format!(
                    "This row holds more than {} bytes (16 MiB) of text, the most one row may hold.",
                    grouped(MAX_ROW_BYTES as u64)
                ),
            ));
        }
    }
    Ok(())
}

/// A file (or sheet) with a header but not one data row: importing it would make a dataset with
/// nothing to match, which is never what the user meant.
pub(super) fn no_data_rows(file: &str, header_row: u64, what: &str) -> ImportError {
    error(
        file,
        (header_row > 0).then_some(header_row),
        None,
        format!(
            "{what} has no data rows: only a header row. There is nothing to import; check that this is the right file."
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1000), "1,000");
        assert_eq!(grouped(1_073_741_824), "1,073,741,824");
    }

    #[test]
    fn limits_name_the_row_and_column() {
        assert!(check_file_size("f.csv", MAX_FILE_BYTES).is_ok());
        let err = check_file_size("f.csv", MAX_FILE_BYTES + 1).unwrap_err();
        assert!(err.message.contains("1 GiB"), "{}", err.message);
        let err = check_columns("f.csv", 3, MAX_COLUMNS + 1).unwrap_err();
        assert_eq!(err.row, Some(3));
        assert!(check_next_row("f.csv", 9, MAX_ROWS - 1, 1).is_ok());
        assert!(check_next_row("f.csv", 9, MAX_ROWS, 1).is_err());
        let err = check_next_row("f.csv", 9, 1000, (MAX_CELLS / 1000) as usize).unwrap_err();
        assert!(err.message.contains("cells"), "{}", err.message);
        let long = "x".repeat(MAX_CELL_BYTES + 1);
        let err = check_values("f.csv", 2, ["a", long.as_str()], |i| format!("c{i}")).unwrap_err();
        assert_eq!(err.row, Some(2));
        assert_eq!(err.column.as_deref(), Some("c1"));
        let cell = "y".repeat(MAX_CELL_BYTES);
        let row = vec![cell.as_str(); 17];
        let err = check_values("f.csv", 2, row, |i| format!("c{i}")).unwrap_err();
        assert_eq!(err.column.as_deref(), Some("c16"));
    }
}
