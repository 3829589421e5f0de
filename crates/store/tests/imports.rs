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
            statement_timeout_seconds: None,
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

/// A first import of two rows ("v1-0", "v1-1") landed, and a queued run of a config on it.
fn first_version_and_a_run(w: &Workspace) -> engine::Run {
    let first = w.store.begin_import(&sql_dataset(REF), 1, "t1").unwrap();
    w.store
        .append_import_rows(&first, 0, &rows("v1-", 2))
        .unwrap();
    w.store.finish_import(&first, 2).unwrap();
    let cfg = config("c");
    w.store.insert_config(&cfg).unwrap();
    queue(&w.store, "run-1", &cfg, ME)
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
    let slot = w.store.begin_import(&sql_dataset("d"), 1, "t1").unwrap();
    w.store.append_import_rows(&slot, 0, &rows("a", 3)).unwrap();
    let d = w.store.get_dataset("d").unwrap();
    assert_eq!(
        (d.status, d.version, d.row_count),
        (DatasetStatus::Importing, 0, 0)
    );
    assert!(
        !w.store.import_progress(&slot, 3, 2).unwrap(),
        "no cancel asked"
    );
    w.store.request_import_cancel("d", T1).unwrap();
    assert!(
        w.store.import_progress(&slot, 3, 3).unwrap(),
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
    let slot = w.store.begin_import(&sql_dataset("d"), 1, "t1").unwrap();
    w.store.append_import_rows(&slot, 0, &rows("a", 3)).unwrap();
    w.store.fail_import(&slot, "lost").unwrap();
    let d = w.store.get_dataset("d").unwrap();
    assert_eq!(
        (d.status, d.version, d.error.as_deref()),
        (DatasetStatus::Failed, 0, Some("lost"))
    );
    assert_eq!(w.count("SELECT count(*) FROM reference_rows"), 0);

    let slot = w.store.begin_import(&sql_dataset("e"), 1, "t2").unwrap();
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
    let run = first_version_and_a_run(&w);
    let v1 = format!("{REF}@v1");
    assert_eq!(
        w.store.pin_reference_rows(&run.id, REF).unwrap(),
        Some(v1.clone())
    );

    let (d, second) = w.store.begin_refresh(REF, 5, "t2").unwrap();
    assert_eq!((d.status, second.version), (DatasetStatus::Importing, 2));
    assert!(
        matches!(
            w.store.begin_refresh(REF, 5, "t2"),
            Err(StoreError::Stale(_))
        ),
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
        loaded(&w, REF, Some(&v1)),
        ["v1-0", "v1-1"],
        "the pinned run keeps v1"
    );
    let old = w
        .store
        .reference_rows_at(REF, Some(&v1), &["PO-1".to_string()])
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
    let (_, third) = w.store.begin_refresh(REF, 6, "t3").unwrap();
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
    let first = w.store.begin_import(&sql_dataset("d"), 1, "t1").unwrap();
    w.store.finish_import(&first, 0).unwrap();
    let (_, refresh) = w.store.begin_refresh("d", 100, "t2").unwrap();
    assert!(
        w.store.stale_imports(50).unwrap().is_empty(),
        "its heartbeat is recent"
    );
    assert_eq!(w.store.stale_imports(200).unwrap(), vec![refresh]);
}

#[test]
fn failing_a_stale_refresh_never_touches_the_version_in_use_or_pinned_ones() {
    let w = Workspace::new();
    let run = first_version_and_a_run(&w);
    w.store.pin_reference_rows(&run.id, REF).unwrap();
    let (_, second) = w.store.begin_refresh(REF, 2, "t2").unwrap();
    w.store
        .append_import_rows(&second, 0, &rows("v2-", 3))
        .unwrap();
    w.store.finish_import(&second, 3).unwrap();
    // A third refresh whose process dies half way.
    let (_, third) = w.store.begin_refresh(REF, 3, "t3").unwrap();
    w.store
        .append_import_rows(&third, 0, &rows("v3-", 1))
        .unwrap();
    let stale = w.store.stale_imports(10).unwrap();
    assert_eq!(stale, vec![third.clone()], "only the version being written");
    for slot in &stale {
        w.store.fail_import(slot, "stopped").unwrap();
    }
    let d = w.store.get_dataset(REF).unwrap();
    assert_eq!(
        (d.status, d.version, d.row_count),
        (DatasetStatus::Failed, 2, 3)
    );
    assert_eq!(loaded(&w, REF, None), ["v2-0", "v2-1", "v2-2"]);
    assert_eq!(
        loaded(&w, REF, Some(&format!("{REF}@v1"))),
        ["v1-0", "v1-1"]
    );
    // The importer wakes up: it owns nothing any more and writes nothing.
    assert!(matches!(
        w.store.append_import_rows(&third, 1, &rows("v3-", 1)),
        Err(StoreError::Stale(_))
    ));
    assert!(matches!(
        w.store.finish_import(&third, 2),
        Err(StoreError::Stale(_))
    ));
    assert!(
        w.store.import_progress(&third, 2, 4).unwrap(),
        "told to stop"
    );
    assert_eq!(w.store.get_dataset(REF).unwrap().version, 2);
}

#[test]
fn cancelling_a_new_try_of_a_failed_import_keeps_the_dataset() {
    let w = Workspace::new();
    let first = w.store.begin_import(&sql_dataset("d"), 1, "t1").unwrap();
    w.store.fail_import(&first, "server down").unwrap();
    let (_, again) = w.store.begin_refresh("d", 2, "t2").unwrap();
    assert!(again.retry);
    w.store
        .append_import_rows(&again, 0, &rows("a", 2))
        .unwrap();
    w.store.abandon_import(&again).unwrap();
    let d = w.store.get_dataset("d").unwrap();
    assert_eq!((d.status, d.version), (DatasetStatus::Failed, 0));
    assert_eq!(w.count("SELECT count(*) FROM reference_rows"), 0);
}

#[test]
fn a_past_version_with_other_columns_is_read_under_the_current_ones() {
    let w = Workspace::new();
    let run = first_version_and_a_run(&w);
    let v1 = w.store.pin_reference_rows(&run.id, REF).unwrap().unwrap();
    // The table gained a column in front.
    let (_, second) = w.store.begin_refresh(REF, 2, "t2").unwrap();
    let columns = vec![
        Column {
            name: "note".into(),
            kind: "string".into(),
        },
        Column {
            name: "po".into(),
            kind: "string".into(),
        },
    ];
    w.store
        .set_import_columns(&second, &columns, Some("po"))
        .unwrap();
    let wide = vec![Record {
        id: "PO-1".into(),
        values: vec!["new".into(), "v2-1".into()],
    }];
    w.store.append_import_rows(&second, 0, &wide).unwrap();
    let d = w.store.finish_import(&second, 1).unwrap();
    assert_eq!(d.columns, columns);
    let ids = ["PO-1".to_string()];
    let old = w.store.reference_rows_at(REF, Some(&v1), &ids).unwrap();
    assert_eq!(
        old[0].values,
        ["", "v1-1"],
        "v1's value under the current columns"
    );
    assert_eq!(
        w.store.reference_rows_at(REF, None, &ids).unwrap()[0].values,
        ["new", "v2-1"]
    );
    // A run's own load keeps its version's columns.
    let (then, rows) = w
        .store
        .load_reference_at(REF, Some(&v1), &CancelToken::new())
        .unwrap()
        .unwrap();
    assert_eq!(then.columns.len(), 1);
    assert_eq!(rows[1].values, ["v1-1"]);
}
