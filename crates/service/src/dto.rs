//! Requests and answers of the service layer that are not domain types of the engine.

use engine::{DatasetKind, ReviewStatus, RunStatus};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

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
}

/// Which page of a run's results, best confidence first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ResultQuery {
    #[serde(default)]
    #[ts(optional)]
    pub status: Option<ReviewStatus>,
    /// 1-based; default 1.
    #[serde(default)]
    #[ts(optional)]
    pub page: Option<u32>,
    /// Default 50, max 500.
    #[serde(default)]
    #[ts(optional)]
    pub limit: Option<u32>,
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
