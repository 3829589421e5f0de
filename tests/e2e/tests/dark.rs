//! The window on a desktop set to a dark theme: the app follows the OS preference, so a reviewer
//! working at night gets the dark palette without a setting.

use e2e::{Driver, TestResult};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follows_a_dark_desktop_theme() -> TestResult {
    let driver = Driver::start_with_env(&[("GTK_THEME", "Adwaita:dark")])?;
    let dir = tempfile::tempdir()?;
    let workspace = dir.path().join("demo.sqlite");
    let app = driver
        .launch(&["--workspace", workspace.to_str().ok_or("path")?, "--demo"])
        .await?;
    app.click("#nav-runs").await?;
    app.find("#run-config option").await?;
    app.click("#start-run").await?;
    app.wait_attr("tr[data-run-id]", "data-status", "completed")
        .await?;
    app.click("#nav-review").await?;
    app.click("li[data-result-id]").await?;
    let dark = app
        .client
        .execute(
            "return [matchMedia('(prefers-color-scheme: dark)').matches, \
             getComputedStyle(document.body).backgroundColor]",
            vec![],
        )
        .await?;
    assert_eq!(dark[0], serde_json::Value::Bool(true), "{dark}");
    // The page background is dark: every channel of its colour is low.
    let bg = dark[1].as_str().ok_or("no background colour")?;
    let channels: Vec<u32> = bg
        .trim_start_matches("rgba(")
        .trim_start_matches("rgb(")
        .trim_end_matches(')')
        .split(',')
        .take(3)
        .map(|c| c.trim().parse())
        .collect::<Result<_, _>>()?;
    assert!(channels.iter().all(|&c| c < 80), "background {bg}");
    app.screenshot("review-dark.png").await?;
    app.close().await?;
    Ok(())
}
