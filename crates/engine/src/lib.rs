//! Matchbook's matching engine: domain types, parsing, strategies, candidate search, scoring and
//! run execution. It knows nothing of SQL, Tauri or HTTP; the store persists what it produces and the
//! service layer drives it.

pub mod assign;
pub mod demo;
pub mod domain;
pub mod error;
pub mod import;
pub mod index;
pub mod normalize;
pub mod parse;
pub mod people;
pub mod profile;
pub mod progress;
mod rng;
pub mod run;
pub mod schedule;
pub mod similarity;
pub mod strategy;
pub mod validate;

pub use domain::*;
pub use error::{EngineError, ImportError};
pub use progress::{CancelToken, Phase, ProgressSink, ProgressUpdate};
