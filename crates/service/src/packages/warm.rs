//! Warm indexes: a package run (or one document matched now) scores a handful of documents
//! against reference data that may hold a million rows, so the rows and the candidate index of a
//! config are kept between calls instead of being loaded and built every time. Kept per config
//! while the config is unchanged, at most `MAX_WARM` of them, and freed when idle.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use engine::index::{free_in_background, ReferenceIndex};
use engine::progress::NoProgress;
use engine::run::RunInput;
use engine::{CancelToken, MatchingConfig};

use crate::error::{Result, ServiceError};
use crate::lock;
use crate::prepare::{prepare_run, Prepared, RunSpec};
use crate::Workspace;

/// Configs whose index is kept warm at once; the least recently used goes first.
const MAX_WARM: usize = 2;
/// An index unused this long is freed at the next look.
pub(crate) const IDLE: Duration = Duration::from_secs(10 * 60);

/// One config's reference rows, plan and index, as of the config's `updated_at` and its reference
/// data's rows.
pub(crate) struct Warm {
    config_id: String,
    updated_at: String,
    reference_rows: u64,
    prepared: Prepared,
    index: ReferenceIndex,
    /// The document columns the plan was made for: the config's mapped fields, in order.
    pub columns: Vec<String>,
    last_used: Mutex<Instant>,
}

impl Warm {
    /// The run input, with the rejected pairs of now (reviewers reject between two calls).
    pub fn input<'a>(&'a self, rejected: &'a engine::run::RejectedPairs) -> RunInput<'a> {
        RunInput {
            plan: &self.prepared.plan,
            reference: &self.prepared.reference,
            rejected,
        }
    }

    pub fn index(&self) -> &ReferenceIndex {
        &self.index
    }
}

/// The workspace's warm indexes.
#[derive(Default)]
pub(crate) struct WarmIndexes {
    entries: Mutex<Vec<Arc<Warm>>>,
}

impl WarmIndexes {
    /// Frees every index unused for `idle`; returns how many were freed.
    pub fn free_idle(&self, idle: Duration) -> usize {
        let now = Instant::now();
        let gone: Vec<Arc<Warm>> = {
            let mut entries = lock(&self.entries);
            let (keep, gone) = entries
                .drain(..)
                .partition(|w| now.duration_since(*lock(&w.last_used)) < idle);
            *entries = keep;
            gone
        };
        let n = gone.len();
        free_in_background(gone);
        n
    }

    /// How many configs have a warm index now.
    pub fn len(&self) -> usize {
        lock(&self.entries).len()
    }

    fn find(&self, config: &MatchingConfig, reference_rows: u64) -> Option<Arc<Warm>> {
        let entries = lock(&self.entries);
        let w = entries
            .iter()
            .find(|w| {
                w.config_id == config.id
                    && w.updated_at == config.updated_at
                    && w.reference_rows == reference_rows
            })?
            .clone();
        *lock(&w.last_used) = Instant::now();
        Some(w)
    }

    fn insert(&self, warm: Arc<Warm>) {
        let mut entries = lock(&self.entries);
        // Another caller may have built the same one meanwhile, or an older version is there.
        entries.retain(|w| w.config_id != warm.config_id);
        entries.push(warm);
        if entries.len() > MAX_WARM {
            entries.sort_by_key(|w| std::cmp::Reverse(*lock(&w.last_used)));
            let gone = entries.split_off(MAX_WARM);
            free_in_background(gone);
        }
    }
}

impl Workspace {
    /// The warm index of `config`: kept from an earlier call while the config is unchanged,
    /// built (and kept) otherwise. Idle ones are freed first.
    pub(crate) fn warm_index(&self, config: &MatchingConfig) -> Result<Arc<Warm>> {
        self.warm.free_idle(IDLE);
        // The reference data must still be there, as it was (a changed config has a new
        // `updated_at`; a dataset is never changed in place, but may be deleted).
        let dataset = self
            .store
            .get_dataset(&config.reference_data_id)
            .map_err(|e| match e {
                store::StoreError::NotFound { .. } => {
                    ServiceError::not_found("reference data", &config.reference_data_id)
                }
                e => e.into(),
            })?;
        if let Some(w) = self.warm.find(config, dataset.row_count) {
            return Ok(w);
        }
        let mut columns: Vec<String> = Vec::new();
        for m in &config.field_mappings {
            if !columns.contains(&m.source) {
                columns.push(m.source.clone());
            }
        }
        let cancel = CancelToken::new();
        let prepared = prepare_run(&self.store, &RunSpec::of_config(config), &columns, &cancel)?
            .ok_or_else(|| ServiceError::Internal("the reference data did not load".into()))?;
        let index =
            ReferenceIndex::build(&prepared.plan, &prepared.reference, &NoProgress, &cancel)
                .ok_or_else(|| ServiceError::Internal("the index was not built".into()))?;
        let warm = Arc::new(Warm {
            config_id: config.id.clone(),
            updated_at: config.updated_at.clone(),
            reference_rows: dataset.row_count,
            prepared,
            index,
            columns,
            last_used: Mutex::new(Instant::now()),
        });
        self.warm.insert(warm.clone());
        Ok(warm)
    }

    /// How many configs have a warm index now (for diagnostics and tests).
    pub fn warm_indexes(&self) -> usize {
        self.warm.len()
    }

    /// Frees the warm indexes unused for `idle` (the app and `serve` call it as time passes).
    pub fn free_idle_indexes(&self, idle: Duration) -> usize {
        self.warm.free_idle(idle)
    }
}
