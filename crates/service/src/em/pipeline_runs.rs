//! Pipeline runs (spec B.8): read the pipeline's datasets, fit its model, and give each source
//! its match by the documented precedence (confirmed > rule > model above the threshold, never a
//! rejected pair), with generated and suggested rules; run in the background.

use std::collections::{BTreeMap, HashSet};
use std::time::{Duration, Instant};

use engine::em::rules::{self, Fields, GeneratedRule, SuggestedRule};
use engine::em::{Classifier, FeatureType};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use store::{EmPipelineRunRecord, Store, StoreError};
use ts_rs::TS;

use super::entities::{EmEntity, IdEither, Lookup, MatchField, TrueMatch};
use super::output;
use super::pipelines::{DataSelection, PipelineSpec, Replacement};
use super::{COMPLETED, FAILED, QUEUED, RUNNING};
use crate::error::{Result, ServiceError};
use crate::lease::now_ms;
use crate::Workspace;

/// A run as listed (spec B.8.2).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, rename = "PipelineRunSummary")]
pub struct RunSummary {
    #[ts(type = "number")]
    pub job_id: i64,
    #[ts(type = "number")]
    pub pipeline_id: i64,
    pub status: String,
    #[ts(type = "number")]
    pub created_time: i64,
    #[ts(type = "number | null")]
    pub start_time: Option<i64>,
    #[ts(type = "number")]
    pub status_time: i64,
    pub error_message: Option<String>,
}

/// A run with its results once completed (spec B.8.3).
/// (Its TypeScript type is `shapes::RunResultShape`: ts-rs cannot flatten an `Option`.)
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunResult {
    #[serde(flatten)]
    pub summary: RunSummary,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub output: Option<RunOutput>,
}

/// What a completed run found.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, rename = "PipelineRunOutput")]
pub struct RunOutput {
    #[ts(as = "Vec<super::shapes::PipelineMatch>")]
    pub matches: Vec<Value>,
    #[ts(as = "Vec<super::shapes::SuggestedRule>")]
    pub suggested_rules: Vec<Value>,
    #[ts(as = "Vec<super::shapes::GeneratedRule>")]
    pub generated_rules: Vec<Value>,
    pub errors: Vec<String>,
}

fn summary_of(r: EmPipelineRunRecord) -> RunSummary {
    RunSummary {
        job_id: r.job_id,
        pipeline_id: r.pipeline_id,
        status: r.status,
        created_time: r.created_time,
        start_time: r.start_time,
        status_time: r.status_time,
        error_message: r.error_message,
    }
}

impl Workspace {
    /// Starts a run of the pipeline (spec B.8.1): answers its summary, `Queued`.
    pub fn em_run_pipeline(&self, pipeline_id: i64) -> Result<RunSummary> {
        let pipeline = self.em_pipeline(pipeline_id)?;
        let now = now_ms();
        let job_id = self.store.insert_em_pipeline_run(&EmPipelineRunRecord {
            job_id: 0,
            pipeline_id,
            status: QUEUED.into(),
            created_time: now,
            start_time: None,
            status_time: now,
            error_message: None,
        })?;
        // Read before the run starts: the answer is the run as queued (spec B.8.1).
        let queued = self.em_pipeline_run_summary(job_id)?;
        let store = self.store.clone();
        let spec = pipeline.spec;
        self.runtime.spawn_blocking(move || {
            let _ = store.set_em_pipeline_run_status(job_id, RUNNING, now_ms(), None, None);
            let done = run(&store, &spec);
            let _ = match done {
                Ok(json) => {
                    store.set_em_pipeline_run_status(job_id, COMPLETED, now_ms(), Some(&json), None)
                }
                Err(e) => store.set_em_pipeline_run_status(
                    job_id,
                    FAILED,
                    now_ms(),
                    None,
                    Some(&e.to_string()),
                ),
            };
        });
        Ok(queued)
    }

    /// Starts a run of each pipeline whose `scheduleInterval` (seconds) has passed since its
    /// last run started, and that has no run queued or running; answers the runs started. Called
    /// by the scheduler's pass.
    pub(crate) fn em_run_due_pipelines(&self, now_ms: i64) -> Result<Vec<RunSummary>> {
        let mut started = Vec::new();
        let mut after = 0;
        loop {
            let page = self.store.list_em_pipelines(after, 100)?;
            let Some(last) = page.last() else { break };
            after = last.id;
            for p in page {
                let Some(interval) = self.em_pipeline(p.id)?.spec.schedule_interval else {
                    continue;
                };
                let last = self.em_pipeline_runs(p.id, None, 1)?.into_iter().next();
                let due = match &last {
                    None => true,
                    Some(r) if !super::is_finished(&r.status) => false,
                    Some(r) => now_ms - r.created_time >= interval * 1000,
                };
                if due {
                    started.push(self.em_run_pipeline(p.id)?);
                }
            }
        }
        Ok(started)
    }

    fn em_pipeline_run_summary(&self, job_id: i64) -> Result<RunSummary> {
        Ok(summary_of(self.store.get_em_pipeline_run(job_id).map_err(
            |e| match e {
                StoreError::NotFound { .. } => {
                    ServiceError::not_found("pipeline run", job_id.to_string())
                }
                e => e.into(),
            },
        )?))
    }

    /// A pipeline's runs, newest first, before the job id `before`.
    pub fn em_pipeline_runs(
        &self,
        pipeline_id: i64,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<RunSummary>> {
        Ok(self
            .store
            .list_em_pipeline_runs(pipeline_id, before, limit)?
            .into_iter()
            .map(summary_of)
            .collect())
    }

    /// Waits until run `job_id` of `pipeline_id` is finished, or `timeout` has passed; the run as
    /// it then stands (as `wait_for_run` does for matching runs).
    pub fn em_wait_for_pipeline_run(
        &self,
        pipeline_id: i64,
        job_id: i64,
        timeout: Duration,
    ) -> Result<RunResult> {
        let deadline = Instant::now() + timeout;
        loop {
            let r = self.em_pipeline_run(pipeline_id, job_id)?;
            if super::is_finished(&r.summary.status) || Instant::now() >= deadline {
                return Ok(r);
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// A run of `pipeline_id` with its output once completed.
    pub fn em_pipeline_run(&self, pipeline_id: i64, job_id: i64) -> Result<RunResult> {
        let summary = self.em_pipeline_run_summary(job_id)?;
        if summary.pipeline_id != pipeline_id {
            return Err(ServiceError::not_found("pipeline run", job_id.to_string()));
        }
        let output = match self.store.em_pipeline_run_result(job_id)? {
            Some(json) if summary.status == COMPLETED => Some(
                serde_json::from_str(&json)
                    .map_err(|e| ServiceError::Internal(format!("run {job_id}: result: {e}")))?,
            ),
            _ => None,
        };
        Ok(RunResult { summary, output })
    }
}

/// The entities of the datasets a selection names: each row an object of its columns, with
/// `externalId` its row id and `id` that id when it is a whole number.
fn entities(
    store: &Store,
    sel: &DataSelection,
    side: &str,
    errors: &mut Vec<String>,
) -> Result<Vec<EmEntity>> {
    let datasets = store.list_datasets()?;
    let mut out = Vec::new();
    for (i, r) in sel
        .data_set_ids
        .iter()
        .chain(&sel.asset_subtree_ids)
        .enumerate()
    {
        let IdEither::ExternalId { external_id } = r else {
            return Err(ServiceError::validation(
                format!("{side}.dataSetIds[{i}]"),
                "datasets are named by externalId: the dataset's id or name",
            ));
        };
        let Some(d) = datasets
            .iter()
            .find(|d| &d.id == external_id || &d.name == external_id)
        else {
            errors.push(format!("{side}: no dataset {external_id:?}"));
            continue;
        };
        let mut page = 1;
        loop {
            let rows = store.dataset_rows(&d.id, page, 10_000)?;
            for row in &rows.rows {
                let mut o = serde_json::Map::new();
                if let Ok(n) = row.id.parse::<i64>() {
                    o.insert("id".into(), n.into());
                }
                o.insert("externalId".into(), row.id.clone().into());
                for (c, v) in rows.columns.iter().zip(&row.values) {
                    o.entry(c.clone())
                        .or_insert_with(|| Value::String(v.clone()));
                }
                out.push(o);
            }
            if rows.rows.len() < 10_000 {
                break;
            }
            page += 1;
        }
    }
    Ok(out)
}

/// Every string field of each entity, with the replacements made.
fn fields_of(items: &[EmEntity], replacements: &[Replacement]) -> Vec<Fields> {
    items
        .iter()
        .map(|o| {
            o.iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), replace(k, s, replacements))))
                .collect()
        })
        .collect()
}

fn replace(field: &str, value: &str, replacements: &[Replacement]) -> String {
    let mut v = value.to_string();
    for r in replacements
        .iter()
        .filter(|r| r.field == "*" || r.field == field)
    {
        if !r.string.is_empty() {
            v = v.replace(&r.string, &r.replacement);
        }
    }
    v
}

/// (source, target) index pairs.
type Pairs = Vec<(usize, usize)>;

/// The pairs reviewers decided in the review desk between the run's sources and targets (the
/// workspace's "existing matches", as CDF's are the links already made): approved pairs are
/// true matches, rejected ones are never proposed. Decisions are kept per reference dataset, so
/// only targets from reference data have any; pairs naming an entity outside the run are not
/// this run's and are skipped.
fn existing_matches(
    store: &Store,
    targets_sel: &DataSelection,
    (s_at, t_at): (&Lookup, &Lookup),
) -> Result<(Pairs, Pairs)> {
    let datasets = store.list_datasets()?;
    let (mut approved, mut refused) = (Vec::new(), Vec::new());
    for r in targets_sel
        .data_set_ids
        .iter()
        .chain(&targets_sel.asset_subtree_ids)
    {
        let IdEither::ExternalId { external_id } = r else {
            continue;
        };
        let Some(d) = datasets
            .iter()
            .find(|d| &d.id == external_id || &d.name == external_id)
            .filter(|d| d.kind == engine::DatasetKind::Reference)
        else {
            continue;
        };
        for label in store.review_labels(&d.id)? {
            let (Some(s), Some(t)) = (
                s_at.find(None, Some(&label.document_id)),
                t_at.find(None, Some(&label.reference_row_id)),
            ) else {
                continue;
            };
            if label.is_match {
                approved.push((s, t));
            } else {
                refused.push((s, t));
            }
        }
    }
    Ok((approved, refused))
}

/// Resolves expert matches, reporting (not failing on) those naming nothing.
fn pairs(
    matches: &[TrueMatch],
    (s, t): (&Lookup, &Lookup),
    what: &str,
    errors: &mut Vec<String>,
) -> Vec<(usize, usize)> {
    matches
        .iter()
        .filter_map(|m| {
            let found = s
                .find(m.source_id, m.source_external_id.as_deref())
                .zip(t.find(m.target_id, m.target_external_id.as_deref()));
            if found.is_none() {
                errors.push(format!(
                    "{what}: {} names no source or target of the run",
                    json!(m)
                ));
            }
            found
        })
        .collect()
}

/// The run itself: fit, predict, rules, precedence, generated rules; its output as JSON.
fn run(store: &Store, spec: &PipelineSpec) -> Result<String> {
    let mut errors = Vec::new();
    let sources = entities(store, &spec.sources, "sources", &mut errors)?;
    let targets = entities(store, &spec.targets, "targets", &mut errors)?;
    if targets.is_empty() {
        return Err(ServiceError::validation(
            "targets",
            "the pipeline's targets hold no entity",
        ));
    }
    let fields = spec
        .model_parameters
        .match_fields
        .clone()
        .filter(|f| !f.is_empty())
        .unwrap_or_else(MatchField::default_fields);
    let (sf, tf) = (
        fields_of(&sources, &spec.replacements),
        fields_of(&targets, &spec.replacements),
    );
    let value = |f: &Fields, name: &str| f.get(name).cloned().unwrap_or_default();
    let sv: Vec<Vec<String>> = sf
        .iter()
        .map(|f| fields.iter().map(|m| value(f, &m.source)).collect())
        .collect();
    let tv: Vec<Vec<String>> = tf
        .iter()
        .map(|f| fields.iter().map(|m| value(f, &m.target)).collect())
        .collect();
    let known = Known::of(store, spec, (&sources, &targets), &mut errors)?;
    let (feature_type, classifier) = model_of(spec, known.labels.is_empty())?;
    let cancel = engine::CancelToken::new();
    // The model itself is not kept: a pipeline run answers matches and rules.
    let (_, predicted) = engine::em::fit_and_predict(
        (feature_type, classifier, &known.labels),
        &sv,
        &tv,
        1,
        Some(spec.score_threshold),
        &cancel,
    )
    .map_err(|e| ServiceError::Internal(format!("matching: {e}")))?;
    let compiled = rules::compile(&spec.rules)
        .map_err(|e| ServiceError::validation("rules", e.to_string()))?;
    let by_rule = compiled.apply(&sf, &tf);
    let chosen = precedence(&known.confirmed, &known.rejected, &by_rule, &predicted);
    let found = output::Found {
        sources: &sources,
        targets: &targets,
        chosen: &chosen,
    };
    let json = match fields.first().filter(|_| spec.generate_rules) {
        Some(field) => {
            let (generated, suggested) = generated_rules(spec, field, &chosen, (&sf, &tf));
            output::write(&found, Some((&generated, field, &suggested)), &errors)
        }
        None => output::write(&found, None, &errors),
    };
    json.map_err(|e| ServiceError::Internal(format!("writing the run's output: {e}")))
}

/// What the experts and reviewers already know about the run's pairs.
struct Known {
    confirmed: Pairs,
    rejected: HashSet<(usize, usize)>,
    /// Confirmed, true and approved pairs: what a supervised model learns from.
    labels: Pairs,
}

impl Known {
    fn of(
        store: &Store,
        spec: &PipelineSpec,
        (sources, targets): (&[EmEntity], &[EmEntity]),
        errors: &mut Vec<String>,
    ) -> Result<Known> {
        let at = (&Lookup::new(sources), &Lookup::new(targets));
        let confirmed = pairs(&spec.confirmed_matches, at, "confirmedMatches", errors);
        let mut rejected: HashSet<(usize, usize)> =
            pairs(&spec.rejected_matches, at, "rejectedMatches", errors)
                .into_iter()
                .collect();
        let mut labels = pairs(&spec.true_matches, at, "trueMatches", errors);
        labels.extend(confirmed.iter().copied());
        if spec.use_existing_matches {
            let (approved, refused) = existing_matches(store, &spec.targets, at)?;
            labels.extend(approved);
            rejected.extend(refused);
        }
        labels.sort_unstable();
        labels.dedup();
        Ok(Known {
            confirmed,
            rejected,
            labels,
        })
    }
}

/// The pipeline's feature type and classifier (none without labels: the model is then
/// unsupervised).
fn model_of(spec: &PipelineSpec, unlabelled: bool) -> Result<(FeatureType, Option<Classifier>)> {
    let feature_type = spec
        .model_parameters
        .feature_type
        .as_deref()
        .unwrap_or("simple");
    let feature_type: FeatureType = feature_type.parse().map_err(|_| {
        ServiceError::validation(
            "modelParameters.featureType",
            format!("{feature_type:?} is not a feature type"),
        )
    })?;
    let classifier = match (&spec.model_parameters.classifier, unlabelled) {
        (_, true) => None,
        (None, false) => Some(Classifier::RandomForest),
        (Some(c), false) => Some(c.parse().map_err(|_| {
            ServiceError::validation(
                "modelParameters.classifier",
                format!("{c:?} is not a classifier"),
            )
        })?),
    };
    Ok((feature_type, classifier))
}

/// The rules the run's matches suggest on the first match field, without those already
/// accepted (the run's rule matches would generate them again), and the same in the older
/// suggested shape.
fn generated_rules(
    spec: &PipelineSpec,
    field: &MatchField,
    chosen: &output::Chosen,
    (sf, tf): (&[Fields], &[Fields]),
) -> (Vec<GeneratedRule>, Vec<SuggestedRule>) {
    let known: Vec<(usize, usize)> = chosen
        .iter()
        .enumerate()
        .filter_map(|(s, c)| c.map(|(t, _, _)| (s, t)))
        .collect();
    let generated: Vec<GeneratedRule> = rules::generate(
        &known,
        sf,
        tf,
        &field.source,
        &field.target,
        &spec.rejected_rules,
        2,
    )
    .into_iter()
    .filter(|g| !spec.rules.iter().any(|r| rules::same_rule(r, &g.rule)))
    .collect();
    let scores: Vec<f64> = known
        .iter()
        .map(|(s, _)| chosen[*s].map_or(0.0, |c| c.2))
        .collect();
    let suggested = rules::suggest(&generated, &scores);
    (generated, suggested)
}

/// Each source's match by spec B.8.1: its confirmed match, else its rule match, else the model's
/// best above the threshold; never a rejected pair. (target, matchType, score).
fn precedence(
    confirmed: &[(usize, usize)],
    rejected: &HashSet<(usize, usize)>,
    by_rule: &[Option<(usize, usize)>],
    predicted: &[Vec<(usize, f64)>],
) -> Vec<Option<(usize, &'static str, f64)>> {
    let confirmed_of: BTreeMap<usize, usize> = confirmed.iter().copied().collect();
    (0..predicted.len())
        .map(|s| {
            if let Some(&t) = confirmed_of.get(&s) {
                Some((t, "previously-confirmed", 1.0))
            } else if let Some((t, _)) = by_rule[s].filter(|(t, _)| !rejected.contains(&(s, *t))) {
                Some((t, "rule", 1.0))
            } else {
                predicted[s]
                    .iter()
                    .find(|(t, _)| !rejected.contains(&(s, *t)))
                    .map(|&(t, score)| (t, "model", score))
            }
        })
        .collect()
}
