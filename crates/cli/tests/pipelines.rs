//! `matchbook-cli pipelines` end to end: the real binary imports time series and assets, creates
//! a pipeline over them, runs it (model matches and a generated rule), accepts the rule, runs
//! again (rule matches), rejects nothing twice, and names its mistakes.

mod common;

use common::{cli, fails, ok};
use serde_json::Value;

#[test]
fn a_pipeline_is_created_run_and_its_generated_rule_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws.sqlite");
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.to_str().unwrap().to_string()
    };
    let series = write(
        "series.csv",
        "ts_id,name\n1,KKL_21PT1019.PV\n2,KKL_21TT1020.PV\n3,KKL_23FIC0042.PV\n",
    );
    let assets = write(
        "assets.csv",
        "asset_id,name\n100,21PT1019\n101,21TT1020\n102,23FIC0042\n",
    );
    ok(cli(
        &ws,
        &[
            "import",
            "--kind",
            "documents",
            &series,
            "--id-column",
            "ts_id",
            "--name",
            "Series",
        ],
    ));
    ok(cli(
        &ws,
        &[
            "import",
            "--kind",
            "reference",
            &assets,
            "--id-column",
            "asset_id",
            "--name",
            "Assets",
        ],
    ));
    let spec = write(
        "pipeline.json",
        r#"{"name": "tags", "generateRules": true,
            "sources": {"resource": "time_series", "dataSetIds": [{"externalId": "Series"}]},
            "targets": {"resource": "assets", "dataSetIds": [{"externalId": "Assets"}]},
            "modelParameters": {"featureType": "bigramextratokenizers"}}"#,
    );
    let created: Value =
        serde_json::from_str(&ok(cli(&ws, &["pipelines", "create", &spec, "--json"]))).unwrap();
    let id = created["id"].to_string();
    let out = ok(cli(&ws, &["pipelines", "run", &id]));
    assert!(
        out.contains("3 matches: 0 previously-confirmed, 0 rule, 3 model"),
        "{out}"
    );
    assert!(
        out.contains("rule 1:") && out.contains("conflicts 0"),
        "{out}"
    );
    let runs = ok(cli(&ws, &["pipelines", "runs", &id]));
    let job = runs.split_whitespace().next().unwrap().to_string();
    let out = ok(cli(
        &ws,
        &[
            "pipelines",
            "rules",
            "accept",
            &id,
            "--run",
            &job,
            "--rule",
            "1",
        ],
    ));
    assert!(out.contains("1 rules, 0 rejected rules"), "{out}");
    let out = ok(cli(&ws, &["pipelines", "run", &id]));
    assert!(
        out.contains("3 matches: 0 previously-confirmed, 3 rule, 0 model"),
        "{out}"
    );
    let shown = ok(cli(&ws, &["pipelines", "show", &id]));
    assert!(shown.contains("rules 1"), "{shown}");

    let (code, err) = fails(cli(
        &ws,
        &[
            "pipelines",
            "rules",
            "reject",
            &id,
            "--run",
            &job,
            "--rule",
            "9",
        ],
    ));
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("no rule 9"), "{err}");
    assert_eq!(fails(cli(&ws, &["pipelines", "show", "999"])).0, 3);
}
