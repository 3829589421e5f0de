//! The desktop binary as a command line: `matchbook COMMAND` runs the CLI on a real workspace
//! file without opening a window (no display is needed), and the window's own flags are checked
//! before anything of Tauri starts. Also makes `cargo test` build the `matchbook` binary that
//! tests/e2e drives.

use std::path::Path;
use std::process::{Command, Output};

fn matchbook(args: &[&str], workspace: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_matchbook"))
        .args(args)
        .env("MATCHBOOK_WORKSPACE", workspace)
        // A window would need one; a subcommand must not.
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .expect("run matchbook")
}

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
        .display()
        .to_string()
}

#[test]
fn a_subcommand_runs_the_command_line_on_the_workspace_without_a_window() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("workspace.sqlite");
    let imported = matchbook(
        &[
            "import",
            "--kind",
            "reference",
            "--id-column",
            "po_id",
            &fixture("pos_small.csv"),
        ],
        &ws,
    );
    assert!(
        imported.status.success(),
        "{}",
        String::from_utf8_lossy(&imported.stderr)
    );
    assert!(ws.exists(), "the import wrote the workspace file");
    let listed = matchbook(&["configs", "list", "--json"], &ws);
    assert!(
        listed.status.success(),
        "{}",
        String::from_utf8_lossy(&listed.stderr)
    );
    let configs: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(configs, serde_json::json!([]));
}

#[test]
fn a_bad_window_flag_is_refused_with_the_usage_before_any_window() {
    let dir = tempfile::tempdir().unwrap();
    let out = matchbook(&["--no-such-flag"], &dir.path().join("w.sqlite"));
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--no-such-flag"), "{stderr}");
    assert!(stderr.to_lowercase().contains("usage"), "{stderr}");
}

#[test]
fn version_prints_the_package_version_without_a_window() {
    let dir = tempfile::tempdir().unwrap();
    for flag in ["--version", "-V"] {
        let out = matchbook(&[flag], &dir.path().join("w.sqlite"));
        assert!(out.status.success(), "{out:?}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            text.trim(),
            format!("matchbook {}", env!("CARGO_PKG_VERSION"))
        );
    }
    // Nothing was opened: the workspace file is not created.
    assert!(!dir.path().join("w.sqlite").exists());
}
