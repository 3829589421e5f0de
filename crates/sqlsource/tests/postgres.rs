//! The reader against a real PostgreSQL server (tests/pgtest): types, errors in the server's own
//! words, the read-only guard on the server's side, lost connections, timeouts and stopping early.

use std::time::Duration;

use sqlsource::{
    check_read_only, describe, stream, Limits, Password, RowSink, SqlConnection, SqlEngine,
    SqlError, Stopper, StreamError,
};

fn conn() -> SqlConnection {
    SqlConnection {
        engine: SqlEngine::Postgres,
        host: "127.0.0.1".into(),
        port: Some(pgtest::server().port),
        database: pgtest::DATABASE.into(),
        user: pgtest::USER.into(),
    }
}

fn pw() -> Password {
    Password::Given(pgtest::PASSWORD.into())
}

#[derive(Default, Debug)]
struct Collect {
    columns: Vec<(String, String, String)>,
    rows: Vec<Vec<String>>,
    batches: usize,
    stop_after: Option<usize>,
}

impl RowSink for Collect {
    type Error = &'static str;
    fn columns(&mut self, cols: &[sqlsource::SqlColumn]) -> Result<(), Self::Error> {
        self.columns = cols
            .iter()
            .map(|c| (c.name.clone(), c.db_type.clone(), c.kind.clone()))
            .collect();
        Ok(())
    }
    fn rows(&mut self, batch: &[Vec<String>]) -> Result<(), Self::Error> {
        self.batches += 1;
        self.rows.extend_from_slice(batch);
        if self.stop_after.is_some_and(|n| self.rows.len() >= n) {
            return Err("stopped");
        }
        Ok(())
    }
}

fn read(sql: &str, limits: &Limits) -> Result<Collect, StreamError<&'static str>> {
    let q = check_read_only(sql).expect("a read-only query");
    let mut sink = Collect::default();
    stream(&conn(), &pw(), &q, limits, None, &Stopper::new(), &mut sink)?;
    Ok(sink)
}

#[test]
fn types_are_mapped_from_the_servers_own() {
    pgtest::server().execute(
        "CREATE TABLE typed (id int, amount numeric(12,2), ratio float8, due date, at timestamp,
           at_utc timestamptz, note text, ok bool, code varchar(8));
         INSERT INTO typed VALUES
           (1, 1234.50, 0.1, '2024-03-01', '2024-03-01 10:15:00', '2024-03-01 10:15:00+02',
            E'tab\\there\\nline', true, 'A1'),
           (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);",
    );
    let got = read("SELECT * FROM typed ORDER BY id", &Limits::default()).unwrap();
    let kinds: Vec<(&str, &str)> = got
        .columns
        .iter()
        .map(|(n, _, k)| (n.as_str(), k.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("id", "number"),
            ("amount", "number"),
            ("ratio", "number"),
            ("due", "date"),
            ("at", "date"),
            ("at_utc", "date"),
            ("note", "string"),
            ("ok", "string"),
            ("code", "string")
        ]
    );
    assert_eq!(got.columns[1].1, "numeric");
    assert_eq!(got.columns[5].1, "timestamptz");
    assert_eq!(
        got.rows[0],
        [
            "1",
            "1234.50",
            "0.1",
            "2024-03-01",
            "2024-03-01T10:15:00",
            "2024-03-01T08:15:00Z",
            "tab\there\nline",
            "true",
            "A1"
        ]
    );
    // NULL is Matchbook's missing value, the empty string.
    assert!(
        got.rows[1][1..].iter().all(String::is_empty),
        "{:?}",
        got.rows[1]
    );
}

#[test]
fn rows_come_in_batches_of_500() {
    let got = read(
        "SELECT g AS n FROM generate_series(1, 1234) g",
        &Limits::default(),
    )
    .unwrap();
    assert_eq!(got.rows.len(), 1234);
    assert_eq!(got.batches, 3);
    assert_eq!(got.rows[1233], ["1234"]);
}

#[test]
fn a_query_error_carries_the_servers_message() {
    let err = read("SELECT * FROM no_such_table", &Limits::default()).unwrap_err();
    match err {
        StreamError::Sql(SqlError::Query { message, code }) => {
            assert_eq!(
                message,
                "relation \"no_such_table\" does not exist (at character 15)"
            );
            assert_eq!(code.as_deref(), Some("42P01"));
        }
        other => panic!("{other:?}"),
    }
    // The same from describe, which the import wizard's preview calls.
    let q = check_read_only("SELECT nope FROM generate_series(1,2) g").unwrap();
    let err = describe(&conn(), &pw(), &q, &Limits::default()).unwrap_err();
    assert!(
        err.to_string().contains("column \"nope\" does not exist"),
        "{err}"
    );
}

#[test]
fn the_server_refuses_writes_the_text_check_cannot_see() {
    pgtest::server().execute("CREATE SEQUENCE IF NOT EXISTS numbers");
    // nextval writes; it passes the lexical check but not the READ ONLY transaction.
    let err = read("SELECT nextval('numbers')", &Limits::default()).unwrap_err();
    assert!(err.to_string().contains("read-only transaction"), "{err}");
}

#[test]
fn a_statement_timeout_fails_the_import() {
    let limits = Limits {
        statement_timeout: Duration::from_millis(200),
        ..Limits::default()
    };
    let err = read("SELECT pg_sleep(5)", &limits).unwrap_err();
    match err {
        StreamError::Sql(SqlError::Query { message, code }) => {
            assert!(message.contains("statement timeout"), "{message}");
            assert_eq!(code.as_deref(), Some("57014"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_wrong_password_names_the_server_and_the_reason() {
    let q = check_read_only("SELECT 1").unwrap();
    let err = describe(
        &conn(),
        &Password::Given("wrong".into()),
        &q,
        &Limits::default(),
    )
    .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains(&format!(
            "could not connect to matchbook@127.0.0.1:{}/erp",
            conn().port()
        )),
        "{text}"
    );
    assert!(text.contains("password authentication failed"), "{text}");
    let closed = SqlConnection {
        port: Some(1),
        ..conn()
    };
    let err = describe(&closed, &pw(), &q, &Limits::default()).unwrap_err();
    assert!(matches!(err, SqlError::Connect { .. }), "{err:?}");
}

#[test]
fn duplicate_column_names_are_refused() {
    let q = check_read_only("SELECT 1 AS id, 2 AS id").unwrap();
    let err = describe(&conn(), &pw(), &q, &Limits::default()).unwrap_err();
    assert!(err.to_string().contains("\"id\" appears twice"), "{err}");
}

#[test]
fn a_preview_reads_only_its_first_rows() {
    let q = check_read_only("SELECT g FROM generate_series(1, 100000) g ORDER BY g DESC").unwrap();
    let mut sink = Collect::default();
    let n = stream(
        &conn(),
        &pw(),
        &q,
        &Limits::default(),
        Some(3),
        &Stopper::new(),
        &mut sink,
    )
    .unwrap();
    assert_eq!(n, 3);
    assert_eq!(sink.rows, [["100000"], ["99999"], ["99998"]]);
}

#[test]
fn a_sink_that_stops_ends_the_query_on_the_server() {
    let q = check_read_only("SELECT g, repeat('stop-me', 30) FROM generate_series(1, 5000000) g")
        .unwrap();
    let mut sink = Collect {
        stop_after: Some(1000),
        ..Collect::default()
    };
    let started = std::time::Instant::now();
    let err = stream(
        &conn(),
        &pw(),
        &q,
        &Limits::default(),
        None,
        &Stopper::new(),
        &mut sink,
    )
    .unwrap_err();
    assert!(matches!(err, StreamError::Sink("stopped")), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(10));
    // No session is left running the query.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while pgtest::server().sessions_running("stop-me") > 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the query still runs on the server"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A sink that ends the reader's session on the server once rows are flowing, as a dropped
/// network or a restarted server would.
struct KillMidway {
    rows: usize,
    killed: bool,
}

impl RowSink for KillMidway {
    type Error = ();
    fn columns(&mut self, _: &[sqlsource::SqlColumn]) -> Result<(), ()> {
        Ok(())
    }
    fn rows(&mut self, batch: &[Vec<String>]) -> Result<(), ()> {
        self.rows += batch.len();
        if !self.killed && self.rows >= 2000 {
            self.killed = true;
            assert_eq!(pgtest::server().terminate_sessions("drop-me"), 1);
        }
        Ok(())
    }
}

#[test]
fn a_lost_connection_mid_stream_is_an_error_not_a_short_import() {
    let q = check_read_only("SELECT g, repeat('drop-me', 15) FROM generate_series(1, 3000000) g")
        .unwrap();
    let mut sink = KillMidway {
        rows: 0,
        killed: false,
    };
    let err = stream(
        &conn(),
        &pw(),
        &q,
        &Limits::default(),
        None,
        &Stopper::new(),
        &mut sink,
    )
    .unwrap_err();
    match err {
        StreamError::Sql(SqlError::Lost { rows, message }) => {
            assert!(rows >= 2000, "{rows}");
            // The server's farewell ("terminating connection due to administrator command") or
            // the socket's error, whichever the client saw first.
            assert!(
                message.contains("terminating connection")
                    || message.contains("communicating with the server"),
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_stopper_ends_a_query_that_sends_nothing_yet() {
    let q = check_read_only("SELECT pg_sleep(30), 'sleepy-marker'").unwrap();
    let stopper = Stopper::new();
    let remote = stopper.clone();
    let t = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        remote.stop();
    });
    let started = std::time::Instant::now();
    let mut sink = Collect::default();
    let err = stream(
        &conn(),
        &pw(),
        &q,
        &Limits::default(),
        None,
        &stopper,
        &mut sink,
    )
    .unwrap_err();
    t.join().unwrap();
    assert!(matches!(err, StreamError::Stopped), "{err:?}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}
