//! Tokens of entity-matching values (spec B.1, B.5) and the sparse vectors the similarity
//! features are cosines of. Tokens are hashed to 64 bits once, so that vectors compare by merging
//! sorted integers instead of strings.

use crate::normalize::fold;

/// How a value is cut into tokens: the three tokenizers behind the feature types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum View {
    /// Runs of letters or of digits as written (`simple`).
    Raw,
    /// The same on the folded value: trimmed, NFKC, lower case (`insensitive`, the bigrams).
    Folded,
    /// Folded, digit runs without leading zeros, plus the concatenation of neighbours of one
    /// class (`bigramextratokenizers`), so `21PT0042` ~ `21-PT-42` and `SYS HEARTBEAT` ~
    /// `SYSHEARTBEAT`.
    Normalized,
}

/// Letters and digits as the reference tokenizer `\p{L}+|[0-9]+` sees them: digits are ASCII
/// only, anything else that is neither is a separator.
fn class(c: char) -> u8 {
    if c.is_ascii_digit() {
        DIGIT
    } else if c.is_alphabetic() {
        LETTER
    } else {
        OTHER
    }
}

const OTHER: u8 = 0;
const LETTER: u8 = 1;
const DIGIT: u8 = 2;

/// Maximal runs of one class, with their class.
fn runs(s: &str) -> impl Iterator<Item = (&str, u8)> + '_ {
    let mut rest = s;
    std::iter::from_fn(move || {
        let start = rest.find(|c: char| class(c) != OTHER)?;
        let from = &rest[start..];
        let first = class(from.chars().next()?);
        let len = from.find(|c: char| class(c) != first).unwrap_or(from.len());
        let (token, tail) = from.split_at(len);
        rest = tail;
        Some((token, first))
    })
}

/// A digit run without its leading zeros; all zeros stay one `0`.
fn strip_zeros(digits: &str) -> &str {
    let stripped = digits.trim_start_matches('0');
    if stripped.is_empty() && !digits.is_empty() {
        "0"
    } else {
        stripped
    }
}

/// The tokens of one value in one view: `order` is the token sequence the bigrams are made of,
/// `extra` the further tokens that only count as tokens (the concatenations).
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Tokens {
    pub order: Vec<String>,
    pub extra: Vec<String>,
}

pub(crate) fn tokenize(value: &str, view: View) -> Tokens {
    match view {
        View::Raw => Tokens {
            order: runs(value).map(|(t, _)| t.to_owned()).collect(),
            extra: Vec::new(),
        },
        View::Folded => Tokens {
            order: runs(&fold(value)).map(|(t, _)| t.to_owned()).collect(),
            extra: Vec::new(),
        },
        View::Normalized => normalized(&fold(value)),
    }
}

fn normalized(folded: &str) -> Tokens {
    let classed: Vec<(&str, u8)> = runs(folded).collect();
    let order = classed
        .iter()
        .map(|&(t, c)| if c == DIGIT { strip_zeros(t) } else { t }.to_owned())
        .collect();
    // Two neighbouring runs of one class were split by a separator (else they would be one
    // run), so their concatenation is what the value reads as with spaces and dashes ignored.
    let extra = classed
        .windows(2)
        .filter(|w| w[0].1 == w[1].1)
        .map(|w| {
            let joined = format!("{}{}", w[0].0, w[1].0);
            if w[0].1 == DIGIT {
                strip_zeros(&joined).to_owned()
            } else {
                joined
            }
        })
        .collect();
    Tokens { order, extra }
}

/// FNV-1a with a final avalanche: stable across builds and platforms (the model stores token
/// strings, never hashes, but a predict must hash a token the same way every time).
pub(crate) fn hash_str(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    mix(h)
}

/// SplitMix64's finaliser.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The key of the ordered pair of tokens `(a, b)`; `a b` and `b a` differ.
pub(crate) fn pair_key(a: u64, b: u64) -> u64 {
    mix(a.rotate_left(21) ^ b.wrapping_mul(0x9e37_79b9_7f4a_7c15))
}

/// A sparse vector over token keys, sorted by key, duplicates summed.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Sparse {
    entries: Vec<(u64, f32)>,
    /// The squared norm, summed in key order like a dot product, so that a vector's cosine with
    /// itself is exactly 1.
    norm2: f64,
}

impl Sparse {
    pub fn new(mut entries: Vec<(u64, f32)>) -> Sparse {
        entries.sort_unstable_by_key(|e| e.0);
        entries.dedup_by(|later, kept| {
            let same = later.0 == kept.0;
            if same {
                kept.1 += later.1;
            }
            same
        });
        let norm2 = entries.iter().map(|&(_, w)| w as f64 * w as f64).sum();
        Sparse { entries, norm2 }
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Cosine similarity in 0..=1; 0 when either side is empty.
    pub fn cosine(&self, other: &Sparse) -> f64 {
        if self.norm2 <= 0.0 || other.norm2 <= 0.0 {
            return 0.0;
        }
        let (a, b) = (&self.entries, &other.entries);
        let (mut i, mut j, mut dot) = (0, 0, 0.0f64);
        while i < a.len() && j < b.len() {
            match a[i].0.cmp(&b[j].0) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    dot += a[i].1 as f64 * b[j].1 as f64;
                    i += 1;
                    j += 1;
                }
            }
        }
        (dot / (self.norm2 * other.norm2).sqrt()).clamp(0.0, 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(value: &str, view: View) -> Vec<String> {
        tokenize(value, view).order
    }

    #[test]
    fn tokens_are_runs_of_letters_or_digits() {
        assert_eq!(
            order("KKL_21AA1019CA.PV", View::Raw),
            ["KKL", "21", "AA", "1019", "CA", "PV"]
        );
        assert_eq!(order("21-pt 0042", View::Raw), ["21", "pt", "0042"]);
        assert_eq!(order("  ", View::Raw), Vec::<String>::new());
        assert_eq!(
            order("Müller-Lüdenscheid", View::Folded),
            ["müller", "lüdenscheid"]
        );
    }

    #[test]
    fn raw_keeps_case_folded_does_not() {
        assert_eq!(order("Pump A", View::Raw), ["Pump", "A"]);
        assert_eq!(order("Pump A", View::Folded), ["pump", "a"]);
    }

    #[test]
    fn normalized_strips_leading_zeros_and_joins_split_runs() {
        let t = tokenize("21-PT-0042", View::Normalized);
        assert_eq!(t.order, ["21", "pt", "42"]);
        assert!(t.extra.is_empty());
        assert_eq!(tokenize("21PT42", View::Normalized).order, t.order);
        assert_eq!(order("000 7", View::Normalized), ["0", "7"]);
        let t = tokenize("SYS HEARTBEAT 10 019", View::Normalized);
        assert_eq!(t.order, ["sys", "heartbeat", "10", "19"]);
        assert_eq!(t.extra, ["sysheartbeat", "10019"]);
        assert_eq!(tokenize("00 012", View::Normalized).extra, ["12"]);
    }

    #[test]
    fn cosine_of_a_vector_with_itself_is_one_and_with_nothing_zero() {
        let a = Sparse::new(vec![(3, 1.0), (1, 0.3), (3, 1.0), (7, 2.5)]);
        assert_eq!(a.cosine(&a), 1.0);
        assert_eq!(a.cosine(&Sparse::default()), 0.0);
        let b = Sparse::new(vec![(1, 1.0)]);
        let expected = 0.3 / (0.09f64 + 4.0 + 6.25).sqrt();
        assert!((a.cosine(&b) - expected).abs() < 1e-6);
        assert_ne!(pair_key(1, 2), pair_key(2, 1));
        assert_eq!(hash_str("pt"), hash_str("pt"));
        assert_ne!(hash_str("pt"), hash_str("PT"));
    }
}
