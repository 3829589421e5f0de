//! One-to-one assignment and the exclusion of rejected pairs, end to end on a real SQLite
//! workspace: what a reviewer sees after a run, across runs, configs and a reopen.

use std::collections::HashMap;
use std::path::Path;

use engine::{ConfigInput, DatasetKind, FieldMapping, MatchResult, ReviewStatus, Strategy};
use service::{ResultQuery, ReviewInput, Workspace};

mod common;
use common::{import, open, run_to_completion, runtime};

// With the weights of `config` (po 0.4, vendor 0.3, amount 0.2 at 1 %, date 0.1 at ±30 days) the
// documents below score:
// - inv_1 / inv_2 both claim po_c: inv_1 agrees on everything (1.0), inv_2's date is 15 days off
//   (≈ 0.95) and it has no other row above the threshold.
// - inv_3 / inv_4 both claim po_a: inv_3 agrees on everything (1.0); inv_4 quotes no PO number
//   and is 2 days from po_a (≈ 0.99) and 7 days from po_b (≈ 0.96), its good second choice.
// - inv_5 matches po_d alone; inv_6 matches nothing; inv_7 has po_d as a borderline candidate
//   (vendor agrees, amount does not: ≈ 0.56).
const POS_CSV: &str = "\
po_id,po_number,vendor_name,net_amount,order_date
po_a,PO-1001,Acme Industrial,1000.00,2024-03-01
po_b,PO-1002,Acme Industrial,1000.00,2024-03-10
po_c,PO-2001,Globex Trading,500.00,2024-03-05
po_d,PO-3001,Initech Supplies,750.00,2024-04-01
po_e,PO-4001,Umbrella Foods,320.00,2024-02-01
";

const INVOICES_CSV: &str = "\
document_id,document_filename,po_reference,vendor_name,total_amount,invoice_date
inv_1,inv_1.pdf,PO-2001,Globex Trading,500.00,2024-03-05
inv_2,inv_2.pdf,PO-2001,Globex Trading,500.00,2024-03-20
inv_3,inv_3.pdf,PO-1001,Acme Industrial,1000.00,2024-03-01
inv_4,inv_4.pdf,,ACME Industrial,1000.00,2024-03-03
inv_5,inv_5.pdf,PO-3001,Initech Supplies,750.00,2024-04-02
inv_6,inv_6.pdf,PO-9999,Zenith Partners,12.34,2023-01-01
inv_7,inv_7.pdf,,Initech Supplies,900.00,2024-04-20
";

const THRESHOLD: f64 = 0.8;
const REVIEW_FLOOR: f64 = 0.5;

struct Data {
    reference_id: String,
    documents_id: String,
}

fn import_data(ws: &Workspace, dir: &Path) -> Data {
    let pos = dir.join("pos.csv");
    let invoices = dir.join("invoices.csv");
    std::fs::write(&pos, POS_CSV).unwrap();
    std::fs::write(&invoices, INVOICES_CSV).unwrap();
    let reference = import(ws, &pos, DatasetKind::Reference, "po_id");
    let documents = import(ws, &invoices, DatasetKind::Documents, "document_id");
    assert_eq!((reference.row_count, documents.row_count), (5, 7));
    Data {
        reference_id: reference.id,
        documents_id: documents.id,
    }
}

fn config(data: &Data, one_to_one: Option<bool>) -> ConfigInput {
    let po = FieldMapping::new("po_reference", "po_number", Strategy::Exact, 0.4);
    let vendor = FieldMapping::new("vendor_name", "vendor_name", Strategy::Fuzzy, 0.3);
    let mut amount = FieldMapping::new("total_amount", "net_amount", Strategy::NumericRange, 0.2);
    amount.tolerance_percent = Some(1.0);
    let mut date = FieldMapping::new("invoice_date", "order_date", Strategy::DateRange, 0.1);
    date.tolerance_days = Some(30);
    ConfigInput {
        name: "Invoices to POs".into(),
        reference_data_id: data.reference_id.clone(),
        document_set_id: Some(data.documents_id.clone()),
        field_mappings: vec![po, vendor, amount, date],
        threshold: Some(THRESHOLD),
        review_floor: Some(REVIEW_FLOOR),
        one_to_one,
        schedule: None,
        blocking_keys: None,
        blocking_strategy: None,
    }
}

/// Another config on the same reference data: no date, other weights, a lower threshold.
fn other_config(data: &Data) -> ConfigInput {
    let po = FieldMapping::new("po_reference", "po_number", Strategy::Exact, 0.5);
    let vendor = FieldMapping::new("vendor_name", "vendor_name", Strategy::Fuzzy, 0.3);
    let amount = FieldMapping::new("total_amount", "net_amount", Strategy::NumericRange, 0.2);
    ConfigInput {
        name: "Invoices to POs, no dates".into(),
        reference_data_id: data.reference_id.clone(),
        document_set_id: Some(data.documents_id.clone()),
        field_mappings: vec![po, vendor, amount],
        threshold: Some(0.7),
        review_floor: Some(0.4),
        one_to_one: None,
        schedule: None,
        blocking_keys: None,
        blocking_strategy: None,
    }
}

/// Runs a config to completion and returns the run id.
fn run(ws: &Workspace, config_id: &str) -> String {
    let run = run_to_completion(ws, config_id);
    assert_eq!(run.rows_processed, Some(7));
    run.id
}

fn results(ws: &Workspace, run_id: &str) -> HashMap<String, MatchResult> {
    let page = ws
        .list_results(
            run_id,
            &ResultQuery {
                limit: Some(500),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(page.total, 7);
    page.data
        .into_iter()
        .map(|r| (r.document_id.clone(), r))
        .collect()
}

fn matched(r: &MatchResult) -> Option<&str> {
    r.matched_reference_row_id.as_deref()
}

fn candidate_ids(r: &MatchResult) -> Vec<&str> {
    r.candidates
        .iter()
        .map(|c| c.reference_row_id.as_str())
        .collect()
}

fn confidence_of(r: &MatchResult, row: &str) -> f64 {
    r.candidates
        .iter()
        .find(|c| c.reference_row_id == row)
        .unwrap_or_else(|| panic!("{row} is not a candidate of {}", r.document_id))
        .confidence
}

/// What a reviewer sees of a result, for comparing runs and reopened files.
fn visible(r: &MatchResult) -> (Option<String>, bool, Vec<(String, u64)>) {
    (
        r.matched_reference_row_id.clone(),
        r.contested,
        r.candidates
            .iter()
            // Rounded, so a confidence that went through JSON compares equal to itself.
            .map(|c| {
                (
                    c.reference_row_id.clone(),
                    (c.confidence * 1e9).round() as u64,
                )
            })
            .collect(),
    )
}

#[test]
fn one_to_one_gives_each_po_to_one_invoice_and_flags_the_losers() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("work.sqlite");
    let (one_run, before_reopen);
    {
        let ws = open(&rt, &path);
        let data = import_data(&ws, dir.path());
        let cfg = ws.create_config(&config(&data, Some(true))).unwrap();
        assert!(cfg.one_to_one);
        one_run = run(&ws, &cfg.id);
        let r = results(&ws, &one_run);

        // No reference row goes to two documents.
        let mut owners: HashMap<&str, &str> = HashMap::new();
        for res in r.values() {
            if let Some(row) = matched(res) {
                if let Some(other) = owners.insert(row, &res.document_id) {
                    panic!("{row} matched by both {other} and {}", res.document_id);
                }
            }
        }

        // Both inv_1 and inv_2 would match po_c: the stronger claim wins, the loser has no
        // other row above the threshold and is left unmatched, but flagged.
        assert!(confidence_of(&r["inv_2"], "po_c") >= THRESHOLD);
        assert!(confidence_of(&r["inv_1"], "po_c") > confidence_of(&r["inv_2"], "po_c"));
        assert_eq!(matched(&r["inv_1"]), Some("po_c"));
        assert!(r["inv_2"].contested);
        assert_eq!(matched(&r["inv_2"]), None);
        assert_eq!(
            candidate_ids(&r["inv_2"])[0],
            "po_c",
            "the loser keeps its candidates"
        );

        // inv_4 scores po_a best, but inv_3 claims it more strongly; inv_4 gets its second choice.
        assert_eq!(candidate_ids(&r["inv_4"])[..2], ["po_a", "po_b"]);
        assert!(confidence_of(&r["inv_3"], "po_a") > confidence_of(&r["inv_4"], "po_a"));
        assert_eq!(matched(&r["inv_3"]), Some("po_a"));
        assert!(r["inv_4"].contested);
        assert_eq!(matched(&r["inv_4"]), Some("po_b"));
        // Candidates and the result's confidence are stored apart: equal up to rounding.
        assert!((r["inv_4"].confidence - confidence_of(&r["inv_4"], "po_b")).abs() < 1e-9);
        assert!(r["inv_4"].confidence >= THRESHOLD);
        // The evidence shown is that of the row it was given, not of the one it lost.
        let date = &r["inv_4"].evidence.as_ref().unwrap()[3];
        assert_eq!(
            (&*date.source, date.target_value.as_str()),
            ("invoice_date", "2024-03-10")
        );

        // Nobody else wanted their rows: not flagged, whether matched or not.
        for id in ["inv_1", "inv_3", "inv_5", "inv_6", "inv_7"] {
            assert!(!r[id].contested, "{id} is not contested");
        }
        assert_eq!(matched(&r["inv_5"]), Some("po_d"));
        assert_eq!(matched(&r["inv_6"]), None);
        assert_eq!(matched(&r["inv_7"]), None);
        assert_eq!(candidate_ids(&r["inv_7"])[0], "po_d");

        let counted = ws.get_run(&one_run).unwrap().run;
        assert_eq!(counted.rows_matched, Some(4));
        // Results are written as scored and revised after assignment: the run's average is that
        // of the matches as assigned (inv_4's second choice, not the row it lost).
        let assigned: Vec<f64> = r
            .values()
            .filter(|res| matched(res).is_some())
            .map(|res| res.confidence)
            .collect();
        let mean = assigned.iter().sum::<f64>() / assigned.len() as f64;
        assert!((counted.avg_confidence.unwrap() - mean).abs() < 1e-9);
        before_reopen = r;

        // The same data without one-to-one: both claimants get the PO they scored best.
        let cfg = ws.create_config(&config(&data, None)).unwrap();
        assert!(!cfg.one_to_one);
        let free_run = run(&ws, &cfg.id);
        let free = results(&ws, &free_run);
        assert_eq!(matched(&free["inv_1"]), Some("po_c"));
        assert_eq!(matched(&free["inv_2"]), Some("po_c"));
        assert_eq!(matched(&free["inv_3"]), Some("po_a"));
        assert_eq!(matched(&free["inv_4"]), Some("po_a"));
        assert!(free.values().all(|res| !res.contested));
        assert_eq!(ws.get_run(&free_run).unwrap().run.rows_matched, Some(5));
        // Scoring is the same either way; only the assignment differs.
        for (id, res) in &free {
            assert_eq!(
                visible(res).2,
                visible(&before_reopen[id]).2,
                "{id}: candidates"
            );
        }
    }

    let ws = open(&rt, &path);
    let after = results(&ws, &one_run);
    for (id, res) in &before_reopen {
        assert_eq!(visible(&after[id]), visible(res), "{id} after reopening");
    }
    assert!(after["inv_2"].contested && after["inv_4"].contested);
    assert_eq!(ws.get_run(&one_run).unwrap().run.rows_matched, Some(4));
}

#[test]
fn a_rejected_pair_is_not_proposed_again_until_approved() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let ws = open(&rt, &dir.path().join("work.sqlite"));
    let data = import_data(&ws, dir.path());
    let first = ws.create_config(&config(&data, None)).unwrap();
    let second = ws.create_config(&other_config(&data)).unwrap();

    let run1 = run(&ws, &first.id);
    let run2 = run(&ws, &second.id);
    let (r1, r2) = (results(&ws, &run1), results(&ws, &run2));
    // Before any review, both configs propose po_d for inv_5, and keep it for inv_7 too.
    for r in [&r1, &r2] {
        assert_eq!(matched(&r["inv_5"]), Some("po_d"));
        assert!(candidate_ids(&r["inv_7"]).contains(&"po_d"));
        assert!(confidence_of(&r["inv_7"], "po_d") >= 0.4);
    }

    let rejected = ws
        .review_result(
            &run1,
            &r1["inv_5"].id,
            &ReviewInput {
                status: ReviewStatus::Rejected,
                notes: Some("wrong PO".into()),
                reference_row_id: None,
            },
        )
        .unwrap();
    assert_eq!(rejected.status, ReviewStatus::Rejected);
    let log = ws.result_decisions(&r1["inv_5"].id).unwrap();
    assert_eq!(
        log.last().unwrap().reference_row_id.as_deref(),
        Some("po_d")
    );

    // Later runs of either config on this reference data never propose (inv_5, po_d) again.
    let run3 = run(&ws, &first.id);
    let run4 = run(&ws, &second.id);
    let (r3, r4) = (results(&ws, &run3), results(&ws, &run4));
    for (before, after) in [(&r1, &r3), (&r2, &r4)] {
        assert!(
            !candidate_ids(&after["inv_5"]).contains(&"po_d"),
            "{:?}",
            candidate_ids(&after["inv_5"])
        );
        assert_ne!(matched(&after["inv_5"]), Some("po_d"));
        // The rejection is about one document: po_d stays a candidate of inv_7, and every other
        // document's result is as it was.
        assert!(candidate_ids(&after["inv_7"]).contains(&"po_d"));
        for (id, res) in before.iter().filter(|(id, _)| id.as_str() != "inv_5") {
            assert_eq!(visible(&after[id]), visible(res), "{id}");
        }
    }

    // Other reference data is not affected, even with the same row ids.
    let copy = import(
        &ws,
        dir.path().join("pos.csv"),
        DatasetKind::Reference,
        "po_id",
    );
    let on_copy = ws
        .create_config(&ConfigInput {
            reference_data_id: copy.id,
            ..config(&data, None)
        })
        .unwrap();
    let run_copy = run(&ws, &on_copy.id);
    assert_eq!(matched(&results(&ws, &run_copy)["inv_5"]), Some("po_d"));

    // An approval on re-review lifts the exclusion.
    let approved = ws
        .review_result(
            &run1,
            &r1["inv_5"].id,
            &ReviewInput {
                status: ReviewStatus::Approved,
                notes: Some("checked again: right PO".into()),
                reference_row_id: None,
            },
        )
        .unwrap();
    assert_eq!(
        (approved.status, matched(&approved)),
        (ReviewStatus::Approved, Some("po_d"))
    );
    let run5 = run(&ws, &first.id);
    let r5 = results(&ws, &run5);
    assert_eq!(matched(&r5["inv_5"]), Some("po_d"));
    assert_eq!(visible(&r5["inv_5"]), visible(&r1["inv_5"]));
}
