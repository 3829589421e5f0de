//! Importing every supported format through a real workspace: workbooks (XLSX, XLS) and JSON
//! give the same rows as the CSV fixtures they were made from, errors point at the cell, the
//! preview reports what was detected, and the options (header, encoding, sheet) change the result.
//!
//! The XLSX fixtures are written by `write_xlsx_fixtures` below (run it with `--ignored` after
//! changing the CSV fixtures); the XLS and error-cell fixtures by scripts/fixtures/*.py.

use engine::parse::{parse_date, parse_number};
use engine::{Dataset, DatasetKind, Record};
use import::ImportError;
use service::{ImportPreview, ImportRequest, ServiceError, Workspace};

mod common;
use common::{fixture, import_request, open, runtime};

/// An import of the fixture `name`, every option left to detection.
fn request(name: &str, kind: DatasetKind) -> ImportRequest {
    import_request(fixture(name), kind)
}

fn all_rows(ws: &Workspace, dataset: &Dataset) -> Vec<Record> {
    let page = ws.dataset_rows(&dataset.id, Some(1), Some(500)).unwrap();
    assert_eq!(page.total, dataset.row_count);
    page.rows
}

fn import_error(result: Result<impl std::fmt::Debug, ServiceError>) -> ImportError {
    match result {
        Err(ServiceError::Import(e)) => e,
        other => panic!("expected an import error, got {other:?}"),
    }
}

/// The same value, written as text in the CSV and as a typed cell in a workbook: numbers compare
/// as numbers ("1,487.50" and 1487.5), dates as dates ("12.03.2024" and a date cell).
fn same_value(column: &str, csv: &str, other: &str) -> bool {
    if csv == other {
        return true;
    }
    if column.contains("amount") {
        return parse_number(csv).is_some() && parse_number(csv) == parse_number(other);
    }
    if column.contains("date") {
        return parse_date(csv).is_some() && parse_date(csv) == parse_date(other);
    }
    false
}

/// Imports `csv` and `others` the same way and checks every dataset has the CSV's columns, ids
/// and values. Returns the datasets, CSV first.
fn assert_same_as_csv(
    ws: &Workspace,
    kind: DatasetKind,
    csv: &str,
    others: &[(&str, &str)],
) -> Vec<Dataset> {
    let expected = ws.import_dataset(&request(csv, kind)).unwrap();
    assert_eq!(expected.source_type, "csv");
    assert_eq!(expected.row_count, 12);
    let expected_rows = all_rows(ws, &expected);
    let mut datasets = vec![expected.clone()];
    for &(file, format) in others {
        let dataset = ws.import_dataset(&request(file, kind)).unwrap();
        assert_eq!(dataset.source_type, format, "{file}");
        assert_eq!(dataset.source_file.as_deref(), Some(file));
        assert_eq!(dataset.row_count, expected.row_count, "{file}");
        assert_eq!(dataset.id_column, expected.id_column, "{file}");
        assert_eq!(dataset.filename_column, expected.filename_column, "{file}");
        let names = |d: &Dataset| d.columns.iter().map(|c| c.name.clone()).collect::<Vec<_>>();
        assert_eq!(names(&dataset), names(&expected), "{file}");
        let rows = all_rows(ws, &dataset);
        assert_eq!(
            rows.iter().map(|r| &r.id).collect::<Vec<_>>(),
            expected_rows.iter().map(|r| &r.id).collect::<Vec<_>>(),
            "{file}"
        );
        for (row, want) in rows.iter().zip(&expected_rows) {
            for ((column, got), want) in names(&expected).iter().zip(&row.values).zip(&want.values)
            {
                assert!(
                    same_value(column, want, got),
                    "{file}, row {}, {column}: {got:?} is not {want:?}",
                    row.id
                );
            }
        }
        datasets.push(dataset);
    }
    datasets
}

fn value(ws: &Workspace, dataset: &Dataset, id: &str, column: &str) -> String {
    let index = dataset
        .columns
        .iter()
        .position(|c| c.name == column)
        .unwrap();
    all_rows(ws, dataset)
        .into_iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("no row {id}"))
        .values[index]
        .clone()
}

#[test]
fn workbooks_and_json_import_the_same_rows_as_csv() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let ws = open(&rt, &dir.path().join("ws.sqlite"));

    let pos = assert_same_as_csv(
        &ws,
        DatasetKind::Reference,
        "pos_small.csv",
        &[("pos_small.xlsx", "xlsx"), ("pos_small.xls", "xls")],
    );
    let (csv, xlsx, xls) = (&pos[0], &pos[1], &pos[2]);
    assert_eq!(xlsx.id_column.as_deref(), Some("po_id"));
    // Typed cells: amounts are numbers, dates are ISO dates, text is kept.
    assert_eq!(value(&ws, csv, "po_1", "net_amount"), "1250.00");
    assert_eq!(value(&ws, xlsx, "po_1", "net_amount"), "1250");
    assert_eq!(value(&ws, xls, "po_1", "net_amount"), "1250");
    assert_eq!(value(&ws, xlsx, "po_5", "net_amount"), "980.5");
    assert_eq!(value(&ws, xls, "po_7", "net_amount"), "7420.35");
    assert_eq!(value(&ws, xlsx, "po_1", "order_date"), "2024-02-12");
    assert_eq!(value(&ws, xls, "po_12", "order_date"), "2025-02-03");
    assert_eq!(
        value(&ws, xls, "po_3", "vendor_name"),
        "Müller Maschinenbau AG"
    );
    // Column types are inferred the same from typed cells as from text.
    let kinds = |d: &Dataset| d.columns.iter().map(|c| c.kind.clone()).collect::<Vec<_>>();
    assert_eq!(kinds(xlsx), kinds(csv));
    assert_eq!(kinds(xls), kinds(csv));

    let invoices = assert_same_as_csv(
        &ws,
        DatasetKind::Documents,
        "invoices_small.csv",
        &[
            ("invoices_small.xlsx", "xlsx"),
            ("invoices_small.json", "json"),
        ],
    );
    let (csv, xlsx, json) = (&invoices[0], &invoices[1], &invoices[2]);
    assert_eq!(xlsx.id_column.as_deref(), Some("document_id"));
    assert_eq!(xlsx.filename_column.as_deref(), Some("document_filename"));
    assert_eq!(value(&ws, xlsx, "doc_1", "total_amount"), "1487.5");
    assert_eq!(value(&ws, xlsx, "doc_1", "invoice_date"), "2024-02-20");
    assert_eq!(value(&ws, csv, "doc_2", "invoice_date"), "12.03.2024");
    assert_eq!(value(&ws, xlsx, "doc_2", "invoice_date"), "2024-03-12");
    assert_eq!(value(&ws, xlsx, "doc_2", "invoice_number"), "3321");
    // JSON keeps the text exactly, numbers as written included.
    assert_eq!(all_rows(&ws, json), all_rows(&ws, csv));
    assert_eq!(value(&ws, json, "doc_2", "total_amount"), "349.90");
    assert_eq!(value(&ws, json, "doc_9", "document_filename"), "");
    assert_eq!(value(&ws, json, "doc_5", "po_reference"), "");

    assert_eq!(ws.list_datasets().unwrap().len(), 6);
}

#[test]
fn errors_name_the_file_row_and_column_and_store_nothing() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let ws = open(&rt, &dir.path().join("ws.sqlite"));

    // The table starts at B2, so the header is row 2 and the stray value is in F5.
    let err =
        import_error(ws.import_dataset(&request("bad_extra_value.xlsx", DatasetKind::Reference)));
    assert_eq!(err.file, "bad_extra_value.xlsx");
    assert_eq!(err.row, Some(5));
    assert_eq!(err.column.as_deref(), Some("F"));
    assert!(err.message.contains("beyond"), "{}", err.message);

    let err =
        import_error(ws.import_dataset(&request("bad_error_cell.xlsx", DatasetKind::Reference)));
    assert_eq!(err.file, "bad_error_cell.xlsx");
    assert_eq!(err.row, Some(4));
    assert_eq!(err.column.as_deref(), Some("net_amount"));
    assert!(err.message.contains("#DIV/0!"), "{}", err.message);

    let err = import_error(ws.import_dataset(&request("bad_nested.json", DatasetKind::Documents)));
    assert_eq!(err.file, "bad_nested.json");
    assert_eq!(err.row, Some(3));
    assert_eq!(err.column.as_deref(), Some("total_amount"));
    assert!(err.message.contains("Record 3"), "{}", err.message);
    assert_eq!(
        err.to_string(),
        format!(
            "bad_nested.json, row 3, column total_amount: {}",
            err.message
        )
    );

    let mut req = request("invoices_small.xlsx", DatasetKind::Documents);
    req.sheet = Some("Totals".into());
    let err = import_error(ws.import_dataset(&req));
    assert_eq!(err.file, "invoices_small.xlsx");
    assert!(
        err.message.contains("\"Totals\"") && err.message.contains("Invoices, Notes"),
        "{}",
        err.message
    );

    // A problem found after reading (duplicate ids) also stores nothing.
    let mut req = request("pos_small.xlsx", DatasetKind::Reference);
    req.id_column = Some("vendor_id".into());
    let err = import_error(ws.import_dataset(&req));
    assert_eq!(err.file, "pos_small.xlsx");
    assert_eq!(err.row, Some(6));
    assert!(err.message.contains("row 2"), "{}", err.message);
    assert_eq!(err.column.as_deref(), Some("vendor_id"));

    let mut req = request("invoices_small.csv", DatasetKind::Documents);
    req.encoding = Some("ebcdic".into());
    match ws.import_dataset(&req) {
        Err(ServiceError::Validation { field, .. }) => assert_eq!(field, "encoding"),
        other => panic!("expected a validation error, got {other:?}"),
    }

    assert!(ws.list_datasets().unwrap().is_empty());
    assert_eq!(ws.info().unwrap().datasets, 0);
}

fn preview(ws: &Workspace, req: &ImportRequest) -> ImportPreview {
    ws.preview_import(req).unwrap()
}

#[test]
fn preview_reports_what_was_detected() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let ws = open(&rt, &dir.path().join("ws.sqlite"));

    let p = preview(
        &ws,
        &request("invoices_semicolon_cp1252.csv", DatasetKind::Documents),
    );
    assert_eq!(p.file, "invoices_semicolon_cp1252.csv");
    assert_eq!(p.format, "csv");
    assert_eq!(p.delimiter.as_deref(), Some(";"));
    assert_eq!(p.encoding.as_deref(), Some("windows-1252"));
    assert!(p.has_header);
    assert!(p.sheets.is_empty());
    assert_eq!(p.sheet, None);
    assert_eq!(p.row_count, Some(4));
    assert_eq!(p.rows.len(), 4);
    assert_eq!(p.rows[0][3], "Müller GmbH");
    assert_eq!(p.id_column.as_deref(), Some("document_id"));
    assert_eq!(p.filename_column.as_deref(), Some("document_filename"));

    let p = preview(&ws, &request("tabs.tsv", DatasetKind::Reference));
    assert_eq!(p.delimiter.as_deref(), Some("\t"));

    let p = preview(&ws, &request("invoices_small.xlsx", DatasetKind::Documents));
    assert_eq!(p.format, "xlsx");
    assert_eq!(p.delimiter, None);
    assert_eq!(p.encoding, None);
    assert_eq!(p.sheets, ["Invoices", "Notes"]);
    assert_eq!(p.sheet.as_deref(), Some("Invoices"));
    assert_eq!(p.row_count, Some(12));
    assert_eq!(p.rows.len(), 10, "a preview shows the first 10 rows");
    assert_eq!(p.columns[0], "document_id");
    assert_eq!(p.rows[0][0], "doc_1");
    assert_eq!(p.rows[0][6], "1487.5");
    assert_eq!(p.rows[9][0], "doc_10");
    assert_eq!(p.filename_column.as_deref(), Some("document_filename"));

    // Reference data has no file-name column.
    let p = preview(&ws, &request("invoices_small.xlsx", DatasetKind::Reference));
    assert_eq!(p.filename_column, None);

    let mut req = request("invoices_small.xlsx", DatasetKind::Documents);
    req.sheet = Some("Notes".into());
    let p = preview(&ws, &req);
    assert_eq!(p.sheet.as_deref(), Some("Notes"));
    assert_eq!(p.columns, ["topic", "note"]);
    assert_eq!(p.row_count, Some(2));

    let p = preview(&ws, &request("pos_small.xls", DatasetKind::Reference));
    assert_eq!(p.format, "xls");
    assert_eq!(p.sheets, ["POs"]);
    assert_eq!(p.id_column.as_deref(), Some("po_id"));

    let p = preview(&ws, &request("invoices_small.json", DatasetKind::Documents));
    assert_eq!(p.format, "json");
    assert_eq!(p.delimiter, None);
    assert_eq!(p.encoding, None);
    assert!(p.sheets.is_empty());
    assert_eq!(p.row_count, Some(12));
    assert_eq!(p.rows[1][6], "349.90");

    let err = import_error(ws.preview_import(&request("bad_nested.json", DatasetKind::Documents)));
    assert_eq!(err.row, Some(3));

    // A preview stores nothing.
    assert!(ws.list_datasets().unwrap().is_empty());
}

#[test]
fn without_a_header_columns_are_numbered() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let ws = open(&rt, &dir.path().join("ws.sqlite"));
    let numbered: Vec<String> = (1..=8).map(|n| format!("column_{n}")).collect();

    for file in ["pos_small.csv", "pos_small.xlsx", "pos_small.xls"] {
        let mut req = request(file, DatasetKind::Reference);
        req.has_header = Some(false);
        let p = preview(&ws, &req);
        assert!(!p.has_header, "{file}");
        assert_eq!(p.columns, numbered, "{file}");
        assert_eq!(p.row_count, Some(13), "{file}: the header row is data");
        assert_eq!(p.rows[0][0], "po_id", "{file}");
        assert_eq!(p.rows[1][0], "po_1", "{file}");
        assert_eq!(p.id_column, None, "{file}");

        let dataset = ws.import_dataset(&req).unwrap();
        assert_eq!(dataset.row_count, 13);
        assert_eq!(dataset.columns[0].name, "column_1");
        let rows = all_rows(&ws, &dataset);
        assert_eq!(rows[0].id, "row-1");
        assert_eq!(rows[0].values[4], "net_amount");
    }

    let mut req = request("pos_small.csv", DatasetKind::Reference);
    req.has_header = Some(false);
    req.id_column = Some("column_1".into());
    let dataset = ws.import_dataset(&req).unwrap();
    assert_eq!(all_rows(&ws, &dataset)[0].id, "po_id");
    req.id_column = Some("po_id".into());
    let err = import_error(ws.import_dataset(&req));
    assert_eq!(err.column.as_deref(), Some("po_id"));
    // There is no header row to point at.
    assert_eq!(err.row, None);
    assert!(err.message.contains("column_1"), "{}", err.message);
    assert_eq!(ws.list_datasets().unwrap().len(), 4);
}

#[test]
fn a_forced_encoding_changes_the_decoded_text() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let ws = open(&rt, &dir.path().join("ws.sqlite"));
    let mut req = request("invoices_semicolon_cp1252.csv", DatasetKind::Documents);

    let detected = preview(&ws, &req);
    assert_eq!(detected.rows[0][3], "Müller GmbH");

    req.encoding = Some("utf-8".into());
    let forced = preview(&ws, &req);
    assert_eq!(forced.encoding.as_deref(), Some("utf-8"));
    assert_eq!(forced.rows[0][3], "M\u{FFFD}ller GmbH");
    assert_eq!(forced.columns, detected.columns);

    req.encoding = Some("latin1".into());
    let latin1 = preview(&ws, &req);
    assert_eq!(latin1.encoding.as_deref(), Some("windows-1252"));
    assert_eq!(latin1.rows, detected.rows);

    req.encoding = Some("utf-8".into());
    let dataset = ws.import_dataset(&req).unwrap();
    assert_eq!(
        value(&ws, &dataset, "doc_101", "vendor_name"),
        "M\u{FFFD}ller GmbH"
    );

    req.encoding = Some("klingon".into());
    match ws.preview_import(&req) {
        Err(ServiceError::Validation { field, message }) => {
            assert_eq!(field, "encoding");
            assert!(message.contains("klingon"), "{message}");
        }
        other => panic!("expected a validation error, got {other:?}"),
    }
}

/// Writes the XLSX fixtures from the CSV ones: amounts as number cells and dates as date cells
/// wherever the CSV text reads as one, everything else as text. Also a workbook with a value
/// beyond its header. Run with `cargo test -p service --test import_formats -- --ignored`.
#[test]
#[ignore = "writes the fixture files"]
fn write_xlsx_fixtures() {
    use chrono::Datelike;
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet};

    fn write_table(sheet: &mut Worksheet, csv: &str) {
        let table = import::read_csv(&fixture(csv), &Default::default()).unwrap();
        let amount = Format::new().set_num_format("#,##0.00");
        let date = Format::new().set_num_format("yyyy-mm-dd");
        for (c, name) in table.columns.iter().enumerate() {
            sheet.write_string(0, c as u16, name).unwrap();
        }
        for (r, row) in table.rows.iter().enumerate() {
            let r = r as u32 + 1;
            for (c, (name, text)) in table.columns.iter().zip(row).enumerate() {
                let c = c as u16;
                if name.contains("amount") {
                    if let Some(n) = parse_number(text) {
                        sheet.write_number_with_format(r, c, n, &amount).unwrap();
                        continue;
                    }
                }
                if name.contains("date") {
                    if let Some(d) = parse_date(text) {
                        let d = ExcelDateTime::from_ymd(
                            d.year() as u16,
                            d.month() as u8,
                            d.day() as u8,
                        )
                        .unwrap();
                        sheet.write_datetime_with_format(r, c, d, &date).unwrap();
                        continue;
                    }
                }
                if !text.is_empty() {
                    sheet.write_string(r, c, text).unwrap();
                }
            }
        }
    }

    let mut book = Workbook::new();
    write_table(
        book.add_worksheet().set_name("Invoices").unwrap(),
        "invoices_small.csv",
    );
    let notes = book.add_worksheet().set_name("Notes").unwrap();
    notes.write_string(0, 0, "topic").unwrap();
    notes.write_string(0, 1, "note").unwrap();
    notes.write_string(1, 0, "source").unwrap();
    notes
        .write_string(1, 1, "Same rows as invoices_small.csv")
        .unwrap();
    notes.write_string(2, 0, "cells").unwrap();
    notes
        .write_string(2, 1, "Amounts are numbers, dates are dates")
        .unwrap();
    book.save(fixture("invoices_small.xlsx")).unwrap();

    let mut book = Workbook::new();
    write_table(
        book.add_worksheet().set_name("POs").unwrap(),
        "pos_small.csv",
    );
    book.save(fixture("pos_small.xlsx")).unwrap();

    // The table starts at B2; row 5 has a value in F, right of the header's last column (D).
    let mut book = Workbook::new();
    let sheet = book.add_worksheet().set_name("Data").unwrap();
    let rows: [&[&str]; 4] = [
        &["po_id", "vendor_name", "net_amount"],
        &["po_1", "Northbridge Logistics GmbH", "1250.00"],
        &["po_2", "Acme Office Supplies Ltd", "349.90"],
        &["po_3", "Müller Maschinenbau AG", "18400.00"],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, text) in row.iter().enumerate() {
            sheet
                .write_string(r as u32 + 1, c as u16 + 1, *text)
                .unwrap();
        }
    }
    sheet.write_string(4, 5, "stray note").unwrap();
    book.save(fixture("bad_extra_value.xlsx")).unwrap();
}
