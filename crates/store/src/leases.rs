//! Run ownership between processes that share a workspace: each active run names its owner (a
//! lease renewed by a heartbeat), its owner writes live progress here for every other process to
//! read, and other processes leave cancel requests here for the owner to act on.
//!
//! The store only records; whether an owner is still alive is the service's judgement (it knows
//! the process table and the clock).

use engine::{Phase, Run, RunStatus};
use rusqlite::{params, OptionalExtension, Row};

use crate::runs::{run_from_row, RUN_COLUMNS, RUN_COLUMN_COUNT, SETTLED_COUNTERS};
use crate::{Result, Store, StoreError};

/// One open workspace in one process: the unit that owns runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    pub id: String,
    pub pid: u32,
    pub host: String,
}

/// The owner of a run as the file records it, with its last heartbeat (Unix milliseconds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    pub owner: Owner,
    pub heartbeat_ms: i64,
}

/// Progress of a running run, as its owner writes it about ten times a second.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveProgress {
    pub run_id: String,
    pub phase: Phase,
    pub phase_progress: u8,
    pub rows_processed: u64,
    pub rows_total: u64,
    pub rows_matched: u64,
    pub eta_seconds: Option<u64>,
}

/// A run with its lease and the live progress its owner last wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRecord {
    pub run: Run,
    pub lease: Option<Lease>,
    pub phase: Option<Phase>,
    pub phase_progress: Option<u8>,
    pub eta_seconds: Option<u64>,
    pub cancel_requested: bool,
}

/// What an owner learns about one of its runs at a heartbeat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnedRunState {
    pub run_id: String,
    pub status: RunStatus,
    pub cancel_requested: bool,
}

const LEASE_COLUMNS: &str =
    "owner_id, owner_pid, owner_host, heartbeat_ms, phase, phase_progress, \
                             eta_seconds, cancel_requested_at";
const ACTIVE: &str = "('queued', 'running', 'ai_resolving')";

fn phase_str(p: Phase) -> String {
    match serde_json::to_value(p) {
        Ok(serde_json::Value::String(s)) => s,
        _ => format!("{p:?}"),
    }
}

fn parse_phase(s: &str) -> Option<Phase> {
    serde_json::from_value(serde_json::Value::String(s.to_string())).ok()
}

/// Reads a run and its lease columns, which follow the run's columns at `base`.
fn record_from_row(r: &Row, base: usize) -> rusqlite::Result<RunRecord> {
    let run = run_from_row(r)?;
    let owner_id: Option<String> = r.get(base)?;
    let lease = match owner_id {
        Some(id) => Some(Lease {
            owner: Owner {
                id,
                pid: r.get::<_, Option<i64>>(base + 1)?.unwrap_or(0) as u32,
                host: r.get::<_, Option<String>>(base + 2)?.unwrap_or_default(),
            },
            heartbeat_ms: r.get::<_, Option<i64>>(base + 3)?.unwrap_or(0),
        }),
        None => None,
    };
    Ok(RunRecord {
        run,
        lease,
        phase: r
            .get::<_, Option<String>>(base + 4)?
            .and_then(|s| parse_phase(&s)),
        phase_progress: r
            .get::<_, Option<i64>>(base + 5)?
            .map(|v| v.clamp(0, 100) as u8),
        eta_seconds: r.get::<_, Option<i64>>(base + 6)?.map(|v| v.max(0) as u64),
        cancel_requested: r.get::<_, Option<String>>(base + 7)?.is_some(),
    })
}

impl Store {
    /// Renews the lease of `owner` on its active runs, writes the live progress of those that
    /// run, and reads back the state of `run_ids` (those the owner holds in memory), all in one
    /// short transaction.
    pub fn renew_leases(
        &self,
        owner: &Owner,
        now_ms: i64,
        live: &[LiveProgress],
        run_ids: &[String],
    ) -> Result<Vec<OwnedRunState>> {
        let mut conn = self.write();
        let tx = conn.transaction()?;
        tx.execute(
            &format!(
                "UPDATE runs SET heartbeat_ms = ?2 WHERE owner_id = ?1 AND status IN {ACTIVE}"
            ),
            params![owner.id, now_ms],
        )?;
        {
            // Counters only grow: the result writer also records them, a little behind.
            let mut stmt = tx.prepare_cached(
                "UPDATE runs SET phase = ?2, phase_progress = ?3, \
                 rows_processed = max(coalesce(rows_processed, 0), ?4), rows_total = ?5, \
                 rows_matched = max(coalesce(rows_matched, 0), ?6), eta_seconds = ?7 \
                 WHERE id = ?1 AND owner_id = ?8 AND status = 'running'",
            )?;
            for p in live {
                stmt.execute(params![
                    p.run_id,
                    phase_str(p.phase),
                    p.phase_progress as i64,
                    p.rows_processed as i64,
                    p.rows_total as i64,
                    p.rows_matched as i64,
                    p.eta_seconds.map(|v| v as i64),
                    owner.id
                ])?;
            }
        }
        let mut states = Vec::with_capacity(run_ids.len());
        {
            let mut stmt = tx.prepare_cached(
                "SELECT status, cancel_requested_at IS NOT NULL FROM runs WHERE id = ?1",
            )?;
            for id in run_ids {
                let row = stmt
                    .query_row([id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, bool>(1)?)))
                    .optional()?;
                if let Some((status, cancel_requested)) = row {
                    states.push(OwnedRunState {
                        run_id: id.clone(),
                        status: RunStatus::parse(&status).unwrap_or(RunStatus::Failed),
                        cancel_requested,
                    });
                }
            }
        }
        tx.commit()?;
        Ok(states)
    }

    /// Asks the owner of an active run to cancel it. False when the run is no longer active.
    pub fn request_cancel(&self, run_id: &str, now: &str) -> Result<bool> {
        let n = self.write().execute(
            &format!(
                "UPDATE runs SET cancel_requested_at = coalesce(cancel_requested_at, ?2) \
                 WHERE id = ?1 AND status IN {ACTIVE}"
            ),
            params![run_id, now],
        )?;
        Ok(n == 1)
    }

    /// Every queued or running run, oldest first, with its lease.
    pub fn active_runs(&self) -> Result<Vec<RunRecord>> {
        let sql = format!(
            "SELECT {RUN_COLUMNS}, {LEASE_COLUMNS} FROM runs WHERE status IN {ACTIVE} ORDER BY seq"
        );
        let conn = self.read();
        let mut stmt = conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([], |r| record_from_row(r, RUN_COLUMN_COUNT))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Runs another process may be showing: every active run, and every run newer than
    /// `after_seq` whatever its status (one that started and ended between two looks), each with
    /// its sequence number, oldest first.
    pub fn runs_to_watch(&self, after_seq: i64) -> Result<Vec<(i64, RunRecord)>> {
        let sql = format!(
            "SELECT {RUN_COLUMNS}, {LEASE_COLUMNS}, seq FROM runs \
             WHERE status IN {ACTIVE} OR seq > ?1 ORDER BY seq"
        );
        let conn = self.read();
        let mut stmt = conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([after_seq], |r| {
            Ok((
                r.get(RUN_COLUMN_COUNT + 8)?,
                record_from_row(r, RUN_COLUMN_COUNT)?,
            ))
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// One run with its lease and live progress.
    pub fn run_record(&self, id: &str) -> Result<RunRecord> {
        let sql = format!("SELECT {RUN_COLUMNS}, {LEASE_COLUMNS} FROM runs WHERE id = ?1");
        self.read()
            .query_row(&sql, [id], |r| record_from_row(r, RUN_COLUMN_COUNT))
            .optional()?
            .ok_or_else(|| StoreError::NotFound {
                kind: "run",
                id: id.to_string(),
            })
    }

    /// Ends a run whose owner is gone: a running run becomes failed with `message`, one whose
    /// ai-resolve pass was interrupted is completed again (its matching was done), a queued one
    /// is left for [`Store::adopt_queued`]. Only while the lease is still the one that was judged
    /// dead, so an owner that renewed meanwhile keeps its run.
    pub fn fail_orphaned(
        &self,
        run_id: &str,
        owner_id: Option<&str>,
        heartbeat_ms: Option<i64>,
        now: &str,
        message: &str,
    ) -> Result<bool> {
        let n = self.write().execute(
            &format!(
                "UPDATE runs SET {SETTLED_COUNTERS}, \
                 error = CASE status WHEN 'ai_resolving' THEN error ELSE ?5 END, \
                 completed_at = CASE status WHEN 'ai_resolving' THEN completed_at ELSE ?4 END, \
                 status = CASE status WHEN 'ai_resolving' THEN 'completed' ELSE 'failed' END \
                 WHERE id = ?1 AND status IN ('running', 'ai_resolving') \
                 AND owner_id IS ?2 AND heartbeat_ms IS ?3"
            ),
            params![run_id, owner_id, heartbeat_ms, now, message],
        )?;
        Ok(n == 1)
    }

    /// Takes over a queued run whose owner is gone, under the same condition as
    /// [`Store::fail_orphaned`]. True when this owner now holds it and should start it.
    pub fn adopt_queued(
        &self,
        run_id: &str,
        previous: Option<&Lease>,
        owner: &Owner,
        now_ms: i64,
    ) -> Result<bool> {
        let n = self.write().execute(
            "UPDATE runs SET owner_id = ?4, owner_pid = ?5, owner_host = ?6, heartbeat_ms = ?7 \
             WHERE id = ?1 AND status = 'queued' AND owner_id IS ?2 AND heartbeat_ms IS ?3",
            params![
                run_id,
                previous.map(|l| l.owner.id.as_str()),
                previous.map(|l| l.heartbeat_ms),
                owner.id,
                owner.pid as i64,
                owner.host,
                now_ms
            ],
        )?;
        Ok(n == 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use engine::{MatchingConfig, TriggeredBy};

    fn owner(id: &str) -> Owner {
        Owner {
            id: id.into(),
            pid: 42,
            host: "host".into(),
        }
    }

    fn queued(store: &Store, id: &str, by: &Owner) {
        let config: MatchingConfig =
            serde_json::from_value(serde_json::json!({"id": "c", "name": "c", "reference_data_id": "r",
                "document_set_id": null, "target_type": "run", "target_value": {}, "review_floor": 0.5,
                "field_mappings": [{"source": "a", "target": "b", "strategy": "exact", "weight": 1.0}],
                "threshold": 0.85, "created_at": "x", "updated_at": "x"}))
            .expect("config");
        let run = Run::queued(
            id.into(),
            &config,
            TriggeredBy::Manual,
            "2026-12-01T00:00:00Z".into(),
        );
        store.insert_run(&run, &config, None, by, 1_000).unwrap();
    }

    #[test]
    fn the_owner_renews_writes_progress_and_sees_cancel_requests() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("w.sqlite")).unwrap();
        let a = owner("a");
        queued(&store, "r1", &a);
        assert!(store.mark_running("r1", "t", 100, &a.id).unwrap());
        let live = LiveProgress {
            run_id: "r1".into(),
            phase: Phase::Matching,
            phase_progress: 40,
            rows_processed: 40,
            rows_total: 100,
            rows_matched: 30,
            eta_seconds: Some(3),
        };
        let states = store
            .renew_leases(&a, 2_000, &[live], &["r1".into()])
            .unwrap();
        assert_eq!(states[0].status, RunStatus::Running);
        assert!(!states[0].cancel_requested);
        let rec = store.run_record("r1").unwrap();
        assert_eq!(rec.run.rows_processed, Some(40));
        assert_eq!(rec.phase, Some(Phase::Matching));
        assert_eq!(rec.eta_seconds, Some(3));
        assert_eq!(rec.lease.as_ref().unwrap().heartbeat_ms, 2_000);
        assert!(store.request_cancel("r1", "now").unwrap());
        let states = store.renew_leases(&a, 2_100, &[], &["r1".into()]).unwrap();
        assert!(states[0].cancel_requested);
    }

    #[test]
    fn an_orphan_is_failed_or_adopted_only_under_the_lease_judged_dead() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("w.sqlite")).unwrap();
        let (a, b) = (owner("a"), owner("b"));
        queued(&store, "run", &a);
        queued(&store, "wait", &a);
        assert!(store.mark_running("run", "t", 10, &a.id).unwrap());
        // Someone else may not start a run a live owner queued.
        assert!(!store.mark_running("wait", "t", 10, &b.id).unwrap());
        // The owner renewed after the judgement: nothing changes.
        store.renew_leases(&a, 5_000, &[], &[]).unwrap();
        assert!(!store
            .fail_orphaned("run", Some("a"), Some(1_000), "now", "gone")
            .unwrap());
        let stale = store.run_record("wait").unwrap().lease;
        assert!(store
            .adopt_queued("wait", stale.as_ref(), &b, 6_000)
            .unwrap());
        assert!(store
            .fail_orphaned("run", Some("a"), Some(5_000), "now", "gone")
            .unwrap());
        let active = store.active_runs().unwrap();
        assert_eq!(active.len(), 1);
        assert_eq!(active[0].lease.as_ref().unwrap().owner.id, "b");
        assert!(store.mark_running("wait", "t", 10, &b.id).unwrap());
    }
}
