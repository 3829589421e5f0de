//! Reference data from a database in the real window (issue 18): a table in a real PostgreSQL
//! server, the import wizard's "From a database" tab filled in as a user would (connection,
//! password, query), a preview that shows the server's column types, the id column chosen from the
//! query's columns, the import that streams the rows in while the data screen follows it to
//! `ready` with its row count; then a refresh into version 2 that finds the password in the
//! password file the import was asked to remember, never in the workspace.

use std::path::Path;

use e2e::{App, Driver, TestResult};

const TABLE: &str = "e2e_orders";
const FIRST_ROWS: usize = 2_500;
const MORE_ROWS: usize = 100;

/// Runs SQL on the test server off the async runtime: the synchronous client runs one of its own.
async fn sql(statements: String) -> TestResult {
    tokio::task::spawn_blocking(move || pgtest::server().execute(&statements)).await?;
    Ok(())
}

/// `n` purchase orders numbered from `from`, with a numeric amount and a date.
fn insert_orders(from: usize, n: usize) -> String {
    format!(
        "INSERT INTO {TABLE} (po_number, supplier, amount, ordered_on) \
         SELECT 'PO-' || lpad(i::text, 5, '0'), 'Supplier ' || (i % 40), \
                round((i * 13.37)::numeric % 5000, 2), date '2024-01-01' + (i % 365) \
         FROM generate_series({from}, {}) AS i",
        from + n - 1
    )
}

/// The data screen's one dataset row is ready with `rows` rows, at `version`.
async fn ready_with(app: &App, rows: &str, version: &str) -> TestResult {
    let row = "tr[data-dataset-id]";
    app.wait_attr(row, "data-status", "ready").await?;
    app.wait_content(row, rows).await?;
    app.wait_content(&format!("{row} .dataset-version"), version)
        .await?;
    app.wait_content(&format!("{row} .dataset-status"), "Ready")
        .await?;
    Ok(())
}

/// Whether `needle` occurs anywhere in the workspace's files (the database, its WAL and journal).
fn workspace_holds(dir: &Path, needle: &str) -> TestResult<bool> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let is_workspace = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("erp.sqlite"));
        if is_workspace {
            let bytes = std::fs::read(&path)?;
            if bytes.windows(needle.len()).any(|w| w == needle.as_bytes()) {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reference_data_from_postgres_is_previewed_imported_and_refreshed() -> TestResult {
    let port = tokio::task::spawn_blocking(|| pgtest::server().port).await?;
    sql(format!(
        "DROP TABLE IF EXISTS {TABLE}; \
         CREATE TABLE {TABLE} (po_number text PRIMARY KEY, supplier text NOT NULL, \
                               amount numeric(12, 2), ordered_on date); \
         {};",
        insert_orders(1, FIRST_ROWS)
    ))
    .await?;

    // The password file the app reads and writes: the test's own, not the user's ~/.pgpass.
    let dir = tempfile::tempdir()?;
    let pgpass = dir.path().join("pgpass");
    let driver = Driver::start_with_env(&[("PGPASSFILE", pgpass.to_str().ok_or("path")?)])?;
    let workspace_dir = dir.path().join("workspace");
    std::fs::create_dir(&workspace_dir)?;
    let workspace = workspace_dir.join("erp.sqlite");
    let app = driver
        .launch(&["--workspace", workspace.to_str().ok_or("path")?])
        .await?;

    // The wizard's database tab, filled in as a user types it.
    app.click("#nav-data").await?;
    app.scroll_to("#import-tab-sql").await?;
    app.click("#import-tab-sql").await?;
    app.wait_attr("#import-tab-sql", "aria-selected", "true")
        .await?;
    app.wait_prop("#sql-port", "value", "5432").await?;
    app.fill("#sql-host", "127.0.0.1").await?;
    app.fill("#sql-port", &port.to_string()).await?;
    app.fill("#sql-database", pgtest::DATABASE).await?;
    app.fill("#sql-user", pgtest::USER).await?;
    app.fill("#sql-password", pgtest::PASSWORD).await?;
    app.wait_attr("#sql-password", "type", "password").await?;
    app.fill(
        "#sql-query",
        &format!("SELECT po_number, supplier, amount, ordered_on FROM {TABLE} ORDER BY po_number"),
    )
    .await?;
    app.fill("#sql-name", "ERP orders").await?;

    // The preview: the server's types beside Matchbook's, the first rows, the id column guessed.
    app.scroll_to("#sql-preview-button").await?;
    app.click("#sql-preview-button").await?;
    app.wait_content("#sql-preview-table thead", "numeric")
        .await?;
    app.wait_content("#sql-preview-table thead", "numeric → number")
        .await?;
    app.wait_content("#sql-preview-table thead", "date → date")
        .await?;
    app.wait_content("#sql-preview-table tbody", "PO-00001")
        .await?;
    // No column is named like an id (`id`, `*_id`): the rows would be numbered unless one is chosen.
    app.wait_prop("#sql-id-column", "value", "").await?;
    app.select("#sql-id-column", "po_number").await?;
    app.wait_content("#sql-preview-table th.import-col-id", "po_number")
        .await?;
    assert_eq!(
        app.count("#sql-preview-table tbody tr").await?,
        10,
        "the preview shows the first 10 rows"
    );
    app.scroll_to("#sql-preview").await?;
    app.screenshot("from-sql-preview.png").await?;

    // Import, remembering the password in the (test's) password file for the refresh below.
    app.scroll_to("#sql-save-password").await?;
    app.click("#sql-save-password").await?;
    app.wait_prop("#sql-save-password", "checked", "true")
        .await?;
    app.scroll_to("#sql-import-submit").await?;
    app.click("#sql-import-submit").await?;
    app.wait_text("#sql-notice", "Importing “ERP orders”")
        .await?;
    // The password served this import: it has left the form.
    app.wait_prop("#sql-password", "value", "").await?;

    // The data screen follows the import until the dataset is ready with every row.
    app.wait_count("tr[data-dataset-id]", 1).await?;
    app.wait_content("tr[data-dataset-id]", "ERP orders")
        .await?;
    ready_with(&app, "2,500", "v1").await?;
    // The new dataset is selected: its rows, as the query ordered them.
    app.wait_content("#rows-heading", "ERP orders").await?;
    app.wait_content(".rows-view tbody", "PO-00001").await?;
    app.wait_content("#dataset-sql-query", TABLE).await?;
    app.scroll_to("#datasets-heading").await?;
    app.screenshot("from-sql-ready.png").await?;

    // The password is in the password file it was asked to remember, and nowhere in the workspace.
    let saved = std::fs::read_to_string(&pgpass)?;
    assert!(
        saved.contains(&format!(
            "127.0.0.1:{port}:{}:{}:",
            pgtest::DATABASE,
            pgtest::USER
        )),
        "the password file holds no entry for the server: {saved:?}"
    );
    assert!(
        !workspace_holds(&workspace_dir, pgtest::PASSWORD)?,
        "the workspace holds the password"
    );

    // New rows on the server; a refresh with no password typed reads them into version 2.
    sql(insert_orders(FIRST_ROWS + 1, MORE_ROWS)).await?;
    app.scroll_to("#dataset-refresh").await?;
    app.click("#dataset-refresh").await?;
    ready_with(&app, "2,600", "v2").await?;
    app.wait_content(".rows-view .card-head p", "· v2").await?;
    assert_eq!(app.count("#dataset-failed").await?, 0);
    app.scroll_to("#datasets-heading").await?;
    app.screenshot("from-sql-refreshed.png").await?;

    app.close().await?;
    sql(format!("DROP TABLE {TABLE}")).await?;
    Ok(())
}
