//! Results and their review on a real workspace file: batches written with the run's counters,
//! evidence read back through the run's config, single and bulk decisions, undo, and the
//! append-only review log.

mod common;

use common::*;
use engine::{Phase, ReviewDecision, ReviewStatus};
use store::{LiveProgress, RunCounters, StoreError};

fn counters(processed: u64, total: u64, matched: u64, sum: f64) -> RunCounters {
    RunCounters {
        rows_processed: processed,
        rows_total: total,
        rows_matched: matched,
        matched_confidence_sum: sum,
        pairs_compared: None,
    }
}

/// A started run "run" with results for `docs`.
fn run_with(docs: &[engine::DocumentMatch]) -> Workspace {
    let w = Workspace::new();
    start(&w.store, "run", &config("c"), docs.len() as u64);
    write(&w.store, "run", docs);
    w
}

fn status_of(w: &Workspace, document: &str) -> ReviewStatus {
    w.store
        .get_result("run", &rid("run", document))
        .unwrap()
        .status
}

#[test]
fn a_batch_of_results_and_the_run_counters_commit_together() {
    let w = Workspace::new();
    start(&w.store, "run", &config("c"), 3);
    let first = [doc("d1", &[("r1", 0.9)]), doc("d2", &[("r2", 0.6)])];
    let c = counters(2, 3, 1, 0.9);
    w.store
        .write_results("run", &batch("run", &first), c)
        .unwrap();
    let run = w.store.get_run("run").unwrap();
    assert_eq!(
        (run.rows_processed, run.rows_total, run.rows_matched),
        (Some(2), Some(3), Some(1))
    );
    assert_eq!(run.avg_confidence, Some(0.9));
    let d1 = w.store.get_result("run", &rid("run", "d1")).unwrap();
    assert_eq!(d1.document_filename.as_deref(), Some("d1.pdf"));
    assert_eq!(d1.matched_reference_row_id.as_deref(), Some("r1"));
    assert_eq!(
        (d1.status, d1.notes, d1.reviewed_at),
        (ReviewStatus::Pending, None, None)
    );

    // d1 again: the run already has its result, so the whole batch and its counters are refused.
    let second = [doc("d3", &[("r3", 0.95)]), doc("d1", &[("r1", 0.9)])];
    let refused = w
        .store
        .write_results("run", &batch("run", &second), counters(4, 3, 3, 2.75));
    assert!(matches!(refused, Err(StoreError::Sqlite(_))), "{refused:?}");
    assert!(matches!(
        w.store.get_result("run", &rid("run", "d3")),
        Err(StoreError::NotFound { kind: "result", .. })
    ));
    assert_eq!(w.store.get_run("run").unwrap().rows_processed, Some(2));
    assert_eq!(w.count("SELECT count(*) FROM results"), 2);
}

#[test]
fn counters_written_with_results_never_fall_behind_the_live_ones() {
    let w = Workspace::new();
    start(&w.store, "run", &config("c"), 100);
    let live = LiveProgress {
        run_id: "run".into(),
        phase: Phase::Matching,
        phase_progress: 50,
        rows_processed: 50,
        rows_total: 100,
        rows_matched: 40,
        eta_seconds: None,
    };
    w.store
        .renew_leases(&owner(ME), 2_000, &[live], &[])
        .unwrap();
    let docs = [doc("d1", &[("r1", 0.9)])];
    w.store
        .write_results("run", &batch("run", &docs), counters(1, 100, 1, 0.9))
        .unwrap();
    let run = w.store.get_run("run").unwrap();
    assert_eq!((run.rows_processed, run.rows_matched), (Some(50), Some(40)));
    assert_eq!(run.rows_total, Some(100));
}

#[test]
fn stored_candidates_and_evidence_read_back_as_written() {
    let matched = doc("d1", &[("r1", 0.9), ("r2", 0.7)]);
    let below = doc("d2", &[("r2", 0.7), ("r1", 0.6)]);
    let mut plain = doc("d3", &[("r3", 0.88)]);
    // Written without notes and rarity (a plain run's), read back without them.
    for e in &mut plain.candidates[0].evidence {
        e.note = None;
        e.rarity = None;
    }
    let w = run_with(&[
        matched.clone(),
        below.clone(),
        plain.clone(),
        doc("d4", &[]),
    ]);
    for written in [&matched, &below, &plain] {
        let read = w
            .store
            .get_result("run", &rid("run", &written.document_id))
            .unwrap();
        assert_eq!(read.candidates, written.candidates);
        assert_eq!(read.confidence, written.confidence);
        // Nothing matched: the best candidate's evidence is shown all the same.
        assert_eq!(
            read.evidence.as_ref(),
            Some(&written.candidates[0].evidence)
        );
    }
    let none = w.store.get_result("run", &rid("run", "d4")).unwrap();
    assert_eq!((none.confidence, none.evidence), (0.0, None));
    assert!(none.candidates.is_empty());
}

#[test]
fn evidence_that_does_not_fit_the_run_config_is_reported_as_damaged() {
    let mut short = doc("d1", &[("r1", 0.9)]);
    short.candidates[0].evidence.truncate(1);
    let w = run_with(&[short]);
    match w.store.get_result("run", &rid("run", "d1")) {
        Err(StoreError::Corrupt(msg)) => {
            assert!(
                msg.contains("1 fields of evidence") && msg.contains("has 3"),
                "{msg}"
            )
        }
        other => panic!("expected a damaged result, got {other:?}"),
    }
}

#[test]
fn results_from_before_packing_read_as_full_candidate_lists() {
    let d = doc("d1", &[("r1", 0.9), ("r2", 0.7)]);
    let w = run_with(std::slice::from_ref(&d));
    let full = serde_json::to_string(&d.candidates).unwrap();
    w.raw()
        .execute(
            "UPDATE results SET candidates = ?1 WHERE id = ?2",
            [full, rid("run", "d1")],
        )
        .unwrap();
    let read = w.store.get_result("run", &rid("run", "d1")).unwrap();
    assert_eq!(read.candidates, d.candidates);
    assert_eq!(read.evidence.as_ref(), Some(&d.candidates[0].evidence));
}

#[test]
fn the_review_log_refuses_update_and_delete() {
    let w = run_with(&[doc("d1", &[("r1", 0.9)])]);
    let id = rid("run", "d1");
    w.store
        .review(&decide("run", &id, ReviewStatus::Approved, "dec1"))
        .unwrap();
    let before = w.store.decisions(&id).unwrap();
    let raw = w.raw();
    for sql in [
        "UPDATE review_decisions SET status = 'rejected'",
        "DELETE FROM review_decisions",
    ] {
        let err = raw.execute(sql, []).unwrap_err();
        assert_eq!(
            err.sqlite_error_code(),
            Some(rusqlite::ErrorCode::ConstraintViolation),
            "{sql}"
        );
        assert!(
            err.to_string().contains("review_decisions is append-only"),
            "{sql}: {err}"
        );
    }
    assert_eq!(w.store.decisions(&id).unwrap(), before);
}

#[test]
fn a_review_changes_the_result_and_logs_what_it_was_before() {
    let w = run_with(&[doc("d1", &[("r1", 0.9), ("r2", 0.7)])]);
    let id = rid("run", "d1");
    let mut approve = decide("run", &id, ReviewStatus::Approved, "dec1");
    approve.notes = Some("checked");
    let after = w.store.review(&approve).unwrap();
    assert_eq!(after, w.store.get_result("run", &id).unwrap());
    assert_eq!(after.status, ReviewStatus::Approved);
    assert_eq!(after.matched_reference_row_id.as_deref(), Some("r1"));
    assert_eq!(after.notes.as_deref(), Some("checked"));
    assert_eq!(after.reviewed_at.as_deref(), Some(T2));

    // A rejection keeps the match it rejects; the log records the approval it replaced.
    let after = w
        .store
        .review(&decide("run", &id, ReviewStatus::Rejected, "dec2"))
        .unwrap();
    assert_eq!(after.matched_reference_row_id.as_deref(), Some("r1"));
    assert_eq!(after.notes, None);
    let log = w.store.decisions(&id).unwrap();
    let expected = |decision: &str, prev, status, notes: Option<&str>| ReviewDecision {
        id: decision.into(),
        result_id: id.clone(),
        run_id: "run".into(),
        document_id: "d1".into(),
        reference_row_id: Some("r1".into()),
        previous_status: prev,
        status,
        notes: notes.map(String::from),
        decided_by: "ann".into(),
        decided_at: T2.into(),
        reverts: None,
        suggestion_id: None,
    };
    let (pending, approved, rejected) = (
        ReviewStatus::Pending,
        ReviewStatus::Approved,
        ReviewStatus::Rejected,
    );
    assert_eq!(
        log,
        vec![
            expected("dec1", pending, approved, Some("checked")),
            expected("dec2", approved, rejected, None)
        ]
    );
}

#[test]
fn a_revision_changes_pending_results_and_leaves_reviewed_ones_as_decided() {
    let w = run_with(&[
        doc("d1", &[("r1", 0.9), ("r2", 0.88)]),
        doc("d2", &[("r1", 0.95)]),
        doc("d3", &[("r1", 0.92), ("r3", 0.86)]),
    ]);
    // d3 is approved while the run is still scoring; then the assignment gives r1 to d2.
    w.store
        .review(&decide(
            "run",
            &rid("run", "d3"),
            ReviewStatus::Approved,
            "dec1",
        ))
        .unwrap();
    let lost = |d: &str, to: Option<&str>, confidence| engine::assign::Revision {
        document_id: d.into(),
        matched_reference_row_id: to.map(String::from),
        confidence,
        contested: true,
        written_match_confidence: Some(0.9),
    };
    let revisions = [lost("d1", Some("r2"), 0.88), lost("d3", Some("r3"), 0.86)];
    w.store
        .revise_results("run", &revisions, counters(3, 3, 3, 0.88 + 0.95 + 0.92))
        .unwrap();
    let d1 = w.store.get_result("run", &rid("run", "d1")).unwrap();
    assert_eq!(d1.matched_reference_row_id.as_deref(), Some("r2"));
    assert!(d1.contested);
    assert!((d1.confidence - 0.88).abs() < 1e-12);
    let d3 = w.store.get_result("run", &rid("run", "d3")).unwrap();
    assert_eq!(d3.matched_reference_row_id.as_deref(), Some("r1"));
    assert!(!d3.contested);
    assert_eq!(d3.status, ReviewStatus::Approved);
    // The counters are set, not raised: an assignment can take matches away.
    w.store
        .revise_results("run", &[], counters(3, 3, 2, 1.8))
        .unwrap();
    let run = w.store.get_run("run").unwrap();
    assert_eq!(run.rows_matched, Some(2));
}

#[test]
fn approving_a_result_below_the_threshold_accepts_a_candidate() {
    let below = doc("d1", &[("r1", 0.7), ("r2", 0.6)]);
    let w = run_with(&[below.clone(), doc("d2", &[("r1", 0.7)])]);
    let id = rid("run", "d1");
    let mut choose = decide("run", &id, ReviewStatus::Approved, "dec1");
    choose.reference_row_id = Some("r2");
    let after = w.store.review(&choose).unwrap();
    assert_eq!(after.matched_reference_row_id.as_deref(), Some("r2"));
    // The evidence shown is now the chosen row's, not the best candidate's.
    assert_eq!(after.evidence.as_ref(), Some(&below.candidates[1].evidence));
    let logged = &w.store.decisions(&id).unwrap()[0];
    assert_eq!(logged.reference_row_id.as_deref(), Some("r2"));

    // Without a choice the best candidate is accepted.
    let id2 = rid("run", "d2");
    let after = w
        .store
        .review(&decide("run", &id2, ReviewStatus::Approved, "dec2"))
        .unwrap();
    assert_eq!(after.matched_reference_row_id.as_deref(), Some("r1"));
}

#[test]
fn a_review_of_something_that_is_not_there_changes_nothing() {
    let w = run_with(&[doc("d1", &[("r1", 0.7)])]);
    let id = rid("run", "d1");
    let mut choose = decide("run", &id, ReviewStatus::Approved, "dec1");
    choose.reference_row_id = Some("r9");
    let refused = w.store.review(&choose);
    assert!(
        matches!(&refused, Err(StoreError::NotFound { kind: "candidate", id }) if id == "r9"),
        "{refused:?}"
    );
    let unknown = w
        .store
        .review(&decide("run", "nope", ReviewStatus::Approved, "dec2"));
    assert!(matches!(
        unknown,
        Err(StoreError::NotFound { kind: "result", .. })
    ));
    let no_run = w
        .store
        .review(&decide("gone", &id, ReviewStatus::Approved, "dec3"));
    assert!(matches!(
        no_run,
        Err(StoreError::NotFound { kind: "run", .. })
    ));
    assert_eq!(status_of(&w, "d1"), ReviewStatus::Pending);
    assert!(w.store.decisions(&id).unwrap().is_empty());
}

#[test]
fn a_bulk_approval_decides_every_result_each_with_its_own_decision() {
    let w = run_with(&[
        doc("d1", &[("r1", 0.9)]),
        doc("d2", &[("r2", 0.7)]),
        doc("d3", &[("r3", 0.95)]),
    ]);
    let ids: Vec<String> = ["d1", "d2", "d3"].iter().map(|d| rid("run", d)).collect();
    let decisions = ["b1", "b2", "b3"];
    let reviews: Vec<_> = ids
        .iter()
        .zip(decisions)
        .map(|(id, dec)| decide("run", id, ReviewStatus::Approved, dec))
        .collect();
    w.store.review_many(&reviews).unwrap();
    for (id, dec) in ids.iter().zip(decisions) {
        let result = w.store.get_result("run", id).unwrap();
        assert_eq!(result.status, ReviewStatus::Approved);
        assert!(result.matched_reference_row_id.is_some());
        let log = w.store.decisions(id).unwrap();
        assert_eq!(log.len(), 1);
        assert_eq!(log[0].id, dec);
    }
}

#[test]
fn a_bulk_approval_over_a_result_decided_meanwhile_applies_nothing() {
    let w = run_with(&[
        doc("d1", &[("r1", 0.9)]),
        doc("d2", &[("r2", 0.9)]),
        doc("d3", &[("r3", 0.9)]),
    ]);
    let [d1, d2, d3] = ["d1", "d2", "d3"].map(|d| rid("run", d));
    w.store
        .review(&decide("run", &d2, ReviewStatus::Rejected, "other"))
        .unwrap();
    let bulk = [
        decide("run", &d1, ReviewStatus::Approved, "b1"),
        decide("run", &d2, ReviewStatus::Approved, "b2"),
        decide("run", &d3, ReviewStatus::Approved, "b3"),
    ];
    match w.store.review_many(&bulk) {
        Err(StoreError::Stale(msg)) => assert!(msg.contains(&d2), "{msg}"),
        other => panic!("expected a conflict, got {other:?}"),
    }
    // The same result twice in one bulk, or one that does not exist, is refused the same way.
    let twice = [
        decide("run", &d1, ReviewStatus::Approved, "b4"),
        decide("run", &d1, ReviewStatus::Approved, "b5"),
    ];
    assert!(matches!(
        w.store.review_many(&twice),
        Err(StoreError::Stale(_))
    ));
    let unknown = [decide("run", "nope", ReviewStatus::Approved, "b6")];
    assert!(matches!(
        w.store.review_many(&unknown),
        Err(StoreError::Stale(_))
    ));

    assert_eq!(status_of(&w, "d1"), ReviewStatus::Pending);
    assert_eq!(status_of(&w, "d2"), ReviewStatus::Rejected);
    assert_eq!(status_of(&w, "d3"), ReviewStatus::Pending);
    assert_eq!(w.count("SELECT count(*) FROM review_decisions"), 1);
}

#[test]
fn undoing_a_bulk_approval_is_all_or_none() {
    let w = run_with(&[doc("d1", &[("r1", 0.9)]), doc("d2", &[("r2", 0.7)])]);
    let [d1, d2] = ["d1", "d2"].map(|d| rid("run", d));
    let mut approvals = [
        decide("run", &d1, ReviewStatus::Approved, "b1"),
        decide("run", &d2, ReviewStatus::Approved, "b2"),
    ];
    for a in &mut approvals {
        a.notes = Some("bulk");
    }
    w.store.review_many(&approvals).unwrap();

    // One undo names a decision that is not its result's: none of them is applied.
    let wrong = [undo("run", &d1, "b1", "u1"), undo("run", &d2, "b1", "u2")];
    assert!(matches!(
        w.store.revert_many(&wrong),
        Err(StoreError::Stale(_))
    ));
    assert_eq!(status_of(&w, "d1"), ReviewStatus::Approved);
    assert_eq!(w.store.decisions(&d1).unwrap().len(), 1);

    let right = [undo("run", &d1, "b1", "u1"), undo("run", &d2, "b2", "u2")];
    w.store.revert_many(&right).unwrap();
    let r1 = w.store.get_result("run", &d1).unwrap();
    let r2 = w.store.get_result("run", &d2).unwrap();
    assert_eq!(
        (r1.status, r2.status),
        (ReviewStatus::Pending, ReviewStatus::Pending)
    );
    assert_eq!(r1.matched_reference_row_id.as_deref(), Some("r1"));
    // d2 was below the threshold: the candidate its approval accepted is given back.
    assert_eq!(r2.matched_reference_row_id, None);
    assert_eq!((r2.notes, r2.reviewed_at), (None, None));
    let undone = w.store.decisions(&d2).unwrap().pop().unwrap();
    assert_eq!(undone.id, "u2");
    assert_eq!(undone.reverts.as_deref(), Some("b2"));
    assert_eq!(
        (undone.previous_status, undone.status),
        (ReviewStatus::Approved, ReviewStatus::Pending)
    );
    assert_eq!(undone.reference_row_id.as_deref(), Some("r2"));
    assert_eq!(
        (undone.decided_by.as_str(), undone.decided_at.as_str()),
        ("bob", T3)
    );
}

#[test]
fn undoing_the_undo_redoes_the_decision() {
    let w = run_with(&[doc("d1", &[("r1", 0.7), ("r2", 0.6)])]);
    let id = rid("run", "d1");
    let mut choose = decide("run", &id, ReviewStatus::Approved, "dec1");
    (choose.reference_row_id, choose.notes) = (Some("r2"), Some("second is right"));
    w.store.review(&choose).unwrap();

    let undone = w.store.revert(&undo("run", &id, "dec1", "u1")).unwrap();
    assert_eq!(undone.status, ReviewStatus::Pending);
    assert_eq!(
        (undone.matched_reference_row_id, undone.notes),
        (None, None)
    );
    assert_eq!(undone.reviewed_at, None);

    let redone = w.store.revert(&undo("run", &id, "u1", "u2")).unwrap();
    assert_eq!(redone.status, ReviewStatus::Approved);
    assert_eq!(redone.matched_reference_row_id.as_deref(), Some("r2"));
    assert_eq!(redone.notes.as_deref(), Some("second is right"));
    assert_eq!(redone.reviewed_at.as_deref(), Some(T3));
    let reverts: Vec<_> = w
        .store
        .decisions(&id)
        .unwrap()
        .into_iter()
        .map(|d| d.reverts)
        .collect();
    assert_eq!(reverts, [None, Some("dec1".into()), Some("u1".into())]);
}

#[test]
fn only_the_latest_decision_can_be_undone() {
    let w = run_with(&[doc("d1", &[("r1", 0.9)]), doc("d2", &[("r2", 0.9)])]);
    let id = rid("run", "d1");
    w.store
        .review(&decide("run", &id, ReviewStatus::Approved, "dec1"))
        .unwrap();
    w.store
        .review(&decide("run", &id, ReviewStatus::Rejected, "dec2"))
        .unwrap();
    let older = w.store.revert(&undo("run", &id, "dec1", "u1"));
    assert!(matches!(older, Err(StoreError::Stale(_))), "{older:?}");
    assert_eq!(status_of(&w, "d1"), ReviewStatus::Rejected);
    assert_eq!(w.store.decisions(&id).unwrap().len(), 2);

    let never_decided = w
        .store
        .revert(&undo("run", &rid("run", "d2"), "dec1", "u2"));
    assert!(matches!(never_decided, Err(StoreError::Stale(_))));
}

#[test]
fn undoing_a_decision_from_before_undo_existed_changes_only_the_status() {
    let w = run_with(&[doc("d1", &[("r1", 0.9)])]);
    let id = rid("run", "d1");
    // What an older Matchbook wrote: no record of the match and notes before the decision.
    let raw = w.raw();
    raw.execute(
        "INSERT INTO review_decisions (id, result_id, run_id, document_id, reference_data_id, \
         reference_row_id, previous_status, status, decided_by, decided_at) \
         VALUES ('old', ?1, 'run', 'd1', 'ref', 'r1', 'pending', 'rejected', 'ann', ?2)",
        [&id, T1],
    )
    .unwrap();
    raw.execute(
        "UPDATE results SET status = 'rejected', notes = 'legacy', reviewed_at = ?2 WHERE id = ?1",
        [&id, T1],
    )
    .unwrap();

    let after = w.store.revert(&undo("run", &id, "old", "u1")).unwrap();
    assert_eq!(after.status, ReviewStatus::Pending);
    assert_eq!(after.matched_reference_row_id.as_deref(), Some("r1"));
    assert_eq!(after.notes.as_deref(), Some("legacy"));
    assert_eq!(after.reviewed_at, None);
}

#[test]
fn a_pair_is_rejected_while_its_latest_decision_on_the_reference_data_is_a_rejection() {
    let w = Workspace::new();
    let c = config("c");
    start(&w.store, "run1", &c, 1);
    start(&w.store, "run2", &c, 1);
    let d = [doc("d1", &[("r1", 0.9), ("r2", 0.7)])];
    write(&w.store, "run1", &d);
    write(&w.store, "run2", &d);
    let (a, b) = (rid("run1", "d1"), rid("run2", "d1"));
    let rejected = |w: &Workspace| {
        let mut pairs: Vec<(String, String)> = w
            .store
            .rejected_pairs(REF)
            .unwrap()
            .into_iter()
            .flat_map(|(doc, rows)| rows.into_iter().map(move |row| (doc.clone(), row)))
            .collect();
        pairs.sort();
        pairs
    };
    let pair = |row: &str| ("d1".to_string(), row.to_string());

    w.store
        .review(&decide("run1", &a, ReviewStatus::Rejected, "x1"))
        .unwrap();
    assert_eq!(rejected(&w), [pair("r1")]);
    assert!(w.store.rejected_pairs("other-ref").unwrap().is_empty());
    // Undoing the rejection lifts it; undoing the undo rejects again.
    w.store.revert(&undo("run1", &a, "x1", "u1")).unwrap();
    assert!(rejected(&w).is_empty());
    w.store.revert(&undo("run1", &a, "u1", "u2")).unwrap();
    assert_eq!(rejected(&w), [pair("r1")]);

    // Decisions in another run on the same reference data count too; a later approval lifts one.
    let mut reject_r2 = decide("run2", &b, ReviewStatus::Rejected, "x2");
    reject_r2.reference_row_id = Some("r2");
    w.store.review(&reject_r2).unwrap();
    assert_eq!(rejected(&w), [pair("r1"), pair("r2")]);
    let mut approve_r1 = decide("run2", &b, ReviewStatus::Approved, "x3");
    approve_r1.reference_row_id = Some("r1");
    w.store.review(&approve_r1).unwrap();
    assert_eq!(rejected(&w), [pair("r2")]);
}

#[test]
fn undoing_a_decision_restores_the_pairs_as_they_were_before_it() {
    let w = Workspace::new();
    start(&w.store, "run", &config("c"), 1);
    write(&w.store, "run", &[doc("d1", &[("r1", 0.7), ("r2", 0.6)])]);
    let id = rid("run", "d1");
    let pairs = |w: &Workspace| {
        let mut p: Vec<String> = w
            .store
            .rejected_pairs(REF)
            .unwrap()
            .remove("d1")
            .unwrap_or_default()
            .into_iter()
            .collect();
        p.sort();
        p
    };
    let on = |row: &'static str, status: ReviewStatus, decision: &'static str| {
        let mut d = decide("run", &id, status, decision);
        d.reference_row_id = Some(row);
        d
    };
    // Rejecting r2, approving r1, then undoing the approval: only r2 was ever rejected. (The undo
    // restores the status "rejected", which was about r2, not r1.)
    w.store
        .review(&on("r2", ReviewStatus::Rejected, "x1"))
        .unwrap();
    w.store
        .review(&on("r1", ReviewStatus::Approved, "x2"))
        .unwrap();
    w.store.revert(&undo("run", &id, "x2", "u1")).unwrap();
    assert_eq!(pairs(&w), ["r2"]);
    // Rejecting r1 and undoing it leaves r2 alone; redoing rejects r1 again.
    w.store
        .review(&on("r1", ReviewStatus::Rejected, "x3"))
        .unwrap();
    assert_eq!(pairs(&w), ["r1", "r2"]);
    w.store.revert(&undo("run", &id, "x3", "u2")).unwrap();
    assert_eq!(pairs(&w), ["r2"]);
    w.store.revert(&undo("run", &id, "u2", "u3")).unwrap();
    assert_eq!(pairs(&w), ["r1", "r2"]);
}
