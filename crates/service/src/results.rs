//! One result: reading it, a reviewer's decision on it and its undo, and its decision log.

use engine::{MatchResult, ReviewDecision, ReviewStatus};
use store::Review;

use crate::dto::ReviewInput;
use crate::error::{Result, ServiceError};
use crate::{new_id, Workspace};

impl Workspace {
    pub fn get_result(&self, run_id: &str, result_id: &str) -> Result<MatchResult> {
        let mut result = [self.store.get_result(run_id, result_id)?];
        self.fill_bands(run_id, &mut result)?;
        let [result] = result;
        Ok(result)
    }

    /// Approves or rejects a result (re-review allowed); the decision is appended to the log and on
    /// disk before this returns.
    pub fn review_result(
        &self,
        run_id: &str,
        result_id: &str,
        input: &ReviewInput,
    ) -> Result<MatchResult> {
        self.review_result_as(run_id, result_id, input, &self.user)
    }

    /// [`Workspace::review_result`] recorded in the log as decided by `decided_by` (the REST API
    /// names its key, so the log tells scripted decisions from people's).
    pub fn review_result_as(
        &self,
        run_id: &str,
        result_id: &str,
        input: &ReviewInput,
        decided_by: &str,
    ) -> Result<MatchResult> {
        self.review_with(run_id, result_id, input, decided_by, None)
    }

    /// A review that may accept the result's open ai-resolve suggestion `suggestion_id`.
    pub(crate) fn review_with(
        &self,
        run_id: &str,
        result_id: &str,
        input: &ReviewInput,
        decided_by: &str,
        suggestion_id: Option<&str>,
    ) -> Result<MatchResult> {
        if input.status == ReviewStatus::Pending {
            return Err(ServiceError::validation(
                "status",
                "must be approved or rejected",
            ));
        }
        let stored = self.store.get_stored_run(run_id)?;
        // The reviewer decides among the whole band, as reading the result showed it.
        self.get_result(run_id, result_id)?;
        let notes = input
            .notes
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty());
        let decision_id = new_id();
        let now = self.now();
        self.store
            .review(&Review {
                run_id,
                result_id,
                status: input.status,
                notes,
                reference_row_id: input.reference_row_id.as_deref(),
                reference_data_id: &stored.config.reference_data_id,
                decision_id: &decision_id,
                decided_by,
                decided_at: &now,
                suggestion_id,
            })
            .map_err(|e| match e {
                store::StoreError::NotFound {
                    kind: "candidate",
                    id,
                } => ServiceError::validation(
                    "reference_row_id",
                    format!("{id} is not one of this result's candidates"),
                ),
                store::StoreError::NotFound {
                    kind: "suggestion",
                    id,
                } => ServiceError::Conflict(format!(
                    "suggestion {id} is no longer open on this result (a reviewer or a later \
                     ai-resolve pass settled it)"
                )),
                e => e.into(),
            })
    }

    /// Undoes `decision_id`, the result's latest decision: the result gets back the status, match
    /// and notes it had before, and the log records the undo as a decision of its own. Undoing that
    /// one redoes the first. A decision that is no longer the latest is a `conflict`.
    pub fn revert_decision(
        &self,
        run_id: &str,
        result_id: &str,
        decision_id: &str,
    ) -> Result<MatchResult> {
        self.revert_decision_as(run_id, result_id, decision_id, &self.user)
    }

    /// [`Workspace::revert_decision`] recorded in the log as decided by `decided_by`.
    pub fn revert_decision_as(
        &self,
        run_id: &str,
        result_id: &str,
        decision_id: &str,
        decided_by: &str,
    ) -> Result<MatchResult> {
        let new_decision_id = new_id();
        let now = self.now();
        Ok(self.store.revert(&store::Revert {
            run_id,
            result_id,
            decision_id,
            new_decision_id: &new_decision_id,
            decided_by,
            decided_at: &now,
        })?)
    }

    /// Every decision taken on a result, oldest first.
    pub fn result_decisions(&self, result_id: &str) -> Result<Vec<ReviewDecision>> {
        Ok(self.store.decisions(result_id)?)
    }
}
