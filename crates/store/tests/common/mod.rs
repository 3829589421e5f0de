//! Fixtures shared by the store's integration tests: a workspace file in a temp dir, a config, runs
//! and the engine's results to write into them.

// Each test file is its own crate and uses only part of this module.
#![allow(dead_code)]

use std::path::PathBuf;

use engine::{
    Candidate, DocumentMatch, FieldEvidence, FieldMapping, FieldNote, MatchingConfig, ReviewStatus,
    Run, Strategy, TriggeredBy,
};
use rusqlite::Connection;
use store::{NewResult, Owner, Revert, Review, RunCounters, Store};
use tempfile::TempDir;

pub const T0: &str = "2026-03-01T09:00:00.000Z";
pub const T1: &str = "2026-03-01T10:00:00.000Z";
pub const T2: &str = "2026-03-01T11:00:00.000Z";
pub const T3: &str = "2026-03-01T12:00:00.000Z";

/// The reference data every fixture config is bound to.
pub const REF: &str = "ref";
/// The config's threshold: a best candidate at or above it is the result's match.
pub const THRESHOLD: f64 = 0.85;
/// The process that owns the fixture runs.
pub const ME: &str = "me";

/// A workspace file in its own temp dir, removed when dropped.
pub struct Workspace {
    // Declared first so the store closes before its folder is removed.
    pub store: Store,
    dir: TempDir,
}

impl Workspace {
    pub fn new() -> Workspace {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(&dir.path().join("w.sqlite")).expect("open workspace");
        Workspace { store, dir }
    }

    pub fn path(&self) -> PathBuf {
        self.dir.path().join("w.sqlite")
    }

    /// Closes and opens the file again, as a restart of the app does.
    pub fn reopen(self) -> Workspace {
        let Workspace { store, dir } = self;
        drop(store);
        let store = Store::open(&dir.path().join("w.sqlite")).expect("reopen workspace");
        Workspace { store, dir }
    }

    /// A second connection to the file, for what the store's API cannot show or make: the
    /// tables' raw contents, rows written by older versions, statements the schema must refuse.
    pub fn raw(&self) -> Connection {
        let conn = Connection::open(self.path()).expect("raw connection");
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .expect("busy timeout");
        conn
    }

    pub fn count(&self, sql: &str) -> i64 {
        self.raw()
            .query_row(sql, [], |r| r.get(0))
            .expect("count query")
    }
}

pub fn owner(id: &str) -> Owner {
    Owner {
        id: id.into(),
        pid: 4242,
        host: "test-host".into(),
    }
}

/// A config with one field of each kind that matters to stored evidence: an exact reference, an
/// amount and a date (the last two carry notes).
pub fn config(id: &str) -> MatchingConfig {
    let mut amount = FieldMapping::new("amount", "total", Strategy::NumericRange, 1.0);
    amount.tolerance_percent = Some(3.0);
    let mut date = FieldMapping::new("date", "order_date", Strategy::DateRange, 1.0);
    date.days_before = Some(0);
    date.days_after = Some(45);
    MatchingConfig {
        id: id.into(),
        name: format!("config {id}"),
        reference_data_id: REF.into(),
        document_set_id: None,
        target_type: "run".into(),
        target_value: serde_json::json!({}),
        field_mappings: vec![
            FieldMapping::new("po", "po_number", Strategy::Exact, 2.0),
            amount,
            date,
        ],
        threshold: THRESHOLD,
        review_floor: 0.5,
        one_to_one: false,
        schedule: None,
        blocking_keys: None,
        blocking_strategy: None,
        created_at: T0.into(),
        updated_at: T0.into(),
    }
}

/// Records a queued run of `config` held by `by`.
pub fn queue(store: &Store, id: &str, config: &MatchingConfig, by: &str) -> Run {
    let run = Run::queued(id.into(), config, TriggeredBy::Manual, T0.into());
    store
        .insert_run(&run, config, None, &owner(by), 1_000)
        .expect("insert run");
    run
}

/// A run of `config` that has started, held by [`ME`], with `total` documents to match.
pub fn start(store: &Store, id: &str, config: &MatchingConfig, total: u64) {
    queue(store, id, config, ME);
    assert!(store.mark_running(id, T1, total, ME).expect("mark running"));
}

/// Evidence of one candidate, in the fixture config's field order. Scores are exact in f32, the
/// precision they are stored with.
pub fn evidence(row: &str, with_notes: bool) -> Vec<FieldEvidence> {
    let notes = [
        None,
        Some(FieldNote::Amount {
            difference_percent: 2.5,
            difference: 2.9,
            tax_rate: Some(19.0),
            share: None,
            tolerance_percent: 3.0,
            tolerance_absolute: 0.0,
        }),
        Some(FieldNote::Days {
            days: 12,
            window: Some((0, 45)),
            tolerance_days: 0,
        }),
    ];
    let document = ["PO-1", "119.00", "2026-02-10"];
    config("c")
        .field_mappings
        .iter()
        .zip(document)
        .zip(notes)
        .zip([1.0, 0.75, 0.5])
        .map(|(((m, value), note), score)| FieldEvidence {
            source: m.source.as_str().into(),
            target: m.target.as_str().into(),
            strategy: m.strategy,
            weight: m.weight,
            score,
            source_value: value.into(),
            target_value: format!("{row} {}", m.target),
            missing: false,
            match_weight: None,
            // A shared value's rarity travels with the notes: results of smart runs hold both.
            rarity: (score == 1.0 && with_notes).then_some(2.5),
            note: note.filter(|_| with_notes),
        })
        .collect()
}

/// The engine's answer for one document: `candidates` (row, confidence) best first; the best is
/// the match when it reaches [`THRESHOLD`].
pub fn doc(document_id: &str, candidates: &[(&str, f64)]) -> DocumentMatch {
    let best = candidates.first().copied();
    DocumentMatch {
        document_id: document_id.into(),
        document_filename: Some(format!("{document_id}.pdf")),
        matched_reference_row_id: best
            .filter(|(_, c)| *c >= THRESHOLD)
            .map(|(row, _)| row.into()),
        confidence: best.map_or(0.0, |(_, c)| c),
        candidates: candidates
            .iter()
            .enumerate()
            .map(|(i, (row, confidence))| Candidate {
                rank: i as u32 + 1,
                reference_row_id: (*row).into(),
                confidence: *confidence,
                evidence: evidence(row, true),
            })
            .collect(),
        contested: false,
        band_complete: true,
    }
}

/// The id the fixtures give the result of `document` in `run`.
pub fn rid(run: &str, document: &str) -> String {
    format!("{run}/{document}")
}

/// Counters that count exactly `docs`, as the runner's writer passes them with a batch.
pub fn counters_of(docs: &[DocumentMatch], total: u64) -> RunCounters {
    let matched: Vec<&DocumentMatch> = docs
        .iter()
        .filter(|d| d.matched_reference_row_id.is_some())
        .collect();
    RunCounters {
        rows_processed: docs.len() as u64,
        rows_total: total,
        rows_matched: matched.len() as u64,
        matched_confidence_sum: matched.iter().map(|d| d.confidence).sum(),
        pairs_compared: None,
    }
}

/// `docs` as a batch of results of `run`, ids by [`rid`].
pub fn batch<'a>(run: &str, docs: &'a [DocumentMatch]) -> Vec<NewResult<'a>> {
    docs.iter()
        .map(|result| NewResult {
            id: rid(run, &result.document_id),
            result,
        })
        .collect()
}

/// Writes `docs` as one batch of results of `run`, with counters that count them.
pub fn write(store: &Store, run: &str, docs: &[DocumentMatch]) {
    store
        .write_results(run, &batch(run, docs), counters_of(docs, docs.len() as u64))
        .expect("write results");
}

/// A decision by "ann" at [`T2`] on [`REF`], keeping the result's match.
pub fn decide<'a>(
    run_id: &'a str,
    result_id: &'a str,
    status: ReviewStatus,
    decision_id: &'a str,
) -> Review<'a> {
    Review {
        run_id,
        result_id,
        status,
        notes: None,
        reference_row_id: None,
        reference_data_id: REF,
        decision_id,
        decided_by: "ann",
        decided_at: T2,
        suggestion_id: None,
    }
}

/// An undo by "bob" at [`T3`].
pub fn undo<'a>(
    run_id: &'a str,
    result_id: &'a str,
    decision_id: &'a str,
    new_decision_id: &'a str,
) -> Revert<'a> {
    Revert {
        run_id,
        result_id,
        decision_id,
        new_decision_id,
        decided_by: "bob",
        decided_at: T3,
    }
}
