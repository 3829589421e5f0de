//! Candidate search (blocking): which reference rows a document is compared with at all.
//!
//! Reference values are interned per field (a million purchase orders name only tens of thousands
//! of vendors), so values are prepared, indexed and compared once per distinct value. A document's
//! candidates are the union of
//! - for each selective text field: rows whose value shares a token, a one-deletion variant of a
//!   token (typos), or a reference-number key with the document's value, and then really scores
//!   at least the field's similarity threshold (the comparison is cached for scoring);
//! - for an amount field: rows whose amount, times each tax/partial factor, lies within the
//!   tolerance of the document's amount (a sorted index), kept only when few or, with a date
//!   field, when the dates agree too.
//!
//! Small reference sets are scanned whole when nothing else finds a candidate.

use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::Datelike;

use rustc_hash::FxHashMap;

use crate::domain::{Record, Strategy};
use crate::profile::{detect_date_order, DateOrderProfile};
use crate::progress::{CancelToken, Phase, ProgressSink, ProgressUpdate};
use crate::run::MatchPlan;
use crate::similarity::{TextSketch, TokenWeights};
use crate::strategy::{compare_spec, could_agree, prepare_spec, FieldSpec, Prepared};

use rayon::prelude::*;

mod beyond;
mod build;
mod keys;
mod pairs;
mod rarity;
mod scratch;
mod search;
mod stats;
mod walk;

pub use keys::{resolve_blocking_keys, search_keys, KeyKind};
pub use scratch::{PooledScratch, Scratch, ScratchPool};
pub use search::{ADMIT_CAP, VISIT_CAP};
pub use stats::{BlockSizes, FieldBlockSizes};

/// Reference sets up to this size are compared whole when candidate search finds nothing.
pub const FULL_SCAN_LIMIT: usize = 20_000;
/// An index key shared by more than this share of the distinct values (at least
/// `KEY_VALUE_FLOOR`, at most `KEY_VALUE_CAP` of them) says little about which is meant: "2024"
/// in purchase order numbers, "logistics" in vendor names.
const KEY_VALUE_SHARE: f64 = 0.02;
const KEY_VALUE_FLOOR: usize = 50;
const KEY_VALUE_CAP: usize = 2_000;
/// Tokens shorter than this get no typo variants: "gmbh" with a letter missing is not a clue.
const MIN_TYPO_TOKEN: usize = 4;
/// Distinct values per parallel task when building keys: small enough that a cancel is seen
/// within milliseconds, large enough that tasks are not overhead.
const KEY_CHUNK: usize = 16_384;
/// A key field's values that reach its threshold lead to candidates only when within this of the
/// best such value. Jaro-Winkler rewards a shared first word, so "rockline transport" finds
/// "rockline textiles" at 0.88 and a vendor name would bring in the orders of dozens of vendors;
/// when the document's own vendor is there (1.0) those are other companies. A row of theirs that
/// is the match agrees on the other keys (reference, amount) and is found through them.
const FUZZY_KEY_MARGIN: f64 = 0.05;
/// Fields that take part in candidate search: their agreement is one bit of a 32-bit row mask
/// whose last bit marks an admitted row.
const MASK_FIELDS: usize = 31;
/// Entries of a key index zeroed between two looks at the cancel token (16 MB).
const ZERO_SLICE: usize = 1 << 21;
/// Sequential loops over reference rows look at the cancel token this often.
const CANCEL_EVERY: usize = 65_536;

/// One field of the reference data, interned.
pub(crate) struct FieldColumn {
    /// Distinct value id of each row.
    pub value_of_row: Vec<u32>,
    /// Prepared distinct values.
    pub distinct: Vec<Prepared>,
    /// Per distinct text value, `PreparedText::sketch` (see `beyond::value_agrees`).
    sketches: Vec<TextSketch>,
    /// Rows of each distinct value (CSR: `rows[offsets[v]..offsets[v + 1]]`).
    offsets: Vec<u32>,
    rows: Vec<u32>,
    /// Per distinct value, where in `rows` its rows with a value in every field a block settles
    /// begin: those before lack one, and only they can be reached through a block walked late
    /// (see `walk::walk`). Empty when the rows are sorted by day instead (then every row
    /// counts as lacking one) or the field makes no blocks.
    complete_from: Vec<u32>,
    /// Beside `rows`, each row's present fields (`ReferenceIndex::present`), for fields that
    /// make blocks: walking a block reads them in order instead of one cache line per row.
    row_present: Vec<u32>,
    /// With a date filter, each entry of `rows`' day (rows of a value are sorted by it): the
    /// window search reads one contiguous run instead of one cache line per row.
    row_days: Vec<i32>,
    /// Token rarity over the distinct values, for term-frequency-aware fuzzy fields.
    pub weights: Option<TokenWeights>,
    /// Value frequencies of a text field, for the rarity of an agreed value.
    rarity: Option<rarity::Rarity>,
    /// Search keys of a text field.
    keys: Option<KeyIndex>,
    /// Whether `keys` hold token prefixes too (see `keys::key_hashes`).
    prefixes: bool,
    /// A date field's distinct values by day: `(day, value)`, sorted.
    days: Option<Vec<(i32, u32)>>,
}

impl FieldColumn {
    fn span(&self, value: u32) -> std::ops::Range<usize> {
        let v = value as usize;
        self.offsets[v] as usize..self.offsets[v + 1] as usize
    }
}

struct DateFilter {
    field: usize,
    /// Days since the common era per row; `i32::MIN` when missing (always admitted), `i32::MAX`
    /// when not a date (never admitted against a dated document).
    row_day: Vec<i32>,
}

/// Search keys of one field: (fingerprint, distinct value) entries grouped by the top bits of the
/// key's hash, with a directory of where each group starts. A lookup reads one directory slot and
/// a handful of entries. Entries are 8 bytes (the 32 hash bits below the directory's as a
/// fingerprint): the twenty million keys of a million purchase orders take 190 MB, and a
/// fingerprint collision only adds a candidate that the comparison then turns away.
struct KeyIndex {
    entries: Vec<(u32, u32)>,
    dir: Vec<u32>,
    shift: u32,
}

/// The key hashes of a run of consecutive distinct values, as the parallel build makes them:
/// value `first + i` has `hashes[ends[i - 1]..ends[i]]`. Eight bytes a key instead of a (hash,
/// value) pair's sixteen: the twenty-three million keys of a million purchase orders wait here
/// for the scatter, and this is the index build's peak of memory.
#[derive(Debug, Default)]
struct KeyPart {
    first: u32,
    hashes: Vec<u64>,
    ends: Vec<u32>,
}

impl KeyPart {
    fn new(first: u32) -> Self {
        KeyPart {
            first,
            ..Self::default()
        }
    }

    /// Adds the next value's keys.
    fn push(&mut self, keys: impl IntoIterator<Item = u64>) {
        self.hashes.extend(keys);
        self.ends.push(self.hashes.len() as u32);
    }

    /// (key hash, distinct value) for every key, in order.
    fn pairs(&self) -> impl Iterator<Item = (u64, u32)> + '_ {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        (self.ends.iter().zip(starts).enumerate()).flat_map(move |(i, (&end, start))| {
            let v = self.first + i as u32;
            self.hashes[start as usize..end as usize]
                .iter()
                .map(move |&h| (h, v))
        })
    }
}

impl KeyIndex {
    /// Groups the keys of `parts` by slot with a counting sort: two linear passes instead of
    /// sorting twenty million pairs, each on all cores. Memory peaks at the keys plus the index.
    /// `None` when cancelled.
    fn new(parts: Vec<KeyPart>, cancel: &CancelToken) -> Option<Self> {
        let n: usize = parts.iter().map(|p| p.hashes.len()).sum();
        // About four entries per directory slot; at most 30 bits, so the fingerprint below them
        // always fits.
        let bits = (usize::BITS - (n / 4).max(1).leading_zeros()).clamp(1, 30);
        let shift = 64 - bits;
        let slot = |h: u64| (h >> shift) as usize;
        let fingerprint = |h: u64| (h >> (shift - 32)) as u32;
        let slots = 1usize << bits;
        let mut dir = vec![0u32; slots + 1];
        // The slots are cut into stripes, one per thread: each stripe reads every key but counts
        // and places only its own, so the random writes into hundreds of megabytes (the build's
        // slowest pass) go on all cores without locks.
        let stripes = rayon::current_num_threads().clamp(1, 8);
        let per = slots.div_ceil(stripes);
        let counted = dir[1..].par_chunks_mut(per).enumerate().all(|(k, counts)| {
            let lo = k * per;
            for part in &parts {
                if cancel.is_cancelled() {
                    return false;
                }
                for &h in &part.hashes {
                    let i = slot(h).wrapping_sub(lo);
                    if i < counts.len() {
                        counts[i] += 1;
                    }
                }
            }
            true
        });
        // A cancelled build frees its hundreds of megabytes in the background (see
        // `free_in_background`): unmapping them took longer than a cancel may.
        if !counted {
            free_in_background((parts, dir));
            return None;
        }
        for i in 1..dir.len() {
            dir[i] += dir[i - 1];
        }
        // Filled with zeros a slice at a time: the pages of 190 MB take half a second to come
        // in, which a cancel must not wait for.
        let mut entries: Vec<(u32, u32)> = Vec::with_capacity(n);
        while entries.len() < n {
            if cancel.is_cancelled() {
                free_in_background((entries, dir, parts));
                return None;
            }
            entries.resize((entries.len() + ZERO_SLICE).min(n), (0, 0));
        }
        let mut stripe_entries = Vec::with_capacity(stripes);
        let mut rest: &mut [(u32, u32)] = &mut entries;
        for k in 0..stripes {
            let (lo, hi) = ((k * per).min(slots), ((k + 1) * per).min(slots));
            let (mine, tail) = rest.split_at_mut((dir[hi] - dir[lo]) as usize);
            stripe_entries.push((lo, hi, mine));
            rest = tail;
        }
        let placed = stripe_entries.into_par_iter().all(|(lo, hi, mine)| {
            let base = dir[lo];
            let mut fill: Vec<u32> = dir[lo..hi].iter().map(|&d| d - base).collect();
            for part in &parts {
                if cancel.is_cancelled() {
                    return false;
                }
                for (h, v) in part.pairs() {
                    let i = slot(h).wrapping_sub(lo);
                    if let Some(at) = fill.get_mut(i) {
                        mine[*at as usize] = (fingerprint(h), v);
                        *at += 1;
                    }
                }
            }
            true
        });
        free_in_background(parts);
        if !placed {
            free_in_background((entries, dir));
            return None;
        }
        // Sorted within a slot, so a key's values are a binary search away even in the slot of a
        // key thousands of values share.
        let mut rest: &mut [(u32, u32)] = &mut entries;
        let mut groups: Vec<&mut [(u32, u32)]> = Vec::with_capacity(dir.len() - 1);
        for w in dir.windows(2) {
            let (group, tail) = rest.split_at_mut((w[1] - w[0]) as usize);
            if group.len() > 1 {
                groups.push(group);
            }
            rest = tail;
        }
        groups.par_chunks_mut(4_096).for_each(|chunk| {
            if !cancel.is_cancelled() {
                chunk.iter_mut().for_each(|g| g.sort_unstable());
            }
        });
        drop(groups);
        if cancel.is_cancelled() {
            free_in_background((entries, dir));
            return None;
        }
        Some(KeyIndex {
            entries,
            dir,
            shift,
        })
    }

    /// The entries under hash `h` (their distinct values, possibly repeated).
    fn get(&self, h: u64) -> &[(u32, u32)] {
        let slot = (h >> self.shift) as usize;
        let fp = (h >> (self.shift - 32)) as u32;
        let bucket = &self.entries[self.dir[slot] as usize..self.dir[slot + 1] as usize];
        let lo = bucket.partition_point(|e| e.0 < fp);
        let hi = lo + bucket[lo..].partition_point(|e| e.0 == fp);
        &bucket[lo..hi]
    }
}

/// Every `AMOUNT_SAMPLE`th sorted amount: small enough to stay in cache, so finding where a range
/// starts costs a search of the sample and a short scan instead of twenty cache misses.
const AMOUNT_SAMPLE: usize = 16;

/// Amounts sorted, for range queries.
struct AmountIndex {
    field: usize,
    /// (amount, row, the row's day under the date filter or `i32::MIN`): the day sits in what
    /// would be the pair's padding, so cutting a block to the date window reads no other memory.
    sorted: Vec<(f64, u32, i32)>,
    sample: Vec<f64>,
}

impl AmountIndex {
    /// The position of the first amount `>= x`.
    fn lower_bound(&self, x: f64) -> usize {
        let block = self.sample.partition_point(|&s| s < x);
        let start = block.saturating_sub(1) * AMOUNT_SAMPLE;
        start
            + self.sorted[start..]
                .iter()
                .take(2 * AMOUNT_SAMPLE)
                .take_while(|p| p.0 < x)
                .count()
    }
}

/// Everything a run needs to know about the reference data, built once per run.
pub struct ReferenceIndex {
    pub(crate) columns: Vec<FieldColumn>,
    /// Every row's distinct value ids, row after row: scoring a candidate reads one cache line
    /// instead of one per field.
    row_values: Vec<u32>,
    n_fields: usize,
    /// A date field that filters candidates (see `MatchPlan::filter_fields`), with each row's day.
    /// The rows of every indexed value are sorted by it, so the window a document admits is a
    /// binary search instead of a look at every row of a popular vendor.
    date_filter: Option<DateFilter>,
    amounts: Option<AmountIndex>,
    n_rows: usize,
    /// Per row, the fields that have a value (one bit each, as in `search`).
    present: Vec<u32>,
    /// The fields candidate search looks up (their keys, days or amounts), one bit each.
    searched: u32,
    /// The searched fields compared by similarity (see `beyond::beyond_margin`), and the same
    /// heaviest first.
    fuzzy_text: u32,
    fuzzy_order: Vec<usize>,
    bounds: WeightTables,
    built_for: BuiltFor,
    /// Pair tables for the search at the threshold, when the plan leaves review bands to be
    /// filled on reading (see `pairs`).
    pairs: Option<pairs::PairIndex>,
}

/// What of a plan an index depends on: each field as compared (spec, reference column) and
/// weighed, the fields settled by their blocks, and the date filter. Another plan equal on these
/// (another threshold or review floor that leaves the filter as it is, a model) searches the
/// same index, so a run and the model fitted inside it need only one.
#[derive(Debug, Clone, PartialEq)]
struct BuiltFor {
    fields: Vec<(FieldSpec, usize, f64, f64)>,
    settled_by_block: u32,
    date_field: Option<usize>,
}

impl BuiltFor {
    fn of(plan: &MatchPlan) -> Self {
        BuiltFor {
            fields: plan
                .fields
                .iter()
                .map(|f| {
                    (
                        f.spec.clone(),
                        f.target_idx,
                        f.mapping.weight,
                        f.mismatch_weight,
                    )
                })
                .collect(),
            settled_by_block: plan.settled_by_block,
            date_field: date_filter_field(plan),
        }
    }
}

/// The first filter field that is a date range: candidates are found within its window.
fn date_filter_field(plan: &MatchPlan) -> Option<usize> {
    plan.filter_fields
        .iter()
        .copied()
        .find(|&f| plan.fields[f].spec.strategy == Strategy::DateRange)
}

/// Sums of field weights over a set of fields given as a bit mask, a byte of the mask at a time:
/// bounding a row's confidence costs a few table reads instead of a loop over its fields.
struct WeightTables {
    agree: [[f64; 256]; 4],
    disagree: [[f64; 256]; 4],
}

impl WeightTables {
    fn new(plan: &MatchPlan) -> Self {
        let table = |weight: &dyn Fn(usize) -> f64| -> [[f64; 256]; 4] {
            let n = plan.fields.len().min(MASK_FIELDS);
            std::array::from_fn(|byte| {
                let mut t = [0.0; 256];
                for m in 1..256usize {
                    let f = byte * 8 + m.trailing_zeros() as usize;
                    t[m] = t[m & (m - 1)] + if f < n { weight(f) } else { 0.0 };
                }
                t
            })
        };
        WeightTables {
            agree: table(&|f| plan.fields[f].mapping.weight),
            disagree: table(&|f| plan.fields[f].mismatch_weight),
        }
    }

    fn sum(tables: &[[f64; 256]; 4], mask: u32) -> f64 {
        let [a, b, c, d] = mask.to_le_bytes();
        tables[0][a as usize]
            + tables[1][b as usize]
            + tables[2][c as usize]
            + tables[3][d as usize]
    }

    /// Σ weight over the fields of `mask`.
    fn agree(&self, mask: u32) -> f64 {
        Self::sum(&self.agree, mask)
    }

    /// Σ mismatch weight over the fields of `mask`.
    fn disagree(&self, mask: u32) -> f64 {
        Self::sum(&self.disagree, mask)
    }
}

impl ReferenceIndex {
    pub fn len(&self) -> usize {
        self.n_rows
    }

    pub fn is_empty(&self) -> bool {
        self.n_rows == 0
    }

    /// Row `row`'s prepared value of field `f`.
    pub(crate) fn prepared(&self, f: usize, row: usize) -> &Prepared {
        let v = self.row_values[row * self.n_fields + f] as usize;
        &self.columns[f].distinct[v]
    }

    /// How much rarer than its column's average row `row`'s value of field `f` is, in bits
    /// (`rarity::Rarity::bits`); `None` for fields not compared as text or a missing value.
    pub(crate) fn rarity(&self, f: usize, row: usize) -> Option<f64> {
        self.rarity_leaving_out(f, row, 0)
    }

    /// How often two reference rows hold the same value of field `f` (`rarity::Rarity::
    /// collision`); `None` for fields not compared as text or without values.
    pub(crate) fn collision(&self, f: usize) -> Option<f64> {
        self.columns[f].rarity.map(|r| r.collision())
    }

    /// `rarity` as if `left_out` of the rows holding the value were not in the reference data.
    pub(crate) fn rarity_leaving_out(&self, f: usize, row: usize, left_out: u32) -> Option<f64> {
        let col = &self.columns[f];
        let v = self.row_values[row * self.n_fields + f];
        let target = &col.distinct[v as usize];
        if target.is_missing() || target.is_invalid() {
            return None;
        }
        let span = col.span(v);
        let count = (span.end - span.start) as u32;
        col.rarity
            .map(|r| r.bits(count.saturating_sub(left_out).max(1)))
    }

    /// The score of field `f` between the document value and the row's value, computed once per
    /// distinct value and document.
    pub(crate) fn field_score(
        &self,
        plan: &MatchPlan,
        f: usize,
        doc: &Prepared,
        row: usize,
        scratch: &mut Scratch,
    ) -> Option<f64> {
        let col = &self.columns[f];
        let v = self.row_values[row * self.n_fields + f] as usize;
        let target = &col.distinct[v];
        if doc.is_missing() || target.is_missing() {
            return None;
        }
        let slot = &mut scratch.cache[f][v];
        if slot.0 == scratch.stamp {
            return Some(slot.1 as f64);
        }
        let s = compare_spec(&plan.fields[f].spec, doc, target, col.weights.as_ref());
        *slot = (scratch.stamp, s as f32);
        Some(s)
    }

    /// The reference days a document's date admits under the date filter: `None` when there is no
    /// date filter or the document has no date (then every row passes it).
    fn date_window(&self, plan: &MatchPlan, doc: &[Prepared]) -> Option<(i32, i32)> {
        let df = self.date_filter.as_ref()?;
        day_window(&plan.fields[df.field].spec, &doc[df.field])
    }

    /// Whether no filter field contradicts the pair (see `MatchPlan::filter_fields`).
    fn admit(&self, plan: &MatchPlan, doc: &[Prepared], row: usize, scratch: &mut Scratch) -> bool {
        self.admit_except(plan, doc, row, scratch, None)
    }

    /// `admit`, not checking `skip` (already known to agree).
    fn admit_except(
        &self,
        plan: &MatchPlan,
        doc: &[Prepared],
        row: usize,
        scratch: &mut Scratch,
        skip: Option<usize>,
    ) -> bool {
        plan.filter_fields
            .iter()
            .filter(|&&f| Some(f) != skip)
            .all(|&f| {
                self.field_score(plan, f, &doc[f], row, scratch)
                    .is_none_or(|s| s > 0.0)
            })
    }
}

/// The reference days whose comparison with the document's date `value` scores above 0 (see
/// `strategy::compare_spec`); `None` when the document has no date (then every day passes).
fn day_window(spec: &FieldSpec, value: &Prepared) -> Option<(i32, i32)> {
    match value {
        Prepared::Date(d) => {
            let day = d.num_days_from_ce();
            let grace = spec.tolerance_days.clamp(0, 100_000) as i32;
            Some(match spec.window {
                Some((before, after)) => {
                    let (before, after) = (
                        before.clamp(0, 100_000) as i32,
                        after.clamp(0, 100_000) as i32,
                    );
                    (day - after - grace, day + before + grace)
                }
                None => (day - grace, day + grace),
            })
        }
        // A date that is not one admits only reference rows without a date.
        Prepared::Invalid | Prepared::Undated(_) => Some((i32::MAX - 1, i32::MAX - 2)),
        _ => None,
    }
}

/// Frees `value` on a thread of its own: a million reference rows or prepared values take a
/// while to free, and reporting that a run ended (a cancel must take effect in 200 ms) should not
/// wait. Not on rayon's pool, where a free of hundreds of milliseconds would hold one of the
/// workers that the next run's index build needs.
pub fn free_in_background<T: Send + 'static>(value: T) {
    // When no thread can be had, the closure, and the value with it, is dropped right here.
    let _ = std::thread::Builder::new()
        .name("matchbook-free".into())
        .spawn(move || drop(value));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{FieldMapping, FuzzyMeasure, Normalizer};
    use crate::progress::NoProgress;

    fn cols(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    fn rec(id: &str, vendor: &str, po: &str) -> Record {
        Record {
            id: id.into(),
            values: vec![vendor.into(), po.into()],
        }
    }

    /// Vendor names (Jaro-Winkler >= 0.85, company-name normaliser) and PO numbers, both searched.
    fn plan() -> MatchPlan {
        let mut vendor = FieldMapping::new("vendor", "vendor", Strategy::Fuzzy, 0.5);
        vendor.normalizer = Some(Normalizer::CompanyName);
        vendor.measure = Some(FuzzyMeasure::JaroWinkler);
        vendor.similarity_threshold = Some(0.85);
        let mut po = FieldMapping::new("po", "po", Strategy::Fuzzy, 0.5);
        po.normalizer = Some(Normalizer::Reference);
        po.similarity_threshold = Some(0.8);
        MatchPlan::new(
            &[vendor, po],
            0.8,
            &cols(&["vendor", "po"]),
            &cols(&["vendor", "po"]),
        )
        .unwrap()
    }

    /// Every row gets its own PO number; vendors as given.
    fn reference(vendors: &[&str]) -> Vec<Record> {
        vendors
            .iter()
            .enumerate()
            .map(|(i, v)| rec(&format!("r{i}"), v, &format!("PO-2024-{:06}", 100_000 + i)))
            .collect()
    }

    /// The ids of the rows candidate search gives the document `doc` (raw values per field),
    /// sorted.
    pub(super) fn candidate_ids(
        index: &ReferenceIndex,
        plan: &MatchPlan,
        rows: &[Record],
        doc: &[&str],
    ) -> Vec<String> {
        let values: Vec<Prepared> = plan
            .fields
            .iter()
            .zip(doc)
            .map(|(f, raw)| prepare_spec(&f.spec, raw, &DateOrderProfile::default()))
            .collect();
        let mut scratch = Scratch::new(index);
        index.candidates(plan, &values, &mut scratch);
        let mut ids: Vec<String> = scratch
            .candidates
            .iter()
            .map(|&r| rows[r as usize].id.clone())
            .collect();
        ids.sort();
        ids
    }

    #[test]
    fn key_index_returns_exactly_the_values_under_a_key() {
        // 40,000 values, each under its own key and one of 7 shared keys (thousands of values
        // in one slot), in several parts as the parallel build makes them.
        let key = |i: u64| i.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ 0x1234_5678;
        let shared = |g: u64| key(1 << 40 | g);
        let parts: Vec<KeyPart> = (0..4u32)
            .map(|p| {
                let mut part = KeyPart::new(p * 10_000);
                for v in p * 10_000..(p + 1) * 10_000 {
                    part.push([key(v.into()), shared((v % 7).into())]);
                }
                part
            })
            .collect();
        let index = KeyIndex::new(parts, &CancelToken::new()).unwrap();
        for v in (0..40_000u32).step_by(997) {
            let got: Vec<u32> = index.get(key(v.into())).iter().map(|e| e.1).collect();
            assert_eq!(got, [v]);
        }
        for g in 0..7u32 {
            let got: Vec<u32> = index.get(shared(g.into())).iter().map(|e| e.1).collect();
            let want: Vec<u32> = (0..40_000).filter(|v| v % 7 == g).collect();
            assert_eq!(got, want);
        }
        assert!(index.get(key(40_001)).is_empty());
        let cancelled = CancelToken::new();
        cancelled.cancel();
        let mut one = KeyPart::new(1);
        one.push([1]);
        assert!(KeyIndex::new(vec![one], &cancelled).is_none());
    }

    #[test]
    fn a_key_part_pairs_each_key_with_its_value_and_skips_values_without_keys() {
        let mut part = KeyPart::new(100);
        part.push([7, 8]);
        part.push([]);
        part.push([9]);
        part.push([]);
        let pairs: Vec<(u64, u32)> = part.pairs().collect();
        assert_eq!(pairs, [(7, 100), (8, 100), (9, 102)]);
    }

    #[test]
    fn spellings_that_prepare_alike_are_one_value() {
        let plan = plan();
        let rows = reference(&[
            "Rockline Transport Inc.",
            "ROCKLINE TRANSPORT LTD",
            "Elmway Foods",
        ]);
        let index = ReferenceIndex::build(&plan, &rows, &NoProgress, &CancelToken::new()).unwrap();
        let vendors = &index.columns[0];
        assert_eq!(vendors.distinct.len(), 2);
        assert_eq!(vendors.value_of_row[0], vendors.value_of_row[1]);
        assert_ne!(vendors.value_of_row[0], vendors.value_of_row[2]);
        assert_eq!(
            candidate_ids(&index, &plan, &rows, &["Rockline Transport GmbH", ""]),
            ["r0", "r1"]
        );
    }

    #[test]
    fn a_vendor_key_brings_only_the_names_close_to_the_best() {
        let plan = plan();
        // "rockline textiles" is 0.88 Jaro-Winkler from "rockline transport": above the field's
        // threshold, but another company when the document's own name is there.
        let rows = reference(&[
            "Rockline Transport",
            "Rockline Textiles",
            "Rockline Transprt",
        ]);
        let index = ReferenceIndex::build(&plan, &rows, &NoProgress, &CancelToken::new()).unwrap();
        assert_eq!(
            candidate_ids(&index, &plan, &rows, &["Rockline Transport", ""]),
            ["r0", "r2"],
            "the exact name and its one-letter typo"
        );
        // Found through its PO number, the other company's order is still a candidate.
        assert_eq!(
            candidate_ids(
                &index,
                &plan,
                &rows,
                &["Rockline Transport", "PO-2024-100001"]
            ),
            ["r0", "r1", "r2"]
        );
        // With only the far name in the data, it is the best there is and is kept.
        let rows = reference(&["Rockline Textiles", "Elmway Foods"]);
        let index = ReferenceIndex::build(&plan, &rows, &NoProgress, &CancelToken::new()).unwrap();
        assert_eq!(
            candidate_ids(&index, &plan, &rows, &["Rockline Transport", ""]),
            ["r0"]
        );
    }

    #[test]
    fn a_cancelled_build_stops() {
        let plan = plan();
        let rows = reference(&["Rockline Transport"; 100]);
        let cancel = CancelToken::new();
        cancel.cancel();
        assert!(ReferenceIndex::build(&plan, &rows, &NoProgress, &cancel).is_none());
    }
}
