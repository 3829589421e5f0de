//! CSV and other delimited text (TSV, semicolon- or bar-separated): decoding, delimiter
//! detection, and row numbers that match what a spreadsheet shows for the file.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use super::limits::{check_columns, check_file_size, check_next_row, check_values, no_data_rows};
use super::sniff::{check_no_nul, check_text_start, read_text_file};
use super::{
    decode, empty_file, file_label, header_names, numbered_columns, unreadable, ColumnRef,
    FileFormat, ImportOptions, Table, TextEncoding, PREVIEW_FULL_READ_LIMIT, PREVIEW_READ_BYTES,
};
use crate::error::{error, ImportError};

/// The delimiters detection chooses among, in order of preference when they score the same.
pub const CANDIDATE_DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];

/// How many records delimiter detection looks at.
const SNIFF_RECORDS: usize = 20;

/// Reads a CSV (or TSV) file. Errors name the file by its name only, not its full path.
pub fn read_csv(path: &Path, opts: &ImportOptions) -> Result<Table, ImportError> {
    let file = file_label(path);
    let bytes = read_text_file(path, &file, opts.encoding)?;
    let table = read_csv_bytes(&file, &bytes, opts)?;
    // A file of only a header would make a dataset with nothing to match. Text built in memory
    // (`read_csv_bytes`) may be header-only: the demo generator writes such tables.
    if table.rows.is_empty() {
        return Err(no_data_rows(&file, table.header_row, "The file"));
    }
    Ok(table)
}

/// Reads CSV content already in memory; `file` is the name used in the table and in errors.
pub fn read_csv_bytes(
    file: &str,
    bytes: &[u8],
    opts: &ImportOptions,
) -> Result<Table, ImportError> {
    parse(file, bytes, opts, false)
}

/// A large file is previewed from its first `PREVIEW_READ_BYTES`, cut at the last line break;
/// returns whether the whole file was read.
pub(super) fn preview_csv(path: &Path, opts: &ImportOptions) -> Result<(Table, bool), ImportError> {
    let file = file_label(path);
    let size = std::fs::metadata(path)
        .map_err(|e| unreadable(&file, e))?
        .len();
    // Refused now rather than after the user has set up the import.
    check_file_size(&file, size)?;
    if size <= PREVIEW_FULL_READ_LIMIT {
        return read_csv(path, opts).map(|t| (t, true));
    }
    let mut start = Vec::with_capacity(PREVIEW_READ_BYTES);
    std::fs::File::open(path)
        .and_then(|f| f.take(PREVIEW_READ_BYTES as u64).read_to_end(&mut start))
        .map_err(|e| unreadable(&file, e))?;
    match cut_at_line_break(&start, opts.encoding) {
        Some(end) => parse(&file, &start[..end], opts, true).map(|t| (t, false)),
        // One line longer than the whole read: there is no row to cut at.
        None => read_csv(path, opts).map(|t| (t, true)),
    }
}

/// The length of `bytes` up to and including its last line break, in the file's encoding: a
/// UTF-16 line break is two bytes, one of them zero, and cutting between them would leave half a
/// character. `None` when there is no line break.
fn cut_at_line_break(bytes: &[u8], forced: Option<TextEncoding>) -> Option<usize> {
    let utf16 = match forced {
        Some(e @ (TextEncoding::Utf16Le | TextEncoding::Utf16Be)) => Some(e),
        Some(_) => None,
        None if bytes.starts_with(b"\xFF\xFE") => Some(TextEncoding::Utf16Le),
        None if bytes.starts_with(b"\xFE\xFF") => Some(TextEncoding::Utf16Be),
        None => None,
    };
    let is_break = |b: u8| b == b'\n' || b == b'\r';
    match utf16 {
        None => bytes.iter().rposition(|&b| is_break(b)).map(|i| i + 1),
        Some(encoding) => (0..bytes.len() / 2).rev().find_map(|unit| {
            let pair = [bytes[2 * unit], bytes[2 * unit + 1]];
            let (low, high) = match encoding {
                TextEncoding::Utf16Le => (pair[0], pair[1]),
                _ => (pair[1], pair[0]),
            };
            (high == 0 && is_break(low)).then_some(2 * unit + 2)
        }),
    }
}

/// Parses CSV bytes. With `cut_tail`, the bytes are the start of a longer file cut at a line
/// break, which may split a quoted multi-line value: a problem in the last row read is then that
/// cut, not the file's, and the row is dropped.
fn parse(
    file: &str,
    bytes: &[u8],
    opts: &ImportOptions,
    cut_tail: bool,
) -> Result<Table, ImportError> {
    if let Some(d) = opts.delimiter {
        check_delimiter(file, d)?;
    }
    check_file_size(file, bytes.len() as u64)?;
    check_text_start(file, bytes, opts.encoding)?;
    let (text, encoding) = decode(bytes, opts.encoding);
    check_no_nul(file, &text)?;
    let delimiter = opts.delimiter.unwrap_or_else(|| detect_delimiter(&text));
    let read = read_rows(file, text.as_bytes(), delimiter, opts.has_header, cut_tail)?;
    let Some(columns) = read.columns else {
        return Err(empty_file(file, opts.has_header));
    };
    Ok(Table {
        file: file.to_string(),
        format: FileFormat::Csv,
        columns,
        rows: read.rows,
        header_row: read.header_row,
        row_numbers: read.row_numbers,
        delimiter,
        encoding,
        sheets: Vec::new(),
        sheet: None,
    })
}

/// A quote or line break as delimiter would make every row ambiguous, and a non-ASCII byte would
/// split characters of the decoded text.
fn check_delimiter(file: &str, d: u8) -> Result<(), ImportError> {
    if !d.is_ascii() || matches!(d, b'"' | b'\r' | b'\n') {
        return Err(error(
            file,
            None,
            None,
            format!(
                "{:?} cannot be used as the delimiter; use a comma, semicolon, tab or similar.",
                d as char
            ),
        ));
    }
    Ok(())
}

/// The records of `data` as the table's columns and rows, each checked where it is read so the
/// first problem in the file is the one reported.
fn read_rows(
    file: &str,
    data: &[u8],
    delimiter: u8,
    has_header: bool,
    cut_tail: bool,
) -> Result<Rows, ImportError> {
    let mut records = Records::new(data, delimiter);
    // One record reused for every row: the values are copied out only into the row kept.
    let mut record = ::csv::StringRecord::new();
    let mut read = Rows::default();
    while let Some(span) = records.read(file, &mut record)? {
        if record.iter().all(|v| v.trim().is_empty()) {
            // A line of only delimiters where the header belongs is a header without names, not
            // a blank line: skipping it would silently make the first data row the header.
            if read.columns.is_none() && has_header && record.len() > 1 {
                return Err(header_of_delimiters(file, span.row, record.len()));
            }
            continue;
        }
        let raw = data.get(span.start..span.end).unwrap_or_default();
        let columns = read.columns.as_deref();
        if let Some(problem) =
            record_problem(file, span.row, raw, &record, columns, has_header, delimiter)
        {
            let is_last = data[span.end..].iter().all(|&b| b == b'\r' || b == b'\n');
            if cut_tail && is_last {
                break;
            }
            return Err(problem);
        }
        read.take(file, span.row, &record, has_header)?;
    }
    Ok(read)
}

/// A record's place in the data: its spreadsheet row, and its bytes from `start` (any blank lines
/// the reader skipped before it included) to `end`.
struct Span {
    row: u64,
    start: usize,
    end: usize,
}

/// The csv reader, and what it takes to number the rows it reads as a spreadsheet does.
struct Records<'a> {
    reader: ::csv::Reader<&'a [u8]>,
    data: &'a [u8],
    /// The spreadsheet row of the last record read and the offset where its text ends, before its
    /// line break: line breaks are counted only outside records, so those inside quoted values do
    /// not add rows. Before the first record, the file's start is row 1.
    last_row: u64,
    last_end: usize,
}

impl<'a> Records<'a> {
    fn new(data: &'a [u8], delimiter: u8) -> Self {
        let reader = ::csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(data);
        Records {
            reader,
            data,
            last_row: 1,
            last_end: 0,
        }
    }

    /// Reads the next record into `record`; `None` at the end of the data.
    fn read(
        &mut self,
        file: &str,
        record: &mut ::csv::StringRecord,
    ) -> Result<Option<Span>, ImportError> {
        let data = self.data;
        let start = self.reader.position().byte() as usize;
        // The reader skips empty lines before a record; the record's text starts after them.
        let content_start = start + leading_line_breaks(data.get(start..).unwrap_or_default());
        let row = self.last_row + line_breaks(data, self.last_end, content_start);
        match self.reader.read_record(record) {
            Ok(true) => {}
            Ok(false) => return Ok(None),
            Err(e) => {
                let message = match e.kind() {
                    ::csv::ErrorKind::Utf8 { .. } => {
                        "This row contains bytes that are not valid text.".to_string()
                    }
                    _ => format!("This row could not be read: {e}"),
                };
                return Err(error(file, Some(row), None, message));
            }
        }
        let end = (self.reader.position().byte() as usize).min(data.len());
        self.last_row = row;
        self.last_end = content_start.max(end - trailing_line_breaks(&data[..end]));
        Ok(Some(Span { row, start, end }))
    }
}

/// The table as far as it has been read: the columns once the first row is in (`None` before),
/// then the data rows and their spreadsheet row numbers.
#[derive(Default)]
struct Rows {
    columns: Option<Vec<String>>,
    header_row: u64,
    rows: Vec<Vec<String>>,
    row_numbers: Vec<u64>,
}

impl Rows {
    /// Takes a non-blank record that passed the quoting and field-count checks: the first one
    /// names the columns when the file has a header, every other one is a data row.
    fn take(
        &mut self,
        file: &str,
        row: u64,
        record: &::csv::StringRecord,
        has_header: bool,
    ) -> Result<(), ImportError> {
        if self.columns.is_none() {
            check_columns(file, row, record.len())?;
            check_values(file, row, record.iter(), |i| format!("column {}", i + 1))?;
            if has_header {
                self.columns = Some(header_names(file, row, record.iter(), ColumnRef::Number)?);
                self.header_row = row;
                return Ok(());
            }
            self.columns = Some(numbered_columns(record.len()));
        }
        let cols = self.columns.as_deref().unwrap_or_default();
        check_next_row(file, row, self.rows.len(), cols.len())?;
        check_values(file, row, record.iter(), |i| column_label(Some(cols), i))?;
        self.rows.push(record.iter().map(clean_value).collect());
        self.row_numbers.push(row);
        Ok(())
    }
}

fn header_of_delimiters(file: &str, row: u64, columns: usize) -> ImportError {
    error(
        file,
        Some(row),
        Some("column 1".to_string()),
        format!(
            "The header row has {columns} columns but no column names: it holds only delimiters. Write the column names in it, or import the file without a header row (the columns are then named column_1, column_2, ...)."
        ),
    )
}

/// Bad quoting in the record's bytes `raw`, or else, once the columns are known, a row with more
/// or fewer values than there are columns.
fn record_problem(
    file: &str,
    row: u64,
    raw: &[u8],
    record: &::csv::StringRecord,
    columns: Option<&[String]>,
    has_header: bool,
    delimiter: u8,
) -> Option<ImportError> {
    if let Some(problem) = check_quoting(raw, delimiter) {
        let column = column_label(columns, problem.field());
        return Some(error(file, Some(row), Some(column), problem.message()));
    }
    field_count_problem(file, row, record, columns?, has_header, delimiter)
}

/// A data row with more or fewer values than there are columns.
fn field_count_problem(
    file: &str,
    row: u64,
    record: &::csv::StringRecord,
    cols: &[String],
    has_header: bool,
    delimiter: u8,
) -> Option<ImportError> {
    let expected = if has_header {
        format!("the header has {} columns", cols.len())
    } else {
        format!("the first row has {} values", cols.len())
    };
    let (column, message) = if record.len() > cols.len() {
        (
            format!("column {}", cols.len() + 1),
            format!(
                "This row has {} values but {expected}. A value may contain the delimiter {} without being in quotes.",
                record.len(),
                delimiter_name(delimiter)
            ),
        )
    } else if record.len() < cols.len() {
        let missing = &cols[record.len()];
        (
            missing.clone(),
            format!(
                "This row has {} values but {expected}; the value for \"{missing}\" and any after it are missing.",
                record.len(),
            ),
        )
    } else {
        return None;
    };
    Some(ImportError {
        file: file.to_string(),
        row: Some(row),
        column: Some(column),
        message,
    })
}

/// How many line-break bytes `raw` starts with.
fn leading_line_breaks(raw: &[u8]) -> usize {
    raw.iter()
        .take_while(|&&b| b == b'\r' || b == b'\n')
        .count()
}

/// How many line-break bytes `raw` ends with.
fn trailing_line_breaks(raw: &[u8]) -> usize {
    raw.iter()
        .rev()
        .take_while(|&&b| b == b'\r' || b == b'\n')
        .count()
}

/// The line breaks in `data[from..to]`, counting `\r\n`, `\n` and a lone `\r` as one each, as
/// the csv reader does, so rows are counted where the reader ends them. The byte at `to` is
/// looked at so a `\r\n` split by `to` is counted once, in whichever range holds its `\n`.
fn line_breaks(data: &[u8], from: usize, to: usize) -> u64 {
    let to = to.min(data.len());
    let from = from.min(to);
    (from..to)
        .filter(|&i| data[i] == b'\n' || (data[i] == b'\r' && data.get(i + 1) != Some(&b'\n')))
        .count() as u64
}

/// Picks the candidate delimiter that splits the first records into the same number of fields
/// (more than one) most often; among equals, the one giving more fields, then the earlier
/// candidate. Quotes are honoured, so a comma inside a quoted value does not count.
/// Single-column files get `,`.
pub fn detect_delimiter(text: &str) -> u8 {
    let mut best: Option<(usize, usize, u8)> = None;
    for &d in &CANDIDATE_DELIMITERS {
        let mut reader = ::csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(d)
            .from_reader(text.as_bytes());
        let mut counts: Vec<usize> = Vec::with_capacity(SNIFF_RECORDS);
        let mut record = ::csv::ByteRecord::new();
        while counts.len() < SNIFF_RECORDS {
            match reader.read_byte_record(&mut record) {
                Ok(true) => {
                    if record.iter().any(|v| !v.trim_ascii().is_empty()) {
                        counts.push(record.len());
                    }
                }
                _ => break,
            }
        }
        // The most frequent field count, and on how many records it occurs.
        let mut tally: HashMap<usize, usize> = HashMap::new();
        for &c in &counts {
            *tally.entry(c).or_default() += 1;
        }
        let Some((fields, lines)) = tally
            .into_iter()
            .filter(|&(fields, _)| fields > 1)
            .max_by_key(|&(fields, lines)| (lines, fields))
        else {
            continue;
        };
        if best.is_none_or(|(l, f, _)| (lines, fields) > (l, f)) {
            best = Some((lines, fields, d));
        }
    }
    best.map_or(b',', |(_, _, d)| d)
}

fn clean_value(v: &str) -> String {
    v.strip_suffix('\r').unwrap_or(v).to_string()
}

fn column_label(columns: Option<&[String]>, index: usize) -> String {
    columns
        .and_then(|c| c.get(index))
        .cloned()
        .unwrap_or_else(|| format!("column {}", index + 1))
}

fn delimiter_name(d: u8) -> String {
    match d {
        b',' => "comma (,)".into(),
        b';' => "semicolon (;)".into(),
        b'\t' => "tab".into(),
        b'|' => "bar (|)".into(),
        other => format!("{:?}", other as char),
    }
}

#[derive(Debug, PartialEq)]
enum QuoteProblem {
    Unclosed { field: usize },
    TextAfterQuote { field: usize },
}

impl QuoteProblem {
    /// 0-based index of the field where the problem is.
    fn field(&self) -> usize {
        match self {
            QuoteProblem::Unclosed { field } | QuoteProblem::TextAfterQuote { field } => *field,
        }
    }

    fn message(&self) -> String {
        match self {
            QuoteProblem::Unclosed { .. } => "A value starts with a quote (\") that is never closed, so the rest of the file would be read as part of it. Add the closing quote.".into(),
            QuoteProblem::TextAfterQuote { .. } => "A quoted value has more text after its closing quote. Put the whole value in quotes and write any quote inside it twice (\"\").".into(),
        }
    }
}

/// The csv crate reads bad quoting leniently (`"a"b` becomes `ab`, an unclosed quote swallows the
/// rest of the file) and never reports it, so each record's raw bytes are checked here to tell the
/// user instead of importing garbled values. The rules are the csv crate's: a quote opens a quoted
/// value only as a field's first byte, and `""` inside one is a literal quote.
fn check_quoting(raw: &[u8], delimiter: u8) -> Option<QuoteProblem> {
    // The record's slice starts with any blank lines the reader skipped before it.
    let mut i = leading_line_breaks(raw);
    let mut field = 0;
    let mut at_field_start = true;
    while let Some(&b) = raw.get(i) {
        if at_field_start && b == b'"' {
            i += 1;
            loop {
                match raw.get(i) {
                    None => return Some(QuoteProblem::Unclosed { field }),
                    Some(b'"') if raw.get(i + 1) == Some(&b'"') => i += 2,
                    Some(b'"') => {
                        i += 1;
                        break;
                    }
                    Some(_) => i += 1,
                }
            }
            match raw.get(i) {
                None | Some(b'\r') | Some(b'\n') => return None,
                Some(&next) if next == delimiter => {
                    field += 1;
                    i += 1;
                }
                Some(_) => return Some(QuoteProblem::TextAfterQuote { field }),
            }
        } else {
            if b == delimiter {
                field += 1;
                at_field_start = true;
            } else if b == b'\r' || b == b'\n' {
                return None;
            } else {
                at_field_start = false;
            }
            i += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_with(text: &[u8], opts: &ImportOptions) -> Result<Table, ImportError> {
        read_csv_bytes("t.csv", text, opts)
    }

    fn no_header() -> ImportOptions {
        ImportOptions {
            has_header: false,
            ..ImportOptions::default()
        }
    }

    #[test]
    fn without_header_the_first_row_is_data() {
        let t = read_with(b"\n1;Acme;5\n\n2;Beta;6\n", &no_header()).unwrap();
        assert_eq!(t.columns, ["column_1", "column_2", "column_3"]);
        assert_eq!(t.rows, [["1", "Acme", "5"], ["2", "Beta", "6"]]);
        assert_eq!(t.header_row, 0);
        assert_eq!(t.row_numbers, [2, 4]);
        // Names that would clash or be empty in a header are just values.
        let t = read_with(b"id,id,\n", &no_header()).unwrap();
        assert_eq!(t.rows, [["id", "id", ""]]);

        let err = read_with(b"1,a\n2,b,c\n", &no_header()).unwrap_err();
        assert_eq!(err.row, Some(2));
        assert_eq!(err.column.as_deref(), Some("column 3"));
        assert!(
            err.message.contains("the first row has 2 values"),
            "{}",
            err.message
        );
        let err = read_with(b"1,a\n2\n", &no_header()).unwrap_err();
        assert_eq!(err.column.as_deref(), Some("column_2"));

        let err = read_with(b"\n \n", &no_header()).unwrap_err();
        assert_eq!(err.message, "The file is empty: it has no data.");
    }

    #[test]
    fn forced_encoding_decides_the_text() {
        let bytes = b"id;name\r\n1;M\xFCller\r\n";
        let t = read_with(bytes, &ImportOptions::default()).unwrap();
        assert_eq!(
            (t.encoding, t.rows[0][1].as_str()),
            ("windows-1252", "Müller")
        );
        let utf8 = ImportOptions {
            encoding: Some(TextEncoding::Utf8),
            ..ImportOptions::default()
        };
        let t = read_with(bytes, &utf8).unwrap();
        assert_eq!(
            (t.encoding, t.rows[0][1].as_str()),
            ("utf-8", "M\u{FFFD}ller")
        );

        // The BOM of the forced encoding is skipped; another encoding's is just bytes.
        let t = read_with(b"\xEF\xBB\xBFid\n\xC3\xA9\n", &utf8).unwrap();
        assert_eq!(t.columns, ["id"]);
        let cp1252 = ImportOptions {
            encoding: Some(TextEncoding::Windows1252),
            ..ImportOptions::default()
        };
        let t = read_with(b"id\n\xC3\xA9\n", &cp1252).unwrap();
        assert_eq!(t.rows, [["Ã©"]]);

        let mut le = Vec::new();
        for unit in "id,name\n1,Schäfer\n".encode_utf16() {
            le.extend_from_slice(&unit.to_le_bytes());
        }
        let utf16 = ImportOptions {
            encoding: Some(TextEncoding::Utf16Le),
            ..ImportOptions::default()
        };
        let t = read_with(&le, &utf16).unwrap();
        assert_eq!((t.encoding, t.rows[0][1].as_str()), ("utf-16le", "Schäfer"));
    }

    #[test]
    fn cuts_at_the_last_line_break_of_the_encoding() {
        assert_eq!(cut_at_line_break(b"a,b\n1,2\n3,", None), Some(8));
        assert_eq!(cut_at_line_break(b"a,b\r1,2", None), Some(4));
        assert_eq!(cut_at_line_break(b"a,b", None), None);
        // "a\n\u{0A00}" in UTF-16LE: the last 0x0A byte is half of U+0A00, not a line break.
        let le = b"\xFF\xFEa\x00\n\x00\x00\x0A";
        assert_eq!(cut_at_line_break(le, None), Some(6));
        let be = b"\xFE\xFF\x00a\x00\n\x0A\x00";
        assert_eq!(cut_at_line_break(be, None), Some(6));
        assert_eq!(
            cut_at_line_break(b"a\x00\n\x00b", Some(TextEncoding::Utf16Le)),
            Some(4)
        );
    }

    fn big_file(dir: &Path, tail: &str) -> std::path::PathBuf {
        let path = dir.join("big.csv");
        let mut text = String::from("id,note\n");
        let mut n = 0;
        while text.len() < PREVIEW_READ_BYTES - 20 {
            n += 1;
            text.push_str(&format!("{n},row {n}\n"));
        }
        // A quoted value spanning the cut: the preview must drop that row, not fail.
        text.push_str("\"x\",\"");
        text.push_str(&"long line\n".repeat(10));
        text.push_str("end\"\n");
        text.push_str(tail);
        while (text.len() as u64) <= PREVIEW_FULL_READ_LIMIT {
            n += 1;
            text.push_str(&format!("{n},row {n}\n"));
        }
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn large_files_are_previewed_from_their_start() {
        let dir = tempfile::tempdir().unwrap();
        let path = big_file(dir.path(), "");
        let (table, complete) = preview_csv(&path, &ImportOptions::default()).unwrap();
        assert!(!complete);
        assert_eq!(table.columns, ["id", "note"]);
        let last = table.rows.last().unwrap();
        assert_ne!(last[0], "x", "the cut row is dropped");
        assert_eq!(last[1], format!("row {}", last[0]));
        assert_eq!(table.rows.len(), last[0].parse::<usize>().unwrap());
        assert!(table.rows.len() > 10_000);

        let (table, complete) =
            super::super::preview_table(&path, &ImportOptions::default(), 3).unwrap();
        assert!(!complete);
        assert_eq!(table.rows, [["1", "row 1"], ["2", "row 2"], ["3", "row 3"]]);
        assert_eq!(table.row_numbers, [2, 3, 4]);

        // The whole file reads fine, the multi-line value included.
        let full = read_csv(&path, &ImportOptions::default()).unwrap();
        assert!(full.rows.iter().any(|r| r[0] == "x"));

        // A real problem before the last row read is still an error.
        let bad = dir.path().join("bad.csv");
        let mut text = String::from("id,note\n1,a\n2,b,c\n");
        text.push_str(&"3,d\n".repeat(PREVIEW_FULL_READ_LIMIT as usize / 4));
        std::fs::write(&bad, text).unwrap();
        let err = preview_csv(&bad, &ImportOptions::default()).unwrap_err();
        assert_eq!(err.row, Some(3));
    }

    #[test]
    fn small_files_are_previewed_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("small.csv");
        std::fs::write(&path, "id,v\n1,a\n2,b\n3,c\n").unwrap();
        let (table, complete) =
            super::super::preview_table(&path, &ImportOptions::default(), 2).unwrap();
        assert!(complete);
        assert_eq!(table.rows, [["1", "a"], ["2", "b"]]);
        assert_eq!(table.row_numbers, [2, 3]);
    }
}
