//! `run`: queue a run of a config, show its progress on stderr, wait, and summarise it. Ctrl-C
//! cancels the run through the service (its results so far are kept) and exits with 130.

pub(crate) mod progress;

use std::io::Write;
use std::time::{Duration, Instant};

use clap::Args;
use engine::{Run, RunStatus, TriggeredBy};
use service::{ServiceError, SmartRunInput, Workspace};

use super::{io_err, print_json};
use crate::error::{CliError, EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK};
use crate::format::{duration, percent, score, share, thousands, Table};
use crate::interrupt::Interrupt;
use crate::session::Session;
use crate::Io;
use progress::Progress;

/// How often the indicator is redrawn and Ctrl-C looked at; the service emits at most ten
/// updates a second anyway.
const POLL: Duration = Duration::from_millis(100);

#[derive(Debug, Args)]
#[command(after_help = "\
On a terminal, progress is a bar redrawn in place on stderr; into a pipe or file, a line per phase.
Ctrl-C cancels the run, waits for it to stop, prints the summary with the partial counts and
exits with 130; the results written so far are kept. A second Ctrl-C quits at once.")]
pub struct RunArgs {
    /// The config to run, as `configs list` prints it.
    config_id: String,
    /// Do not show progress on stderr.
    #[arg(long)]
    no_progress: bool,
    /// Print the finished run as JSON instead of a summary.
    #[arg(long)]
    json: bool,
}

/// `smart-run`: a run that decides with a strategy's match model.
#[derive(Debug, Args)]
#[command(after_help = "\
Confidence is then the model's match probability, and each field's evidence says how far it moved
the odds. Reviewers' decisions on this reference data are learned from first. Progress and Ctrl-C
work as for `run`.")]
pub struct SmartRunArgs {
    /// The config to run, as `configs list` prints it.
    config_id: String,
    /// The strategy whose model decides, as `strategies list` prints it.
    #[arg(long, value_name = "STRATEGY_ID")]
    strategy: String,
    /// Do not show progress on stderr.
    #[arg(long)]
    no_progress: bool,
    /// Print the finished run as JSON instead of a summary.
    #[arg(long)]
    json: bool,
}

pub fn run(session: &Session, args: RunArgs, io: &mut Io) -> Result<u8, CliError> {
    let config_id = args.config_id;
    let start = move |ws: &Workspace| ws.start_run(&config_id, TriggeredBy::Manual);
    run_with(session, start, (args.no_progress, args.json), io)
}

pub fn smart_run(session: &Session, args: SmartRunArgs, io: &mut Io) -> Result<u8, CliError> {
    let (config_id, input) = (
        args.config_id,
        SmartRunInput {
            strategy_id: Some(args.strategy),
        },
    );
    let start = move |ws: &Workspace| ws.start_smart_run(&config_id, &input, TriggeredBy::Manual);
    run_with(session, start, (args.no_progress, args.json), io)
}

/// Starts a run with `start`, waits for it with progress (Ctrl-C cancels) and summarises it.
fn run_with(
    session: &Session,
    start: impl FnOnce(&Workspace) -> service::Result<Run>,
    (no_progress, json): (bool, bool),
    io: &mut Io,
) -> Result<u8, CliError> {
    let ws = session.workspace();
    let mut progress = Progress::new(io.err_is_terminal);
    if !no_progress {
        progress.subscribe(ws);
    }
    // Listening before the run is queued: a Ctrl-C in between must cancel it, not kill the
    // process and leave a queued run that the next start of the workspace would pick up again.
    let interrupt = Interrupt::listen(session.runtime(), "the run");
    let started = Instant::now();
    let run = start(ws)?;
    let (finished, cancelled_by_us) =
        wait(ws, &run.id, started, &mut progress, &interrupt, io.err)?;
    drop(interrupt);
    let took = started.elapsed();
    progress.clear(io.err);

    if json {
        print_json(&finished, io)?;
    } else {
        summary(&finished, took).write(io.out).map_err(io_err)?;
        let search = service::candidate_search(&ws.run_config(&finished.id)?);
        super::configs::write_search(&search, io)?;
        // None when the run stopped before its index was built.
        if let Some(sizes) = ws.run_block_sizes(&finished.id)? {
            super::configs::write_block_sizes("block sizes of the reference data", &sizes, io)?;
        }
    }
    exit_code(&finished, cancelled_by_us, io.err)
}

/// Polls the run until it ends, showing its progress; the first Ctrl-C cancels it. Returns the
/// run as it ended and whether this process cancelled it.
fn wait(
    ws: &Workspace,
    run_id: &str,
    started: Instant,
    progress: &mut Progress,
    interrupt: &Interrupt,
    err: &mut dyn Write,
) -> Result<(Run, bool), CliError> {
    let (mut cancel_asked, mut cancelled_by_us) = (false, false);
    loop {
        let current = ws.wait_for_run(run_id, POLL)?;
        progress.show(run_id, started.elapsed(), err);
        if !current.status.is_active() {
            return Ok((current, cancelled_by_us));
        }
        if interrupt.requested() && !cancel_asked {
            cancel_asked = true;
            progress.clear(err);
            writeln!(
                err,
                "cancelling run {run_id} (Ctrl-C again to quit without waiting)"
            )
            .map_err(io_err)?;
            // Blocks until the worker acknowledges (the service waits for it), so the counts
            // printed after are those of the results on disk.
            match ws.cancel_run(run_id) {
                Ok(r) => {
                    cancelled_by_us = true;
                    if !r.status.is_active() {
                        return Ok((r, cancelled_by_us));
                    }
                    // Still winding down after the service's wait: poll until it stops.
                }
                // It finished before the cancel took effect: the next poll reports it as it
                // ended, with that run's own exit code.
                Err(ServiceError::Conflict(_)) => {}
                Err(e) => return Err(e.into()),
            }
        }
    }
}

/// The exit code of the ended run, with a line on stderr saying why when it did not complete.
fn exit_code(finished: &Run, cancelled_by_us: bool, err: &mut dyn Write) -> Result<u8, CliError> {
    match finished.status {
        RunStatus::Completed => Ok(EXIT_OK),
        RunStatus::Cancelled if cancelled_by_us => {
            writeln!(
                err,
                "run {} cancelled: {} of {} documents processed; their results are kept",
                finished.id,
                thousands(finished.rows_processed.unwrap_or(0)),
                thousands(finished.rows_total.unwrap_or(0))
            )
            .map_err(io_err)?;
            Ok(EXIT_INTERRUPTED)
        }
        status => {
            let why = finished.error.as_deref().unwrap_or("no reason recorded");
            writeln!(err, "error: run {} {}: {why}", finished.id, status.as_str())
                .map_err(io_err)?;
            Ok(EXIT_FAILURE)
        }
    }
}

/// Pairs compared, and per document: how much candidate search narrowed the work.
fn pairs(pairs: Option<u64>, documents: u64) -> String {
    match pairs {
        None => "-".into(),
        Some(p) if documents == 0 => thousands(p),
        Some(p) => format!(
            "{} ({:.1} per document)",
            thousands(p),
            p as f64 / documents as f64
        ),
    }
}

fn summary(run: &Run, took: Duration) -> Table {
    let processed = run.rows_processed.unwrap_or(0);
    let total = run.rows_total.unwrap_or(0);
    let matched = run.rows_matched.unwrap_or(0);
    let mut table = Table::new();
    table
        .row("run", &run.id)
        .row(
            "config",
            format!("{} ({})", run.config_name, run.matching_config_id),
        )
        .row("status", run.status.as_str());
    if let Some(strategy) = &run.strategy_id {
        table.row(
            "smart run",
            format!("decided by the model of strategy {strategy}"),
        );
    }
    table
        .row("documents", format!("{processed} of {total}"))
        .row(
            "matched",
            format!("{matched} ({})", percent(share(matched, processed))),
        )
        .row("avg confidence", score(run.avg_confidence))
        .row("pairs compared", pairs(run.pairs_compared, processed))
        .row("time", duration(took));
    if let Some(e) = &run.error {
        table.row("error", e);
    }
    table
}
