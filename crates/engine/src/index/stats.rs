//! Block sizes of a built index, per field: how many reference rows share each value, so that an
//! oversized block (a common surname, "Ltd", a popular suburb) shows in the run summary.
//!
//! A block here is the rows sharing one prepared value (spellings that prepare alike, such as
//! "Rockline Transport Inc." and "ROCKLINE TRANSPORT LTD", are one value). Candidate search gives
//! a document the union of every value that reaches the field's threshold (typos, a date's
//! window, an amount's tolerance), so a document that has a value meets a block at least this
//! large: these sizes are the floor of what candidate search deals with, measured once per run
//! from the index's row lists without touching a row.
//!
//! The median and 99th percentile are weighted by rows: "half the rows sit in blocks of at most
//! this size". Weighted by values they would say 1 on almost any column (most values are rare),
//! however many rows sit in the few huge blocks that decide the cost; a row's block is what a
//! document matching that row runs into.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{FieldColumn, ReferenceIndex, ADMIT_CAP, VISIT_CAP};
use crate::run::MatchPlan;
use crate::strategy::Prepared;

/// The value of the largest block is shown up to this many characters.
const SHOWN_CHARS: usize = 40;

/// The block sizes of every mapped field of one run's reference data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BlockSizes {
    /// The limits when measured (`ADMIT_CAP`): a block of at most this many rows is compared
    /// whole. Kept with the sizes so a stored run still says what "over the limit" meant.
    pub compared_whole_up_to: u32,
    /// `VISIT_CAP` when measured: blocks of more rows are not walked.
    pub walked_up_to: u32,
    /// One per field mapping, in the config's order.
    pub fields: Vec<FieldBlockSizes>,
}

/// How the rows of one field's reference column fall into blocks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldBlockSizes {
    pub source: String,
    pub target: String,
    /// Distinct values. A missing value is none, nor is one that is not a date (a number) in a
    /// date (amount) field: candidate search never finds a row through either.
    #[ts(type = "number")]
    pub values: u64,
    /// Rows with a value (see `values`).
    #[ts(type = "number")]
    pub rows_with_value: u64,
    /// Rows of the largest block.
    #[ts(type = "number")]
    pub largest: u64,
    /// The largest block's value as prepared (lower case, normalised), shortened to 40
    /// characters; `None` when no row has a value.
    pub largest_value: Option<String>,
    /// Half the rows with a value sit in blocks of at most this size.
    #[ts(type = "number")]
    pub median: u64,
    /// 99 % of the rows with a value sit in blocks of at most this size.
    #[ts(type = "number")]
    pub p99: u64,
    /// Rows in blocks larger than `compared_whole_up_to`.
    #[ts(type = "number")]
    pub rows_over_compared_whole: u64,
    /// Rows in blocks larger than `walked_up_to`.
    #[ts(type = "number")]
    pub rows_over_walked: u64,
}

impl ReferenceIndex {
    /// The block sizes of every field of `plan` (the plan this index was built for). O(distinct
    /// values) per field.
    pub fn block_sizes(&self, plan: &MatchPlan) -> BlockSizes {
        BlockSizes {
            compared_whole_up_to: ADMIT_CAP as u32,
            walked_up_to: VISIT_CAP as u32,
            fields: self
                .columns
                .iter()
                .zip(&plan.fields)
                .map(|(col, field)| {
                    field_block_sizes(col, &field.mapping.source, &field.mapping.target)
                })
                .collect(),
        }
    }
}

fn field_block_sizes(col: &FieldColumn, source: &str, target: &str) -> FieldBlockSizes {
    // Values per block size: a million distinct values have at most a few thousand distinct
    // sizes (they add up to the rows), so the percentiles need no sort of the values.
    let mut per_size: rustc_hash::FxHashMap<u64, u64> = Default::default();
    let (mut values, mut rows) = (0u64, 0u64);
    let mut largest: Option<(u64, usize)> = None;
    for (v, p) in col.distinct.iter().enumerate() {
        let size = col.span(v as u32).len() as u64;
        if size == 0 || !forms_block(p) {
            continue;
        }
        values += 1;
        rows += size;
        *per_size.entry(size).or_default() += 1;
        // The first value of the largest size, so the value shown does not depend on hashing.
        if largest.is_none_or(|(n, _)| size > n) {
            largest = Some((size, v));
        }
    }
    let mut sizes: Vec<(u64, u64)> = per_size.into_iter().collect();
    sizes.sort_unstable();
    let over = |cap: usize| -> u64 {
        sizes
            .iter()
            .filter(|&&(size, _)| size > cap as u64)
            .map(|&(size, n)| size * n)
            .sum()
    };
    FieldBlockSizes {
        source: source.to_string(),
        target: target.to_string(),
        values,
        rows_with_value: rows,
        largest: largest.map_or(0, |(n, _)| n),
        largest_value: largest.map(|(_, v)| shorten(&shown(&col.distinct[v]))),
        median: weighted_percentile(&sizes, rows, 50),
        p99: weighted_percentile(&sizes, rows, 99),
        rows_over_compared_whole: over(ADMIT_CAP),
        rows_over_walked: over(VISIT_CAP),
    }
}

/// Whether candidate search can find rows through the value (see `FieldBlockSizes::values`).
fn forms_block(p: &Prepared) -> bool {
    !p.is_missing() && !p.is_invalid()
}

/// The smallest block size such that at least `pct` % of the `rows` sit in blocks no larger;
/// `sizes` are (size, values of that size), sorted. 0 without rows.
fn weighted_percentile(sizes: &[(u64, u64)], rows: u64, pct: u64) -> u64 {
    let mut seen = 0u64;
    for &(size, n) in sizes {
        seen += size * n;
        if seen * 100 >= rows * pct {
            return size;
        }
    }
    0
}

/// A prepared value as text, for people.
fn shown(p: &Prepared) -> String {
    match p {
        Prepared::Text(t) => t.folded().to_string(),
        Prepared::Ref(k) => {
            let mut s = k.letters.clone();
            for g in &k.groups {
                if !s.is_empty() {
                    s.push('-');
                }
                s.push_str(g);
            }
            s
        }
        Prepared::Date(d) => d.format("%Y-%m-%d").to_string(),
        Prepared::Number(x) => x.to_string(),
        Prepared::Missing | Prepared::Invalid | Prepared::Undated(_) => String::new(),
    }
}

fn shorten(s: &str) -> String {
    match s.char_indices().nth(SHOWN_CHARS) {
        Some((end, _)) => format!("{}…", &s[..end]),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{FieldMapping, Normalizer, Record, Strategy};
    use crate::progress::{CancelToken, NoProgress};

    fn cols(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    /// Surname (exact), vendor (fuzzy, company names), birth date (date range).
    fn plan() -> MatchPlan {
        let surname = FieldMapping::new("last_name", "surname", Strategy::Exact, 0.4);
        let mut vendor = FieldMapping::new("vendor", "vendor", Strategy::Fuzzy, 0.3);
        vendor.normalizer = Some(Normalizer::CompanyName);
        vendor.similarity_threshold = Some(0.85);
        let mut born = FieldMapping::new("born", "born", Strategy::DateRange, 0.3);
        born.tolerance_days = Some(0);
        let names = cols(&["surname", "vendor", "born"]);
        let sources = cols(&["last_name", "vendor", "born"]);
        MatchPlan::new(&[surname, vendor, born], 0.8, &names, &sources).unwrap()
    }

    fn sizes_of(rows: &[[&str; 3]]) -> BlockSizes {
        let rows: Vec<Record> = rows
            .iter()
            .enumerate()
            .map(|(i, r)| Record {
                id: format!("r{i}"),
                values: r.iter().map(|v| v.to_string()).collect(),
            })
            .collect();
        let plan = plan();
        let index = ReferenceIndex::build(&plan, &rows, &NoProgress, &CancelToken::new()).unwrap();
        index.block_sizes(&plan)
    }

    #[test]
    fn counts_values_blocks_and_rows_over_the_limits() {
        // "smith" 20 times, "jones" 3 times, five surnames once, two rows without one.
        let mut rows: Vec<[&str; 3]> = vec![["Smith", "Elmway Foods", "1970-01-01"]; 20];
        rows.extend([["Jones", "", ""]; 3]);
        for s in ["Ames", "Brook", "Cole", "Dunn", "Eve"] {
            rows.push([s, "", ""]);
        }
        rows.extend([["", "", "not a date"]; 2]);
        let sizes = sizes_of(&rows);
        assert_eq!(sizes.compared_whole_up_to, 16);
        assert_eq!(sizes.walked_up_to, 4_096);
        let surname = &sizes.fields[0];
        assert_eq!(
            (surname.source.as_str(), surname.target.as_str()),
            ("last_name", "surname")
        );
        assert_eq!(surname.values, 7);
        assert_eq!(surname.rows_with_value, 28);
        assert_eq!(surname.largest, 20);
        assert_eq!(surname.largest_value.as_deref(), Some("smith"));
        // By rows: 20 of the 28 sit in the block of 20, so it is the median row's block.
        assert_eq!((surname.median, surname.p99), (20, 20));
        assert_eq!(surname.rows_over_compared_whole, 20);
        assert_eq!(surname.rows_over_walked, 0);
        // A date that is not one forms no block, nor does a missing one.
        let born = &sizes.fields[2];
        assert_eq!((born.values, born.rows_with_value), (1, 20));
        assert_eq!(born.largest_value.as_deref(), Some("1970-01-01"));
    }

    #[test]
    fn the_median_is_the_block_of_the_middle_row() {
        // 10 rows alone, one block of 3, one of 9: half of the 22 rows are in blocks of at most
        // 3 (13 rows), 99 % only with the block of 9.
        let singles: Vec<String> = (0..10).map(|i| format!("name{i}")).collect();
        let mut rows: Vec<[&str; 3]> = singles.iter().map(|s| [s.as_str(), "", ""]).collect();
        rows.extend([["three", "", ""]; 3]);
        rows.extend([["nine", "", ""]; 9]);
        let surname = &sizes_of(&rows).fields[0];
        assert_eq!((surname.values, surname.rows_with_value), (12, 22));
        assert_eq!((surname.largest, surname.median, surname.p99), (9, 3, 9));
        assert_eq!(surname.rows_over_compared_whole, 0);
    }

    #[test]
    fn spellings_that_prepare_alike_share_a_block_and_long_values_are_shortened() {
        let long = "Northern Territory Refrigerated Logistics And Warehousing Services";
        let rows = [
            ["a", "Rockline Transport Inc.", ""],
            ["b", "ROCKLINE TRANSPORT LTD", ""],
            ["c", "Rockline Transport", ""],
            ["d", long, ""],
        ];
        let sizes = sizes_of(&rows);
        let vendor = &sizes.fields[1];
        assert_eq!((vendor.values, vendor.largest), (2, 3));
        assert_eq!(vendor.largest_value.as_deref(), Some("rockline transport"));
        let empty = &sizes.fields[2];
        assert_eq!(
            (empty.values, empty.rows_with_value, empty.largest),
            (0, 0, 0)
        );
        assert_eq!((empty.median, empty.p99), (0, 0));
        assert_eq!(empty.largest_value, None);
        let rows = [["x", long, ""], ["y", long, ""]];
        let shown = sizes_of(&rows).fields[1].largest_value.clone().unwrap();
        assert_eq!(shown.chars().count(), SHOWN_CHARS + 1);
        assert!(
            shown.starts_with("northern territory refrigerated logistic"),
            "{shown}"
        );
        assert!(shown.ends_with('…'), "{shown}");
    }

    #[test]
    fn a_block_over_the_walk_limit_is_counted() {
        let mut rows: Vec<[&str; 3]> = vec![["Nguyen", "", ""]; VISIT_CAP + 1];
        rows.push(["Smith", "", ""]);
        let surname = &sizes_of(&rows).fields[0];
        assert_eq!(surname.largest, VISIT_CAP as u64 + 1);
        assert_eq!(surname.rows_over_walked, VISIT_CAP as u64 + 1);
        assert_eq!(surname.rows_over_compared_whole, VISIT_CAP as u64 + 1);
        assert_eq!(
            (surname.median, surname.p99),
            (VISIT_CAP as u64 + 1, VISIT_CAP as u64 + 1)
        );
    }
}
