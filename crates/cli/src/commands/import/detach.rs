//! `import --no-wait`: the import goes on after the command returns.
//!
//! The service streams an import's rows on the runtime of the process that started it, so a CLI
//! that returned at once would take the import down with it. `--no-wait` therefore starts a
//! background copy of this program (the hidden command `import-worker`, in a process group of its own so
//! a later Ctrl-C at the terminal does not reach it), hands it the job on its stdin (the password
//! with it: never on a command line), and returns as soon as the worker reports the import
//! started, or why it could not.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};

use engine::Dataset;
use serde::{Deserialize, Serialize};

use super::sql::SqlJob;
use super::wait::{self, Progress};
use super::{io_err, print_json, summary};
use crate::error::{CliError, EXIT_OK};
use crate::session::WorkspaceArg;
use crate::Io;

/// The worker's one line on stdout.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Report {
    Started(Box<Dataset>),
    Refused { message: String, exit_code: u8 },
}

/// Starts the worker and prints the dataset it started (status importing).
pub(super) fn start(
    workspace: &WorkspaceArg,
    job: &SqlJob,
    json: bool,
    io: &mut Io,
) -> Result<u8, CliError> {
    let path = workspace.path()?;
    let clock = std::time::Instant::now();
    let exe = std::env::current_exe()
        .map_err(|e| CliError::Failed(format!("cannot find this program to run it: {e}")))?;
    let mut command = Command::new(exe);
    command
        .args(["import-worker", "--workspace"])
        .arg(path)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let mut child = command
        .spawn()
        .map_err(|e| CliError::Failed(format!("cannot start the background import: {e}")))?;
    let text = serde_json::to_string(job)
        .map_err(|e| CliError::Failed(format!("cannot encode the import: {e}")))?;
    if let Some(mut stdin) = child.stdin.take() {
        // A worker that died at once is reported below, from its missing answer.
        let _ = stdin.write_all(text.as_bytes());
    }
    let mut line = String::new();
    if let Some(stdout) = child.stdout.take() {
        let _ = BufReader::new(stdout).read_line(&mut line);
    }
    match serde_json::from_str::<Report>(&line) {
        Ok(Report::Started(dataset)) => {
            // The worker is not waited for: it ends when the import does.
            if json {
                print_json(&dataset, io)?;
            } else {
                summary(&dataset, clock.elapsed())
                    .write(io.out)
                    .map_err(io_err)?;
                writeln!(
                    io.err,
                    "importing in the background (process {}); `datasets` shows when it is ready",
                    child.id()
                )
                .map_err(io_err)?;
            }
            Ok(EXIT_OK)
        }
        Ok(Report::Refused { message, exit_code }) => {
            let _ = child.wait();
            writeln!(io.err, "error: {message}").map_err(io_err)?;
            Ok(exit_code)
        }
        Err(_) => {
            let status = child.wait().map_err(|e| CliError::Failed(e.to_string()))?;
            Err(CliError::Failed(format!(
                "the background import process ended ({status}) without starting the import"
            )))
        }
    }
}

/// The background process: reads the job from stdin, starts the import, reports on stdout (one
/// JSON line), then waits silently for the import to end.
pub(super) fn worker(workspace: &WorkspaceArg, io: &mut Io) -> Result<u8, CliError> {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| CliError::Failed(format!("cannot read the job: {e}")))?;
    let job: SqlJob = serde_json::from_str(&text)
        .map_err(|e| CliError::Usage(format!("import-worker: not a job on stdin: {e}")))?;
    let started = workspace
        .open()
        .and_then(|session| Ok((job.start(session.workspace())?, session)));
    let (dataset, session) = match started {
        Ok(pair) => pair,
        Err(e) => {
            let code = e.exit_code();
            report(
                &Report::Refused {
                    message: e.describe(),
                    exit_code: code,
                },
                io,
            )?;
            return Ok(code);
        }
    };
    report(&Report::Started(Box::new(dataset.clone())), io)?;
    // Nobody reads stdout or stderr any more: wait without a word, and outlive the terminal.
    let _hangup = ignore_hangup(session.runtime());
    let ws = session.workspace();
    let end = wait::wait(
        ws,
        &dataset.id,
        &mut Progress::new(false, false),
        None,
        &mut std::io::sink(),
    )?;
    let Some(ended) = end.dataset else {
        return Ok(crate::error::EXIT_FAILURE);
    };
    let code = wait::exit_code(&job, &dataset, &ended, false, &mut std::io::sink())?;
    if code == EXIT_OK {
        job.save_password_after(ws, &ended)?;
    }
    Ok(code)
}

fn report(report: &Report, io: &mut Io) -> Result<(), CliError> {
    let line = serde_json::to_string(report)
        .map_err(|e| CliError::Failed(format!("cannot encode the report: {e}")))?;
    writeln!(io.out, "{line}").map_err(io_err)?;
    io.out.flush().map_err(io_err)
}

/// Keeps SIGHUP (the terminal closing) from ending the worker while the value lives.
#[cfg(unix)]
fn ignore_hangup(runtime: &tokio::runtime::Handle) -> Option<tokio::signal::unix::Signal> {
    let _entered = runtime.enter();
    tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).ok()
}

#[cfg(not(unix))]
fn ignore_hangup(_runtime: &tokio::runtime::Handle) {}
