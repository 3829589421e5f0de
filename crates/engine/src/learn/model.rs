//! The Fellegi-Sunter model a smart run scores with: per field, how much each agreement level
//! moves the odds of a match (its match weight, log2 m/u), and the odds before any field is
//! looked at. A candidate's confidence is then its match probability.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::domain::FieldEvidence;
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
    /// Per field mapping, the match weight added per bit of rarity of a value both sides share
    /// (`FieldEvidence::rarity`): term-frequency adjustment, fitted with the other weights so
    /// fields that agree together do not count a rare value once each. Empty: none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rarity_weights: Vec<f64>,
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
        if !self.rarity_weights.is_empty() && self.rarity_weights.len() != fields {
            return Err(EngineError::validation(
                "model.rarity_weights",
                format!(
                    "the model weighs the rarity of {} fields but the config maps {fields}",
                    self.rarity_weights.len()
                ),
            ));
        }
        let finite = self.prior_log2_odds.is_finite()
            && self.field_weights.iter().flatten().all(|w| w.is_finite())
            && self.rarity_weights.iter().all(|w| w.is_finite());
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

    /// Field `f`'s match weight at `score`, leaving out the rarity of the value.
    pub fn match_weight(&self, f: usize, score: f64) -> f64 {
        self.field_weights.get(f).map_or(0.0, |w| w[level(score)])
    }

    /// Field `f`'s match weight at `score` when the agreed value is `rarity` bits rarer than
    /// its column's average: rarity moves only the "same" level.
    pub fn weight_with_rarity(&self, f: usize, score: f64, rarity: Option<f64>) -> f64 {
        let adjust = match (level(score), rarity, self.rarity_weights.get(f)) {
            (2, Some(bits), Some(w)) => w * bits,
            _ => 0.0,
        };
        self.match_weight(f, score) + adjust
    }

    /// The match weight of one field's evidence, `None` when a value is missing.
    pub fn evidence_weight(&self, f: usize, e: &FieldEvidence) -> Option<f64> {
        (!e.missing).then(|| self.weight_with_rarity(f, e.score, e.rarity))
    }

    /// The match probability of a candidate from its evidence (in mapping order).
    pub fn probability_of(&self, evidence: &[FieldEvidence]) -> f64 {
        let log2_odds = evidence
            .iter()
            .enumerate()
            .filter_map(|(f, e)| self.evidence_weight(f, e))
            .sum::<f64>()
            + self.prior_log2_odds;
        odds_to_probability(log2_odds)
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
        odds_to_probability(log2_odds)
    }
}

fn odds_to_probability(log2_odds: f64) -> f64 {
    1.0 / (1.0 + (-log2_odds.clamp(-1000.0, 1000.0)).exp2())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> MatchModel {
        MatchModel {
            prior_log2_odds: -10.0,
            field_weights: vec![[-3.0, 2.0, 8.0], [-2.0, 1.0, 5.0]],
            rarity_weights: Vec::new(),
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
    fn rarity_moves_only_the_weight_of_a_shared_value() {
        let m = MatchModel {
            rarity_weights: vec![0.5, 0.0],
            ..model()
        };
        // Same value, 4 bits rarer than the column's average: 8 + 0.5 * 4.
        assert!((m.weight_with_rarity(0, 1.0, Some(4.0)) - 10.0).abs() < 1e-12);
        // A common value weighs less; similar and different levels are left alone.
        assert!((m.weight_with_rarity(0, 1.0, Some(-2.0)) - 7.0).abs() < 1e-12);
        assert!((m.weight_with_rarity(0, 0.8, Some(4.0)) - 2.0).abs() < 1e-12);
        assert!((m.weight_with_rarity(1, 1.0, Some(4.0)) - 5.0).abs() < 1e-12);
        // A model without rarity weights (stored before them) ignores rarity.
        assert!((model().weight_with_rarity(0, 1.0, Some(4.0)) - 8.0).abs() < 1e-12);
        assert!(m.check(2).is_ok());
        let err = m.check(3).unwrap_err().to_string();
        assert!(err.contains("model.field_weights"), "{err}");
        let short = MatchModel {
            rarity_weights: vec![0.5],
            ..model()
        };
        let err = short.check(2).unwrap_err().to_string();
        assert!(err.contains("model.rarity_weights"), "{err}");
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
