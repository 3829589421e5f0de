//! The review queue's reads: results filtered by status, confidence range, text and an open
//! ai-resolve suggestion, in a chosen order; review counters; and a run's confidence histogram.

use engine::{MatchResult, ResultPage, ReviewStatus};
use rusqlite::types::Value;
use rusqlite::{params_from_iter, Connection};

use crate::results::{finish, result_from_row, run_shape, RESULT_COLUMNS};

/// How many columns `RESULT_COLUMNS` selects: the index of a column appended after them.
const RESULT_COLUMN_COUNT: usize = 12;
use crate::{Result, Store};

/// The order of a result list. Every order ends with `document_id`, so pages never overlap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ResultSort {
    #[default]
    ConfidenceDesc,
    ConfidenceAsc,
    Document,
    /// Latest decision first; results never reviewed last.
    RecentlyReviewed,
}

impl ResultSort {
    fn order_by(self) -> &'static str {
        match self {
            ResultSort::ConfidenceDesc => "confidence DESC, document_id",
            // document_id DESC: the confidence index read backwards, not a sort of the whole run.
            ResultSort::ConfidenceAsc => "confidence ASC, document_id DESC",
            ResultSort::Document => "document_id",
            ResultSort::RecentlyReviewed => "reviewed_at IS NULL, reviewed_at DESC, document_id",
        }
    }
}

/// Which of a run's results a list, a count or a bulk decision covers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResultFilter {
    pub status: Option<ReviewStatus>,
    /// Inclusive lower bound of the confidence.
    pub min_confidence: Option<f64>,
    /// Inclusive upper bound of the confidence.
    pub max_confidence: Option<f64>,
    /// Text (ASCII case-insensitive) looked for in the document id and file name, the matched row id, the
    /// reviewer's notes and the compared values of both sides (the document's and every
    /// candidate's), which the packed candidates column holds.
    pub search: Option<String>,
    /// Only results with (true) or without (false) an open ai-resolve suggestion.
    pub has_suggestion: Option<bool>,
    pub sort: ResultSort,
}

impl ResultFilter {
    /// The WHERE clause over `results` and its parameters, the run id first.
    pub(crate) fn where_clause(&self, run_id: &str) -> (String, Vec<Value>) {
        let mut sql = String::from("run_id = ?");
        let mut args = vec![Value::Text(run_id.to_string())];
        if let Some(status) = self.status {
            sql.push_str(" AND status = ?");
            args.push(Value::Text(status.as_str().to_string()));
        }
        if let Some(min) = self.min_confidence {
            sql.push_str(" AND confidence >= ?");
            args.push(Value::Real(min));
        }
        if let Some(max) = self.max_confidence {
            sql.push_str(" AND confidence <= ?");
            args.push(Value::Real(max));
        }
        match self.has_suggestion {
            Some(true) => sql.push_str(" AND suggestion IS NOT NULL"),
            Some(false) => sql.push_str(" AND suggestion IS NULL"),
            None => {}
        }
        if let Some(text) = self
            .search
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            const SEARCHED: [&str; 5] = [
                "document_id",
                "document_filename",
                "matched_reference_row_id",
                "notes",
                "candidates",
            ];
            // LIKE is ASCII case-insensitive without copying the text (instr(lower(..)) made a
            // lowered copy of every result's evidence: 2.4 times slower); the user's % and _ are
            // escaped so they stay literal.
            let mut pattern = String::from("%");
            for c in text.chars() {
                if matches!(c, '%' | '_' | '\\') {
                    pattern.push('\\');
                }
                pattern.push(c);
            }
            pattern.push('%');
            let tests: Vec<String> = SEARCHED
                .iter()
                .map(|column| format!("{column} LIKE ? ESCAPE '\\'"))
                .collect();
            sql.push_str(&format!(" AND ({})", tests.join(" OR ")));
            args.extend(SEARCHED.iter().map(|_| Value::Text(pattern.clone())));
        }
        (sql, args)
    }
}

/// Results per review status in a run, and how many of its results were decided since a moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReviewCounts {
    pub pending: u64,
    pub approved: u64,
    pub rejected: u64,
    pub reviewed_since: u64,
}

/// Counts of a run's results by confidence: `bins` equal-width bins over [0, 1] (1.0 in the last).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfidenceHistogram {
    pub bins: Vec<u64>,
    /// Results with confidence >= threshold.
    pub matched: u64,
    /// Results in [review_floor, threshold).
    pub review: u64,
    /// Results below the review floor (with at least one candidate).
    pub below: u64,
    /// Results without any candidate.
    pub no_candidate: u64,
}

impl Store {
    /// A page of a run's results that pass `filter`, in its order.
    pub fn query_results(
        &self,
        run_id: &str,
        filter: &ResultFilter,
        page: u32,
        limit: u32,
    ) -> Result<ResultPage> {
        let conn = self.read();
        let shape = run_shape(&conn, run_id)?;
        let page = page.max(1);
        let offset = (i64::from(page) - 1) * i64::from(limit);
        let (clause, mut args) = filter.where_clause(run_id);
        let searching = filter
            .search
            .as_deref()
            .is_some_and(|t| !t.trim().is_empty());
        // A text search reads every result of the run: count in the same pass (a window count)
        // instead of scanning twice. Without one, the count comes from an index and the page
        // stops at its limit, which a window count would prevent.
        let window = if searching { ", count(*) OVER ()" } else { "" };
        let sql = format!(
            "SELECT {RESULT_COLUMNS}{window} FROM results WHERE {clause} ORDER BY {} LIMIT ? OFFSET ?",
            filter.sort.order_by()
        );
        let count_args = args.clone();
        args.push(Value::Integer(i64::from(limit)));
        args.push(Value::Integer(offset));
        let mut stmt = conn.prepare(&sql)?;
        let mut windowed_total: Option<i64> = None;
        let data = stmt
            .query_map(params_from_iter(args.iter()), |row| {
                if searching {
                    windowed_total = Some(row.get(RESULT_COLUMN_COUNT)?);
                }
                result_from_row(row)
            })?
            .map(|r| finish(r?, &shape))
            .collect::<Result<Vec<_>>>()?;
        let total = match windowed_total {
            Some(n) => n as u64,
            None => count_where(&conn, &clause, &count_args)?,
        };
        Ok(ResultPage {
            data,
            total,
            page,
            limit,
        })
    }

    /// The ids of the pending results that pass `filter` and have a candidate to approve, in the
    /// filter's order: what a bulk approval covers.
    pub fn bulk_candidates(&self, run_id: &str, filter: &ResultFilter) -> Result<Vec<String>> {
        let conn = self.read();
        let (clause, args) = bulk_where(run_id, filter);
        let mut stmt = conn.prepare(&format!(
            "SELECT id FROM results WHERE {clause} ORDER BY {}",
            filter.sort.order_by()
        ))?;
        let ids = stmt
            .query_map(params_from_iter(args.iter()), |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<String>>>()?;
        Ok(ids)
    }

    /// How many results [`Store::bulk_candidates`] would give, counted without reading them.
    pub fn count_bulk_candidates(&self, run_id: &str, filter: &ResultFilter) -> Result<u64> {
        let (clause, args) = bulk_where(run_id, filter);
        count_where(&self.read(), &clause, &args)
    }

    /// Results per status in a run, and how many were decided at or after `since` (an ISO 8601
    /// UTC timestamp in the store's format).
    pub fn review_counts(&self, run_id: &str, since: &str) -> Result<ReviewCounts> {
        let conn = self.read();
        // One pass over the run's entries in the confidence index, which carries the status
        // (a GROUP BY status would sort them first).
        let (pending, approved, rejected): (i64, i64, i64) = conn.query_row(
            "SELECT coalesce(sum(status = 'pending'), 0), coalesce(sum(status = 'approved'), 0), \
                    coalesce(sum(status = 'rejected'), 0) FROM results WHERE run_id = ?1",
            [run_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        let mut counts = ReviewCounts {
            pending: pending as u64,
            approved: approved as u64,
            rejected: rejected as u64,
            reviewed_since: 0,
        };
        let since_count: i64 = conn.query_row(
            "SELECT count(*) FROM results WHERE run_id = ?1 AND status != 'pending' AND reviewed_at >= ?2",
            [run_id, since],
            |r| r.get(0),
        )?;
        counts.reviewed_since = since_count as u64;
        Ok(counts)
    }

    /// Results across the workspace decided at or after `since`: a reviewer's day.
    pub fn reviewed_since(&self, since: &str) -> Result<u64> {
        let n: i64 = self.read().query_row(
            "SELECT count(*) FROM results WHERE reviewed_at >= ?1 AND status != 'pending'",
            [since],
            |r| r.get(0),
        )?;
        Ok(n as u64)
    }

    /// A run's results by confidence, and per band of its config.
    pub fn confidence_histogram(
        &self,
        run_id: &str,
        bins: u32,
        threshold: f64,
        review_floor: f64,
    ) -> Result<ConfidenceHistogram> {
        let conn = self.read();
        let bins = bins.max(1);
        let mut out = ConfidenceHistogram {
            bins: vec![0; bins as usize],
            matched: 0,
            review: 0,
            below: 0,
            no_candidate: 0,
        };
        let mut stmt = conn.prepare(
            "SELECT min(CAST(confidence * ?2 AS INTEGER), ?2 - 1), count(*) FROM results \
             WHERE run_id = ?1 GROUP BY 1",
        )?;
        let mut rows = stmt.query(rusqlite::params![run_id, bins])?;
        while let Some(r) = rows.next()? {
            let bin: i64 = r.get(0)?;
            let n: i64 = r.get(1)?;
            if let Some(slot) = out.bins.get_mut(bin.clamp(0, i64::from(bins) - 1) as usize) {
                *slot += n as u64;
            }
        }
        let (matched, review, below, none): (i64, i64, i64, i64) = conn.query_row(
            "SELECT coalesce(sum(confidence >= ?2), 0), \
                    coalesce(sum(confidence >= ?3 AND confidence < ?2), 0), \
                    coalesce(sum(confidence > 0 AND confidence < ?3), 0), \
                    coalesce(sum(confidence <= 0), 0) \
             FROM results WHERE run_id = ?1",
            rusqlite::params![run_id, threshold, review_floor],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )?;
        out.matched = matched as u64;
        out.review = review as u64;
        out.below = below as u64;
        out.no_candidate = none as u64;
        Ok(out)
    }
}

impl Store {
    /// Every result of a run in document order, with who took its latest decision, one at a time
    /// so an export of a large run never holds it all.
    pub fn for_each_result(
        &self,
        run_id: &str,
        mut f: impl FnMut(MatchResult, Option<String>) -> Result<()>,
    ) -> Result<()> {
        let conn = self.read();
        let shape = run_shape(&conn, run_id)?;
        let columns = RESULT_COLUMNS
            .split(", ")
            .map(|c| format!("r.{}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ");
        let mut stmt = conn.prepare(&format!(
            "SELECT {columns}, (SELECT d.decided_by FROM review_decisions d WHERE d.result_id = r.id \
             ORDER BY d.seq DESC LIMIT 1) FROM results r WHERE r.run_id = ?1 ORDER BY r.document_id"
        ))?;
        let mut rows = stmt.query([run_id])?;
        while let Some(row) = rows.next()? {
            let decided_by: Option<String> = row.get(RESULT_COLUMN_COUNT)?;
            let result = finish(result_from_row(row)?, &shape)?;
            f(result, decided_by)?;
        }
        Ok(())
    }
}

/// What a bulk approval covers: pending results of the filter with a candidate to approve.
fn bulk_where(run_id: &str, filter: &ResultFilter) -> (String, Vec<Value>) {
    let pending = ResultFilter {
        status: Some(ReviewStatus::Pending),
        ..filter.clone()
    };
    let (clause, args) = pending.where_clause(run_id);
    (format!("{clause} AND confidence > 0"), args)
}

fn count_where(conn: &Connection, clause: &str, args: &[Value]) -> Result<u64> {
    let n: i64 = conn.query_row(
        &format!("SELECT count(*) FROM results WHERE {clause}"),
        params_from_iter(args.iter()),
        |r| r.get(0),
    )?;
    Ok(n as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_appended_column_index_follows_the_result_columns() {
        assert_eq!(RESULT_COLUMNS.split(", ").count(), RESULT_COLUMN_COUNT);
    }

    #[test]
    fn search_text_is_literal_in_the_like_pattern() {
        let f = ResultFilter {
            search: Some(" 50%_off\\ ".into()),
            ..ResultFilter::default()
        };
        let (sql, args) = f.where_clause("run");
        assert_eq!(sql.matches("LIKE ? ESCAPE").count(), 5);
        assert_eq!(args.len(), 6);
        assert_eq!(args[1], Value::Text("%50\\%\\_off\\\\%".into()));
    }

    /// The query plan of `sql` over a fresh workspace, one line per step.
    fn plan(sql: &str, args: &[Value]) -> String {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("w.sqlite")).unwrap();
        let conn = store.read();
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let rows = stmt
            .query_map(params_from_iter(args.iter()), |r| r.get::<_, String>(3))
            .unwrap();
        rows.map(Result::unwrap).collect::<Vec<_>>().join("\n")
    }

    #[test]
    fn status_filters_and_counts_read_the_confidence_index_without_sorting() {
        for sort in [ResultSort::ConfidenceDesc, ResultSort::ConfidenceAsc] {
            let f = ResultFilter {
                status: Some(ReviewStatus::Approved),
                min_confidence: Some(0.3),
                sort,
                ..ResultFilter::default()
            };
            let (clause, args) = f.where_clause("run");
            let p = plan(
                &format!(
                    "SELECT id FROM results WHERE {clause} ORDER BY {} LIMIT 200",
                    sort.order_by()
                ),
                &args,
            );
            assert!(
                p.contains("USING INDEX results_by_confidence"),
                "{sort:?}: {p}"
            );
            assert!(!p.contains("TEMP B-TREE"), "{sort:?}: {p}");
        }
        let counts = plan(
            "SELECT coalesce(sum(status = 'pending'), 0) FROM results WHERE run_id = ?1",
            &[Value::Text("run".into())],
        );
        assert!(
            counts.contains("USING COVERING INDEX results_by_confidence"),
            "{counts}"
        );
    }
}
