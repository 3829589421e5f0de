//! Parsing of dates and amounts written the many ways finance documents write them.
//!
//! Both parsers work on `normalize::fold` of the input, so full-width digits, no-break spaces and
//! upper-case month names or currency codes need no special cases here.

use chrono::NaiveDate;

use crate::normalize::fold;

/// Which part comes first in an all-numeric date whose day and month are both 12 or less.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DateOrder {
    /// `03/04/2024` is 3 April (European habit).
    DayFirst,
    /// `03/04/2024` is 4 March (US habit).
    MonthFirst,
}

/// Parses a date in any common format; `None` when it is not a date.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    parse_date_with(s, None)
}

/// Like `parse_date`, with `order` deciding numeric dates that could be read either way
/// (`03/04/2024`). `None` guesses from the separator: `/` is month-first, `.` and `-` day-first.
/// A part above 12 is always the day, whatever `order` says: such a date is not ambiguous.
pub fn parse_date_with(s: &str, order: Option<DateOrder>) -> Option<NaiveDate> {
    let folded = fold(s);
    let date = strip_time(&folded)?;
    let toks = lex_date(date)?;
    if toks.iter().any(|t| matches!(t, Tok::Word(_))) {
        named_month_date(&toks)
    } else {
        numeric_date(&toks, order)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok<'a> {
    Num(&'a str),
    Word(&'a str),
    /// `-`, `/`, `.`, `,`; a run of whitespace is one `' '`.
    Sep(char),
}

/// Drops a trailing time of day (`T10:00:00Z`, ` 10:00`, ` 9:30 pm`), returning the date part.
/// The written calendar day is kept as is: a zone offset never moves it. `None` when the part
/// around the colon is not a time.
fn strip_time(s: &str) -> Option<&str> {
    let Some(colon) = s.find(':') else {
        return Some(s);
    };
    let before = &s[..colon];
    let hour_start = before.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let hour_len = colon - hour_start;
    if hour_len == 0 || hour_len > 2 || !is_time(&s[hour_start..]) {
        return None;
    }
    let date = &before[..hour_start];
    // `fold` has lower-cased the ISO "T".
    let date = match date.strip_suffix('t') {
        Some(d) => d,
        None => {
            let trimmed = date.trim_end();
            // "2024-12-3110:00" has no separator between date and time.
            if trimmed.len() == date.len() {
                return None;
            }
            trimmed
        }
    };
    Some(date)
}

/// `hh:mm` followed by optional seconds, fractions, am/pm and a zone.
fn is_time(t: &str) -> bool {
    let bytes = t.as_bytes();
    let hour_len = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
    let rest = &t[hour_len..];
    let Some(rest) = rest.strip_prefix(':') else {
        return false;
    };
    let minute_len = rest.bytes().take_while(|b| b.is_ascii_digit()).count();
    if minute_len != 2 {
        return false;
    }
    let tail = &rest[minute_len..];
    let symbols_ok = tail
        .chars()
        .all(|c| c.is_ascii_digit() || c.is_alphabetic() || " :.,+-".contains(c));
    let words_ok = tail
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
        .all(|w| matches!(w, "am" | "pm" | "z" | "utc" | "gmt" | "uhr" | "h"));
    symbols_ok && words_ok
}

fn lex_date(s: &str) -> Option<Vec<Tok<'_>>> {
    let mut toks = Vec::with_capacity(8);
    let mut rest = s.trim();
    while let Some(c) = rest.chars().next() {
        let len = if c.is_ascii_digit() {
            let n = rest
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len());
            toks.push(Tok::Num(&rest[..n]));
            n
        } else if c.is_alphabetic() {
            let n = rest
                .find(|c: char| !c.is_alphabetic())
                .unwrap_or(rest.len());
            toks.push(Tok::Word(&rest[..n]));
            n
        } else if c.is_whitespace() {
            let n = rest
                .find(|c: char| !c.is_whitespace())
                .unwrap_or(rest.len());
            toks.push(Tok::Sep(' '));
            n
        } else if matches!(c, '-' | '/' | '.' | ',') {
            toks.push(Tok::Sep(c));
            c.len_utf8()
        } else {
            return None;
        };
        rest = &rest[len..];
    }
    Some(toks)
}

/// `20241231`, `2024-12-31`, `31.12.2024`, `12/31/24`, ...
fn numeric_date(toks: &[Tok<'_>], order: Option<DateOrder>) -> Option<NaiveDate> {
    let mut nums: Vec<&str> = Vec::with_capacity(3);
    // The separator before each number after the first.
    let mut seps: Vec<char> = Vec::with_capacity(2);
    let mut pending: Option<char> = None;
    let mut trailing_dot = false;
    for tok in toks {
        if trailing_dot {
            return None;
        }
        match *tok {
            Tok::Num(n) => {
                if !nums.is_empty() {
                    seps.push(pending.take()?);
                }
                nums.push(n);
            }
            Tok::Sep(' ') => {}
            Tok::Sep(c) => {
                if nums.is_empty() || pending.is_some() {
                    return None;
                }
                if nums.len() == 3 {
                    // "31.12.2024." as written at the end of a German sentence.
                    if c != '.' {
                        return None;
                    }
                    trailing_dot = true;
                } else {
                    pending = Some(c);
                }
            }
            Tok::Word(_) => return None,
        }
    }
    if pending.is_some() {
        return None;
    }
    match (nums.as_slice(), seps.as_slice()) {
        ([n], []) if n.len() == 8 => ymd(num(&n[..4])?, num(&n[4..6])?, num(&n[6..])?),
        ([a, b, c], [s1, s2]) if s1 == s2 && matches!(*s1, '-' | '/' | '.') => {
            if a.len() == 4 && (1..=2).contains(&b.len()) && (1..=2).contains(&c.len()) {
                return ymd(num(a)?, num(b)?, num(c)?);
            }
            if !(1..=2).contains(&a.len()) || !(1..=2).contains(&b.len()) {
                return None;
            }
            let year = year(c)?;
            let (a, b) = (num(a)?, num(b)?);
            let order = if a > 12 {
                DateOrder::DayFirst
            } else if b > 12 {
                DateOrder::MonthFirst
            } else {
                order.unwrap_or(if *s1 == '/' {
                    DateOrder::MonthFirst
                } else {
                    DateOrder::DayFirst
                })
            };
            match order {
                DateOrder::DayFirst => ymd(year, b, a),
                DateOrder::MonthFirst => ymd(year, a, b),
            }
        }
        _ => None,
    }
}

/// `12 May 2025`, `12-May-2025`, `12. Mai 2025`, `May 12, 2025`, `Tue, 3rd Dec 2024`, ...
fn named_month_date(toks: &[Tok<'_>]) -> Option<NaiveDate> {
    let mut month = None;
    let mut nums: Vec<&str> = Vec::with_capacity(2);
    let mut prev: Option<Tok<'_>> = None;
    for &tok in toks {
        match tok {
            Tok::Num(n) => nums.push(n),
            Tok::Word(w) => {
                if let Some(m) = month_number(w) {
                    if month.replace(m).is_some() {
                        return None;
                    }
                } else if is_ordinal_suffix(w) && matches!(prev, Some(Tok::Num(_))) {
                    // "3rd": the suffix sticks to the number.
                } else if !is_weekday(w) && !matches!(w, "of" | "the" | "den") {
                    return None;
                }
            }
            Tok::Sep(_) => {}
        }
        prev = Some(tok);
    }
    let month = month?;
    let (day, year) = match nums.as_slice() {
        [y, d] if y.len() == 4 && (1..=2).contains(&d.len()) => (num(d)?, num(y)?),
        [d, y] if (1..=2).contains(&d.len()) && y.len() == 4 => (num(d)?, num(y)?),
        [d, y] if (1..=2).contains(&d.len()) && y.len() == 2 => (num(d)?, year(y)?),
        _ => return None,
    };
    ymd(year, month, day)
}

fn num(digits: &str) -> Option<u32> {
    digits.parse().ok()
}

/// A year of four digits, or of two: `yy < 70` is 20yy, else 19yy.
fn year(digits: &str) -> Option<u32> {
    let y = num(digits)?;
    match digits.len() {
        4 => Some(y),
        2 if y < 70 => Some(2000 + y),
        2 => Some(1900 + y),
        _ => None,
    }
}

fn ymd(year: u32, month: u32, day: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)
}

/// English and German month names, full or abbreviated (lower-case, without the dot).
fn month_number(w: &str) -> Option<u32> {
    Some(match w {
        "january" | "jan" | "januar" | "jänner" | "jän" => 1,
        "february" | "feb" | "februar" | "feber" => 2,
        "march" | "mar" | "märz" | "maerz" | "mär" | "mrz" => 3,
        "april" | "apr" => 4,
        "may" | "mai" => 5,
        "june" | "jun" | "juni" => 6,
        "july" | "jul" | "juli" => 7,
        "august" | "aug" => 8,
        "september" | "sep" | "sept" => 9,
        "october" | "oct" | "oktober" | "okt" => 10,
        "november" | "nov" => 11,
        "december" | "dec" | "dezember" | "dez" => 12,
        _ => return None,
    })
}

fn is_weekday(w: &str) -> bool {
    matches!(
        w,
        "monday"
            | "mon"
            | "tuesday"
            | "tue"
            | "tues"
            | "wednesday"
            | "wed"
            | "thursday"
            | "thu"
            | "thur"
            | "thurs"
            | "friday"
            | "fri"
            | "saturday"
            | "sat"
            | "sunday"
            | "sun"
            | "montag"
            | "dienstag"
            | "mittwoch"
            | "donnerstag"
            | "freitag"
            | "samstag"
            | "sonnabend"
            | "sonntag"
            | "mo"
            | "di"
            | "mi"
            | "do"
            | "fr"
            | "sa"
            | "so"
    )
}

fn is_ordinal_suffix(w: &str) -> bool {
    matches!(w, "st" | "nd" | "rd" | "th")
}

/// Parses an amount in any common locale format; `None` when it is not a number.
pub fn parse_number(s: &str) -> Option<f64> {
    plain_decimal(s).or_else(|| parse_number_general(s))
}

fn parse_number_general(s: &str) -> Option<f64> {
    let folded = fold(s);
    let mut rest: &str = &folded;
    let mut negative = false;
    let mut sign_seen = false;
    let mut currency_seen = false;
    let mut whole_units_seen = false;
    // Signs, brackets and currencies nest in any order ("-€12", "€-12", "(EUR 12)", "12.00- EUR").
    loop {
        rest = rest.trim();
        if !currency_seen {
            if let Some(r) = strip_currency(rest) {
                rest = r;
                currency_seen = true;
                continue;
            }
        }
        if !whole_units_seen {
            if let Some(r) = strip_whole_units(rest) {
                rest = r;
                whole_units_seen = true;
                continue;
            }
        }
        let (r, neg) = if let Some(r) = rest.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
            (r, true)
        } else if let Some(r) = rest.strip_prefix(['-', '\u{2212}']) {
            (r, true)
        } else if let Some(r) = rest.strip_prefix('+') {
            (r, false)
        } else if let Some(r) = rest.strip_suffix(['-', '\u{2212}']) {
            (r, true)
        } else {
            break;
        };
        if sign_seen {
            return None;
        }
        sign_seen = true;
        negative = neg;
        rest = r;
    }
    let value = if rest.contains('e') {
        parse_scientific(rest)?
    } else {
        parse_grouped(rest)?
    };
    if !value.is_finite() {
        return None;
    }
    Some(if negative { -value } else { value })
}

/// The common case without folding, currencies or grouping: digits, and at most a dot followed by
/// one or two (a dot and three digits is a thousands separator, see `parse_grouped`). A million
/// reference amounts are mostly written like this.
fn plain_decimal(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    let dot = b.iter().position(|&c| c == b'.').unwrap_or(b.len());
    let (int, frac) = (&b[..dot], b.get(dot + 1..).unwrap_or(&[]));
    let plain = !int.is_empty()
        && int.iter().all(u8::is_ascii_digit)
        && (int[0] != b'0' || int.len() == 1)
        && frac.iter().all(u8::is_ascii_digit)
        && (dot == b.len() || (1..=2).contains(&frac.len()));
    if plain {
        s.parse().ok()
    } else {
        None
    }
}

const CURRENCY_SYMBOLS: &[char] = &[
    '€', '$', '£', '¥', '₹', '₽', '₩', '₺', '₪', '₫', '₴', '₦', '₱', '¢', '฿', '₣', '₡', '₲', '₵',
    '₸', '₼', '₾',
];

/// Currency words as they appear after folding, longest first so "sfr" wins over "fr".
const CURRENCY_WORDS: &[&str] = &[
    "sfr.", "us$", "u$s", "au$", "ca$", "nz$", "hk$", "mx$", "eur", "usd", "gbp", "chf", "jpy",
    "cny", "rmb", "sek", "nok", "dkk", "pln", "czk", "huf", "cad", "aud", "nzd", "inr", "rub",
    "try", "zar", "brl", "mxn", "sgd", "hkd", "krw", "ron", "bgn", "hrk", "isk", "ils", "aed",
    "sar", "thb", "idr", "myr", "php", "twd", "uah", "vnd", "ngn", "egp", "kes", "mad", "clp",
    "cop", "pen", "ars", "qar", "kwd", "bhd", "omr", "rsd", "kr.", "fr.", "sfr", "r$", "a$", "c$",
    "s$", "kr", "zł", "kč", "fr",
];

/// Strips one currency code or symbol from either end.
fn strip_currency(s: &str) -> Option<&str> {
    if let Some(r) = s.strip_prefix(CURRENCY_SYMBOLS) {
        return Some(r);
    }
    if let Some(r) = s.strip_suffix(CURRENCY_SYMBOLS) {
        return Some(r);
    }
    for word in CURRENCY_WORDS {
        if let Some(r) = s.strip_prefix(word) {
            // "eure 12" is not euros.
            if !r.starts_with(char::is_alphabetic) {
                return Some(r);
            }
        }
        if let Some(r) = s.strip_suffix(word) {
            if !r.ends_with(char::is_alphabetic) {
                return Some(r);
            }
        }
    }
    None
}

/// "12,-" and "12.–": a whole amount with the cents left out, not a trailing minus.
fn strip_whole_units(s: &str) -> Option<&str> {
    for marker in [",--", ".--", ",-", ".-", ",–", ".–", ",—", ".—"] {
        if let Some(r) = s.strip_suffix(marker) {
            if r.ends_with(|c: char| c.is_ascii_digit()) {
                return Some(r);
            }
        }
    }
    None
}

/// `1e3`, `1.5e-3`: only a plain mantissa with a dot, so no locale guessing is needed.
fn parse_scientific(s: &str) -> Option<f64> {
    let (mantissa, exponent) = s.split_once('e')?;
    let digits_ok = mantissa.bytes().any(|b| b.is_ascii_digit())
        && mantissa.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && mantissa.bytes().filter(|&b| b == b'.').count() <= 1;
    let exp_digits = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
    let exp_ok = !exp_digits.is_empty() && exp_digits.bytes().all(|b| b.is_ascii_digit());
    if !digits_ok || !exp_ok {
        return None;
    }
    s.parse().ok()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NumSep {
    Dot,
    Comma,
    /// Space, no-break space, narrow no-break space: only ever thousands.
    Space,
    /// `'` and `’` (Swiss): only ever thousands.
    Apostrophe,
}

/// Digits with thousands and decimal separators in any locale (`1.234,56`, `1 234,56`, ...).
fn parse_grouped(s: &str) -> Option<f64> {
    // Digit runs and the single separator between each pair of them.
    let mut parts: Vec<&str> = Vec::with_capacity(4);
    let mut seps: Vec<NumSep> = Vec::with_capacity(3);
    let mut rest = s;
    loop {
        let n = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        parts.push(&rest[..n]);
        rest = &rest[n..];
        let Some(c) = rest.chars().next() else {
            break;
        };
        seps.push(match c {
            '.' => NumSep::Dot,
            ',' => NumSep::Comma,
            '\'' | '’' => NumSep::Apostrophe,
            c if c.is_whitespace() => NumSep::Space,
            _ => return None,
        });
        rest = &rest[c.len_utf8()..];
    }
    // Only a leading decimal separator (".5") may have no digits before it.
    let leading_empty = parts.first().is_some_and(|p| p.is_empty());
    if parts.iter().skip(1).any(|p| p.is_empty()) || (leading_empty && seps.len() != 1) {
        return None;
    }
    let decimal = decimal_index(&parts, &seps)?;
    let int_end = decimal.unwrap_or(seps.len());
    let int_groups = &parts[..=int_end];
    let grouping = &seps[..int_end];
    if let Some(&first) = grouping.first() {
        if grouping.iter().any(|&g| g != first) || !valid_grouping(int_groups) {
            return None;
        }
    }
    if leading_empty && decimal.is_none() {
        return None;
    }
    let mut text = String::with_capacity(s.len() + 1);
    for g in int_groups {
        text.push_str(g);
    }
    if text.is_empty() {
        text.push('0');
    }
    if let Some(d) = decimal {
        text.push('.');
        text.push_str(parts[d + 1]);
    }
    text.parse().ok()
}

/// Which separator (index into `seps`) is the decimal one: `Ok(None)` when there is none.
/// `None` when the separators contradict each other.
fn decimal_index(parts: &[&str], seps: &[NumSep]) -> Option<Option<usize>> {
    let is_point = |s: &NumSep| matches!(s, NumSep::Dot | NumSep::Comma);
    let Some(last) = seps.iter().rposition(is_point) else {
        return Some(None);
    };
    let kind = seps[last];
    let count = seps.iter().filter(|&&s| s == kind).count();
    let other_point = seps.iter().any(|s| is_point(s) && *s != kind);
    if other_point {
        // Both "." and "," present: the last one is the decimal separator, and it comes last.
        return (count == 1 && last == seps.len() - 1).then_some(Some(last));
    }
    if count > 1 {
        // "1,234,567": repeated, so grouping.
        return Some(None);
    }
    if last != seps.len() - 1 {
        // "1.234 567": a lone point followed by other grouping.
        return None;
    }
    if seps.len() > 1 {
        // "1 234,56", "1'234.56": after the grouping, so decimal.
        return Some(Some(last));
    }
    // A lone separator: "1,234" and "12.500" are thousands, "0,125" and "151,44" decimals.
    let int = parts[0];
    let frac = parts[1];
    let thousands =
        frac.len() == 3 && (1..=3).contains(&int.len()) && int.bytes().any(|b| b != b'0');
    Some(if thousands { None } else { Some(last) })
}

/// Western (`1,234,567`) or Indian (`12,34,567`) digit grouping.
fn valid_grouping(groups: &[&str]) -> bool {
    let Some((first, rest)) = groups.split_first() else {
        return false;
    };
    let Some((last, middle)) = rest.split_last() else {
        return true;
    };
    let western = (1..=3).contains(&first.len()) && rest.iter().all(|g| g.len() == 3);
    let indian =
        (1..=2).contains(&first.len()) && last.len() == 3 && middle.iter().all(|g| g.len() == 2);
    western || indian
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, day)
    }

    #[test]
    fn iso_dates() {
        assert_eq!(parse_date("2024-12-31"), d(2024, 12, 31));
        assert_eq!(parse_date("2024-1-5"), d(2024, 1, 5));
        assert_eq!(parse_date("  2024-12-31  "), d(2024, 12, 31));
    }

    #[test]
    fn iso_dates_with_time() {
        assert_eq!(parse_date("2024-12-31T10:00:00Z"), d(2024, 12, 31));
        assert_eq!(parse_date("2024-12-31T10:00:00.000+01:00"), d(2024, 12, 31));
        assert_eq!(parse_date("2024-12-31 10:00"), d(2024, 12, 31));
        assert_eq!(parse_date("2024-12-31 10:00:59"), d(2024, 12, 31));
        assert_eq!(parse_date("31.12.2024 10:00 Uhr"), d(2024, 12, 31));
        assert_eq!(parse_date("12/31/2024 9:30 PM"), d(2024, 12, 31));
    }

    #[test]
    fn malformed_times_are_rejected() {
        assert_eq!(parse_date("2024-12-3110:00"), None);
        assert_eq!(parse_date("2024-12-31 10:0"), None);
        assert_eq!(parse_date("2024-12-31 10:00 tomorrow"), None);
        assert_eq!(parse_date("2024-12-31 :00"), None);
        assert_eq!(parse_date("10:00"), None);
    }

    #[test]
    fn year_first_with_other_separators() {
        assert_eq!(parse_date("2024/12/31"), d(2024, 12, 31));
        assert_eq!(parse_date("2024.12.31"), d(2024, 12, 31));
        // Year first is never read as year-day-month, even with a slash.
        assert_eq!(parse_date("2024/03/04"), d(2024, 3, 4));
    }

    #[test]
    fn compact_dates() {
        assert_eq!(parse_date("20241231"), d(2024, 12, 31));
        assert_eq!(parse_date("20240229"), d(2024, 2, 29));
        assert_eq!(parse_date("20230229"), None);
        assert_eq!(parse_date("2024123"), None);
        assert_eq!(parse_date("202412311"), None);
    }

    #[test]
    fn european_dates() {
        assert_eq!(parse_date("31.12.2024"), d(2024, 12, 31));
        assert_eq!(parse_date("31-12-2024"), d(2024, 12, 31));
        assert_eq!(parse_date("1.2.2024"), d(2024, 2, 1));
        assert_eq!(parse_date("31. 12. 2024"), d(2024, 12, 31));
        assert_eq!(parse_date("31.12.2024."), d(2024, 12, 31));
    }

    #[test]
    fn slash_dates_decided_by_a_part_above_twelve() {
        assert_eq!(parse_date("12/31/2024"), d(2024, 12, 31));
        assert_eq!(parse_date("31/12/2024"), d(2024, 12, 31));
        assert_eq!(parse_date("13.01.2024"), d(2024, 1, 13));
        assert_eq!(parse_date("01-13-2024"), d(2024, 1, 13));
    }

    #[test]
    fn ambiguous_dates_follow_the_separator() {
        assert_eq!(parse_date("03/04/2024"), d(2024, 3, 4));
        assert_eq!(parse_date("03.04.2024"), d(2024, 4, 3));
        assert_eq!(parse_date("03-04-2024"), d(2024, 4, 3));
        assert_eq!(parse_date("12/12/2024"), d(2024, 12, 12));
    }

    #[test]
    fn date_order_overrides_the_guess() {
        let day_first = Some(DateOrder::DayFirst);
        let month_first = Some(DateOrder::MonthFirst);
        assert_eq!(parse_date_with("03/04/2024", day_first), d(2024, 4, 3));
        assert_eq!(parse_date_with("03.04.2024", month_first), d(2024, 3, 4));
        assert_eq!(parse_date_with("03-04-24", month_first), d(2024, 3, 4));
        assert_eq!(
            parse_date_with("03/04/2024", None),
            parse_date("03/04/2024")
        );
        // A part above 12 is the day whatever the order says.
        assert_eq!(parse_date_with("31/12/2024", month_first), d(2024, 12, 31));
        assert_eq!(parse_date_with("12/31/2024", day_first), d(2024, 12, 31));
        // ISO and month names do not depend on the order.
        assert_eq!(parse_date_with("2024-03-04", day_first), d(2024, 3, 4));
        assert_eq!(parse_date_with("3 May 2024", month_first), d(2024, 5, 3));
    }

    #[test]
    fn two_digit_years() {
        assert_eq!(parse_date("31.12.24"), d(2024, 12, 31));
        assert_eq!(parse_date("12/31/24"), d(2024, 12, 31));
        assert_eq!(parse_date("01.01.69"), d(2069, 1, 1));
        assert_eq!(parse_date("01.01.70"), d(1970, 1, 1));
        assert_eq!(parse_date("31.12.99"), d(1999, 12, 31));
        assert_eq!(parse_date("01.01.00"), d(2000, 1, 1));
        assert_eq!(parse_date("31.12.024"), None);
    }

    #[test]
    fn invalid_dates() {
        assert_eq!(parse_date("31.02.2024"), None);
        assert_eq!(parse_date("29.02.2023"), None);
        assert_eq!(parse_date("2024-13-01"), None);
        assert_eq!(parse_date("2024-00-10"), None);
        assert_eq!(parse_date("00.01.2024"), None);
        assert_eq!(parse_date("13/13/2024"), None);
        assert_eq!(parse_date("31 February 2024"), None);
    }

    #[test]
    fn non_dates() {
        for s in [
            "",
            "   ",
            "abc",
            "2024",
            "12.50",
            "1 234 567",
            "1,234.56",
            "INV-2024-001",
            "31.12/2024",
            "31..12.2024",
            "-31.12.2024",
            "31.12.2024.5",
            "May 2025",
            "12 May",
            "12 Foo 2025",
            "12 May June 2025",
            "12 13 May 2025",
            "31_12_2024",
            "2024-12-31-01",
        ] {
            assert_eq!(parse_date(s), None, "{s:?}");
        }
    }

    #[test]
    fn english_month_names() {
        assert_eq!(parse_date("12 May 2025"), d(2025, 5, 12));
        assert_eq!(parse_date("12-May-2025"), d(2025, 5, 12));
        assert_eq!(parse_date("May 12, 2025"), d(2025, 5, 12));
        assert_eq!(parse_date("Dec 3 2024"), d(2024, 12, 3));
        assert_eq!(parse_date("Dec. 3, 2024"), d(2024, 12, 3));
        assert_eq!(parse_date("3 december 2024"), d(2024, 12, 3));
        assert_eq!(parse_date("3 DECEMBER 2024"), d(2024, 12, 3));
        assert_eq!(parse_date("September 30, 2024"), d(2024, 9, 30));
        assert_eq!(parse_date("30 Sept 2024"), d(2024, 9, 30));
        assert_eq!(parse_date("3-Dec-24"), d(2024, 12, 3));
        assert_eq!(parse_date("2024-Dec-03"), d(2024, 12, 3));
        assert_eq!(parse_date("Tue, 3 Dec 2024"), d(2024, 12, 3));
        assert_eq!(parse_date("December 3rd, 2024"), d(2024, 12, 3));
        assert_eq!(parse_date("1st of March 2024"), d(2024, 3, 1));
        assert_eq!(parse_date("3 Dec 2024 10:00"), d(2024, 12, 3));
    }

    #[test]
    fn every_english_month() {
        let names = [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may", "may"),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ];
        for (i, (short, long)) in names.iter().enumerate() {
            let m = i as u32 + 1;
            assert_eq!(
                parse_date(&format!("1 {short} 2024")),
                d(2024, m, 1),
                "{short}"
            );
            assert_eq!(
                parse_date(&format!("1 {long} 2024")),
                d(2024, m, 1),
                "{long}"
            );
        }
    }

    #[test]
    fn german_month_names() {
        assert_eq!(parse_date("12. Mai 2025"), d(2025, 5, 12));
        assert_eq!(parse_date("3. März 2024"), d(2024, 3, 3));
        // Decomposed umlaut, as some PDF extractors produce.
        assert_eq!(parse_date("3. Ma\u{0308}rz 2024"), d(2024, 3, 3));
        assert_eq!(parse_date("3. MÄRZ 2024"), d(2024, 3, 3));
        assert_eq!(parse_date("1. Januar 2024"), d(2024, 1, 1));
        assert_eq!(parse_date("1. Jänner 2024"), d(2024, 1, 1));
        assert_eq!(parse_date("15. Okt. 2024"), d(2024, 10, 15));
        assert_eq!(parse_date("24. Dez 2024"), d(2024, 12, 24));
        assert_eq!(parse_date("24. Dezember 2024"), d(2024, 12, 24));
        assert_eq!(parse_date("1. Juni 2024"), d(2024, 6, 1));
        assert_eq!(parse_date("1. Juli 2024"), d(2024, 7, 1));
        assert_eq!(parse_date("1. Oktober 2024"), d(2024, 10, 1));
        assert_eq!(parse_date("1. Februar 2024"), d(2024, 2, 1));
        assert_eq!(parse_date("1. Mrz. 2024"), d(2024, 3, 1));
        assert_eq!(parse_date("Montag, 2. Dezember 2024"), d(2024, 12, 2));
    }

    #[test]
    fn full_width_dates() {
        assert_eq!(parse_date("２０２４－１２－３１"), d(2024, 12, 31));
    }

    #[test]
    fn plain_numbers() {
        for i in (0..200_000u64).step_by(7) {
            for text in [
                format!("{}.{:02}", i / 100, i % 100),
                format!("{}.{}", i / 10, i % 10),
                i.to_string(),
            ] {
                assert_eq!(plain_decimal(&text), parse_number_general(&text), "{text}");
            }
        }
        assert_eq!(parse_number("7881.33"), Some(7881.33));
        assert_eq!(plain_decimal("7881.33"), Some(7881.33));
        assert_eq!(
            plain_decimal("12.500"),
            None,
            "a dot and three digits may be grouping"
        );
        assert_eq!(plain_decimal("007.5"), None);
        assert_eq!(plain_decimal("12."), None);
        assert_eq!(plain_decimal("1,2"), None);
        assert_eq!(parse_number("12.00"), Some(12.0));
        assert_eq!(parse_number("-12.5"), Some(-12.5));
        assert_eq!(parse_number("+5"), Some(5.0));
        assert_eq!(parse_number("0"), Some(0.0));
        assert_eq!(parse_number("42"), Some(42.0));
        assert_eq!(parse_number(" 7 "), Some(7.0));
        assert_eq!(parse_number(".5"), Some(0.5));
        assert_eq!(parse_number("1,2"), Some(1.2));
    }

    #[test]
    fn thousands_and_decimals() {
        assert_eq!(parse_number("1,234.56"), Some(1234.56));
        assert_eq!(parse_number("1.234,56"), Some(1234.56));
        assert_eq!(parse_number("1234,56"), Some(1234.56));
        assert_eq!(parse_number("151,44"), Some(151.44));
        assert_eq!(parse_number("1.234.567,89"), Some(1234567.89));
        assert_eq!(parse_number("1,234,567.89"), Some(1234567.89));
        assert_eq!(parse_number("1,234,567"), Some(1234567.0));
        assert_eq!(parse_number("1.234.567"), Some(1234567.0));
    }

    #[test]
    fn space_and_apostrophe_thousands() {
        assert_eq!(parse_number("1 234,56"), Some(1234.56));
        assert_eq!(parse_number("1\u{00A0}234,56"), Some(1234.56));
        assert_eq!(parse_number("1\u{202F}234,56"), Some(1234.56));
        assert_eq!(parse_number("1 234 567"), Some(1234567.0));
        assert_eq!(parse_number("1 234.56"), Some(1234.56));
        assert_eq!(parse_number("1'234.56"), Some(1234.56));
        assert_eq!(parse_number("1’234.56"), Some(1234.56));
        assert_eq!(parse_number("1'234'567"), Some(1234567.0));
    }

    #[test]
    fn lone_separator_before_three_digits_is_thousands() {
        assert_eq!(parse_number("1,234"), Some(1234.0));
        assert_eq!(parse_number("12.500"), Some(12500.0));
        assert_eq!(parse_number("999.999"), Some(999999.0));
        assert_eq!(parse_number("0,125"), Some(0.125));
        assert_eq!(parse_number("0.125"), Some(0.125));
        assert_eq!(parse_number("00,125"), Some(0.125));
        // More than three integer digits cannot be a thousands group.
        assert_eq!(parse_number("1234,567"), Some(1234.567));
        assert_eq!(parse_number("12.5000"), Some(12.5));
    }

    #[test]
    fn indian_grouping() {
        assert_eq!(parse_number("1,23,456.78"), Some(123456.78));
        assert_eq!(parse_number("12,34,567"), Some(1234567.0));
        assert_eq!(parse_number("1,23,45,678.90"), Some(12345678.9));
    }

    #[test]
    fn malformed_grouping_is_rejected() {
        for s in [
            "1,23,4.5",
            "1,2345,678",
            "1.2.3",
            "12 34",
            "1.234,56,78",
            "1,234.567.89",
            "1.234 567",
            "1,234'567.00",
            "1,,234",
            "12.",
            "12,",
            ",",
            ".",
            "1..2",
        ] {
            assert_eq!(parse_number(s), None, "{s:?}");
        }
    }

    #[test]
    fn negative_forms() {
        assert_eq!(parse_number("(12.00)"), Some(-12.0));
        assert_eq!(parse_number("12.00-"), Some(-12.0));
        assert_eq!(parse_number("-1.234,56"), Some(-1234.56));
        assert_eq!(parse_number("\u{2212}7"), Some(-7.0));
        assert_eq!(parse_number("( 1,234.50 )"), Some(-1234.5));
        assert_eq!(parse_number("- 12"), Some(-12.0));
    }

    #[test]
    fn double_signs_are_rejected() {
        for s in ["--12", "-12-", "(-12)", "+-12", "(12)-", "-", "()", "+"] {
            assert_eq!(parse_number(s), None, "{s:?}");
        }
    }

    #[test]
    fn whole_units_marker() {
        assert_eq!(parse_number("12,-"), Some(12.0));
        assert_eq!(parse_number("1.250,--"), Some(1250.0));
        assert_eq!(parse_number("Fr. 12.–"), Some(12.0));
        assert_eq!(parse_number("-12,-"), Some(-12.0));
    }

    #[test]
    fn currencies() {
        assert_eq!(parse_number("EUR 12.00"), Some(12.0));
        assert_eq!(parse_number("12.00 EUR"), Some(12.0));
        assert_eq!(parse_number("USD 414.40"), Some(414.4));
        assert_eq!(parse_number("€12"), Some(12.0));
        assert_eq!(parse_number("12 €"), Some(12.0));
        assert_eq!(parse_number("$1,234.50"), Some(1234.5));
        assert_eq!(parse_number("£7"), Some(7.0));
        assert_eq!(parse_number("eur12"), Some(12.0));
        assert_eq!(parse_number("1.234,56 €"), Some(1234.56));
        assert_eq!(parse_number("CHF 1'234.50"), Some(1234.5));
        assert_eq!(parse_number("US$ 5"), Some(5.0));
        assert_eq!(parse_number("SFr. 5.50"), Some(5.5));
        assert_eq!(parse_number("100 kr"), Some(100.0));
    }

    #[test]
    fn currencies_combine_with_signs() {
        assert_eq!(parse_number("-€12"), Some(-12.0));
        assert_eq!(parse_number("€-12"), Some(-12.0));
        assert_eq!(parse_number("(€12.00)"), Some(-12.0));
        assert_eq!(parse_number("EUR (12.00)"), Some(-12.0));
        assert_eq!(parse_number("12.00- EUR"), Some(-12.0));
        assert_eq!(parse_number("-12.00 EUR"), Some(-12.0));
    }

    #[test]
    fn one_currency_only() {
        assert_eq!(parse_number("EUR 12 USD"), None);
        assert_eq!(parse_number("€€12"), None);
        assert_eq!(parse_number("EUR"), None);
        assert_eq!(parse_number("€"), None);
    }

    #[test]
    fn scientific_notation() {
        assert_eq!(parse_number("1e3"), Some(1000.0));
        assert_eq!(parse_number("1E3"), Some(1000.0));
        assert_eq!(parse_number("1.5e-3"), Some(0.0015));
        assert_eq!(parse_number("-2.5e+2"), Some(-250.0));
        assert_eq!(parse_number("1e"), None);
        assert_eq!(parse_number("e3"), None);
        assert_eq!(parse_number("1e3e3"), None);
        assert_eq!(parse_number("1,5e3"), None);
        assert_eq!(parse_number("1e999"), None);
    }

    #[test]
    fn text_is_rejected() {
        for s in [
            "",
            "   ",
            "INV-123",
            "abc",
            "12 apples",
            "eure 12",
            "12eur5",
            "nan",
            "inf",
            "infinity",
            "12%",
            "1/2",
            "12:30",
            "0x1F",
        ] {
            assert_eq!(parse_number(s), None, "{s:?}");
        }
    }

    #[test]
    fn full_width_numbers() {
        assert_eq!(parse_number("１２３４．５"), Some(1234.5));
    }

    /// Deterministic pseudo-random strings over the characters the parsers care about.
    pub(crate) fn noise(count: usize) -> Vec<String> {
        const ALPHABET: &[char] = &[
            '0', '1', '2', '3', '9', '.', ',', '-', '/', ' ', '\'', '(', ')', 'e', '€', '$', 't',
            ':', 'ü', '\u{a0}', '+', 'm', 'a', 'y', 'z', '\u{2212}', '–', '１', 'Ｔ', '_',
        ];
        let mut rng = datagen::rng::Rng(0x2545_f491_4f6c_dd1d);
        (0..count)
            .map(|_| {
                let len = rng.below(14) as usize;
                (0..len).map(|_| rng.pick(ALPHABET)).collect()
            })
            .collect()
    }

    #[test]
    fn noise_never_panics_and_numbers_are_finite() {
        for s in noise(50_000) {
            if let Some(n) = parse_number(&s) {
                assert!(n.is_finite(), "{s:?}");
            }
            let _ = parse_date(&s);
            let _ = parse_date_with(&s, Some(DateOrder::MonthFirst));
        }
    }

    #[test]
    fn odd_unicode_never_panics() {
        for s in [
            "€",
            "(€)",
            "ü,",
            "1ü",
            "—",
            "‐12",
            "１,２",
            "🙂12",
            "12🙂",
            "(",
            ")",
            "2024-12-31T",
        ] {
            let _ = parse_number(s);
            let _ = parse_date(s);
        }
    }
}
