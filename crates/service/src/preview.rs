//! "Try on 20 documents": a config that is not saved yet, matched on the first documents of its
//! set against all its reference data, with nothing stored, so a user sees results before a run.

use std::convert::Infallible;
use std::time::Instant;

use engine::assign::{apply_revisions, Revision};
use engine::progress::NoProgress;
use engine::run::{execute, ExecOptions, ResultSink, SliceSource};
use engine::{
    CancelToken, ConfigInput, Document, DocumentMatch, MatchResult, ProgressUpdate, ReviewStatus,
};

use crate::dto::ConfigPreview;
use crate::error::{Result, ServiceError};
use crate::prepare::{prepare_run, RunSpec};
use crate::Workspace;

/// Documents tried when the caller does not say; the most it may ask for.
pub const DEFAULT_PREVIEW_DOCUMENTS: u32 = 20;
pub const MAX_PREVIEW_DOCUMENTS: u32 = 200;

struct Collect(Vec<DocumentMatch>);

impl ResultSink for Collect {
    type Error = Infallible;
    fn write(
        &mut self,
        batch: Vec<DocumentMatch>,
        _: &ProgressUpdate,
    ) -> std::result::Result<(), Infallible> {
        self.0.extend(batch);
        Ok(())
    }
    fn revise(
        &mut self,
        revisions: Vec<Revision>,
        _: &ProgressUpdate,
    ) -> std::result::Result<(), Infallible> {
        apply_revisions(&mut self.0, &revisions);
        Ok(())
    }
}

impl Workspace {
    /// Matches the first `limit` documents (default 20) of the config's document set against its
    /// reference data. The config is validated as a save would; nothing is written.
    pub fn preview_config(&self, input: &ConfigInput, limit: Option<u32>) -> Result<ConfigPreview> {
        let started = Instant::now();
        let limit = match limit {
            None => DEFAULT_PREVIEW_DOCUMENTS,
            Some(n) if (1..=MAX_PREVIEW_DOCUMENTS).contains(&n) => n,
            Some(n) => {
                return Err(ServiceError::validation(
                    "limit",
                    format!("must be between 1 and {MAX_PREVIEW_DOCUMENTS}, not {n}"),
                ))
            }
        };
        let (threshold, review_floor) = self.checked_config(input)?;
        let (doc_columns, documents) =
            self.first_documents(input.document_set_id.as_deref(), limit as usize)?;
        let spec = RunSpec {
            reference_data_id: &input.reference_data_id,
            field_mappings: &input.field_mappings,
            threshold,
            review_floor,
            one_to_one: input.one_to_one.unwrap_or(false),
            blocking_keys: input.blocking_keys.as_deref(),
            blocking_strategy: input.blocking_strategy,
            pinned_rows: None,
        };
        let cancel = CancelToken::new();
        let prepared = prepare_run(&self.store, &spec, &doc_columns, &cancel)
            .map_err(|e| match e {
                // The draft was checked against the datasets' columns, but a set may have changed
                // since: report the plan's complaint against the mappings as a whole.
                ServiceError::Validation { .. } => {
                    ServiceError::validation("field_mappings", e.to_string())
                }
                e => e,
            })?
            .ok_or_else(|| ServiceError::Internal("loading the reference data stopped".into()))?;
        let mut sink = Collect(Vec::new());
        let Ok(_) = execute(
            &prepared.input(),
            &mut SliceSource::new(&documents),
            &mut sink,
            &NoProgress,
            &cancel,
            ExecOptions::default(),
        );
        let reference_rows = prepared.reference.len() as u64;
        engine::index::free_in_background(prepared.reference);
        let results = preview_results(sink.0, &documents);
        Ok(ConfigPreview {
            results,
            documents: documents.len() as u64,
            reference_rows,
            elapsed_ms: started.elapsed().as_millis() as u64,
        })
    }
}

/// The matches as the review desk shows results, in the documents' order (the engine may finish
/// them out of order in parallel chunks).
fn preview_results(mut matches: Vec<DocumentMatch>, documents: &[Document]) -> Vec<MatchResult> {
    let order: std::collections::HashMap<&str, usize> = documents
        .iter()
        .enumerate()
        .map(|(i, d)| (d.document_id.as_str(), i))
        .collect();
    matches.sort_by_key(|m| {
        order
            .get(m.document_id.as_str())
            .copied()
            .unwrap_or(usize::MAX)
    });
    matches
        .into_iter()
        .enumerate()
        .map(|(i, m)| {
            let evidence = m
                .matched_reference_row_id
                .as_ref()
                .and_then(|id| m.candidates.iter().find(|c| &c.reference_row_id == id))
                .or_else(|| m.candidates.first())
                .map(|c| c.evidence.clone());
            MatchResult {
                id: format!("preview-{}", i + 1),
                run_id: "preview".into(),
                document_id: m.document_id,
                document_filename: m.document_filename,
                matched_reference_row_id: m.matched_reference_row_id,
                confidence: m.confidence,
                status: ReviewStatus::Pending,
                notes: None,
                evidence,
                candidates: m.candidates,
                contested: m.contested,
                reviewed_at: None,
                suggestion: None,
            }
        })
        .collect()
}
