//! The desktop shell: opens the window on a workspace and forwards each UI call to the service
//! layer. No matching or storage logic lives here.

mod api_server;
#[macro_use]
mod command_table;
mod commands;
mod logs;
pub mod startup;
mod workspaces;

use std::path::PathBuf;
use std::sync::Arc;

use service::{OpenOptions, RecentList, Workspace};
use tauri::Manager;

use crate::workspaces::Current;

/// How the app was asked to start.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LaunchOptions {
    /// `--workspace PATH` (or MATCHBOOK_WORKSPACE): the SQLite file to open.
    pub workspace: Option<PathBuf>,
    /// `--demo`: open a demo workspace, filling it with demo data when empty.
    pub demo: bool,
    /// `--help`: print [`USAGE`] and exit.
    pub help: bool,
}

pub const USAGE: &str = "usage: matchbook [--workspace PATH] [--demo]
       matchbook [--workspace PATH] COMMAND [ARGS...]
  --workspace PATH  open this workspace file (created if missing; also MATCHBOOK_WORKSPACE)
  --demo            fill an empty workspace with demo invoices and purchase orders
  COMMAND           import, configs, run, runs, results, review, export, eval: do it without
                    opening a window, as matchbook-cli does; `matchbook help` lists them and
                    `matchbook help COMMAND` explains one";

/// Whether the command line is a command to run without a window: its first argument, after any
/// `--workspace PATH`, is one of the command line's subcommands (or `help`). The CLI's own
/// grammar answers, so a subcommand added there (`serve`) is a subcommand of `matchbook` too.
/// No arguments, `--demo` or `--workspace` alone open the window as before.
pub fn wants_cli(args: &[String]) -> bool {
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--workspace" => {
                it.next();
            }
            s if s.starts_with("--workspace=") => {}
            s => return matchbook_cli::is_subcommand(s),
        }
    }
    false
}

impl LaunchOptions {
    /// Reads `--workspace PATH`, `--workspace=PATH` and `--demo`; unknown arguments are an error so
    /// a typo does not silently open the wrong file.
    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Self, String> {
        let mut opts = LaunchOptions::default();
        let mut it = args.into_iter();
        while let Some(a) = it.next() {
            match a.as_str() {
                "--demo" => opts.demo = true,
                "--workspace" => {
                    let p = it.next().ok_or("--workspace needs a file path")?;
                    opts.workspace = Some(PathBuf::from(p));
                }
                s if s.starts_with("--workspace=") => {
                    opts.workspace = s.strip_prefix("--workspace=").map(PathBuf::from)
                }
                "-h" | "--help" => opts.help = true,
                other => return Err(format!("unknown argument '{other}' (try --help)")),
            }
        }
        if opts.workspace.is_none() {
            if let Some(p) = std::env::var_os("MATCHBOOK_WORKSPACE").filter(|p| !p.is_empty()) {
                opts.workspace = Some(PathBuf::from(p));
            }
        }
        Ok(opts)
    }
}

/// Opens the workspace the launch options name (default: workspace.sqlite, or demo.sqlite with
/// --demo, in the app-data folder) and seeds the demo into it when asked, or on first start.
fn open_workspace(app: &tauri::App, launch: &LaunchOptions) -> Result<Workspace, String> {
    let path = match &launch.workspace {
        Some(p) => p.clone(),
        None => {
            let dir = app
                .path()
                .app_data_dir()
                .map_err(|e| format!("no app-data folder: {e}"))?;
            dir.join(if launch.demo {
                "demo.sqlite"
            } else {
                "workspace.sqlite"
            })
        }
    };
    // One spelling for the file, whatever the command line said: the window shows it, the recent
    // list keeps it, and a relative path would mean nothing there.
    let path = service::workspace_files::same_file_key(&path);
    let first_start = !path.exists();
    let tauri::async_runtime::RuntimeHandle::Tokio(tokio_handle) = tauri::async_runtime::handle();
    let ws = Workspace::open(&path, tokio_handle, OpenOptions::default())
        .map_err(|e| format!("cannot open workspace {}: {e}", path.display()))?;
    if launch.demo || (first_start && launch.workspace.is_none()) {
        let data_dir = path.with_extension("demo-data");
        ws.seed_demo(&data_dir)
            .map_err(|e| format!("cannot create the demo workspace: {e}"))?;
    }
    Ok(ws)
}

pub fn run(launch: LaunchOptions) {
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .setup(move |app| {
            let log_dir = logs::init(app.path().app_log_dir().ok());
            tracing::info!(version = env!("CARGO_PKG_VERSION"), "Matchbook starting");
            let ws = open_workspace(app, &launch).inspect_err(|e| tracing::error!("{e}"))?;
            // The recent list is the user's, across workspaces: beside the app's settings.
            let config_dir = app
                .path()
                .app_config_dir()
                .or_else(|_| app.path().app_data_dir())
                .map_err(|e| format!("no configuration folder: {e}"))?;
            let recent = RecentList::new(config_dir.join("recent-workspaces.json"));
            let tauri::async_runtime::RuntimeHandle::Tokio(tokio_handle) =
                tauri::async_runtime::handle();
            let api = Arc::new(api_server::ApiServer::default());
            let current = Arc::new(Current::new(api.clone(), recent, log_dir, tokio_handle));
            // Scheduled runs start while the window is open, and the REST API comes back on if it
            // was on when the app last closed: both follow the workspace through every switch.
            current.start(Arc::new(ws));
            let resume = current.clone();
            tauri::async_runtime::spawn(async move { resume.resume_api(true).await });
            app.manage(api);
            app.manage(current);
            Ok(())
        })
        .invoke_handler(commands::handler())
        .run(tauri::generate_context!())
        .unwrap_or_else(|e| {
            tracing::error!("{e}");
            eprintln!("matchbook: {e}");
            std::process::exit(1);
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<LaunchOptions, String> {
        LaunchOptions::parse(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn reads_workspace_and_demo() {
        let o = parse(&["--workspace", "/tmp/w.sqlite", "--demo"]).unwrap();
        assert_eq!(
            o.workspace.as_deref(),
            Some(std::path::Path::new("/tmp/w.sqlite"))
        );
        assert!(o.demo);
        let o = parse(&["--workspace=/tmp/x.sqlite"]).unwrap();
        assert_eq!(
            o.workspace.as_deref(),
            Some(std::path::Path::new("/tmp/x.sqlite"))
        );
    }

    fn cli(args: &[&str]) -> bool {
        wants_cli(&args.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn subcommands_go_to_the_command_line_and_the_rest_to_the_window() {
        for sub in [
            "import", "configs", "run", "eval", "runs", "results", "review", "export", "serve",
            "help",
        ] {
            assert!(cli(&[sub]), "{sub}");
        }
        assert!(cli(&["run", "CONFIG", "--workspace", "w.sqlite"]));
        assert!(cli(&["--workspace", "w.sqlite", "configs", "list"]));
        assert!(cli(&["--workspace=w.sqlite", "results", "RUN"]));
        // A workspace file that happens to be called like a subcommand is still a file.
        assert!(!cli(&["--workspace", "run"]));

        assert!(!cli(&[]));
        assert!(!cli(&["--demo"]));
        assert!(!cli(&["--workspace", "w.sqlite", "--demo"]));
        assert!(!cli(&["--help"]));
        // Not a subcommand: the window's parser refuses it with its own usage.
        assert!(!cli(&["frobnicate"]));
        assert!(!cli(&["--demo", "run"]));
    }

    #[test]
    fn refuses_unknown_and_incomplete_arguments() {
        assert!(parse(&["--workspce", "x"])
            .unwrap_err()
            .contains("unknown argument"));
        assert!(parse(&["--workspace"])
            .unwrap_err()
            .contains("needs a file path"));
    }
}
