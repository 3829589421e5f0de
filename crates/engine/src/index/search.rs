//! Candidate search for one document. Each field the document has gives a block: the reference
//! rows that agree with it there (text values found through keys that reach the field's
//! similarity threshold, the days a date admits, the amounts within tolerance). Block sizes are
//! measured per document, so the same code adapts to any columns:
//! - a small block (at most `ADMIT_CAP` rows: a rare surname, a reference number, a birth date) is
//!   compared whole;
//! - an oversized one (a common surname, "Ltd", a popular suburb) is split by the other fields:
//!   its rows are compared only where the combination of fields they agree on is itself rare
//!   (at most `ADMIT_CAP` rows share it, counted exactly, so correlated columns such as suburb and
//!   postcode do not pass for two independent clues);
//! - any row is also compared when its confidence could still reach the threshold, counting what
//!   it agrees on or might against what it is known to disagree on (a row with most values
//!   missing scores 1 on the one it shares);
//! - but no row that could not reach the review floor, whichever block brought it: it would be
//!   neither a match nor borderline;
//! - blocks are walked cheapest first; once a row outside those walked could not reach the review
//!   floor, the larger blocks only add their field to rows already reached (and to rows lacking
//!   the values that rule them out), see `walk`;
//! - a block larger than `VISIT_CAP` (a state, a country) is not walked at all: it says too
//!   little to pay for.
//!
//! Rows reached without a block saying they agree on a fuzzy field are looked at in `beyond`.
//!
//! With a date filter (`MatchPlan::filter_fields`), every block is cut to the days it admits. A
//! config that names its blocking keys gets exactly those instead (`take_named`).

use super::*;
use crate::phase_time::{tally, Tally};

/// A block of at most this many rows is compared whole; an oversized block's rows only where the
/// fields they agree on are shared by at most this many rows.
pub const ADMIT_CAP: usize = 16;
/// Blocks of more rows than this are not walked (a row reached through another block counts as
/// perhaps agreeing there): the work per document stays bounded however large the reference
/// data grows.
pub const VISIT_CAP: usize = 4_096;
/// When nothing is admitted, the smallest block or combination is taken up to this size, so a
/// document that agrees only on common values still shows its closest rows.
const FALLBACK_CAP: usize = 4 * ADMIT_CAP;

/// Field blocks get one bit each in a row's mask (the first `MASK_FIELDS` fields); this bit marks a
/// row already a candidate.
pub(super) const ADMITTED: u32 = 1 << MASK_FIELDS;
/// Text lookups remembered per field and thread before the memory is given back.
const MEMO_LIMIT: usize = 1 << 16;

/// The rows of one field that agree with the current document: `ranges` index
/// `Blocks::ranges`, whose entries index the field's `rows` or, for amounts,
/// `Blocks::amount_rows`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Block {
    pub(super) field: usize,
    pub(super) size: usize,
    pub(super) ranges: (u32, u32),
    pub(super) amounts: bool,
    /// The agreeing values of a value block, in `Blocks::values`.
    pub(super) values: (u32, u32),
}

/// The current document's blocks, smallest first once all are made, and where their rows are.
#[derive(Default)]
pub(crate) struct Blocks {
    pub(super) list: Vec<Block>,
    pub(super) ranges: Vec<(u32, u32)>,
    /// Beside each range, where its rows with a value in every field some block settles begin
    /// (see `FieldColumn::complete_from`).
    pub(super) lacking_end: Vec<u32>,
    amount_rows: Vec<u32>,
    values: Vec<u32>,
}

impl Blocks {
    fn clear(&mut self) {
        self.list.clear();
        self.ranges.clear();
        self.lacking_end.clear();
        self.amount_rows.clear();
        self.values.clear();
    }

    /// The values of value block `block` (none for amounts).
    pub(super) fn values_of(&self, block: &Block) -> &[u32] {
        &self.values[block.values.0 as usize..block.values.1 as usize]
    }

    /// The rows of `block` (a row may repeat when amount factors overlap).
    pub(super) fn rows<'a>(
        &'a self,
        columns: &'a [FieldColumn],
        block: &Block,
    ) -> impl Iterator<Item = u32> + 'a {
        let rows: &[u32] = if block.amounts {
            &self.amount_rows
        } else {
            &columns[block.field].rows
        };
        self.ranges[block.ranges.0 as usize..block.ranges.1 as usize]
            .iter()
            .flat_map(move |&(a, b)| rows[a as usize..b as usize].iter().copied())
    }
}

/// The score a text field's value must reach to agree with the document's.
pub(super) fn needed(spec: &FieldSpec) -> f64 {
    match spec.strategy {
        Strategy::Exact => 1.0,
        _ => spec.similarity_threshold.max(f64::MIN_POSITIVE),
    }
}

/// What decides whether a reached row could still reach a confidence (see `admit_if`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Reach {
    pub(super) doc_present: u32,
    /// The fields a row's mask settles: walked, or searched without finding anything.
    pub(super) known: u32,
    pub(super) floor: f64,
}

impl Reach {
    pub(super) fn could_reach(
        &self,
        index: &ReferenceIndex,
        mask: u32,
        present: u32,
        t: f64,
    ) -> bool {
        let present = present & self.doc_present;
        let agree = index.bounds.agree((mask | !self.known) & present);
        let disagree = index.bounds.disagree(self.known & !mask & present);
        agree > 0.0 && agree >= t * (agree + disagree) - 1e-9
    }
}

impl ReferenceIndex {
    /// Fills `scratch.candidates` with the rows a document is compared with.
    pub(crate) fn candidates(&self, plan: &MatchPlan, doc: &[Prepared], scratch: &mut Scratch) {
        scratch.next_document();
        scratch.settled = None;
        scratch.pair_search = None;
        scratch.needs_full_search = false;
        let mut blocks = std::mem::take(&mut scratch.blocks);
        blocks.clear();
        let window = self.date_window(plan, doc);
        let filter = self.date_filter.as_ref().map(|df| df.field);
        for (f, col) in self.columns.iter().enumerate() {
            if doc[f].is_missing() || Some(f) == filter || f >= MASK_FIELDS {
                continue;
            }
            if col.keys.is_some() {
                if let (Prepared::Text(t), false) = (&doc[f], col.sketches.is_empty()) {
                    scratch.doc_sketches[f] = t.sketch();
                }
                self.find_text_values(plan, f, &doc[f], scratch);
                let marks = (&mut scratch.block_stamp[f][..], scratch.stamp);
                self.push_value_block(f, window, &scratch.passing, marks, &mut blocks);
            } else if let Some(days) = &col.days {
                let Some((lo, hi)) = day_window(&plan.fields[f].spec, &doc[f]) else {
                    continue;
                };
                let from = days.partition_point(|d| d.0 < lo);
                let to = from + days[from..].partition_point(|d| d.0 <= hi);
                scratch.passing.clear();
                scratch
                    .passing
                    .extend(days[from..to].iter().map(|&(_, v)| (v, 1.0)));
                let marks = (&mut scratch.block_stamp[f][..], scratch.stamp);
                self.push_value_block(f, window, &scratch.passing, marks, &mut blocks);
            }
        }
        if let Some(amounts) = &self.amounts {
            self.push_amount_block(plan, amounts, doc, window, &mut blocks);
        }
        blocks.list.sort_by_key(|b| b.size);
        match &plan.named_keys {
            Some((keys, ordered)) => self.take_named(plan, doc, &blocks, keys, *ordered, scratch),
            None => {
                let by_pairs = plan.threshold_pass
                    && window.is_none()
                    && !scratch.walk_blocks
                    && self.take_by_pairs(
                        plan,
                        doc,
                        &blocks,
                        self.doc_fields(doc, &blocks),
                        scratch,
                    );
                if !by_pairs {
                    self.take_blocks(plan, doc, &blocks, window, scratch);
                }
                if scratch.candidates.is_empty() && !blocks.list.is_empty() && !plan.threshold_pass
                {
                    self.fallback(plan, doc, &blocks, scratch);
                }
            }
        }
        scratch.blocks = blocks;
        // Nothing found at all: a small reference is compared whole (spec C.8), as when a config
        // names only unselective fields (a currency, a wide date window).
        if scratch.candidates.is_empty() && self.n_rows <= FULL_SCAN_LIMIT && !plan.threshold_pass {
            for r in 0..self.n_rows {
                if self.admit(plan, doc, r, scratch) {
                    scratch.candidates.push(r as u32);
                }
            }
        }
    }

    /// Fills `scratch.passing` with the values of text field `f` that agree with the document's:
    /// found through shared keys, reaching the field's threshold, and for fuzzy fields within
    /// `FUZZY_KEY_MARGIN` of the best. Comparisons made are cached for scoring; the outcome is
    /// remembered per text for the documents after (names and vendors repeat).
    fn find_text_values(&self, plan: &MatchPlan, f: usize, doc: &Prepared, scratch: &mut Scratch) {
        let stamp = scratch.stamp;
        scratch.passing.clear();
        let memo_key = match doc {
            Prepared::Text(t) => Some(t.folded()),
            _ => None,
        };
        if let Some(hit) = memo_key.and_then(|k| scratch.memo[f].get(k)) {
            tally(Tally::TextsRemembered, 1);
            for &(v, s) in hit.iter() {
                scratch.cache[f][v as usize] = (stamp, s);
                scratch.passing.push((v, f64::from(s)));
            }
            return;
        }
        let col = &self.columns[f];
        let Some(keys) = &col.keys else { return };
        let spec = &plan.fields[f].spec;
        let needed = needed(spec);
        let cap = ((col.distinct.len() as f64 * KEY_VALUE_SHARE) as usize)
            .clamp(KEY_VALUE_FLOOR, KEY_VALUE_CAP);
        let mut hashes = std::mem::take(&mut scratch.hashes);
        let mut typo_hashes = std::mem::take(&mut scratch.typo_hashes);
        hashes.clear();
        typo_hashes.clear();
        keys::key_hashes(doc, col.prefixes, &mut hashes, &mut typo_hashes);
        // Typos are the exception: their keys are looked up only when the exact keys found no
        // value good enough, which spares most documents most comparisons. An exact field has no
        // use for them: a variant is never equal.
        let stages: &[&Vec<u64>] = if spec.strategy == Strategy::Exact {
            &[&hashes]
        } else {
            &[&hashes, &typo_hashes]
        };
        for keys_of_doc in stages {
            if !scratch.passing.is_empty() {
                break;
            }
            for &h in keys_of_doc.iter() {
                let values = keys.get(h);
                if values.len() > cap {
                    continue;
                }
                for &(_, v) in values {
                    // Nothing else has compared this field's values for the document yet, so
                    // a current stamp in the cache means an earlier key found this value.
                    let cached = &mut scratch.cache[f][v as usize];
                    if cached.0 == stamp {
                        continue;
                    }
                    tally(Tally::ValuesComparedForBlocks, 1);
                    let s =
                        compare_spec(spec, doc, &col.distinct[v as usize], col.weights.as_ref());
                    *cached = (stamp, s as f32);
                    if s >= needed {
                        scratch.passing.push((v, s));
                    }
                }
            }
        }
        scratch.typo_hashes = typo_hashes;
        scratch.hashes = hashes;
        let best = scratch.passing.iter().map(|p| p.1).fold(0.0, f64::max);
        scratch.passing.retain(|p| p.1 >= best - FUZZY_KEY_MARGIN);
        if let Some(k) = memo_key {
            let memo = &mut scratch.memo[f];
            if memo.len() >= MEMO_LIMIT {
                *memo = FxHashMap::default();
            }
            let found: Box<[(u32, f32)]> = scratch
                .passing
                .iter()
                .map(|&(v, s)| (v, s as f32))
                .collect();
            memo.insert(k.into(), found);
        }
    }

    /// Makes a block of the rows of the values in `passing`, cut to the date window when the
    /// rows are sorted by day, and marks those values with the stamp in `marks` (see `in_block`).
    fn push_value_block(
        &self,
        f: usize,
        window: Option<(i32, i32)>,
        passing: &[(u32, f64)],
        (marks, stamp): (&mut [u32], u32),
        blocks: &mut Blocks,
    ) {
        let col = &self.columns[f];
        let start = blocks.ranges.len() as u32;
        let first_value = blocks.values.len() as u32;
        let mut size = 0;
        let windowed = window.is_some() && !col.row_days.is_empty();
        for &(v, _) in passing {
            marks[v as usize] = stamp;
            blocks.values.push(v);
            let span = col.span(v);
            match window {
                Some((lo, hi)) if windowed => {
                    let days = &col.row_days[span.clone()];
                    let undated = days.partition_point(|&d| d == i32::MIN);
                    let from = undated + days[undated..].partition_point(|&d| d < lo);
                    let to = from + days[from..].partition_point(|&d| d <= hi);
                    for (a, b) in [(0, undated), (from, to.max(from))] {
                        if b > a {
                            blocks
                                .ranges
                                .push(((span.start + a) as u32, (span.start + b) as u32));
                            blocks.lacking_end.push((span.start + b) as u32);
                            size += b - a;
                        }
                    }
                }
                _ => {
                    blocks.ranges.push((span.start as u32, span.end as u32));
                    let lacking_end = col.complete_from.get(v as usize).copied();
                    (blocks.lacking_end).push(lacking_end.unwrap_or(span.end as u32));
                    size += span.len();
                }
            }
        }
        if size > 0 {
            blocks.list.push(Block {
                field: f,
                size,
                ranges: (start, blocks.ranges.len() as u32),
                amounts: false,
                values: (first_value, blocks.values.len() as u32),
            });
        }
    }

    /// The rows whose amount, times a tax or partial factor, lies within the tolerance of the
    /// document's amount (and inside the date window). Counting stops past `VISIT_CAP`.
    fn push_amount_block(
        &self,
        plan: &MatchPlan,
        amounts: &AmountIndex,
        doc: &[Prepared],
        window: Option<(i32, i32)>,
        blocks: &mut Blocks,
    ) {
        let Prepared::Number(x) = doc[amounts.field] else {
            return;
        };
        let spec = &plan.fields[amounts.field].spec;
        let rows = &mut blocks.amount_rows;
        let start = rows.len();
        let tp = spec.tolerance_percent / 100.0;
        for &(factor, _) in &spec.amount_factors {
            let target = x / factor;
            // The band numeric_range scores 1 in: within the absolute or the relative tolerance.
            let tol = (spec.tolerance_absolute / factor).max(tp * target.abs() * (1.0 + tp))
                + 1e-9 * target.abs().max(1.0);
            let lo = amounts.lower_bound(target - tol);
            let upper = target + tol;
            for &(a, r, d) in &amounts.sorted[lo..] {
                if a > upper || rows.len() - start > VISIT_CAP {
                    break;
                }
                let inside = match window {
                    Some((lo, hi)) => d == i32::MIN || (lo..=hi).contains(&d),
                    None => true,
                };
                if inside {
                    rows.push(r);
                }
            }
        }
        let (size, end) = (rows.len() - start, rows.len());
        if size > 0 {
            let at = blocks.ranges.len() as u32;
            blocks.ranges.push((start as u32, end as u32));
            blocks.lacking_end.push(end as u32);
            blocks.list.push(Block {
                field: amounts.field,
                size,
                ranges: (at, at + 1),
                amounts: true,
                values: (0, 0),
            });
        }
    }

    /// Small blocks whole; oversized ones where the fields a row agrees on are rare together, or
    /// where the row could still reach the threshold. Rows are admitted once every block is
    /// walked, when what each agrees on is known: a row that could not reach even the review
    /// floor is neither a match nor borderline, whatever block it came from, and is left out.
    fn take_blocks(
        &self,
        plan: &MatchPlan,
        doc: &[Prepared],
        blocks: &Blocks,
        window: Option<(i32, i32)>,
        scratch: &mut Scratch,
    ) {
        let (doc_present, none_found) = self.doc_fields(doc, blocks);
        let (split, first) = self.walk_order(plan, blocks, (doc_present, none_found), scratch);
        let early = Reach {
            doc_present,
            known: (first | none_found) & plan.settled_by_block,
            floor: plan.review_floor,
        };
        let exact = self.walk(blocks, split, &early, window, scratch);
        // A row reached late may have missed the bits of the blocks walked before it, but not
        // those `walk` read from the values.
        let late_reach = Reach {
            known: early.known | (exact & plan.settled_by_block),
            ..early
        };
        let late = std::mem::take(&mut scratch.late);
        for &i in &late {
            self.admit_if(plan, doc, i as usize, &late_reach, plan.threshold, scratch);
        }
        scratch.late = late;
        let known =
            (scratch.walk.iter()).fold(none_found, |m, &b| m | 1 << blocks.list[b as usize].field);
        let reach = Reach {
            known: known & plan.settled_by_block,
            ..early
        };
        let small = std::mem::take(&mut scratch.small);
        for &i in &small {
            self.admit_if(plan, doc, i as usize, &reach, reach.floor, scratch);
        }
        scratch.small = small;
        let mut multi = std::mem::take(&mut scratch.multi);
        multi.clear();
        multi.extend(
            (0..scratch.reached.len() as u32)
                .filter(|&i| scratch.reached_masks[i as usize].count_ones() >= 2),
        );
        if crate::phase_time::COUNTING {
            self.tally_walk(&reach, scratch);
        }
        self.admit_rare_combinations(plan, doc, &multi, scratch, ADMIT_CAP, &reach);
        scratch.multi = multi;
        for i in 0..scratch.reached.len() {
            self.admit_if(plan, doc, i, &reach, plan.threshold, scratch);
        }
        scratch.settled = Some(reach);
    }

    /// The fields the document has, and those of them searched without finding anything: those
    /// agree with no row, and every row that has a value there disagrees.
    fn doc_fields(&self, doc: &[Prepared], blocks: &Blocks) -> (u32, u32) {
        let doc_present = doc
            .iter()
            .enumerate()
            .take(MASK_FIELDS)
            .filter(|(_, p)| !p.is_missing())
            .fold(0u32, |m, (f, _)| m | 1 << f);
        let with_block = blocks.list.iter().fold(0u32, |m, b| m | 1 << b.field);
        let filter_bit = self.date_filter.as_ref().map_or(0, |df| 1 << df.field);
        (
            doc_present,
            self.searched & doc_present & !with_block & !filter_bit,
        )
    }

    /// Counts what the walk reached (see `phase_time::Tally`).
    pub(super) fn tally_walk(&self, reach: &Reach, scratch: &Scratch) {
        let (mut two, mut one_reaching_floor) = (0, 0);
        for (i, &mask) in scratch.reached_masks.iter().enumerate() {
            match (mask & !ADMITTED).count_ones() {
                0 => {}
                1 => {
                    let present = scratch.reached_present[i];
                    one_reaching_floor +=
                        u64::from(reach.could_reach(self, mask, present, reach.floor));
                }
                _ => two += 1,
            }
        }
        tally(Tally::Documents, 1);
        tally(Tally::RowsReached, scratch.reached.len() as u64);
        tally(Tally::RowsOnTwoFields, two);
        tally(Tally::RowsOnOneFieldReachingFloor, one_reaching_floor);
    }

    /// Admits reached row `i` (unless admitted before) when its confidence could reach `t`:
    /// counting every field it agrees on, or might (`reach.known` says which fields its mask
    /// settles), as full agreement, against the fields it is known to disagree on. A row with
    /// most values missing can reach the threshold on one common value, and comparing everything
    /// would find it.
    pub(super) fn admit_if(
        &self,
        plan: &MatchPlan,
        doc: &[Prepared],
        i: usize,
        reach: &Reach,
        t: f64,
        scratch: &mut Scratch,
    ) {
        let mask = scratch.reached_masks[i];
        if mask & ADMITTED != 0 {
            return;
        }
        let r = scratch.reached[i];
        if reach.could_reach(self, mask, scratch.reached_present[i], t) {
            scratch.reached_masks[i] = mask | ADMITTED;
            if self.admit(plan, doc, r as usize, scratch) {
                scratch.candidates.push(r);
            }
        }
    }

    /// Candidates by the blocking keys a config names: the rows that agree on every field of a
    /// key, for every key (`parallel`) or the first key that finds any (`ordered_fallback`).
    /// Their blocks are walked whatever their size: the config asked for them.
    fn take_named(
        &self,
        plan: &MatchPlan,
        doc: &[Prepared],
        blocks: &Blocks,
        keys: &[u32],
        ordered: bool,
        scratch: &mut Scratch,
    ) {
        let wanted = keys.iter().fold(0u32, |m, k| m | k);
        for block in blocks.list.iter().filter(|b| wanted & (1 << b.field) != 0) {
            for r in blocks.rows(&self.columns, block) {
                let (i, _) = scratch.reach(r, self.present[r as usize]);
                scratch.reached_masks[i] |= 1 << block.field;
            }
        }
        for &key in keys {
            for i in 0..scratch.reached.len() {
                let mask = scratch.reached_masks[i];
                if mask & key == key && mask & ADMITTED == 0 {
                    scratch.reached_masks[i] = mask | ADMITTED;
                    let r = scratch.reached[i];
                    if self.admit(plan, doc, r as usize, scratch) {
                        scratch.candidates.push(r);
                    }
                }
            }
            if ordered && !scratch.candidates.is_empty() {
                break;
            }
        }
    }

    /// Admits the rows reached at `multi` (indexes into `scratch.reached`, each agreeing on two
    /// fields or more) whose combination of agreeing fields at most `cap` rows share (the rows
    /// whose masks contain it), and which could reach the review floor.
    fn admit_rare_combinations(
        &self,
        plan: &MatchPlan,
        doc: &[Prepared],
        multi: &[u32],
        scratch: &mut Scratch,
        cap: usize,
        reach: &Reach,
    ) {
        let mut masks = std::mem::take(&mut scratch.masks);
        masks.clear();
        for &i in multi {
            let m = scratch.reached_masks[i as usize];
            match masks.iter_mut().find(|e| e.0 == m) {
                Some(e) => e.1 += 1,
                None => masks.push((m, 1)),
            }
        }
        for &i in multi {
            let m = scratch.reached_masks[i as usize];
            if m & ADMITTED != 0 {
                continue;
            }
            let sharing: usize = masks
                .iter()
                .filter(|e| e.0 & m == m)
                .map(|e| e.1 as usize)
                .sum();
            if sharing <= cap {
                self.admit_if(plan, doc, i as usize, reach, reach.floor, scratch);
            }
        }
        scratch.masks = masks;
    }

    /// Nothing rare enough: the rows of the rarest combination, else of the smallest block, when
    /// there are at most `FALLBACK_CAP` of them.
    fn fallback(&self, plan: &MatchPlan, doc: &[Prepared], blocks: &Blocks, scratch: &mut Scratch) {
        let multi = std::mem::take(&mut scratch.multi);
        if !multi.is_empty() {
            // Whatever could be reached: the document's closest rows, if only common ones.
            let anything = Reach {
                doc_present: u32::MAX,
                known: 0,
                floor: 0.0,
            };
            self.admit_rare_combinations(plan, doc, &multi, scratch, FALLBACK_CAP, &anything);
        }
        scratch.multi = multi;
        if !scratch.candidates.is_empty() {
            return;
        }
        let Some(block) = blocks.list.first() else {
            return;
        };
        if block.size <= FALLBACK_CAP {
            for r in blocks.rows(&self.columns, block) {
                let (i, _) = scratch.reach(r, self.present[r as usize]);
                let mask = scratch.reached_masks[i];
                if mask & ADMITTED == 0 {
                    scratch.reached_masks[i] = mask | ADMITTED;
                    if self.admit(plan, doc, r as usize, scratch) {
                        scratch.candidates.push(r);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{FieldMapping, FuzzyMeasure};
    use crate::progress::NoProgress;

    const COLUMNS: [&str; 5] = ["given", "surname", "suburb", "postcode", "born"];

    /// Names by Jaro-Winkler (0.8), suburb and postcode exactly, birth date to the day.
    fn people_plan(measure: FuzzyMeasure) -> MatchPlan {
        let fuzzy = |name: &str| {
            let mut m = FieldMapping::new(name, name, Strategy::Fuzzy, 0.3);
            m.measure = Some(measure);
            m.similarity_threshold = Some(0.8);
            m
        };
        let mut born = FieldMapping::new("born", "born", Strategy::DateRange, 0.2);
        born.tolerance_days = Some(0);
        let mappings = [
            fuzzy("given"),
            fuzzy("surname"),
            FieldMapping::new("suburb", "suburb", Strategy::Exact, 0.1),
            FieldMapping::new("postcode", "postcode", Strategy::Exact, 0.1),
            born,
        ];
        let cols: Vec<String> = COLUMNS.iter().map(|c| c.to_string()).collect();
        MatchPlan::new(&mappings, 0.8, &cols, &cols).unwrap()
    }

    /// A made-up word of `len` letters, different for every `seed` (no two share a prefix or a
    /// one-letter variant by design of the generator, which the tests rely on only loosely).
    fn word(seed: u64, len: usize) -> String {
        let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (b'a' + (x % 26) as u8) as char
            })
            .collect()
    }

    fn row(id: &str, values: [&str; 5]) -> Record {
        Record {
            id: id.into(),
            values: values.iter().map(|v| v.to_string()).collect(),
        }
    }

    /// A town of 40 Smiths in one suburb and postcode, each with a given name and birth day of
    /// their own, and 200 people elsewhere.
    fn town() -> Vec<Record> {
        let mut rows = Vec::new();
        for i in 0..40u64 {
            let given = word(i, 7);
            let born = format!("19{:02}-03-{:02}", 30 + i, 1 + i % 28);
            rows.push(row(
                &format!("smith{i}"),
                [&given, "smith", "elmwood", "2000", &born],
            ));
        }
        for i in 0..200u64 {
            let (given, surname, suburb) =
                (word(1000 + i, 6), word(2000 + i, 8), word(3000 + i, 9));
            let postcode = format!("{}", 3000 + i);
            let born = format!("1950-{:02}-{:02}", 1 + i % 12, 1 + i % 28);
            rows.push(row(
                &format!("other{i}"),
                [&given, &surname, &suburb, &postcode, &born],
            ));
        }
        rows
    }

    fn candidates(plan: &MatchPlan, rows: &[Record], doc: [&str; 5]) -> Vec<String> {
        let index = ReferenceIndex::build(plan, rows, &NoProgress, &CancelToken::new()).unwrap();
        super::super::tests::candidate_ids(&index, plan, rows, &doc)
    }

    #[test]
    fn an_oversized_block_is_split_by_the_fields_that_agree_with_it() {
        let plan = people_plan(FuzzyMeasure::JaroWinkler);
        let rows = town();
        let amelia = rows[7].values[0].clone();
        // Surname, suburb and postcode each bring 40 rows: too many to compare whole. The row that
        // agrees on the given name too is the only one compared.
        assert_eq!(
            candidates(&plan, &rows, [&amelia, "smith", "elmwood", "2000", ""]),
            ["smith7"]
        );
        // Suburb and postcode together are still 40 rows, however rare each pair of values would
        // be if the columns were independent (40 x 40 / 240 = 7): the combination is counted, not
        // estimated.
        let (given, surname) = (rows[45].values[0].clone(), rows[45].values[1].clone());
        assert_eq!(
            candidates(&plan, &rows, [&given, &surname, "elmwood", "2000", ""]),
            ["other5"]
        );
        // With nothing better, the rarest combination is still shown (40 rows, at most 64).
        assert_eq!(
            candidates(&plan, &rows, ["zzyzx", "qwxv", "elmwood", "2000", ""]).len(),
            40
        );
        // The birth day alone is a small block: compared whole.
        let born = rows[12].values[4].clone();
        assert_eq!(
            candidates(&plan, &rows, ["zzyzx", "qwxv", "", "", &born]),
            ["smith12"]
        );
    }

    #[test]
    fn a_row_that_could_reach_the_threshold_on_one_common_value_is_kept() {
        let plan = people_plan(FuzzyMeasure::JaroWinkler);
        let mut rows = town();
        // Only the surname is known of this person: agreeing on it alone scores 1.
        rows.push(row("sparse", ["", "smith", "", "", ""]));
        let amelia = rows[7].values[0].clone();
        assert_eq!(
            candidates(&plan, &rows, [&amelia, "smith", "elmwood", "2000", ""]),
            ["smith7", "sparse"]
        );
    }

    #[test]
    fn a_sparse_row_in_a_block_walked_only_for_rows_reached_before_is_kept() {
        let plan = people_plan(FuzzyMeasure::JaroWinkler);
        let mut rows = town();
        // Given name and surname settle the search (a row agreeing on neither cannot reach the
        // review floor on suburb and postcode), so the 40-row suburb block is not walked for
        // rows of its own; but this row has nothing else, and agreeing on the suburb scores 1.
        rows.push(row("sparse", ["", "", "elmwood", "", ""]));
        let amelia = rows[7].values[0].clone();
        assert_eq!(
            candidates(&plan, &rows, [&amelia, "smith", "elmwood", "2000", ""]),
            ["smith7", "sparse"]
        );
        // With a surname of its own it could not: 0.1 agreeing against 0.3 disagreeing.
        rows.pop();
        rows.push(row("sparse", ["", "jones", "elmwood", "", ""]));
        assert_eq!(
            candidates(&plan, &rows, [&amelia, "smith", "elmwood", "2000", ""]),
            ["smith7"]
        );
    }

    #[test]
    fn jaro_winkler_fields_find_values_by_their_first_letters() {
        let mut rows = town();
        rows.push(row("chen", ["", "chen", "", "", ""]));
        // The suburb, postcode and birth day of one other row, so that candidate search finds
        // something either way (finding nothing at all, a small reference would be compared
        // whole) and that row could reach the review floor.
        let [_, _, suburb, postcode, born] = rows[43].values.clone().try_into().unwrap();
        let doc = ["", "cheung", &suburb, &postcode, &born];
        // "cheung" and "chen" score 0.92 and share no token and no one-letter deletion; the
        // prefix key finds the pair.
        let jw = people_plan(FuzzyMeasure::JaroWinkler);
        assert_eq!(candidates(&jw, &rows, doc), ["chen", "other3"]);
        let levenshtein = people_plan(FuzzyMeasure::Levenshtein);
        assert_eq!(candidates(&levenshtein, &rows, doc), ["other3"]);
    }

    #[test]
    fn rows_of_a_value_lacking_a_settled_field_come_first() {
        let plan = people_plan(FuzzyMeasure::JaroWinkler);
        let rows = vec![
            row("full1", ["ann", "lee", "elmwood", "2000", "1970-01-01"]),
            row("gap1", ["ann", "lee", "", "2000", "1970-01-01"]),
            row("full2", ["bob", "lee", "elmwood", "2000", "1971-01-01"]),
            row("gap2", ["cy", "lee", "elmwood", "2000", ""]),
        ];
        let index = ReferenceIndex::build(&plan, &rows, &NoProgress, &CancelToken::new()).unwrap();
        let col = &index.columns[1];
        let v = col.value_of_row[0];
        let span = col.span(v);
        let ids: Vec<&str> = (col.rows[span.clone()].iter())
            .map(|&r| rows[r as usize].id.as_str())
            .collect();
        assert_eq!(ids, ["gap1", "gap2", "full1", "full2"]);
        assert_eq!(col.complete_from[v as usize] as usize, span.start + 2);
    }

    #[test]
    fn a_row_agreeing_beyond_the_margin_is_compared_when_it_could_be_the_best() {
        let plan = people_plan(FuzzyMeasure::JaroWinkler);
        let mut rows = town();
        // "mark" is a value of its own, so "mary" (0.88) is beyond the margin of the best and
        // the surname block says this row disagrees on the given name: 0.4 against 0.4 could
        // not reach the threshold of 0.8. Agreeing at 0.88 it scores 0.83 (at most 0.875).
        rows.push(row(
            "mark",
            ["mark", "smith", "westwood", "3999", "1960-01-01"],
        ));
        rows.push(row("mary", ["mary", "smith", "elmwood", "2001", ""]));
        let index = ReferenceIndex::build(&plan, &rows, &NoProgress, &CancelToken::new()).unwrap();
        let doc: Vec<Prepared> = (plan.fields.iter())
            .zip(["mark", "smith", "elmwood", "2000", ""])
            .map(|(f, raw)| prepare_spec(&f.spec, raw, &DateOrderProfile::default()))
            .collect();
        let mut scratch = Scratch::new(&index);
        let ids = |scratch: &Scratch| -> Vec<&str> {
            (scratch.candidates.iter())
                .map(|&r| rows[r as usize].id.as_str())
                .collect()
        };
        // Blocks find the other Mark Smith (0.75: agreeing on both names, not on the place).
        index.candidates(&plan, &doc, &mut scratch);
        assert_eq!(ids(&scratch), ["mark"]);
        // Mary Smith could beat it, so she is compared after all.
        index.rows_beyond_blocks(&plan, &doc, 0.75, &mut scratch);
        assert_eq!(ids(&scratch), ["mark", "mary"]);
        // Against a candidate of 0.9 she could not win, and is not.
        index.candidates(&plan, &doc, &mut scratch);
        index.rows_beyond_blocks(&plan, &doc, 0.9, &mut scratch);
        assert_eq!(ids(&scratch), ["mark"]);
    }

    #[test]
    fn fields_a_row_must_agree_on_follow_from_the_confidence_it_must_beat() {
        let plan = people_plan(FuzzyMeasure::JaroWinkler);
        let index =
            ReferenceIndex::build(&plan, &town(), &NoProgress, &CancelToken::new()).unwrap();
        let all = 0b11111;
        let reach = Reach {
            doc_present: all,
            known: all,
            floor: 0.5,
        };
        let names = 0b00011;
        // Weights 0.3, 0.3, 0.1, 0.1, 0.2: to beat 0.85 a row may disagree on 0.15 at most, so
        // on the birth day (0.2) it must agree; the names are checked by comparison instead.
        assert_eq!(index.must_agree(&reach, names, 0.85), 0b10000);
        assert_eq!(index.must_agree(&reach, names, 0.95), 0b11100);
        assert_eq!(index.must_agree(&reach, names, 0.5), 0);
        // A field the document lacks is never a must.
        let no_birthday = Reach {
            doc_present: 0b01111,
            ..reach
        };
        assert_eq!(index.must_agree(&no_birthday, names, 0.85), 0);
    }

    #[test]
    fn a_repeated_value_finds_the_same_rows_from_memory() {
        let plan = people_plan(FuzzyMeasure::JaroWinkler);
        let rows = town();
        let index = ReferenceIndex::build(&plan, &rows, &NoProgress, &CancelToken::new()).unwrap();
        let mut scratch = Scratch::new(&index);
        let doc: Vec<Prepared> = plan
            .fields
            .iter()
            .zip([rows[3].values[0].as_str(), "smyth", "", "", ""])
            .map(|(f, raw)| prepare_spec(&f.spec, raw, &DateOrderProfile::default()))
            .collect();
        let mut seen = Vec::new();
        for _ in 0..3 {
            index.candidates(&plan, &doc, &mut scratch);
            seen.push(scratch.candidates.clone());
        }
        assert_eq!(seen[0], [3]);
        assert!(seen.iter().all(|c| c == &seen[0]));
        assert!(scratch.memo[1].contains_key("smyth"));
    }

    fn named(fields: &[&[&str]]) -> Vec<crate::domain::BlockingKey> {
        fields
            .iter()
            .map(|k| crate::domain::BlockingKey {
                fields: k.iter().map(|f| f.to_string()).collect(),
            })
            .collect()
    }

    #[test]
    fn named_blocking_keys_join_their_fields_in_union_or_in_order() {
        use crate::domain::BlockingStrategy::{OrderedFallback, Parallel};
        let rows = town();
        let born = rows[12].values[4].clone();
        let doc = ["nobody", "smith", "elmwood", "2000", born.as_str()];
        let smiths: Vec<String> = {
            let mut s: Vec<String> = (0..40).map(|i| format!("smith{i}")).collect();
            s.sort();
            s
        };
        let plan = |keys: &[&[&str]], strategy| {
            people_plan(FuzzyMeasure::JaroWinkler)
                .with_blocking(Some(&named(keys)), Some(strategy))
                .unwrap()
        };
        // A key of two fields: the rows that agree on both, however many (the config asked).
        assert_eq!(
            candidates(&plan(&[&["surname", "suburb"]], Parallel), &rows, doc),
            smiths
        );
        // In order: the birth day finds one row, so the surname is not tried.
        let in_order = plan(&[&["born"], &["surname"]], OrderedFallback);
        assert_eq!(candidates(&in_order, &rows, doc), ["smith12"]);
        let unborn = ["nobody", "smith", "elmwood", "2000", "1800-01-01"];
        assert_eq!(candidates(&in_order, &rows, unborn), smiths);
        // In union: both.
        assert_eq!(
            candidates(&plan(&[&["born"], &["surname"]], Parallel), &rows, doc),
            smiths
        );
    }

    #[test]
    fn a_named_key_must_name_mapped_searchable_fields() {
        let plan = || people_plan(FuzzyMeasure::JaroWinkler);
        let err = plan()
            .with_blocking(Some(&named(&[&["surname", "phone"]])), None)
            .unwrap_err();
        assert!(
            err.to_string().starts_with("blocking_keys[0].fields[1]: "),
            "{err}"
        );
        assert!(err.to_string().contains("'phone'"), "{err}");
        let err = plan()
            .with_blocking(Some(&named(&[&["surname"], &[]])), None)
            .unwrap_err();
        assert!(
            err.to_string().starts_with("blocking_keys[1].fields: "),
            "{err}"
        );
        // No keys named: Matchbook's own choice.
        assert!(plan()
            .with_blocking(Some(&[]), None)
            .unwrap()
            .named_keys
            .is_none());
    }
}
