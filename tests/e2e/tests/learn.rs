//! Issue 14 in the real window, from an empty workspace: import orders and invoices, generate a
//! strategy (mappings with their reasons, the column profile, a trial on 20 documents), create the
//! config from it and smart-run it (run type, m/u chart, the waterfall of a decision); then a
//! cautious hand-written config leaves true matches in its review band, AI resolve settles some,
//! and one suggestion is accepted with the `s` key.

use std::time::{Duration, Instant};

use e2e::{repo_root, App, Driver, TestResult};
use fantoccini::Locator;

fn fixture(name: &str) -> String {
    repo_root()
        .join("tests/fixtures")
        .join(name)
        .display()
        .to_string()
}

/// Imports a CSV file through the wizard with `id_column` as its row id.
async fn import(app: &App, kind: &str, file: &str, id_column: &str, datasets: usize) -> TestResult {
    app.select("#import-kind", kind).await?;
    app.fill("#import-path", &fixture(file)).await?;
    app.wait_text("#import-format", "CSV").await?;
    app.find("#import-preview").await?;
    app.select("#import-id-column", id_column).await?;
    app.click("#import-submit").await?;
    app.wait_count("tr[data-dataset-id]", datasets).await
}

/// Waits until the number an element's attribute holds passes `done`, and returns it.
async fn wait_number(
    app: &App,
    css: &str,
    attr: &str,
    done: impl Fn(u64) -> bool,
) -> TestResult<u64> {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut last = None;
    loop {
        if let Ok(e) = app.client.find(Locator::Css(css)).await {
            last = e.attr(attr).await.ok().flatten();
            if let Some(n) = last.as_deref().and_then(|t| t.parse().ok()) {
                if done(n) {
                    return Ok(n);
                }
            }
        }
        if Instant::now() > deadline {
            return Err(format!("{css} [{attr}] stayed {last:?}").into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Starts the chosen config's newest run from `button`, opens its summary once it completed and
/// returns its id.
async fn run_and_open(app: &App, button: &str, runs_before: usize) -> TestResult<String> {
    app.click(button).await?;
    app.wait_count("tr[data-run-id]", runs_before + 1).await?;
    // The newest run is the first row.
    app.wait_attr("tr[data-run-id]:first-child", "data-status", "completed")
        .await?;
    let id = app
        .attr("tr[data-run-id]:first-child", "data-run-id")
        .await?
        .ok_or("a run row without its id")?;
    app.click("tr[data-run-id]:first-child .run-select").await?;
    app.wait_attr("#run-summary", "data-run-id", &id).await?;
    Ok(id)
}

/// Opens the summary's run in the Review screen, widened from its review band to every result, and
/// waits for its own results (those of the run shown before stay on screen until they arrive).
async fn open_review(app: &App, run_id: &str) -> TestResult {
    app.click("#open-review").await?;
    app.click("#filter-clear").await?;
    app.wait_attr("#filter-band", "aria-pressed", "false")
        .await?;
    app.find(&format!(
        "ul.results-list[data-run-id='{run_id}']:not([aria-busy]) li[data-result-id]"
    ))
    .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generate_strategy_smart_run_ai_resolve_and_accept_a_suggestion() -> TestResult {
    let driver = Driver::start()?;
    let dir = tempfile::tempdir()?;
    let workspace = dir.path().join("learn.sqlite");
    let app = driver
        .launch(&["--workspace", workspace.to_str().ok_or("path")?])
        .await?;

    app.click("#nav-data").await?;
    import(&app, "reference", "learn_orders.csv", "po_id", 1).await?;
    import(&app, "documents", "learn_invoices.csv", "document_id", 2).await?;

    // Strategies: generate from the two tables, without a prompt.
    app.click("#nav-strategies").await?;
    app.wait_text("#strategy-empty", "Generate a strategy")
        .await?;
    let documents = app.option_value("#st-documents", "learn_invoices").await?;
    app.select("#st-documents", &documents).await?;
    app.fill("#st-name", "Learned (e2e)").await?;
    app.click("#st-generate").await?;
    // The PO reference goes with the PO number though the names differ, with its reason.
    let mapping = "#strategy-mappings tr[data-mapping='po_reference->po_number']";
    app.wait_content(mapping, "of the likely matches").await?;
    app.wait_content(
        "#strategy-columns tr[data-column='reference:po_number']",
        "PO-2024-",
    )
    .await?;
    app.find("#st-weight-0").await?;
    app.click("#st-preview").await?;
    app.wait_text("#strategy-preview-summary", "of 20").await?;
    app.scroll_to("#strategy-mappings").await?;
    app.screenshot("strategy.png").await?;
    app.wait_prop("#st-config-name", "value", "Learned (e2e)")
        .await?;
    app.click("#st-create-config").await?;
    app.wait_text(".strategy-detail", "Created the config")
        .await?;

    // A cautious config by hand: fuzzy PO and vendor name, matched only from 97 %.
    app.click("#nav-configs").await?;
    app.find("li[data-config-id]").await?;
    app.fill("#cfg-name", "Cautious (e2e)").await?;
    let reference = app
        .option_value("#cfg-reference_data_id", "learn_orders")
        .await?;
    app.select("#cfg-reference_data_id", &reference).await?;
    app.select("#cfg-document_set_id", &documents).await?;
    app.select("#cfg-field_mappings-0-source", "po_reference")
        .await?;
    app.select("#cfg-field_mappings-0-target", "po_number")
        .await?;
    app.select("#cfg-field_mappings-0-strategy", "fuzzy")
        .await?;
    app.fill("#cfg-field_mappings-0-weight", "0.6").await?;
    app.click(".mapping-actions button").await?;
    app.select("#cfg-field_mappings-1-source", "vendor_name")
        .await?;
    app.select("#cfg-field_mappings-1-target", "vendor_name")
        .await?;
    app.select("#cfg-field_mappings-1-strategy", "fuzzy")
        .await?;
    app.fill("#cfg-field_mappings-1-weight", "0.4").await?;
    app.fill("#cfg-threshold", "0.97").await?;
    app.fill("#cfg-review_floor", "0.5").await?;
    app.click("#config-save").await?;
    app.wait_count("li[data-config-id]", 2).await?;

    // Runs: a smart run of the learned config with its strategy.
    app.click("#nav-runs").await?;
    let learned = app.option_value("#run-config", "Learned (e2e)").await?;
    app.select("#run-config", &learned).await?;
    app.option_value("#smart-strategy", "Learned (e2e)").await?;
    let smart = run_and_open(&app, "#smart-run", 0).await?;
    app.wait_attr("#run-type", "data-run-type", "smart").await?;
    app.wait_count("#run-mu-chart tr[data-field]", 4).await?;
    app.find("#run-mu-chart td[data-level='same']").await?;
    app.scroll_to("#run-estimates").await?;
    app.screenshot("runs-smart.png").await?;

    // Its decisions come with a waterfall of match weights.
    open_review(&app, &smart).await?;
    app.find("#waterfall [data-step='prior']").await?;
    app.find("#waterfall [data-step='po_reference → po_number']")
        .await?;
    app.wait_text("#waterfall-probability", "%").await?;
    app.scroll_to("#waterfall").await?;
    app.screenshot("review-waterfall.png").await?;

    // A standard run of the cautious config leaves a review band; AI resolve settles part of it.
    app.click("#nav-runs").await?;
    let cautious = app.option_value("#run-config", "Cautious (e2e)").await?;
    app.select("#run-config", &cautious).await?;
    // Without a strategy of its own, it may use the learned one (same reference data).
    app.option_value("#smart-strategy", "Learned (e2e)").await?;
    let standard = run_and_open(&app, "#start-run", 1).await?;
    app.wait_attr("#run-type", "data-run-type", "manual")
        .await?;
    app.wait_attr("#run-suggestions", "data-made", "0").await?;
    app.click("#ai-resolve").await?;
    let made = wait_number(&app, "#run-suggestions", "data-made", |n| n > 0).await?;
    app.wait_attr("tr[data-run-id]:first-child", "data-status", "completed")
        .await?;
    app.wait_content(
        "#run-suggestions [data-suggestions='open']",
        &made.to_string(),
    )
    .await?;
    app.screenshot("runs-ai-resolve.png").await?;

    // Review: go to a result with a suggestion (g) and accept it (s).
    open_review(&app, &standard).await?;
    app.press('g').await?;
    let suggested = app
        .attr("#result-suggestion", "data-suggestion-status")
        .await?
        .ok_or("no suggested status")?;
    app.wait_content("#suggestion-reason", " ").await?;
    let result_id = app
        .attr("li.result-item.selected", "data-result-id")
        .await?
        .ok_or("no selected result")?;
    app.wait_attr(
        &format!("li[data-result-id='{result_id}']"),
        "data-status",
        "pending",
    )
    .await?;
    app.screenshot("review-suggestion.png").await?;
    let decided_before = app.review_counter(&suggested).await?;
    app.press('s').await?;
    app.wait_attr(
        &format!("li[data-result-id='{result_id}']"),
        "data-status",
        &suggested,
    )
    .await?;
    app.wait_count(
        &format!("li[data-result-id='{result_id}'][data-suggestion]"),
        0,
    )
    .await?;
    let deadline = Instant::now() + Duration::from_secs(30);
    while app.review_counter(&suggested).await? != decided_before + 1 {
        if Instant::now() > deadline {
            return Err("the accepted suggestion never showed in the counters".into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // The run summary counts it as accepted.
    app.click("#nav-runs").await?;
    app.wait_content("#run-suggestions [data-suggestions='accepted']", "1")
        .await?;
    app.close().await?;
    Ok(())
}
