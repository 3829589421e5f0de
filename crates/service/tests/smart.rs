//! Smart runs and ai-resolve through the service on a real workspace, from the two CSV files
//! only: a strategy learned from generated person records (without their id-like column), a
//! config made from it, a smart run whose confidence is the model's probability, a reviewer who
//! decides part of the band, an ai-resolve pass whose suggestions are right and never touch a
//! decision, a suggestion accepted and one dismissed, and the refusals of each call.

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use engine::{DatasetKind, MatchResult, ReviewStatus, Run, RunStatus, RunType, TriggeredBy};
use service::{
    AiResolveInput, ConfigFromStrategy, ErrorCode, GenerateStrategyInput, ResultQuery, ReviewInput,
    ServiceError, SmartRunInput, Workspace,
};

mod common;
use common::{import, open, runtime};

/// Each document's true reference row ("" when it has none).
type Truth = HashMap<String, String>;

/// 4,000 generated people imported: (reference id, documents id, truth).
fn import_people(ws: &Workspace, dir: &Path) -> (String, String, Truth) {
    let data = datagen::people::generate(&datagen::people::PeopleSpec {
        originals: 4_000,
        seed: 23,
    });
    let reference = dir.join("people_a.csv");
    let documents = dir.join("people_b.csv");
    std::fs::write(&reference, &data.reference_csv).unwrap();
    std::fs::write(&documents, &data.documents_csv).unwrap();
    let r = import(ws, &reference, DatasetKind::Reference, "rec_id");
    let d = import(ws, &documents, DatasetKind::Documents, "rec_id");
    let truth = data
        .truth_csv
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once(','))
        .map(|(doc, row)| (doc.to_string(), row.to_string()))
        .collect();
    (r.id, d.id, truth)
}

fn wait(ws: &Workspace, run_id: &str) -> Run {
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    loop {
        let run = ws.run_record(run_id).unwrap();
        if !run.status.is_active() {
            return run;
        }
        assert!(std::time::Instant::now() < deadline, "{run:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn all_results(ws: &Workspace, run_id: &str) -> Vec<MatchResult> {
    let q = ResultQuery {
        limit: Some(500),
        ..ResultQuery::default()
    };
    let mut out = Vec::new();
    for page in 1.. {
        let p = ws
            .list_results(
                run_id,
                &ResultQuery {
                    page: Some(page),
                    ..q.clone()
                },
            )
            .unwrap();
        if p.data.is_empty() {
            break;
        }
        out.extend(p.data);
    }
    out
}

/// Whether `row` (None: no match) is the truth for the result's document.
fn right(truth: &Truth, r: &MatchResult, row: Option<&str>) -> bool {
    let t = truth.get(&r.document_id).map_or("", String::as_str);
    row.unwrap_or("") == t
}

/// A reviewer's decision from the truth: the best candidate approved when it is the match,
/// rejected otherwise.
fn decide(ws: &Workspace, run_id: &str, truth: &Truth, r: &MatchResult) {
    let best = &r.candidates[0].reference_row_id;
    let status = if right(truth, r, Some(best)) {
        ReviewStatus::Approved
    } else {
        ReviewStatus::Rejected
    };
    let input = ReviewInput {
        status,
        notes: Some("checked".into()),
        reference_row_id: None,
    };
    ws.review_result(run_id, &r.id, &input).unwrap();
}

/// (suggestions made, of which right): an approval is right when it names the true row, a
/// rejection when the best candidate is not the true row.
fn suggestions_right(results: &[MatchResult], truth: &Truth) -> (usize, usize) {
    let mut made = 0;
    let mut ok = 0;
    for r in results {
        let Some(s) = &r.suggestion else { continue };
        made += 1;
        let best = r.candidates.first().map(|c| c.reference_row_id.as_str());
        ok += usize::from(match s.status {
            ReviewStatus::Approved => right(truth, r, s.reference_row_id.as_deref()),
            _ => !right(truth, r, best),
        });
    }
    (made, ok)
}

fn code(e: ServiceError) -> (ErrorCode, Option<String>) {
    let field = match &e {
        ServiceError::Validation { field, .. } => Some(field.clone()),
        _ => None,
    };
    (e.code(), field)
}

#[test]
fn a_smart_run_learns_from_the_data_and_ai_resolve_from_reviewers() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let ws = open(&rt, &dir.path().join("w.sqlite"));
    let (reference, documents, truth) = import_people(&ws, dir.path());
    let strategy = ws
        .generate_strategy(&GenerateStrategyInput {
            reference_data_id: reference.clone(),
            target_type: "run".into(),
            document_set_id: Some(documents.clone()),
            user_prompt: Some("ignore soc_sec_id".into()),
            ..GenerateStrategyInput::default()
        })
        .unwrap();
    let plan = &strategy.strategy.plan;
    assert!(plan.field_mappings.iter().all(|m| m.source != "soc_sec_id"));
    let model = plan.model.clone().expect("a strategy carries its model");
    let config = ws
        .create_config_from_strategy(
            &strategy.id,
            &ConfigFromStrategy {
                name: "Learned people".into(),
                document_set_id: None,
            },
        )
        .unwrap();

    let started = ws
        .start_smart_run(
            &config.id,
            &SmartRunInput {
                strategy_id: Some(strategy.id.clone()),
            },
            TriggeredBy::Api,
        )
        .unwrap();
    assert_eq!(started.status, RunStatus::Queued);
    assert_eq!(started.run_type, RunType::Smart);
    assert_eq!(started.strategy_id.as_deref(), Some(strategy.id.as_str()));
    let run = wait(&ws, &started.id);
    assert_eq!(run.status, RunStatus::Completed, "{run:?}");
    assert_eq!(run.run_type, RunType::Smart);

    // The band is the model's: its threshold and review floor are probabilities.
    let summary = ws.run_summary(&run.id).unwrap();
    assert_eq!(
        (summary.threshold, summary.review_floor),
        (model.threshold, model.review_floor)
    );
    let estimates = summary.field_estimates.expect("a smart run shows m and u");
    assert_eq!(estimates.len(), plan.field_mappings.len());
    let results = all_results(&ws, &run.id);
    assert_eq!(results.len(), truth.len());
    // Each field's evidence says how far it moved the odds.
    let shown = results.iter().find_map(|r| r.evidence.as_ref()).unwrap();
    assert!(shown
        .iter()
        .all(|e| e.missing || e.match_weight.is_some_and(f64::is_finite)));
    // What is stored is what was decided: the stored evidence (with the rarity of shared names)
    // gives back each candidate's match probability.
    for r in &results {
        for c in &r.candidates {
            let again = model.probability_of(&c.evidence);
            assert!((again - c.confidence).abs() < 1e-4, "{again} {c:?}");
        }
    }
    let correct = results
        .iter()
        .filter(|r| right(&truth, r, r.matched_reference_row_id.as_deref()))
        .count();
    assert!(
        correct as f64 >= 0.97 * results.len() as f64,
        "{correct} of {} right",
        results.len()
    );

    let band: Vec<&MatchResult> = results
        .iter()
        .filter(|r| r.confidence >= summary.review_floor && r.confidence < summary.threshold)
        .collect();
    assert_eq!(band.len() as u64, summary.review);
    assert!(band.len() >= 6, "a band to review: {}", band.len());

    // A reviewer decides half the band from the truth.
    for r in band.iter().take(band.len() / 2) {
        decide(&ws, &run.id, &truth, r);
    }
    // On a smart run's band the model is unsure by construction: ai-resolve settles only what
    // reviewers' decisions or a refitted model make certain, and is right where it does.
    ws.ai_resolve(&run.id, &AiResolveInput::default()).unwrap();
    assert_eq!(wait(&ws, &run.id).status, RunStatus::Completed);
    let settled = suggestions_right(&all_results(&ws, &run.id), &truth);
    assert!(settled.1 == settled.0, "{settled:?} right of made");

    // A standard run of the same config: its band is by weighted score, which the model
    // resolves far better.
    let plain = ws.start_run(&config.id, TriggeredBy::Manual).unwrap();
    let plain = wait(&ws, &plain.id);
    assert_eq!(plain.run_type, RunType::Manual);
    let plain_summary = ws.run_summary(&plain.id).unwrap();
    assert!(plain_summary.field_estimates.is_none());
    let plain_band: Vec<MatchResult> = all_results(&ws, &plain.id)
        .into_iter()
        .filter(|r| {
            r.confidence >= plain_summary.review_floor && r.confidence < plain_summary.threshold
        })
        .collect();
    let decided: Vec<&MatchResult> = plain_band.iter().take(5).collect();
    for r in &decided {
        decide(&ws, &plain.id, &truth, r);
    }
    ai_resolve_suggests_and_leaves_decisions_alone(&ws, &plain.id, &truth, &decided);
    refusals(
        &ws,
        &config.id,
        &strategy.id,
        &run.id,
        &reference,
        &documents,
    );

    // The next smart run learns from the decisions: it fits its model again, and stays right.
    let next = ws
        .start_smart_run(
            &config.id,
            &SmartRunInput {
                strategy_id: Some(strategy.id.clone()),
            },
            TriggeredBy::Manual,
        )
        .unwrap();
    let next = wait(&ws, &next.id);
    assert_eq!(next.status, RunStatus::Completed, "{next:?}");
    let again = all_results(&ws, &next.id);
    let correct_again = again
        .iter()
        .filter(|r| right(&truth, r, r.matched_reference_row_id.as_deref()))
        .count();
    assert!(
        correct_again + 3 >= correct,
        "{correct_again} right after learning from decisions, {correct} before"
    );
    approved_pairs_come_back_as_suggestions(&ws, (&config.id, &plain.id), &truth);
}

/// Pairs a reviewer approves in an earlier standard run (pending results whose best candidate is
/// the match, those left unmatched first) meet again in the next one, pending as before;
/// ai-resolve, asked about them, suggests each pair again because the reviewer approved it.
fn approved_pairs_come_back_as_suggestions(
    ws: &Workspace,
    (config_id, earlier): (&str, &str),
    truth: &Truth,
) {
    let mut undecided: Vec<MatchResult> = all_results(ws, earlier)
        .into_iter()
        .filter(|r| r.status == ReviewStatus::Pending && r.suggestion.is_none())
        .collect();
    undecided.sort_by_key(|r| r.matched_reference_row_id.is_some());
    let approved: Vec<(String, String)> = undecided
        .iter()
        .filter_map(|r| {
            let best = r.candidates.first()?.reference_row_id.clone();
            right(truth, r, Some(&best)).then_some((r, best))
        })
        .take(3)
        .map(|(r, best)| {
            decide(ws, earlier, truth, r);
            (r.document_id.clone(), best)
        })
        .collect();
    assert_eq!(approved.len(), 3, "results to approve");
    let run = ws.start_run(config_id, TriggeredBy::Manual).unwrap();
    let run = wait(ws, &run.id);
    let again = |document: &str| {
        all_results(ws, &run.id)
            .into_iter()
            .find(|r| r.document_id == document)
            .unwrap()
    };
    let only = AiResolveInput {
        result_ids: Some(approved.iter().map(|(d, _)| again(d).id).collect()),
    };
    ws.ai_resolve(&run.id, &only).unwrap();
    assert_eq!(wait(ws, &run.id).status, RunStatus::Completed);
    for (document, row) in &approved {
        let r = again(document);
        assert_eq!(
            r.status,
            ReviewStatus::Pending,
            "{document} is decided afresh"
        );
        let s = r
            .suggestion
            .as_ref()
            .expect("the approved pair is suggested");
        assert_eq!(
            (s.status, s.reference_row_id.as_deref()),
            (ReviewStatus::Approved, Some(row.as_str())),
            "{}",
            s.reason
        );
        assert!(s.reason.contains("approved this document"), "{}", s.reason);
    }
}

fn ai_resolve_suggests_and_leaves_decisions_alone(
    ws: &Workspace,
    run_id: &str,
    truth: &Truth,
    decided: &[&MatchResult],
) {
    let resolving = ws.ai_resolve(run_id, &AiResolveInput::default()).unwrap();
    assert_eq!(resolving.status, RunStatus::AiResolving);
    // Not while it works: another pass and a cancel are both conflicts.
    let again = ws.ai_resolve(run_id, &AiResolveInput::default());
    let cancel = ws.cancel_run(run_id);
    let run = wait(ws, run_id);
    assert_eq!(run.status, RunStatus::Completed, "{run:?}");
    assert!(run.error.is_none(), "{run:?}");
    if let Err(e) = again {
        assert_eq!(e.code(), ErrorCode::Conflict);
    }
    assert_eq!(cancel.unwrap_err().code(), ErrorCode::Conflict);

    let results = all_results(ws, run_id);
    let suggested: Vec<&MatchResult> = results.iter().filter(|r| r.suggestion.is_some()).collect();
    let summary = ws.run_summary(run_id).unwrap();
    assert_eq!(summary.suggestions.made, suggested.len() as u64);
    assert_eq!(summary.suggestions.open, suggested.len() as u64);
    assert!(!suggested.is_empty(), "ai-resolve settled nothing");
    for r in &suggested {
        let s = r.suggestion.as_ref().unwrap();
        assert_eq!(r.status, ReviewStatus::Pending, "only pending results");
        assert_eq!(s.resolved_by, "ai");
        assert!(!s.reason.is_empty());
    }
    let (made, right_ones) = suggestions_right(&results, truth);
    assert!(
        right_ones as f64 >= 0.95 * made as f64,
        "{right_ones} of {made} suggestions right"
    );
    // Human decisions are untouched.
    for d in decided {
        let now = results.iter().find(|r| r.id == d.id).unwrap();
        assert_ne!(now.status, ReviewStatus::Pending);
        assert!(now.suggestion.is_none());
        assert_eq!(now.notes.as_deref(), Some("checked"));
    }

    // Accepted: the suggestion becomes the reviewer's decision, which names it in the log.
    let first = suggested[0];
    let s = first.suggestion.clone().unwrap();
    let accepted = ws.accept_suggestion(run_id, &first.id).unwrap();
    assert_eq!(accepted.status, s.status);
    assert!(accepted.suggestion.is_none());
    if s.status == ReviewStatus::Approved {
        assert_eq!(accepted.matched_reference_row_id, s.reference_row_id);
    }
    let log = ws.result_decisions(&first.id).unwrap();
    assert_eq!(
        log.last().unwrap().suggestion_id.as_deref(),
        Some(s.id.as_str())
    );
    assert_eq!(
        ws.accept_suggestion(run_id, &first.id).unwrap_err().code(),
        ErrorCode::Conflict,
        "a settled suggestion cannot be accepted twice"
    );
    if let Some(second) = suggested.get(1) {
        let dismissed = ws.dismiss_suggestion(run_id, &second.id).unwrap();
        assert_eq!(dismissed.status, ReviewStatus::Pending);
        assert!(dismissed.suggestion.is_none());
        assert!(ws.result_decisions(&second.id).unwrap().is_empty());
    }
    let after = ws.run_summary(run_id).unwrap().suggestions;
    assert_eq!(after.accepted, 1);
    assert_eq!(after.dismissed, u64::from(suggested.len() > 1));

    // Only the results named, and a second pass replaces open suggestions rather than adding.
    let only = AiResolveInput {
        result_ids: Some(vec![suggested.last().unwrap().id.clone()]),
    };
    ws.ai_resolve(run_id, &only).unwrap();
    wait(ws, run_id);
    let made = ws.run_summary(run_id).unwrap().suggestions.made;
    assert_eq!(made, summary.suggestions.made, "replaced, not added");
}

fn refusals(
    ws: &Workspace,
    config_id: &str,
    strategy_id: &str,
    run_id: &str,
    reference: &str,
    documents: &str,
) {
    let smart = |config: &str, strategy: Option<&str>| {
        ws.start_smart_run(
            config,
            &SmartRunInput {
                strategy_id: strategy.map(str::to_string),
            },
            TriggeredBy::Api,
        )
        .unwrap_err()
    };
    assert_eq!(
        code(smart(config_id, None)),
        (ErrorCode::ValidationError, Some("strategy_id".into()))
    );
    assert_eq!(
        code(smart(config_id, Some("  "))),
        (ErrorCode::ValidationError, Some("strategy_id".into()))
    );
    assert_eq!(smart(config_id, Some("nope")).code(), ErrorCode::NotFound);
    assert_eq!(smart("nope", Some(strategy_id)).code(), ErrorCode::NotFound);
    // A strategy made for another config is refused.
    let other = ws
        .create_config_from_strategy(
            strategy_id,
            &ConfigFromStrategy {
                name: "Other".into(),
                document_set_id: Some(documents.into()),
            },
        )
        .unwrap();
    let theirs = ws
        .generate_strategy(&GenerateStrategyInput {
            reference_data_id: reference.into(),
            target_type: "run".into(),
            matching_config_id: Some(other.id.clone()),
            user_prompt: Some("ignore soc_sec_id".into()),
            ..GenerateStrategyInput::default()
        })
        .unwrap();
    assert_eq!(
        code(smart(config_id, Some(&theirs.id))),
        (ErrorCode::ValidationError, Some("strategy_id".into()))
    );
    ws.delete_config(&other.id).unwrap();

    // ai-resolve: unknown run, unknown result, a run that is not completed.
    assert_eq!(
        ws.ai_resolve("nope", &AiResolveInput::default())
            .unwrap_err()
            .code(),
        ErrorCode::NotFound
    );
    let bad = AiResolveInput {
        result_ids: Some(vec!["nope".into()]),
    };
    assert_eq!(
        code(ws.ai_resolve(run_id, &bad).unwrap_err()),
        (ErrorCode::ValidationError, Some("result_ids".into()))
    );
    let queued = ws.start_run(config_id, TriggeredBy::Manual).unwrap();
    let refused = ws.ai_resolve(&queued.id, &AiResolveInput::default());
    let finished = wait(ws, &queued.id);
    if finished.status == RunStatus::Completed && refused.is_ok() {
        // It finished before the call: then the pass was allowed; let it end.
        wait(ws, &queued.id);
    } else {
        assert_eq!(refused.unwrap_err().code(), ErrorCode::Conflict);
    }
}
