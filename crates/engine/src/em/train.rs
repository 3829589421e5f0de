//! The training rows of a supervised model: the features of every true match (positives) and of
//! a deterministic sample of the candidates of the matched sources that are not their true
//! matches (negatives).
//!
//! Negatives come from candidate search, as at predict time, so the classifier learns to tell a
//! match from the targets it will actually be shown: the hardest ones (highest unsupervised score,
//! the near misses) and a seeded random draw of the rest (what an ordinary wrong candidate looks
//! like).

use std::collections::BTreeMap;

use rayon::prelude::*;

use super::matcher::{extras, Candidates, Matcher};
use super::rng::Rng;
use super::text::mix;
use super::tree::Data;
use super::{EmError, Entity};
use crate::CancelToken;

/// Candidates looked at per labelled source.
const TRAIN_SHORTLIST: usize = 50;
/// The hardest wrong candidates kept per labelled source.
const HARD_NEGATIVES: usize = 6;
/// Further wrong candidates drawn at random per labelled source.
const RANDOM_NEGATIVES: usize = 4;

/// One training row: features and whether the pair is a match.
type Row = (Vec<f64>, bool);

/// Rows of the training table, with how many are positive and negative.
pub(crate) struct Training {
    pub data: Data,
    pub positives: usize,
    pub negatives: usize,
}

pub(crate) fn training_rows(
    matcher: &Matcher,
    sources: &[Entity],
    true_matches: &[(usize, usize)],
    augmented: bool,
    seed: u64,
    cancel: &CancelToken,
) -> Result<Training, EmError> {
    let mut by_source: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for &(s, t) in true_matches {
        let targets = by_source.entry(s).or_default();
        if !targets.contains(&t) {
            targets.push(t);
        }
    }
    let groups: Vec<(usize, Vec<usize>)> = by_source.into_iter().collect();
    let rows: Vec<Option<Vec<Row>>> = groups
        .par_iter()
        .map_init(
            || matcher.scratch(),
            |scratch, (source, trues)| {
                if cancel.is_cancelled() {
                    return None;
                }
                let found = matcher.candidates(&sources[*source], TRAIN_SHORTLIST, scratch);
                let mut rng = Rng::new(mix(seed ^ *source as u64));
                Some(rows_of_source(
                    matcher,
                    &sources[*source],
                    trues,
                    &found,
                    augmented,
                    &mut rng,
                ))
            },
        )
        .collect();
    let mut data = Data {
        x: Vec::new(),
        y: Vec::new(),
        width: 0,
    };
    let (mut positives, mut negatives) = (0, 0);
    for group in rows {
        for (x, y) in group.ok_or(EmError::Cancelled)? {
            data.width = x.len();
            data.x.extend(x);
            data.y.push(y);
            if y {
                positives += 1;
            } else {
                negatives += 1;
            }
        }
    }
    Ok(Training {
        data,
        positives,
        negatives,
    })
}

fn rows_of_source(
    matcher: &Matcher,
    source: &Entity,
    trues: &[usize],
    found: &Candidates,
    augmented: bool,
    rng: &mut Rng,
) -> Vec<Row> {
    // `found` is best first, so the hard negatives are its first wrong entries.
    let wrong: Vec<usize> = (0..found.len())
        .filter(|&i| !trues.contains(&(found.targets[i] as usize)))
        .collect();
    // Rivals are the wrong candidates only: a wrong candidate is then judged as the best one of a
    // source whose match is missing from the targets, the case a threshold has to catch.
    let best_wrong = |skip: Option<usize>| {
        wrong
            .iter()
            .filter(|&&j| Some(j) != skip)
            .map(|&j| found.unsupervised[j])
            .reduce(f64::max)
    };
    let mut rows = Vec::new();
    let rep = matcher.rep(source);
    for &t in trues {
        let mut x = Vec::new();
        matcher.pair(&rep, t, &mut x);
        if augmented {
            let own = matcher.unsupervised(&rep, t, &x);
            x.extend(extras(own, best_wrong(None)));
        }
        rows.push((x, true));
    }
    let hard = wrong.len().min(HARD_NEGATIVES);
    let rest = &wrong[hard..];
    let drawn = rng.choose(rest.len(), RANDOM_NEGATIVES);
    for i in wrong[..hard]
        .iter()
        .copied()
        .chain(drawn.into_iter().map(|k| rest[k]))
    {
        let mut x = found.row(i).to_vec();
        if augmented {
            x.extend(extras(found.unsupervised[i], best_wrong(Some(i))));
        }
        rows.push((x, false));
    }
    rows
}
