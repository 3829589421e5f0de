//! The review desk's backend on a real SQLite file: queue filters and sorting, counters, bulk
//! approval with its undo and redo, the run summary's histogram, runs paging, the "try on 20
//! documents" preview and the export to CSV and XLSX.

use engine::{ReviewStatus, RunStatus, TriggeredBy};
use service::{
    BulkApproveInput, ErrorCode, ExportFormat, ExportRequest, ResultQuery, ResultSort, ReviewInput,
    RunFilter, Workspace,
};

mod common;
use common::{import_small_invoices, invoice_config, open, run_to_completion, runtime, WAIT};

/// A workspace with the small fixtures and one completed run of the invoice config.
fn completed_run(ws: &Workspace) -> (String, String) {
    let (pos, docs) = import_small_invoices(ws);
    let config = ws
        .create_config(&invoice_config(&pos.id, &docs.id))
        .unwrap();
    let run = run_to_completion(ws, &config.id);
    (run.id, config.id)
}

fn all(ws: &Workspace, run_id: &str, q: ResultQuery) -> Vec<engine::MatchResult> {
    ws.list_results(
        run_id,
        &ResultQuery {
            limit: Some(500),
            ..q
        },
    )
    .unwrap()
    .data
}

#[test]
fn queue_filters_by_confidence_and_text_and_sorts() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let ws = open(&rt, &dir.path().join("w.sqlite"));
    let (run_id, _) = completed_run(&ws);
    let every = all(&ws, &run_id, ResultQuery::default());
    assert!(every.len() >= 10);

    // Confidence range: inclusive bounds, and exactly the results inside.
    let (lo, hi) = (0.5, 0.9);
    let inside = all(
        &ws,
        &run_id,
        ResultQuery {
            min_confidence: Some(lo),
            max_confidence: Some(hi),
            ..Default::default()
        },
    );
    let expected: Vec<_> = every
        .iter()
        .filter(|r| r.confidence >= lo && r.confidence <= hi)
        .map(|r| r.id.clone())
        .collect();
    assert_eq!(
        inside.iter().map(|r| r.id.clone()).collect::<Vec<_>>(),
        expected
    );

    // Text search finds a document by a value on the reference side only (a PO's vendor spelling)
    // and by a value of the document; case does not matter.
    let doc1 = every.iter().find(|r| r.document_id == "doc_1").unwrap();
    let ref_value = doc1.candidates[0].evidence[0].target_value.to_lowercase();
    let hits = all(
        &ws,
        &run_id,
        ResultQuery {
            search: Some(ref_value.to_uppercase()),
            ..Default::default()
        },
    );
    assert!(hits.iter().any(|r| r.document_id == "doc_1"), "{ref_value}");
    let by_id = all(
        &ws,
        &run_id,
        ResultQuery {
            search: Some("DOC_1".into()),
            ..Default::default()
        },
    );
    assert!(by_id.iter().all(|r| r.document_id.contains("doc_1")));
    assert!(!by_id.is_empty());
    // A wildcard character is literal, not LIKE's "any".
    let none = all(
        &ws,
        &run_id,
        ResultQuery {
            search: Some("%".into()),
            ..Default::default()
        },
    );
    assert!(none.is_empty());

    // Sorts.
    let asc = all(
        &ws,
        &run_id,
        ResultQuery {
            sort: Some(ResultSort::ConfidenceAsc),
            ..Default::default()
        },
    );
    assert!(asc.windows(2).all(|w| w[0].confidence <= w[1].confidence));
    let by_doc = all(
        &ws,
        &run_id,
        ResultQuery {
            sort: Some(ResultSort::Document),
            ..Default::default()
        },
    );
    assert!(by_doc
        .windows(2)
        .all(|w| w[0].document_id < w[1].document_id));

    // Recently reviewed: the decided result first.
    let last = asc.last().unwrap();
    ws.review_result(
        &run_id,
        &last.id,
        &ReviewInput {
            status: ReviewStatus::Rejected,
            notes: None,
            reference_row_id: None,
        },
    )
    .unwrap();
    let recent = all(
        &ws,
        &run_id,
        ResultQuery {
            sort: Some(ResultSort::RecentlyReviewed),
            ..Default::default()
        },
    );
    assert_eq!(recent[0].id, last.id);

    // Bad bounds are validation errors naming the field.
    let err = ws
        .list_results(
            &run_id,
            &ResultQuery {
                min_confidence: Some(0.9),
                max_confidence: Some(0.2),
                ..Default::default()
            },
        )
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::ValidationError);
    assert!(err.to_string().contains("min_confidence"), "{err}");
}

#[test]
fn bulk_approve_counts_confirms_and_undoes_as_one() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let ws = open(&rt, &dir.path().join("w.sqlite"));
    let (run_id, _) = completed_run(&ws);
    let every = all(&ws, &run_id, ResultQuery::default());
    let min = 0.6;
    let qualifying: Vec<_> = every
        .iter()
        .filter(|r| r.confidence >= min && r.status == ReviewStatus::Pending)
        .map(|r| r.id.clone())
        .collect();
    assert!(qualifying.len() >= 2, "fixture needs results above {min}");

    let before = ws.review_counts(&run_id).unwrap();
    assert_eq!(before.approved, 0);
    assert_eq!(before.pending, every.len() as u64);
    assert_eq!(before.reviewed_today, 0);

    let query = ResultQuery::default();
    let count = ws.bulk_approve_count(&run_id, &query, min).unwrap();
    assert_eq!(count, qualifying.len() as u64);

    // A stale confirmation approves nothing.
    let err = ws
        .bulk_approve(
            &run_id,
            &BulkApproveInput {
                query: query.clone(),
                min_confidence: min,
                expected: count + 1,
                notes: None,
            },
        )
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict);
    assert_eq!(ws.review_counts(&run_id).unwrap().approved, 0);

    let outcome = ws
        .bulk_approve(
            &run_id,
            &BulkApproveInput {
                query: query.clone(),
                min_confidence: min,
                expected: count,
                notes: Some("bulk".into()),
            },
        )
        .unwrap();
    assert_eq!(outcome.decisions.len(), qualifying.len());
    let counts = ws.review_counts(&run_id).unwrap();
    assert_eq!(counts.approved, count);
    assert_eq!(counts.reviewed_today, count);
    assert_eq!(counts.reviewed_today_all_runs, count);
    for id in &qualifying {
        let r = ws.get_result(&run_id, id).unwrap();
        assert_eq!(r.status, ReviewStatus::Approved);
        assert_eq!(r.notes.as_deref(), Some("bulk"));
        assert!(r.matched_reference_row_id.is_some());
        // Each approval is its own decision in the log.
        assert_eq!(ws.result_decisions(id).unwrap().len(), 1);
    }
    // Nothing pending qualifies any more.
    assert_eq!(ws.bulk_approve_count(&run_id, &query, min).unwrap(), 0);

    // Undo is one call for all of them; reverting the undo redoes them.
    let undo = ws.revert_decisions(&run_id, &outcome.decisions).unwrap();
    assert_eq!(ws.review_counts(&run_id).unwrap().approved, 0);
    assert_eq!(ws.get_result(&run_id, &qualifying[0]).unwrap().notes, None);
    ws.revert_decisions(&run_id, &undo.decisions).unwrap();
    assert_eq!(ws.review_counts(&run_id).unwrap().approved, count);
    // Undoing a decision that is no longer the latest is a conflict, and changes nothing.
    let err = ws
        .revert_decisions(&run_id, &outcome.decisions)
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict);
    assert_eq!(ws.review_counts(&run_id).unwrap().approved, count);

    // A confidence of 0 would approve results without any candidate: refused.
    let err = ws.bulk_approve_count(&run_id, &query, 0.0).unwrap_err();
    assert_eq!(err.code(), ErrorCode::ValidationError);
}

#[test]
fn run_summary_histogram_and_runs_paging() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let ws = open(&rt, &dir.path().join("w.sqlite"));
    let (run_id, config_id) = completed_run(&ws);
    let every = all(&ws, &run_id, ResultQuery::default());
    let summary = ws.run_summary(&run_id).unwrap();
    assert_eq!(summary.histogram.len(), 20);
    assert_eq!(summary.histogram.iter().sum::<u64>(), every.len() as u64);
    for r in &every {
        let bin = ((r.confidence * 20.0) as usize).min(19);
        assert!(summary.histogram[bin] > 0);
    }
    let (t, f) = (summary.threshold, summary.review_floor);
    assert_eq!((t, f), (0.7, 0.4));
    let count = |p: &dyn Fn(f64) -> bool| every.iter().filter(|r| p(r.confidence)).count() as u64;
    assert_eq!(summary.matched, count(&|c| c >= t));
    assert_eq!(summary.review, count(&|c| c >= f && c < t));
    assert_eq!(summary.below, count(&|c| c > 0.0 && c < f));
    assert_eq!(summary.no_candidate, count(&|c| c <= 0.0));
    assert_eq!(summary.counts.pending, every.len() as u64);

    // Three more runs: pages of two, newest first, filterable by config and status.
    let mut ids = vec![run_id];
    for _ in 0..3 {
        let r = ws.start_run(&config_id, TriggeredBy::Manual).unwrap();
        ws.wait_for_run(&r.id, WAIT).unwrap();
        ids.push(r.id);
    }
    let page1 = ws
        .run_page(&RunFilter {
            limit: Some(2),
            page: Some(1),
            ..Default::default()
        })
        .unwrap();
    let page2 = ws
        .run_page(&RunFilter {
            limit: Some(2),
            page: Some(2),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(page1.total, 4);
    let listed: Vec<_> = page1
        .data
        .iter()
        .chain(&page2.data)
        .map(|r| r.id.clone())
        .collect();
    ids.reverse();
    assert_eq!(listed, ids);
    let failed = ws
        .run_page(&RunFilter {
            status: Some(RunStatus::Failed),
            ..Default::default()
        })
        .unwrap();
    assert_eq!((failed.total, failed.data.len()), (0, 0));
    let other = ws
        .run_page(&RunFilter {
            config_id: Some("no-such-config".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(other.total, 0);
}

#[test]
fn preview_matches_twenty_documents_without_storing_anything() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let ws = open(&rt, &dir.path().join("w.sqlite"));
    let (run_id, config_id) = completed_run(&ws);
    let config = ws.get_config(&config_id).unwrap();
    let input = invoice_config(
        &config.reference_data_id,
        config.document_set_id.as_deref().unwrap(),
    );
    let runs_before = ws.info().unwrap().runs;
    let preview = ws.preview_config(&input, Some(5)).unwrap();
    assert_eq!(preview.documents, 5);
    assert_eq!(preview.results.len(), 5);
    assert_eq!(preview.reference_rows, 12);
    assert_eq!(ws.info().unwrap().runs, runs_before);
    // The same documents score as in the stored run.
    let stored = all(&ws, &run_id, ResultQuery::default());
    for p in &preview.results {
        let s = stored
            .iter()
            .find(|s| s.document_id == p.document_id)
            .unwrap();
        assert_eq!(s.matched_reference_row_id, p.matched_reference_row_id);
        assert!((s.confidence - p.confidence).abs() < 1e-9);
    }
    assert_eq!(preview.results[0].document_id, "doc_1");

    // An invalid draft is a validation error, like a save.
    let mut bad = input.clone();
    bad.field_mappings[0].target = "no_such_column".into();
    let err = ws.preview_config(&bad, None).unwrap_err();
    assert_eq!(err.code(), ErrorCode::ValidationError);
}

#[test]
fn export_writes_matches_and_unmatched_to_csv_and_xlsx() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let ws = open(&rt, &dir.path().join("w.sqlite"));
    let (run_id, _) = completed_run(&ws);
    let every = all(&ws, &run_id, ResultQuery::default());
    let best = &every[0];
    ws.review_result(
        &run_id,
        &best.id,
        &ReviewInput {
            status: ReviewStatus::Approved,
            notes: Some("checked against the PO".into()),
            reference_row_id: None,
        },
    )
    .unwrap();
    let worst = every.last().unwrap();
    ws.review_result(
        &run_id,
        &worst.id,
        &ReviewInput {
            status: ReviewStatus::Rejected,
            notes: None,
            reference_row_id: None,
        },
    )
    .unwrap();

    let csv_path = dir.path().join("out.csv");
    let out = ws
        .export_results(&ExportRequest {
            run_id: run_id.clone(),
            path: csv_path.display().to_string(),
            format: ExportFormat::Csv,
            include_unreviewed_matches: None,
        })
        .unwrap();
    assert_eq!(out.matched, 1);
    assert_eq!(out.unmatched, every.len() as u64 - 1);
    let mut reader = csv::Reader::from_path(&csv_path).unwrap();
    let header = reader.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), every.len());
    let matched: Vec<_> = rows.iter().filter(|r| &r[0] == "matched").collect();
    assert_eq!(matched.len(), 1);
    let m = matched[0];
    assert_eq!(&m[col("document_id")], best.document_id);
    assert_eq!(
        Some(&m[col("reference_row_id")]),
        best.matched_reference_row_id.as_deref()
    );
    assert_eq!(&m[col("notes")], "checked against the PO");
    assert_eq!(&m[col("decided_by")], "tester");
    assert!(!m[col("decided_at")].is_empty());
    assert!(m[col("evidence")].contains("vendor_name vs vendor_name"));
    let rejected = rows
        .iter()
        .find(|r| r[col("document_id")] == worst.document_id)
        .unwrap();
    assert_eq!(&rejected[0], "unmatched");
    assert_eq!(&rejected[col("reason")], "rejected by reviewer");
    // Values of both sides, per field.
    assert!(header.iter().any(|h| h == "vendor_name (document)"));
    assert!(header.iter().any(|h| h == "po_number (reference)"));

    // Unreviewed matches above the threshold join the matches only when asked.
    let with = ws
        .export_results(&ExportRequest {
            run_id: run_id.clone(),
            path: csv_path.display().to_string(),
            format: ExportFormat::Csv,
            include_unreviewed_matches: Some(true),
        })
        .unwrap();
    let auto = every
        .iter()
        .filter(|r| r.matched_reference_row_id.is_some() && r.id != best.id && r.id != worst.id)
        .count() as u64;
    assert_eq!(with.matched, 1 + auto);

    // XLSX: two sheets, read back with a spreadsheet reader.
    let xlsx_path = dir.path().join("out.xlsx");
    let out = ws
        .export_results(&ExportRequest {
            run_id: run_id.clone(),
            path: xlsx_path.display().to_string(),
            format: ExportFormat::Xlsx,
            include_unreviewed_matches: None,
        })
        .unwrap();
    use calamine::{Reader, Xlsx};
    let mut book: Xlsx<_> = calamine::open_workbook(&xlsx_path).unwrap();
    assert_eq!(
        book.sheet_names(),
        vec!["Matches".to_string(), "Unmatched documents".to_string()]
    );
    let matches = book.worksheet_range("Matches").unwrap();
    assert_eq!(matches.height() as u64, out.matched + 1);
    assert_eq!(matches.get((1, 0)).unwrap().to_string(), best.document_id);
    let unmatched = book.worksheet_range("Unmatched documents").unwrap();
    assert_eq!(unmatched.height() as u64, out.unmatched + 1);
    // No partial file is left behind.
    assert!(std::fs::read_dir(dir.path()).unwrap().all(|e| !e
        .unwrap()
        .file_name()
        .to_string_lossy()
        .ends_with(".partial")));

    // A folder as the target is a clear error, and nothing is written.
    let err = ws
        .export_results(&ExportRequest {
            run_id,
            path: dir.path().display().to_string(),
            format: ExportFormat::Csv,
            include_unreviewed_matches: None,
        })
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::ValidationError);
}
