//! Entity-matching pipelines (spec B.7): stored, re-runnable settings over the workspace's
//! datasets (sources and targets name datasets where Cognite names CDF resources), with the
//! experts' confirmed and rejected matches, accepted and rejected rules, and replacements.

use std::collections::HashSet;

use engine::em::rules::Rule;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use store::{EmPipelineRecord, StoreError};
use ts_rs::TS;

use super::entities::{IdEither, MatchField, TrueMatch};
use super::pipeline_runs::RunSummary;
use super::shapes::{EmRule, TrueMatchShape};
use crate::error::{Result, ServiceError};
use crate::lease::now_ms;
use crate::Workspace;

/// Which entities a pipeline matches from or to: datasets of the workspace, named in
/// `dataSetIds` by `{"externalId": <dataset id or name>}`. `resource` is kept as given.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DataSelection {
    #[serde(default)]
    pub resource: String,
    #[serde(default)]
    pub data_set_ids: Vec<IdEither>,
    /// Older SDKs select by asset subtree; accepted and kept, read like dataSetIds.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub asset_subtree_ids: Vec<IdEither>,
}

/// The model knobs of a pipeline (spec B.7.1).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ModelParameters {
    #[serde(default)]
    pub feature_type: Option<String>,
    #[serde(default)]
    pub match_fields: Option<Vec<MatchField>>,
    #[serde(default)]
    pub classifier: Option<String>,
    #[serde(default)]
    pub ignore_missing_fields: Option<bool>,
}

/// A substring replaced with a synonym before matching; `field` "*" means every field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct Replacement {
    pub field: String,
    pub string: String,
    pub replacement: String,
}

/// What a pipeline holds besides its identity (the create body, spec B.7.2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PipelineSpec {
    #[serde(default)]
    pub external_id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    pub sources: DataSelection,
    pub targets: DataSelection,
    #[serde(default)]
    pub model_parameters: ModelParameters,
    #[serde(default)]
    #[ts(as = "Vec<TrueMatchShape>")]
    pub true_matches: Vec<TrueMatch>,
    #[serde(default)]
    #[ts(as = "Vec<TrueMatchShape>")]
    pub confirmed_matches: Vec<TrueMatch>,
    #[serde(default)]
    #[ts(as = "Vec<TrueMatchShape>")]
    pub rejected_matches: Vec<TrueMatch>,
    #[serde(default)]
    pub use_existing_matches: bool,
    #[serde(default)]
    pub generate_rules: bool,
    #[serde(default)]
    pub replacements: Vec<Replacement>,
    #[serde(default)]
    #[ts(as = "Vec<EmRule>")]
    pub rules: Vec<Rule>,
    #[serde(default)]
    #[ts(as = "Vec<EmRule>")]
    pub rejected_rules: Vec<Rule>,
    #[serde(default = "default_threshold")]
    pub score_threshold: f64,
    #[serde(default)]
    #[ts(type = "number | null")]
    pub schedule_interval: Option<i64>,
}

fn default_threshold() -> f64 {
    0.5
}

/// A pipeline as answered (spec B.7.1).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Pipeline {
    #[ts(type = "number")]
    pub id: i64,
    pub owner: String,
    #[ts(type = "number")]
    pub created_time: i64,
    #[ts(type = "number")]
    pub last_updated_time: i64,
    #[serde(flatten)]
    pub spec: PipelineSpec,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub last_run: Option<RunSummary>,
}

/// Keys `update` may set (spec B.7.6); the output-only rule keys are dropped from rules.
const UPDATABLE: [&str; 16] = [
    "externalId",
    "name",
    "description",
    "modelParameters",
    "sources",
    "targets",
    "trueMatches",
    "confirmedMatches",
    "rejectedMatches",
    "rules",
    "rejectedRules",
    "replacements",
    "scoreThreshold",
    "useExistingMatches",
    "generateRules",
    "scheduleInterval",
];

fn spec_of(body: &str, id: i64) -> Result<PipelineSpec> {
    serde_json::from_str(body)
        .map_err(|e| ServiceError::Internal(format!("pipeline {id}: settings: {e}")))
}

fn check_spec(s: &PipelineSpec) -> Result<()> {
    if !(0.0..=1.0).contains(&s.score_threshold) {
        return Err(ServiceError::validation("scoreThreshold", "must be 0 to 1"));
    }
    if let Some(i) = s.schedule_interval {
        if i < 60 {
            return Err(ServiceError::validation(
                "scheduleInterval",
                "must be at least 60 seconds (or null for no schedule)",
            ));
        }
    }
    for (name, rules) in [("rules", &s.rules), ("rejectedRules", &s.rejected_rules)] {
        engine::em::rules::compile(rules)
            .map_err(|e| ServiceError::validation(name, e.to_string()))?;
    }
    for (name, sel) in [("sources", &s.sources), ("targets", &s.targets)] {
        if sel.data_set_ids.is_empty() && sel.asset_subtree_ids.is_empty() {
            return Err(ServiceError::validation(
                format!("{name}.dataSetIds"),
                "names no dataset: give [{\"externalId\": <dataset id or name>}]",
            ));
        }
    }
    Ok(())
}

/// The defaults spec B.7.2 gives a pipeline's model: `simple` on name -> name.
fn with_defaults(mut spec: PipelineSpec) -> PipelineSpec {
    let m = &mut spec.model_parameters;
    m.feature_type.get_or_insert_with(|| "simple".into());
    if m.match_fields.as_ref().is_none_or(Vec::is_empty) {
        m.match_fields = Some(MatchField::default_fields());
    }
    spec
}

/// Puts `items[i].` before the field a validation error names.
fn at_item(e: ServiceError, i: usize, batch: bool) -> ServiceError {
    match e {
        ServiceError::Validation { field, message } if batch => ServiceError::Validation {
            field: format!("items[{i}].{field}"),
            message,
        },
        e => e,
    }
}

impl Workspace {
    /// Creates a pipeline (spec B.7.2); its datasets are looked up when it runs.
    pub fn em_create_pipeline(&self, spec: PipelineSpec) -> Result<Pipeline> {
        let mut created = self.em_create_pipelines(vec![spec])?;
        Ok(created.remove(0))
    }

    /// Creates pipelines, all or none: every item is checked, and externalIds taken or repeated
    /// in the batch are refused together, before any is stored.
    pub fn em_create_pipelines(&self, specs: Vec<PipelineSpec>) -> Result<Vec<Pipeline>> {
        let batch = specs.len() > 1;
        let specs: Vec<PipelineSpec> = specs.into_iter().map(with_defaults).collect();
        for (i, spec) in specs.iter().enumerate() {
            check_spec(spec).map_err(|e| at_item(e, i, batch))?;
        }
        let mut seen = HashSet::new();
        let mut duplicated = Vec::new();
        for ext in specs.iter().filter_map(|s| s.external_id.as_ref()) {
            let taken = !seen.insert(ext) || self.store.em_pipeline_id(ext)?.is_some();
            if taken && !duplicated.contains(ext) {
                duplicated.push(ext.clone());
            }
        }
        if !duplicated.is_empty() {
            return Err(ServiceError::Duplicated {
                kind: "pipeline",
                external_ids: duplicated,
            });
        }
        let now = now_ms();
        let records = specs
            .iter()
            .map(|spec| {
                Ok(EmPipelineRecord {
                    id: 0,
                    external_id: spec.external_id.clone(),
                    owner: self.user.clone(),
                    created_time: now,
                    last_updated_time: now,
                    body: serde_json::to_string(spec)
                        .map_err(|e| ServiceError::Internal(e.to_string()))?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let ids = self.store.insert_em_pipelines(&records)?;
        ids.into_iter().map(|id| self.em_pipeline(id)).collect()
    }

    pub fn em_pipeline(&self, id: i64) -> Result<Pipeline> {
        let r = self.store.get_em_pipeline(id).map_err(|e| match e {
            StoreError::NotFound { .. } => ServiceError::not_found("pipeline", id.to_string()),
            e => e.into(),
        })?;
        let last_run = self.em_pipeline_runs(id, None, 1)?.into_iter().next();
        Ok(Pipeline {
            id: r.id,
            owner: r.owner,
            created_time: r.created_time,
            last_updated_time: r.last_updated_time,
            spec: spec_of(&r.body, r.id)?,
            last_run,
        })
    }

    pub fn em_pipeline_by(&self, r: &IdEither) -> Result<Pipeline> {
        match r {
            IdEither::Id { id } => self.em_pipeline(*id),
            IdEither::ExternalId { external_id } => match self.store.em_pipeline_id(external_id)? {
                Some(id) => self.em_pipeline(id),
                None => Err(ServiceError::not_found("pipeline", external_id.clone())),
            },
        }
    }

    /// Pipelines by id, after the id `after`, at most `limit`.
    pub fn em_pipelines(&self, after: i64, limit: u32) -> Result<Vec<Pipeline>> {
        self.store
            .list_em_pipelines(after, limit)?
            .iter()
            .map(|r| self.em_pipeline(r.id))
            .collect()
    }

    /// Sets fields of a pipeline (spec B.7.6): `update` is `{"<field>": {"set": value}}`.
    pub fn em_update_pipeline(
        &self,
        id: i64,
        update: &serde_json::Map<String, Value>,
    ) -> Result<Pipeline> {
        let mut updated = self.em_update_pipelines(&[(id, update.clone())])?;
        Ok(updated.remove(0))
    }

    /// Updates pipelines, all or none: every change is checked, and externalIds taken by other
    /// pipelines or set twice in the batch are refused together, before any is stored.
    pub fn em_update_pipelines(
        &self,
        items: &[(i64, serde_json::Map<String, Value>)],
    ) -> Result<Vec<Pipeline>> {
        let batch = items.len() > 1;
        let mut records = Vec::with_capacity(items.len());
        let mut seen = HashSet::new();
        let mut duplicated = Vec::new();
        for (i, (id, update)) in items.iter().enumerate() {
            let record = self
                .updated_record(*id, update)
                .map_err(|e| at_item(e, i, batch))?;
            if let Some(ext) = &record.external_id {
                let other = self.store.em_pipeline_id(ext)?.is_some_and(|o| o != *id);
                if (other || !seen.insert(ext.clone())) && !duplicated.contains(ext) {
                    duplicated.push(ext.clone());
                }
            }
            records.push(record);
        }
        if !duplicated.is_empty() {
            return Err(ServiceError::Duplicated {
                kind: "pipeline",
                external_ids: duplicated,
            });
        }
        self.store.update_em_pipelines(&records)?;
        items.iter().map(|(id, _)| self.em_pipeline(*id)).collect()
    }

    /// The stored form of pipeline `id` with `update` made, checked.
    fn updated_record(
        &self,
        id: i64,
        update: &serde_json::Map<String, Value>,
    ) -> Result<EmPipelineRecord> {
        let current = self.em_pipeline(id)?;
        let mut body = serde_json::to_value(&current.spec)
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        for (key, change) in update {
            if !UPDATABLE.contains(&key.as_str()) {
                return Err(ServiceError::validation(
                    format!("update.{key}"),
                    format!("cannot be updated (updatable: {})", UPDATABLE.join(", ")),
                ));
            }
            let Some(value) = change.get("set") else {
                return Err(ServiceError::validation(
                    format!("update.{key}"),
                    "must be {\"set\": value}",
                ));
            };
            body[key] = strip_output_keys(value.clone());
        }
        let spec = with_defaults(crate::input_from_json(body)?);
        check_spec(&spec)?;
        Ok(EmPipelineRecord {
            id,
            external_id: spec.external_id.clone(),
            owner: current.owner,
            created_time: current.created_time,
            last_updated_time: now_ms(),
            body: serde_json::to_string(&spec)
                .map_err(|e| ServiceError::Internal(e.to_string()))?,
        })
    }

    /// Deletes pipelines with their runs (all or none).
    pub fn em_delete_pipelines(&self, ids: &[i64]) -> Result<()> {
        for id in ids {
            self.em_pipeline(*id)?;
        }
        Ok(self.store.delete_em_pipelines(ids)?)
    }
}

/// Rules copied from a run's output carry `matches`, `numConflicts` and `numOverlaps`; they are
/// dropped when the rules are set (spec B.7.6: the SDK strips them, a client may not).
fn strip_output_keys(mut value: Value) -> Value {
    if let Value::Array(items) = &mut value {
        for item in items {
            if let Value::Object(o) = item {
                for key in [
                    "matches",
                    "numConflicts",
                    "numOverlaps",
                    "conflicts",
                    "overlaps",
                    "flags",
                    "numberOfMatches",
                ] {
                    o.remove(key);
                }
            }
        }
    }
    value
}
