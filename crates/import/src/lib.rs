//! Reading tabular files (CSV/TSV, XLSX/XLSM/XLS/ODS spreadsheets, JSON) into a `Table`, the
//! common form every importer produces, and turning a table into reference records or documents.
//!
//! Errors always name the file and, where it applies, the row and column as a spreadsheet
//! (Excel, LibreOffice) shows them, because that is where the user goes to fix the file. A
//! spreadsheet shows every line of a CSV file as a row, blank lines included, except that a quoted
//! value spanning several lines is one row. So a file starting with its header has the header as
//! row 1, but blank lines before a row push it down; they still produce no data row. Because of
//! that, a data row's number cannot be derived from its index: `Table` keeps each row's number,
//! so `to_records` and `to_documents` point at the same rows the reader does. Workbooks use the
//! sheet's own row numbers; JSON files, which have no rows, number their records from 1.

mod csv;
pub mod einvoice;
pub mod error;
mod json;
pub mod limits;
mod package;
mod sheet;
mod sniff;

#[cfg(test)]
mod hostile_tests;

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;

use engine::domain::{Column, DatasetKind, Document, Record};
use engine::parse::{parse_date, parse_number};

pub use self::csv::{detect_delimiter, read_csv, read_csv_bytes, CANDIDATE_DELIMITERS};
pub use self::error::ImportError;
pub use self::json::read_json_bytes;

#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Text files: force a delimiter; `None` detects `,` `;` tab or `|`.
    pub delimiter: Option<u8>,
    /// Text files (CSV and JSON): force the decoding; `None` detects it. A byte-order mark is
    /// skipped either way.
    pub encoding: Option<TextEncoding>,
    /// Whether the first non-empty row names the columns. Without a header the columns are
    /// `column_1`, `column_2`, ... and that row is data. JSON files ignore it: keys name columns.
    pub has_header: bool,
    /// Workbooks: the sheet to read by name; `None` reads the first.
    pub sheet: Option<String>,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            delimiter: None,
            encoding: None,
            // Nearly every file exported for import starts with its column names.
            has_header: true,
            sheet: None,
        }
    }
}

/// The text encodings a text file can be read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    Utf8,
    /// What Excel writes on Western-European systems; also taken for "latin1", of which it is a
    /// superset in practice.
    Windows1252,
    Utf16Le,
    Utf16Be,
}

impl TextEncoding {
    /// Reads the names users and tools commonly give these encodings, case-insensitively.
    pub fn parse(name: &str) -> Option<Self> {
        match name.trim().to_ascii_lowercase().as_str() {
            "utf-8" | "utf8" => Some(TextEncoding::Utf8),
            "windows-1252" | "cp1252" | "latin1" => Some(TextEncoding::Windows1252),
            "utf-16le" => Some(TextEncoding::Utf16Le),
            "utf-16be" => Some(TextEncoding::Utf16Be),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "utf-8",
            TextEncoding::Windows1252 => "windows-1252",
            TextEncoding::Utf16Le => "utf-16le",
            TextEncoding::Utf16Be => "utf-16be",
        }
    }

    fn encoding(self) -> &'static encoding_rs::Encoding {
        match self {
            TextEncoding::Utf8 => encoding_rs::UTF_8,
            TextEncoding::Windows1252 => encoding_rs::WINDOWS_1252,
            TextEncoding::Utf16Le => encoding_rs::UTF_16LE,
            TextEncoding::Utf16Be => encoding_rs::UTF_16BE,
        }
    }

    fn bom(self) -> &'static [u8] {
        match self {
            TextEncoding::Utf8 => b"\xEF\xBB\xBF",
            TextEncoding::Windows1252 => b"",
            TextEncoding::Utf16Le => b"\xFF\xFE",
            TextEncoding::Utf16Be => b"\xFE\xFF",
        }
    }
}

/// The kind of file, from its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// Delimited text: CSV, TSV and anything without a known extension.
    Csv,
    /// Office Open XML workbooks: .xlsx and .xlsm.
    Xlsx,
    /// Excel 97-2003 workbooks.
    Xls,
    /// OpenDocument spreadsheets.
    Ods,
    /// A JSON array of objects, one per row.
    Json,
    /// E-invoices: a UBL or CII XML file, a Factur-X/ZUGFeRD PDF, or a folder of them; one row
    /// per invoice.
    EInvoice,
}

impl FileFormat {
    /// Text files come with every extension (.csv, .tsv, .txt, none), so whatever is not a known
    /// workbook or JSON extension is read as delimited text.
    pub fn from_path(path: &Path) -> FileFormat {
        let extension = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase());
        match extension.as_deref() {
            Some("xlsx" | "xlsm") => FileFormat::Xlsx,
            Some("xls") => FileFormat::Xls,
            Some("ods") => FileFormat::Ods,
            Some("json") => FileFormat::Json,
            Some("xml" | "pdf") => FileFormat::EInvoice,
            _ if path.is_dir() => FileFormat::EInvoice,
            _ => FileFormat::Csv,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FileFormat::Csv => "csv",
            FileFormat::Xlsx => "xlsx",
            FileFormat::Xls => "xls",
            FileFormat::Ods => "ods",
            FileFormat::Json => "json",
            FileFormat::EInvoice => "einvoice",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The file's name as shown in errors.
    pub file: String,
    pub format: FileFormat,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// The spreadsheet row of the header; 0 when the file has none (no header, or JSON).
    pub header_row: u64,
    /// The spreadsheet row of each entry of `rows` (for JSON, the 1-based record), for errors
    /// found after reading.
    pub row_numbers: Vec<u64>,
    /// The delimiter used. Only meaningful for CSV; workbooks and JSON have `,`.
    pub delimiter: u8,
    /// "utf-8", "utf-16le", "utf-16be" or "windows-1252". Only meaningful for CSV and JSON;
    /// workbooks have "utf-8".
    pub encoding: &'static str,
    /// Workbooks: every sheet, in workbook order; empty for other formats.
    pub sheets: Vec<String>,
    /// Workbooks: the sheet read.
    pub sheet: Option<String>,
}

/// Reads a file of any supported format, chosen by its extension (see `FileFormat::from_path`).
/// Errors name the file by its name only, not its full path.
pub fn read_table(path: &Path, opts: &ImportOptions) -> Result<Table, ImportError> {
    match FileFormat::from_path(path) {
        FileFormat::Csv => read_csv(path, opts),
        format @ (FileFormat::Xlsx | FileFormat::Xls | FileFormat::Ods) => {
            sheet::read_workbook(path, format, opts)
        }
        FileFormat::Json => json::read_json(path, opts),
        FileFormat::EInvoice => einvoice::read_einvoices(path),
    }
}

/// CSV files larger than this are previewed from their start only.
pub const PREVIEW_FULL_READ_LIMIT: u64 = 4 * 1024 * 1024;
/// How much of a large CSV file a preview reads.
pub const PREVIEW_READ_BYTES: usize = 256 * 1024;

/// What the import wizard shows of a file: the table with at most its first `max_rows` rows, and
/// whether every row of the file was read (`false` when only the start of a large CSV file was,
/// so the row count is unknown). A large CSV file is read up to its last line break within the
/// first `PREVIEW_READ_BYTES`, and a problem in the last row read is taken for the cut and that
/// row dropped; workbooks and JSON are read whole, since their structure cannot be cut.
pub fn preview_table(
    path: &Path,
    opts: &ImportOptions,
    max_rows: usize,
) -> Result<(Table, bool), ImportError> {
    let (mut table, complete) = match FileFormat::from_path(path) {
        FileFormat::Csv => csv::preview_csv(path, opts)?,
        _ => (read_table(path, opts)?, true),
    };
    table.rows.truncate(max_rows);
    table.row_numbers.truncate(max_rows);
    Ok((table, complete))
}

/// The file's name for errors: the user knows which folder they picked it from.
fn file_label(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

fn unreadable(file: &str, e: std::io::Error) -> ImportError {
    ImportError {
        file: file.to_string(),
        row: None,
        column: None,
        message: format!("The file could not be read: {e}"),
    }
}

/// Decodes a text file's bytes. Forced, the encoding is used as is, so the user sees what it gives
/// and can pick another; only its BOM is skipped. Otherwise a BOM decides (UTF-8, UTF-16 LE or
/// BE); without one, valid UTF-8 is UTF-8 and anything else is taken as Windows-1252, what Excel
/// writes on Western-European systems. Decoding never fails: bytes that are not valid in the
/// encoding become U+FFFD, and Windows-1252 maps every byte.
fn decode(bytes: &[u8], forced: Option<TextEncoding>) -> (Cow<'_, str>, &'static str) {
    if let Some(encoding) = forced {
        let rest = bytes.strip_prefix(encoding.bom()).unwrap_or(bytes);
        let (text, _) = encoding.encoding().decode_without_bom_handling(rest);
        return (text, encoding.as_str());
    }
    for encoding in [
        TextEncoding::Utf8,
        TextEncoding::Utf16Le,
        TextEncoding::Utf16Be,
    ] {
        if let Some(rest) = bytes.strip_prefix(encoding.bom()) {
            let (text, _) = encoding.encoding().decode_without_bom_handling(rest);
            return (text, encoding.as_str());
        }
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => (Cow::Borrowed(text), "utf-8"),
        Err(_) => {
            let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
            (text, "windows-1252")
        }
    }
}

/// Names for the columns of a file without a header: `column_1`, `column_2`, ...
fn numbered_columns(count: usize) -> Vec<String> {
    (1..=count).map(|n| format!("column_{n}")).collect()
}

/// How a reader refers to the i-th (0-based) column of its file where it has no name: CSV by
/// number ("column 3"), workbooks by the letter the sheet shows ("C", counted from `first`, the
/// sheet column the table starts at).
#[derive(Clone, Copy)]
enum ColumnRef {
    Number,
    Letter { first: u32 },
}

impl ColumnRef {
    /// The column as an error's `column`.
    fn label(self, index: usize) -> String {
        match self {
            ColumnRef::Number => format!("column {}", index + 1),
            ColumnRef::Letter { first } => column_letter(first + index as u32),
        }
    }

    /// The column in a sentence ("Column 3", "Column C").
    fn sentence(self, index: usize) -> String {
        match self {
            ColumnRef::Number => format!("Column {}", index + 1),
            ColumnRef::Letter { first } => {
                format!("Column {}", column_letter(first + index as u32))
            }
        }
    }
}

/// The sheet's letters for a 0-based column: A..Z, AA..AZ, ...
fn column_letter(index: u32) -> String {
    let mut n = index as u64 + 1;
    let mut letters = Vec::new();
    while n > 0 {
        n -= 1;
        letters.push(b'A' + (n % 26) as u8);
        n /= 26;
    }
    letters.reverse();
    String::from_utf8(letters).expect("ASCII letters")
}

/// The header's names, trimmed, checked to be present and unique.
fn header_names<'a>(
    file: &str,
    row: u64,
    names: impl IntoIterator<Item = &'a str>,
    refs: ColumnRef,
) -> Result<Vec<String>, ImportError> {
    let names: Vec<&str> = names.into_iter().map(str::trim).collect();
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (i, &name) in names.iter().enumerate() {
        if name.is_empty() {
            return Err(ImportError {
                file: file.to_string(),
                row: Some(row),
                column: Some(refs.label(i)),
                message: format!(
                    "{} has no name in the header row; every column needs a name.",
                    refs.sentence(i)
                ),
            });
        }
        if let Some(first) = seen.insert(name, i) {
            let (first, second) = match refs {
                ColumnRef::Number => ((first + 1).to_string(), (i + 1).to_string()),
                ColumnRef::Letter { .. } => (refs.label(first), refs.label(i)),
            };
            return Err(ImportError {
                file: file.to_string(),
                row: Some(row),
                column: Some(name.to_string()),
                message: format!(
                    "The column name \"{name}\" appears twice in the header (columns {first} and {second}); column names must be unique."
                ),
            });
        }
    }
    Ok(names.into_iter().map(str::to_string).collect())
}

fn empty_file(file: &str, has_header: bool) -> ImportError {
    ImportError {
        file: file.to_string(),
        row: None,
        column: None,
        message: if has_header {
            "The file is empty: it has no header row and no data.".to_string()
        } else {
            "The file is empty: it has no data.".to_string()
        },
    }
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
            // Without a header row there is no row to point at: the column simply does not exist.
            row: (table.header_row > 0).then_some(table.header_row),
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
    // JSON's row numbers count records, and the message must say so to be found in the file.
    let unit = if table.format == FileFormat::Json {
        "record"
    } else {
        "row"
    };
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
                "The id \"{id}\" is used twice: it first appears in {unit} {first}. Every row needs its own id in the column \"{name}\"."
            )));
        }
        ids.push(id.to_string());
    }
    Ok(ids)
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
            format: FileFormat::Csv,
            columns: strings(columns),
            rows: rows.iter().map(|r| strings(r)).collect(),
            header_row: 1,
            row_numbers: (2..).take(rows.len()).collect(),
            delimiter: b',',
            encoding: "utf-8",
            sheets: Vec::new(),
            sheet: None,
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
    fn empty_file_is_an_error_but_header_only_text_is_not() {
        let err = read_fixture("empty.csv").unwrap_err();
        assert_eq!(err.file, "empty.csv");
        assert_eq!(err.row, None);
        assert!(err.message.contains("empty"));
        assert!(read("\n  \n\n").is_err());
        assert!(read_csv_bytes("b.csv", b"\xEF\xBB\xBF", &ImportOptions::default()).is_err());
        // Text in memory may be a header alone (the demo writes such tables); a file may not:
        // see hostile_tests::files_without_data_rows_are_refused.
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
            ..ImportOptions::default()
        };
        let t = read_csv_bytes("f.csv", b"a,b;c\n1,2;3\n", &opts).unwrap();
        assert_eq!(t.columns, strings(&["a,b", "c"]));
        let bad = ImportOptions {
            delimiter: Some(b'"'),
            ..ImportOptions::default()
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

    #[test]
    fn formats_by_extension() {
        let format = |name: &str| FileFormat::from_path(Path::new(name));
        assert_eq!(format("a/b.XLSX"), FileFormat::Xlsx);
        assert_eq!(format("b.xlsm"), FileFormat::Xlsx);
        assert_eq!(format("b.xls"), FileFormat::Xls);
        assert_eq!(format("b.ods"), FileFormat::Ods);
        assert_eq!(format("b.json"), FileFormat::Json);
        assert_eq!(format("b.tsv"), FileFormat::Csv);
        assert_eq!(format("b"), FileFormat::Csv);
        assert_eq!(format("b.xlsx.txt"), FileFormat::Csv);
        assert_eq!(FileFormat::Ods.as_str(), "ods");
    }

    #[test]
    fn encoding_names() {
        for (name, encoding) in [
            ("utf-8", TextEncoding::Utf8),
            ("UTF8", TextEncoding::Utf8),
            ("windows-1252", TextEncoding::Windows1252),
            ("cp1252", TextEncoding::Windows1252),
            (" latin1 ", TextEncoding::Windows1252),
            ("utf-16le", TextEncoding::Utf16Le),
            ("UTF-16BE", TextEncoding::Utf16Be),
        ] {
            assert_eq!(TextEncoding::parse(name), Some(encoding), "{name}");
        }
        assert_eq!(TextEncoding::parse("ebcdic"), None);
        assert_eq!(TextEncoding::parse(""), None);
        assert_eq!(TextEncoding::Windows1252.as_str(), "windows-1252");
        assert_eq!(TextEncoding::Utf16Be.as_str(), "utf-16be");
        assert!(ImportOptions::default().has_header);
    }

    #[test]
    fn read_table_dispatches_by_extension() {
        let t = read_table(&fixture("pos_small.csv"), &ImportOptions::default()).unwrap();
        assert_eq!(t.format, FileFormat::Csv);
        assert_eq!(t.rows.len(), 12);
        let err = read_table(&fixture("no_such_file.xlsx"), &ImportOptions::default()).unwrap_err();
        assert_eq!(err.file, "no_such_file.xlsx");
        assert!(err.message.contains("could not be read"), "{}", err.message);
        let err = read_table(&fixture("pos_small.csv"), &ImportOptions::default())
            .and_then(|_| {
                // A CSV file renamed to .xlsx is not a workbook.
                let dir = tempfile::tempdir().unwrap();
                let fake = dir.path().join("fake.xlsx");
                std::fs::copy(fixture("pos_small.csv"), &fake).unwrap();
                read_table(&fake, &ImportOptions::default())
            })
            .unwrap_err();
        assert_eq!(err.file, "fake.xlsx");
        assert!(err.message.contains("XLSX workbook"), "{}", err.message);
    }

    // These use engine::parse.
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
