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

use std::sync::Mutex;

use chrono::Datelike;

use rustc_hash::FxHashMap;

use crate::domain::{Record, Strategy};
use crate::normalize::for_each_reference_key;
use crate::profile::{detect_date_order, DateOrderProfile};
use crate::progress::{CancelToken, Phase, ProgressSink, ProgressUpdate};
use crate::run::MatchPlan;
use crate::similarity::TokenWeights;
use crate::strategy::{compare_spec, prepare_spec, FieldSpec, Prepared};

use rayon::prelude::*;

/// Reference sets up to this size are compared whole when candidate search finds nothing.
pub const FULL_SCAN_LIMIT: usize = 20_000;
/// An index key shared by more than this share of the distinct values (at least
/// `KEY_VALUE_FLOOR`, at most `KEY_VALUE_CAP` of them) says little about which is meant: "2024"
/// in purchase order numbers, "logistics" in vendor names.
const KEY_VALUE_SHARE: f64 = 0.02;
const KEY_VALUE_FLOOR: usize = 50;
const KEY_VALUE_CAP: usize = 2_000;
/// A text field is used for candidate search when its values are selective: on average at most
/// this many rows per distinct value (or a thousandth of the rows, for large sets).
const ROWS_PER_VALUE_LIMIT: usize = 50;
/// Amount ranges with more rows than this are not used alone...
const AMOUNT_ALONE_CAP: usize = 64;
/// ...and with a filter field, at most this many rows are checked.
const AMOUNT_WITH_FILTER_CAP: usize = 4_096;
/// Tokens shorter than this get no typo variants: "gmbh" with a letter missing is not a clue.
const MIN_TYPO_TOKEN: usize = 4;

/// One field of the reference data, interned.
pub(crate) struct FieldColumn {
    /// Distinct value id of each row.
    pub value_of_row: Vec<u32>,
    /// Prepared distinct values.
    pub distinct: Vec<Prepared>,
    /// Rows of each distinct value (CSR: `rows[offsets[v]..offsets[v + 1]]`).
    offsets: Vec<u32>,
    rows: Vec<u32>,
    /// Token rarity over the distinct values, for term-frequency-aware fuzzy fields.
    pub weights: Option<TokenWeights>,
    /// Search keys, when this field takes part in candidate search.
    keys: Option<KeyIndex>,
}

impl FieldColumn {
    fn rows_of(&self, value: u32) -> &[u32] {
        let v = value as usize;
        &self.rows[self.offsets[v] as usize..self.offsets[v + 1] as usize]
    }
}

struct DateFilter {
    field: usize,
    /// Days since the common era per row; `i32::MIN` when missing (always admitted), `i32::MAX`
    /// when not a date (never admitted against a dated document).
    row_day: Vec<i32>,
}

/// (key hash, distinct value) pairs sorted by hash, with a directory on the top bits of the hash:
/// a lookup reads one directory slot and a handful of entries instead of binary-searching twenty
/// million. Flat arrays keep the keys of a million purchase orders in a few hundred MB; a hash
/// collision only adds a candidate that the comparison then turns away.
struct KeyIndex {
    entries: Vec<(u64, u32)>,
    dir: Vec<u32>,
    shift: u32,
}

impl KeyIndex {
    fn new(mut entries: Vec<(u64, u32)>) -> Self {
        entries.par_sort_unstable();
        entries.dedup();
        // About four entries per directory slot.
        let bits = (usize::BITS - (entries.len() / 4).max(1).leading_zeros()).clamp(1, 30);
        let shift = 64 - bits;
        let mut dir = vec![0u32; (1usize << bits) + 1];
        for &(h, _) in &entries {
            dir[(h >> shift) as usize + 1] += 1;
        }
        for i in 1..dir.len() {
            dir[i] += dir[i - 1];
        }
        KeyIndex {
            entries,
            dir,
            shift,
        }
    }

    /// The distinct values under hash `h`.
    fn get(&self, h: u64) -> &[(u64, u32)] {
        let slot = (h >> self.shift) as usize;
        let bucket = &self.entries[self.dir[slot] as usize..self.dir[slot + 1] as usize];
        let lo = bucket.partition_point(|e| e.0 < h);
        let hi = lo + bucket[lo..].partition_point(|e| e.0 == h);
        &bucket[lo..hi]
    }
}

/// Every `AMOUNT_SAMPLE`th sorted amount: small enough to stay in cache, so finding where a range
/// starts costs a search of the sample and a short scan instead of twenty cache misses.
const AMOUNT_SAMPLE: usize = 16;

/// Amounts sorted, for range queries.
struct AmountIndex {
    field: usize,
    sorted: Vec<(f64, u32)>,
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
}

/// Per-thread working memory of candidate search and scoring, reused across documents.
pub struct Scratch {
    stamp: u32,
    row_stamp: Vec<u32>,
    /// Per field, per distinct value: (stamp, score) of the comparison with the current document.
    cache: Vec<Vec<(u32, f32)>>,
    value_stamp: Vec<Vec<u32>>,
    pub(crate) candidates: Vec<u32>,
    hashes: Vec<u64>,
    typo_hashes: Vec<u64>,
}

/// Scratch memory is large (a stamp per reference row and per distinct value), so it is made once
/// per worker thread and reused for every chunk rather than once per parallel task.
pub struct ScratchPool<'a> {
    index: &'a ReferenceIndex,
    free: Mutex<Vec<Scratch>>,
}

impl<'a> ScratchPool<'a> {
    pub fn new(index: &'a ReferenceIndex) -> Self {
        ScratchPool {
            index,
            free: Mutex::new(Vec::new()),
        }
    }

    /// A scratch to use until the guard is dropped.
    pub fn get(&self) -> PooledScratch<'_, 'a> {
        let scratch = self
            .free
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .pop()
            .unwrap_or_else(|| Scratch::new(self.index));
        PooledScratch {
            pool: self,
            scratch: Some(scratch),
        }
    }
}

pub struct PooledScratch<'p, 'a> {
    pool: &'p ScratchPool<'a>,
    scratch: Option<Scratch>,
}

impl std::ops::Deref for PooledScratch<'_, '_> {
    type Target = Scratch;
    fn deref(&self) -> &Scratch {
        self.scratch.as_ref().expect("scratch present until drop")
    }
}

impl std::ops::DerefMut for PooledScratch<'_, '_> {
    fn deref_mut(&mut self) -> &mut Scratch {
        self.scratch.as_mut().expect("scratch present until drop")
    }
}

impl Drop for PooledScratch<'_, '_> {
    fn drop(&mut self) {
        if let Some(s) = self.scratch.take() {
            self.pool
                .free
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(s);
        }
    }
}

impl Scratch {
    pub fn new(index: &ReferenceIndex) -> Self {
        Scratch {
            stamp: 0,
            row_stamp: vec![0; index.n_rows],
            cache: index
                .columns
                .iter()
                .map(|c| vec![(0, 0.0); c.distinct.len()])
                .collect(),
            value_stamp: index
                .columns
                .iter()
                .map(|c| vec![0; c.distinct.len()])
                .collect(),
            candidates: Vec::new(),
            hashes: Vec::new(),
            typo_hashes: Vec::new(),
        }
    }

    fn next_document(&mut self) {
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            // After 4 billion documents the stamps wrap; start clean so none looks current.
            self.row_stamp.iter_mut().for_each(|s| *s = 0);
            self.cache.iter_mut().flatten().for_each(|c| c.0 = 0);
            self.value_stamp.iter_mut().flatten().for_each(|s| *s = 0);
            self.stamp = 1;
        }
        self.candidates.clear();
    }
}

impl ReferenceIndex {
    /// Interns, prepares and indexes the reference rows for `plan`. Reports progress in the
    /// `loading_reference` phase; returns `None` when cancelled.
    pub fn build(
        plan: &MatchPlan,
        rows: &[Record],
        progress: &dyn ProgressSink,
        cancel: &CancelToken,
    ) -> Option<Self> {
        let n_fields = plan.fields.len();
        let mut columns = Vec::with_capacity(n_fields);
        for (f, field) in plan.fields.iter().enumerate() {
            if cancel.is_cancelled() {
                return None;
            }
            progress.report(&ProgressUpdate {
                phase: Phase::LoadingReference,
                phase_progress: (f * 100 / n_fields.max(1)) as u8,
                rows_processed: 0,
                rows_total: 0,
                rows_matched: 0,
            });
            columns.push(build_column(&field.spec, field.target_idx, rows));
        }
        let date_filter = plan
            .filter_fields
            .iter()
            .copied()
            .find(|&f| plan.fields[f].spec.strategy == Strategy::DateRange)
            .map(|field| {
                let col: &FieldColumn = &columns[field];
                let day_of_value: Vec<i32> = col
                    .distinct
                    .iter()
                    .map(|p| match p {
                        Prepared::Date(d) => d.num_days_from_ce(),
                        Prepared::Missing => i32::MIN,
                        _ => i32::MAX,
                    })
                    .collect();
                DateFilter {
                    field,
                    row_day: col
                        .value_of_row
                        .iter()
                        .map(|&v| day_of_value[v as usize])
                        .collect(),
                }
            });
        // Which text fields narrow the search enough to be worth an index.
        let limit = ROWS_PER_VALUE_LIMIT.max(rows.len() / 1000);
        for (f, field) in plan.fields.iter().enumerate() {
            let col = &mut columns[f];
            let selective = !col.distinct.is_empty() && rows.len() / col.distinct.len() <= limit;
            if field.spec.is_text() && selective {
                col.keys = Some(build_keys(col));
                if let Some(df) = &date_filter {
                    let (offsets, rows) = (&col.offsets, &mut col.rows);
                    for v in 0..offsets.len() - 1 {
                        rows[offsets[v] as usize..offsets[v + 1] as usize]
                            .sort_unstable_by_key(|&r| df.row_day[r as usize]);
                    }
                }
            }
        }

        let amounts = plan
            .fields
            .iter()
            .position(|f| f.spec.strategy == Strategy::NumericRange)
            .map(|field| {
                let col = &columns[field];
                let mut sorted: Vec<(f64, u32)> = col
                    .value_of_row
                    .iter()
                    .enumerate()
                    .filter_map(|(r, &v)| match col.distinct[v as usize] {
                        Prepared::Number(x) => Some((x, r as u32)),
                        _ => None,
                    })
                    .collect();
                sorted.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
                let sample = sorted.iter().step_by(AMOUNT_SAMPLE).map(|p| p.0).collect();
                AmountIndex {
                    field,
                    sorted,
                    sample,
                }
            });
        progress.report(&ProgressUpdate {
            phase: Phase::LoadingReference,
            phase_progress: 100,
            rows_processed: 0,
            rows_total: 0,
            rows_matched: 0,
        });
        let n_fields = columns.len();
        let mut row_values = vec![0u32; rows.len() * n_fields];
        for (f, col) in columns.iter().enumerate() {
            for (r, &v) in col.value_of_row.iter().enumerate() {
                row_values[r * n_fields + f] = v;
            }
        }
        Some(ReferenceIndex {
            columns,
            row_values,
            n_fields,
            date_filter,
            amounts,
            n_rows: rows.len(),
        })
    }

    pub fn len(&self) -> usize {
        self.n_rows
    }

    pub fn is_empty(&self) -> bool {
        self.n_rows == 0
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

    /// Fills `scratch.candidates` with the rows a document is compared with.
    pub(crate) fn candidates(&self, plan: &MatchPlan, doc: &[Prepared], scratch: &mut Scratch) {
        scratch.next_document();
        let stamp = scratch.stamp;
        let window = self.date_window(plan, doc);
        for (f, col) in self.columns.iter().enumerate() {
            let Some(keys) = &col.keys else { continue };
            if doc[f].is_missing() {
                continue;
            }
            let spec = &plan.fields[f].spec;
            let needed = match spec.strategy {
                Strategy::Exact => 1.0,
                _ => spec.similarity_threshold.max(f64::MIN_POSITIVE),
            };
            let cap = ((col.distinct.len() as f64 * KEY_VALUE_SHARE) as usize)
                .clamp(KEY_VALUE_FLOOR, KEY_VALUE_CAP);
            let mut hashes = std::mem::take(&mut scratch.hashes);
            let mut typo_hashes = std::mem::take(&mut scratch.typo_hashes);
            hashes.clear();
            typo_hashes.clear();
            key_hashes(&doc[f], &mut hashes, &mut typo_hashes);
            // Typos are the exception: their keys are looked up only when the exact keys found
            // no value good enough, which spares most documents most comparisons.
            let mut found = false;
            for stage in [&hashes, &typo_hashes] {
                if found {
                    break;
                }
                for &h in stage {
                    let values = keys.get(h);
                    if values.len() > cap {
                        continue;
                    }
                    for &(_, v) in values {
                        let seen = &mut scratch.value_stamp[f][v as usize];
                        if *seen == stamp {
                            continue;
                        }
                        *seen = stamp;
                        let s = compare_spec(
                            spec,
                            &doc[f],
                            &col.distinct[v as usize],
                            col.weights.as_ref(),
                        );
                        scratch.cache[f][v as usize] = (stamp, s as f32);
                        if s >= needed {
                            found = true;
                            self.add_rows(plan, doc, col.rows_of(v), window, scratch);
                        }
                    }
                }
            }
            scratch.typo_hashes = typo_hashes;
            scratch.hashes = hashes;
        }
        if let Some(amounts) = &self.amounts {
            self.amount_candidates(plan, amounts, doc, scratch);
        }
        if scratch.candidates.is_empty() && self.n_rows <= FULL_SCAN_LIMIT {
            for r in 0..self.n_rows {
                if self.admit(plan, doc, r, scratch) {
                    scratch.candidates.push(r as u32);
                }
            }
        }
    }

    fn amount_candidates(
        &self,
        plan: &MatchPlan,
        amounts: &AmountIndex,
        doc: &[Prepared],
        scratch: &mut Scratch,
    ) {
        let Prepared::Number(x) = doc[amounts.field] else {
            return;
        };
        let spec = &plan.fields[amounts.field].spec;
        // Amounts alone are weak keys on large sets; with a filter field (the order date window)
        // to thin them out, wider ranges are worth reading.
        let filtered = plan
            .filter_fields
            .iter()
            .any(|&f| f != amounts.field && !doc[f].is_missing());
        let cap = if filtered {
            AMOUNT_WITH_FILTER_CAP
        } else {
            AMOUNT_ALONE_CAP
        };
        for &(factor, _) in &spec.amount_factors {
            let target = x / factor;
            // The band numeric_range scores 1 in: within the absolute or the relative tolerance.
            let tp = spec.tolerance_percent / 100.0;
            let tol = (spec.tolerance_absolute / factor).max(tp * target.abs() * (1.0 + tp))
                + 1e-9 * target.abs().max(1.0);
            let lo = amounts.lower_bound(target - tol);
            let upper = target + tol;
            let n = amounts.sorted[lo..]
                .iter()
                .take(cap + 1)
                .take_while(|p| p.0 <= upper)
                .count();
            if n == 0 || n > cap {
                continue;
            }
            for &(_, r) in &amounts.sorted[lo..lo + n] {
                if scratch.row_stamp[r as usize] == scratch.stamp {
                    continue;
                }
                scratch.row_stamp[r as usize] = scratch.stamp;
                if self.admit(plan, doc, r as usize, scratch) {
                    scratch.candidates.push(r);
                }
            }
        }
    }

    /// The reference days a document's date admits under the date filter: `None` when there is no
    /// date filter or the document has no date (then every row passes it).
    fn date_window(&self, plan: &MatchPlan, doc: &[Prepared]) -> Option<(i32, i32)> {
        let df = self.date_filter.as_ref()?;
        let spec = &plan.fields[df.field].spec;
        match &doc[df.field] {
            Prepared::Date(d) => {
                let day = d.num_days_from_ce();
                let grace = spec.tolerance_days.clamp(0, 100_000) as i32;
                // The days whose score is above 0 (see `strategy::compare_spec`).
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
            Prepared::Invalid => Some((i32::MAX - 1, i32::MAX - 2)),
            _ => None,
        }
    }

    /// Adds the rows of one indexed value that the filter fields admit. With a date window, only
    /// the rows without a date and those inside the window are looked at.
    fn add_rows(
        &self,
        plan: &MatchPlan,
        doc: &[Prepared],
        rows: &[u32],
        window: Option<(i32, i32)>,
        scratch: &mut Scratch,
    ) {
        let stamp = scratch.stamp;
        let push = |this: &Self, r: u32, scratch: &mut Scratch, skip: Option<usize>| {
            if scratch.row_stamp[r as usize] != stamp {
                scratch.row_stamp[r as usize] = stamp;
                if this.admit_except(plan, doc, r as usize, scratch, skip) {
                    scratch.candidates.push(r);
                }
            }
        };
        match (&self.date_filter, window) {
            (Some(df), Some((lo, hi))) => {
                let day = |r: &u32| df.row_day[*r as usize];
                let undated = rows.partition_point(|r| day(r) == i32::MIN);
                let from = undated + rows[undated..].partition_point(|r| day(r) < lo);
                let to = from + rows[from..].partition_point(|r| day(r) <= hi);
                for &r in rows[..undated].iter().chain(&rows[from..to.max(from)]) {
                    push(self, r, scratch, Some(df.field));
                }
            }
            _ => {
                for &r in rows {
                    push(self, r, scratch, None);
                }
            }
        }
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

fn build_column(spec: &FieldSpec, target_idx: usize, rows: &[Record]) -> FieldColumn {
    let mut ids: FxHashMap<&str, u32> = FxHashMap::default();
    let mut raw: Vec<&str> = Vec::new();
    let mut value_of_row = Vec::with_capacity(rows.len());
    for row in rows {
        let v = row.values.get(target_idx).map(String::as_str).unwrap_or("");
        let next = raw.len() as u32;
        let id = *ids.entry(v).or_insert_with(|| {
            raw.push(v);
            next
        });
        value_of_row.push(id);
    }
    let dates = if spec.strategy == Strategy::DateRange {
        detect_date_order(raw.iter().copied())
    } else {
        DateOrderProfile::default()
    };
    let distinct: Vec<Prepared> = raw
        .par_iter()
        .map(|r| prepare_spec(spec, r, &dates))
        .collect();
    // CSR of rows per value.
    let mut offsets = vec![0u32; distinct.len() + 1];
    for &v in &value_of_row {
        offsets[v as usize + 1] += 1;
    }
    for i in 0..distinct.len() {
        offsets[i + 1] += offsets[i];
    }
    let mut fill = offsets.clone();
    let mut row_list = vec![0u32; value_of_row.len()];
    for (r, &v) in value_of_row.iter().enumerate() {
        row_list[fill[v as usize] as usize] = r as u32;
        fill[v as usize] += 1;
    }
    let weights = (spec.strategy == Strategy::Fuzzy && spec.term_frequency)
        .then(|| TokenWeights::from_documents(distinct.iter().map(|p| p.tokens())));
    FieldColumn {
        value_of_row,
        distinct,
        offsets,
        rows: row_list,
        weights,
        keys: None,
    }
}

/// FNV-1a, fed piece by piece: hashing a string with one character left out needs no new string.
struct Fnv(u64);

impl Fnv {
    fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    fn feed(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

fn hash_str(s: &str) -> u64 {
    let mut h = Fnv::new();
    h.feed(s.as_bytes());
    h.0
}

/// The search keys of a prepared value, hashed, in two kinds: `exact` keys (tokens; the whole
/// reference) that two equal values share, and `typo` keys (every one-character deletion of a
/// token: two tokens one edit apart share one of these, the SymSpell idea; the reference's own
/// typo variants).
fn key_hashes(p: &Prepared, exact: &mut Vec<u64>, typo: &mut Vec<u64>) {
    match p {
        Prepared::Text(t) => {
            for token in t.tokens() {
                exact.push(hash_str(token));
                if token.chars().count() >= MIN_TYPO_TOKEN {
                    for (i, c) in token.char_indices() {
                        let mut h = Fnv::new();
                        h.feed(&token.as_bytes()[..i]);
                        h.feed(&token.as_bytes()[i + c.len_utf8()..]);
                        typo.push(h.0);
                    }
                }
            }
        }
        Prepared::Ref(k) => {
            // The first key stands for the whole reference; the others for its typo variants.
            let mut first = true;
            for_each_reference_key(k, |key| {
                if std::mem::take(&mut first) {
                    exact.push(hash_str(key));
                } else {
                    typo.push(hash_str(key));
                }
            });
        }
        _ => {}
    }
}

fn build_keys(col: &FieldColumn) -> KeyIndex {
    // Reference data indexes both kinds of key in one array; the document side decides which
    // kinds it looks up.
    let entries: Vec<(u64, u32)> = col
        .distinct
        .par_iter()
        .enumerate()
        .flat_map_iter(|(v, p)| {
            let mut hashes = Vec::new();
            let mut typo = Vec::new();
            key_hashes(p, &mut hashes, &mut typo);
            hashes.extend(typo);
            hashes.into_iter().map(move |h| (h, v as u32))
        })
        .collect();
    KeyIndex::new(entries)
}
