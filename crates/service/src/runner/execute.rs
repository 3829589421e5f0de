//! One run from queued to its final status: prepare it, match with results going to the store,
//! finish it; and the one place where a failure becomes the message the run keeps.

use engine::index::{free_in_background, BlockSizes, ReferenceIndex};
use engine::learn::{MatchModel, StrategyPlan};
use engine::run::{execute_indexed, DocumentSource, ExecOptions, RunOutcome};
use engine::{
    CancelToken, Document, MatchingConfig, Phase, ProgressSink, ProgressUpdate, RunStatus, RunType,
};
use store::{RunCounters, StoreError};
use thiserror::Error;

use super::learn;
use super::results_writer::StoreSink;
use super::{lock, ActiveRun, Inner, LiveSink};
use crate::error::ServiceError;
use crate::prepare::{document_source, prepare_run, Prepared, RunSpec, StoreDocuments};

/// Why a run failed. Its text is the error message the run keeps.
#[derive(Debug, Error)]
pub(crate) enum RunError {
    /// Before or after matching: the run's config no longer fits its data, a dataset is gone, the
    /// store refused.
    #[error(transparent)]
    Service(#[from] ServiceError),
    #[error("could not read the documents: {0}")]
    ReadDocuments(#[source] StoreError),
    #[error("could not write results: {0}")]
    WriteResults(#[source] StoreError),
    #[error("could not write results: {0}")]
    Writer(&'static str),
}

impl From<engine::EngineError> for RunError {
    fn from(e: engine::EngineError) -> Self {
        RunError::Service(e.into())
    }
}

impl From<StoreError> for RunError {
    fn from(e: StoreError) -> Self {
        RunError::Service(e.into())
    }
}

/// The run's documents, whose read errors say what was being read.
/// The run's documents, keeping the first chunk: it decided how the run read dates, and filling
/// a result's band later reads them the same way.
struct RunDocuments<'a>(StoreDocuments<'a>, Vec<Document>);

impl DocumentSource for RunDocuments<'_> {
    type Error = RunError;

    fn total(&self) -> u64 {
        self.0.total()
    }

    fn next_chunk(&mut self, max: usize) -> Result<Option<Vec<Document>>, RunError> {
        let chunk = self.0.next_chunk(max).map_err(RunError::ReadDocuments)?;
        if let (Some(c), true) = (&chunk, self.1.is_empty()) {
            self.1 = c.clone();
        }
        Ok(chunk)
    }
}

impl Inner {
    /// Executes one run to its final status. Runs on a blocking thread.
    pub(super) fn execute(&self, run_id: &str) {
        // Every queued run is registered when enqueued; one that is gone was cancelled while
        // queued and is already final.
        let active = lock(&self.active).get(run_id).cloned();
        let Some(active) = active else { return };
        if active.cancel.is_cancelled() {
            return;
        }
        // The index an earlier run left warm goes before this one loads its own, so a run's
        // memory stays what it was (that run's bands are filled from a rebuilt index if read).
        self.warm.free_runs();
        match self.execute_inner(run_id, &active) {
            Ok(status) => self.finish_live(run_id, &active, status),
            Err(e) => self.fail(run_id, &e.to_string()),
        }
    }

    fn execute_inner(&self, run_id: &str, active: &ActiveRun) -> Result<RunStatus, RunError> {
        let stored = self.store.get_stored_run(run_id)?;
        if stored.run.status != RunStatus::Queued {
            return Ok(stored.run.status);
        }
        let config = stored.config;
        let (doc_columns, documents) =
            document_source(&self.store, config.document_set_id.as_deref())?;
        let total = documents.total();
        if !self
            .store
            .mark_running(run_id, &self.clock.now_string(), total, &self.owner.0.id)?
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
        let mut spec = RunSpec::of_run(&config, stored.model.as_ref());
        spec.pinned_rows = self
            .store
            .pin_reference_rows(run_id, &config.reference_data_id)?;
        let Some(mut prepared) = prepare_run(&self.store, &spec, &doc_columns, &active.cancel)?
        else {
            return self.finish(run_id, RunStatus::Cancelled, None);
        };
        // Built before a smart run's model, which fits on a sample matched through it; the
        // model ranks candidates but leaves the comparisons, and so the index, as they are.
        // Built for the run's search at the threshold (see below), with its pair tables.
        let searched = prepared.plan.clone().with_band_on_demand(true);
        let index = ReferenceIndex::build(&searched, &prepared.reference, &sink, &active.cancel);
        if let (RunType::Smart, Some(built)) = (stored.run.run_type, index.as_ref()) {
            let strategy =
                learn::strategy_plan(&self.store, stored.run.strategy_id.as_deref(), &config)?;
            let model = self.smart_model(
                run_id,
                (&config, stored.model, &spec, strategy.as_ref()),
                (&prepared, &doc_columns, built),
                &sink,
                &active.cancel,
            )?;
            let Some(model) = model else {
                free_in_background((index, prepared.reference));
                return self.finish(run_id, RunStatus::Cancelled, None);
            };
            prepared.plan = prepared.plan.with_model(Some(model))?;
        }
        // Reading a result fills its review band (`bands`), so the run searches matched
        // documents only as far as the threshold. Not a smart run's learning sample above, whose
        // model learns from the pairs under the threshold too.
        prepared.plan = prepared.plan.with_band_on_demand(true);
        let mut documents = RunDocuments(documents, Vec::new());
        let mut results = StoreSink::start(self.store.clone(), run_id.to_string());
        let outcome = match &index {
            Some(index) => self
                .record_block_sizes(run_id, &index.block_sizes(&prepared.plan))
                .and_then(|()| {
                    execute_indexed(
                        &prepared.input(),
                        index,
                        &mut documents,
                        &mut results,
                        &sink,
                        &active.cancel,
                        ExecOptions::default(),
                    )
                }),
            None => Ok(RunOutcome::cancelled_before_matching()),
        };
        match (&outcome, index) {
            // Its results' bands are filled when read: the index stays warm for those reads.
            (Ok(o), Some(index)) if !o.cancelled && o.rows_matched > 0 => {
                self.warm.keep_run(
                    run_id,
                    (prepared, index),
                    doc_columns,
                    documents.1,
                    config.document_set_id.clone(),
                );
            }
            (_, index) => free_in_background((index, prepared.reference)),
        }
        let outcome = outcome?;
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

    /// A smart run's model: the strategy's, unless reviewers have decided pairs on this reference
    /// data (then its regression is fitted again with them, from the strategy's estimates) or the
    /// strategy's fields are not the config's (then one is estimated and fitted to the config's).
    /// A fitted model is stored with the run, and the snapshot's threshold and review floor
    /// become the model's. `None` when cancelled.
    fn smart_model(
        &self,
        run_id: &str,
        (config, model, spec, strategy): (
            &MatchingConfig,
            Option<MatchModel>,
            &RunSpec,
            Option<&StrategyPlan>,
        ),
        (prepared, doc_columns, index): (&Prepared, &[String], &ReferenceIndex),
        sink: &LiveSink,
        cancel: &CancelToken,
    ) -> Result<Option<MatchModel>, RunError> {
        let labels = learn::labels(&self.store, &config.reference_data_id)?;
        if let Some(m) = model.filter(|_| labels.is_empty()) {
            return Ok(Some(m));
        }
        sink.report(&ProgressUpdate {
            phase: Phase::Learning,
            phase_progress: 0,
            rows_processed: 0,
            rows_total: 0,
            rows_matched: 0,
        });
        let input = learn::FitInput {
            store: &self.store,
            mappings: &config.field_mappings,
            reference_columns: &prepared.reference_columns,
            reference: &prepared.reference,
            document_columns: doc_columns,
            document_set_id: config.document_set_id.as_deref(),
            labels: &labels,
            index: Some(index),
            strategy,
        };
        let Some(mut fitted) = learn::fit(&input, cancel)? else {
            return Ok(None);
        };
        fitted.search_threshold = spec.threshold;
        fitted.search_review_floor = spec.review_floor;
        let snapshot = MatchingConfig {
            threshold: fitted.threshold,
            review_floor: fitted.review_floor,
            ..config.clone()
        };
        retry_busy(|| self.store.set_run_model(run_id, &fitted, &snapshot))?;
        Ok(Some(fitted))
    }

    /// Stores the block sizes of the run's reference data with the run, before matching starts:
    /// a run that is watched already shows what candidate search is up against.
    fn record_block_sizes(&self, run_id: &str, sizes: &BlockSizes) -> Result<(), RunError> {
        retry_busy(|| self.store.set_run_block_sizes(run_id, sizes))?;
        Ok(())
    }

    fn finish(
        &self,
        run_id: &str,
        status: RunStatus,
        counters: Option<RunCounters>,
    ) -> Result<RunStatus, RunError> {
        let now = self.clock.now_string();
        retry_busy(|| self.store.finish_run(run_id, status, &now, None, counters))?;
        Ok(status)
    }
}

/// A run's own writes wait for other processes' writers for as long as it takes them (an import
/// of a million rows holds the lock for several busy timeouts): minutes of matching must not be
/// lost to a contention that a retry resolves.
pub(super) fn retry_busy<T>(mut write: impl FnMut() -> store::Result<T>) -> store::Result<T> {
    const ATTEMPTS: usize = 30;
    let mut attempt = 1;
    loop {
        match write() {
            Err(StoreError::Busy { .. }) if attempt < ATTEMPTS => attempt += 1,
            other => return other,
        }
    }
}
