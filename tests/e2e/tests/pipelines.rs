//! Issue 16 in the real window, on the demo workspace: define an entity-matching pipeline from
//! the historian's time series to the plant's assets (name to name, site to site, rules
//! generated), run it, accept its first suggested rule from the keyboard, run it again and see
//! matches made by the rule; then confirm a match from the keyboard.

use e2e::{App, Driver, TestResult};

/// Runs the pipeline shown and waits until the new run (not the one shown before) completed.
async fn run_and_wait(app: &App, runs_before: usize) -> TestResult<String> {
    // Into the middle of the screen first: WebKit's driver does not scroll a button that peeks out
    // at the top of the screen's scroll area, and refuses the click on its covered centre.
    app.scroll_to("#pipeline-run").await?;
    app.click("#pipeline-run").await?;
    app.wait_count("#pipeline-runs option", runs_before + 1)
        .await?;
    // Newest first: the run just started.
    let job = app
        .attr("#pipeline-runs option:first-child", "value")
        .await?
        .ok_or("the run has no job id")?;
    app.wait_attr(
        &format!("#pipeline-run-status[data-job-id='{job}']"),
        "data-status",
        "Completed",
    )
    .await?;
    Ok(job)
}

/// The number an attribute of the run's counts holds (`data-rule`: matches made by rules).
async fn count(app: &App, attr: &str) -> TestResult<usize> {
    Ok(app
        .attr("#pipeline-run-counts", attr)
        .await?
        .ok_or("no counts")?
        .parse()?)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_suggested_rule_accepted_from_the_keyboard_makes_rule_matches() -> TestResult {
    let driver = Driver::start()?;
    let dir = tempfile::tempdir()?;
    let workspace = dir.path().join("demo.sqlite");
    let app = driver
        .launch(&["--workspace", workspace.to_str().ok_or("path")?, "--demo"])
        .await?;

    // A new pipeline over the demo's tags: time series name -> asset name, site -> site.
    app.click("#nav-pipelines").await?;
    let series = app
        .option_value("#pl-source", "Historian time series")
        .await?;
    let assets = app.option_value("#pl-target", "Plant assets").await?;
    let pipelines = app.count("li[data-pipeline-id]").await?;
    app.click("#pipeline-new").await?;
    app.fill("#pl-name", "Tags (e2e)").await?;
    app.select("#pl-source", &series).await?;
    app.select("#pl-target", &assets).await?;
    app.select("#pl-field-0-source", "name").await?;
    app.select("#pl-field-0-target", "name").await?;
    app.click("#pl-field-add").await?;
    app.select("#pl-field-1-source", "site").await?;
    app.select("#pl-field-1-target", "site").await?;
    app.wait_prop("#pl-generate-rules", "checked", "true")
        .await?;
    app.click("#pl-save").await?;
    app.wait_count("li[data-pipeline-id]", pipelines + 1)
        .await?;
    app.wait_prop("#pl-name", "value", "Tags (e2e)").await?;

    // The first run: the model's matches, and rules suggested from them.
    run_and_wait(&app, 0).await?;
    assert_eq!(count(&app, "data-rule").await?, 0);
    assert!(count(&app, "data-model").await? > 0);
    let rule = "#pipeline-rules tr[data-rule-index='0']";
    app.wait_attr(rule, "data-rule-status", "open").await?;
    app.find("#rule-matches tbody tr").await?;
    app.scroll_to("#pipeline-rules").await?;
    app.screenshot("pipelines-rules.png").await?;

    // Accept the first rule from the keyboard: pick it, then `a`.
    // A cell, not the row: WebKit's driver finds no point of a table row to click.
    app.scroll_to(rule).await?;
    app.click(&format!("{rule} td")).await?;
    app.wait_attr("#pipeline-rules", "data-focused-index", "0")
        .await?;
    app.press('a').await?;
    app.wait_attr(rule, "data-rule-status", "accepted").await?;

    // The next run matches by the rule.
    run_and_wait(&app, 1).await?;
    let by_rule = count(&app, "data-rule").await?;
    assert!(by_rule > 0, "no match was made by the accepted rule");
    app.select("#pipeline-match-type", "rule").await?;
    app.wait_attr("#pipeline-match-count", "data-count", &by_rule.to_string())
        .await?;
    assert!(
        app.count("#pipeline-matches tr[data-match-type='rule']")
            .await?
            > 0
    );
    assert_eq!(
        app.count("#pipeline-matches tr[data-match-type]:not([data-match-type='rule'])")
            .await?,
        0
    );
    app.screenshot("pipelines-rule-matches.png").await?;

    // Confirm the first of them from the keyboard.
    let first = "#pipeline-matches tr[data-match-type]:first-child";
    let source = app.attr(first, "data-source").await?.ok_or("no source")?;
    app.scroll_to(first).await?;
    app.click(&format!("{first} td")).await?;
    app.press('a').await?;
    app.wait_attr(
        &format!("#pipeline-matches tr[data-source='{source}']"),
        "data-decision",
        "confirmed",
    )
    .await?;
    app.close().await?;
    Ok(())
}
