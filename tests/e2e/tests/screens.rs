//! The real app window from an empty workspace: import an XLSX and a CSV through the wizard, build
//! a config (sample values, normalised weights, a trial on the first documents), run it, read its
//! summary, export it to XLSX and CSV, and bulk-approve from the review desk. Screenshots of every
//! screen go to the screenshot folder.

use std::path::Path;

use e2e::{repo_root, App, Driver, TestResult};

fn fixture(name: &str) -> String {
    repo_root()
        .join("tests/fixtures")
        .join(name)
        .display()
        .to_string()
}

/// Imports a file through the wizard: kind, path, wait for the preview, id column, submit.
async fn import(
    app: &App,
    kind: &str,
    file: &str,
    format_text: &str,
    id_column: &str,
) -> TestResult {
    app.select("#import-kind", kind).await?;
    app.fill("#import-path", &fixture(file)).await?;
    app.wait_text("#import-format", format_text).await?;
    app.find("#import-preview").await?;
    app.select("#import-id-column", id_column).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_configure_run_export_and_bulk_review() -> TestResult {
    let driver = Driver::start()?;
    let dir = tempfile::tempdir()?;
    let workspace = dir.path().join("empty.sqlite");
    let app = driver
        .launch(&["--workspace", workspace.to_str().ok_or("path")?])
        .await?;

    // Data: the purchase orders from a spreadsheet, the invoices from a CSV.
    app.click("#nav-data").await?;
    import(&app, "reference", "pos_small.xlsx", "XLSX", "po_id").await?;
    app.wait_content("#import-preview", "PO-2024-000101")
        .await?;
    app.screenshot("data-import-xlsx.png").await?;
    app.click("#import-submit").await?;
    app.wait_count("tr[data-dataset-id]", 1).await?;

    import(
        &app,
        "documents",
        "invoices_small.csv",
        "CSV",
        "document_id",
    )
    .await?;
    app.wait_content("#import-preview", "NORTHBRIDGE LOGISTICS GMBH")
        .await?;
    app.screenshot("data-import-csv.png").await?;
    app.click("#import-submit").await?;
    app.wait_count("tr[data-dataset-id]", 2).await?;
    app.screenshot("data.png").await?;

    // Configs: two mappings, normalised weights, a trial on the first documents, save.
    app.click("#nav-configs").await?;
    app.fill("#cfg-name", "Invoices to POs (e2e)").await?;
    let reference = app
        .attr("#cfg-reference_data_id option:nth-child(2)", "value")
        .await?
        .ok_or("reference option without value")?;
    app.select("#cfg-reference_data_id", &reference).await?;
    let documents = app
        .attr("#cfg-document_set_id option:nth-child(2)", "value")
        .await?
        .ok_or("documents option without value")?;
    app.select("#cfg-document_set_id", &documents).await?;
    app.select("#cfg-field_mappings-0-source", "po_reference")
        .await?;
    app.select("#cfg-field_mappings-0-target", "po_number")
        .await?;
    // The column pickers show what the columns hold.
    app.wait_content("#cfg-field_mappings-0-target-sample", "PO-2024-000101")
        .await?;
    app.select("#cfg-field_mappings-0-strategy", "fuzzy")
        .await?;
    app.fill("#cfg-field_mappings-0-weight", "3").await?;
    app.click(".mapping-actions button").await?;
    app.select("#cfg-field_mappings-1-source", "vendor_name")
        .await?;
    app.select("#cfg-field_mappings-1-target", "vendor_name")
        .await?;
    app.select("#cfg-field_mappings-1-strategy", "fuzzy")
        .await?;
    app.fill("#cfg-field_mappings-1-weight", "1").await?;
    app.click("#normalise-weights").await?;
    app.wait_prop("#cfg-field_mappings-0-weight", "value", "0.75")
        .await?;
    app.wait_prop("#cfg-field_mappings-1-weight", "value", "0.25")
        .await?;
    app.fill("#cfg-threshold", "0.7").await?;
    app.fill("#cfg-review_floor", "0.4").await?;
    app.wait_prop("#threshold", "value", "0.7").await?;
    app.click("#config-preview").await?;
    app.wait_text("#config-preview-summary", "of 12").await?;
    app.find("#config-preview-results tr[data-preview-document='doc_1']")
        .await?;
    app.scroll_to("#config-preview-results").await?;
    app.screenshot("configs-preview.png").await?;
    app.scroll_to("#cfg-field_mappings-0-source").await?;
    app.screenshot("configs.png").await?;
    app.click("#config-save").await?;
    app.find("li[data-config-id]").await?;

    // Runs: start, wait, open the summary with its histogram.
    app.click("#nav-runs").await?;
    app.find("#run-config option").await?;
    app.click("#start-run").await?;
    app.wait_attr("tr[data-run-id]", "data-status", "completed")
        .await?;
    app.click("tr[data-run-id] .run-select").await?;
    app.wait_count("#histogram [data-bin]", 20).await?;
    app.find("#histogram [data-marker='threshold']").await?;
    app.find("#run-summary [data-band='matched']").await?;
    app.screenshot("runs-summary.png").await?;
    // The bars account for every invoice.
    let mut total = 0;
    for bar in app
        .client
        .find_all(fantoccini::Locator::Css("#histogram [data-bin]"))
        .await?
    {
        total += bar
            .attr("data-count")
            .await?
            .unwrap_or_default()
            .parse::<u32>()?;
    }
    assert_eq!(total, 12);

    // Export to XLSX and to CSV, through the typed path.
    let xlsx = dir.path().join("export.xlsx");
    app.select("#export-format", "xlsx").await?;
    app.fill("#export-path", xlsx.to_str().ok_or("path")?)
        .await?;
    app.click("#export-run").await?;
    app.wait_text("#export-done", "Exported").await?;
    app.scroll_to("#export-done").await?;
    app.screenshot("runs-export.png").await?;
    assert_zip(&xlsx)?;
    let csv = dir.path().join("export.csv");
    app.select("#export-format", "csv").await?;
    app.fill("#export-path", csv.to_str().ok_or("path")?)
        .await?;
    app.click("#export-run").await?;
    app.wait_text("#export-done", "export.csv").await?;
    let text = std::fs::read_to_string(&csv)?;
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("outcome,document_id"), "{}", lines[0]);
    // Every invoice is in the export once: 12 of them, matched or unmatched.
    assert_eq!(lines.len(), 13, "{text}");

    // Review: bulk-approve everything at or above 70 % after confirming the count (of every
    // result: the desk opens on the review band's pending ones).
    app.click("#open-review").await?;
    app.click("#filter-clear").await?;
    app.wait_attr("#filter-band", "aria-pressed", "false")
        .await?;
    app.find("li[data-result-id]").await?;
    app.fill("#bulk-min", "70").await?;
    app.click("#bulk-approve").await?;
    app.wait_text("#bulk-confirm-dialog", "Approve").await?;
    app.screenshot("review-bulk-confirm.png").await?;
    let pending_before = app.review_counter("pending").await?;
    app.click("#bulk-confirm").await?;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while app.review_counter("pending").await? >= pending_before {
        if std::time::Instant::now() > deadline {
            return Err("the bulk approval never showed in the counters".into());
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let approved = app.review_counter("approved").await?;
    assert_eq!(
        approved,
        pending_before - app.review_counter("pending").await?
    );
    assert_eq!(app.review_counter("today").await?, approved);
    app.wait_attr("li[data-result-id]", "data-status", "approved")
        .await?;
    app.screenshot("review-bulk-done.png").await?;
    app.close().await?;
    Ok(())
}

/// An XLSX file is a ZIP archive: check the signature and that it is not empty.
fn assert_zip(path: &Path) -> TestResult {
    let bytes = std::fs::read(path)?;
    if bytes.len() < 100 || &bytes[..2] != b"PK" {
        return Err(format!("{} is not an XLSX file", path.display()).into());
    }
    Ok(())
}
