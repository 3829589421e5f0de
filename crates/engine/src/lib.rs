//! Matchbook's matching engine: domain types, parsing, strategies, candidate search, scoring and
//! run execution. It knows nothing of SQL, Tauri or HTTP; the store persists what it produces and the
//! service layer drives it.

pub mod assign;
pub mod domain;
pub mod em;
pub mod error;
pub mod index;
pub mod learn;
pub mod normalize;
pub mod package;
pub mod parse;
pub mod phase_time;
pub mod profile;
pub mod progress;
pub mod run;
pub mod similarity;
pub mod slips;
pub mod source;
pub mod strategy;
pub mod validate;

pub use domain::*;
pub use error::EngineError;
pub use progress::{CancelToken, Phase, ProgressSink, ProgressUpdate};
pub use source::{DatasetStatus, SqlConnection, SqlEngine, SqlSource};
