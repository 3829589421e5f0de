//! `serve`: the matching REST API (crates/api) on 127.0.0.1 and the configs' schedules, until
//! Ctrl-C or SIGTERM. The same server and scheduler the desktop app starts from its settings.

use std::time::Duration;

use api::Server;
use clap::Args;

use super::io_err;
use crate::error::{CliError, EXIT_OK};
use crate::session::WorkspaceArg;
use crate::Io;

/// How often due schedules are looked for; a slot starts at most this late.
const SCHEDULE_PERIOD: Duration = Duration::from_secs(15);

#[derive(Debug, Args)]
#[command(after_help = "\
The API listens on 127.0.0.1 only. Requests need the workspace's key as
'Authorization: Bearer <key>'; the first serve of a workspace creates the key and prints it once
on stderr (the workspace keeps only its hash). The OpenAPI document is at /v1/openapi.json.
Prints the base URL on stdout when listening. Ctrl-C (or SIGTERM) stops it.

Example:
  matchbook serve --workspace w.sqlite --port 8750
  curl -H \"Authorization: Bearer $KEY\" http://127.0.0.1:8750/v1/matching/configs")]
pub struct ServeArgs {
    /// The port on 127.0.0.1; 0 picks a free one (the URL printed says which).
    #[arg(long, default_value_t = service::DEFAULT_API_PORT)]
    port: u16,
    /// Replace the workspace's API key before serving; the new key is printed once and the old
    /// one stops working.
    #[arg(long)]
    rotate_key: bool,
    /// Do not start the configs' scheduled runs while serving.
    #[arg(long)]
    no_schedules: bool,
}

pub fn run(workspace: &WorkspaceArg, args: ServeArgs, io: &mut Io) -> Result<u8, CliError> {
    // Only a server lives long enough to finish the queued runs of a process that died.
    let session = workspace.open_taking_over_runs()?;
    let ws = session.shared();
    // The key is created (or replaced) before listening, so no request ever meets a workspace
    // without one; its whole text exists only in this message.
    let new_key = if args.rotate_key {
        Some(ws.rotate_api_key()?)
    } else {
        ws.ensure_api_key()?
    };
    match (&new_key, ws.api_key_info()?) {
        (Some(k), _) => writeln!(
            io.err,
            "API key for this workspace (shown once; Matchbook keeps only its hash):\n{}",
            k.key
        ),
        (None, Some(info)) => writeln!(
            io.err,
            "Using the workspace's API key {}… (created {}); `serve --rotate-key` replaces it.",
            info.prefix, info.created_at
        ),
        (None, None) => Ok(()),
    }
    .map_err(io_err)?;

    let runtime = session.runtime().clone();
    let stop = Stop::listen(&runtime);
    let server = runtime
        .block_on(Server::start(
            ws.clone(),
            api::ServeOptions {
                port: args.port,
                ..Default::default()
            },
        ))
        .map_err(|e| CliError::Failed(e.to_string()))?;
    let scheduler = (!args.no_schedules).then(|| ws.spawn_scheduler(&runtime, SCHEDULE_PERIOD));
    writeln!(io.out, "{}", server.url()).map_err(io_err)?;
    io.out.flush().map_err(io_err)?;
    writeln!(
        io.err,
        "Serving {} at {} (OpenAPI: {}/v1/openapi.json){}. Ctrl-C stops.",
        ws.path().display(),
        server.url(),
        server.url(),
        if scheduler.is_some() {
            ", with scheduled runs"
        } else {
            ""
        }
    )
    .map_err(io_err)?;

    runtime.block_on(async move {
        stop.wait().await;
        server.stop().await;
    });
    if let Some(s) = scheduler {
        s.stop();
    }
    writeln!(io.err, "stopped").map_err(io_err)?;
    Ok(EXIT_OK)
}

/// Ctrl-C or, on Unix, SIGTERM (how service managers stop a server). Made before the URL is
/// printed, so a client that stops the server as soon as it is told where it is cannot find it
/// without its handlers.
struct Stop {
    #[cfg(unix)]
    signals: Option<(tokio::signal::unix::Signal, tokio::signal::unix::Signal)>,
}

impl Stop {
    fn listen(runtime: &tokio::runtime::Handle) -> Stop {
        let _entered = runtime.enter();
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            Stop {
                signals: signal(SignalKind::interrupt())
                    .ok()
                    .zip(signal(SignalKind::terminate()).ok()),
            }
        }
        #[cfg(not(unix))]
        Stop {}
    }

    async fn wait(self) {
        #[cfg(unix)]
        if let Some((mut int, mut term)) = self.signals {
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
            }
            return;
        }
        let _ = tokio::signal::ctrl_c().await;
    }
}
