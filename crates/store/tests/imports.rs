//! A database import's life in the workspace file: rows appended in batches under an importing
//! dataset, the end that keeps all or nothing, refreshes into hidden versions that runs pin, and
//! hidden versions never shown, counted or deleted as datasets of their own.

mod common;

use common::*;
use engine::{
    CancelToken, Column, Dataset, DatasetKind, DatasetStatus, Record, SqlConnection, SqlSource,
};
use store::StoreError;

fn sql_dataset(id: &str) -> Dataset {
    Dataset {
        id: id.into(),
        kind: DatasetKind::Reference,
        name: "orders".into(),
        source_type: "postgres".into(),
        source_file: Some("u@h:5432/erp".into()),
        columns: vec![Column {
            name: "po".into(),
            kind: "string".into(),
        }],
        row_count: 0,
        id_column: Some("po".into()),
        filename_column: None,
        created_at: T0.into(),
        status: DatasetStatus::Importing,
        version: 0,
        error: None,
        rows_imported: None,
        sql: Some(SqlSource {
            connection: SqlConnection {
                engine: Default::default(),
                host: "h".into(),
                port: None,
                database: "erp".into(),
                user: "u".into(),
            },
            query: "SELECT po FROM orders".into(),
        }),
    }
}

fn rows(prefix: &str, n: usize) -> Vec<Record> {
    (0..n)
        .map(|i| Record {
            id: format!("PO-{i}"),
            values: vec![format!("{prefix}{i}")],
        })
        .collect()
}

fn loaded(w: &Workspace, id: &str, pinned: Option<&str>) -> Vec<String> {
    let (_, rows) = w
        .store
        .load_reference_at(id, pinned, &CancelToken::new())
        .unwrap()
        .unwrap();
    rows.into_iter().map(|r| r.values[0].clone()).collect()
}

#[test]
fn an_import_is_importing_until_it_lands_in_one_step() {
    let w = Workspace::new();
    let slot = w.store.begin_import(&sql_dataset("d"), 1).unwrap();
    w.store.append_import_rows(&slot, 0, &rows("a", 3)).unwrap();
    let d = w.store.get_dataset("d").unwrap();
    assert_eq!(
        (d.status, d.version, d.row_count),
        (DatasetStatus::Importing, 0, 0)
    );
    assert!(
        !w.store.import_progress("d", 3, 2).unwrap(),
        "no cancel asked"
    );
    w.store.request_import_cancel("d", T1).unwrap();
    assert!(
        w.store.import_progress("d", 3, 3).unwrap(),
        "the importer sees the cancel"
    );
    let d = w.store.finish_import(&slot, 3).unwrap();
    assert_eq!(
        (d.status, d.version, d.row_count),
        (DatasetStatus::Ready, 1, 3)
    );
    assert_eq!(d.sql.unwrap().query, "SELECT po FROM orders");
    assert_eq!(loaded(&w, "d", None), ["a0", "a1", "a2"]);
    assert!(matches!(
        w.store.request_import_cancel("d", T1),
        Err(StoreError::Stale(_))
    ));
}

#[test]
fn failing_or_abandoning_keeps_nothing_of_the_import() {
    let w = Workspace::new();
    let slot = w.store.begin_import(&sql_dataset("d"), 1).unwrap();
    w.store.append_import_rows(&slot, 0, &rows("a", 3)).unwrap();
    w.store.fail_import(&slot, "lost").unwrap();
    let d = w.store.get_dataset("d").unwrap();
    assert_eq!(
        (d.status, d.version, d.error.as_deref()),
        (DatasetStatus::Failed, 0, Some("lost"))
    );
    assert_eq!(w.count("SELECT count(*) FROM reference_rows"), 0);

    let slot = w.store.begin_import(&sql_dataset("e"), 1).unwrap();
    w.store.append_import_rows(&slot, 0, &rows("a", 3)).unwrap();
    w.store.abandon_import(&slot).unwrap();
    assert!(matches!(
        w.store.get_dataset("e"),
        Err(StoreError::NotFound { .. })
    ));
    assert_eq!(w.count("SELECT count(*) FROM reference_rows"), 0);
}

#[test]
fn refreshes_make_hidden_versions_that_runs_pin_and_nothing_else_sees() {
    let w = Workspace::new();
    let first = w.store.begin_import(&sql_dataset(REF), 1).unwrap();
    w.store
        .append_import_rows(&first, 0, &rows("v1-", 2))
        .unwrap();
    w.store.finish_import(&first, 2).unwrap();
    let cfg = config("c");
    w.store.insert_config(&cfg).unwrap();
    let run = queue(&w.store, "run-1", &cfg, ME);
    assert_eq!(
        w.store.pin_reference_rows(&run.id, REF).unwrap().as_deref(),
        Some(REF)
    );

    let (d, second) = w.store.begin_refresh(REF, 5).unwrap();
    assert_eq!((d.status, second.version), (DatasetStatus::Importing, 2));
    assert!(
        matches!(w.store.begin_refresh(REF, 5), Err(StoreError::Stale(_))),
        "one at a time"
    );
    w.store
        .append_import_rows(&second, 0, &rows("v2-", 3))
        .unwrap();
    assert_eq!(
        loaded(&w, REF, None),
        ["v1-0", "v1-1"],
        "runs read v1 until v2 lands"
    );
    let d = w.store.finish_import(&second, 3).unwrap();
    assert_eq!((d.version, d.row_count), (2, 3));
    assert_eq!(loaded(&w, REF, None), ["v2-0", "v2-1", "v2-2"]);
    assert_eq!(
        loaded(&w, REF, Some(REF)),
        ["v1-0", "v1-1"],
        "the pinned run keeps v1"
    );
    let old = w
        .store
        .reference_rows_at(REF, Some(REF), &["PO-1".to_string()])
        .unwrap();
    assert_eq!(old[0].values, ["v1-1"]);

    // The hidden version is no dataset of its own.
    assert_eq!(w.store.list_datasets().unwrap().len(), 1);
    assert_eq!(w.store.counts().unwrap().0, 1);
    let hidden = format!("{REF}@v2");
    assert!(matches!(
        w.store.get_dataset(&hidden),
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        w.store.delete_dataset(&hidden),
        Err(StoreError::NotFound { .. })
    ));

    // A third version drops v2 (no run pinned it) but keeps v1 (pinned).
    let (_, third) = w.store.begin_refresh(REF, 6).unwrap();
    w.store
        .append_import_rows(&third, 0, &rows("v3-", 1))
        .unwrap();
    w.store.finish_import(&third, 1).unwrap();
    assert_eq!(w.count("SELECT count(*) FROM reference_rows"), 2 + 1);
    // Deleting the dataset takes every version with it.
    w.store.delete_dataset(REF).unwrap();
    assert_eq!(w.count("SELECT count(*) FROM reference_rows"), 0);
    assert_eq!(w.count("SELECT count(*) FROM datasets"), 0);
}

#[test]
fn a_stale_import_is_found_with_the_slot_it_was_writing() {
    let w = Workspace::new();
    let first = w.store.begin_import(&sql_dataset("d"), 1).unwrap();
    w.store.finish_import(&first, 0).unwrap();
    let (_, refresh) = w.store.begin_refresh("d", 100).unwrap();
    assert!(
        w.store.stale_imports(50).unwrap().is_empty(),
        "its heartbeat is recent"
    );
    assert_eq!(w.store.stale_imports(200).unwrap(), vec![refresh]);
}
