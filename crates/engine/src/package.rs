//! Packages (spec A.8, A.9): bundles of documents of different types, each type scored by its own
//! matching config, and the verdict procedure that combines the per-type outcomes.

pub mod rules;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use rules::{DeliverySide, InvoiceSide, PackageRule, RuleResult, RuleStatus, ThreeWayRule};

/// How much a document type matters to the package.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Presence {
    /// Must be there and matched (with `all_required_matched`), else the package fails.
    Required,
    /// Should be there and matched; a soft miss sends the package to review (or fails it).
    Expected,
    /// Scored and reported when there; never changes the verdict.
    Optional,
}

/// One slot of a package config: a document type and the matching config that scores it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DocumentTypeConfig {
    pub document_type: String,
    pub matching_config_id: String,
    pub presence: Presence,
}

/// When a package passes (spec A.8.1; the defaults are the spec's inferred ones).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PassCriteria {
    #[serde(default = "yes")]
    pub all_required_matched: bool,
    #[serde(default = "default_min_confidence")]
    pub min_confidence: f64,
    #[serde(default = "yes")]
    pub allow_review_on_expected: bool,
}

fn yes() -> bool {
    true
}

fn default_min_confidence() -> f64 {
    0.8
}

impl Default for PassCriteria {
    fn default() -> Self {
        PassCriteria {
            all_required_matched: true,
            min_confidence: default_min_confidence(),
            allow_review_on_expected: true,
        }
    }
}

/// A package config (spec A.8.1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PackageConfig {
    pub id: String,
    pub name: String,
    pub document_type_configs: Vec<DocumentTypeConfig>,
    pub pass_criteria: PassCriteria,
    /// Rules across slots (Matchbook's extension of the spec): the three-way match.
    #[serde(default)]
    pub rules: Vec<PackageRule>,
    pub created_at: String,
    pub updated_at: String,
}

/// A package run's overall verdict (spec A.9.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum PackageVerdict {
    Passed,
    Failed,
    Review,
    Error,
    /// In flight; a client sees it only after a crash (creation is synchronous).
    Running,
}

impl PackageVerdict {
    pub fn as_str(self) -> &'static str {
        match self {
            PackageVerdict::Passed => "passed",
            PackageVerdict::Failed => "failed",
            PackageVerdict::Review => "review",
            PackageVerdict::Error => "error",
            PackageVerdict::Running => "running",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "passed" => PackageVerdict::Passed,
            "failed" => PackageVerdict::Failed,
            "review" => PackageVerdict::Review,
            "error" => PackageVerdict::Error,
            "running" => PackageVerdict::Running,
            _ => return None,
        })
    }
}

/// One slot's outcome (spec A.9.1 `document_results[].status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum SlotStatus {
    /// Input given, its best row matched at or above the package's confidence floor.
    Matched,
    /// Matched by the config's threshold, but below the package's floor; or in the config's
    /// review band.
    Review,
    /// Input given, nothing matched.
    Unmatched,
    /// No input for a required or expected type.
    Missing,
    /// No input for an optional type.
    Skipped,
    Error,
}

/// One slot's line in a package run (spec A.9.1 `document_results[]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DocumentResult {
    pub document_type: String,
    pub matching_config_id: String,
    /// The matching run underneath; `None` when the slot had no input.
    pub matching_run_id: Option<String>,
    pub presence: Presence,
    /// Whether any input was supplied for this type.
    pub document_found: bool,
    pub status: SlotStatus,
    /// The best confidence reached; `None` when nothing was scored.
    pub confidence: Option<f64>,
    /// The best row's match, for the evidence (`None`: none matched).
    #[serde(default)]
    pub matched_reference_row_id: Option<String>,
    /// Why the slot failed, when it did.
    #[serde(default)]
    pub error: Option<String>,
}

/// A package run (spec A.9.1): the verdict, a line per slot, and the ids supplied per type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PackageRun {
    pub id: String,
    pub package_config_id: String,
    pub status: PackageVerdict,
    pub document_results: Vec<DocumentResult>,
    #[ts(type = "Record<string, Array<string>>")]
    pub input_documents: std::collections::BTreeMap<String, Vec<String>>,
    /// One outcome per rule of the package config, in its order.
    #[serde(default)]
    pub rule_results: Vec<RuleResult>,
    pub error: Option<String>,
    pub created_at: String,
    pub completed_at: Option<String>,
}

/// What one slot's matching gave, as the verdict needs it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SlotResult {
    pub presence: Presence,
    /// Whether any input was supplied for the type.
    pub document_found: bool,
    /// Whether its best row has a match (the matching config's threshold reached).
    pub matched: bool,
    /// Whether its best row lies in the matching config's review band.
    pub in_review_band: bool,
    /// The best confidence reached; `None` when nothing was scored.
    pub confidence: Option<f64>,
    /// The slot's matching failed.
    pub error: bool,
}

/// A slot's status under the package's criteria.
pub fn slot_status(slot: &SlotResult, criteria: &PassCriteria) -> SlotStatus {
    if slot.error {
        return SlotStatus::Error;
    }
    if !slot.document_found {
        return match slot.presence {
            Presence::Optional => SlotStatus::Skipped,
            _ => SlotStatus::Missing,
        };
    }
    let confident = slot
        .confidence
        .is_some_and(|c| c >= criteria.min_confidence - 1e-12);
    match (slot.matched, confident) {
        (true, true) => SlotStatus::Matched,
        (true, false) => SlotStatus::Review,
        (false, _) if slot.in_review_band => SlotStatus::Review,
        (false, _) => SlotStatus::Unmatched,
    }
}

/// The package's verdict by the procedure of spec A.9.3: an error anywhere is `error`; a required
/// type not matched fails the package (or, without `all_required_matched`, counts as an expected
/// one); an expected type not matched sends it to review (or fails it without
/// `allow_review_on_expected`); optional types never change it. The strongest outcome wins.
pub fn verdict(slots: &[SlotResult], criteria: &PassCriteria) -> PackageVerdict {
    let mut out = PackageVerdict::Passed;
    let rank = |v: PackageVerdict| match v {
        PackageVerdict::Error => 3,
        PackageVerdict::Failed => 2,
        PackageVerdict::Review => 1,
        _ => 0,
    };
    for slot in slots {
        let status = slot_status(slot, criteria);
        let this = match (status, slot.presence) {
            (SlotStatus::Error, _) => PackageVerdict::Error,
            (SlotStatus::Matched, _) | (_, Presence::Optional) => PackageVerdict::Passed,
            (_, Presence::Required) if criteria.all_required_matched => PackageVerdict::Failed,
            _ if criteria.allow_review_on_expected => PackageVerdict::Review,
            _ => PackageVerdict::Failed,
        };
        if rank(this) > rank(out) {
            out = this;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    use Presence::{Expected, Optional, Required};

    /// The outcomes a slot can have: (label, slot without its presence).
    fn outcomes(presence: Presence) -> Vec<(&'static str, SlotResult)> {
        let slot = |found, matched, band, confidence, error| SlotResult {
            presence,
            document_found: found,
            matched,
            in_review_band: band,
            confidence,
            error,
        };
        vec![
            ("matched", slot(true, true, false, Some(0.93), false)),
            (
                "matched below the floor",
                slot(true, true, false, Some(0.7), false),
            ),
            (
                "in the review band",
                slot(true, false, true, Some(0.6), false),
            ),
            ("unmatched", slot(true, false, false, Some(0.2), false)),
            ("nothing scored", slot(true, false, false, None, false)),
            ("no input", slot(false, false, false, None, false)),
            ("error", slot(true, false, false, None, true)),
        ]
    }

    #[test]
    fn every_presence_and_outcome_gets_its_slot_status() {
        let c = PassCriteria::default();
        for presence in [Required, Expected, Optional] {
            let got: Vec<SlotStatus> = outcomes(presence)
                .iter()
                .map(|(_, s)| slot_status(s, &c))
                .collect();
            let missing = if presence == Optional {
                SlotStatus::Skipped
            } else {
                SlotStatus::Missing
            };
            assert_eq!(
                got,
                vec![
                    SlotStatus::Matched,
                    SlotStatus::Review,
                    SlotStatus::Review,
                    SlotStatus::Unmatched,
                    SlotStatus::Unmatched,
                    missing,
                    SlotStatus::Error
                ],
                "{presence:?}"
            );
        }
    }

    #[test]
    fn every_presence_outcome_and_criteria_combination_gives_the_spec_verdict() {
        use PackageVerdict::{Error, Failed, Passed, Review};
        // (presence, all_required_matched, allow_review_on_expected) -> verdict per outcome of
        // `outcomes` (matched, below the floor, review band, unmatched, nothing scored, no input,
        // error).
        let table = [
            (
                Required,
                true,
                true,
                [Passed, Failed, Failed, Failed, Failed, Failed, Error],
            ),
            (
                Required,
                true,
                false,
                [Passed, Failed, Failed, Failed, Failed, Failed, Error],
            ),
            (
                Required,
                false,
                true,
                [Passed, Review, Review, Review, Review, Review, Error],
            ),
            (
                Required,
                false,
                false,
                [Passed, Failed, Failed, Failed, Failed, Failed, Error],
            ),
            (
                Expected,
                true,
                true,
                [Passed, Review, Review, Review, Review, Review, Error],
            ),
            (
                Expected,
                false,
                true,
                [Passed, Review, Review, Review, Review, Review, Error],
            ),
            (
                Expected,
                true,
                false,
                [Passed, Failed, Failed, Failed, Failed, Failed, Error],
            ),
            (
                Expected,
                false,
                false,
                [Passed, Failed, Failed, Failed, Failed, Failed, Error],
            ),
            (
                Optional,
                true,
                true,
                [Passed, Passed, Passed, Passed, Passed, Passed, Error],
            ),
            (
                Optional,
                false,
                false,
                [Passed, Passed, Passed, Passed, Passed, Passed, Error],
            ),
        ];
        for (presence, all_required, allow_review, expected) in table {
            let c = PassCriteria {
                all_required_matched: all_required,
                min_confidence: 0.8,
                allow_review_on_expected: allow_review,
            };
            for ((label, slot), want) in outcomes(presence).into_iter().zip(expected) {
                assert_eq!(
                    verdict(&[slot], &c),
                    want,
                    "{presence:?} {label}, all_required {all_required}, allow_review {allow_review}"
                );
            }
        }
    }

    #[test]
    fn the_strongest_outcome_wins() {
        let c = PassCriteria::default();
        let [matched, _, band, _, _, absent, error] = {
            let v = outcomes(Expected);
            [v[0].1, v[1].1, v[2].1, v[3].1, v[4].1, v[5].1, v[6].1]
        };
        let required_absent = SlotResult {
            presence: Required,
            ..absent
        };
        assert_eq!(verdict(&[], &c), PackageVerdict::Passed);
        assert_eq!(verdict(&[matched, band], &c), PackageVerdict::Review);
        assert_eq!(
            verdict(&[band, required_absent], &c),
            PackageVerdict::Failed
        );
        assert_eq!(
            verdict(&[required_absent, error, band], &c),
            PackageVerdict::Error
        );
    }

    #[test]
    fn criteria_default_to_the_spec_values_and_refuse_unknown_keys() {
        let c: PassCriteria = serde_json::from_str("{}").unwrap();
        assert_eq!(c, PassCriteria::default());
        assert!(
            serde_json::from_str::<PassCriteria>(r#"{"min_confidence": 0.9, "x": 1}"#).is_err()
        );
        assert!(serde_json::from_str::<DocumentTypeConfig>(
            r#"{"document_type": "invoice", "matching_config_id": "c", "presence": "maybe"}"#
        )
        .is_err());
    }
}
