//! The run's result sink: results and the run's counters written on a thread of their own, in
//! transactions of a few thousand.

use std::sync::mpsc::RecvTimeoutError;
use std::sync::Arc;
use std::time::{Duration, Instant};

use engine::assign::Revision;
use engine::run::ResultSink;
use engine::{DocumentMatch, ProgressUpdate};
use store::{NewResult, RunCounters, Store, StoreError};

use super::execute::{retry_busy, RunError};
use crate::new_result_id;

/// Writes results, with the run's counters, on a thread of its own: SQLite writes overlap the
/// scoring of the next chunk. Batches are gathered for up to `COMMIT_EVERY` (or `COMMIT_RESULTS`
/// results) and committed together: every commit rewrites the index pages it touched, and the
/// results' indexes take inserts all over, so committing per chunk of 512 wrote most of each
/// index again and again. The channel is bounded, so a slow disk slows scoring down instead of
/// piling results up in memory.
const COMMIT_EVERY: Duration = Duration::from_millis(250);
const COMMIT_RESULTS: usize = 2_048;
/// Batches waiting for the writer: one keeps scoring going while a commit of `COMMIT_RESULTS` is
/// written (chunks of 512 documents grow to 2,048 while they score quickly, see
/// `ExecOptions`); more would leave a cancel more than a few thousand results to write, which
/// must take well under 200 ms.
const CHANNEL_BATCHES: usize = 1;

/// What the writer thread is sent: results to insert, or revisions of results inserted before.
enum Batch {
    Results(Vec<DocumentMatch>, RunCounters),
    Revisions(Vec<Revision>, RunCounters),
}

pub(super) struct StoreSink {
    tx: Option<std::sync::mpsc::SyncSender<Batch>>,
    writer: Option<std::thread::JoinHandle<Result<(), StoreError>>>,
    matched_confidence_sum: f64,
}

impl StoreSink {
    pub(super) fn start(store: Arc<Store>, run_id: String) -> Self {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Batch>(CHANNEL_BATCHES);
        // Copying the log into the database waits for the last result: on two cores it took
        // time from scoring.
        let deferral = store.defer_checkpoints();
        let writer = std::thread::Builder::new()
            .name("matchbook-results".into())
            .spawn(move || {
                let _deferral = deferral;
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
                    written
                };
                loop {
                    let next = match since {
                        None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
                        Some(t) => rx.recv_timeout(COMMIT_EVERY.saturating_sub(t.elapsed())),
                    };
                    match next {
                        Ok(Batch::Revisions(revisions, c)) => {
                            // Revisions follow the results they revise onto the disk.
                            flush(&mut pending, &mut counters)?;
                            since = None;
                            retry_busy(|| store.revise_results(&run_id, &revisions, c))?;
                            continue;
                        }
                        Ok(Batch::Results(batch, c)) => {
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

    fn join(&mut self) -> Result<(), RunError> {
        self.tx = None;
        match self.writer.take() {
            Some(w) => w
                .join()
                .map_err(|_| RunError::Writer("the result writer stopped unexpectedly"))?
                .map_err(RunError::WriteResults),
            None => Err(RunError::Writer("could not start the result writer")),
        }
    }
}

impl ResultSink for StoreSink {
    type Error = RunError;

    fn write(
        &mut self,
        batch: Vec<DocumentMatch>,
        progress: &ProgressUpdate,
    ) -> Result<(), RunError> {
        self.matched_confidence_sum += batch
            .iter()
            .filter(|m| m.matched_reference_row_id.is_some())
            .map(|m| m.confidence)
            .sum::<f64>();
        let counters = self.counters(progress);
        self.send(Batch::Results(batch, counters))
    }

    fn revise(
        &mut self,
        revisions: Vec<Revision>,
        progress: &ProgressUpdate,
    ) -> Result<(), RunError> {
        for r in &revisions {
            let now = r
                .matched_reference_row_id
                .as_ref()
                .map_or(0.0, |_| r.confidence);
            self.matched_confidence_sum += now - r.written_match_confidence.unwrap_or(0.0);
        }
        let counters = self.counters(progress);
        self.send(Batch::Revisions(revisions, counters))
    }

    fn finish(&mut self) -> Result<(), RunError> {
        self.join()
    }
}

impl StoreSink {
    fn counters(&self, progress: &ProgressUpdate) -> RunCounters {
        RunCounters {
            rows_processed: progress.rows_processed,
            rows_total: progress.rows_total,
            rows_matched: progress.rows_matched,
            matched_confidence_sum: self.matched_confidence_sum,
            pairs_compared: None,
        }
    }

    fn send(&mut self, batch: Batch) -> Result<(), RunError> {
        let sent = self.tx.as_ref().is_some_and(|tx| tx.send(batch).is_ok());
        if sent {
            Ok(())
        } else {
            // The writer has stopped: its error says why.
            self.join()
                .and(Err(RunError::Writer("the result writer stopped")))
        }
    }
}

impl Drop for StoreSink {
    fn drop(&mut self) {
        if self.writer.is_some() {
            let _ = self.join();
        }
    }
}
