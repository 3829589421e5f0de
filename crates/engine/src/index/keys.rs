//! Search keys of prepared values, hashed: tokens, one-deletion variants of tokens (typos) and
//! reference-number keys.

use crate::normalize::for_each_reference_key;
use crate::strategy::Prepared;

use super::MIN_TYPO_TOKEN;

/// Prefix keys hold a token's first this many characters (tokens longer than that only).
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

pub(super) fn hash_str(s: &str) -> u64 {
    let mut h = Fnv::new();
    h.feed(s.as_bytes());
    h.0
}

/// The search keys of a prepared value, hashed, in two kinds: `exact` keys (tokens; the whole
/// reference) that two equal values share, and `typo` keys (every one-character deletion of a
/// token: two tokens one edit apart share one of these, the SymSpell idea; the reference's own
/// typo variants).
pub(super) fn key_hashes(p: &Prepared, prefixes: bool, exact: &mut Vec<u64>, typo: &mut Vec<u64>) {
    match p {
        Prepared::Text(t) => {
            for token in t.tokens() {
                exact.push(hash_str(token));
                if prefixes {
                    if let Some((end, _)) = token.char_indices().nth(PREFIX_CHARS) {
                        let mut h = Fnv::new();
                        h.feed(PREFIX_SALT);
                        h.feed(&token.as_bytes()[..end]);
                        typo.push(h.0);
                    }
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
        Prepared::Ref(k) => {
            // The first key stands for the whole reference; the others for its typo variants.
            let mut first = true;
            for_each_reference_key(k, |key| {
                if std::mem::take(&mut first) {
                    exact.push(hash_str(key));
                } else {
                    typo.push(hash_str(key));
                }
            });
        }
        _ => {}
    }
}
