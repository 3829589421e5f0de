//! The JSON shapes of package configs (spec A.8): the object with its links, and the list.

use engine::package::PackageConfig;
use serde::Serialize;
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
