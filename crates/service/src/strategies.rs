//! Strategies (spec A.5): matching plans learned from a reference dataset and documents by
//! `engine::learn`, stored on their own and versioned, edited by deep-merging a partial plan
//! (`edit`), and turned into ordinary configs. Generating one never changes a config.

mod edit;

use engine::learn::{propose_with, read_prompt, StrategyPlan, Tables};
use engine::run::DocumentSource;
use engine::{CancelToken, ConfigInput, Dataset, DatasetKind, Document, MatchingConfig};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use store::{StoreError, StrategyListQuery, StrategyRecord};
use ts_rs::TS;

use crate::error::{Result, ServiceError};
use crate::prepare::document_source;
use crate::{new_id, Workspace};

/// What to learn a strategy from (spec A.5.2).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct GenerateStrategyInput {
    /// The reference data the documents are matched against. Required.
    pub reference_data_id: String,
    /// Required: "run", the only targeting mode.
    pub target_type: String,
    /// The documents to learn from. Default: the config's document set when a config is given,
    /// else every document set, as a run without one covers.
    #[serde(default)]
    #[ts(optional)]
    pub document_set_id: Option<String>,
    /// The config the strategy is for (it is not changed); its reference data must be this one.
    #[serde(default)]
    #[ts(optional)]
    pub matching_config_id: Option<String>,
    /// Guidance in words, e.g. "prioritise the PO number, ignore the description".
    #[serde(default)]
    #[ts(optional)]
    pub user_prompt: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub name: Option<String>,
    /// Only `{}`: the "run" mode takes no values.
    #[serde(default)]
    #[ts(optional, type = "Record<string, unknown>")]
    pub target_value: Option<Value>,
}

/// A change to a strategy (spec A.5.3). Every patch is a new version.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct StrategyPatch {
    /// A new name; an empty one clears it; left out, the name stays.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub name: Option<String>,
    /// The keys of the plan to change, deep-merged into it: objects merge key by key, arrays and
    /// other values replace what was there. Keys the plan does not have (the spec's free-form
    /// `hard_filters`, `field_rules`...) are kept as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "Record<string, unknown>")]
    pub strategy: Option<Value>,
}

/// A config made from a strategy's plan.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct ConfigFromStrategy {
    pub name: String,
    /// The document set its runs match. Default: the one the strategy was learned from (every
    /// document set when it was learned from all of them).
    #[serde(default)]
    #[ts(optional)]
    pub document_set_id: Option<String>,
}

/// A stored strategy (spec A.5.1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MatchingStrategy {
    pub id: String,
    /// Null until someone names it.
    pub name: Option<String>,
    /// The config it was generated for, if any; null once that config is deleted.
    pub matching_config_id: Option<String>,
    pub reference_data_id: String,
    /// The document set it was learned from; null when it was learned from every set.
    pub document_set_id: Option<String>,
    pub target_type: String,
    pub user_prompt: Option<String>,
    #[ts(as = "StrategyPlan")]
    pub strategy: StrategyContent,
    /// 1 when generated, one more with every patch (earlier versions are not kept).
    pub version: u32,
    /// The first 12 hex digits of the SHA-256 of the plan's canonical JSON (sorted keys, no
    /// spaces), so a client sees whether the plan changed (spec C.18).
    pub version_hash: String,
    pub created_at: String,
    pub updated_at: String,
    pub links: StrategyLinks,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct StrategyLinks {
    #[serde(rename = "self")]
    pub self_: String,
}

/// The plan of a strategy: what Matchbook acts on, typed, and any other keys a patch added,
/// kept as written so what a client stored is what it reads back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StrategyContent {
    #[serde(flatten)]
    pub plan: StrategyPlan,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// Edits made from one version that lose the race to another edit are made again on the newer
/// version, this many times at most.
const EDIT_ATTEMPTS: usize = 5;

/// Documents read per store call while loading them to learn from.
const DOCUMENT_CHUNK: usize = 4_096;

/// Trimmed, and `None` when nothing is left.
fn given(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// The spec's targeting mode has one value; anything else is refused rather than stored unused.
fn check_target(input: &GenerateStrategyInput) -> Result<()> {
    match input.target_type.trim() {
        "" => {
            return Err(ServiceError::validation(
                "target_type",
                "is required; the only targeting mode is \"run\"",
            ))
        }
        "run" => {}
        other => {
            return Err(ServiceError::validation(
                "target_type",
                format!("'{other}' is not supported; the only targeting mode is \"run\""),
            ))
        }
    }
    match &input.target_value {
        None => Ok(()),
        Some(Value::Object(m)) if m.is_empty() => Ok(()),
        Some(_) => Err(ServiceError::validation(
            "target_value",
            "must be {} (the \"run\" mode takes no values)",
        )),
    }
}

/// A store record as the service's type; a plan that no longer reads is damaged data.
pub(crate) fn strategy_of(r: StrategyRecord) -> Result<MatchingStrategy> {
    let strategy = serde_json::from_value(r.strategy)
        .map_err(|e| ServiceError::Store(StoreError::Corrupt(format!("strategy {}: {e}", r.id))))?;
    Ok(MatchingStrategy {
        links: StrategyLinks {
            self_: format!("/v1/matching/strategies/{}", r.id),
        },
        id: r.id,
        name: r.name,
        matching_config_id: r.matching_config_id,
        reference_data_id: r.reference_data_id,
        document_set_id: r.document_set_id,
        target_type: r.target_type,
        user_prompt: r.user_prompt,
        strategy,
        version: r.version,
        version_hash: r.version_hash,
        created_at: r.created_at,
        updated_at: r.updated_at,
    })
}

/// What a strategy is learned from, checked.
struct Source {
    reference: Dataset,
    /// The set learned from; `None`: every set.
    document_set_id: Option<String>,
    matching_config_id: Option<String>,
}

impl Workspace {
    /// Learns a strategy from the reference data and the documents and stores it as version 1.
    /// Takes seconds on large data; like every service call, shells make it on a blocking pool.
    pub fn generate_strategy(&self, input: &GenerateStrategyInput) -> Result<MatchingStrategy> {
        let source = self.checked_source(input)?;
        let prompt = given(input.user_prompt.as_deref());
        let plan = self.learn(&source, prompt.as_deref())?;
        let strategy = serde_json::to_value(StrategyContent {
            plan,
            other: Map::new(),
        })
        .map_err(|e| ServiceError::Internal(format!("cannot encode the strategy: {e}")))?;
        let now = self.now();
        let record = StrategyRecord {
            id: new_id(),
            name: given(input.name.as_deref()),
            matching_config_id: source.matching_config_id,
            reference_data_id: source.reference.id,
            document_set_id: source.document_set_id,
            target_type: "run".into(),
            user_prompt: prompt,
            version_hash: edit::version_hash(&strategy),
            strategy,
            version: 1,
            created_at: now.clone(),
            updated_at: now,
        };
        self.store.insert_strategy(&record)?;
        strategy_of(record)
    }

    pub fn get_strategy(&self, id: &str) -> Result<MatchingStrategy> {
        strategy_of(self.store.get_strategy(id)?)
    }

    /// Every strategy, or those of one config, newest first.
    pub fn list_strategies(
        &self,
        matching_config_id: Option<&str>,
    ) -> Result<Vec<MatchingStrategy>> {
        self.store
            .list_strategies(&StrategyListQuery {
                matching_config_id: matching_config_id.map(str::to_string),
                ..StrategyListQuery::default()
            })?
            .into_iter()
            .map(strategy_of)
            .collect()
    }

    /// Renames a strategy and/or deep-merges changes into its plan, as a new version. The merged
    /// plan must read as a plan and be one a config could be made from: anything else is a
    /// validation error naming the key (`strategy.threshold`), and nothing changes.
    pub fn patch_strategy(&self, id: &str, patch: &StrategyPatch) -> Result<MatchingStrategy> {
        if patch.strategy.as_ref().is_some_and(|s| !s.is_object()) {
            return Err(ServiceError::validation(
                "strategy",
                "must be an object holding the keys to change",
            ));
        }
        for _ in 0..EDIT_ATTEMPTS {
            let mut record = self.store.get_strategy(id)?;
            if let Some(name) = &patch.name {
                record.name = given(Some(name));
            }
            if let Some(changes) = &patch.strategy {
                let merged = edit::merged(&record.strategy, changes)?;
                self.check_plan(&record, &merged.plan)?;
                record.strategy = serde_json::to_value(&merged).map_err(|e| {
                    ServiceError::Internal(format!("cannot encode the strategy: {e}"))
                })?;
            }
            record.version += 1;
            record.version_hash = edit::version_hash(&record.strategy);
            record.updated_at = self.now();
            match self.store.update_strategy(&record) {
                Ok(()) => return strategy_of(record),
                Err(StoreError::Stale(_)) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(ServiceError::Conflict(format!(
            "strategy {id} kept changing while this edit was made; try again"
        )))
    }

    /// Creates a config from a strategy's plan through the ordinary config creation, so it is
    /// validated as any other; the strategy is left as it is.
    pub fn create_config_from_strategy(
        &self,
        strategy_id: &str,
        input: &ConfigFromStrategy,
    ) -> Result<MatchingConfig> {
        let s = self.get_strategy(strategy_id)?;
        let config = config_input(
            &s.strategy.plan,
            input.name.clone(),
            s.reference_data_id,
            input.document_set_id.clone().or(s.document_set_id),
        );
        self.create_config(&config)
    }

    fn checked_source(&self, input: &GenerateStrategyInput) -> Result<Source> {
        let reference_id = input.reference_data_id.trim();
        if reference_id.is_empty() {
            return Err(ServiceError::validation(
                "reference_data_id",
                "is required: the reference data to learn a strategy for",
            ));
        }
        check_target(input)?;
        let reference =
            self.dataset_of_kind(reference_id, DatasetKind::Reference, "reference_data_id")?;
        let config_id = given(input.matching_config_id.as_deref());
        let config = match &config_id {
            Some(id) => Some(self.store.get_config(id).map_err(|e| match e {
                StoreError::NotFound { .. } => ServiceError::not_found("config", id),
                e => e.into(),
            })?),
            None => None,
        };
        if let Some(c) = config
            .as_ref()
            .filter(|c| c.reference_data_id != reference.id)
        {
            return Err(ServiceError::validation(
                "matching_config_id",
                format!(
                    "config {} matches against reference data {}, not {}",
                    c.id, c.reference_data_id, reference.id
                ),
            ));
        }
        let document_set_id = match given(input.document_set_id.as_deref()) {
            Some(id) => {
                self.dataset_of_kind(&id, DatasetKind::Documents, "document_set_id")?;
                Some(id)
            }
            None => config.and_then(|c| c.document_set_id),
        };
        Ok(Source {
            reference,
            document_set_id,
            matching_config_id: config_id,
        })
    }

    /// The dataset `id`, which must be of `kind`: unknown is not found, the other kind a
    /// validation error on `field`.
    fn dataset_of_kind(&self, id: &str, kind: DatasetKind, field: &str) -> Result<Dataset> {
        let (what, other) = match kind {
            DatasetKind::Reference => ("reference data", "that dataset holds documents"),
            DatasetKind::Documents => ("document set", "that dataset is reference data"),
        };
        match self.store.get_dataset(id) {
            Ok(d) if d.kind == kind => Ok(d),
            Ok(_) => Err(ServiceError::validation(
                field,
                format!("{other}, not {what}"),
            )),
            Err(StoreError::NotFound { .. }) => Err(ServiceError::not_found(what, id)),
            Err(e) => Err(e.into()),
        }
    }

    /// Loads both tables and asks the engine for a plan.
    fn learn(&self, source: &Source, prompt: Option<&str>) -> Result<StrategyPlan> {
        // Nothing cancels a generation yet; the engine and the store take a token all the same.
        let cancel = CancelToken::new();
        let stopped = || ServiceError::Internal("learning the strategy stopped".into());
        let (dataset, reference) = self
            .store
            .load_reference(&source.reference.id, &cancel)?
            .ok_or_else(stopped)?;
        let (document_columns, documents, skip_documents) =
            self.learning_documents(source.document_set_id.as_deref())?;
        let reference_columns: Vec<String> =
            dataset.columns.iter().map(|c| c.name.clone()).collect();
        let skip_reference: Vec<String> = dataset.id_column.iter().cloned().collect();
        let columns: Vec<&String> = reference_columns.iter().chain(&document_columns).collect();
        let hints = read_prompt(prompt, &columns);
        let tables = Tables {
            reference_columns: &reference_columns,
            reference: &reference,
            document_columns: &document_columns,
            documents: &documents,
            skip_reference: &skip_reference,
            skip_documents: &skip_documents,
            index: None,
        };
        // Reviewers' decisions on this reference data teach the plan (semi-supervised).
        let labels = crate::runner::review_labels(&self.store, &source.reference.id)?;
        let plan = propose_with(&tables, &hints, &labels, &cancel).map_err(learning_failed);
        engine::index::free_in_background((reference, documents));
        plan?.ok_or_else(stopped)
    }

    /// The documents of `set_id` (every set when `None`, aligned as a run aligns them), their
    /// columns, and the columns never compared: each set's document id and file name columns.
    fn learning_documents(
        &self,
        set_id: Option<&str>,
    ) -> Result<(Vec<String>, Vec<Document>, Vec<String>)> {
        let sets: Vec<Dataset> = match set_id {
            Some(id) => {
                vec![self.dataset_of_kind(id, DatasetKind::Documents, "document_set_id")?]
            }
            None => self
                .store
                .list_datasets()?
                .into_iter()
                .filter(|d| d.kind == DatasetKind::Documents)
                .collect(),
        };
        let mut skip: Vec<String> = Vec::new();
        for c in sets
            .iter()
            .flat_map(|d| d.id_column.iter().chain(&d.filename_column))
        {
            if !skip.contains(c) {
                skip.push(c.clone());
            }
        }
        let (columns, mut source) = document_source(&self.store, set_id)?;
        let mut documents = Vec::with_capacity(source.total() as usize);
        while let Some(chunk) = source.next_chunk(DOCUMENT_CHUNK)? {
            documents.extend(chunk);
        }
        if documents.is_empty() {
            return Err(ServiceError::validation(
                "document_set_id",
                match set_id {
                    Some(_) => "that document set has no documents to learn from",
                    None => "there are no documents to learn from: import a document set first",
                },
            ));
        }
        Ok((columns, documents, skip))
    }

    /// Refuses a plan no config could be made from, naming the key of the plan at fault: the
    /// config rules (columns that exist, weights adding up to 1, threshold and review floor in
    /// range) against the strategy's reference data and, while it exists, its document set.
    fn check_plan(&self, record: &StrategyRecord, plan: &StrategyPlan) -> Result<()> {
        let reference = self.store.get_dataset(&record.reference_data_id)?;
        let reference_columns: Vec<String> =
            reference.columns.into_iter().map(|c| c.name).collect();
        let document_columns: Option<Vec<String>> = match &record.document_set_id {
            Some(id) => match self.store.get_dataset(id) {
                Ok(d) => Some(d.columns.into_iter().map(|c| c.name).collect()),
                Err(StoreError::NotFound { .. }) => None,
                Err(e) => return Err(e.into()),
            },
            None => None,
        };
        // The name is the config's business, not the plan's.
        let input = config_input(
            plan,
            "strategy".into(),
            record.reference_data_id.clone(),
            None,
        );
        engine::validate::validate_config(&input, &reference_columns, document_columns.as_deref())
            .map(drop)
            .map_err(|e| match e {
                engine::EngineError::Validation { field, message } => {
                    ServiceError::validation(edit::plan_field(&field), message)
                }
            })
    }
}

/// The engine's refusal as an answer to the request: what it names that the request did not send
/// (its own plan's `field_mappings` when nothing could be paired) is about the data chosen.
fn learning_failed(e: engine::EngineError) -> ServiceError {
    let engine::EngineError::Validation { field, message } = e;
    match field.as_str() {
        "reference_data_id" | "document_set_id" => ServiceError::validation(field, message),
        _ => ServiceError::validation(
            "reference_data_id",
            format!("no strategy could be learned from these tables ({field}: {message})"),
        ),
    }
}

/// The config a plan describes.
fn config_input(
    plan: &StrategyPlan,
    name: String,
    reference_data_id: String,
    document_set_id: Option<String>,
) -> ConfigInput {
    let named_keys = !plan.blocking_keys.is_empty();
    ConfigInput {
        name,
        reference_data_id,
        document_set_id,
        field_mappings: plan.field_mappings.clone(),
        threshold: Some(plan.threshold),
        review_floor: Some(plan.thresholds.review_floor),
        one_to_one: Some(plan.one_to_one),
        schedule: None,
        blocking_keys: named_keys.then(|| plan.blocking_keys.clone()),
        blocking_strategy: named_keys.then_some(plan.blocking_strategy),
    }
}
