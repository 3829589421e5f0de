//! Typing slips in dates: two dates one slip apart, and a value that is no date at all but one
//! slip away from one (`19630278` typed for 1963-07-28, `14/00/1989` for 14 September 1989).
//! A birth date typed with a slip is weak evidence for the same person; read as "no date" or
//! "another date" it would count against them as a relative's birthday does.

use chrono::{Datelike, NaiveDate};

/// The digits of a value that should have been a date (inline: a run holds one per value).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateDigits {
    digits: [u8; 8],
    len: u8,
}

impl DateDigits {
    pub fn as_slice(&self) -> &[u8] {
        &self.digits[..usize::from(self.len)]
    }
}

/// The digits of a value that should have been a date, when there are as many as a date has
/// (6: two-digit years, or 8).
pub fn date_digits(raw: &str) -> Option<DateDigits> {
    let mut out = DateDigits {
        digits: [0; 8],
        len: 0,
    };
    for b in raw.bytes().filter(u8::is_ascii_digit) {
        let slot = out.digits.get_mut(usize::from(out.len))?;
        *slot = b - b'0';
        out.len += 1;
    }
    matches!(out.len, 6 | 8).then_some(out)
}

/// Whether two different dates differ as one typing slip does: day and month swapped, one digit
/// of `YYYYMMDD` changed, or two adjacent digits swapped (the slips that record linkage compares
/// birth dates for: Damerau-Levenshtein distance 1).
pub fn one_slip_apart(a: NaiveDate, b: NaiveDate) -> bool {
    if a.year() == b.year() && a.month() == b.day() && a.day() == b.month() {
        return true;
    }
    one_slip(
        layout(a, Layout::Ymd, 8).as_slice(),
        layout(b, Layout::Ymd, 8).as_slice(),
    )
}

/// Whether the digits of a value that is no date are one slip away from `date` written in any of
/// the usual orders (year, day or month first), with the year in as many digits as theirs.
pub fn slip_from_date(digits: &[u8], date: NaiveDate) -> bool {
    [Layout::Ymd, Layout::Dmy, Layout::Mdy]
        .iter()
        .any(|&l| one_slip(digits, layout(date, l, digits.len()).as_slice()))
}

/// Whether two digit strings are equal but for one changed digit or two adjacent ones swapped.
pub fn one_slip(x: &[u8], y: &[u8]) -> bool {
    if x.len() != y.len() {
        return false;
    }
    let mut differ = (0..x.len()).filter(|&i| x[i] != y[i]);
    match (differ.next(), differ.next(), differ.next()) {
        (Some(_), None, None) => true,
        (Some(i), Some(j), None) => j == i + 1 && x[i] == y[j] && x[j] == y[i],
        _ => false,
    }
}

#[derive(Clone, Copy)]
enum Layout {
    Ymd,
    Dmy,
    Mdy,
}

/// `date`'s digits in `order`, with a four-digit year when `len` is 8 and a two-digit one else.
/// Inline, as `one_slip_apart` runs for every pair of differing same-day dates.
fn layout(date: NaiveDate, order: Layout, len: usize) -> DateDigits {
    let (year, year_digits) = if len == 8 {
        (date.year().rem_euclid(10_000) as u32, 4)
    } else {
        (date.year().rem_euclid(100) as u32, 2)
    };
    let year = (year, year_digits);
    let (day, month) = ((date.day(), 2), (date.month(), 2));
    let parts = match order {
        Layout::Ymd => [year, month, day],
        Layout::Dmy => [day, month, year],
        Layout::Mdy => [month, day, year],
    };
    let mut out = DateDigits {
        digits: [0; 8],
        len: 0,
    };
    for (n, width) in parts {
        for p in (0..width).rev() {
            out.digits[usize::from(out.len)] = (n / 10u32.pow(p) % 10) as u8;
            out.len += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn dates_a_slip_apart() {
        assert!(one_slip_apart(day(1987, 10, 24), day(1978, 10, 24)));
        assert!(one_slip_apart(day(1990, 3, 4), day(1990, 4, 3)));
        assert!(one_slip_apart(day(1990, 3, 4), day(1990, 3, 5)));
        assert!(!one_slip_apart(day(1990, 3, 4), day(1991, 3, 5)));
        assert!(!one_slip_apart(day(1961, 5, 12), day(1916, 5, 21)));
    }

    #[test]
    fn a_value_that_is_no_date_one_slip_from_one() {
        let d = |raw: &str| date_digits(raw).unwrap().as_slice().to_vec();
        // Adjacent digits swapped into a month 02 with day 78.
        assert!(slip_from_date(&d("19630278"), day(1963, 7, 28)));
        // Month 00, written day first.
        assert!(slip_from_date(&d("14/00/1989"), day(1989, 9, 14)));
        // Month first, with a two-digit year.
        assert!(!slip_from_date(&d("13/32/89"), day(1989, 12, 31)));
        assert!(slip_from_date(&d("02/30/89"), day(1989, 2, 20)));
        // Two digits changed: another value, not a slip.
        assert!(!slip_from_date(&d("01470324"), day(1947, 3, 24)));
        assert!(date_digits("next week").is_none());
        assert!(date_digits("1989").is_none());
        assert!(date_digits("1989-01-02-03").is_none());
    }

    #[test]
    fn one_slip_is_one_digit_or_one_adjacent_swap() {
        assert!(one_slip(&[1, 2, 3], &[1, 2, 4]));
        assert!(one_slip(&[1, 2, 3], &[2, 1, 3]));
        assert!(!one_slip(&[1, 2, 3], &[1, 2, 3]));
        assert!(!one_slip(&[1, 2, 3], &[3, 2, 1]));
        assert!(!one_slip(&[1, 2, 3], &[1, 2]));
    }
}
