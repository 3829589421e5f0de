//! `matchbook-cli em` end to end: the real binary trains an unsupervised model on tags written
//! here (a CSV of time series, a JSON file of assets), predicts with it, trains a supervised one
//! from confirmed matches, lists them; and the mistakes exit with the field at fault.

mod common;

use common::{cli, fails, ok};
use serde_json::Value;

#[test]
fn em_fit_predict_and_models_from_files() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws.sqlite");
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.to_str().unwrap().to_string()
    };
    let sources = write(
        "series.csv",
        "id,name,unit\n1,KKL_21PT1019.PV,bar\n2,KKL_23FIC0042.SP,m3/h\n3,21-LT-1101:VALUE,%\n",
    );
    let targets = write(
        "assets.json",
        r#"[{"id": 100, "name": "21PT1019"}, {"id": 101, "name": "23FIC0042"}, {"id": 102, "name": "21LT1101"}]"#,
    );
    let model: Value = serde_json::from_str(&ok(cli(
        &ws,
        &[
            "em",
            "fit",
            "--sources",
            &sources,
            "--targets",
            &targets,
            "--feature-type",
            "bigramextratokenizers",
            "--name",
            "tags",
            "--json",
        ],
    )))
    .unwrap();
    assert_eq!(model["status"], "Completed", "{model}");
    let id = model["id"].to_string();
    let out = ok(cli(&ws, &["em", "predict", &id]));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(
        lines[0].starts_with("KKL_21PT1019.PV  ->  21PT1019 ("),
        "{out}"
    );
    assert!(
        lines[2].starts_with("21-LT-1101:VALUE  ->  21LT1101 ("),
        "{out}"
    );
    let job: Value = serde_json::from_str(&ok(cli(
        &ws,
        &["em", "predict", &id, "--num-matches", "2", "--json"],
    )))
    .unwrap();
    assert_eq!(job["items"][1]["matches"][0]["target"]["id"], 101, "{job}");

    let matches = write(
        "matches.json",
        r#"[{"sourceId": 1, "targetId": 100}, {"sourceId": 2, "targetId": 101}]"#,
    );
    let out = ok(cli(
        &ws,
        &[
            "em",
            "fit",
            "--sources",
            &sources,
            "--targets",
            &targets,
            "--true-matches",
            &matches,
            "--classifier",
            "decisiontree",
        ],
    ));
    assert!(
        out.contains("Completed") && out.contains("decisiontree"),
        "{out}"
    );
    let listed = ok(cli(&ws, &["em", "models"]));
    assert_eq!(listed.lines().count(), 2, "{listed}");
    assert!(listed.contains("Unsupervised"), "{listed}");

    let (code, err) = fails(cli(
        &ws,
        &[
            "em",
            "fit",
            "--sources",
            &sources,
            "--targets",
            &targets,
            "--match-field",
            "name=tag",
        ],
    ));
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("targets[0].tag"), "{err}");
    assert_eq!(fails(cli(&ws, &["em", "predict", "9999"])).0, 3);
    assert_eq!(
        fails(cli(
            &ws,
            &[
                "em",
                "fit",
                "--sources",
                &sources,
                "--targets",
                &targets,
                "--match-field",
                "oops"
            ]
        ))
        .0,
        2
    );
}
