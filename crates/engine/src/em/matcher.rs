//! The targets prepared for matching and the scoring of one source's candidates, shared by fit
//! (which learns from the candidates of the labelled sources) and predict.

use rayon::prelude::*;

use super::candidates::{shortlist, Index, Scratch};
use super::coverage::{coverage, Rarity, SourceTokens, TargetTokens};
use super::features::{features, unsupervised, Idf, Rep, Weights};
use super::{Entity, FeatureType};

/// Candidates a source keeps after the cheap overlap ranking, before exact features: enough for
/// the twins of a name at several sites and for a classifier to reorder.
pub(crate) const MIN_SHORTLIST: usize = 32;

/// Extra features of the augmented classifiers (see `Classifier`) besides coverage.
pub(crate) const AUGMENTED_EXTRAS: usize = 2;

pub(crate) struct Matcher {
    feature_type: FeatureType,
    weights: Option<Weights>,
    index: Index,
    targets: Vec<Rep>,
    /// `Rep::present` of every target.
    present: Vec<u64>,
    /// For the augmented classifiers: the targets' tokens by rarity, to measure how much of a
    /// target a source accounts for (see `coverage`).
    coverage: Option<(Rarity, Vec<TargetTokens>)>,
}

/// The candidates of one source, best by unsupervised score first: target, features (flat,
/// `width` per candidate) and unsupervised score.
#[derive(Debug, Default)]
pub(crate) struct Candidates {
    pub targets: Vec<u32>,
    pub features: Vec<f64>,
    pub unsupervised: Vec<f64>,
    pub width: usize,
    /// Per candidate, one coverage per field when the matcher measures it (flat).
    pub coverage: Vec<f64>,
}

impl Candidates {
    pub fn len(&self) -> usize {
        self.targets.len()
    }

    pub fn row(&self, i: usize) -> &[f64] {
        &self.features[i * self.width..(i + 1) * self.width]
    }

    /// The coverage of candidate `i`, one per field (empty when not measured).
    pub fn coverage(&self, i: usize) -> &[f64] {
        let per = self.coverage.len() / self.len().max(1);
        &self.coverage[i * per..(i + 1) * per]
    }

    /// The best unsupervised score among the candidates other than `skip`.
    pub fn best_other(&self, skip: Option<usize>) -> Option<f64> {
        (0..self.len())
            .filter(|&i| Some(i) != skip)
            .map(|i| self.unsupervised[i])
            .reduce(f64::max)
    }
}

/// The augmented classifiers' extra inputs for a pair of unsupervised score `own` whose source's
/// other candidates score at most `best_other`: the score itself and its lead over the runner-up
/// (its own score when it has no rival), which tells a clear winner from one of several twins;
/// then the pair's coverage per field, when measured.
pub(crate) fn extras(own: f64, best_other: Option<f64>, coverage: &[f64], out: &mut Vec<f64>) {
    out.extend([own, own - best_other.unwrap_or(0.0)]);
    out.extend_from_slice(coverage);
}

impl Matcher {
    /// `with_coverage`: measure each candidate's coverage (for the augmented classifiers).
    pub fn new(
        feature_type: FeatureType,
        idf: Option<&Idf>,
        targets: &[Entity],
        with_coverage: bool,
    ) -> Matcher {
        let weights = idf.map(Weights::new);
        let coverage = with_coverage.then(|| {
            let rarity = Rarity::new(targets);
            let tokens = targets.par_iter().map(|t| rarity.target(t)).collect();
            (rarity, tokens)
        });
        let reps: Vec<Rep> = targets
            .par_iter()
            .map(|t| Rep::new(feature_type, t, weights.as_ref()))
            .collect();
        Matcher {
            present: reps.iter().map(Rep::present).collect(),
            feature_type,
            index: Index::build(feature_type, targets),
            weights,
            targets: reps,
            coverage,
        }
    }

    /// A source's tokens for `coverage_of`, when the matcher measures coverage.
    pub fn source_tokens(&self, source: &Entity) -> Option<SourceTokens> {
        self.coverage.as_ref().map(|(r, _)| r.source(source))
    }

    /// Appends the coverage of target `target` by a source of `tokens` (nothing when the
    /// matcher does not measure it).
    pub fn coverage_of(
        &self,
        tokens: Option<&mut SourceTokens>,
        target: usize,
        out: &mut Vec<f64>,
    ) {
        if let (Some((_, targets)), Some(s)) = (&self.coverage, tokens) {
            coverage(s, &targets[target], out);
        }
    }

    pub fn scratch(&self) -> Scratch {
        Scratch::new(&self.index)
    }

    pub fn rep(&self, entity: &Entity) -> Rep {
        Rep::new(self.feature_type, entity, self.weights.as_ref())
    }

    /// The features of `source` (as prepared by `rep`) against target `target`.
    pub fn pair(&self, source: &Rep, target: usize, out: &mut Vec<f64>) {
        features(self.feature_type, source, &self.targets[target], out);
    }

    /// The unsupervised score of `features`, those of `source` against target `target`.
    pub fn unsupervised(&self, source: &Rep, target: usize, features: &[f64]) -> f64 {
        unsupervised(
            self.feature_type,
            features,
            source.present() & self.present[target],
        )
    }

    /// Up to `limit` candidates of `source`, scored, best unsupervised score first (ties by
    /// target index).
    pub fn candidates(&self, source: &Entity, limit: usize, scratch: &mut Scratch) -> Candidates {
        let mut found = Vec::new();
        shortlist(
            self.feature_type,
            &self.index,
            source,
            limit,
            scratch,
            &mut found,
        );
        let rep = self.rep(source);
        let present = rep.present();
        let mut features = Vec::new();
        let mut rows: Vec<(f64, u32, usize)> = Vec::with_capacity(found.len());
        for &t in &found {
            let start = features.len();
            self.pair(&rep, t as usize, &mut features);
            rows.push((
                unsupervised(
                    self.feature_type,
                    &features[start..],
                    present & self.present[t as usize],
                ),
                t,
                start,
            ));
        }
        let width = if found.is_empty() {
            0
        } else {
            features.len() / found.len()
        };
        rows.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut out = Candidates {
            width,
            ..Candidates::default()
        };
        let mut tokens = self.source_tokens(source);
        for (score, t, start) in rows {
            self.coverage_of(tokens.as_mut(), t as usize, &mut out.coverage);
            out.targets.push(t);
            out.unsupervised.push(score);
            out.features
                .extend_from_slice(&features[start..start + width]);
        }
        out
    }
}
