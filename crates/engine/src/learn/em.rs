//! Fellegi-Sunter estimates without labels: u from random pairs, m and the share of matches by
//! EM on the candidate pairs, the weights from them, and the threshold where the expected F1 is
//! best.

use std::collections::HashMap;

use super::anchors::{Comparer, Data, Labeled, Matcher, SampleMatches};
use super::columns::ProfiledColumn;
use super::plan::FieldEstimate;
use super::{calibrate, MatchModel, PromptHints};
use crate::domain::{Document, DocumentMatch, FieldMapping};
use crate::error::EngineError;
use crate::profile::ColumnRole;
use crate::progress::CancelToken;
use crate::run::RejectedPairs;

/// Agreement levels of a field: different, similar (scored between 0 and 1), the same.
pub(super) const LEVELS: usize = 3;
const LEVEL_NAMES: [&str; LEVELS] = ["different", "similar", "same"];
const EM_ROUNDS: usize = 40;
/// A reviewer's decision counts as this many pairs whose class the data only suggests.
const LABEL_WEIGHT: f64 = 10.0;

/// Per field, per level: m and u; and the share of candidate pairs that are matches.
pub(super) struct Estimates {
    pub m: Vec<[f64; LEVELS]>,
    /// u among random pairs: the weights' scale, as in any Fellegi-Sunter model.
    pub u_random: Vec<[f64; LEVELS]>,
    /// Share of documents whose best candidate is a match.
    pub match_share: f64,
    /// Per field, whether no random pair agreed on the same value: u of "same" is then only the
    /// smoothing, until `with_collisions`.
    pub unseen_same: Vec<bool>,
}

impl Estimates {
    /// The estimates a strategy kept (to four significant digits; strategies stored before
    /// kept four places, where a level never seen reads 0 and gets the old smoothing floor).
    pub fn of(e: super::Estimated) -> Estimates {
        let levels = |v: &[f64]| -> [f64; LEVELS] {
            let mut out = [1e-4; LEVELS];
            for (o, x) in out.iter_mut().zip(v) {
                *o = if *x > 0.0 { x.max(1e-12) } else { 1e-4 };
            }
            out
        };
        Estimates {
            m: e.fields.iter().map(|f| levels(&f.m)).collect(),
            u_random: e.fields.iter().map(|f| levels(&f.u)).collect(),
            match_share: e.match_share,
            unseen_same: vec![false; e.fields.len()],
        }
    }

    /// Where no random pair agreed on the same value of a field, u of "same" is only the
    /// smoothing (one in 8,000 random pairs), which caps an identifier's weight near 13 bits
    /// however many rows hold one value each. The reference column's own counts tell it
    /// (`collision`: the chance that two rows share a value, one in a million for a million
    /// unique PO numbers); the other levels keep their shares of the rest.
    pub fn with_collisions(&mut self, collision: impl Fn(usize) -> Option<f64>) {
        for (f, u) in self.u_random.iter_mut().enumerate() {
            if !self.unseen_same.get(f).copied().unwrap_or(false) {
                continue;
            }
            let Some(q) = collision(f) else {
                continue;
            };
            let q = q.clamp(1e-12, 0.5);
            let scale = (1.0 - q) / (u[0] + u[1]).max(1e-12);
            u[0] *= scale;
            u[1] *= scale;
            u[2] = q;
        }
    }

    /// The chance that a document and a reference row taken at random match: a document has at
    /// most one match among `reference_rows`.
    pub fn population_prior(&self, reference_rows: usize) -> f64 {
        (self.match_share.max(0.01) / reference_rows.max(1) as f64).clamp(1e-12, 0.5)
    }
}

fn level(score: f64) -> usize {
    if score >= 1.0 - 1e-9 {
        2
    } else if score > 0.0 {
        1
    } else {
        0
    }
}

/// Each pair's level per field (`None`: a value missing).
fn levels(data: &Data, cmps: &[Comparer], pairs: &[(usize, usize)]) -> Vec<Vec<Option<usize>>> {
    pairs
        .iter()
        .map(|&p| cmps.iter().map(|c| c.score(data, p).map(level)).collect())
        .collect()
}

/// Candidate pairs of `matches` as (document row, reference row).
fn candidate_pairs(data: &Data, matches: &[DocumentMatch]) -> Vec<(usize, usize)> {
    let rows = data.row_lookup();
    matches
        .iter()
        .flat_map(|m| {
            let d = rows.docs.get(m.document_id.as_str()).copied();
            let refs = &rows.refs;
            m.candidates
                .iter()
                .filter_map(move |c| Some((d?, *refs.get(c.reference_row_id.as_str())?)))
        })
        .collect()
}

pub(super) fn estimate(
    data: &Data,
    mappings: &[FieldMapping],
    first: &[DocumentMatch],
    random: &[(usize, usize)],
    anchors: &[(usize, usize)],
    labels: &[((usize, usize), bool)],
) -> Estimates {
    let cmps: Vec<Comparer> = mappings
        .iter()
        .filter_map(|m| Comparer::new(data, m))
        .collect();
    let k = cmps.len();
    // Starting points: u from random pairs, m from the likely matches, smoothed so no level is
    // impossible.
    let random_levels = levels(data, &cmps, random);
    let unseen_same = (0..k)
        .map(|f| random_levels.iter().all(|row| row[f] != Some(2)))
        .collect();
    let u_random = frequencies(&random_levels, k, 0.5);
    let mut u = u_random.clone();
    let mut m = frequencies(&levels(data, &cmps, anchors), k, 0.5);
    let mut pairs = candidate_pairs(data, first);
    // Pairs a reviewer decided are known: their class is fixed, and EM learns from them (the
    // semi-supervised estimate).
    let mut fixed: Vec<Option<f64>> = vec![None; pairs.len()];
    for &(pair, is_match) in labels {
        let p = f64::from(u8::from(is_match));
        match pairs.iter().position(|&q| q == pair) {
            Some(i) => fixed[i] = Some(p),
            None => {
                pairs.push(pair);
                fixed.push(Some(p));
            }
        }
    }
    let obs = levels(data, &cmps, &pairs);
    let mut lambda = 0.3;
    let mut post = vec![0.0; obs.len()];
    // Both classes are estimated on the candidate pairs: a candidate that is not a match agrees
    // more than a random pair (that is why it is a candidate), and the weights must tell matches
    // from those.
    for _ in 0..EM_ROUNDS {
        for ((p, row), known) in post.iter_mut().zip(&obs).zip(&fixed) {
            *p = known.unwrap_or_else(|| posterior(row, &m, &u, lambda));
        }
        lambda = (post.iter().sum::<f64>() / post.len().max(1) as f64).clamp(1e-4, 1.0 - 1e-4);
        let mut next_m = vec![[0.5; LEVELS]; k];
        let mut next_u = vec![[1e-3; LEVELS]; k];
        for (p, row) in post.iter().zip(&obs) {
            for (f, l) in row.iter().enumerate() {
                if let Some(l) = l {
                    next_m[f][*l] += p;
                    next_u[f][*l] += 1.0 - p;
                }
            }
        }
        next_m.iter_mut().for_each(normalise);
        next_u.iter_mut().for_each(normalise);
        m = next_m;
        u = next_u;
    }
    // Per document: is its best candidate a match?
    let tops: Vec<(usize, usize)> = candidate_pairs(data, &tops_of(first));
    let match_share = levels(data, &cmps, &tops)
        .iter()
        .map(|row| posterior(row, &m, &u, lambda))
        .sum::<f64>()
        / first.len().max(1) as f64;
    Estimates {
        m,
        u_random,
        match_share,
        unseen_same,
    }
}

/// Per field, the share of `rows` at each level, plus `prior` at each.
fn frequencies(rows: &[Vec<Option<usize>>], k: usize, prior: f64) -> Vec<[f64; LEVELS]> {
    let mut out = vec![[prior; LEVELS]; k];
    for row in rows {
        for (f, l) in row.iter().enumerate() {
            if let Some(l) = l {
                out[f][*l] += 1.0;
            }
        }
    }
    out.iter_mut().for_each(normalise);
    out
}

fn tops_of(matches: &[DocumentMatch]) -> Vec<DocumentMatch> {
    matches
        .iter()
        .map(|m| DocumentMatch {
            candidates: m.candidates.iter().take(1).cloned().collect(),
            ..m.clone()
        })
        .collect()
}

fn normalise(x: &mut [f64; LEVELS]) {
    let s: f64 = x.iter().sum();
    x.iter_mut().for_each(|v| *v /= s);
}

/// The probability that a pair with these levels is a match.
fn posterior(row: &[Option<usize>], m: &[[f64; LEVELS]], u: &[[f64; LEVELS]], lambda: f64) -> f64 {
    let mut log_odds = (lambda / (1.0 - lambda)).ln();
    for (f, l) in row.iter().enumerate() {
        if let Some(l) = l {
            log_odds += (m[f][*l] / u[f][*l]).ln();
        }
    }
    1.0 / (1.0 + (-log_odds.clamp(-700.0, 700.0)).exp())
}

/// Weights from the estimates: agreement counts log2(m/u) of agreeing (similar or same), a
/// disagreement log2((1-u)/(1-m)), both scaled so the weights add up to 1. A prioritised field
/// counts double.
pub(super) fn set_weights(mappings: &mut [FieldMapping], est: &Estimates, hints: &PromptHints) {
    let mut raw: Vec<(f64, f64)> = Vec::with_capacity(mappings.len());
    for (f, mapping) in mappings.iter().enumerate() {
        let (m, u) = (
            est.m[f][1] + est.m[f][2],
            est.u_random[f][1] + est.u_random[f][2],
        );
        let agree = (m / u).log2().clamp(0.2, 20.0);
        let disagree = ((1.0 - u) / (1.0 - m).max(1e-4)).log2().clamp(0.0, 20.0);
        let boost = if hints.prioritises(&mapping.source) || hints.prioritises(&mapping.target) {
            2.0
        } else {
            1.0
        };
        raw.push((agree * boost, disagree * boost));
    }
    let total: f64 = raw.iter().map(|r| r.0).sum();
    for (mapping, (a, d)) in mappings.iter_mut().zip(&raw) {
        mapping.weight = round4(a / total);
        mapping.mismatch_weight = Some(round4(d / total));
    }
    // Rounding may leave the sum a hair off 1, which validation refuses.
    let sum: f64 = mappings.iter().map(|m| m.weight).sum();
    if let Some(top) = mappings
        .iter_mut()
        .max_by(|a, b| a.weight.total_cmp(&b.weight))
    {
        top.weight = round4(top.weight + 1.0 - sum);
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// `x` to four significant digits: a u of one in a million must not round to 0.
fn significant4(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let scale = 10f64.powi(3 - x.abs().log10().floor() as i32);
    (x * scale).round() / scale
}

/// The estimates per field, for the strategy and its chart.
pub(super) fn summaries(mappings: &[FieldMapping], est: &Estimates) -> Vec<FieldEstimate> {
    mappings
        .iter()
        .enumerate()
        .map(|(f, mapping)| FieldEstimate {
            source: mapping.source.clone(),
            target: mapping.target.clone(),
            levels: LEVEL_NAMES.iter().map(|s| s.to_string()).collect(),
            m: est.m[f].iter().map(|x| significant4(*x)).collect(),
            u: est.u_random[f].iter().map(|x| significant4(*x)).collect(),
            match_weight: (0..LEVELS)
                .map(|l| round4((est.m[f][l] / est.u_random[f][l]).log2()))
                .collect(),
        })
        .collect()
}

/// What the final sample run decided.
pub(super) struct Finale {
    /// The sample's and the impostors' matches with the plain weights, which the smart run's
    /// model learns from.
    pub plain: (Vec<DocumentMatch>, Vec<DocumentMatch>),
    pub threshold: f64,
    pub review_floor: f64,
    pub one_to_one: bool,
    pub expected_f1: f64,
    pub documents: usize,
    pub shared_rows: f64,
}

/// Matches the sample with the weighted mappings and puts the threshold where the expected F1
/// (each best candidate counted by its match probability) is highest; the review band goes down
/// to where a best candidate still has a one-in-five chance.
pub(super) fn choose_threshold(
    matcher: &Matcher,
    mappings: &[FieldMapping],
    est: &Estimates,
    docs: &[Document],
    cancel: &CancelToken,
) -> Result<Option<Finale>, EngineError> {
    let data = matcher.data();
    let Some(runs) = matcher.run(docs, None, &RejectedPairs::new(), cancel)? else {
        return Ok(None);
    };
    let cmps: Vec<Comparer> = mappings
        .iter()
        .filter_map(|m| Comparer::new(data, m))
        .collect();
    let tops = tops_of(&runs);
    let pairs = candidate_pairs(data, &tops);
    let confs: Vec<f64> = tops
        .iter()
        .filter_map(|m| m.candidates.first().map(|c| c.confidence))
        .collect();
    let prior = est.population_prior(data.ref_rows.len());
    let probs: Vec<f64> = levels(data, &cmps, &pairs)
        .iter()
        .map(|row| posterior(row, &est.m, &est.u_random, prior))
        .collect();
    let mut scored: Vec<(f64, f64)> = confs.into_iter().zip(probs).collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    let Some(impostor_matches) = impostor_runs(matcher, (mappings, None), docs, cancel)? else {
        return Ok(None);
    };
    let impostors = best_first(&impostor_matches);
    let (best_f1, threshold) = best_expected_f1(&scored, &impostors, docs.len());
    // Halfway to the next lower confidence would be as good on the sample; rounding down to the
    // hundredth keeps the ones the sample counted.
    let threshold = ((threshold * 100.0).floor() / 100.0).clamp(0.3, 0.99);
    let floor = scored
        .iter()
        .filter(|s| s.1 >= 0.2)
        .map(|s| s.0)
        .fold(threshold, f64::min);
    let review_floor = round2(floor.clamp(0.1, (threshold - 0.05).max(0.1)) - 0.005);
    let (one_to_one, shared_rows) =
        one_to_one(data, &tops, &scored_by_doc(&tops, &pairs, est, data, &cmps));
    Ok(Some(Finale {
        threshold,
        review_floor,
        one_to_one,
        expected_f1: best_f1,
        documents: tops.len(),
        shared_rows,
        plain: (runs, impostor_matches),
    }))
}

/// Expected F1 at each threshold, and the best: a document's best candidate counts as a true
/// match by its probability; the documents with no match (as many as the probabilities leave)
/// match falsely as often as reference rows match another reference row (`impostors`, sorted
/// best first).
fn best_expected_f1(scored: &[(f64, f64)], impostors: &[f64], documents: usize) -> (f64, f64) {
    let all: f64 = scored.iter().map(|s| s.1).sum();
    let unmatched = (documents as f64 - all).max(0.0);
    let (mut best_f1, mut threshold) = (0.0, 0.99);
    let (mut tp, mut model_fp) = (0.0, 0.0);
    for (i, &(conf, p)) in scored.iter().enumerate() {
        tp += p;
        model_fp += 1.0 - p;
        // Only where the next confidence differs: a threshold keeps all of a tie or none.
        if scored.get(i + 1).is_some_and(|n| n.0 == conf) {
            continue;
        }
        let false_rate =
            impostors.partition_point(|&c| c >= conf) as f64 / impostors.len().max(1) as f64;
        // The model's own count of false matches misses the near misses it cannot tell apart
        // (a relative at the same address); the impostors miss what only documents bring. The
        // larger counts.
        let fp = (unmatched * false_rate).max(model_fp);
        let f1 = 2.0 * tp / (2.0 * tp + fp + (all - tp)).max(1e-9);
        if f1 > best_f1 {
            best_f1 = f1;
            threshold = conf;
        }
    }
    (best_f1, threshold)
}

/// How documents that are in no reference row would score, learned without labels: reference
/// rows matched as documents against the other rows (never themselves), best first. Reference
/// data holds each thing once, so every such match is false, and the near misses it finds (a
/// relative at the same address, a sister company) are the ones real documents bring.
fn impostor_runs(
    matcher: &Matcher,
    mappings: (&[FieldMapping], Option<&MatchModel>),
    sample: &[Document],
    cancel: &CancelToken,
) -> Result<Option<Vec<DocumentMatch>>, EngineError> {
    let data = matcher.data();
    let n = sample.len();
    let mut sampler = super::Sampler::new(0x1f05_7e25_0000_0001);
    let columns = data.tables.document_columns;
    let targets: Vec<(usize, usize)> = mappings
        .0
        .iter()
        .filter_map(|m| {
            let d = columns.iter().position(|c| c == &m.source)?;
            let r = data
                .tables
                .reference_columns
                .iter()
                .position(|c| c == &m.target)?;
            Some((d, r))
        })
        .collect();
    let mut excluded = RejectedPairs::new();
    let docs: Vec<Document> = sampler
        .indexes(data.ref_rows.len(), n)
        .into_iter()
        .enumerate()
        .map(|(k, i)| {
            let row = &data.tables.reference[i];
            // Blank where a real document is blank: missing values count neither way, and
            // documents lack values reference rows have (an invoice without its PO number).
            let like = &sample[k % n].values;
            let mut values = vec![String::new(); columns.len()];
            for &(d, r) in &targets {
                if !like[d].trim().is_empty() {
                    values[d] = row.values[r].clone();
                }
            }
            let id = format!("\u{1}impostor-{i}");
            excluded.insert(id.clone(), std::iter::once(row.id.clone()).collect());
            Document {
                document_id: id,
                document_filename: None,
                values,
            }
        })
        .collect();
    let Some(mut runs) = matcher.run(&docs, mappings.1, &excluded, cancel)? else {
        return Ok(None);
    };
    seen_as_impostors(matcher, mappings.1, &mut runs);
    Ok(Some(runs))
}

/// An impostor's shared values are one row more common than the run saw: its own row holds
/// them, and a document that is in no reference row would not find that row. Counted as the
/// run did, every value an impostor shares looks common (no value held by one row could be
/// shared at all), and a model would learn that rare values are always matches.
fn seen_as_impostors(matcher: &Matcher, model: Option<&MatchModel>, runs: &mut [DocumentMatch]) {
    let rows = matcher.data().row_lookup();
    for m in runs.iter_mut() {
        for c in &mut m.candidates {
            let Some(&row) = rows.refs.get(c.reference_row_id.as_str()) else {
                continue;
            };
            for (f, e) in c.evidence.iter_mut().enumerate() {
                if e.rarity.is_some() {
                    e.rarity = matcher.impostor_rarity(f, row);
                }
            }
            if let Some(model) = model {
                for (f, e) in c.evidence.iter_mut().enumerate() {
                    e.match_weight = model.evidence_weight(f, e);
                }
                c.confidence = model.probability_of(&c.evidence);
            }
        }
        if model.is_some() {
            m.candidates
                .sort_by(|a, b| b.confidence.total_cmp(&a.confidence));
            m.confidence = m.candidates.first().map_or(0.0, |c| c.confidence);
        }
    }
}

/// The impostors' best confidences, best first.
fn best_first(runs: &[DocumentMatch]) -> Vec<f64> {
    let mut confs: Vec<f64> = runs.iter().map(|m| m.confidence).collect();
    confs.sort_by(|a, b| b.total_cmp(a));
    confs
}

/// The match model of the estimates, its threshold where the expected F1 of the sample is best
/// (with impostors as in `choose_threshold`); `None` when cancelled.
pub(super) fn choose_model(
    matcher: &Matcher,
    mappings: &[FieldMapping],
    (est, labeled): (&Estimates, &[Labeled]),
    (docs, plain): (&[Document], Option<&SampleMatches>),
    cancel: &CancelToken,
) -> Result<Option<MatchModel>, EngineError> {
    let data = matcher.data();
    let prior = est.population_prior(data.ref_rows.len());
    let fs = MatchModel {
        prior_log2_odds: (prior / (1.0 - prior)).log2(),
        field_weights: (0..mappings.len())
            .map(|f| {
                let w = |l: usize| (est.m[f][l] / est.u_random[f][l]).log2();
                [w(0), w(1), w(2)]
            })
            .collect(),
        rarity_weights: Vec::new(),
        threshold: 0.5,
        review_floor: 0.1,
        search_threshold: crate::domain::DEFAULT_THRESHOLD,
        search_review_floor: crate::domain::DEFAULT_REVIEW_FLOOR,
    };
    let none = RejectedPairs::new();
    let computed;
    let (plain, impostors) = match plain {
        Some(p) => (&p.0, &p.1),
        None => {
            let Some(plain) = matcher.run(docs, None, &none, cancel)? else {
                return Ok(None);
            };
            let Some(impostors) = impostor_runs(matcher, (mappings, None), docs, cancel)? else {
                return Ok(None);
            };
            computed = (plain, impostors);
            (&computed.0, &computed.1)
        }
    };
    let mut examples = examples(&fs, plain, impostors, est.match_share);
    // What reviewers decided counts most: it is known, not guessed.
    let cmps: Vec<Comparer> = mappings
        .iter()
        .filter_map(|m| Comparer::new(data, m))
        .collect();
    let pairs: Vec<(usize, usize)> = labeled.iter().map(|l| l.0).collect();
    for (levels, &((_, r), is_match)) in levels(data, &cmps, &pairs).into_iter().zip(labeled) {
        let rarity = (levels.iter().enumerate())
            .map(|(f, l)| match l {
                Some(2) => matcher.rarity(f, r).unwrap_or(0.0),
                _ => 0.0,
            })
            .collect();
        examples.push(calibrate::Example {
            levels,
            rarity,
            is_match,
            weight: LABEL_WEIGHT,
        });
    }
    let share = est.match_share.clamp(0.01, 0.99);
    let fitted = calibrate::fit(
        &examples,
        ((share / (1.0 - share)).log2(), &fs.field_weights),
        &names_by_rarity(data, mappings),
    );
    let mut model = MatchModel {
        prior_log2_odds: round4(fitted.intercept),
        field_weights: fitted.weights.iter().map(|w| w.map(round4)).collect(),
        rarity_weights: fitted.rarity.iter().map(|&w| round4(w)).collect(),
        threshold: 0.5,
        review_floor: 0.1,
        search_threshold: crate::domain::DEFAULT_THRESHOLD,
        search_review_floor: crate::domain::DEFAULT_REVIEW_FLOOR,
    };
    let Some(runs) = matcher.run(docs, Some(&model), &none, cancel)? else {
        return Ok(None);
    };
    let mut scored: Vec<(f64, f64)> = runs.iter().map(|m| (m.confidence, m.confidence)).collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    let Some(impostors) = impostor_runs(matcher, (mappings, Some(&model)), docs, cancel)? else {
        return Ok(None);
    };
    let (_, threshold) = best_expected_f1(&scored, &best_first(&impostors), docs.len());
    model.threshold = ((threshold * 100.0).floor() / 100.0).clamp(0.05, 0.99);
    model.review_floor = round2((model.threshold / 2.0).min(0.1));
    Ok(Some(model))
}

/// The mappings whose agreed value's rarity the model weighs: those onto a column of company or
/// person names. How common a name is tells whether two records sharing it are one (Smith
/// against Vanderpoel), and names vary independently of the other fields. Addresses do not:
/// a street, suburb and postcode agree together, on relatives and neighbours as on matches, so
/// their rarity would be counted once per field and lift the near misses most (measured on ten
/// people seeds, DECISIONS.md).
fn names_by_rarity(data: &Data, mappings: &[FieldMapping]) -> Vec<bool> {
    mappings
        .iter()
        .map(|m| {
            data.ref_cols.iter().any(|c| {
                c.profile.name == m.target
                    && matches!(
                        c.profile.role,
                        ColumnRole::PersonName | ColumnRole::CompanyName
                    )
            })
        })
        .collect()
}

/// Pairs whose class the data tells (see `calibrate`): a document's best candidate when the
/// Fellegi-Sunter model is sure of it either way, the runner-up of a sure match, and every
/// impostor's best (standing in, together, for the documents without a match).
fn examples(
    fs: &MatchModel,
    plain: &[DocumentMatch],
    impostors: &[DocumentMatch],
    match_share: f64,
) -> Vec<calibrate::Example> {
    let levels = |c: &crate::domain::Candidate| -> Vec<Option<usize>> {
        c.evidence
            .iter()
            .map(|e| (!e.missing).then(|| super::model::level(e.score)))
            .collect()
    };
    let rarity = |c: &crate::domain::Candidate| -> Vec<f64> {
        c.evidence.iter().map(|e| e.rarity.unwrap_or(0.0)).collect()
    };
    let scores = |c: &crate::domain::Candidate| {
        fs.probability(c.evidence.iter().map(|e| (!e.missing).then_some(e.score)))
    };
    let mut out = Vec::new();
    for m in plain {
        let Some(top) = m.candidates.first() else {
            continue;
        };
        let p = scores(top);
        if p >= 0.9 {
            out.push(calibrate::Example {
                levels: levels(top),
                rarity: rarity(top),
                is_match: true,
                weight: 1.0,
            });
            if let Some(second) = m.candidates.get(1) {
                out.push(calibrate::Example {
                    levels: levels(second),
                    rarity: rarity(second),
                    is_match: false,
                    weight: 0.5,
                });
            }
        } else if p <= 0.1 {
            out.push(calibrate::Example {
                levels: levels(top),
                rarity: rarity(top),
                is_match: false,
                weight: 1.0,
            });
        }
    }
    let tops: Vec<&crate::domain::Candidate> = impostors
        .iter()
        .filter_map(|m| m.candidates.first())
        .collect();
    let weight = (1.0 - match_share).max(0.05) * plain.len() as f64 / tops.len().max(1) as f64;
    for c in tops {
        out.push(calibrate::Example {
            levels: levels(c),
            rarity: rarity(c),
            is_match: false,
            weight,
        });
    }
    out
}

fn scored_by_doc(
    tops: &[DocumentMatch],
    pairs: &[(usize, usize)],
    est: &Estimates,
    data: &Data,
    cmps: &[Comparer],
) -> Vec<(String, f64)> {
    let probs = levels(data, cmps, pairs);
    tops.iter()
        .filter(|m| !m.candidates.is_empty())
        .zip(probs)
        .map(|(m, row)| {
            (
                m.candidates[0].reference_row_id.clone(),
                posterior(
                    &row,
                    &est.m,
                    &est.u_random,
                    est.population_prior(data.ref_rows.len()),
                ),
            )
        })
        .collect()
}

/// One-to-one is proposed when the likely matches (probability 0.9 or more) rarely share a
/// reference row and there are no more documents than reference rows. Two sampled documents
/// share a row only when both were sampled, so sharing seen in a sample of a large set says
/// little: one-to-one needs the upper bound of the sharing (three more shared rows than seen,
/// about 95 % confidence) to stay under 5 % of all documents.
fn one_to_one(data: &Data, tops: &[DocumentMatch], by_doc: &[(String, f64)]) -> (bool, f64) {
    let mut uses: HashMap<&str, usize> = HashMap::new();
    let likely: Vec<&(String, f64)> = by_doc.iter().filter(|x| x.1 >= 0.9).collect();
    for (row, _) in &likely {
        *uses.entry(row.as_str()).or_insert(0) += 1;
    }
    let shared_count = likely
        .iter()
        .filter(|(row, _)| uses[row.as_str()] > 1)
        .count() as f64;
    let sampled = tops.len().max(1) as f64 / data.doc_rows.len().max(1) as f64;
    let n = likely.len().max(1) as f64;
    let shared = (shared_count / n / sampled).min(1.0);
    let upper = ((shared_count + 3.0) / n / sampled).min(1.0);
    let fits = data.doc_rows.len() as f64 <= data.ref_rows.len() as f64 * 1.05;
    (likely.len() >= 20 && upper < 0.05 && fits, shared)
}

impl Finale {
    pub fn quality_note(&self, docs: &[ProfiledColumn], refs: &[ProfiledColumn]) -> String {
        let sparse: Vec<String> = docs
            .iter()
            .map(|c| ("documents", c))
            .chain(refs.iter().map(|c| ("reference", c)))
            .filter(|(_, c)| c.null_rate >= 0.2)
            .map(|(side, c)| {
                format!(
                    "{} ({side}, {:.0} % empty)",
                    c.profile.name,
                    c.null_rate * 100.0
                )
            })
            .collect();
        if sparse.is_empty() {
            "Every column is filled in at least 80 % of the rows.".to_owned()
        } else {
            format!(
                "Often empty: {}. A missing value counts neither for nor against a match.",
                sparse.join(", ")
            )
        }
    }

    pub fn cardinality_note(&self) -> String {
        format!(
            "Learned on {} documents; expected F1 at the threshold {:.3}. An estimated {:.1} % of \
             the likely matches share their reference row with another document{}.",
            self.documents,
            self.expected_f1,
            self.shared_rows * 100.0,
            if self.one_to_one {
                ", so each reference row goes to one document (one-to-one)"
            } else {
                ""
            }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_identifier_no_random_pair_shares_gets_u_from_the_columns_counts() {
        let mut est = Estimates {
            m: vec![[0.1, 0.1, 0.8]; 2],
            // Smoothing only at "same" for field 0 (no random pair agreed); field 1 saw some.
            u_random: vec![[0.9, 0.0999, 1.25e-4], [0.9, 0.09, 0.01]],
            match_share: 0.5,
            unseen_same: vec![true, false],
        };
        est.with_collisions(|_| Some(1e-6));
        let u = est.u_random[0];
        assert_eq!(u[2], 1e-6);
        assert!((u.iter().sum::<f64>() - 1.0).abs() < 1e-12, "{u:?}");
        assert!((u[0] / u[1] - 0.9 / 0.0999).abs() < 1e-9);
        // Twenty bits for one PO number among a million, where the smoothing gave about 13.
        let weight = (est.m[0][2] / u[2]).log2();
        assert!(weight > 19.0, "{weight}");
        assert_eq!(est.u_random[1], [0.9, 0.09, 0.01]);
        // Kept to four significant digits, a strategy gives it back.
        let kept = summaries(
            &[
                serde_json::from_str(
                    r#"{"source":"a","target":"b","strategy":"exact","weight":0.5}"#,
                )
                .unwrap(),
                serde_json::from_str(
                    r#"{"source":"c","target":"d","strategy":"exact","weight":0.5}"#,
                )
                .unwrap(),
            ],
            &est,
        );
        assert_eq!(kept[0].u[2], 1e-6);
        let again = Estimates::of(super::super::Estimated {
            fields: &kept,
            match_share: 0.5,
        });
        assert_eq!(again.u_random[0][2], 1e-6);
        assert_eq!(
            [significant4(0.000123456), significant4(12.3456)],
            [0.0001235, 12.35]
        );
    }
}
