//! Reference data from a database over real HTTP on loopback, against a real PostgreSQL server
//! (tests/pgtest): 202 with the columns at once, polling to ready, typed columns and the rows;
//! errors before the first row as 400s naming the field in the server's words; the key; cancel
//! and a lost connection mid-stream; refresh into version 2 and its cancel; the preview; the
//! table object's new fields for files; the OpenAPI document.
//!
//! Each test uses its own tables (the server is shared by the tests of this process). Only the
//! cancel and lost-connection tests stream many rows, and only until they act; every wait polls
//! with a deadline.

mod common;

use std::time::{Duration, Instant};

use common::{envelope, Api};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// The longest any wait here takes before the test fails.
const WAIT: Duration = Duration::from_secs(120);
/// Rows a long import must have read before a test cancels or cuts it.
const STREAMING: u64 = 10_000;
/// 20 million rows: an import that is still running whenever a test acts on it.
const ENDLESS: &str = "generate_series(1, 20000000)";

/// Runs `f` on the test server off the async workers (its client has a runtime of its own).
async fn pg<T: Send + 'static>(
    f: impl FnOnce(&'static pgtest::PgServer) -> T + Send + 'static,
) -> T {
    tokio::task::spawn_blocking(move || f(pgtest::server()))
        .await
        .unwrap()
}

async fn execute(sql: &str) {
    let sql = sql.to_string();
    pg(move |s| s.execute(&sql)).await
}

async fn connection() -> Value {
    let port = pg(|s| s.port).await;
    json!({"engine": "postgres", "host": "127.0.0.1", "port": port,
           "database": pgtest::DATABASE, "user": pgtest::USER})
}

/// An import request for `query` with the right password.
async fn request(query: &str) -> Value {
    json!({"connection": connection().await, "query": query, "password": pgtest::PASSWORD})
}

/// Starts an import, expecting 202: the table object.
async fn import(api: &Api, body: Value) -> Value {
    let (s, t) = api.post("/v1/matching/reference-data/from-sql", body).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{t}");
    t
}

fn id_of(t: &Value) -> String {
    t["id"].as_str().unwrap().to_string()
}

/// Polls GET /v1/reference-data/{id} until `done` holds; fails with the last answer after WAIT.
async fn poll(
    api: &Api,
    id: &str,
    what: &str,
    done: impl Fn(StatusCode, &Value) -> bool,
) -> (StatusCode, Value) {
    let deadline = Instant::now() + WAIT;
    loop {
        let (s, t) = api.get(&format!("/v1/reference-data/{id}")).await;
        if done(s, &t) {
            return (s, t);
        }
        assert!(Instant::now() < deadline, "{what}: still {s} {t}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// The table once its import (or refresh) has ended.
async fn finished(api: &Api, id: &str) -> Value {
    poll(api, id, "the import did not end", |s, t| {
        s == StatusCode::OK && t["status"] != "importing"
    })
    .await
    .1
}

/// The table once its import has read at least STREAMING rows; fails if it ends first.
async fn streaming(api: &Api, id: &str) -> Value {
    poll(api, id, "no rows arrived", |s, t| {
        assert_eq!(
            (s, &t["status"]),
            (StatusCode::OK, &json!("importing")),
            "{t}"
        );
        t["rows_imported"].as_u64().unwrap_or(0) >= STREAMING
    })
    .await
    .1
}

/// 400 validation_error naming `field`: the message.
fn refused(s: StatusCode, err: &Value, path: &str, field: &str) -> String {
    assert_eq!(s, StatusCode::BAD_REQUEST, "{err}");
    assert_eq!(envelope(s, err, path), "validation_error");
    assert_eq!(err["field"], field, "{err}");
    err["message"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_import_answers_202_with_its_columns_then_is_ready_with_typed_rows() {
    execute(
        "DROP TABLE IF EXISTS api_typed;
         CREATE TABLE api_typed (id int PRIMARY KEY, amount numeric(12,2), due date, note text);
         INSERT INTO api_typed SELECT g, g * 1.5, DATE '2024-01-01' + g,
           CASE WHEN g % 2 = 0 THEN NULL ELSE 'odd ' || g END FROM generate_series(1, 50) g;",
    )
    .await;
    let api = Api::start().await;
    // The pause keeps the import running for a second, so the answer is always `importing`.
    let query =
        "WITH pause AS (SELECT pg_sleep(1)) SELECT t.* FROM api_typed t, pause ORDER BY t.id";
    let mut body = request(query).await;
    body["name"] = json!("Typed orders");
    let (s, started) = common::send(
        api.req(Method::POST, "/v1/matching/reference-data/from-sql")
            .json(&body),
    )
    .await;
    assert_eq!(s, StatusCode::ACCEPTED, "{started}");
    assert!(!started.to_string().contains(pgtest::PASSWORD), "{started}");
    assert_eq!(started["status"], "importing", "{started}");
    assert_eq!(started["name"], "Typed orders");
    assert_eq!(started["source_type"], "postgres");
    assert_eq!(started["id_column"], "id", "guessed");
    assert_eq!(
        (&started["version"], &started["row_count"]),
        (&json!(0), &json!(0))
    );
    assert_eq!(started["error"], Value::Null);
    let columns = json!([
        {"name": "id", "type": "number"}, {"name": "amount", "type": "number"},
        {"name": "due", "type": "date"}, {"name": "note", "type": "string"}
    ]);
    assert_eq!(started["columns"], columns, "known at once");
    let port = pg(|s| s.port).await;
    assert_eq!(
        started["source"],
        json!({"engine": "postgres", "host": "127.0.0.1", "port": port,
               "database": pgtest::DATABASE, "user": pgtest::USER, "query": query})
    );
    let id = id_of(&started);
    assert_eq!(started["links"]["self"], format!("/v1/reference-data/{id}"));

    let done = finished(&api, &id).await;
    assert_eq!(done["status"], "ready", "{done}");
    assert_eq!(
        (
            &done["row_count"],
            &done["version"],
            &done["rows_imported"],
            &done["error"]
        ),
        (&json!(50), &json!(1), &json!(50), &Value::Null),
        "{done}"
    );
    assert_eq!(done["columns"], columns);
    assert!(!done.to_string().contains(pgtest::PASSWORD));
    // Listed with its state, on both paths.
    for path in ["/v1/reference-data", "/v1/matching/reference-data"] {
        let (s, list) = api.get(path).await;
        assert_eq!(s, StatusCode::OK, "{list}");
        assert_eq!(list["data"][0]["status"], "ready", "{list}");
        assert_eq!(list["data"][0]["source"]["query"], query, "{list}");
    }
    let (s, rows) = api
        .get(&format!("/v1/reference-data/{id}/rows?limit=2"))
        .await;
    assert_eq!(s, StatusCode::OK, "{rows}");
    assert_eq!(rows["pagination"]["total"], 50);
    assert_eq!(
        rows["data"],
        json!([
            {"id": "1", "amount": "1.50", "due": "2024-01-02", "note": "odd 1"},
            {"id": "2", "amount": "3.00", "due": "2024-01-03", "note": ""}
        ])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn errors_before_the_first_row_are_400s_naming_the_field_and_store_nothing() {
    let api = Api::start().await;
    let path = "/v1/matching/reference-data/from-sql";
    let (s, err) = api
        .post(path, request("DELETE FROM api_nothing").await)
        .await;
    let message = refused(s, &err, path, "query");
    assert!(message.contains("only a SELECT"), "{message}");

    let (s, err) = api
        .post(path, request("SELECT * FROM api_missing_table").await)
        .await;
    let message = refused(s, &err, path, "query");
    assert!(
        message.contains("relation \"api_missing_table\" does not exist"),
        "{message}"
    );

    let (s, err) = api
        .post(path, request("SELECT 1 AS id, 1 / 0 AS broken").await)
        .await;
    // Division by zero is only met when rows are read: prepared fine, it fails the import.
    if s == StatusCode::ACCEPTED {
        let failed = finished(&api, &id_of(&err)).await;
        assert_eq!(failed["status"], "failed", "{failed}");
        assert!(
            failed["error"]
                .as_str()
                .unwrap()
                .contains("division by zero"),
            "{failed}"
        );
        api.delete(&format!("/v1/reference-data/{}", id_of(&err)))
            .await;
    } else {
        let message = refused(s, &err, path, "query");
        assert!(message.contains("division by zero"), "{message}");
    }

    let mut wrong = request("SELECT 1 AS id").await;
    wrong["password"] = json!("not-the-password");
    let (s, err) = api.post(path, wrong).await;
    let message = refused(s, &err, path, "password");
    assert!(
        message.contains("password authentication failed"),
        "{message}"
    );
    assert!(!err.to_string().contains("not-the-password"), "{err}");

    let mut mssql = request("SELECT 1 AS id").await;
    mssql["connection"]["engine"] = json!("mssql");
    let (s, err) = api.post(path, mssql).await;
    refused(s, &err, path, "connection.engine");

    let mut unknown_id = request("SELECT 1 AS id").await;
    unknown_id["id_column"] = json!("po_id");
    let (s, err) = api.post(path, unknown_id).await;
    refused(s, &err, path, "id_column");

    // The body itself: a missing query, a typo, a password put in the connection.
    let mut no_query = request("SELECT 1").await;
    no_query.as_object_mut().unwrap().remove("query");
    let (s, err) = api.post(path, no_query).await;
    refused(s, &err, path, "query");
    let mut typo = request("SELECT 1 AS id").await;
    typo["qeury"] = json!("SELECT 1");
    let (s, err) = api.post(path, typo).await;
    refused(s, &err, path, "qeury");
    let mut misplaced = request("SELECT 1 AS id").await;
    misplaced["connection"]["password"] = json!(pgtest::PASSWORD);
    let (s, err) = api.post(path, misplaced).await;
    refused(s, &err, path, "connection.password");
    assert!(!err.to_string().contains(pgtest::PASSWORD), "{err}");

    let (s, list) = api.get("/v1/reference-data").await;
    assert_eq!((s, &list["data"]), (StatusCode::OK, &json!([])), "{list}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_sql_endpoints_need_the_key() {
    let api = Api::start().await;
    let body = request("SELECT 1 AS id").await;
    for path in [
        "/v1/matching/reference-data/from-sql",
        "/v1/reference-data/from-sql",
        "/v1/matching/reference-data/from-sql/preview",
        "/v1/reference-data/some-id/refresh",
        "/v1/reference-data/some-id/cancel-import",
    ] {
        let (s, err) = common::send(api.http.post(format!("{}{path}", api.base)).json(&body)).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{path}: {err}");
        assert_eq!(envelope(s, &err, path), "unauthorized");
    }
    let (_, list) = api.get("/v1/reference-data").await;
    assert_eq!(list["data"], json!([]), "nothing was imported");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_cancel_mid_import_removes_the_table() {
    let api = Api::start().await;
    let query = format!("SELECT g AS id, md5(g::text) AS h FROM {ENDLESS} g");
    let started = import(&api, request(&query).await).await;
    assert_eq!(started["status"], "importing", "{started}");
    let id = id_of(&started);
    streaming(&api, &id).await;

    let path = format!("/v1/reference-data/{id}/cancel-import");
    let (s, cancelled) = api.post(&path, json!({})).await;
    assert_eq!(s, StatusCode::OK, "{cancelled}");
    assert_eq!(cancelled["id"], id.as_str());
    poll(
        &api,
        &id,
        "the cancelled import's table is still there",
        |s, t| {
            assert!(
                s == StatusCode::NOT_FOUND || t["status"] == "importing",
                "{s} {t}"
            );
            s == StatusCode::NOT_FOUND
        },
    )
    .await;
    let (s, list) = api.get("/v1/reference-data").await;
    assert_eq!((s, &list["data"]), (StatusCode::OK, &json!([])), "{list}");
    let (s, rows) = api.get(&format!("/v1/reference-data/{id}/rows")).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{rows}");
    // Nothing left to cancel.
    let (s, err) = api.post(&path, json!({})).await;
    assert!(
        s == StatusCode::NOT_FOUND || s == StatusCode::CONFLICT,
        "{s} {err}"
    );
    assert!(["not_found", "conflict"].contains(&envelope(s, &err, &path).as_str()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_lost_connection_fails_the_import_with_the_reason() {
    let api = Api::start().await;
    let marker = "api-lost-connection-marker";
    let query = format!("SELECT g AS id, '{marker}' AS m FROM {ENDLESS} g");
    let started = import(&api, request(&query).await).await;
    let id = id_of(&started);
    streaming(&api, &id).await;
    assert_eq!(pg(move |s| s.terminate_sessions(marker)).await, 1);

    let failed = finished(&api, &id).await;
    assert_eq!(failed["status"], "failed", "{failed}");
    let error = failed["error"].as_str().unwrap();
    assert!(
        error.contains("connection to the database was lost"),
        "{error}"
    );
    assert_eq!(
        (&failed["row_count"], &failed["version"]),
        (&json!(0), &json!(0))
    );
    // Nothing to cancel; the failed table can be deleted.
    let path = format!("/v1/reference-data/{id}/cancel-import");
    let (s, err) = api.post(&path, json!({})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{err}");
    assert_eq!(envelope(s, &err, &path), "conflict");
    let (s, _) = api.delete(&format!("/v1/reference-data/{id}")).await;
    assert_eq!(s, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_refresh_answers_202_then_is_ready_at_version_2_with_the_new_rows() {
    execute(
        "DROP TABLE IF EXISTS api_refresh;
         CREATE TABLE api_refresh (po_id text PRIMARY KEY, vendor text, amount numeric(10,2));
         INSERT INTO api_refresh VALUES ('po_1', 'Acme', 10), ('po_2', 'Globex', 20), ('po_3', 'Initech', 30);",
    )
    .await;
    let api = Api::start().await;
    // The pause keeps each import running for a second: a second refresh meets the first.
    let query =
        "WITH pause AS (SELECT pg_sleep(1)) SELECT r.* FROM api_refresh r, pause ORDER BY r.po_id";
    let mut body = request(query).await;
    body["id_column"] = json!("po_id");
    let first = finished(&api, &id_of(&import(&api, body).await)).await;
    assert_eq!(
        (&first["status"], &first["version"], &first["row_count"]),
        (&json!("ready"), &json!(1), &json!(3)),
        "{first}"
    );
    let id = id_of(&first);

    execute(
        "UPDATE api_refresh SET vendor = 'Acme Renamed' WHERE po_id = 'po_1';
         INSERT INTO api_refresh VALUES ('po_4', 'Umbrella', 40);",
    )
    .await;
    let path = format!("/v1/reference-data/{id}/refresh");
    let (s, refreshing) = api.post(&path, json!({"password": pgtest::PASSWORD})).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{refreshing}");
    assert_eq!(refreshing["status"], "importing", "{refreshing}");
    assert_eq!(
        refreshing["version"], 1,
        "the previous version is in use meanwhile"
    );
    assert!(!refreshing.to_string().contains(pgtest::PASSWORD));
    let (s, err) = api.post(&path, json!({"password": pgtest::PASSWORD})).await;
    assert_eq!(s, StatusCode::CONFLICT, "a refresh while one runs: {err}");
    assert_eq!(envelope(s, &err, &path), "conflict");

    let done = finished(&api, &id).await;
    assert_eq!(
        (
            &done["status"],
            &done["version"],
            &done["row_count"],
            &done["error"]
        ),
        (&json!("ready"), &json!(2), &json!(4), &Value::Null),
        "{done}"
    );
    let (s, rows) = api.get(&format!("/v1/reference-data/{id}/rows")).await;
    assert_eq!(s, StatusCode::OK, "{rows}");
    let vendors: Vec<&str> = rows["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["vendor"].as_str().unwrap())
        .collect();
    assert_eq!(vendors, ["Acme Renamed", "Globex", "Initech", "Umbrella"]);
    // On the second path, and with no body: the password then comes from the user's password
    // file, which this machine need not have. Failed, the refresh keeps version 2 in use.
    let (s, again) = api
        .post(
            &format!("/v1/matching/reference-data/{id}/refresh"),
            json!(null),
        )
        .await;
    assert_eq!(s, StatusCode::ACCEPTED, "{again}");
    let third = finished(&api, &id).await;
    match third["status"].as_str() {
        Some("failed") => {
            assert_eq!(
                (&third["version"], &third["row_count"]),
                (&json!(2), &json!(4))
            );
            assert!(
                third["error"]
                    .as_str()
                    .unwrap()
                    .contains("could not connect"),
                "{third}"
            );
        }
        _ => assert_eq!(
            (&third["status"], &third["version"]),
            (&json!("ready"), &json!(3))
        ),
    }

    // Not read from a database: 409; not reference data, or unknown: 404.
    let file = api.small_reference().await;
    let path = format!("/v1/reference-data/{}/refresh", id_of(&file));
    let (s, err) = api.post(&path, json!({})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{err}");
    assert_eq!(envelope(s, &err, &path), "conflict");
    let path = format!("/v1/reference-data/{}/cancel-import", id_of(&file));
    let (s, err) = api.post(&path, json!({})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{err}");
    let (s, docs) = api
        .upload("/v1/document-sets", "invoices_small.csv", &[])
        .await;
    assert_eq!(s, StatusCode::CREATED);
    for path in [
        format!("/v1/reference-data/{}/refresh", id_of(&docs)),
        "/v1/reference-data/no-such-table/refresh".to_string(),
        "/v1/reference-data/no-such-table/cancel-import".to_string(),
    ] {
        let (s, err) = api.post(&path, json!({})).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{path}: {err}");
        assert_eq!(envelope(s, &err, &path), "not_found");
    }
    let (s, err) = api
        .post(
            &format!("/v1/reference-data/{id}/refresh"),
            json!({"pasword": "x"}),
        )
        .await;
    refused(
        s,
        &err,
        &format!("/v1/reference-data/{id}/refresh"),
        "pasword",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_cancelled_refresh_keeps_the_previous_version() {
    execute(
        "DROP TABLE IF EXISTS api_grow; CREATE TABLE api_grow (n int); INSERT INTO api_grow VALUES (5);",
    )
    .await;
    let api = Api::start().await;
    let query =
        "SELECT g AS id, md5(g::text) AS h FROM generate_series(1, (SELECT n FROM api_grow)) g";
    let first = finished(&api, &id_of(&import(&api, request(query).await).await)).await;
    assert_eq!(
        (&first["version"], &first["row_count"]),
        (&json!(1), &json!(5)),
        "{first}"
    );
    let id = id_of(&first);

    execute("UPDATE api_grow SET n = 20000000").await;
    let (s, refreshing) = api
        .post(
            &format!("/v1/reference-data/{id}/refresh"),
            json!({"password": pgtest::PASSWORD}),
        )
        .await;
    assert_eq!(s, StatusCode::ACCEPTED, "{refreshing}");
    streaming(&api, &id).await;
    let (s, cancelled) = api
        .post(&format!("/v1/reference-data/{id}/cancel-import"), json!({}))
        .await;
    assert_eq!(s, StatusCode::OK, "{cancelled}");
    let back = finished(&api, &id).await;
    assert_eq!(
        (&back["status"], &back["version"], &back["row_count"]),
        (&json!("ready"), &json!(1), &json!(5)),
        "{back}"
    );
    let (s, rows) = api.get(&format!("/v1/reference-data/{id}/rows")).await;
    assert_eq!(
        (s, &rows["pagination"]["total"]),
        (StatusCode::OK, &json!(5)),
        "{rows}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_preview_answers_200_with_database_types_and_first_rows() {
    execute(
        "DROP TABLE IF EXISTS api_preview;
         CREATE TABLE api_preview (po_id text, amount numeric(12,2), ordered date, at timestamptz, n int);
         INSERT INTO api_preview SELECT 'po_' || g, g * 2.5, DATE '2024-03-01' + g,
           TIMESTAMPTZ '2024-03-01 10:00+00' + g * INTERVAL '1 day', g FROM generate_series(1, 25) g;",
    )
    .await;
    let api = Api::start().await;
    for path in [
        "/v1/matching/reference-data/from-sql/preview",
        "/v1/reference-data/from-sql/preview",
    ] {
        let (s, preview) = api
            .post(path, request("SELECT * FROM api_preview ORDER BY n").await)
            .await;
        assert_eq!(s, StatusCode::OK, "{preview}");
        assert!(!preview.to_string().contains(pgtest::PASSWORD));
        let columns: Vec<(&str, &str, &str)> = preview["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["name"].as_str().unwrap(),
                    c["db_type"].as_str().unwrap(),
                    c["type"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            columns,
            [
                ("po_id", "text", "string"),
                ("amount", "numeric", "number"),
                ("ordered", "date", "date"),
                ("at", "timestamptz", "date"),
                ("n", "int4", "number")
            ]
        );
        let rows = preview["rows"].as_array().unwrap();
        assert_eq!(rows.len(), 10, "the first rows only");
        assert_eq!(rows[0][0], "po_1");
        assert_eq!(rows[0][1], "2.50");
        assert_eq!(rows[0][2], "2024-03-02");
        assert_eq!(preview["id_column"], "po_id");
    }
    let (s, err) = api
        .post(
            "/v1/reference-data/from-sql/preview",
            request("SELECT * FROM api_preview_missing").await,
        )
        .await;
    let message = refused(s, &err, "/v1/reference-data/from-sql/preview", "query");
    assert!(message.contains("does not exist"), "{message}");
    let (_, list) = api.get("/v1/reference-data").await;
    assert_eq!(list["data"], json!([]), "a preview stores nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn file_tables_are_ready_at_version_1_without_a_source() {
    let api = Api::start().await;
    let t = api.small_reference().await;
    assert_eq!(
        (&t["status"], &t["version"], &t["error"], &t["source"]),
        (&json!("ready"), &json!(1), &Value::Null, &Value::Null),
        "{t}"
    );
    assert_eq!(t["rows_imported"], Value::Null, "{t}");
    assert!(t.as_object().unwrap().contains_key("rows_imported"), "{t}");
    let (s, got) = api.get(&format!("/v1/reference-data/{}", id_of(&t))).await;
    assert_eq!((s, &got), (StatusCode::OK, &t));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_describes_the_sql_endpoints() {
    let api = Api::start().await;
    let (s, doc) = common::send(api.http.get(format!("{}/v1/openapi.json", api.base))).await;
    assert_eq!(s, StatusCode::OK);
    for (path, id, ok) in [
        (
            "/v1/matching/reference-data/from-sql",
            "import_reference_data_from_sql",
            "202",
        ),
        (
            "/v1/matching/reference-data/from-sql/preview",
            "preview_reference_data_from_sql",
            "200",
        ),
        (
            "/v1/reference-data/{id}/refresh",
            "refresh_reference_data",
            "202",
        ),
        (
            "/v1/reference-data/{id}/cancel-import",
            "cancel_reference_data_import",
            "200",
        ),
    ] {
        let op = &doc["paths"][path]["post"];
        assert_eq!(op["operationId"], id, "{path}: {op}");
        assert!(op["responses"][ok].is_object(), "{path}: {op}");
        assert!(op["responses"]["501"].is_null(), "{path}: {op}");
    }
    let table = &doc["components"]["schemas"]["Table"]["properties"];
    for field in ["status", "version", "error", "rows_imported", "source"] {
        assert!(table[field].is_object(), "Table.{field}: {table}");
    }
    let source = &doc["components"]["schemas"]["TableSource"]["properties"];
    assert!(
        source["query"].is_object() && source["password"].is_null(),
        "{source}"
    );
    assert!(doc["components"]["schemas"]["FromSql"]["properties"]["password"].is_object());
    let tags = doc["tags"].to_string();
    assert!(!tags.contains("later"), "{tags}");
}
