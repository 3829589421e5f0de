//! `matchbook-cli strategies` end to end: the real binary on a temp workspace holding orders and
//! invoices it imported from files this test wrote. Generate, show, edit by deep merge, list by
//! config, make a config and run it; and the exit codes of the usual mistakes.

mod common;

use std::path::Path;

use common::{cli, field, ok, BIN};
use datagen::demo::{generate, invoice_to_po_mappings, DemoSpec};
use serde_json::{json, Value};

fn json_of(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"))
}

/// Exit code and stderr of a command that must fail.
fn fails(out: std::process::Output) -> (i32, String) {
    assert!(
        !out.status.success(),
        "should fail: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Generates a strategy with a prompt and a name, shows it, edits it by deep merge (and refuses
/// bad edits with the exit codes of bad input and usage); returns its id.
fn generated_shown_and_edited(ws: &Path, reference: &str, documents: &str) -> String {
    let out = ok(cli(
        ws,
        &[
            "strategies",
            "generate",
            "--reference-data",
            reference,
            "--target-type",
            "run",
            "--documents",
            documents,
            "--prompt",
            "prioritise the po reference",
            "--name",
            "Learned",
        ],
    ));
    let id = field(&out, "strategy");
    assert_eq!(field(&out, "name"), "Learned");
    assert!(field(&out, "version").starts_with("1 (hash "), "{out}");
    assert!(field(&out, "review band").contains(" to below "), "{out}");
    let po_line = out
        .lines()
        .find(|l| l.trim_start().starts_with("po_reference -> po_number"))
        .unwrap_or_else(|| panic!("a line per mapping:\n{out}"));
    assert!(po_line.contains("weight "), "{po_line}");
    assert!(
        po_line
            .split("weight ")
            .nth(1)
            .unwrap()
            .trim()
            .contains(' '),
        "with its rationale: {po_line}"
    );

    let shown = json_of(&ok(cli(ws, &["strategies", "show", &id, "--json"])));
    assert_eq!(shown["version"], 1);
    assert_eq!(shown["document_set_id"], documents);
    let mappings = shown["strategy"]["field_mappings"].clone();

    let edited = json_of(&ok(cli(
        ws,
        &[
            "strategies",
            "edit",
            &id,
            "--set",
            r#"{"threshold": 0.9, "thresholds": {"review_floor": 0.5}}"#,
            "--json",
        ],
    )));
    assert_eq!(edited["version"], 2);
    assert_ne!(edited["version_hash"], shown["version_hash"]);
    assert_eq!(edited["strategy"]["threshold"], 0.9);
    assert_eq!(edited["strategy"]["thresholds"]["match"], 0.9);
    assert_eq!(edited["strategy"]["thresholds"]["review_floor"], 0.5);
    assert_eq!(
        edited["strategy"]["field_mappings"], mappings,
        "a deep merge"
    );
    let out = ok(cli(ws, &["strategies", "show", &id]));
    assert_eq!(field(&out, "threshold"), "0.900");

    let (code, err) = fails(cli(
        ws,
        &[
            "strategies",
            "edit",
            &id,
            "--set",
            r#"{"threshold": "high"}"#,
        ],
    ));
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains("strategy.threshold") && err.contains("[validation_error]"),
        "{err}"
    );
    assert_eq!(
        fails(cli(ws, &["strategies", "edit", &id, "--set", "{not json"])).0,
        2
    );
    assert_eq!(
        fails(cli(ws, &["strategies", "edit", &id])).0,
        2,
        "nothing to change"
    );

    id
}

#[test]
fn strategies_are_generated_shown_edited_listed_and_made_into_a_config_that_runs() {
    let dir = tempfile::tempdir().unwrap();
    let data = generate(&DemoSpec {
        purchase_orders: 300,
        invoices: 120,
        seed: 21,
    });
    let pos = dir.path().join("pos.csv");
    let invoices = dir.path().join("invoices.csv");
    std::fs::write(&pos, &data.purchase_orders_csv).unwrap();
    std::fs::write(&invoices, &data.invoices_csv).unwrap();
    let ws = dir.path().join("ws.sqlite");
    let path = |p: &Path| p.to_str().unwrap().to_string();
    let reference = field(
        &ok(cli(
            &ws,
            &[
                "import",
                "--kind",
                "reference",
                &path(&pos),
                "--id-column",
                "po_id",
            ],
        )),
        "dataset",
    );
    let documents = field(
        &ok(cli(
            &ws,
            &["import", "--kind", "documents", &path(&invoices)],
        )),
        "dataset",
    );

    let id = generated_shown_and_edited(&ws, &reference, &documents);
    // A strategy for a config is listed under it; the config itself does not change.
    let config_file = dir.path().join("config.json");
    let config = json!({
        "name": "By hand",
        "reference_data_id": reference,
        "document_set_id": documents,
        "field_mappings": invoice_to_po_mappings(),
        "threshold": 0.8,
    });
    std::fs::write(&config_file, config.to_string()).unwrap();
    let config_id = field(
        &ok(cli(&ws, &["configs", "create", &path(&config_file)])),
        "config",
    );
    let before = ok(cli(&ws, &["configs", "show", &config_id, "--json"]));
    let out = ok(cli(
        &ws,
        &[
            "strategies",
            "generate",
            "--reference-data",
            &reference,
            "--target-type",
            "run",
            "--config",
            &config_id,
        ],
    ));
    let for_config = field(&out, "strategy");
    assert_eq!(
        ok(cli(&ws, &["configs", "show", &config_id, "--json"])),
        before
    );
    let listed = ok(cli(&ws, &["strategies", "list", "--config", &config_id]));
    assert_eq!(listed.lines().count(), 1, "{listed}");
    assert!(
        listed.starts_with(&format!("{for_config}  v1  (unnamed)")),
        "{listed}"
    );
    let all = ok(cli(&ws, &["strategies", "list"]));
    assert_eq!(all.lines().count(), 2, "{all}");
    assert!(all.contains(&format!("{id}  v2  Learned")), "{all}");
    assert_eq!(
        json_of(&ok(cli(&ws, &["strategies", "list", "--json"])))
            .as_array()
            .unwrap()
            .len(),
        2
    );

    let out = ok(cli(
        &ws,
        &[
            "strategies",
            "to-config",
            &id,
            "--name",
            "From the strategy",
        ],
    ));
    let made = field(&out, "config");
    assert_eq!(field(&out, "threshold"), "0.900");
    assert_eq!(field(&out, "documents"), documents);
    let run = json_of(&ok(cli(&ws, &["run", &made, "--json"])));
    assert_eq!(run["status"], "completed");
    assert_eq!(run["rows_processed"], 120);
    assert!(run["rows_matched"].as_u64().unwrap() > 60, "{run}");

    let (code, err) = fails(cli(&ws, &["strategies", "show", "no-such-strategy"]));
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("[not_found]"), "{err}");
    let (code, err) = fails(cli(
        &ws,
        &[
            "strategies",
            "generate",
            "--reference-data",
            "no-such-data",
            "--target-type",
            "run",
        ],
    ));
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains("reference data no-such-data not found"),
        "{err}"
    );
    let (code, err) = fails(cli(
        &ws,
        &["strategies", "generate", "--reference-data", &reference],
    ));
    assert_eq!(code, 2, "--target-type is required: {err}");
    let (code, err) = fails(cli(&ws, &["strategies", "to-config", &id]));
    assert_eq!(code, 2, "--name is required: {err}");
}

#[test]
fn every_strategies_help_text_renders() {
    for sub in ["generate", "show", "edit", "list", "to-config"] {
        let out = std::process::Command::new(BIN)
            .args(["strategies", sub, "--help"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{sub}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("Usage:") && text.contains("--json"),
            "{sub}: {text}"
        );
    }
}
