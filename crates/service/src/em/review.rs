//! Reviewing a pipeline run: take one of its generated rules into the pipeline or reject it for
//! good, and confirm or reject one of its matches. Each decision is an `update` of the pipeline
//! (so it is checked as any update is) and feeds the next run; every client (window, CLI, REST)
//! decides through here, so they agree on what a decision does.

use engine::em::rules::{same_rule, Rule};
use serde_json::{json, Map, Value};

use super::entities::TrueMatch;
use super::pipelines::Pipeline;
use crate::error::{Result, ServiceError};
use crate::Workspace;

impl Workspace {
    /// Takes generated rule `rule_index` (from 0) of run `run_id` into the pipeline's `rules`
    /// (`accept`) or its `rejectedRules`, which are never suggested again. The rule leaves the
    /// other list, so a reviewer can change their mind; taking it twice changes nothing.
    pub fn em_take_rule(
        &self,
        pipeline_id: i64,
        run_id: i64,
        rule_index: usize,
        accept: bool,
    ) -> Result<Pipeline> {
        let run = self.em_pipeline_run(pipeline_id, run_id)?;
        let Some(output) = run.output else {
            return Err(ServiceError::validation(
                "runId",
                format!(
                    "run {run_id} is {}: only a completed run has rules to take",
                    run.summary.status
                ),
            ));
        };
        let generated = output.generated_rules;
        let Some(chosen) = generated.get(rule_index) else {
            return Err(ServiceError::validation(
                "ruleIndex",
                format!(
                    "run {run_id} has {} generated rules; there is no rule {} (index {rule_index})",
                    generated.len(),
                    rule_index + 1
                ),
            ));
        };
        // The rule as the run wrote it, with its evidence (matches, counts) left behind.
        let rule: Rule = serde_json::from_value(chosen.clone()).map_err(|e| {
            ServiceError::Internal(format!("run {run_id}: generated rule {rule_index}: {e}"))
        })?;
        let pipeline = self.em_pipeline(pipeline_id)?;
        let (mut into, mut from) = if accept {
            (
                pipeline.spec.rules.clone(),
                pipeline.spec.rejected_rules.clone(),
            )
        } else {
            (
                pipeline.spec.rejected_rules.clone(),
                pipeline.spec.rules.clone(),
            )
        };
        let before = (into.len(), from.len());
        from.retain(|r| !same_rule(r, &rule));
        if !into.iter().any(|r| same_rule(r, &rule)) {
            into.push(rule);
        }
        if before == (into.len(), from.len()) {
            return Ok(pipeline);
        }
        let (rules, rejected) = if accept { (into, from) } else { (from, into) };
        self.em_update_pipeline(
            pipeline_id,
            &update([("rules", json!(rules)), ("rejectedRules", json!(rejected))]),
        )
    }

    /// Confirms the pair (`confirm`: the next run matches the source to the target, whatever the
    /// model or the rules say) or rejects it (never matched again); sources and targets by
    /// external id, as a run's matches name them. The pair leaves the other list; deciding it
    /// twice changes nothing.
    pub fn em_decide_match(
        &self,
        pipeline_id: i64,
        source_external_id: &str,
        target_external_id: &str,
        confirm: bool,
    ) -> Result<Pipeline> {
        for (field, value) in [
            ("sourceExternalId", source_external_id),
            ("targetExternalId", target_external_id),
        ] {
            if value.trim().is_empty() {
                return Err(ServiceError::validation(field, "must not be empty"));
            }
        }
        let pipeline = self.em_pipeline(pipeline_id)?;
        let (mut into, mut from) = if confirm {
            (
                pipeline.spec.confirmed_matches.clone(),
                pipeline.spec.rejected_matches.clone(),
            )
        } else {
            (
                pipeline.spec.rejected_matches.clone(),
                pipeline.spec.confirmed_matches.clone(),
            )
        };
        let is_pair = |m: &TrueMatch| {
            names(
                m.source_id,
                m.source_external_id.as_deref(),
                source_external_id,
            ) && names(
                m.target_id,
                m.target_external_id.as_deref(),
                target_external_id,
            )
        };
        let before = (into.len(), from.len());
        from.retain(|m| !is_pair(m));
        if !into.iter().any(is_pair) {
            into.push(TrueMatch {
                source_external_id: Some(source_external_id.to_string()),
                target_external_id: Some(target_external_id.to_string()),
                ..TrueMatch::default()
            });
        }
        if before == (into.len(), from.len()) {
            return Ok(pipeline);
        }
        let (confirmed, rejected) = if confirm { (into, from) } else { (from, into) };
        self.em_update_pipeline(
            pipeline_id,
            &update([
                ("confirmedMatches", json!(confirmed)),
                ("rejectedMatches", json!(rejected)),
            ]),
        )
    }
}

/// Whether a reference by id and/or external id names the entity with external id `external`:
/// a dataset row's id is its external id, and its id too when it is a whole number.
fn names(id: Option<i64>, external_id: Option<&str>, external: &str) -> bool {
    external_id == Some(external) || id.is_some_and(|id| external.parse::<i64>() == Ok(id))
}

/// The update body (spec B.7.6) that sets each key to its value.
fn update<const N: usize>(sets: [(&str, Value); N]) -> Map<String, Value> {
    sets.into_iter()
        .map(|(key, value)| (key.to_string(), json!({ "set": value })))
        .collect()
}
