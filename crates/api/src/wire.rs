//! The JSON shapes of the API (spec A.3–A.7; those of strategies, A.5, in `strategies`), built
//! from the service's types. They add what a REST client needs and the desktop UI does not
//! (links, the spec's evidence keyed by field) and keep Matchbook's extra fields (config_name,
//! review_floor, schedule, ...) beside the spec's. Request bodies refuse unknown fields, so a typo
//! is a 400 naming it rather than ignored.

use engine::{
    BlockingKey, BlockingStrategy, Candidate, Column, Dataset, DatasetKind, DatasetStatus,
    FieldEvidence, FieldMapping, FieldNote, MatchResult, MatchingConfig, ReviewStatus, Run,
    RunProgress, RunStatus, Schedule, Strategy,
};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};

mod packages;
mod smart;
mod sql;
mod strategies;
pub use packages::*;
pub use smart::*;
pub use sql::*;
pub use strategies::*;

// ---- shared ---------------------------------------------------------------------------------

/// Page-style pagination (results, tables, rows).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PagePagination {
    pub total: u64,
    pub page: u32,
    pub limit: u32,
}

/// Cursor-style pagination (configs, runs): send `next_cursor` back as `cursor`.
pub use service::CursorPagination;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Deleted {
    pub deleted: bool,
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// 1-based page; default 1.
    pub page: Option<u32>,
    /// Items per page (rows: default 100, results: default 50; at most 500).
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CursorParams {
    /// The previous page's `pagination.next_cursor`.
    pub cursor: Option<String>,
    /// Default 20, at most 100.
    pub limit: Option<u32>,
}

/// `Some(None)` for an explicit null, `None` when the field is absent.
fn double_option<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

// ---- reference data and document sets -------------------------------------------------------

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TableLinks {
    #[serde(rename = "self")]
    pub self_: String,
    pub rows: String,
    pub export: String,
}

/// A reference table or a document set (spec A.3.1).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Table {
    pub id: String,
    pub name: String,
    /// "reference" or "documents".
    pub kind: DatasetKind,
    /// "ready" for files (their import finishes before the response); a table read from a
    /// database is "importing" while its rows stream in, then "ready" or "failed" (see `error`).
    pub status: DatasetStatus,
    /// "csv", "xlsx", "xls", "ods" or "json" for files; "postgres" for a database.
    pub source_type: String,
    /// Rows of the version in use (0 while a first database import runs).
    pub row_count: u64,
    /// Known at once, also while a database import runs.
    pub columns: Vec<Column>,
    /// The column whose values are the row (or document) ids.
    pub id_column: Option<String>,
    /// Document sets: the column with each document's file name.
    pub filename_column: Option<String>,
    pub created_at: String,
    /// Completed imports of the rows: 1 for a file, +1 per refresh from a database; 0 until a
    /// first database import completes.
    pub version: u32,
    /// Why the last import failed (status "failed"); null otherwise. A failed refresh keeps the
    /// previous version in use.
    pub error: Option<String>,
    /// Rows read so far by the database import in progress (the last one's total after it);
    /// null for files.
    pub rows_imported: Option<u64>,
    /// Tables read from a database: the connection and query a refresh re-runs (never a
    /// password); null for files.
    pub source: Option<TableSource>,
    pub links: TableLinks,
}

pub fn table(d: Dataset) -> Table {
    let base = match d.kind {
        DatasetKind::Reference => "/v1/reference-data",
        DatasetKind::Documents => "/v1/document-sets",
    };
    let self_ = format!("{base}/{}", d.id);
    Table {
        links: TableLinks {
            rows: format!("{self_}/rows"),
            export: format!("{self_}/export"),
            self_,
        },
        id: d.id,
        name: d.name,
        kind: d.kind,
        status: d.status,
        source_type: d.source_type,
        row_count: d.row_count,
        columns: d.columns,
        id_column: d.id_column,
        filename_column: d.filename_column,
        created_at: d.created_at,
        version: d.version,
        error: d.error,
        rows_imported: d.rows_imported,
        source: d.sql.map(table_source),
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TablePage {
    pub data: Vec<Table>,
    pub pagination: PagePagination,
}

/// Create a table from JSON rows (spec A.3.2).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTable {
    pub name: String,
    /// Flat objects, one per row. The first row's keys are the columns; later rows must fit them.
    #[schema(value_type = Vec<Object>)]
    pub data: Vec<Value>,
    /// The column whose values identify a row; guessed (`id`, `*_id`) when absent.
    #[serde(default)]
    pub id_column: Option<String>,
    /// Document sets: the column with each document's file name; guessed when absent.
    #[serde(default)]
    pub filename_column: Option<String>,
}

/// One row, its columns next to its `id` (spec A.3.5).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RowsPage {
    #[schema(value_type = Vec<Object>)]
    pub data: Vec<Map<String, Value>>,
    pub pagination: PagePagination,
}

pub fn rows_page(p: engine::RowPage) -> RowsPage {
    let data = p
        .rows
        .into_iter()
        .map(|r| {
            let mut m = Map::new();
            m.insert("id".into(), Value::String(r.id));
            for (c, v) in p.columns.iter().zip(r.values) {
                // The row's own id stays under "id"; a column of that name is its value too.
                if c != "id" {
                    m.insert(c.clone(), Value::String(v));
                }
            }
            m
        })
        .collect();
    RowsPage {
        data,
        pagination: PagePagination {
            total: p.total,
            page: p.page,
            limit: p.limit,
        },
    }
}

// ---- configs --------------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ConfigLinks {
    #[serde(rename = "self")]
    pub self_: String,
    /// Where to POST to start a run.
    pub runs: String,
}

/// A matching config (spec A.4.1) with its links.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Config {
    #[serde(flatten)]
    pub config: MatchingConfig,
    pub links: ConfigLinks,
}

pub fn config(c: MatchingConfig) -> Config {
    let self_ = format!("/v1/matching/configs/{}", c.id);
    Config {
        links: ConfigLinks {
            runs: format!("{self_}/run"),
            self_,
        },
        config: c,
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConfigPage {
    pub data: Vec<Config>,
    pub pagination: CursorPagination,
}

/// Create a config (spec A.4.4).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateConfig {
    pub name: String,
    pub reference_data_id: String,
    pub field_mappings: Vec<FieldMapping>,
    /// Default 0.85.
    #[serde(default)]
    pub threshold: Option<f64>,
    /// Default 0.5.
    #[serde(default)]
    pub review_floor: Option<f64>,
    /// Only "run".
    #[serde(default)]
    pub target_type: Option<String>,
    /// Only `{}`.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub target_value: Option<Value>,
    /// Default: every document set.
    #[serde(default)]
    pub document_set_id: Option<String>,
    #[serde(default)]
    pub one_to_one: Option<bool>,
    #[serde(default)]
    pub schedule: Option<Schedule>,
    /// Default: none; Matchbook picks its own keys.
    #[serde(default)]
    pub blocking_keys: Option<Vec<BlockingKey>>,
    /// Default: parallel.
    #[serde(default)]
    pub blocking_strategy: Option<BlockingStrategy>,
}

/// Change a config (spec A.4.5): fields left out keep their value; `null` clears an optional
/// one. `reference_data_id` may only repeat the current value.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateConfig {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub reference_data_id: Option<String>,
    #[serde(default)]
    pub field_mappings: Option<Vec<FieldMapping>>,
    #[serde(default)]
    pub threshold: Option<f64>,
    #[serde(default)]
    pub review_floor: Option<f64>,
    #[serde(default)]
    pub target_type: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub target_value: Option<Value>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub document_set_id: Option<Option<String>>,
    #[serde(default)]
    pub one_to_one: Option<bool>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Schedule>)]
    pub schedule: Option<Option<Schedule>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Vec<BlockingKey>>)]
    pub blocking_keys: Option<Option<Vec<BlockingKey>>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<BlockingStrategy>)]
    pub blocking_strategy: Option<Option<BlockingStrategy>>,
}

// ---- runs -----------------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RunLinks {
    #[serde(rename = "self")]
    pub self_: String,
    pub config: String,
    pub progress: String,
    pub results: String,
}

/// A matching run (spec A.6.1, with its `run_type` and `strategy_id`) and its links.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RunObject {
    #[serde(flatten)]
    pub run: Run,
    pub links: RunLinks,
}

pub fn run(r: Run) -> RunObject {
    let self_ = format!("/v1/matching/runs/{}", r.id);
    RunObject {
        links: RunLinks {
            config: format!("/v1/matching/configs/{}", r.matching_config_id),
            progress: format!("{self_}/progress"),
            results: format!("{self_}/results"),
            self_,
        },
        run: r,
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RunPage {
    pub data: Vec<RunObject>,
    pub pagination: CursorPagination,
}

/// A run with its 50 most confident results (spec A.6.5).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RunDetail {
    #[serde(flatten)]
    pub run: RunObject,
    pub results: Vec<ResultObject>,
}

/// A run's progress (spec A.6.6): the seed's "List Runs" fields (`id`, `started_at`,
/// `completed_at`) beside the inferred ones, `run_id` kept for clients that read it already.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Progress {
    /// The run's id (the same as `run_id`).
    pub id: String,
    #[serde(flatten)]
    pub progress: RunProgress,
    pub started_at: Option<String>,
    pub completed_at: Option<String>,
}

/// The live progress with the times from the run's record. The desktop's `RunProgress` is sent
/// many times a second over its channel and has no use for the times, so they are added here.
pub fn progress(p: RunProgress, run: &Run) -> Progress {
    Progress {
        id: p.run_id.clone(),
        progress: p,
        started_at: run.started_at.clone(),
        completed_at: run.completed_at.clone(),
    }
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RunsQuery {
    /// Only runs of this config.
    pub config_id: Option<String>,
    pub status: Option<RunStatus>,
    pub cursor: Option<String>,
    /// Default 20, at most 100.
    pub limit: Option<u32>,
}

/// Start a run. The body may be left out; it takes no fields today.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartRun {}

// ---- results --------------------------------------------------------------------------------

/// How one field compared (spec A.7.1 evidence), keyed by the document field in `evidence`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Evidence {
    pub strategy: Strategy,
    pub score: f64,
    pub target: String,
    pub weight: f64,
    pub source_value: String,
    pub target_value: String,
    /// One side had no value.
    pub missing: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<FieldNote>,
    /// Smart runs: how far this field moved the odds of a match, in bits (log2 of the
    /// likelihood ratio); what a waterfall of the decision draws.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub match_weight: Option<f64>,
}

/// Evidence keyed by document field, in mapping order, written straight to JSON: building a
/// `serde_json::Value` per field first took a fifth of a results page's time (docs/PERFORMANCE.md).
#[derive(Debug, Clone, Default)]
pub struct EvidenceMap(pub Vec<(String, Evidence)>);

impl Serialize for EvidenceMap {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (field, e) in &self.0 {
            map.serialize_entry(field, e)?;
        }
        map.end()
    }
}

fn evidence(fields: Vec<FieldEvidence>) -> EvidenceMap {
    EvidenceMap(
        fields
            .into_iter()
            .map(|f| {
                (
                    f.source.to_string(),
                    Evidence {
                        strategy: f.strategy,
                        score: f.score,
                        target: f.target.to_string(),
                        weight: f.weight,
                        source_value: f.source_value.to_string(),
                        target_value: f.target_value,
                        missing: f.missing,
                        note: f.note,
                        match_weight: f.match_weight,
                    },
                )
            })
            .collect(),
    )
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CandidateObject {
    pub rank: u32,
    pub reference_row_id: String,
    pub confidence: f64,
    /// Per document field, how it compared.
    #[schema(value_type = std::collections::HashMap<String, Evidence>)]
    pub evidence: EvidenceMap,
}

pub fn candidate(c: Candidate) -> CandidateObject {
    CandidateObject {
        rank: c.rank,
        reference_row_id: c.reference_row_id,
        confidence: c.confidence,
        evidence: evidence(c.evidence),
    }
}

/// One document's outcome in a run (spec A.7.1).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResultObject {
    pub id: String,
    pub run_id: String,
    pub document_id: String,
    pub document_filename: Option<String>,
    pub matched_reference_row_id: Option<String>,
    pub confidence: f64,
    pub status: ReviewStatus,
    pub notes: Option<String>,
    /// The best candidate's evidence per document field; null without a candidate.
    #[schema(value_type = Option<std::collections::HashMap<String, Evidence>>)]
    pub evidence: Option<EvidenceMap>,
    pub candidates: Vec<CandidateObject>,
    /// One-to-one runs: another document won this one's best reference row.
    pub contested: bool,
    pub reviewed_at: Option<String>,
    /// ai-resolve's open suggestion (`resolved_by: "ai"`), until a reviewer accepts or dismisses it.
    pub suggestion: Option<engine::AiSuggestion>,
}

pub fn result(r: MatchResult) -> ResultObject {
    ResultObject {
        id: r.id,
        run_id: r.run_id,
        document_id: r.document_id,
        document_filename: r.document_filename,
        matched_reference_row_id: r.matched_reference_row_id,
        confidence: r.confidence,
        status: r.status,
        notes: r.notes,
        evidence: r.evidence.map(evidence),
        candidates: r.candidates.into_iter().map(candidate).collect(),
        contested: r.contested,
        reviewed_at: r.reviewed_at,
        suggestion: r.suggestion,
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResultPage {
    pub data: Vec<ResultObject>,
    pub pagination: PagePagination,
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ResultsQuery {
    pub status: Option<ReviewStatus>,
    /// 1-based; default 1.
    pub page: Option<u32>,
    /// Default 50, at most 500.
    pub limit: Option<u32>,
    /// Only results with at least this confidence (0–1).
    pub min_confidence: Option<f64>,
    /// Only results with at most this confidence (0–1).
    pub max_confidence: Option<f64>,
    /// Text in the document, its file name, the matched row, notes or compared values.
    pub search: Option<String>,
    /// Only results with (`true`) or without (`false`) an open ai-resolve suggestion.
    pub has_suggestion: Option<bool>,
}

/// A review decision (spec A.7.4).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Review {
    /// "approved" or "rejected".
    pub status: ReviewStatus,
    /// Stored with the result; leaving it out clears earlier notes.
    #[serde(default)]
    pub notes: Option<String>,
    /// Approve this candidate instead of the proposed match.
    #[serde(default)]
    pub reference_row_id: Option<String>,
}

/// The decisions taken on one result, oldest first (the review log).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DecisionList {
    pub data: Vec<engine::ReviewDecision>,
}

// ---- review desk (Matchbook's extensions) ---------------------------------------------------

/// A run's results per review status, and how many were decided since local midnight.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReviewCounts {
    pub pending: u64,
    pub approved: u64,
    pub rejected: u64,
    pub reviewed_today: u64,
    pub reviewed_today_all_runs: u64,
}

/// A run at a glance: confidence histogram and counts per band of the config it ran with.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RunSummary {
    pub run: RunObject,
    pub threshold: f64,
    pub review_floor: f64,
    /// Results per confidence bin of 0.05; the last bin includes 1.0.
    pub histogram: Vec<u64>,
    /// At or above the threshold.
    pub matched: u64,
    /// In the review band [review_floor, threshold).
    pub review: u64,
    /// Below the review floor, with a candidate.
    pub below: u64,
    /// Without any candidate.
    pub no_candidate: u64,
    pub counts: ReviewCounts,
    /// How the run found its candidates: the blocking keys its config names, or the keys
    /// Matchbook picked per field, and the block sizes that decide what is compared.
    pub candidate_search: service::CandidateSearch,
    /// The block sizes of the run's reference data per field, measured when its index was built
    /// (null for runs from before they were measured).
    pub block_sizes: Option<engine::index::BlockSizes>,
    /// What ai-resolve suggested on this run and what reviewers made of it.
    pub suggestions: service::SuggestionSummary,
    /// Smart runs: the strategy's m and u per field and agreement level.
    pub field_estimates: Option<Vec<engine::learn::FieldEstimate>>,
}

pub fn summary(s: service::RunSummary) -> RunSummary {
    RunSummary {
        run: run(s.run),
        threshold: s.threshold,
        review_floor: s.review_floor,
        histogram: s.histogram,
        matched: s.matched,
        review: s.review,
        below: s.below,
        no_candidate: s.no_candidate,
        counts: ReviewCounts {
            pending: s.counts.pending,
            approved: s.counts.approved,
            rejected: s.counts.rejected,
            reviewed_today: s.counts.reviewed_today,
            reviewed_today_all_runs: s.counts.reviewed_today_all_runs,
        },
        suggestions: s.suggestions,
        field_estimates: s.field_estimates,
        candidate_search: s.candidate_search,
        block_sizes: s.block_sizes,
    }
}

/// Which pending results a bulk approval takes: at least `min_confidence`, and the optional
/// filters of the results list.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct BulkQuery {
    pub min_confidence: f64,
    pub max_confidence: Option<f64>,
    pub search: Option<String>,
    /// Only results with (`true`) or without (`false`) an open ai-resolve suggestion.
    pub has_suggestion: Option<bool>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BulkCount {
    /// Pending results the approval would take now; send it back as `expected`.
    pub count: u64,
}

/// Approve every pending result at or above `min_confidence` (and within the filters), in one
/// transaction. `expected` is the count the caller saw: if it changed, nothing is approved (409).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkApprove {
    pub min_confidence: f64,
    pub expected: u64,
    #[serde(default)]
    pub max_confidence: Option<f64>,
    #[serde(default)]
    pub search: Option<String>,
    /// Only results with (`true`) or without (`false`) an open ai-resolve suggestion.
    #[serde(default)]
    pub has_suggestion: Option<bool>,
    #[serde(default)]
    pub notes: Option<String>,
}

/// One decision: what an undo names.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DecisionRef {
    pub result_id: String,
    pub decision_id: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BulkOutcome {
    pub approved: u64,
    /// One decision per approved result (undo each with .../revert).
    pub decisions: Vec<DecisionRef>,
}

/// Undo a result's latest decision: the result gets back its status, match and notes before it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Revert {
    pub decision_id: String,
}
