//! The TypeScript shapes of what a pipeline holds and a run answers where the Rust type cannot
//! say it: rules are the engine's (which knows nothing of TypeScript), and a run's matches and
//! rules are kept as JSON. Each shape here reads the JSON exactly (unknown keys refused), so the
//! service's tests can check a real run's output against them and the window's types cannot drift.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A match rule (spec B.9) as `engine::em::rules::Rule` writes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[ts(export)]
pub struct EmRule {
    #[serde(default)]
    #[ts(type = "number")]
    pub priority: i64,
    pub extractors: Vec<EmExtractor>,
    pub conditions: Vec<EmCondition>,
}

/// What a rule reads from one side: a regex over one field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[ts(export)]
pub struct EmExtractor {
    /// `"sources"` or `"targets"`.
    pub entity_set: String,
    /// `"regex"`.
    pub extractor_type: String,
    pub field: String,
    pub pattern: String,
}

/// A test on captured groups: `[extractorIndex, groupIndex]` pairs that must be equal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[ts(export)]
pub struct EmCondition {
    /// `"equals"`.
    pub condition_type: String,
    pub arguments: Vec<[u32; 2]>,
}

/// How a run matched a source (spec B.8.1's precedence).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
#[ts(export)]
pub enum MatchType {
    PreviouslyConfirmed,
    Rule,
    Model,
}

/// One source's match in a run's `matches`: the whole source and target objects.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[ts(export)]
pub struct PipelineMatch {
    pub match_type: MatchType,
    pub score: f64,
    #[ts(type = "Record<string, unknown>")]
    pub source: serde_json::Map<String, serde_json::Value>,
    #[ts(type = "Record<string, unknown>")]
    pub target: serde_json::Map<String, serde_json::Value>,
}

/// A source or a target named in a rule's matches: its id when whole, its external id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[ts(export)]
pub struct EntityRef {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "number")]
    pub id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub external_id: Option<String>,
}

/// A pair a generated rule makes, with how the run matched that source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[ts(export)]
pub struct RuleMatch {
    pub source_key_field: String,
    pub target_key_field: String,
    pub source: EntityRef,
    pub target: EntityRef,
    /// A `MatchType`, or `"none"` when the run matched the source to nothing.
    pub existing_match_type: String,
    /// Whether the run matched the source to this target.
    pub consistent_match: bool,
}

/// A rule a run generated (spec B.8.3 generatedRules): the rule, every pair it makes, and the
/// sources it maps elsewhere than the run (conflicts) or that another rule also maps (overlaps).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[ts(export)]
pub struct GeneratedRule {
    // The rule's keys written out, not flattened: serde cannot refuse unknown keys through a
    // flattened field.
    #[ts(type = "number")]
    pub priority: i64,
    pub extractors: Vec<EmExtractor>,
    pub conditions: Vec<EmCondition>,
    pub matches: Vec<RuleMatch>,
    #[ts(type = "number")]
    pub num_conflicts: u64,
    #[ts(type = "number")]
    pub num_overlaps: u64,
}

/// A rule in the older `suggestedRules` shape (spec B.8.3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[ts(export)]
pub struct SuggestedRule {
    pub input_pattern: String,
    pub predict_pattern: String,
    #[ts(type = "number")]
    pub num_matches: u64,
    pub avg_score: f64,
    #[ts(type = "Array<number>")]
    pub match_index: Vec<u64>,
}

/// A confirmed or rejected match (`entities::TrueMatch`): one source and one target, each by id
/// or external id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[ts(export, rename = "TrueMatch")]
pub struct TrueMatchShape {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "number")]
    pub source_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub source_external_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "number")]
    pub target_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub target_external_id: Option<String>,
}

/// A pipeline run with its output once completed (`pipeline_runs::RunResult`).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, rename = "PipelineRunResult")]
pub struct RunResultShape {
    #[serde(flatten)]
    pub summary: super::RunSummary,
    #[serde(flatten)]
    pub output: RunOutputPart,
}

/// A run's output as a run result carries it: absent until the run completed.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RunOutputPart {
    #[ts(optional)]
    pub matches: Option<Vec<PipelineMatch>>,
    #[ts(optional)]
    pub suggested_rules: Option<Vec<SuggestedRule>>,
    #[ts(optional)]
    pub generated_rules: Option<Vec<GeneratedRule>>,
    #[ts(optional)]
    pub errors: Option<Vec<String>>,
}
