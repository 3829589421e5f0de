//! Entity matching the Cognite way through the service on a real workspace (spec B.4, B.6):
//! models trained in the background from industrial tags, predict jobs, refit, the list and its
//! filters, renaming and deleting; and the refusals, each naming what is wrong.

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use service::em::{
    EmFitInput, EmModel, EmModelFilter, EmPredictInput, EmRefitInput, EmUpdate, IdEither,
};
use service::{ServiceError, Workspace};

mod common;
use common::{open, runtime};

fn objects(v: Value) -> Vec<service::em::EmEntity> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_object().unwrap().clone())
        .collect()
}

/// Time series named as historians do, and the assets they belong to (same index).
fn tags() -> (Vec<service::em::EmEntity>, Vec<service::em::EmEntity>) {
    let pairs = [
        ("KKL_21PT1019.PV", "21PT1019"),
        ("KKL_21TT1020.PV", "21TT1020"),
        ("KKL-23FIC0042.SP", "23FIC0042"),
        ("21-LT-1101:VALUE", "21LT1101"),
        ("KKL_24XV0007.PV", "24XV0007"),
        ("kkl_31pic2210.op", "31PIC2210"),
        ("KKL_21AA1019CA.PV", "21AA1019CA"),
        ("KKL_13FV1234BU.VW", "13FV1234BU"),
    ];
    let sources = pairs
        .iter()
        .enumerate()
        .map(|(i, (s, _))| json!({"id": i as i64 + 1, "name": s, "metadata": {"unit": "bar"}}));
    let targets = pairs.iter().enumerate().map(
        |(i, (_, t))| json!({"id": i as i64 + 100, "externalId": format!("asset-{i}"), "name": t}),
    );
    (
        objects(Value::Array(sources.collect())),
        objects(Value::Array(targets.collect())),
    )
}

fn wait_model(ws: &Workspace, id: i64) -> EmModel {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let m = ws.em_model(id).unwrap();
        if service::em::is_finished(&m.status) {
            return m;
        }
        assert!(Instant::now() < deadline, "model {id} stayed {}", m.status);
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn wait_job(ws: &Workspace, id: i64) -> service::em::EmJob {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let j = ws.em_job(id).unwrap();
        if service::em::is_finished(&j.status) {
            return j;
        }
        assert!(Instant::now() < deadline, "job {id} stayed {}", j.status);
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The target id each source got first, in source order.
fn first_targets(job: &service::em::EmJob) -> Vec<Option<i64>> {
    job.items
        .as_ref()
        .unwrap()
        .iter()
        .map(|i| i.matches.first().and_then(|m| m.target["id"].as_i64()))
        .collect()
}

#[test]
fn a_model_is_trained_in_the_background_and_predicts_each_tags_asset() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let ws = open(&rt, &dir.path().join("w.sqlite"));
    let (sources, targets) = tags();
    let model = ws
        .em_fit(EmFitInput {
            sources: Some(sources.clone()),
            targets: Some(targets.clone()),
            external_id: Some("tags".into()),
            name: Some("Tags".into()),
            feature_type: Some("bigramextratokenizers".into()),
            ..EmFitInput::default()
        })
        .unwrap();
    assert_eq!(model.status, "Queued");
    assert_eq!(model.classifier, "Unsupervised");
    let model = wait_model(&ws, model.id);
    assert_eq!(model.status, "Completed", "{:?}", model.error_message);
    assert!(model.start_time.is_some() && model.status_time >= model.created_time);

    // Predict with the training data: every time series finds its asset first.
    let job = ws
        .em_predict(EmPredictInput {
            external_id: Some("tags".into()),
            num_matches: Some(3),
            ..EmPredictInput::default()
        })
        .unwrap();
    assert_eq!(job.status, "Queued");
    assert!(!job.token.is_empty());
    let job = wait_job(&ws, job.job_id);
    assert_eq!(job.status, "Completed", "{:?}", job.error_message);
    let want: Vec<Option<i64>> = (0..sources.len() as i64).map(|i| Some(i + 100)).collect();
    assert_eq!(first_targets(&job), want);
    let items = job.items.as_ref().unwrap();
    // The source is echoed whole; matches best first, at most three, scores in 0..=1.
    assert_eq!(items[0].source["metadata"]["unit"], "bar");
    for item in items {
        assert!(item.matches.len() <= 3);
        assert!(item.matches.windows(2).all(|w| w[0].score >= w[1].score));
        assert!(item.matches.iter().all(|m| (0.0..=1.0).contains(&m.score)));
    }

    // Other sources, a threshold: a source sharing no token with any target gets nothing.
    let job = ws
        .em_predict(EmPredictInput {
            id: Some(model.id),
            sources: Some(objects(
                json!([{"name": "KKL_21PT1019.PV"}, {"name": "boiler room"}]),
            )),
            score_threshold: Some(0.3),
            ..EmPredictInput::default()
        })
        .unwrap();
    let job = wait_job(&ws, job.job_id);
    assert_eq!(first_targets(&job), vec![Some(100), None]);
}

#[test]
fn supervised_models_refit_list_rename_and_delete() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let ws = open(&rt, &dir.path().join("w.sqlite"));
    let (sources, targets) = tags();
    let true_matches = serde_json::from_value(json!([
        {"sourceId": 1, "targetId": 100},
        {"sourceId": 2, "targetExternalId": "asset-1"},
        {"sourceId": 3, "targetId": 102}
    ]))
    .unwrap();
    let model = ws
        .em_fit(EmFitInput {
            sources: Some(sources),
            targets: Some(targets),
            true_matches: Some(true_matches),
            classifier: Some("logisticregression".into()),
            feature_type: Some("bigram".into()),
            ..EmFitInput::default()
        })
        .unwrap();
    assert_eq!(model.classifier, "logisticregression");
    let model = wait_model(&ws, model.id);
    assert_eq!(model.status, "Completed", "{:?}", model.error_message);

    let refit = ws
        .em_refit(EmRefitInput {
            id: Some(model.id),
            new_external_id: Some("tags-2".into()),
            true_matches: Some(
                serde_json::from_value(json!([{"sourceId": 4, "targetId": 103}])).unwrap(),
            ),
            ..EmRefitInput::default()
        })
        .unwrap();
    assert_eq!(refit.original_id, Some(model.id));
    assert_ne!(refit.id, model.id);
    let refit = wait_model(&ws, refit.id);
    assert_eq!(refit.status, "Completed", "{:?}", refit.error_message);
    assert_eq!(refit.classifier, "logisticregression");
    let job = ws
        .em_predict(EmPredictInput {
            external_id: Some("tags-2".into()),
            ..EmPredictInput::default()
        })
        .unwrap();
    let job = wait_job(&ws, job.job_id);
    assert_eq!(first_targets(&job)[3], Some(103));

    let of = |original_id| EmModelFilter {
        original_id,
        ..EmModelFilter::default()
    };
    assert_eq!(ws.em_models(&of(Some(model.id)), None).unwrap().len(), 1);
    assert_eq!(
        ws.em_models(&EmModelFilter::default(), Some(1))
            .unwrap()
            .len(),
        1
    );
    let renamed = ws
        .em_update(
            refit.id,
            &EmUpdate {
                name: Some("Tags, refit".into()),
                description: Some("with loop 1101".into()),
            },
        )
        .unwrap();
    assert_eq!(renamed.name.as_deref(), Some("Tags, refit"));
    ws.em_delete(&[model.id, refit.id]).unwrap();
    assert!(matches!(
        ws.em_model(model.id),
        Err(ServiceError::NotFound { .. })
    ));
    // A predict job outlives its model's deletion, with its result.
    assert_eq!(ws.em_job(job.job_id).unwrap().status, "Completed");
}

#[test]
fn refusals_name_what_is_wrong_and_store_nothing() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let ws = open(&rt, &dir.path().join("w.sqlite"));
    let (sources, targets) = tags();
    let fit = |input: EmFitInput| ws.em_fit(input).unwrap_err();
    let field = |e: ServiceError| service::ApiError::from(e).field.unwrap_or_default();
    let base = || EmFitInput {
        sources: Some(sources.clone()),
        targets: Some(targets.clone()),
        ..EmFitInput::default()
    };
    assert_eq!(
        field(fit(EmFitInput {
            targets: None,
            ..base()
        })),
        "targets"
    );
    assert_eq!(
        field(fit(EmFitInput {
            feature_type: Some("trigram".into()),
            ..base()
        })),
        "featureType"
    );
    assert_eq!(
        field(fit(EmFitInput {
            match_fields: Some(
                serde_json::from_value(json!([{"source": "name", "target": "tag"}])).unwrap()
            ),
            ..base()
        })),
        "targets[0].tag"
    );
    assert_eq!(
        field(fit(EmFitInput {
            true_matches: Some(
                serde_json::from_value(json!([{"sourceId": 99, "targetId": 100}])).unwrap()
            ),
            ..base()
        })),
        "trueMatches[0].source"
    );
    assert!(ws
        .em_models(&EmModelFilter::default(), None)
        .unwrap()
        .is_empty());

    let first = ws
        .em_fit(EmFitInput {
            external_id: Some("once".into()),
            ..base()
        })
        .unwrap();
    let again = fit(EmFitInput {
        external_id: Some("once".into()),
        ..base()
    });
    assert!(matches!(again, ServiceError::Conflict(_)), "{again}");
    let unknown = ws
        .em_predict(EmPredictInput {
            id: Some(first.id + 1000),
            ..EmPredictInput::default()
        })
        .unwrap_err();
    assert!(
        matches!(unknown, ServiceError::NotFound { .. }),
        "{unknown}"
    );
    wait_model(&ws, first.id);
    let too_many = ws
        .em_predict(EmPredictInput {
            id: Some(first.id),
            num_matches: Some(101),
            ..EmPredictInput::default()
        })
        .unwrap_err();
    assert_eq!(field(too_many), "numMatches");
    assert!(matches!(
        ws.em_model_by(&IdEither::ExternalId {
            external_id: "nope".into()
        }),
        Err(ServiceError::NotFound { .. })
    ));
}
