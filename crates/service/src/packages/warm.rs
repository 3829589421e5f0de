//! Warm indexes: a package run (or one document matched now) scores a handful of documents
//! against reference data that may hold a million rows, so the rows and the candidate index of a
//! config are kept between calls instead of being loaded and built every time. Kept per config
//! while the config is unchanged, at most `MAX_WARM` of them, and freed when idle.

use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use engine::index::ReferenceIndex;
use engine::progress::NoProgress;
use engine::run::DocumentSource;
use engine::run::RunInput;
use engine::{CancelToken, MatchingConfig};

use crate::error::{Result, ServiceError};
use crate::lock;
use crate::prepare::{prepare_run, Prepared, RunSpec};
use crate::Workspace;

/// Configs whose index is kept warm at once; the least recently used goes first.
const MAX_WARM: usize = 2;
/// An index unused this long is freed (the default of `OpenOptions::warm_index_idle`).
pub(crate) const IDLE: Duration = Duration::from_secs(10 * 60);
/// The longest between two looks for idle indexes.
const LOOK_EVERY: Duration = Duration::from_secs(30);

/// One config's reference rows, plan and index, as of the config's `updated_at` and its reference
/// data's rows; or a finished run's, from its config snapshot and pinned rows (see `warm_run`).
pub(crate) struct Warm {
    /// The config's id, or `run_key` of a run.
    config_id: String,
    updated_at: String,
    reference_rows: u64,
    /// The reference data's version: a refresh from its database replaces the rows in place.
    reference_version: u32,
    prepared: Prepared,
    index: ReferenceIndex,
    /// The document columns the plan was made for: the config's mapped fields, in order (a
    /// run's: its documents' columns).
    pub columns: Vec<String>,
    /// A run's first documents, which decided how it read ambiguous dates (empty for a config).
    pub sample: Vec<engine::Document>,
    /// A run's document source (its set, or every set when `None`).
    pub document_set_id: Option<String>,
    last_used: Mutex<Instant>,
}

/// What the key of a run's warm index starts with: never a config id, which is a UUID.
const RUN_KEY: &str = "run ";

/// The key of a run's warm index among the configs'.
fn run_key(run_id: &str) -> String {
    format!("{RUN_KEY}{run_id}")
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

    /// A finished run's: its data never changes, so it is found by the run alone.
    fn of_run(
        run_id: &str,
        (prepared, index): (Prepared, ReferenceIndex),
        columns: Vec<String>,
        sample: Vec<engine::Document>,
        document_set_id: Option<String>,
    ) -> Warm {
        Warm {
            config_id: run_key(run_id),
            updated_at: String::new(),
            reference_rows: 0,
            reference_version: 0,
            prepared,
            index,
            columns,
            sample,
            document_set_id,
            last_used: Mutex::new(Instant::now()),
        }
    }
}

/// The workspace's warm indexes.
pub(crate) struct WarmIndexes {
    entries: Mutex<Vec<Arc<Warm>>>,
    /// Unused this long, an index is freed.
    idle: Duration,
}

/// Frees `warm`'s idle indexes as time passes, on `runtime`, until the workspace is gone: an
/// app left open over lunch gives the memory back without waiting for the next package run.
pub(crate) fn free_when_idle(warm: &Arc<WarmIndexes>, runtime: &tokio::runtime::Handle) {
    let weak: Weak<WarmIndexes> = Arc::downgrade(warm);
    let every = (warm.idle / 4).clamp(Duration::from_millis(10), LOOK_EVERY);
    runtime.spawn(async move {
        loop {
            tokio::time::sleep(every).await;
            let Some(warm) = weak.upgrade() else { break };
            warm.free_idle(warm.idle);
        }
    });
}

impl WarmIndexes {
    pub fn new(idle: Duration) -> WarmIndexes {
        WarmIndexes {
            entries: Mutex::new(Vec::new()),
            idle,
        }
    }

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
        free_and_release(gone);
        n
    }

    /// Frees the indexes finished runs left warm (see `keep_run`).
    pub fn free_runs(&self) {
        let gone: Vec<Arc<Warm>> = {
            let mut entries = lock(&self.entries);
            let (gone, keep) = entries
                .drain(..)
                .partition(|w| w.config_id.starts_with(RUN_KEY));
            *entries = keep;
            gone
        };
        free_and_release(gone);
    }

    /// How many configs have a warm index now.
    pub fn len(&self) -> usize {
        lock(&self.entries).len()
    }

    fn find(&self, config: &MatchingConfig, reference: &engine::Dataset) -> Option<Arc<Warm>> {
        let entries = lock(&self.entries);
        let w = entries
            .iter()
            .find(|w| {
                w.config_id == config.id
                    && w.updated_at == config.updated_at
                    && w.reference_rows == reference.row_count
                    && w.reference_version == reference.version
            })?
            .clone();
        *lock(&w.last_used) = Instant::now();
        Some(w)
    }

    /// Keeps the index a run just matched with as the run's warm index (see `Workspace::warm_run`),
    /// so the first read of its results does not build it again.
    pub fn keep_run(
        &self,
        run_id: &str,
        (prepared, index): (Prepared, ReferenceIndex),
        columns: Vec<String>,
        sample: Vec<engine::Document>,
        document_set_id: Option<String>,
    ) {
        self.insert(Arc::new(Warm::of_run(
            run_id,
            (prepared, index),
            columns,
            sample,
            document_set_id,
        )));
    }

    /// A run's warm index: its data never changes (the rows are pinned, the snapshot is fixed).
    fn find_run(&self, run_id: &str) -> Option<Arc<Warm>> {
        let key = run_key(run_id);
        let entries = lock(&self.entries);
        let w = entries.iter().find(|w| w.config_id == key)?.clone();
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
            free_and_release(gone);
        }
    }
}

/// Drops `gone` off the caller's thread (a million rows take a while to free), then has the
/// allocator give the memory back when no one else still holds them.
fn free_and_release(gone: Vec<Arc<Warm>>) {
    if gone.is_empty() {
        return;
    }
    let free = move || {
        let last = gone.iter().all(|w| Arc::strong_count(w) == 1);
        drop(gone);
        if last {
            crate::memory::release_memory();
        }
    };
    // When no thread can be had, the closure, and the indexes with it, are dropped right here.
    let _ = std::thread::Builder::new()
        .name("matchbook-free".into())
        .spawn(free);
}

/// Runs `build` on the matching worker pool and waits for it: a warm index then lives wholly in
/// the workers' memory, which `release_memory` reaches when it is freed (memory of the thread
/// that happened to ask, a pooled blocking thread, it cannot). The callers are never pool
/// workers themselves, so waiting here cannot starve the pool.
fn on_workers<T: Send + 'static>(build: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    rayon::spawn(move || {
        let _ = tx.send(build());
    });
    rx.recv().unwrap_or_else(|_| {
        Err(ServiceError::Internal(
            "building the warm index stopped unexpectedly".into(),
        ))
    })
}

impl Workspace {
    /// The warm index of `config`: kept from an earlier call while the config is unchanged,
    /// built (and kept) otherwise. Idle ones are freed first.
    pub(crate) fn warm_index(&self, config: &MatchingConfig) -> Result<Arc<Warm>> {
        self.warm.free_idle(self.warm.idle);
        // The reference data must still be there, as it was (a changed config has a new
        // `updated_at`; a dataset may be deleted, or refreshed into a new version).
        let dataset = self
            .store
            .get_dataset(&config.reference_data_id)
            .map_err(|e| match e {
                store::StoreError::NotFound { .. } => {
                    ServiceError::not_found("reference data", &config.reference_data_id)
                }
                e => e.into(),
            })?;
        if let Some(w) = self.warm.find(config, &dataset) {
            return Ok(w);
        }
        let mut columns: Vec<String> = Vec::new();
        for m in &config.field_mappings {
            if !columns.contains(&m.source) {
                columns.push(m.source.clone());
            }
        }
        let store = self.store.clone();
        let config_now = config.clone();
        let warm = Arc::new(on_workers(move || {
            let cancel = CancelToken::new();
            let spec = RunSpec::of_config(&config_now);
            let prepared = prepare_run(&store, &spec, &columns, &cancel)?
                .ok_or_else(|| ServiceError::Internal("the reference data did not load".into()))?;
            let index =
                ReferenceIndex::build(&prepared.plan, &prepared.reference, &NoProgress, &cancel)
                    .ok_or_else(|| ServiceError::Internal("the index was not built".into()))?;
            Ok(Warm {
                config_id: config_now.id.clone(),
                updated_at: config_now.updated_at.clone(),
                reference_rows: dataset.row_count,
                reference_version: dataset.version,
                prepared,
                index,
                columns,
                sample: Vec::new(),
                document_set_id: None,
                last_used: Mutex::new(Instant::now()),
            })
        })?);
        self.warm.insert(warm.clone());
        Ok(warm)
    }

    /// The warm index of finished run `run_id`: its config snapshot (and a smart run's model)
    /// over the reference rows it pinned, as the run searched, for filling its results' review
    /// bands (see `bands`). Kept with the configs' warm indexes, and freed the same way.
    pub(crate) fn warm_run(&self, run_id: &str) -> Result<Arc<Warm>> {
        self.warm.free_idle(self.warm.idle);
        if let Some(w) = self.warm.find_run(run_id) {
            return Ok(w);
        }
        let stored = self.store.get_stored_run(run_id)?;
        let pinned = self.store.run_reference_rows(run_id)?;
        let store = self.store.clone();
        let run_id = run_id.to_string();
        let warm = Arc::new(on_workers(move || {
            let cancel = CancelToken::new();
            let config = &stored.config;
            let set_id = config.document_set_id.clone();
            // The run's columns, and its first chunk, which decided how it read dates: read
            // as the run read them (one chunk, even where the first set holds fewer).
            let (columns, mut source) = crate::prepare::document_source(&store, set_id.as_deref())?;
            let sample = source
                .next_chunk(engine::run::ExecOptions::default().chunk_size)?
                .unwrap_or_default();
            drop(source);
            let mut spec = RunSpec::of_run(config, stored.model.as_ref());
            spec.pinned_rows = pinned;
            let mut prepared = prepare_run(&store, &spec, &columns, &cancel)?
                .ok_or_else(|| ServiceError::Internal("the reference data did not load".into()))?;
            prepared.plan = prepared.plan.with_model(stored.model)?;
            let index =
                ReferenceIndex::build(&prepared.plan, &prepared.reference, &NoProgress, &cancel)
                    .ok_or_else(|| ServiceError::Internal("the index was not built".into()))?;
            Ok(Warm::of_run(
                &run_id,
                (prepared, index),
                columns,
                sample,
                set_id,
            ))
        })?);
        self.warm.insert(warm.clone());
        Ok(warm)
    }

    /// How many configs have a warm index now (for diagnostics and tests).
    pub fn warm_indexes(&self) -> usize {
        self.warm.len()
    }

    /// Frees the warm indexes unused for `idle` now (a timer also frees those unused for
    /// `OpenOptions::warm_index_idle`).
    pub fn free_idle_indexes(&self, idle: Duration) -> usize {
        self.warm.free_idle(idle)
    }
}

/// One document to match now against a config's reference data (`match-one`).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MatchOneInput {
    /// Field name to value (text, number, boolean or null), as the config's document fields.
    #[ts(type = "Record<string, unknown>")]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub values: serde_json::Map<String, serde_json::Value>,
    /// An id for the document in the answer; default "document".
    #[serde(default)]
    #[ts(optional)]
    pub document_id: Option<String>,
}

/// What one document matches now: the engine's answer without the run bookkeeping.
#[derive(Debug, Clone, PartialEq, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct MatchOne {
    pub document_id: String,
    /// The best candidate's row when its confidence reaches the config's threshold.
    pub matched_reference_row_id: Option<String>,
    pub confidence: f64,
    /// The best candidates, best first, with the evidence of each field.
    pub candidates: Vec<engine::Candidate>,
}

impl Workspace {
    /// Matches one document now against `config_id`'s reference data through its warm index, and
    /// returns its result (match, confidence, top candidates with evidence) without storing a
    /// run: the question "what does this new document match?" asked of an existing set.
    pub fn match_one(&self, config_id: &str, input: &MatchOneInput) -> Result<MatchOne> {
        let config = self.store.get_config(config_id).map_err(|e| match e {
            store::StoreError::NotFound { .. } => ServiceError::not_found("config", config_id),
            e => e.into(),
        })?;
        if let Some(unknown) = input
            .values
            .keys()
            .find(|k| !config.field_mappings.iter().any(|m| &m.source == *k))
        {
            let fields: Vec<&str> = config
                .field_mappings
                .iter()
                .map(|m| m.source.as_str())
                .collect();
            return Err(ServiceError::validation(
                format!("values.{unknown}"),
                format!(
                    "is not a field this config compares ({})",
                    fields.join(", ")
                ),
            ));
        }
        let warm = self.warm_index(&config)?;
        let document = engine::Document {
            document_id: input
                .document_id
                .clone()
                .filter(|d| !d.trim().is_empty())
                .unwrap_or_else(|| "document".into()),
            document_filename: None,
            values: warm
                .columns
                .iter()
                .map(|c| {
                    input
                        .values
                        .get(c)
                        .map(super::runs::text)
                        .unwrap_or_default()
                })
                .collect(),
        };
        let rejected = self.store.rejected_pairs(&config.reference_data_id)?;
        let mut keep = engine::run::KeepAll::default();
        let docs = [document];
        let Ok(_) = engine::run::execute_indexed(
            &warm.input(&rejected),
            warm.index(),
            &mut engine::run::SliceSource::new(&docs),
            &mut keep,
            &NoProgress,
            &CancelToken::new(),
            engine::run::ExecOptions::default(),
        );
        let m = keep
            .0
            .pop()
            .ok_or_else(|| ServiceError::Internal("the document was not scored".into()))?;
        Ok(MatchOne {
            document_id: m.document_id,
            matched_reference_row_id: m.matched_reference_row_id,
            confidence: m.confidence,
            candidates: m.candidates,
        })
    }
}
