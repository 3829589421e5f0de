//! The hidden `run-once` subcommand: executes one run in a process of its own and prints one JSON
//! line of timings. The parent imports the data and then starts this process, so the peak memory
//! read here (VmHWM) belongs to the matching job alone, not to generating or importing the data.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clap::Args;
use engine::{Phase, RunProgress};
use matchbook_cli::Session;
use serde::{Deserialize, Serialize};

use crate::machine::peak_memory_mib;
use crate::{kept, BenchError};

#[derive(Debug, Args)]
pub struct RunOnceArgs {
    #[arg(long)]
    workspace: PathBuf,
    #[arg(long)]
    config: String,
}

/// What the child reports; the parent reads it back from the child's last stdout line.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChildReport {
    pub run_id: String,
    pub status: String,
    pub error: Option<String>,
    /// Opening the workspace; not part of the run.
    pub open_seconds: f64,
    /// From `start_run` until `wait_for_run` saw the run finished.
    pub total_seconds: f64,
    /// Queue wait plus loading the documents from the workspace (before the
    /// loading_reference phase).
    pub queue_documents_seconds: Option<f64>,
    /// The loading_reference phase: reading reference rows and building the index.
    pub load_index_seconds: Option<f64>,
    /// The matching phase: candidate search, scoring and writing results.
    pub score_write_seconds: Option<f64>,
    /// The finalizing phase: closing the run record.
    pub finalize_seconds: Option<f64>,
    pub rows_processed: u64,
    pub rows_total: u64,
    pub rows_matched: u64,
    pub avg_confidence: Option<f64>,
    /// (document, reference row) pairs the engine scored after candidate search.
    #[serde(default)]
    pub pairs_compared: Option<u64>,
    /// Peak resident memory of this process, MiB (Linux only).
    pub peak_memory_mib: Option<f64>,
}

/// When each phase was first reported.
#[derive(Default)]
struct PhaseClock {
    loading_reference: Option<Instant>,
    matching: Option<Instant>,
    finalizing: Option<Instant>,
    /// Completed, failed or cancelled.
    done: Option<Instant>,
}

impl PhaseClock {
    fn note(&mut self, phase: Phase, at: Instant) {
        let slot = match phase {
            Phase::LoadingReference => &mut self.loading_reference,
            Phase::Matching => &mut self.matching,
            Phase::Finalizing => &mut self.finalizing,
            Phase::Completed | Phase::Failed | Phase::Cancelled => &mut self.done,
            Phase::Queued | Phase::Learning | Phase::AiResolving => return,
        };
        slot.get_or_insert(at);
    }
}

fn between(a: Option<Instant>, b: Option<Instant>) -> Option<f64> {
    Some(b?.checked_duration_since(a?)?.as_secs_f64())
}

pub fn run_once(args: &RunOnceArgs) -> Result<(), BenchError> {
    let opened = Instant::now();
    let session = Session::open(&args.workspace, false)?;
    let ws = session.workspace();
    let open_seconds = opened.elapsed().as_secs_f64();

    // Phase changes reach listeners at once (only updates within a phase are throttled), so the
    // first report of each phase timestamps its start to within the cost of a mutex.
    let clock: Arc<Mutex<PhaseClock>> = Arc::default();
    let listener_clock = clock.clone();
    ws.subscribe_progress(Box::new(move |p: &RunProgress| {
        let now = Instant::now();
        if let Ok(mut c) = listener_clock.lock() {
            c.note(p.phase, now);
        }
        true
    }));

    let started = Instant::now();
    let finished = kept::run_to_end(ws, &args.config)?;
    let ended = Instant::now();
    // The store records the final status just before the final progress goes out; give that
    // event a moment so `finalize` is measured to it rather than left empty.
    let patience = Instant::now() + Duration::from_secs(1);
    while Instant::now() < patience && clock.lock().map_or(true, |c| c.done.is_none()) {
        std::thread::sleep(Duration::from_millis(2));
    }
    let c = clock
        .lock()
        .map_err(|_| BenchError::Failed("progress listener panicked".into()))?;
    let report = ChildReport {
        run_id: finished.id.clone(),
        status: finished.status.as_str().to_string(),
        error: finished.error.clone(),
        open_seconds,
        total_seconds: ended.duration_since(started).as_secs_f64(),
        queue_documents_seconds: between(Some(started), c.loading_reference),
        load_index_seconds: between(c.loading_reference, c.matching),
        score_write_seconds: between(c.matching, c.finalizing),
        finalize_seconds: between(c.finalizing, c.done.or(Some(ended))),
        rows_processed: finished.rows_processed.unwrap_or(0),
        rows_total: finished.rows_total.unwrap_or(0),
        rows_matched: finished.rows_matched.unwrap_or(0),
        avg_confidence: finished.avg_confidence,
        pairs_compared: finished.pairs_compared,
        peak_memory_mib: peak_memory_mib(),
    };
    let line = serde_json::to_string(&report)
        .map_err(|e| BenchError::Failed(format!("cannot encode the report: {e}")))?;
    println!("{line}");
    Ok(())
}
