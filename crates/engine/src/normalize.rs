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

/// A company name reduced to what identifies the company: accents, punctuation, a leading "the"
/// and trailing legal forms are dropped and "&" reads "and", so "The Northbridge Logistics GmbH",
/// "NORTHBRIDGE LOGISTICS" and "Northbridge Logistics" all become "northbridge logistics".
/// Spelled-out abbreviations ("S.A.", "L.L.C.") are joined first. Nothing is dropped that would
/// leave the name empty: "The Limited" stays "limited".
pub fn company_name(s: &str) -> String {
    let words = company_words(s);
    let mut start = 0;
    if words.len() > 1 && words[0] == "the" {
        start = 1;
    }
    let mut end = words.len();
    loop {
        let len = end - start;
        let at = |back: usize| {
            end.checked_sub(back)
                .and_then(|i| words.get(i))
                .map(String::as_str)
        };
        let (last, before) = (at(1), at(2));
        // "& Co." goes with its "&": "Smith & Co." is Smith.
        if len > 2 && last.is_some_and(is_co) && before.is_some_and(is_connector) {
            end -= 2;
        } else if len > 1 && last.is_some_and(is_legal_form) {
            end -= 1;
        } else {
            break;
        }
    }
    words[start..end].join(" ")
}

/// Whether the name ends with a legal form ("Acme GmbH", "Foo B.V."), after a name word.
pub(crate) fn ends_with_legal_form(s: &str) -> bool {
    let words = company_words(s);
    words.len() > 1 && words.last().is_some_and(|w| is_legal_form(w))
}

/// The words of a company name: folded, without accents, "&" as "and", apostrophes dropped,
/// other punctuation as spaces, and runs of single letters joined ("s a" -> "sa").
fn company_words(s: &str) -> Vec<String> {
    let folded = fold(s);
    let plain = strip_accents(&folded);
    let mut cleaned = String::with_capacity(plain.len() + 8);
    for c in plain.chars() {
        if c == '&' {
            cleaned.push_str(" and ");
        } else if c.is_alphanumeric() {
            cleaned.push(c);
        } else if !is_apostrophe(c) {
            // Apostrophes join ("McDonald's" = "McDonalds"); everything else separates.
            cleaned.push(' ');
        }
    }
    let mut words: Vec<String> = Vec::new();
    let mut initials = String::new();
    for word in cleaned.split_whitespace() {
        let mut chars = word.chars();
        let single_letter =
            matches!((chars.next(), chars.next()), (Some(c), None) if c.is_alphabetic());
        if single_letter {
            initials.push_str(word);
        } else {
            if !initials.is_empty() {
                words.push(std::mem::take(&mut initials));
            }
            words.push(word.to_owned());
        }
    }
    if !initials.is_empty() {
        words.push(initials);
    }
    words
}

/// NFKD without the combining marks: "société" -> "societe". ASCII has nothing to strip.
fn strip_accents(s: &str) -> std::borrow::Cow<'_, str> {
    use unicode_normalization::char::is_combining_mark;
    if s.is_ascii() {
        std::borrow::Cow::Borrowed(s)
    } else {
        std::borrow::Cow::Owned(s.nfkd().filter(|&c| !is_combining_mark(c)).collect())
    }
}

fn is_apostrophe(c: char) -> bool {
    matches!(
        c,
        '\'' | '\u{2019}' | '\u{2018}' | '\u{02BC}' | '`' | '\u{00B4}'
    )
}

fn is_connector(w: &str) -> bool {
    matches!(w, "and" | "und" | "et" | "y" | "e")
}

fn is_co(w: &str) -> bool {
    matches!(
        w,
        "co" | "cie" | "cia" | "company" | "compagnie" | "companies"
    )
}

/// Legal-form words as they read after punctuation is gone and initials are joined
/// ("S.A." -> "sa", "Sp. z o.o." -> "sp", "zoo").
fn is_legal_form(w: &str) -> bool {
    matches!(
        w,
        "gmbh"
            | "mbh"
            | "ag"
            | "kg"
            | "ohg"
            | "kgaa"
            | "ug"
            | "haftungsbeschrankt"
            | "gbr"
            | "ek"
            | "co"
            | "cie"
            | "company"
            | "corp"
            | "corporation"
            | "inc"
            | "incorporated"
            | "ltd"
            | "limited"
            | "llc"
            | "pllc"
            | "plc"
            | "lp"
            | "llp"
            | "sa"
            | "sas"
            | "sarl"
            | "sprl"
            | "srl"
            | "spa"
            | "sl"
            | "slu"
            | "cv"
            | "bv"
            | "bvba"
            | "nv"
            | "oy"
            | "oyj"
            | "ab"
            | "as"
            | "asa"
            | "aps"
            | "pty"
            | "pte"
            | "pvt"
            | "se"
            | "sro"
            | "sp"
            | "zoo"
            | "kft"
            | "zrt"
            | "lda"
            | "ltda"
    )
}

/// A reference number taken apart: "PO-2024-000123" has letters "po", groups ["2024", "123"] and
/// digits "2024000123". Build once per value; compare with [`reference_similarity`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ReferenceKey {
    /// The letters, lower-cased, in order.
    pub letters: String,
    /// Maximal runs of digits with leading zeros stripped ("000" is "0").
    pub groups: Vec<String>,
    /// Every digit, zeros included, in order.
    pub digits: String,
}

/// Takes a reference number apart (after `fold`, so full-width digits count).
pub fn reference_key(s: &str) -> ReferenceKey {
    let folded = fold(s);
    let mut key = ReferenceKey::default();
    let mut group_start: Option<usize> = None;
    for c in folded.chars() {
        if c.is_ascii_digit() {
            group_start.get_or_insert(key.digits.len());
            key.digits.push(c);
        } else {
            if let Some(from) = group_start.take() {
                key.groups.push(strip_zeros(&key.digits[from..]).to_owned());
            }
            if c.is_alphabetic() {
                key.letters.extend(c.to_lowercase());
            }
        }
    }
    if let Some(from) = group_start {
        key.groups.push(strip_zeros(&key.digits[from..]).to_owned());
    }
    key
}

fn strip_zeros(group: &str) -> &str {
    let stripped = group.trim_start_matches('0');
    if stripped.is_empty() {
        // A group of zeros is still a group: "0" keeps "PO-0-5" apart from "PO-5".
        &group[group.len() - 1..]
    } else {
        stripped
    }
}

/// The highest similarity of two references whose letters differ by one typo.
pub const LETTER_TYPO_CAP: f64 = 0.9;

/// Similarity in 0..=1 of two reference numbers.
///
/// - 1 when they are the same reference: the letters agree (or one side has none) and the digits
///   of one side can be written as the other's groups, each with any number of zeros before it
///   (`digits = 0* g1 0* g2 ... 0* gk`). So "PO-2024-000123", "PO 2024/123", "2024000123" and
///   "po2024000123" are all equal, but "2024-1230" is not "2024-123".
/// - Otherwise `(1 - d/L)^d`. `d` is the smallest optimal-string-alignment distance (Levenshtein
///   plus adjacent transpositions) between one side's digits and the other side's groups padded
///   with any number of zeros before each group, except that a prefix the first group shares with
///   the digits is aligned as it is (no padding inside it); the better of the two directions
///   counts. `L` is the longer of the digits and the unpadded groups. One typo in ten digits
///   scores 0.9, two 0.64, three 0.34: each further difference makes "the same reference,
///   mistyped" much less likely than "another reference".
/// - Letters that differ on both sides ("INV-2024-1" vs "PO-2024-1") cap the score at 0.5; when
///   they differ by one edit ("pon" vs "po": a typo) the cap is [`LETTER_TYPO_CAP`].
/// - References without digits compare their letters the same way; a reference with digits and
///   one without, or an empty one, score 0.
pub fn reference_similarity(a: &ReferenceKey, b: &ReferenceKey) -> f64 {
    match (a.digits.is_empty(), b.digits.is_empty()) {
        (false, false) => {
            let cap = if a.letters.is_empty() || b.letters.is_empty() || a.letters == b.letters {
                1.0
            } else if within_one_edit(&a.letters, &b.letters) {
                // "PO-2024n019077": a slip of the keyboard in the prefix, not another series.
                LETTER_TYPO_CAP
            } else {
                0.5
            };
            if a.digits == b.digits
                || padded_match(&a.groups, b.digits.as_bytes())
                || padded_match(&b.groups, a.digits.as_bytes())
            {
                return cap;
            }
            let one = padded_score(&a.groups, b.digits.as_bytes());
            let other = padded_score(&b.groups, a.digits.as_bytes());
            one.max(other).min(cap)
        }
        (true, true) if !a.letters.is_empty() && !b.letters.is_empty() => {
            if a.letters == b.letters {
                return 1.0;
            }
            letters_score(&a.letters, &b.letters)
        }
        _ => 0.0,
    }
}

/// Whether two different strings are one substitution, insertion, deletion or adjacent
/// transposition apart (`strsim::osa_distance(a, b) <= 1`), without a table.
fn within_one_edit(a: &str, b: &str) -> bool {
    if !(a.is_ascii() && b.is_ascii()) {
        // Rare; the allocation does not matter there.
        return strsim::osa_distance(a, b) <= 1;
    }
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (long, short) = if a.len() >= b.len() { (a, b) } else { (b, a) };
    if long.len() - short.len() > 1 {
        return false;
    }
    let i = long.iter().zip(short).take_while(|(x, y)| x == y).count();
    if long.len() != short.len() {
        return long[i + 1..] == short[i..];
    }
    if i == long.len() {
        return true;
    }
    let substitution = long[i + 1..] == short[i + 1..];
    let transposition = i + 1 < long.len()
        && long[i] == short[i + 1]
        && long[i + 1] == short[i]
        && long[i + 2..] == short[i + 2..];
    substitution || transposition
}

/// Whether `digits` is `0* g1 0* g2 ... 0* gk` for the `groups`. A group "0" needs at least one
/// zero of its own, so the zeros before a non-zero group must cover the zero groups just before it.
fn padded_match(groups: &[String], digits: &[u8]) -> bool {
    let mut pos = 0;
    let mut zero_groups = 0;
    for group in groups {
        if group == "0" {
            zero_groups += 1;
            continue;
        }
        let zeros = digits[pos..].iter().take_while(|&&d| d == b'0').count();
        if zeros < zero_groups {
            return false;
        }
        pos += zeros;
        zero_groups = 0;
        let g = group.as_bytes();
        if !digits[pos..].starts_with(g) {
            return false;
        }
        pos += g.len();
    }
    let rest = &digits[pos..];
    if zero_groups == 0 {
        rest.is_empty()
    } else {
        rest.len() >= zero_groups && rest.iter().all(|&d| d == b'0')
    }
}

fn graded(distance: usize, longest: usize) -> f64 {
    if longest == 0 {
        return 0.0;
    }
    let base = (1.0 - distance as f64 / longest as f64).clamp(0.0, 1.0);
    let exponent = i32::try_from(distance).unwrap_or(i32::MAX);
    base.powi(exponent)
}

/// `graded` of the edit distance between `digits` and the concatenated `groups`, inserting zeros
/// before a group costing nothing.
fn padded_score(groups: &[String], digits: &[u8]) -> f64 {
    let pattern_len: usize = groups.iter().map(String::len).sum();
    let longest = pattern_len.max(digits.len());
    let first = groups.first().map_or(&[][..], |g| g.as_bytes());
    // A prefix shared within the first group can be dropped: no padding is possible inside it, so
    // matching it as it is stays optimal (most numbers of one series share "2024" and the like).
    // Not for a group "0", whose zero could also be padding.
    let skip = if first.first() == Some(&b'0') {
        0
    } else {
        first.iter().zip(digits).take_while(|(x, y)| x == y).count()
    };
    // free[i]: zeros of the text may be skipped for free before pattern position i, that is
    // before every group (padding) but not after the last one.
    let distance = with_buffers(pattern_len, digits.len() - skip, |pattern, free, rows| {
        let mut at = 0;
        for g in groups {
            free[at] = true;
            pattern[at..at + g.len()].copy_from_slice(g.as_bytes());
            at += g.len();
        }
        edit_distance(&pattern[skip..], &free[skip..], &digits[skip..], rows)
    });
    graded(distance, longest)
}

/// Letters-only references: `graded` of their plain edit distance (no free padding).
fn letters_score(a: &str, b: &str) -> f64 {
    let longest = a.chars().count().max(b.chars().count());
    let distance = if a.is_ascii() && b.is_ascii() {
        with_buffers(a.len(), b.len(), |_, free, rows| {
            edit_distance(a.as_bytes(), free, b.as_bytes(), rows)
        })
    } else {
        // Letters are rarely non-ASCII; the allocation does not matter there.
        let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
        let free = vec![false; a.len() + 1];
        let mut rows = vec![0u32; 3 * (b.len() + 1)];
        edit_distance(&a, &free, &b, &mut rows)
    };
    graded(distance, longest)
}

/// Runs `f` with a zeroed pattern of `pattern_len` bytes, `pattern_len + 1` cleared flags and
/// three zeroed rows of `text_len + 1` cells: on the stack for references of up to 32 digits.
fn with_buffers<R>(
    pattern_len: usize,
    text_len: usize,
    f: impl FnOnce(&mut [u8], &mut [bool], &mut [u32]) -> R,
) -> R {
    const MAX: usize = 32;
    if pattern_len <= MAX && text_len <= MAX {
        let mut pattern = [0u8; MAX];
        let mut free = [false; MAX + 1];
        let mut rows = [0u32; 3 * (MAX + 1)];
        f(
            &mut pattern[..pattern_len],
            &mut free[..=pattern_len],
            &mut rows[..3 * (text_len + 1)],
        )
    } else {
        let mut pattern = vec![0u8; pattern_len];
        let mut free = vec![false; pattern_len + 1];
        let mut rows = vec![0u32; 3 * (text_len + 1)];
        f(&mut pattern, &mut free, &mut rows)
    }
}

/// Optimal-string-alignment distance (Levenshtein plus adjacent transpositions) between
/// `pattern` and `text`, where zeros of the text may be skipped for free before pattern position
/// `i` when `free[i]` (`free` has `pattern.len() + 1` flags). `rows` holds three rows of
/// `text.len() + 1` cells.
fn edit_distance<T: Copy + PartialEq + ZeroLike>(
    pattern: &[T],
    free: &[bool],
    text: &[T],
    rows: &mut [u32],
) -> usize {
    let width = text.len() + 1;
    let (older, rest) = rows.split_at_mut(width);
    let (prev, cur) = rest.split_at_mut(width);
    let (mut older, mut prev, mut cur) = (older, prev, &mut cur[..width]);
    let free_at = |i: usize| free.get(i).copied().unwrap_or(false);
    prev[0] = 0;
    let free_start = free_at(0);
    for j in 1..width {
        prev[j] = prev[j - 1] + u32::from(!(free_start && text[j - 1].is_zero()));
    }
    for (i, &p) in pattern.iter().enumerate() {
        let free_here = free_at(i + 1);
        let before = i.checked_sub(1).map(|b| pattern[b]);
        cur[0] = prev[0] + 1;
        for j in 1..width {
            let t = text[j - 1];
            let insert_cost = u32::from(!(free_here && t.is_zero()));
            let mut best = (prev[j - 1] + u32::from(p != t))
                .min(prev[j] + 1)
                .min(cur[j - 1] + insert_cost);
            if j > 1 && before == Some(t) && text[j - 2] == p {
                best = best.min(older[j - 2] + 1);
            }
            cur[j] = best;
        }
        std::mem::swap(&mut older, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[width - 1] as usize
}

trait ZeroLike {
    fn is_zero(&self) -> bool;
}

impl ZeroLike for u8 {
    fn is_zero(&self) -> bool {
        *self == b'0'
    }
}

impl ZeroLike for char {
    fn is_zero(&self) -> bool {
        *self == '0'
    }
}

/// Keys for finding candidate references: two references that [`reference_similarity`] finds
/// equal always share one, and so do two whose digits differ by one typo.
///
/// Keys are built from the digits with every zero removed, `s`, which padding cannot change; a
/// typo in the raw digits is at most one edit of `s` (a zero typed or lost is none). With `m`
/// the length of `s`, the keys are
/// - `s` tagged with every position `0..=m` ("3:224123"),
/// - from four characters on, `s` without its character at `p`, tagged with `p` (substitution:
///   both sides give the same; deletion and insertion: the longer side's equals the shorter's
///   tagged `s`),
/// - and `s` with the adjacent pair at `p` put in order, tagged "t`p`" (transposition).
///
/// The position tags keep references apart that differ by two edits but would share an untagged
/// deletion ("12345" and "13452" both become "1345"), which in dense numbering is most of them.
/// References without digits use their letters the same way.
pub fn reference_blocking_keys(key: &ReferenceKey) -> Vec<String> {
    let mut keys = Vec::new();
    for_each_reference_key(key, |k| keys.push(k.to_owned()));
    keys
}

/// Calls `f` with each of [`reference_blocking_keys`], in the same order, built in one reused
/// buffer: a million-row index makes twenty million keys and needs no string for each.
pub fn for_each_reference_key(key: &ReferenceKey, f: impl FnMut(&str)) {
    struct Buffered<F> {
        buf: String,
        f: F,
    }
    impl<F: FnMut(&str)> KeyWriter for Buffered<F> {
        fn begin(&mut self) {
            self.buf.clear();
        }
        fn push(&mut self, c: char) {
            self.buf.push(c);
        }
        fn end(&mut self) {
            (self.f)(&self.buf);
        }
    }
    write_reference_keys(
        key,
        &mut Buffered {
            buf: String::with_capacity(16),
            f,
        },
    );
}

/// Where [`write_reference_keys`] puts each key, a character at a time: into a string, or
/// straight into a hash, which is how the index takes its twenty million keys.
pub trait KeyWriter {
    fn begin(&mut self);
    fn push(&mut self, c: char);
    fn end(&mut self);
}

/// Writes each of [`reference_blocking_keys`], in the same order, to `w`.
pub fn write_reference_keys(key: &ReferenceKey, w: &mut impl KeyWriter) {
    let base: Vec<char> = if key.digits.is_empty() {
        key.letters.chars().collect()
    } else {
        let nz: Vec<char> = key.digits.chars().filter(|&c| c != '0').collect();
        if nz.is_empty() {
            // All zeros: "0" and "000" are the same reference and need a key of their own.
            vec!['0']
        } else {
            nz
        }
    };
    let m = base.len();
    if m == 0 {
        return;
    }
    // Twenty million keys for a million references: the tag is written by hand, not formatted.
    let mut emit = |prefix: Option<char>, tag: usize, body: &mut dyn Iterator<Item = char>| {
        w.begin();
        if let Some(c) = prefix {
            w.push(c);
        }
        push_decimal(w, tag);
        w.push(':');
        body.for_each(|c| w.push(c));
        w.end();
    };
    for q in 0..=m {
        emit(None, q, &mut base.iter().copied());
    }
    if m >= MIN_TYPO_BASE {
        for p in 0..m {
            emit(
                None,
                p,
                &mut base[..p].iter().chain(&base[p + 1..]).copied(),
            );
        }
        for p in 0..m - 1 {
            let (x, y) = (base[p], base[p + 1]);
            if x != y {
                let pair = [x.min(y), x.max(y)];
                emit(
                    Some('t'),
                    p,
                    &mut base[..p].iter().chain(&pair).chain(&base[p + 2..]).copied(),
                );
            }
        }
    }
}

fn push_decimal(w: &mut impl KeyWriter, n: usize) {
    if n >= 10 {
        push_decimal(w, n / 10);
    }
    w.push(char::from(b'0' + (n % 10) as u8));
}

/// A lower bound of the digit edits between two references, in O(length): digits one side has
/// more of than the other (zeros left out, as padding may be free). Lets a comparison that cannot
/// reach a threshold skip the edit-distance table.
pub fn reference_digit_bound(a: &ReferenceKey, b: &ReferenceKey) -> usize {
    let mut counts = [0i32; 10];
    for c in a.digits.bytes() {
        if c != b'0' {
            counts[(c - b'0') as usize] += 1;
        }
    }
    for c in b.digits.bytes() {
        if c != b'0' {
            counts[(c - b'0') as usize] -= 1;
        }
    }
    let more: i32 = counts.iter().filter(|&&c| c > 0).sum();
    let fewer: i32 = -counts.iter().filter(|&&c| c < 0).sum::<i32>();
    more.max(fewer) as usize
}

/// The highest `reference_similarity` two references `distance` digit edits apart can have when
/// neither has more than `longest` digits (the score falls with distance and rises with length).
pub fn reference_score_bound(distance: usize, longest: usize) -> f64 {
    if distance == 0 {
        1.0
    } else {
        graded(distance, longest)
    }
}

/// Below this many zero-free digits, one-edit keys would be two or three digits long and shared
/// by a large part of any reference set.
const MIN_TYPO_BASE: usize = 4;

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

    #[test]
    fn company_names_meet_without_legal_forms() {
        let groups: &[&[&str]] = &[
            &[
                "Northbridge Logistics GmbH",
                "NORTHBRIDGE LOGISTICS",
                "The Northbridge Logistics Gmbh",
            ],
            &["Acme Corp.", "Acme Corporation", "ACME CORP", "Acme"],
            &["Eastport Services S.A.", "Eastport Services SA"],
            &["Foo B.V.", "Foo BV"],
            &["Bar Ltd", "Bar Limited", "Bar Ltd."],
            &["Baz Inc.", "Baz Incorporated", "Baz, Inc."],
            &["Qux L.L.C.", "Qux LLC"],
            &[
                "Société Générale",
                "SOCIETE GENERALE S.A.",
                "Societe Generale",
            ],
            &[
                "Müller Bau GmbH & Co. KG",
                "Muller Bau GmbH + Co KG",
                "Müller Bau",
            ],
            &["Smith & Co.", "Smith and Company", "Smith"],
            &["Pérez y Cía.", "PEREZ"],
            &["Kowalski Sp. z o.o.", "Kowalski"],
            &["Hanse Pty. Ltd.", "Hanse Pty Ltd", "Hanse"],
            &["Nordic Oy", "NORDIC"],
            &["McDonald's Corp", "McDonalds"],
            &["Start UG (haftungsbeschränkt)", "Start"],
        ];
        for group in groups {
            let first = company_name(group[0]);
            for name in *group {
                assert_eq!(company_name(name), first, "{name:?} vs {:?}", group[0]);
            }
        }
        assert_eq!(
            company_name("Northbridge Logistics GmbH"),
            "northbridge logistics"
        );
        assert_eq!(company_name("Société Générale"), "societe generale");
        assert_eq!(company_name("Eastport Services S.A."), "eastport services");
        assert_eq!(company_name("Müller & Söhne"), "muller and sohne");
    }

    #[test]
    fn company_name_keeps_something() {
        assert_eq!(company_name("The Limited"), "limited");
        assert_eq!(company_name("GmbH"), "gmbh");
        assert_eq!(company_name("Co. KG"), "co");
        assert_eq!(company_name("The"), "the");
        assert_eq!(company_name("& Co"), "and");
        assert_eq!(company_name(""), "");
        assert_eq!(company_name(" .,- "), "");
        // Only the end is stripped: a legal-form word inside the name stays.
        assert_eq!(company_name("AG Consulting Ltd"), "ag consulting");
        assert_eq!(company_name("The Company Store Inc"), "company store");
    }

    #[test]
    fn company_name_joins_initials_and_spaces() {
        assert_eq!(
            company_name("  I.B.M.   Deutschland  G.m.b.H. "),
            "ibm deutschland"
        );
        assert_eq!(company_name("A B C Trading"), "abc trading");
        assert_eq!(company_name("Coca-Cola"), "coca cola");
        assert_eq!(company_name("ＡＣＭＥ　ＧＭＢＨ"), "acme");
        assert_eq!(company_name("株式会社 東京"), "株式会社 東京");
    }

    fn key(s: &str) -> ReferenceKey {
        reference_key(s)
    }

    #[test]
    fn reference_key_parts() {
        let k = key("PO-2024-000123");
        assert_eq!(k.letters, "po");
        assert_eq!(k.groups, ["2024", "123"]);
        assert_eq!(k.digits, "2024000123");
        let k = key("ＩＮＶ０００/0/7a");
        assert_eq!(k.letters, "inva");
        assert_eq!(k.groups, ["0", "0", "7"]);
        assert_eq!(k.digits, "00007");
        assert_eq!(key(""), ReferenceKey::default());
        assert_eq!(key("Ärger").letters, "ärger");
    }

    fn sim(a: &str, b: &str) -> f64 {
        let s = reference_similarity(&key(a), &key(b));
        let t = reference_similarity(&key(b), &key(a));
        assert_eq!(s, t, "not symmetric: {a:?} {b:?}");
        s
    }

    #[test]
    fn same_reference_in_every_spelling() {
        let spellings = [
            "PO-2024-000123",
            "PO 2024/123",
            "2024000123",
            "po2024000123",
            "P-O2024-000123",
            "po 2024 0123",
            "ＰＯ－２０２４－０００１２３",
            "2024-123",
        ];
        for a in spellings {
            for b in spellings {
                assert_eq!(sim(a, b), 1.0, "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn padding_goes_before_groups_only() {
        // Zeros before any group are free...
        assert_eq!(sim("2024-5-7", "020240050007"), 1.0);
        assert_eq!(sim("PO-0-5", "PO 00005"), 1.0);
        assert_eq!(sim("PO-0-0", "PO 000"), 1.0);
        assert_eq!(sim("PO-0-0", "PO 00"), 1.0);
        // ...but a zero group needs a zero, and nothing comes after the last group.
        assert_eq!(sim("PO-0-0", "PO 0"), 1.0);
        assert_eq!(sim("PO-0-5", "PO 5"), 1.0);
        assert!(sim("PO-0-0-5", "PO 0-5") == 1.0);
        assert!(sim("PO-1-0-0", "PO 1-0") == 1.0);
        assert!(sim("PO-1-0-0", "PO 1") < 1.0);
        assert!(sim("2024-123", "20241230") < 1.0);
        assert!(sim("2024-123", "2024-1230") < 1.0);
        assert!(sim("2024-123", "2024-1203") < 1.0);
        // A group cannot be split: "1023" is not "10" and "23".
        assert!(sim("10-23", "1023") == 1.0);
        assert!(sim("10-23", "10023") == 1.0);
        assert!(sim("1023", "10023") < 1.0);
    }

    #[test]
    fn padded_match_is_the_definition() {
        let groups = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let g = groups(&["2024", "123"]);
        for digits in ["2024123", "02024123", "2024000123", "0020240123"] {
            assert!(padded_match(&g, digits.as_bytes()), "{digits}");
        }
        for digits in ["", "2024", "20241230", "2024123 ", "2024100123", "202412"] {
            assert!(!padded_match(&g, digits.as_bytes()), "{digits}");
        }
        let zeros = groups(&["0", "0", "5"]);
        assert!(padded_match(&zeros, b"005"));
        assert!(padded_match(&zeros, b"00005"));
        assert!(!padded_match(&zeros, b"05"));
        assert!(padded_match(&groups(&[]), b""));
        assert!(!padded_match(&groups(&[]), b"0"));
    }

    #[test]
    fn letters_cap_and_missing_letters() {
        assert_eq!(sim("INV-2024-1", "PO-2024-1"), 0.5);
        assert_eq!(sim("INV-2024-1", "2024-1"), 1.0);
        let capped = sim("INV-2024-000123", "PO-2024-000124");
        assert!(capped <= 0.5 && capped > 0.4, "{capped}");
        assert_eq!(sim("PO-2024-1", "po 2024 1"), 1.0);
    }

    /// The padded distance by brute force: the best plain OSA distance over paddings of up to
    /// as many zeros before each group as the digits have, after the prefix the first group
    /// shares with the digits (no padding inside it).
    fn brute_padded_distance(groups: &[String], digits: &str) -> usize {
        let first = groups[0].as_str();
        let skip = if first.starts_with('0') {
            0
        } else {
            first
                .bytes()
                .zip(digits.bytes())
                .take_while(|(x, y)| x == y)
                .count()
        };
        let mut rest: Vec<&str> = groups.iter().map(String::as_str).collect();
        rest[0] = &first[skip..];
        let options = digits.len() + 1;
        let combos = options.pow(groups.len() as u32);
        let mut best = usize::MAX;
        for combo in 0..combos {
            // No padding inside the shared prefix's group.
            if skip > 0 && combo % options != 0 {
                continue;
            }
            let mut padded = String::new();
            let mut c = combo;
            for g in &rest {
                padded.push_str(&"0".repeat(c % options));
                c /= options;
                padded.push_str(g);
            }
            best = best.min(strsim::osa_distance(&padded, &digits[skip..]));
        }
        best
    }

    #[test]
    fn padded_distance_is_the_best_padding() {
        let mut rng = Rng(0xabcd_ef01_2345_6789);
        let digit = |rng: &mut Rng| char::from(b'0' + [0, 0, 1, 2, 3][rng.index(5)] as u8);
        for _ in 0..20_000 {
            let raw_a: String = (0..1 + rng.index(7))
                .map(|_| {
                    if rng.index(4) == 0 {
                        '-'
                    } else {
                        digit(&mut rng)
                    }
                })
                .collect();
            let digits: String = (0..rng.index(7)).map(|_| digit(&mut rng)).collect();
            let a = key(&raw_a);
            if a.groups.is_empty() {
                continue;
            }
            let expected = brute_padded_distance(&a.groups, &digits);
            let pattern_len: usize = a.groups.iter().map(String::len).sum();
            let longest = pattern_len.max(digits.len());
            let actual = padded_score(&a.groups, digits.as_bytes());
            assert_eq!(
                actual,
                graded(expected, longest),
                "{:?} {digits:?}",
                a.groups
            );
        }
    }

    #[test]
    fn letters_one_edit_apart_are_a_typo() {
        assert_eq!(sim("PO-2024n019077", "PO-2024-019077"), LETTER_TYPO_CAP);
        assert_eq!(sim("OP-2024-019077", "PO-2024-019077"), LETTER_TYPO_CAP);
        assert_eq!(sim("PX-2024-019077", "PO-2024-019077"), LETTER_TYPO_CAP);
        assert_eq!(sim("INV-2024-019077", "PO-2024-019077"), 0.5);
        let words = [
            "", "a", "ab", "ba", "abc", "acb", "abd", "abcd", "bacd", "xyz", "ä", "äb", "baä",
        ];
        for a in words {
            for b in words {
                let expected = strsim::osa_distance(a, b) <= 1;
                assert_eq!(within_one_edit(a, b), expected, "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn typos_grade_below_one() {
        // One digit transposed, in the padded form: one edit of ten.
        let s = sim("PO-2024-001023", "PO-2024-000123");
        assert!((s - 0.9).abs() < 1e-12, "{s}");
        // Substitution, with the other side unpadded.
        let s = sim("PO 2024/124", "PO-2024-000123");
        assert!((s - 0.9).abs() < 1e-12, "{s}");
        let s = sim("PO-2024-000124", "PO-2024-000123");
        assert!((s - 0.9).abs() < 1e-12, "{s}");
        // Deletion and insertion.
        assert!((sim("PO-2024-00123", "PO-2024-000123") - 1.0).abs() < 1e-12);
        let s = sim("PO-2024-000113", "PO-2024-0001123");
        assert!(s > 0.85 && s < 1.0, "{s}");
        // Two edits.
        let s = sim("PO-2024-000123", "PO-2024-000321");
        assert!((s - 0.64).abs() < 1e-12, "{s}");
        // Unrelated numbers.
        assert!(sim("PO-2024-000123", "PO-2023-004567") < 0.2);
        assert!(sim("PO-2024-000123", "PO-2024-004567") < 0.2);
        assert!(sim("12345678", "87654321") < 0.05);
        assert!(sim("1", "2") == 0.0);
    }

    #[test]
    fn references_without_digits() {
        assert_eq!(sim("", ""), 0.0);
        assert_eq!(sim("--", "/"), 0.0);
        assert_eq!(sim("ABC", ""), 0.0);
        assert_eq!(sim("ABC", "abc"), 1.0);
        assert_eq!(sim("ABC", "ABC-1"), 0.0);
        let s = sim("ABCDEFGHIJ", "ABCDEFGHIK");
        assert!((s - 0.9).abs() < 1e-12, "{s}");
        let s = sim("MÜLLERSTRASSE", "MULLERSTRASSE");
        assert!(s > 0.9 && s < 1.0, "{s}");
    }

    #[test]
    fn long_references_do_not_panic() {
        let a = "9".repeat(300);
        let b = format!("{}8", "9".repeat(299));
        let s = sim(&a, &b);
        assert!(s > 0.99 && s < 1.0, "{s}");
        let c = "7".repeat(300);
        assert_eq!(sim(&a, &c), 0.0);
        assert_eq!(sim(&a, &a), 1.0);
    }

    #[test]
    fn reference_noise_stays_in_range() {
        let noise = crate::parse::tests::noise(400);
        let keys: Vec<ReferenceKey> = noise.iter().map(|s| key(s)).collect();
        for a in &keys {
            for b in &keys {
                let s = reference_similarity(a, b);
                assert!((0.0..=1.0).contains(&s), "{a:?} {b:?} {s}");
            }
            let _ = reference_blocking_keys(a);
        }
    }

    // The generators' deterministic random numbers, so measurements are reproducible.
    use datagen::rng::Rng;

    fn shares_key(a: &ReferenceKey, b: &ReferenceKey) -> bool {
        let ka = reference_blocking_keys(a);
        reference_blocking_keys(b).iter().any(|k| ka.contains(k))
    }

    /// The PO number as documents write it.
    fn spelling(rng: &mut Rng, year: u32, n: u32) -> String {
        match rng.index(6) {
            0 | 1 => format!("PO-{year}-{n:06}"),
            2 => format!("PO {year}/{n}"),
            3 => format!("{year}{n:06}"),
            4 => format!("po{year}{n:06}"),
            _ => format!("P-O{year}-{n:06}"),
        }
    }

    #[test]
    fn equal_references_always_share_a_key() {
        let mut rng = Rng(0x1234_5678_9abc_def1);
        for _ in 0..3_000 {
            let year = 2000 + rng.index(30) as u32;
            let n = rng.index(1_000_000) as u32;
            let canonical = key(&format!("PO-{year}-{n:06}"));
            let other = key(&spelling(&mut rng, year, n));
            assert_eq!(reference_similarity(&canonical, &other), 1.0);
            assert!(shares_key(&canonical, &other), "{canonical:?} {other:?}");
        }
        for (a, b) in [
            ("PO-0-0", "PO 000"),
            ("0", "000"),
            ("ABC", "abc"),
            ("10-23", "10023"),
        ] {
            assert_eq!(sim(a, b), 1.0);
            assert!(shares_key(&key(a), &key(b)), "{a} {b}");
        }
        assert!(reference_blocking_keys(&key("")).is_empty());
        assert!(reference_blocking_keys(&key("--")).is_empty());
    }

    #[test]
    fn blocking_keys_by_edit() {
        let shares = |a: &str, b: &str| shares_key(&key(a), &key(b));
        // Substitution, insertion, deletion, duplication, transposition.
        assert!(shares("PO-2024-012345", "PO-2024-012845"));
        assert!(shares("PO-2024-012345", "PO-2024-0123945"));
        assert!(shares("PO-2024-012345", "PO-2024-01245"));
        assert!(shares("PO-2024-012345", "PO-2024-0123345"));
        assert!(shares("PO-2024-012345", "PO-2024-013245"));
        // Zeros typed or lost change nothing.
        assert!(shares("PO-2024-012345", "PO-2024-102345"));
        // Two edits, even ones an untagged deletion would hide, share nothing.
        assert!(!shares("12345678", "13456782"));
        assert!(!shares("12345678", "12345697"));
        assert!(!shares("PO-2024-012345", "PO-2024-054321"));
        // Short references get their exact keys only.
        assert_eq!(
            reference_blocking_keys(&key("PO-0012")),
            ["0:12", "1:12", "2:12"]
        );
        assert_eq!(reference_blocking_keys(&key("000")), ["0:0", "1:0"]);
        let k = reference_blocking_keys(&key("PO-2024-000123"));
        assert!(
            k.len() <= 3 * 6 + 1 && k.iter().all(|k| k.len() <= 10),
            "{k:?}"
        );
    }

    /// One typo in the digits of `s`: deletion, insertion, duplication, substitution or adjacent
    /// transposition.
    fn digit_typo(rng: &mut Rng, s: &str) -> String {
        let mut chars: Vec<char> = s.chars().collect();
        let digit_at: Vec<usize> = (0..chars.len())
            .filter(|&i| chars[i].is_ascii_digit())
            .collect();
        let at = digit_at[rng.index(digit_at.len())];
        let random_digit = |rng: &mut Rng| char::from(b'0' + rng.index(10) as u8);
        match rng.index(5) {
            0 => {
                chars.remove(at);
            }
            1 => {
                let d = random_digit(rng);
                chars.insert(at + rng.index(2), d);
            }
            2 => chars.insert(at, chars[at]),
            3 => loop {
                let d = random_digit(rng);
                if d != chars[at] {
                    chars[at] = d;
                    break;
                }
            },
            _ => {
                let pairs: Vec<usize> = (0..chars.len().saturating_sub(1))
                    .filter(|&i| {
                        chars[i].is_ascii_digit()
                            && chars[i + 1].is_ascii_digit()
                            && chars[i] != chars[i + 1]
                    })
                    .collect();
                if pairs.is_empty() {
                    chars.remove(at);
                } else {
                    let i = pairs[rng.index(pairs.len())];
                    chars.swap(i, i + 1);
                }
            }
        }
        chars.into_iter().collect()
    }

    #[test]
    fn one_digit_typos_share_a_key() {
        let mut rng = Rng(0x0dd_ba11_cafe_f00d);
        let trials = 5_000;
        let (mut shared, mut high) = (0usize, 0usize);
        for _ in 0..trials {
            let year = 2019 + rng.index(7) as u32;
            let n = 1 + rng.index(999_999) as u32;
            let canonical = key(&format!("PO-{year}-{n:06}"));
            let written = spelling(&mut rng, year, n);
            let typo = key(&digit_typo(&mut rng, &written));
            if shares_key(&canonical, &typo) {
                shared += 1;
            }
            if reference_similarity(&canonical, &typo) >= 0.8 {
                high += 1;
            }
        }
        let recall = shared as f64 / trials as f64;
        let scored = high as f64 / trials as f64;
        eprintln!("one-typo key recall: {recall:.4}; scored >= 0.8: {scored:.4}");
        assert!(recall >= 0.95, "{recall}");
        assert!(scored >= 0.9, "{scored}");
    }

    /// Average number of other references sharing a key with one of them, over `sample` of them
    /// picked at random.
    fn key_neighbours(refs: &[String], sample: usize) -> f64 {
        use std::hash::{BuildHasher, RandomState};
        // Keys as 64-bit hashes in a sorted list of (key, reference): much cheaper than a map of
        // string postings, and a collision in 2^64 does not move an average.
        let hasher = RandomState::new();
        let keys: Vec<Vec<u64>> = refs
            .iter()
            .map(|r| {
                let ks = reference_blocking_keys(&key(r));
                ks.iter().map(|k| hasher.hash_one(k)).collect()
            })
            .collect();
        let mut pairs: Vec<(u64, u32)> = keys
            .iter()
            .enumerate()
            .flat_map(|(i, ks)| ks.iter().map(move |&k| (k, i as u32)))
            .collect();
        pairs.sort_unstable();
        let mut rng = Rng(0x5eed_5eed_5eed_5eed);
        let mut total = 0usize;
        let mut seen = std::collections::HashSet::new();
        for _ in 0..sample {
            let i = rng.index(refs.len());
            seen.clear();
            for &k in &keys[i] {
                let from = pairs.partition_point(|&(pk, _)| pk < k);
                let to = pairs.partition_point(|&(pk, _)| pk <= k);
                seen.extend(
                    pairs[from..to]
                        .iter()
                        .map(|&(_, j)| j)
                        .filter(|&j| j as usize != i),
                );
            }
            total += seen.len();
        }
        total as f64 / sample.max(1) as f64
    }

    #[test]
    fn unrelated_references_rarely_share_a_key() {
        let mut rng = Rng(0xfeed_beef_0bad_cafe);
        let mut set = std::collections::HashSet::new();
        while set.len() < 100_000 {
            let year = 2019 + rng.index(7) as u32;
            let n = 1 + rng.index(999_999) as u32;
            set.insert(format!("PO-{year}-{n:06}"));
        }
        let mut random: Vec<String> = set.into_iter().collect();
        random.sort();
        let random_avg = key_neighbours(&random, 2_000);
        let sequential: Vec<String> = (1..=100_000).map(|n| format!("PO-2024-{n:06}")).collect();
        let sequential_avg = key_neighbours(&sequential, 2_000);
        let keys_per_reference = random
            .iter()
            .step_by(100)
            .map(|r| reference_blocking_keys(&key(r)).len())
            .sum::<usize>() as f64
            / 1_000.0;
        eprintln!(
            "other references sharing a key, 100k set: random {random_avg:.2}, \
             sequential {sequential_avg:.2}; {keys_per_reference:.1} keys per reference"
        );
        assert!(random_avg < 20.0, "{random_avg}");
    }
}
