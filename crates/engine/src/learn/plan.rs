//! The matching plan a strategy holds (spec A.5.1): mappings with their rationale, the threshold
//! and review band, and what was learned on the way (column profiles, per-field m and u).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::MatchModel;
use crate::domain::{BlockingKey, BlockingStrategy, FieldMapping};

/// A matching plan generated from two tables. Unknown keys are kept by the service (a PATCH may
/// add the spec's free-form keys); this type reads the ones Matchbook acts on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct StrategyPlan {
    /// Recommended mappings, each with its `rationale`.
    pub field_mappings: Vec<FieldMapping>,
    /// Recommended confidence threshold (the same as `thresholds.match`).
    pub threshold: f64,
    pub thresholds: ReviewBand,
    /// Give each reference row to at most one document: proposed when the pairs that agree best
    /// almost never share a reference row.
    #[serde(default)]
    pub one_to_one: bool,
    /// Empty: Matchbook picks its blocking keys itself from the block sizes of each run.
    #[serde(default)]
    pub blocking_keys: Vec<BlockingKey>,
    #[serde(default)]
    pub blocking_strategy: BlockingStrategy,
    /// What was estimated per mapped field, in the order of `field_mappings`.
    #[serde(default)]
    pub field_estimates: Vec<FieldEstimate>,
    /// The Fellegi-Sunter model a smart run ranks and decides with (match probabilities).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub model: Option<MatchModel>,
    /// Estimated share of the documents that have a match in the reference data.
    #[serde(default)]
    pub match_share: f64,
    /// The columns of both tables as profiled.
    #[serde(default)]
    pub columns: Vec<ColumnSummary>,
    /// Columns left out, with why.
    #[serde(default)]
    pub edge_cases: Vec<String>,
    #[serde(default)]
    pub data_quality_notes: String,
    #[serde(default)]
    pub cardinality_notes: String,
    /// What of the user's prompt was understood, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub prompt_notes: Option<String>,
}

/// The review band `[review_floor, match)`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ReviewBand {
    #[serde(rename = "match")]
    pub match_: f64,
    pub review_floor: f64,
}

/// Fellegi-Sunter estimates of one mapped field: per agreement level, how often true matches
/// (`m`) and unrelated pairs (`u`) land there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldEstimate {
    pub source: String,
    pub target: String,
    /// Level names, from disagreement up: "different", "similar", "same".
    pub levels: Vec<String>,
    pub m: Vec<f64>,
    pub u: Vec<f64>,
    /// log2(m/u) per level: how much landing there moves the odds of a match.
    pub match_weight: Vec<f64>,
}

/// Which table a profiled column is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum TableSide {
    Documents,
    Reference,
}

/// A column as profiled: its role, how full and how varied it is, and a few values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ColumnSummary {
    pub side: TableSide,
    pub name: String,
    /// `profile::ColumnRole` in snake_case: identifier, reference, company_name, person_name,
    /// text, number, amount, date, code.
    pub role: String,
    pub null_rate: f64,
    #[ts(type = "number")]
    pub distinct: u64,
    pub samples: Vec<String>,
}
