//! `run`: queue a run of a config, show its progress on stderr, wait, and summarise it. Ctrl-C
//! cancels the run through the service (its results so far are kept) and exits with 130.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use engine::{Phase, Run, RunProgress, RunStatus, TriggeredBy};
use service::ServiceError;

use super::{io_err, print_json};
use crate::error::{CliError, EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK};
use crate::format::{duration, percent, score, share, thousands, Table};
use crate::session::Session;
use crate::{Io, RunArgs};

/// How often the indicator is redrawn and Ctrl-C looked at; the service emits at most ten
/// updates a second anyway.
const POLL: Duration = Duration::from_millis(100);

/// Width of the bar between its brackets.
const BAR_WIDTH: usize = 20;

pub fn run(session: &Session, args: &RunArgs, io: &mut Io) -> Result<u8, CliError> {
    let ws = session.workspace();
    // Every update is queued, not just the latest, so a run that finishes between two polls
    // still shows its phases. Subscribed before the run exists: the worker may report the first
    // phases before `start_run` has even returned the id, so updates are filtered when drained.
    let updates: Arc<Mutex<Vec<RunProgress>>> = Arc::default();
    if !args.no_progress {
        let sink = updates.clone();
        ws.subscribe_progress(Box::new(move |p: &RunProgress| {
            if let Ok(mut queue) = sink.lock() {
                queue.push(p.clone());
            }
            true
        }));
    }

    // Listening before the run is queued: a Ctrl-C in between must cancel it, not kill the
    // process and leave a queued run that the next start of the workspace would pick up again.
    let interrupt = Interrupt::listen(session.runtime());
    let started = Instant::now();
    let run = ws.start_run(&args.config_id, TriggeredBy::Manual)?;
    let mut indicator = Indicator::new(io.err_is_terminal);
    let show = |indicator: &mut Indicator, err: &mut dyn Write| {
        let drained = updates
            .lock()
            .map(|mut q| std::mem::take(&mut *q))
            .unwrap_or_default();
        let mine: Vec<&RunProgress> = drained.iter().filter(|p| p.run_id == run.id).collect();
        indicator.show(&mine, started.elapsed(), err);
    };
    let (mut cancel_asked, mut cancelled_by_us) = (false, false);
    let finished = loop {
        let current = ws.wait_for_run(&run.id, POLL)?;
        show(&mut indicator, io.err);
        if !current.status.is_active() {
            break current;
        }
        if interrupt.requested() && !cancel_asked {
            cancel_asked = true;
            indicator.clear(io.err);
            writeln!(
                io.err,
                "cancelling run {} (Ctrl-C again to quit without waiting)",
                run.id
            )
            .map_err(io_err)?;
            // Blocks until the worker acknowledges (the service waits for it), so the counts
            // printed below are those of the results on disk.
            match ws.cancel_run(&run.id) {
                Ok(r) => {
                    cancelled_by_us = true;
                    if !r.status.is_active() {
                        break r;
                    }
                    // Still winding down after the service's wait: poll until it stops.
                }
                // It finished before the cancel took effect: the next poll reports it as it
                // ended, with that run's own exit code.
                Err(ServiceError::Conflict(_)) => {}
                Err(e) => return Err(e.into()),
            }
        }
    };
    drop(interrupt);
    let took = started.elapsed();
    indicator.clear(io.err);

    if args.json {
        print_json(&finished, io)?;
    } else {
        summary(&finished, took).write(io.out).map_err(io_err)?;
    }
    match finished.status {
        RunStatus::Completed => Ok(EXIT_OK),
        RunStatus::Cancelled if cancelled_by_us => {
            writeln!(
                io.err,
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
            writeln!(
                io.err,
                "error: run {} {}: {why}",
                finished.id,
                status.as_str()
            )
            .map_err(io_err)?;
            Ok(EXIT_FAILURE)
        }
    }
}

/// Ctrl-C while a run is awaited: the first asks for the run to be cancelled, the second quits at
/// once (the run is then left `running` in the file, which the next open marks as interrupted).
///
/// Tokio's signal handling rather than the `ctrlc` crate: the session already has a runtime to
/// run the listener on and tokio already carries the handler (signal-hook-registry), so no extra
/// crate or thread is needed; and it is installed only here, while a run is awaited, so every
/// other command keeps the default Ctrl-C that simply ends the process, whereas `ctrlc` installs
/// one process-wide handler for good.
struct Interrupt {
    requested: Arc<AtomicBool>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Interrupt {
    fn listen(runtime: &tokio::runtime::Handle) -> Interrupt {
        let requested = Arc::new(AtomicBool::new(false));
        // The listener is created here, not inside the task, so the handler is in place when
        // this returns rather than whenever the task is first polled.
        let _entered = runtime.enter();
        let task = signals().map(|mut next| {
            let flag = requested.clone();
            runtime.spawn(async move {
                if next.recv().await.is_none() {
                    return;
                }
                flag.store(true, Ordering::SeqCst);
                if next.recv().await.is_some() {
                    eprintln!("\ninterrupted again: quitting without waiting for the run to stop");
                    std::process::exit(EXIT_INTERRUPTED.into());
                }
            })
        });
        Interrupt { requested, task }
    }

    fn requested(&self) -> bool {
        self.requested.load(Ordering::SeqCst)
    }
}

impl Drop for Interrupt {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// The stream of Ctrl-C presses, or `None` where it cannot be had (then Ctrl-C just ends the
/// process, as before).
#[cfg(unix)]
fn signals() -> Option<tokio::signal::unix::Signal> {
    tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt()).ok()
}

#[cfg(windows)]
fn signals() -> Option<tokio::signal::windows::CtrlC> {
    tokio::signal::windows::ctrl_c().ok()
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
        .row("status", run.status.as_str())
        .row("documents", format!("{processed} of {total}"))
        .row(
            "matched",
            format!("{matched} ({})", percent(share(matched, processed))),
        )
        .row("avg confidence", score(run.avg_confidence))
        .row("time", duration(took));
    if let Some(e) = &run.error {
        table.row("error", e);
    }
    table
}

/// The progress indicator. On a terminal it is a bar redrawn in place; into a file or pipe it
/// writes a line per phase and per tenth of the matching phase, so logs stay short.
struct Indicator {
    terminal: bool,
    drawn: bool,
    last_phase: Option<Phase>,
    last_tenth: u8,
}

impl Indicator {
    fn new(terminal: bool) -> Self {
        Indicator {
            terminal,
            drawn: false,
            last_phase: None,
            last_tenth: 0,
        }
    }

    /// Shows the updates that arrived since the last call, oldest first.
    fn show(&mut self, updates: &[&RunProgress], elapsed: Duration, err: &mut dyn Write) {
        if self.terminal {
            // Only the newest matters on a line that is redrawn anyway.
            if let Some(p) = updates.last() {
                // \r plus "erase line" (the new text may be shorter than the old), with
                // auto-wrap off while writing: a line wider than the window is cut at its edge
                // instead of wrapping onto a second line that \r could no longer erase.
                let _ = write!(err, "\r\x1b[2K\x1b[?7l{}\x1b[?7h", bar(p));
                let _ = err.flush();
                self.drawn = true;
            }
            return;
        }
        for p in updates {
            let tenth = p.phase_progress / 10;
            if self.last_phase != Some(p.phase)
                || (p.phase == Phase::Matching && tenth > self.last_tenth)
            {
                self.last_phase = Some(p.phase);
                self.last_tenth = tenth;
                let _ = writeln!(err, "{}", describe(p, elapsed));
            }
        }
    }

    fn clear(&mut self, err: &mut dyn Write) {
        if self.drawn {
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
            self.drawn = false;
        }
    }
}

fn phase_name(phase: Phase) -> &'static str {
    match phase {
        Phase::Queued => "queued",
        Phase::LoadingReference => "loading reference data",
        Phase::Matching => "matching",
        Phase::AiResolving => "resolving",
        Phase::Finalizing => "finalizing",
        Phase::Completed => "completed",
        Phase::Failed => "failed",
        Phase::Cancelled => "cancelled",
    }
}

/// `matching  [#########-----------]  45%  4,500/10,000 documents, 3,900 matched, ~12 s left`
fn bar(p: &RunProgress) -> String {
    let pct = p.phase_progress.min(100);
    let filled = usize::from(pct) * BAR_WIDTH / 100;
    let mut line = format!(
        "{}  [{}{}] {pct:>3}%",
        phase_name(p.phase),
        "#".repeat(filled),
        "-".repeat(BAR_WIDTH - filled)
    );
    if p.phase == Phase::Matching {
        line.push_str(&format!(
            "  {}/{} documents, {} matched",
            thousands(p.rows_processed),
            thousands(p.rows_total),
            thousands(p.rows_matched)
        ));
        if let Some(eta) = p.estimated_seconds_remaining {
            line.push_str(&format!(", ~{} left", eta_words(eta)));
        }
    }
    line
}

/// "12 s" under a minute and a half, "4 min" or "2 h 05 min" above: an estimate is not precise.
fn eta_words(seconds: u64) -> String {
    if seconds < 90 {
        format!("{seconds} s")
    } else {
        let minutes = (seconds + 30) / 60;
        if minutes < 90 {
            format!("{minutes} min")
        } else {
            format!("{} h {:02} min", minutes / 60, minutes % 60)
        }
    }
}

/// A line of the piped log: elapsed time first, so a log shows where the time went.
fn describe(p: &RunProgress, elapsed: Duration) -> String {
    let mut line = format!(
        "[{:>6.1}s] {} {:>3}%",
        elapsed.as_secs_f64(),
        phase_name(p.phase),
        p.phase_progress
    );
    if p.phase == Phase::Matching {
        line.push_str(&format!(
            "  {}/{} documents, {} matched",
            p.rows_processed, p.rows_total, p.rows_matched
        ));
        if let Some(eta) = p.estimated_seconds_remaining {
            line.push_str(&format!(", about {eta} s left"));
        }
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn progress(phase: Phase, pct: u8) -> RunProgress {
        RunProgress {
            run_id: "r".into(),
            status: RunStatus::Running,
            phase,
            phase_progress: pct,
            rows_processed: pct as u64,
            rows_total: 100,
            rows_matched: 1,
            estimated_seconds_remaining: None,
            updated_at: String::new(),
        }
    }

    #[test]
    fn piped_progress_writes_a_line_per_phase_and_tenth() {
        let mut out = Vec::new();
        let mut ind = Indicator::new(false);
        let updates: Vec<RunProgress> = [
            (Phase::LoadingReference, 0),
            (Phase::LoadingReference, 50),
            (Phase::Matching, 0),
            (Phase::Matching, 5),
            (Phase::Matching, 12),
            (Phase::Matching, 19),
            (Phase::Finalizing, 0),
        ]
        .into_iter()
        .map(|(phase, pct)| progress(phase, pct))
        .collect();
        // Some polls bring several updates, some one.
        ind.show(
            &updates[..3].iter().collect::<Vec<_>>(),
            Duration::from_secs(1),
            &mut out,
        );
        for p in &updates[3..] {
            ind.show(&[p], Duration::from_secs(1), &mut out);
        }
        ind.clear(&mut out);
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.lines().count(), 4, "{text}");
        assert!(!text.contains('\r'));
    }

    #[test]
    fn terminal_progress_is_a_bar_redrawn_in_place() {
        let mut p = progress(Phase::Matching, 45);
        p.rows_processed = 4_500;
        p.rows_total = 10_000;
        p.rows_matched = 3_900;
        p.estimated_seconds_remaining = Some(12);
        assert_eq!(
            bar(&p),
            "matching  [#########-----------]  45%  4,500/10,000 documents, 3,900 matched, \
             ~12 s left"
        );
        assert_eq!(
            bar(&progress(Phase::LoadingReference, 100)),
            format!("loading reference data  [{}] 100%", "#".repeat(BAR_WIDTH))
        );

        let mut out = Vec::new();
        let mut ind = Indicator::new(true);
        ind.show(
            &[&progress(Phase::Matching, 10), &p],
            Duration::ZERO,
            &mut out,
        );
        ind.show(&[], Duration::ZERO, &mut out);
        ind.clear(&mut out);
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text.matches('\r').count(),
            2,
            "one draw, one clear: {text:?}"
        );
        assert!(text.contains("4,500/10,000"), "the newest update: {text:?}");
        assert!(!text.contains('\n'));
    }

    #[test]
    fn estimates_read_in_rounded_units() {
        assert_eq!(eta_words(12), "12 s");
        assert_eq!(eta_words(150), "3 min");
        assert_eq!(eta_words(2 * 3600 + 5 * 60), "2 h 05 min");
    }
}
