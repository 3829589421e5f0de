//! The real app window under WebDriver: open the demo workspace, run the demo config, approve a
//! result; by keyboard only undo and redo it and approve another result's second candidate; restart
//! the app and find the decisions still there.

use e2e::{Driver, TestResult};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_run_approve_and_restart() -> TestResult {
    let driver = Driver::start()?;
    let dir = tempfile::tempdir()?;
    let workspace = dir.path().join("demo.sqlite");
    let args = ["--workspace", workspace.to_str().ok_or("path")?, "--demo"];

    let app = driver.launch(&args).await?;
    app.click("#nav-runs").await?;
    app.find("#run-config option").await?;
    app.click("#start-run").await?;
    app.wait_attr("tr[data-run-id]", "data-status", "completed")
        .await?;
    app.screenshot("runs.png").await?;

    app.click("#nav-review").await?;
    let first = app.find("li[data-result-id]").await?;
    let result_id = first
        .attr("data-result-id")
        .await?
        .ok_or("result without id")?;
    first.click().await?;
    app.click("#approve").await?;
    let item = format!("li[data-result-id='{result_id}']");
    app.wait_attr(&item, "data-status", "approved").await?;
    app.screenshot("review.png").await?;

    // Keyboard only from here: undo the approval, redo it.
    app.press('u').await?;
    app.wait_attr(&item, "data-status", "pending").await?;
    app.press('U').await?;
    app.wait_attr(&item, "data-status", "approved").await?;
    // On a pending result, "2" approves the pairing with its second candidate.
    app.click("li[data-result-id][data-status='pending']")
        .await?;
    let picked_id = app
        .find("li[data-result-id][aria-selected='true']")
        .await?
        .attr("data-result-id")
        .await?
        .ok_or("selected result without id")?;
    let second = app
        .find("tr[data-candidate-rank='2'] td.mono")
        .await?
        .text()
        .await?;
    let second = second
        .split_whitespace()
        .next()
        .ok_or("no second candidate")?;
    app.press('2').await?;
    let picked = format!("li[data-result-id='{picked_id}']");
    app.wait_attr(&picked, "data-status", "approved").await?;
    app.wait_text(&picked, second).await?;
    // "?" shows the shortcuts; Escape hides them.
    app.press('?').await?;
    app.wait_text("#shortcuts-overlay", "Undo the last decision")
        .await?;
    app.screenshot("review-shortcuts.png").await?;
    app.press(fantoccini::key::Key::Escape.into()).await?;
    app.close().await?;

    // A new process on the same file: the decision the UI showed is still there.
    let app = driver.launch(&args).await?;
    app.click("#nav-review").await?;
    app.wait_attr(&item, "data-status", "approved").await?;
    app.wait_attr(&picked, "data-status", "approved").await?;
    app.screenshot("review-after-restart.png").await?;
    app.close().await?;
    Ok(())
}
