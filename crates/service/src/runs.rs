//! Runs as the shells see them: start, cancel, list, progress, and one run with its best results.
//! The queue that executes them is the runner's.

use std::time::{Duration, Instant};

use engine::index::BlockSizes;
use engine::{MatchingConfig, Phase, Run, RunDetail, RunProgress, RunStatus, TriggeredBy};
use store::{RunListQuery, StoreError};

use crate::dto::{RunFilter, RunPage};
use crate::error::{Result, ServiceError};
use crate::lease::{now_ms, owner_alive, progress_of, TICK};
use crate::runner::{ProgressListener, CANCEL_WAIT};
use crate::{new_id, Workspace};

impl Workspace {
    /// Queues a run of a config and returns it in status `queued`; it executes in the background.
    pub fn start_run(&self, config_id: &str, triggered_by: TriggeredBy) -> Result<Run> {
        let config = self.store.get_config(config_id).map_err(|e| match e {
            StoreError::NotFound { .. } => ServiceError::not_found("config", config_id),
            e => e.into(),
        })?;
        let run = Run::queued(new_id(), &config, triggered_by, self.now());
        self.store
            .insert_run(&run, &config, None, &self.runner.inner.owner.0, now_ms())?;
        self.runner.inner.enqueue(&run.id);
        Ok(run)
    }

    /// Cancels a queued or running run, keeping the results already written. Refused with a
    /// conflict for a run that has already finished.
    pub fn cancel_run(&self, run_id: &str) -> Result<Run> {
        let inner = &self.runner.inner;
        let run = self.store.get_run(run_id)?;
        if !run.status.is_active() || run.status == RunStatus::AiResolving {
            return Err(ServiceError::Conflict(format!(
                "run {run_id} is {}; only queued or running runs can be cancelled",
                run.status.as_str()
            )));
        }
        if !inner.cancel_held(run_id)? {
            self.cancel_elsewhere(run_id)?;
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
        // The file first: a run's end is written there before its live progress is dropped, so
        // a run the file shows ended must not be answered from the live state of its last
        // moments.
        let rec = self.store.run_record(run_id)?;
        if rec.run.status.is_active() {
            if let Some(live) = self.runner.inner.live_progress(run_id) {
                return Ok(live);
            }
            // It may have ended between the two reads.
            let rec = self.store.run_record(run_id)?;
            return Ok(progress_of(&rec, &self.now()));
        }
        Ok(progress_of(&rec, &self.now()))
    }

    /// Adds a listener for the progress of every run.
    pub fn subscribe_progress(&self, listener: ProgressListener) {
        self.runner.inner.subscribe(listener);
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

    /// A run's record alone, without its results: cheap enough for every progress poll.
    pub fn run_record(&self, run_id: &str) -> Result<Run> {
        Ok(self.store.get_run(run_id)?)
    }

    /// The config as the run used it (its snapshot), whatever was changed or deleted since: what
    /// an evaluation must replay, one-to-one or not.
    pub fn run_config(&self, run_id: &str) -> Result<MatchingConfig> {
        Ok(self.store.get_stored_run(run_id)?.config)
    }

    /// The block sizes of a run's reference data per field (see `RunSummary::block_sizes`).
    pub fn run_block_sizes(&self, run_id: &str) -> Result<Option<BlockSizes>> {
        Ok(self.store.run_block_sizes(run_id)?)
    }

    /// The block sizes of the newest run of a config that measured them, with that run's id: what
    /// `configs show` can say about a config's reference data without running it.
    pub fn latest_block_sizes(&self, config_id: &str) -> Result<Option<(String, BlockSizes)>> {
        Ok(self.store.latest_block_sizes(config_id)?)
    }

    /// A run with its 50 most confident results (spec A.6.5).
    pub fn get_run(&self, run_id: &str) -> Result<RunDetail> {
        let run = self.store.get_run(run_id)?;
        let mut results = self
            .store
            .query_results(run_id, &store::ResultFilter::default(), 1, 50)?
            .data;
        self.fill_bands(run_id, &mut results)?;
        Ok(RunDetail { run, results })
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

fn run_list_query(filter: &RunFilter) -> Result<RunListQuery> {
    let limit = match filter.limit {
        None => 50,
        Some(0) => return Err(ServiceError::validation("limit", "must be at least 1")),
        Some(l) => l.min(crate::paging::MAX_PAGE_LIMIT),
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
