//! Issue 11, finding 4: every hostile file is refused through the service with an import error
//! naming the file (and the row and column where they apply), quickly, and the workspace is
//! exactly as it was; the legitimate edge cases (a million rows, a record of nulls) import.
//!
//! Workbooks are built here as zip archives of hand-written XML (stored, not compressed), so
//! they can be malformed in exactly the way the issue found.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use engine::DatasetKind;
use import::ImportError;
use service::{ServiceError, Workspace};

mod common;
use common::{import_request, open, runtime, TestRuntime};

struct Setup {
    dir: tempfile::TempDir,
    ws: Workspace,
    _rt: TestRuntime,
}

fn setup() -> Setup {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let ws = open(&rt, &dir.path().join("ws.sqlite"));
    // One dataset already there, which a refusal must leave alone.
    let path = dir.path().join("pos.csv");
    std::fs::write(&path, "po_id,amount\nPO-1,10\nPO-2,20\n").unwrap();
    ws.import_dataset(&import_request(&path, DatasetKind::Reference))
        .unwrap();
    Setup { dir, ws, _rt: rt }
}

impl Setup {
    fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    /// What the workspace holds: every dataset with its rows.
    fn snapshot(&self) -> Vec<(String, u64, usize)> {
        self.ws
            .list_datasets()
            .unwrap()
            .into_iter()
            .map(|d| {
                let page = self.ws.dataset_rows(&d.id, Some(1), Some(500)).unwrap();
                (d.id, d.row_count, page.rows.len())
            })
            .collect()
    }

    /// Imports the file, which must be refused with an import error naming it, within `limit`,
    /// leaving the workspace unchanged.
    fn refused(&self, path: &Path, limit: Duration) -> ImportError {
        let before = self.snapshot();
        let started = Instant::now();
        let result = self
            .ws
            .import_dataset(&import_request(path, DatasetKind::Reference));
        let took = started.elapsed();
        assert!(took < limit, "{}: {took:?}", path.display());
        let err = match result {
            Err(ServiceError::Import(e)) => e,
            other => panic!(
                "{}: expected an import error, got {other:?}",
                path.display()
            ),
        };
        assert_eq!(
            err.file,
            path.file_name().unwrap().to_string_lossy(),
            "{err}"
        );
        assert_eq!(self.snapshot(), before, "a refusal changed the workspace");
        err
    }
}

// ---- building workbooks ---------------------------------------------------------------------

/// A zip archive of the given parts (the same writer the engine's own tests use).
fn zip_of(parts: &[(&str, &[u8])]) -> Vec<u8> {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in parts {
        zip.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

fn xlsx(sheet_data: &str, shared: &[&str]) -> Vec<u8> {
    let workbook = r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Orders" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
    let rels = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;
    let sheet = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{sheet_data}</sheetData></worksheet>"#
    );
    let strings: String = shared
        .iter()
        .map(|s| format!("<si><t>{s}</t></si>"))
        .collect();
    let sst = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{strings}</sst>"#
    );
    zip_of(&[
        ("xl/workbook.xml", workbook.as_bytes()),
        ("xl/_rels/workbook.xml.rels", rels.as_bytes()),
        ("xl/worksheets/sheet1.xml", sheet.as_bytes()),
        ("xl/sharedStrings.xml", sst.as_bytes()),
    ])
}

fn ods(rows: &str) -> Vec<u8> {
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="Orders">{rows}</table:table></office:spreadsheet></office:body></office:document-content>"#
    );
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/></manifest:manifest>"#;
    zip_of(&[
        (
            "mimetype",
            b"application/vnd.oasis.opendocument.spreadsheet",
        ),
        ("META-INF/manifest.xml", manifest.as_bytes()),
        ("content.xml", content.as_bytes()),
    ])
}

const SECONDS: Duration = Duration::from_secs(10);

// ---- the findings ---------------------------------------------------------------------------

#[test]
fn xlsx_shared_string_index_out_of_range() {
    let s = setup();
    let data = r#"<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row><row r="2"><c r="A2"><v>1</v></c><c r="B2" t="s"><v>99</v></c></row>"#;
    let err = s.refused(
        &s.write("strings.xlsx", &xlsx(data, &["id", "name"])),
        SECONDS,
    );
    assert_eq!((err.row, err.column.as_deref()), (Some(2), Some("B")));
    assert!(err.message.contains("Orders"), "{}", err.message);
}

#[test]
fn xlsx_cell_at_xfd1048576() {
    let s = setup();
    let data = r#"<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>"#;
    let err = s.refused(&s.write("far.xlsx", &xlsx(data, &[])), SECONDS);
    assert_eq!(
        (err.row, err.column.as_deref()),
        (Some(1_048_576), Some("XFD"))
    );
}

#[test]
fn ods_table_bomb() {
    let s = setup();
    let rows = r#"<table:table-row><table:table-cell office:value-type="string"><text:p>id</text:p></table:table-cell></table:table-row><table:table-row table:number-rows-repeated="1000000"><table:table-cell table:number-columns-repeated="16000" office:value-type="float" office:value="1"/></table:table-row>"#;
    let err = s.refused(&s.write("bomb.ods", &ods(rows)), SECONDS);
    assert!(err.message.contains("Orders"), "{}", err.message);
    assert!(err.row.is_some());
}

#[test]
fn files_of_zeros_are_refused_quickly() {
    let s = setup();
    // Sparse files: 256 MB and 1 GB of zeros on no disk.
    for (name, size) in [
        ("zeros256.csv", 256u64 << 20),
        ("zeros1g.csv", 1_000_000_000),
    ] {
        let path = s.dir.path().join(name);
        std::fs::File::create(&path).unwrap().set_len(size).unwrap();
        let err = s.refused(&path, Duration::from_secs(2));
        assert!(err.message.contains("not a text table"), "{}", err.message);
    }
    // Past the size limit, refused on its size alone.
    let path = s.dir.path().join("zeros2g.json");
    std::fs::File::create(&path)
        .unwrap()
        .set_len(2 << 30)
        .unwrap();
    let err = s.refused(&path, Duration::from_secs(2));
    assert!(err.message.contains("1 GiB"), "{}", err.message);
}

#[test]
fn a_value_too_long_for_the_store_is_a_data_error() {
    let s = setup();
    let mut text = b"id,note\n1,".to_vec();
    text.extend(std::iter::repeat_n(b'x', 3 << 20));
    let err = s.refused(&s.write("long.csv", &text), SECONDS);
    assert_eq!((err.row, err.column.as_deref()), (Some(2), Some("note")));
}

#[test]
fn a_million_row_one_column_csv_imports_in_seconds() {
    let s = setup();
    let mut text = String::with_capacity(14_000_000);
    text.push_str("reference\n");
    for i in 0..1_000_000 {
        text.push_str(&format!("REF-{i:07}\n"));
    }
    let path = s.write("million.csv", text.as_bytes());
    let started = Instant::now();
    let dataset =
        s.ws.import_dataset(&import_request(&path, DatasetKind::Reference))
            .unwrap();
    let took = started.elapsed();
    assert_eq!(dataset.row_count, 1_000_000);
    eprintln!("1,000,000-row one-column CSV imported in {took:?}");
    assert!(took < Duration::from_secs(30), "{took:?}");
}

#[test]
fn random_bytes_and_nul_only_files_are_refused() {
    let s = setup();
    let mut x = 0x853c_49e6_748f_ea9bu64;
    let random: Vec<u8> = (0..200_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 40) as u8
        })
        .collect();
    for (name, bytes) in [
        ("random.csv", random.clone()),
        ("random.json", random),
        ("nul.csv", vec![0u8; 1000]),
        ("nul.tsv", vec![0u8; 1]),
    ] {
        let err = s.refused(&s.write(name, &bytes), SECONDS);
        assert!(
            err.message.contains("not a text table"),
            "{name}: {}",
            err.message
        );
    }
}

#[test]
fn a_header_of_only_commas_is_refused_and_null_records_are_kept() {
    let s = setup();
    let mut text = String::from(",,\n");
    for i in 1..=40 {
        text.push_str(&format!("{i},vendor {i},{i}.00\n"));
    }
    let err = s.refused(&s.write("commas.csv", text.as_bytes()), SECONDS);
    assert_eq!(
        (err.row, err.column.as_deref()),
        (Some(1), Some("column 1"))
    );

    let path = s.write(
        "nulls.json",
        br#"[{"po_id": "PO-1", "amount": 1}, {"po_id": null, "amount": null}, {"po_id": "PO-3", "amount": 3}]"#,
    );
    // Imported by row number, the record of nulls is a row: 3 records in, 3 rows stored.
    let mut req = import_request(&path, DatasetKind::Documents);
    req.id_column = None;
    let dataset = s.ws.import_dataset(&req).unwrap();
    assert_eq!(dataset.row_count, 3);
    // With an id column, its missing id is named instead of the record vanishing.
    let mut req = import_request(&path, DatasetKind::Reference);
    req.id_column = Some("po_id".into());
    let before = s.snapshot();
    let err = match s.ws.import_dataset(&req) {
        Err(ServiceError::Import(e)) => e,
        other => panic!("{other:?}"),
    };
    assert_eq!((err.row, err.column.as_deref()), (Some(2), Some("po_id")));
    assert_eq!(s.snapshot(), before);
}

#[test]
fn files_without_data_rows_are_refused_saying_so() {
    let s = setup();
    let data = r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#;
    for (name, bytes) in [
        ("header.csv", b"po_id,amount\r\n\r\n".to_vec()),
        ("header.xlsx", xlsx(data, &["po_id"])),
        (
            "header.ods",
            ods(
                r#"<table:table-row><table:table-cell office:value-type="string"><text:p>po_id</text:p></table:table-cell></table:table-row>"#,
            ),
        ),
    ] {
        let err = s.refused(&s.write(name, &bytes), SECONDS);
        assert!(
            err.message.contains("no data rows"),
            "{name}: {}",
            err.message
        );
        assert_eq!(err.row, Some(1), "{name}");
    }
}
