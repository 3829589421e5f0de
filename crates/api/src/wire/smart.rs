//! The JSON shapes of smart runs and ai-resolve (spec A.6.3, A.6.8): their bodies, and the
//! reviewer's answer to a suggestion (Matchbook's extension).

use serde::Deserialize;
use utoipa::ToSchema;

/// Start a smart run with a strategy's match model.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SmartRun {
    /// Required; a missing one is a 400 naming `strategy_id`.
    #[serde(default)]
    pub strategy_id: Option<String>,
}

/// Resolve a completed run's review band, or only these results.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AiResolve {
    #[serde(default)]
    pub result_ids: Option<Vec<String>>,
}

/// What a reviewer does with a result's open ai-resolve suggestion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SuggestionAction {
    /// Make it the reviewer's decision (the review log names the suggestion).
    Accept,
    /// Drop it; the result stays pending.
    Dismiss,
    /// Reopen the dismissed suggestion named by `suggestion_id` (undo of a dismissal), while the
    /// result is still pending and has had no later suggestion.
    Restore,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SuggestionAnswer {
    pub action: SuggestionAction,
    /// The suggestion to restore: required with `restore`, refused with the other actions (they
    /// answer the result's open suggestion).
    #[serde(default)]
    pub suggestion_id: Option<String>,
}
