//! The hostile files of issue 11, one test each: every one is refused with an error naming the
//! file (and row and column where they apply) in bounded time and memory, where before it
//! panicked, aborted, ran out of memory or was accepted as something it is not.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use zip::write::SimpleFileOptions;

use super::limits::{MAX_CELLS, MAX_FILE_BYTES};
use super::{read_csv_bytes, read_table, ImportOptions};
use crate::error::ImportError;

/// A zip archive of the given parts, compressed.
fn zip_of(parts: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in parts {
        zip.start_file(*name, SimpleFileOptions::default()).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// An XLSX workbook of one sheet, "Sheet1", with the given `<sheetData>` content and shared
/// strings.
fn xlsx(sheet_data: &str, shared: &[&str]) -> Vec<u8> {
    let workbook = r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
    let rels = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;
    let sheet = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{sheet_data}</sheetData></worksheet>"#
    );
    let strings: String = shared
        .iter()
        .map(|s| format!("<si><t>{s}</t></si>"))
        .collect();
    let sst = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{0}" uniqueCount="{0}">{strings}</sst>"#,
        shared.len()
    );
    zip_of(&[
        ("xl/workbook.xml", workbook.as_bytes()),
        ("xl/_rels/workbook.xml.rels", rels.as_bytes()),
        ("xl/worksheets/sheet1.xml", sheet.as_bytes()),
        ("xl/sharedStrings.xml", sst.as_bytes()),
    ])
}

/// An ODS workbook of one table, "Sheet1", with the given rows.
fn ods(rows: &str) -> Vec<u8> {
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="Sheet1">{rows}</table:table></office:spreadsheet></office:body></office:document-content>"#
    );
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;
    zip_of(&[
        (
            "mimetype",
            b"application/vnd.oasis.opendocument.spreadsheet",
        ),
        ("META-INF/manifest.xml", manifest.as_bytes()),
        ("content.xml", content.as_bytes()),
    ])
}

fn text_cell(s: &str) -> String {
    format!(
        r#"<table:table-cell office:value-type="string"><text:p>{s}</text:p></table:table-cell>"#
    )
}

struct Dir(tempfile::TempDir);

impl Dir {
    fn new() -> Dir {
        Dir(tempfile::tempdir().unwrap())
    }

    fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.0.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }
}

/// Reads the file, which must be refused within `limit`.
fn refused_within(path: &Path, limit: Duration) -> ImportError {
    let started = Instant::now();
    let result = read_table(path, &ImportOptions::default());
    let took = started.elapsed();
    assert!(took < limit, "{} took {took:?}", path.display());
    let err = result.expect_err("a hostile file must be refused");
    let name = path.file_name().unwrap().to_string_lossy();
    assert_eq!(err.file, name, "{err}");
    err
}

#[test]
fn xlsx_shared_string_index_out_of_range_is_an_error_not_a_panic() {
    let dir = Dir::new();
    let data = r#"<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row><row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2" t="s"><v>7</v></c></row>"#;
    let path = dir.write("strings.xlsx", &xlsx(data, &["id", "name"]));
    let err = refused_within(&path, Duration::from_secs(5));
    assert_eq!(err.row, Some(2));
    assert_eq!(err.column.as_deref(), Some("B"));
    assert!(
        err.message.contains("shared text number 7"),
        "{}",
        err.message
    );
    // The same workbook with indexes in range imports.
    let good = r#"<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row><row r="2"><c r="A2"><v>5</v></c><c r="B2" t="s"><v>1</v></c></row>"#;
    let path = dir.write("ok.xlsx", &xlsx(good, &["id", "name"]));
    let t = read_table(&path, &ImportOptions::default()).unwrap();
    assert_eq!(t.columns, ["id", "name"]);
    assert_eq!(t.rows, [["5", "name"]]);
}

#[test]
fn xlsx_cell_at_the_last_cell_of_a_sheet_is_refused_before_allocating() {
    let dir = Dir::new();
    let data = r#"<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>"#;
    let path = dir.write("far.xlsx", &xlsx(data, &[]));
    let err = refused_within(&path, Duration::from_secs(5));
    assert_eq!(err.row, Some(1_048_576));
    assert_eq!(err.column.as_deref(), Some("XFD"));
    assert!(err.message.contains("XFD1048576"), "{}", err.message);
    // A cell reference past the sheet, which calamine would overflow on.
    let data = r#"<row r="1"><c r="A99999999999"><v>1</v></c></row>"#;
    let path = dir.write("bad_ref.xlsx", &xlsx(data, &[]));
    let err = refused_within(&path, Duration::from_secs(5));
    assert!(err.message.contains("outside any sheet"), "{}", err.message);
}

#[test]
fn ods_table_bomb_is_refused_before_expanding() {
    let dir = Dir::new();
    // One row with a value repeated across 1,000 columns, repeated a million times: a billion
    // cells from a file of a few hundred bytes.
    let rows = format!(
        r#"<table:table-row>{}</table:table-row><table:table-row table:number-rows-repeated="1000000"><table:table-cell table:number-columns-repeated="1000" office:value-type="float" office:value="1"/></table:table-row>"#,
        text_cell("id")
    );
    let path = dir.write("bomb.ods", &ods(&rows));
    let err = refused_within(&path, Duration::from_secs(5));
    assert!(err.message.contains("Sheet1"), "{}", err.message);
    assert!(err.message.contains("repeats"), "{}", err.message);
    assert!(err.row.is_some());
    // Repeated columns alone, in one row.
    let rows = r#"<table:table-row><table:table-cell table:number-columns-repeated="16000000" office:value-type="float" office:value="1"/></table:table-row>"#;
    let path = dir.write("wide.ods", &ods(rows));
    refused_within(&path, Duration::from_secs(5));
    // What LibreOffice writes after the data, empty rows to the end of the sheet, is fine.
    let rows = format!(
        r#"<table:table-row>{}{}<table:table-cell table:number-columns-repeated="1022"/></table:table-row><table:table-row>{}{}<table:table-cell table:number-columns-repeated="1022"/></table:table-row><table:table-row table:number-rows-repeated="1048574"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>"#,
        text_cell("id"),
        text_cell("name"),
        text_cell("1"),
        text_cell("Acme")
    );
    let path = dir.write("libreoffice.ods", &ods(&rows));
    let t = read_table(&path, &ImportOptions::default()).unwrap();
    assert_eq!(t.rows, [["1", "Acme"]]);
}

#[test]
fn zip_entry_larger_than_declared_or_than_the_limit_is_refused() {
    let dir = Dir::new();
    // A sheet of 64 MB of spaces whose entry declares 100 bytes: patch the sizes in the
    // archive's headers, as a zip bomb does.
    let filler = " ".repeat(64 << 20);
    let data = format!(r#"<row r="1"><c r="A1"><v>1</v></c></row>{filler}"#);
    let mut bytes = xlsx(&data, &[]);
    let real = zip::ZipArchive::new(std::io::Cursor::new(&bytes))
        .unwrap()
        .by_name("xl/worksheets/sheet1.xml")
        .unwrap()
        .size() as u32;
    let mut patched = 0;
    for i in 0..bytes.len() - 4 {
        if bytes[i..i + 4] == real.to_le_bytes() {
            bytes[i..i + 4].copy_from_slice(&100u32.to_le_bytes());
            patched += 1;
        }
    }
    assert!(patched >= 2, "local and central headers");
    let path = dir.write("bomb.xlsx", &bytes);
    let err = refused_within(&path, Duration::from_secs(10));
    assert!(err.message.contains("zip bomb"), "{}", err.message);
}

#[test]
fn zeros_and_random_bytes_are_not_text_tables() {
    let dir = Dir::new();
    let zeros = dir.write("zeros.csv", &vec![0u8; 1 << 20]);
    let err = refused_within(&zeros, Duration::from_secs(2));
    assert!(err.message.contains("not a text table"), "{}", err.message);
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    let random: Vec<u8> = (0..1 << 20)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 32) as u8
        })
        .collect();
    let err = refused_within(&dir.write("random.csv", &random), Duration::from_secs(2));
    assert!(err.message.contains("not a text table"), "{}", err.message);
    let err = refused_within(&dir.write("random.json", &random), Duration::from_secs(2));
    assert!(err.message.contains("not a text table"), "{}", err.message);
    // A text start hiding zeros later: the row of the first NUL is named.
    let mut late = b"id,name\n".to_vec();
    for i in 0..10_000 {
        late.extend(format!("{i},vendor {i}\n").bytes());
    }
    late.extend(std::iter::repeat_n(0u8, 1 << 20));
    let err = refused_within(&dir.write("late.csv", &late), Duration::from_secs(2));
    assert_eq!(err.row, Some(10_002));
}

#[test]
fn files_over_the_size_limit_are_refused_before_reading() {
    let dir = Dir::new();
    // Sparse: takes no disk, and would take a second and a gigabyte to read.
    for name in ["huge.csv", "huge.json", "huge.xlsx", "huge.ods"] {
        let path = dir.0.path().join(name);
        std::fs::File::create(&path)
            .unwrap()
            .set_len(MAX_FILE_BYTES + 1)
            .unwrap();
        let err = refused_within(&path, Duration::from_millis(500));
        assert!(err.message.contains("1 GiB"), "{name}: {}", err.message);
    }
}

#[test]
fn a_value_too_long_for_the_store_is_a_data_error() {
    // One unquoted value of 2 MiB: before, it reached SQLite ("string or blob too big").
    let mut text = b"id,note\n1,".to_vec();
    text.extend(std::iter::repeat_n(b'x', 2 << 20));
    let err = read_csv_bytes("long.csv", &text, &ImportOptions::default()).unwrap_err();
    assert_eq!(err.row, Some(2));
    assert_eq!(err.column.as_deref(), Some("note"));
    assert!(err.message.contains("1 MiB"), "{}", err.message);
}

#[test]
fn a_million_row_one_column_csv_reads_fast() {
    let mut text = String::from("reference\n");
    for i in 0..1_000_000 {
        text.push_str(&format!("REF-{i:07}\n"));
    }
    let started = Instant::now();
    let t = read_csv_bytes("million.csv", text.as_bytes(), &ImportOptions::default()).unwrap();
    let took = started.elapsed();
    assert_eq!(t.rows.len(), 1_000_000);
    assert_eq!(t.row_numbers[999_999], 1_000_001);
    // About half a second in a debug build of the tests; before, detection scanned the whole
    // file for every candidate delimiter.
    assert!(took < Duration::from_secs(10), "{took:?}");
}

#[test]
fn a_header_of_only_delimiters_is_not_skipped() {
    let mut text = String::from(",,\n");
    for i in 1..=40 {
        text.push_str(&format!("{i},vendor {i},{}.00\n", i * 10));
    }
    let err = read_csv_bytes("commas.csv", text.as_bytes(), &ImportOptions::default()).unwrap_err();
    assert_eq!(err.row, Some(1));
    assert_eq!(err.column.as_deref(), Some("column 1"));
    assert!(err.message.contains("no column names"), "{}", err.message);
    // Without a header every data row is kept: 40 rows in, 40 rows read.
    let opts = ImportOptions {
        has_header: false,
        ..ImportOptions::default()
    };
    let t = read_csv_bytes("commas.csv", text.as_bytes(), &opts).unwrap();
    assert_eq!(t.rows.len(), 40);
    assert_eq!(t.row_numbers[0], 2);
}

#[test]
fn files_without_data_rows_are_refused() {
    let dir = Dir::new();
    let err = refused_within(
        &dir.write("header.csv", b"id,name\r\n"),
        Duration::from_secs(2),
    );
    assert!(err.message.contains("no data rows"), "{}", err.message);
    let data = r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#;
    let err = refused_within(
        &dir.write("header.xlsx", &xlsx(data, &["id"])),
        Duration::from_secs(2),
    );
    assert!(err.message.contains("no data rows"), "{}", err.message);
    assert!(err.message.contains("Sheet1"), "{}", err.message);
    let err = refused_within(&dir.write("empty.json", b"[]"), Duration::from_secs(2));
    assert!(err.message.contains("no records"), "{}", err.message);
}

#[test]
fn cell_limit_is_generous_for_real_tables() {
    // Two million rows of twenty columns, the largest purchase-order tables seen, fit.
    const { assert!(2_000_000 * 20 <= MAX_CELLS) };
}
