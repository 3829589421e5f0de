//! The Fellegi-Sunter model a smart run scores with: per field, how much each agreement level
//! moves the odds of a match (its match weight, log2 m/u), and the odds before any field is
//! looked at. A candidate's confidence is then its match probability.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::EngineError;

/// Agreement levels of a field, from its score: different (0), similar (between 0 and 1), the
/// same (1).
pub const LEVEL_NAMES: [&str; 3] = ["different", "similar", "same"];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MatchModel {
    /// log2 of the odds that a document and a reference row taken at random match.
    pub prior_log2_odds: f64,
    /// Per field mapping, in the config's order: the match weight at each level of
    /// `LEVEL_NAMES`.
    pub field_weights: Vec<[f64; 3]>,
    /// Match probability from which a best candidate is a match.
    pub threshold: f64,
    /// Match probability from which a best candidate below the threshold is borderline.
    pub review_floor: f64,
    /// The weighted-average confidence that candidate search keeps rows for (the strategy's
    /// threshold and review floor): a smart run searches as a run of its mappings would, then
    /// ranks and decides by probability.
    #[serde(default = "default_search_threshold")]
    pub search_threshold: f64,
    #[serde(default = "default_search_review_floor")]
    pub search_review_floor: f64,
}

fn default_search_threshold() -> f64 {
    crate::domain::DEFAULT_THRESHOLD
}

fn default_search_review_floor() -> f64 {
    crate::domain::DEFAULT_REVIEW_FLOOR
}

/// The level a field's score falls in.
pub fn level(score: f64) -> usize {
    if score >= 1.0 - 1e-9 {
        2
    } else if score > 0.0 {
        1
    } else {
        0
    }
}

impl MatchModel {
    /// Refuses a model that does not fit `fields` mappings or holds numbers that are not.
    pub fn check(&self, fields: usize) -> Result<(), EngineError> {
        if self.field_weights.len() != fields {
            return Err(EngineError::validation(
                "model.field_weights",
                format!(
                    "the model weighs {} fields but the config maps {fields}",
                    self.field_weights.len()
                ),
            ));
        }
        let finite = self.prior_log2_odds.is_finite()
            && self.field_weights.iter().flatten().all(|w| w.is_finite());
        if !finite {
            return Err(EngineError::validation(
                "model",
                "match weights must be finite numbers",
            ));
        }
        for (name, v) in [
            ("threshold", self.threshold),
            ("review_floor", self.review_floor),
        ] {
            if !(0.0..=1.0).contains(&v) {
                return Err(EngineError::validation(
                    format!("model.{name}"),
                    "a confidence lies between 0 and 1",
                ));
            }
        }
        Ok(())
    }

    /// Field `f`'s match weight at `score`.
    pub fn match_weight(&self, f: usize, score: f64) -> f64 {
        self.field_weights.get(f).map_or(0.0, |w| w[level(score)])
    }

    /// The match probability of a pair from its fields' scores (`None`: a value missing, which
    /// moves the odds neither way).
    pub fn probability(&self, scores: impl IntoIterator<Item = Option<f64>>) -> f64 {
        let log2_odds = scores
            .into_iter()
            .enumerate()
            .filter_map(|(f, s)| s.map(|s| self.match_weight(f, s)))
            .sum::<f64>()
            + self.prior_log2_odds;
        1.0 / (1.0 + (-log2_odds.clamp(-1000.0, 1000.0)).exp2())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> MatchModel {
        MatchModel {
            prior_log2_odds: -10.0,
            field_weights: vec![[-3.0, 2.0, 8.0], [-2.0, 1.0, 5.0]],
            threshold: 0.9,
            review_floor: 0.2,
            search_threshold: 0.8,
            search_review_floor: 0.5,
        }
    }

    #[test]
    fn the_probability_adds_the_match_weights_of_the_levels_reached() {
        let m = model();
        // -10 + 8 + 5 = 3 bits: odds 8 to 1.
        assert!((m.probability([Some(1.0), Some(1.0)]) - 8.0 / 9.0).abs() < 1e-12);
        // A missing value moves nothing: -10 + 8 = -2 bits.
        assert!((m.probability([Some(1.0), None]) - 0.2).abs() < 1e-12);
        // Similar counts its own weight, different counts against.
        assert!(m.probability([Some(0.85), Some(0.0)]) < m.probability([Some(0.85), None]));
    }

    #[test]
    fn a_model_that_does_not_fit_the_config_is_refused_naming_the_field() {
        let m = model();
        assert!(m.check(2).is_ok());
        let err = m.check(3).unwrap_err().to_string();
        assert!(err.contains("model.field_weights"), "{err}");
        let bad = MatchModel {
            threshold: 1.5,
            ..model()
        };
        assert!(bad
            .check(2)
            .unwrap_err()
            .to_string()
            .contains("model.threshold"));
    }
}
