//! Matching runs: their lifecycle and counters.

use engine::index::BlockSizes;
use engine::learn::MatchModel;
use engine::{MatchingConfig, Run, RunStatus, RunType, TriggeredBy};
use rusqlite::{params, params_from_iter, OptionalExtension, Row};

use crate::leases::Owner;
use crate::{from_json, to_json, Result, Store, StoreError};

/// A run together with the config exactly as it was when the run was made.
#[derive(Debug, Clone)]
pub struct StoredRun {
    pub run: Run,
    pub config: MatchingConfig,
    /// A smart run's match model (`None` until a smart run has fitted one, and for standard runs).
    pub model: Option<MatchModel>,
}

/// Counters a run keeps up to date as it writes results.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RunCounters {
    pub rows_processed: u64,
    pub rows_total: u64,
    pub rows_matched: u64,
    pub matched_confidence_sum: f64,
    pub pairs_compared: Option<u64>,
}

#[derive(Debug, Clone, Default)]
pub struct RunListQuery {
    pub config_id: Option<String>,
    pub status: Option<RunStatus>,
    pub limit: u32,
    /// Runs skipped before the first one listed (paging).
    pub offset: u32,
    /// Keyset paging: only runs older than the run with this sequence number.
    pub before_seq: Option<i64>,
}

/// Counters of run `?1` recounted from its results.
pub(crate) const SETTLED_COUNTERS: &str =
    "rows_processed = (SELECT count(*) FROM results WHERE run_id = ?1), \
     rows_matched = (SELECT count(*) FROM results WHERE run_id = ?1 AND matched_reference_row_id IS NOT NULL), \
     matched_conf_sum = (SELECT coalesce(sum(confidence), 0) FROM results \
                         WHERE run_id = ?1 AND matched_reference_row_id IS NOT NULL)";

pub(crate) const RUN_COLUMNS: &str =
    "id, matching_config_id, config_name, status, triggered_by, rows_processed, rows_total, \
     rows_matched, matched_conf_sum, started_at, completed_at, error, created_at, pairs_compared, \
     run_type, strategy_id";

/// How many columns `RUN_COLUMNS` selects: the index of a column appended after them.
pub(crate) const RUN_COLUMN_COUNT: usize = 16;

pub(crate) fn run_from_row(r: &Row) -> rusqlite::Result<Run> {
    let status: String = r.get(3)?;
    let triggered: String = r.get(4)?;
    let rows_matched: Option<i64> = r.get(7)?;
    let conf_sum: Option<f64> = r.get(8)?;
    Ok(Run {
        id: r.get(0)?,
        matching_config_id: r.get(1)?,
        config_name: r.get(2)?,
        status: RunStatus::parse(&status).unwrap_or(RunStatus::Failed),
        triggered_by: TriggeredBy::parse(&triggered).unwrap_or(TriggeredBy::Manual),
        rows_processed: r.get::<_, Option<i64>>(5)?.map(|v| v as u64),
        rows_total: r.get::<_, Option<i64>>(6)?.map(|v| v as u64),
        rows_matched: rows_matched.map(|v| v as u64),
        avg_confidence: match (rows_matched, conf_sum) {
            (Some(n), Some(sum)) if n > 0 => Some(sum / n as f64),
            _ => None,
        },
        started_at: r.get(9)?,
        completed_at: r.get(10)?,
        error: r.get(11)?,
        created_at: r.get(12)?,
        pairs_compared: r.get::<_, Option<i64>>(13)?.map(|v| v as u64),
        run_type: RunType::parse(&r.get::<_, String>(14)?).unwrap_or_default(),
        strategy_id: r.get(15)?,
    })
}

impl Store {
    /// Records a new run in `queued` with the config snapshot it will run with, held by `owner`
    /// (whose queue will start it).
    pub fn insert_run(
        &self,
        run: &Run,
        config: &MatchingConfig,
        model: Option<&MatchModel>,
        owner: &Owner,
        now_ms: i64,
    ) -> Result<()> {
        let model = model.map(to_json).transpose()?;
        self.write().execute(
            "INSERT INTO runs (id, seq, matching_config_id, config_name, config_snapshot, status, triggered_by, created_at, \
             owner_id, owner_pid, owner_host, heartbeat_ms, run_type, strategy_id, model) \
             VALUES (?1, (SELECT coalesce(max(seq), 0) + 1 FROM runs), ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            params![
                run.id,
                run.matching_config_id,
                run.config_name,
                to_json(config)?,
                run.status.as_str(),
                run.triggered_by.as_str(),
                run.created_at,
                owner.id,
                owner.pid as i64,
                owner.host,
                now_ms,
                run.run_type.as_str(),
                run.strategy_id,
                model
            ],
        )?;
        Ok(())
    }

    pub fn get_run(&self, id: &str) -> Result<Run> {
        let sql = format!("SELECT {RUN_COLUMNS} FROM runs WHERE id = ?1");
        self.read()
            .query_row(&sql, [id], run_from_row)
            .optional()?
            .ok_or_else(|| StoreError::NotFound {
                kind: "run",
                id: id.to_string(),
            })
    }

    pub fn get_stored_run(&self, id: &str) -> Result<StoredRun> {
        let run = self.get_run(id)?;
        let (snapshot, model): (String, Option<String>) = self.read().query_row(
            "SELECT config_snapshot, model FROM runs WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(StoredRun {
            run,
            config: from_json("run config snapshot", &snapshot)?,
            model: model.map(|m| from_json("run model", &m)).transpose()?,
        })
    }

    /// Runs, newest first, optionally of one config and/or in one status.
    pub fn list_runs(&self, q: &RunListQuery) -> Result<Vec<Run>> {
        let (clause, args) = run_filter(q);
        let sql = format!(
            "SELECT {RUN_COLUMNS} FROM runs WHERE {clause} ORDER BY seq DESC LIMIT {} OFFSET {}",
            q.limit, q.offset
        );
        let conn = self.read();
        let mut stmt = conn.prepare(&sql)?;
        let rows = stmt.query_map(params_from_iter(args.iter()), run_from_row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Like [`Store::list_runs`], each run with its sequence number, the key of cursor paging.
    pub fn list_runs_keyed(&self, q: &RunListQuery) -> Result<Vec<(i64, Run)>> {
        let (clause, args) = run_filter(q);
        let sql = format!(
            "SELECT {RUN_COLUMNS}, seq FROM runs WHERE {clause} ORDER BY seq DESC LIMIT {} OFFSET {}",
            q.limit, q.offset
        );
        let conn = self.read();
        let mut stmt = conn.prepare(&sql)?;
        let rows = stmt.query_map(params_from_iter(args.iter()), |r| {
            Ok((r.get::<_, i64>(RUN_COLUMN_COUNT)?, run_from_row(r)?))
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// The sequence number of the newest run (0 when there is none).
    pub fn newest_run_seq(&self) -> Result<i64> {
        Ok(self
            .read()
            .query_row("SELECT coalesce(max(seq), 0) FROM runs", [], |r| r.get(0))?)
    }

    /// Whether a config has a run that is queued, running or resolving.
    pub fn config_has_active_run(&self, config_id: &str) -> Result<bool> {
        Ok(self.read().query_row(
            "SELECT EXISTS (SELECT 1 FROM runs WHERE matching_config_id = ?1 \
             AND status IN ('queued', 'running', 'ai_resolving'))",
            [config_id],
            |r| r.get(0),
        )?)
    }

    /// How many runs pass the filter of `q` (its limit, offset and cursor aside).
    pub fn count_runs(&self, q: &RunListQuery) -> Result<u64> {
        let (clause, args) = run_filter(&RunListQuery {
            before_seq: None,
            ..q.clone()
        });
        let n: i64 = self.read().query_row(
            &format!("SELECT count(*) FROM runs WHERE {clause}"),
            params_from_iter(args.iter()),
            |r| r.get(0),
        )?;
        Ok(n as u64)
    }

    /// Moves a queued run held by `owner_id` to running. False when it is no longer queued
    /// (cancelled meanwhile) or another process holds it.
    pub fn mark_running(
        &self,
        id: &str,
        started_at: &str,
        rows_total: u64,
        owner_id: &str,
    ) -> Result<bool> {
        let n = self.write().execute(
            "UPDATE runs SET status = 'running', started_at = ?2, rows_total = ?3, rows_processed = 0, rows_matched = 0, \
             matched_conf_sum = 0, phase = 'loading_reference', phase_progress = 0 \
             WHERE id = ?1 AND status = 'queued' AND owner_id = ?4",
            params![id, started_at, rows_total as i64, owner_id],
        )?;
        Ok(n == 1)
    }

    /// Cancels a run that has not started. False when it already left `queued`.
    pub fn cancel_queued(&self, id: &str, now: &str) -> Result<bool> {
        let n = self.write().execute(
            "UPDATE runs SET status = 'cancelled', completed_at = ?2 WHERE id = ?1 AND status = 'queued'",
            params![id, now],
        )?;
        Ok(n == 1)
    }

    /// Puts a run in its final status. Counters, when given, are the final ones.
    pub fn finish_run(
        &self,
        id: &str,
        status: RunStatus,
        completed_at: &str,
        error: Option<&str>,
        counters: Option<RunCounters>,
    ) -> Result<()> {
        let conn = self.write();
        let n = match counters {
            Some(c) => conn.execute(
                "UPDATE runs SET status = ?2, completed_at = ?3, error = ?4, rows_processed = ?5, rows_total = ?6, \
                 rows_matched = ?7, matched_conf_sum = ?8, pairs_compared = coalesce(?9, pairs_compared) WHERE id = ?1",
                params![
                    id,
                    status.as_str(),
                    completed_at,
                    error,
                    c.rows_processed as i64,
                    c.rows_total as i64,
                    c.rows_matched as i64,
                    c.matched_confidence_sum,
                    c.pairs_compared.map(|p| p as i64)
                ],
            )?,
            // Without final counters (a cancel, a failure) the run's live counters may be ahead
            // of what was written: they are settled to the results on disk.
            None => conn.execute(
                &format!(
                    "UPDATE runs SET status = ?2, completed_at = ?3, error = ?4, {SETTLED_COUNTERS} WHERE id = ?1"
                ),
                params![id, status.as_str(), completed_at, error],
            )?,
        };
        if n == 0 {
            return Err(StoreError::NotFound {
                kind: "run",
                id: id.to_string(),
            });
        }
        Ok(())
    }
}

impl Store {
    /// Records the block sizes of a run's reference data, measured once its index is built.
    pub fn set_run_block_sizes(&self, id: &str, sizes: &BlockSizes) -> Result<()> {
        let n = self.write().execute(
            "UPDATE runs SET block_sizes = ?2 WHERE id = ?1",
            params![id, to_json(sizes)?],
        )?;
        if n == 0 {
            return Err(StoreError::NotFound {
                kind: "run",
                id: id.to_string(),
            });
        }
        Ok(())
    }

    /// The block sizes a run recorded; `None` for a run from before they were recorded or one
    /// that stopped before its index was built.
    pub fn run_block_sizes(&self, id: &str) -> Result<Option<BlockSizes>> {
        let stored: Option<Option<String>> = self
            .read()
            .query_row("SELECT block_sizes FROM runs WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?;
        let Some(stored) = stored else {
            return Err(StoreError::NotFound {
                kind: "run",
                id: id.to_string(),
            });
        };
        stored.map(|s| from_json("run block sizes", &s)).transpose()
    }

    /// The newest run of a config that recorded block sizes: its id and the sizes.
    pub fn latest_block_sizes(&self, config_id: &str) -> Result<Option<(String, BlockSizes)>> {
        let found: Option<(String, String)> = self
            .read()
            .query_row(
                "SELECT id, block_sizes FROM runs WHERE matching_config_id = ?1 \
                 AND block_sizes IS NOT NULL ORDER BY seq DESC LIMIT 1",
                [config_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        found
            .map(|(id, s)| Ok((id, from_json("run block sizes", &s)?)))
            .transpose()
    }
}

fn run_filter(q: &RunListQuery) -> (String, Vec<String>) {
    let mut sql = String::from("1 = 1");
    let mut args: Vec<String> = Vec::new();
    if let Some(c) = &q.config_id {
        args.push(c.clone());
        sql.push_str(&format!(" AND matching_config_id = ?{}", args.len()));
    }
    if let Some(s) = q.status {
        args.push(s.as_str().to_string());
        sql.push_str(&format!(" AND status = ?{}", args.len()));
    }
    if let Some(seq) = q.before_seq {
        // An integer, so it goes into the SQL as a literal rather than as a text parameter.
        sql.push_str(&format!(" AND seq < {seq}"));
    }
    (sql, args)
}
