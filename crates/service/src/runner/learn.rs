//! Fitting a match model inside a run: a sample of the run's documents, the reference rows the
//! run has loaded anyway, and what reviewers decided on this reference data.

use engine::learn::{fit_model, Label, MatchModel, Tables};
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
/// same documents give the same sample.
pub(crate) fn sample_documents(store: &Store, set_id: Option<&str>) -> Result<Vec<Document>> {
    let (_, mut source) = document_source(store, set_id)?;
    let step = (source.total() as usize).div_ceil(SAMPLE).max(1);
    let mut sample = Vec::with_capacity(SAMPLE.min(source.total() as usize));
    let mut seen = 0usize;
    while let Some(chunk) = source.next_chunk(CHUNK)? {
        for doc in chunk {
            if seen.is_multiple_of(step) {
                sample.push(doc);
            }
            seen += 1;
        }
    }
    Ok(sample)
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
}

/// A model for `mappings`, fitted to a sample of the documents and to the labels. `None` when
/// cancelled.
pub(crate) fn fit(input: &FitInput, cancel: &CancelToken) -> Result<Option<MatchModel>> {
    let documents = sample_documents(input.store, input.document_set_id)?;
    let tables = Tables {
        reference_columns: input.reference_columns,
        reference: input.reference,
        document_columns: input.document_columns,
        documents: &documents,
        skip_reference: &[],
        skip_documents: &[],
    };
    fit_model(&tables, input.mappings, input.labels, cancel).map_err(|e| {
        ServiceError::validation(
            "strategy_id",
            format!("the match model could not be fitted to this data: {e}"),
        )
    })
}
