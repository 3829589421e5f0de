//! Search keys of prepared values, hashed: tokens, one-deletion variants of tokens (typos) and
//! reference-number keys.

use crate::domain::{BlockingKey, FieldMapping, FuzzyMeasure, Normalizer, Strategy};
use crate::error::EngineError;
use crate::normalize::{write_reference_keys, KeyWriter};
use crate::strategy::{FieldSpec, Prepared};

use super::MIN_TYPO_TOKEN;

/// A kind of key candidate search looks a field's value up by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// Each normalised token.
    Token,
    /// Each one-character deletion of a token of four characters or more (one typo apart).
    Typo,
    /// The first three characters of each token of three or more (Jaro-Winkler rewards a shared
    /// start).
    Prefix,
    /// A reference number's skeleton, and its variants one typo apart.
    Reference,
    /// The days a date admits (within its tolerance or window).
    Day,
    /// Amounts within the tolerance, at each tax or partial factor.
    Amount,
}

impl KeyKind {
    pub fn describe(self) -> &'static str {
        match self {
            KeyKind::Token => "tokens",
            KeyKind::Typo => "one-letter typos",
            KeyKind::Prefix => "3-letter prefixes",
            KeyKind::Reference => "reference number and its typos",
            KeyKind::Day => "days within the tolerance",
            KeyKind::Amount => "amounts within the tolerance",
        }
    }
}

/// The keys candidate search builds for each mapping, in order; empty when the field is only
/// compared, never searched. Chosen from the comparison the field makes, so a config of any
/// columns gets keys that find what its comparison would score as agreeing.
pub fn search_keys(mappings: &[FieldMapping]) -> Vec<Vec<KeyKind>> {
    let specs: Vec<FieldSpec> = mappings.iter().map(FieldSpec::new).collect();
    keys_of_specs(&specs)
}

/// `search_keys` of a plan's prepared field specs.
pub(super) fn keys_of_specs<'a>(
    specs: impl IntoIterator<Item = &'a FieldSpec>,
) -> Vec<Vec<KeyKind>> {
    let mut amount_taken = false;
    specs
        .into_iter()
        .map(|spec| {
            match spec.strategy {
                Strategy::Exact | Strategy::Fuzzy if spec.normalizer == Normalizer::Reference => {
                    vec![KeyKind::Reference]
                }
                Strategy::Exact => vec![KeyKind::Token],
                Strategy::Fuzzy => {
                    let mut kinds = vec![KeyKind::Token, KeyKind::Typo];
                    if matches!(
                        spec.measure,
                        FuzzyMeasure::JaroWinkler | FuzzyMeasure::TokenJaroWinkler
                    ) {
                        kinds.push(KeyKind::Prefix);
                    }
                    kinds
                }
                Strategy::DateRange => vec![KeyKind::Day],
                // One sorted amount index per run: the first amount field's.
                Strategy::NumericRange if !amount_taken => {
                    amount_taken = true;
                    vec![KeyKind::Amount]
                }
                Strategy::NumericRange => Vec::new(),
            }
        })
        .collect()
}

/// The blocking keys a config names, each as a mask of the mappings it joins (mappings named by
/// their source field; the first mapping of a source is meant). Errors name the key and field.
pub fn resolve_blocking_keys(
    mappings: &[FieldMapping],
    keys: &[BlockingKey],
) -> Result<Vec<u32>, EngineError> {
    let searched = search_keys(mappings);
    keys.iter()
        .enumerate()
        .map(|(i, key)| {
            if key.fields.is_empty() {
                return Err(EngineError::validation(
                    format!("blocking_keys[{i}].fields"),
                    "name at least one field",
                ));
            }
            let mut mask = 0u32;
            for (j, name) in key.fields.iter().enumerate() {
                let path = format!("blocking_keys[{i}].fields[{j}]");
                let Some(f) = mappings.iter().position(|m| m.source == *name) else {
                    return Err(EngineError::validation(
                        path,
                        format!("no field mapping has the source '{name}'"),
                    ));
                };
                if f >= super::MASK_FIELDS {
                    return Err(EngineError::validation(
                        path,
                        format!(
                            "only the first {} field mappings can be blocking keys",
                            super::MASK_FIELDS
                        ),
                    ));
                }
                if searched[f].is_empty() {
                    return Err(EngineError::validation(
                        path,
                        format!(
                            "'{name}' is compared but cannot be searched (only the first \
                             numeric_range field is)"
                        ),
                    ));
                }
                mask |= 1 << f;
            }
            Ok(mask)
        })
        .collect()
}

/// Prefix keys hold a token's first this many characters (tokens of at least that many only).
/// Jaro-Winkler rewards a shared start, so "cheung" and "chen" (0.92) share one although no
/// one-character deletion of either is the other's.
const PREFIX_CHARS: usize = 3;
/// Fed before a prefix so that it never shares a key with a token that happens to be one.
const PREFIX_SALT: &[u8] = b"\x01prefix:";

/// FNV-1a, fed piece by piece: hashing a string with one character left out needs no new string.
pub(super) struct Fnv(u64);

impl Fnv {
    pub(super) fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    pub(super) fn feed(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

/// Reference keys hashed as they are written, the same hashes as `hash_str` of each key's
/// string. The first key stands for the whole reference; the others for its typo variants.
struct HashedKeys<'a> {
    hash: Fnv,
    exact: &'a mut Vec<u64>,
    typo: &'a mut Vec<u64>,
    first: bool,
}

impl KeyWriter for HashedKeys<'_> {
    fn begin(&mut self) {
        self.hash = Fnv::new();
    }
    fn push(&mut self, c: char) {
        self.hash.feed(c.encode_utf8(&mut [0; 4]).as_bytes());
    }
    fn end(&mut self) {
        let into = if std::mem::take(&mut self.first) {
            &mut *self.exact
        } else {
            &mut *self.typo
        };
        into.push(self.hash.0);
    }
}

pub(super) fn hash_str(s: &str) -> u64 {
    let mut h = Fnv::new();
    h.feed(s.as_bytes());
    h.0
}

/// The search keys of a prepared value, hashed, in two kinds: `exact` keys (tokens; the whole
/// reference) that two equal values share, and `typo` keys (every one-character deletion of a
/// token: two tokens one edit apart share one of these, the SymSpell idea; the reference's own
/// typo variants).
/// A token's prefix key: "hay" is the prefix of "hayes" and of itself (0.91 apart).
fn prefix_hash(token: &str) -> Option<u64> {
    let end = match token.char_indices().nth(PREFIX_CHARS) {
        Some((end, _)) => end,
        None if token.chars().count() == PREFIX_CHARS => token.len(),
        None => return None,
    };
    let mut h = Fnv::new();
    h.feed(PREFIX_SALT);
    h.feed(&token.as_bytes()[..end]);
    Some(h.0)
}

pub(super) fn key_hashes(p: &Prepared, prefixes: bool, exact: &mut Vec<u64>, typo: &mut Vec<u64>) {
    match p {
        Prepared::Text(t) => {
            for token in t.tokens() {
                exact.push(hash_str(token));
                if prefixes {
                    typo.extend(prefix_hash(token));
                }
                if token.chars().count() >= MIN_TYPO_TOKEN {
                    for (i, c) in token.char_indices() {
                        let mut h = Fnv::new();
                        h.feed(&token.as_bytes()[..i]);
                        h.feed(&token.as_bytes()[i + c.len_utf8()..]);
                        typo.push(h.0);
                    }
                }
            }
        }
        Prepared::Ref(k) => write_reference_keys(
            k,
            &mut HashedKeys {
                hash: Fnv::new(),
                exact,
                typo,
                first: true,
            },
        ),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategy::PreparedText;

    fn keys_of(text: &str) -> Vec<u64> {
        let (mut exact, mut typo) = (Vec::new(), Vec::new());
        let p = Prepared::Text(Box::new(PreparedText::new(text)));
        key_hashes(&p, true, &mut exact, &mut typo);
        exact.into_iter().chain(typo).collect()
    }

    #[test]
    fn reference_keys_hashed_as_written_are_the_hashes_of_their_strings() {
        for raw in ["PO-2024-000123", "INV 77", "000", "ABC-DEF", "Nº 12/3", ""] {
            let k = crate::normalize::reference_key(raw);
            let mut strings = Vec::new();
            crate::normalize::for_each_reference_key(&k, |s| strings.push(hash_str(s)));
            let (mut exact, mut typo) = (Vec::new(), Vec::new());
            key_hashes(&Prepared::Ref(Box::new(k)), false, &mut exact, &mut typo);
            let hashed: Vec<u64> = exact.iter().chain(&typo).copied().collect();
            assert_eq!(hashed, strings, "{raw}");
            assert_eq!(exact.len(), usize::from(!strings.is_empty()), "{raw}");
        }
    }

    #[test]
    fn a_three_letter_token_is_its_own_prefix() {
        // "hay" and "hayds" score 0.91; no token and no one-letter deletion of one is the other's.
        let (short, long) = (keys_of("hay"), keys_of("hayds"));
        assert!(short.iter().any(|k| long.contains(k)));
        // Two letters say too little: no prefix key.
        assert_eq!(keys_of("ha").len(), 1);
        // A prefix key is salted: it never stands for the token of the same letters.
        assert_eq!(
            keys_of("hay"),
            [hash_str("hay"), prefix_hash("hay").unwrap()]
        );
        assert_ne!(prefix_hash("hay"), Some(hash_str("hay")));
    }
}
