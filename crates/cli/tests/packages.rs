//! `matchbook-cli packages` end to end: the real binary on a temp workspace holding a small
//! reference file and document file this test wrote, and a matching config made from them.
//! Create, show, list with paging, edit and delete package configs; and the exit codes and
//! messages of the usual mistakes.

mod common;

use std::path::Path;

use common::{cli, fails, field, ok};
use serde_json::{json, Value};

fn json_of(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"))
}

fn path(p: &Path) -> String {
    p.to_str().unwrap().to_string()
}

/// A workspace with three orders, three invoices and a config matching them; returns the
/// config's id.
fn workspace_with_a_config(dir: &Path, ws: &Path) -> String {
    let orders = dir.join("orders.csv");
    let invoices = dir.join("invoices.csv");
    std::fs::write(
        &orders,
        "po_id,po_number,vendor_name\n\
         1,PO-1001,Acme Ltd\n\
         2,PO-1002,Globex GmbH\n\
         3,PO-1003,Initech Inc\n",
    )
    .unwrap();
    std::fs::write(
        &invoices,
        "invoice_id,po_reference,vendor_name\n\
         I-1,PO-1001,Acme Ltd\n\
         I-2,PO-1002,Globex\n\
         I-3,PO-1003,Initech Inc\n",
    )
    .unwrap();
    let reference = field(
        &ok(cli(
            ws,
            &[
                "import",
                "--kind",
                "reference",
                &path(&orders),
                "--id-column",
                "po_id",
            ],
        )),
        "dataset",
    );
    let documents = field(
        &ok(cli(
            ws,
            &["import", "--kind", "documents", &path(&invoices)],
        )),
        "dataset",
    );
    let config = json!({
        "name": "Invoices to orders",
        "reference_data_id": reference,
        "document_set_id": documents,
        "field_mappings": [
            {"source": "po_reference", "target": "po_number", "strategy": "exact", "weight": 0.7},
            {"source": "vendor_name", "target": "vendor_name", "strategy": "fuzzy", "weight": 0.3},
        ],
        "threshold": 0.8,
    });
    let file = dir.join("config.json");
    std::fs::write(&file, config.to_string()).unwrap();
    field(&ok(cli(ws, &["configs", "create", &path(&file)])), "config")
}

/// Writes `body` to `name` in `dir` and runs `packages create` on it (with `extra` arguments).
fn create(dir: &Path, ws: &Path, name: &str, body: &Value, extra: &[&str]) -> std::process::Output {
    let file = dir.join(name);
    std::fs::write(&file, body.to_string()).unwrap();
    let file = path(&file);
    let mut args = vec!["packages", "create", file.as_str()];
    args.extend_from_slice(extra);
    cli(ws, &args)
}

fn slot(document_type: &str, config: &str, presence: &str) -> Value {
    json!({"document_type": document_type, "matching_config_id": config, "presence": presence})
}

#[test]
fn package_configs_are_created_shown_listed_edited_and_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws.sqlite");
    let config = workspace_with_a_config(dir.path(), &ws);

    // Two slots over the one config; criteria left out take the defaults.
    let body = json!({
        "name": "Invoice with delivery note",
        "document_type_configs": [
            slot("invoice", &config, "required"),
            slot("delivery_note", &config, "expected"),
        ],
    });
    let out = ok(create(dir.path(), &ws, "package.json", &body, &[]));
    let id = field(&out, "package");
    assert_eq!(field(&out, "name"), "Invoice with delivery note");
    assert_eq!(field(&out, "min confidence"), "0.800");
    assert_eq!(field(&out, "all required matched"), "yes");
    assert_eq!(field(&out, "review on expected"), "yes");
    assert_eq!(field(&out, "document types"), "2");
    let slots: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("  "))
        .map(str::trim)
        .collect();
    assert_eq!(
        slots,
        [
            format!("invoice       -> {config} (required)"),
            format!("delivery_note -> {config} (expected)"),
        ],
        "{out}"
    );

    // show: the same as created; --json is the service's package config.
    let shown = ok(cli(&ws, &["packages", "show", &id]));
    assert_eq!(field(&shown, "package"), id);
    assert!(
        shown.contains(&format!("delivery_note -> {config} (expected)")),
        "{shown}"
    );
    let shown = json_of(&ok(cli(&ws, &["packages", "show", &id, "--json"])));
    assert_eq!(shown["id"], id.as_str());
    assert_eq!(shown["document_type_configs"][0]["presence"], "required");
    assert_eq!(
        shown["document_type_configs"][1]["document_type"],
        "delivery_note"
    );
    assert_eq!(
        shown["pass_criteria"],
        json!({"all_required_matched": true, "min_confidence": 0.8, "allow_review_on_expected": true})
    );

    // A second one, with its criteria given and printed as JSON.
    let second_body = json!({
        "name": "Invoice only",
        "document_type_configs": [slot("invoice", &config, "required")],
        "pass_criteria": {"min_confidence": 0.7, "allow_review_on_expected": false},
    });
    let second = json_of(&ok(create(
        dir.path(),
        &ws,
        "second.json",
        &second_body,
        &["--json"],
    )));
    let second_id = second["id"].as_str().unwrap().to_string();
    assert_eq!(second["pass_criteria"]["min_confidence"], 0.7);
    assert_eq!(second["pass_criteria"]["all_required_matched"], true);
    assert_eq!(second["pass_criteria"]["allow_review_on_expected"], false);

    // list: newest first, one line each; paged by --limit and the cursor stderr gives.
    let listed = ok(cli(&ws, &["packages", "list"]));
    let lines: Vec<&str> = listed.lines().collect();
    assert_eq!(
        lines,
        [
            format!("{second_id}  Invoice only  [invoice]"),
            format!("{id}  Invoice with delivery note  [invoice, delivery_note]"),
        ],
        "{listed}"
    );
    let out = cli(&ws, &["packages", "list", "--limit", "1"]);
    let first_page = ok(out.clone());
    assert_eq!(first_page.lines().count(), 1, "{first_page}");
    assert!(first_page.starts_with(&second_id), "{first_page}");
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(err.contains("1 of 2 package configs"), "{err}");
    let cursor = err
        .split("--cursor ")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .unwrap_or_else(|| panic!("a cursor on stderr: {err}"))
        .to_string();
    let out = cli(
        &ws,
        &["packages", "list", "--limit", "1", "--cursor", &cursor],
    );
    let next_page = ok(out.clone());
    assert_eq!(next_page.lines().count(), 1, "{next_page}");
    assert!(next_page.starts_with(&id), "{next_page}");
    assert!(
        out.stderr.is_empty(),
        "the last page: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let page = json_of(&ok(cli(
        &ws,
        &["packages", "list", "--limit", "1", "--json"],
    )));
    assert_eq!(page["data"][0]["id"], second_id.as_str());
    assert_eq!(page["pagination"]["total"], 2);
    assert_eq!(page["pagination"]["has_more"], true);
    assert_eq!(page["pagination"]["next_cursor"], cursor.as_str());

    // edit: renamed, the floor merged into the criteria, the slots replaced as a whole.
    let patch = json!({
        "name": "Strict invoice",
        "pass_criteria": {"min_confidence": 0.9},
        "document_type_configs": [
            slot("invoice", &config, "required"),
            slot("receipt", &config, "optional"),
        ],
    });
    let edited = json_of(&ok(cli(
        &ws,
        &[
            "packages",
            "edit",
            &id,
            "--set",
            &patch.to_string(),
            "--json",
        ],
    )));
    assert_eq!(edited["name"], "Strict invoice");
    assert_eq!(
        edited["pass_criteria"],
        json!({"all_required_matched": true, "min_confidence": 0.9, "allow_review_on_expected": true})
    );
    let types: Vec<&str> = edited["document_type_configs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["document_type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["invoice", "receipt"]);
    assert_eq!(edited["created_at"], shown["created_at"]);
    let out = ok(cli(
        &ws,
        &["packages", "edit", &id, "--set", r#"{"name": "Renamed"}"#],
    ));
    assert_eq!(field(&out, "name"), "Renamed");
    assert_eq!(field(&out, "min confidence"), "0.900", "kept: {out}");
    assert!(
        out.contains(&format!("receipt -> {config} (optional)")),
        "{out}"
    );

    // delete: says the runs go too; then the id is unknown and the list holds the other one.
    let out = ok(cli(&ws, &["packages", "delete", &id]));
    assert!(
        out.contains(&id) && out.contains("package run"),
        "mentions its runs: {out}"
    );
    let (code, err) = fails(cli(&ws, &["packages", "show", &id]));
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("[not_found]"), "{err}");
    let listed = ok(cli(&ws, &["packages", "list"]));
    assert_eq!(listed.lines().count(), 1, "{listed}");
    assert!(listed.starts_with(&second_id), "{listed}");
    let deleted = json_of(&ok(cli(&ws, &["packages", "delete", &second_id, "--json"])));
    assert_eq!(deleted, json!({"id": second_id, "deleted": true}));
    assert_eq!(ok(cli(&ws, &["packages", "list"])), "");
}

#[test]
fn mistakes_exit_with_the_field_at_fault() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws.sqlite");
    let config = workspace_with_a_config(dir.path(), &ws);
    let bad =
        |body: Value| -> (i32, String) { fails(create(dir.path(), &ws, "bad.json", &body, &[])) };

    // The same document type twice names the second slot.
    let (code, err) = bad(json!({
        "name": "Twice",
        "document_type_configs": [
            slot("invoice", &config, "required"),
            slot("invoice", &config, "expected"),
        ],
    }));
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains("document_type_configs[1].document_type")
            && err.contains("[validation_error]"),
        "{err}"
    );

    // A matching config that does not exist: not found, naming the slot's field.
    let (code, err) = bad(json!({
        "name": "Unknown config",
        "document_type_configs": [
            slot("invoice", &config, "required"),
            slot("delivery_note", "no-such-config", "expected"),
        ],
    }));
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains("document_type_configs[1].matching_config_id")
            && err.contains("no-such-config")
            && err.contains("[not_found]"),
        "{err}"
    );

    // A floor outside 0..1.
    let (code, err) = bad(json!({
        "name": "Too strict",
        "document_type_configs": [slot("invoice", &config, "required")],
        "pass_criteria": {"min_confidence": 1.5},
    }));
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains("pass_criteria.min_confidence") && err.contains("[validation_error]"),
        "{err}"
    );

    // A presence that is not required, expected or optional.
    let (code, err) = bad(json!({
        "name": "Maybe",
        "document_type_configs": [slot("invoice", &config, "maybe")],
    }));
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains("document_type_configs[0].presence") && err.contains("[validation_error]"),
        "{err}"
    );

    // No name, no slots.
    let (code, err) =
        bad(json!({"name": " ", "document_type_configs": [slot("invoice", &config, "required")]}));
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("name"), "{err}");
    let (code, err) = bad(json!({"name": "Empty", "document_type_configs": []}));
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("document_type_configs"), "{err}");

    // A file that is not JSON, or not there.
    let file = dir.path().join("broken.json");
    std::fs::write(&file, "{\"name\": ").unwrap();
    let (code, err) = fails(cli(&ws, &["packages", "create", &path(&file)]));
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("broken.json"), "{err}");
    let missing = dir.path().join("missing.json");
    assert_eq!(
        fails(cli(&ws, &["packages", "create", &path(&missing)])).0,
        3
    );

    // Nothing was created by any of them.
    assert_eq!(ok(cli(&ws, &["packages", "list"])), "");

    // Unknown ids, and the edits that are refused.
    let (code, err) = fails(cli(&ws, &["packages", "show", "no-such-package"]));
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains("no-such-package") && err.contains("[not_found]"),
        "{err}"
    );
    assert_eq!(
        fails(cli(&ws, &["packages", "delete", "no-such-package"])).0,
        3
    );
    assert_eq!(
        fails(cli(
            &ws,
            &["packages", "edit", "no-such-package", "--set", "{}"]
        ))
        .0,
        3
    );
    let body = json!({
        "name": "Ok",
        "document_type_configs": [slot("invoice", &config, "required")],
    });
    let id = field(
        &ok(create(dir.path(), &ws, "ok.json", &body, &[])),
        "package",
    );
    let (code, err) = fails(cli(
        &ws,
        &[
            "packages",
            "edit",
            &id,
            "--set",
            r#"{"pass_criteria": {"min_confidence": "high"}}"#,
        ],
    ));
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("pass_criteria.min_confidence"), "{err}");
    let (code, err) = fails(cli(
        &ws,
        &["packages", "edit", &id, "--set", r#"{"colour": "red"}"#],
    ));
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("colour"), "{err}");
    assert_eq!(
        fails(cli(&ws, &["packages", "edit", &id, "--set", "{not json"])).0,
        2
    );
    assert_eq!(
        fails(cli(&ws, &["packages", "edit", &id])).0,
        2,
        "nothing to change"
    );
    assert_eq!(fails(cli(&ws, &["packages", "show"])).0, 2);
    let (code, err) = fails(cli(&ws, &["packages", "list", "--limit", "0"]));
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("limit"), "{err}");
}

#[test]
fn match_one_matches_a_new_document_now_and_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws.sqlite");
    let config = workspace_with_a_config(dir.path(), &ws);
    let out = ok(cli(
        &ws,
        &[
            "match-one",
            &config,
            "--values",
            r#"{"po_reference": "PO-1002", "vendor_name": "Globex GmbH"}"#,
        ],
    ));
    assert_eq!(field(&out, "match"), "2", "{out}");
    let m = json_of(&ok(cli(
        &ws,
        &[
            "match-one",
            &config,
            "--values",
            r#"{"po_reference": "PO-1003"}"#,
            "--json",
        ],
    )));
    assert_eq!(m["candidates"][0]["reference_row_id"], "3", "{m}");
    assert_eq!(ok(cli(&ws, &["runs"])).trim(), "", "no run was stored");
    let (code, err) = fails(cli(
        &ws,
        &["match-one", &config, "--values", r#"{"vendor": "x"}"#],
    ));
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("values.vendor"), "{err}");
    assert_eq!(
        fails(cli(&ws, &["match-one", &config, "--values", "[1]"])).0,
        2
    );
    assert_eq!(
        fails(cli(&ws, &["match-one", "no-such", "--values", "{}"])).0,
        3
    );
}

/// A workspace for the three-way match: orders with quantity and unit price, an invoice config
/// and a delivery-note config over them, and the package with the rule; returns its id.
fn three_way_workspace(dir: &Path, ws: &Path) -> String {
    let orders = dir.join("orders.csv");
    std::fs::write(
        &orders,
        "po_id,po_number,vendor_name,net_amount,quantity,unit_price\n\
         po_1,PO-1001,Acme Ltd,1000.00,100,10.00\n\
         po_2,PO-1002,Globex GmbH,500.00,20,25.00\n",
    )
    .unwrap();
    let reference = field(
        &ok(cli(
            ws,
            &[
                "import",
                "--kind",
                "reference",
                &path(&orders),
                "--id-column",
                "po_id",
            ],
        )),
        "dataset",
    );
    let config = |name: &str, second: Value| {
        let body = json!({
            "name": name,
            "reference_data_id": reference,
            "field_mappings": [
                {"source": "po_reference", "target": "po_number", "strategy": "exact", "weight": 0.7},
                second,
            ],
            "threshold": 0.65,
        });
        let file = dir.join(format!("{name}.json"));
        std::fs::write(&file, body.to_string()).unwrap();
        field(&ok(cli(ws, &["configs", "create", &path(&file)])), "config")
    };
    let invoices = config(
        "invoices",
        json!({"source": "total_amount", "target": "net_amount", "strategy": "numeric_range",
               "weight": 0.3, "tax_rates": [19.0], "tolerance_absolute": 0.01}),
    );
    let notes = config(
        "notes",
        json!({"source": "vendor_name", "target": "vendor_name", "strategy": "fuzzy", "weight": 0.3}),
    );
    let body = json!({
        "name": "Invoice + PO + delivery note",
        "document_type_configs": [slot("invoice", &invoices, "required"),
                                  slot("delivery_note", &notes, "expected")],
        "rules": [{"kind": "three_way", "invoice_type": "invoice", "delivery_type": "delivery_note",
                   "invoice_amount_field": "total_amount",
                   "delivered_quantity_field": "delivered_quantity",
                   "unit_price_column": "unit_price", "quantity_tolerance_percent": 1.0}],
    });
    field(&ok(create(dir, ws, "package.json", &body, &[])), "package")
}

#[test]
fn packages_run_judges_a_bundle_from_files_and_runs_lists_by_verdict() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws.sqlite");
    let package = three_way_workspace(dir.path(), &ws);
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        path(&p)
    };
    let invoice = write(
        "invoice.csv",
        "invoice_id,po_reference,total_amount\nINV-7,PO-1001,1190.00\n",
    );
    let full = write(
        "full.csv",
        "delivery_note_id,po_reference,vendor_name,delivered_quantity\nDN-1,PO-1001,Acme Ltd,100\n",
    );
    let short = write(
        "short.csv",
        "delivery_note_id,po_reference,vendor_name,delivered_quantity\nDN-2,PO-1001,Acme,80\n",
    );
    // All delivered; the invoice's 19 % VAT taken out: passed.
    let out = ok(cli(
        &ws,
        &[
            "packages",
            "run",
            "--config",
            &package,
            "--invoice",
            &invoice,
            "--delivery-note",
            &full,
        ],
    ));
    assert_eq!(field(&out, "verdict"), "passed", "{out}");
    assert!(out.contains("invoice: matched"), "{out}");
    assert!(out.contains("three_way passed"), "{out}");
    // 80 of 100 delivered, all invoiced: review, and the message says by how much.
    let run = json_of(&ok(cli(
        &ws,
        &[
            "packages",
            "run",
            "--config",
            &package,
            "--doc",
            &format!("invoice={invoice}"),
            "--doc",
            &format!("delivery_note={short}"),
            "--json",
        ],
    )));
    assert_eq!(run["status"], "review", "{run}");
    assert_eq!(run["rule_results"][0]["status"], "failed", "{run}");
    assert_eq!(run["rule_results"][0]["allowed"], 808.0, "{run}");
    assert_eq!(run["input_documents"]["invoice"][0], "INV-7", "{run}");
    assert_eq!(
        run["document_results"][1]["matched_reference_row_id"],
        "po_1"
    );

    // The list filters by verdict.
    let listed = ok(cli(&ws, &["packages", "runs", "--status", "review"]));
    assert_eq!(listed.lines().count(), 1, "{listed}");
    assert!(listed.starts_with(run["id"].as_str().unwrap()), "{listed}");
    let page = json_of(&ok(cli(
        &ws,
        &["packages", "runs", "--config", &package, "--json"],
    )));
    assert_eq!(page["pagination"]["total"], 2, "{page}");

    // Mistakes: a missing file names it; a type the package lacks names the field; no documents.
    let (code, err) = fails(cli(
        &ws,
        &[
            "packages",
            "run",
            "--config",
            &package,
            "--invoice",
            "nope.csv",
        ],
    ));
    assert!(err.contains("nope.csv"), "{code}: {err}");
    let (code, err) = fails(cli(
        &ws,
        &[
            "packages",
            "run",
            "--config",
            &package,
            "--doc",
            &format!("receipt={full}"),
        ],
    ));
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("input_documents.receipt"), "{err}");
    assert_eq!(
        fails(cli(&ws, &["packages", "run", "--config", &package])).0,
        2
    );
    assert_eq!(
        fails(cli(&ws, &["packages", "runs", "--status", "maybe"])).0,
        2
    );
}
