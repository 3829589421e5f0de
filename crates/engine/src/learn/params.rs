//! Parameters read off the likely matches: the date window in which a document follows its
//! reference row, and the factors (tax rates, partial shares) between their amounts.

use super::anchors::{information, Data, Pairs};
use super::columns::ProfiledColumn;
use crate::domain::{FieldMapping, Strategy};
use crate::parse::parse_number;
use crate::profile::{detect_date_order, parse_date_profiled};

/// Likely matches with both values needed before a parameter is read off them.
const MIN_PAIRS: usize = 20;
/// A window this wide or wider tells nothing about a match.
const WIDEST_WINDOW: i64 = 400;

/// A date_range mapping whose window best tells likely matches from random pairs, with the
/// window in words.
pub(super) fn date_mapping(
    data: &Data,
    d: &ProfiledColumn,
    r: &ProfiledColumn,
    (anchors, random): (&Pairs, &Pairs),
) -> Option<(FieldMapping, Option<String>)> {
    let doc_order = detect_date_order(
        data.doc_rows
            .iter()
            .take(5_000)
            .map(|x| x[d.index].as_str()),
    );
    let ref_order = detect_date_order(
        data.ref_rows
            .iter()
            .take(5_000)
            .map(|x| x[r.index].as_str()),
    );
    let diffs_of = |pairs: &[(usize, usize)]| -> Vec<i64> {
        let mut out: Vec<i64> = pairs
            .iter()
            .filter_map(|&(a, b)| {
                let x = parse_date_profiled(&data.doc_rows[a][d.index], &doc_order)?;
                let y = parse_date_profiled(&data.ref_rows[b][r.index], &ref_order)?;
                Some(x.signed_duration_since(y).num_days())
            })
            .collect();
        out.sort_unstable();
        out
    };
    let diffs = diffs_of(anchors);
    let random = diffs_of(random);
    if diffs.len() < MIN_PAIRS || random.len() < MIN_PAIRS {
        return None;
    }
    let share = |xs: &[i64], (lo, hi): (i64, i64)| {
        let from = xs.partition_point(|&x| x < lo);
        let to = xs.partition_point(|&x| x <= hi);
        (to - from) as f64 / xs.len() as f64
    };
    // The narrowest windows holding ever more of the likely matches, widened by a tenth (the
    // likely matches are a sample of the true ones); the one that best separates them from
    // random pairs wins.
    let (lo, hi) = [0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98]
        .iter()
        .map(|&s| widen(densest(&diffs, s)))
        .filter(|&(lo, hi)| hi - lo < WIDEST_WINDOW)
        .max_by(|&a, &b| {
            let info = |w| information(share(&diffs, w), share(&random, w));
            info(a).total_cmp(&info(b))
        })?;
    let source = &data.tables.document_columns[d.index];
    let target = &data.tables.reference_columns[r.index];
    let mut m = FieldMapping::new(source, target, Strategy::DateRange, 1.0);
    let inside = share(&diffs, (lo, hi));
    let words = if lo == 0 && hi == 0 {
        m.tolerance_days = Some(0);
        "the same day".to_owned()
    } else if lo == -hi {
        m.tolerance_days = Some(hi);
        format!("within {hi} days either way")
    } else {
        m.days_before = Some((-lo).max(0));
        m.days_after = Some(hi.max(0));
        format!(
            "the document is dated {} to {} days after",
            lo.max(0).min(hi),
            hi
        )
    };
    Some((
        m,
        Some(format!(
            "{words} on {:.0} % of the likely matches",
            inside * 100.0
        )),
    ))
}

fn widen((lo, hi): (i64, i64)) -> (i64, i64) {
    if hi == lo {
        return (lo, hi);
    }
    let margin = ((hi - lo) as f64 * 0.1).ceil() as i64;
    let lo = if lo >= 0 {
        (lo - margin).max(0)
    } else {
        lo - margin
    };
    let hi = if hi <= 0 {
        (hi + margin).min(0)
    } else {
        hi + margin
    };
    (lo, hi)
}

/// The narrowest `[lo, hi]` of sorted `xs` holding at least `share` of them.
fn densest(xs: &[i64], share: f64) -> (i64, i64) {
    let k = ((xs.len() as f64 * share).ceil() as usize).clamp(1, xs.len());
    (0..=xs.len() - k)
        .map(|i| (xs[i], xs[i + k - 1]))
        .min_by_key(|&(a, b)| (b - a, a.abs()))
        .unwrap_or((0, 0))
}

/// A numeric_range mapping whose tax rates and partial shares explain the ratios of likely
/// matches' amounts, with them in words.
pub(super) fn amount_mapping(
    data: &Data,
    d: &ProfiledColumn,
    r: &ProfiledColumn,
    anchors: &[(usize, usize)],
) -> Option<(FieldMapping, Option<String>)> {
    let mut ratios: Vec<f64> = anchors
        .iter()
        .filter_map(|&(a, b)| {
            let x = parse_number(&data.doc_rows[a][d.index])?;
            let y = parse_number(&data.ref_rows[b][r.index])?;
            (x > 0.0 && y > 0.0).then_some(x / y)
        })
        .collect();
    if ratios.len() < MIN_PAIRS {
        return None;
    }
    ratios.sort_by(f64::total_cmp);
    let n = ratios.len();
    let clusters = clusters(&ratios, (n as f64 * 0.005).max(4.0) as usize);
    let mut rates: Vec<f64> = Vec::new();
    let mut has_whole = false;
    for &(c, _) in &clusters {
        if (c - 1.0).abs() < 0.002 {
            has_whole = true;
        } else if c > 1.0 && c <= 1.35 {
            rates.push(((c - 1.0) * 1000.0).round() / 10.0);
        }
    }
    let factors: Vec<f64> = std::iter::once(1.0)
        .chain(rates.iter().map(|t| 1.0 + t / 100.0))
        .collect();
    let mut shares: Vec<f64> = Vec::new();
    for &(c, _) in &clusters {
        if c >= 0.995 {
            continue;
        }
        // The share, under the factor that makes it roundest (a twentieth).
        let best = factors
            .iter()
            .map(|f| {
                let s = c / f;
                let round = (s * 20.0).round() / 20.0;
                ((s - round).abs(), round)
            })
            .min_by(|a, b| a.0.total_cmp(&b.0));
        if let Some((off, share)) = best {
            if off < 0.003 && share > 0.0 && share < 1.0 && !shares.contains(&share) {
                shares.push(share);
            }
        }
    }
    shares.sort_by(f64::total_cmp);
    // How far explained amounts sit from their factor: exact to the cent, or a percentage.
    let all_factors: Vec<f64> = factors
        .iter()
        .flat_map(|&f| std::iter::once(f).chain(shares.iter().map(move |s| f * s)))
        .collect();
    let mut offs: Vec<f64> = ratios
        .iter()
        .map(|&x| {
            all_factors
                .iter()
                .map(|f| (x / f - 1.0).abs())
                .fold(f64::INFINITY, f64::min)
        })
        .collect();
    offs.sort_by(f64::total_cmp);
    let explained = offs.iter().filter(|&&o| o < 0.01).count() as f64 / n as f64;
    if explained < 0.5 || (!has_whole && rates.is_empty()) {
        return None;
    }
    let typical = offs[((explained * 0.95 * n as f64) as usize).min(n - 1)];
    let source = &data.tables.document_columns[d.index];
    let target = &data.tables.reference_columns[r.index];
    let mut m = FieldMapping::new(source, target, Strategy::NumericRange, 1.0);
    if typical <= 1e-4 {
        m.tolerance_absolute = Some(0.01);
        m.tolerance_percent = Some(0.0);
    } else {
        m.tolerance_percent = Some(((typical * 100.0) * 10.0).ceil() / 10.0);
    }
    let mut words = Vec::new();
    if !rates.is_empty() {
        words.push(format!("tax rates {} %", join(&rates)));
        m.tax_rates = Some(rates);
    }
    if !shares.is_empty() {
        words.push(format!("partial shares {}", join(&shares)));
        m.partial_shares = Some(shares);
    }
    let tolerance = match m.tolerance_percent {
        Some(p) if p > 0.0 => format!("within {p} %"),
        _ => "to the cent".to_owned(),
    };
    words.push(format!(
        "{:.0} % of the likely matches' amounts explained {tolerance}",
        explained * 100.0
    ));
    Some((m, Some(words.join(", "))))
}

fn join(xs: &[f64]) -> String {
    xs.iter()
        .map(|x| format!("{x}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Groups of sorted `xs` whose neighbours lie within 0.2 % of each other, kept when they hold
/// at least `min` values: (centre, size).
fn clusters(xs: &[f64], min: usize) -> Vec<(f64, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=xs.len() {
        if i == xs.len() || xs[i] > xs[i - 1] * 1.002 {
            let group = &xs[start..i];
            if group.len() >= min {
                out.push((group[group.len() / 2], group.len()));
            }
            start = i;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_densest_window_is_the_narrowest_holding_the_share() {
        let xs = [-300, 0, 0, 0, 0, 0, 0, 0, 0, 2];
        assert_eq!(densest(&xs, 0.8), (0, 0));
        let xs: Vec<i64> = (0..=45).chain([400, 700]).collect();
        assert_eq!(densest(&xs, 0.9), (0, 43));
    }

    #[test]
    fn ratios_cluster_around_the_factors_that_explain_them() {
        let mut xs = vec![1.0; 10];
        xs.extend([1.19; 8]);
        xs.extend([0.5; 5]);
        xs.push(3.7);
        xs.sort_by(f64::total_cmp);
        let c = clusters(&xs, 3);
        assert_eq!(c.len(), 3);
        assert_eq!(c[0], (0.5, 5));
        assert_eq!(c[2], (1.19, 8));
    }
}
