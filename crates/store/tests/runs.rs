//! Runs on a real workspace file: their way from queued to a final status, the counters they end
//! with, listing and paging, the config snapshot each keeps, and what a restart finds.

mod common;

use common::*;
use engine::index::{BlockSizes, FieldBlockSizes};
use engine::{
    BlockingKey, BlockingStrategy, FieldMapping, Phase, Run, RunStatus, Strategy, TriggeredBy,
};
use store::{LiveProgress, RunCounters, RunListQuery, StoreError};

fn status(w: &Workspace, id: &str) -> RunStatus {
    w.store.get_run(id).unwrap().status
}

fn first(limit: u32) -> RunListQuery {
    RunListQuery {
        limit,
        ..RunListQuery::default()
    }
}

fn ids(runs: Vec<Run>) -> Vec<String> {
    runs.into_iter().map(|r| r.id).collect()
}

#[test]
fn a_new_run_is_queued_in_sequence_without_counters() {
    let w = Workspace::new();
    assert_eq!(w.store.newest_run_seq().unwrap(), 0);
    let c = config("c");
    let manual = queue(&w.store, "a", &c, ME);
    let scheduled = Run::queued("b".into(), &c, TriggeredBy::Scheduled, T1.into());
    w.store
        .insert_run(&scheduled, &c, None, &owner(ME), 1_000)
        .unwrap();
    assert_eq!(w.store.get_run("a").unwrap(), manual);
    assert_eq!(w.store.get_run("b").unwrap(), scheduled);
    assert_eq!(w.store.newest_run_seq().unwrap(), 2);
    let keyed: Vec<(i64, String)> = w
        .store
        .list_runs_keyed(&first(10))
        .unwrap()
        .into_iter()
        .map(|(seq, r)| (seq, r.id))
        .collect();
    assert_eq!(keyed, [(2, "b".into()), (1, "a".into())]);
    assert!(matches!(
        w.store.get_run("nope"),
        Err(StoreError::NotFound { kind: "run", .. })
    ));
}

#[test]
fn only_its_owner_starts_a_queued_run_and_only_once() {
    let w = Workspace::new();
    queue(&w.store, "a", &config("c"), ME);
    assert!(!w.store.mark_running("a", T1, 10, "someone-else").unwrap());
    assert_eq!(status(&w, "a"), RunStatus::Queued);

    assert!(w.store.mark_running("a", T1, 10, ME).unwrap());
    let run = w.store.get_run("a").unwrap();
    assert_eq!(run.status, RunStatus::Running);
    assert_eq!(run.started_at.as_deref(), Some(T1));
    assert_eq!(
        (run.rows_processed, run.rows_total, run.rows_matched),
        (Some(0), Some(10), Some(0))
    );
    assert_eq!(run.avg_confidence, None);

    assert!(!w.store.mark_running("a", T2, 10, ME).unwrap());
    // A started run is cancelled by its owner, not by the queue.
    assert!(!w.store.cancel_queued("a", T2).unwrap());
    assert_eq!(status(&w, "a"), RunStatus::Running);
}

#[test]
fn a_queued_run_that_is_cancelled_never_starts() {
    let w = Workspace::new();
    queue(&w.store, "a", &config("c"), ME);
    assert!(w.store.cancel_queued("a", T2).unwrap());
    let run = w.store.get_run("a").unwrap();
    assert_eq!(run.status, RunStatus::Cancelled);
    assert_eq!(
        (run.started_at, run.completed_at.as_deref()),
        (None, Some(T2))
    );
    assert!(!w.store.cancel_queued("a", T3).unwrap());
    assert!(!w.store.mark_running("a", T3, 10, ME).unwrap());
    assert_eq!(status(&w, "a"), RunStatus::Cancelled);
    assert!(!w.store.cancel_queued("nope", T2).unwrap());
}

#[test]
fn a_run_finished_with_counters_keeps_them_as_final() {
    let w = Workspace::new();
    start(&w.store, "a", &config("c"), 10);
    write(&w.store, "a", &[doc("d1", &[("r1", 0.9)])]);
    let last = RunCounters {
        rows_processed: 10,
        rows_total: 10,
        rows_matched: 8,
        matched_confidence_sum: 6.0,
        pairs_compared: Some(345),
    };
    w.store
        .finish_run("a", RunStatus::Completed, T3, None, Some(last))
        .unwrap();
    let run = w.store.get_run("a").unwrap();
    assert_eq!(run.status, RunStatus::Completed);
    assert_eq!((run.completed_at.as_deref(), run.error), (Some(T3), None));
    assert_eq!(
        (run.rows_processed, run.rows_total, run.rows_matched),
        (Some(10), Some(10), Some(8))
    );
    assert_eq!(run.avg_confidence, Some(0.75));
    assert_eq!(run.pairs_compared, Some(345));
}

#[test]
fn a_run_ended_without_counters_counts_the_results_it_stored() {
    let w = Workspace::new();
    start(&w.store, "a", &config("c"), 100);
    // Live counters run ahead of the results on disk.
    let live = LiveProgress {
        run_id: "a".into(),
        phase: Phase::Matching,
        phase_progress: 80,
        rows_processed: 80,
        rows_total: 100,
        rows_matched: 70,
        eta_seconds: Some(2),
    };
    w.store
        .renew_leases(&owner(ME), 2_000, &[live], &[])
        .unwrap();
    let docs = [
        doc("d1", &[("r1", 0.9)]),
        doc("d2", &[("r2", 0.95)]),
        doc("d3", &[("r3", 0.6)]),
    ];
    w.store
        .write_results("a", &batch("a", &docs), counters_of(&docs, 100))
        .unwrap();
    w.store
        .finish_run("a", RunStatus::Failed, T3, Some("disk full"), None)
        .unwrap();
    let run = w.store.get_run("a").unwrap();
    assert_eq!(run.status, RunStatus::Failed);
    assert_eq!(run.error.as_deref(), Some("disk full"));
    assert_eq!(
        (run.rows_processed, run.rows_total, run.rows_matched),
        (Some(3), Some(100), Some(2))
    );
    assert_eq!(run.avg_confidence, Some((0.9 + 0.95) / 2.0));

    start(&w.store, "b", &config("c"), 5);
    w.store
        .finish_run("b", RunStatus::Cancelled, T3, None, None)
        .unwrap();
    let run = w.store.get_run("b").unwrap();
    assert_eq!(run.status, RunStatus::Cancelled);
    assert_eq!((run.rows_processed, run.rows_matched), (Some(0), Some(0)));
    assert_eq!((run.avg_confidence, run.error), (None, None));
}

#[test]
fn finishing_a_run_that_does_not_exist_is_not_found() {
    let w = Workspace::new();
    let finished = w
        .store
        .finish_run("nope", RunStatus::Completed, T3, None, None);
    assert!(matches!(
        finished,
        Err(StoreError::NotFound { kind: "run", .. })
    ));
}

#[test]
fn runs_list_newest_first_by_config_and_status_in_pages() {
    let w = Workspace::new();
    let (c, d) = (config("c"), config("d"));
    for (id, cfg) in [("r1", &c), ("r2", &d), ("r3", &c), ("r4", &c), ("r5", &d)] {
        queue(&w.store, id, cfg, ME);
    }
    assert!(w.store.cancel_queued("r3", T1).unwrap());
    assert!(w.store.mark_running("r4", T1, 1, ME).unwrap());
    let list = |q: RunListQuery| ids(w.store.list_runs(&q).unwrap());
    let of_c = RunListQuery {
        config_id: Some("c".into()),
        ..first(10)
    };
    let queued = RunListQuery {
        status: Some(RunStatus::Queued),
        ..first(10)
    };
    assert_eq!(list(first(10)), ["r5", "r4", "r3", "r2", "r1"]);
    assert_eq!(list(of_c.clone()), ["r4", "r3", "r1"]);
    assert_eq!(list(queued.clone()), ["r5", "r2", "r1"]);
    let both = RunListQuery {
        status: Some(RunStatus::Queued),
        ..of_c.clone()
    };
    assert_eq!(list(both), ["r1"]);

    let page = RunListQuery {
        offset: 1,
        ..first(2)
    };
    assert_eq!(list(page), ["r4", "r3"]);
    let after_r4 = RunListQuery {
        before_seq: Some(4),
        ..first(2)
    };
    assert_eq!(list(after_r4.clone()), ["r3", "r2"]);
    // A count covers the whole filter, whatever page or cursor it comes with.
    assert_eq!(w.store.count_runs(&after_r4).unwrap(), 5);
    assert_eq!(w.store.count_runs(&of_c).unwrap(), 3);
    assert_eq!(w.store.count_runs(&queued).unwrap(), 3);
}

#[test]
fn a_run_keeps_the_config_it_was_made_with() {
    let w = Workspace::new();
    let c = config("c");
    w.store.insert_config(&c).unwrap();
    start(&w.store, "a", &c, 1);

    let mut edited = c.clone();
    edited.name = "renamed".into();
    edited.threshold = 0.6;
    edited.field_mappings.push(FieldMapping::new(
        "vendor",
        "supplier",
        Strategy::Fuzzy,
        1.0,
    ));
    edited.updated_at = T2.into();
    edited.blocking_keys = Some(vec![BlockingKey {
        fields: vec!["vendor".into()],
    }]);
    edited.blocking_strategy = Some(BlockingStrategy::OrderedFallback);
    w.store.update_config(&edited).unwrap();
    assert_eq!(w.store.get_config("c").unwrap(), edited);
    let stored = w.store.get_stored_run("a").unwrap();
    assert_eq!(stored.config, c);
    assert_eq!(stored.run.config_name, "config c");
    // Results unpack with the snapshot's three fields, not the edited config's four.
    write(&w.store, "a", &[doc("d1", &[("r1", 0.9)])]);
    let result = w.store.get_result("a", &rid("a", "d1")).unwrap();
    assert_eq!(result.evidence.map(|e| e.len()), Some(3));

    w.store.delete_config("c").unwrap();
    assert!(matches!(
        w.store.get_config("c"),
        Err(StoreError::NotFound { .. })
    ));
    assert_eq!(w.store.get_stored_run("a").unwrap().config, c);
    let of_c = RunListQuery {
        config_id: Some("c".into()),
        ..first(10)
    };
    assert_eq!(ids(w.store.list_runs(&of_c).unwrap()), ["a"]);
}

#[test]
fn a_run_keeps_the_block_sizes_of_its_reference_data() {
    let w = Workspace::new();
    let c = config("c");
    w.store.insert_config(&c).unwrap();
    start(&w.store, "a", &c, 1);
    start(&w.store, "b", &c, 1);
    // Runs from before block sizes were recorded, or stopped before the index, have none.
    assert_eq!(w.store.run_block_sizes("a").unwrap(), None);
    assert_eq!(w.store.latest_block_sizes("c").unwrap(), None);
    let sizes = |largest: u64| BlockSizes {
        compared_whole_up_to: 16,
        walked_up_to: 4_096,
        fields: vec![FieldBlockSizes {
            source: "surname".into(),
            target: "surname".into(),
            values: 7,
            rows_with_value: 28,
            largest,
            largest_value: Some("smith".into()),
            median: 20,
            p99: 20,
            rows_over_compared_whole: 20,
            rows_over_walked: 0,
        }],
    };
    w.store.set_run_block_sizes("a", &sizes(20)).unwrap();
    assert_eq!(w.store.run_block_sizes("a").unwrap(), Some(sizes(20)));
    assert_eq!(w.store.run_block_sizes("b").unwrap(), None);
    assert_eq!(
        w.store.latest_block_sizes("c").unwrap(),
        Some(("a".into(), sizes(20)))
    );
    // The newest run that has them, not merely the newest run.
    w.store.set_run_block_sizes("b", &sizes(21)).unwrap();
    start(&w.store, "c3", &c, 1);
    assert_eq!(
        w.store.latest_block_sizes("c").unwrap(),
        Some(("b".into(), sizes(21)))
    );
    assert!(matches!(
        w.store.run_block_sizes("nope"),
        Err(StoreError::NotFound { kind: "run", .. })
    ));
    assert!(matches!(
        w.store.set_run_block_sizes("nope", &sizes(1)),
        Err(StoreError::NotFound { kind: "run", .. })
    ));
}

#[test]
fn a_config_has_an_active_run_while_one_is_queued_or_running() {
    let w = Workspace::new();
    let c = config("c");
    let active = |id: &str| w.store.config_has_active_run(id).unwrap();
    assert!(!active("c"));
    queue(&w.store, "a", &c, ME);
    assert!(active("c"));
    assert!(w.store.mark_running("a", T1, 1, ME).unwrap());
    assert!(active("c"));
    assert!(!active("d"));
    w.store
        .finish_run("a", RunStatus::Completed, T2, None, None)
        .unwrap();
    assert!(!active("c"));
    queue(&w.store, "b", &c, ME);
    assert!(w.store.cancel_queued("b", T2).unwrap());
    assert!(!active("c"));
}

#[test]
fn a_restart_finds_the_queued_and_running_runs_oldest_first() {
    let w = Workspace::new();
    let c = config("c");
    queue(&w.store, "q1", &c, "old");
    start(&w.store, "running", &c, 1);
    queue(&w.store, "q2", &c, "old");
    start(&w.store, "done", &c, 1);
    w.store
        .finish_run("done", RunStatus::Completed, T2, None, None)
        .unwrap();

    let w = w.reopen();
    assert_eq!(w.store.newest_run_seq().unwrap(), 4);
    let active = w.store.active_runs().unwrap();
    let found: Vec<(&str, RunStatus)> = active
        .iter()
        .map(|r| (r.run.id.as_str(), r.run.status))
        .collect();
    assert_eq!(
        found,
        [
            ("q1", RunStatus::Queued),
            ("running", RunStatus::Running),
            ("q2", RunStatus::Queued)
        ]
    );
    let lease = active[0]
        .lease
        .clone()
        .expect("a queued run names its owner");
    assert_eq!((&lease.owner, lease.heartbeat_ms), (&owner("old"), 1_000));

    // The new process takes a queued run over and may then start it.
    let new = owner("new");
    assert!(w
        .store
        .adopt_queued("q1", Some(&lease), &new, 9_000)
        .unwrap());
    assert!(w.store.mark_running("q1", T3, 1, "new").unwrap());
}
