//! Walking a document's blocks: in which order, how far in full, and which rows the larger
//! blocks after them reach or only mark (see `search`).

use super::search::{Block, Blocks, Reach, ADMIT_CAP};
use super::*;

impl ReferenceIndex {
    /// The blocks to walk (up to `VISIT_CAP` rows), as places in `blocks.list` left in
    /// `scratch.walk`, cheapest clue first: rows walked per unit that settling the field takes
    /// off the best a row outside the block could score (its mismatch weight, now known to count
    /// against such a row, and its weight, no longer possibly for it). Walked in full are the
    /// first `split` (returned), of fields `first`: enough that a row in none of them (with a
    /// value in each) could not reach the review floor agreeing on all the others. The blocks
    /// after only add their field to rows already reached (see `walk`).
    pub(super) fn walk_order(
        &self,
        plan: &MatchPlan,
        blocks: &Blocks,
        (doc_present, none_found): (u32, u32),
        scratch: &mut Scratch,
    ) -> (usize, u32) {
        // What settling a field takes off the best a row outside the walked blocks could score
        // against the floor t: its mismatch weight joins the denominator (times t) and its weight
        // leaves the numerator (times 1 - t), see `cannot_reach`. A field without mismatch weight
        // (a crosswise name) still narrows that bound once settled.
        let t = plan.review_floor;
        let cost = |x: &Block| {
            let field = &plan.fields[x.field];
            let clue = t * field.mismatch_weight + (1.0 - t) * field.mapping.weight;
            if clue > 0.0 {
                x.size as f64 / clue
            } else {
                f64::INFINITY
            }
        };
        let walk = &mut scratch.walk;
        walk.clear();
        walk.extend(
            (0..blocks.list.len() as u32).filter(|&b| blocks.list[b as usize].size <= VISIT_CAP),
        );
        walk.sort_by(|&a, &b| {
            let (a, b) = (&blocks.list[a as usize], &blocks.list[b as usize]);
            cost(a).total_cmp(&cost(b)).then(a.size.cmp(&b.size))
        });
        let mut first = 0u32;
        for (k, &b) in walk.iter().enumerate() {
            let settled = (first | none_found) & plan.settled_by_block & doc_present;
            if self.cannot_reach(plan.review_floor, settled, doc_present) {
                return (k, first);
            }
            first |= 1 << blocks.list[b as usize].field;
        }
        (walk.len(), first)
    }

    /// Walks the blocks of `scratch.walk`: the first `split` reach every row, with a bit for
    /// their field. The others add their field to the rows already reached and reach a row of
    /// their own (`late`) only when it lacks values enough in the early fields to reach
    /// `early.floor` on the others. A large value block reads `present` only for its rows that
    /// lack a settled value (`Blocks::lacking_end`): only those can be late rows. Late rows get the
    /// bits of the value blocks walked before them from their values (`in_block`); those fields
    /// are returned, their bits exact for every reached row. Rows of small blocks are noted in
    /// `small`.
    pub(super) fn walk(
        &self,
        blocks: &Blocks,
        split: usize,
        early: &Reach,
        window: Option<(i32, i32)>,
        scratch: &mut Scratch,
    ) -> u32 {
        scratch.small.clear();
        scratch.late.clear();
        // A row with a value in each early field could not reach the floor outside them (that
        // is where `split` stopped): one comparison of masks passes it over.
        let early_settled = early.known & early.doc_present;
        let late_row = |present: u32, bit: u32| {
            present & early_settled != early_settled
                && early.could_reach(self, bit, present, early.floor)
        };
        let walk = std::mem::take(&mut scratch.walk);
        let mut by_value = 0u32;
        for (k, &b) in walk.iter().enumerate() {
            let block = &blocks.list[b as usize];
            let bit = 1u32 << block.field;
            match (block.amounts, k < split) {
                (false, true) => {
                    self.reach_value_block(blocks, block, scratch);
                    continue;
                }
                (false, false) if block.size > ADMIT_CAP => {
                    self.walk_late_value_block(blocks, block, &late_row, scratch);
                    by_value |= bit;
                    continue;
                }
                // Amounts (rows, not values) and small late blocks (their rows are noted).
                _ => {}
            }
            for r in blocks.rows(&self.columns, block) {
                let i = if k < split {
                    scratch.reach(r, self.present[r as usize]).0
                } else if let Some(i) = scratch.reached_at(r) {
                    i
                } else {
                    let present = self.present[r as usize];
                    if !late_row(present, bit) {
                        continue;
                    }
                    let (i, _) = scratch.reach(r, present);
                    scratch.late.push(i as u32);
                    i
                };
                scratch.reached_masks[i] |= bit;
                if block.size <= ADMIT_CAP {
                    scratch.small.push(i as u32);
                }
            }
        }
        scratch.walk = walk;
        // A late row missed the bits of the value blocks walked before it was reached: its
        // values give them.
        for j in 0..scratch.late.len() {
            let i = scratch.late[j] as usize;
            let r = scratch.reached[i] as usize;
            let mut rest = by_value;
            while rest != 0 {
                let f = rest.trailing_zeros() as usize;
                rest &= rest - 1;
                if self.in_block(f, r, window, scratch) {
                    scratch.reached_masks[i] |= 1 << f;
                }
            }
        }
        by_value
    }

    /// Reaches every row of value block `block`, with its field's bit (rows and their present
    /// fields read in order, see `FieldColumn::row_present`).
    pub(super) fn reach_value_block(&self, blocks: &Blocks, block: &Block, scratch: &mut Scratch) {
        let col = &self.columns[block.field];
        let bit = 1u32 << block.field;
        let small = block.size <= ADMIT_CAP;
        for &(a, b) in &blocks.ranges[block.ranges.0 as usize..block.ranges.1 as usize] {
            let (a, b) = (a as usize, b as usize);
            for (&r, &present) in col.rows[a..b].iter().zip(&col.row_present[a..b]) {
                let (i, _) = scratch.reach(r, present);
                scratch.reached_masks[i] |= bit;
                if small {
                    scratch.small.push(i as u32);
                }
            }
        }
    }

    /// Gives the rows already reached the bit of large value block `block`, walked after the
    /// split, and reaches its late rows (`late_row`, given a row's present fields and the bit).
    /// Rows with every settled value are only looked up; the others may be late rows.
    fn walk_late_value_block(
        &self,
        blocks: &Blocks,
        block: &Block,
        late_row: &impl Fn(u32, u32) -> bool,
        scratch: &mut Scratch,
    ) {
        let col = &self.columns[block.field];
        let bit = 1u32 << block.field;
        let (from, to) = (block.ranges.0 as usize, block.ranges.1 as usize);
        for (&(a, b), &lacking_end) in blocks.ranges[from..to]
            .iter()
            .zip(&blocks.lacking_end[from..to])
        {
            let (a, lacking_end, b) = (a as usize, lacking_end as usize, b as usize);
            for (&r, &present) in col.rows[a..lacking_end].iter().zip(&col.row_present[a..]) {
                if let Some(i) = scratch.reached_at(r) {
                    scratch.reached_masks[i] |= bit;
                } else if late_row(present, bit) {
                    let (i, _) = scratch.reach(r, present);
                    scratch.late.push(i as u32);
                    scratch.reached_masks[i] |= bit;
                }
            }
            for &r in &col.rows[lacking_end..b] {
                if let Some(i) = scratch.reached_at(r) {
                    scratch.reached_masks[i] |= bit;
                }
            }
        }
    }

    /// Whether row `r` is in the current document's block of value field `f`: its value was
    /// marked by `push_value_block`, and its day is inside the date window when the block was cut
    /// to it.
    pub(super) fn in_block(
        &self,
        f: usize,
        r: usize,
        window: Option<(i32, i32)>,
        scratch: &Scratch,
    ) -> bool {
        let v = self.row_values[r * self.n_fields + f] as usize;
        if scratch.block_stamp[f][v] != scratch.stamp {
            return false;
        }
        match (window, &self.date_filter) {
            (Some((lo, hi)), Some(df)) if !self.columns[f].row_days.is_empty() => {
                let d = df.row_day[r];
                d == i32::MIN || (lo..=hi).contains(&d)
            }
            _ => true,
        }
    }

    /// Whether a row that disagrees on every field of `settled` (and has a value in each) could
    /// not reach `t`, however well it agrees on the document's other fields.
    fn cannot_reach(&self, t: f64, settled: u32, doc_present: u32) -> bool {
        let open = self.bounds.agree(doc_present & !settled);
        open < t * (open + self.bounds.disagree(settled)) - 1e-9
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{FieldMapping, Strategy};
    use crate::progress::NoProgress;

    #[test]
    fn a_field_without_mismatch_weight_settles_the_walk_when_its_block_is_cheap() {
        // Weights 0.35, 0.35, 0.2, and 0.1 for a field that only counts when it agrees (a
        // crosswise name). Against a floor of 0.3, a row outside the blocks of a and b could
        // still score 0.3 on c and x; outside x's block too it could not (0.2 against 0.7).
        let names = ["a", "b", "c", "x"];
        let weights = [(0.35, None), (0.35, None), (0.2, None), (0.1, Some(0.0))];
        let mappings: Vec<FieldMapping> = (names.iter().zip(weights))
            .map(|(name, (weight, mismatch))| {
                let mut m = FieldMapping::new(name, name, Strategy::Exact, weight);
                m.mismatch_weight = mismatch;
                m
            })
            .collect();
        let columns: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        let mut plan = MatchPlan::new(&mappings, 0.8, &columns, &columns).unwrap();
        plan.review_floor = 0.3;
        let rows = [Record {
            id: "r".into(),
            values: vec!["1".into(); 4],
        }];
        let index = ReferenceIndex::build(&plan, &rows, &NoProgress, &CancelToken::new()).unwrap();
        let mut blocks = Blocks::default();
        for (field, size) in [(0, 10), (1, 20), (2, 500), (3, 5)] {
            blocks.list.push(Block {
                field,
                size,
                ranges: (0, 0),
                amounts: false,
                values: (0, 0),
            });
        }
        let mut scratch = Scratch::new(&index);
        // x's five rows are walked in full instead of c's five hundred.
        let (split, first) = index.walk_order(&plan, &blocks, (0b1111, 0), &mut scratch);
        assert_eq!((split, first), (3, 0b1011));
    }
}
