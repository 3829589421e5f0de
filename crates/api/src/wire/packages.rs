//! The JSON shapes of package configs (spec A.8): the object with its links, and the list.

use engine::package::{PackageConfig, PackageRun, PackageVerdict};
use serde::Deserialize;
use serde::Serialize;
use utoipa::IntoParams;
use utoipa::ToSchema;

use super::CursorPagination;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PackageConfigLinks {
    #[serde(rename = "self")]
    pub self_: String,
    /// The package run list filtered to this config.
    pub runs: String,
}

/// A package config (spec A.8.1) with its links.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PackageConfigObject {
    #[serde(flatten)]
    pub config: PackageConfig,
    pub links: PackageConfigLinks,
}

pub fn package_config(c: PackageConfig) -> PackageConfigObject {
    PackageConfigObject {
        links: PackageConfigLinks {
            self_: format!("/v1/matching/packages/configs/{}", c.id),
            runs: format!("/v1/matching/packages/runs?package_config_id={}", c.id),
        },
        config: c,
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PackageConfigPage {
    pub data: Vec<PackageConfigObject>,
    pub pagination: CursorPagination,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PackageRunLinks {
    #[serde(rename = "self")]
    pub self_: String,
    pub config: String,
}

/// A package run (spec A.9.1) with its links.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PackageRunObject {
    #[serde(flatten)]
    pub run: PackageRun,
    pub links: PackageRunLinks,
}

pub fn package_run(r: PackageRun) -> PackageRunObject {
    PackageRunObject {
        links: PackageRunLinks {
            self_: format!("/v1/matching/packages/runs/{}", r.id),
            config: format!("/v1/matching/packages/configs/{}", r.package_config_id),
        },
        run: r,
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PackageRunPage {
    pub data: Vec<PackageRunObject>,
    pub pagination: CursorPagination,
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PackageRunsQuery {
    /// Only runs of this package config.
    pub package_config_id: Option<String>,
    /// Only runs with this verdict.
    pub status: Option<PackageVerdict>,
    pub cursor: Option<String>,
    /// Default 20, at most 100.
    pub limit: Option<u32>,
}

/// One document matched now (`POST /v1/matching/configs/{id}/match`, Matchbook's extension):
/// its match and top candidates with evidence, as a result of a run has them; nothing is stored.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MatchOneResult {
    pub document_id: String,
    pub matched_reference_row_id: Option<String>,
    pub confidence: f64,
    pub candidates: Vec<super::CandidateObject>,
}

pub fn match_one(m: service::MatchOne) -> MatchOneResult {
    MatchOneResult {
        document_id: m.document_id,
        matched_reference_row_id: m.matched_reference_row_id,
        confidence: m.confidence,
        candidates: m.candidates.into_iter().map(super::candidate).collect(),
    }
}
