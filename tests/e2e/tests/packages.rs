//! Issue 15 in the real window, on the demo workspace: define the three-way package (invoice
//! required, delivery note expected, the rule on), run a bundle read from files (an invoice for a
//! whole order, a delivery note for part of it), see it held for review with the rule's reason,
//! open the delivery note's match in the review desk and approve it, find the bundle through the
//! review desk's bundle filter, and filter the package runs by verdict.

use std::collections::HashMap;

use e2e::{repo_root, App, Driver, TestResult};

/// The demo's first order with enough units for a partial delivery: its columns by name.
fn an_order(data_dir: &std::path::Path) -> TestResult<HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(data_dir.join("purchase_orders.csv"))?;
    let header: Vec<String> = reader.headers()?.iter().map(String::from).collect();
    for record in reader.records() {
        let row: HashMap<String, String> = header
            .iter()
            .cloned()
            .zip(record?.iter().map(String::from))
            .collect();
        if row["quantity"].parse::<u32>().unwrap_or(0) >= 4 {
            return Ok(row);
        }
    }
    Err("the demo has no order of 4 units or more".into())
}

/// Reads `file` into the bundle's `slot` and waits until its one document is chosen.
async fn read_into(app: &App, slot: &str, file: &std::path::Path) -> TestResult {
    app.fill(
        &format!("#bundle-{slot}-file"),
        file.to_str().ok_or("path")?,
    )
    .await?;
    app.click(&format!("#bundle-{slot}-read")).await?;
    app.wait_attr(&format!("#bundle-{slot}-chosen"), "data-documents", "1")
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_way_bundle_is_held_for_review_and_its_match_approved() -> TestResult {
    let driver = Driver::start()?;
    let dir = tempfile::tempdir()?;
    let workspace = dir.path().join("demo.sqlite");
    let app = driver
        .launch(&["--workspace", workspace.to_str().ok_or("path")?, "--demo"])
        .await?;
    assert!(repo_root().exists());

    // Files a supplier would send: the whole order invoiced, half of it delivered.
    let order = an_order(&workspace.with_extension("demo-data"))?;
    let delivered = order["quantity"].parse::<u32>()? / 2;
    let invoice = dir.path().join("invoice.csv");
    std::fs::write(
        &invoice,
        format!(
            "document_id,po_reference,vendor_name,total_amount,invoice_date,currency\n\
             INV-E2E-1,{},{},{},{},{}\n",
            order["po_number"],
            order["vendor_name"],
            order["net_amount"],
            order["order_date"],
            order["currency"]
        ),
    )?;
    let note = dir.path().join("delivery.csv");
    std::fs::write(
        &note,
        format!(
            "delivery_note_id,po_reference,vendor_name,delivery_date,delivered_quantity\n\
             DN-E2E-1,{},{},{},{delivered}\n",
            order["po_number"], order["vendor_name"], order["order_date"]
        ),
    )?;

    // Define the package as the demo's: invoice required, delivery note expected, three-way on.
    app.click("#nav-packages").await?;
    app.wait_count("li[data-package-id]", 1).await?;
    app.click("#package-new").await?;
    app.fill("#pk-name", "Three-way (e2e)").await?;
    let invoices = app
        .option_value("#pk-slot-0-config", "Invoices to purchase orders")
        .await?;
    app.select("#pk-slot-0-config", &invoices).await?;
    let notes = app
        .option_value("#pk-slot-1-config", "Delivery notes to purchase orders")
        .await?;
    app.select("#pk-slot-1-config", &notes).await?;
    app.click("#pk-three-way").await?;
    app.fill("#pk-tw-quantity_tolerance_percent", "2").await?;
    app.click("#pk-save").await?;
    app.wait_count("li[data-package-id]", 2).await?;
    app.wait_prop("#pk-name", "value", "Three-way (e2e)")
        .await?;

    // The bundle: held for review by the rule, both documents matched to the order.
    read_into(&app, "invoice", &invoice).await?;
    read_into(&app, "delivery_note", &note).await?;
    app.click("#bundle-run").await?;
    app.wait_attr("#package-run", "data-verdict", "review")
        .await?;
    app.wait_attr("[data-slot='invoice']", "data-slot-status", "matched")
        .await?;
    app.wait_content(
        "li[data-rule='three_way'][data-rule-status='failed']",
        "exceeds",
    )
    .await?;
    app.find("[data-slot='delivery_note'] tr[data-field='po_reference']")
        .await?;
    app.scroll_to("#package-run").await?;
    app.screenshot("packages-run.png").await?;

    // Its delivery-note match in the review desk: approve it.
    let matching_run = app
        .attr("[data-slot='delivery_note']", "data-matching-run-id")
        .await?
        .ok_or("the delivery note slot has no run")?;
    app.click("[data-slot='delivery_note'] .open-slot-review")
        .await?;
    let result = format!("ul.results-list[data-run-id='{matching_run}'] li[data-result-id]");
    app.click(&result).await?;
    app.click("#approve").await?;
    app.wait_attr(&result, "data-status", "approved").await?;
    // The review desk finds the bundle's runs through its filter.
    app.click("#filter-bundles").await?;
    app.wait_count(&format!("#review-run option[value='{matching_run}']"), 1)
        .await?;
    app.screenshot("packages-review.png").await?;

    // The run list, filtered by verdict.
    app.click("#nav-packages").await?;
    app.select("#package-runs-status", "review").await?;
    app.wait_count("tr[data-package-run-id][data-verdict='review']", 1)
        .await?;
    app.select("#package-runs-status", "passed").await?;
    app.wait_count("tr[data-package-run-id]", 0).await?;
    app.close().await?;
    Ok(())
}
