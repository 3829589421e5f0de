//! The similarity features of a (source, target) pair per feature type (spec B.5), the token
//! statistics `frequencyweightedbigram` learns from the targets, and the unsupervised score.
//!
//! Every feature is a cosine in 0..=1 between one field of the source and the same field of the
//! target, so identical values score 1 on every feature and a model's features line up field by
//! field: `[field 0: f0, f1, ..][field 1: f0, f1, ..]`.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::text::{hash_str, mix, pair_key, tokenize, Sparse, Tokens, View};
use super::FeatureType;

/// One similarity of one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Feat {
    /// Token counts as written.
    Raw,
    /// Token counts, case folded.
    Folded,
    /// Counts of ordered pairs of neighbouring folded tokens.
    FoldedBigram,
    /// Folded token counts times their inverse document frequency in the targets.
    Idf,
    /// Bigram counts times the bigram's inverse document frequency.
    IdfBigram,
    /// Folded tokens without leading zeros, plus split runs joined.
    Norm,
    /// Bigrams of the normalized tokens.
    NormBigram,
    /// Character trigrams of the normalized tokens written together: a typo or a dropped
    /// character spoils one token but only a few trigrams.
    NormChars,
}

impl Feat {
    fn view(self) -> View {
        match self {
            Feat::Raw => View::Raw,
            Feat::Folded | Feat::FoldedBigram | Feat::Idf | Feat::IdfBigram => View::Folded,
            Feat::Norm | Feat::NormBigram | Feat::NormChars => View::Normalized,
        }
    }

    fn is_bigram(self) -> bool {
        matches!(
            self,
            Feat::FoldedBigram | Feat::IdfBigram | Feat::NormBigram
        )
    }
}

/// The features of each feature type, per field. A bigram feature always follows the token
/// feature of its view: a value of one token has no bigram, and then the pair's bigram
/// similarity is its token similarity (so identical one-token values still score 1).
fn feats(feature_type: FeatureType) -> &'static [Feat] {
    use Feat::*;
    match feature_type {
        FeatureType::Simple => &[Raw],
        FeatureType::Insensitive => &[Folded],
        FeatureType::Bigram => &[Folded, FoldedBigram],
        FeatureType::FrequencyWeightedBigram => &[Idf, IdfBigram],
        FeatureType::BigramExtraTokenizers => &[Norm, NormBigram, NormChars],
        FeatureType::BigramCombo => &[
            Raw,
            Folded,
            FoldedBigram,
            Idf,
            IdfBigram,
            Norm,
            NormBigram,
            NormChars,
        ],
    }
}

/// Features per field of `feature_type`.
pub(crate) fn per_field(feature_type: FeatureType) -> usize {
    feats(feature_type).len()
}

pub(crate) fn uses_idf(feature_type: FeatureType) -> bool {
    feats(feature_type)
        .iter()
        .any(|f| matches!(f, Feat::Idf | Feat::IdfBigram))
}

/// The tokens candidate search indexes for `feature_type`: a pair is a candidate only when it
/// shares one of these in one field (B.5).
fn index_views(feature_type: FeatureType) -> &'static [View] {
    match feature_type {
        FeatureType::Simple => &[View::Raw],
        FeatureType::BigramExtraTokenizers => &[View::Normalized],
        // Raw tokens that agree also agree folded, so the folded view covers `simple` too.
        FeatureType::BigramCombo => &[View::Folded, View::Normalized],
        _ => &[View::Folded],
    }
}

/// The tokens `feature_type` compares in `value`, for callers that show them.
pub(crate) fn shown_tokens(feature_type: FeatureType, value: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for &view in index_views(feature_type) {
        let t = tokenize(value, view);
        for token in t.order.into_iter().chain(t.extra) {
            if !out.contains(&token) {
                out.push(token);
            }
        }
    }
    out
}

/// Document frequencies of the folded tokens and bigrams of each field over the targets of the
/// fit. Only those in two targets or more are kept: one seen once and one never seen both get
/// the highest weight, so storing them would only make the model bigger.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Idf {
    targets: usize,
    fields: Vec<FieldFrequencies>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct FieldFrequencies {
    tokens: BTreeMap<String, u32>,
    /// Keyed `"first second"`: tokens never hold a space.
    bigrams: BTreeMap<String, u32>,
}

impl Idf {
    /// Match fields the statistics were gathered for.
    pub fn fields(&self) -> usize {
        self.fields.len()
    }

    pub fn fit(targets: &[Vec<String>], fields: usize) -> Idf {
        let mut out = vec![FieldFrequencies::default(); fields];
        for target in targets {
            for (value, freq) in target.iter().zip(&mut out) {
                let order = tokenize(value, View::Folded).order;
                let mut tokens: Vec<&str> = order.iter().map(String::as_str).collect();
                tokens.sort_unstable();
                tokens.dedup();
                for t in tokens {
                    *freq.tokens.entry(t.to_owned()).or_default() += 1;
                }
                let mut bigrams: Vec<String> = order
                    .windows(2)
                    .map(|w| format!("{} {}", w[0], w[1]))
                    .collect();
                bigrams.sort_unstable();
                bigrams.dedup();
                for b in bigrams {
                    *freq.bigrams.entry(b).or_default() += 1;
                }
            }
        }
        for f in &mut out {
            f.tokens.retain(|_, df| *df >= 2);
            f.bigrams.retain(|_, df| *df >= 2);
        }
        Idf {
            targets: targets.len(),
            fields: out,
        }
    }
}

/// `ln((1 + N) / (1 + df)) + 1`: never 0, so a token in every target still counts a little.
fn idf_weight(targets: usize, df: u32) -> f32 {
    (((1 + targets) as f64 / (1 + df) as f64).ln() + 1.0) as f32
}

/// `Idf` as hashed lookups, built once per fit or predict.
pub(crate) struct Weights {
    fields: Vec<(FxHashMap<u64, f32>, FxHashMap<u64, f32>)>,
    /// The weight of a token seen in at most one target.
    max: f32,
}

impl Weights {
    pub fn new(idf: &Idf) -> Weights {
        let n = idf.targets;
        let fields = idf
            .fields
            .iter()
            .map(|f| {
                let tokens = f
                    .tokens
                    .iter()
                    .map(|(t, &df)| (hash_str(t), idf_weight(n, df)));
                let bigrams = f.bigrams.iter().filter_map(|(b, &df)| {
                    let (a, c) = b.split_once(' ')?;
                    Some((pair_key(hash_str(a), hash_str(c)), idf_weight(n, df)))
                });
                (tokens.collect(), bigrams.collect())
            })
            .collect();
        Weights {
            fields,
            max: idf_weight(n, 1),
        }
    }

    fn token(&self, field: usize, key: u64) -> f32 {
        self.fields
            .get(field)
            .and_then(|f| f.0.get(&key).copied())
            .unwrap_or(self.max)
    }

    fn bigram(&self, field: usize, key: u64) -> f32 {
        self.fields
            .get(field)
            .and_then(|f| f.1.get(&key).copied())
            .unwrap_or(self.max)
    }
}

/// One entity ready to compare: per field, one vector per feature of its feature type.
#[derive(Debug, Clone, Default)]
pub(crate) struct Rep {
    fields: Vec<FieldRep>,
}

#[derive(Debug, Clone, Default)]
struct FieldRep {
    vectors: Vec<Sparse>,
}

impl Rep {
    /// Bit `i` set when field `i` has a value (its first vector is not empty).
    pub fn present(&self) -> u64 {
        self.fields
            .iter()
            .enumerate()
            .take(64)
            .filter(|(_, f)| f.vectors.first().is_some_and(|v| !v.is_empty()))
            .fold(0, |mask, (i, _)| mask | 1 << i)
    }

    pub fn new(feature_type: FeatureType, entity: &[String], weights: Option<&Weights>) -> Rep {
        let fields = entity
            .iter()
            .enumerate()
            .map(|(field, value)| field_rep(feature_type, field, value, weights))
            .collect();
        Rep { fields }
    }
}

fn field_rep(
    feature_type: FeatureType,
    field: usize,
    value: &str,
    w: Option<&Weights>,
) -> FieldRep {
    let mut cache: [Option<(Vec<u64>, Vec<u64>)>; 3] = [None, None, None];
    // The normalized tokens written together, for the character trigrams.
    let mut joined = String::new();
    let vectors = feats(feature_type)
        .iter()
        .map(|&feat| {
            let slot = feat.view() as usize;
            let (order, extra) = cache[slot].get_or_insert_with(|| {
                let tokens = tokenize(value, feat.view());
                if feat.view() == View::Normalized {
                    joined = tokens.order.concat();
                }
                hashed(tokens)
            });
            let weigh_token = |k: u64| match (feat, w) {
                (Feat::Idf, Some(w)) => w.token(field, k),
                _ => 1.0,
            };
            let weigh_bigram = |k: u64| match (feat, w) {
                (Feat::IdfBigram, Some(w)) => w.bigram(field, k),
                _ => 1.0,
            };
            if feat == Feat::NormChars {
                return char_trigrams(&joined);
            }
            if feat.is_bigram() {
                let pairs = order.windows(2).map(|p| pair_key(p[0], p[1]));
                Sparse::new(pairs.map(|k| (k, weigh_bigram(k))).collect())
            } else {
                let all = order.iter().chain(extra.iter()).copied();
                Sparse::new(all.map(|k| (k, weigh_token(k))).collect())
            }
        })
        .collect();
    FieldRep { vectors }
}

/// The character trigrams of `joined` (the normalized tokens written together); a value
/// shorter than three characters is its own trigram.
fn char_trigrams(joined: &str) -> Sparse {
    let chars: Vec<char> = joined.chars().collect();
    if chars.is_empty() {
        return Sparse::default();
    }
    let key = |w: &[char]| w.iter().fold(0x9e37_79b9_u64, |h, &c| mix(h ^ c as u64));
    if chars.len() < 3 {
        return Sparse::new(vec![(key(&chars), 1.0)]);
    }
    Sparse::new(chars.windows(3).map(|w| (key(w), 1.0)).collect())
}

fn hashed(t: Tokens) -> (Vec<u64>, Vec<u64>) {
    let h = |v: Vec<String>| v.iter().map(|s| hash_str(s)).collect();
    (h(t.order), h(t.extra))
}

/// The distinct keys of `entity` that candidate search indexes, salted by field so that a token
/// only meets the same field of the other side.
pub(crate) fn index_keys(feature_type: FeatureType, entity: &[String], out: &mut Vec<u64>) {
    out.clear();
    for (field, value) in entity.iter().enumerate() {
        let salt = mix(field as u64 + 1);
        for &view in index_views(feature_type) {
            let t = tokenize(value, view);
            out.extend(t.order.iter().chain(&t.extra).map(|s| hash_str(s) ^ salt));
        }
    }
    out.sort_unstable();
    out.dedup();
}

/// Appends the features of the pair (`source`, `target`) to `out`.
pub(crate) fn features(feature_type: FeatureType, source: &Rep, target: &Rep, out: &mut Vec<f64>) {
    let list = feats(feature_type);
    for (s, t) in source.fields.iter().zip(&target.fields) {
        for (i, feat) in list.iter().enumerate() {
            let (a, b) = (&s.vectors[i], &t.vectors[i]);
            let value = if feat.is_bigram() && a.is_empty() && b.is_empty() {
                s.vectors[i - 1].cosine(&t.vectors[i - 1])
            } else {
                a.cosine(b)
            };
            out.push(value);
        }
    }
}

/// The score of an unsupervised model. Per field, the mean of its features: every feature is a
/// similarity in 0..=1 that is 1 on identical values, and none is favoured without data to say
/// which should be (`bigramcombo` takes the best of its three bigram families, folded,
/// frequency weighted and normalized, so it is never misled by the stricter views a label-free
/// score cannot learn to discount). Across fields, the harmonic mean of those with a value on
/// both sides, scaled by their share of the fields: the match fields are things a match agrees
/// on, so one that disagrees (a name at another site) sinks the pair, and one that agrees on
/// half the targets (the site) cannot lift a pair whose name does not match. `present` has bit
/// `i` set when field `i` has a value on both sides (fields past 64 always count as present).
pub(crate) fn unsupervised(feature_type: FeatureType, features: &[f64], present: u64) -> f64 {
    let per = per_field(feature_type);
    if features.is_empty() || per == 0 {
        return 0.0;
    }
    let fields = features.len() / per;
    let (mut used, mut inverse) = (0usize, 0.0f64);
    for (i, f) in features.chunks(per).enumerate() {
        if i < 64 && present & (1 << i) == 0 {
            continue;
        }
        let score = if feature_type == FeatureType::BigramCombo {
            [
                (f[1] + f[2]) / 2.0,
                (f[3] + f[4]) / 2.0,
                (f[5] + f[6]) / 2.0,
            ]
            .into_iter()
            .fold(0.0, f64::max)
        } else {
            f.iter().sum::<f64>() / per as f64
        };
        if score <= 0.0 {
            return 0.0;
        }
        used += 1;
        inverse += 1.0 / score;
    }
    if used == 0 {
        return 0.0;
    }
    (used as f64 / inverse) * (used as f64 / fields as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entity(values: &[&str]) -> Vec<String> {
        values.iter().map(|v| v.to_string()).collect()
    }

    fn pair(ft: FeatureType, s: &str, t: &str, w: Option<&Weights>) -> Vec<f64> {
        let (s, t) = (entity(&[s]), entity(&[t]));
        let mut out = Vec::new();
        features(ft, &Rep::new(ft, &s, w), &Rep::new(ft, &t, w), &mut out);
        out
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-6
    }

    #[test]
    fn simple_is_a_case_sensitive_token_cosine() {
        let f = pair(FeatureType::Simple, "KKL_21AA1019CA.PV", "21AA1019CA", None);
        // 4 shared of 6 and 4 tokens.
        assert!(close(f[0], 4.0 / (6.0f64 * 4.0).sqrt()), "{f:?}");
        let lower = pair(FeatureType::Simple, "kkl_21aa1019ca.pv", "21AA1019CA", None);
        assert!(close(lower[0], 2.0 / 24f64.sqrt()), "{lower:?}");
        assert_eq!(
            pair(FeatureType::Simple, "21AA1019CA", "21AA1019CA", None),
            [1.0]
        );
    }

    #[test]
    fn insensitive_folds_case() {
        let f = pair(
            FeatureType::Insensitive,
            "kkl_21aa1019ca.pv",
            "21AA1019CA",
            None,
        );
        assert!(close(f[0], 4.0 / 24f64.sqrt()), "{f:?}");
    }

    #[test]
    fn bigram_adds_token_order() {
        let same = pair(FeatureType::Bigram, "PT 21 1019", "21 PT 1019", None);
        assert_eq!(same[0], 1.0);
        assert_eq!(same[1], 0.0);
        let f = pair(FeatureType::Bigram, "KKL_21PT1019.PV", "21PT1019", None);
        // Bigrams kkl-21 21-pt pt-1019 1019-pv against 21-pt pt-1019.
        assert!(close(f[1], 2.0 / 8f64.sqrt()), "{f:?}");
        assert_eq!(pair(FeatureType::Bigram, "Pump", "PUMP", None), [1.0, 1.0]);
        assert_eq!(pair(FeatureType::Bigram, "Pump", "", None), [0.0, 0.0]);
    }

    #[test]
    fn extra_tokenizers_ignore_leading_zeros_and_separators() {
        let ft = FeatureType::BigramExtraTokenizers;
        assert_eq!(pair(ft, "21PT0042", "21-PT-42", None), [1.0, 1.0, 1.0]);
        assert_eq!(pair(ft, "21pt00042", "21PT0042", None), [1.0, 1.0, 1.0]);
        // A doubled digit spoils the loop number token but only the trigrams that hold it.
        let typo = pair(ft, "60_PI_31190", "60PI3190", None);
        assert!(typo[2] > 0.75 && typo[2] > typo[0], "{typo:?}");
        let joined = pair(ft, "SYS HEARTBEAT", "SYSHEARTBEAT", None);
        assert!(joined[0] > 0.5, "{joined:?}");
        let bigram = pair(FeatureType::Bigram, "21PT0042", "21-PT-42", None);
        assert!(bigram[0] < 1.0 && bigram[1] < 1.0);
    }

    #[test]
    fn frequency_weighting_favours_rare_tokens() {
        let targets: Vec<Vec<String>> = (0..50)
            .map(|i| entity(&[&format!("PUMP {}", 100 + i)]))
            .chain([entity(&["VALVE 100"])])
            .collect();
        let idf = Idf::fit(&targets, 1);
        let w = Weights::new(&idf);
        let ft = FeatureType::FrequencyWeightedBigram;
        // "pump" is in 50 targets, "100" in two: sharing the rare one counts for more.
        let rare = pair(ft, "PUMP 100", "VALVE 100", Some(&w));
        let common = pair(ft, "PUMP 100", "PUMP 101", Some(&w));
        assert!(rare[0] > common[0], "{rare:?} {common:?}");
        let plain = pair(FeatureType::Bigram, "PUMP 100", "VALVE 100", None);
        assert!(close(plain[0], 0.5));
        assert_eq!(pair(ft, "PUMP 100", "pump 100", Some(&w)), [1.0, 1.0]);
        assert!(idf.fields[0].tokens.contains_key("pump"));
        assert!(!idf.fields[0].tokens.contains_key("101"));
    }

    #[test]
    fn combo_has_every_feature_and_fields_line_up() {
        let ft = FeatureType::BigramCombo;
        let s = entity(&["21PT0042", "Pump"]);
        let t = entity(&["21-pt-42", "pump"]);
        let idf = Idf::fit(std::slice::from_ref(&t), 2);
        let w = Weights::new(&idf);
        let mut out = Vec::new();
        features(
            ft,
            &Rep::new(ft, &s, Some(&w)),
            &Rep::new(ft, &t, Some(&w)),
            &mut out,
        );
        assert_eq!(out.len(), 2 * per_field(ft));
        assert_eq!(&out[5..8], [1.0, 1.0, 1.0]);
        assert!(out[0] < 1.0, "raw tokens differ in case and zeros");
        assert_eq!(&out[8..], [0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]);
        assert_eq!(
            unsupervised(FeatureType::Bigram, &[1.0, 1.0], u64::MAX),
            1.0
        );
    }

    #[test]
    fn index_keys_are_per_field() {
        let mut a = Vec::new();
        let mut b = Vec::new();
        index_keys(FeatureType::Simple, &entity(&["x", ""]), &mut a);
        index_keys(FeatureType::Simple, &entity(&["", "x"]), &mut b);
        assert_eq!(a.len(), 1);
        assert_ne!(a, b);
        assert_eq!(
            shown_tokens(FeatureType::BigramCombo, "21-PT-0042"),
            ["21", "pt", "0042", "42"]
        );
    }
}
