//! The review desk's calls: the filtered queue, counters, bulk approval with its undo, and a run's
//! summary with its confidence histogram.

use chrono::{DateTime, Local, SecondsFormat, TimeZone, Utc};
use engine::{ResultPage, ReviewStatus};
use store::{ResultFilter, Revert, Review};

use crate::dto::{
    BulkApproveInput, BulkOutcome, DecisionRef, ResultQuery, ResultSort, ReviewCounts, RunSummary,
};
use crate::error::{Result, ServiceError};
use crate::paging::page_limit;
use crate::{new_id, Workspace};

/// Bins of the run summary's histogram: 0.05 wide.
const HISTOGRAM_BINS: u32 = 20;

/// A bulk decision touches at most this many results, so one transaction stays well under a
/// second and its undo fits in memory; a larger queue is approved in slices.
pub const MAX_BULK: u64 = 100_000;

fn confidence_bound(value: Option<f64>, field: &str) -> Result<Option<f64>> {
    match value {
        Some(v) if !(0.0..=1.0).contains(&v) => Err(ServiceError::validation(
            field,
            format!("must be between 0 and 1, not {v}"),
        )),
        v => Ok(v),
    }
}

/// The store filter of a query, validated.
fn filter_of(q: &ResultQuery) -> Result<ResultFilter> {
    let min = confidence_bound(q.min_confidence, "min_confidence")?;
    let max = confidence_bound(q.max_confidence, "max_confidence")?;
    if let (Some(lo), Some(hi)) = (min, max) {
        if lo > hi {
            return Err(ServiceError::validation(
                "min_confidence",
                format!("{lo} is above max_confidence {hi}"),
            ));
        }
    }
    Ok(ResultFilter {
        status: q.status,
        min_confidence: min,
        max_confidence: max,
        search: q.search.clone(),
        has_suggestion: q.has_suggestion,
        sort: match q.sort.unwrap_or_default() {
            ResultSort::ConfidenceDesc => store::ResultSort::ConfidenceDesc,
            ResultSort::ConfidenceAsc => store::ResultSort::ConfidenceAsc,
            ResultSort::Document => store::ResultSort::Document,
            ResultSort::RecentlyReviewed => store::ResultSort::RecentlyReviewed,
        },
    })
}

/// Local midnight of `now`, as a UTC timestamp in the store's format. A day that starts with a
/// DST gap has no local midnight; the earliest valid local time of that date is used instead.
pub(crate) fn local_day_start(now: DateTime<Utc>) -> String {
    let date = now.with_timezone(&Local).date_naive();
    let start = (0..24)
        .filter_map(|h| date.and_hms_opt(h, 0, 0))
        .find_map(|t| Local.from_local_datetime(&t).earliest())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or(now);
    start.to_rfc3339_opts(SecondsFormat::Millis, true)
}

impl Workspace {
    /// A page of a run's results that pass the query's filters, in its order.
    pub fn list_results(&self, run_id: &str, q: &ResultQuery) -> Result<ResultPage> {
        let mut results = self.list_stored_results(run_id, q)?;
        self.fill_bands(run_id, &mut results.data)?;
        Ok(results)
    }

    /// [`Workspace::list_results`] as the run stored them, without filling the review bands it
    /// left to be filled (see `bands`): for scoring a whole run, which needs each result's match
    /// and best candidate only, and should neither search nor write.
    pub fn list_stored_results(&self, run_id: &str, q: &ResultQuery) -> Result<ResultPage> {
        self.store.get_run(run_id)?;
        let limit = page_limit(q.limit, 50, "limit")?;
        let page = q.page.unwrap_or(1);
        if page == 0 {
            return Err(ServiceError::validation("page", "pages start at 1"));
        }
        Ok(self
            .store
            .query_results(run_id, &filter_of(q)?, page, limit)?)
    }

    /// Live counters of the review desk.
    pub fn review_counts(&self, run_id: &str) -> Result<ReviewCounts> {
        self.store.get_run(run_id)?;
        let since = local_day_start(self.clock.now());
        let c = self.store.review_counts(run_id, &since)?;
        Ok(ReviewCounts {
            pending: c.pending,
            approved: c.approved,
            rejected: c.rejected,
            reviewed_today: c.reviewed_since,
            reviewed_today_all_runs: self.store.reviewed_since(&since)?,
        })
    }

    /// How many results a bulk approval of `query` at `min_confidence` would approve: what the
    /// confirmation shows before [`Workspace::bulk_approve`].
    pub fn bulk_approve_count(
        &self,
        run_id: &str,
        query: &ResultQuery,
        min_confidence: f64,
    ) -> Result<u64> {
        self.store.get_run(run_id)?;
        Ok(self
            .store
            .count_bulk_candidates(run_id, &bulk_filter(query, min_confidence)?)?)
    }

    /// Approves, in one transaction, every pending result that passes the query with at least
    /// `min_confidence`, each with its own decision in the log. Nothing is approved when the count
    /// is no longer the one the user confirmed.
    pub fn bulk_approve(&self, run_id: &str, input: &BulkApproveInput) -> Result<BulkOutcome> {
        self.bulk_approve_as(run_id, input, &self.user)
    }

    /// [`Workspace::bulk_approve`] recorded in the log as decided by `decided_by`.
    pub fn bulk_approve_as(
        &self,
        run_id: &str,
        input: &BulkApproveInput,
        decided_by: &str,
    ) -> Result<BulkOutcome> {
        let stored = self.store.get_stored_run(run_id)?;
        let filter = bulk_filter(&input.query, input.min_confidence)?;
        let ids = self.store.bulk_candidates(run_id, &filter)?;
        if ids.len() as u64 != input.expected {
            return Err(ServiceError::Conflict(format!(
                "{} results now qualify, not the {} confirmed; nothing was approved, confirm again",
                ids.len(),
                input.expected
            )));
        }
        if ids.len() as u64 > MAX_BULK {
            return Err(ServiceError::validation(
                "min_confidence",
                format!(
                    "{} results qualify; approve at most {MAX_BULK} at once (narrow the filter)",
                    ids.len()
                ),
            ));
        }
        let notes = input
            .notes
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty());
        let now = self.now();
        let decision_ids: Vec<String> = ids.iter().map(|_| new_id()).collect();
        let reviews: Vec<Review> = ids
            .iter()
            .zip(&decision_ids)
            .map(|(result_id, decision_id)| Review {
                run_id,
                result_id,
                status: ReviewStatus::Approved,
                notes,
                reference_row_id: None,
                reference_data_id: &stored.config.reference_data_id,
                decision_id,
                decided_by,
                decided_at: &now,
                suggestion_id: None,
            })
            .collect();
        self.store.review_many(&reviews)?;
        Ok(BulkOutcome {
            decisions: ids
                .into_iter()
                .zip(decision_ids)
                .map(|(result_id, decision_id)| DecisionRef {
                    result_id,
                    decision_id,
                })
                .collect(),
        })
    }

    /// Undoes several decisions, each its result's latest, in one transaction (all or none): the
    /// undo of a bulk approval. The answer names the decisions that record the undo; reverting
    /// those redoes the originals.
    pub fn revert_decisions(&self, run_id: &str, refs: &[DecisionRef]) -> Result<BulkOutcome> {
        self.store.get_run(run_id)?;
        if refs.len() as u64 > MAX_BULK {
            return Err(ServiceError::validation(
                "decisions",
                format!("at most {MAX_BULK} at once"),
            ));
        }
        let now = self.now();
        let new_ids: Vec<String> = refs.iter().map(|_| new_id()).collect();
        let reverts: Vec<Revert> = refs
            .iter()
            .zip(&new_ids)
            .map(|(r, new_decision_id)| Revert {
                run_id,
                result_id: &r.result_id,
                decision_id: &r.decision_id,
                new_decision_id,
                decided_by: &self.user,
                decided_at: &now,
            })
            .collect();
        self.store.revert_many(&reverts)?;
        Ok(BulkOutcome {
            decisions: refs
                .iter()
                .zip(new_ids)
                .map(|(r, decision_id)| DecisionRef {
                    result_id: r.result_id.clone(),
                    decision_id,
                })
                .collect(),
        })
    }

    /// A run with its confidence histogram and counts per band of the config it ran with.
    pub fn run_summary(&self, run_id: &str) -> Result<RunSummary> {
        let stored = self.store.get_stored_run(run_id)?;
        let threshold = stored.config.threshold;
        let review_floor = stored.config.review_floor;
        let field_estimates = self.field_estimates(stored.run.strategy_id.as_deref())?;
        let h = self
            .store
            .confidence_histogram(run_id, HISTOGRAM_BINS, threshold, review_floor)?;
        Ok(RunSummary {
            run: stored.run,
            threshold,
            review_floor,
            histogram: h.bins,
            matched: h.matched,
            review: h.review,
            below: h.below,
            no_candidate: h.no_candidate,
            counts: self.review_counts(run_id)?,
            candidate_search: crate::candidate_search(&stored.config),
            block_sizes: self.store.run_block_sizes(run_id)?,
            suggestions: self.suggestion_summary(run_id)?,
            field_estimates,
        })
    }
}

fn bulk_filter(query: &ResultQuery, min_confidence: f64) -> Result<ResultFilter> {
    if !(min_confidence > 0.0 && min_confidence <= 1.0) {
        return Err(ServiceError::validation(
            "min_confidence",
            format!("must be above 0 and at most 1, not {min_confidence}"),
        ));
    }
    // Pending only is the store's rule for bulk candidates.
    let mut filter = filter_of(query)?;
    filter.min_confidence = Some(
        filter
            .min_confidence
            .map_or(min_confidence, |m| m.max(min_confidence)),
    );
    Ok(filter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_day_start_is_not_after_now_and_within_a_day() {
        let now = Utc::now();
        let start: DateTime<Utc> = local_day_start(now).parse().unwrap();
        assert!(start <= now);
        assert!(now - start < chrono::Duration::hours(25));
    }
}
