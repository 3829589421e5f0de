//! Entity-matching pipelines through the service on a real workspace (spec B.7, B.8): datasets
//! imported from CSV files as sources and targets, runs in the background with the documented
//! precedence (confirmed > rule > model, never a rejected pair), generated rules fed back by
//! update, and the refusals naming their field.

use std::time::Duration;

use engine::DatasetKind;
use serde_json::{json, Value};
use service::em::{PipelineSpec, RunResult};
use service::Workspace;

mod common;
use common::{open, runtime};

const SERIES: &str = "ts_id,name,unit\n\
1,KKL_21PT1019.PV,bar\n\
2,KKL_21TT1020.PV,degC\n\
3,KKL_23FIC0042.PV,m3/h\n\
4,KKL_21LT1101.PV,%\n\
5,KKL_24XV0007.PV,\n\
6,KKL_31PIC2210.PV,bar\n\
7,KKL_SYS_HEARTBEAT,\n";

const ASSETS: &str = "asset_id,name,site\n\
100,21PT1019,KKL\n\
101,21TT1020,KKL\n\
102,23FIC0042,KKL\n\
103,21LT1101,KKL\n\
104,24XV0007,KKL\n\
105,31PIC2210,KKL\n";

fn setup(ws: &Workspace, dir: &std::path::Path) {
    let s = dir.join("series.csv");
    let t = dir.join("assets.csv");
    std::fs::write(&s, SERIES).unwrap();
    std::fs::write(&t, ASSETS).unwrap();
    let mut req = common::import_request(&s, DatasetKind::Documents);
    req.id_column = Some("ts_id".into());
    req.name = Some("Time series".into());
    ws.import_dataset(&req).unwrap();
    let mut req = common::import_request(&t, DatasetKind::Reference);
    req.id_column = Some("asset_id".into());
    req.name = Some("Assets".into());
    ws.import_dataset(&req).unwrap();
}

fn spec(v: Value) -> PipelineSpec {
    serde_json::from_value(v).unwrap()
}

fn wait(ws: &Workspace, pipeline: i64, job: i64) -> RunResult {
    let r = ws
        .em_wait_for_pipeline_run(pipeline, job, Duration::from_secs(60))
        .unwrap();
    assert!(
        service::em::is_finished(&r.summary.status),
        "run {job} stayed {}",
        r.summary.status
    );
    r
}

/// (source id, target id, matchType) of each match.
fn matched(r: &RunResult) -> Vec<(i64, i64, String)> {
    r.output
        .as_ref()
        .unwrap()
        .matches
        .iter()
        .map(|m| {
            (
                m["source"]["id"].as_i64().unwrap(),
                m["target"]["id"].as_i64().unwrap(),
                m["matchType"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn a_pipeline_runs_with_the_documented_precedence_and_generates_rules() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let ws = open(&rt, &dir.path().join("w.sqlite"));
    setup(&ws, dir.path());
    let p = ws
        .em_create_pipeline(spec(json!({
            "externalId": "tags", "name": "Time series to assets",
            "sources": {"resource": "time_series", "dataSetIds": [{"externalId": "Time series"}]},
            "targets": {"resource": "assets", "dataSetIds": [{"externalId": "Assets"}]},
            "modelParameters": {"featureType": "bigramextratokenizers"},
            "scoreThreshold": 0.5, "generateRules": true
        })))
        .unwrap();
    assert_eq!(p.owner, "tester");
    assert!(p.last_run.is_none());

    let run = ws.em_run_pipeline(p.id).unwrap();
    assert_eq!(run.status, "Queued");
    let r = wait(&ws, p.id, run.job_id);
    assert_eq!(
        r.summary.status, "Completed",
        "{:?}",
        r.summary.error_message
    );
    let got = matched(&r);
    assert_eq!(got.len(), 6, "{got:?}");
    assert!(
        got.iter()
            .all(|(s, t, kind)| *t == s + 99 && kind == "model"),
        "{got:?}"
    );
    let out = r.output.as_ref().unwrap();
    assert!(!out.generated_rules.is_empty(), "{out:?}");
    let rule = out.generated_rules[0].clone();
    assert_eq!(rule["numConflicts"], 0, "{rule}");
    assert!(rule["matches"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["consistentMatch"] == true));

    // Accept the generated rule (as copied from the output), confirm one pair, reject another.
    let updated = ws
        .em_update_pipeline(
            p.id,
            json!({
                "rules": {"set": [rule]},
                "confirmedMatches": {"set": [{"sourceId": 1, "targetId": 100}]},
                "rejectedMatches": {"set": [{"sourceId": 2, "targetId": 101}]},
                "generateRules": {"set": false}
            })
            .as_object()
            .unwrap(),
        )
        .unwrap();
    assert_eq!(updated.spec.rules.len(), 1);
    assert!(updated.last_run.is_some());
    let run = ws.em_run_pipeline(p.id).unwrap();
    let r = wait(&ws, p.id, run.job_id);
    assert_eq!(
        r.summary.status, "Completed",
        "{:?}",
        r.summary.error_message
    );
    let got = matched(&r);
    assert!(
        got.contains(&(1, 100, "previously-confirmed".into())),
        "{got:?}"
    );
    assert!(got.contains(&(3, 102, "rule".into())), "{got:?}");
    assert!(
        !got.iter().any(|(s, t, _)| (*s, *t) == (2, 101)),
        "a rejected pair: {got:?}"
    );
    assert!(r.output.as_ref().unwrap().generated_rules.is_empty());

    // Runs newest first; the pipeline shows its last run.
    let runs = ws.em_pipeline_runs(p.id, None, 10).unwrap();
    assert_eq!(runs[0].job_id, run.job_id);
    assert_eq!(runs.len(), 2);
    assert_eq!(
        ws.em_pipeline(p.id).unwrap().last_run.unwrap().job_id,
        run.job_id
    );
    ws.em_delete_pipelines(&[p.id]).unwrap();
    assert!(ws.em_pipeline_run(p.id, run.job_id).is_err());
}

#[test]
fn pipeline_refusals_name_their_field() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let ws = open(&rt, &dir.path().join("w.sqlite"));
    setup(&ws, dir.path());
    let field = |e: service::ServiceError| service::ApiError::from(e).field.unwrap_or_default();
    let base = || {
        json!({"sources": {"resource": "time_series", "dataSetIds": [{"externalId": "Time series"}]},
               "targets": {"resource": "assets", "dataSetIds": [{"externalId": "Assets"}]}})
    };
    let mut bad = base();
    bad["scoreThreshold"] = json!(1.5);
    assert_eq!(
        field(ws.em_create_pipeline(spec(bad)).unwrap_err()),
        "scoreThreshold"
    );
    let mut bad = base();
    bad["targets"]["dataSetIds"] = json!([]);
    assert_eq!(
        field(ws.em_create_pipeline(spec(bad)).unwrap_err()),
        "targets.dataSetIds"
    );
    let mut bad = base();
    bad["rules"] = json!([{"priority": 1, "extractors": [
        {"entitySet": "sources", "extractorType": "regex", "field": "name", "pattern": "(["},
        {"entitySet": "targets", "extractorType": "regex", "field": "name", "pattern": "(.*)"}],
        "conditions": [{"conditionType": "equals", "arguments": [[0, 0], [1, 0]]}]}]);
    assert_eq!(
        field(ws.em_create_pipeline(spec(bad)).unwrap_err()),
        "rules"
    );
    let p = ws.em_create_pipeline(spec(base())).unwrap();
    let e = ws
        .em_update_pipeline(p.id, json!({"owner": {"set": "x"}}).as_object().unwrap())
        .unwrap_err();
    assert_eq!(field(e), "update.owner");

    // A dataset that is not there: the run completes and says so in its errors.
    let mut missing = base();
    missing["sources"]["dataSetIds"] =
        json!([{"externalId": "Time series"}, {"externalId": "Nope"}]);
    let p = ws.em_create_pipeline(spec(missing)).unwrap();
    let run = ws.em_run_pipeline(p.id).unwrap();
    let r = wait(&ws, p.id, run.job_id);
    assert_eq!(r.summary.status, "Completed");
    assert!(r.output.unwrap().errors.iter().any(|e| e.contains("Nope")));
}

#[test]
fn a_pipeline_with_a_schedule_is_run_by_the_schedulers_pass_once_per_interval() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let ws = open(&rt, &dir.path().join("w.sqlite"));
    setup(&ws, dir.path());
    let base = json!({"sources": {"resource": "time_series", "dataSetIds": [{"externalId": "Time series"}]},
                      "targets": {"resource": "assets", "dataSetIds": [{"externalId": "Assets"}]}});
    let mut scheduled = base.clone();
    scheduled["scheduleInterval"] = json!(7200);
    let p = ws.em_create_pipeline(spec(scheduled)).unwrap();
    let manual = ws.em_create_pipeline(spec(base)).unwrap();
    ws.run_due_schedules().unwrap();
    let runs = ws.em_pipeline_runs(p.id, None, 10).unwrap();
    assert_eq!(runs.len(), 1, "never run: due at once");
    assert!(ws.em_pipeline_runs(manual.id, None, 10).unwrap().is_empty());
    wait(&ws, p.id, runs[0].job_id);
    // Within the interval: nothing more.
    ws.run_due_schedules().unwrap();
    assert_eq!(ws.em_pipeline_runs(p.id, None, 10).unwrap().len(), 1);
}

/// Reviews in the review desk: the result of time series `doc` approved or rejected.
fn review(ws: &Workspace, run_id: &str, doc: &str, status: engine::ReviewStatus) -> String {
    let results = ws
        .list_results(run_id, &service::ResultQuery::default())
        .unwrap()
        .data;
    let r = results.iter().find(|r| r.document_id == doc).unwrap();
    let target = r
        .matched_reference_row_id
        .clone()
        .expect("a proposed asset");
    let input = service::ReviewInput {
        status,
        notes: None,
        reference_row_id: None,
    };
    ws.review_result(run_id, &r.id, &input).unwrap();
    target
}

#[test]
fn existing_matches_are_the_review_desks_decisions_on_the_same_datasets() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let ws = open(&rt, &dir.path().join("w.sqlite"));
    setup(&ws, dir.path());
    let datasets = ws.list_datasets().unwrap();
    let id_of = |name: &str| datasets.iter().find(|d| d.name == name).unwrap().id.clone();
    // A matching run over the same two datasets, and a reviewer's decisions on two of its results.
    let mut name = engine::FieldMapping::new("name", "name", engine::Strategy::Fuzzy, 1.0);
    name.similarity_threshold = Some(0.0);
    let config = ws
        .create_config(&engine::ConfigInput {
            name: "Series to assets".into(),
            reference_data_id: id_of("Assets"),
            document_set_id: Some(id_of("Time series")),
            field_mappings: vec![name],
            threshold: Some(0.3),
            review_floor: Some(0.0),
            one_to_one: None,
            schedule: None,
            blocking_keys: None,
            blocking_strategy: None,
        })
        .unwrap();
    let run = common::run_to_completion(&ws, &config.id);
    let refused = review(&ws, &run.id, "1", engine::ReviewStatus::Rejected);
    assert_eq!(refused, "100");
    for doc in ["2", "3", "4"] {
        review(&ws, &run.id, doc, engine::ReviewStatus::Approved);
    }

    let pipeline = |external_id: &str, existing: bool| {
        ws.em_create_pipeline(spec(json!({
            "externalId": external_id,
            "sources": {"dataSetIds": [{"externalId": "Time series"}]},
            "targets": {"dataSetIds": [{"externalId": "Assets"}]},
            "modelParameters": {"featureType": "bigramextratokenizers"},
            "useExistingMatches": existing
        })))
        .unwrap()
    };
    let runs = [("without", false), ("with", true)].map(|(x, existing)| {
        let p = pipeline(x, existing);
        let job = ws.em_run_pipeline(p.id).unwrap().job_id;
        matched(&wait(&ws, p.id, job))
    });
    let pairs = |m: &[(i64, i64, String)]| -> Vec<(i64, i64)> {
        m.iter().map(|(s, t, _)| (*s, *t)).collect()
    };
    // The model alone proposes the pair the reviewer rejected; with the existing matches it is
    // never proposed, and the approved pairs (now the model's training labels) are still found.
    assert!(pairs(&runs[0]).contains(&(1, 100)), "{:?}", runs[0]);
    assert!(!pairs(&runs[1]).contains(&(1, 100)), "{:?}", runs[1]);
    assert!(pairs(&runs[1]).contains(&(2, 101)), "{:?}", runs[1]);
}
