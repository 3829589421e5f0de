//! Smart runs (spec A.6.3) and ai-resolve (A.6.8) as the shells call them: starting them with
//! their checks, and a reviewer accepting, dismissing or restoring a suggestion. The work itself
//! is the runner's (`runner::execute` fits and applies the model, `runner::resolve` suggests).

use engine::learn::{FieldEstimate, MatchModel};
use engine::{MatchResult, MatchingConfig, Run, RunStatus, TriggeredBy};
use serde::{Deserialize, Serialize};
use store::StoreError;
use ts_rs::TS;

use crate::dto::{ReviewInput, SuggestionSummary};
use crate::error::{Result, ServiceError};
use crate::lease::now_ms;
use crate::runner::same_fields;
use crate::{new_id, Workspace};

/// The body of `POST /configs/:id/smart-run`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SmartRunInput {
    /// The strategy whose model the run decides with. Required: left out, the answer is a
    /// validation error naming it (spec A.6.3).
    #[serde(default)]
    #[ts(optional)]
    pub strategy_id: Option<String>,
}

/// The body of `POST /runs/:id/ai-resolve`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AiResolveInput {
    /// Only these results (their pending ones); left out, every pending result of the review band.
    #[serde(default)]
    #[ts(optional)]
    pub result_ids: Option<Vec<String>>,
}

impl Workspace {
    /// Queues a smart run of a config with a strategy's match model and returns it `queued`.
    /// The model is the strategy's when the strategy compares the config's fields; otherwise, and
    /// whenever reviewers have decided pairs on this reference data, the run fits one first.
    pub fn start_smart_run(
        &self,
        config_id: &str,
        input: &SmartRunInput,
        triggered_by: TriggeredBy,
    ) -> Result<Run> {
        let config = self.store.get_config(config_id).map_err(|e| match e {
            StoreError::NotFound { .. } => ServiceError::not_found("config", config_id),
            e => e.into(),
        })?;
        let strategy_id = input
            .strategy_id
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                ServiceError::validation("strategy_id", "is required for a smart run")
            })?;
        let model = self.strategy_model(&config, strategy_id)?;
        let (snapshot, model) = match model {
            Some(mut m) => {
                m.search_threshold = config.threshold;
                m.search_review_floor = config.review_floor;
                let snapshot = MatchingConfig {
                    threshold: m.threshold,
                    review_floor: m.review_floor,
                    ..config.clone()
                };
                (snapshot, Some(m))
            }
            None => (config.clone(), None),
        };
        let run = Run::queued(new_id(), &config, triggered_by, self.now()).smart(strategy_id);
        self.store.insert_run(
            &run,
            &snapshot,
            model.as_ref(),
            &self.runner.inner.owner.0,
            now_ms(),
        )?;
        self.runner.inner.enqueue(&run.id);
        Ok(run)
    }

    /// The strategy's model when it fits this config; `None` when its fields are not the
    /// config's (the run fits its own). Refuses a strategy of another config or other data.
    fn strategy_model(
        &self,
        config: &MatchingConfig,
        strategy_id: &str,
    ) -> Result<Option<MatchModel>> {
        let strategy = self.get_strategy(strategy_id).map_err(|e| match e {
            ServiceError::Store(StoreError::NotFound { .. }) => {
                ServiceError::not_found("strategy", strategy_id)
            }
            e => e,
        })?;
        if let Some(other) = strategy
            .matching_config_id
            .as_deref()
            .filter(|c| *c != config.id)
        {
            return Err(ServiceError::validation(
                "strategy_id",
                format!(
                    "strategy {strategy_id} belongs to config {other}, not {}",
                    config.id
                ),
            ));
        }
        if strategy.reference_data_id != config.reference_data_id {
            return Err(ServiceError::validation(
                "strategy_id",
                format!(
                    "strategy {strategy_id} was learned from reference data {}, but this config \
                     matches against {}",
                    strategy.reference_data_id, config.reference_data_id
                ),
            ));
        }
        let plan = strategy.strategy.plan;
        let learned = MatchingConfig {
            field_mappings: plan.field_mappings,
            ..config.clone()
        };
        Ok(plan.model.filter(|m| {
            same_fields(&learned, config) && m.check(config.field_mappings.len()).is_ok()
        }))
    }

    /// Starts an ai-resolve pass over a completed run's review band (or the results named) and
    /// returns the run in `ai_resolving`; it is `completed` again when the pass ends. A run that
    /// is not completed is a conflict.
    pub fn ai_resolve(&self, run_id: &str, input: &AiResolveInput) -> Result<Run> {
        let run = self.store.get_run(run_id)?;
        if run.status != RunStatus::Completed {
            return Err(ServiceError::Conflict(format!(
                "run {run_id} is {}; ai-resolve works on completed runs",
                run.status.as_str()
            )));
        }
        if let Some(ids) = &input.result_ids {
            if ids.is_empty() {
                return Err(ServiceError::validation(
                    "result_ids",
                    "names no result; leave it out to resolve the whole review band",
                ));
            }
            for id in ids {
                // Filled now: a result named here may be a match whose review band the run left
                // to be filled, and ai-resolve weighs its alternatives.
                match self.get_result(run_id, id) {
                    Err(ServiceError::Store(StoreError::NotFound { .. })) => {
                        return Err(ServiceError::validation(
                            "result_ids",
                            format!("{id} is not a result of run {run_id}"),
                        ))
                    }
                    other => other?,
                };
            }
        }
        if !self
            .store
            .begin_ai_resolve(run_id, &self.runner.inner.owner.0, now_ms())?
        {
            return Err(ServiceError::Conflict(format!(
                "run {run_id} is no longer completed (another ai-resolve pass started)"
            )));
        }
        self.runner
            .inner
            .enqueue_resolve(run_id, input.result_ids.clone());
        Ok(self.store.get_run(run_id)?)
    }

    /// Accepts a result's open ai-resolve suggestion as the reviewer's decision: the log records
    /// it as a decision that names the suggestion.
    pub fn accept_suggestion(&self, run_id: &str, result_id: &str) -> Result<MatchResult> {
        self.accept_suggestion_as(run_id, result_id, &self.user)
    }

    /// [`Workspace::accept_suggestion`] recorded as decided by `decided_by`.
    pub fn accept_suggestion_as(
        &self,
        run_id: &str,
        result_id: &str,
        decided_by: &str,
    ) -> Result<MatchResult> {
        let result = self.store.get_result(run_id, result_id)?;
        let suggestion = open_suggestion(&result)?;
        let input = ReviewInput {
            status: suggestion.status,
            notes: None,
            reference_row_id: suggestion.reference_row_id.clone(),
        };
        self.review_with(run_id, result_id, &input, decided_by, Some(&suggestion.id))
    }

    /// Dismisses a result's open suggestion; the result stays pending for a reviewer.
    pub fn dismiss_suggestion(&self, run_id: &str, result_id: &str) -> Result<MatchResult> {
        let result = self.store.get_result(run_id, result_id)?;
        let suggestion = open_suggestion(&result)?;
        self.store
            .dismiss_suggestion(run_id, result_id, &suggestion.id, &self.user, &self.now())
            .map_err(|e| match e {
                StoreError::NotFound { .. } => ServiceError::Conflict(format!(
                    "suggestion {} was settled meanwhile",
                    suggestion.id
                )),
                e => e.into(),
            })?;
        self.get_result(run_id, result_id)
    }

    /// Reopens a suggestion the reviewer dismissed (the desk's undo of a dismissal), while the
    /// result is still pending with no open or later suggestion: a conflict otherwise, and
    /// not found when the result never had this suggestion.
    pub fn restore_suggestion(
        &self,
        run_id: &str,
        result_id: &str,
        suggestion_id: &str,
    ) -> Result<MatchResult> {
        self.store.get_result(run_id, result_id)?;
        self.store
            .restore_suggestion(run_id, result_id, suggestion_id)
            .map_err(|e| match e {
                StoreError::Stale(message) => ServiceError::Conflict(message),
                e => e.into(),
            })?;
        self.get_result(run_id, result_id)
    }
}

impl Workspace {
    /// What ai-resolve suggested on a run and what reviewers made of it.
    pub(crate) fn suggestion_summary(&self, run_id: &str) -> Result<SuggestionSummary> {
        let c = self.store.suggestion_counts(run_id)?;
        Ok(SuggestionSummary {
            made: c.made,
            open: c.open,
            accepted: c.accepted,
            dismissed: c.dismissed,
        })
    }

    /// The m and u estimates of a smart run's strategy; `None` without one (or once it is gone).
    pub(crate) fn field_estimates(
        &self,
        strategy_id: Option<&str>,
    ) -> Result<Option<Vec<FieldEstimate>>> {
        let Some(id) = strategy_id else {
            return Ok(None);
        };
        match self.get_strategy(id) {
            Ok(s) => Ok(Some(s.strategy.plan.field_estimates)),
            Err(ServiceError::Store(StoreError::NotFound { .. })) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

fn open_suggestion(result: &MatchResult) -> Result<&engine::AiSuggestion> {
    result.suggestion.as_ref().ok_or_else(|| {
        ServiceError::Conflict(format!(
            "result {} has no open ai-resolve suggestion",
            result.id
        ))
    })
}
