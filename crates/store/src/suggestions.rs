//! Smart runs' models and ai-resolve: the pass's status, its suggestions (shown with their
//! pending result until a reviewer accepts or dismisses them, and kept in a log of their own),
//! and the reviewers' decisions that the next model learns from.

use engine::learn::MatchModel;
use engine::{AiSuggestion, MatchResult, MatchingConfig, ReviewStatus};
use rusqlite::{params, Connection, OptionalExtension};

use crate::leases::Owner;
use crate::results::Review;
use crate::{to_json, Result, Store, StoreError};

/// A suggestion to write for one result.
#[derive(Debug, Clone)]
pub struct NewSuggestion<'a> {
    pub result_id: &'a str,
    pub suggestion: &'a AiSuggestion,
}

/// What became of a run's suggestions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SuggestionCounts {
    /// Suggestions made, over every pass (replaced ones aside).
    pub made: u64,
    pub open: u64,
    pub accepted: u64,
    pub dismissed: u64,
}

/// A pair a reviewer decided, as the model learns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewLabel {
    pub document_id: String,
    pub reference_row_id: String,
    pub is_match: bool,
}

impl Store {
    /// Records a smart run's fitted model, with the snapshot's threshold and review floor now the
    /// model's (what the run's band is measured against).
    pub fn set_run_model(
        &self,
        run_id: &str,
        model: &MatchModel,
        config: &MatchingConfig,
    ) -> Result<()> {
        let n = self.write().execute(
            "UPDATE runs SET model = ?2, config_snapshot = ?3 WHERE id = ?1",
            params![run_id, to_json(model)?, to_json(config)?],
        )?;
        if n == 0 {
            return Err(StoreError::NotFound {
                kind: "run",
                id: run_id.to_string(),
            });
        }
        Ok(())
    }

    /// Moves a completed run to `ai_resolving`, held by `owner` (whose heartbeat keeps it). False
    /// when the run is not completed (still running, already resolving, failed or cancelled).
    pub fn begin_ai_resolve(&self, run_id: &str, owner: &Owner, now_ms: i64) -> Result<bool> {
        let n = self.write().execute(
            "UPDATE runs SET status = 'ai_resolving', phase = 'ai_resolving', phase_progress = 0, \
             owner_id = ?2, owner_pid = ?3, owner_host = ?4, heartbeat_ms = ?5, cancel_requested_at = NULL \
             WHERE id = ?1 AND status = 'completed'",
            params![run_id, owner.id, owner.pid as i64, owner.host, now_ms],
        )?;
        Ok(n == 1)
    }

    /// Ends an ai-resolve pass: the run is `completed` again, with the pass's error when it
    /// failed (its matching and the suggestions already written stand).
    pub fn end_ai_resolve(&self, run_id: &str, error: Option<&str>) -> Result<()> {
        self.write().execute(
            "UPDATE runs SET status = 'completed', phase = 'completed', phase_progress = 100, \
             error = ?2 WHERE id = ?1 AND status = 'ai_resolving'",
            params![run_id, error.map(|e| format!("ai-resolve failed: {e}"))],
        )?;
        Ok(())
    }

    /// Writes suggestions in one transaction, each only while its result is still pending (a
    /// reviewer who decided meanwhile wins). A result's earlier open suggestion is replaced.
    /// Returns how many were written.
    pub fn write_suggestions(&self, run_id: &str, items: &[NewSuggestion]) -> Result<u64> {
        let mut conn = self.write();
        let tx = conn.transaction()?;
        let mut written = 0;
        for item in items {
            let s = item.suggestion;
            let n = tx
                .prepare_cached(
                    "UPDATE results SET suggestion = ?3 WHERE id = ?1 AND run_id = ?2 AND status = 'pending'",
                )?
                .execute(params![item.result_id, run_id, to_json(s)?])?;
            if n == 0 {
                continue;
            }
            tx.prepare_cached(
                "UPDATE suggestions SET outcome = 'replaced', settled_by = 'ai', settled_at = ?2 \
                 WHERE result_id = ?1 AND outcome IS NULL",
            )?
            .execute(params![item.result_id, s.created_at])?;
            tx.prepare_cached(
                "INSERT INTO suggestions (id, run_id, result_id, status, reference_row_id, probability, reason, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                s.id,
                run_id,
                item.result_id,
                s.status.as_str(),
                s.reference_row_id,
                s.probability,
                s.reason,
                s.created_at
            ])?;
            written += 1;
        }
        tx.commit()?;
        Ok(written)
    }

    /// Dismisses a result's open suggestion (the reviewer will decide it alone). Fails with
    /// `NotFound` when the result has no open suggestion with this id.
    pub fn dismiss_suggestion(
        &self,
        run_id: &str,
        result_id: &str,
        suggestion_id: &str,
        by: &str,
        now: &str,
    ) -> Result<()> {
        let mut conn = self.write();
        let tx = conn.transaction()?;
        let n = tx.execute(
            "UPDATE results SET suggestion = NULL WHERE id = ?1 AND run_id = ?2 \
             AND json_extract(suggestion, '$.id') = ?3",
            params![result_id, run_id, suggestion_id],
        )?;
        if n == 0 {
            return Err(StoreError::NotFound {
                kind: "suggestion",
                id: suggestion_id.to_string(),
            });
        }
        settle(&tx, suggestion_id, "dismissed", by, now)?;
        tx.commit()?;
        Ok(())
    }

    /// Reopens a suggestion a reviewer dismissed (the desk's undo of a dismissal): it is the
    /// result's open suggestion again, as ai-resolve wrote it, and its outcome is cleared. Only
    /// while the result is still pending, has no open suggestion and has had no later suggestion:
    /// a decision or a later pass has the last word then (`Stale`). `NotFound` when the result
    /// has no suggestion with this id. Nothing changes when it fails.
    pub fn restore_suggestion(
        &self,
        run_id: &str,
        result_id: &str,
        suggestion_id: &str,
    ) -> Result<()> {
        let mut conn = self.write();
        let tx = conn.transaction()?;
        let not_found = || StoreError::NotFound {
            kind: "suggestion",
            id: suggestion_id.to_string(),
        };
        let refused = |why: &str| {
            StoreError::Stale(format!(
                "suggestion {suggestion_id} cannot be restored: {why}"
            ))
        };
        let row = tx
            .query_row(
                "SELECT status, reference_row_id, probability, reason, created_at, outcome, rowid \
                 FROM suggestions WHERE id = ?1 AND run_id = ?2 AND result_id = ?3",
                params![suggestion_id, run_id, result_id],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, Option<String>>(1)?,
                        r.get::<_, f64>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, Option<String>>(5)?,
                        r.get::<_, i64>(6)?,
                    ))
                },
            )
            .optional()?;
        let Some((status, reference_row_id, probability, reason, created_at, outcome, rowid)) = row
        else {
            return Err(not_found());
        };
        match outcome.as_deref() {
            Some("dismissed") => {}
            None => return Err(refused("it is still open")),
            Some(other) => return Err(refused(&format!("it was {other}, not dismissed"))),
        }
        // Ties on the timestamp go by insertion order: a pass's suggestions share its clock.
        let later: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM suggestions WHERE result_id = ?1 AND id != ?2 \
             AND (created_at > ?3 OR (created_at = ?3 AND rowid > ?4)))",
            params![result_id, suggestion_id, created_at, rowid],
            |r| r.get(0),
        )?;
        if later {
            return Err(refused(&format!(
                "ai-resolve has suggested again on result {result_id} since"
            )));
        }
        let (result_status, open): (String, bool) = tx
            .query_row(
                "SELECT status, suggestion IS NOT NULL FROM results WHERE id = ?1 AND run_id = ?2",
                params![result_id, run_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .ok_or_else(not_found)?;
        if result_status != ReviewStatus::Pending.as_str() {
            return Err(refused(&format!(
                "result {result_id} has been {result_status} since"
            )));
        }
        if open {
            return Err(refused(&format!(
                "result {result_id} has another open suggestion"
            )));
        }
        let suggestion = AiSuggestion {
            id: suggestion_id.to_string(),
            resolved_by: "ai".into(),
            status: ReviewStatus::parse(&status).ok_or_else(|| {
                StoreError::Corrupt(format!("suggestion {suggestion_id} has status {status:?}"))
            })?,
            reference_row_id,
            probability,
            reason,
            created_at,
        };
        tx.execute(
            "UPDATE results SET suggestion = ?3 WHERE id = ?1 AND run_id = ?2",
            params![result_id, run_id, to_json(&suggestion)?],
        )?;
        tx.execute(
            "UPDATE suggestions SET outcome = NULL, settled_by = NULL, settled_at = NULL WHERE id = ?1",
            [suggestion_id],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// How a run's suggestions fared.
    pub fn suggestion_counts(&self, run_id: &str) -> Result<SuggestionCounts> {
        Ok(self.read().query_row(
            "SELECT count(*) FILTER (WHERE outcome IS NOT 'replaced'), \
             count(*) FILTER (WHERE outcome IS NULL), \
             count(*) FILTER (WHERE outcome = 'accepted'), \
             count(*) FILTER (WHERE outcome = 'dismissed') FROM suggestions WHERE run_id = ?1",
            [run_id],
            |r| {
                Ok(SuggestionCounts {
                    made: r.get::<_, i64>(0)? as u64,
                    open: r.get::<_, i64>(1)? as u64,
                    accepted: r.get::<_, i64>(2)? as u64,
                    dismissed: r.get::<_, i64>(3)? as u64,
                })
            },
        )?)
    }

    /// Every pair whose result's latest decision, in any run on this reference data, approved or
    /// rejected it: what reviewers taught, for the next model. An undone decision teaches nothing.
    pub fn review_labels(&self, reference_data_id: &str) -> Result<Vec<ReviewLabel>> {
        let conn = self.read();
        let mut stmt = conn.prepare(
            "SELECT d.document_id, d.reference_row_id, d.status FROM review_decisions d \
             WHERE d.reference_data_id = ?1 AND d.reference_row_id IS NOT NULL \
             AND d.status IN ('approved', 'rejected') \
             AND d.seq = (SELECT max(seq) FROM review_decisions WHERE result_id = d.result_id) \
             ORDER BY d.seq",
        )?;
        let rows = stmt.query_map([reference_data_id], |r| {
            Ok(ReviewLabel {
                document_id: r.get(0)?,
                reference_row_id: r.get(1)?,
                is_match: r.get::<_, String>(2)? == "approved",
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}

fn settle(tx: &Connection, id: &str, outcome: &str, by: &str, now: &str) -> Result<()> {
    tx.prepare_cached(
        "UPDATE suggestions SET outcome = ?2, settled_by = ?3, settled_at = ?4 WHERE id = ?1 AND outcome IS NULL",
    )?
    .execute(params![id, outcome, by, now])?;
    Ok(())
}

/// A reviewer's decision settles the result's open suggestion: accepted when the decision names
/// it, dismissed otherwise (the reviewer decided without it). Naming a suggestion that is not
/// the result's open one fails, and the decision with it.
pub(crate) fn settle_on_decision(tx: &Connection, before: &MatchResult, r: &Review) -> Result<()> {
    let open = before.suggestion.as_ref().map(|s| s.id.as_str());
    if let Some(named) = r.suggestion_id {
        if open != Some(named) {
            return Err(StoreError::NotFound {
                kind: "suggestion",
                id: named.to_string(),
            });
        }
    }
    let Some(open) = open else { return Ok(()) };
    let outcome = if r.suggestion_id.is_some() {
        "accepted"
    } else {
        "dismissed"
    };
    settle(tx, open, outcome, r.decided_by, r.decided_at)?;
    tx.prepare_cached("UPDATE results SET suggestion = NULL WHERE id = ?1 AND run_id = ?2")?
        .execute(params![r.result_id, r.run_id])?;
    Ok(())
}
