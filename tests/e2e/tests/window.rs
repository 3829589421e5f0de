//! The real app window under WebDriver: open the demo workspace, run the demo config, approve a
//! result; by keyboard only undo and redo it, approve another result's second candidate and clear a
//! filtered queue; restart the app and find the decisions still there.

use std::time::{Duration, Instant};

use e2e::{App, Driver, TestResult};

async fn wait_counter(app: &App, name: &str, done: impl Fn(usize) -> bool) -> TestResult<usize> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let n = app.review_counter(name).await?;
        if done(n) {
            return Ok(n);
        }
        if Instant::now() > deadline {
            return Err(format!("counter {name} stayed at {n}").into());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn wait_counter_below(app: &App, name: &str, was: usize) -> TestResult<usize> {
    wait_counter(app, name, |n| n < was).await
}

async fn wait_counter_above(app: &App, name: &str, was: usize) -> TestResult<usize> {
    wait_counter(app, name, |n| n > was).await
}

/// The size of the filtered queue ("14 results").
async fn queue_size(app: &App) -> TestResult<usize> {
    let text = app.text("#results-count").await?;
    Ok(text
        .split_whitespace()
        .next()
        .ok_or("no count")?
        .replace(',', "")
        .parse()?)
}

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
    // The desk opens on the review band's pending results; this test works on every result: one
    // per demo invoice, loaded (the band's stay on screen, marked busy, until they arrive).
    app.click("#filter-clear").await?;
    app.wait_text("#results-count", "400 results").await?;
    app.find("ul.results-list:not([aria-busy])").await?;
    let result_id = app
        .attr("li[data-result-id]", "data-result-id")
        .await?
        .ok_or("result without id")?;
    // By its id: the list may re-render between reading and clicking.
    app.click(&format!("li[data-result-id='{result_id}']"))
        .await?;
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
        .attr("li[data-result-id][aria-selected='true']", "data-result-id")
        .await?
        .ok_or("selected result without id")?;
    let second = app.text("tr[data-candidate-rank='2'] td.mono").await?;
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

    // A reviewer's queue: the pending results between 70 % and 80 %, cleared by keyboard only:
    // each decision opens the next pending result, one undo on the way, approvals and rejections.
    let all = queue_size(&app).await?;
    app.click("#filter-pending").await?;
    app.fill("#filter-min", "70").await?;
    app.fill("#filter-max", "80").await?;
    app.press(fantoccini::key::Key::Escape.into()).await?;
    // The list reloads on every keystroke of the bounds ("7", "70", "8", "80"): wait until its
    // count has changed and then holds still, so the queue is the one of both bounds.
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut queue = all;
    loop {
        tokio::time::sleep(Duration::from_millis(700)).await;
        let now = queue_size(&app).await?;
        if now == queue && now != all {
            break;
        }
        if Instant::now() > deadline {
            return Err(format!("the filtered queue never settled (last {now})").into());
        }
        queue = now;
    }
    app.wait_attr("li[data-result-id]", "data-status", "pending")
        .await?;
    assert!(
        queue >= 3,
        "the demo's 70-80 % band should hold a queue, not {queue}"
    );
    app.press('j').await?;
    let mut pending = app.review_counter("pending").await?;
    let start = pending;
    for i in 0..queue {
        let key = if i % 3 == 2 { 'r' } else { 'a' };
        app.press(key).await?;
        pending = wait_counter_below(&app, "pending", pending).await?;
        if i == 1 {
            // Second thoughts: undo brings the result back to pending; decide it again.
            app.press('u').await?;
            pending = wait_counter_above(&app, "pending", pending).await?;
            app.press('a').await?;
            pending = wait_counter_below(&app, "pending", pending).await?;
        }
    }
    assert_eq!(start - pending, queue);
    // Reloading the queue finds nothing pending left in it.
    app.click("#filter-all").await?;
    app.click("#filter-pending").await?;
    app.wait_text("#results-count", "0 results").await?;
    app.screenshot("review-queue-cleared.png").await?;
    app.close().await?;

    // A new process on the same file: the decision the UI showed is still there.
    let app = driver.launch(&args).await?;
    app.click("#nav-review").await?;
    // The desk opens on what is left to decide: the decided results are among all of them.
    app.click("#filter-clear").await?;
    app.wait_attr(&item, "data-status", "approved").await?;
    app.wait_attr(&picked, "data-status", "approved").await?;
    app.screenshot("review-after-restart.png").await?;
    app.close().await?;
    Ok(())
}
