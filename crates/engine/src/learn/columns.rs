//! Column profiles of both tables and how much a document column's values overlap a reference
//! column's: the first guess at which column goes with which, found by values, not names.

use rustc_hash::{FxHashMap, FxHashSet};

use super::plan::{ColumnSummary, TableSide};
use super::Sampler;
use crate::normalize::{fold, reference_key, split_tokens};
use crate::profile::{profile_column, ColumnProfile, ColumnRole};

/// Values per column read for its profile and for the overlap of the document side.
pub(super) const PROFILE_SAMPLE: usize = 4_000;

/// One table's column, profiled.
pub(super) struct ProfiledColumn {
    pub index: usize,
    pub profile: ColumnProfile,
    pub null_rate: f64,
}

impl ProfiledColumn {
    /// Holds words or codes (compared as text), not amounts or dates.
    pub fn is_textual(&self) -> bool {
        !matches!(
            self.profile.role,
            ColumnRole::Amount | ColumnRole::Date | ColumnRole::Number
        ) || self.is_integer_code()
    }

    /// Numbers that are names of things (postcodes, street numbers): equal or not.
    pub fn is_integer_code(&self) -> bool {
        self.profile.role == ColumnRole::Number && self.profile.numeric_share > 0.95 && {
            // Amount-like numbers have decimals; codes do not.
            self.profile.avg_len <= 12.0
        }
    }
}

/// Profiles the columns at `indexes` of `rows` (one value per column each).
pub(super) fn profile(
    columns: &[String],
    indexes: &[usize],
    rows: &[&[String]],
    sampler: &mut Sampler,
) -> Vec<ProfiledColumn> {
    let sample = sampler.indexes(rows.len(), PROFILE_SAMPLE);
    indexes
        .iter()
        .map(|&c| {
            let values: Vec<&str> = sample.iter().map(|&r| rows[r][c].as_str()).collect();
            let blank = values.iter().filter(|v| v.trim().is_empty()).count();
            ProfiledColumn {
                index: c,
                profile: profile_column(&columns[c], &values),
                null_rate: blank as f64 / values.len().max(1) as f64,
            }
        })
        .collect()
}

/// The summary shown to users: role, null rate, distinct values in the sample, three values.
pub(super) fn summary(side: TableSide, p: &ProfiledColumn, rows: &[&[String]]) -> ColumnSummary {
    let mut samples: Vec<String> = Vec::new();
    for row in rows {
        let v = row[p.index].trim();
        if !v.is_empty() && !samples.iter().any(|s| s == v) {
            samples.push(v.to_owned());
            if samples.len() == 3 {
                break;
            }
        }
    }
    ColumnSummary {
        side,
        name: p.profile.name.clone(),
        role: role_name(p.profile.role).to_owned(),
        null_rate: p.null_rate,
        distinct: p.profile.distinct as u64,
        samples,
    }
}

pub(super) fn role_name(role: ColumnRole) -> &'static str {
    match role {
        ColumnRole::Identifier => "identifier",
        ColumnRole::Reference => "reference",
        ColumnRole::CompanyName => "company_name",
        ColumnRole::PersonName => "person_name",
        ColumnRole::Text => "text",
        ColumnRole::Number => "number",
        ColumnRole::Amount => "amount",
        ColumnRole::Date => "date",
        ColumnRole::Code => "code",
    }
}

/// A reference column's values in the forms document values are looked up in: whole (folded),
/// as reference numbers, and as tokens with their document frequency.
pub(super) struct ValueSet {
    whole: FxHashSet<String>,
    references: FxHashSet<String>,
    tokens: FxHashMap<String, u32>,
    rows: usize,
}

impl ValueSet {
    pub fn of(rows: &[&[String]], c: usize) -> Self {
        let mut set = ValueSet {
            whole: FxHashSet::default(),
            references: FxHashSet::default(),
            tokens: FxHashMap::default(),
            rows: 0,
        };
        for row in rows {
            let v = row[c].trim();
            if v.is_empty() {
                continue;
            }
            set.rows += 1;
            let folded = fold(v);
            if let Some(r) = reference_form(v) {
                set.references.insert(r);
            }
            let mut seen: FxHashSet<&str> = FxHashSet::default();
            for t in split_tokens(&folded) {
                if seen.insert(t) {
                    *set.tokens.entry(t.to_owned()).or_insert(0) += 1;
                }
            }
            set.whole.insert(folded);
        }
        set
    }

    /// How well `values` (a document column's sample) are found here, in 0..=1: the best of the
    /// share found whole, the share found as the same reference number, and the rarity-weighted
    /// share of their words found (a word every row has tells less than a rare one).
    pub fn overlap(&self, values: &[&str]) -> f64 {
        if values.is_empty() || self.rows == 0 {
            return 0.0;
        }
        let n = values.len() as f64;
        let (mut whole, mut refs, mut words) = (0.0, 0.0, 0.0);
        let idf_missing = ((self.rows + 1) as f64).ln();
        for v in values {
            let folded = fold(v);
            if self.whole.contains(&folded) {
                whole += 1.0;
            }
            if reference_form(v).is_some_and(|r| self.references.contains(&r)) {
                refs += 1.0;
            }
            let (mut found, mut all) = (0.0, 0.0);
            for t in split_tokens(&folded) {
                match self.tokens.get(t) {
                    Some(&df) => {
                        let idf = ((self.rows + 1) as f64 / (df as f64 + 0.5)).ln().max(0.0);
                        found += idf;
                        all += idf;
                    }
                    None => all += idf_missing,
                }
            }
            if all > 0.0 {
                words += found / all;
            }
        }
        (whole / n).max(refs / n).max(0.9 * words / n)
    }
}

/// A value's reference number in one canonical form (letters and digit groups), when it has
/// digits: "PO-2024-000123" and "po 2024/123" are the same.
fn reference_form(v: &str) -> Option<String> {
    let key = reference_key(v);
    if key.digits.len() < 3 {
        return None;
    }
    Some(format!("{}:{}", key.letters, key.groups.join("-")))
}

/// The non-blank values of column `c` in a sample of `rows`.
pub(super) fn sample_values<'a>(
    rows: &[&'a [String]],
    c: usize,
    sampler: &mut Sampler,
    n: usize,
) -> Vec<&'a str> {
    let mut out: Vec<&str> = sampler
        .indexes(rows.len(), n * 2)
        .into_iter()
        .map(|r| rows[r][c].as_str())
        .filter(|v| !v.trim().is_empty())
        .collect();
    out.truncate(n);
    out
}
