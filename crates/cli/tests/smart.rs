//! `smart-run`, `ai-resolve` and answering a suggestion with `review`, end to end through the
//! real binary: people records imported from files, a strategy learned without their id-like
//! column, a config made from it, a smart run, ai-resolve on a standard run of it, the results
//! with a suggestion listed, one dismissed, restored and accepted; and the exit codes of the
//! usual mistakes.

mod common;

use std::path::Path;

use common::{cli, field, ok};
use serde_json::Value;

fn json_of(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"))
}

/// Exit code and stderr of a command that must fail.
fn fails(out: std::process::Output) -> (i32, String) {
    assert!(!out.status.success(), "should fail");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_smart_run_and_ai_resolve_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = datagen::people::generate(&datagen::people::PeopleSpec {
        originals: 4_000,
        seed: 23,
    });
    let a = dir.path().join("a.csv");
    let b = dir.path().join("b.csv");
    std::fs::write(&a, &data.reference_csv).unwrap();
    std::fs::write(&b, &data.documents_csv).unwrap();
    let ws = dir.path().join("ws.sqlite");
    let path = |p: &Path| p.to_str().unwrap().to_string();
    let import = |kind: &str, file: &Path| {
        field(
            &ok(cli(
                &ws,
                &[
                    "import",
                    "--kind",
                    kind,
                    &path(file),
                    "--id-column",
                    "rec_id",
                ],
            )),
            "dataset",
        )
    };
    let reference = import("reference", &a);
    let documents = import("documents", &b);
    let strategy = field(
        &ok(cli(
            &ws,
            &[
                "strategies",
                "generate",
                "--reference-data",
                &reference,
                "--target-type",
                "run",
                "--documents",
                &documents,
                "--prompt",
                "ignore soc_sec_id",
            ],
        )),
        "strategy",
    );
    let config = field(
        &ok(cli(
            &ws,
            &["strategies", "to-config", &strategy, "--name", "People"],
        )),
        "config",
    );

    let out = ok(cli(&ws, &["smart-run", &config, "--strategy", &strategy]));
    assert!(field(&out, "smart run").contains(&strategy), "{out}");
    let smart = json_of(&ok(cli(
        &ws,
        &["smart-run", &config, "--strategy", &strategy, "--json"],
    )));
    assert_eq!(smart["status"], "completed", "{smart}");
    assert_eq!(smart["run_type"], "smart");
    assert_eq!(smart["strategy_id"], strategy.as_str());

    let plain = json_of(&ok(cli(&ws, &["run", &config, "--json"])));
    let run_id = plain["id"].as_str().unwrap();
    let out = ok(cli(&ws, &["ai-resolve", run_id]));
    let made: u64 = field(&out, "suggestions")
        .split(' ')
        .next()
        .unwrap()
        .replace(',', "")
        .parse()
        .unwrap();
    assert!(made > 0, "{out}");
    let suggested = (1..=20)
        .map(|page| {
            let page = page.to_string();
            json_of(&ok(cli(
                &ws,
                &[
                    "results", run_id, "--status", "pending", "--limit", "500", "--page", &page,
                    "--json",
                ],
            )))
        })
        .take_while(|p| !p["data"].as_array().unwrap().is_empty())
        .flat_map(|p| p["data"].as_array().unwrap().clone())
        .find(|r| r["suggestion"].is_object())
        .expect("a result with a suggestion");
    let result_id = suggested["id"].as_str().unwrap();
    let document = suggested["document_id"].as_str().unwrap();
    let listed = ok(cli(&ws, &["results", run_id, "--search", document]));
    assert!(listed.contains("[ai suggests"), "{listed}");
    // --suggested lists the results with an open suggestion, and only them.
    let only = json_of(&ok(cli(
        &ws,
        &["results", run_id, "--suggested", "--limit", "500", "--json"],
    )));
    assert_eq!(only["total"], made, "{}", only["total"]);
    assert!(only["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["suggestion"].is_object()));
    // Dismissed, then restored: the same suggestion is open again.
    let suggestion_id = suggested["suggestion"]["id"].as_str().unwrap();
    let dismissed = json_of(&ok(cli(
        &ws,
        &[
            "review",
            run_id,
            result_id,
            "--dismiss-suggestion",
            "--json",
        ],
    )));
    assert!(dismissed.get("suggestion").is_none_or(Value::is_null));
    let restored = json_of(&ok(cli(
        &ws,
        &[
            "review",
            run_id,
            result_id,
            "--restore-suggestion",
            suggestion_id,
            "--json",
        ],
    )));
    assert_eq!(restored["suggestion"], suggested["suggestion"]);
    let accepted = json_of(&ok(cli(
        &ws,
        &["review", run_id, result_id, "--accept-suggestion", "--json"],
    )));
    assert_ne!(accepted["status"], "pending");
    assert!(accepted.get("suggestion").is_none_or(Value::is_null));
    let summary = ok(cli(&ws, &["summary", run_id]));
    assert!(
        field(&summary, "ai suggestions").contains("1 accepted"),
        "{summary}"
    );
    let history = ok(cli(&ws, &["history", run_id, result_id, "--json"]));
    assert!(history.contains("suggestion_id"), "{history}");

    // Mistakes: an unknown strategy, ai-resolve on an unknown run, no suggestion left.
    let (code, err) = fails(cli(&ws, &["smart-run", &config, "--strategy", "no-such"]));
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("[not_found]"), "{err}");
    assert_eq!(
        fails(cli(&ws, &["smart-run", &config])).0,
        2,
        "--strategy is required"
    );
    let (code, err) = fails(cli(&ws, &["ai-resolve", "no-such-run"]));
    assert_eq!(code, 3, "{err}");
    let (code, err) = fails(cli(
        &ws,
        &["review", run_id, result_id, "--accept-suggestion"],
    ));
    assert!(err.contains("[conflict]") && code != 0, "{code}: {err}");
    let (code, err) = fails(cli(
        &ws,
        &[
            "review",
            run_id,
            result_id,
            "--restore-suggestion",
            suggestion_id,
        ],
    ));
    assert!(
        err.contains("[conflict]") && err.contains(suggestion_id) && code != 0,
        "{code}: {err}"
    );
}
