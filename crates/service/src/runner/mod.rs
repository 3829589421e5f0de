//! Runs: queueing, execution on tokio's blocking pool, live progress, and cancellation.
//!
//! One worker takes runs first in, first out (spec C.12), so two runs never compete for the
//! writer or the cores. Progress lives in memory while a run is active and is flushed to the run
//! record with every batch of results, so it survives a crash up to the last batch.

mod execute;
mod learn;
mod resolve;
mod results_writer;

pub(crate) use learn::labels as review_labels;
pub(crate) use resolve::same_fields;

use crate::packages::warm::WarmIndexes;
use std::collections::HashMap;
use std::sync::{Arc, Condvar, Mutex, Weak};
use std::time::{Duration, Instant};

use engine::{CancelToken, Phase, ProgressSink, ProgressUpdate, RunProgress, RunStatus};
use store::Store;
use tokio::sync::mpsc;

use crate::clock::Clock;
use crate::error::Result;
use crate::lease::{spawn_keeper, OwnerHandle};
use crate::lock;
use crate::runs::progress_of_record;

/// Receives progress of every run. Returns false to unsubscribe (e.g. the window that asked is
/// gone).
pub type ProgressListener = Box<dyn Fn(&RunProgress) -> bool + Send + Sync>;

/// How often progress reaches listeners at most, per run; phase changes and final states always
/// go out at once.
const EMIT_INTERVAL: Duration = Duration::from_millis(100);
/// How long a cancel waits for the worker to stop before answering.
pub(crate) const CANCEL_WAIT: Duration = Duration::from_secs(10);

pub(crate) struct Runner {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) store: Arc<Store>,
    /// Where a finished run leaves its index, for filling its results' review bands (`bands`).
    pub(crate) warm: Arc<WarmIndexes>,
    pub(crate) clock: Arc<dyn Clock>,
    /// This open workspace's identity in the leases of the runs it queues.
    pub(crate) owner: OwnerHandle,
    /// Whether queued runs of processes that died are taken into this queue (long-lived
    /// processes: the app and `serve`; a one-shot CLI command would start them and exit).
    pub(crate) takes_over: bool,
    queue: mpsc::UnboundedSender<Job>,
    active: Mutex<HashMap<String, Arc<ActiveRun>>>,
    listeners: Mutex<Vec<ProgressListener>>,
}

/// What the worker does next: a queued run, or an ai-resolve pass over a completed run's band
/// (all of it, or the results named).
enum Job {
    Run(String),
    Resolve(String, Option<Vec<String>>),
}

impl Job {
    fn run_id(&self) -> &str {
        match self {
            Job::Run(id) | Job::Resolve(id, _) => id,
        }
    }
}

struct ActiveRun {
    cancel: CancelToken,
    state: Mutex<LiveState>,
    finished: Mutex<bool>,
    finished_cv: Condvar,
}

struct LiveState {
    progress: RunProgress,
    phase_started: Instant,
    last_emit: Option<Instant>,
}

impl Runner {
    pub(crate) fn start(
        store: Arc<Store>,
        warm: Arc<WarmIndexes>,
        clock: Arc<dyn Clock>,
        runtime: tokio::runtime::Handle,
        takes_over: bool,
    ) -> Runner {
        let (tx, mut rx) = mpsc::unbounded_channel::<Job>();
        let inner = Arc::new(Inner {
            store,
            warm,
            clock,
            owner: OwnerHandle::new(),
            takes_over,
            queue: tx,
            active: Mutex::new(HashMap::new()),
            listeners: Mutex::new(Vec::new()),
        });
        // The worker holds only a weak reference: when the workspace is dropped the queue's sender
        // goes with it and the worker ends.
        let weak: Weak<Inner> = Arc::downgrade(&inner);
        runtime.spawn(async move {
            while let Some(job) = rx.recv().await {
                let Some(inner) = weak.upgrade() else { break };
                let worker = inner.clone();
                let id = job.run_id().to_string();
                let resolving = matches!(job, Job::Resolve(..));
                let done = tokio::task::spawn_blocking(move || match job {
                    Job::Run(id) => worker.execute(&id),
                    Job::Resolve(id, only) => worker.resolve(&id, only),
                })
                .await;
                if let Err(e) = done {
                    let message = format!("internal error: the run stopped unexpectedly ({e})");
                    if resolving {
                        inner.resolve_failed(&id, &message);
                    } else {
                        inner.fail(&id, &message);
                    }
                }
            }
        });
        spawn_keeper(Arc::downgrade(&inner));
        Runner { inner }
    }
}

/// Forwards the engine's progress to the live state and, throttled, to listeners.
struct LiveSink<'a> {
    inner: &'a Inner,
    run: &'a ActiveRun,
}

impl ProgressSink for LiveSink<'_> {
    fn report(&self, u: &ProgressUpdate) {
        let snapshot = {
            let mut st = lock(&self.run.state);
            let now = Instant::now();
            let phase_changed = st.progress.phase != u.phase;
            if phase_changed {
                st.phase_started = now;
            }
            let elapsed = now.duration_since(st.phase_started);
            let p = &mut st.progress;
            p.status = if u.phase == Phase::AiResolving {
                RunStatus::AiResolving
            } else {
                RunStatus::Running
            };
            p.phase = u.phase;
            p.phase_progress = u.phase_progress;
            if u.phase == Phase::Matching {
                p.rows_processed = u.rows_processed;
                p.rows_total = u.rows_total;
                p.rows_matched = u.rows_matched;
            }
            p.estimated_seconds_remaining = eta(u, elapsed);
            p.updated_at = self.inner.clock.now_string();
            let due = phase_changed
                || st
                    .last_emit
                    .is_none_or(|t| now.duration_since(t) >= EMIT_INTERVAL);
            if !due {
                return;
            }
            st.last_emit = Some(now);
            st.progress.clone()
        };
        self.inner.emit(&snapshot);
    }
}

/// Remaining rows at the rate seen so far in the matching phase (spec A.6.6).
fn eta(u: &ProgressUpdate, elapsed: Duration) -> Option<u64> {
    if u.phase != Phase::Matching || u.rows_processed == 0 || elapsed.is_zero() {
        return None;
    }
    let rate = u.rows_processed as f64 / elapsed.as_secs_f64();
    Some(((u.rows_total.saturating_sub(u.rows_processed)) as f64 / rate).round() as u64)
}

impl Inner {
    fn register(
        &self,
        run_id: &str,
        status: RunStatus,
        processed: u64,
        total: u64,
    ) -> Arc<ActiveRun> {
        let active = Arc::new(ActiveRun {
            cancel: CancelToken::new(),
            state: Mutex::new(LiveState {
                progress: RunProgress {
                    run_id: run_id.to_string(),
                    status,
                    phase: Phase::Queued,
                    phase_progress: 0,
                    rows_processed: processed,
                    rows_total: total,
                    rows_matched: 0,
                    estimated_seconds_remaining: None,
                    updated_at: self.clock.now_string(),
                },
                phase_started: Instant::now(),
                last_emit: None,
            }),
            finished: Mutex::new(false),
            finished_cv: Condvar::new(),
        });
        lock(&self.active).insert(run_id.to_string(), active.clone());
        let snapshot = lock(&active.state).progress.clone();
        self.emit(&snapshot);
        active
    }

    pub(crate) fn emit(&self, p: &RunProgress) {
        lock(&self.listeners).retain(|l| l(p));
    }

    pub(crate) fn has_listeners(&self) -> bool {
        !lock(&self.listeners).is_empty()
    }

    /// The runs this process holds (queued or executing), each with its live progress.
    pub(crate) fn active_snapshot(&self) -> Vec<(String, RunProgress)> {
        let active: Vec<(String, Arc<ActiveRun>)> = lock(&self.active)
            .iter()
            .map(|(id, a)| (id.clone(), a.clone()))
            .collect();
        active
            .into_iter()
            .map(|(id, a)| {
                let p = lock(&a.state).progress.clone();
                (id, p)
            })
            .collect()
    }

    /// Live progress of a run this process holds.
    pub(crate) fn live_progress(&self, run_id: &str) -> Option<RunProgress> {
        let active = lock(&self.active).get(run_id).cloned()?;
        let progress = lock(&active.state).progress.clone();
        Some(progress)
    }

    pub(crate) fn subscribe(&self, listener: ProgressListener) {
        lock(&self.listeners).push(listener);
    }

    /// Cancels a run this process holds and waits for it to stop. False: the run is not held
    /// here (another process owns it, or it has already ended).
    pub(crate) fn cancel_held(&self, run_id: &str) -> Result<bool> {
        let active = lock(&self.active).get(run_id).cloned();
        let Some(active) = active else {
            return Ok(false);
        };
        active.cancel.cancel();
        if self.store.cancel_queued(run_id, &self.clock.now_string())? {
            self.finish_live(run_id, &active, RunStatus::Cancelled);
        } else {
            let done = lock(&active.finished);
            let _ = active
                .finished_cv
                .wait_timeout_while(done, CANCEL_WAIT, |finished| !*finished);
        }
        Ok(true)
    }

    /// Cancels every run this process holds (queued, running, or in an ai-resolve pass), each as
    /// a user's cancel would, waiting for each to stop; answers how many there were. For
    /// closing the workspace: a run must not go on writing to a file being switched away from.
    pub(crate) fn cancel_all_held(&self) -> usize {
        let ids: Vec<String> = lock(&self.active).keys().cloned().collect();
        for id in &ids {
            // A run that ends meanwhile is simply no longer held; a store error leaves the run
            // to the next open's recovery, as a crash would.
            let _ = self.cancel_held(id);
        }
        ids.len()
    }

    /// Puts a run this process holds in the file into its queue.
    pub(crate) fn enqueue(&self, run_id: &str) {
        self.register(run_id, RunStatus::Queued, 0, 0);
        // The receiver only goes away with the runtime, when nothing can run anyway.
        let _ = self.queue.send(Job::Run(run_id.to_string()));
    }

    /// Puts an ai-resolve pass over a run this process has just moved to `ai_resolving` into the
    /// queue (behind the runs already in it: the pass and a run must not compete for the writer).
    pub(crate) fn enqueue_resolve(&self, run_id: &str, only: Option<Vec<String>>) {
        let active = self.register(run_id, RunStatus::AiResolving, 0, 0);
        lock(&active.state).progress.phase = Phase::AiResolving;
        let _ = self.queue.send(Job::Resolve(run_id.to_string(), only));
    }

    /// Acts on another process's request to cancel one of this process's runs.
    pub(crate) fn cancel_owned(&self, run_id: &str) {
        let active = lock(&self.active).get(run_id).cloned();
        let Some(active) = active else { return };
        if active.cancel.is_cancelled() {
            return;
        }
        active.cancel.cancel();
        if let Ok(true) = self.store.cancel_queued(run_id, &self.clock.now_string()) {
            self.finish_live(run_id, &active, RunStatus::Cancelled);
        }
    }

    /// Publishes a run's final state and releases whoever waits on it.
    fn finish_live(&self, run_id: &str, active: &ActiveRun, status: RunStatus) {
        let final_progress = match self.store.get_run(run_id) {
            Ok(run) => progress_of_record(&run, &self.clock.now_string()),
            Err(_) => {
                let mut p = lock(&active.state).progress.clone();
                p.status = status;
                p
            }
        };
        lock(&self.active).remove(run_id);
        self.emit(&final_progress);
        *lock(&active.finished) = true;
        active.finished_cv.notify_all();
    }

    fn fail(&self, run_id: &str, message: &str) {
        let _ = self.store.finish_run(
            run_id,
            RunStatus::Failed,
            &self.clock.now_string(),
            Some(message),
            None,
        );
        let active = lock(&self.active).get(run_id).cloned();
        if let Some(active) = active {
            self.finish_live(run_id, &active, RunStatus::Failed);
        }
    }
}
