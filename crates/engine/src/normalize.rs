//! Text normalisation shared by the strategies and candidate search.
//!
//! Every text comparison goes through `fold`, so "Müller", "MÜLLER " and a full-width "ＭＵＬＬＥＲ"
//! style variant meet on the same form before any scoring happens.

use unicode_normalization::UnicodeNormalization;

/// Trim, Unicode NFKC, lower-case. What `exact` compares.
pub fn fold(s: &str) -> String {
    let trimmed = s.trim();
    // ASCII is already NFKC; most finance data is ASCII, so skip the normaliser there.
    if trimmed.is_ascii() {
        return trimmed.to_ascii_lowercase();
    }
    // NFKC can turn compatibility spaces (ideographic space, NBSP) at the edges into plain
    // spaces, hence the second trim.
    let normalized: String = trimmed.nfkc().collect();
    normalized.trim().to_lowercase()
}

/// Tokens of `fold(s)`: maximal runs of letters or of digits (the Cognite tokenizer `\p{L}+|[0-9]+`).
pub fn tokens(s: &str) -> Vec<String> {
    split_tokens(&fold(s)).map(str::to_owned).collect()
}

/// Tokens of an already folded string, borrowed from it (no allocation per token).
/// `tokens(s)` is `split_tokens(&fold(s))`.
pub fn split_tokens(folded: &str) -> impl Iterator<Item = &str> + '_ {
    TokenIter { rest: folded }
}

/// `fold(s)` keeping only letters and digits, so "PO-2024/000123" and "po 2024 000123" agree.
pub fn skeleton(s: &str) -> String {
    skeleton_of_folded(&fold(s))
}

/// `skeleton` of an already folded string.
pub fn skeleton_of_folded(folded: &str) -> String {
    folded
        .chars()
        .filter(|&c| class(c) != CharClass::Other)
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CharClass {
    Letter,
    Digit,
    Other,
}

fn class(c: char) -> CharClass {
    // Digits are ASCII only, like `[0-9]` in the reference tokenizer; NFKC has already turned
    // full-width digits into ASCII ones.
    if c.is_ascii_digit() {
        CharClass::Digit
    } else if c.is_alphabetic() {
        CharClass::Letter
    } else {
        CharClass::Other
    }
}

struct TokenIter<'a> {
    rest: &'a str,
}

impl<'a> Iterator for TokenIter<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let start = self.rest.find(|c: char| class(c) != CharClass::Other)?;
        let from_start = &self.rest[start..];
        let first = from_start.chars().next().map(class)?;
        let len = from_start
            .find(|c: char| class(c) != first)
            .unwrap_or(from_start.len());
        let (token, rest) = from_start.split_at(len);
        self.rest = rest;
        Some(token)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_trims_and_lowercases() {
        assert_eq!(fold("  ACME GmbH \t"), "acme gmbh");
        assert_eq!(fold(""), "");
        assert_eq!(fold("   "), "");
    }

    #[test]
    fn fold_keeps_inner_whitespace() {
        assert_eq!(fold("Acme  Corp"), "acme  corp");
    }

    #[test]
    fn fold_lowercases_non_ascii() {
        assert_eq!(fold("MÜLLER"), "müller");
        assert_eq!(fold("ÉCOLE"), "école");
        assert_eq!(fold("ΑΘΗΝΑ"), "αθηνα");
    }

    #[test]
    fn fold_applies_nfkc() {
        // Full-width letters and digits become ASCII.
        assert_eq!(fold("ＰＯ－２０２４"), "po-2024");
        assert_eq!(fold("１２３"), "123");
        // Decomposed "u + combining diaeresis" composes to the same string as "ü".
        assert_eq!(fold("Mu\u{0308}ller"), fold("Müller"));
        // Ligature and superscript are compatibility characters.
        assert_eq!(fold("ﬁle"), "file");
        assert_eq!(fold("m²"), "m2");
        // Ideographic and no-break spaces at the edges are trimmed.
        assert_eq!(fold("\u{3000}abc\u{00A0}"), "abc");
    }

    #[test]
    fn tokens_split_on_punctuation_and_whitespace() {
        assert_eq!(tokens("Acme, Inc."), vec!["acme", "inc"]);
        assert_eq!(tokens("PO-2024/000123"), vec!["po", "2024", "000123"]);
        assert_eq!(tokens("  a_b  c  "), vec!["a", "b", "c"]);
    }

    #[test]
    fn tokens_split_letter_digit_boundaries() {
        assert_eq!(tokens("po2024"), vec!["po", "2024"]);
        assert_eq!(tokens("INV12A7"), vec!["inv", "12", "a", "7"]);
    }

    #[test]
    fn tokens_keep_accented_letters_together() {
        assert_eq!(tokens("Café Müller"), vec!["café", "müller"]);
        assert_eq!(tokens("Straße 5"), vec!["straße", "5"]);
        assert_eq!(tokens("東京 株式会社"), vec!["東京", "株式会社"]);
    }

    #[test]
    fn tokens_after_nfkc() {
        assert_eq!(tokens("ＩＮＶ１２３"), vec!["inv", "123"]);
    }

    #[test]
    fn tokens_of_nothing() {
        assert!(tokens("").is_empty());
        assert!(tokens(" -/- ").is_empty());
    }

    #[test]
    fn tokens_keep_duplicates_and_order() {
        assert_eq!(tokens("b a b"), vec!["b", "a", "b"]);
    }

    #[test]
    fn skeleton_keeps_only_letters_and_digits() {
        assert_eq!(skeleton("PO-2024/000123"), "po2024000123");
        assert_eq!(skeleton(" po 2024 000123 "), "po2024000123");
        assert_eq!(skeleton("Müller & Söhne"), "müllersöhne");
        assert_eq!(skeleton("ＰＯ－１"), "po1");
        assert_eq!(skeleton("--/--"), "");
    }

    #[test]
    fn split_tokens_borrows_from_folded() {
        let folded = fold("A-1 b");
        let t: Vec<&str> = split_tokens(&folded).collect();
        assert_eq!(t, vec!["a", "1", "b"]);
    }
}
