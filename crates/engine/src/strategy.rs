//! The four comparison strategies. Values are prepared once per row, then compared per pair.
//!
//! A run prepares every reference value once and then compares it with many documents, so all
//! the parsing, folding and tokenising happens in `prepare`, and `compare` only reads.

use chrono::NaiveDate;

use crate::domain::{
    DateOrderSetting, FieldMapping, FieldNote, FuzzyMeasure, Normalizer, Strategy,
    DEFAULT_SIMILARITY_THRESHOLD, DEFAULT_TOLERANCE_ABSOLUTE, DEFAULT_TOLERANCE_DAYS,
    DEFAULT_TOLERANCE_PERCENT,
};
use crate::normalize::{
    company_name, fold, reference_digit_bound, reference_key, reference_score_bound,
    reference_similarity, skeleton_of_folded, split_tokens, ReferenceKey,
};
use crate::parse::{parse_date_with, parse_number, DateOrder};
use crate::profile::{parse_date_profiled, DateOrderProfile};
use crate::similarity::{
    jaro_winkler, jaro_winkler_at_least, jaro_winkler_bound, levenshtein_similarity,
    levenshtein_similarity_at_least, token_set, weighted_token_set, TextSketch, TokenWeights,
};
use crate::slips;

/// A value made ready for one strategy.
#[derive(Debug, Clone, PartialEq)]
pub enum Prepared {
    /// Empty or whitespace only: the field says nothing either way.
    Missing,
    /// For `exact` and `fuzzy`. Boxed: a run holds one `Prepared` per distinct reference value,
    /// a million at scale, and the text form is large.
    Text(Box<PreparedText>),
    /// For `date_range`.
    Date(NaiveDate),
    /// For `numeric_range`.
    Number(f64),
    /// For exact and fuzzy fields with the `reference` normaliser.
    Ref(Box<ReferenceKey>),
    /// Present but not a date (or number) for a `date_range` (`numeric_range`) field. It scores 0
    /// but, unlike `Missing`, counts as a mismatch: the document said something, just not this.
    Invalid,
    /// Present but not a date for a `date_range` field, with as many digits as a date has: like
    /// `Invalid`, but one typing slip away from a date it still agrees a little (see `slips`).
    Undated(slips::DateDigits),
}

/// A text value folded and split every way `exact` and `fuzzy` look at it.
#[derive(Debug, Clone, PartialEq)]
pub struct PreparedText {
    folded: String,
    /// Sorted and deduplicated, so token-set overlap is a merge.
    tokens: Vec<String>,
    skeleton: String,
    // Levenshtein works on chars; decoding UTF-8 once here keeps it out of the pair loop.
    folded_chars: Box<[char]>,
    skeleton_chars: Box<[char]>,
    /// The tokens as chars, for word-by-word Jaro-Winkler.
    token_chars: Box<[Box<[char]>]>,
}

impl PreparedText {
    pub fn new(raw: &str) -> Self {
        let folded = fold(raw);
        let mut tokens: Vec<String> = split_tokens(&folded).map(str::to_owned).collect();
        tokens.sort_unstable();
        tokens.dedup();
        let skeleton = skeleton_of_folded(&folded);
        PreparedText {
            token_chars: tokens.iter().map(|t| t.chars().collect()).collect(),
            folded_chars: folded.chars().collect(),
            skeleton_chars: skeleton.chars().collect(),
            folded,
            tokens,
            skeleton,
        }
    }
    /// `normalize::fold` of the raw value.
    pub fn folded(&self) -> &str {
        &self.folded
    }
    /// The distinct tokens, sorted.
    pub fn tokens(&self) -> &[String] {
        &self.tokens
    }
    /// `normalize::skeleton` of the raw value.
    pub fn skeleton(&self) -> &str {
        &self.skeleton
    }
    /// The sketch of the folded text (see `similarity::jaro_winkler_bound`).
    pub fn sketch(&self) -> TextSketch {
        TextSketch::of(&self.folded_chars)
    }
}

/// Whether a fuzzy field could score two texts with these sketches at its similarity threshold;
/// `false` only when a cheap bound says it cannot (Jaro-Winkler), so a caller may skip the
/// comparison. True for every other strategy and measure.
pub fn could_agree(spec: &FieldSpec, source: &TextSketch, target: &TextSketch) -> bool {
    match (spec.strategy, spec.measure) {
        (Strategy::Fuzzy, FuzzyMeasure::JaroWinkler) => {
            jaro_winkler_bound(source, target) >= spec.similarity_threshold - 1e-9
        }
        _ => true,
    }
}

// A run keeps one per distinct reference value; keep it two words.
const _: () = assert!(std::mem::size_of::<Prepared>() <= 16);

impl Prepared {
    pub fn is_missing(&self) -> bool {
        matches!(self, Prepared::Missing)
    }
    /// Present but not the kind the strategy reads (`Invalid`, or `Undated`): no block, no date
    /// window, nothing to learn a parameter from.
    pub fn is_invalid(&self) -> bool {
        matches!(self, Prepared::Invalid | Prepared::Undated(_))
    }
    /// Tokens for candidate search (text strategies); empty for dates and numbers.
    pub fn tokens(&self) -> &[String] {
        match self {
            Prepared::Text(t) => t.tokens(),
            _ => &[],
        }
    }
}

pub fn prepare(strategy: Strategy, raw: &str) -> Prepared {
    prepare_with(strategy, raw, None)
}

/// `prepare`, with `date_order` deciding ambiguous numeric dates (see `parse::parse_date_with`).
pub fn prepare_with(strategy: Strategy, raw: &str, date_order: Option<DateOrder>) -> Prepared {
    if raw.trim().is_empty() {
        return Prepared::Missing;
    }
    match strategy {
        Strategy::Exact | Strategy::Fuzzy => {
            let text = PreparedText::new(raw);
            // NFKC can empty what `trim` did not (rare compatibility whitespace).
            if text.folded.is_empty() {
                Prepared::Missing
            } else {
                Prepared::Text(Box::new(text))
            }
        }
        Strategy::DateRange => {
            parse_date_with(raw, date_order).map_or_else(|| undated(raw), Prepared::Date)
        }
        Strategy::NumericRange => parse_number(raw).map_or(Prepared::Invalid, Prepared::Number),
    }
}

/// Score in 0..=1 of two prepared, non-missing values under the mapping's strategy and parameters.
/// Missing or invalid values, and values prepared for another strategy, score 0. Compiles the
/// mapping on every call: runs use [`FieldSpec`] and [`compare_spec`] instead.
pub fn compare(mapping: &FieldMapping, source: &Prepared, target: &Prepared) -> f64 {
    compare_spec(&FieldSpec::new(mapping), source, target, None)
}

/// Completes a fuzzy score from its token part with the two edit-distance parts.
fn fuzzy_from(a: &PreparedText, b: &PreparedText, tokens: f64, threshold: f64) -> f64 {
    let mut best = tokens;
    if let Some(s) = useful_levenshtein(&a.folded_chars, &b.folded_chars, best, threshold) {
        best = best.max(s);
    }
    // Two empty skeletons ("--" and "/") are not evidence of anything.
    if !a.skeleton_chars.is_empty() && !b.skeleton_chars.is_empty() {
        if let Some(s) = useful_levenshtein(&a.skeleton_chars, &b.skeleton_chars, best, threshold) {
            best = best.max(s);
        }
    }
    cut(best, threshold)
}

/// Normalised Levenshtein of `a` and `b`, but only when it beats `best` and reaches `threshold`
/// (`similarity::levenshtein_similarity_at_least` gives up early on hopeless pairs).
fn useful_levenshtein(a: &[char], b: &[char], best: f64, threshold: f64) -> Option<f64> {
    levenshtein_similarity_at_least(a, b, threshold).filter(|&s| s > best)
}

/// 1 on the same day, falling linearly to `1/(t+1)` at `t` days apart, 0 beyond. A date that
/// must be the same day (`t` = 0) identifies (a birth date): one typing slip away it scores 0.5,
/// a weak agreement rather than the full disagreement of another date altogether (two
/// relatives' birthdays), which the model can then weigh. With a tolerance, dates a slip apart
/// are mostly just near each other, which the tolerance already says.
fn date_score(a: NaiveDate, b: NaiveDate, tolerance_days: i64) -> f64 {
    let days = a.signed_duration_since(b).num_days().unsigned_abs();
    let tolerance = tolerance_days.max(0).unsigned_abs();
    if days == 0 {
        1.0
    } else if days <= tolerance {
        1.0 - days as f64 / (tolerance as f64 + 1.0)
    } else if tolerance == 0 && slips::one_slip_apart(a, b) {
        0.5
    } else {
        0.0
    }
}

/// 1 within the percent or absolute tolerance, falling linearly to 0 at twice either.
fn numeric_score(a: f64, b: f64, tolerance_percent: f64, tolerance_absolute: f64) -> f64 {
    let diff = (a - b).abs();
    // `max` also turns a NaN tolerance into 0.
    let tp = (tolerance_percent / 100.0).max(0.0);
    let ta = tolerance_absolute.max(0.0);
    let relative = diff / a.abs().max(b.abs()).max(1e-9);
    if diff <= ta + 1e-9 || relative <= tp + 1e-12 {
        return 1.0;
    }
    let mut score: f64 = 0.0;
    if tp > 0.0 && relative < 2.0 * tp {
        score = score.max(1.0 - (relative - tp) / tp);
    }
    if ta > 0.0 && diff < 2.0 * ta {
        score = score.max(1.0 - (diff - ta) / ta);
    }
    score.clamp(0.0, 1.0)
}

/// The score of a partial-amount match when the mapping does not set one.
pub const DEFAULT_PARTIAL_SCORE: f64 = 0.7;

/// A field mapping compiled for comparison: defaults resolved and amount factors precomputed, so
/// the pair loop reads plain numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldSpec {
    pub strategy: Strategy,
    pub normalizer: Normalizer,
    pub measure: FuzzyMeasure,
    pub similarity_threshold: f64,
    pub term_frequency: bool,
    pub tolerance_percent: f64,
    pub tolerance_absolute: f64,
    /// `(factor, score)`: the document amount is compared with the reference amount times
    /// `factor` (1, 1 + tax rate, share × (1 + tax rate)); a match there scores `score`.
    pub amount_factors: Vec<(f64, f64)>,
    pub tolerance_days: i64,
    /// `(days_before, days_after)` of a one-sided window, when set.
    pub window: Option<(i64, i64)>,
    pub date_order: DateOrderSetting,
}

impl FieldSpec {
    pub fn new(m: &FieldMapping) -> Self {
        let tax: Vec<f64> = std::iter::once(0.0)
            .chain(
                m.tax_rates
                    .iter()
                    .flatten()
                    .copied()
                    .filter(|r| r.is_finite() && *r > 0.0),
            )
            .map(|r| 1.0 + r / 100.0)
            .collect();
        let partial_score = m
            .partial_score
            .unwrap_or(DEFAULT_PARTIAL_SCORE)
            .clamp(0.0, 1.0);
        let mut amount_factors: Vec<(f64, f64)> = tax.iter().map(|t| (*t, 1.0)).collect();
        for share in m.partial_shares.iter().flatten().copied() {
            if share.is_finite() && share > 0.0 && share < 1.0 {
                amount_factors.extend(tax.iter().map(|t| (t * share, partial_score)));
            }
        }
        let window = match (m.days_before, m.days_after) {
            (None, None) => None,
            (b, a) => Some((b.unwrap_or(0).max(0), a.unwrap_or(0).max(0))),
        };
        FieldSpec {
            strategy: m.strategy,
            normalizer: m.normalizer.unwrap_or(Normalizer::Text),
            measure: m.measure.unwrap_or(FuzzyMeasure::Best),
            similarity_threshold: m
                .similarity_threshold
                .unwrap_or(DEFAULT_SIMILARITY_THRESHOLD)
                .clamp(0.0, 1.0),
            term_frequency: m.term_frequency.unwrap_or(false),
            tolerance_percent: m
                .tolerance_percent
                .unwrap_or(DEFAULT_TOLERANCE_PERCENT)
                .max(0.0),
            tolerance_absolute: m
                .tolerance_absolute
                .unwrap_or(DEFAULT_TOLERANCE_ABSOLUTE)
                .max(0.0),
            amount_factors,
            // A grace period beyond a window applies only when asked for.
            tolerance_days: match (window, m.tolerance_days) {
                (Some(_), t) => t.unwrap_or(0).max(0),
                (None, t) => t.unwrap_or(DEFAULT_TOLERANCE_DAYS).max(0),
            },
            window,
            date_order: m.date_order.unwrap_or(DateOrderSetting::Auto),
        }
    }

    /// Whether values are text compared as text (exact/fuzzy), as opposed to references, dates
    /// and amounts.
    pub fn is_text(&self) -> bool {
        matches!(self.strategy, Strategy::Exact | Strategy::Fuzzy)
    }
}

/// Prepares a raw value for a compiled field. `dates` says how this column writes ambiguous
/// dates (used when the field's date order is `auto`).
pub fn prepare_spec(spec: &FieldSpec, raw: &str, dates: &DateOrderProfile) -> Prepared {
    if raw.trim().is_empty() {
        return Prepared::Missing;
    }
    match spec.strategy {
        Strategy::Exact | Strategy::Fuzzy => match spec.normalizer {
            Normalizer::Text => prepare_with(spec.strategy, raw, None),
            Normalizer::CompanyName => {
                let name = company_name(raw);
                if name.is_empty() {
                    prepare_with(spec.strategy, raw, None)
                } else {
                    Prepared::Text(Box::new(PreparedText::new(&name)))
                }
            }
            Normalizer::Reference => {
                let key = reference_key(raw);
                if key.letters.is_empty() && key.digits.is_empty() {
                    Prepared::Missing
                } else {
                    Prepared::Ref(Box::new(key))
                }
            }
        },
        Strategy::DateRange => {
            let parsed = match spec.date_order {
                DateOrderSetting::Auto => parse_date_profiled(raw, dates),
                DateOrderSetting::DayFirst => parse_date_with(raw, Some(DateOrder::DayFirst)),
                DateOrderSetting::MonthFirst => parse_date_with(raw, Some(DateOrder::MonthFirst)),
            };
            parsed.map_or_else(|| undated(raw), Prepared::Date)
        }
        Strategy::NumericRange => parse_number(raw).map_or(Prepared::Invalid, Prepared::Number),
    }
}

/// A `date_range` value that is no date: its digits when it has a date's worth of them.
fn undated(raw: &str) -> Prepared {
    slips::date_digits(raw).map_or(Prepared::Invalid, Prepared::Undated)
}

/// A same-day score of a value that is no date against the other side: the same wrong value
/// typed twice is as telling as the same date, one slip from it (or from a date) a little.
fn undated_score(digits: &slips::DateDigits, other: &Prepared) -> f64 {
    let slip = match other {
        Prepared::Undated(o) if o == digits => return 1.0,
        Prepared::Undated(o) => slips::one_slip(digits.as_slice(), o.as_slice()),
        Prepared::Date(date) => slips::slip_from_date(digits.as_slice(), *date),
        _ => false,
    };
    if slip {
        0.5
    } else {
        0.0
    }
}

/// Score in 0..=1 of a document value (`source`) against a reference value (`target`) under a
/// compiled field. `weights` are the reference column's token weights for term-frequency-aware
/// fuzzy fields. Missing, invalid and mismatched kinds score 0.
pub fn compare_spec(
    spec: &FieldSpec,
    source: &Prepared,
    target: &Prepared,
    weights: Option<&TokenWeights>,
) -> f64 {
    match (spec.strategy, source, target) {
        (Strategy::Exact, Prepared::Text(a), Prepared::Text(b)) => {
            f64::from(u8::from(a.folded == b.folded))
        }
        (Strategy::Exact, Prepared::Ref(a), Prepared::Ref(b)) => {
            if reference_digit_bound(a, b) > 0 {
                return 0.0;
            }
            f64::from(u8::from(reference_similarity(a, b) >= 1.0))
        }
        (Strategy::Fuzzy, Prepared::Ref(a), Prepared::Ref(b)) => {
            // Most pairs a run compares are different references; a bound on their digit edits
            // settles them without the edit-distance table.
            let longest = a.digits.len().max(b.digits.len());
            let t = spec.similarity_threshold;
            if t > 0.0 && reference_score_bound(reference_digit_bound(a, b), longest) < t {
                return 0.0;
            }
            cut(reference_similarity(a, b), t)
        }
        (Strategy::Fuzzy, Prepared::Text(a), Prepared::Text(b)) => fuzzy_text(spec, a, b, weights),
        (Strategy::DateRange, Prepared::Date(doc), Prepared::Date(reference)) => {
            match spec.window {
                Some((before, after)) => {
                    window_score(*doc, *reference, before, after, spec.tolerance_days)
                }
                None => date_score(*doc, *reference, spec.tolerance_days),
            }
        }
        // Only where the date must be the same day: with a tolerance or a window a wrong date
        // says nothing of nearness.
        (Strategy::DateRange, Prepared::Undated(digits), other)
        | (Strategy::DateRange, other, Prepared::Undated(digits))
            if spec.window.is_none() && spec.tolerance_days <= 0 =>
        {
            undated_score(digits, other)
        }
        (Strategy::NumericRange, Prepared::Number(doc), Prepared::Number(reference)) => {
            let mut best: f64 = 0.0;
            for &(factor, weight) in &spec.amount_factors {
                if weight <= best {
                    continue;
                }
                let s = numeric_score(
                    *doc,
                    reference * factor,
                    spec.tolerance_percent,
                    spec.tolerance_absolute,
                );
                best = best.max(s * weight);
                if best >= 1.0 {
                    break;
                }
            }
            best
        }
        _ => 0.0,
    }
}

/// A fuzzy field's score of two texts under its measure; 0 below its similarity threshold.
fn fuzzy_text(
    spec: &FieldSpec,
    a: &PreparedText,
    b: &PreparedText,
    weights: Option<&TokenWeights>,
) -> f64 {
    let weights = weights.filter(|_| spec.term_frequency);
    let t = spec.similarity_threshold;
    match spec.measure {
        FuzzyMeasure::Best => fuzzy_best(a, b, t, weights),
        FuzzyMeasure::TokenSet => cut(token_similarity(a, b, weights), t),
        FuzzyMeasure::JaroWinkler => {
            if a.folded == b.folded {
                1.0
            } else {
                cut(
                    jaro_winkler_at_least(&a.folded_chars, &b.folded_chars, t),
                    t,
                )
            }
        }
        FuzzyMeasure::Levenshtein => {
            cut(levenshtein_similarity(&a.folded_chars, &b.folded_chars), t)
        }
        FuzzyMeasure::TokenJaroWinkler => {
            if a.folded == b.folded {
                1.0
            } else {
                cut(token_jaro_winkler(a, b, weights), t)
            }
        }
    }
}

/// The note on an amount or date pair for the evidence panel (see [`FieldNote`]); `None` for other
/// strategies or when a side is not an amount or date.
pub fn explain_spec(
    spec: &FieldSpec,
    mapping: &FieldMapping,
    doc: &Prepared,
    target: &Prepared,
) -> Option<FieldNote> {
    match (spec.strategy, doc, target) {
        (Strategy::NumericRange, Prepared::Number(x), Prepared::Number(y)) => {
            let rates = std::iter::once(0.0).chain(
                mapping
                    .tax_rates
                    .iter()
                    .flatten()
                    .copied()
                    .filter(|r| r.is_finite() && *r > 0.0),
            );
            let shares: Vec<f64> = std::iter::once(1.0)
                .chain(
                    mapping
                        .partial_shares
                        .iter()
                        .flatten()
                        .copied()
                        .filter(|s| s.is_finite() && *s > 0.0 && *s < 1.0),
                )
                .collect();
            // The reading that brings the amounts closest; on a tie the plainer one (no tax, whole).
            let (rate, share, expected) = rates
                .flat_map(|r| {
                    shares
                        .iter()
                        .map(move |&s| (r, s, y * (1.0 + r / 100.0) * s))
                })
                .fold(None::<(f64, f64, f64)>, |best, c| match best {
                    Some(b) if (x - b.2).abs() <= (x - c.2).abs() + 1e-9 => Some(b),
                    _ => Some(c),
                })?;
            let difference = x - expected;
            Some(FieldNote::Amount {
                difference_percent: if expected == 0.0 {
                    0.0
                } else {
                    difference / expected.abs() * 100.0
                },
                difference,
                tax_rate: (rate > 0.0).then_some(rate),
                share: (share < 1.0).then_some(share),
                tolerance_percent: spec.tolerance_percent,
                tolerance_absolute: spec.tolerance_absolute,
            })
        }
        (Strategy::DateRange, Prepared::Date(d), Prepared::Date(r)) => Some(FieldNote::Days {
            days: (*d - *r).num_days(),
            window: spec.window,
            tolerance_days: spec.tolerance_days,
        }),
        _ => None,
    }
}

/// A note's own numbers, rounded, without what the config says (tolerances, window): what a
/// stored result keeps of it. Amounts: `[difference %, difference, tax rate or 0, share or 1]`;
/// dates: `[days]`.
pub fn note_numbers(note: &FieldNote) -> Vec<f64> {
    let round = |x: f64, places: i32| {
        let f = 10f64.powi(places);
        (x * f).round() / f
    };
    match note {
        FieldNote::Amount {
            difference_percent,
            difference,
            tax_rate,
            share,
            ..
        } => vec![
            round(*difference_percent, 3),
            round(*difference, 4),
            tax_rate.unwrap_or(0.0),
            share.unwrap_or(1.0),
        ],
        FieldNote::Days { days, .. } => vec![*days as f64],
    }
}

/// The note [`note_numbers`] kept, completed from the field's mapping; `None` when the numbers do
/// not fit the mapping's strategy.
pub fn note_from_numbers(numbers: &[f64], mapping: &FieldMapping) -> Option<FieldNote> {
    let spec = FieldSpec::new(mapping);
    match (spec.strategy, numbers) {
        (Strategy::NumericRange, &[difference_percent, difference, tax, share]) => {
            Some(FieldNote::Amount {
                difference_percent,
                difference,
                tax_rate: (tax > 0.0).then_some(tax),
                share: (share < 1.0).then_some(share),
                tolerance_percent: spec.tolerance_percent,
                tolerance_absolute: spec.tolerance_absolute,
            })
        }
        (Strategy::DateRange, &[days]) => Some(FieldNote::Days {
            days: days as i64,
            window: spec.window,
            tolerance_days: spec.tolerance_days,
        }),
        _ => None,
    }
}

fn cut(score: f64, threshold: f64) -> f64 {
    let score = score.clamp(0.0, 1.0);
    if score < threshold {
        0.0
    } else {
        score
    }
}

fn token_similarity(a: &PreparedText, b: &PreparedText, weights: Option<&TokenWeights>) -> f64 {
    match weights {
        Some(w) => weighted_token_set(&a.tokens, &b.tokens, |t| w.idf(t)),
        None => token_set(&a.tokens, &b.tokens),
    }
}

/// The best of token overlap (weighted by rarity when `weights` are given), Levenshtein of the
/// folded strings and of the skeletons; 0 below `threshold`.
fn fuzzy_best(
    a: &PreparedText,
    b: &PreparedText,
    threshold: f64,
    weights: Option<&TokenWeights>,
) -> f64 {
    if a.folded == b.folded {
        return 1.0;
    }
    fuzzy_from(a, b, token_similarity(a, b, weights), threshold)
}

/// Monge-Elkan with Jaro-Winkler: every token's best Jaro-Winkler match on the other side,
/// averaged (weighted by rarity when `weights` are given), the mean of both directions so that
/// neither side's extra words are ignored.
fn token_jaro_winkler(a: &PreparedText, b: &PreparedText, weights: Option<&TokenWeights>) -> f64 {
    if a.token_chars.is_empty() || b.token_chars.is_empty() {
        return 0.0;
    }
    let one_way = |x: &PreparedText, y: &PreparedText| {
        let (mut sum, mut total) = (0.0, 0.0);
        for (token, chars) in x.tokens.iter().zip(x.token_chars.iter()) {
            let w = weights.map_or(1.0, |w| w.idf(token));
            let best = y
                .token_chars
                .iter()
                .map(|u| jaro_winkler(chars, u))
                .fold(0.0, f64::max);
            sum += w * best;
            total += w;
        }
        if total > 0.0 {
            sum / total
        } else {
            0.0
        }
    };
    (one_way(a, b) + one_way(b, a)) / 2.0
}

/// A one-sided window: the document date may lie `before` days before to `after` days after the
/// reference date and scores 1 there; beyond it the score falls linearly over `grace` days.
fn window_score(doc: NaiveDate, reference: NaiveDate, before: i64, after: i64, grace: i64) -> f64 {
    let delta = doc.signed_duration_since(reference).num_days();
    let outside = if delta < -before {
        -before - delta
    } else if delta > after {
        delta - after
    } else {
        return 1.0;
    };
    if outside <= grace {
        1.0 - outside as f64 / (grace as f64 + 1.0)
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_date_one_typing_slip_away_is_a_weak_agreement() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        // Same day, and the linear fall inside the tolerance, as before.
        assert_eq!(date_score(d(1980, 4, 17), d(1980, 4, 17), 0), 1.0);
        assert!((date_score(d(1980, 4, 17), d(1980, 4, 18), 3) - 0.75).abs() < 1e-12);
        // Slips: one digit (1937-01-27 / 1937-01-17), adjacent digits swapped (1943 / 1934),
        // day and month swapped.
        assert_eq!(date_score(d(1937, 1, 27), d(1937, 1, 17), 0), 0.5);
        assert_eq!(date_score(d(1943, 4, 17), d(1934, 4, 17), 0), 0.5);
        assert_eq!(date_score(d(1964, 7, 9), d(1964, 9, 7), 0), 0.5);
        // With a tolerance, beyond it is a disagreement, slip or not.
        assert_eq!(date_score(d(1937, 1, 27), d(1937, 1, 17), 3), 0.0);
        // Another date altogether, or two slips: a disagreement.
        assert_eq!(date_score(d(1965, 9, 8), d(1928, 11, 1), 0), 0.0);
        assert_eq!(date_score(d(1937, 1, 27), d(1938, 1, 17), 0), 0.0);
        assert_eq!(date_score(d(1943, 4, 17), d(1934, 4, 18), 0), 0.0);
        // Digits swapped that are not adjacent are two slips.
        assert_eq!(date_score(d(1980, 1, 23), d(1980, 3, 21), 0), 0.0);
    }
    use super::*;
    use crate::similarity::levenshtein_distance;

    fn mapping(strategy: Strategy) -> FieldMapping {
        FieldMapping::new("doc", "ref", strategy, 1.0)
    }

    fn score_with(m: &FieldMapping, a: &str, b: &str) -> f64 {
        compare(m, &prepare(m.strategy, a), &prepare(m.strategy, b))
    }

    fn score(strategy: Strategy, a: &str, b: &str) -> f64 {
        score_with(&mapping(strategy), a, b)
    }

    fn close(actual: f64, expected: f64) -> bool {
        (actual - expected).abs() < 1e-9
    }

    macro_rules! assert_close {
        ($actual:expr, $expected:expr) => {{
            let (a, e) = ($actual, $expected);
            assert!(close(a, e), "expected {e}, got {a}");
        }};
    }

    const ALL: [Strategy; 4] = [
        Strategy::Exact,
        Strategy::Fuzzy,
        Strategy::DateRange,
        Strategy::NumericRange,
    ];

    #[test]
    fn blank_values_are_missing_for_every_strategy() {
        for strategy in ALL {
            for raw in ["", " ", "\t\n", "\u{00A0}", "\u{3000}"] {
                let p = prepare(strategy, raw);
                assert_eq!(p, Prepared::Missing, "{strategy:?} {raw:?}");
                assert!(p.is_missing());
            }
        }
    }

    #[test]
    fn unparseable_values_are_invalid_not_missing() {
        let date = prepare(Strategy::DateRange, "next Tuesday");
        assert_eq!(date, Prepared::Invalid);
        assert!(!date.is_missing());
        let number = prepare(Strategy::NumericRange, "12 apples");
        assert_eq!(number, Prepared::Invalid);
        assert!(!number.is_missing());
    }

    #[test]
    fn prepare_parses_for_the_strategy() {
        assert_eq!(
            prepare(Strategy::DateRange, "31.12.2024"),
            Prepared::Date(NaiveDate::from_ymd_opt(2024, 12, 31).unwrap())
        );
        assert_eq!(
            prepare(Strategy::NumericRange, "1.234,56"),
            Prepared::Number(1234.56)
        );
        let Prepared::Text(t) = prepare(Strategy::Fuzzy, "  PO-2024 / Acme ") else {
            panic!("expected text");
        };
        assert_eq!(t.folded(), "po-2024 / acme");
        assert_eq!(t.skeleton(), "po2024acme");
    }

    #[test]
    fn prepare_with_date_order() {
        let day_first = prepare_with(Strategy::DateRange, "03/04/2024", Some(DateOrder::DayFirst));
        assert_eq!(
            day_first,
            Prepared::Date(NaiveDate::from_ymd_opt(2024, 4, 3).unwrap())
        );
        assert_eq!(
            prepare(Strategy::DateRange, "03/04/2024"),
            Prepared::Date(NaiveDate::from_ymd_opt(2024, 3, 4).unwrap())
        );
    }

    #[test]
    fn tokens_are_sorted_distinct_and_only_for_text() {
        let p = prepare(Strategy::Fuzzy, "Beta alpha BETA 12");
        assert_eq!(p.tokens(), ["12", "alpha", "beta"]);
        assert_eq!(prepare(Strategy::Exact, "b-a").tokens(), ["a", "b"]);
        assert!(prepare(Strategy::DateRange, "2024-12-31")
            .tokens()
            .is_empty());
        assert!(prepare(Strategy::NumericRange, "12").tokens().is_empty());
        assert!(Prepared::Missing.tokens().is_empty());
    }

    #[test]
    fn missing_invalid_and_mismatched_values_score_zero() {
        for strategy in ALL {
            let m = mapping(strategy);
            let good = prepare(strategy, "2024-12-31");
            assert_eq!(compare(&m, &Prepared::Missing, &good), 0.0);
            assert_eq!(compare(&m, &good, &Prepared::Missing), 0.0);
            assert_eq!(compare(&m, &Prepared::Invalid, &Prepared::Invalid), 0.0);
            assert_eq!(compare(&m, &Prepared::Missing, &Prepared::Missing), 0.0);
        }
        // Values prepared for another strategy do not compare.
        let text = prepare(Strategy::Exact, "12");
        let number = prepare(Strategy::NumericRange, "12");
        assert_eq!(compare(&mapping(Strategy::Exact), &text, &number), 0.0);
        assert_eq!(
            compare(&mapping(Strategy::NumericRange), &text, &number),
            0.0
        );
    }

    #[test]
    fn exact_ignores_case_and_surrounding_whitespace() {
        assert_eq!(score(Strategy::Exact, "  ACME GmbH ", "acme gmbh"), 1.0);
        assert_eq!(score(Strategy::Exact, "Müller", "MÜLLER"), 1.0);
        assert_eq!(score(Strategy::Exact, "ＩＮＶ１２３", "inv123"), 1.0);
        assert_eq!(score(Strategy::Exact, "INV-123", "INV-123"), 1.0);
    }

    #[test]
    fn exact_is_strict_otherwise() {
        assert_eq!(score(Strategy::Exact, "INV-123", "INV-124"), 0.0);
        assert_eq!(score(Strategy::Exact, "INV-123", "INV123"), 0.0);
        assert_eq!(score(Strategy::Exact, "Acme  GmbH", "Acme GmbH"), 0.0);
        assert_eq!(score(Strategy::Exact, "Muller", "Müller"), 0.0);
    }

    #[test]
    fn fuzzy_identical_after_folding() {
        assert_eq!(score(Strategy::Fuzzy, "Acme GmbH", " ACME gmbh"), 1.0);
        assert_eq!(score(Strategy::Fuzzy, "---", "---"), 1.0);
    }

    #[test]
    fn fuzzy_reordered_tokens_score_one() {
        assert_eq!(score(Strategy::Fuzzy, "GmbH Acme", "Acme GmbH"), 1.0);
        assert_eq!(score(Strategy::Fuzzy, "Acme, GmbH", "GmbH / Acme"), 1.0);
    }

    #[test]
    fn fuzzy_typo_uses_edit_distance() {
        // Two edits in sixteen characters.
        assert_close!(
            score(Strategy::Fuzzy, "Acme Corporation", "Acme Corporatoin"),
            0.875
        );
        assert_close!(
            score(Strategy::Fuzzy, "Acme Corporation", "Acme Corporatoin"),
            strsim::normalized_levenshtein("acme corporation", "acme corporatoin")
        );
    }

    #[test]
    fn fuzzy_skeleton_ignores_punctuation() {
        // Tokens differ ("2024000123" vs "2024", "000123") and the folded strings are two
        // characters apart, but the skeletons are equal.
        assert_eq!(
            score(Strategy::Fuzzy, "PO2024000123", "PO-2024-000123"),
            1.0
        );
        assert_eq!(
            score(Strategy::Fuzzy, "PO-2024/000123", "po 2024 000123"),
            1.0
        );
    }

    #[test]
    fn fuzzy_takes_the_best_of_the_three() {
        // Jaccard 3/4 beats both edit distances.
        let a = "alpha beta gamma";
        let b = "gamma beta alpha delta";
        let m = FieldMapping {
            similarity_threshold: Some(0.0),
            ..mapping(Strategy::Fuzzy)
        };
        let expected =
            0.75_f64
                .max(strsim::normalized_levenshtein(a, b))
                .max(strsim::normalized_levenshtein(
                    "alphabetagamma",
                    "gammabetaalphadelta",
                ));
        assert_close!(score_with(&m, a, b), expected);
        assert_close!(score_with(&m, a, b), 0.75);
    }

    #[test]
    fn fuzzy_threshold_boundary() {
        let (a, b) = ("Acme Corporation", "Acme Corporatoin"); // 0.875
        let at = FieldMapping {
            similarity_threshold: Some(0.875),
            ..mapping(Strategy::Fuzzy)
        };
        assert_close!(score_with(&at, a, b), 0.875);
        let above = FieldMapping {
            similarity_threshold: Some(0.876),
            ..mapping(Strategy::Fuzzy)
        };
        assert_eq!(score_with(&above, a, b), 0.0);
    }

    #[test]
    fn fuzzy_below_default_threshold_is_zero() {
        assert_eq!(score(Strategy::Fuzzy, "Acme GmbH", "Zenith Ltd"), 0.0);
        // One edit in four characters (0.75), no shared token: under 0.8.
        assert_eq!(score(Strategy::Fuzzy, "abcd", "abce"), 0.0);
        let low = FieldMapping {
            similarity_threshold: Some(0.7),
            ..mapping(Strategy::Fuzzy)
        };
        assert_close!(score_with(&low, "abcd", "abce"), 0.75);
    }

    #[test]
    fn fuzzy_zero_threshold_returns_raw_similarity() {
        let m = FieldMapping {
            similarity_threshold: Some(0.0),
            ..mapping(Strategy::Fuzzy)
        };
        assert_close!(score_with(&m, "abcd", "abxy"), 0.5);
        assert_eq!(score_with(&m, "abc", "xyz"), 0.0);
        // Punctuation only: no tokens and empty skeletons must not count as a match.
        assert_eq!(score_with(&m, "---", "..."), 0.0);
    }

    #[test]
    fn fuzzy_handles_unicode() {
        assert_close!(score(Strategy::Fuzzy, "Müller GmbH", "Mueller GmbH"), {
            // "müller gmbh" vs "mueller gmbh": one substitution plus one insertion in twelve.
            1.0 - 2.0 / 12.0
        });
        assert_eq!(score(Strategy::Fuzzy, "株式会社東京", "株式会社 東京"), 1.0);
    }

    #[test]
    fn own_levenshtein_matches_strsim() {
        let long_a = "x".repeat(70) + "abc" + &"y".repeat(30);
        let long_b = "z".repeat(68) + "abd" + &"y".repeat(31);
        let pairs = [
            ("kitten", "sitting"),
            ("", "abc"),
            ("abc", ""),
            ("flaw", "lawn"),
            ("acme corporation", "acme corporatoin"),
            ("müller", "mueller"),
            ("ab", "ba"),
            ("abcdef", "azcdxf"),
            ("saturday", "sunday"),
            ("a", "a"),
            ("東京都", "京都"),
            (long_a.as_str(), long_b.as_str()),
            (long_a.as_str(), "abc"),
        ];
        for (a, b) in pairs {
            let ca: Vec<char> = a.chars().collect();
            let cb: Vec<char> = b.chars().collect();
            assert_eq!(
                levenshtein_distance(&ca, &cb),
                strsim::levenshtein(a, b),
                "{a:?} {b:?}"
            );
            let useful = useful_levenshtein(&ca, &cb, -1.0, f64::NEG_INFINITY);
            assert_close!(useful.unwrap(), strsim::normalized_levenshtein(a, b));
        }
    }

    /// The brief's definition, spelled out with strsim and no shortcuts.
    fn reference_fuzzy(a: &str, b: &str, threshold: f64) -> f64 {
        let (fa, fb) = (fold(a), fold(b));
        let set = |s: &str| -> std::collections::BTreeSet<String> {
            split_tokens(s).map(str::to_owned).collect()
        };
        let (ta, tb) = (set(&fa), set(&fb));
        let union = ta.union(&tb).count();
        let jaccard = if union == 0 {
            0.0
        } else {
            ta.intersection(&tb).count() as f64 / union as f64
        };
        let (sa, sb) = (skeleton_of_folded(&fa), skeleton_of_folded(&fb));
        let skeleton = if sa.is_empty() || sb.is_empty() {
            0.0
        } else {
            strsim::normalized_levenshtein(&sa, &sb)
        };
        let score = jaccard
            .max(strsim::normalized_levenshtein(&fa, &fb))
            .max(skeleton)
            .clamp(0.0, 1.0);
        if score < threshold {
            0.0
        } else {
            score
        }
    }

    #[test]
    fn fuzzy_shortcuts_never_change_the_score() {
        let values = [
            "Acme Corporation",
            "Acme Corporatoin",
            "ACME Corp.",
            "Corporation Acme",
            "PO-2024/000123",
            "PO2024000124",
            "po 2024 000123",
            "Müller & Söhne GmbH",
            "Mueller und Soehne GmbH",
            "abcd",
            "abce",
            "x",
            "---",
            "Zenith Ltd",
            "株式会社東京",
        ];
        for threshold in [0.0, 0.5, 0.8, 0.875, 0.95, 1.0] {
            let m = FieldMapping {
                similarity_threshold: Some(threshold),
                ..mapping(Strategy::Fuzzy)
            };
            for a in values {
                for b in values {
                    let expected = reference_fuzzy(a, b, threshold);
                    let actual = score_with(&m, a, b);
                    assert!(
                        close(actual, expected),
                        "{a:?} vs {b:?} at {threshold}: {actual} != {expected}"
                    );
                }
            }
        }
    }

    #[test]
    fn scores_stay_within_zero_and_one() {
        let values = crate::parse::tests::noise(300);
        let mappings = [
            mapping(Strategy::Exact),
            FieldMapping {
                similarity_threshold: Some(0.0),
                ..mapping(Strategy::Fuzzy)
            },
            date_mapping(Some(400)),
            numeric_mapping(Some(50.0), Some(5.0)),
        ];
        for m in &mappings {
            let prepared: Vec<Prepared> = values.iter().map(|v| prepare(m.strategy, v)).collect();
            for a in &prepared {
                for b in &prepared {
                    let s = compare(m, a, b);
                    assert!((0.0..=1.0).contains(&s), "{a:?} {b:?}: {s}");
                }
            }
        }
    }

    #[test]
    fn levenshtein_gives_up_only_when_hopeless() {
        let a: Vec<char> = "abcdefghij".chars().collect();
        let b: Vec<char> = "abcdefghzz".chars().collect();
        // 0.8 exactly: reaches a 0.8 threshold, does not beat a 0.8 best.
        assert_close!(useful_levenshtein(&a, &b, 0.0, 0.8).unwrap(), 0.8);
        assert_eq!(useful_levenshtein(&a, &b, 0.8, 0.0), None);
        assert_eq!(useful_levenshtein(&a, &b, 0.0, 0.81), None);
        let c: Vec<char> = "zzzzzzzzzz".chars().collect();
        assert_eq!(useful_levenshtein(&a, &c, 0.0, 0.7), None);
    }

    fn date_mapping(tolerance_days: Option<i64>) -> FieldMapping {
        FieldMapping {
            tolerance_days,
            ..mapping(Strategy::DateRange)
        }
    }

    #[test]
    fn date_range_same_day_in_any_format() {
        assert_eq!(score(Strategy::DateRange, "2024-12-31", "2024-12-31"), 1.0);
        assert_eq!(score(Strategy::DateRange, "31.12.2024", "2024-12-31"), 1.0);
        assert_eq!(
            score(Strategy::DateRange, "Dec 31, 2024", "12/31/2024"),
            1.0
        );
    }

    #[test]
    fn date_range_within_default_tolerance() {
        // Seven days by default: 1 - d/8.
        assert_close!(
            score(Strategy::DateRange, "2024-12-31", "2025-01-01"),
            0.875
        );
        assert_close!(
            score(Strategy::DateRange, "2025-01-01", "2024-12-31"),
            0.875
        );
        assert_close!(score(Strategy::DateRange, "2024-12-01", "2024-12-05"), 0.5);
        // At the edge.
        assert_close!(
            score(Strategy::DateRange, "2024-12-01", "2024-12-08"),
            0.125
        );
        // Beyond.
        assert_eq!(score(Strategy::DateRange, "2024-12-01", "2024-12-09"), 0.0);
        assert_eq!(score(Strategy::DateRange, "2023-12-01", "2024-12-01"), 0.0);
    }

    #[test]
    fn date_range_custom_tolerance() {
        let m = date_mapping(Some(3));
        assert_close!(score_with(&m, "2024-03-01", "2024-03-02"), 0.75);
        assert_close!(score_with(&m, "2024-03-01", "2024-03-04"), 0.25);
        assert_eq!(score_with(&m, "2024-03-01", "2024-03-05"), 0.0);
        // Leap day counted.
        assert_close!(score_with(&m, "2024-02-28", "2024-03-01"), 0.5);
    }

    #[test]
    fn date_range_zero_and_negative_tolerance() {
        for t in [0, -5] {
            let m = date_mapping(Some(t));
            assert_eq!(score_with(&m, "2024-03-01", "01.03.2024"), 1.0);
            // A day apart is one digit apart: a slip.
            assert_eq!(score_with(&m, "2024-03-01", "2024-03-02"), 0.5);
            assert_eq!(score_with(&m, "2024-03-01", "2024-03-22"), 0.0);
        }
    }

    #[test]
    fn date_range_huge_tolerance_does_not_overflow() {
        let m = date_mapping(Some(i64::MAX));
        let s = score_with(&m, "1900-01-01", "2100-01-01");
        assert!(s > 0.99 && s < 1.0, "{s}");
    }

    #[test]
    fn date_range_unparseable_scores_zero_unless_a_slip_from_the_same_day() {
        assert_eq!(score(Strategy::DateRange, "2024-12-31", "soon"), 0.0);
        // A date that must be the same day (a birth date): a value that is no date but one slip
        // from it agrees a little, and the same wrong value on both sides agrees.
        let same_day = date_mapping(Some(0));
        assert_eq!(score_with(&same_day, "19630278", "1963-07-28"), 0.5);
        assert_eq!(score_with(&same_day, "1963-07-28", "19630278"), 0.5);
        assert_eq!(score_with(&same_day, "31.02.2024", "31.02.2024"), 1.0);
        assert_eq!(score_with(&same_day, "31.02.2024", "31.02.2042"), 0.5);
        assert_eq!(score_with(&same_day, "19630278", "1936-07-28"), 0.0);
        // Near in days (a tolerance) or a window (an invoice after its order): a wrong date says
        // nothing of nearness.
        let window = FieldMapping {
            days_before: Some(0),
            days_after: Some(45),
            ..same_day.clone()
        };
        for m in [window, date_mapping(Some(3))] {
            assert_eq!(score_with(&m, "19630278", "1963-07-28"), 0.0);
            assert_eq!(score_with(&m, "31.02.2024", "31.02.2024"), 0.0);
        }
    }

    fn numeric_mapping(percent: Option<f64>, absolute: Option<f64>) -> FieldMapping {
        FieldMapping {
            tolerance_percent: percent,
            tolerance_absolute: absolute,
            ..mapping(Strategy::NumericRange)
        }
    }

    #[test]
    fn numeric_equal_in_mixed_formats() {
        assert_eq!(score(Strategy::NumericRange, "1.234,56", "1234.56"), 1.0);
        assert_eq!(
            score(Strategy::NumericRange, "EUR 1,234.56", "1 234,56 €"),
            1.0
        );
        assert_eq!(score(Strategy::NumericRange, "(12.00)", "-12"), 1.0);
        assert_eq!(score(Strategy::NumericRange, "0", "0.00"), 1.0);
    }

    #[test]
    fn numeric_within_default_percent() {
        // 1 % of the larger value by default.
        assert_eq!(score(Strategy::NumericRange, "100", "100.5"), 1.0);
        assert_eq!(score(Strategy::NumericRange, "100", "101"), 1.0);
        assert_eq!(score(Strategy::NumericRange, "99", "100"), 1.0);
        let r: f64 = 1.5 / 101.5;
        assert_close!(
            score(Strategy::NumericRange, "100", "101.5"),
            1.0 - (r - 0.01) / 0.01
        );
        assert_eq!(score(Strategy::NumericRange, "100", "103"), 0.0);
        assert_eq!(score(Strategy::NumericRange, "-100", "100"), 0.0);
    }

    #[test]
    fn numeric_percent_falloff() {
        let m = numeric_mapping(Some(10.0), None);
        assert_eq!(score_with(&m, "100", "90"), 1.0);
        // Midpoint between the tolerance and twice it.
        assert_close!(score_with(&m, "100", "85"), 0.5);
        assert_close!(score_with(&m, "100", "82"), 0.2);
        assert_eq!(score_with(&m, "100", "80"), 0.0);
        assert_eq!(score_with(&m, "100", "79"), 0.0);
    }

    #[test]
    fn numeric_absolute_tolerance() {
        let m = numeric_mapping(Some(0.0), Some(10.0));
        assert_eq!(score_with(&m, "100", "110"), 1.0);
        assert_eq!(score_with(&m, "100", "90"), 1.0);
        assert_close!(score_with(&m, "100", "115"), 0.5);
        assert_close!(score_with(&m, "100", "119"), 0.1);
        assert_eq!(score_with(&m, "100", "120"), 0.0);
        assert_eq!(score_with(&m, "100", "130"), 0.0);
    }

    #[test]
    fn numeric_absolute_helps_near_zero() {
        // Relative difference of 0 vs 0.5 is 100 %.
        assert_eq!(score(Strategy::NumericRange, "0", "0.5"), 0.0);
        let m = numeric_mapping(None, Some(1.0));
        assert_eq!(score_with(&m, "0", "0.5"), 1.0);
    }

    #[test]
    fn numeric_takes_the_better_part() {
        let m = numeric_mapping(Some(10.0), Some(10.0));
        let relative: f64 = 15.0 / 115.0;
        let expected = (1.0 - (relative - 0.1) / 0.1).max(0.5);
        assert_close!(score_with(&m, "100", "115"), expected);
        assert!(expected > 0.5);
    }

    #[test]
    fn numeric_zero_tolerance_needs_equality() {
        let m = numeric_mapping(Some(0.0), Some(0.0));
        assert_eq!(score_with(&m, "100", "100.00"), 1.0);
        assert_eq!(score_with(&m, "100", "100.01"), 0.0);
        assert_eq!(score_with(&m, "0.1", "0.10"), 1.0);
    }

    #[test]
    fn numeric_negative_or_nan_tolerance_is_zero() {
        let m = numeric_mapping(Some(-5.0), Some(f64::NAN));
        assert_eq!(score_with(&m, "100", "100"), 1.0);
        assert_eq!(score_with(&m, "100", "100.5"), 0.0);
    }

    #[test]
    fn numeric_unparseable_scores_zero() {
        assert_eq!(score(Strategy::NumericRange, "12", "twelve"), 0.0);
    }

    #[test]
    fn numeric_extremes_stay_in_range() {
        let s = score(Strategy::NumericRange, "1e308", "-1e308");
        assert_eq!(s, 0.0);
        let m = numeric_mapping(Some(f64::INFINITY), None);
        assert_eq!(score_with(&m, "1", "1000000"), 1.0);
    }

    // ---- parameters, through the compiled path runs use (FieldSpec + prepare_spec) ----------

    /// Scores `doc` against `reference` the way a run does: compiled once, prepared per value.
    fn spec_score(m: &FieldMapping, doc: &str, reference: &str) -> f64 {
        spec_score_weighted(m, doc, reference, None)
    }

    fn spec_score_weighted(
        m: &FieldMapping,
        doc: &str,
        reference: &str,
        weights: Option<&TokenWeights>,
    ) -> f64 {
        let spec = FieldSpec::new(m);
        let dates = DateOrderProfile::default();
        compare_spec(
            &spec,
            &prepare_spec(&spec, doc, &dates),
            &prepare_spec(&spec, reference, &dates),
            weights,
        )
    }

    fn with_normalizer(strategy: Strategy, normalizer: Normalizer) -> FieldMapping {
        FieldMapping {
            normalizer: Some(normalizer),
            ..mapping(strategy)
        }
    }

    fn with_measure(measure: FuzzyMeasure, threshold: f64) -> FieldMapping {
        FieldMapping {
            measure: Some(measure),
            similarity_threshold: Some(threshold),
            ..mapping(Strategy::Fuzzy)
        }
    }

    #[test]
    fn company_name_normalizer_ignores_legal_forms() {
        let m = with_normalizer(Strategy::Exact, Normalizer::CompanyName);
        assert_eq!(spec_score(&m, "ACME Corp.", "Acme Corporation"), 1.0);
        assert_eq!(spec_score(&m, "The Acme Corp.", "acme"), 1.0);
        assert_eq!(spec_score(&m, "Acme Corp.", "Apex Corporation"), 0.0);
        // The plain text normaliser keeps the legal form, so the same pair differs.
        let plain = mapping(Strategy::Exact);
        assert_eq!(spec_score(&plain, "ACME Corp.", "Acme Corporation"), 0.0);
    }

    #[test]
    fn reference_normalizer_compares_letter_and_digit_skeletons() {
        let exact = with_normalizer(Strategy::Exact, Normalizer::Reference);
        assert_eq!(spec_score(&exact, "PO 2024/123", "PO-2024-000123"), 1.0);
        assert_eq!(spec_score(&exact, "po2024000123", "PO-2024-000123"), 1.0);
        assert_eq!(spec_score(&exact, "PO 2024/124", "PO-2024-000123"), 0.0);
        assert_eq!(
            spec_score(&mapping(Strategy::Exact), "PO 2024/123", "PO-2024-000123"),
            0.0
        );
        let fuzzy = with_normalizer(Strategy::Fuzzy, Normalizer::Reference);
        assert_eq!(spec_score(&fuzzy, "PO 2024/123", "PO-2024-000123"), 1.0);
        // One digit typed wrong: close, but not the same reference.
        let typo = spec_score(&fuzzy, "PO-2024-000128", "PO-2024-000123");
        assert!(typo > 0.8 && typo < 1.0, "{typo}");
        // A different series of digits altogether is no match.
        assert_eq!(spec_score(&fuzzy, "PO-1999-555555", "PO-2024-000123"), 0.0);
    }

    #[test]
    fn jaro_winkler_measure_is_jaro_winkler_of_the_folded_text() {
        let m = with_measure(FuzzyMeasure::JaroWinkler, 0.0);
        let chars = |s: &str| s.chars().collect::<Vec<char>>();
        let s = spec_score(&m, "MARTHA", "marhta");
        // The textbook value of the pair.
        assert!((s - 0.9611).abs() < 1e-3, "{s}");
        assert_close!(s, jaro_winkler(&chars("martha"), &chars("marhta")));
        // A shared prefix lifts Jaro-Winkler above plain Levenshtein for the same pair.
        let lev = spec_score(
            &with_measure(FuzzyMeasure::Levenshtein, 0.0),
            "MARTHA",
            "marhta",
        );
        assert!(s > lev, "{s} vs {lev}");
        // The threshold still cuts.
        assert_eq!(
            spec_score(
                &with_measure(FuzzyMeasure::JaroWinkler, 0.97),
                "MARTHA",
                "marhta"
            ),
            0.0
        );
    }

    #[test]
    fn levenshtein_measure_is_edit_distance_only() {
        let m = with_measure(FuzzyMeasure::Levenshtein, 0.0);
        assert_close!(
            spec_score(&m, "Acme Corporation", "Acme Corporatoin"),
            0.875
        );
        // Reordered words are many edits apart, though `best` (token set) calls them equal.
        let reordered = spec_score(&m, "Global Acme", "Acme Global");
        assert!(reordered < 0.5, "{reordered}");
        assert_eq!(
            spec_score(
                &with_measure(FuzzyMeasure::Best, 0.0),
                "Global Acme",
                "Acme Global"
            ),
            1.0
        );
    }

    #[test]
    fn token_set_measure_ignores_order_but_not_typos() {
        let m = with_measure(FuzzyMeasure::TokenSet, 0.0);
        assert_eq!(spec_score(&m, "Global Acme", "acme global"), 1.0);
        assert_close!(
            spec_score(&m, "alpha beta gamma", "gamma beta alpha delta"),
            0.75
        );
        // One typo makes a whole token differ: 1 shared of 3 distinct.
        assert_close!(
            spec_score(&m, "Acme Corporation", "Acme Corporatoin"),
            1.0 / 3.0
        );
    }

    #[test]
    fn token_jaro_winkler_keeps_different_second_words_apart() {
        let (a, b) = ("Northwind Logistics", "Northwind Supplies");
        let whole = spec_score(&with_measure(FuzzyMeasure::JaroWinkler, 0.0), a, b);
        let by_word = spec_score(&with_measure(FuzzyMeasure::TokenJaroWinkler, 0.0), a, b);
        assert!(whole > 0.85, "jaro_winkler of the whole string: {whole}");
        assert!(by_word < 0.85, "token_jaro_winkler: {by_word}");
        // ... yet it forgives a typo in every word.
        let typos = spec_score(
            &with_measure(FuzzyMeasure::TokenJaroWinkler, 0.0),
            "Nortwind Logistcs",
            "Northwind Logistics",
        );
        assert!(typos > 0.9, "{typos}");
        // Word order does not matter.
        assert_eq!(
            spec_score(
                &with_measure(FuzzyMeasure::TokenJaroWinkler, 0.0),
                "Logistics Northwind",
                "northwind logistics"
            ),
            1.0
        );
    }

    #[test]
    fn term_frequency_weighs_rare_shared_tokens_more() {
        let column = [
            "Northbridge Ltd",
            "Acme Ltd",
            "Globex Ltd",
            "Initech Ltd",
            "Umbrella Ltd",
            "Zenith Ltd",
        ];
        let m = FieldMapping {
            term_frequency: Some(true),
            ..with_measure(FuzzyMeasure::TokenSet, 0.0)
        };
        let spec = FieldSpec::new(&m);
        let prepared: Vec<Prepared> = column
            .iter()
            .map(|v| prepare_spec(&spec, v, &DateOrderProfile::default()))
            .collect();
        let weights = TokenWeights::from_documents(prepared.iter().map(|p| p.tokens()));
        let reference = "Northbridge Ltd";
        // Each shares one of three distinct tokens with the reference: equal without rarity.
        let rare_plain = spec_score(&mapping_tf(false), "Northbridge Foods", reference);
        let common_plain = spec_score(&mapping_tf(false), "Foods Ltd", reference);
        assert_close!(rare_plain, common_plain);
        let rare = spec_score_weighted(&m, "Northbridge Foods", reference, Some(&weights));
        let common = spec_score_weighted(&m, "Foods Ltd", reference, Some(&weights));
        assert!(rare > common, "rare {rare} vs common {common}");
        // Weights are used only when the mapping asks for term frequency.
        let off = spec_score_weighted(
            &mapping_tf(false),
            "Northbridge Foods",
            reference,
            Some(&weights),
        );
        assert_close!(off, rare_plain);
    }

    fn mapping_tf(term_frequency: bool) -> FieldMapping {
        FieldMapping {
            term_frequency: Some(term_frequency),
            ..with_measure(FuzzyMeasure::TokenSet, 0.0)
        }
    }

    #[test]
    fn tax_rates_match_a_gross_amount_to_a_net_one() {
        let tight = numeric_mapping(Some(0.1), None);
        assert_eq!(spec_score(&tight, "119.00", "100"), 0.0);
        let taxed = FieldMapping {
            tax_rates: Some(vec![19.0]),
            ..tight.clone()
        };
        assert_eq!(spec_score(&taxed, "119.00", "100"), 1.0);
        // The net amount itself still matches, and another rate does not.
        assert_eq!(spec_score(&taxed, "100.00", "100"), 1.0);
        assert_eq!(spec_score(&taxed, "120.00", "100"), 0.0);
        // Tax is added to the reference amount, not taken off it.
        assert_eq!(spec_score(&taxed, "100", "119.00"), 0.0);
    }

    #[test]
    fn partial_shares_score_partial_score() {
        let tight = numeric_mapping(Some(0.1), None);
        assert_eq!(spec_score(&tight, "50", "100"), 0.0);
        let partial = FieldMapping {
            partial_shares: Some(vec![0.5]),
            partial_score: Some(0.6),
            ..tight.clone()
        };
        assert_close!(spec_score(&partial, "50", "100"), 0.6);
        assert_eq!(spec_score(&partial, "100", "100"), 1.0);
        assert_eq!(spec_score(&partial, "25", "100"), 0.0);
        let default_score = FieldMapping {
            partial_score: None,
            ..partial.clone()
        };
        assert_close!(
            spec_score(&default_score, "50", "100"),
            DEFAULT_PARTIAL_SCORE
        );
        // Shares combine with tax rates: half of the gross amount.
        let both = FieldMapping {
            tax_rates: Some(vec![19.0]),
            ..partial
        };
        assert_close!(spec_score(&both, "59.50", "100"), 0.6);
    }

    #[test]
    fn percent_and_absolute_tolerance_combine_as_at_least() {
        // "3 %, but at least 10".
        let m = numeric_mapping(Some(3.0), Some(10.0));
        assert_eq!(spec_score(&m, "108", "100"), 1.0);
        assert_eq!(spec_score(&m, "1029", "1000"), 1.0);
        let beyond = spec_score(&m, "115", "100");
        assert!(beyond < 1.0, "{beyond}");
        assert_close!(beyond, 0.5);
        // Each alone would not accept 108 against 100.
        assert!(spec_score(&numeric_mapping(Some(3.0), Some(0.0)), "108", "100") < 1.0);
        assert!(spec_score(&numeric_mapping(Some(0.0), Some(5.0)), "108", "100") < 1.0);
    }

    fn window_mapping(before: i64, after: i64, grace: Option<i64>) -> FieldMapping {
        FieldMapping {
            days_before: Some(before),
            days_after: Some(after),
            tolerance_days: grace,
            ..mapping(Strategy::DateRange)
        }
    }

    #[test]
    fn one_sided_window_accepts_only_later_documents() {
        // Invoice 0 to 45 days after the order of 2024-01-01.
        let m = window_mapping(0, 45, None);
        let order = "2024-01-01";
        assert_eq!(spec_score(&m, "2024-01-01", order), 1.0);
        assert_eq!(spec_score(&m, "2024-01-31", order), 1.0); // +30
        assert_eq!(spec_score(&m, "2024-02-15", order), 1.0); // +45
        assert_eq!(spec_score(&m, "2023-12-31", order), 0.0); // -1
        assert_eq!(spec_score(&m, "2024-02-16", order), 0.0); // +46
                                                              // A window ignores the default ±7 days: no grace unless asked for.
        assert_eq!(spec_score(&m, "2024-02-17", order), 0.0);
    }

    #[test]
    fn tolerance_days_is_grace_beyond_a_window() {
        let m = window_mapping(0, 45, Some(10));
        let order = "2024-01-01";
        let late = spec_score(&m, "2024-02-20", order); // +50: five days past the window
        assert!(late > 0.0 && late < 1.0, "{late}");
        assert_close!(late, 1.0 - 5.0 / 11.0);
        assert_eq!(spec_score(&m, "2024-02-15", order), 1.0);
        assert_eq!(spec_score(&m, "2024-02-26", order), 0.0); // +56
        let early = spec_score(&m, "2023-12-29", order); // -3
        assert_close!(early, 1.0 - 3.0 / 11.0);
    }

    #[test]
    fn date_order_setting_reads_ambiguous_dates() {
        let set = |order| FieldMapping {
            date_order: Some(order),
            tolerance_days: Some(0),
            ..mapping(Strategy::DateRange)
        };
        let day_first = FieldSpec::new(&set(DateOrderSetting::DayFirst));
        let month_first = FieldSpec::new(&set(DateOrderSetting::MonthFirst));
        let dates = DateOrderProfile::default();
        assert_eq!(
            prepare_spec(&day_first, "03/04/2024", &dates),
            Prepared::Date(NaiveDate::from_ymd_opt(2024, 4, 3).unwrap())
        );
        assert_eq!(
            prepare_spec(&month_first, "03/04/2024", &dates),
            Prepared::Date(NaiveDate::from_ymd_opt(2024, 3, 4).unwrap())
        );
        assert_eq!(
            spec_score(&set(DateOrderSetting::DayFirst), "03/04/2024", "2024-04-03"),
            1.0
        );
        assert_eq!(
            spec_score(
                &set(DateOrderSetting::MonthFirst),
                "03/04/2024",
                "2024-04-03"
            ),
            // Read the other way it is another day, one slip (day and month swapped) away.
            0.5
        );
        // The setting overrides what the column profile detected.
        let profile_says_month_first = DateOrderProfile {
            slash: Some(DateOrder::MonthFirst),
            ..DateOrderProfile::default()
        };
        assert_eq!(
            prepare_spec(&day_first, "03/04/2024", &profile_says_month_first),
            Prepared::Date(NaiveDate::from_ymd_opt(2024, 4, 3).unwrap())
        );
    }
}

#[cfg(test)]
mod explain_tests {
    use super::*;
    use crate::profile::DateOrderProfile;

    fn note(m: &FieldMapping, doc: &str, target: &str) -> Option<FieldNote> {
        let spec = FieldSpec::new(m);
        let d = DateOrderProfile::default();
        explain_spec(
            &spec,
            m,
            &prepare_spec(&spec, doc, &d),
            &prepare_spec(&spec, target, &d),
        )
    }

    #[test]
    fn amounts_are_explained_by_the_tax_rate_and_share_that_fit() {
        let mut m = FieldMapping::new("total", "net", Strategy::NumericRange, 1.0);
        m.tax_rates = Some(vec![7.0, 19.0]);
        m.partial_shares = Some(vec![0.5]);
        m.tolerance_percent = Some(3.0);
        m.tolerance_absolute = Some(10.0);
        // 1,057.67 is 988.48 plus 7 % VAT, to the cent.
        let Some(FieldNote::Amount {
            difference_percent,
            tax_rate,
            share,
            tolerance_percent,
            tolerance_absolute,
            ..
        }) = note(&m, "1,057.67", "988.48")
        else {
            panic!("an amount note");
        };
        assert!(difference_percent.abs() < 0.01, "{difference_percent}");
        assert_eq!((tax_rate, share), (Some(7.0), None));
        assert_eq!((tolerance_percent, tolerance_absolute), (3.0, 10.0));
        // Half the order plus 19 %.
        let Some(FieldNote::Amount {
            tax_rate, share, ..
        }) = note(&m, "595.00", "1000.00")
        else {
            panic!("an amount note");
        };
        assert_eq!((tax_rate, share), (Some(19.0), Some(0.5)));
        // No rate fits: the plain difference, 2.4 % above.
        let Some(FieldNote::Amount {
            difference_percent,
            difference,
            tax_rate,
            ..
        }) = note(&m, "1024.00", "1000.00")
        else {
            panic!("an amount note");
        };
        assert!((difference_percent - 2.4).abs() < 1e-9 && (difference - 24.0).abs() < 1e-9);
        assert_eq!(tax_rate, None);
    }

    #[test]
    fn a_stored_note_comes_back_with_the_config_s_tolerances() {
        let mut m = FieldMapping::new("total", "net", Strategy::NumericRange, 1.0);
        m.tax_rates = Some(vec![19.0]);
        m.partial_shares = Some(vec![0.5]);
        m.tolerance_percent = Some(3.0);
        let n = note(&m, "595.00", "1000.00").unwrap();
        assert_eq!(note_from_numbers(&note_numbers(&n), &m), Some(n));
        let n = note(&m, "1024.00", "1000.00").unwrap();
        let back = note_from_numbers(&note_numbers(&n), &m).unwrap();
        let FieldNote::Amount {
            difference_percent, ..
        } = back
        else {
            panic!("an amount");
        };
        assert_eq!(difference_percent, 2.4, "rounded for storage");
        let mut d = FieldMapping::new("a", "b", Strategy::DateRange, 1.0);
        d.days_after = Some(45);
        let n = note(&d, "2024-05-13", "2024-05-01").unwrap();
        assert_eq!(note_from_numbers(&note_numbers(&n), &d), Some(n));
        // Numbers of another kind than the mapping's strategy are dropped, not misread.
        assert_eq!(note_from_numbers(&[12.0], &m), None);
    }

    #[test]
    fn dates_are_explained_in_days_with_the_window() {
        let mut m = FieldMapping::new("invoice_date", "order_date", Strategy::DateRange, 1.0);
        m.days_before = Some(0);
        m.days_after = Some(45);
        assert_eq!(
            note(&m, "2024-05-13", "2024-05-01"),
            Some(FieldNote::Days {
                days: 12,
                window: Some((0, 45)),
                // A window's grace period defaults to none.
                tolerance_days: 0,
            })
        );
        let plain = FieldMapping::new("d", "d", Strategy::DateRange, 1.0);
        assert!(matches!(
            note(&plain, "2024-04-28", "2024-05-01"),
            Some(FieldNote::Days {
                days: -3,
                window: None,
                ..
            })
        ));
        // Other strategies and values that are not amounts or dates get no note.
        assert_eq!(note(&plain, "not a date", "2024-05-01"), None);
        let exact = FieldMapping::new("a", "b", Strategy::Exact, 1.0);
        assert_eq!(note(&exact, "x", "y"), None);
    }
}
