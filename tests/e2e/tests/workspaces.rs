//! Issue 17's workspace switching in the real window, from the demo workspace: create an empty
//! workspace by typing its path in Settings and see the Data screen empty, switch back to the
//! demo through the recent list and see its data, move the second workspace to another folder
//! and see the file moved, then read the About view: the workspace path, the SQLite version, and
//! the log folder, where the switches were logged.
//!
//! The app's configuration and data folders (recent list, logs) are the test's own, through
//! XDG_CONFIG_HOME and XDG_DATA_HOME, so no other run's recent list shows here.

use std::path::Path;

use e2e::{App, Driver, TestResult};

fn text(p: &Path) -> TestResult<&str> {
    Ok(p.to_str().ok_or("a path that is not UTF-8")?)
}

/// Opens Settings and waits until it shows `path` as the open workspace.
async fn settings_on(app: &App, path: &Path) -> TestResult {
    app.click("#nav-settings").await?;
    app.wait_text("#workspace-current", text(path)?).await?;
    app.wait_text(".workspace-path", text(path)?).await
}

/// Types `path` into the workspace path field and presses the button `button`.
async fn with_typed_path(app: &App, path: &Path, button: &str) -> TestResult {
    app.click("#nav-settings").await?;
    app.fill("#workspace-path", text(path)?).await?;
    app.click(button).await
}

/// Opens `path` from the recent list.
async fn open_recent(app: &App, path: &Path) -> TestResult {
    app.click("#nav-settings").await?;
    app.click(&format!(
        "#workspace-recent li[data-path=\"{}\"] .recent-open",
        text(path)?
    ))
    .await?;
    settings_on(app, path).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workspaces_are_created_switched_and_moved_from_settings() -> TestResult {
    let dir = tempfile::tempdir()?;
    // The app shows resolved paths: compare with the resolved temporary folder.
    let root = dir.path().canonicalize()?;
    let (config, data) = (root.join("config"), root.join("data"));
    let driver = Driver::start_with_env(&[
        ("XDG_CONFIG_HOME", text(&config)?),
        ("XDG_DATA_HOME", text(&data)?),
    ])?;
    let demo = root.join("demo.sqlite");
    let second = root.join("clients/acme.sqlite");
    let moved = root.join("archive/acme-2026-03.sqlite");
    let app = driver
        .launch(&["--workspace", text(&demo)?, "--demo"])
        .await?;

    // The demo's datasets on the Data screen.
    app.click("#nav-data").await?;
    app.find("tr[data-dataset-id]").await?;
    let demo_datasets = app.count("tr[data-dataset-id]").await?;
    settings_on(&app, &demo).await?;

    // A new, empty workspace: the Data screen says so.
    with_typed_path(&app, &second, "#workspace-create").await?;
    settings_on(&app, &second).await?;
    assert!(second.is_file(), "no file at {}", second.display());
    app.click("#nav-data").await?;
    app.find("#datasets-empty").await?;
    assert_eq!(app.count("tr[data-dataset-id]").await?, 0);
    // The demo's guide went with the demo: a workspace of one's own opens on the work (once a
    // switch left the old guide standing beside the new one).
    assert_eq!(app.count("#guide").await?, 0);

    // Creating it again is refused, naming the path, under the path field.
    with_typed_path(&app, &second, "#workspace-create").await?;
    app.wait_text("#workspace-path-error", "already exists")
        .await?;
    app.wait_attr("#workspace-path", "aria-invalid", "true")
        .await?;

    // Back to the demo through the recent list: its data again.
    open_recent(&app, &demo).await?;
    app.click("#nav-data").await?;
    app.wait_count("tr[data-dataset-id]", demo_datasets).await?;

    // The second workspace again, then moved to another folder: the file goes with it.
    open_recent(&app, &second).await?;
    app.screenshot("settings-workspaces.png").await?;
    with_typed_path(&app, &moved, "#workspace-move").await?;
    settings_on(&app, &moved).await?;
    assert!(moved.is_file(), "nothing at {}", moved.display());
    assert!(!second.exists(), "{} is still there", second.display());
    for side in ["-wal", "-shm"] {
        let old = format!("{}{side}", second.display());
        assert!(!Path::new(&old).exists(), "{old} was left behind");
    }
    app.find(&format!(
        "#workspace-recent li[data-path=\"{}\"]",
        text(&moved)?
    ))
    .await?;
    assert_eq!(
        app.count(&format!(
            "#workspace-recent li[data-path=\"{}\"]",
            text(&second)?
        ))
        .await?,
        0,
        "the old path stays in the recent list"
    );
    app.click("#nav-data").await?;
    app.find("#datasets-empty").await?;

    // About: the open workspace, the SQLite linked in, and the log folder, which has the log.
    app.click("#nav-settings").await?;
    app.scroll_to("#about").await?;
    app.wait_text("[data-about='Workspace'] dd", text(&moved)?)
        .await?;
    app.wait_text("[data-about='SQLite'] dd", rusqlite::version())
        .await?;
    let logs = data.join("app.matchbook.desktop/logs");
    app.wait_text("[data-about='Logs'] dd", text(&logs)?)
        .await?;
    app.screenshot("settings-about.png").await?;
    let log = std::fs::read_to_string(logs.join("matchbook.log"))?;
    assert!(log.contains("Matchbook starting"), "{log}");
    assert!(
        log.contains(text(&moved)?),
        "the move is not in the log: {log}"
    );
    app.close().await?;
    Ok(())
}
