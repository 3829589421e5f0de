//! The real app window under WebDriver: open the demo workspace, run the demo config, approve a
//! result, restart the app and find the approval still there.

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
    app.close().await?;

    // A new process on the same file: the decision the UI showed is still there.
    let app = driver.launch(&args).await?;
    app.click("#nav-review").await?;
    app.wait_attr(&item, "data-status", "approved").await?;
    app.screenshot("review-after-restart.png").await?;
    app.close().await?;
    Ok(())
}
