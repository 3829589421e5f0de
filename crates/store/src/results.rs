//! Match results, their review, and the append-only log of review decisions.

use std::sync::Arc;

use engine::assign::Revision;
use engine::learn::MatchModel;
use engine::run::RejectedPairs;
use engine::strategy::{note_from_numbers, note_numbers};
use engine::{
    Candidate, DocumentMatch, FieldEvidence, FieldMapping, MatchResult, MatchingConfig,
    ReviewDecision, ReviewStatus,
};
use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::runs::RunCounters;
use crate::{from_json, to_json, Result, Store, StoreError};

/// A finished document with the id its result gets.
#[derive(Debug, Clone)]
pub struct NewResult<'a> {
    pub id: String,
    pub result: &'a DocumentMatch,
}

pub(crate) const RESULT_COLUMNS: &str =
    "id, run_id, document_id, document_filename, matched_reference_row_id, confidence, status, \
     notes, candidates, reviewed_at, contested, suggestion";

pub(crate) fn result_from_row(r: &Row) -> rusqlite::Result<(MatchResult, String)> {
    let status: String = r.get(6)?;
    Ok((
        MatchResult {
            id: r.get(0)?,
            run_id: r.get(1)?,
            document_id: r.get(2)?,
            document_filename: r.get(3)?,
            matched_reference_row_id: r.get(4)?,
            confidence: r.get(5)?,
            status: ReviewStatus::parse(&status).unwrap_or(ReviewStatus::Pending),
            notes: r.get(7)?,
            evidence: None,
            candidates: Vec::new(),
            reviewed_at: r.get(9)?,
            contested: r.get(10)?,
            // Written by this module from the type itself; one that cannot be read is shown as
            // none rather than hiding the result (the suggestions log keeps it).
            suggestion: r
                .get::<_, Option<String>>(11)?
                .and_then(|s| serde_json::from_str(&s).ok()),
        },
        r.get(8)?,
    ))
}

/// How candidates are stored: the document's values once, and per candidate its row, confidence
/// and per field (score, reference value, missing). Field names, strategies and weights come from
/// the run's config snapshot when read. A tenth of the size of the full evidence as JSON, which at
/// a hundred thousand results is the difference between writing 40 MB and 440 MB.
#[derive(serde::Serialize, serde::Deserialize)]
struct Packed {
    s: Vec<String>,
    c: Vec<PackedCandidate>,
    /// Per candidate, per field, the numbers of the amount or date note (`engine::strategy::
    /// note_numbers`; the config snapshot supplies the rest). Absent in results from before notes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    n: Vec<Vec<Option<Vec<f64>>>>,
    /// Per candidate, per field, the rarity of a value both sides share (`FieldEvidence::
    /// rarity`), which a smart run's model weighs. Absent when no field has one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    r: Vec<Vec<Option<f32>>>,
}

/// (reference row id, confidence, per field (score, reference value, missing)).
type PackedCandidate = (String, f64, Vec<(f32, String, bool)>);

/// `PackedCandidate`, borrowed.
type PackedCandidateRef<'a> = (&'a str, f64, Vec<(f32, &'a str, bool)>);

/// `Packed` as written: borrowing the result's strings (a hundred thousand results carry millions
/// of values, each copied once more for nothing otherwise).
#[derive(serde::Serialize)]
struct PackedRef<'a> {
    s: Vec<&'a str>,
    c: Vec<PackedCandidateRef<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    n: Vec<Vec<Option<Vec<f64>>>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    r: Vec<Vec<Option<f32>>>,
}

/// The run's counters once the results of `tx` are written. The owner's heartbeat writes live
/// counters too, a little ahead of these: they never go back, except `rows_matched` once it is
/// `settled` (a one-to-one run's assignment may take matches away).
fn set_counters(
    tx: &rusqlite::Transaction,
    run_id: &str,
    counters: &RunCounters,
    settled: bool,
) -> Result<()> {
    let sql = if settled {
        "UPDATE runs SET rows_processed = max(coalesce(rows_processed, 0), ?2), rows_total = ?3, \
         rows_matched = ?4, matched_conf_sum = ?5 WHERE id = ?1"
    } else {
        "UPDATE runs SET rows_processed = max(coalesce(rows_processed, 0), ?2), rows_total = ?3, \
         rows_matched = max(coalesce(rows_matched, 0), ?4), matched_conf_sum = ?5 WHERE id = ?1"
    };
    tx.execute(
        sql,
        params![
            run_id,
            counters.rows_processed as i64,
            counters.rows_total as i64,
            counters.rows_matched as i64,
            counters.matched_confidence_sum
        ],
    )?;
    Ok(())
}

pub(crate) fn pack(candidates: &[Candidate]) -> Result<String> {
    let s = candidates
        .first()
        .map(|c| c.evidence.iter().map(|e| &*e.source_value).collect())
        .unwrap_or_default();
    let c = candidates
        .iter()
        .map(|c| {
            let fields = c
                .evidence
                .iter()
                .map(|e| (e.score as f32, e.target_value.as_str(), e.missing))
                .collect();
            (c.reference_row_id.as_str(), c.confidence, fields)
        })
        .collect();
    let n = if candidates
        .iter()
        .any(|c| c.evidence.iter().any(|e| e.note.is_some()))
    {
        candidates
            .iter()
            .map(|c| {
                c.evidence
                    .iter()
                    .map(|e| e.note.as_ref().map(note_numbers))
                    .collect()
            })
            .collect()
    } else {
        Vec::new()
    };
    let r = if candidates
        .iter()
        .any(|c| c.evidence.iter().any(|e| e.rarity.is_some()))
    {
        (candidates.iter())
            .map(|c| {
                c.evidence
                    .iter()
                    .map(|e| e.rarity.map(|r| r as f32))
                    .collect()
            })
            .collect()
    } else {
        Vec::new()
    };
    to_json(&PackedRef { s, c, n, r })
}

fn unpack(text: &str, shape: &Shape) -> Result<Vec<Candidate>> {
    // Results written before the packed form are full candidate lists.
    if text.starts_with('[') {
        return from_json("result candidates", text);
    }
    let mappings = &shape.mappings;
    let packed: Packed = from_json("result candidates", text)?;
    let notes = &packed.n;
    let rarities = &packed.r;
    let sources: Vec<Arc<str>> = packed.s.iter().map(|v| Arc::from(v.as_str())).collect();
    let names: Vec<(Arc<str>, Arc<str>)> = mappings
        .iter()
        .map(|m| (m.source.as_str().into(), m.target.as_str().into()))
        .collect();
    packed
        .c
        .into_iter()
        .enumerate()
        .map(|(rank, (row, confidence, fields))| {
            if fields.len() != mappings.len() {
                return Err(StoreError::Corrupt(format!(
                    "a result has {} fields of evidence but its run's config has {}",
                    fields.len(),
                    mappings.len()
                )));
            }
            let evidence = fields
                .into_iter()
                .zip(mappings.iter().zip(&names))
                .enumerate()
                .map(
                    |(i, ((score, target_value, missing), (m, (source, target))))| {
                        let mut e = FieldEvidence {
                            source: source.clone(),
                            target: target.clone(),
                            strategy: m.strategy,
                            weight: m.weight,
                            score: f64::from(score),
                            source_value: sources.get(i).cloned().unwrap_or_default(),
                            target_value,
                            missing,
                            match_weight: None,
                            rarity: rarities
                                .get(rank)
                                .and_then(|r| r.get(i).copied().flatten())
                                .map(f64::from),
                            note: notes
                                .get(rank)
                                .and_then(|n| n.get(i))
                                .and_then(|n| n.as_deref())
                                .and_then(|n| note_from_numbers(n, m)),
                        };
                        e.match_weight =
                            shape.model.as_ref().and_then(|m| m.evidence_weight(i, &e));
                        e
                    },
                )
                .collect();
            Ok(Candidate {
                rank: rank as u32 + 1,
                reference_row_id: row,
                confidence,
                evidence,
            })
        })
        .collect()
}

/// What reading a run's results needs of the run: the field mappings it ran with (to unpack the
/// evidence) and a smart run's model (each field's match weight).
pub(crate) struct Shape {
    pub mappings: Vec<FieldMapping>,
    pub model: Option<MatchModel>,
}

/// The shape of a run's results.
pub(crate) fn run_shape(conn: &Connection, run_id: &str) -> Result<Shape> {
    let model: Option<Option<String>> = conn
        .query_row("SELECT model FROM runs WHERE id = ?1", [run_id], |r| {
            r.get(0)
        })
        .optional()?;
    let model = match model.flatten() {
        Some(text) => Some(from_json::<MatchModel>("run model", &text)?),
        None => None,
    };
    Ok(Shape {
        mappings: run_mappings(conn, run_id)?,
        model,
    })
}

/// The field mappings a run ran with, to unpack its results' evidence.
fn run_mappings(conn: &Connection, run_id: &str) -> Result<Vec<FieldMapping>> {
    let snapshot: Option<String> = conn
        .query_row(
            "SELECT config_snapshot FROM runs WHERE id = ?1",
            [run_id],
            |r| r.get(0),
        )
        .optional()?;
    let Some(snapshot) = snapshot else {
        return Err(StoreError::NotFound {
            kind: "run",
            id: run_id.to_string(),
        });
    };
    Ok(from_json::<MatchingConfig>("run config snapshot", &snapshot)?.field_mappings)
}

/// The evidence shown for a result is that of its matched row, or of the best candidate when
/// nothing reached the threshold, so a reviewer always sees why.
pub(crate) fn finish(
    (mut m, candidates): (MatchResult, String),
    shape: &Shape,
) -> Result<MatchResult> {
    m.candidates = unpack(&candidates, shape)?;
    m.evidence = m
        .matched_reference_row_id
        .as_ref()
        .and_then(|id| m.candidates.iter().find(|c| &c.reference_row_id == id))
        .or_else(|| m.candidates.first())
        .map(|c| c.evidence.clone());
    Ok(m)
}

fn get_result_on(conn: &Connection, run_id: &str, result_id: &str) -> Result<MatchResult> {
    get_result_with(conn, run_id, result_id, &run_shape(conn, run_id)?)
}

fn get_result_with(
    conn: &Connection,
    run_id: &str,
    result_id: &str,
    shape: &Shape,
) -> Result<MatchResult> {
    let sql = format!("SELECT {RESULT_COLUMNS} FROM results WHERE id = ?1 AND run_id = ?2");
    // Cached: a bulk decision reads tens of thousands of results in one transaction.
    let row = conn
        .prepare_cached(&sql)?
        .query_row(params![result_id, run_id], result_from_row)
        .optional()?;
    let row = row.ok_or_else(|| StoreError::NotFound {
        kind: "result",
        id: result_id.to_string(),
    })?;
    finish(row, shape)
}

/// Undoing a decision (see [`Store::revert`]).
#[derive(Debug, Clone)]
pub struct Revert<'a> {
    pub run_id: &'a str,
    pub result_id: &'a str,
    /// The decision to undo: the result's latest.
    pub decision_id: &'a str,
    /// The id of the decision that records the undo.
    pub new_decision_id: &'a str,
    pub decided_by: &'a str,
    pub decided_at: &'a str,
}

/// What undoing needs of a result's latest decision.
struct LatestDecision {
    id: String,
    previous_status: String,
    reference_data_id: String,
    reference_row_id: Option<String>,
    previous_matched: Option<String>,
    previous_notes: Option<String>,
    /// Logged before undo existed: the match and notes before it were not recorded.
    legacy: bool,
}

/// A row of the review log, with the state of the result before it.
struct NewDecision<'a> {
    id: &'a str,
    /// The result as it was before the decision.
    result: &'a MatchResult,
    reference_data_id: &'a str,
    reference_row_id: Option<&'a str>,
    status: ReviewStatus,
    notes: Option<&'a str>,
    decided_by: &'a str,
    decided_at: &'a str,
    reverts: Option<&'a str>,
    suggestion_id: Option<&'a str>,
}

fn insert_decision(conn: &Connection, d: &NewDecision) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO review_decisions (id, result_id, run_id, document_id, reference_data_id, reference_row_id, \
         previous_status, status, notes, decided_by, decided_at, previous_matched_row_id, previous_notes, reverts, \
         previous_known, suggestion_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, 1, ?15)",
    )?
    .execute(params![
            d.id,
            d.result.id,
            d.result.run_id,
            d.result.document_id,
            d.reference_data_id,
            d.reference_row_id,
            d.result.status.as_str(),
            d.status.as_str(),
            d.notes,
            d.decided_by,
            d.decided_at,
            d.result.matched_reference_row_id,
            d.result.notes,
            d.reverts,
            d.suggestion_id
        ])?;
    Ok(())
}

/// One review decision to apply.
#[derive(Debug, Clone)]
pub struct Review<'a> {
    pub run_id: &'a str,
    pub result_id: &'a str,
    pub status: ReviewStatus,
    pub notes: Option<&'a str>,
    /// The candidate the reviewer chose; `None` keeps the result's match (or its best candidate).
    pub reference_row_id: Option<&'a str>,
    pub reference_data_id: &'a str,
    pub decision_id: &'a str,
    pub decided_by: &'a str,
    pub decided_at: &'a str,
    /// The ai-resolve suggestion this decision accepts (it must be the result's open one).
    pub suggestion_id: Option<&'a str>,
}

/// The review columns of one result (cached statement: bulk decisions run it per result).
fn set_review_state(
    tx: &Connection,
    run_id: &str,
    result_id: &str,
    status: ReviewStatus,
    notes: Option<&str>,
    reviewed_at: Option<&str>,
    matched: Option<&str>,
) -> Result<()> {
    tx.prepare_cached(
        "UPDATE results SET status = ?3, notes = ?4, reviewed_at = ?5, matched_reference_row_id = ?6 \
         WHERE id = ?1 AND run_id = ?2",
    )?
    .execute(params![result_id, run_id, status.as_str(), notes, reviewed_at, matched])?;
    Ok(())
}

fn review_on(tx: &Connection, r: &Review, shape: &Shape) -> Result<()> {
    let before = get_result_with(tx, r.run_id, r.result_id, shape)?;
    let row_id = match r.reference_row_id {
        Some(chosen) => {
            if !before
                .candidates
                .iter()
                .any(|c| c.reference_row_id == chosen)
            {
                return Err(StoreError::NotFound {
                    kind: "candidate",
                    id: chosen.to_string(),
                });
            }
            Some(chosen.to_string())
        }
        None => before.matched_reference_row_id.clone().or_else(|| {
            before
                .candidates
                .first()
                .map(|c| c.reference_row_id.clone())
        }),
    };
    // Approving a borderline result (below the threshold, so unmatched) accepts its candidate.
    let matched = match r.status {
        ReviewStatus::Approved => row_id.clone(),
        _ => before.matched_reference_row_id.clone(),
    };
    set_review_state(
        tx,
        r.run_id,
        r.result_id,
        r.status,
        r.notes,
        Some(r.decided_at),
        matched.as_deref(),
    )?;
    insert_decision(
        tx,
        &NewDecision {
            id: r.decision_id,
            result: &before,
            reference_data_id: r.reference_data_id,
            reference_row_id: row_id.as_deref(),
            status: r.status,
            notes: r.notes,
            decided_by: r.decided_by,
            decided_at: r.decided_at,
            reverts: None,
            suggestion_id: r.suggestion_id,
        },
    )?;
    crate::suggestions::settle_on_decision(tx, &before, r)?;
    Ok(())
}

fn revert_on(tx: &Connection, r: &Revert, shape: &Shape) -> Result<()> {
    let before = get_result_with(tx, r.run_id, r.result_id, shape)?;
    let latest = tx
            .prepare_cached(
                "SELECT id, previous_status, reference_data_id, reference_row_id, previous_matched_row_id, \
                 previous_notes, previous_known = 0 \
                 FROM review_decisions WHERE result_id = ?1 ORDER BY seq DESC LIMIT 1",
            )?
            .query_row(
                [r.result_id],
                |row| {
                    Ok(LatestDecision {
                        id: row.get(0)?,
                        previous_status: row.get(1)?,
                        reference_data_id: row.get(2)?,
                        reference_row_id: row.get(3)?,
                        previous_matched: row.get(4)?,
                        previous_notes: row.get(5)?,
                        legacy: row.get(6)?,
                    })
                },
            )
            .optional()?;
    let Some(LatestDecision {
        id: latest_id,
        previous_status,
        reference_data_id,
        reference_row_id: row_id,
        previous_matched,
        previous_notes,
        legacy,
    }) = latest
    else {
        return Err(StoreError::Stale(format!(
            "result {} has no decision to undo",
            r.result_id
        )));
    };
    if latest_id != r.decision_id {
        return Err(StoreError::Stale(format!(
            "decision {} is not the latest of result {}; only the latest can be undone",
            r.decision_id, r.result_id
        )));
    }
    let status = ReviewStatus::parse(&previous_status).unwrap_or(ReviewStatus::Pending);
    let (matched, notes) = if legacy {
        (
            before.matched_reference_row_id.clone(),
            before.notes.clone(),
        )
    } else {
        (previous_matched, previous_notes)
    };
    let reviewed_at = (status != ReviewStatus::Pending).then_some(r.decided_at);
    set_review_state(
        tx,
        r.run_id,
        r.result_id,
        status,
        notes.as_deref(),
        reviewed_at,
        matched.as_deref(),
    )?;
    insert_decision(
        tx,
        &NewDecision {
            id: r.new_decision_id,
            result: &before,
            reference_data_id: &reference_data_id,
            reference_row_id: row_id.as_deref(),
            status,
            notes: notes.as_deref(),
            decided_by: r.decided_by,
            decided_at: r.decided_at,
            reverts: Some(&latest_id),
            suggestion_id: None,
        },
    )?;
    Ok(())
}

impl Store {
    /// Stores a batch of results and the run's counters in one transaction, so the counters never
    /// disagree with the rows that exist.
    pub fn write_results(
        &self,
        run_id: &str,
        batch: &[NewResult],
        counters: RunCounters,
    ) -> Result<()> {
        let mut conn = self.write();
        // The one CHECK on results is the status's, and an inserted result takes the default,
        // 'pending'. SQLite tests `status IN (...)` through a temporary B-tree it builds and
        // frees for every row: about a tenth of the writer's work at 100k results.
        conn.pragma_update(None, "ignore_check_constraints", true)?;
        let written = insert_results(&mut conn, run_id, batch, counters);
        conn.pragma_update(None, "ignore_check_constraints", false)?;
        written
    }

    /// Rewrites the match of results already written (one-to-one assignment, see
    /// `engine::assign::Revision`) and the run's counters, in one transaction. Results already
    /// reviewed are left as they are: a decision is durable once the reviewer has seen it.
    pub fn revise_results(
        &self,
        run_id: &str,
        revisions: &[Revision],
        counters: RunCounters,
    ) -> Result<()> {
        let mut conn = self.write();
        let tx = conn.transaction()?;
        {
            let mut stmt = tx.prepare_cached(
                // A result a reviewer has decided keeps what the reviewer saw and decided.
                "UPDATE results SET matched_reference_row_id = ?3, confidence = ?4, contested = ?5 \
                 WHERE run_id = ?1 AND document_id = ?2 AND status = 'pending'",
            )?;
            for r in revisions {
                stmt.execute(params![
                    run_id,
                    r.document_id,
                    r.matched_reference_row_id,
                    r.confidence,
                    r.contested
                ])?;
            }
        }
        set_counters(&tx, run_id, &counters, true)?;
        tx.commit()?;
        Ok(())
    }

    pub fn get_result(&self, run_id: &str, result_id: &str) -> Result<MatchResult> {
        get_result_on(&self.read(), run_id, result_id)
    }

    /// Applies a review decision and appends it to the log, in one transaction: once this returns,
    /// the decision is on disk.
    pub fn review(&self, r: &Review) -> Result<MatchResult> {
        let mut conn = self.write();
        let tx = conn.transaction()?;
        let shape = run_shape(&tx, r.run_id)?;
        review_on(&tx, r, &shape)?;
        let after = get_result_on(&tx, r.run_id, r.result_id)?;
        tx.commit()?;
        Ok(after)
    }

    /// Applies a bulk approval's decisions in one transaction: all or none. Every result must
    /// still be pending: the caller chose them on a reader, and another writer (a second bulk
    /// approval, another process) may have decided some since; then nothing is applied and the
    /// answer is [`StoreError::Stale`].
    pub fn review_many(&self, reviews: &[Review]) -> Result<()> {
        let mut conn = self.write();
        let tx = conn.transaction()?;
        let mut mappings: Option<(String, Shape)> = None;
        for r in reviews {
            let status: Option<String> = tx
                .prepare_cached("SELECT status FROM results WHERE id = ?1 AND run_id = ?2")?
                .query_row([r.result_id, r.run_id], |row| row.get(0))
                .optional()?;
            if status.as_deref() != Some("pending") {
                return Err(StoreError::Stale(format!(
                    "result {} was decided by someone else meanwhile; nothing was approved",
                    r.result_id
                )));
            }
            if mappings.as_ref().is_none_or(|(run, _)| run != r.run_id) {
                mappings = Some((r.run_id.to_string(), run_shape(&tx, r.run_id)?));
            }
            let m = &mappings.as_ref().expect("set above").1;
            review_on(&tx, r, m)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Undoes `decision_id`, which must be the result's latest decision: the result gets back the
    /// status, match and notes it had before it, and the log gets a decision saying so (reverting
    /// that one redoes the first). Decisions logged before undo existed did not record the match
    /// and notes before them; reverting one of those keeps the current match and clears nothing
    /// but the status.
    pub fn revert(&self, r: &Revert) -> Result<MatchResult> {
        let mut conn = self.write();
        let tx = conn.transaction()?;
        let shape = run_shape(&tx, r.run_id)?;
        revert_on(&tx, r, &shape)?;
        let after = get_result_on(&tx, r.run_id, r.result_id)?;
        tx.commit()?;
        Ok(after)
    }

    /// Undoes many decisions in one transaction (undo of a bulk approval): all or none.
    pub fn revert_many(&self, reverts: &[Revert]) -> Result<()> {
        let mut conn = self.write();
        let tx = conn.transaction()?;
        let mut mappings: Option<(String, Shape)> = None;
        for r in reverts {
            if mappings.as_ref().is_none_or(|(run, _)| run != r.run_id) {
                mappings = Some((r.run_id.to_string(), run_shape(&tx, r.run_id)?));
            }
            let m = &mappings.as_ref().expect("set above").1;
            revert_on(&tx, r, m)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The decision log of one result, oldest first.
    pub fn decisions(&self, result_id: &str) -> Result<Vec<ReviewDecision>> {
        let conn = self.read();
        let mut stmt = conn.prepare(
            "SELECT id, result_id, run_id, document_id, reference_row_id, previous_status, status, notes, decided_by, \
             decided_at, reverts, suggestion_id FROM review_decisions WHERE result_id = ?1 ORDER BY seq",
        )?;
        let rows = stmt.query_map([result_id], |r| {
            let prev: String = r.get(5)?;
            let status: String = r.get(6)?;
            Ok(ReviewDecision {
                id: r.get(0)?,
                result_id: r.get(1)?,
                run_id: r.get(2)?,
                document_id: r.get(3)?,
                reference_row_id: r.get(4)?,
                previous_status: ReviewStatus::parse(&prev).unwrap_or(ReviewStatus::Pending),
                status: ReviewStatus::parse(&status).unwrap_or(ReviewStatus::Pending),
                notes: r.get(7)?,
                decided_by: r.get(8)?,
                decided_at: r.get(9)?,
                reverts: r.get(10)?,
                suggestion_id: r.get(11)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Pairs whose latest decision, in any run on this reference data, is a rejection (spec C.9:
    /// a later approval lifts it).
    pub fn rejected_pairs(&self, reference_data_id: &str) -> Result<RejectedPairs> {
        let conn = self.read();
        let mut stmt = conn.prepare(
            "SELECT id, document_id, reference_row_id, status, reverts FROM review_decisions \
             WHERE reference_data_id = ?1 ORDER BY seq",
        )?;
        let decisions = stmt
            .query_map([reference_data_id], |r| {
                Ok(PairDecision {
                    id: r.get(0)?,
                    document_id: r.get(1)?,
                    reference_row_id: r.get(2)?,
                    rejected: r.get::<_, String>(3)? == "rejected",
                    reverts: r.get(4)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rejected_of(decisions))
    }
}

/// One logged decision as far as rejected pairs are concerned.
struct PairDecision {
    id: String,
    document_id: String,
    reference_row_id: Option<String>,
    rejected: bool,
    reverts: Option<String>,
}

/// The pairs whose latest standing decision is a rejection. An undo voids the decision it
/// reverts (and an undo of the undo voids the undo), rather than counting as a decision on its
/// own: an undo restores the result's earlier status, which may have been about another row, so
/// reading it as a decision on the undone row would reject a pair nobody rejected.
fn rejected_of(decisions: Vec<PairDecision>) -> RejectedPairs {
    // Newest first: a decision stands unless a standing undo voids it; undos point back in time.
    let mut voided: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for d in decisions.iter().rev() {
        if let (false, Some(target)) = (voided.contains(d.id.as_str()), d.reverts.as_deref()) {
            voided.insert(target);
        }
    }
    let mut latest: std::collections::HashMap<(&str, &str), bool> =
        std::collections::HashMap::new();
    for d in &decisions {
        if d.reverts.is_some() || voided.contains(d.id.as_str()) {
            continue;
        }
        if let Some(row) = d.reference_row_id.as_deref() {
            latest.insert((d.document_id.as_str(), row), d.rejected);
        }
    }
    let mut out = RejectedPairs::new();
    for ((doc, row), rejected) in latest {
        if rejected {
            out.entry(doc.to_string())
                .or_default()
                .insert(row.to_string());
        }
    }
    out
}

/// `Store::write_results` on the writer connection.
fn insert_results(
    conn: &mut rusqlite::Connection,
    run_id: &str,
    batch: &[NewResult],
    counters: RunCounters,
) -> Result<()> {
    let tx = conn.transaction()?;
    {
        let mut stmt = tx.prepare_cached(
            "INSERT INTO results (id, run_id, document_id, document_filename, matched_reference_row_id, confidence, candidates, \
             contested, band_complete) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?;
        for n in batch {
            let m = n.result;
            stmt.execute(params![
                n.id,
                run_id,
                m.document_id,
                m.document_filename,
                m.matched_reference_row_id,
                m.confidence,
                pack(&m.candidates)?,
                m.contested,
                m.band_complete
            ])?;
        }
    }
    set_counters(&tx, run_id, &counters, false)?;
    tx.commit()?;
    Ok(())
}
