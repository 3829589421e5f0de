//! Waiting for a database import: the rows imported so far on stderr, Ctrl-C cancelling it
//! through the service, and the outcome as the dataset, an error line and an exit code.

use std::io::Write;
use std::time::{Duration, Instant};

use engine::{Dataset, DatasetStatus};
use service::{ErrorCode, Workspace};

use super::sql::SqlJob;
use super::{io_err, print_json, summary};
use crate::error::{CliError, EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK};
use crate::format::thousands;
use crate::interrupt::Interrupt;
use crate::session::Session;
use crate::Io;

/// How often the dataset is looked at (the importer records its row count ten times a second)
/// and Ctrl-C read.
const POLL: Duration = Duration::from_millis(100);
/// Into a pipe or file, at most one progress line this often.
const LINE_EVERY: Duration = Duration::from_secs(1);

/// How the outcome is shown.
pub(super) struct Shown {
    pub(super) json: bool,
    pub(super) progress: bool,
}

/// How a wait ended: the dataset as it ended (`None`: gone, a first import cancelled) and whether
/// this process asked for the cancel.
pub(super) struct End {
    pub(super) dataset: Option<Dataset>,
    pub(super) cancelled_by_us: bool,
}

/// Starts the import, waits for it with progress (the first Ctrl-C cancels it) and reports it.
pub(super) fn run(
    session: &Session,
    job: &SqlJob,
    shown: Shown,
    io: &mut Io,
) -> Result<u8, CliError> {
    let ws = session.workspace();
    // Listening before the import starts: a Ctrl-C while the server describes the query must
    // cancel the import, not kill the process and leave it `importing` until it goes stale.
    let interrupt = Interrupt::listen(session.runtime(), "the import");
    let clock = Instant::now();
    let started = job.start(ws)?;
    let mut progress = Progress::new(shown.progress, io.err_is_terminal);
    let end = wait(ws, &started.id, &mut progress, Some(&interrupt), io.err)?;
    drop(interrupt);
    progress.clear(io.err);
    let took = clock.elapsed();

    let Some(dataset) = end.dataset else {
        return gone(&started.id, end.cancelled_by_us, io.err);
    };
    if shown.json {
        print_json(&dataset, io)?;
    } else {
        summary(&dataset, took).write(io.out).map_err(io_err)?;
    }
    let code = exit_code(job, &started, &dataset, end.cancelled_by_us, io.err)?;
    if code == EXIT_OK {
        job.save_password_after(ws, &dataset)?;
    }
    Ok(code)
}

/// Polls the dataset until its import ends, showing the rows so far; with `interrupt`, the first
/// Ctrl-C asks the service to cancel the import.
pub(super) fn wait(
    ws: &Workspace,
    id: &str,
    progress: &mut Progress,
    interrupt: Option<&Interrupt>,
    err: &mut dyn Write,
) -> Result<End, CliError> {
    let (mut cancel_asked, mut cancelled_by_us) = (false, false);
    loop {
        let current = match ws.get_dataset(id) {
            Ok(d) => Some(d),
            Err(e) if e.code() == ErrorCode::NotFound => None,
            Err(e) => return Err(e.into()),
        };
        match &current {
            Some(d) if d.status == DatasetStatus::Importing => {
                progress.show(d.rows_imported.unwrap_or(0), err);
            }
            _ => {
                return Ok(End {
                    dataset: current,
                    cancelled_by_us,
                })
            }
        }
        if interrupt.is_some_and(Interrupt::requested) && !cancel_asked {
            cancel_asked = true;
            progress.clear(err);
            writeln!(
                err,
                "cancelling the import of {id} (Ctrl-C again to quit without waiting)"
            )
            .map_err(io_err)?;
            match ws.cancel_import(id) {
                // Gone already: the importer stopped between the request and its answer.
                Ok(_) => cancelled_by_us = true,
                Err(e) if e.code() == ErrorCode::NotFound => cancelled_by_us = true,
                // It ended before the cancel: the next look reports how.
                Err(e) if e.code() == ErrorCode::Conflict => {}
                Err(e) => return Err(e.into()),
            }
        }
        std::thread::sleep(POLL);
    }
}

/// A first import whose dataset went away: cancelled, here or by another process.
fn gone(id: &str, cancelled_by_us: bool, err: &mut dyn Write) -> Result<u8, CliError> {
    if cancelled_by_us {
        writeln!(err, "import of {id} cancelled: nothing was stored").map_err(io_err)?;
        return Ok(EXIT_INTERRUPTED);
    }
    writeln!(
        err,
        "error: the import of {id} was cancelled by another process: nothing was stored"
    )
    .map_err(io_err)?;
    Ok(EXIT_FAILURE)
}

/// The exit code of an ended import, with a line on stderr saying why when it did not land.
pub(super) fn exit_code(
    job: &SqlJob,
    started: &Dataset,
    ended: &Dataset,
    cancelled_by_us: bool,
    err: &mut dyn Write,
) -> Result<u8, CliError> {
    let id = &ended.id;
    match ended.status {
        // A refresh that stopped short leaves the dataset ready on the version it had.
        DatasetStatus::Ready if job.is_refresh() && ended.version <= started.version => {
            let who = if cancelled_by_us {
                ""
            } else {
                " by another process"
            };
            writeln!(
                err,
                "refresh of {id} cancelled{who}: version {} is still in use",
                ended.version
            )
            .map_err(io_err)?;
            Ok(if cancelled_by_us {
                EXIT_INTERRUPTED
            } else {
                EXIT_FAILURE
            })
        }
        DatasetStatus::Ready => Ok(EXIT_OK),
        DatasetStatus::Importing | DatasetStatus::Failed => {
            let why = ended.error.as_deref().unwrap_or("no reason recorded");
            if job.is_refresh() {
                writeln!(
                    err,
                    "error: the refresh of reference data {id} failed: {why} (version {} is \
                     still in use)",
                    ended.version
                )
            } else {
                writeln!(
                    err,
                    "error: the import of reference data {id} failed: {why}"
                )
            }
            .map_err(io_err)?;
            Ok(EXIT_FAILURE)
        }
    }
}

/// The rows imported so far on stderr: a line redrawn in place on a terminal; into a pipe or
/// file, a line when rows arrived, at most once a second, so logs stay short.
pub(super) struct Progress {
    enabled: bool,
    terminal: bool,
    drawn: bool,
    started: Instant,
    last_line: Option<Instant>,
    last_rows: u64,
}

impl Progress {
    pub(super) fn new(enabled: bool, terminal: bool) -> Self {
        Progress {
            enabled,
            terminal,
            drawn: false,
            started: Instant::now(),
            last_line: None,
            last_rows: 0,
        }
    }

    fn show(&mut self, rows: u64, err: &mut dyn Write) {
        if !self.enabled {
            return;
        }
        let elapsed = self.started.elapsed().as_secs_f64();
        if self.terminal {
            // As the run's bar: erase the line, auto-wrap off while writing.
            let _ = write!(
                err,
                "\r\x1b[2K\x1b[?7limporting  {} rows  {elapsed:.1} s\x1b[?7h",
                thousands(rows)
            );
            let _ = err.flush();
            self.drawn = true;
            return;
        }
        if rows > self.last_rows && self.last_line.is_none_or(|t| t.elapsed() >= LINE_EVERY) {
            self.last_rows = rows;
            self.last_line = Some(Instant::now());
            let _ = writeln!(err, "[{elapsed:>6.1}s] importing  {rows} rows");
        }
    }

    /// Erases the line, if one is drawn, so the next starts clean.
    fn clear(&mut self, err: &mut dyn Write) {
        if self.drawn {
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
            self.drawn = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn piped_progress_writes_a_line_when_rows_arrive_at_most_once_a_second() {
        let mut out = Vec::new();
        let mut p = Progress::new(true, false);
        p.show(0, &mut out);
        p.show(5_000, &mut out);
        p.show(10_000, &mut out);
        p.clear(&mut out);
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.lines().count(), 1, "{text}");
        assert!(text.contains("importing  5000 rows"), "{text}");
        assert!(!text.contains('\r'));
    }

    #[test]
    fn terminal_progress_is_redrawn_in_place() {
        let mut out = Vec::new();
        let mut p = Progress::new(true, true);
        p.show(1_234, &mut out);
        p.show(12_345, &mut out);
        p.clear(&mut out);
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text.matches('\r').count(),
            3,
            "two draws, one clear: {text:?}"
        );
        assert!(text.contains("importing  12,345 rows"), "{text:?}");
        assert!(!text.contains('\n'));
    }

    #[test]
    fn disabled_progress_shows_nothing() {
        let mut out = Vec::new();
        let mut p = Progress::new(false, true);
        p.show(10, &mut out);
        p.clear(&mut out);
        assert!(out.is_empty());
    }
}
