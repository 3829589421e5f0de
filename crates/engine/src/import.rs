//! Reading tabular files into a `Table`, the common form every importer produces (CSV today,
//! XLSX and JSON later), and turning a table into reference records or documents.
//!
//! Errors always name the file and, where it applies, the row and column as a spreadsheet
//! (Excel, LibreOffice) shows them, because that is where the user goes to fix the file. A
//! spreadsheet shows every line of the file as a row, blank lines included, except that a quoted
//! value spanning several lines is one row. So a file starting with its header has the header as
//! row 1, but blank lines before a row push it down; they still produce no data row. Because of
//! that, a data row's number cannot be derived from its index: `Table` keeps each row's number,
//! so `to_records` and `to_documents` point at the same rows `read_csv` does.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;

use crate::domain::{Column, DatasetKind, Document, Record};
use crate::error::ImportError;
use crate::parse::{parse_date, parse_number};

#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Force a delimiter; `None` detects `,` `;` tab or `|`.
    pub delimiter: Option<u8>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The file's name as shown in errors.
    pub file: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// The spreadsheet row of the header.
    pub header_row: u64,
    /// The spreadsheet row of each entry of `rows`, for errors found after reading.
    pub row_numbers: Vec<u64>,
    pub delimiter: u8,
    /// "utf-8", "utf-16le", "utf-16be" or "windows-1252".
    pub encoding: &'static str,
}

/// The delimiters detection chooses among, in order of preference when they score the same.
pub const CANDIDATE_DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];

/// How many records delimiter detection looks at.
const SNIFF_RECORDS: usize = 20;

/// Reads a CSV (or TSV) file. Errors name the file by its name only, not its full path.
pub fn read_csv(path: &Path, opts: &ImportOptions) -> Result<Table, ImportError> {
    let file = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let bytes = std::fs::read(path).map_err(|e| ImportError {
        file: file.clone(),
        row: None,
        column: None,
        message: format!("The file could not be read: {e}"),
    })?;
    read_csv_bytes(&file, &bytes, opts)
}

/// Reads CSV content already in memory; `file` is the name used in the table and in errors.
pub fn read_csv_bytes(
    file: &str,
    bytes: &[u8],
    opts: &ImportOptions,
) -> Result<Table, ImportError> {
    let err = |row: Option<u64>, column: Option<String>, message: String| ImportError {
        file: file.to_string(),
        row,
        column,
        message,
    };

    if let Some(d) = opts.delimiter {
        // A quote or line break as delimiter would make every row ambiguous, and a non-ASCII byte
        // would split characters of the decoded text.
        if !d.is_ascii() || matches!(d, b'"' | b'\r' | b'\n') {
            return Err(err(
                None,
                None,
                format!(
                    "{:?} cannot be used as the delimiter; use a comma, semicolon, tab or similar.",
                    d as char
                ),
            ));
        }
    }

    let (text, encoding) = decode(bytes);
    let delimiter = opts.delimiter.unwrap_or_else(|| detect_delimiter(&text));
    let data = text.as_bytes();

    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(data);

    let mut record = csv::StringRecord::new();
    let mut columns: Option<Vec<String>> = None;
    let mut header_row = 1;
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut row_numbers: Vec<u64> = Vec::new();
    // The spreadsheet row of the last record read and the offset where its text ends, before its
    // line break: line breaks are counted only outside records, so those inside quoted values do
    // not add rows. Before the first record, the file's start is row 1.
    let (mut last_row, mut last_end) = (1, 0);
    loop {
        let start = reader.position().byte() as usize;
        // The reader skips empty lines before a record; the record's text starts after them.
        let content_start = start + leading_line_breaks(data.get(start..).unwrap_or_default());
        let row = last_row + line_breaks(data, last_end, content_start);
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let message = match e.kind() {
                    csv::ErrorKind::Utf8 { .. } => {
                        "This row contains bytes that are not valid text.".to_string()
                    }
                    _ => format!("This row could not be read: {e}"),
                };
                return Err(err(Some(row), None, message));
            }
        }
        let end = (reader.position().byte() as usize).min(data.len());
        last_row = row;
        last_end = content_start.max(end - trailing_line_breaks(&data[..end]));
        if record.iter().all(|v| v.trim().is_empty()) {
            continue;
        }
        if let Some(problem) = check_quoting(data.get(start..end).unwrap_or_default(), delimiter) {
            let column = column_label(columns.as_deref(), problem.field());
            return Err(err(Some(row), Some(column), problem.message()));
        }

        match &columns {
            None => {
                columns = Some(header(file, row, &record)?);
                header_row = row;
            }
            Some(cols) => {
                if record.len() > cols.len() {
                    return Err(err(
                        Some(row),
                        Some(format!("column {}", cols.len() + 1)),
                        format!(
                            "This row has {} values but the header has {} columns. A value may contain the delimiter {} without being in quotes.",
                            record.len(),
                            cols.len(),
                            delimiter_name(delimiter)
                        ),
                    ));
                }
                if record.len() < cols.len() {
                    return Err(err(
                        Some(row),
                        Some(cols[record.len()].clone()),
                        format!(
                            "This row has {} values but the header has {} columns; the value for \"{}\" and any after it are missing.",
                            record.len(),
                            cols.len(),
                            cols[record.len()]
                        ),
                    ));
                }
                rows.push(record.iter().map(clean_value).collect());
                row_numbers.push(row);
            }
        }
    }

    let Some(columns) = columns else {
        return Err(err(
            None,
            None,
            "The file is empty: it has no header row and no data.".to_string(),
        ));
    };
    Ok(Table {
        file: file.to_string(),
        columns,
        rows,
        header_row,
        row_numbers,
        delimiter,
        encoding,
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

/// Decodes the file's bytes: a BOM decides (UTF-8, UTF-16 LE or BE); without one, valid UTF-8 is
/// UTF-8 and anything else is taken as Windows-1252, what Excel writes on Western-European
/// systems. Windows-1252 maps every byte, so decoding never fails.
fn decode(bytes: &[u8]) -> (Cow<'_, str>, &'static str) {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        let (text, _) = encoding_rs::UTF_8.decode_without_bom_handling(rest);
        return (text, "utf-8");
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        let (text, _) = encoding_rs::UTF_16LE.decode_without_bom_handling(rest);
        return (text, "utf-16le");
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        let (text, _) = encoding_rs::UTF_16BE.decode_without_bom_handling(rest);
        return (text, "utf-16be");
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => (Cow::Borrowed(text), "utf-8"),
        Err(_) => {
            let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
            (text, "windows-1252")
        }
    }
}

/// Picks the candidate delimiter that splits the first records into the same number of fields
/// (more than one) most often; among equals, the one giving more fields, then the earlier
/// candidate. Quotes are honoured, so a comma inside a quoted value does not count.
/// Single-column files get `,`.
pub fn detect_delimiter(text: &str) -> u8 {
    let mut best: Option<(usize, usize, u8)> = None;
    for &d in &CANDIDATE_DELIMITERS {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(d)
            .from_reader(text.as_bytes());
        let mut counts: Vec<usize> = Vec::with_capacity(SNIFF_RECORDS);
        let mut record = csv::ByteRecord::new();
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

/// Column types from the values: "date" when every non-empty value is a date, else "number" when
/// every one is a number, else "string"; a column with no values is "string".
///
/// Dates are tried first because some date forms also read as numbers. The exception is a column
/// of plain digits (`20241231`, `45292`): such columns are far more often ids, references or
/// amounts than compact dates, so they are "number" whenever they read as numbers.
pub fn infer_columns(table: &Table) -> Vec<Column> {
    table
        .columns
        .iter()
        .enumerate()
        .map(|(i, name)| Column {
            name: name.clone(),
            kind: infer_kind(
                table
                    .rows
                    .iter()
                    .map(|r| r.get(i).map_or("", String::as_str)),
            )
            .to_string(),
        })
        .collect()
}

fn infer_kind<'a>(values: impl Iterator<Item = &'a str>) -> &'static str {
    let mut any = false;
    let mut date = true;
    let mut number = true;
    let mut all_digits = true;
    for v in values {
        let v = v.trim();
        if v.is_empty() {
            continue;
        }
        any = true;
        if all_digits && !v.bytes().all(|b| b.is_ascii_digit()) {
            all_digits = false;
        }
        if date && parse_date(v).is_none() {
            date = false;
        }
        if number && parse_number(v).is_none() {
            number = false;
        }
        if !date && !number {
            break;
        }
    }
    match (any, date, number) {
        (false, _, _) => "string",
        (true, true, true) if all_digits => "number",
        (true, true, _) => "date",
        (true, false, true) => "number",
        (true, false, false) => "string",
    }
}

/// Reference records. With an id column, its values (trimmed) must be present and unique; without
/// one, rows are "row-1", "row-2"... in file order. `values` is the whole row.
pub fn to_records(table: &Table, id_column: Option<&str>) -> Result<Vec<Record>, ImportError> {
    let ids = row_ids(table, id_column)?;
    Ok(ids
        .into_iter()
        .zip(&table.rows)
        .map(|(id, row)| Record {
            id,
            values: aligned(table, row),
        })
        .collect())
}

/// Documents, with the same id rules as `to_records`; the file name comes from `filename_column`
/// when given, and an empty one is `None`.
pub fn to_documents(
    table: &Table,
    id_column: Option<&str>,
    filename_column: Option<&str>,
) -> Result<Vec<Document>, ImportError> {
    let ids = row_ids(table, id_column)?;
    let filename_index = filename_column
        .map(|name| column_index(table, name))
        .transpose()?;
    Ok(ids
        .into_iter()
        .zip(&table.rows)
        .map(|(document_id, row)| Document {
            document_id,
            document_filename: filename_index
                .and_then(|i| row.get(i))
                .map(|f| f.trim())
                .filter(|f| !f.is_empty())
                .map(str::to_string),
            values: aligned(table, row),
        })
        .collect())
}

/// The column most likely to hold row ids. Documents: "document_id", "doc_id", then "id";
/// reference data: "id", then the first column ending in "_id". Names compare case-insensitively.
/// Only a guess: the caller still has `to_records`/`to_documents` check the values are unique.
pub fn guess_id_column(columns: &[String], kind: DatasetKind) -> Option<String> {
    match kind {
        DatasetKind::Documents => find_named(columns, &["document_id", "doc_id", "id"]),
        DatasetKind::Reference => find_named(columns, &["id"]).or_else(|| {
            columns
                .iter()
                .find(|c| c.trim().to_lowercase().ends_with("_id"))
                .cloned()
        }),
    }
}

/// The column most likely to hold the document's file name.
pub fn guess_filename_column(columns: &[String]) -> Option<String> {
    find_named(
        columns,
        &["document_filename", "filename", "file_name", "file"],
    )
}

/// The first of `names` (in their order of preference) that is a column.
fn find_named(columns: &[String], names: &[&str]) -> Option<String> {
    names.iter().find_map(|want| {
        columns
            .iter()
            .find(|c| c.trim().eq_ignore_ascii_case(want))
            .cloned()
    })
}

fn column_index(table: &Table, name: &str) -> Result<usize, ImportError> {
    table
        .columns
        .iter()
        .position(|c| c == name)
        .ok_or_else(|| ImportError {
            file: table.file.clone(),
            row: Some(table.header_row),
            column: Some(name.to_string()),
            message: format!(
                "There is no column named \"{name}\". The columns are: {}.",
                table.columns.join(", ")
            ),
        })
}

/// A row's values, one per column whatever the source produced, so values stay aligned with the
/// columns.
fn aligned(table: &Table, row: &[String]) -> Vec<String> {
    let mut values = row.to_vec();
    values.resize(table.columns.len(), String::new());
    values
}

/// The id of each row, checked present and unique. Ids are trimmed: a stray space is an accident
/// of typing, not a different id.
fn row_ids(table: &Table, id_column: Option<&str>) -> Result<Vec<String>, ImportError> {
    let Some(name) = id_column else {
        return Ok((1..=table.rows.len()).map(|n| format!("row-{n}")).collect());
    };
    let index = column_index(table, name)?;
    let mut first_row: HashMap<&str, u64> = HashMap::with_capacity(table.rows.len());
    let mut ids = Vec::with_capacity(table.rows.len());
    for (i, row) in table.rows.iter().enumerate() {
        // A table built by hand may have no row numbers; rows then follow the header directly.
        let row_number = table
            .row_numbers
            .get(i)
            .copied()
            .unwrap_or(table.header_row + 1 + i as u64);
        let id = row.get(index).map_or("", |v| v.trim());
        let err = |message: String| ImportError {
            file: table.file.clone(),
            row: Some(row_number),
            column: Some(name.to_string()),
            message,
        };
        if id.is_empty() {
            return Err(err(format!(
                "The id is empty. Every row needs its own id in the column \"{name}\"."
            )));
        }
        if let Some(first) = first_row.insert(id, row_number) {
            return Err(err(format!(
                "The id \"{id}\" is used twice: it first appears in row {first}. Every row needs its own id in the column \"{name}\"."
            )));
        }
        ids.push(id.to_string());
    }
    Ok(ids)
}

fn header(file: &str, row: u64, record: &csv::StringRecord) -> Result<Vec<String>, ImportError> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (i, raw) in record.iter().enumerate() {
        let name = raw.trim();
        if name.is_empty() {
            return Err(ImportError {
                file: file.to_string(),
                row: Some(row),
                column: Some(format!("column {}", i + 1)),
                message: format!(
                    "Column {} has no name in the header row; every column needs a name.",
                    i + 1
                ),
            });
        }
        if let Some(first) = seen.insert(name, i) {
            return Err(ImportError {
                file: file.to_string(),
                row: Some(row),
                column: Some(name.to_string()),
                message: format!(
                    "The column name \"{name}\" appears twice in the header (columns {} and {}); column names must be unique.",
                    first + 1,
                    i + 1
                ),
            });
        }
    }
    Ok(record.iter().map(|n| n.trim().to_string()).collect())
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

    fn fixture(name: &str) -> std::path::PathBuf {
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures")).join(name)
    }

    fn read_fixture(name: &str) -> Result<Table, ImportError> {
        read_csv(&fixture(name), &ImportOptions::default())
    }

    fn read(text: &str) -> Result<Table, ImportError> {
        read_csv_bytes("test.csv", text.as_bytes(), &ImportOptions::default())
    }

    fn strings(values: &[&str]) -> Vec<String> {
        values.iter().map(|v| v.to_string()).collect()
    }

    fn table(columns: &[&str], rows: &[&[&str]]) -> Table {
        Table {
            file: "t.csv".into(),
            columns: strings(columns),
            rows: rows.iter().map(|r| strings(r)).collect(),
            header_row: 1,
            row_numbers: (2..).take(rows.len()).collect(),
            delimiter: b',',
            encoding: "utf-8",
        }
    }

    #[test]
    fn reads_purchase_orders_fixture() {
        let t = read_fixture("pos_small.csv").unwrap();
        assert_eq!(t.file, "pos_small.csv");
        assert_eq!(t.delimiter, b',');
        assert_eq!(t.encoding, "utf-8");
        assert_eq!(
            t.columns,
            strings(&[
                "po_id",
                "po_number",
                "vendor_id",
                "vendor_name",
                "net_amount",
                "currency",
                "order_date",
                "description"
            ])
        );
        assert_eq!(t.rows.len(), 12);
        assert_eq!(t.rows[2][3], "Müller Maschinenbau AG");
        assert_eq!(t.rows[0][7], "Freight services, February");
        assert!(t.rows.iter().all(|r| r.len() == t.columns.len()));
    }

    #[test]
    fn reads_invoices_fixture_with_crlf() {
        let t = read_fixture("invoices_small.csv").unwrap();
        assert_eq!(t.rows.len(), 12);
        assert_eq!(t.columns.len(), 9);
        assert_eq!(t.columns[8], "description");
        assert!(t.rows.iter().flatten().all(|v| !v.contains('\r')));
        assert_eq!(t.rows[0][6], "1,487.50");
        let docs = to_documents(&t, Some("document_id"), Some("document_filename")).unwrap();
        assert_eq!(docs.len(), 12);
        assert_eq!(docs[0].document_id, "doc_1");
        assert_eq!(
            docs[0].document_filename.as_deref(),
            Some("invoice-northbridge-logistics-gmbh-INV-2024-0457.pdf")
        );
        assert_eq!(docs[8].document_filename, None);
        assert_eq!(docs[8].values.len(), 9);
    }

    #[test]
    fn reads_windows_1252_with_semicolons() {
        let t = read_fixture("invoices_semicolon_cp1252.csv").unwrap();
        assert_eq!(t.encoding, "windows-1252");
        assert_eq!(t.delimiter, b';');
        assert_eq!(t.columns.len(), 9);
        assert_eq!(t.rows.len(), 4);
        assert_eq!(t.rows[0][3], "Müller GmbH");
        assert_eq!(t.rows[0][6], "21.896,00");
        assert_eq!(t.rows[1][8], "Brötchen für die Kantine – Mai");
        assert_eq!(t.rows[2][8], "Kartons; groß");
        assert_eq!(t.rows[3][8], "Preis in €");
    }

    #[test]
    fn reads_utf8_with_bom() {
        let t = read_fixture("utf8_bom.csv").unwrap();
        assert_eq!(t.encoding, "utf-8");
        assert_eq!(t.columns, strings(&["id", "name", "amount"]));
        assert_eq!(t.rows[0][1], "Café Zürich");
    }

    #[test]
    fn reads_tabs() {
        let t = read_fixture("tabs.tsv").unwrap();
        assert_eq!(t.delimiter, b'\t');
        assert_eq!(t.columns, strings(&["id", "name", "amount", "note"]));
        assert_eq!(t.rows.len(), 3);
        assert_eq!(
            t.rows[0],
            strings(&["1", "Smith, John", "1,234.56", "paid; late"])
        );
        assert_eq!(t.rows[2][3], "");
    }

    #[test]
    fn reads_quoted_multiline_values() {
        let t = read_fixture("quoted_multiline.csv").unwrap();
        assert_eq!(t.rows.len(), 3);
        assert_eq!(t.rows[0][1], "Northbridge Logistics, GmbH");
        assert_eq!(t.rows[0][2], "Freight \"express\" service");
        assert_eq!(t.rows[1][2], "Line one\nLine two, with a comma");
        assert_eq!(t.rows[2][0], "3");
    }

    #[test]
    fn multiline_value_counts_as_one_row() {
        let err = read("id,note\n1,\"two\nlines\"\n2,ok,extra\n").unwrap_err();
        assert_eq!(err.row, Some(3));
    }

    #[test]
    fn blank_line_counts_as_a_row() {
        let err = read("id,name\n1,a\n\n2,b,extra\n").unwrap_err();
        assert_eq!(err.row, Some(4));
        // However the lines end.
        let err = read("id,name\r\n1,a\r\n\r\n2,b,extra\r\n").unwrap_err();
        assert_eq!(err.row, Some(4));
        let err = read("id,name\r1,a\r\r2,b,extra\r").unwrap_err();
        assert_eq!(err.row, Some(4));
        let err = read("id,name,amount\n1,a,5\n\n2,b\n").unwrap_err();
        assert_eq!(err.row, Some(4));
        assert_eq!(err.column.as_deref(), Some("amount"));
    }

    #[test]
    fn whitespace_only_lines_count_as_rows() {
        let t = read("\n id , name \n\n1,a\n   \n,\n2,b\n\n").unwrap();
        assert_eq!(t.header_row, 2);
        assert_eq!(t.row_numbers, vec![4, 7]);
    }

    #[test]
    fn duplicate_id_after_blank_lines_names_both_rows() {
        let t = read("id,v\n\n1,a\n2,b\n\n1,c\n").unwrap();
        assert_eq!(t.row_numbers, vec![3, 4, 6]);
        let err = to_records(&t, Some("id")).unwrap_err();
        assert_eq!(err.row, Some(6));
        assert_eq!(err.column.as_deref(), Some("id"));
        assert!(err.message.contains("row 3"), "{}", err.message);
        let err = to_documents(&t, Some("id"), None).unwrap_err();
        assert_eq!(err.row, Some(6));

        let t = read("id,v\n1,a\n\n ,b\n").unwrap();
        let err = to_records(&t, Some("id")).unwrap_err();
        assert_eq!(err.row, Some(4));
    }

    #[test]
    fn multiline_value_keeps_following_rows_numbered() {
        let t = read("id,note\n1,\"two\nlines\"\n1,ok\n").unwrap();
        assert_eq!(t.row_numbers, vec![2, 3]);
        let err = to_records(&t, Some("id")).unwrap_err();
        assert_eq!(err.row, Some(3));
        assert!(err.message.contains("row 2"), "{}", err.message);

        // Line breaks inside the value do not count; a blank line after it does.
        let t = read("id,note\r\n1,\"a\r\nb\rc\n\"\r\n\r\n2,x\r\n").unwrap();
        assert_eq!(t.row_numbers, vec![2, 4]);
        let err = read("id,note\r\n1,\"a\r\nb\r\nc\"\r\n\r\n2,x,y\r\n").unwrap_err();
        assert_eq!(err.row, Some(4));
        let t = read_fixture("quoted_multiline.csv").unwrap();
        assert_eq!(t.row_numbers, vec![2, 3, 4]);
    }

    #[test]
    fn leading_blank_line_moves_the_header_down() {
        let t = read("\nid,file\n1,a.pdf\n").unwrap();
        assert_eq!(t.header_row, 2);
        assert_eq!(t.row_numbers, vec![3]);
        let err = to_documents(&t, Some("id"), Some("nope")).unwrap_err();
        assert_eq!(err.row, Some(2));
        let err = to_records(&t, Some("nope")).unwrap_err();
        assert_eq!(err.row, Some(2));

        let err = read("\nid,name\n1,a\n2,b,c\n").unwrap_err();
        assert_eq!(err.row, Some(4));
        let err = read("\n\nid,,amount\n1,2,3\n").unwrap_err();
        assert_eq!(err.row, Some(3));
        let err = read("\r\nid,name,id\n").unwrap_err();
        assert_eq!(err.row, Some(2));
        let t = read("\nid,v\n1,a\n1,b\n").unwrap();
        let err = to_records(&t, Some("id")).unwrap_err();
        assert_eq!(err.row, Some(4));
        assert!(err.message.contains("row 3"), "{}", err.message);
    }

    #[test]
    fn quoting_errors_after_blank_lines() {
        let err = read("id,name\n\n1,\"q\"x\n").unwrap_err();
        assert_eq!(err.row, Some(3));
        assert_eq!(err.column.as_deref(), Some("name"));
        let err = read("id,name\n\n\n1,\"never\n2,b\n").unwrap_err();
        assert_eq!(err.row, Some(4));
        assert!(err.message.contains("never closed"));
    }

    #[test]
    fn hand_built_table_without_row_numbers() {
        let mut t = table(&["id"], &[&["1"], &["1"]]);
        t.row_numbers.clear();
        let err = to_records(&t, Some("id")).unwrap_err();
        assert_eq!(err.row, Some(3));
        assert!(err.message.contains("row 2"), "{}", err.message);
    }

    #[test]
    fn reads_utf16_with_bom() {
        let text = "id\tname\r\n1\tSchäfer\r\n";
        let mut le = vec![0xFF, 0xFE];
        let mut be = vec![0xFE, 0xFF];
        for unit in text.encode_utf16() {
            le.extend_from_slice(&unit.to_le_bytes());
            be.extend_from_slice(&unit.to_be_bytes());
        }
        for (bytes, encoding) in [(le, "utf-16le"), (be, "utf-16be")] {
            let t = read_csv_bytes("u.txt", &bytes, &ImportOptions::default()).unwrap();
            assert_eq!(t.encoding, encoding);
            assert_eq!(t.delimiter, b'\t');
            assert_eq!(t.columns, strings(&["id", "name"]));
            assert_eq!(t.rows, vec![strings(&["1", "Schäfer"])]);
        }
    }

    #[test]
    fn extra_field_names_row_and_column() {
        let err = read_fixture("malformed_extra_field.csv").unwrap_err();
        assert_eq!(err.file, "malformed_extra_field.csv");
        assert_eq!(err.row, Some(4));
        assert_eq!(err.column.as_deref(), Some("column 5"));
        assert!(err.message.contains("5 values"), "{}", err.message);
        assert!(err.message.contains("4 columns"), "{}", err.message);
        let shown = err.to_string();
        assert!(
            shown.contains("malformed_extra_field.csv, row 4, column column 5"),
            "{shown}"
        );
    }

    #[test]
    fn missing_field_names_first_missing_column() {
        let err = read_fixture("malformed_missing_field.csv").unwrap_err();
        assert_eq!(err.row, Some(3));
        assert_eq!(err.column.as_deref(), Some("currency"));
        assert!(err.message.contains("3 values"), "{}", err.message);
    }

    #[test]
    fn duplicate_header_is_an_error() {
        let err = read_fixture("duplicate_header.csv").unwrap_err();
        assert_eq!(err.row, Some(1));
        assert_eq!(err.column.as_deref(), Some("vendor"));
        assert!(err.message.contains("twice"), "{}", err.message);
    }

    #[test]
    fn empty_header_name_is_an_error() {
        let err = read("id,,amount\n1,2,3\n").unwrap_err();
        assert_eq!(err.row, Some(1));
        assert_eq!(err.column.as_deref(), Some("column 2"));
    }

    #[test]
    fn empty_file_is_an_error_but_header_only_is_not() {
        let err = read_fixture("empty.csv").unwrap_err();
        assert_eq!(err.file, "empty.csv");
        assert_eq!(err.row, None);
        assert!(err.message.contains("empty"));
        assert!(read("\n  \n\n").is_err());
        assert!(read_csv_bytes("b.csv", b"\xEF\xBB\xBF", &ImportOptions::default()).is_err());
        let t = read("id,name\n").unwrap();
        assert_eq!(t.columns, strings(&["id", "name"]));
        assert!(t.rows.is_empty());
    }

    #[test]
    fn missing_file_names_the_file_only() {
        let err = read_csv(&fixture("no_such_file.csv"), &ImportOptions::default()).unwrap_err();
        assert_eq!(err.file, "no_such_file.csv");
        assert_eq!(err.row, None);
        assert!(err.message.contains("could not be read"));
    }

    #[test]
    fn blank_lines_are_skipped_and_headers_trimmed() {
        let t = read("\n id , name \n\n1,a\n   \n,\n2,b\n\n").unwrap();
        assert_eq!(t.columns, strings(&["id", "name"]));
        assert_eq!(t.rows, vec![strings(&["1", "a"]), strings(&["2", "b"])]);
    }

    #[test]
    fn values_are_kept_as_written() {
        let t = read("id,name\r\n1, padded \r\n").unwrap();
        assert_eq!(t.rows, vec![strings(&["1", " padded "])]);
    }

    #[test]
    fn bad_quoting_is_reported_with_position() {
        let err = read("id,name\n1,ok\n2,\"quoted\"tail\n").unwrap_err();
        assert_eq!(err.row, Some(3));
        assert_eq!(err.column.as_deref(), Some("name"));
        let err = read("id,name,amount\n1,\"never closed,5\n2,b,6\n").unwrap_err();
        assert_eq!(err.row, Some(2));
        assert_eq!(err.column.as_deref(), Some("name"));
        assert!(err.message.contains("never closed"));
        let err = read("\"id\"x,name\n1,2\n").unwrap_err();
        assert_eq!(err.row, Some(1));
        assert_eq!(err.column.as_deref(), Some("column 1"));
        // A quote inside an unquoted value is just a character.
        let t = read("id,size\n1,5\" screen\n").unwrap();
        assert_eq!(t.rows[0][1], "5\" screen");
    }

    #[test]
    fn detects_delimiters() {
        assert_eq!(read("a|b|c\n1|2|3\n").unwrap().delimiter, b'|');
        assert_eq!(read("a;b\n1,5;2,5\n3,5;4\n").unwrap().delimiter, b';');
        assert_eq!(read("a,b\n\"x;y;z\",1\n").unwrap().delimiter, b',');
        let one = read("name\nAcme\nBeta\n").unwrap();
        assert_eq!(one.delimiter, b',');
        assert_eq!(one.rows.len(), 2);
        assert_eq!(detect_delimiter(""), b',');
    }

    #[test]
    fn forced_delimiter_wins() {
        let opts = ImportOptions {
            delimiter: Some(b';'),
        };
        let t = read_csv_bytes("f.csv", b"a,b;c\n1,2;3\n", &opts).unwrap();
        assert_eq!(t.columns, strings(&["a,b", "c"]));
        let bad = ImportOptions {
            delimiter: Some(b'"'),
        };
        assert!(read_csv_bytes("f.csv", b"a\n", &bad).is_err());
    }

    #[test]
    fn garbage_never_panics() {
        let inputs: [&[u8]; 7] = [
            b"\x00\x01\x02",
            b"\"",
            b"\xFF\xFE\x41",
            b"\xFE\xFF\x00",
            b",,,\n,,,\n",
            b"a\n\"",
            b"\r\r\r\n\n",
        ];
        for bytes in inputs {
            let _ = read_csv_bytes("g.csv", bytes, &ImportOptions::default());
        }
    }

    #[test]
    fn records_with_id_column() {
        let t = table(&["po_id", "amount"], &[&["po_1", "10"], &[" po_2 ", "20"]]);
        let records = to_records(&t, Some("po_id")).unwrap();
        assert_eq!(
            records[0],
            Record {
                id: "po_1".into(),
                values: strings(&["po_1", "10"])
            }
        );
        assert_eq!(records[1].id, "po_2");
        assert_eq!(records[1].values[0], " po_2 ");
    }

    #[test]
    fn records_without_id_column_are_numbered() {
        let t = table(&["a"], &[&["x"], &["y"]]);
        let ids: Vec<_> = to_records(&t, None)
            .unwrap()
            .into_iter()
            .map(|r| r.id)
            .collect();
        assert_eq!(ids, strings(&["row-1", "row-2"]));
    }

    #[test]
    fn id_errors_point_at_the_cell() {
        let t = table(&["id", "v"], &[&["1", "a"], &["2", "b"], &["1", "c"]]);
        let err = to_records(&t, Some("id")).unwrap_err();
        assert_eq!(err.row, Some(4));
        assert_eq!(err.column.as_deref(), Some("id"));
        assert!(err.message.contains("row 2"), "{}", err.message);

        let t = table(&["id", "v"], &[&["1", "a"], &["  ", "b"]]);
        let err = to_records(&t, Some("id")).unwrap_err();
        assert_eq!(err.row, Some(3));
        assert_eq!(err.column.as_deref(), Some("id"));

        let err = to_records(&t, Some("nope")).unwrap_err();
        assert_eq!(err.row, Some(1));
        assert_eq!(err.column.as_deref(), Some("nope"));
        assert!(err.message.contains("nope"));
    }

    #[test]
    fn documents_rules() {
        let t = table(&["doc", "file"], &[&["d1", "a.pdf"], &["d2", " "]]);
        let docs = to_documents(&t, None, Some("file")).unwrap();
        assert_eq!(docs[0].document_id, "row-1");
        assert_eq!(docs[0].document_filename.as_deref(), Some("a.pdf"));
        assert_eq!(docs[1].document_filename, None);
        let docs = to_documents(&t, Some("doc"), None).unwrap();
        assert_eq!(docs[1].document_id, "d2");
        assert_eq!(docs[1].document_filename, None);
        assert_eq!(docs[1].values, strings(&["d2", " "]));
        let err = to_documents(&t, Some("doc"), Some("filename")).unwrap_err();
        assert_eq!(err.row, Some(1));
        assert_eq!(err.column.as_deref(), Some("filename"));
    }

    #[test]
    fn guesses_id_and_filename_columns() {
        let cols = strings(&["po_id", "vendor_id", "po_number"]);
        assert_eq!(
            guess_id_column(&cols, DatasetKind::Reference).as_deref(),
            Some("po_id")
        );
        assert_eq!(guess_id_column(&cols, DatasetKind::Documents), None);
        let cols = strings(&["vendor_id", "ID", "name"]);
        assert_eq!(
            guess_id_column(&cols, DatasetKind::Reference).as_deref(),
            Some("ID")
        );
        let cols = strings(&["id", "doc_id", "Document_ID"]);
        assert_eq!(
            guess_id_column(&cols, DatasetKind::Documents).as_deref(),
            Some("Document_ID")
        );
        let cols = strings(&["file", "file_name", "x"]);
        assert_eq!(guess_filename_column(&cols).as_deref(), Some("file_name"));
        assert_eq!(guess_filename_column(&strings(&["a"])), None);
    }

    // These use crate::parse.
    #[test]
    fn infers_column_kinds() {
        let t = read_fixture("pos_small.csv").unwrap();
        let kinds: Vec<_> = infer_columns(&t).into_iter().map(|c| c.kind).collect();
        assert_eq!(
            kinds,
            strings(&[
                "string", "string", "string", "string", "number", "string", "date", "string"
            ])
        );
        let t = table(
            &["digits", "dates", "empty", "mixed"],
            &[
                &["20241231", "2024-12-31", "", "12.50"],
                &["20250101", "31.12.2024", " ", "Acme"],
            ],
        );
        let kinds: Vec<_> = infer_columns(&t).into_iter().map(|c| c.kind).collect();
        assert_eq!(kinds, strings(&["number", "date", "string", "string"]));
    }
}
