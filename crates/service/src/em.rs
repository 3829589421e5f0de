//! Entity matching the Cognite way (spec Part B) as a service: models trained from sources,
//! targets and confirmed matches in the background, predict jobs, their results, pipelines
//! and the review of their runs (rules and matches taken or rejected); in Cognite's
//! own shapes (camelCase, int64 ids, epoch milliseconds, PascalCase job statuses), so the REST
//! layer and Cognite's clients see the same objects.

mod entities;
mod jobs;
mod models;
mod output;
mod pipeline_runs;
mod pipelines;
mod review;
mod shapes;

pub use entities::{entities_from_file, EmEntity, IdEither, MatchField, TrueMatch};
pub use jobs::{EmJob, EmMatch, EmPredictInput, EmPredictItem};
pub use models::{EmFitInput, EmModel, EmModelFilter, EmRefitInput, EmUpdate};
pub use pipeline_runs::{RunOutput, RunResult, RunSummary};
pub use pipelines::{DataSelection, ModelParameters, Pipeline, PipelineSpec, Replacement};
pub use shapes::{
    EmCondition, EmExtractor, EmRule, EntityRef, GeneratedRule, MatchType, PipelineMatch,
    RuleMatch, RunResultShape, SuggestedRule, TrueMatchShape,
};

/// A job's or a model's status, as Cognite writes it.
pub const QUEUED: &str = "Queued";
pub const RUNNING: &str = "Running";
pub const COMPLETED: &str = "Completed";
pub const FAILED: &str = "Failed";

/// Whether a status is final.
pub fn is_finished(status: &str) -> bool {
    status == COMPLETED || status == FAILED
}
