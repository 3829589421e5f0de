//! Two fields' values indexed together (given name and surname, street and suburb), so that the
//! search at the threshold finds the rows agreeing on two large blocks by lookups instead of
//! walking either block whole (see `ReferenceIndex::take_by_pairs`).
//!
//! A row whose values are mostly there needs several agreeing fields to reach the threshold, and
//! a row agreeing on two large blocks is in the table of that pair. Pairs whose values go
//! together (a suburb and its postcode) make blocks as large as either field's and get no table:
//! a row agreeing on such fields only is found the way a row agreeing on one large block only
//! is. Those rows can reach the threshold only when most of their values are missing; each
//! value's rows are kept in the order of what their values could weigh against them, so the
//! rows that could are a short prefix of the block.

use super::search::{Block, Blocks, Reach};
use super::*;

/// A field gets pair tables when at least this share of the reference rows holds a value whose
/// block is larger than `ADMIT_CAP` and small enough to walk (`VISIT_CAP`): the documents like
/// them are those whose walk the tables spare.
const WIDE_SHARE: f64 = 0.1;
/// A pair keeps its table when the block of a row's two values holds at most this many rows on
/// average over the rows (Σ n² / N).
const PAIR_BLOCK_CAP: f64 = search::ADMIT_CAP as f64;
/// The tables are built only while all pairs of the wide fields hold at most this many entries
/// per reference row, and this many in all (twelve bytes each).
const ENTRIES_PER_ROW: usize = 48;
const ENTRIES_CAP: usize = 1 << 25;
const NOT_WIDE: u8 = u8::MAX;

/// The pair tables of an index (see the module's comment).
pub(super) struct PairIndex {
    /// Per field, its place among the wide fields, or `NOT_WIDE`.
    wide_of: Vec<u8>,
    n_wide: usize,
    /// Per pair of wide places `i < j` (see `table`), its table when it keeps one.
    tables: Vec<Option<PairTable>>,
    /// Per field, the block of a row's value, averaged over the rows (Σ n² / N).
    mean_block: Vec<f64>,
    /// Every row's mismatch weight of its present fields (`put_complete_rows_last`'s order),
    /// ascending: which share of a block a walk up to a weight reads.
    row_weights: Vec<f64>,
}

/// Which pairs of its large blocks a kind of document looks up, and how far each large block's
/// rows are then walked (see `ReferenceIndex::plan_pairs`). Made once per kind: the large blocks,
/// the fields settled and the fields the document has.
pub(super) struct PairPlan {
    pairs: Vec<(u8, u8)>,
    /// Per large block's field: the most its rows may weigh against them (`heaviest_alone`), and
    /// the large blocks it is not looked up with.
    alone: Vec<(u8, f64, u32)>,
}

/// A pair lookup costs about as much as walking this many rows of a block (two or three reads
/// from memory against a sequential read).
const LOOKUP_COST: f64 = 20.0;
/// Kinds of document whose plans a thread keeps before starting afresh.
pub(super) const PLAN_LIMIT: usize = 4096;

/// The rows of each pair of values, grouped by the top bits of the pair's hash with a directory
/// of where each group starts (as `KeyIndex`); within a group, sorted by the pair, which is kept
/// beside the row to tell pairs apart (one read from memory finds both).
struct PairTable {
    entries: Vec<(u64, u32)>,
    dir: Vec<u32>,
    shift: u32,
}

fn pair_key(a: u32, b: u32) -> u64 {
    (u64::from(a) << 32) | u64::from(b)
}

fn pair_hash(key: u64) -> u64 {
    key.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ (key >> 29).wrapping_mul(0xbf58_476d_1ce4_e5b9)
}

impl PairTable {
    /// The table of fields `fa` and `fb` (columns `a` and `b`): every row with a value in both.
    fn new(a: &FieldColumn, b: &FieldColumn, (fa, fb): (usize, usize), present: &[u32]) -> Self {
        let both = (1u32 << fa) | (1u32 << fb);
        let n = present.iter().filter(|&&p| p & both == both).count();
        let bits = (usize::BITS - (n / 2).max(1).leading_zeros()).clamp(1, 30);
        let shift = 64 - bits;
        let slot = |k: u64| (pair_hash(k) >> shift) as usize;
        let key_of = |r: usize| pair_key(a.value_of_row[r], b.value_of_row[r]);
        let mut dir = vec![0u32; (1usize << bits) + 1];
        for (r, &p) in present.iter().enumerate() {
            if p & both == both {
                dir[slot(key_of(r)) + 1] += 1;
            }
        }
        for i in 1..dir.len() {
            dir[i] += dir[i - 1];
        }
        let mut fill = dir.clone();
        let mut entries = vec![(0u64, 0u32); n];
        for (r, &p) in present.iter().enumerate() {
            if p & both == both {
                let k = key_of(r);
                let at = &mut fill[slot(k)];
                entries[*at as usize] = (k, r as u32);
                *at += 1;
            }
        }
        for w in dir.windows(2) {
            entries[w[0] as usize..w[1] as usize].sort_unstable();
        }
        PairTable {
            entries,
            dir,
            shift,
        }
    }

    /// The average over the table's rows of how many rows share their pair of values.
    fn mean_block(&self) -> f64 {
        let mut sum = 0u64;
        let mut run = 0u64;
        for (i, (k, _)) in self.entries.iter().enumerate() {
            run = if i > 0 && self.entries[i - 1].0 == *k {
                run + 1
            } else {
                1
            };
            // A run of n adds 1 + 3 + ... + (2n - 1) = n².
            sum += 2 * run - 1;
        }
        sum as f64 / self.entries.len().max(1) as f64
    }

    /// The directory slot of `key`.
    fn slot(&self, key: u64) -> usize {
        (pair_hash(key) >> self.shift) as usize
    }
}

/// Asks the processor to bring `x` into cache: the lookups of a document are made in steps, each
/// asking for what the next step reads, so that they wait for memory together.
#[inline]
fn prefetch<T>(x: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch reads nothing and cannot fault.
    unsafe {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        _mm_prefetch::<_MM_HINT_T0>((x as *const T).cast());
    }
}

/// One lookup of a document: a table, the pair of values, and the bits of the two blocks.
#[derive(Clone, Copy)]
pub(super) struct Lookup {
    table: u32,
    key: u64,
    bits: u32,
    /// Where in the table's entries the pair's group is, once read.
    span: (u32, u32),
}

impl PairIndex {
    /// The tables of the fields whose blocks are often large, or `None` when no pair of them
    /// keeps one, or when the tables would take too much memory. `None` when cancelled.
    pub(super) fn build(
        columns: &[FieldColumn],
        present: &[u32],
        row_weight: &(dyn Fn(u32) -> f64 + Sync),
        cancel: &CancelToken,
    ) -> Option<Option<Self>> {
        let n_rows = present.len();
        let wide: Vec<usize> = (0..columns.len().min(MASK_FIELDS))
            .filter(|&f| is_wide(&columns[f], n_rows))
            .collect();
        let n_pairs = wide.len() * wide.len().saturating_sub(1) / 2;
        let entries = n_pairs.saturating_mul(n_rows);
        if n_pairs == 0 || entries > ENTRIES_PER_ROW * n_rows || entries > ENTRIES_CAP {
            return Some(None);
        }
        let pairs: Vec<(usize, usize)> = (0..wide.len())
            .flat_map(|i| (i + 1..wide.len()).map(move |j| (i, j)))
            .collect();
        let tables: Option<Vec<Option<PairTable>>> = pairs
            .par_iter()
            .map(|&(i, j)| {
                if cancel.is_cancelled() {
                    return None;
                }
                let (fa, fb) = (wide[i], wide[j]);
                let table = PairTable::new(&columns[fa], &columns[fb], (fa, fb), present);
                Some((table.mean_block() <= PAIR_BLOCK_CAP).then_some(table))
            })
            .collect();
        let tables = tables?;
        if tables.iter().all(Option::is_none) {
            return Some(None);
        }
        let mut wide_of = vec![NOT_WIDE; columns.len()];
        for (i, &f) in wide.iter().enumerate() {
            wide_of[f] = i as u8;
        }
        let mean_block = (columns.iter())
            .map(|col| {
                let spans = (0..col.offsets.len() - 1).map(|v| col.span(v as u32).len() as f64);
                spans.map(|n| n * n).sum::<f64>() / n_rows as f64
            })
            .collect();
        let mut row_weights: Vec<f64> = (0..n_rows as u32).map(row_weight).collect();
        row_weights.sort_unstable_by(f64::total_cmp);
        Some(Some(PairIndex {
            wide_of,
            n_wide: wide.len(),
            tables,
            mean_block,
            row_weights,
        }))
    }

    fn is_wide(&self, f: usize) -> bool {
        self.wide_of.get(f).is_some_and(|&w| w != NOT_WIDE)
    }

    /// Where the table of fields `a` and `b` is (both wide, `a` first among the wide fields), if
    /// they have one.
    fn table(&self, a: usize, b: usize) -> Option<usize> {
        let (lo, hi) = (self.wide_of[a] as usize, self.wide_of[b] as usize);
        if lo >= hi || hi >= self.n_wide {
            return None;
        }
        let before = lo * (2 * self.n_wide - lo - 1) / 2;
        let at = before + (hi - lo - 1);
        self.tables[at].as_ref().map(|_| at)
    }
}

/// The lookups of every pair of values of large blocks `a` and `b` (in the table's order).
fn push_lookups(
    pairs: &PairIndex,
    blocks: &Blocks,
    (a, b): (&Block, &Block),
    out: &mut Vec<Lookup>,
) {
    let Some(table) = pairs.table(a.field, b.field) else {
        return;
    };
    let bits = (1u32 << a.field) | (1u32 << b.field);
    for &va in blocks.values_of(a) {
        for &vb in blocks.values_of(b) {
            out.push(Lookup {
                table: table as u32,
                key: pair_key(va, vb),
                bits,
                span: (0, 0),
            });
        }
    }
}

/// Whether at least `WIDE_SHARE` of the rows hold a value whose rows make a block larger than
/// `ADMIT_CAP` and at most `VISIT_CAP` (only fields whose blocks are made of values).
fn is_wide(col: &FieldColumn, n_rows: usize) -> bool {
    if col.keys.is_none() && col.days.is_none() || n_rows == 0 {
        return false;
    }
    let in_large: usize = (0..col.offsets.len() - 1)
        .map(|v| col.span(v as u32).len())
        .filter(|&n| n > search::ADMIT_CAP && n <= search::VISIT_CAP)
        .sum();
    in_large as f64 >= WIDE_SHARE * n_rows as f64
}

impl ReferenceIndex {
    /// Candidates at the threshold (`MatchPlan::threshold_pass`) through the pair tables: the rows
    /// of the small blocks, the rows agreeing on two large blocks whose pair has a table (looked
    /// up), and the rows that could reach the threshold on large blocks no table pairs (each
    /// value's first rows, see the module's comment). Every row reached then gets the bits of the
    /// blocks it is in, and is admitted on what it is known to agree on. `false`, having done
    /// nothing, when a large block is of a field without tables (then `take_blocks` walks them).
    pub(super) fn take_by_pairs(
        &self,
        plan: &MatchPlan,
        doc: &[Prepared],
        blocks: &Blocks,
        (doc_present, none_found): (u32, u32),
        scratch: &mut Scratch,
    ) -> bool {
        let Some(pairs) = &self.pairs else {
            return false;
        };
        let large = |b: &Block| b.size > search::ADMIT_CAP && b.size <= search::VISIT_CAP;
        if (blocks.list.iter()).any(|b| large(b) && (b.amounts || !pairs.is_wide(b.field))) {
            return false;
        }
        scratch.small.clear();
        let walked = (blocks.list.iter())
            .filter(|b| b.size <= search::VISIT_CAP)
            .fold(none_found, |m, b| m | 1 << b.field);
        let reach = Reach {
            doc_present,
            known: walked & plan.settled_by_block,
            floor: plan.threshold,
        };
        for block in blocks.list.iter().filter(|b| b.size <= search::ADMIT_CAP) {
            self.reach_value_block(blocks, block, scratch);
        }
        let large_fields = (blocks.list.iter())
            .filter(|b| large(b))
            .fold(0, |m, b| m | 1u32 << b.field);
        let at = self.pair_plan(pairs, plan, &reach, large_fields, scratch);
        let plans = std::mem::take(&mut scratch.pair_plans);
        let block_of = |f: u8| blocks.list.iter().find(|b| b.field == f as usize);
        let mut lookups = std::mem::take(&mut scratch.lookups);
        lookups.clear();
        for &(a, b) in &plans[at].pairs {
            if let (Some(a), Some(b)) = (block_of(a), block_of(b)) {
                push_lookups(pairs, blocks, (a, b), &mut lookups);
            }
        }
        self.reach_pairs(pairs, &mut lookups, scratch);
        scratch.lookups = lookups;
        for &(f, heaviest, unpaired) in &plans[at].alone {
            if let Some(block) = block_of(f) {
                let alone = (block, unpaired, plan.threshold);
                self.reach_alone(plan, blocks, alone, &reach, heaviest, scratch);
            }
        }
        scratch.pair_plans = plans;
        scratch.pair_search = Some(at as u32);
        self.learn_large_bits(large_fields, scratch);
        if crate::phase_time::COUNTING {
            self.tally_walk(&reach, scratch);
            crate::phase_time::tally(crate::phase_time::Tally::ByPairs, 1);
        }
        for i in 0..scratch.reached.len() {
            self.admit_if(plan, doc, i, &reach, plan.threshold, scratch);
        }
        scratch.settled = Some(reach);
        true
    }

    /// The place in `scratch.pair_plans` of the plan for documents with large blocks `large` and
    /// `reach`'s settled and present fields, made when it is the first of its kind.
    fn pair_plan(
        &self,
        pairs: &PairIndex,
        plan: &MatchPlan,
        reach: &Reach,
        large: u32,
        scratch: &mut Scratch,
    ) -> usize {
        let kind = (large, reach.known, reach.doc_present);
        if let Some(&at) = scratch.pair_plan_at.get(&kind) {
            return at as usize;
        }
        if scratch.pair_plans.len() >= PLAN_LIMIT {
            scratch.pair_plans.clear();
            scratch.pair_plan_at.clear();
        }
        let made = self.plan_pairs(pairs, plan, reach, large);
        scratch.pair_plans.push(made);
        let at = scratch.pair_plans.len() - 1;
        scratch.pair_plan_at.insert(kind, at as u32);
        at
    }

    /// Which pairs of the large blocks `large` to look up, and how far each block is then
    /// walked. Starting from every pair with a table, a pair is left out, lightest first, when
    /// its lookup costs more (`LOOKUP_COST`) than the walking it spares: each block is walked as
    /// far as its rows could reach the threshold with the blocks it is not looked up with, and
    /// costs its average size (`mean_block`) times the share of rows that light (`row_weights`).
    fn plan_pairs(
        &self,
        pairs: &PairIndex,
        plan: &MatchPlan,
        reach: &Reach,
        large: u32,
    ) -> PairPlan {
        let fields: Vec<usize> = (0..MASK_FIELDS)
            .filter(|&f| large & (1 << f) != 0)
            .collect();
        let mut order: Vec<(usize, usize)> = Vec::new();
        for (k, &a) in fields.iter().enumerate() {
            for &b in &fields[k + 1..] {
                let (a, b) = if pairs.wide_of[a] < pairs.wide_of[b] {
                    (a, b)
                } else {
                    (b, a)
                };
                if pairs.table(a, b).is_some() {
                    order.push((a, b));
                }
            }
        }
        let weight = |f: usize| self.bounds.agree(1 << f) + self.bounds.disagree(1 << f);
        order.sort_by(|x, y| (weight(x.0) + weight(x.1)).total_cmp(&(weight(y.0) + weight(y.1))));
        let n = pairs.row_weights.len().max(1) as f64;
        let paired_of = |kept: &[(usize, usize)]| {
            let mut paired = [0u32; MASK_FIELDS];
            for &(a, b) in kept {
                paired[a] |= 1 << b;
                paired[b] |= 1 << a;
            }
            paired
        };
        let alone = |kept: &[(usize, usize)]| -> Vec<(u8, f64, u32)> {
            let paired = paired_of(kept);
            (fields.iter())
                .map(|&f| {
                    let unpaired = large & !paired[f];
                    let heaviest = self.heaviest_alone(plan, reach, f, unpaired, &paired);
                    (f as u8, heaviest, unpaired)
                })
                .collect()
        };
        let cost = |kept: &[(usize, usize)]| {
            let walks: f64 = (alone(kept).iter())
                .map(|&(f, heaviest, _)| {
                    let light = pairs.row_weights.partition_point(|&w| w <= heaviest);
                    pairs.mean_block[f as usize] * light as f64 / n
                })
                .sum();
            kept.len() as f64 * LOOKUP_COST + walks
        };
        let mut kept = order.clone();
        let mut current = cost(&kept);
        for pair in order {
            let without: Vec<(usize, usize)> =
                kept.iter().copied().filter(|&p| p != pair).collect();
            let c = cost(&without);
            if c <= current {
                kept = without;
                current = c;
            }
        }
        PairPlan {
            alone: alone(&kept),
            pairs: kept.iter().map(|&(a, b)| (a as u8, b as u8)).collect(),
        }
    }

    /// Gives every row reached the bits of the large blocks `large` it is in, from its values.
    fn learn_large_bits(&self, large: u32, scratch: &mut Scratch) {
        for i in 0..scratch.reached.len() {
            let r = scratch.reached[i] as usize;
            let mut rest = large & !scratch.reached_masks[i];
            while rest != 0 {
                let f = rest.trailing_zeros() as usize;
                rest &= rest - 1;
                if self.in_block(f, r, None, scratch) {
                    scratch.reached_masks[i] |= 1 << f;
                }
            }
        }
    }

    /// For the recall pass (`rows_beyond_blocks`) after a search through pair tables: marks the
    /// document to be searched again by walking its blocks (`Scratch::needs_full_search`) when a
    /// row with a value in every field, agreeing on one large block and the large blocks it was
    /// not looked up with, could reach `t` (the threshold, or the document's best confidence when
    /// higher) if it agreed on the fuzzy fields `fuzzy` beyond the blocks, as the recall pass may
    /// find: such rows are the blocks' whole, which the walk reads best. Documents with a clear
    /// match are left as they are.
    pub(super) fn check_pair_search(
        &self,
        plan: &MatchPlan,
        t: f64,
        fuzzy: u32,
        scratch: &mut Scratch,
    ) {
        let (Some(at), Some(reach)) = (scratch.pair_search, scratch.settled) else {
            return;
        };
        let complete = self.bounds.disagree(plan.settled_by_block);
        scratch.needs_full_search =
            (scratch.pair_plans[at as usize].alone.iter()).any(|&(f, _, unpaired)| {
                self.heaviest_with(plan, &reach, 1 << f | unpaired | fuzzy, t) >= complete
            });
    }

    /// The largest mismatch weight of its present fields that a row may have and still reach
    /// `t` agreeing at most on the fields of `might` (and those not settled).
    fn heaviest_with(&self, plan: &MatchPlan, reach: &Reach, might: u32, t: f64) -> f64 {
        if t <= 0.0 {
            return f64::INFINITY;
        }
        let agree_max = self
            .bounds
            .agree((might | !reach.known) & reach.doc_present);
        let never_against = (self.bounds)
            .disagree(plan.settled_by_block & !(reach.known & reach.doc_present & !might));
        agree_max * (1.0 - t) / t + never_against + 1e-6
    }

    /// Reaches the rows of every lookup (agreeing on both its blocks), with both bits: first
    /// every directory slot, then every group, then the rows, each step asking for what the next
    /// reads.
    fn reach_pairs(&self, pairs: &PairIndex, lookups: &mut [Lookup], scratch: &mut Scratch) {
        let table = |l: &Lookup| pairs.tables[l.table as usize].as_ref();
        for l in lookups.iter() {
            if let Some(t) = table(l) {
                prefetch(&t.dir[t.slot(l.key)]);
            }
        }
        for l in lookups.iter_mut() {
            if let Some(t) = table(l) {
                let s = t.slot(l.key);
                l.span = (t.dir[s], t.dir[s + 1]);
                if let Some(first) = t.entries.get(l.span.0 as usize) {
                    prefetch(first);
                }
            }
        }
        for l in lookups.iter() {
            let Some(t) = table(l) else { continue };
            let group = &t.entries[l.span.0 as usize..l.span.1 as usize];
            let at = group.partition_point(|e| e.0 < l.key);
            for &(k, r) in &group[at..] {
                if k != l.key {
                    break;
                }
                let (i, _) = scratch.reach(r, self.present[r as usize]);
                scratch.reached_masks[i] |= l.bits;
            }
        }
    }

    /// The largest mismatch weight of its present fields (`put_complete_rows_last`'s order) that
    /// a row of large block `f` may have and still reach the threshold, when none of its large
    /// blocks pair up in a table (they are `f` and some of `unpaired`): the most that could weigh
    /// for it (those blocks, and the fields not settled) against what must weigh against it. The
    /// sets of blocks are few: most pairs have tables.
    fn heaviest_alone(
        &self,
        plan: &MatchPlan,
        reach: &Reach,
        f: usize,
        unpaired: u32,
        paired: &[u32; MASK_FIELDS],
    ) -> f64 {
        let bound = |set: u32| self.heaviest_with(plan, reach, set, plan.threshold);
        // Depth first over the sets of unpaired large blocks holding `f`, each grown only by
        // blocks after its last (every set once).
        let mut best = f64::NEG_INFINITY;
        let mut stack = vec![(1u32 << f, unpaired & !(1 << f))];
        while let Some((set, open)) = stack.pop() {
            best = best.max(bound(set));
            let mut rest = open;
            while rest != 0 {
                let g = rest.trailing_zeros() as usize;
                rest &= rest - 1;
                stack.push((set | 1 << g, rest & !paired[g]));
            }
        }
        best
    }

    /// Reaches the rows of large block `block` whose present fields weigh at most `heaviest`
    /// against them and that could reach `t` agreeing on its field and those of `might`: each
    /// value's rows are ordered by that weight, so the walk stops at the first row too heavy.
    fn reach_alone(
        &self,
        plan: &MatchPlan,
        blocks: &Blocks,
        (block, might, t): (&Block, u32, f64),
        reach: &Reach,
        heaviest: f64,
        scratch: &mut Scratch,
    ) {
        let might = might | 1 << block.field;
        let settled = plan.settled_by_block;
        let whole = heaviest >= self.bounds.disagree(settled);
        let col = &self.columns[block.field];
        for &v in blocks.values_of(block) {
            let span = col.span(v);
            let end = match col.complete_from.get(v as usize) {
                Some(&e) if !whole => e as usize,
                _ => span.end,
            };
            let rows = col.rows[span.start..end].iter();
            for (&r, &present) in rows.zip(&col.row_present[span.start..]) {
                if self.bounds.disagree(present & settled) > heaviest {
                    break;
                }
                if scratch.reached_at(r).is_none() && reach.could_reach(self, might, present, t) {
                    scratch.reach(r, present);
                }
            }
        }
    }
}

#[cfg(test)]
#[path = "pairs_tests.rs"]
mod tests;
