//! Runs: queueing, execution on tokio's blocking pool, live progress, and cancellation.
//!
//! One worker takes runs first in, first out (spec C.12), so two runs never compete for the
//! writer or the cores. Progress lives in memory while a run is active and is flushed to the run
//! record with every batch of results, so it survives a crash up to the last batch.

use std::collections::{BTreeSet, HashMap};
use std::sync::mpsc::RecvTimeoutError;
use std::sync::{Arc, Condvar, Mutex, Weak};
use std::time::{Duration, Instant};

use engine::index::{free_in_background, ReferenceIndex};
use engine::run::{
    execute_indexed, DocumentSource, ExecOptions, MatchPlan, ResultSink, RunInput, RunOutcome,
};
use engine::{
    CancelToken, Document, DocumentMatch, EngineError, Phase, ProgressSink, ProgressUpdate, Run,
    RunProgress, RunStatus, TriggeredBy,
};
use store::{NewResult, RunCounters, RunListQuery, Store, StoreError};
use tokio::sync::mpsc;

use crate::clock::Clock;
use crate::dto::{RunFilter, RunPage};
use crate::error::{Result, ServiceError};
use crate::lease::{now_ms, owner_alive, progress_of, spawn_keeper, OwnerHandle, TICK};
use crate::{new_id, new_result_id, Workspace};

/// Receives progress of every run. Returns false to unsubscribe (e.g. the window that asked is
/// gone).
pub type ProgressListener = Box<dyn Fn(&RunProgress) -> bool + Send + Sync>;

/// How often progress reaches listeners at most, per run; phase changes and final states always
/// go out at once.
const EMIT_INTERVAL: Duration = Duration::from_millis(100);
/// How long a cancel waits for the worker to stop before answering.
const CANCEL_WAIT: Duration = Duration::from_secs(10);

pub(crate) struct Runner {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) store: Arc<Store>,
    pub(crate) clock: Arc<dyn Clock>,
    /// This open workspace's identity in the leases of the runs it queues.
    pub(crate) owner: OwnerHandle,
    /// Whether queued runs of processes that died are taken into this queue (long-lived
    /// processes: the app and `serve`; a one-shot CLI command would start them and exit).
    pub(crate) takes_over: bool,
    queue: mpsc::UnboundedSender<String>,
    active: Mutex<HashMap<String, Arc<ActiveRun>>>,
    listeners: Mutex<Vec<ProgressListener>>,
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

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Runner {
    pub(crate) fn start(
        store: Arc<Store>,
        clock: Arc<dyn Clock>,
        runtime: tokio::runtime::Handle,
        takes_over: bool,
    ) -> Runner {
        let (tx, mut rx) = mpsc::unbounded_channel::<String>();
        let inner = Arc::new(Inner {
            store,
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
            while let Some(id) = rx.recv().await {
                let Some(inner) = weak.upgrade() else { break };
                let job = inner.clone();
                let run_id = id.clone();
                if let Err(e) = tokio::task::spawn_blocking(move || job.execute(&run_id)).await {
                    inner.fail(
                        &id,
                        &format!("internal error: the run stopped unexpectedly ({e})"),
                    );
                }
            }
        });
        spawn_keeper(Arc::downgrade(&inner));
        Runner { inner }
    }

    pub(crate) fn enqueue(&self, run_id: String) {
        self.inner.enqueue(&run_id);
    }
}

impl Workspace {
    /// Queues a run of a config and returns it in status `queued`; it executes in the background.
    pub fn start_run(&self, config_id: &str, triggered_by: TriggeredBy) -> Result<Run> {
        let config = self.store.get_config(config_id).map_err(|e| match e {
            StoreError::NotFound { .. } => ServiceError::not_found("config", config_id),
            e => e.into(),
        })?;
        let run = Run::queued(new_id(), &config, triggered_by, self.now());
        self.store
            .insert_run(&run, &config, &self.runner.inner.owner.0, now_ms())?;
        self.runner.enqueue(run.id.clone());
        Ok(run)
    }

    /// Cancels a queued or running run, keeping the results already written. Refused with a
    /// conflict for a run that has already finished.
    pub fn cancel_run(&self, run_id: &str) -> Result<Run> {
        let inner = &self.runner.inner;
        let run = self.store.get_run(run_id)?;
        if !run.status.is_active() {
            return Err(ServiceError::Conflict(format!(
                "run {run_id} is {}; only queued or running runs can be cancelled",
                run.status.as_str()
            )));
        }
        let active = lock(&inner.active).get(run_id).cloned();
        match active {
            Some(active) => {
                active.cancel.cancel();
                if self.store.cancel_queued(run_id, &self.now())? {
                    inner.finish_live(run_id, &active, RunStatus::Cancelled);
                } else {
                    let done = lock(&active.finished);
                    let _ = active
                        .finished_cv
                        .wait_timeout_while(done, CANCEL_WAIT, |finished| !*finished);
                }
            }
            None => self.cancel_elsewhere(run_id)?,
        }
        let run = self.store.get_run(run_id)?;
        match run.status {
            // The run reached its end before the worker saw the cancel: it was not cancelled,
            // and a client must not be told it was.
            RunStatus::Completed | RunStatus::Failed => Err(ServiceError::Conflict(format!(
                "run {run_id} {} before the cancel took effect",
                run.status.as_str()
            ))),
            _ => Ok(run),
        }
    }

    /// Cancels a run this process does not execute: through its owner when that process lives
    /// (it sees the request at its next heartbeat), directly when the owner is gone.
    fn cancel_elsewhere(&self, run_id: &str) -> Result<()> {
        let rec = self.store.run_record(run_id)?;
        let me = &self.runner.inner.owner.0;
        if !owner_alive(rec.lease.as_ref(), me, now_ms()) {
            self.store
                .finish_run(run_id, RunStatus::Cancelled, &self.now(), None, None)?;
            return Ok(());
        }
        self.store.request_cancel(run_id, &self.now())?;
        let deadline = Instant::now() + CANCEL_WAIT;
        while self.store.get_run(run_id)?.status.is_active() && Instant::now() < deadline {
            std::thread::sleep(TICK / 10);
        }
        Ok(())
    }

    /// Runs, newest first.
    pub fn list_runs(&self, filter: &RunFilter) -> Result<Vec<Run>> {
        Ok(self.store.list_runs(&run_list_query(filter)?)?)
    }

    /// A page of the runs list, newest first, with the count of all runs the filter passes.
    pub fn run_page(&self, filter: &RunFilter) -> Result<RunPage> {
        let q = run_list_query(filter)?;
        Ok(RunPage {
            data: self.store.list_runs(&q)?,
            total: self.store.count_runs(&q)?,
            page: q.offset / q.limit + 1,
            limit: q.limit,
        })
    }

    /// Progress of a run: live while it executes, from its record otherwise.
    pub fn run_progress(&self, run_id: &str) -> Result<RunProgress> {
        let active = lock(&self.runner.inner.active).get(run_id).cloned();
        if let Some(active) = active {
            return Ok(lock(&active.state).progress.clone());
        }
        let rec = self.store.run_record(run_id)?;
        Ok(progress_of(&rec, &self.now()))
    }

    /// Adds a listener for the progress of every run.
    pub fn subscribe_progress(&self, listener: ProgressListener) {
        lock(&self.runner.inner.listeners).push(listener);
    }

    /// Blocks until the run is no longer active or `timeout` passes; returns the run as it is then.
    /// For the CLI and tests; the UI listens to progress instead.
    pub fn wait_for_run(&self, run_id: &str, timeout: Duration) -> Result<Run> {
        let deadline = Instant::now() + timeout;
        loop {
            let run = self.store.get_run(run_id)?;
            if !run.status.is_active() || Instant::now() >= deadline {
                return Ok(run);
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

pub(crate) fn progress_of_record(run: &Run, now: &str) -> RunProgress {
    let phase = match run.status {
        RunStatus::Queued => Phase::Queued,
        RunStatus::Running => Phase::Matching,
        RunStatus::AiResolving => Phase::AiResolving,
        RunStatus::Completed => Phase::Completed,
        RunStatus::Failed => Phase::Failed,
        RunStatus::Cancelled => Phase::Cancelled,
    };
    let (processed, total) = (run.rows_processed.unwrap_or(0), run.rows_total.unwrap_or(0));
    RunProgress {
        run_id: run.id.clone(),
        status: run.status,
        phase,
        phase_progress: match run.status {
            RunStatus::Completed => 100,
            _ if total > 0 => ((processed * 100) / total).min(100) as u8,
            _ => 0,
        },
        rows_processed: processed,
        rows_total: total,
        rows_matched: run.rows_matched.unwrap_or(0),
        estimated_seconds_remaining: None,
        updated_at: now.to_string(),
    }
}

/// Writes results, with the run's counters, on a thread of its own: SQLite writes overlap the
/// scoring of the next chunk. Batches are gathered for up to `COMMIT_EVERY` (or `COMMIT_RESULTS`
/// results) and committed together: every commit rewrites the index pages it touched, and the
/// results' indexes take inserts all over, so committing per chunk of 512 wrote most of each
/// index again and again. The channel is bounded, so a slow disk slows scoring down instead of
/// piling results up in memory.
const COMMIT_EVERY: Duration = Duration::from_millis(250);
const COMMIT_RESULTS: usize = 2_048;
/// Batches waiting for the writer: enough to keep scoring while a commit of `COMMIT_RESULTS` is
/// written, few enough that what a cancel still has to write takes well under 200 ms.
const CHANNEL_BATCHES: usize = 4;

struct StoreSink {
    tx: Option<std::sync::mpsc::SyncSender<(Vec<DocumentMatch>, RunCounters)>>,
    writer: Option<std::thread::JoinHandle<std::result::Result<(), String>>>,
    matched_confidence_sum: f64,
}

impl StoreSink {
    fn start(store: Arc<Store>, run_id: String) -> Self {
        let (tx, rx) =
            std::sync::mpsc::sync_channel::<(Vec<DocumentMatch>, RunCounters)>(CHANNEL_BATCHES);
        let writer = std::thread::Builder::new()
            .name("matchbook-results".into())
            .spawn(move || {
                let mut pending: Vec<DocumentMatch> = Vec::new();
                let mut counters = None;
                let mut since: Option<Instant> = None;
                let flush = |pending: &mut Vec<DocumentMatch>,
                             counters: &mut Option<RunCounters>| {
                    let Some(c) = counters.take() else {
                        return Ok(());
                    };
                    let rows: Vec<NewResult> = pending
                        .iter()
                        .map(|m| NewResult {
                            id: new_result_id(),
                            result: m,
                        })
                        .collect();
                    let written = retry_busy(|| store.write_results(&run_id, &rows, c));
                    pending.clear();
                    written.map_err(|e| e.to_string())
                };
                loop {
                    let next = match since {
                        None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
                        Some(t) => rx.recv_timeout(COMMIT_EVERY.saturating_sub(t.elapsed())),
                    };
                    match next {
                        Ok((batch, c)) => {
                            pending.extend(batch);
                            counters = Some(c);
                            since.get_or_insert_with(Instant::now);
                            if pending.len() < COMMIT_RESULTS {
                                continue;
                            }
                        }
                        Err(RecvTimeoutError::Timeout) => {}
                        Err(RecvTimeoutError::Disconnected) => {
                            return flush(&mut pending, &mut counters);
                        }
                    }
                    flush(&mut pending, &mut counters)?;
                    since = None;
                }
            })
            .ok();
        StoreSink {
            tx: Some(tx),
            writer,
            matched_confidence_sum: 0.0,
        }
    }

    fn join(&mut self) -> std::result::Result<(), String> {
        self.tx = None;
        match self.writer.take() {
            Some(w) => w
                .join()
                .map_err(|_| "the result writer stopped unexpectedly".to_string())?,
            None => Err("could not start the result writer".into()),
        }
    }
}

impl ResultSink for StoreSink {
    fn write(
        &mut self,
        batch: Vec<DocumentMatch>,
        progress: &ProgressUpdate,
    ) -> std::result::Result<(), String> {
        self.matched_confidence_sum += batch
            .iter()
            .filter(|m| m.matched_reference_row_id.is_some())
            .map(|m| m.confidence)
            .sum::<f64>();
        let counters = RunCounters {
            rows_processed: progress.rows_processed,
            rows_total: progress.rows_total,
            rows_matched: progress.rows_matched,
            matched_confidence_sum: self.matched_confidence_sum,
            pairs_compared: None,
        };
        let sent = self
            .tx
            .as_ref()
            .is_some_and(|tx| tx.send((batch, counters)).is_ok());
        if sent {
            Ok(())
        } else {
            // The writer has stopped: its error says why.
            self.join().and(Err("the result writer stopped".into()))
        }
    }

    fn finish(&mut self) -> std::result::Result<(), String> {
        self.join()
    }
}

impl Drop for StoreSink {
    fn drop(&mut self) {
        if self.writer.is_some() {
            let _ = self.join();
        }
    }
}

/// Documents read from the store a chunk at a time: one set, or every set aligned to the union of
/// their columns (spec C.6).
pub(crate) struct StoreDocuments<'a> {
    store: &'a Store,
    /// Set id, and for each run column its position in that set (None: the set lacks it); no map
    /// when the set's columns are the run's.
    sets: Vec<(String, Option<Vec<Option<usize>>>)>,
    current: usize,
    next: u64,
    total: u64,
}

impl DocumentSource for StoreDocuments<'_> {
    fn total(&self) -> u64 {
        self.total
    }

    fn next_chunk(&mut self, max: usize) -> std::result::Result<Option<Vec<Document>>, String> {
        while let Some((set_id, positions)) = self.sets.get(self.current) {
            let (docs, next) = self
                .store
                .documents_chunk(set_id, self.next, max)
                .map_err(|e| e.to_string())?;
            if docs.is_empty() {
                self.current += 1;
                self.next = 0;
                continue;
            }
            self.next = next;
            let docs = match positions {
                None => docs,
                Some(pos) => docs
                    .into_iter()
                    .map(|doc| Document {
                        values: pos
                            .iter()
                            .map(|p| {
                                p.and_then(|i| doc.values.get(i).cloned())
                                    .unwrap_or_default()
                            })
                            .collect(),
                        ..doc
                    })
                    .collect(),
            };
            return Ok(Some(docs));
        }
        Ok(None)
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
            p.status = RunStatus::Running;
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

    /// Puts a run this process holds in the file into its queue.
    pub(crate) fn enqueue(&self, run_id: &str) {
        self.register(run_id, RunStatus::Queued, 0, 0);
        // The receiver only goes away with the runtime, when nothing can run anyway.
        let _ = self.queue.send(run_id.to_string());
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

    /// Executes one run to its final status. Runs on a blocking thread.
    fn execute(&self, run_id: &str) {
        // Every queued run is registered when enqueued; one that is gone was cancelled while
        // queued and is already final.
        let active = lock(&self.active).get(run_id).cloned();
        let Some(active) = active else { return };
        if active.cancel.is_cancelled() {
            return;
        }
        match self.execute_inner(run_id, &active) {
            Ok(status) => self.finish_live(run_id, &active, status),
            Err(message) => self.fail(run_id, &message),
        }
    }

    fn execute_inner(
        &self,
        run_id: &str,
        active: &ActiveRun,
    ) -> std::result::Result<RunStatus, String> {
        let stored = self
            .store
            .get_stored_run(run_id)
            .map_err(|e| e.to_string())?;
        if stored.run.status != RunStatus::Queued {
            return Ok(stored.run.status);
        }
        let config = stored.config;
        let (doc_columns, mut documents) =
            self.document_source(config.document_set_id.as_deref())?;
        let total = documents.total;
        if !self
            .store
            .mark_running(run_id, &self.clock.now_string(), total, &self.owner.0.id)
            .map_err(|e| e.to_string())?
        {
            return Ok(RunStatus::Cancelled);
        }
        let sink = LiveSink {
            inner: self,
            run: active,
        };
        sink.report(&ProgressUpdate {
            phase: Phase::LoadingReference,
            phase_progress: 0,
            rows_processed: 0,
            rows_total: total,
            rows_matched: 0,
        });
        let loaded = self
            .store
            .load_reference(&config.reference_data_id, &active.cancel)
            .map_err(|e| match e {
                StoreError::NotFound { .. } => {
                    format!("reference data {} not found", config.reference_data_id)
                }
                e => e.to_string(),
            })?;
        let Some((reference_ds, reference)) = loaded else {
            // Rows read before the cancel are dropped with the partial load, inside the store.
            return self.finish(run_id, RunStatus::Cancelled, None);
        };
        let ref_columns: Vec<String> = reference_ds
            .columns
            .iter()
            .map(|c| c.name.clone())
            .collect();
        let plan = MatchPlan::new(
            &config.field_mappings,
            config.threshold,
            &ref_columns,
            &doc_columns,
        )
        .map_err(|e| e.to_string())?
        .with_one_to_one(config.one_to_one)
        .with_review_floor(config.review_floor);
        let rejected = self
            .store
            .rejected_pairs(&config.reference_data_id)
            .map_err(|e| e.to_string())?;
        let input = RunInput {
            plan: &plan,
            reference: &reference,
            rejected: &rejected,
        };
        let mut results = StoreSink::start(self.store.clone(), run_id.to_string());
        let index = ReferenceIndex::build(&plan, &reference, &sink, &active.cancel);
        let outcome = match &index {
            Some(index) => execute_indexed(
                &input,
                index,
                &mut documents,
                &mut results,
                &sink,
                &active.cancel,
                ExecOptions::default(),
            ),
            None => Ok(RunOutcome::cancelled_before_matching()),
        };
        free_in_background((index, reference));
        let outcome = match outcome {
            Ok(o) => o,
            Err(EngineError::Cancelled) => return self.finish(run_id, RunStatus::Cancelled, None),
            Err(e) => return Err(e.to_string()),
        };
        sink.report(&ProgressUpdate {
            phase: Phase::Finalizing,
            phase_progress: 0,
            rows_processed: outcome.rows_processed,
            rows_total: total,
            rows_matched: outcome.rows_matched,
        });
        let status = if outcome.cancelled {
            RunStatus::Cancelled
        } else {
            RunStatus::Completed
        };
        let counters = RunCounters {
            rows_processed: outcome.rows_processed,
            rows_total: total,
            rows_matched: outcome.rows_matched,
            matched_confidence_sum: outcome.matched_confidence_sum,
            pairs_compared: Some(outcome.pairs_compared),
        };
        self.finish(run_id, status, Some(counters))
    }

    fn finish(
        &self,
        run_id: &str,
        status: RunStatus,
        counters: Option<RunCounters>,
    ) -> std::result::Result<RunStatus, String> {
        let now = self.clock.now_string();
        retry_busy(|| self.store.finish_run(run_id, status, &now, None, counters))
            .map_err(|e| e.to_string())?;
        Ok(status)
    }
    /// The documents a run covers, and their columns: one set, or every set in the workspace
    /// (spec C.6) aligned to one list of columns so mappings resolve the same way for all of them.
    pub(crate) fn document_source(
        &self,
        set_id: Option<&str>,
    ) -> std::result::Result<(Vec<String>, StoreDocuments<'_>), String> {
        let sets: Vec<engine::Dataset> = match set_id {
            Some(id) => {
                let d = self.store.get_dataset(id).map_err(|e| match e {
                    StoreError::NotFound { .. } => format!("document set {id} not found"),
                    e => e.to_string(),
                })?;
                if d.kind != engine::DatasetKind::Documents {
                    return Err(format!("document set {id} not found"));
                }
                vec![d]
            }
            None => self
                .store
                .list_datasets()
                .map_err(|e| e.to_string())?
                .into_iter()
                .filter(|d| d.kind == engine::DatasetKind::Documents)
                .collect(),
        };
        let mut columns: Vec<String> = Vec::new();
        let mut seen = BTreeSet::new();
        for d in &sets {
            for c in &d.columns {
                if seen.insert(c.name.clone()) {
                    columns.push(c.name.clone());
                }
            }
        }
        let total = sets.iter().map(|d| d.row_count).sum();
        let sets = sets
            .into_iter()
            .map(|d| {
                let own: Vec<&str> = d.columns.iter().map(|c| c.name.as_str()).collect();
                let same =
                    own.len() == columns.len() && own.iter().zip(&columns).all(|(a, b)| a == b);
                let positions = (!same).then(|| {
                    columns
                        .iter()
                        .map(|c| own.iter().position(|x| x == c))
                        .collect()
                });
                (d.id, positions)
            })
            .collect();
        Ok((
            columns,
            StoreDocuments {
                store: &self.store,
                sets,
                current: 0,
                next: 0,
                total,
            },
        ))
    }
}

/// A run's own writes wait for other processes' writers for as long as it takes them (an import
/// of a million rows holds the lock for several busy timeouts): minutes of matching must not be
/// lost to a contention that a retry resolves.
fn retry_busy<T>(mut write: impl FnMut() -> store::Result<T>) -> store::Result<T> {
    const ATTEMPTS: usize = 30;
    let mut attempt = 1;
    loop {
        match write() {
            Err(StoreError::Busy { .. }) if attempt < ATTEMPTS => attempt += 1,
            other => return other,
        }
    }
}

fn run_list_query(filter: &RunFilter) -> Result<RunListQuery> {
    let limit = match filter.limit {
        None => 50,
        Some(0) => return Err(ServiceError::validation("limit", "must be at least 1")),
        Some(l) => l.min(crate::data::MAX_PAGE_LIMIT),
    };
    let page = match filter.page {
        None => 1,
        Some(0) => return Err(ServiceError::validation("page", "pages start at 1")),
        Some(p) => p,
    };
    Ok(RunListQuery {
        config_id: filter.config_id.clone(),
        status: filter.status,
        limit,
        offset: (page - 1).saturating_mul(limit),
        before_seq: None,
    })
}
