//! "Try on 20 documents": a config that is not saved yet, matched on the first documents of its
//! set against all its reference data, with nothing stored, so a user sees results before a run.

use std::time::Instant;

use engine::progress::NoProgress;
use engine::run::{
    execute, DocumentSource, ExecOptions, MatchPlan, ResultSink, RunInput, SliceSource,
};
use engine::{
    CancelToken, ConfigInput, DocumentMatch, EngineError, MatchResult, ProgressUpdate, ReviewStatus,
};

use crate::dto::ConfigPreview;
use crate::error::{Result, ServiceError};
use crate::Workspace;

/// Documents tried when the caller does not say; the most it may ask for.
pub const DEFAULT_PREVIEW_DOCUMENTS: u32 = 20;
pub const MAX_PREVIEW_DOCUMENTS: u32 = 200;

struct Collect(Vec<DocumentMatch>);

impl ResultSink for Collect {
    fn write(
        &mut self,
        batch: Vec<DocumentMatch>,
        _: &ProgressUpdate,
    ) -> std::result::Result<(), String> {
        self.0.extend(batch);
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
        let (doc_columns, mut source) = self
            .runner
            .inner
            .document_source(input.document_set_id.as_deref())
            .map_err(ServiceError::Internal)?;
        let mut documents = Vec::new();
        while documents.len() < limit as usize {
            match source
                .next_chunk(limit as usize - documents.len())
                .map_err(ServiceError::Internal)?
            {
                Some(chunk) if !chunk.is_empty() => documents.extend(chunk),
                _ => break,
            }
        }
        let cancel = CancelToken::new();
        let (reference_ds, reference) = self
            .store
            .load_reference(&input.reference_data_id, &cancel)?
            .ok_or_else(|| ServiceError::Internal("loading the reference data stopped".into()))?;
        let ref_columns: Vec<String> = reference_ds
            .columns
            .iter()
            .map(|c| c.name.clone())
            .collect();
        let plan = MatchPlan::new(&input.field_mappings, threshold, &ref_columns, &doc_columns)
            .map_err(|e| ServiceError::validation("field_mappings", e.to_string()))?
            .with_one_to_one(input.one_to_one.unwrap_or(false))
            .with_review_floor(review_floor);
        let rejected = self.store.rejected_pairs(&input.reference_data_id)?;
        let mut sink = Collect(Vec::new());
        let run_input = RunInput {
            plan: &plan,
            reference: &reference,
            rejected: &rejected,
        };
        let outcome = execute(
            &run_input,
            &mut SliceSource::new(&documents),
            &mut sink,
            &NoProgress,
            &cancel,
            ExecOptions::default(),
        );
        let reference_rows = reference.len() as u64;
        engine::index::free_in_background(reference);
        match outcome {
            Ok(_) => {}
            Err(EngineError::Cancelled) => {
                return Err(ServiceError::Internal("the preview was cancelled".into()))
            }
            Err(e) => return Err(ServiceError::Internal(e.to_string())),
        }
        let mut matches = sink.0;
        // The engine may finish documents out of order (parallel chunks); show them as the set has them.
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
        let results = matches
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
                }
            })
            .collect();
        Ok(ConfigPreview {
            results,
            documents: documents.len() as u64,
            reference_rows,
            elapsed_ms: started.elapsed().as_millis() as u64,
        })
    }
}
