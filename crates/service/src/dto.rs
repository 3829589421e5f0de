//! Requests and answers of the service layer that are not domain types of the engine.

use engine::{DatasetKind, ReviewStatus, Run, RunStatus};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Result, ServiceError};

/// Reads a request that arrives as untyped JSON (the desktop shell's commands), so that what is
/// wrong with it is a validation error naming the field (`reference_data_id`, `name`), as over
/// the REST API, rather than the shell's own error for arguments it cannot read.
pub fn input_from_json<T: DeserializeOwned>(value: serde_json::Value) -> Result<T> {
    serde_path_to_error::deserialize(&value).map_err(|e| {
        let path = e.path().to_string();
        let message = e.into_inner().to_string();
        let field = named_field(&path, &message);
        let message = if message.starts_with("missing field") {
            "is required".to_string()
        } else {
            message
        };
        ServiceError::validation(field, message)
    })
}

/// The field a serde error is about, as a path (`thresholds.review_floor`; empty for the whole
/// value). For a missing or unknown field the error's path ends at its parent object, so the
/// field's own name is added.
pub(crate) fn named_field(path: &str, message: &str) -> String {
    let parent = if path == "." { "" } else { path };
    let named = message.starts_with("missing field") || message.starts_with("unknown field");
    let name = message
        .split('`')
        .nth(1)
        .filter(|_| named)
        .filter(|n| !(parent == *n || parent.ends_with(&format!(".{n}"))));
    match (parent, name) {
        (p, None) => p.to_string(),
        ("", Some(n)) => n.to_string(),
        (p, Some(n)) => format!("{p}.{n}"),
    }
}

/// Import a file as reference data or as documents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ImportRequest {
    /// Path of the file on this machine.
    pub path: String,
    pub kind: DatasetKind,
    /// Display name; defaults to the file name without extension.
    #[serde(default)]
    #[ts(optional)]
    pub name: Option<String>,
    /// Column identifying a row; guessed when absent (document_id, id, *_id).
    #[serde(default)]
    #[ts(optional)]
    pub id_column: Option<String>,
    /// For documents: the column with the document's file name; guessed when absent.
    #[serde(default)]
    #[ts(optional)]
    pub filename_column: Option<String>,
    /// Force a delimiter (",", ";", "\t" or "|"); detected when absent.
    #[serde(default)]
    #[ts(optional)]
    pub delimiter: Option<String>,
    /// Text files: force an encoding ("utf-8", "windows-1252", "utf-16le", "utf-16be"); detected
    /// when absent.
    #[serde(default)]
    #[ts(optional)]
    pub encoding: Option<String>,
    /// Whether the first non-empty row names the columns (default true). Without a header the
    /// columns are called column_1, column_2, ...
    #[serde(default)]
    #[ts(optional)]
    pub has_header: Option<bool>,
    /// Spreadsheets: the sheet to read; the first when absent.
    #[serde(default)]
    #[ts(optional)]
    pub sheet: Option<String>,
}

impl ImportRequest {
    /// An import of `path` as `kind` with every option left to detection.
    pub fn new(path: impl Into<String>, kind: DatasetKind) -> Self {
        ImportRequest {
            path: path.into(),
            kind,
            name: None,
            id_column: None,
            filename_column: None,
            delimiter: None,
            encoding: None,
            has_header: None,
            sheet: None,
        }
    }
}

/// What the import wizard shows of a file before importing it: what was detected (and can be
/// changed), the columns and the first rows. Same options as an import.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ImportPreview {
    /// The file's name.
    pub file: String,
    /// "csv", "xlsx", "xls", "ods" or "json".
    pub format: String,
    /// Text files: the delimiter used (",", ";", "\t" or "|").
    #[ts(optional)]
    pub delimiter: Option<String>,
    /// Text files: the encoding used.
    #[ts(optional)]
    pub encoding: Option<String>,
    pub has_header: bool,
    /// Spreadsheets: every sheet, and the one read.
    pub sheets: Vec<String>,
    #[ts(optional)]
    pub sheet: Option<String>,
    pub columns: Vec<String>,
    /// The first rows (at most 10), one value per column.
    pub rows: Vec<Vec<String>>,
    /// Data rows in the file; absent when only the start of a large file was read.
    #[ts(optional, type = "number")]
    pub row_count: Option<u64>,
    /// The id column an import would use if none is chosen.
    #[ts(optional)]
    pub id_column: Option<String>,
    /// For documents: the file-name column an import would use if none is chosen.
    #[ts(optional)]
    pub filename_column: Option<String>,
}

/// A trial of a config that is not saved: its first documents matched against all its reference
/// data, nothing stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ConfigPreview {
    /// The results, in document order; ids are "preview-1", "preview-2", ...
    pub results: Vec<engine::MatchResult>,
    /// Documents tried.
    #[ts(type = "number")]
    pub documents: u64,
    /// Reference rows searched.
    #[ts(type = "number")]
    pub reference_rows: u64,
    #[ts(type = "number")]
    pub elapsed_ms: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ExportFormat {
    Csv,
    Xlsx,
}

/// Export a run's approved matches and its unmatched documents to a file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ExportRequest {
    pub run_id: String,
    /// Where to write; an existing file is replaced.
    pub path: String,
    pub format: ExportFormat,
    /// Also export matches at or above the threshold that nobody reviewed (default false: only
    /// what a reviewer approved).
    #[serde(default)]
    #[ts(optional)]
    pub include_unreviewed_matches: Option<bool>,
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ExportOutcome {
    pub path: String,
    #[ts(type = "number")]
    pub matched: u64,
    #[ts(type = "number")]
    pub unmatched: u64,
    /// Matches nobody reviewed, written as unmatched ("match not reviewed") because unreviewed
    /// matches were not asked for: a fresh run's export is otherwise empty without saying why.
    #[serde(default)]
    #[ts(type = "number")]
    pub unreviewed_left_out: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct WorkspaceInfo {
    pub path: String,
    pub datasets: u32,
    pub configs: u32,
    pub runs: u32,
}

/// Filters of the runs list; newest first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RunFilter {
    #[serde(default)]
    #[ts(optional)]
    pub config_id: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub status: Option<RunStatus>,
    /// At most this many runs (default 50, max 500).
    #[serde(default)]
    #[ts(optional)]
    pub limit: Option<u32>,
    /// 1-based page of `limit` runs; default 1.
    #[serde(default)]
    #[ts(optional)]
    pub page: Option<u32>,
}

/// A page of the runs list, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RunPage {
    pub data: Vec<Run>,
    #[ts(type = "number")]
    pub total: u64,
    pub page: u32,
    pub limit: u32,
}

/// The order of a result list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ResultSort {
    /// Best confidence first (the spec's order).
    #[default]
    ConfidenceDesc,
    ConfidenceAsc,
    /// By document id.
    Document,
    /// Latest decision first, unreviewed results last.
    RecentlyReviewed,
}

/// Which page of a run's results, and which results: filters combine with AND.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ResultQuery {
    #[serde(default)]
    #[ts(optional)]
    pub status: Option<ReviewStatus>,
    /// Inclusive lower bound of the confidence, 0 to 1.
    #[serde(default)]
    #[ts(optional)]
    pub min_confidence: Option<f64>,
    /// Inclusive upper bound of the confidence, 0 to 1.
    #[serde(default)]
    #[ts(optional)]
    pub max_confidence: Option<f64>,
    /// Text looked for (ASCII case-insensitive) in the document id and file name, the matched row
    /// id, the notes and the compared values of the document and of every candidate.
    #[serde(default)]
    #[ts(optional)]
    pub search: Option<String>,
    /// Only results with (true) or without (false) an open ai-resolve suggestion.
    #[serde(default)]
    #[ts(optional)]
    pub has_suggestion: Option<bool>,
    /// Default: confidence, best first.
    #[serde(default)]
    #[ts(optional)]
    pub sort: Option<ResultSort>,
    /// 1-based; default 1.
    #[serde(default)]
    #[ts(optional)]
    pub page: Option<u32>,
    /// Default 50, max 500.
    #[serde(default)]
    #[ts(optional)]
    pub limit: Option<u32>,
}

/// A run's results per review status, and how many were decided today (local time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ReviewCounts {
    #[ts(type = "number")]
    pub pending: u64,
    #[ts(type = "number")]
    pub approved: u64,
    #[ts(type = "number")]
    pub rejected: u64,
    /// Results of this run decided since local midnight.
    #[ts(type = "number")]
    pub reviewed_today: u64,
    /// Results of every run decided since local midnight.
    #[ts(type = "number")]
    pub reviewed_today_all_runs: u64,
}

/// Approve every pending result of a run that passes `query` and has a confidence of at least
/// `min_confidence`. `expected` is the count the user confirmed; if the queue changed since, the
/// call is a `conflict` and nothing is approved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct BulkApproveInput {
    #[serde(default)]
    pub query: ResultQuery,
    pub min_confidence: f64,
    #[ts(type = "number")]
    pub expected: u64,
    #[serde(default)]
    #[ts(optional)]
    pub notes: Option<String>,
}

/// One decision of a result: what undo and redo name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DecisionRef {
    pub result_id: String,
    pub decision_id: String,
}

/// What a bulk decision (or its undo) did: one decision per result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct BulkOutcome {
    pub decisions: Vec<DecisionRef>,
}

/// A run's outcome at a glance: its counters, its results by confidence (20 bins of 0.05) and per
/// band of the config it ran with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RunSummary {
    pub run: Run,
    pub threshold: f64,
    pub review_floor: f64,
    /// Result counts per confidence bin; bin i covers [i/20, (i+1)/20), the last includes 1.0.
    #[ts(type = "Array<number>")]
    pub histogram: Vec<u64>,
    /// Results at or above the threshold.
    #[ts(type = "number")]
    pub matched: u64,
    /// Results in the review band [review_floor, threshold).
    #[ts(type = "number")]
    pub review: u64,
    /// Results below the review floor that had a candidate.
    #[ts(type = "number")]
    pub below: u64,
    /// Results no reference row came near.
    #[ts(type = "number")]
    pub no_candidate: u64,
    pub counts: ReviewCounts,
    /// How the run found its candidates (from the config it ran with).
    pub candidate_search: crate::CandidateSearch,
    /// The block sizes of the run's reference data per field, measured when its index was built;
    /// `None` for runs from before they were measured and runs stopped before the index.
    pub block_sizes: Option<engine::index::BlockSizes>,
    /// What ai-resolve suggested on this run and what reviewers made of it.
    pub suggestions: SuggestionSummary,
    /// A smart run's estimates per field and agreement level (m and u, the strategy's EM);
    /// `None` for standard runs and when the strategy is gone.
    pub field_estimates: Option<Vec<engine::learn::FieldEstimate>>,
}

/// ai-resolve's suggestions on one run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SuggestionSummary {
    /// Results ai-resolve settled with a suggestion (a later pass's replace earlier ones).
    #[ts(type = "number")]
    pub made: u64,
    /// Still waiting for a reviewer.
    #[ts(type = "number")]
    pub open: u64,
    #[ts(type = "number")]
    pub accepted: u64,
    #[ts(type = "number")]
    pub dismissed: u64,
}

/// A reviewer's decision on one result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ReviewInput {
    /// "approved" or "rejected".
    pub status: ReviewStatus,
    #[serde(default)]
    #[ts(optional)]
    pub notes: Option<String>,
    /// Approve this candidate instead of the proposed match; must be one of the result's candidates.
    #[serde(default)]
    #[ts(optional)]
    pub reference_row_id: Option<String>,
}
