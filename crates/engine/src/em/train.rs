//! The training rows of a supervised model: the features of every true match (positives) and of
//! a deterministic sample of the candidates of the matched sources that are not their true
//! matches (negatives).
//!
//! Negatives come from candidate search, as at predict time, so the classifier learns to tell a
//! match from the targets it will actually be shown: the hardest ones (highest unsupervised score,
//! the near misses) and a seeded random draw of the rest (what an ordinary wrong candidate looks
//! like).
//!
//! A quarter of the labelled sources also come back with one character of one value changed
//! (a digit for a digit, a letter for a letter), with the same true matches and their own
//! candidates. Confirmed matches are mostly clean, so a classifier fitted on them alone learns
//! that a match agrees on its name to the letter and that the other fields add nothing; it then
//! turns down every source with a typo however well its description, site and lead agree. The
//! copies show it what a match with a typo looks like, so those fields keep their weight.

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
/// One labelled source in this many also gives a copy of itself with a typo, a true match all the
/// same (see the module's note).
const TYPO_COPY_EVERY: usize = 6;

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
                let mut rows = rows_of_source(
                    matcher,
                    &sources[*source],
                    trues,
                    &found,
                    augmented,
                    &mut rng,
                );
                if rng.below(TYPO_COPY_EVERY) == 0 {
                    let typo = with_typo(&sources[*source], &mut rng);
                    let found = matcher.candidates(&typo, TRAIN_SHORTLIST, scratch);
                    rows.extend(rows_of_source(
                        matcher, &typo, trues, &found, augmented, &mut rng,
                    ));
                }
                Some(rows)
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
    let mut tokens = matcher.source_tokens(source);
    for &t in trues {
        let mut x = Vec::new();
        matcher.pair(&rep, t, &mut x);
        if augmented {
            let own = matcher.unsupervised(&rep, t, &x);
            let mut cover = Vec::new();
            matcher.coverage_of(tokens.as_mut(), t, &mut cover);
            extras(own, best_wrong(None), &cover, &mut x);
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
            extras(
                found.unsupervised[i],
                best_wrong(Some(i)),
                found.coverage(i),
                &mut x,
            );
        }
        rows.push((x, false));
    }
    rows
}

/// `entity` with one letter or digit of one of its values replaced by another of its kind.
fn with_typo(entity: &Entity, rng: &mut Rng) -> Entity {
    let mut out = entity.clone();
    let fields: Vec<usize> = (0..out.len())
        .filter(|&f| out[f].bytes().any(|b| b.is_ascii_alphanumeric()))
        .collect();
    if fields.is_empty() {
        return out;
    }
    let field = fields[rng.below(fields.len())];
    let mut chars: Vec<char> = out[field].chars().collect();
    let spots: Vec<usize> = (0..chars.len())
        .filter(|&i| chars[i].is_ascii_alphanumeric())
        .collect();
    let at = spots[rng.below(spots.len())];
    let c = chars[at] as u8;
    // Another character of the same kind and case: 1 to 9 (or 25) steps on, wrapping.
    let (base, span) = match c {
        b'0'..=b'9' => (b'0', 10),
        b'a'..=b'z' => (b'a', 26),
        _ => (b'A', 26),
    };
    let step = 1 + rng.below(span as usize - 1) as u8;
    chars[at] = (base + (c - base + step) % span) as char;
    out[field] = chars.into_iter().collect();
    out
}
