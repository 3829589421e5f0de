//! The rows a document's blocks reached without saying they agree on a fuzzy field, compared
//! when they could still beat its best candidate (see `rows_beyond_blocks`).

use super::search::{needed, Reach, ADMITTED};
use super::*;
use crate::phase_time::{tally, Tally};

impl ReferenceIndex {
    /// Adds to `scratch.candidates` the rows reached by the last `candidates` call that could
    /// be the document's match, scoring at least `best` (the best confidence its candidates
    /// scored) and the threshold, on fuzzy fields no block said they agree on: a value beyond
    /// the margin of the best ("mary" for "mark" where "mark" is there too) or sharing no key
    /// with the document's ("zhu court" for "burns court"). An exhaustive comparison finds
    /// those rows; blocks alone do not. Asked after scoring: a document with a clear match has
    /// few rows that could beat it, so the comparisons go to those without one.
    pub(crate) fn rows_beyond_blocks(
        &self,
        plan: &MatchPlan,
        doc: &[Prepared],
        best: f64,
        scratch: &mut Scratch,
    ) {
        let Some(reach) = scratch.settled else {
            return;
        };
        // Searched at the threshold and nothing reached it: the search down to the review floor
        // follows (`run::search_banded`), with a recall pass of its own.
        if plan.threshold_pass && best < plan.threshold - 1e-12 {
            return;
        }
        let t = plan.threshold.max(best);
        let fuzzy = self.fuzzy_text & reach.known & reach.doc_present;
        if fuzzy == 0 {
            return;
        }
        self.check_pair_search(plan, t, fuzzy, scratch);
        if scratch.needs_full_search {
            return;
        }
        let must = self.must_agree(&reach, fuzzy, t);
        let mut open = std::mem::take(&mut scratch.open);
        open.clear();
        open.extend((0..scratch.reached.len() as u32).filter(|&i| {
            let mask = scratch.reached_masks[i as usize];
            mask & ADMITTED == 0 && scratch.reached_present[i as usize] & must & !mask == 0
        }));
        // The rows' values are scattered over `row_values`: each is asked for a few rows ahead,
        // or every row waits for memory.
        const AHEAD: usize = 8;
        tally(Tally::LookedAtBeyond, open.len() as u64);
        for (j, &i) in open.iter().enumerate() {
            if let Some(&ahead) = open.get(j + AHEAD) {
                self.prefetch_row(scratch.reached[ahead as usize] as usize);
            }
            let i = i as usize;
            let mask = scratch.reached_masks[i];
            let agree = self.beyond_margin(plan, doc, (i, fuzzy), &reach, t, scratch);
            if agree != mask && reach.could_reach(self, agree, scratch.reached_present[i], t) {
                if crate::phase_time::COUNTING {
                    tally(Tally::AdmittedBeyond, 1);
                    tally(
                        Tally::AdmittedBeyondOnOneField,
                        u64::from(mask.count_ones() == 1),
                    );
                }
                scratch.reached_masks[i] = mask | ADMITTED;
                let r = scratch.reached[i];
                if self.admit(plan, doc, r as usize, scratch) {
                    scratch.candidates.push(r);
                }
            }
        }
        scratch.open = open;
    }

    /// The settled fields other than `fuzzy` on which a row must agree, if it has a value there,
    /// to reach `t`: disagreeing on one of them keeps even a row agreeing on everything else
    /// under it (a row lacking other values has less to outweigh it with). Against a document's
    /// clear match that is most fields, and one test of masks passes most rows over.
    pub(super) fn must_agree(&self, reach: &Reach, fuzzy: u32, t: f64) -> u32 {
        let settled = reach.known & reach.doc_present & !fuzzy;
        let mut must = 0;
        let mut rest = settled;
        while rest != 0 {
            let bit = rest & rest.wrapping_neg();
            rest &= rest - 1;
            let agree = self.bounds.agree(reach.doc_present & !bit);
            if agree < t * (agree + self.bounds.disagree(bit)) - 1e-9 {
                must |= bit;
            }
        }
        must
    }

    /// Reached row `i`'s mask with the fields of `fuzzy` (settled, searched by similarity) where
    /// it agrees although no block said so, compared heaviest first and only while they could
    /// lift it to `t`. Comparisons are cached for scoring.
    fn beyond_margin(
        &self,
        plan: &MatchPlan,
        doc: &[Prepared],
        (i, fuzzy): (usize, u32),
        reach: &Reach,
        t: f64,
        scratch: &mut Scratch,
    ) -> u32 {
        let mask = scratch.reached_masks[i];
        let present = scratch.reached_present[i];
        let open = fuzzy & present & !mask;
        if open == 0
            || reach.could_reach(self, mask, present, t)
            || !reach.could_reach(self, mask | open, present, t)
        {
            return mask;
        }
        let r = scratch.reached[i] as usize;
        let mut agree = mask;
        let mut open = open;
        for &f in &self.fuzzy_order {
            let bit = 1u32 << f;
            if open & bit == 0 {
                continue;
            }
            open &= !bit;
            tally(Tally::ComparedBeyond, 1);
            let agrees = self.value_agrees(plan, f, &doc[f], r, scratch);
            // Heaviest first: most rows are settled by one or two comparisons.
            if agrees {
                agree |= bit;
                if reach.could_reach(self, agree, present, t) {
                    break;
                }
            } else if !reach.could_reach(self, agree | open, present, t) {
                break;
            }
        }
        agree
    }

    /// Whether row `r`'s value of fuzzy field `f` reaches the field's threshold against the
    /// document's `value`: `field_score`, unless the sketches settle it first. A value the bound
    /// rules out is cached as scoring 0, as the comparison would have it (below the threshold a
    /// fuzzy score is cut to 0).
    fn value_agrees(
        &self,
        plan: &MatchPlan,
        f: usize,
        value: &Prepared,
        r: usize,
        scratch: &mut Scratch,
    ) -> bool {
        let col = &self.columns[f];
        let v = self.row_values[r * self.n_fields + f] as usize;
        let spec = &plan.fields[f].spec;
        if scratch.cache[f][v].0 != scratch.stamp {
            let sketch = col.sketches.get(v).copied().unwrap_or_default();
            if !could_agree(spec, &scratch.doc_sketches[f], &sketch) {
                scratch.cache[f][v] = (scratch.stamp, 0.0);
                return false;
            }
        }
        self.field_score(plan, f, value, r, scratch)
            .is_some_and(|s| s >= needed(spec) - 1e-6)
    }

    /// Asks the processor to bring row `r`'s values (`row_values`) into cache.
    #[inline]
    fn prefetch_row(&self, r: usize) {
        #[cfg(target_arch = "x86_64")]
        if let Some(v) = self.row_values.get(r * self.n_fields) {
            // SAFETY: a prefetch reads nothing and cannot fault; the address is in bounds.
            unsafe {
                use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
                _mm_prefetch::<_MM_HINT_T0>((v as *const u32).cast());
            }
        }
    }
}
