//! Package runs (spec A.9): synchronous. Each slot's input rows are matched inline through its
//! matching config as a normal run (visible in Runs, reviewable), and the outcomes are combined
//! into the verdict by `engine::package::verdict`.

use std::collections::BTreeMap;

use engine::package::rules::with_rules;
use engine::package::{
    slot_status, verdict, DocumentResult, DocumentTypeConfig, PackageConfig, PackageRun,
    PackageVerdict, PassCriteria, SlotResult,
};
use engine::progress::NoProgress;
use engine::run::{execute_indexed, ExecOptions, KeepAll, SliceSource};
use engine::{CancelToken, Document, DocumentMatch, MatchingConfig, Run, RunStatus, TriggeredBy};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use store::{NewResult, PackageRunQuery, RunCounters, StoreError};
use ts_rs::TS;

use super::rules::SlotBest;
use crate::error::{Result, ServiceError};
use crate::lease::now_ms;
use crate::paging::{created_after, created_cursor, cursor_limit};
use crate::{new_id, new_result_id, CursorPage, CursorPagination, CursorQuery, Workspace};

/// The body of `POST /v1/matching/packages/runs` (spec A.9.2).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PackageRunInput {
    pub package_config_id: String,
    /// Per document type of the package, its rows. A type left out is judged by its presence.
    pub input_documents: BTreeMap<String, Vec<InputRow>>,
}

/// One document of a package run, given inline.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InputRow {
    pub document_id: String,
    #[serde(default)]
    #[ts(optional)]
    pub extraction_row_id: Option<String>,
    /// Field name to value (text, number, boolean or null).
    #[ts(type = "Record<string, unknown>")]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub values: serde_json::Map<String, Value>,
}

/// The filters of the package run list (spec A.9.4).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PackageRunFilter {
    pub package_config_id: Option<String>,
    pub status: Option<PackageVerdict>,
}

/// Decoded `created_cursor` of the package run list.
const CURSOR_KIND: &str = "q";

/// A slot's rows matched: the run made, its config, and the most confident result.
type Matched = (String, MatchingConfig, Option<DocumentMatch>);

/// A value as the matcher reads it: text as given, numbers and booleans written out, null empty.
pub(super) fn text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl Workspace {
    /// Runs a package: every slot with input is matched inline, then the verdict is taken. The run
    /// is stored and returned final. A slot whose matching fails makes the verdict `error`.
    pub fn run_package(&self, input: &PackageRunInput) -> Result<PackageRun> {
        let id = input.package_config_id.trim();
        if id.is_empty() {
            return Err(ServiceError::validation("package_config_id", "is required"));
        }
        let config = self.get_package_config(id)?;
        check_inputs(&config, input)?;
        let created_at = self.now();
        let mut document_results = Vec::new();
        let mut slots = Vec::new();
        let mut bests = BTreeMap::new();
        for slot in &config.document_type_configs {
            let rows = input
                .input_documents
                .get(&slot.document_type)
                .map_or(&[][..], Vec::as_slice);
            let (result, outcome, best) = self.run_slot(slot, rows, &config.pass_criteria);
            document_results.push(result);
            slots.push(outcome);
            if let Some(best) = best {
                bests.insert(slot.document_type.clone(), best);
            }
        }
        let rule_results = self.judge_rules(&config, &input.input_documents, &bests)?;
        let status = with_rules(
            verdict(&slots, &config.pass_criteria),
            &config.rules,
            &rule_results,
        );
        let error = document_results
            .iter()
            .filter_map(|r| {
                r.error
                    .as_ref()
                    .map(|e| format!("{}: {e}", r.document_type))
            })
            .reduce(|a, b| format!("{a}; {b}"));
        let run = PackageRun {
            id: new_result_id(),
            package_config_id: config.id.clone(),
            status,
            document_results,
            input_documents: input
                .input_documents
                .iter()
                .map(|(t, rows)| {
                    (
                        t.clone(),
                        rows.iter().map(|r| r.document_id.clone()).collect(),
                    )
                })
                .collect(),
            rule_results,
            error,
            created_at,
            completed_at: Some(self.now()),
        };
        self.store.insert_package_run(&run)?;
        Ok(run)
    }

    pub fn get_package_run(&self, id: &str) -> Result<PackageRun> {
        self.store.get_package_run(id).map_err(|e| match e {
            StoreError::NotFound { .. } => ServiceError::not_found("package run", id),
            e => e.into(),
        })
    }

    /// A page of package runs, newest first, filtered by config and verdict (spec A.9.4).
    pub fn package_run_page(
        &self,
        filter: &PackageRunFilter,
        q: &CursorQuery,
    ) -> Result<CursorPage<PackageRun>> {
        let limit = cursor_limit(q.limit)?;
        let mut query = PackageRunQuery {
            package_config_id: filter.package_config_id.clone(),
            status: filter.status,
            after: created_after(q, CURSOR_KIND)?,
            limit: limit + 1,
        };
        let mut data = self.store.list_package_runs(&query)?;
        let has_more = data.len() > limit as usize;
        data.truncate(limit as usize);
        let next_cursor = has_more
            .then(|| data.last())
            .flatten()
            .map(|r| created_cursor(CURSOR_KIND, &r.created_at, &r.id));
        query.after = None;
        Ok(CursorPage {
            data,
            pagination: CursorPagination {
                total: self.store.count_package_runs(&query)?,
                limit,
                has_more,
                next_cursor,
            },
        })
    }

    /// One slot: no input gives its presence's status; input is matched as a run of the slot's
    /// config, and the best row (the most confident) stands for the slot (and is returned for the
    /// package's rules).
    fn run_slot(
        &self,
        slot: &DocumentTypeConfig,
        rows: &[InputRow],
        criteria: &PassCriteria,
    ) -> (DocumentResult, SlotResult, Option<SlotBest>) {
        let mut outcome = SlotResult {
            presence: slot.presence,
            document_found: !rows.is_empty(),
            matched: false,
            in_review_band: false,
            confidence: None,
            error: false,
        };
        let mut result = DocumentResult {
            document_type: slot.document_type.clone(),
            matching_config_id: slot.matching_config_id.clone(),
            matching_run_id: None,
            presence: slot.presence,
            document_found: !rows.is_empty(),
            status: slot_status(&outcome, criteria),
            confidence: None,
            matched_reference_row_id: None,
            error: None,
        };
        if rows.is_empty() {
            return (result, outcome, None);
        }
        let mut kept = None;
        match self.match_rows(&slot.matching_config_id, rows) {
            Ok((run_id, config, best)) => {
                result.matching_run_id = Some(run_id);
                if let Some(best) = best {
                    outcome.matched = best.matched_reference_row_id.is_some();
                    outcome.in_review_band = best.confidence >= config.review_floor
                        && best.confidence < config.threshold;
                    outcome.confidence = Some(best.confidence);
                    result.matched_reference_row_id = best.matched_reference_row_id.clone();
                    kept = Some(SlotBest { config, best });
                }
            }
            Err((run_id, e)) => {
                result.matching_run_id = run_id;
                result.error = Some(e.to_string());
                outcome.error = true;
            }
        }
        result.confidence = outcome.confidence;
        result.status = slot_status(&outcome, criteria);
        (result, outcome, kept)
    }

    /// Matches `rows` as a run of config `config_id`, written like any run: (run id, the config,
    /// the most confident result). On failure, the run (when one was made) is marked failed.
    fn match_rows(
        &self,
        config_id: &str,
        rows: &[InputRow],
    ) -> std::result::Result<Matched, (Option<String>, ServiceError)> {
        let config = self.store.get_config(config_id).map_err(|e| {
            let e = match e {
                StoreError::NotFound { .. } => ServiceError::not_found("config", config_id),
                e => e.into(),
            };
            (None, e)
        })?;
        let run = Run::queued(new_id(), &config, TriggeredBy::Api, self.now());
        let owner = &self.runner.inner.owner.0;
        let started = self
            .store
            .insert_run(&run, &config, None, owner, now_ms())
            .and_then(|()| {
                self.store
                    .mark_running(&run.id, &self.now(), rows.len() as u64, &owner.id)
            });
        if let Err(e) = started {
            return Err((None, e.into()));
        }
        match self.match_into(&run.id, &config, rows) {
            Ok(best) => Ok((run.id, config, best)),
            Err(e) => {
                let _ = self.store.finish_run(
                    &run.id,
                    RunStatus::Failed,
                    &self.now(),
                    Some(&e.to_string()),
                    None,
                );
                Err((Some(run.id), e))
            }
        }
    }

    fn match_into(
        &self,
        run_id: &str,
        config: &MatchingConfig,
        rows: &[InputRow],
    ) -> Result<Option<DocumentMatch>> {
        // The warm index's columns (the config's fields) first, then any other field the rows
        // carry (kept, not compared).
        let warm = self.warm_index(config)?;
        let mut columns = warm.columns.clone();
        for name in rows.iter().flat_map(|r| r.values.keys()) {
            if !columns.contains(name) {
                columns.push(name.clone());
            }
        }
        let documents: Vec<Document> = rows
            .iter()
            .map(|r| Document {
                document_id: r.document_id.trim().to_string(),
                document_filename: r.extraction_row_id.clone(),
                values: columns
                    .iter()
                    .map(|c| r.values.get(c).map(text).unwrap_or_default())
                    .collect(),
            })
            .collect();
        let cancel = CancelToken::new();
        let rejected = self.store.rejected_pairs(&config.reference_data_id)?;
        let mut keep = KeepAll::default();
        let Ok(outcome) = execute_indexed(
            &warm.input(&rejected),
            warm.index(),
            &mut SliceSource::new(&documents),
            &mut keep,
            &NoProgress,
            &cancel,
            ExecOptions::default(),
        );
        let ids: Vec<String> = keep.0.iter().map(|_| new_result_id()).collect();
        let batch: Vec<NewResult> = keep
            .0
            .iter()
            .zip(ids)
            .map(|(m, id)| NewResult { id, result: m })
            .collect();
        let counters = RunCounters {
            rows_processed: outcome.rows_processed,
            rows_total: documents.len() as u64,
            rows_matched: outcome.rows_matched,
            matched_confidence_sum: outcome.matched_confidence_sum,
            pairs_compared: Some(outcome.pairs_compared),
        };
        self.store.write_results(run_id, &batch, counters)?;
        self.store.finish_run(
            run_id,
            RunStatus::Completed,
            &self.now(),
            None,
            Some(counters),
        )?;
        Ok(keep
            .0
            .into_iter()
            .max_by(|a, b| a.confidence.total_cmp(&b.confidence)))
    }
}

/// The input's types must be the package's; every row needs a document id.
fn check_inputs(config: &PackageConfig, input: &PackageRunInput) -> Result<()> {
    for (t, rows) in &input.input_documents {
        if !config
            .document_type_configs
            .iter()
            .any(|s| &s.document_type == t)
        {
            let known: Vec<&str> = config
                .document_type_configs
                .iter()
                .map(|s| s.document_type.as_str())
                .collect();
            return Err(ServiceError::validation(
                format!("input_documents.{t}"),
                format!(
                    "is not a document type of package {} ({})",
                    config.name,
                    known.join(", ")
                ),
            ));
        }
        for (i, r) in rows.iter().enumerate() {
            if r.document_id.trim().is_empty() {
                return Err(ServiceError::validation(
                    format!("input_documents.{t}[{i}].document_id"),
                    "is required",
                ));
            }
        }
    }
    Ok(())
}
