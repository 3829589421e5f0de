//! Fast string and token-set similarity measures on precomputed forms (char slices, sorted
//! token lists), for the pair loop of a run: no allocation for ordinary lengths.
//!
//! Jaro-Winkler and Levenshtein come from the `rapidfuzz` crate (bit-parallel algorithms): on our
//! own 300,000 vendor-name pairs it gave the same results as `strsim` to the last bit and was 3 to
//! 5 times faster (`matchbook-bench similarity`, docs/PERFORMANCE.md). The hand-written versions
//! stay as the reference the tests check rapidfuzz against.

use std::cmp::Ordering;
use std::collections::HashMap;

/// Jaro similarity in 0..=1: 1 for two empty strings, 0 when only one is empty. Bit for bit
/// `strsim::jaro` on the same strings.
pub fn jaro(a: &[char], b: &[char]) -> f64 {
    let (a_len, b_len) = (a.len(), b.len());
    if a_len == 0 && b_len == 0 {
        return 1.0;
    }
    if a_len == 0 || b_len == 0 {
        return 0.0;
    }
    if a == b {
        return 1.0;
    }
    let search_range = (a_len.max(b_len) / 2).saturating_sub(1);
    with_flags(a_len + b_len, |flags| {
        let (a_flags, b_flags) = flags.split_at_mut(a_len);
        let mut matches = 0usize;
        for (i, ca) in a.iter().enumerate() {
            let low = i.saturating_sub(search_range);
            let high = b_len.min(i.saturating_add(search_range).saturating_add(1));
            for j in low..high {
                if !b_flags[j] && b[j] == *ca {
                    a_flags[i] = true;
                    b_flags[j] = true;
                    matches += 1;
                    break;
                }
            }
        }
        if matches == 0 {
            return 0.0;
        }
        // The k-th matched char of `a` against the k-th matched char of `b`.
        let mut half_transpositions = 0usize;
        let mut b_matched = b
            .iter()
            .zip(b_flags.iter())
            .filter_map(|(c, &f)| f.then_some(c));
        for (ca, _) in a.iter().zip(a_flags.iter()).filter(|(_, &f)| f) {
            if b_matched.next() != Some(ca) {
                half_transpositions += 1;
            }
        }
        let transpositions = half_transpositions / 2;
        let m = matches as f64;
        // Same operations in the same order as strsim, so the results agree to the bit.
        ((m / a_len as f64) + (m / b_len as f64) + ((matches - transpositions) as f64 / m)) / 3.0
    })
}

/// Jaro-Winkler similarity in 0..=1 (prefix scale 0.1, at most 4 prefix chars, boost only above a
/// Jaro similarity of 0.7). Bit for bit `strsim::jaro_winkler` on the same strings.
pub fn jaro_winkler(a: &[char], b: &[char]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    rapidfuzz::distance::jaro_winkler::normalized_similarity(a.iter().copied(), b.iter().copied())
}

/// [`jaro_winkler`] when it reaches `cutoff`, else 0. Knowing the cutoff lets rapidfuzz give up
/// early on strings whose lengths or shared characters cannot reach it, which is most of the
/// values a vendor-name key brings up.
pub fn jaro_winkler_at_least(a: &[char], b: &[char], cutoff: f64) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    let args = rapidfuzz::distance::jaro_winkler::Args::default().score_cutoff(cutoff);
    rapidfuzz::distance::jaro_winkler::normalized_similarity_with_args(
        a.iter().copied(),
        b.iter().copied(),
        &args,
    )
    .unwrap_or(0.0)
}

/// What [`jaro_winkler_bound`] needs of a string, in 16 bytes kept beside the values (no pointer
/// to follow): its length, the characters it holds (one bit each, folded into 64) and its first
/// four characters (their low bytes).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TextSketch {
    chars: u64,
    len: u32,
    head: [u8; 4],
}

impl TextSketch {
    pub fn of(chars: &[char]) -> Self {
        let mut head = [0u8; 4];
        for (h, &c) in head.iter_mut().zip(chars) {
            *h = (u32::from(c) & 0xff) as u8;
        }
        TextSketch {
            chars: chars.iter().fold(0, |m, &c| m | 1 << (u32::from(c) % 64)),
            len: chars.len().min(u32::MAX as usize) as u32,
            head,
        }
    }
}

/// An upper bound of [`jaro_winkler`] of two strings from their sketches: each distinct
/// character of one missing from the other leaves at least one character unmatched, no
/// transposition is counted, and the common prefix is read from the low bytes (never shorter
/// than the real one). Settles most pairs of names that share too few letters in a few
/// instructions.
pub fn jaro_winkler_bound(a: &TextSketch, b: &TextSketch) -> f64 {
    let (la, lb) = (a.len as usize, b.len as usize);
    if la == 0 || lb == 0 {
        return f64::from(u8::from(la == lb));
    }
    let unmatched_a = (a.chars & !b.chars).count_ones() as usize;
    let unmatched_b = (b.chars & !a.chars).count_ones() as usize;
    let m = la
        .saturating_sub(unmatched_a)
        .min(lb.saturating_sub(unmatched_b)) as f64;
    if m == 0.0 {
        return 0.0;
    }
    let jaro = (m / la as f64 + m / lb as f64 + 1.0) / 3.0;
    if jaro > 0.7 {
        let shortest = la.min(lb).min(4);
        let prefix = (a.head.iter().zip(&b.head))
            .take(shortest)
            .take_while(|(x, y)| x == y)
            .count();
        jaro + 0.1 * prefix as f64 * (1.0 - jaro)
    } else {
        jaro
    }
}

/// The hand-written Jaro-Winkler, kept as the reference for rapidfuzz.
#[cfg(test)]
fn jaro_winkler_reference(a: &[char], b: &[char]) -> f64 {
    let sim = jaro(a, b);
    if sim > 0.7 {
        let prefix = a.iter().take(4).zip(b).take_while(|(x, y)| x == y).count();
        sim + 0.1 * prefix as f64 * (1.0 - sim)
    } else {
        sim
    }
}

/// Runs `f` with `len` cleared flags, on the stack when they fit.
fn with_flags<R>(len: usize, f: impl FnOnce(&mut [bool]) -> R) -> R {
    const STACK: usize = 256;
    if len <= STACK {
        let mut flags = [false; STACK];
        f(&mut flags[..len])
    } else {
        f(&mut vec![false; len])
    }
}

/// Levenshtein distance (insertions, deletions, substitutions) in chars.
pub fn levenshtein_distance(a: &[char], b: &[char]) -> usize {
    // Never gives up, so always `Some`; the fallback is the trivial upper bound.
    levenshtein_unless(a, b, |_| false).unwrap_or(a.len().max(b.len()))
}

/// `1 - distance / longer length`; 1 for two empty strings. Equals
/// `strsim::normalized_levenshtein` on the same strings.
pub fn levenshtein_similarity(a: &[char], b: &[char]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    rapidfuzz::distance::levenshtein::normalized_similarity(a.iter().copied(), b.iter().copied())
}

/// The hand-written normalised Levenshtein, kept as the reference for rapidfuzz.
#[cfg(test)]
fn levenshtein_similarity_reference(a: &[char], b: &[char]) -> f64 {
    let longest = a.len().max(b.len());
    if longest == 0 {
        return 1.0;
    }
    1.0 - levenshtein_distance(a, b) as f64 / longest as f64
}

/// `levenshtein_similarity` when it is at least `min`, else `None`; gives up as soon as the
/// distance is known to be too large, which makes hopeless pairs cheap.
pub fn levenshtein_similarity_at_least(a: &[char], b: &[char], min: f64) -> Option<f64> {
    let longest = a.len().max(b.len());
    if longest == 0 {
        return (1.0 >= min).then_some(1.0);
    }
    let score = |distance: usize| 1.0 - distance as f64 / longest as f64;
    let too_far = |distance: usize| score(distance) < min;
    // The length difference is a lower bound of the distance.
    if too_far(a.len().abs_diff(b.len())) {
        return None;
    }
    let distance = levenshtein_unless(a, b, too_far)?;
    // Row minima only bound the distance from below; the distance itself may still fall short.
    (!too_far(distance)).then(|| score(distance))
}

/// Levenshtein distance, or `None` as soon as `give_up` holds for a lower bound of it.
/// `give_up` must be monotone (once true for a distance, true for every larger one).
fn levenshtein_unless(a: &[char], b: &[char], give_up: impl Fn(usize) -> bool) -> Option<usize> {
    // A shared prefix or suffix never changes the distance; trimming it shrinks the table.
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let (a, b) = (&a[prefix..], &b[prefix..]);
    let suffix = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (a, b) = (&a[..a.len() - suffix], &b[..b.len() - suffix]);
    // The row is as long as the shorter string.
    let (long, short) = if a.len() >= b.len() { (a, b) } else { (b, a) };
    if short.is_empty() {
        return Some(long.len());
    }
    const STACK_ROW: usize = 64;
    if short.len() <= STACK_ROW {
        let mut row = [0usize; STACK_ROW];
        levenshtein_rows(long, short, &mut row[..short.len()], give_up)
    } else {
        let mut row = vec![0usize; short.len()];
        levenshtein_rows(long, short, &mut row, give_up)
    }
}

/// The single-row dynamic programme of `strsim::generic_levenshtein`, plus an early exit: the
/// minimum of a row never decreases from one row to the next, so it bounds the final distance.
fn levenshtein_rows(
    a: &[char],
    b: &[char],
    row: &mut [usize],
    give_up: impl Fn(usize) -> bool,
) -> Option<usize> {
    for (j, cell) in row.iter_mut().enumerate() {
        *cell = j + 1;
    }
    let mut result = b.len();
    for (i, ca) in a.iter().enumerate() {
        result = i + 1;
        let mut row_min = result;
        let mut diagonal = i;
        for (cb, cell) in b.iter().zip(row.iter_mut()) {
            let substitute = diagonal + usize::from(ca != cb);
            diagonal = *cell;
            result = (result + 1).min(substitute).min(diagonal + 1);
            *cell = result;
            row_min = row_min.min(result);
        }
        if give_up(row_min) {
            return None;
        }
    }
    Some(result)
}

/// Jaccard index of two sorted, deduplicated token lists: shared / distinct tokens of both.
/// 0 when both are empty: two values without tokens are not evidence of anything.
pub fn token_set(a: &[String], b: &[String]) -> f64 {
    // Counts only the shared tokens, so it stops as soon as either list ends: it is the fuzzy
    // scorer's token measure (`best` and `token_set` without term frequency), run per pair.
    let (mut i, mut j, mut common) = (0, 0, 0usize);
    while let (Some(x), Some(y)) = (a.get(i), b.get(j)) {
        match x.cmp(y) {
            Ordering::Less => i += 1,
            Ordering::Greater => j += 1,
            Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let union = a.len() + b.len() - common;
    if union == 0 {
        0.0
    } else {
        common as f64 / union as f64
    }
}

/// Weighted Jaccard of two sorted, deduplicated token lists: the weight of the shared tokens over
/// the weight of all distinct tokens of both. With [`TokenWeights::idf`] as `weight`, sharing a
/// rare token ("northbridge") counts for more than sharing a common one ("ltd").
/// Negative and NaN weights count as 0; the result is 0 when there is no positive weight at all.
pub fn weighted_token_set(a: &[String], b: &[String], weight: impl Fn(&str) -> f64) -> f64 {
    let (mut shared, mut union) = (0.0f64, 0.0f64);
    merge(a, b, |token, side| {
        let w = clean_weight(weight(token));
        union += w;
        if side == Side::Both {
            shared += w;
        }
    });
    ratio(shared, union)
}

/// `weighted_token_set` with the weights looked up beforehand: `a_weights[i]` is the weight of
/// `a[i]`, likewise for `b`, so the pair loop does no hashing. A missing weight counts as 0.
pub fn weighted_token_set_precomputed(
    a: &[String],
    a_weights: &[f64],
    b: &[String],
    b_weights: &[f64],
) -> f64 {
    let (mut i, mut j) = (0usize, 0usize);
    let (mut shared, mut union) = (0.0f64, 0.0f64);
    let weight_of =
        |weights: &[f64], k: usize| clean_weight(weights.get(k).copied().unwrap_or(0.0));
    loop {
        match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) => match x.cmp(y) {
                Ordering::Less => {
                    union += weight_of(a_weights, i);
                    i += 1;
                }
                Ordering::Greater => {
                    union += weight_of(b_weights, j);
                    j += 1;
                }
                Ordering::Equal => {
                    let w = weight_of(a_weights, i);
                    union += w;
                    shared += w;
                    i += 1;
                    j += 1;
                }
            },
            (Some(_), None) => {
                union += weight_of(a_weights, i);
                i += 1;
            }
            (None, Some(_)) => {
                union += weight_of(b_weights, j);
                j += 1;
            }
            (None, None) => break,
        }
    }
    ratio(shared, union)
}

fn clean_weight(w: f64) -> f64 {
    // `max` turns NaN into 0 as well.
    w.max(0.0)
}

fn ratio(shared: f64, union: f64) -> f64 {
    let r = shared / union;
    if union > 0.0 && r.is_finite() {
        r.clamp(0.0, 1.0)
    } else {
        0.0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    One,
    Both,
}

/// Calls `visit` once per distinct token of the two sorted lists, saying whether both have it.
fn merge<'a>(a: &'a [String], b: &'a [String], mut visit: impl FnMut(&'a str, Side)) {
    let (mut i, mut j) = (0usize, 0usize);
    loop {
        match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) => match x.cmp(y) {
                Ordering::Less => {
                    visit(x, Side::One);
                    i += 1;
                }
                Ordering::Greater => {
                    visit(y, Side::One);
                    j += 1;
                }
                Ordering::Equal => {
                    visit(x, Side::Both);
                    i += 1;
                    j += 1;
                }
            },
            (Some(x), None) => {
                visit(x, Side::One);
                i += 1;
            }
            (None, Some(y)) => {
                visit(y, Side::One);
                j += 1;
            }
            (None, None) => break,
        }
    }
}

/// Inverse document frequencies of tokens over a column: one "document" per value (typically per
/// distinct reference value). Built once per run, read in the pair loop.
#[derive(Debug, Clone)]
pub struct TokenWeights {
    idf: HashMap<Box<str>, f64>,
    documents: usize,
    /// The weight of a token no document has.
    unknown: f64,
}

impl Default for TokenWeights {
    /// Weights over no documents: every token weighs 1.
    fn default() -> Self {
        TokenWeights::from_documents(std::iter::empty::<[&str; 0]>())
    }
}

impl TokenWeights {
    /// Counts, for every token, how many of the `documents` contain it (a token repeated within
    /// one document counts once).
    pub fn from_documents<D, T>(documents: impl IntoIterator<Item = D>) -> Self
    where
        D: IntoIterator<Item = T>,
        T: AsRef<str>,
    {
        let mut df: HashMap<Box<str>, u64> = HashMap::new();
        let mut n = 0usize;
        let mut doc_tokens: Vec<T> = Vec::new();
        for doc in documents {
            n += 1;
            doc_tokens.clear();
            doc_tokens.extend(doc);
            doc_tokens.sort_unstable_by(|x, y| x.as_ref().cmp(y.as_ref()));
            doc_tokens.dedup_by(|x, y| x.as_ref() == y.as_ref());
            for token in &doc_tokens {
                let token = token.as_ref();
                match df.get_mut(token) {
                    Some(count) => *count += 1,
                    None => {
                        df.insert(token.into(), 1);
                    }
                }
            }
        }
        let idf_of = |count: u64| ((n as f64 + 1.0) / (count as f64 + 1.0)).ln() + 1.0;
        TokenWeights {
            idf: df.into_iter().map(|(t, c)| (t, idf_of(c))).collect(),
            documents: n,
            unknown: idf_of(0),
        }
    }

    /// `ln((N + 1) / (df + 1)) + 1`, N documents of which df contain `token`. A token no document
    /// has gets the largest weight, `ln(N + 1) + 1`; every weight is at least 1.
    pub fn idf(&self, token: &str) -> f64 {
        self.idf.get(token).copied().unwrap_or(self.unknown)
    }

    /// The weights of `tokens`, in order, for [`weighted_token_set_precomputed`].
    pub fn weights_of(&self, tokens: &[String]) -> Vec<f64> {
        tokens.iter().map(|t| self.idf(t)).collect()
    }

    /// How many documents the weights were counted over.
    pub fn documents(&self) -> usize {
        self.documents
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    fn toks(list: &[&str]) -> Vec<String> {
        let mut v: Vec<String> = list.iter().map(|s| s.to_string()).collect();
        v.sort();
        v.dedup();
        v
    }

    /// Deterministic pseudo-random strings over a small alphabet, so pairs share characters.
    fn random_strings(count: usize, alphabet: &[char], max_len: usize) -> Vec<String> {
        let mut rng = datagen::rng::Rng(0x9e37_79b9_7f4a_7c15);
        (0..count)
            .map(|_| {
                let len = rng.below(max_len as u64 + 1) as usize;
                (0..len).map(|_| rng.pick(alphabet)).collect()
            })
            .collect()
    }

    const ALPHABET: &[char] = &['a', 'b', 'c', 'd', 'e', ' ', 'ü', '1', '東'];

    #[test]
    fn jaro_winkler_equals_strsim_on_random_pairs() {
        let values = random_strings(400, ALPHABET, 12);
        for a in &values {
            for b in values.iter().take(100) {
                let theirs = strsim::jaro_winkler(a, b);
                // rapidfuzz sums in another order: equal up to the last bit or two.
                let fast = jaro_winkler(&chars(a), &chars(b));
                assert!((fast - theirs).abs() < 1e-12, "{a:?} {b:?}");
                let ours = jaro_winkler_reference(&chars(a), &chars(b));
                assert_eq!(ours.to_bits(), theirs.to_bits(), "{a:?} {b:?}");
                assert_eq!(
                    jaro(&chars(a), &chars(b)).to_bits(),
                    strsim::jaro(a, b).to_bits()
                );
            }
        }
    }

    #[test]
    fn the_sketch_bound_is_never_below_jaro_winkler() {
        let values = random_strings(300, ALPHABET, 12);
        let mut settled = 0;
        for a in &values {
            for b in values.iter().take(80) {
                let (a, b) = (chars(a), chars(b));
                let bound = jaro_winkler_bound(&TextSketch::of(&a), &TextSketch::of(&b));
                let score = jaro_winkler(&a, &b);
                assert!(bound >= score - 1e-12, "{a:?} {b:?}: {bound} < {score}");
                settled += usize::from(bound < 0.8);
            }
        }
        assert!(settled > 0);
        // Names that share too few letters are settled without comparing them.
        let sketch = |s: &str| TextSketch::of(&chars(s));
        assert!(jaro_winkler_bound(&sketch("mark"), &sketch("zhao")) < 0.8);
        assert!(jaro_winkler_bound(&sketch("mark"), &sketch("mary")) >= 0.8);
        assert_eq!(jaro_winkler_bound(&sketch("mark"), &sketch("mark")), 1.0);
        assert_eq!(jaro_winkler_bound(&sketch(""), &sketch("")), 1.0);
        assert_eq!(jaro_winkler_bound(&sketch("a"), &sketch("")), 0.0);
    }

    #[test]
    fn a_cutoff_changes_no_score_that_reaches_it() {
        let values = random_strings(300, ALPHABET, 12);
        for cutoff in [0.5, 0.8, 0.85, 0.95] {
            for a in &values {
                for b in values.iter().take(60) {
                    let (a, b) = (chars(a), chars(b));
                    let full = jaro_winkler(&a, &b);
                    let cut = jaro_winkler_at_least(&a, &b, cutoff);
                    if full >= cutoff {
                        assert_eq!(cut.to_bits(), full.to_bits(), "{a:?} {b:?} at {cutoff}");
                    } else {
                        assert_eq!(cut, 0.0, "{a:?} {b:?} at {cutoff}");
                    }
                }
            }
        }
    }

    #[test]
    fn jaro_winkler_equals_strsim_on_long_and_known_pairs() {
        let long_a = "ab".repeat(200);
        let long_b = "ba".repeat(150) + "c";
        let pairs = [
            ("martha", "marhta"),
            ("dixon", "dicksonx"),
            ("cheeseburger", "cheese fries"),
            ("", ""),
            ("", "a"),
            ("a", ""),
            ("a", "a"),
            ("a", "b"),
            ("ab", "ba"),
            ("northbridge logistics", "northbrdge logistic"),
            (long_a.as_str(), long_b.as_str()),
        ];
        for (a, b) in pairs {
            let theirs = strsim::jaro_winkler(a, b);
            assert_eq!(
                jaro_winkler_reference(&chars(a), &chars(b)).to_bits(),
                theirs.to_bits(),
                "{a:?} {b:?}"
            );
            assert!(
                (jaro_winkler(&chars(a), &chars(b)) - theirs).abs() < 1e-12,
                "{a:?} {b:?}"
            );
        }
    }

    #[test]
    fn jaro_winkler_boundaries() {
        assert_eq!(jaro_winkler(&[], &[]), 1.0);
        assert_eq!(jaro_winkler(&chars("abc"), &[]), 0.0);
        assert_eq!(jaro_winkler(&chars("abc"), &chars("abc")), 1.0);
        assert_eq!(jaro_winkler(&chars("abc"), &chars("xyz")), 0.0);
        // Known value: MARTHA / MARHTA.
        let s = jaro_winkler(&chars("martha"), &chars("marhta"));
        assert!((s - 0.9611).abs() < 1e-4, "{s}");
    }

    #[test]
    fn levenshtein_equals_strsim() {
        let values = random_strings(200, ALPHABET, 14);
        let long_a = "x".repeat(70) + "abc" + &"y".repeat(30);
        let long_b = "z".repeat(68) + "abd" + &"y".repeat(31);
        let mut all: Vec<&str> = values.iter().map(String::as_str).collect();
        all.extend([long_a.as_str(), long_b.as_str(), "kitten", "sitting", ""]);
        for a in &all {
            for b in &all {
                let (ca, cb) = (chars(a), chars(b));
                assert_eq!(levenshtein_distance(&ca, &cb), strsim::levenshtein(a, b));
                let theirs = strsim::normalized_levenshtein(a, b);
                assert!(
                    (levenshtein_similarity(&ca, &cb) - theirs).abs() < 1e-12,
                    "{a:?} {b:?}"
                );
                assert!(
                    (levenshtein_similarity_reference(&ca, &cb) - theirs).abs() < 1e-12,
                    "{a:?} {b:?}"
                );
            }
        }
    }

    #[test]
    fn levenshtein_boundaries() {
        assert_eq!(levenshtein_similarity(&[], &[]), 1.0);
        assert_eq!(levenshtein_similarity(&chars("abc"), &[]), 0.0);
        assert_eq!(levenshtein_similarity(&chars("abc"), &chars("xyz")), 0.0);
        assert_eq!(levenshtein_similarity(&chars("abcd"), &chars("abce")), 0.75);
    }

    #[test]
    fn levenshtein_at_least_cuts_only_below_the_floor() {
        let (a, b) = (chars("abcdefghij"), chars("abcdefghzz"));
        assert_eq!(levenshtein_similarity_at_least(&a, &b, 0.8), Some(0.8));
        assert_eq!(levenshtein_similarity_at_least(&a, &b, 0.81), None);
        assert_eq!(levenshtein_similarity_at_least(&[], &[], 1.0), Some(1.0));
        assert_eq!(levenshtein_similarity_at_least(&a, &chars("ab"), 0.5), None);
        let values = random_strings(120, ALPHABET, 10);
        for a in &values {
            for b in &values {
                let (ca, cb) = (chars(a), chars(b));
                let full = levenshtein_similarity(&ca, &cb);
                for min in [0.0, 0.3, 0.5, 0.8, 1.0] {
                    let cut = levenshtein_similarity_at_least(&ca, &cb, min);
                    assert_eq!(cut, (full >= min).then_some(full), "{a:?} {b:?} {min}");
                }
            }
        }
    }

    #[test]
    fn token_set_is_jaccard() {
        let a = toks(&["alpha", "beta", "gamma"]);
        let b = toks(&["alpha", "beta", "delta", "gamma"]);
        assert_eq!(token_set(&a, &b), 0.75);
        assert_eq!(token_set(&b, &a), 0.75);
        assert_eq!(token_set(&a, &a), 1.0);
        assert_eq!(token_set(&a, &toks(&["x"])), 0.0);
        assert_eq!(token_set(&a, &[]), 0.0);
        assert_eq!(token_set(&[], &[]), 0.0);
    }

    #[test]
    fn weighted_token_set_uses_the_weights() {
        let a = toks(&["acme", "ltd"]);
        let b = toks(&["acme", "gmbh"]);
        let c = toks(&["zenith", "ltd"]);
        let weight = |t: &str| {
            if t == "acme" || t == "zenith" {
                5.0
            } else {
                1.0
            }
        };
        // Shared rare token: 5 / (5 + 1 + 1).
        assert!((weighted_token_set(&a, &b, weight) - 5.0 / 7.0).abs() < 1e-12);
        // Shared common token: 1 / (5 + 1 + 5).
        assert!((weighted_token_set(&a, &c, weight) - 1.0 / 11.0).abs() < 1e-12);
        // Unit weights are plain Jaccard.
        assert_eq!(weighted_token_set(&a, &b, |_| 1.0), token_set(&a, &b));
        assert_eq!(weighted_token_set(&a, &a, weight), 1.0);
        assert_eq!(weighted_token_set(&[], &[], weight), 0.0);
        assert_eq!(weighted_token_set(&a, &b, |_| 0.0), 0.0);
        assert_eq!(weighted_token_set(&a, &b, |_| f64::NAN), 0.0);
        assert_eq!(weighted_token_set(&a, &b, |_| -1.0), 0.0);
        assert_eq!(weighted_token_set(&a, &b, |_| f64::INFINITY), 0.0);
    }

    #[test]
    fn precomputed_weights_agree() {
        let docs = [
            toks(&["acme", "ltd"]),
            toks(&["zenith", "ltd"]),
            toks(&["northbridge", "logistics", "ltd"]),
            toks(&["acme", "logistics"]),
        ];
        let w = TokenWeights::from_documents(docs.iter());
        for a in &docs {
            for b in &docs {
                let direct = weighted_token_set(a, b, |t| w.idf(t));
                let pre = weighted_token_set_precomputed(a, &w.weights_of(a), b, &w.weights_of(b));
                assert!((direct - pre).abs() < 1e-12);
            }
        }
        // Missing weights count as 0 rather than panicking.
        let s = weighted_token_set_precomputed(&docs[0], &[], &docs[0], &[1.0]);
        assert_eq!(s, 0.0);
    }

    #[test]
    fn idf_weights_rare_tokens_higher() {
        let docs: Vec<Vec<&str>> = vec![
            vec!["acme", "ltd"],
            vec!["zenith", "ltd", "ltd"],
            vec!["northbridge", "ltd"],
            vec!["acme", "gmbh"],
        ];
        let w = TokenWeights::from_documents(docs.iter().map(|d| d.iter()));
        assert_eq!(w.documents(), 4);
        let n = 4.0f64;
        // "ltd" is in 3 documents (counted once in the second).
        assert!((w.idf("ltd") - (((n + 1.0) / 4.0).ln() + 1.0)).abs() < 1e-12);
        assert!((w.idf("acme") - (((n + 1.0) / 3.0).ln() + 1.0)).abs() < 1e-12);
        assert!((w.idf("unseen") - ((n + 1.0).ln() + 1.0)).abs() < 1e-12);
        assert!(w.idf("northbridge") > w.idf("acme"));
        assert!(w.idf("acme") > w.idf("ltd"));
        assert!(w.idf("unseen") >= w.idf("northbridge"));
        // A shared rare token outweighs a shared common one.
        let a = toks(&["northbridge", "ltd"]);
        let b = toks(&["northbridge", "gmbh"]);
        let c = toks(&["zenith", "ltd"]);
        let idf = |t: &str| w.idf(t);
        assert!(weighted_token_set(&a, &b, idf) > weighted_token_set(&a, &c, idf));
        assert!(weighted_token_set(&a, &b, idf) > token_set(&a, &b));
    }

    #[test]
    fn idf_of_nothing() {
        let empty = TokenWeights::from_documents(Vec::<Vec<String>>::new());
        assert_eq!(empty.documents(), 0);
        assert_eq!(empty.idf("x"), 1.0);
        assert_eq!(TokenWeights::default().documents(), 0);
        assert_eq!(TokenWeights::default().idf("x"), 1.0);
    }
}
