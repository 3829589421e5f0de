//! A run started from the command line while the window has the same workspace open (issue 11):
//! the Runs screen learns of it by itself, through the progress the other process writes to the
//! file, and shows it to its end, with no reload; the window's own workspace is left alone.

use std::process::Command;

use e2e::{app_binary, Driver, TestResult};

/// The value after `key` on the line that starts with it, as the CLI's summaries print them.
fn field(text: &str, key: &str) -> Option<String> {
    text.lines()
        .find_map(|l| l.strip_prefix(key).filter(|rest| rest.starts_with(' ')))
        .map(|rest| rest.trim().to_string())
}

/// `matchbook ARGS --workspace W`: the app binary runs the command line without a window.
fn matchbook(workspace: &str, args: &[&str]) -> TestResult<String> {
    let out = Command::new(app_binary())
        .args(args)
        .args(["--workspace", workspace])
        .output()?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    if !out.status.success() {
        return Err(format!(
            "matchbook {args:?}: {:?}\n{stdout}\n{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    Ok(stdout)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_started_from_the_cli_shows_in_the_open_window() -> TestResult {
    let driver = Driver::start()?;
    let dir = tempfile::tempdir()?;
    let workspace = dir.path().join("demo.sqlite");
    let ws = workspace.to_str().ok_or("path")?;
    let app = driver.launch(&["--workspace", ws, "--demo"]).await?;
    app.click("#nav-runs").await?;
    // The demo is imported and its config listed: the screen has loaded its (empty) runs list.
    let option = app.find("#run-config option:not([value=''])").await?;
    let config_id = option.attr("value").await?.ok_or("config without id")?;
    // The runs list has loaded, empty: from here only progress events can bring a run into it.
    app.wait_content("#runs-empty", "No runs yet").await?;
    assert_eq!(app.count("tr[data-run-id]").await?, 0);

    let cli = tokio::task::spawn_blocking({
        let ws = ws.to_string();
        move || matchbook(&ws, &["run", &config_id]).map_err(|e| e.to_string())
    });
    let out = cli.await??;
    let run_id = field(&out, "run").ok_or_else(|| format!("no run id in:\n{out}"))?;
    assert_eq!(field(&out, "status").as_deref(), Some("completed"), "{out}");

    let row = format!("tr[data-run-id='{run_id}']");
    app.wait_attr(&row, "data-status", "completed").await?;
    app.screenshot("runs-from-cli.png").await?;
    app.close().await?;
    Ok(())
}
