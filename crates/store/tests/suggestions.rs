//! ai-resolve's suggestions on a real workspace file: a dismissed suggestion restored (the desk's
//! undo of a dismissal) and every state in which it must not be, and the queue filtered by an
//! open suggestion, for the list and for a bulk approval.

mod common;

use common::*;
use engine::{AiSuggestion, ReviewStatus};
use store::{NewSuggestion, ResultFilter, StoreError, SuggestionCounts};

/// A started run "run" with results d1 (0.7, pending in the band) and d2 (0.6).
fn band() -> Workspace {
    let w = Workspace::new();
    start(&w.store, "run", &config("c"), 2);
    write(
        &w.store,
        "run",
        &[
            doc("d1", &[("r1", 0.7), ("r2", 0.55)]),
            doc("d2", &[("r3", 0.6)]),
        ],
    );
    w
}

fn suggestion(id: &str, row: Option<&str>, at: &str) -> AiSuggestion {
    AiSuggestion {
        id: id.into(),
        resolved_by: "ai".into(),
        status: if row.is_some() {
            ReviewStatus::Approved
        } else {
            ReviewStatus::Rejected
        },
        reference_row_id: row.map(String::from),
        probability: 0.995,
        reason: "Match probability 99.5 %: po same (+8.6).".into(),
        created_at: at.into(),
    }
}

/// Writes `s` on d1 as a pass of ai-resolve does.
fn suggest(w: &Workspace, s: &AiSuggestion) {
    let id = rid("run", "d1");
    let written = w
        .store
        .write_suggestions(
            "run",
            &[NewSuggestion {
                result_id: &id,
                suggestion: s,
            }],
        )
        .unwrap();
    assert_eq!(written, 1);
}

fn dismiss(w: &Workspace, suggestion_id: &str) {
    w.store
        .dismiss_suggestion("run", &rid("run", "d1"), suggestion_id, "ann", T2)
        .unwrap();
}

fn restore(w: &Workspace, suggestion_id: &str) -> Result<(), StoreError> {
    w.store
        .restore_suggestion("run", &rid("run", "d1"), suggestion_id)
}

fn open_on_d1(w: &Workspace) -> Option<AiSuggestion> {
    w.store
        .get_result("run", &rid("run", "d1"))
        .unwrap()
        .suggestion
}

/// The suggestions log's row of `id`: (outcome, settled_by, settled_at).
fn log_row(w: &Workspace, id: &str) -> (Option<String>, Option<String>, Option<String>) {
    w.raw()
        .query_row(
            "SELECT outcome, settled_by, settled_at FROM suggestions WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap()
}

fn stale(e: StoreError, id: &str, says: &str) {
    match e {
        StoreError::Stale(m) => assert!(m.contains(id) && m.contains(says), "{m}"),
        e => panic!("expected a stale refusal, got {e:?}"),
    }
}

#[test]
fn a_dismissed_suggestion_is_restored_as_it_was_written_and_can_then_be_accepted() {
    let w = band();
    let s = suggestion("sg1", Some("r2"), T1);
    suggest(&w, &s);
    dismiss(&w, "sg1");
    assert_eq!(open_on_d1(&w), None);
    assert_eq!(
        log_row(&w, "sg1"),
        (
            Some("dismissed".into()),
            Some("ann".into()),
            Some(T2.into())
        )
    );

    restore(&w, "sg1").unwrap();
    // The same JSON the pass wrote (resolved_by "ai", the row it suggested), open again.
    assert_eq!(open_on_d1(&w), Some(s));
    assert_eq!(log_row(&w, "sg1"), (None, None, None));
    assert_eq!(
        w.store.suggestion_counts("run").unwrap(),
        SuggestionCounts {
            made: 1,
            open: 1,
            accepted: 0,
            dismissed: 0
        }
    );
    // Restoring twice: it is open now, not dismissed.
    stale(restore(&w, "sg1").unwrap_err(), "sg1", "still open");

    // Open again, it can be accepted: the decision names it and settles it.
    let id = rid("run", "d1");
    let mut accept = decide("run", &id, ReviewStatus::Approved, "dec1");
    accept.reference_row_id = Some("r2");
    accept.suggestion_id = Some("sg1");
    let decided = w.store.review(&accept).unwrap();
    assert_eq!(decided.matched_reference_row_id.as_deref(), Some("r2"));
    assert_eq!(decided.suggestion, None);
    assert_eq!(log_row(&w, "sg1").0.as_deref(), Some("accepted"));
    // An accepted suggestion is not restored either, and the decision stands.
    stale(restore(&w, "sg1").unwrap_err(), "sg1", "accepted");
    assert_eq!(
        w.store.get_result("run", &id).unwrap().status,
        ReviewStatus::Approved
    );
}

#[test]
fn a_dismissal_is_not_restored_over_a_decision_until_the_decision_is_undone() {
    let w = band();
    let s = suggestion("sg1", None, T1);
    suggest(&w, &s);
    dismiss(&w, "sg1");
    let id = rid("run", "d1");
    w.store
        .review(&decide("run", &id, ReviewStatus::Approved, "dec1"))
        .unwrap();
    let before = w.store.get_result("run", &id).unwrap();

    stale(restore(&w, "sg1").unwrap_err(), "sg1", "approved");
    assert_eq!(w.store.get_result("run", &id).unwrap(), before);
    assert_eq!(log_row(&w, "sg1").0.as_deref(), Some("dismissed"));

    // The desk undoes in reverse order: the decision first, then the dismissal.
    w.store.revert(&undo("run", &id, "dec1", "dec2")).unwrap();
    restore(&w, "sg1").unwrap();
    assert_eq!(open_on_d1(&w), Some(s));
}

#[test]
fn a_dismissal_is_not_restored_once_a_later_pass_suggested_again() {
    let w = band();
    suggest(&w, &suggestion("sg1", Some("r1"), T1));
    dismiss(&w, "sg1");
    // A later pass: its suggestion is open, so the old one cannot be.
    let later = suggestion("sg2", None, T3);
    suggest(&w, &later);
    stale(restore(&w, "sg1").unwrap_err(), "sg1", "suggested again");
    // Not even once the later one is dismissed too: the later pass has the last word.
    dismiss(&w, "sg2");
    stale(restore(&w, "sg1").unwrap_err(), "sg1", "suggested again");
    assert_eq!(open_on_d1(&w), None);
    assert_eq!(log_row(&w, "sg1").0.as_deref(), Some("dismissed"));
    // The later one itself is restored.
    restore(&w, "sg2").unwrap();
    assert_eq!(open_on_d1(&w), Some(later));

    // Two suggestions of the same instant go by the order they were written.
    dismiss(&w, "sg2");
    suggest(&w, &suggestion("sg3", Some("r2"), T3));
    dismiss(&w, "sg3");
    stale(restore(&w, "sg2").unwrap_err(), "sg2", "suggested again");
    restore(&w, "sg3").unwrap();
}

#[test]
fn only_a_dismissed_suggestion_of_that_result_is_restored() {
    let w = band();
    suggest(&w, &suggestion("sg1", Some("r1"), T1));
    // Never dismissed.
    stale(restore(&w, "sg1").unwrap_err(), "sg1", "still open");
    // Unknown, or named with another result or run.
    for (run, result, id) in [
        ("run", rid("run", "d1"), "no-such"),
        ("run", rid("run", "d2"), "sg1"),
        ("other", rid("run", "d1"), "sg1"),
    ] {
        match w.store.restore_suggestion(run, &result, id) {
            Err(StoreError::NotFound { kind, id: named }) => {
                assert_eq!((kind, named.as_str()), ("suggestion", id))
            }
            other => panic!("{run} {result} {id}: {other:?}"),
        }
    }
    assert_eq!(
        w.store.suggestion_counts("run").unwrap(),
        SuggestionCounts {
            made: 1,
            open: 1,
            accepted: 0,
            dismissed: 0
        }
    );
}

#[test]
fn the_queue_and_a_bulk_approval_filter_by_an_open_suggestion() {
    let w = band();
    suggest(&w, &suggestion("sg1", Some("r1"), T1));
    let ids = |has: Option<bool>| {
        let filter = ResultFilter {
            has_suggestion: has,
            ..ResultFilter::default()
        };
        let page = w.store.query_results("run", &filter, 1, 50).unwrap();
        let ids: Vec<String> = page.data.into_iter().map(|r| r.id).collect();
        assert_eq!(page.total, ids.len() as u64);
        let bulk = w.store.bulk_candidates("run", &filter).unwrap();
        assert_eq!(
            w.store.count_bulk_candidates("run", &filter).unwrap(),
            bulk.len() as u64
        );
        (ids, bulk)
    };
    let d1 = vec![rid("run", "d1")];
    let d2 = vec![rid("run", "d2")];
    assert_eq!(ids(Some(true)), (d1.clone(), d1.clone()));
    assert_eq!(ids(Some(false)), (d2.clone(), d2.clone()));
    let both = vec![rid("run", "d1"), rid("run", "d2")];
    assert_eq!(ids(None), (both.clone(), both));
    // Combined with the other filters (AND), and gone with the suggestion.
    let filter = ResultFilter {
        has_suggestion: Some(true),
        status: Some(ReviewStatus::Pending),
        search: Some("d1".into()),
        ..ResultFilter::default()
    };
    assert_eq!(
        w.store.query_results("run", &filter, 1, 50).unwrap().total,
        1
    );
    dismiss(&w, "sg1");
    assert_eq!(ids(Some(true)), (vec![], vec![]));
}
