//! The nouns of matching: datasets, records, configs, runs, results and review decisions.
//! These are plain data shared by every layer; ts-rs turns the public ones into TypeScript.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::progress::Phase;

/// Which side of a match a dataset is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum DatasetKind {
    /// Reference data: the known records (purchase orders, vendor master, ledger lines).
    Reference,
    /// Documents: what is matched (supplier invoices), one row per document.
    Documents,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Column {
    pub name: String,
    /// "string", "number" or "date", inferred from the values.
    #[serde(rename = "type")]
    pub kind: String,
}

/// A reference dataset or a document set, without its rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Dataset {
    pub id: String,
    pub kind: DatasetKind,
    pub name: String,
    /// "csv", "xlsx" or "json".
    pub source_type: String,
    pub source_file: Option<String>,
    pub columns: Vec<Column>,
    #[ts(type = "number")]
    pub row_count: u64,
    /// The column whose values identify a row (reference row id / document id), if one was chosen.
    pub id_column: Option<String>,
    /// For document sets: the column holding the document's file name.
    pub filename_column: Option<String>,
    pub created_at: String,
    /// "importing", "ready" or "failed" (spec A.3.3); files are ready as soon as they are stored.
    #[serde(default)]
    pub status: crate::DatasetStatus,
    /// How many imports of its rows completed: 1 for a file, +1 per refresh from a database, 0
    /// while a first database import runs or after it failed (no rows then).
    #[serde(default = "first_version")]
    pub version: u32,
    /// Why the last import failed; a failed refresh leaves the previous version in use.
    #[serde(default)]
    pub error: Option<String>,
    /// Rows read so far by the import in progress.
    #[serde(default)]
    #[ts(type = "number | null")]
    pub rows_imported: Option<u64>,
    /// For datasets read from a database: the connection (no password) and the query.
    #[serde(default)]
    pub sql: Option<crate::SqlSource>,
}

fn first_version() -> u32 {
    1
}

/// One reference row: its id and its values, aligned with the dataset's columns.
/// An empty string is a missing value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Record {
    pub id: String,
    pub values: Vec<String>,
}

/// One document: its id, file name and extracted values, aligned with the set's columns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Document {
    pub document_id: String,
    pub document_filename: Option<String>,
    pub values: Vec<String>,
}

/// A page of rows of a dataset, for display.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RowPage {
    pub columns: Vec<String>,
    pub rows: Vec<Record>,
    #[ts(type = "number")]
    pub total: u64,
    pub page: u32,
    pub limit: u32,
}

/// The comparison a field mapping uses (spec A.4.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Strategy {
    /// Equality after trimming and Unicode case folding.
    Exact,
    /// Token and edit-distance similarity, zero below `similarity_threshold`.
    Fuzzy,
    /// Dates within `tolerance_days` of each other, in any of the common formats.
    DateRange,
    /// Amounts within `tolerance_percent` or `tolerance_absolute`, in any of the common formats.
    NumericRange,
}

impl Strategy {
    pub fn as_str(self) -> &'static str {
        match self {
            Strategy::Exact => "exact",
            Strategy::Fuzzy => "fuzzy",
            Strategy::DateRange => "date_range",
            Strategy::NumericRange => "numeric_range",
        }
    }
}

pub const DEFAULT_SIMILARITY_THRESHOLD: f64 = 0.8;
pub const DEFAULT_TOLERANCE_DAYS: i64 = 7;
pub const DEFAULT_TOLERANCE_PERCENT: f64 = 1.0;
pub const DEFAULT_TOLERANCE_ABSOLUTE: f64 = 0.0;
pub const DEFAULT_THRESHOLD: f64 = 0.85;
pub const DEFAULT_REVIEW_FLOOR: f64 = 0.5;
/// How many candidates a result keeps (spec A.7.3).
pub const TOP_CANDIDATES: usize = 5;

/// Which document field is compared with which reference column, how, and how much it counts.
/// Strategy parameters sit beside the mapping, as in the spec; those that do not apply to the
/// strategy are ignored. `None` means the default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldMapping {
    pub source: String,
    pub target: String,
    pub strategy: Strategy,
    pub weight: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub similarity_threshold: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "number")]
    pub tolerance_days: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub tolerance_percent: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub tolerance_absolute: Option<f64>,
    /// How much a value that disagrees counts against a match, on the same scale as `weight`.
    /// Default: `weight` (a plain weighted average). Raise it for fields that true matches almost
    /// never contradict (the order date window, the currency), so one clear contradiction
    /// outweighs several coincidental agreements.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub mismatch_weight: Option<f64>,
    /// How text is normalised before exact/fuzzy comparison and candidate search. Default `text`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub normalizer: Option<Normalizer>,
    /// Fuzzy: which similarity measure. Default `best` (the highest of the measures).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub measure: Option<FuzzyMeasure>,
    /// Fuzzy: weigh tokens by how rare they are in the reference column, so a shared rare token
    /// ("Northbridge") counts more than a common one ("Ltd"). Default false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub term_frequency: Option<bool>,
    /// numeric_range: tax rates in percent (e.g. [19, 20, 21]); a document amount that equals the
    /// reference amount plus one of these rates matches fully (a VAT-inclusive total against a net
    /// amount).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub tax_rates: Option<Vec<f64>>,
    /// numeric_range: shares of the reference amount (e.g. [0.25, 0.5, 0.75]) that a partial
    /// invoice may cover; such a match scores `partial_score` instead of 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub partial_shares: Option<Vec<f64>>,
    /// numeric_range: the score of a partial-amount match. Default 0.7.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub partial_score: Option<f64>,
    /// date_range: a one-sided window instead of ±tolerance_days: the document date may be at most
    /// `days_before` days before and `days_after` days after the reference date (e.g. 0 and 45:
    /// "invoice 0 to 45 days after the order"). Inside the window the score is 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "number")]
    pub days_before: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "number")]
    pub days_after: Option<i64>,
    /// date_range: how to read ambiguous dates like 03/04/2024. Default `auto`: detected per
    /// column from the data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub date_order: Option<DateOrderSetting>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub rationale: Option<String>,
}

/// Text normalisation for exact and fuzzy fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Normalizer {
    /// Trim, Unicode NFKC, lower case.
    Text,
    /// Company names: also accents, punctuation, legal forms (GmbH, Ltd/Limited, Inc., Corp., S.A.,
    /// B.V., plc, LLC, ...) and a leading "The" are ignored.
    CompanyName,
    /// Reference numbers: compared by their letter and digit skeletons, so "PO-2024-000123",
    /// "PO 2024/123", "2024000123" and "po2024000123" are the same reference.
    Reference,
}

/// Similarity measure of a fuzzy field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum FuzzyMeasure {
    /// The highest of token set, Levenshtein and skeleton Levenshtein similarity.
    Best,
    /// Jaccard similarity of the sets of tokens (word order does not matter).
    TokenSet,
    /// Jaro-Winkler similarity (typos near the end cost less; good for names).
    JaroWinkler,
    /// Normalised Levenshtein similarity (edit distance).
    Levenshtein,
    /// Each word matched to its most similar word on the other side by Jaro-Winkler, averaged
    /// over the words of both sides (Monge-Elkan): forgives a typo in every word, yet "Northwind
    /// Logistics" stays far from "Northwind Supplies". With `term_frequency`, rare words weigh
    /// more in the average. Good for company and person names.
    TokenJaroWinkler,
}

/// Reading of ambiguous numeric dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum DateOrderSetting {
    Auto,
    DayFirst,
    MonthFirst,
}

impl FieldMapping {
    pub fn new(source: &str, target: &str, strategy: Strategy, weight: f64) -> Self {
        FieldMapping {
            source: source.into(),
            target: target.into(),
            strategy,
            weight,
            similarity_threshold: None,
            tolerance_days: None,
            tolerance_percent: None,
            tolerance_absolute: None,
            mismatch_weight: None,
            normalizer: None,
            measure: None,
            term_frequency: None,
            tax_rates: None,
            partial_shares: None,
            partial_score: None,
            days_before: None,
            days_after: None,
            date_order: None,
            rationale: None,
        }
    }
}

/// What a user sends to create or replace a config. Unknown fields are refused, as in a mapping:
/// a misspelt `thresold` silently falling back to the default threshold would change every
/// match without a word.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct ConfigInput {
    pub name: String,
    pub reference_data_id: String,
    /// The document set a run matches. `None`: every document in the workspace (spec C.6).
    #[serde(default)]
    pub document_set_id: Option<String>,
    pub field_mappings: Vec<FieldMapping>,
    /// Minimum confidence for a match to count. Default 0.85.
    #[serde(default)]
    pub threshold: Option<f64>,
    /// Lower edge of the review band `[review_floor, threshold)`. Default 0.5.
    #[serde(default)]
    pub review_floor: Option<f64>,
    /// Give each reference row to at most one document, assigned globally. Default false.
    #[serde(default)]
    #[ts(optional)]
    pub one_to_one: Option<bool>,
    /// Run by itself on this schedule while the app or `serve` is open. Default: never.
    #[serde(default)]
    #[ts(optional)]
    pub schedule: Option<Schedule>,
    /// Blocking keys the config names. Default: none, and Matchbook picks its own (see
    /// `engine::index::search_keys`).
    #[serde(default)]
    #[ts(optional)]
    pub blocking_keys: Option<Vec<BlockingKey>>,
    /// How named blocking keys combine. Default: parallel.
    #[serde(default)]
    #[ts(optional)]
    pub blocking_strategy: Option<BlockingStrategy>,
}

/// A blocking key a config names: the reference rows that agree with a document on every field
/// listed (mappings named by their source field) are its candidates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BlockingKey {
    pub fields: Vec<String>,
}

/// How named blocking keys combine (spec A.5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum BlockingStrategy {
    /// Every key on its own, candidates in union (favours recall).
    #[default]
    Parallel,
    /// The keys in order; the next only when the one before found no candidate.
    OrderedFallback,
}

impl MatchingConfig {
    /// The settings of a stored config as a create or update would send them (what the config
    /// builder starts from when it edits one).
    pub fn to_input(&self) -> ConfigInput {
        ConfigInput {
            name: self.name.clone(),
            reference_data_id: self.reference_data_id.clone(),
            document_set_id: self.document_set_id.clone(),
            field_mappings: self.field_mappings.clone(),
            threshold: Some(self.threshold),
            review_floor: Some(self.review_floor),
            one_to_one: Some(self.one_to_one),
            schedule: self.schedule.clone(),
            blocking_keys: self.blocking_keys.clone(),
            blocking_strategy: self.blocking_strategy,
        }
    }
}

/// When a config runs by itself (triggered_by "scheduled"). A slot missed while Matchbook was
/// closed starts one run at the next start, not one per missed slot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Schedule {
    /// Every this many minutes.
    IntervalMinutes(u32),
    /// A five-field cron expression (minute hour day-of-month month day-of-week) in local time,
    /// e.g. "0 2 * * 1-5" for 02:00 on weekdays.
    Cron(String),
}

/// A stored matching config (spec A.4.1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MatchingConfig {
    pub id: String,
    pub name: String,
    pub reference_data_id: String,
    pub document_set_id: Option<String>,
    pub target_type: String,
    #[ts(type = "Record<string, unknown>")]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub target_value: serde_json::Value,
    pub field_mappings: Vec<FieldMapping>,
    pub threshold: f64,
    pub review_floor: f64,
    /// Each reference row goes to at most one document (spec: one-to-one assignment).
    #[serde(default)]
    pub one_to_one: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub schedule: Option<Schedule>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub blocking_keys: Option<Vec<BlockingKey>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub blocking_strategy: Option<BlockingStrategy>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum RunStatus {
    Queued,
    Running,
    Completed,
    Failed,
    Cancelled,
    AiResolving,
}

impl RunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Queued => "queued",
            RunStatus::Running => "running",
            RunStatus::Completed => "completed",
            RunStatus::Failed => "failed",
            RunStatus::Cancelled => "cancelled",
            RunStatus::AiResolving => "ai_resolving",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "queued" => RunStatus::Queued,
            "running" => RunStatus::Running,
            "completed" => RunStatus::Completed,
            "failed" => RunStatus::Failed,
            "cancelled" => RunStatus::Cancelled,
            "ai_resolving" => RunStatus::AiResolving,
            _ => return None,
        })
    }
    /// Whether the run can still change (and so be cancelled).
    pub fn is_active(self) -> bool {
        matches!(
            self,
            RunStatus::Queued | RunStatus::Running | RunStatus::AiResolving
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum TriggeredBy {
    Manual,
    Scheduled,
    Api,
}

impl TriggeredBy {
    pub fn as_str(self) -> &'static str {
        match self {
            TriggeredBy::Manual => "manual",
            TriggeredBy::Scheduled => "scheduled",
            TriggeredBy::Api => "api",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "manual" => TriggeredBy::Manual,
            "scheduled" => TriggeredBy::Scheduled,
            "api" => TriggeredBy::Api,
            _ => return None,
        })
    }
}

/// A standard run (deterministic strategies, the config's weights) or a smart one (a strategy's
/// match model decides, spec A.6.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum RunType {
    #[default]
    Manual,
    Smart,
}

impl RunType {
    pub fn as_str(self) -> &'static str {
        match self {
            RunType::Manual => "manual",
            RunType::Smart => "smart",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "manual" => RunType::Manual,
            "smart" => RunType::Smart,
            _ => return None,
        })
    }
}

/// A matching run (spec A.6.1). Counters are null until the run starts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Run {
    pub id: String,
    pub matching_config_id: String,
    /// The config's name when the run was made, so a run stays readable after its config is gone.
    pub config_name: String,
    pub status: RunStatus,
    pub triggered_by: TriggeredBy,
    #[ts(type = "number | null")]
    pub rows_processed: Option<u64>,
    #[ts(type = "number | null")]
    pub rows_total: Option<u64>,
    #[ts(type = "number | null")]
    pub rows_matched: Option<u64>,
    /// Mean confidence over matched rows (spec C.4); null when none matched.
    pub avg_confidence: Option<f64>,
    /// (document, reference row) pairs scored after candidate search; null until the run ends.
    #[ts(type = "number | null")]
    pub pairs_compared: Option<u64>,
    pub started_at: Option<String>,
    pub completed_at: Option<String>,
    pub error: Option<String>,
    pub created_at: String,
    #[serde(default)]
    pub run_type: RunType,
    /// The strategy a smart run was started with.
    #[serde(default)]
    pub strategy_id: Option<String>,
}

impl Run {
    /// A new run of `config`, queued and not started.
    pub fn queued(
        id: String,
        config: &MatchingConfig,
        triggered_by: TriggeredBy,
        now: String,
    ) -> Run {
        Run {
            id,
            matching_config_id: config.id.clone(),
            config_name: config.name.clone(),
            status: RunStatus::Queued,
            triggered_by,
            rows_processed: None,
            rows_total: None,
            rows_matched: None,
            avg_confidence: None,
            pairs_compared: None,
            started_at: None,
            completed_at: None,
            error: None,
            created_at: now,
            run_type: RunType::Manual,
            strategy_id: None,
        }
    }

    /// A smart run with the strategy it was started with.
    pub fn smart(mut self, strategy_id: &str) -> Run {
        self.run_type = RunType::Smart;
        self.strategy_id = Some(strategy_id.to_string());
        self
    }
}

/// Progress of one run, readable at any time (spec A.6.6).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RunProgress {
    pub run_id: String,
    pub status: RunStatus,
    pub phase: Phase,
    pub phase_progress: u8,
    #[ts(type = "number")]
    pub rows_processed: u64,
    #[ts(type = "number")]
    pub rows_total: u64,
    #[ts(type = "number")]
    pub rows_matched: u64,
    #[ts(type = "number | null")]
    pub estimated_seconds_remaining: Option<u64>,
    pub updated_at: String,
}

/// How one field of one candidate compared (spec A.7.1 evidence, kept in mapping order).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldEvidence {
    // Shared with the plan: every candidate of every document names the same fields.
    #[ts(type = "string")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub source: Arc<str>,
    #[ts(type = "string")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub target: Arc<str>,
    pub strategy: Strategy,
    pub weight: f64,
    pub score: f64,
    // Shared by the candidates of one document: each compares the same document value.
    #[ts(type = "string")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub source_value: Arc<str>,
    pub target_value: String,
    /// One side had no value: the field scored 0 and says so here rather than looking like a
    /// mismatch.
    pub missing: bool,
    /// Smart runs: how much this field moved the odds of a match, in bits (log2 m/u of the
    /// agreement level reached), for the waterfall of a decision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub match_weight: Option<f64>,
    /// Text fields whose values are the same: how much rarer than its column's average the
    /// reference value is, in bits (negative: more common), which a smart run's model may weigh
    /// (term-frequency adjustment).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub rarity: Option<f64>,
    /// How far apart the two values are in business terms, for amounts and dates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub note: Option<FieldNote>,
}

/// Amounts and dates compared in the terms a reviewer uses: "differs 2.4 %, tolerance 3 %",
/// "the order plus 19 % VAT", "12 days after, window 0 to 45".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum FieldNote {
    /// The document amount against the reference amount, after the tax rate and partial share
    /// (of those the config allows) that bring them closest.
    Amount {
        /// Document minus expected, as a percentage of the expected amount, and absolute.
        difference_percent: f64,
        difference: f64,
        /// The VAT rate (percent) the document amount includes, when one fits.
        #[ts(optional)]
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tax_rate: Option<f64>,
        /// The share of the reference amount (a partial delivery), when below 1.
        #[ts(optional)]
        #[serde(default, skip_serializing_if = "Option::is_none")]
        share: Option<f64>,
        tolerance_percent: f64,
        tolerance_absolute: f64,
    },
    /// The document date minus the reference date.
    Days {
        #[ts(type = "number")]
        days: i64,
        /// The window `(days before, days after)` the config allows, when it sets one.
        #[ts(optional, type = "[number, number]")]
        #[serde(default, skip_serializing_if = "Option::is_none")]
        window: Option<(i64, i64)>,
        #[ts(type = "number")]
        tolerance_days: i64,
    },
}

/// One of the top reference rows for a document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Candidate {
    pub rank: u32,
    pub reference_row_id: String,
    pub confidence: f64,
    pub evidence: Vec<FieldEvidence>,
}

/// What the engine produces for one document.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentMatch {
    pub document_id: String,
    pub document_filename: Option<String>,
    /// Best candidate's row when its confidence reaches the threshold.
    pub matched_reference_row_id: Option<String>,
    /// Best candidate's confidence (0 when there is no candidate).
    pub confidence: f64,
    /// Top candidates, best first, only those scoring above 0.
    pub candidates: Vec<Candidate>,
    /// One-to-one runs: another document won the reference row this one scored best with.
    pub contested: bool,
    /// Whether `candidates` hold the document's best rows down to the review floor. A run that
    /// fills bands on demand searches a matched document only as far as the threshold; reading
    /// the result completes it (`run::complete_bands`).
    pub band_complete: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ReviewStatus {
    Pending,
    Approved,
    Rejected,
}

impl ReviewStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewStatus::Pending => "pending",
            ReviewStatus::Approved => "approved",
            ReviewStatus::Rejected => "rejected",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "pending" => ReviewStatus::Pending,
            "approved" => ReviewStatus::Approved,
            "rejected" => ReviewStatus::Rejected,
            _ => return None,
        })
    }
}

/// A stored match result (spec A.7.1): one per document per run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MatchResult {
    pub id: String,
    pub run_id: String,
    pub document_id: String,
    pub document_filename: Option<String>,
    pub matched_reference_row_id: Option<String>,
    pub confidence: f64,
    pub status: ReviewStatus,
    pub notes: Option<String>,
    /// Evidence of the best candidate; null when there was none.
    pub evidence: Option<Vec<FieldEvidence>>,
    pub candidates: Vec<Candidate>,
    /// One-to-one runs: another document won the reference row this one scored best with.
    pub contested: bool,
    pub reviewed_at: Option<String>,
    /// What ai-resolve suggests for this result, until a reviewer accepts or dismisses it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub suggestion: Option<AiSuggestion>,
}

/// What ai-resolve suggested for a pending result (spec A.6.8: `resolved_by: "ai"`). It never
/// decides: a reviewer accepts it (a decision in the log that names it) or dismisses it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AiSuggestion {
    pub id: String,
    /// Always "ai": tells the suggestion from a reviewer's decision wherever it is shown.
    pub resolved_by: String,
    /// `approved` (the suggested row is the match) or `rejected` (no candidate is).
    pub status: ReviewStatus,
    /// The suggested match; `None` when rejecting. May be another candidate than the result's.
    pub reference_row_id: Option<String>,
    /// The model's match probability of the suggested row (of the best candidate when rejecting).
    pub probability: f64,
    /// Why, in words.
    pub reason: String,
    pub created_at: String,
}

/// A page of results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ResultPage {
    pub data: Vec<MatchResult>,
    #[ts(type = "number")]
    pub total: u64,
    pub page: u32,
    pub limit: u32,
}

/// A run with its 50 most confident results (spec A.6.5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RunDetail {
    pub run: Run,
    pub results: Vec<MatchResult>,
}

/// One entry of the append-only review log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviewDecision {
    pub id: String,
    pub result_id: String,
    pub run_id: String,
    pub document_id: String,
    /// The reference row the decision was about (the result's match or top candidate).
    pub reference_row_id: Option<String>,
    pub previous_status: ReviewStatus,
    pub status: ReviewStatus,
    pub notes: Option<String>,
    pub decided_by: String,
    pub decided_at: String,
    /// Set when this decision undid another: that decision's id.
    pub reverts: Option<String>,
    /// Set when this decision accepted an ai-resolve suggestion: its id.
    #[serde(default)]
    pub suggestion_id: Option<String>,
}
