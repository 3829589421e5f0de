//! How a run tells the world how far it is, and how the world tells it to stop.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The phases of a run, in order (spec A.6.6 / C.14). `ai_resolving` is reserved for the offline
/// resolution pass that a later issue adds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Phase {
    Queued,
    LoadingReference,
    /// A smart run fits its match model to the data and reviewers' decisions before matching.
    Learning,
    Matching,
    AiResolving,
    Finalizing,
    Completed,
    Failed,
    Cancelled,
}

/// A snapshot of a running match, reported by the engine. Timing and ETA are the caller's business:
/// the engine holds no clock.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgressUpdate {
    pub phase: Phase,
    /// 0-100 within the current phase.
    pub phase_progress: u8,
    pub rows_processed: u64,
    pub rows_total: u64,
    pub rows_matched: u64,
}

/// Receives progress from a run. Called from the worker thread, so it must be cheap: the engine
/// already throttles calls to a few per second per phase.
pub trait ProgressSink: Send + Sync {
    fn report(&self, update: &ProgressUpdate);
}

/// A sink that drops everything, for callers that do not watch.
pub struct NoProgress;
impl ProgressSink for NoProgress {
    fn report(&self, _: &ProgressUpdate) {}
}

/// Cooperative cancellation shared between whoever starts a run and the worker that executes it.
/// The worker checks it between documents, so a cancel never leaves a document half written.
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Release);
    }
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }
}
