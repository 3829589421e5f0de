//! Review bands filled when read. A run searches a matched document only as far as its
//! threshold (`engine::run::MatchPlan::with_band_on_demand`), which is most of a run's candidate
//! search saved; the first read of such a result searches that document down to the review floor,
//! through the run's own config snapshot and pinned reference rows (kept warm for the reads after,
//! see `packages::warm`), and stores what it finds before anyone sees the result. A reviewer
//! therefore always sees, and decides on, the whole band, and the same one on every read.

use std::collections::HashMap;

use engine::{Candidate, MatchResult, TOP_CANDIDATES};

use crate::error::{Result, ServiceError};
use crate::prepare::document_source;
use crate::Workspace;

impl Workspace {
    /// Fills, stores and returns the whole review band of those of `results` (all of run
    /// `run_id`) whose run left it to be filled. When what the run used is gone (its reference
    /// data or documents deleted since), or the workspace is open for reading only, the results
    /// keep the candidates the run stored.
    pub(crate) fn fill_bands(&self, run_id: &str, results: &mut [MatchResult]) -> Result<()> {
        if results.is_empty() {
            return Ok(());
        }
        let ids: Vec<String> = results.iter().map(|r| r.id.clone()).collect();
        let open = self.store.incomplete_bands(run_id, Some(&ids))?;
        if open.is_empty() {
            return Ok(());
        }
        match self.search_bands(run_id, results, &open) {
            Err(
                ServiceError::NotFound { .. }
                | ServiceError::NotFoundAt { .. }
                | ServiceError::Store(store::StoreError::NotFound { .. })
                | ServiceError::Conflict(_),
            ) => Ok(()),
            other => other,
        }
    }

    fn search_bands(
        &self,
        run_id: &str,
        results: &mut [MatchResult],
        open: &[String],
    ) -> Result<()> {
        let reference_data_id = self.store.get_stored_run(run_id)?.config.reference_data_id;
        // Deleted since the run: its rows are gone, even where an index still holds them.
        self.store.get_dataset(&reference_data_id)?;
        let warm = self.warm_run(run_id)?;
        let targets: Vec<&mut MatchResult> = results
            .iter_mut()
            .filter(|r| open.contains(&r.id))
            .collect();
        let doc_ids: Vec<String> = targets.iter().map(|r| r.document_id.clone()).collect();
        let (_, source) = document_source(&self.store, warm.document_set_id.as_deref())?;
        let documents = source.by_ids(&doc_ids)?;
        let rejected = self.store.rejected_pairs(&reference_data_id)?;
        let found = engine::run::complete_bands(
            &warm.input(&rejected),
            warm.index(),
            &warm.sample,
            &documents,
        );
        let mut found: HashMap<String, Vec<Candidate>> = found
            .into_iter()
            .map(|m| (m.document_id, m.candidates))
            .collect();
        let mut filled = Vec::with_capacity(targets.len());
        let mut read_back = Vec::with_capacity(targets.len());
        for r in targets {
            // A document no longer there keeps what the run stored, and stays to be filled.
            let Some(band) = found.remove(&r.document_id) else {
                continue;
            };
            let keep = r.matched_reference_row_id.as_deref();
            let candidates = merged(r.candidates.clone(), band, keep);
            filled.push((r.id.clone(), candidates));
            read_back.push(r);
        }
        match self.store.fill_bands(run_id, &filled) {
            // A workspace open for reading only shows what the run stored.
            Err(store::StoreError::ReadOnly) => return Ok(()),
            other => other?,
        }
        // As stored (notes keep fewer digits there), so this read and every later one agree.
        for r in read_back {
            *r = self.store.get_result(run_id, &r.id)?;
        }
        Ok(())
    }
}

/// A result's candidates with its whole band: the run's and the search's, each row once (the
/// run's copy kept), best first with ties by row id as a run ranks them, at most
/// `TOP_CANDIDATES`, and never without the row the result is matched to (one-to-one may have
/// matched it to a lower candidate, and a reviewer's choice is kept whatever it scored).
fn merged(stored: Vec<Candidate>, band: Vec<Candidate>, keep: Option<&str>) -> Vec<Candidate> {
    let mut all = stored;
    for c in band {
        if !all.iter().any(|s| s.reference_row_id == c.reference_row_id) {
            all.push(c);
        }
    }
    all.sort_by(|a, b| {
        b.confidence
            .total_cmp(&a.confidence)
            .then_with(|| a.reference_row_id.cmp(&b.reference_row_id))
    });
    if let Some(at) = keep.and_then(|k| all.iter().position(|c| c.reference_row_id == k)) {
        if at >= TOP_CANDIDATES {
            let kept = all.remove(at);
            all.insert(TOP_CANDIDATES - 1, kept);
        }
    }
    all.truncate(TOP_CANDIDATES);
    for (rank, c) in all.iter_mut().enumerate() {
        c.rank = rank as u32 + 1;
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(row: &str, confidence: f64) -> Candidate {
        Candidate {
            rank: 0,
            reference_row_id: row.into(),
            confidence,
            evidence: Vec::new(),
        }
    }

    fn rows(cs: &[Candidate]) -> Vec<(&str, u32)> {
        cs.iter()
            .map(|c| (c.reference_row_id.as_str(), c.rank))
            .collect()
    }

    #[test]
    fn the_band_joins_the_run_candidates_best_first_each_row_once() {
        let stored = vec![c("a", 0.9), c("b", 0.35)];
        let band = vec![c("a", 0.9), c("d", 0.4), c("b", 0.35), c("c", 0.4)];
        let m = merged(stored, band, Some("a"));
        assert_eq!(rows(&m), [("a", 1), ("c", 2), ("d", 3), ("b", 4)]);
    }

    #[test]
    fn the_matched_row_is_never_crowded_out() {
        // One-to-one matched the document to its weakest candidate; five better ones turn up.
        let stored = vec![c("x", 0.9), c("m", 0.31)];
        let band = (0..6).map(|i| c(&format!("r{i}"), 0.5)).collect();
        let m = merged(stored, band, Some("m"));
        assert_eq!(m.len(), TOP_CANDIDATES);
        assert_eq!(m.last().map(|c| c.reference_row_id.as_str()), Some("m"));
        assert_eq!(m[0].reference_row_id, "x");
        assert!(m.iter().enumerate().all(|(i, c)| c.rank == i as u32 + 1));
    }
}
