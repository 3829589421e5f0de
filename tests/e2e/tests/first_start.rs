//! Issue 17's first start in the real window: the demo workspace opens on the guided path, and
//! the test follows it as a new user would: the guide's button to the Runs screen, start the demo
//! config, see its progress through to the end, open the review band (pending results between the
//! review floor and the threshold), approve the selected result with the `a` key, export the run,
//! each step checked off by the guide as it happens. Then "Don't show again", a restart on the same
//! workspace that opens without the guide, and the Help menu that brings it (and the keyboard
//! shortcuts) back.

use std::time::Duration;

use e2e::{App, Driver, TestResult};

async fn step_done(app: &App, step: &str) -> TestResult {
    app.wait_attr(
        &format!("#guide li[data-step='{step}']"),
        "data-step-state",
        "done",
    )
    .await
}

/// Steps 1 and 2: the guide's way to the Runs screen, the demo config started and watched to the end.
async fn run_the_demo(app: &App) -> TestResult {
    app.wait_text("#guide-action", "Go to Runs").await?;
    app.click("#guide-action").await?;
    app.wait_attr("#nav-runs", "aria-selected", "true").await?;
    let demo = app
        .option_value("#run-config", "Invoices to purchase orders")
        .await?;
    app.select("#run-config", &demo).await?;
    app.click("#start-run").await?;
    step_done(app, "run").await?;
    // Every one of the demo's 400 invoices processed, as the run's row counts them.
    app.wait_attr("tr[data-run-id]", "data-status", "completed")
        .await?;
    app.wait_content("tr[data-run-id]", "400 / 400").await?;
    step_done(app, "progress").await?;
    app.screenshot("guide-run.png").await?;
    Ok(())
}

/// Steps 3 and 4: the review band, then one approval by keyboard only.
async fn review_the_band(app: &App) -> TestResult {
    app.wait_text("#guide-action", "Open the review band")
        .await?;
    app.click("#guide-action").await?;
    app.wait_attr("#nav-review", "aria-selected", "true")
        .await?;
    step_done(app, "band").await?;
    app.wait_attr("#filter-band", "aria-pressed", "true")
        .await?;
    app.wait_attr("#filter-pending", "aria-pressed", "true")
        .await?;
    app.wait_text("#results-heading", "review band").await?;
    // The desk selects the first pending result of the band: `a` approves it.
    let selected = "li[data-result-id][aria-selected='true']";
    app.wait_attr(selected, "data-status", "pending").await?;
    let id = app
        .attr(selected, "data-result-id")
        .await?
        .ok_or("the selected result has no id")?;
    let approved_before = app.review_counter("approved").await?;
    app.press('a').await?;
    app.wait_attr(
        &format!("li[data-result-id='{id}']"),
        "data-status",
        "approved",
    )
    .await?;
    step_done(app, "approve").await?;
    assert_eq!(app.review_counter("approved").await?, approved_before + 1);
    app.screenshot("guide-review-band.png").await?;
    Ok(())
}

/// Step 5: the run's export, written where the user typed.
async fn export_the_run(app: &App, path: &std::path::Path) -> TestResult {
    app.wait_text("#guide-action", "Go to Runs").await?;
    app.click("#guide-action").await?;
    app.click("tr[data-run-id] .run-select").await?;
    app.find("#run-summary").await?;
    app.fill("#export-path", path.to_str().ok_or("path")?)
        .await?;
    app.click("#export-run").await?;
    app.wait_text("#export-done", "export.xlsx").await?;
    step_done(app, "export").await?;
    assert!(path.exists(), "no export at {}", path.display());
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_opens_on_a_guided_path_that_can_be_dismissed_and_reopened() -> TestResult {
    let driver = Driver::start()?;
    let dir = tempfile::tempdir()?;
    let workspace = dir.path().join("demo.sqlite");
    let args = ["--workspace", workspace.to_str().ok_or("path")?, "--demo"];

    let app = driver.launch(&args).await?;
    app.wait_attr("#guide", "data-current", "run").await?;
    app.wait_count("#guide li[data-step][data-step-state='todo']", 5)
        .await?;
    app.screenshot("guide-start.png").await?;
    run_the_demo(&app).await?;
    review_the_band(&app).await?;
    export_the_run(&app, &dir.path().join("export.xlsx")).await?;
    app.wait_attr("#guide", "data-current", "finished").await?;
    app.wait_count("#guide li[data-step][data-step-state='done']", 5)
        .await?;
    app.wait_text("#guide", "All done").await?;
    app.screenshot("guide-done.png").await?;
    app.click("#guide-dismiss").await?;
    app.wait_count("#guide", 0).await?;
    app.close().await?;

    // A new process on the same workspace opens on the work, not on the guide.
    let app = driver.launch(&args).await?;
    app.find("tr[data-dataset-id]").await?;
    // The guide would open as soon as the workspace answered: give it that time, and more.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        app.count("#guide").await?,
        0,
        "the dismissed guide came back"
    );
    // The Help menu reopens it; the run made before counts.
    app.click("#help-menu").await?;
    app.click("#help-guide").await?;
    step_done(&app, "run").await?;
    step_done(&app, "progress").await?;
    app.wait_attr("#guide", "data-current", "band").await?;
    // And lists the keyboard shortcuts.
    app.click("#help-menu").await?;
    app.click("#help-shortcuts").await?;
    app.wait_text("#shortcuts-overlay", "Approve").await?;
    app.press(fantoccini::key::Key::Escape.into()).await?;
    app.wait_count("#shortcuts-overlay", 0).await?;
    app.close().await?;
    Ok(())
}
