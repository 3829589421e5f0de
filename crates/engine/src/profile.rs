//! Column profiling: what a column's values look like (dates and in which order, amounts,
//! references, names, codes), so configs can default sensibly and the UI can suggest strategies.

use std::collections::HashSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::domain::{Normalizer, Strategy};
use crate::normalize::{ends_with_legal_form, fold};
use crate::parse::{parse_date, parse_date_with, parse_number, DateOrder};

/// How a column writes ambiguous numeric dates, per separator: files mix styles in one column
/// ("31.12.2024" from one system, "12/31/2024" from another), and each style has its own habit.
/// `None` for a style: no evidence, or contradictory evidence; `parse_date`'s default rule applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct DateOrderProfile {
    /// `03/04/2024`
    pub slash: Option<DateOrder>,
    /// `03.04.2024`
    pub dot: Option<DateOrder>,
    /// `03-04-2024`
    pub dash: Option<DateOrder>,
}

impl DateOrderProfile {
    /// The order detected for dates written with `separator` (`/`, `.` or `-`).
    pub fn order_for(&self, separator: char) -> Option<DateOrder> {
        match separator {
            '/' => self.slash,
            '.' => self.dot,
            '-' => self.dash,
            _ => None,
        }
    }
}

/// How many unambiguous dates of one order outweigh each of the other order in a column.
const DATE_ORDER_MAJORITY: usize = 9;

/// Detects, per separator style, whether a column's numeric dates are day-first or month-first:
/// a date whose first part is a day above 12 ("31/12/2024") can only be day-first, one whose second
/// part is ("12/31/2024") only month-first. A style is decided when its dates point one way, or
/// overwhelmingly one way (at least `DATE_ORDER_MAJORITY` to one): a few mistyped values
/// ("05/13/1990" in a column of day-first birth dates) must not turn a whole column to the
/// separator's habit, while a column that really mixes the two stays undecided.
pub fn detect_date_order(values: impl IntoIterator<Item = impl AsRef<str>>) -> DateOrderProfile {
    // [day-first evidence, month-first evidence] for '/', '.', '-'.
    let mut votes = [[0usize; 2]; 3];
    for value in values {
        let Some((separator, first, second)) = numeric_day_month(value.as_ref()) else {
            continue;
        };
        let style = match separator {
            '/' => 0,
            '.' => 1,
            _ => 2,
        };
        // Only a reading that is a date counts: "12/97/2005" is a typo, not evidence.
        let (day, month) = (13..=31, 1..=12);
        if day.contains(&first) && month.contains(&second) {
            votes[style][0] += 1;
        } else if day.contains(&second) && month.contains(&first) {
            votes[style][1] += 1;
        }
    }
    let decide = |[day_first, month_first]: [usize; 2]| {
        if day_first > 0 && day_first >= DATE_ORDER_MAJORITY * month_first {
            Some(DateOrder::DayFirst)
        } else if month_first > 0 && month_first >= DATE_ORDER_MAJORITY * day_first {
            Some(DateOrder::MonthFirst)
        } else {
            None
        }
    };
    DateOrderProfile {
        slash: decide(votes[0]),
        dot: decide(votes[1]),
        dash: decide(votes[2]),
    }
}

/// `(separator, first part, second part)` of a date written `d/m/y` or `m/d/y` with one- or
/// two-digit day and month and a two- or four-digit year, optionally followed by a time.
fn numeric_day_month(raw: &str) -> Option<(char, u32, u32)> {
    let folded;
    let s = if raw.is_ascii() {
        raw.trim()
    } else {
        folded = fold(raw);
        folded.as_str()
    };
    let (first, rest) = leading_number(s, 1..=2)?;
    let separator = rest
        .chars()
        .next()
        .filter(|c| matches!(c, '/' | '.' | '-'))?;
    let (second, rest) = leading_number(rest[1..].trim_start(), 1..=2)?;
    let rest = rest.strip_prefix(separator)?.trim_start();
    let year_len = rest.bytes().take_while(u8::is_ascii_digit).count();
    if year_len != 2 && year_len != 4 {
        return None;
    }
    let tail = &rest[year_len..];
    // A time or a closing dot may follow; more digits or separators mean something else.
    let tail_ok = tail.is_empty()
        || tail == "."
        || tail.starts_with(char::is_whitespace)
        || tail.starts_with(['t', 'T']);
    tail_ok.then_some((separator, first, second))
}

/// A run of ASCII digits of a length in `lengths` at the start of `s`, and what follows it.
fn leading_number(s: &str, lengths: std::ops::RangeInclusive<usize>) -> Option<(u32, &str)> {
    let len = s.bytes().take_while(u8::is_ascii_digit).count();
    if !lengths.contains(&len) {
        return None;
    }
    Some((s[..len].parse().ok()?, &s[len..]))
}

/// Parses a date, deciding an ambiguous numeric one by the order `profile` detected for the
/// value's separator style (`parse_date`'s default rule where none was detected).
pub fn parse_date_profiled(s: &str, profile: &DateOrderProfile) -> Option<NaiveDate> {
    let order = separator_style(s).and_then(|sep| profile.order_for(sep));
    parse_date_with(s, order)
}

/// The separator after the leading digits of a value: `'/'` for "03/04/2024".
fn separator_style(s: &str) -> Option<char> {
    let folded;
    let s = if s.is_ascii() {
        s.trim_start()
    } else {
        folded = fold(s);
        folded.as_str()
    };
    let rest = s.trim_start_matches(|c: char| c.is_ascii_digit());
    if rest.len() == s.len() {
        return None;
    }
    rest.chars().next().filter(|c| matches!(c, '/' | '.' | '-'))
}

/// What a column holds, as far as matching is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnRole {
    /// A unique key of the row (row number, UUID): not something documents mention.
    Identifier,
    /// A reference number (PO-2024-000123, 4711-2024): typos and formatting vary.
    Reference,
    CompanyName,
    PersonName,
    /// Free text (descriptions, addresses).
    Text,
    /// A number that is not money (quantity, rate).
    Number,
    Amount,
    Date,
    /// A few short values repeated (currency, country, status).
    Code,
}

/// Statistics of a column and the role they suggest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnProfile {
    pub name: String,
    pub role: ColumnRole,
    /// Values that are not blank.
    pub non_empty: usize,
    /// Distinct non-blank values, after `normalize::fold`.
    pub distinct: usize,
    /// Average length in characters of the non-blank values, trimmed.
    pub avg_len: f64,
    /// Share of the non-blank values that are numbers (`parse::parse_number`).
    pub numeric_share: f64,
    /// Share of the non-blank values that are dates (`parse::parse_date`).
    pub date_share: f64,
}

/// Profiles a column from its values (all of them, or a sample) and, weakly, its name.
pub fn profile_column(name: &str, values: &[&str]) -> ColumnProfile {
    let stats = ValueStats::of(values);
    let hints = NameHints::of(name);
    let role = decide_role(&stats, &hints);
    let n = stats.non_empty.max(1) as f64;
    ColumnProfile {
        name: name.to_owned(),
        role,
        non_empty: stats.non_empty,
        distinct: stats.distinct,
        avg_len: stats.total_len as f64 / n,
        numeric_share: stats.numeric as f64 / n,
        date_share: stats.dates as f64 / n,
    }
}

/// The comparison a field of this role usually wants, and its normaliser (`None`: the default).
pub fn suggest(role: ColumnRole) -> (Strategy, Option<Normalizer>) {
    match role {
        ColumnRole::Reference => (Strategy::Fuzzy, Some(Normalizer::Reference)),
        ColumnRole::CompanyName => (Strategy::Fuzzy, Some(Normalizer::CompanyName)),
        ColumnRole::PersonName | ColumnRole::Text => (Strategy::Fuzzy, None),
        ColumnRole::Amount | ColumnRole::Number => (Strategy::NumericRange, None),
        ColumnRole::Date => (Strategy::DateRange, None),
        ColumnRole::Code | ColumnRole::Identifier => (Strategy::Exact, None),
    }
}

/// Counts over the non-blank values of a column.
#[derive(Debug, Default)]
struct ValueStats {
    non_empty: usize,
    distinct: usize,
    total_len: usize,
    max_len: usize,
    numeric: usize,
    dates: usize,
    /// Numbers written like money: two decimals, a currency.
    amount_like: usize,
    /// Numbers with a fractional part.
    fractional: usize,
    /// Nothing but ASCII digits ("000123").
    digit_strings: usize,
    /// Of the digit strings, the smallest and largest value (for row numbers 1..n).
    digit_min: u64,
    digit_max: u64,
    /// Letters and digits in a short code-like shape ("PO-2024-000123").
    reference_like: usize,
    /// Long hexadecimal keys, UUIDs.
    hex_keys: usize,
    legal_form: usize,
    /// One to three capitalised words ("Anna", "Jean-Luc Picard").
    person_like: usize,
    /// At least two letters.
    textual: usize,
    /// No whitespace inside.
    single_word: usize,
}

impl ValueStats {
    fn of(values: &[&str]) -> Self {
        let mut stats = ValueStats {
            digit_min: u64::MAX,
            ..ValueStats::default()
        };
        let mut seen: HashSet<String> = HashSet::new();
        for raw in values {
            let v = raw.trim();
            if v.is_empty() {
                continue;
            }
            let folded = fold(v);
            if folded.is_empty() {
                continue;
            }
            stats.non_empty += 1;
            let len = v.chars().count();
            stats.total_len += len;
            stats.max_len = stats.max_len.max(len);
            if let Some(number) = parse_number(v) {
                stats.numeric += 1;
                if number.fract() != 0.0 {
                    stats.fractional += 1;
                }
                if is_amount_like(v) {
                    stats.amount_like += 1;
                }
            }
            if parse_date(v).is_some() {
                stats.dates += 1;
            }
            if v.bytes().all(|b| b.is_ascii_digit()) {
                stats.digit_strings += 1;
                // Longer than u64 is no row number; saturate rather than fail.
                let n = v.parse::<u64>().unwrap_or(u64::MAX);
                stats.digit_min = stats.digit_min.min(n);
                stats.digit_max = stats.digit_max.max(n);
            }
            if is_reference_like(&folded) {
                stats.reference_like += 1;
            }
            if is_hex_key(v) {
                stats.hex_keys += 1;
            }
            if ends_with_legal_form(v) {
                stats.legal_form += 1;
            }
            if is_person_like(v) {
                stats.person_like += 1;
            }
            if v.chars().filter(|c| c.is_alphabetic()).nth(1).is_some() {
                stats.textual += 1;
            }
            if !v.contains(char::is_whitespace) {
                stats.single_word += 1;
            }
            seen.insert(folded);
        }
        stats.distinct = seen.len();
        stats
    }

    fn share(&self, count: usize) -> f64 {
        if self.non_empty == 0 {
            0.0
        } else {
            count as f64 / self.non_empty as f64
        }
    }

    fn all_distinct(&self) -> bool {
        self.non_empty > 1 && self.distinct == self.non_empty
    }

    /// 1, 2, 3, ... n in some order: a row number.
    fn row_numbers(&self) -> bool {
        self.all_distinct()
            && self.digit_strings == self.non_empty
            && self.digit_min <= 1
            && self.digit_max.saturating_sub(self.digit_min) < self.non_empty as u64
    }
}

/// Written like money: a currency sign or code, or exactly two decimals.
fn is_amount_like(v: &str) -> bool {
    // `parse_number` accepts letters and symbols only as a currency.
    let currency = v
        .chars()
        .any(|c| !(c.is_ascii_digit() || c.is_whitespace() || ".,'’+-−()".contains(c)));
    if currency {
        return true;
    }
    let body = v.trim_end_matches(|c: char| !c.is_ascii_digit());
    let decimals = body.bytes().rev().take_while(u8::is_ascii_digit).count();
    let separator = body
        .len()
        .checked_sub(3)
        .and_then(|i| body.as_bytes().get(i));
    decimals == 2 && matches!(separator, Some(b'.' | b','))
}

/// Letters and digits in the shape of a document number: mostly digits, at most two short
/// words, few spaces. "PO-2024-000123", "INV 2024/77", "4711-2024"; not "Main Street 5".
fn is_reference_like(folded: &str) -> bool {
    let (mut digits, mut letters) = (0usize, 0usize);
    for c in folded.chars() {
        if c.is_ascii_digit() {
            digits += 1;
        } else if c.is_alphabetic() {
            letters += 1;
        }
    }
    if digits < 2 || digits + letters < 3 || digits * 10 < (digits + letters) * 3 {
        return false;
    }
    let words: Vec<&str> = crate::normalize::split_tokens(folded)
        .filter(|t| t.chars().all(char::is_alphabetic))
        .collect();
    words.len() <= 2
        && words.iter().all(|w| w.chars().count() <= 8)
        && folded.split_whitespace().count() <= 4
}

/// A UUID or a long hexadecimal key.
fn is_hex_key(v: &str) -> bool {
    let hex = v.chars().filter(char::is_ascii_hexdigit).count();
    v.len() >= 16
        && v.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
        && hex >= 16
        && v.chars().any(|c| c.is_ascii_digit())
        && v.chars().any(|c| c.is_ascii_alphabetic())
}

/// One to three words, each capitalised letters ("Anna", "Jean-Luc", "O'Brien", "Dr. Meyer").
fn is_person_like(v: &str) -> bool {
    let words: Vec<&str> = v.split_whitespace().collect();
    if words.is_empty() || words.len() > 3 || ends_with_legal_form(v) {
        return false;
    }
    words.iter().all(|w| {
        let mut chars = w.chars();
        let starts_upper = chars.next().is_some_and(char::is_uppercase);
        let letters = w.chars().filter(|c| c.is_alphabetic()).count();
        let shaped = w
            .chars()
            .all(|c| c.is_alphabetic() || matches!(c, '-' | '\'' | '’' | '.'));
        // "EUR", "USA": all capitals is a code, not a name.
        let not_shouting = letters < 2 || w.chars().any(char::is_lowercase);
        starts_upper && letters >= 2 && shaped && not_shouting
    })
}

/// What the column name says, by its words ("VendorName", "vendor_name" -> vendor, name).
#[derive(Debug, Default)]
struct NameHints {
    company: bool,
    person: bool,
    name: bool,
    id: bool,
    reference: bool,
    amount: bool,
    quantity: bool,
}

impl NameHints {
    fn of(name: &str) -> Self {
        let words = name_words(name);
        let has = |list: &[&str]| words.iter().any(|w| list.contains(&w.as_str()));
        let joined: String = words.concat();
        let contains = |list: &[&str]| list.iter().any(|p| joined.contains(p));
        NameHints {
            company: contains(&[
                "vendor",
                "supplier",
                "company",
                "lieferant",
                "kreditor",
                "creditor",
                "manufacturer",
                "merchant",
            ]) || has(&[
                "firm",
                "firma",
                "payee",
                "organisation",
                "organization",
                "business",
            ]),
            person: has(&[
                "first",
                "last",
                "given",
                "surname",
                "family",
                "forename",
                "middle",
                "person",
                "contact",
                "employee",
                "firstname",
                "lastname",
                "fullname",
                "vorname",
                "nachname",
            ]),
            name: has(&["name"]),
            id: has(&["id", "uuid", "guid", "key", "pk", "rowid"]),
            reference: has(&[
                "no",
                "nr",
                "nbr",
                "num",
                "number",
                "ref",
                "reference",
                "po",
                "invoice",
                "inv",
                "order",
                "doc",
                "document",
            ]) || name.contains('#'),
            amount: has(&[
                "amount", "total", "price", "net", "gross", "sum", "value", "betrag", "cost",
                "vat", "tax", "subtotal", "balance", "eur", "usd",
            ]),
            quantity: has(&[
                "qty", "quantity", "count", "menge", "units", "pieces", "pcs",
            ]),
        }
    }
}

/// Lower-case words of a column name, split at punctuation and camel-case humps.
fn name_words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            previous_lower = false;
            continue;
        }
        if c.is_uppercase() && previous_lower && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_lowercase() || c.is_ascii_digit();
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

fn decide_role(s: &ValueStats, hints: &NameHints) -> ColumnRole {
    if s.non_empty == 0 {
        return ColumnRole::Text;
    }
    let distinct_ratio = s.distinct as f64 / s.non_empty as f64;
    let avg_len = s.total_len as f64 / s.non_empty as f64;
    if s.share(s.dates) >= 0.9 {
        return ColumnRole::Date;
    }
    if s.share(s.hex_keys) >= 0.9 && s.all_distinct() {
        return ColumnRole::Identifier;
    }
    if s.share(s.numeric) >= 0.9 {
        if s.share(s.amount_like) >= 0.5 || (hints.amount && s.fractional > 0) {
            return ColumnRole::Amount;
        }
        if s.share(s.digit_strings) >= 0.9 && !hints.quantity && !hints.amount {
            if s.all_distinct() && (hints.id || s.row_numbers()) {
                return ColumnRole::Identifier;
            }
            if hints.reference || (distinct_ratio >= 0.9 && avg_len >= 4.0) {
                return ColumnRole::Reference;
            }
        }
        return ColumnRole::Number;
    }
    if s.share(s.legal_form) >= 0.3 {
        return ColumnRole::CompanyName;
    }
    if hints.id && s.all_distinct() {
        return ColumnRole::Identifier;
    }
    // Repeats are normal in a foreign key ("vendor_id" on every order of the vendor).
    if s.share(s.reference_like) >= 0.8 && (distinct_ratio >= 0.3 || hints.reference || hints.id) {
        return ColumnRole::Reference;
    }
    let text = s.share(s.textual) >= 0.5;
    if text && hints.company {
        return ColumnRole::CompanyName;
    }
    if text && hints.person {
        return ColumnRole::PersonName;
    }
    let code_like = s.distinct <= 30
        && s.max_len <= 10
        && s.single_word == s.non_empty
        && (distinct_ratio <= 0.5 || s.max_len <= 3);
    if code_like {
        return ColumnRole::Code;
    }
    let person_share = s.share(s.person_like);
    if person_share >= 0.9 || (hints.name && person_share >= 0.6) {
        return ColumnRole::PersonName;
    }
    ColumnRole::Text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, day)
    }

    fn role(name: &str, values: &[&str]) -> ColumnRole {
        profile_column(name, values).role
    }

    #[test]
    fn date_order_per_separator_style() {
        let p = detect_date_order(["31.12.2024", "03.04.2024", "12/31/2024", "03/04/2024"]);
        assert_eq!(p.dot, Some(DateOrder::DayFirst));
        assert_eq!(p.slash, Some(DateOrder::MonthFirst));
        assert_eq!(p.dash, None);
        // The same ambiguous date reads differently by its style.
        assert_eq!(parse_date_profiled("03.04.2024", &p), d(2024, 4, 3));
        assert_eq!(parse_date_profiled("03/04/2024", &p), d(2024, 3, 4));
    }

    #[test]
    fn date_order_against_the_separator_habit() {
        // Day-first with slashes (UK), month-first with dashes.
        let p = detect_date_order(vec!["25/12/2024", "03/04/2024", "12-25-24", "03-04-24"]);
        assert_eq!(p.slash, Some(DateOrder::DayFirst));
        assert_eq!(p.dash, Some(DateOrder::MonthFirst));
        assert_eq!(parse_date_profiled("03/04/2024", &p), d(2024, 4, 3));
        assert_eq!(parse_date_profiled("03-04-24", &p), d(2024, 3, 4));
        // Without a profile the separator's habit applies.
        let none = DateOrderProfile::default();
        assert_eq!(parse_date_profiled("03/04/2024", &none), d(2024, 3, 4));
        assert_eq!(parse_date_profiled("03-04-2024", &none), d(2024, 4, 3));
    }

    #[test]
    fn date_order_needs_clean_evidence() {
        // Contradictory.
        let p = detect_date_order(["25/12/2024", "12/25/2024"]);
        assert_eq!(p.slash, None);
        // Only ambiguous dates.
        assert_eq!(detect_date_order(["03/04/2024", "01/02/2024"]).slash, None);
        // Invalid both ways, ISO, named months, numbers, blanks: no evidence.
        let p = detect_date_order([
            "13/13/2024",
            "2024-12-31",
            "31 Dec 2024",
            "1234.56",
            "",
            "25.12.2024.5",
            "25/12",
        ]);
        assert_eq!(p, DateOrderProfile::default());
        let empty: [&str; 0] = [];
        assert_eq!(detect_date_order(empty), DateOrderProfile::default());
    }

    #[test]
    fn date_order_outweighs_a_few_typos_but_not_a_mixed_column() {
        let mut values: Vec<String> = (0..40)
            .map(|i| format!("{}/0{}/1980", 13 + i % 15, 1 + i % 9))
            .collect();
        // Mistyped birth dates: two that read month-first, one that reads neither way.
        values.extend([
            "05/13/1990".to_string(),
            "02/30/1982".into(),
            "12/97/2005".into(),
        ]);
        let p = detect_date_order(&values);
        assert_eq!(p.slash, Some(DateOrder::DayFirst));
        assert_eq!(parse_date_profiled("08/06/1939", &p), d(1939, 6, 8));
        // A column that mixes the two habits stays undecided.
        values.extend((0..10).map(|i| format!("0{}/2{}/1980", 1 + i % 9, i % 9)));
        assert_eq!(detect_date_order(&values).slash, None);
    }

    #[test]
    fn date_order_reads_times_spaces_and_full_width() {
        let p = detect_date_order([
            "25.12.2024 10:00",
            "12/25/2024T10:00",
            "25. 12. 2024",
            "１３－０１－２０２４",
        ]);
        assert_eq!(p.dot, Some(DateOrder::DayFirst));
        assert_eq!(p.slash, Some(DateOrder::MonthFirst));
        assert_eq!(p.dash, Some(DateOrder::DayFirst));
        let owned: Vec<String> = vec!["25/12/2024".into()];
        assert_eq!(detect_date_order(&owned).slash, Some(DateOrder::DayFirst));
    }

    #[test]
    fn parse_date_profiled_parses_everything_else_as_usual() {
        let p = DateOrderProfile {
            slash: Some(DateOrder::DayFirst),
            dot: Some(DateOrder::MonthFirst),
            dash: Some(DateOrder::MonthFirst),
        };
        assert_eq!(parse_date_profiled("2024-03-04", &p), d(2024, 3, 4));
        assert_eq!(parse_date_profiled("3 May 2024", &p), d(2024, 5, 3));
        assert_eq!(parse_date_profiled("20240304", &p), d(2024, 3, 4));
        assert_eq!(parse_date_profiled("31/12/2024", &p), d(2024, 12, 31));
        assert_eq!(
            parse_date_profiled("０３／０４／２０２４", &p),
            d(2024, 4, 3)
        );
        assert_eq!(parse_date_profiled("", &p), None);
        assert_eq!(parse_date_profiled("soon", &p), None);
        for s in crate::parse::tests::noise(5_000) {
            let _ = parse_date_profiled(&s, &p);
            let _ = detect_date_order([s.as_str()]);
        }
    }

    #[test]
    fn po_numbers_are_references() {
        let values: Vec<String> = (0..200)
            .map(|i| format!("PO-2024-{:06}", 100 + i * 7))
            .collect();
        let refs: Vec<&str> = values.iter().map(String::as_str).collect();
        let p = profile_column("PO Number", &refs);
        assert_eq!(p.role, ColumnRole::Reference);
        assert_eq!(p.non_empty, 200);
        assert_eq!(p.distinct, 200);
        assert_eq!(p.avg_len, 14.0);
        assert_eq!(p.numeric_share, 0.0);
        assert_eq!(p.date_share, 0.0);
        // Even under an unhelpful name, and with repeats (several invoices per order).
        let repeated: Vec<&str> = refs.iter().flat_map(|r| [*r, *r]).collect();
        assert_eq!(role("col3", &repeated), ColumnRole::Reference);
        assert_eq!(
            role(
                "ref",
                &[
                    "INV 2024/77",
                    "INV 2024/78",
                    "RE-4711",
                    "4711-2024",
                    "INV2024-80"
                ]
            ),
            ColumnRole::Reference
        );
    }

    #[test]
    fn digit_only_references() {
        let values: Vec<String> = (0..100)
            .map(|i| format!("20240{:05}", 3 * i + 17))
            .collect();
        let refs: Vec<&str> = values.iter().map(String::as_str).collect();
        assert_eq!(role("Order", &refs), ColumnRole::Reference);
        assert_eq!(role("x", &refs), ColumnRole::Reference);
        let p = profile_column("x", &refs);
        assert_eq!(p.numeric_share, 1.0);
    }

    #[test]
    fn vendor_names_are_company_names() {
        let with_forms = [
            "Northbridge Logistics GmbH",
            "Acme Corp.",
            "Eastport Services S.A.",
            "Foo B.V.",
            "Bar Ltd",
            "Zenith Trading",
            "Qux L.L.C.",
            "Müller & Söhne KG",
        ];
        assert_eq!(role("column_a", &with_forms), ColumnRole::CompanyName);
        let plain = [
            "Northbridge Logistics",
            "Acme",
            "Zenith Trading",
            "Eastport Services",
        ];
        assert_eq!(role("Vendor", &plain), ColumnRole::CompanyName);
        assert_eq!(role("supplierName", &plain), ColumnRole::CompanyName);
        assert_eq!(role("Lieferant", &plain), ColumnRole::CompanyName);
    }

    #[test]
    fn amounts_in_mixed_formats() {
        let values = [
            "1.234,56",
            "EUR 99.00",
            "$1,234.50",
            "500",
            "(12.00)",
            "1 234,56 €",
            "17.5",
            "0.99",
        ];
        let p = profile_column("Betrag", &values);
        assert_eq!(p.role, ColumnRole::Amount);
        assert_eq!(p.numeric_share, 1.0);
        assert_eq!(
            role("x", &["12.50", "99.00", "1234.10", "7.25"]),
            ColumnRole::Amount
        );
        assert_eq!(
            role("total", &["12.5", "99", "1234.1", "7"]),
            ColumnRole::Amount
        );
    }

    #[test]
    fn plain_numbers() {
        let qty = ["1", "2", "2", "10", "1", "3", "5", "1"];
        assert_eq!(role("Qty", &qty), ColumnRole::Number);
        assert_eq!(role("x", &qty), ColumnRole::Number);
        assert_eq!(
            role("rate", &["0.19", "0.07", "0.19", "0.2"]),
            ColumnRole::Amount
        );
        assert_eq!(
            role("rate", &["0.195", "0.075", "0.1", "0.2"]),
            ColumnRole::Number
        );
    }

    #[test]
    fn dates_in_mixed_formats() {
        let values = [
            "31.12.2024",
            "12/31/2024",
            "2024-12-30",
            "30 Dec 2024",
            "20241229",
            "Dec 28, 2024",
            "27.12.24",
            "1. März 2024",
            "2024-01-05T10:00:00Z",
            "03/04/2024",
        ];
        let p = profile_column("Invoice date", &values);
        assert_eq!(p.role, ColumnRole::Date);
        assert_eq!(p.date_share, 1.0);
    }

    #[test]
    fn currencies_and_countries_are_codes() {
        let currencies: Vec<&str> =
            ["EUR", "USD", "EUR", "GBP", "EUR", "CHF", "USD", "EUR"].repeat(10);
        let p = profile_column("Currency", &currencies);
        assert_eq!(p.role, ColumnRole::Code);
        assert_eq!(p.distinct, 4);
        assert_eq!(
            role("country", &["DE", "FR", "DE", "AT", "DE", "NL"]),
            ColumnRole::Code
        );
        assert_eq!(role("ccy", &["EUR", "USD", "GBP"]), ColumnRole::Code);
        assert_eq!(
            role("status", &["open", "paid", "open", "open", "paid"]),
            ColumnRole::Code
        );
    }

    #[test]
    fn first_names_are_person_names() {
        let names = [
            "Anna", "Peter", "Maria", "Jean-Luc", "Sophie", "Lukas", "Anna", "Chloé", "Seán",
            "Mia", "Noah", "Emma",
        ];
        assert_eq!(role("first_name", &names), ColumnRole::PersonName);
        assert_eq!(role("Vorname", &names), ColumnRole::PersonName);
        assert_eq!(role("x", &names), ColumnRole::PersonName);
        let full = [
            "Anna Meyer",
            "Peter O'Brien",
            "Dr. Maria Rossi",
            "Lukas Schmidt",
        ];
        assert_eq!(role("Name", &full), ColumnRole::PersonName);
        assert_eq!(role("Contact", &full), ColumnRole::PersonName);
    }

    #[test]
    fn identifiers() {
        let rows: Vec<String> = (1..=50).rev().map(|i| i.to_string()).collect();
        let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
        assert_eq!(role("row", &rows), ColumnRole::Identifier);
        assert_eq!(
            role("id", &["17", "4", "99", "1203"]),
            ColumnRole::Identifier
        );
        let uuids = [
            "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
            "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
            "6ba7b811-9dad-11d1-80b4-00c04fd430c8",
        ];
        assert_eq!(role("x", &uuids), ColumnRole::Identifier);
        assert_eq!(
            role("document_id", &["DOC-1", "DOC-2", "DOC-3"]),
            ColumnRole::Identifier
        );
        // A foreign key repeats: a reference to something else.
        let vendor_ids: Vec<&str> = ["V00313", "V00063", "V00313", "V00173"].repeat(20);
        assert_eq!(role("vendor_id", &vendor_ids), ColumnRole::Reference);
    }

    #[test]
    fn free_text() {
        let values = [
            "Steel bolts M8, zinc plated",
            "Consulting services March",
            "Freight Hamburg - Rotterdam",
            "Office chairs (4 pcs)",
        ];
        assert_eq!(role("Description", &values), ColumnRole::Text);
        assert_eq!(
            role(
                "Street",
                &["Main Street 5", "Hauptstraße 12", "Rue de la Paix 3"]
            ),
            ColumnRole::Text
        );
    }

    #[test]
    fn blank_columns() {
        let p = profile_column("empty", &["", "  ", "\u{3000}"]);
        assert_eq!(p.role, ColumnRole::Text);
        assert_eq!(p.non_empty, 0);
        assert_eq!(p.distinct, 0);
        assert_eq!(p.avg_len, 0.0);
        assert_eq!(p.numeric_share, 0.0);
        assert_eq!(profile_column("none", &[]).non_empty, 0);
    }

    #[test]
    fn noise_never_panics() {
        let noise = crate::parse::tests::noise(3_000);
        let values: Vec<&str> = noise.iter().map(String::as_str).collect();
        let p = profile_column("ÿ#_Ab12", &values);
        assert!((0.0..=1.0).contains(&p.numeric_share));
        assert!((0.0..=1.0).contains(&p.date_share));
        for chunk in values.chunks(7) {
            let _ = profile_column("x", chunk);
        }
        // Beyond u64: still a (long) reference number, and no overflow.
        assert_eq!(
            role("x", &["18446744073709551616999"]),
            ColumnRole::Reference
        );
    }

    #[test]
    fn suggestions() {
        use ColumnRole::*;
        assert_eq!(
            suggest(Reference),
            (Strategy::Fuzzy, Some(Normalizer::Reference))
        );
        assert_eq!(
            suggest(CompanyName),
            (Strategy::Fuzzy, Some(Normalizer::CompanyName))
        );
        assert_eq!(suggest(PersonName), (Strategy::Fuzzy, None));
        assert_eq!(suggest(Text), (Strategy::Fuzzy, None));
        assert_eq!(suggest(Amount), (Strategy::NumericRange, None));
        assert_eq!(suggest(Number), (Strategy::NumericRange, None));
        assert_eq!(suggest(Date), (Strategy::DateRange, None));
        assert_eq!(suggest(Code), (Strategy::Exact, None));
        assert_eq!(suggest(Identifier), (Strategy::Exact, None));
    }

    #[test]
    fn roles_serialise_in_snake_case() {
        assert_eq!(
            serde_json::to_string(&ColumnRole::CompanyName).unwrap(),
            "\"company_name\""
        );
        let back: ColumnRole = serde_json::from_str("\"person_name\"").unwrap();
        assert_eq!(back, ColumnRole::PersonName);
    }

    #[test]
    fn name_words_split_camel_case_and_punctuation() {
        assert_eq!(name_words("VendorName"), ["vendor", "name"]);
        assert_eq!(name_words("vendor_id"), ["vendor", "id"]);
        assert_eq!(name_words("docID"), ["doc", "id"]);
        assert_eq!(name_words("PO #"), ["po"]);
        assert_eq!(name_words("paid"), ["paid"]);
    }
}
