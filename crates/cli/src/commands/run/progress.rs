//! The progress of a run on stderr: a bar redrawn in place on a terminal, a line per phase (and
//! per tenth of the matching phase) into a pipe or file.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use engine::{Phase, RunProgress};
use service::Workspace;

use crate::format::thousands;

/// Width of the bar between its brackets.
const BAR_WIDTH: usize = 20;

/// The service's progress updates, queued as they arrive and shown at each poll.
pub(crate) struct Progress {
    // Every update is queued, not just the latest, so a run that finishes between two polls
    // still shows its phases.
    queue: Arc<Mutex<Vec<RunProgress>>>,
    indicator: Indicator,
}

impl Progress {
    /// Shows nothing until subscribed.
    pub(crate) fn new(terminal: bool) -> Self {
        Progress {
            queue: Arc::default(),
            indicator: Indicator::new(terminal),
        }
    }

    /// Queues the workspace's updates from now on. Done before the run exists: the worker may
    /// report the first phases before `start_run` has even returned the id, so updates are
    /// filtered by run when shown.
    pub(crate) fn subscribe(&self, ws: &Workspace) {
        let sink = self.queue.clone();
        ws.subscribe_progress(Box::new(move |p: &RunProgress| {
            if let Ok(mut queue) = sink.lock() {
                queue.push(p.clone());
            }
            true
        }));
    }

    /// Shows the updates of `run_id` that arrived since the last call.
    pub(crate) fn show(&mut self, run_id: &str, elapsed: Duration, err: &mut dyn Write) {
        let drained = self
            .queue
            .lock()
            .map(|mut q| std::mem::take(&mut *q))
            .unwrap_or_default();
        let mine: Vec<&RunProgress> = drained.iter().filter(|p| p.run_id == run_id).collect();
        self.indicator.show(&mine, elapsed, err);
    }

    /// Erases the bar, if one is drawn, so the next line starts clean.
    pub(crate) fn clear(&mut self, err: &mut dyn Write) {
        self.indicator.clear(err);
    }
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
        Phase::Learning => "learning the match model",
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
    use engine::RunStatus;

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
