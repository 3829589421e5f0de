//! Datasets on a real workspace file: reference and document imports with their columns, pages
//! and batched reads of their rows, lookups by id, listing, and what deleting one takes with it.

mod common;

use common::*;
use engine::{CancelToken, Column, Dataset, DatasetKind, Document, Record};
use store::StoreError;

fn dataset(id: &str, kind: DatasetKind, rows: usize, created_at: &str) -> Dataset {
    let column = |name: &str, kind: &str| Column {
        name: name.into(),
        kind: kind.into(),
    };
    Dataset {
        id: id.into(),
        kind,
        name: format!("{id} file"),
        source_type: "csv".into(),
        source_file: Some(format!("{id}.csv")),
        columns: vec![
            column("po", "string"),
            column("total", "number"),
            column("order_date", "date"),
        ],
        row_count: rows as u64,
        id_column: Some("po".into()),
        filename_column: (kind == DatasetKind::Documents).then(|| "file".into()),
        created_at: created_at.into(),
        status: Default::default(),
        version: 1,
        error: None,
        rows_imported: None,
        sql: None,
    }
}

fn values(i: usize) -> Vec<String> {
    vec![
        format!("PO-{i}"),
        format!("{i}.50"),
        format!("2026-01-{:02}", i % 28 + 1),
    ]
}

fn records(n: usize) -> Vec<Record> {
    (0..n)
        .map(|i| Record {
            id: format!("PO-{i}"),
            values: values(i),
        })
        .collect()
}

/// Every third document has no file name.
fn documents(n: usize) -> Vec<Document> {
    (0..n)
        .map(|i| Document {
            document_id: format!("INV-{i}"),
            document_filename: (i % 3 != 0).then(|| format!("inv-{i}.pdf")),
            values: values(i),
        })
        .collect()
}

fn add_reference(w: &Workspace, id: &str, rows: &[Record]) -> Dataset {
    let d = dataset(id, DatasetKind::Reference, rows.len(), T0);
    w.store.insert_reference_dataset(&d, rows).unwrap();
    d
}

fn add_documents(w: &Workspace, id: &str, docs: &[Document]) -> Dataset {
    let d = dataset(id, DatasetKind::Documents, docs.len(), T0);
    w.store.insert_document_set(&d, docs).unwrap();
    d
}

#[test]
fn a_reference_import_keeps_its_columns_and_rows_in_file_order() {
    let w = Workspace::new();
    let rows = records(5);
    let d = add_reference(&w, "ref", &rows);
    assert_eq!(w.store.get_dataset("ref").unwrap(), d);
    let stored: String = w
        .raw()
        .query_row("SELECT columns FROM datasets WHERE id = 'ref'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&stored).unwrap(),
        serde_json::json!([{"name": "po", "type": "string"}, {"name": "total", "type": "number"},
                           {"name": "order_date", "type": "date"}])
    );
    let loaded = w.store.load_reference("ref", &CancelToken::new()).unwrap();
    assert_eq!(loaded, Some((d, rows.clone())));

    let page = w.store.dataset_rows("ref", 2, 2).unwrap();
    assert_eq!(page.columns, ["po", "total", "order_date"]);
    assert_eq!(page.rows, rows[2..4]);
    assert_eq!((page.total, page.page, page.limit), (5, 2, 2));
    // Page 0 is read as the first page; past the end is empty.
    assert_eq!(w.store.dataset_rows("ref", 0, 2).unwrap().rows, rows[..2]);
    assert!(w.store.dataset_rows("ref", 4, 2).unwrap().rows.is_empty());
}

#[test]
fn a_document_import_reads_back_in_batches_with_ids_and_file_names() {
    let w = Workspace::new();
    let docs = documents(5);
    let d = add_documents(&w, "docs", &docs);
    assert_eq!(w.store.get_dataset("docs").unwrap(), d);
    assert_eq!(d.filename_column.as_deref(), Some("file"));

    let (mut read, mut from, mut steps) = (Vec::new(), 0, Vec::new());
    // Bounded: a position that stops moving fails the test instead of hanging it.
    for _ in 0..10 {
        let (chunk, next) = w.store.documents_chunk("docs", from, 2).unwrap();
        steps.push((chunk.len(), next));
        if chunk.is_empty() {
            break;
        }
        read.extend(chunk);
        from = next;
    }
    assert_eq!(steps, [(2, 2), (2, 4), (1, 5), (0, 5)]);
    assert_eq!(read, docs);

    // A page of a document set shows each document by its id.
    let page = w.store.dataset_rows("docs", 1, 10).unwrap();
    let shown: Vec<Record> = docs
        .iter()
        .map(|d| Record {
            id: d.document_id.clone(),
            values: d.values.clone(),
        })
        .collect();
    assert_eq!(page.rows, shown);
}

#[test]
fn an_import_that_fails_stores_nothing() {
    let w = Workspace::new();
    let mut rows = records(3);
    rows[2].id = rows[0].id.clone();
    let d = dataset("ref", DatasetKind::Reference, 3, T0);
    let refused = w.store.insert_reference_dataset(&d, &rows);
    assert!(matches!(refused, Err(StoreError::Sqlite(_))), "{refused:?}");

    let mut docs = documents(3);
    docs[1].document_id = docs[0].document_id.clone();
    let d = dataset("docs", DatasetKind::Documents, 3, T0);
    assert!(w.store.insert_document_set(&d, &docs).is_err());

    assert!(w.store.list_datasets().unwrap().is_empty());
    assert_eq!(w.count("SELECT count(*) FROM reference_rows"), 0);
    assert_eq!(w.count("SELECT count(*) FROM documents"), 0);

    // A second import under an id already taken leaves the first as it was.
    let kept = records(2);
    let first = add_reference(&w, "ref", &kept);
    assert!(w
        .store
        .insert_reference_dataset(&first, &records(4))
        .is_err());
    let loaded = w.store.load_reference("ref", &CancelToken::new()).unwrap();
    assert_eq!(loaded, Some((first, kept)));
}

#[test]
fn datasets_list_newest_first_then_by_id() {
    let w = Workspace::new();
    for (id, kind, at) in [
        ("a", DatasetKind::Reference, T0),
        ("c", DatasetKind::Reference, T1),
        ("b", DatasetKind::Reference, T1),
        ("x", DatasetKind::Documents, T2),
    ] {
        let d = dataset(id, kind, 0, at);
        match kind {
            DatasetKind::Reference => w.store.insert_reference_dataset(&d, &[]).unwrap(),
            DatasetKind::Documents => w.store.insert_document_set(&d, &[]).unwrap(),
        }
    }
    let listed = w.store.list_datasets().unwrap();
    let order: Vec<(&str, DatasetKind)> = listed.iter().map(|d| (d.id.as_str(), d.kind)).collect();
    assert_eq!(
        order,
        [
            ("x", DatasetKind::Documents),
            ("b", DatasetKind::Reference),
            ("c", DatasetKind::Reference),
            ("a", DatasetKind::Reference)
        ]
    );
    assert_eq!(listed[0].filename_column.as_deref(), Some("file"));
}

#[test]
fn deleting_a_dataset_takes_its_rows_and_leaves_configs_and_runs() {
    let w = Workspace::new();
    let rows = records(3);
    add_reference(&w, REF, &rows);
    add_reference(&w, "keep", &records(2));
    add_documents(&w, "docs", &documents(2));
    let c = config("c");
    w.store.insert_config(&c).unwrap();
    start(&w.store, "run", &c, 1);
    write(&w.store, "run", &[doc("d1", &[("PO-1", 0.9)])]);

    w.store.delete_dataset(REF).unwrap();
    assert!(matches!(
        w.store.get_dataset(REF),
        Err(StoreError::NotFound {
            kind: "dataset",
            ..
        })
    ));
    assert!(w.store.dataset_rows(REF, 1, 10).is_err());
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    assert!(w.store.reference_rows_by_ids(REF, &ids).unwrap().is_empty());
    let remaining = "SELECT count(*) FROM reference_rows WHERE dataset_id = ";
    assert_eq!(w.count(&format!("{remaining}'{REF}'")), 0);
    assert_eq!(w.count(&format!("{remaining}'keep'")), 2);
    // The config bound to it stays (its next run fails), and so do past runs and results.
    assert_eq!(w.store.get_config("c").unwrap(), c);
    assert_eq!(w.store.get_stored_run("run").unwrap().config, c);
    assert!(w.store.get_result("run", &rid("run", "d1")).is_ok());

    w.store.delete_dataset("docs").unwrap();
    assert_eq!(w.count("SELECT count(*) FROM documents"), 0);
    assert!(matches!(
        w.store.delete_dataset("docs"),
        Err(StoreError::NotFound {
            kind: "dataset",
            ..
        })
    ));
}

#[test]
fn reference_rows_are_looked_up_by_id_in_the_order_asked() {
    let w = Workspace::new();
    let rows = records(4);
    add_reference(&w, "ref", &rows);
    add_reference(&w, "other", &records(2));
    let asked = ["PO-3", "nope", "PO-1"].map(String::from);
    let found = w.store.reference_rows_by_ids("ref", &asked).unwrap();
    assert_eq!(found, [rows[3].clone(), rows[1].clone()]);
    // Ids are looked for in the dataset asked about only.
    let only_other = w.store.reference_rows_by_ids("other", &asked).unwrap();
    assert_eq!(only_other, records(2)[1..]);
}

#[test]
fn only_a_reference_dataset_loads_as_reference_rows() {
    let w = Workspace::new();
    add_documents(&w, "docs", &documents(2));
    let empty = add_reference(&w, "empty", &[]);
    let cancel = CancelToken::new();
    assert!(matches!(
        w.store.load_reference("docs", &cancel),
        Err(StoreError::NotFound {
            kind: "reference data",
            ..
        })
    ));
    assert!(matches!(
        w.store.load_reference("nope", &cancel),
        Err(StoreError::NotFound {
            kind: "dataset",
            ..
        })
    ));
    assert_eq!(
        w.store.load_reference("empty", &cancel).unwrap(),
        Some((empty, Vec::new()))
    );
}
