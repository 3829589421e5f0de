//! How a duplicate differs from its original: one to three FEBRL-style modifications (typos, OCR
//! and phonetic variants, nicknames, split or swapped names, blanks, digit slips, swapped day and
//! month).

use super::vocabulary::*;
use super::*;

/// A duplicate of `f` with one to three modifications (40 %, 35 %, 25 %).
pub(super) fn corrupt(rng: &mut Rng, t: &Tables, f: &Fields) -> Fields {
    let mut out = f.clone();
    let modifications = 1 + rng.weighted(&[40, 35, 25]);
    let mut done = 0;
    // A modification that cannot apply (a blank field) is drawn again; the bound only guards
    // against a record with nothing left to modify.
    for _ in 0..50 {
        if done == modifications {
            break;
        }
        let field = rng.weighted(&MODIFY_FIELD_WEIGHTS);
        if modify(rng, t, &mut out, field) {
            done += 1;
        }
    }
    // Two modifications can cancel out (a name swap swapped back); a duplicate is never exact.
    for _ in 0..50 {
        if out != *f {
            break;
        }
        let field = rng.weighted(&MODIFY_FIELD_WEIGHTS);
        modify(rng, t, &mut out, field);
    }
    out
}

/// Applies one modification to `field`; false when it changed nothing.
fn modify(rng: &mut Rng, t: &Tables, f: &mut Fields, field: usize) -> bool {
    if f[field].is_empty() {
        return false;
    }
    let before = f[field].clone();
    let v = f[field].as_str();
    let new = match field {
        GIVEN | SURNAME => match modified_name(rng, t, v, field) {
            Some(new) => new,
            None => return swap_names(f),
        },
        STREET_NUMBER | ADDRESS_1 | ADDRESS_2 | SUBURB | POSTCODE | STATE => {
            modified_address(rng, v, field)
        }
        DOB => modified_date_of_birth(rng, v),
        _ => match rng.weighted(&[48, 25, 10, 12, 5]) {
            0 => digit_typo(rng, v),
            1 => transpose_any(rng, v),
            2 => insert_or_delete_digit(rng, v),
            3 => String::new(),
            _ => ocr(rng, v),
        },
    };
    f[field] = new;
    f[field] != before
}

/// A given name or surname modified; `None` when the draw is to swap the two names instead.
fn modified_name(rng: &mut Rng, t: &Tables, v: &str, field: usize) -> Option<String> {
    // Percent: typo, OCR, phonetic, nickname / new surname, blank, split, swap.
    Some(match rng.weighted(&[49, 8, 14, 10, 7, 8, 4]) {
        0 => typo(rng, v),
        1 => ocr(rng, v),
        2 => phonetic(rng, v),
        3 if field == GIVEN => nickname(rng, v),
        // A surname changed by marriage.
        3 => t.surnames.draw(rng).to_string(),
        4 => String::new(),
        5 => split_word(rng, v),
        _ => return None,
    })
}

/// Swaps given name and surname; false (nothing done) when either is blank.
fn swap_names(f: &mut Fields) -> bool {
    if f[GIVEN].is_empty() || f[SURNAME].is_empty() {
        return false;
    }
    f.swap(GIVEN, SURNAME);
    true
}

/// A part of the address (street number to state) modified.
fn modified_address(rng: &mut Rng, v: &str, field: usize) -> String {
    match field {
        STREET_NUMBER => match rng.weighted(&[38, 15, 12, 10, 25]) {
            0 => digit_typo(rng, v),
            1 => transpose_any(rng, v),
            2 => String::new(),
            3 => ocr(rng, v),
            // FEBRL replaces street numbers wholesale now and then.
            _ => (1 + rng.below(200)).to_string(),
        },
        ADDRESS_1 => match rng.weighted(&[47, 25, 8, 6, 8, 6]) {
            0 => typo(rng, v),
            1 => abbreviate_street(rng, v),
            2 => ocr(rng, v),
            3 => String::new(),
            4 => split_word(rng, v),
            _ => phonetic(rng, v),
        },
        ADDRESS_2 => match rng.weighted(&[68, 12, 10, 10]) {
            0 => typo(rng, v),
            1 => String::new(),
            2 => ocr(rng, v),
            _ => split_word(rng, v),
        },
        SUBURB => match rng.weighted(&[57, 10, 15, 6, 12]) {
            0 => typo(rng, v),
            1 => ocr(rng, v),
            2 => phonetic(rng, v),
            3 => String::new(),
            _ => split_word(rng, v),
        },
        POSTCODE => match rng.weighted(&[52, 30, 10, 8]) {
            0 => digit_typo(rng, v),
            1 => transpose_any(rng, v),
            2 => ocr(rng, v),
            _ => String::new(),
        },
        _ => match rng.weighted(&[55, 15, 30]) {
            0 => typo(rng, v),
            1 => String::new(),
            _ => rng.pick(STATES).0.to_string(),
        },
    }
}

fn modified_date_of_birth(rng: &mut Rng, v: &str) -> String {
    match rng.weighted(&[37, 15, 25, 8, 15]) {
        0 => digit_typo(rng, v),
        1 => transpose_any(rng, v),
        2 => swap_day_month(rng, v),
        3 => String::new(),
        // The year mistyped: 1956 for 1965.
        _ => {
            let mut b = v.as_bytes().to_vec();
            if b.len() == 8 {
                b.swap(2, 3);
            }
            String::from_utf8(b).unwrap_or_default()
        }
    }
}

/// Where a typo lands: anywhere, but the first character only a third as often.
fn typo_position(rng: &mut Rng, len: usize) -> usize {
    if len <= 1 || rng.chance(1.0 / (3.0 * len as f64 - 2.0)) {
        0
    } else {
        1 + rng.index(len - 1)
    }
}

fn neighbour(rng: &mut Rng, c: u8) -> Option<u8> {
    KEY_NEIGHBOURS
        .iter()
        .find(|(k, _)| *k == c)
        .map(|(_, n)| rng.pick(n.as_bytes()))
}

/// A keyboard slip: substitute (mostly a neighbouring key), insert, delete or transpose one
/// character. Spaces are left alone.
fn typo(rng: &mut Rng, v: &str) -> String {
    let mut b = v.as_bytes().to_vec();
    if b.is_empty() {
        return String::new();
    }
    let mut at = typo_position(rng, b.len());
    for _ in 0..8 {
        if b[at] != b' ' {
            break;
        }
        at = typo_position(rng, b.len());
    }
    if b[at] == b' ' {
        return v.to_string();
    }
    let c = b[at];
    let random_like = |rng: &mut Rng, c: u8| {
        if c.is_ascii_digit() {
            b'0' + rng.below(10) as u8
        } else {
            b'a' + rng.below(26) as u8
        }
    };
    match rng.weighted(&[40, 20, 25, 15]) {
        0 => {
            let mut r = if rng.chance(0.75) {
                neighbour(rng, c).unwrap_or(c)
            } else {
                random_like(rng, c)
            };
            if r == c {
                r = random_like(rng, c);
            }
            b[at] = r;
        }
        1 => {
            // Hitting a neighbour as well, or the same key twice.
            let r = if rng.chance(0.5) {
                neighbour(rng, c).unwrap_or(c)
            } else {
                c
            };
            b.insert(at + usize::from(rng.chance(0.5)), r);
        }
        2 if b.len() > 1 => {
            b.remove(at);
        }
        _ => {
            let at = at.min(b.len().saturating_sub(2));
            if b.len() >= 2 && b[at] != b[at + 1] && b[at + 1] != b' ' && b[at] != b' ' {
                b.swap(at, at + 1);
            } else {
                b[at] = neighbour(rng, c).unwrap_or(c);
            }
        }
    }
    String::from_utf8(b).unwrap_or_default()
}

/// Replaces one occurrence of a pattern by its replacement, chosen at random among all
/// occurrences of all applicable pairs; `None` when no pair applies.
fn replace_one(rng: &mut Rng, v: &str, pairs: &[(&str, &str)]) -> Option<String> {
    let mut options: Vec<(usize, &str, &str)> = Vec::new();
    for &(from, to) in pairs {
        for (at, _) in v.match_indices(from) {
            options.push((at, from, to));
        }
    }
    if options.is_empty() {
        return None;
    }
    let (at, from, to) = options[rng.index(options.len())];
    let mut out = String::with_capacity(v.len() + 2);
    out.push_str(&v[..at]);
    out.push_str(to);
    out.push_str(&v[at + from.len()..]);
    Some(out)
}

fn ocr(rng: &mut Rng, v: &str) -> String {
    replace_one(rng, v, OCR_CONFUSIONS).unwrap_or_else(|| typo(rng, v))
}

/// Another spelling of the same sound: a known variant of the name, or a spelling rule.
fn phonetic(rng: &mut Rng, v: &str) -> String {
    if let Some(group) = PHONETIC_GROUPS.iter().find(|g| g.contains(&v)) {
        let others: Vec<&str> = group.iter().copied().filter(|s| *s != v).collect();
        return rng.pick(&others).to_string();
    }
    match replace_one(rng, v, PHONETIC_RULES) {
        Some(s) if s != v => s,
        _ => typo(rng, v),
    }
}

fn nickname(rng: &mut Rng, v: &str) -> String {
    match NICKNAMES.iter().find(|(name, _)| *name == v) {
        Some((_, short)) => rng.pick(short).to_string(),
        None => phonetic(rng, v),
    }
}

/// A space typed inside a word ("har rison"), or one left out ("northryde").
fn split_word(rng: &mut Rng, v: &str) -> String {
    let b = v.as_bytes();
    let spaces: Vec<usize> = (0..b.len()).filter(|&i| b[i] == b' ').collect();
    if !spaces.is_empty() && rng.chance(0.4) {
        let at = rng.pick(&spaces);
        let mut s = v.to_string();
        s.remove(at);
        return s;
    }
    // Between two letters, neither next to a space.
    let inner: Vec<usize> = (1..b.len())
        .filter(|&i| b[i - 1] != b' ' && b[i] != b' ')
        .collect();
    if inner.is_empty() {
        return typo(rng, v);
    }
    let at = rng.pick(&inner);
    let mut s = v.to_string();
    s.insert(at, ' ');
    s
}

/// "miller street" -> "miller st" (or back, if already short).
fn abbreviate_street(rng: &mut Rng, v: &str) -> String {
    for (long, short, _) in STREET_TYPES {
        if let Some(stem) = v.strip_suffix(long) {
            return format!("{stem}{short}");
        }
    }
    typo(rng, v)
}

/// One digit replaced, mostly by a neighbouring key.
fn digit_typo(rng: &mut Rng, v: &str) -> String {
    let mut b = v.as_bytes().to_vec();
    let digits: Vec<usize> = (0..b.len()).filter(|&i| b[i].is_ascii_digit()).collect();
    if digits.is_empty() {
        return typo(rng, v);
    }
    let at = rng.pick(&digits);
    let c = b[at];
    let mut r = if rng.chance(0.6) {
        neighbour(rng, c).unwrap_or(c)
    } else {
        b'0' + rng.below(10) as u8
    };
    if r == c {
        r = if c == b'9' { b'0' } else { c + 1 };
    }
    b[at] = r;
    String::from_utf8(b).unwrap_or_default()
}

/// Two adjacent, different characters swapped; a digit typo when there are none.
fn transpose_any(rng: &mut Rng, v: &str) -> String {
    let mut b = v.as_bytes().to_vec();
    let pairs: Vec<usize> = (0..b.len().saturating_sub(1))
        .filter(|&i| b[i] != b[i + 1])
        .collect();
    if pairs.is_empty() {
        return digit_typo(rng, v);
    }
    let at = rng.pick(&pairs);
    b.swap(at, at + 1);
    String::from_utf8(b).unwrap_or_default()
}

fn insert_or_delete_digit(rng: &mut Rng, v: &str) -> String {
    let mut s = v.to_string();
    if rng.chance(0.5) && s.len() > 1 {
        s.remove(rng.index(s.len()));
    } else {
        let at = rng.index(s.len() + 1);
        s.insert(at, char::from(b'0' + rng.below(10) as u8));
    }
    s
}

/// `YYYYMMDD` with day and month swapped, when that is still a date (day 12 or less, and not
/// equal to the month); otherwise a digit typo.
fn swap_day_month(rng: &mut Rng, v: &str) -> String {
    if v.len() == 8 {
        let (month, day) = (&v[4..6], &v[6..8]);
        if let (Ok(m), Ok(d)) = (month.parse::<u32>(), day.parse::<u32>()) {
            if d <= 12 && d != m && d > 0 {
                let mut s = String::with_capacity(8);
                let _ = write!(s, "{}{day}{month}", &v[..4]);
                return s;
            }
        }
    }
    digit_typo(rng, v)
}
