//! The demo workspace: seeded from generated files, idempotent, and its config matches the
//! generated invoices well while leaving real borderline cases for a reviewer.

use std::collections::HashMap;
use std::time::Duration;

use engine::{ReviewStatus, RunStatus, TriggeredBy};
use service::ResultQuery;

mod common;
use common::{open, runtime};

#[test]
fn demo_is_seeded_once_and_its_config_matches_the_truth() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let ws = open(&rt, &dir.path().join("demo.sqlite"));
    let data_dir = dir.path().join("demo-data");
    let config = ws
        .seed_demo(&data_dir)
        .unwrap()
        .expect("an empty workspace gets the demo");
    assert!(
        ws.seed_demo(&data_dir).unwrap().is_none(),
        "a second seed must not duplicate data"
    );
    assert_eq!(ws.list_datasets().unwrap().len(), 2);

    let run = ws.start_run(&config.id, TriggeredBy::Manual).unwrap();
    let run = ws.wait_for_run(&run.id, Duration::from_secs(120)).unwrap();
    assert_eq!(run.status, RunStatus::Completed, "{:?}", run.error);

    let truth: HashMap<String, String> = std::fs::read_to_string(data_dir.join("truth.csv"))
        .unwrap()
        .lines()
        .skip(1)
        .filter_map(|l| {
            l.split_once(',')
                .map(|(d, p)| (d.to_string(), p.to_string()))
        })
        .collect();
    let mut results = Vec::new();
    for page in 1.. {
        let p = ws
            .list_results(
                &run.id,
                &ResultQuery {
                    page: Some(page),
                    limit: Some(500),
                    ..ResultQuery::default()
                },
            )
            .unwrap();
        if p.data.is_empty() {
            break;
        }
        results.extend(p.data);
    }
    assert_eq!(results.len(), truth.len());
    let (mut matched, mut correct, mut borderline, mut top_right_borderline) = (0, 0, 0, 0);
    for r in &results {
        assert_eq!(r.status, ReviewStatus::Pending);
        let want = &truth[&r.document_id];
        if let Some(m) = &r.matched_reference_row_id {
            matched += 1;
            correct += usize::from(m == want);
        } else if r.confidence >= config.review_floor {
            borderline += 1;
            top_right_borderline += usize::from(
                r.candidates
                    .first()
                    .is_some_and(|c| &c.reference_row_id == want),
            );
        }
    }
    let mut hist = [0usize; 10];
    let mut hist_right = [0usize; 10];
    for r in &results {
        let b = ((r.confidence * 10.0) as usize).min(9);
        hist[b] += 1;
        hist_right[b] += usize::from(
            r.candidates
                .first()
                .is_some_and(|c| c.reference_row_id == truth[&r.document_id]),
        );
    }
    eprintln!("histogram (all / right on top): {hist:?} {hist_right:?}");
    let precision = correct as f64 / matched as f64;
    eprintln!(
        "demo: {} documents, {matched} matched ({correct} correct, precision {precision:.3}), {borderline} borderline \
         ({top_right_borderline} with the right PO on top)",
        results.len()
    );
    assert!(precision >= 0.97, "precision {precision}");
    assert!(
        matched as f64 >= 0.55 * results.len() as f64,
        "only {matched} matched"
    );
    assert!(
        borderline >= 10,
        "the demo should leave borderline cases to review, got {borderline}"
    );
}
