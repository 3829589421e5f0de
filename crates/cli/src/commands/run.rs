//! `run`: queue a run of a config, show its progress on stderr, wait, and summarise it.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use engine::{Phase, Run, RunProgress, RunStatus, TriggeredBy};

use super::io_err;
use crate::error::{CliError, EXIT_FAILURE, EXIT_OK};
use crate::format::{duration, percent, score, share, Table};
use crate::session::Session;
use crate::{Io, RunArgs};

/// How often the indicator is redrawn; the service emits at most ten updates a second anyway.
const POLL: Duration = Duration::from_millis(100);

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

    let started = Instant::now();
    let run = ws.start_run(&args.config_id, TriggeredBy::Manual)?;
    let mut indicator = Indicator::new(io.err_is_terminal);
    let show = |indicator: &mut Indicator, err: &mut dyn Write| {
        let drained = updates
            .lock()
            .map(|mut q| std::mem::take(&mut *q))
            .unwrap_or_default();
        for p in drained.iter().filter(|p| p.run_id == run.id) {
            indicator.show(p, started.elapsed(), err);
        }
    };
    let finished = loop {
        let current = ws.wait_for_run(&run.id, POLL)?;
        show(&mut indicator, io.err);
        if !current.status.is_active() {
            break current;
        }
    };
    let took = started.elapsed();
    indicator.clear(io.err);

    summary(&finished, took).write(io.out).map_err(io_err)?;
    match finished.status {
        RunStatus::Completed => Ok(EXIT_OK),
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

/// A one-line progress indicator. On a terminal it redraws its line in place; into a file or
/// pipe it writes a line per phase and per tenth of the matching phase, so logs stay short.
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

    fn show(&mut self, p: &RunProgress, elapsed: Duration, err: &mut dyn Write) {
        let line = describe(p, elapsed);
        if self.terminal {
            // \r plus "erase line": the new text may be shorter than the old.
            let _ = write!(err, "\r\x1b[2K{line}");
            let _ = err.flush();
            self.drawn = true;
            return;
        }
        let tenth = p.phase_progress / 10;
        if self.last_phase != Some(p.phase)
            || (p.phase == Phase::Matching && tenth > self.last_tenth)
        {
            self.last_phase = Some(p.phase);
            self.last_tenth = tenth;
            let _ = writeln!(err, "{line}");
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

fn describe(p: &RunProgress, elapsed: Duration) -> String {
    let phase = match p.phase {
        Phase::Queued => "queued",
        Phase::LoadingReference => "loading reference data",
        Phase::Matching => "matching",
        Phase::AiResolving => "resolving",
        Phase::Finalizing => "finalizing",
        Phase::Completed => "completed",
        Phase::Failed => "failed",
        Phase::Cancelled => "cancelled",
    };
    let mut line = format!(
        "[{:>6.1}s] {phase} {:>3}%",
        elapsed.as_secs_f64(),
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
        for (phase, pct) in [
            (Phase::LoadingReference, 0),
            (Phase::LoadingReference, 50),
            (Phase::Matching, 0),
            (Phase::Matching, 5),
            (Phase::Matching, 12),
            (Phase::Matching, 19),
            (Phase::Finalizing, 0),
        ] {
            ind.show(&progress(phase, pct), Duration::from_secs(1), &mut out);
        }
        ind.clear(&mut out);
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.lines().count(), 4, "{text}");
        assert!(!text.contains('\r'));
    }
}
