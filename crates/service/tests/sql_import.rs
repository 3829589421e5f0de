//! from-sql against a real PostgreSQL server (tests/pgtest): status importing -> ready | failed,
//! types, errors in the server's words, refusals, cancel and lost connections leaving nothing,
//! refresh into a new version that past runs do not see, and a million rows.

mod common;

use std::time::{Duration, Instant};

use common::{fixture, import, invoice_config, open, run_to_completion, runtime, WAIT};
use engine::{DatasetKind, DatasetStatus, SqlConnection, SqlEngine};
use service::{RefreshRequest, ServiceError, SqlImportRequest, Workspace};

fn connection() -> SqlConnection {
    SqlConnection {
        engine: SqlEngine::Postgres,
        host: "127.0.0.1".into(),
        port: Some(pgtest::server().port),
        database: pgtest::DATABASE.into(),
        user: pgtest::USER.into(),
    }
}

fn request(query: &str) -> SqlImportRequest {
    SqlImportRequest {
        name: None,
        connection: connection(),
        query: query.into(),
        password: Some(pgtest::PASSWORD.into()),
        save_password: false,
        id_column: None,
        statement_timeout_seconds: None,
    }
}

fn wait_ready(ws: &Workspace, id: &str) -> engine::Dataset {
    ws.wait_for_import(id, WAIT)
        .unwrap()
        .expect("the dataset is still there")
}

/// Waits until the import of `id` has read at least `n` rows: it is streaming.
fn wait_for_rows(ws: &Workspace, id: &str, n: u64) {
    let deadline = Instant::now() + WAIT;
    while ws.get_dataset(id).unwrap().rows_imported.unwrap_or(0) < n {
        assert!(Instant::now() < deadline, "no rows arrived");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Rows of reference data in the workspace file, hidden versions included.
fn stored_rows(path: &std::path::Path) -> i64 {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.query_row("SELECT count(*) FROM reference_rows", [], |r| r.get(0))
        .unwrap()
}

fn table_of_pos(table: &str) {
    let mut sql = format!(
        "DROP TABLE IF EXISTS {table}; CREATE TABLE {table} (po_id text PRIMARY KEY, po_number text,
         vendor_id text, vendor_name text, net_amount numeric(12,2), currency char(3), order_date date,
         description text);"
    );
    let text = std::fs::read_to_string(fixture("pos_small.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    for r in reader.records() {
        let r = r.unwrap();
        let q = |s: &str| format!("'{}'", s.replace('\'', "''"));
        sql.push_str(&format!(
            "INSERT INTO {table} VALUES ({}, {}, {}, {}, {}, {}, {}, {});",
            q(&r[0]),
            q(&r[1]),
            q(&r[2]),
            q(&r[3]),
            &r[4],
            q(&r[5]),
            q(&r[6]),
            q(&r[7])
        ));
    }
    pgtest::server().execute(&sql);
}

#[test]
fn an_import_is_importing_with_its_columns_at_once_then_ready_with_typed_rows() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let ws = open(&rt, &dir.path().join("w.matchbook"));
    pgtest::server().execute(
        "CREATE TABLE typed_orders (id int, amount numeric(12,2), due date, at timestamp, note text);
         INSERT INTO typed_orders SELECT g, g * 1.5, DATE '2024-01-01' + g, TIMESTAMP '2024-01-01 08:00' + g * INTERVAL '1 hour',
           CASE WHEN g % 2 = 0 THEN NULL ELSE 'odd ' || g END FROM generate_series(1, 2000) g;",
    );
    let started = ws
        .import_sql(&request("SELECT * FROM typed_orders ORDER BY id"))
        .unwrap();
    assert_eq!(started.name, "erp: typed_orders");
    assert_eq!(started.id_column.as_deref(), Some("id"));
    let kinds: Vec<(&str, &str)> = started
        .columns
        .iter()
        .map(|c| (c.name.as_str(), c.kind.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("id", "number"),
            ("amount", "number"),
            ("due", "date"),
            ("at", "date"),
            ("note", "string")
        ]
    );
    assert!(matches!(
        started.status,
        DatasetStatus::Importing | DatasetStatus::Ready
    ));
    assert_eq!(
        started.sql.as_ref().unwrap().query,
        "SELECT * FROM typed_orders ORDER BY id"
    );
    let done = wait_ready(&ws, &started.id);
    assert_eq!(done.status, DatasetStatus::Ready, "{:?}", done.error);
    assert_eq!(
        (done.row_count, done.version, done.rows_imported),
        (2000, 1, Some(2000))
    );
    let page = ws.dataset_rows(&done.id, Some(1), Some(2)).unwrap();
    assert_eq!(page.rows[0].id, "1");
    assert_eq!(
        page.rows[0].values,
        ["1", "1.50", "2024-01-02", "2024-01-01T09:00:00", "odd 1"]
    );
    assert_eq!(page.rows[1].values[4], "", "NULL is the missing value");
    // The password is nowhere in the workspace file.
    let bytes = std::fs::read(dir.path().join("w.matchbook")).unwrap();
    let needle = pgtest::PASSWORD.as_bytes();
    assert!(!bytes.windows(needle.len()).any(|w| w == needle));
}

#[test]
fn errors_before_the_first_row_store_nothing_and_name_the_field() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let ws = open(&rt, &dir.path().join("w.matchbook"));
    let field_of = |e: ServiceError| match e {
        ServiceError::Validation { field, message } => (field, message),
        other => panic!("{other:?}"),
    };
    let (field, message) = field_of(
        ws.import_sql(&request("SELECT * FROM missing_table"))
            .unwrap_err(),
    );
    assert_eq!(field, "query");
    assert!(
        message.contains("relation \"missing_table\" does not exist"),
        "{message}"
    );
    let (field, message) = field_of(
        ws.import_sql(&request("DELETE FROM typed_orders"))
            .unwrap_err(),
    );
    assert_eq!(field, "query");
    assert!(message.contains("only a SELECT"), "{message}");
    let mut wrong = request("SELECT 1 AS id");
    wrong.password = Some("wrong".into());
    let (field, message) = field_of(ws.import_sql(&wrong).unwrap_err());
    assert_eq!(field, "password");
    assert!(
        message.contains("password authentication failed"),
        "{message}"
    );
    let mut mssql = request("SELECT 1 AS id");
    mssql.connection.engine = SqlEngine::Mssql;
    assert_eq!(
        field_of(ws.import_sql(&mssql).unwrap_err()).0,
        "connection.engine"
    );
    assert!(ws.list_datasets().unwrap().is_empty());
}

#[test]
fn a_repeated_id_fails_the_import_naming_row_and_column_and_keeps_no_rows() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.matchbook");
    let ws = open(&rt, &path);
    let d = ws
        .import_sql(&request(
            "SELECT (g % 9000) AS id, g FROM generate_series(1, 12000) g",
        ))
        .unwrap();
    let done = wait_ready(&ws, &d.id);
    assert_eq!(done.status, DatasetStatus::Failed);
    let error = done.error.unwrap();
    assert!(
        error.contains(
            "row 9001, column \"id\": the id \"1\" is used twice: it first appears in row 1"
        ),
        "{error}"
    );
    assert_eq!((done.row_count, done.version), (0, 0));
    assert_eq!(
        stored_rows(&path),
        0,
        "a failed import leaves no half dataset"
    );
    // A config on it cannot run until an import succeeds, and says why.
    let docs = import(
        &ws,
        fixture("invoices_small.csv"),
        DatasetKind::Documents,
        "document_id",
    );
    let mut input = invoice_config(&d.id, &docs.id);
    input.field_mappings.truncate(0);
    input.field_mappings.push(engine::FieldMapping::new(
        "po_reference",
        "g",
        engine::Strategy::Exact,
        1.0,
    ));
    let config = ws.create_config(&input).unwrap();
    let run = ws
        .start_run(&config.id, engine::TriggeredBy::Manual)
        .unwrap();
    let run = ws.wait_for_run(&run.id, WAIT).unwrap();
    assert_eq!(run.status, engine::RunStatus::Failed);
    assert!(run
        .error
        .unwrap()
        .contains("has no rows: its import failed"));
}

#[test]
fn a_cancel_mid_import_leaves_nothing_behind() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.matchbook");
    let ws = open(&rt, &path);
    let d = ws
        .import_sql(&request(
            "SELECT g AS id, md5(g::text) AS h FROM generate_series(1, 20000000) g",
        ))
        .unwrap();
    wait_for_rows(&ws, &d.id, 10_000);
    let asked = Instant::now();
    ws.cancel_import(&d.id).unwrap();
    assert!(
        ws.wait_for_import(&d.id, WAIT).unwrap().is_none(),
        "the dataset is gone"
    );
    eprintln!("cancel took {:?}", asked.elapsed());
    assert_eq!(stored_rows(&path), 0);
    assert!(ws.list_datasets().unwrap().is_empty());
    // Nothing to cancel any more.
    assert!(ws.cancel_import(&d.id).is_err());
}

#[test]
fn a_lost_connection_mid_stream_fails_the_import_and_keeps_no_rows() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.matchbook");
    let ws = open(&rt, &path);
    let d = ws
        .import_sql(&request(
            "SELECT g AS id, 'lost-marker' AS m FROM generate_series(1, 20000000) g",
        ))
        .unwrap();
    wait_for_rows(&ws, &d.id, 10_000);
    assert_eq!(pgtest::server().terminate_sessions("lost-marker"), 1);
    let done = wait_ready(&ws, &d.id);
    assert_eq!(done.status, DatasetStatus::Failed);
    let error = done.error.unwrap();
    assert!(
        error.contains("connection to the database was lost after"),
        "{error}"
    );
    assert_eq!(stored_rows(&path), 0);
}

#[test]
fn a_refresh_makes_a_new_version_and_past_runs_keep_the_rows_they_matched() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.matchbook");
    let ws = open(&rt, &path);
    table_of_pos("pos_refresh");
    let mut req = request("SELECT * FROM pos_refresh ORDER BY po_id");
    req.id_column = Some("po_id".into());
    let reference = wait_ready(&ws, &ws.import_sql(&req).unwrap().id);
    assert_eq!(reference.row_count, 12);
    let docs = import(
        &ws,
        fixture("invoices_small.csv"),
        DatasetKind::Documents,
        "document_id",
    );
    let config = ws
        .create_config(&invoice_config(&reference.id, &docs.id))
        .unwrap();
    let before = run_to_completion(&ws, &config.id);

    pgtest::server().execute(
        "UPDATE pos_refresh SET vendor_name = 'Renamed ' || vendor_name WHERE po_id = 'po_1';
         INSERT INTO pos_refresh VALUES ('po_99', 'PO-2024-009999', 'V099', 'New Vendor', 10, 'EUR', '2024-06-01', 'new');",
    );
    let refreshing = ws
        .refresh_dataset(
            &reference.id,
            &RefreshRequest {
                password: Some(pgtest::PASSWORD.into()),
            },
        )
        .unwrap();
    assert_eq!(refreshing.status, DatasetStatus::Importing);
    let refreshed = wait_ready(&ws, &reference.id);
    assert_eq!(
        (refreshed.status, refreshed.version, refreshed.row_count),
        (DatasetStatus::Ready, 2, 13)
    );

    let ids = vec!["po_1".to_string()];
    let old = ws
        .reference_rows(&reference.id, &ids, Some(&before.id))
        .unwrap();
    assert_eq!(
        old[0].values[3], "Northbridge Logistics GmbH",
        "the past run keeps its rows"
    );
    let now = ws.reference_rows(&reference.id, &ids, None).unwrap();
    assert_eq!(now[0].values[3], "Renamed Northbridge Logistics GmbH");
    let after = run_to_completion(&ws, &config.id);
    let new_rows = ws
        .reference_rows(&reference.id, &ids, Some(&after.id))
        .unwrap();
    assert_eq!(new_rows[0].values[3], "Renamed Northbridge Logistics GmbH");
    // Both versions are pinned by a run: 12 + 13 rows.
    assert_eq!(stored_rows(&path), 25);

    // A third version: the second is pinned by `after` and stays; the first too (`before`).
    pgtest::server().execute("DELETE FROM pos_refresh WHERE po_id = 'po_99'");
    ws.refresh_dataset(
        &reference.id,
        &RefreshRequest {
            password: Some(pgtest::PASSWORD.into()),
        },
    )
    .unwrap();
    let third = wait_ready(&ws, &reference.id);
    assert_eq!((third.version, third.row_count), (3, 12));
    assert_eq!(stored_rows(&path), 37);
    // A failed refresh keeps the version in use and says why.
    pgtest::server().execute("ALTER TABLE pos_refresh RENAME TO pos_refresh_gone");
    ws.refresh_dataset(
        &reference.id,
        &RefreshRequest {
            password: Some(pgtest::PASSWORD.into()),
        },
    )
    .unwrap();
    let failed = wait_ready(&ws, &reference.id);
    assert_eq!(
        (failed.status, failed.version, failed.row_count),
        (DatasetStatus::Failed, 3, 12)
    );
    let error = failed.error.unwrap();
    assert!(
        error.contains("relation \"pos_refresh\" does not exist"),
        "{error}"
    );
    run_to_completion(&ws, &config.id);
    // A file import cannot be refreshed.
    assert!(matches!(
        ws.refresh_dataset(&docs.id, &RefreshRequest::default()),
        Err(ServiceError::Conflict(_))
    ));
}

#[test]
fn an_import_whose_process_died_is_failed_when_the_workspace_opens() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.matchbook");
    {
        let rt = runtime();
        let ws = open(&rt, &path);
        drop(ws);
    }
    // An import registered long ago whose heartbeat stopped, with rows half written.
    let store = store::Store::open(&path).unwrap();
    let dataset = engine::Dataset {
        id: "ghost".into(),
        kind: DatasetKind::Reference,
        name: "ghost".into(),
        source_type: "postgres".into(),
        source_file: None,
        columns: vec![engine::Column {
            name: "id".into(),
            kind: "number".into(),
        }],
        row_count: 0,
        id_column: Some("id".into()),
        filename_column: None,
        created_at: "2026-12-01T00:00:00Z".into(),
        status: DatasetStatus::Importing,
        version: 0,
        error: None,
        rows_imported: None,
        sql: None,
    };
    let slot = store.begin_import(&dataset, 1, "ghost-token").unwrap();
    store
        .append_import_rows(
            &slot,
            0,
            &[engine::Record {
                id: "1".into(),
                values: vec!["1".into()],
            }],
        )
        .unwrap();
    drop(store);
    let rt = runtime();
    let ws = open(&rt, &path);
    let d = ws.get_dataset("ghost").unwrap();
    assert_eq!(d.status, DatasetStatus::Failed);
    assert!(d.error.unwrap().contains("process running it ended"));
    assert_eq!(stored_rows(&path), 0);
}

#[test]
fn a_million_rows_import() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let ws = open(&rt, &dir.path().join("w.matchbook"));
    pgtest::server().execute(
        "CREATE TABLE million_orders AS SELECT g AS po_id, 'PO-' || lpad(g::text, 8, '0') AS po_number,
           'Vendor ' || (g % 5000) AS vendor_name, round((g % 100000) * 1.37, 2)::numeric(12,2) AS net_amount,
           DATE '2024-01-01' + (g % 365) AS order_date FROM generate_series(1, 1000000) g",
    );
    let started = Instant::now();
    let d = ws
        .import_sql(&request("SELECT * FROM million_orders"))
        .unwrap();
    let done = ws
        .wait_for_import(&d.id, Duration::from_secs(600))
        .unwrap()
        .unwrap();
    let secs = started.elapsed().as_secs_f64();
    assert_eq!(done.status, DatasetStatus::Ready, "{:?}", done.error);
    assert_eq!(done.row_count, 1_000_000);
    let last = ws.dataset_rows(&d.id, Some(10_000), Some(100)).unwrap();
    assert_eq!(last.rows[99].id, "1000000");
    assert_eq!(last.rows[99].values[1], "PO-01000000");
    // A debug build; the release figure is the bench's (docs/PERFORMANCE.md).
    eprintln!(
        "1M rows from PostgreSQL in {secs:.1} s ({:.0} rows/s, debug build)",
        1e6 / secs
    );
}

/// A clock that stands still until the test moves it.
struct TestClock(std::sync::Mutex<chrono::DateTime<chrono::Utc>>);

impl service::Clock for TestClock {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        *self.0.lock().unwrap()
    }
}

#[test]
fn a_scheduled_run_refreshes_its_database_reference_first_with_the_saved_password() {
    use chrono::TimeZone;
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let t0 = chrono::Utc.with_ymd_and_hms(2026, 6, 10, 8, 0, 0).unwrap();
    let clock = std::sync::Arc::new(TestClock(std::sync::Mutex::new(t0)));
    let ws = common::open_with_clock(&rt, &dir.path().join("w.matchbook"), clock.clone());
    // The password goes to a password file of the test's own, as "Remember in ~/.pgpass" does.
    let pgpass = dir.path().join("pgpass");
    std::env::set_var("PGPASSFILE", &pgpass);
    table_of_pos("pos_scheduled");
    let mut req = request("SELECT * FROM pos_scheduled");
    req.id_column = Some("po_id".into());
    req.save_password = true;
    let reference = wait_ready(&ws, &ws.import_sql(&req).unwrap().id);
    assert!(std::fs::read_to_string(&pgpass)
        .unwrap()
        .contains(pgtest::PASSWORD));
    let docs = import(
        &ws,
        fixture("invoices_small.csv"),
        DatasetKind::Documents,
        "document_id",
    );
    let mut input = invoice_config(&reference.id, &docs.id);
    input.schedule = Some(engine::Schedule::IntervalMinutes(60));
    let config = ws.create_config(&input).unwrap();

    pgtest::server().execute(
        "INSERT INTO pos_scheduled VALUES ('po_77', 'PO-2024-007777', 'V077', 'Morning Vendor', 5, 'EUR', '2024-06-01', 'today');",
    );
    *clock.0.lock().unwrap() = t0 + chrono::TimeDelta::minutes(61);
    let started = ws.run_due_schedules().unwrap();
    assert_eq!(started.len(), 1);
    let run = ws.wait_for_run(&started[0].id, WAIT).unwrap();
    assert_eq!(run.status, engine::RunStatus::Completed, "{:?}", run.error);
    let now = ws.get_dataset(&reference.id).unwrap();
    assert_eq!(
        (now.version, now.row_count),
        (2, 13),
        "refreshed before the run"
    );
    let rows = ws
        .reference_rows(&reference.id, &["po_77".to_string()], Some(&run.id))
        .unwrap();
    assert_eq!(rows.len(), 1, "the run matched against this morning's rows");
    let _ = config;
}
