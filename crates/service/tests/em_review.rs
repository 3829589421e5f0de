//! Reviewing pipeline runs through the service on a real workspace: a generated rule taken into
//! the pipeline (or rejected) feeds the next run with `rule` matches, matches confirmed and
//! rejected by external id, each decision idempotent and reversible; refusals name their field;
//! and a real run's output reads as the shapes the window's TypeScript types are made from.

use std::time::Duration;

use engine::DatasetKind;
use serde_json::{json, Value};
use service::em::{
    EmRule, GeneratedRule, Pipeline, PipelineMatch, RunResult, SuggestedRule, TrueMatchShape,
};
use service::Workspace;

mod common;
use common::{open, runtime};

const SERIES: &str = "ts_id,name,unit\n\
1,KKL_21PT1019.PV,bar\n\
2,KKL_21TT1020.PV,degC\n\
3,KKL_23FIC0042.PV,m3/h\n\
4,KKL_21LT1101.PV,%\n\
5,KKL_24XV0007.PV,\n\
6,KKL_31PIC2210.PV,bar\n";

const ASSETS: &str = "asset_id,name,site\n\
100,21PT1019,KKL\n\
101,21TT1020,KKL\n\
102,23FIC0042,KKL\n\
103,21LT1101,KKL\n\
104,24XV0007,KKL\n\
105,31PIC2210,KKL\n";

/// A workspace with the two datasets and a pipeline from series to assets that generates rules.
fn pipeline(ws: &Workspace, dir: &std::path::Path) -> Pipeline {
    for (file, text, kind, id, name) in [
        (
            "series.csv",
            SERIES,
            DatasetKind::Documents,
            "ts_id",
            "Time series",
        ),
        (
            "assets.csv",
            ASSETS,
            DatasetKind::Reference,
            "asset_id",
            "Assets",
        ),
    ] {
        let path = dir.join(file);
        std::fs::write(&path, text).unwrap();
        let mut req = common::import_request(&path, kind);
        req.id_column = Some(id.into());
        req.name = Some(name.into());
        ws.import_dataset(&req).unwrap();
    }
    let spec = serde_json::from_value(json!({
        "name": "Time series to assets",
        "sources": {"resource": "time_series", "dataSetIds": [{"externalId": "Time series"}]},
        "targets": {"resource": "assets", "dataSetIds": [{"externalId": "Assets"}]},
        "modelParameters": {"featureType": "bigramextratokenizers"},
        "generateRules": true
    }))
    .unwrap();
    ws.em_create_pipeline(spec).unwrap()
}

fn run(ws: &Workspace, pipeline: i64) -> RunResult {
    let job = ws.em_run_pipeline(pipeline).unwrap().job_id;
    let r = ws
        .em_wait_for_pipeline_run(pipeline, job, Duration::from_secs(60))
        .unwrap();
    assert_eq!(
        r.summary.status, "Completed",
        "run {job} stayed or ended {:?}",
        r.summary.error_message
    );
    r
}

/// (source external id, target external id, matchType) of each match.
fn matched(r: &RunResult) -> Vec<(String, String, String)> {
    let text = |v: &Value| v.as_str().unwrap().to_string();
    r.output
        .as_ref()
        .unwrap()
        .matches
        .iter()
        .map(|m| {
            (
                text(&m["source"]["externalId"]),
                text(&m["target"]["externalId"]),
                text(&m["matchType"]),
            )
        })
        .collect()
}

fn field(e: service::ServiceError) -> String {
    service::ApiError::from(e).field.unwrap_or_default()
}

#[test]
fn an_accepted_rule_makes_rule_matches_in_the_next_run_and_a_rejected_one_is_not_suggested() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let ws = open(&rt, &dir.path().join("w.sqlite"));
    let p = pipeline(&ws, dir.path());
    let first = run(&ws, p.id);
    let job = first.summary.job_id;
    assert!(matched(&first).iter().all(|m| m.2 == "model"));
    assert!(!first.output.as_ref().unwrap().generated_rules.is_empty());

    let accepted = ws.em_take_rule(p.id, job, 0, true).unwrap();
    assert_eq!(accepted.spec.rules.len(), 1);
    assert!(accepted.spec.rejected_rules.is_empty());
    // Taking it twice changes nothing.
    let again = ws.em_take_rule(p.id, job, 0, true).unwrap();
    assert_eq!(again.spec.rules, accepted.spec.rules);
    assert_eq!(again.last_updated_time, accepted.last_updated_time);

    let second = run(&ws, p.id);
    let kinds: Vec<String> = matched(&second).into_iter().map(|m| m.2).collect();
    assert!(kinds.iter().any(|k| k == "rule"), "{kinds:?}");

    // A change of mind: rejected, the rule leaves the rules and is never suggested again.
    let rejected = ws.em_take_rule(p.id, job, 0, false).unwrap();
    assert!(rejected.spec.rules.is_empty());
    assert_eq!(rejected.spec.rejected_rules, accepted.spec.rules);
    let third = run(&ws, p.id);
    assert!(matched(&third).iter().all(|m| m.2 == "model"));
    let out = third.output.unwrap();
    for g in &out.generated_rules {
        let rule: engine::em::rules::Rule = serde_json::from_value(g.clone()).unwrap();
        assert!(!engine::em::rules::same_rule(
            &rule,
            &rejected.spec.rejected_rules[0]
        ));
    }
}

#[test]
fn taking_a_rule_refuses_what_does_not_exist_naming_the_field() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let ws = open(&rt, &dir.path().join("w.sqlite"));
    let p = pipeline(&ws, dir.path());
    let r = run(&ws, p.id);
    let n = r.output.as_ref().unwrap().generated_rules.len();
    let e = ws
        .em_take_rule(p.id, r.summary.job_id, n, true)
        .unwrap_err();
    let message = e.to_string();
    assert_eq!(field(e), "ruleIndex");
    assert!(
        message.contains(&format!("has {n} generated rules")) && message.contains("no rule"),
        "{message}"
    );
    let e = ws.em_take_rule(p.id, 9999, 0, true).unwrap_err();
    assert_eq!(
        service::ApiError::from(e).code,
        service::ErrorCode::NotFound
    );
    let e = ws
        .em_take_rule(9999, r.summary.job_id, 0, true)
        .unwrap_err();
    assert_eq!(
        service::ApiError::from(e).code,
        service::ErrorCode::NotFound
    );
    assert!(ws.em_pipeline(p.id).unwrap().spec.rules.is_empty());
}

#[test]
fn matches_are_confirmed_and_rejected_by_external_id_and_feed_the_next_run() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let ws = open(&rt, &dir.path().join("w.sqlite"));
    let p = pipeline(&ws, dir.path());
    // A confirmed match given by id (as the REST API allows): the same pair by external id.
    let p = ws
        .em_update_pipeline(
            p.id,
            json!({"confirmedMatches": {"set": [{"sourceId": 2, "targetId": 101}]}})
                .as_object()
                .unwrap(),
        )
        .unwrap();

    // Source 1 confirmed to asset 105 (not its model match), twice: one entry.
    let confirmed = ws.em_decide_match(p.id, "1", "105", true).unwrap();
    let again = ws.em_decide_match(p.id, "1", "105", true).unwrap();
    assert_eq!(
        again.spec.confirmed_matches,
        confirmed.spec.confirmed_matches
    );
    assert_eq!(confirmed.spec.confirmed_matches.len(), 2);
    // The pair confirmed by id, now rejected: it leaves the confirmed matches.
    let rejected = ws.em_decide_match(p.id, "2", "101", false).unwrap();
    assert_eq!(rejected.spec.confirmed_matches.len(), 1);
    assert_eq!(rejected.spec.rejected_matches.len(), 1);
    // Source 3's own match rejected.
    ws.em_decide_match(p.id, "3", "102", false).unwrap();

    let got = matched(&run(&ws, p.id));
    assert!(
        got.contains(&("1".into(), "105".into(), "previously-confirmed".into())),
        "{got:?}"
    );
    for pair in [("2", "101"), ("3", "102")] {
        assert!(
            !got.iter().any(|m| (m.0.as_str(), m.1.as_str()) == pair),
            "a rejected pair {pair:?}: {got:?}"
        );
    }
    // Confirming a rejected pair moves it back.
    let back = ws.em_decide_match(p.id, "3", "102", true).unwrap();
    assert_eq!(back.spec.rejected_matches.len(), 1);
    assert_eq!(back.spec.confirmed_matches.len(), 2);

    assert_eq!(
        field(ws.em_decide_match(p.id, " ", "102", true).unwrap_err()),
        "sourceExternalId"
    );
    assert_eq!(
        field(ws.em_decide_match(p.id, "1", "", false).unwrap_err()),
        "targetExternalId"
    );
}

#[test]
fn a_runs_output_reads_as_the_windows_types() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let ws = open(&rt, &dir.path().join("w.sqlite"));
    let p = pipeline(&ws, dir.path());
    let r = run(&ws, p.id);
    ws.em_take_rule(p.id, r.summary.job_id, 0, true).unwrap();
    let p = ws.em_decide_match(p.id, "1", "100", true).unwrap();
    // The shapes refuse unknown keys: a key the run or the pipeline adds fails here first.
    let out = r.output.unwrap();
    let matches: Vec<PipelineMatch> = serde_json::from_value(json!(out.matches)).unwrap();
    assert!(!matches.is_empty());
    let generated: Vec<GeneratedRule> = serde_json::from_value(json!(out.generated_rules)).unwrap();
    assert!(!generated[0].matches.is_empty());
    let suggested: Vec<SuggestedRule> = serde_json::from_value(json!(out.suggested_rules)).unwrap();
    assert!(!suggested.is_empty());
    let stored = serde_json::to_value(&p).unwrap();
    let rules: Vec<EmRule> = serde_json::from_value(stored["rules"].clone()).unwrap();
    assert_eq!(rules.len(), 1);
    let confirmed: Vec<TrueMatchShape> =
        serde_json::from_value(stored["confirmedMatches"].clone()).unwrap();
    assert_eq!(confirmed[0].source_external_id.as_deref(), Some("1"));
}
