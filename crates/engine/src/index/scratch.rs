//! Per-thread scratch memory of candidate search: stamps per reference row and per distinct value
//! (so nothing is cleared between documents), cached comparisons, the candidates found.

use std::sync::Mutex;

use rustc_hash::FxHashMap;

use super::ReferenceIndex;

/// A document text and the reference values it agreed with, with their scores.
pub(super) type TextMemo = FxHashMap<Box<str>, Box<[(u32, f32)]>>;

/// Per-thread working memory of candidate search and scoring, reused across documents.
pub struct Scratch {
    pub(super) stamp: u32,
    /// One bit per row: reached for the current document. Small enough to stay in the nearest
    /// cache while a block is walked (a million rows take 125 KiB); cleared through `reached`.
    seen: Vec<u64>,
    /// Per row reached: its place in `reached` (read only when its bit is set).
    slot: Vec<u32>,
    /// The rows the current document reached, and per row the fields it agrees on (one bit
    /// each, see `search`).
    pub(super) reached: Vec<u32>,
    pub(super) reached_masks: Vec<u32>,
    /// Per row reached: its present fields (see `ReferenceIndex::present`), read once.
    pub(super) reached_present: Vec<u32>,
    /// Per field, per distinct value: (stamp, score) of the comparison with the current document.
    pub(super) cache: Vec<Vec<(u32, f32)>>,
    /// Per field, per distinct value: the stamp of the document whose block holds its rows (see
    /// `walk::in_block`, which gives a late row the fields of blocks walked before it).
    pub(super) block_stamp: Vec<Vec<u32>>,
    pub(crate) candidates: Vec<u32>,
    pub(super) hashes: Vec<u64>,
    pub(super) typo_hashes: Vec<u64>,
    /// Values of the current field that agree with the document, with their scores.
    pub(super) passing: Vec<(u32, f64)>,
    /// What the last document's candidate search settled about its reached rows (see
    /// `beyond::rows_beyond_blocks`); `None` when its keys were named.
    pub(super) settled: Option<super::search::Reach>,
    /// Per field, the current document's `PreparedText::sketch` (text fields searched).
    pub(super) doc_sketches: Vec<crate::similarity::TextSketch>,
    /// The current document's blocks (see `search`).
    pub(super) blocks: super::search::Blocks,
    /// Rows agreeing on two fields or more, and the distinct masks among them with counts.
    pub(super) multi: Vec<u32>,
    /// Rows reached through a block small enough to compare whole.
    pub(super) small: Vec<u32>,
    /// The current document's blocks to walk, as places in its block list (see
    /// `walk::walk_order`).
    pub(super) walk: Vec<u32>,
    /// Rows first reached through a block walked only for rows reached before (see `walk`).
    pub(super) late: Vec<u32>,
    /// Reached rows left to look at beyond the margin (see `beyond::rows_beyond_blocks`).
    pub(super) open: Vec<u32>,
    pub(super) masks: Vec<(u32, u32)>,
    /// Per field: the values a text agreed with, remembered across documents.
    pub(super) memo: Vec<TextMemo>,
    /// Plans of the search through pair tables, and where each kind of document's is (see
    /// `pairs::PairPlan`).
    pub(super) pair_plans: Vec<super::pairs::PairPlan>,
    pub(super) pair_plan_at: FxHashMap<(u32, u32, u32), u32>,
    /// The current document's pair lookups.
    pub(super) lookups: Vec<super::pairs::Lookup>,
    /// When the current document was searched through pair tables: its plan's place in
    /// `pair_plans`.
    pub(super) pair_search: Option<u32>,
    /// Whether the current document's search at the threshold could not bound the rows its
    /// recall pass may lift (see `pairs::reach_beyond_pairs`): it is to be searched down to the
    /// review floor.
    pub(crate) needs_full_search: bool,
    /// Set to search the next documents by walking their blocks, without the pair tables.
    pub(crate) walk_blocks: bool,
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
            seen: vec![0; index.n_rows.div_ceil(64)],
            slot: vec![0; index.n_rows],
            cache: index
                .columns
                .iter()
                .map(|c| vec![(0, 0.0); c.distinct.len()])
                .collect(),
            // Only fields whose blocks are made of values (see `search::push_value_block`).
            block_stamp: index
                .columns
                .iter()
                .map(|c| {
                    let valued = c.keys.is_some() || c.days.is_some();
                    vec![0; if valued { c.distinct.len() } else { 0 }]
                })
                .collect(),
            candidates: Vec::new(),
            hashes: Vec::new(),
            typo_hashes: Vec::new(),
            passing: Vec::new(),
            blocks: Default::default(),
            multi: Vec::new(),
            small: Vec::new(),
            late: Vec::new(),
            open: Vec::new(),
            walk: Vec::new(),
            reached: Vec::new(),
            reached_masks: Vec::new(),
            doc_sketches: vec![Default::default(); index.columns.len()],
            settled: None,
            reached_present: Vec::new(),
            masks: Vec::new(),
            memo: index.columns.iter().map(|_| FxHashMap::default()).collect(),
            pair_plans: Vec::new(),
            pair_plan_at: FxHashMap::default(),
            lookups: Vec::new(),
            pair_search: None,
            needs_full_search: false,
            walk_blocks: false,
        }
    }

    /// Row `r`'s place in `reached`, added (with no field yet, and its `present` fields) when the
    /// current document had not reached it; and whether it is new.
    pub(super) fn reach(&mut self, r: u32, present: u32) -> (usize, bool) {
        let (word, bit) = ((r >> 6) as usize, 1u64 << (r & 63));
        if self.seen[word] & bit != 0 {
            return (self.slot[r as usize] as usize, false);
        }
        self.seen[word] |= bit;
        let i = self.reached.len();
        self.reached.push(r);
        self.reached_masks.push(0);
        self.reached_present.push(present);
        self.slot[r as usize] = i as u32;
        (i, true)
    }

    /// Row `r`'s place in `reached`, if the current document reached it.
    pub(super) fn reached_at(&self, r: u32) -> Option<usize> {
        let (word, bit) = ((r >> 6) as usize, 1u64 << (r & 63));
        (self.seen[word] & bit != 0).then(|| self.slot[r as usize] as usize)
    }

    /// Starts work on another document: nothing cached for the one before counts any more.
    pub(crate) fn next_document(&mut self) {
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            // After 4 billion documents the stamps wrap; start clean so none looks current.
            self.cache.iter_mut().flatten().for_each(|c| c.0 = 0);
            self.block_stamp.iter_mut().flatten().for_each(|s| *s = 0);
            self.stamp = 1;
        }
        self.candidates.clear();
        for &r in &self.reached {
            self.seen[(r >> 6) as usize] &= !(1u64 << (r & 63));
        }
        self.reached.clear();
        self.reached_masks.clear();
        self.reached_present.clear();
    }
}
