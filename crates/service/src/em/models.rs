//! Entity-matching models (spec B.3, B.4): fit and refit queue a training that runs in the
//! background; read, list, rename and delete them.

use std::str::FromStr;

use engine::em::{Classifier, FeatureType};
use serde::{Deserialize, Serialize};
use store::{EmModelRecord, StoreError};

use super::entities::{
    field_values, resolve_true_matches, EmEntity, IdEither, MatchField, TrueMatch,
};
use super::{COMPLETED, FAILED, QUEUED, RUNNING};
use crate::error::{Result, ServiceError};
use crate::lease::now_ms;
use crate::Workspace;

/// The most sources or targets (or confirmed matches) one request may carry (spec B.4.1).
const MAX_ITEMS: usize = 2_000_000;

/// The body of `POST /context/entitymatching` (spec B.4.1).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EmFitInput {
    /// Cognite's SDK sends every key, `null` for what is not given.
    #[serde(default)]
    pub sources: Option<Vec<EmEntity>>,
    #[serde(default)]
    pub targets: Option<Vec<EmEntity>>,
    #[serde(default)]
    pub true_matches: Option<Vec<TrueMatch>>,
    #[serde(default)]
    pub external_id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub feature_type: Option<String>,
    #[serde(default)]
    pub match_fields: Option<Vec<MatchField>>,
    #[serde(default)]
    pub classifier: Option<String>,
    #[serde(default)]
    pub ignore_missing_fields: Option<bool>,
}

/// The body of `POST /context/entitymatching/refit` (spec B.4.7).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EmRefitInput {
    #[serde(default)]
    pub id: Option<i64>,
    #[serde(default)]
    pub external_id: Option<String>,
    #[serde(default)]
    pub new_external_id: Option<String>,
    #[serde(default)]
    pub true_matches: Option<Vec<TrueMatch>>,
    #[serde(default)]
    pub sources: Option<Vec<EmEntity>>,
    #[serde(default)]
    pub targets: Option<Vec<EmEntity>>,
}

/// A model (spec B.3).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EmModel {
    pub id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    pub status: String,
    pub created_time: i64,
    pub start_time: Option<i64>,
    pub status_time: i64,
    pub name: Option<String>,
    pub description: Option<String>,
    pub error_message: Option<String>,
    pub feature_type: String,
    pub match_fields: Vec<MatchField>,
    pub ignore_missing_fields: bool,
    /// The classifier of a supervised model; "Unsupervised" otherwise (spec B.3).
    pub classifier: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub original_id: Option<i64>,
}

/// The filter of the model list (spec B.4.4); `originalModelId` is the JS SDK's name.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EmModelFilter {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub feature_type: Option<String>,
    #[serde(default)]
    pub classifier: Option<String>,
    #[serde(default, alias = "originalModelId")]
    pub original_id: Option<i64>,
}

/// What an update sets (spec B.4.5: only the name and the description).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EmUpdate {
    pub name: Option<String>,
    pub description: Option<String>,
}

/// The training data kept with a model, as JSON.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Training {
    pub sources: Vec<EmEntity>,
    pub targets: Vec<EmEntity>,
    pub true_matches: Vec<TrueMatch>,
}

/// A fit, checked and read: the record to store and what training needs.
struct Fit {
    record: EmModelRecord,
    training: Training,
    feature_type: FeatureType,
    classifier: Option<Classifier>,
    match_fields: Vec<MatchField>,
}

fn model_of(r: EmModelRecord) -> Result<EmModel> {
    let match_fields: Vec<MatchField> = serde_json::from_str(&r.match_fields)
        .map_err(|e| ServiceError::Internal(format!("model {}: match fields: {e}", r.id)))?;
    Ok(EmModel {
        id: r.id,
        external_id: r.external_id,
        status: r.status,
        created_time: r.created_time,
        start_time: r.start_time,
        status_time: r.status_time,
        name: r.name,
        description: r.description,
        error_message: r.error_message,
        feature_type: r.feature_type,
        match_fields,
        ignore_missing_fields: r.ignore_missing_fields,
        classifier: r.classifier.unwrap_or_else(|| "Unsupervised".into()),
        original_id: r.original_id,
    })
}

fn check_len(field: &str, value: &Option<String>, max: usize) -> Result<()> {
    match value {
        Some(v) if v.chars().count() > max => Err(ServiceError::validation(
            field,
            format!("is longer than {max} characters"),
        )),
        _ => Ok(()),
    }
}

fn check_count(field: &str, n: usize, min: usize) -> Result<()> {
    if n < min || n > MAX_ITEMS {
        return Err(ServiceError::validation(
            field,
            format!("must hold {min} to {MAX_ITEMS} items, not {n}"),
        ));
    }
    Ok(())
}

impl Workspace {
    /// Queues the training of a model (spec B.4.1): supervised with confirmed matches, else
    /// unsupervised. Everything that can be checked is checked now (a 400 naming the field);
    /// the model answers `Queued` and trains in the background.
    pub fn em_fit(&self, input: EmFitInput) -> Result<EmModel> {
        let fit = self.check_fit(input, None)?;
        self.queue_fit(fit)
    }

    fn check_fit(&self, input: EmFitInput, original_id: Option<i64>) -> Result<Fit> {
        let sources = input.sources.unwrap_or_default();
        let targets = input.targets.unwrap_or_default();
        check_count("sources", sources.len(), 0)?;
        check_count("targets", targets.len(), 1)?;
        check_len("externalId", &input.external_id, 255)?;
        check_len("name", &input.name, 256)?;
        check_len("description", &input.description, 500)?;
        if let Some(ext) = &input.external_id {
            if self.store.em_model_id(ext)?.is_some() {
                return Err(ServiceError::Conflict(format!(
                    "a model with externalId {ext:?} exists"
                )));
            }
        }
        let feature_type = match input.feature_type.as_deref() {
            None => FeatureType::Simple,
            Some(f) => FeatureType::from_str(f).map_err(|_| {
                ServiceError::validation("featureType", format!("{f:?} is not a feature type"))
            })?,
        };
        let true_matches = input.true_matches.unwrap_or_default();
        let classifier = if true_matches.is_empty() {
            None
        } else {
            Some(match input.classifier.as_deref() {
                None => Classifier::RandomForest,
                Some(c) => Classifier::from_str(&c.to_ascii_lowercase()).map_err(|_| {
                    ServiceError::validation("classifier", format!("{c:?} is not a classifier"))
                })?,
            })
        };
        let match_fields = input
            .match_fields
            .filter(|f| !f.is_empty())
            .unwrap_or_else(MatchField::default_fields);
        let ignore_missing = input.ignore_missing_fields.unwrap_or(false);
        // Read now so a missing field or a match naming nothing is a 400, not a failed model.
        field_values(
            &sources,
            |m| &m.source,
            &match_fields,
            ignore_missing,
            "sources",
        )?;
        field_values(
            &targets,
            |m| &m.target,
            &match_fields,
            ignore_missing,
            "targets",
        )?;
        resolve_true_matches(&true_matches, &sources, &targets)?;
        let now = now_ms();
        Ok(Fit {
            record: EmModelRecord {
                id: 0,
                external_id: input.external_id,
                name: input.name,
                description: input.description,
                status: QUEUED.into(),
                feature_type: feature_type.as_str().into(),
                match_fields: serde_json::to_string(&match_fields)
                    .map_err(|e| ServiceError::Internal(e.to_string()))?,
                classifier: classifier.map(|c| c.as_str().to_string()),
                ignore_missing_fields: ignore_missing,
                original_id,
                created_time: now,
                start_time: None,
                status_time: now,
                error_message: None,
            },
            training: Training {
                sources,
                targets,
                true_matches,
            },
            feature_type,
            classifier,
            match_fields,
        })
    }

    /// Stores the model as Queued and trains it on the blocking pool.
    fn queue_fit(&self, fit: Fit) -> Result<EmModel> {
        let training = serde_json::to_string(&fit.training)
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        let id = self.store.insert_em_model(&fit.record, &training)?;
        // Read before the training starts: the answer is the model as queued (spec B.4.1).
        let queued = self.em_model(id)?;
        let store = self.store.clone();
        let ignore_missing = fit.record.ignore_missing_fields;
        self.runtime.spawn_blocking(move || {
            let _ = store.set_em_model_status(id, RUNNING, now_ms(), None, None);
            let trained = train(&fit, ignore_missing);
            let _ = match trained {
                Ok(json) => store.set_em_model_status(id, COMPLETED, now_ms(), Some(&json), None),
                Err(e) => store.set_em_model_status(id, FAILED, now_ms(), None, Some(&e)),
            };
        });
        Ok(queued)
    }

    pub fn em_model(&self, id: i64) -> Result<EmModel> {
        model_of(self.store.get_em_model(id).map_err(|e| match e {
            StoreError::NotFound { .. } => ServiceError::not_found("model", id.to_string()),
            e => e.into(),
        })?)
    }

    /// The model an id or external id names.
    pub fn em_model_by(&self, r: &IdEither) -> Result<EmModel> {
        match r {
            IdEither::Id { id } => self.em_model(*id),
            IdEither::ExternalId { external_id } => match self.store.em_model_id(external_id)? {
                Some(id) => self.em_model(id),
                None => Err(ServiceError::not_found("model", external_id.clone())),
            },
        }
    }

    pub fn em_models(&self, filter: &EmModelFilter, limit: Option<u32>) -> Result<Vec<EmModel>> {
        let f = store::EmModelFilter {
            name: filter.name.clone(),
            description: filter.description.clone(),
            feature_type: filter.feature_type.clone(),
            // Unsupervised models are listed under the classifier they show (spec B.3).
            classifier: filter.classifier.as_ref().map(|c| {
                if c.eq_ignore_ascii_case("unsupervised") {
                    String::new()
                } else {
                    c.clone()
                }
            }),
            original_id: filter.original_id,
        };
        self.store
            .list_em_models(&f, limit)?
            .into_iter()
            .map(model_of)
            .collect()
    }

    pub fn em_update(&self, id: i64, update: &EmUpdate) -> Result<EmModel> {
        check_len("name", &update.name, 256)?;
        check_len("description", &update.description, 500)?;
        self.em_model(id)?;
        self.store
            .update_em_model(id, update.name.as_deref(), update.description.as_deref())?;
        self.em_model(id)
    }

    /// Deletes the models (all or none: every id must exist).
    pub fn em_delete(&self, ids: &[i64]) -> Result<()> {
        for id in ids {
            self.em_model(*id)?;
        }
        Ok(self.store.delete_em_models(ids)?)
    }

    /// A new model from an old one and more confirmed matches (spec B.4.7): the old one's
    /// matches stay except where a new one names the same source; its sources and targets are
    /// reused unless new ones are given.
    pub fn em_refit(&self, input: EmRefitInput) -> Result<EmModel> {
        let reference = IdEither::of(input.id, input.external_id.as_deref())
            .ok_or_else(|| ServiceError::validation("id", "id or externalId is required"))?;
        let original = self.em_model_by(&reference)?;
        let new_matches = input.true_matches.unwrap_or_default();
        if new_matches.is_empty() {
            return Err(ServiceError::validation(
                "trueMatches",
                "must hold at least one match",
            ));
        }
        let (old, _) = training_of(&self.store, original.id)?;
        let sources = input.sources.unwrap_or(old.sources);
        let targets = input.targets.unwrap_or(old.targets);
        let renamed = |m: &TrueMatch| (m.source_id, m.source_external_id.clone());
        let mut true_matches: Vec<TrueMatch> = old
            .true_matches
            .into_iter()
            .filter(|m| !new_matches.iter().any(|n| renamed(n) == renamed(m)))
            .collect();
        true_matches.extend(new_matches);
        let classifier = match original.classifier.as_str() {
            "Unsupervised" => None,
            c => Some(c.to_string()),
        };
        let fit = self.check_fit(
            EmFitInput {
                sources: Some(sources),
                targets: Some(targets),
                true_matches: Some(true_matches),
                external_id: input.new_external_id,
                name: original.name,
                description: original.description,
                feature_type: Some(original.feature_type),
                match_fields: Some(original.match_fields),
                classifier,
                ignore_missing_fields: Some(original.ignore_missing_fields),
            },
            Some(original.id),
        )?;
        self.queue_fit(fit)
    }
}

/// Trains the model: its fitted form as JSON, or why it failed.
fn train(fit: &Fit, ignore_missing: bool) -> std::result::Result<String, String> {
    let t = &fit.training;
    let sources = field_values(
        &t.sources,
        |m| &m.source,
        &fit.match_fields,
        ignore_missing,
        "sources",
    )
    .map_err(|e| e.to_string())?;
    let targets = field_values(
        &t.targets,
        |m| &m.target,
        &fit.match_fields,
        ignore_missing,
        "targets",
    )
    .map_err(|e| e.to_string())?;
    let pairs =
        resolve_true_matches(&t.true_matches, &t.sources, &t.targets).map_err(|e| e.to_string())?;
    let model = engine::em::fit(
        fit.feature_type,
        fit.classifier,
        &sources,
        &targets,
        &pairs,
        &engine::CancelToken::new(),
    )
    .map_err(|e| e.to_string())?;
    serde_json::to_string(&model).map_err(|e| e.to_string())
}

/// The training data of a stored model.
pub(super) fn training_of(store: &store::Store, id: i64) -> Result<(Training, Option<String>)> {
    let (training, fitted) = store.em_model_payload(id)?;
    let t: Training = serde_json::from_str(&training)
        .map_err(|e| ServiceError::Internal(format!("model {id}: training data: {e}")))?;
    Ok((t, fitted))
}
