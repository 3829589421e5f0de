//! Matching two tables in memory with a config file, no workspace: the tuning loop of
//! `examples/match_files` and the accuracy tests on generated data.

use engine::progress::{CancelToken, NoProgress};
use engine::run::{
    execute, ExecOptions, KeepAll, MatchPlan, RejectedPairs, RunInput, RunOutcome, SliceSource,
};
use engine::{Document, DocumentMatch, EngineError, FieldMapping, Record, DEFAULT_REVIEW_FLOOR};
use serde::Deserialize;

/// The matching part of a config, as the files in docs/configs hold it.
#[derive(Debug, Clone, Deserialize)]
pub struct ConfigFile {
    pub field_mappings: Vec<FieldMapping>,
    pub threshold: f64,
    #[serde(default)]
    pub review_floor: Option<f64>,
    #[serde(default)]
    pub one_to_one: Option<bool>,
}

impl ConfigFile {
    /// The plan a run of this config makes, with the same defaults as a stored config.
    pub fn plan(
        &self,
        reference_columns: &[String],
        document_columns: &[String],
    ) -> Result<MatchPlan, EngineError> {
        let review_floor = self
            .review_floor
            .unwrap_or(DEFAULT_REVIEW_FLOOR.min(self.threshold));
        Ok(MatchPlan::new(
            &self.field_mappings,
            self.threshold,
            reference_columns,
            document_columns,
        )?
        .with_one_to_one(self.one_to_one.unwrap_or(false))
        .with_review_floor(review_floor))
    }
}

/// Every document matched against `reference`, with the run's counters.
pub fn match_all(
    plan: &MatchPlan,
    reference: &[Record],
    documents: &[Document],
) -> (Vec<DocumentMatch>, RunOutcome) {
    let mut keep = KeepAll::default();
    let input = RunInput {
        plan,
        reference,
        rejected: &RejectedPairs::new(),
    };
    let Ok(outcome) = execute(
        &input,
        &mut SliceSource::new(documents),
        &mut keep,
        &NoProgress,
        &CancelToken::new(),
        ExecOptions::default(),
    );
    (keep.0, outcome)
}
