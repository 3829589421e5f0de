//! Cognite-style entity matching (spec Part B): fit a model on sources, targets and optional true
//! matches, then predict for each source its best targets with a score in 0..=1.
//!
//! - **Tokens** (B.1): runs of letters or of digits. `simple` keeps case; the others fold it;
//!   `bigramextratokenizers` also drops leading zeros of digit runs and joins runs of one class
//!   split by a separator, so `21PT0042`, `21-pt-42` and `21 PT 0042` all read alike.
//! - **Features** (B.5), per match field, each a cosine in 0..=1: `simple` and `insensitive`
//!   compare token counts; `bigram` adds ordered pairs of neighbouring tokens;
//!   `frequencyweightedbigram` weights both by the tokens' inverse document frequency in the
//!   fit's targets; `bigramextratokenizers` is `bigram` on the extra tokenizers; `bigramcombo`
//!   computes all seven.
//! - **Unsupervised** models score a pair by the mean of its features (for `bigramcombo`, the
//!   best of its three bigram families per field): 1 for identical values, 0 for nothing in
//!   common.
//! - **Supervised** models score a pair by a classifier's probability that it is a match,
//!   trained on the true matches and on wrong candidates of the same sources (see `train`),
//!   the two classes weighted to balance.
//! - **Candidates** (B.5): a target is only scored against a source when it shares a token with
//!   it in some field, found through an inverted index; only the best few by a tf-idf overlap
//!   get exact features (see `candidates`).
//!
//! Everything is deterministic: the same inputs give the same model, byte for byte once
//! serialised, and the same predictions.

mod candidates;
mod classifier;
mod coverage;
mod features;
mod matcher;
mod rng;
pub mod rules;
mod text;
mod train;
mod tree;

use std::str::FromStr;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::CancelToken;

use self::classifier::Fitted;
use self::features::{per_field, uses_idf, Idf};
use self::matcher::{extras, Candidates, Matcher, AUGMENTED_EXTRAS, MIN_SHORTLIST};

/// How pairs are compared (spec B.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FeatureType {
    Simple,
    Insensitive,
    Bigram,
    FrequencyWeightedBigram,
    BigramExtraTokenizers,
    BigramCombo,
}

/// The classifier of a supervised model (spec B.5).
///
/// The augmented variants are the same classifier given two more inputs per pair: the pair's
/// unsupervised score, and its lead over the best other candidate of the same source (negative
/// when another candidate scores higher, 0 for a tie between twins). A plain classifier judges a
/// pair alone; an augmented one also sees whether the pair stands out among its rivals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Classifier {
    RandomForest,
    DecisionTree,
    LogisticRegression,
    AugmentedLogisticRegression,
    AugmentedRandomForest,
}

impl FeatureType {
    pub const ALL: [FeatureType; 6] = [
        FeatureType::Simple,
        FeatureType::Insensitive,
        FeatureType::Bigram,
        FeatureType::FrequencyWeightedBigram,
        FeatureType::BigramExtraTokenizers,
        FeatureType::BigramCombo,
    ];

    /// The spec's name, as serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            FeatureType::Simple => "simple",
            FeatureType::Insensitive => "insensitive",
            FeatureType::Bigram => "bigram",
            FeatureType::FrequencyWeightedBigram => "frequencyweightedbigram",
            FeatureType::BigramExtraTokenizers => "bigramextratokenizers",
            FeatureType::BigramCombo => "bigramcombo",
        }
    }
}

impl Classifier {
    pub const ALL: [Classifier; 5] = [
        Classifier::RandomForest,
        Classifier::DecisionTree,
        Classifier::LogisticRegression,
        Classifier::AugmentedLogisticRegression,
        Classifier::AugmentedRandomForest,
    ];

    /// The spec's name, as serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            Classifier::RandomForest => "randomforest",
            Classifier::DecisionTree => "decisiontree",
            Classifier::LogisticRegression => "logisticregression",
            Classifier::AugmentedLogisticRegression => "augmentedlogisticregression",
            Classifier::AugmentedRandomForest => "augmentedrandomforest",
        }
    }

    fn is_augmented(self) -> bool {
        matches!(
            self,
            Classifier::AugmentedLogisticRegression | Classifier::AugmentedRandomForest
        )
    }
}

/// Names are matched ignoring ASCII case ("randomForest" is "randomforest").
impl FromStr for FeatureType {
    type Err = EmError;
    fn from_str(s: &str) -> Result<Self, EmError> {
        FeatureType::ALL
            .into_iter()
            .find(|f| f.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| EmError::Unknown {
                what: "featureType",
                value: s.to_owned(),
            })
    }
}

/// Names are matched ignoring ASCII case ("randomForest" is "randomforest").
impl FromStr for Classifier {
    type Err = EmError;
    fn from_str(s: &str) -> Result<Self, EmError> {
        Classifier::ALL
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| EmError::Unknown {
                what: "classifier",
                value: s.to_owned(),
            })
    }
}

/// One entity (a source or a target): its values for the model's match fields, in matchFields
/// order ("" when missing or not a string).
pub type Entity = Vec<String>;

#[derive(Debug, Error)]
pub enum EmError {
    #[error("cancelled")]
    Cancelled,
    #[error("there are no targets to match to")]
    NoTargets,
    #[error("there are no match fields")]
    NoFields,
    #[error("{side}[{index}] has {found} match field values where {expected} were expected")]
    FieldCount {
        side: &'static str,
        index: usize,
        found: usize,
        expected: usize,
    },
    #[error(
        "trueMatches[{index}] pairs source {source_index} with target {target_index}, but there \
         are {sources} sources and {targets} targets"
    )]
    BadTrueMatch {
        index: usize,
        source_index: usize,
        target_index: usize,
        sources: usize,
        targets: usize,
    },
    #[error("unknown {what} {value:?}")]
    Unknown { what: &'static str, value: String },
    #[error("the trained model is inconsistent: {0}")]
    BadModel(String),
}

/// A trained model: everything predict needs. Stored as JSON by the caller; the same fit gives
/// the same JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TrainedModel {
    feature_type: FeatureType,
    /// `None`: unsupervised.
    classifier: Option<Classifier>,
    fields: usize,
    /// Token statistics of the fit's targets, for the frequency-weighted features.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    idf: Option<Idf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    fitted: Option<Fitted>,
    /// Whether the classifier's inputs end with each field's coverage (see `coverage`); models
    /// fitted before it was measured do not have it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    coverage: bool,
    #[serde(default)]
    positives: usize,
    #[serde(default)]
    negatives: usize,
}

impl TrainedModel {
    pub fn feature_type(&self) -> FeatureType {
        self.feature_type
    }

    /// `None` for an unsupervised model.
    pub fn classifier(&self) -> Option<Classifier> {
        self.classifier
    }

    /// Number of match fields.
    pub fn fields(&self) -> usize {
        self.fields
    }

    /// Training rows of a supervised model: (matches, wrong candidates); the matches are the
    /// true matches and copies of some of them with a typo (see `train`).
    pub fn training_rows(&self) -> (usize, usize) {
        (self.positives, self.negatives)
    }

    /// Whether the parts of a model read back from JSON agree with each other.
    fn check(&self) -> Result<(), EmError> {
        let idf_fields = self.idf.as_ref().map(Idf::fields);
        if uses_idf(self.feature_type) && idf_fields != Some(self.fields) {
            return Err(EmError::BadModel(format!(
                "{} needs token statistics for {} fields",
                self.feature_type.as_str(),
                self.fields
            )));
        }
        match &self.fitted {
            Some(f) if !f.accepts(self.width()) => Err(EmError::BadModel(format!(
                "its classifier does not take {} features",
                self.width()
            ))),
            None if self.classifier.is_some() => Err(EmError::BadModel(
                "a supervised model without classifier parameters".into(),
            )),
            _ => Ok(()),
        }
    }

    /// Width of the classifier's input.
    fn width(&self) -> usize {
        let augmented = self.classifier.is_some_and(Classifier::is_augmented);
        let extras = match (augmented, self.coverage) {
            (false, _) => 0,
            (true, false) => AUGMENTED_EXTRAS,
            (true, true) => AUGMENTED_EXTRAS + self.fields,
        };
        self.fields * per_field(self.feature_type) + extras
    }
}

/// The seed of every random draw of a fit. Fixed: a model depends on its data only.
const SEED: u64 = 0x6d61_7463_6862_6f6b;

/// Trains a model: unsupervised when `true_matches` is empty (the mean of the features), else
/// `classifier` (random forest when `None`) on the features of the true pairs (positives) and
/// of candidate pairs of the matched sources that are not true matches (negatives, sampled
/// deterministically). `true_matches` holds (source index, target index) pairs.
pub fn fit(
    feature_type: FeatureType,
    classifier: Option<Classifier>,
    sources: &[Entity],
    targets: &[Entity],
    true_matches: &[(usize, usize)],
    cancel: &CancelToken,
) -> Result<TrainedModel, EmError> {
    fit_keeping_targets(
        feature_type,
        classifier,
        sources,
        targets,
        true_matches,
        cancel,
    )
    .map(|(model, _)| model)
}

/// `fit`, and the targets as prepared for matching when the fit needed them.
fn fit_keeping_targets(
    feature_type: FeatureType,
    classifier: Option<Classifier>,
    sources: &[Entity],
    targets: &[Entity],
    true_matches: &[(usize, usize)],
    cancel: &CancelToken,
) -> Result<(TrainedModel, Option<Matcher>), EmError> {
    let fields = check_entities(sources, targets, None)?;
    for (index, &(s, t)) in true_matches.iter().enumerate() {
        if s >= sources.len() || t >= targets.len() {
            return Err(EmError::BadTrueMatch {
                index,
                source_index: s,
                target_index: t,
                sources: sources.len(),
                targets: targets.len(),
            });
        }
    }
    let idf = uses_idf(feature_type).then(|| Idf::fit(targets, fields));
    let mut model = TrainedModel {
        feature_type,
        classifier: None,
        fields,
        idf,
        fitted: None,
        coverage: false,
        positives: 0,
        negatives: 0,
    };
    if true_matches.is_empty() {
        return Ok((model, None));
    }
    let classifier = classifier.unwrap_or(Classifier::RandomForest);
    let matcher = Matcher::new(
        feature_type,
        model.idf.as_ref(),
        targets,
        classifier.is_augmented(),
    );
    let training = train::training_rows(
        &matcher,
        sources,
        true_matches,
        classifier.is_augmented(),
        SEED,
        cancel,
    )?;
    if cancel.is_cancelled() {
        return Err(EmError::Cancelled);
    }
    model.classifier = Some(classifier);
    model.coverage = classifier.is_augmented();
    model.fitted = Some(Fitted::fit(classifier, &training.data, SEED));
    model.positives = training.positives;
    model.negatives = training.negatives;
    Ok((model, Some(matcher)))
}

/// `fit` then `predict` on the same targets, which are prepared for matching once (a pipeline
/// run does both; at 100k targets the preparation is a noticeable share of the run).
pub fn fit_and_predict(
    fit_with: (FeatureType, Option<Classifier>, &[(usize, usize)]),
    sources: &[Entity],
    targets: &[Entity],
    num_matches: usize,
    score_threshold: Option<f64>,
    cancel: &CancelToken,
) -> Result<(TrainedModel, Matches), EmError> {
    let (feature_type, classifier, true_matches) = fit_with;
    let (model, matcher) = fit_keeping_targets(
        feature_type,
        classifier,
        sources,
        targets,
        true_matches,
        cancel,
    )?;
    let matches = match matcher {
        Some(m) => predict_with(&model, &m, sources, num_matches, score_threshold, cancel)?,
        None => predict(
            &model,
            sources,
            targets,
            num_matches,
            score_threshold,
            cancel,
        )?,
    };
    Ok((model, matches))
}

/// Per source, its matches as (target index, score), best first.
pub type Matches = Vec<Vec<(usize, f64)>>;

/// For each source (in order), up to `num_matches` targets as (target index, score in 0..=1),
/// best first (ties: higher unsupervised score, then lower index); only scores strictly above
/// `score_threshold` when given. A target is only a candidate when it shares a token with the
/// source in some field (B.5).
pub fn predict(
    model: &TrainedModel,
    sources: &[Entity],
    targets: &[Entity],
    num_matches: usize,
    score_threshold: Option<f64>,
    cancel: &CancelToken,
) -> Result<Matches, EmError> {
    check_entities(sources, targets, Some(model.fields))?;
    model.check()?;
    if num_matches == 0 {
        return Ok(vec![Vec::new(); sources.len()]);
    }
    let matcher = Matcher::new(
        model.feature_type,
        model.idf.as_ref(),
        targets,
        model.coverage,
    );
    predict_with(
        model,
        &matcher,
        sources,
        num_matches,
        score_threshold,
        cancel,
    )
}

/// `predict` on targets already prepared by a matcher of the model's kind.
fn predict_with(
    model: &TrainedModel,
    matcher: &Matcher,
    sources: &[Entity],
    num_matches: usize,
    score_threshold: Option<f64>,
    cancel: &CancelToken,
) -> Result<Matches, EmError> {
    if num_matches == 0 {
        return Ok(vec![Vec::new(); sources.len()]);
    }
    let limit = (2 * num_matches).max(MIN_SHORTLIST);
    let found: Vec<Option<Vec<(usize, f64)>>> = sources
        .par_iter()
        .map_init(
            || matcher.scratch(),
            |scratch, source| {
                if cancel.is_cancelled() {
                    return None;
                }
                let c = matcher.candidates(source, limit, scratch);
                Some(best(model, &c, num_matches, score_threshold))
            },
        )
        .collect();
    found
        .into_iter()
        .map(|m| m.ok_or(EmError::Cancelled))
        .collect()
}

/// The `num_matches` best of one source's candidates under `model`.
fn best(
    model: &TrainedModel,
    c: &Candidates,
    num_matches: usize,
    threshold: Option<f64>,
) -> Vec<(usize, f64)> {
    let augmented = model.classifier.is_some_and(Classifier::is_augmented);
    let mut input = Vec::with_capacity(model.width());
    let mut scored: Vec<(f64, f64, u32)> = (0..c.len())
        .map(|i| {
            let score = match &model.fitted {
                None => c.unsupervised[i],
                Some(fitted) => {
                    input.clear();
                    input.extend_from_slice(c.row(i));
                    if augmented {
                        extras(
                            c.unsupervised[i],
                            c.best_other(Some(i)),
                            c.coverage(i),
                            &mut input,
                        );
                    }
                    fitted.probability(&input)
                }
            };
            (score.clamp(0.0, 1.0), c.unsupervised[i], c.targets[i])
        })
        .filter(|s| threshold.is_none_or(|t| s.0 > t))
        .collect();
    scored.sort_unstable_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then(b.1.total_cmp(&a.1))
            .then(a.2.cmp(&b.2))
    });
    scored.truncate(num_matches);
    scored
        .into_iter()
        .map(|(s, _, t)| (t as usize, s))
        .collect()
}

/// The number of match fields, after checking that every entity has it (`expected`, or the
/// first target's).
fn check_entities(
    sources: &[Entity],
    targets: &[Entity],
    expected: Option<usize>,
) -> Result<usize, EmError> {
    let Some(first) = targets.first() else {
        return Err(EmError::NoTargets);
    };
    let fields = expected.unwrap_or(first.len());
    if fields == 0 {
        return Err(EmError::NoFields);
    }
    for (side, list) in [("targets", targets), ("sources", sources)] {
        if let Some(index) = list.iter().position(|e| e.len() != fields) {
            return Err(EmError::FieldCount {
                side,
                index,
                found: list[index].len(),
                expected: fields,
            });
        }
    }
    Ok(fields)
}

/// The tokens `feature_type` compares in `value` (for showing, e.g. as example tokens).
pub fn tokens(feature_type: FeatureType, value: &str) -> Vec<String> {
    features::shown_tokens(feature_type, value)
}

#[cfg(test)]
mod tests;
