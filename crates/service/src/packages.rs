//! Package configs (spec A.8): bundles of document-type slots over existing matching configs,
//! created, read, listed, changed and deleted through checks that name the field at fault.
//! Deleting one deletes its package runs.

mod files;
mod rules;
mod runs;
pub(crate) mod warm;

pub use files::input_rows_from_file;
pub use runs::{InputRow, PackageRunFilter, PackageRunInput};
pub use warm::{MatchOne, MatchOneInput};

use engine::package::{DocumentTypeConfig, PackageConfig, PackageRule, PassCriteria};
use serde::{Deserialize, Serialize};
use store::StoreError;
use ts_rs::TS;

use crate::error::{Result, ServiceError};
use crate::paging::{cursor_limit, CursorPage, CursorPagination, CursorQuery};
use crate::{new_result_id, Workspace};

/// The body that creates a package config (spec A.8.2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PackageConfigInput {
    pub name: String,
    pub document_type_configs: Vec<DocumentTypeConfig>,
    /// Left out: the spec's defaults (all required matched, floor 0.8, review on expected).
    #[serde(default)]
    #[ts(optional)]
    pub pass_criteria: Option<PassCriteria>,
    /// Rules across slots (Matchbook's extension): the three-way match.
    #[serde(default)]
    #[ts(optional)]
    pub rules: Option<Vec<PackageRule>>,
}

/// A change to a package config (spec A.8.6, inferred): the slots are replaced as a whole, the
/// criteria merged key by key.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PackageConfigPatch {
    #[serde(default)]
    #[ts(optional)]
    pub name: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub document_type_configs: Option<Vec<DocumentTypeConfig>>,
    #[serde(default)]
    #[ts(optional)]
    pub pass_criteria: Option<PassCriteriaPatch>,
    /// Replaces the rules as a whole (`[]` removes them).
    #[serde(default)]
    #[ts(optional)]
    pub rules: Option<Vec<PackageRule>>,
}

/// The criteria keys a patch changes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PassCriteriaPatch {
    #[serde(default)]
    #[ts(optional)]
    pub all_required_matched: Option<bool>,
    #[serde(default)]
    #[ts(optional)]
    pub min_confidence: Option<f64>,
    #[serde(default)]
    #[ts(optional)]
    pub allow_review_on_expected: Option<bool>,
}

/// Decoded `created_cursor` of the package config list.
const CURSOR_KIND: &str = "p";

impl Workspace {
    /// Creates a package config after checking it (see `check_package`).
    pub fn create_package_config(&self, input: &PackageConfigInput) -> Result<PackageConfig> {
        let now = self.now();
        let config = PackageConfig {
            id: new_result_id(),
            name: input.name.trim().to_string(),
            document_type_configs: trimmed(&input.document_type_configs),
            pass_criteria: input.pass_criteria.unwrap_or_default(),
            rules: input.rules.clone().unwrap_or_default(),
            created_at: now.clone(),
            updated_at: now,
        };
        self.check_package(&config)?;
        self.store.insert_package_config(&config)?;
        Ok(config)
    }

    pub fn get_package_config(&self, id: &str) -> Result<PackageConfig> {
        self.store.get_package_config(id).map_err(|e| match e {
            StoreError::NotFound { .. } => ServiceError::not_found("package config", id),
            e => e.into(),
        })
    }

    /// A page of package configs, newest first.
    pub fn package_config_page(&self, q: &CursorQuery) -> Result<CursorPage<PackageConfig>> {
        let limit = cursor_limit(q.limit)?;
        let after = crate::paging::created_after(q, CURSOR_KIND)?;
        let mut data = self.store.list_package_configs(
            after.as_ref().map(|(c, i)| (c.as_str(), i.as_str())),
            limit + 1,
        )?;
        let has_more = data.len() > limit as usize;
        data.truncate(limit as usize);
        let next_cursor = has_more
            .then(|| data.last())
            .flatten()
            .map(|c| crate::paging::created_cursor(CURSOR_KIND, &c.created_at, &c.id));
        Ok(CursorPage {
            data,
            pagination: CursorPagination {
                total: self.store.count_package_configs()?,
                limit,
                has_more,
                next_cursor,
            },
        })
    }

    /// Applies a patch (same checks as creation); past package runs keep their verdicts.
    pub fn patch_package_config(
        &self,
        id: &str,
        patch: &PackageConfigPatch,
    ) -> Result<PackageConfig> {
        let mut config = self.get_package_config(id)?;
        if let Some(name) = &patch.name {
            config.name = name.trim().to_string();
        }
        if let Some(slots) = &patch.document_type_configs {
            config.document_type_configs = trimmed(slots);
        }
        if let Some(c) = &patch.pass_criteria {
            let p = &mut config.pass_criteria;
            p.all_required_matched = c.all_required_matched.unwrap_or(p.all_required_matched);
            p.min_confidence = c.min_confidence.unwrap_or(p.min_confidence);
            p.allow_review_on_expected = c
                .allow_review_on_expected
                .unwrap_or(p.allow_review_on_expected);
        }
        if let Some(rules) = &patch.rules {
            config.rules = rules.clone();
        }
        config.updated_at = self.now();
        self.check_package(&config)?;
        self.store.update_package_config(&config)?;
        Ok(config)
    }

    /// Deletes a package config and every package run made from it (spec A.8.5).
    pub fn delete_package_config(&self, id: &str) -> Result<()> {
        self.store.delete_package_config(id).map_err(|e| match e {
            StoreError::NotFound { .. } => ServiceError::not_found("package config", id),
            e => e.into(),
        })
    }

    /// The rules of spec A.8.2: a name; at least one slot; each slot's type given and unique,
    /// its matching config existing (404 naming the slot's field otherwise); a floor in 0..1.
    fn check_package(&self, c: &PackageConfig) -> Result<()> {
        if c.name.is_empty() {
            return Err(ServiceError::validation("name", "is required"));
        }
        if c.document_type_configs.is_empty() {
            return Err(ServiceError::validation(
                "document_type_configs",
                "needs at least one document type",
            ));
        }
        let floor = c.pass_criteria.min_confidence;
        if !(0.0..=1.0).contains(&floor) {
            return Err(ServiceError::validation(
                "pass_criteria.min_confidence",
                format!("must be between 0 and 1, not {floor}"),
            ));
        }
        for (i, slot) in c.document_type_configs.iter().enumerate() {
            let field = |name: &str| format!("document_type_configs[{i}].{name}");
            if slot.document_type.is_empty() {
                return Err(ServiceError::validation(
                    field("document_type"),
                    "is required",
                ));
            }
            if c.document_type_configs[..i]
                .iter()
                .any(|s| s.document_type == slot.document_type)
            {
                return Err(ServiceError::validation(
                    field("document_type"),
                    format!("{} is given twice", slot.document_type),
                ));
            }
            match self.store.get_config(&slot.matching_config_id) {
                Ok(_) => {}
                Err(StoreError::NotFound { .. }) => {
                    return Err(ServiceError::NotFoundAt {
                        kind: "config",
                        id: slot.matching_config_id.clone(),
                        field: field("matching_config_id"),
                    })
                }
                Err(e) => return Err(e.into()),
            }
        }
        self.check_rules(c)
    }
}

fn trimmed(slots: &[DocumentTypeConfig]) -> Vec<DocumentTypeConfig> {
    slots
        .iter()
        .map(|s| DocumentTypeConfig {
            document_type: s.document_type.trim().to_string(),
            matching_config_id: s.matching_config_id.trim().to_string(),
            presence: s.presence,
        })
        .collect()
}
