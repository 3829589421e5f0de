//! ai-resolve (spec A.6.8) without a language model: a completed run's review band re-scored by
//! a match model fitted to the data and to what reviewers decided, with a suggestion written for
//! each pending result the model or reviewers' past decisions settle. Human decisions are never
//! touched: suggestions go to pending results only, and a reviewer accepts or dismisses them.

use engine::learn::{suggest_for, Decisions, Label, MatchModel, StrategyPlan};
use engine::{AiSuggestion, CancelToken, MatchResult, Phase, ProgressSink, ProgressUpdate};
use engine::{MatchingConfig, ReviewStatus, RunStatus};
use store::{NewSuggestion, ResultFilter, StoreError};

use super::execute::{retry_busy, RunError};
use super::learn;
use super::{lock, ActiveRun, Inner, LiveSink};
use crate::new_id;
use crate::prepare::{document_source, prepare_run, RunSpec};

/// Results read and suggested per batch (one transaction each).
const BATCH: u32 = 500;

impl Inner {
    /// Executes an ai-resolve pass over a run this process moved to `ai_resolving`, and brings it
    /// back to `completed` whatever happens.
    pub(super) fn resolve(&self, run_id: &str, only: Option<Vec<String>>) {
        let active = lock(&self.active).get(run_id).cloned();
        let Some(active) = active else { return };
        match self.resolve_inner(run_id, only, &active) {
            Ok(()) => self.end_resolve(run_id, &active, None),
            Err(e) => self.end_resolve(run_id, &active, Some(&e.to_string())),
        }
    }

    /// Ends a pass that stopped unexpectedly.
    pub(super) fn resolve_failed(&self, run_id: &str, message: &str) {
        let active = lock(&self.active).get(run_id).cloned();
        if let Some(active) = active {
            self.end_resolve(run_id, &active, Some(message));
        }
    }

    /// The run is completed again; a pass that failed says why in the run's error, since its
    /// matching (and every suggestion already written) still stands.
    fn end_resolve(&self, run_id: &str, active: &ActiveRun, error: Option<&str>) {
        let _ = retry_busy(|| self.store.end_ai_resolve(run_id, error));
        self.finish_live(run_id, active, RunStatus::Completed);
    }

    fn resolve_inner(
        &self,
        run_id: &str,
        only: Option<Vec<String>>,
        active: &ActiveRun,
    ) -> Result<(), RunError> {
        let stored = self.store.get_stored_run(run_id)?;
        let config = stored.config;
        let sink = LiveSink {
            inner: self,
            run: active,
        };
        let report = |progress: u8| {
            sink.report(&ProgressUpdate {
                phase: Phase::AiResolving,
                phase_progress: progress,
                rows_processed: 0,
                rows_total: 0,
                rows_matched: 0,
            })
        };
        report(0);
        // Nothing cancels a pass (a cancel is refused while it works); the store and the engine
        // take a token all the same.
        let cancel = CancelToken::new();
        let strategy =
            learn::strategy_plan(&self.store, stored.run.strategy_id.as_deref(), &config)?;
        // The rows the run matched against, even if a refresh has replaced them since.
        let pinned = self.store.run_reference_rows(&stored.run.id)?;
        let labels = learn::labels(&self.store, &config.reference_data_id)?;
        let Some(model) = self.resolve_model(
            &config,
            stored.model.as_ref(),
            (strategy.as_ref(), pinned),
            &labels,
            &cancel,
        )?
        else {
            return Ok(());
        };
        report(30);
        let decisions = self.decisions(&config, &labels)?;
        let band = self.band(run_id, &config, only)?;
        let fields: Vec<String> = config
            .field_mappings
            .iter()
            .map(|m| m.source.clone())
            .collect();
        let total = band.len().max(1);
        for (i, chunk) in band.chunks(BATCH as usize).enumerate() {
            let now = self.clock.now_string();
            let made: Vec<(String, AiSuggestion)> = chunk
                .iter()
                .filter_map(|r| {
                    let s =
                        suggest_for(&model, &decisions, &fields, &r.document_id, &r.candidates)?;
                    Some((
                        r.id.clone(),
                        AiSuggestion {
                            id: new_id(),
                            resolved_by: "ai".into(),
                            status: s.status,
                            reference_row_id: s.reference_row_id,
                            probability: s.probability,
                            reason: s.reason,
                            created_at: now.clone(),
                        },
                    ))
                })
                .collect();
            let items: Vec<NewSuggestion> = made
                .iter()
                .map(|(id, s)| NewSuggestion {
                    result_id: id,
                    suggestion: s,
                })
                .collect();
            retry_busy(|| self.store.write_suggestions(run_id, &items))?;
            let done = (i + 1) * BATCH as usize;
            report((30 + 70 * done.min(total) / total) as u8);
        }
        Ok(())
    }

    /// The model the band is re-scored with: fitted to this data and to every decision reviewers
    /// made on this reference data (the EM estimates alone when there are none yet; a smart run's
    /// strategy's estimates when it still has them). `None` when cancelled.
    fn resolve_model(
        &self,
        config: &MatchingConfig,
        run_model: Option<&MatchModel>,
        (strategy, pinned_rows): (Option<&StrategyPlan>, Option<String>),
        labels: &[Label],
        cancel: &CancelToken,
    ) -> Result<Option<MatchModel>, RunError> {
        let (doc_columns, _) = document_source(&self.store, config.document_set_id.as_deref())?;
        let spec = RunSpec {
            pinned_rows,
            ..RunSpec::of_run(config, run_model)
        };
        let Some(prepared) = prepare_run(&self.store, &spec, &doc_columns, cancel)? else {
            return Ok(None);
        };
        let input = learn::FitInput {
            store: &self.store,
            mappings: &config.field_mappings,
            reference_columns: &prepared.reference_columns,
            reference: &prepared.reference,
            document_columns: &doc_columns,
            document_set_id: config.document_set_id.as_deref(),
            labels,
            index: None,
            strategy,
        };
        let model = learn::fit(&input, cancel)?;
        engine::index::free_in_background(prepared.reference);
        Ok(model)
    }

    /// What reviewers decided: the pairs they approved on this reference data, and on results of
    /// this config's runs that compared the same fields the same way, the agreement patterns they
    /// always decide alike.
    fn decisions(&self, config: &MatchingConfig, labels: &[Label]) -> Result<Decisions, RunError> {
        let mut decisions = Decisions::default();
        for label in labels {
            if label.is_match {
                decisions.approved_pair(&label.document_id, &label.reference_row_id);
            }
        }
        let runs = self.store.list_runs(&store::RunListQuery {
            config_id: Some(config.id.clone()),
            limit: 1_000,
            ..Default::default()
        })?;
        for run in runs {
            let theirs = self.store.get_stored_run(&run.id)?.config;
            if !same_fields(&theirs, config) {
                continue;
            }
            for status in [ReviewStatus::Approved, ReviewStatus::Rejected] {
                let filter = ResultFilter {
                    status: Some(status),
                    ..ResultFilter::default()
                };
                for_each_result(&self.store, &run.id, &filter, |r| {
                    let decided = match status {
                        ReviewStatus::Approved => r.matched_reference_row_id.as_ref(),
                        _ => r
                            .matched_reference_row_id
                            .as_ref()
                            .or(r.candidates.first().map(|c| &c.reference_row_id)),
                    };
                    if let Some(c) = decided
                        .and_then(|id| r.candidates.iter().find(|c| &c.reference_row_id == id))
                    {
                        decisions.add(c, status == ReviewStatus::Approved);
                    }
                })?;
            }
        }
        Ok(decisions)
    }

    /// The pending results of the review band (`[review_floor, threshold)` of the run's config
    /// snapshot), or of the results named.
    fn band(
        &self,
        run_id: &str,
        config: &MatchingConfig,
        only: Option<Vec<String>>,
    ) -> Result<Vec<MatchResult>, RunError> {
        let mut out = Vec::new();
        match only {
            Some(ids) => {
                for id in ids {
                    let r = self.store.get_result(run_id, &id)?;
                    if r.status == ReviewStatus::Pending {
                        out.push(r);
                    }
                }
            }
            None => {
                let filter = ResultFilter {
                    status: Some(ReviewStatus::Pending),
                    min_confidence: Some(config.review_floor),
                    max_confidence: Some(config.threshold),
                    ..ResultFilter::default()
                };
                for_each_result(&self.store, run_id, &filter, |r| {
                    if r.confidence < config.threshold {
                        out.push(r.clone());
                    }
                })?;
            }
        }
        Ok(out)
    }
}

/// Whether two configs compare the same fields the same way (so their evidence lines up).
pub(crate) fn same_fields(a: &MatchingConfig, b: &MatchingConfig) -> bool {
    a.field_mappings.len() == b.field_mappings.len()
        && a.field_mappings
            .iter()
            .zip(&b.field_mappings)
            .all(|(x, y)| x.source == y.source && x.target == y.target && x.strategy == y.strategy)
}

/// Calls `f` on every result of a run that passes `filter`, a page at a time.
fn for_each_result(
    store: &store::Store,
    run_id: &str,
    filter: &ResultFilter,
    mut f: impl FnMut(&MatchResult),
) -> Result<(), StoreError> {
    let mut page = 1;
    loop {
        let p = store.query_results(run_id, filter, page, BATCH)?;
        p.data.iter().for_each(&mut f);
        if (page as u64) * (BATCH as u64) >= p.total || p.data.is_empty() {
            return Ok(());
        }
        page += 1;
    }
}
