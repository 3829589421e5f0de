//! Errors the engine reports. Each variant maps to one stable code that the UI and API switch on.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum EngineError {
    /// A request or config is invalid; `field` names the offending field, e.g.
    /// `field_mappings[1].weight`.
    #[error("{field}: {message}")]
    Validation { field: String, message: String },
}

impl EngineError {
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        EngineError::Validation {
            field: field.into(),
            message: message.into(),
        }
    }
}
