//! The JSON shapes of strategies (spec A.5): the strategy object with its links, the bodies of
//! generate, PATCH and "config from strategy", the list's query, and the plan's schema for the
//! OpenAPI document.

use engine::{BlockingKey, BlockingStrategy, FieldMapping};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use service::{MatchingStrategy, StrategyContent};
use utoipa::{IntoParams, ToSchema};

use super::{double_option, CursorPagination};

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StrategyLinks {
    #[serde(rename = "self")]
    pub self_: String,
    /// Where to POST to make a config from the strategy.
    pub config: String,
}

/// A strategy (spec A.5.1): a matching plan learned for a reference dataset, versioned.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StrategyObject {
    pub id: String,
    /// Null until someone names it.
    pub name: Option<String>,
    /// The config it was generated for; null when none, or once that config is deleted.
    pub matching_config_id: Option<String>,
    pub reference_data_id: String,
    /// The document set it was learned from; null: every document set.
    pub document_set_id: Option<String>,
    /// "run".
    pub target_type: String,
    pub user_prompt: Option<String>,
    #[schema(value_type = PlanSchema)]
    pub strategy: StrategyContent,
    /// 1 when generated, one more with every PATCH; earlier versions are not kept.
    pub version: u32,
    /// The first 12 hex digits of the SHA-256 of the plan's canonical JSON.
    pub version_hash: String,
    pub created_at: String,
    pub updated_at: String,
    pub links: StrategyLinks,
}

pub fn strategy(s: MatchingStrategy) -> StrategyObject {
    StrategyObject {
        links: StrategyLinks {
            config: format!("{}/config", s.links.self_),
            self_: s.links.self_,
        },
        id: s.id,
        name: s.name,
        matching_config_id: s.matching_config_id,
        reference_data_id: s.reference_data_id,
        document_set_id: s.document_set_id,
        target_type: s.target_type,
        user_prompt: s.user_prompt,
        strategy: s.strategy,
        version: s.version,
        version_hash: s.version_hash,
        created_at: s.created_at,
        updated_at: s.updated_at,
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StrategyPage {
    pub data: Vec<StrategyObject>,
    pub pagination: CursorPagination,
}

/// The plan a strategy holds, as far as Matchbook acts on it. It also holds what was learned on
/// the way (`field_estimates`, `match_share`, `columns`, `edge_cases`, `data_quality_notes`,
/// `cardinality_notes`, `prompt_notes`) and any free-form key a PATCH added (`hard_filters`,
/// `field_rules`), so further properties are allowed.
// Only a schema: the engine's plan type is what is sent, and it changes with the engine.
#[allow(dead_code)]
#[derive(Serialize, ToSchema)]
#[schema(as = StrategyPlan)]
pub struct PlanSchema {
    /// Recommended mappings, strategies and weights, each with its `rationale`.
    pub field_mappings: Vec<FieldMapping>,
    /// Recommended confidence threshold; the same as `thresholds.match`.
    pub threshold: f64,
    pub thresholds: ReviewBandSchema,
    /// Each reference row goes to at most one document.
    pub one_to_one: bool,
    /// Empty: Matchbook picks its blocking keys itself.
    pub blocking_keys: Vec<BlockingKey>,
    pub blocking_strategy: BlockingStrategy,
    /// Estimated share of the documents that have a match.
    pub match_share: f64,
    /// Columns left out, with why.
    pub edge_cases: Vec<String>,
    pub data_quality_notes: String,
    pub cardinality_notes: String,
}

/// The review band `[review_floor, match)`.
#[allow(dead_code)]
#[derive(Serialize, ToSchema)]
#[schema(as = ReviewBand)]
pub struct ReviewBandSchema {
    #[serde(rename = "match")]
    pub match_: f64,
    pub review_floor: f64,
}

/// Learn a strategy from the reference data and the documents (spec A.5.2).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GenerateStrategy {
    pub reference_data_id: String,
    /// Only "run".
    pub target_type: String,
    /// Default: the config's document set when `matching_config_id` is given, else every
    /// document set.
    #[serde(default)]
    pub document_set_id: Option<String>,
    /// The config the strategy is for; it is not changed. Its reference data must be this one.
    #[serde(default)]
    pub matching_config_id: Option<String>,
    /// Guidance in words, e.g. "prioritise the PO number, ignore the description".
    #[serde(default)]
    pub user_prompt: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    /// Only `{}`.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub target_value: Option<Value>,
}

/// Change a strategy (spec A.5.3): a new version, whatever changed.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchStrategy {
    /// A new name; null clears it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub name: Option<Option<String>>,
    /// The keys of the plan to change, deep-merged into it: objects merge key by key, arrays and
    /// other values replace. The result must still be a plan a config can be made from.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub strategy: Option<Value>,
}

/// Make a config from a strategy's mappings, threshold, review floor, one-to-one and blocking.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfigFromStrategy {
    pub name: String,
    /// Default: the document set the strategy was learned from.
    #[serde(default)]
    pub document_set_id: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StrategiesQuery {
    /// Only strategies of this config.
    pub matching_config_id: Option<String>,
    /// The previous page's `pagination.next_cursor`.
    pub cursor: Option<String>,
    /// Default 20, at most 100.
    pub limit: Option<u32>,
}
