//! Predict jobs (spec B.6): a trained model applied to sources and targets (those of the request,
//! else those it was trained on) in the background; the job's result lists, per source, its best
//! targets with their scores.

use serde::{Deserialize, Serialize};
use store::{EmJobRecord, StoreError};

use super::entities::{field_values, EmEntity, IdEither, MatchField};
use super::models::training_of;
use super::{COMPLETED, FAILED, QUEUED, RUNNING};
use crate::error::{Result, ServiceError};
use crate::lease::now_ms;
use crate::Workspace;

/// The body of `POST /context/entitymatching/predict` (spec B.6.1).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EmPredictInput {
    #[serde(default)]
    pub id: Option<i64>,
    #[serde(default)]
    pub external_id: Option<String>,
    #[serde(default)]
    pub sources: Option<Vec<EmEntity>>,
    #[serde(default)]
    pub targets: Option<Vec<EmEntity>>,
    #[serde(default)]
    pub num_matches: Option<u32>,
    #[serde(default)]
    pub score_threshold: Option<f64>,
}

/// One target proposed for a source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmMatch {
    pub score: f64,
    pub target: EmEntity,
}

/// A source with its proposed targets, best first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmPredictItem {
    pub source: EmEntity,
    pub matches: Vec<EmMatch>,
}

/// A predict job (spec B.6.2); `items` once completed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EmJob {
    pub job_id: i64,
    pub status: String,
    pub created_time: i64,
    pub start_time: Option<i64>,
    pub status_time: i64,
    pub error_message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub items: Option<Vec<EmPredictItem>>,
    /// The job's `X-Job-Token` (answered in a header, never in the body).
    #[serde(skip)]
    pub token: String,
}

/// What the job runs on, as stored with it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PredictRequest {
    model_id: i64,
    sources: Option<Vec<EmEntity>>,
    targets: Option<Vec<EmEntity>>,
    num_matches: u32,
    score_threshold: Option<f64>,
}

impl Workspace {
    /// Queues a predict job with a trained model; refused (400) while the model is not
    /// `Completed`.
    pub fn em_predict(&self, input: EmPredictInput) -> Result<EmJob> {
        let reference = IdEither::of(input.id, input.external_id.as_deref())
            .ok_or_else(|| ServiceError::validation("id", "id or externalId is required"))?;
        let model = self.em_model_by(&reference)?;
        if model.status != COMPLETED {
            return Err(ServiceError::validation(
                "id",
                format!(
                    "model {} is {}, not Completed: predict once it is trained",
                    model.id, model.status
                ),
            ));
        }
        let num_matches = input.num_matches.unwrap_or(1);
        if num_matches > 100 {
            return Err(ServiceError::validation("numMatches", "must be 0 to 100"));
        }
        if let Some(t) = input.score_threshold {
            if !(0.0..=1.0).contains(&t) {
                return Err(ServiceError::validation("scoreThreshold", "must be 0 to 1"));
            }
        }
        if let Some(targets) = &input.targets {
            if targets.is_empty() {
                return Err(ServiceError::validation(
                    "targets",
                    "must hold at least one target",
                ));
            }
        }
        let fields = &model.match_fields;
        let ignore = model.ignore_missing_fields;
        if let Some(s) = &input.sources {
            field_values(s, |m| &m.source, fields, ignore, "sources")?;
        }
        if let Some(t) = &input.targets {
            field_values(t, |m| &m.target, fields, ignore, "targets")?;
        }
        let request = PredictRequest {
            model_id: model.id,
            sources: input.sources,
            targets: input.targets,
            num_matches,
            score_threshold: input.score_threshold,
        };
        let now = now_ms();
        let record = EmJobRecord {
            job_id: 0,
            model_id: Some(model.id),
            status: QUEUED.into(),
            created_time: now,
            start_time: None,
            status_time: now,
            error_message: None,
            token: uuid::Uuid::new_v4().simple().to_string(),
        };
        let json =
            serde_json::to_string(&request).map_err(|e| ServiceError::Internal(e.to_string()))?;
        let job_id = self.store.insert_em_job(&record, &json)?;
        // Read before the job starts: the answer is the job as queued (spec B.6.1).
        let mut job = self.em_job(job_id)?;
        let store = self.store.clone();
        let fields = model.match_fields.clone();
        self.runtime.spawn_blocking(move || {
            let _ = store.set_em_job_status(job_id, RUNNING, now_ms(), None, None);
            let _ = match predict(&store, &request, &fields, ignore) {
                Ok(items) => {
                    store.set_em_job_status(job_id, COMPLETED, now_ms(), Some(&items), None)
                }
                Err(e) => store.set_em_job_status(job_id, FAILED, now_ms(), None, Some(&e)),
            };
        });
        job.token = record.token;
        Ok(job)
    }

    /// A job, with its result items once completed.
    pub fn em_job(&self, job_id: i64) -> Result<EmJob> {
        let r = self.store.get_em_job(job_id).map_err(|e| match e {
            StoreError::NotFound { .. } => ServiceError::not_found("job", job_id.to_string()),
            e => e.into(),
        })?;
        let (_, items) = self.store.em_job_payload(job_id)?;
        let items = match items {
            Some(json) if r.status == COMPLETED => Some(
                serde_json::from_str(&json)
                    .map_err(|e| ServiceError::Internal(format!("job {job_id}: items: {e}")))?,
            ),
            _ => None,
        };
        Ok(EmJob {
            job_id: r.job_id,
            status: r.status,
            created_time: r.created_time,
            start_time: r.start_time,
            status_time: r.status_time,
            error_message: r.error_message,
            items,
            token: r.token,
        })
    }
}

/// Runs a predict job: the result items as JSON, or why it failed.
fn predict(
    store: &store::Store,
    request: &PredictRequest,
    fields: &[MatchField],
    ignore: bool,
) -> std::result::Result<String, String> {
    let (training, fitted) = training_of(store, request.model_id).map_err(|e| e.to_string())?;
    let fitted = fitted.ok_or("the model has no trained parameters")?;
    let model: engine::em::TrainedModel =
        serde_json::from_str(&fitted).map_err(|e| format!("the trained model is damaged: {e}"))?;
    let sources = request.sources.as_ref().unwrap_or(&training.sources);
    let targets = request.targets.as_ref().unwrap_or(&training.targets);
    let source_values = field_values(sources, |m| &m.source, fields, ignore, "sources")
        .map_err(|e| e.to_string())?;
    let target_values = field_values(targets, |m| &m.target, fields, ignore, "targets")
        .map_err(|e| e.to_string())?;
    let found = engine::em::predict(
        &model,
        &source_values,
        &target_values,
        request.num_matches as usize,
        request.score_threshold,
        &engine::CancelToken::new(),
    )
    .map_err(|e| e.to_string())?;
    let items: Vec<EmPredictItem> = sources
        .iter()
        .zip(found)
        .map(|(source, matches)| EmPredictItem {
            source: source.clone(),
            matches: matches
                .into_iter()
                .map(|(t, score)| EmMatch {
                    score,
                    target: targets[t].clone(),
                })
                .collect(),
        })
        .collect();
    serde_json::to_string(&items).map_err(|e| e.to_string())
}
