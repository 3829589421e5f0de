//! Matching configs: validated against their datasets, created, edited, listed, deleted.

use engine::validate::validate_config;
use engine::{BlockingKey, BlockingStrategy, ConfigInput, DatasetKind, MatchingConfig};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Result, ServiceError};
use crate::{new_id, Workspace};

impl Workspace {
    pub(crate) fn checked_config(&self, input: &ConfigInput) -> Result<(f64, f64)> {
        let reference = match self.store.get_dataset(&input.reference_data_id) {
            Ok(d) if d.kind == DatasetKind::Reference => d,
            Ok(_) => {
                return Err(ServiceError::validation(
                    "reference_data_id",
                    "that dataset holds documents, not reference data",
                ))
            }
            Err(store::StoreError::NotFound { .. })
                if input.reference_data_id.trim().is_empty() =>
            {
                return Err(ServiceError::validation(
                    "reference_data_id",
                    "choose the reference data to match against",
                ))
            }
            Err(store::StoreError::NotFound { .. }) => {
                return Err(ServiceError::not_found(
                    "reference data",
                    &input.reference_data_id,
                ))
            }
            Err(e) => return Err(e.into()),
        };
        let doc_columns = match &input.document_set_id {
            Some(id) => {
                let d = self.store.get_dataset(id).map_err(|e| match e {
                    store::StoreError::NotFound { .. } => {
                        ServiceError::not_found("document set", id)
                    }
                    e => e.into(),
                })?;
                if d.kind != DatasetKind::Documents {
                    return Err(ServiceError::validation(
                        "document_set_id",
                        "that dataset is reference data, not documents",
                    ));
                }
                Some(d.columns.into_iter().map(|c| c.name).collect::<Vec<_>>())
            }
            None => None,
        };
        let ref_columns: Vec<String> = reference.columns.into_iter().map(|c| c.name).collect();
        let checked = validate_config(input, &ref_columns, doc_columns.as_deref())?;
        // Scheduling is the service's business, not matching's: checked last, as it always was.
        if let Some(schedule) = &input.schedule {
            crate::cron::validate_schedule(schedule)?;
        }
        Ok(checked)
    }

    pub fn create_config(&self, input: &ConfigInput) -> Result<MatchingConfig> {
        let (threshold, review_floor) = self.checked_config(input)?;
        let now = self.now();
        let config = MatchingConfig {
            id: new_id(),
            name: input.name.trim().to_string(),
            reference_data_id: input.reference_data_id.clone(),
            document_set_id: input.document_set_id.clone(),
            target_type: "run".into(),
            target_value: serde_json::json!({}),
            field_mappings: input.field_mappings.clone(),
            threshold,
            review_floor,
            one_to_one: input.one_to_one.unwrap_or(false),
            schedule: input.schedule.clone(),
            blocking_keys: input.blocking_keys.clone(),
            blocking_strategy: input.blocking_strategy,
            created_at: now.clone(),
            updated_at: now,
        };
        self.store.insert_config(&config)?;
        Ok(config)
    }

    /// Replaces a config's settings; applies from the next run. The reference data is fixed.
    pub fn update_config(&self, id: &str, input: &ConfigInput) -> Result<MatchingConfig> {
        let mut config = self.store.get_config(id)?;
        if input.reference_data_id != config.reference_data_id {
            return Err(ServiceError::validation(
                "reference_data_id",
                "a config's reference data cannot change; create a new config instead",
            ));
        }
        let (threshold, review_floor) = self.checked_config(input)?;
        config.name = input.name.trim().to_string();
        config.document_set_id = input.document_set_id.clone();
        config.field_mappings = input.field_mappings.clone();
        config.threshold = threshold;
        config.review_floor = review_floor;
        config.one_to_one = input.one_to_one.unwrap_or(false);
        config.schedule = input.schedule.clone();
        config.blocking_keys = input.blocking_keys.clone();
        config.blocking_strategy = input.blocking_strategy;
        config.updated_at = self.now();
        self.store.update_config(&config)?;
        Ok(config)
    }

    pub fn get_config(&self, id: &str) -> Result<MatchingConfig> {
        Ok(self.store.get_config(id)?)
    }

    pub fn list_configs(&self) -> Result<Vec<MatchingConfig>> {
        Ok(self.store.list_configs()?)
    }

    pub fn delete_config(&self, id: &str) -> Result<()> {
        Ok(self.store.delete_config(id)?)
    }
}

/// How candidate search looks one field up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldSearch {
    pub source: String,
    pub target: String,
    /// The kinds of key, in words; empty when the field is only compared.
    pub keys: Vec<String>,
}

/// How a config's runs find their candidates: the blocking keys it names, or else the keys
/// Matchbook picks per field, and the block sizes that decide what is compared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CandidateSearch {
    /// The keys the config names, in order; empty when Matchbook picks its own.
    pub named_keys: Vec<BlockingKey>,
    pub strategy: BlockingStrategy,
    /// The keys Matchbook picks per field (used when no keys are named).
    pub fields: Vec<FieldSearch>,
    /// A block of at most this many rows is compared whole; a larger one only where the fields
    /// its rows agree on are rare together. Either way only rows that could reach the review
    /// floor; any row that could reach the threshold is compared.
    pub compared_whole_up_to: u32,
    /// Blocks of more rows are not walked.
    pub walked_up_to: u32,
}

/// How candidate search works for `config` (the engine's choice; nothing here decides).
pub fn candidate_search(config: &MatchingConfig) -> CandidateSearch {
    let fields = engine::index::search_keys(&config.field_mappings)
        .into_iter()
        .zip(&config.field_mappings)
        .map(|(kinds, m)| FieldSearch {
            source: m.source.clone(),
            target: m.target.clone(),
            keys: kinds.iter().map(|k| k.describe().to_string()).collect(),
        })
        .collect();
    CandidateSearch {
        named_keys: config.blocking_keys.clone().unwrap_or_default(),
        strategy: config.blocking_strategy.unwrap_or_default(),
        fields,
        compared_whole_up_to: engine::index::ADMIT_CAP as u32,
        walked_up_to: engine::index::VISIT_CAP as u32,
    }
}
