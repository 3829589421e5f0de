//! Fitting a match model inside a run: a sample of the run's documents, the reference rows the
//! run has loaded anyway, and what reviewers decided on this reference data.

use engine::learn::{fit_model, refit_model, Estimated, Label, MatchModel, StrategyPlan, Tables};
use engine::run::DocumentSource;
use engine::{CancelToken, Document, FieldMapping, Record};
use store::Store;

use crate::error::{Result, ServiceError};
use crate::prepare::document_source;

/// Documents a model is fitted on: the engine learns from 2,000 and a larger sample only costs
/// memory.
const SAMPLE: usize = 2_000;
/// Documents read per chunk while sampling.
const CHUNK: usize = 5_000;

/// An evenly spread sample of `set_id`'s documents (every set when `None`), aligned to the run's
/// columns: every k-th document, so data sorted by date or vendor is covered end to end, and the
/// same documents give the same sample. The documents of `labels` join it wherever they are:
/// a decision on a document the model cannot see teaches it nothing.
pub(crate) fn sample_documents(
    store: &Store,
    set_id: Option<&str>,
    labels: &[Label],
) -> Result<Vec<Document>> {
    let (_, mut source) = document_source(store, set_id)?;
    let decided: std::collections::HashSet<&str> =
        labels.iter().map(|l| l.document_id.as_str()).collect();
    let step = (source.total() as usize).div_ceil(SAMPLE).max(1);
    let mut sample = Vec::with_capacity(SAMPLE.min(source.total() as usize));
    let mut seen = 0usize;
    while let Some(chunk) = source.next_chunk(CHUNK)? {
        for doc in chunk {
            if seen.is_multiple_of(step) || decided.contains(doc.document_id.as_str()) {
                sample.push(doc);
            }
            seen += 1;
        }
    }
    Ok(sample)
}

/// The plan of the strategy a smart run was started with, while it still compares `config`'s
/// fields; `None` for standard runs, a strategy since deleted, or one whose fields differ.
pub(crate) fn strategy_plan(
    store: &Store,
    strategy_id: Option<&str>,
    config: &engine::MatchingConfig,
) -> Result<Option<StrategyPlan>> {
    let Some(id) = strategy_id else {
        return Ok(None);
    };
    let record = match store.get_strategy(id) {
        Ok(r) => r,
        Err(store::StoreError::NotFound { .. }) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let plan = crate::strategies::strategy_of(record)?.strategy.plan;
    let learned = engine::MatchingConfig {
        field_mappings: plan.field_mappings.clone(),
        ..config.clone()
    };
    Ok(super::same_fields(&learned, config).then_some(plan))
}

/// Reviewers' decisions on this reference data as the engine's labels.
pub(crate) fn labels(store: &Store, reference_data_id: &str) -> Result<Vec<Label>> {
    Ok(store
        .review_labels(reference_data_id)?
        .into_iter()
        .map(|l| Label {
            document_id: l.document_id,
            reference_row_id: l.reference_row_id,
            is_match: l.is_match,
        })
        .collect())
}

/// What a model is fitted on.
pub(crate) struct FitInput<'a> {
    pub store: &'a Store,
    pub mappings: &'a [FieldMapping],
    pub reference_columns: &'a [String],
    pub reference: &'a [Record],
    pub document_columns: &'a [String],
    pub document_set_id: Option<&'a str>,
    pub labels: &'a [Label],
    /// The run's own index of `reference`, reused by the fit where it serves its comparisons.
    pub index: Option<&'a engine::index::ReferenceIndex>,
    /// The strategy whose fields these are: its estimates are kept and only the regression is
    /// fitted again. `None`: everything is estimated anew.
    pub strategy: Option<&'a StrategyPlan>,
}

/// A model for `mappings`, fitted to a sample of the documents and to the labels (from the
/// strategy's estimates when given). `None` when cancelled.
pub(crate) fn fit(input: &FitInput, cancel: &CancelToken) -> Result<Option<MatchModel>> {
    let documents = sample_documents(input.store, input.document_set_id, input.labels)?;
    let tables = Tables {
        reference_columns: input.reference_columns,
        reference: input.reference,
        document_columns: input.document_columns,
        documents: &documents,
        skip_reference: &[],
        skip_documents: &[],
        index: input.index,
    };
    let fitted = match input.strategy {
        Some(plan) => {
            let estimated = Estimated {
                fields: &plan.field_estimates,
                match_share: plan.match_share,
            };
            refit_model(&tables, input.mappings, estimated, input.labels, cancel)
        }
        None => fit_model(&tables, input.mappings, input.labels, cancel),
    };
    fitted.map_err(|e| {
        ServiceError::validation(
            "strategy_id",
            format!("the match model could not be fitted to this data: {e}"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ImportRequest, OpenOptions, Workspace};

    #[test]
    fn decided_documents_join_the_sample_wherever_they_are() {
        let dir = tempfile::tempdir().unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let ws = Workspace::open(
            &dir.path().join("w.sqlite"),
            rt.handle().clone(),
            OpenOptions::default(),
        )
        .unwrap();
        // 5,001 documents: the sample takes every third (d0, d3, ...).
        let csv: String = std::iter::once("doc,name\n".to_string())
            .chain((0..5_001).map(|i| format!("d{i},name {i}\n")))
            .collect();
        let path = dir.path().join("docs.csv");
        std::fs::write(&path, csv).unwrap();
        let mut req =
            ImportRequest::new(path.display().to_string(), engine::DatasetKind::Documents);
        req.id_column = Some("doc".into());
        let set = ws.import_dataset(&req).unwrap();
        let label = |doc: &str, is_match| Label {
            document_id: doc.into(),
            reference_row_id: "r1".into(),
            is_match,
        };
        let plain = sample_documents(&ws.store, Some(&set.id), &[]).unwrap();
        assert_eq!(plain.len(), 1_667);
        assert!(plain.iter().all(|d| d
            .document_id
            .trim_start_matches('d')
            .parse::<usize>()
            .unwrap()
            % 3
            == 0));
        // A decision on a document off the grid brings it in; one on it adds nothing twice.
        let labels = [label("d2", true), label("d4999", false), label("d3", true)];
        let sample = sample_documents(&ws.store, Some(&set.id), &labels).unwrap();
        assert_eq!(sample.len(), 1_669);
        for doc in ["d2", "d4999", "d3"] {
            assert_eq!(
                sample.iter().filter(|d| d.document_id == doc).count(),
                1,
                "{doc}"
            );
        }
    }
}
