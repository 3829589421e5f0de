//! End-to-end workflow of the service on a real SQLite file: import, config, run, results, review,
//! reopen; cancellation; malformed input; recovery after a crash.

use std::path::{Path, PathBuf};
use std::time::Duration;

use engine::{DatasetKind, ReviewStatus, RunStatus, Strategy, TriggeredBy};
use service::{ErrorCode, ResultQuery, ReviewInput, RunFilter, ServiceError, Workspace};

mod common;
use common::{
    fixture, import, import_request, import_small_invoices, invoice_config, open,
    run_to_completion, runtime, TestRuntime, WAIT,
};

#[test]
fn import_config_run_review_then_reopen_finds_everything() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("work.sqlite");

    let (run_id, approved_id, rejected_id, doc_count, config_id);
    {
        let ws = open(&rt, &path);
        let (pos, docs) = import_small_invoices(&ws);
        assert_eq!(
            pos.columns
                .iter()
                .find(|c| c.name == "net_amount")
                .unwrap()
                .kind,
            "number"
        );
        assert_eq!(docs.filename_column.as_deref(), Some("document_filename"));
        doc_count = docs.row_count;

        let config = ws
            .create_config(&invoice_config(&pos.id, &docs.id))
            .unwrap();
        config_id = config.id.clone();
        let run = ws.start_run(&config.id, TriggeredBy::Manual).unwrap();
        assert_eq!(run.status, RunStatus::Queued);
        assert_eq!(run.rows_processed, None);
        let run = ws.wait_for_run(&run.id, WAIT).unwrap();
        assert_eq!(run.status, RunStatus::Completed, "{:?}", run.error);
        assert_eq!(run.rows_processed, Some(doc_count));
        assert!(run.rows_matched.unwrap() > 0);
        assert!(run.started_at.is_some() && run.completed_at.is_some());
        let avg = run.avg_confidence.unwrap();
        assert!(
            (0.7..=1.0).contains(&avg),
            "avg over matched rows must be at least the threshold: {avg}"
        );
        run_id = run.id.clone();

        let progress = ws.run_progress(&run_id).unwrap();
        assert_eq!(
            (progress.status, progress.phase_progress),
            (RunStatus::Completed, 100)
        );
        assert_eq!(progress.rows_processed, doc_count);

        let detail = ws.get_run(&run_id).unwrap();
        assert_eq!(detail.results.len() as u64, doc_count.min(50));
        assert!(detail
            .results
            .windows(2)
            .all(|w| w[0].confidence >= w[1].confidence));
        let best = &detail.results[0];
        assert!(best.candidates.len() <= 5 && !best.candidates.is_empty());
        assert_eq!(
            best.matched_reference_row_id.as_deref(),
            Some(best.candidates[0].reference_row_id.as_str())
        );
        let evidence = best.evidence.as_ref().unwrap();
        assert_eq!(evidence.len(), 4);
        assert_eq!(evidence[0].strategy, Strategy::Fuzzy);
        assert_eq!(&*evidence[2].target, "net_amount");
        // Amounts come with a note in business terms, kept through the store's packed form.
        assert!(
            matches!(evidence[2].note, Some(engine::FieldNote::Amount { .. })),
            "{:?}",
            evidence[2]
        );
        assert!(evidence[0].note.is_none(), "no note on a fuzzy field");
        assert!(evidence.iter().all(|e| (0.0..=1.0).contains(&e.score)));
        let unmatched = ws
            .list_results(
                &run_id,
                &ResultQuery {
                    limit: Some(500),
                    ..Default::default()
                },
            )
            .unwrap()
            .data
            .into_iter()
            .filter(|r| r.matched_reference_row_id.is_none())
            .count();
        assert_eq!(unmatched as u64, doc_count - run.rows_matched.unwrap());

        approved_id = detail.results[0].id.clone();
        rejected_id = detail.results[1].id.clone();
        let r = ws
            .review_result(
                &run_id,
                &approved_id,
                &ReviewInput {
                    status: ReviewStatus::Rejected,
                    notes: Some("first look".into()),
                    reference_row_id: None,
                },
            )
            .unwrap();
        assert_eq!(r.status, ReviewStatus::Rejected);
        // Re-review is allowed and overwrites status and notes.
        let r = ws
            .review_result(
                &run_id,
                &approved_id,
                &ReviewInput {
                    status: ReviewStatus::Approved,
                    notes: Some("PO confirmed by phone".into()),
                    reference_row_id: None,
                },
            )
            .unwrap();
        assert_eq!(
            (r.status, r.notes.as_deref()),
            (ReviewStatus::Approved, Some("PO confirmed by phone"))
        );
        assert!(r.reviewed_at.is_some());
        ws.review_result(
            &run_id,
            &rejected_id,
            &ReviewInput {
                status: ReviewStatus::Rejected,
                notes: None,
                reference_row_id: None,
            },
        )
        .unwrap();
        let pending = ReviewInput {
            status: ReviewStatus::Pending,
            notes: None,
            reference_row_id: None,
        };
        let err = ws
            .review_result(&run_id, &rejected_id, &pending)
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::ValidationError);
    }

    // Everything is still there after closing and reopening the file.
    let ws = open(&rt, &path);
    assert_eq!(ws.list_datasets().unwrap().len(), 2);
    assert_eq!(ws.get_config(&config_id).unwrap().field_mappings.len(), 4);
    let runs = ws.list_runs(&RunFilter::default()).unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].status, RunStatus::Completed);
    let approved = ws
        .list_results(
            &run_id,
            &ResultQuery {
                status: Some(ReviewStatus::Approved),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(approved.total, 1);
    assert_eq!(approved.data[0].id, approved_id);
    assert_eq!(
        approved.data[0].notes.as_deref(),
        Some("PO confirmed by phone")
    );
    let rejected = ws
        .list_results(
            &run_id,
            &ResultQuery {
                status: Some(ReviewStatus::Rejected),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(
        rejected
            .data
            .iter()
            .map(|r| r.id.as_str())
            .collect::<Vec<_>>(),
        vec![rejected_id.as_str()]
    );
    let log = ws.result_decisions(&approved_id).unwrap();
    let steps: Vec<_> = log.iter().map(|d| (d.previous_status, d.status)).collect();
    assert_eq!(
        steps,
        vec![
            (ReviewStatus::Pending, ReviewStatus::Rejected),
            (ReviewStatus::Rejected, ReviewStatus::Approved)
        ]
    );
    assert_eq!(log[0].notes.as_deref(), Some("first look"));
    assert_eq!(log[1].decided_by, "tester");
    let all = ws.list_results(&run_id, &ResultQuery::default()).unwrap();
    assert_eq!(all.total, doc_count);
}

/// Writes a generated data set big enough that a run takes a while, and imports it.
fn big_workspace(rt: &TestRuntime, dir: &Path) -> (Workspace, String, u64) {
    let data = datagen::demo::generate(&datagen::demo::DemoSpec {
        purchase_orders: 20_000,
        invoices: 20_000,
        seed: 7,
    });
    let pos: PathBuf = dir.join("pos.csv");
    let inv: PathBuf = dir.join("invoices.csv");
    std::fs::write(&pos, data.purchase_orders_csv).unwrap();
    std::fs::write(&inv, data.invoices_csv).unwrap();
    let ws = open(rt, &dir.join("big.sqlite"));
    let r = import(&ws, &pos, DatasetKind::Reference, "po_id");
    let d = import(&ws, &inv, DatasetKind::Documents, "document_id");
    let config = ws.create_config(&invoice_config(&r.id, &d.id)).unwrap();
    (ws, config.id, d.row_count)
}

#[test]
fn cancel_mid_run_keeps_partial_results_and_refuses_a_second_cancel() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let (ws, config_id, total) = big_workspace(&rt, dir.path());
    let run = ws.start_run(&config_id, TriggeredBy::Manual).unwrap();
    // Wait until the first batch of results is on disk, then cancel.
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let written = ws
            .list_results(
                &run.id,
                &ResultQuery {
                    limit: Some(1),
                    ..Default::default()
                },
            )
            .unwrap()
            .total;
        if written > 0 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "no results appeared");
        std::thread::sleep(Duration::from_millis(2));
    }
    let cancelled = ws.cancel_run(&run.id).unwrap();
    assert_eq!(cancelled.status, RunStatus::Cancelled);
    assert!(cancelled.completed_at.is_some());
    let processed = cancelled.rows_processed.unwrap();
    assert!(
        processed > 0 && processed < total,
        "processed {processed} of {total}"
    );
    let kept = ws
        .list_results(&run.id, &ResultQuery::default())
        .unwrap()
        .total;
    assert_eq!(
        kept, processed,
        "every processed document has its result, and no more"
    );

    let err = ws.cancel_run(&run.id).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict);
    assert!(err.to_string().contains("cancelled"), "{err}");
}

#[test]
fn a_queued_run_can_be_cancelled_and_a_completed_one_cannot() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let (ws, config_id, _) = big_workspace(&rt, dir.path());
    // One worker runs runs in order, so the second waits in the queue behind the first.
    let first = ws.start_run(&config_id, TriggeredBy::Manual).unwrap();
    let second = ws.start_run(&config_id, TriggeredBy::Manual).unwrap();
    let cancelled = ws.cancel_run(&second.id).unwrap();
    assert_eq!(cancelled.status, RunStatus::Cancelled);
    assert_eq!(cancelled.started_at, None);
    // It never built an index, so it has no block sizes to show.
    assert_eq!(ws.run_summary(&second.id).unwrap().block_sizes, None);
    assert_eq!(
        ws.list_results(&second.id, &ResultQuery::default())
            .unwrap()
            .total,
        0
    );

    let done = ws.wait_for_run(&first.id, WAIT).unwrap();
    assert_eq!(done.status, RunStatus::Completed);
    match ws.cancel_run(&first.id) {
        Err(ServiceError::Conflict(m)) => assert!(m.contains("completed"), "{m}"),
        other => panic!("expected a conflict, got {other:?}"),
    }
    // The worker passes over the cancelled run (it never starts) and goes on with the next one.
    let third = ws.start_run(&config_id, TriggeredBy::Manual).unwrap();
    assert_eq!(
        ws.wait_for_run(&third.id, WAIT).unwrap().status,
        RunStatus::Completed
    );
    let second = ws
        .list_runs(&RunFilter::default())
        .unwrap()
        .into_iter()
        .find(|r| r.id == second.id)
        .unwrap();
    assert_eq!(
        (second.status, second.started_at),
        (RunStatus::Cancelled, None)
    );
}

#[test]
fn malformed_csv_is_rejected_with_file_row_and_column_and_changes_nothing() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.sqlite");
    let ws = open(&rt, &path);
    import(
        &ws,
        fixture("pos_small.csv"),
        DatasetKind::Reference,
        "po_id",
    );
    let before = ws.info().unwrap();
    let err = ws
        .import_dataset(&import_request(
            fixture("malformed_extra_field.csv"),
            DatasetKind::Documents,
        ))
        .unwrap_err();
    let api = service::ApiError::from(err);
    assert_eq!(api.code, ErrorCode::ImportError);
    assert_eq!(api.file.as_deref(), Some("malformed_extra_field.csv"));
    assert_eq!(api.row, Some(4));
    assert!(api.column.is_some());
    assert!(
        api.message.contains("malformed_extra_field.csv") && api.message.contains("row 4"),
        "{}",
        api.message
    );
    assert_eq!(ws.info().unwrap(), before);

    // A duplicate id deep in a file: nothing of that file stays behind.
    let dup = dir.path().join("dup.csv");
    std::fs::write(
        &dup,
        "po_id,vendor_name\npo_1,Acme\npo_2,Globex\npo_1,Initech\n",
    )
    .unwrap();
    let mut req = import_request(&dup, DatasetKind::Reference);
    req.id_column = Some("po_id".into());
    let err = ws.import_dataset(&req).unwrap_err();
    let api = service::ApiError::from(err);
    assert_eq!((api.row, api.column.as_deref()), (Some(4), Some("po_id")));
    assert_eq!(ws.info().unwrap(), before);
    drop(ws);
    assert_eq!(open(&rt, &path).info().unwrap(), before);
}

#[test]
fn a_run_interrupted_by_a_crash_is_marked_failed_at_next_start() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.sqlite");
    let run_id;
    {
        let ws = open(&rt, &path);
        let (pos, docs) = import_small_invoices(&ws);
        let config = ws
            .create_config(&invoice_config(&pos.id, &docs.id))
            .unwrap();
        run_id = ws.start_run(&config.id, TriggeredBy::Manual).unwrap().id;
        ws.wait_for_run(&run_id, WAIT).unwrap();
    }
    // Put the run back into "running" behind the service's back, as a crash mid-run leaves it.
    {
        let store = store::Store::open(&path).unwrap();
        store
            .finish_run(
                &run_id,
                RunStatus::Running,
                "2026-01-01T00:00:00.000Z",
                None,
                None,
            )
            .unwrap();
    }
    let ws = open(&rt, &path);
    let run = ws.list_runs(&RunFilter::default()).unwrap().remove(0);
    assert_eq!(run.status, RunStatus::Failed);
    assert!(run.error.unwrap().contains("interrupted"));
    // Its results so far are still readable.
    assert!(
        ws.list_results(&run_id, &ResultQuery::default())
            .unwrap()
            .total
            > 0
    );
}

#[test]
fn config_validation_names_the_field_and_unknown_ids_are_not_found() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let ws = open(&rt, &dir.path().join("w.sqlite"));
    let (pos, docs) = import_small_invoices(&ws);
    let mut input = invoice_config(&pos.id, &docs.id);
    input.field_mappings[2].weight = 0.5;
    let api = service::ApiError::from(ws.create_config(&input).unwrap_err());
    assert_eq!(
        (api.code, api.field.as_deref()),
        (ErrorCode::ValidationError, Some("field_mappings"))
    );
    let mut input = invoice_config(&pos.id, &docs.id);
    input.field_mappings[1].target = "po_nmber".into();
    let api = service::ApiError::from(ws.create_config(&input).unwrap_err());
    assert_eq!(api.field.as_deref(), Some("field_mappings[1].target"));
    let input = invoice_config("no-such-dataset", &docs.id);
    assert_eq!(
        ws.create_config(&input).unwrap_err().code(),
        ErrorCode::NotFound
    );
    assert_eq!(
        ws.start_run("no-such-config", TriggeredBy::Manual)
            .unwrap_err()
            .code(),
        ErrorCode::NotFound
    );
    assert_eq!(
        ws.cancel_run("no-such-run").unwrap_err().code(),
        ErrorCode::NotFound
    );
}

#[test]
fn undo_restores_status_match_and_notes_and_redo_reapplies() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("work.sqlite");
    let ws = open(&rt, &path);
    let (pos, docs) = import_small_invoices(&ws);
    let config = ws
        .create_config(&invoice_config(&pos.id, &docs.id))
        .unwrap();
    let run = run_to_completion(&ws, &config.id);
    let results = ws
        .list_results(
            &run.id,
            &ResultQuery {
                limit: Some(500),
                ..Default::default()
            },
        )
        .unwrap()
        .data;
    let r = results
        .iter()
        .find(|r| r.candidates.len() >= 2)
        .expect("a result with two candidates");
    let original_match = r.matched_reference_row_id.clone();
    let second = r.candidates[1].reference_row_id.clone();
    let decisions_of = |id: &str| ws.result_decisions(id).unwrap();

    // Approve the second candidate with a note, then undo: pending, first match, no note.
    let approved = ws
        .review_result(
            &run.id,
            &r.id,
            &ReviewInput {
                status: ReviewStatus::Approved,
                notes: Some("same PO, typo in the number".into()),
                reference_row_id: Some(second.clone()),
            },
        )
        .unwrap();
    assert_eq!(
        approved.matched_reference_row_id.as_deref(),
        Some(second.as_str())
    );
    let approval = decisions_of(&r.id).pop().unwrap();
    let undone = ws.revert_decision(&run.id, &r.id, &approval.id).unwrap();
    assert_eq!(undone.status, ReviewStatus::Pending);
    assert_eq!(undone.matched_reference_row_id, original_match);
    assert_eq!(undone.notes, None);
    assert_eq!(undone.reviewed_at, None);
    let undo = decisions_of(&r.id).pop().unwrap();
    assert_eq!(undo.reverts.as_deref(), Some(approval.id.as_str()));
    assert_eq!(
        (undo.previous_status, undo.status),
        (ReviewStatus::Approved, ReviewStatus::Pending)
    );

    // Only the latest decision can be undone.
    let stale = ws
        .revert_decision(&run.id, &r.id, &approval.id)
        .unwrap_err();
    assert_eq!(stale.code(), ErrorCode::Conflict, "{stale}");

    // Redo is undoing the undo: approved, second candidate, the note back; durable on reopen.
    let redone = ws.revert_decision(&run.id, &r.id, &undo.id).unwrap();
    assert_eq!(redone.status, ReviewStatus::Approved);
    assert_eq!(
        redone.matched_reference_row_id.as_deref(),
        Some(second.as_str())
    );
    assert_eq!(redone.notes.as_deref(), Some("same PO, typo in the number"));
    drop(ws);
    let ws = open(&rt, &path);
    let reopened = ws.get_result(&run.id, &r.id).unwrap();
    assert_eq!(reopened.status, ReviewStatus::Approved);
    assert_eq!(
        reopened.matched_reference_row_id.as_deref(),
        Some(second.as_str())
    );
    assert_eq!(ws.result_decisions(&r.id).unwrap().len(), 3);

    // An undone rejection no longer keeps the pair out of later runs.
    let rejected = ws
        .review_result(
            &run.id,
            &r.id,
            &ReviewInput {
                status: ReviewStatus::Rejected,
                notes: None,
                reference_row_id: Some(second.clone()),
            },
        )
        .unwrap();
    assert_eq!(rejected.status, ReviewStatus::Rejected);
    let rejection = ws.result_decisions(&r.id).unwrap().pop().unwrap();
    let rerun = ws.start_run(&config.id, TriggeredBy::Manual).unwrap();
    let rerun = ws.wait_for_run(&rerun.id, WAIT).unwrap();
    let proposed = |run_id: &str| {
        ws.list_results(
            run_id,
            &ResultQuery {
                limit: Some(500),
                ..Default::default()
            },
        )
        .unwrap()
        .data
        .into_iter()
        .find(|x| x.document_id == r.document_id)
        .unwrap()
        .candidates
        .iter()
        .any(|c| c.reference_row_id == second)
    };
    assert!(
        !proposed(&rerun.id),
        "a rejected pair is not proposed again"
    );
    ws.revert_decision(&run.id, &r.id, &rejection.id).unwrap();
    let rerun = ws.start_run(&config.id, TriggeredBy::Manual).unwrap();
    let rerun = ws.wait_for_run(&rerun.id, WAIT).unwrap();
    assert!(
        proposed(&rerun.id),
        "undoing the rejection lets the pair be proposed again"
    );
}

#[test]
fn a_run_summary_has_the_block_sizes_of_its_reference_data() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let ws = open(&rt, &dir.path().join("w.sqlite"));
    // Surnames: "Smith" 20 times (in two spellings that prepare alike), "Jones" 4 times, six
    // once, two rows without one. Cities: "Springfield" 3 times, "Shelbyville" twice, the rest
    // once each.
    let mut surnames: Vec<String> = vec!["Smith".into(); 18];
    surnames.extend(["SMITH".into(), " smith ".into()]);
    surnames.extend(vec!["Jones".to_string(); 4]);
    surnames.extend(["Adams", "Baker", "Clark", "Dunn", "Evans", "Frost"].map(String::from));
    surnames.extend(["".to_string(), "".to_string()]);
    let mut reference = String::from("id,surname,city\n");
    for (i, surname) in surnames.iter().enumerate() {
        let city = match i {
            0..=2 => "Springfield".to_string(),
            3..=4 => "Shelbyville".to_string(),
            _ => format!("Town {i}"),
        };
        reference.push_str(&format!("r{i},\"{surname}\",{city}\n"));
    }
    let reference_path = dir.path().join("people.csv");
    std::fs::write(&reference_path, reference).unwrap();
    let documents_path = dir.path().join("documents.csv");
    std::fs::write(
        &documents_path,
        "doc,surname,city\nd1,Smith,Springfield\nd2,Jones,Town 20\nd3,Frost,Town 29\n",
    )
    .unwrap();
    let people = import(&ws, &reference_path, DatasetKind::Reference, "id");
    let documents = import(&ws, &documents_path, DatasetKind::Documents, "doc");
    let surname = engine::FieldMapping::new("surname", "surname", Strategy::Exact, 0.6);
    let mut city = engine::FieldMapping::new("city", "city", Strategy::Fuzzy, 0.4);
    city.similarity_threshold = Some(0.8);
    let config = ws
        .create_config(&engine::ConfigInput {
            name: "People".into(),
            reference_data_id: people.id.clone(),
            document_set_id: Some(documents.id.clone()),
            field_mappings: vec![surname, city],
            threshold: Some(0.7),
            review_floor: Some(0.4),
            one_to_one: None,
            schedule: None,
            blocking_keys: None,
            blocking_strategy: None,
        })
        .unwrap();
    let run = run_to_completion(&ws, &config.id);

    let sizes = ws
        .run_summary(&run.id)
        .unwrap()
        .block_sizes
        .expect("a finished run has its block sizes");
    assert_eq!(
        (sizes.compared_whole_up_to, sizes.walked_up_to),
        (16, 4_096)
    );
    assert_eq!(sizes.fields.len(), 2);
    let surname = &sizes.fields[0];
    assert_eq!(surname.source, "surname");
    assert_eq!((surname.values, surname.rows_with_value), (8, 30));
    assert_eq!(
        (surname.largest, surname.largest_value.as_deref()),
        (20, Some("smith"))
    );
    // Weighted by rows: 20 of the 30 rows sit in the block of "smith".
    assert_eq!((surname.median, surname.p99), (20, 20));
    assert_eq!(
        (surname.rows_over_compared_whole, surname.rows_over_walked),
        (20, 0)
    );
    let city = &sizes.fields[1];
    assert_eq!((city.values, city.rows_with_value), (29, 32));
    assert_eq!(
        (city.largest, city.largest_value.as_deref()),
        (3, Some("springfield"))
    );
    assert_eq!((city.median, city.p99), (1, 3));
    assert_eq!(city.rows_over_compared_whole, 0);
    assert_eq!(ws.run_block_sizes(&run.id).unwrap(), Some(sizes.clone()));
    assert_eq!(
        ws.latest_block_sizes(&config.id).unwrap(),
        Some((run.id.clone(), sizes))
    );
}

#[test]
fn progress_never_shows_a_run_running_once_the_file_shows_it_ended() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let ws = open(&rt, &dir.path().join("work.sqlite"));
    let (pos, docs) = import_small_invoices(&ws);
    let config = ws
        .create_config(&invoice_config(&pos.id, &docs.id))
        .unwrap();
    // A run's end is written to the file a moment before its live progress is dropped; polled
    // through that moment, progress must already say what the file says.
    for _ in 0..5 {
        let run = ws.start_run(&config.id, TriggeredBy::Manual).unwrap();
        loop {
            let stored = ws.run_record(&run.id).unwrap();
            let progress = ws.run_progress(&run.id).unwrap();
            if !stored.status.is_active() {
                assert_eq!(
                    (progress.status, progress.phase_progress),
                    (stored.status, 100)
                );
                break;
            }
        }
    }
}
