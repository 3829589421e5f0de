//! What a run needs before matching, assembled once for runs and the config preview alike: the
//! documents it covers (one set, or every set aligned to one list of columns), and the plan with
//! its reference rows and the pairs reviewers rejected.

use std::collections::BTreeSet;

use engine::learn::MatchModel;
use engine::run::{DocumentSource, MatchPlan, RejectedPairs, RunInput};
use engine::{
    BlockingKey, BlockingStrategy, CancelToken, Dataset, DatasetKind, Document, FieldMapping,
    MatchingConfig, Record,
};
use store::{Store, StoreError};

use crate::error::{Result, ServiceError};
use crate::Workspace;

/// The matching part of a config, saved (a run's snapshot) or not yet (a preview's draft).
pub(crate) struct RunSpec<'a> {
    pub reference_data_id: &'a str,
    pub field_mappings: &'a [FieldMapping],
    pub threshold: f64,
    pub review_floor: f64,
    pub one_to_one: bool,
    pub blocking_keys: Option<&'a [BlockingKey]>,
    pub blocking_strategy: Option<BlockingStrategy>,
    /// The reference rows' version a run pinned; `None` reads the current one.
    pub pinned_rows: Option<String>,
}

impl<'a> RunSpec<'a> {
    /// The spec of a run's config; a smart run's candidate search uses the thresholds its model
    /// keeps for it (the config's own), since the config snapshot holds the model's.
    pub fn of_run(config: &'a MatchingConfig, model: Option<&MatchModel>) -> Self {
        let spec = RunSpec::of_config(config);
        match model {
            Some(m) => RunSpec {
                threshold: m.search_threshold,
                review_floor: m.search_review_floor,
                ..spec
            },
            None => spec,
        }
    }

    pub fn of_config(config: &'a MatchingConfig) -> Self {
        RunSpec {
            reference_data_id: &config.reference_data_id,
            field_mappings: &config.field_mappings,
            threshold: config.threshold,
            review_floor: config.review_floor,
            one_to_one: config.one_to_one,
            blocking_keys: config.blocking_keys.as_deref(),
            blocking_strategy: config.blocking_strategy,
            pinned_rows: None,
        }
    }
}

/// A plan with the data it runs against.
pub(crate) struct Prepared {
    pub plan: MatchPlan,
    pub reference_columns: Vec<String>,
    pub reference: Vec<Record>,
    pub rejected: RejectedPairs,
}

impl Prepared {
    pub fn input(&self) -> RunInput<'_> {
        RunInput {
            plan: &self.plan,
            reference: &self.reference,
            rejected: &self.rejected,
        }
    }
}

/// Loads the reference rows and builds the plan against them and the documents' columns.
/// `None`: cancelled while the rows loaded (the rows read so far are dropped inside the store).
pub(crate) fn prepare_run(
    store: &Store,
    spec: &RunSpec,
    document_columns: &[String],
    cancel: &CancelToken,
) -> Result<Option<Prepared>> {
    let loaded = store
        .load_reference_at(spec.reference_data_id, spec.pinned_rows.as_deref(), cancel)
        .map_err(|e| match e {
            StoreError::NotFound { .. } => {
                ServiceError::not_found("reference data", spec.reference_data_id)
            }
            e => e.into(),
        })?;
    let Some((dataset, reference)) = loaded else {
        return Ok(None);
    };
    if dataset.version == 0 {
        return Err(ServiceError::Conflict(match &dataset.error {
            Some(e) => format!(
                "reference data \"{}\" has no rows: its import failed: {e}",
                dataset.name
            ),
            None => format!(
                "reference data \"{}\" has no rows yet: it is still importing",
                dataset.name
            ),
        }));
    }
    let reference_columns: Vec<String> = dataset.columns.iter().map(|c| c.name.clone()).collect();
    let plan = MatchPlan::new(
        spec.field_mappings,
        spec.threshold,
        &reference_columns,
        document_columns,
    )?
    .with_one_to_one(spec.one_to_one)
    .with_review_floor(spec.review_floor)
    .with_blocking(spec.blocking_keys, spec.blocking_strategy)?;
    let rejected = store.rejected_pairs(spec.reference_data_id)?;
    Ok(Some(Prepared {
        plan,
        reference_columns,
        reference,
        rejected,
    }))
}

/// Documents read from the store a chunk at a time: one set, or every set aligned to the union of
/// their columns (spec C.6).
pub(crate) struct StoreDocuments<'a> {
    store: &'a Store,
    /// Set id, and for each run column its position in that set (None: the set lacks it); no map
    /// when the set's columns are the run's.
    sets: Vec<(String, Option<Vec<Option<usize>>>)>,
    current: usize,
    next: u64,
    total: u64,
}

impl DocumentSource for StoreDocuments<'_> {
    type Error = StoreError;

    fn total(&self) -> u64 {
        self.total
    }

    fn next_chunk(&mut self, max: usize) -> std::result::Result<Option<Vec<Document>>, StoreError> {
        while let Some((set_id, positions)) = self.sets.get(self.current) {
            let (docs, next) = self.store.documents_chunk(set_id, self.next, max)?;
            if docs.is_empty() {
                self.current += 1;
                self.next = 0;
                continue;
            }
            self.next = next;
            let docs = match positions {
                None => docs,
                Some(pos) => docs.into_iter().map(|doc| aligned(doc, pos)).collect(),
            };
            return Ok(Some(docs));
        }
        Ok(None)
    }
}

impl StoreDocuments<'_> {
    /// The documents with these ids, aligned as `next_chunk` aligns them; ids no set holds are
    /// skipped. A document id found in two sets is taken from the first.
    pub fn by_ids(&self, ids: &[String]) -> std::result::Result<Vec<Document>, StoreError> {
        let mut out: Vec<Document> = Vec::with_capacity(ids.len());
        let mut left: Vec<String> = ids.to_vec();
        for (set_id, positions) in &self.sets {
            if left.is_empty() {
                break;
            }
            let found = self.store.documents_by_ids(set_id, &left)?;
            left.retain(|id| !found.iter().any(|d| &d.document_id == id));
            out.extend(found.into_iter().map(|doc| match positions {
                None => doc,
                Some(pos) => aligned(doc, pos),
            }));
        }
        Ok(out)
    }
}

fn aligned(doc: Document, positions: &[Option<usize>]) -> Document {
    Document {
        values: positions
            .iter()
            .map(|p| {
                p.and_then(|i| doc.values.get(i).cloned())
                    .unwrap_or_default()
            })
            .collect(),
        ..doc
    }
}

/// The documents a run covers, and their columns: one set, or every set in the workspace
/// (spec C.6) aligned to one list of columns so mappings resolve the same way for all of them.
pub(crate) fn document_source<'a>(
    store: &'a Store,
    set_id: Option<&str>,
) -> Result<(Vec<String>, StoreDocuments<'a>)> {
    let sets: Vec<Dataset> = match set_id {
        Some(id) => {
            let d = store.get_dataset(id).map_err(|e| match e {
                StoreError::NotFound { .. } => ServiceError::not_found("document set", id),
                e => e.into(),
            })?;
            if d.kind != DatasetKind::Documents {
                return Err(ServiceError::not_found("document set", id));
            }
            vec![d]
        }
        None => store
            .list_datasets()?
            .into_iter()
            .filter(|d| d.kind == DatasetKind::Documents)
            .collect(),
    };
    let mut columns: Vec<String> = Vec::new();
    let mut seen = BTreeSet::new();
    for d in &sets {
        for c in &d.columns {
            if seen.insert(c.name.clone()) {
                columns.push(c.name.clone());
            }
        }
    }
    let total = sets.iter().map(|d| d.row_count).sum();
    let sets = sets
        .into_iter()
        .map(|d| {
            let own: Vec<&str> = d.columns.iter().map(|c| c.name.as_str()).collect();
            let same = own.len() == columns.len() && own.iter().zip(&columns).all(|(a, b)| a == b);
            let positions = (!same).then(|| {
                columns
                    .iter()
                    .map(|c| own.iter().position(|x| x == c))
                    .collect()
            });
            (d.id, positions)
        })
        .collect();
    let source = StoreDocuments {
        store,
        sets,
        current: 0,
        next: 0,
        total,
    };
    Ok((columns, source))
}

impl Workspace {
    /// The first `limit` documents a run of `set_id` would see (every set when `None`), aligned
    /// to the run's columns, which come first.
    pub(crate) fn first_documents(
        &self,
        set_id: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<String>, Vec<Document>)> {
        let (columns, mut source) = document_source(&self.store, set_id)?;
        let mut documents = Vec::new();
        while documents.len() < limit {
            match source.next_chunk(limit - documents.len())? {
                Some(chunk) if !chunk.is_empty() => documents.extend(chunk),
                _ => break,
            }
        }
        Ok((columns, documents))
    }
}
