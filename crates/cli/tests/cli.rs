//! The command line end to end on a real workspace file: import both sides of the demo data,
//! create a config from JSON, run it, and score the run against the generator's truth; plus the
//! exit codes of the usual mistakes.

use std::path::{Path, PathBuf};

use datagen::demo::{generate, invoice_to_po_mappings, DemoSpec};
use matchbook_cli::{run_with_io, Io, EXIT_DATA, EXIT_OK, EXIT_USAGE};

struct Output {
    code: u8,
    out: String,
    err: String,
}

fn cli(args: &[&str]) -> Output {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = run_with_io(
        std::iter::once("matchbook-cli")
            .chain(args.iter().copied())
            .map(String::from),
        &mut Io {
            out: &mut out,
            err: &mut err,
            err_is_terminal: false,
        },
    );
    Output {
        code,
        out: String::from_utf8_lossy(&out).into_owned(),
        err: String::from_utf8_lossy(&err).into_owned(),
    }
}

/// The value after `key` on the line that starts with it, as the summaries print them.
fn field(text: &str, key: &str) -> String {
    text.lines()
        .find_map(|l| l.strip_prefix(key).filter(|rest| rest.starts_with(' ')))
        .map(|rest| rest.trim().to_string())
        .unwrap_or_else(|| panic!("no '{key}' in:\n{text}"))
}

struct Demo {
    _dir: tempfile::TempDir,
    workspace: String,
    pos: PathBuf,
    invoices: PathBuf,
    truth: PathBuf,
    dir: PathBuf,
}

fn demo() -> Demo {
    let dir = tempfile::tempdir().unwrap();
    let data = generate(&DemoSpec {
        purchase_orders: 300,
        invoices: 60,
        seed: 7,
    });
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    Demo {
        workspace: dir.path().join("ws.sqlite").display().to_string(),
        pos: write("pos.csv", &data.purchase_orders_csv),
        invoices: write("invoices.csv", &data.invoices_csv),
        truth: write("truth.csv", &data.truth_csv),
        dir: dir.path().to_path_buf(),
        _dir: dir,
    }
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn import_configure_run_and_evaluate() {
    let d = demo();
    let ws = d.workspace.as_str();

    let r = cli(&[
        "import",
        "--workspace",
        ws,
        "--kind",
        "reference",
        s(&d.pos),
        "--id-column",
        "po_id",
    ]);
    assert_eq!(r.code, EXIT_OK, "{}", r.err);
    assert_eq!(field(&r.out, "rows"), "300");
    assert!(
        field(&r.out, "columns").starts_with("8: po_id"),
        "{}",
        r.out
    );
    let reference_id = field(&r.out, "dataset");

    let r = cli(&[
        "import",
        "--kind",
        "documents",
        s(&d.invoices),
        "--workspace",
        ws,
        "--name",
        "Invoices",
    ]);
    assert_eq!(r.code, EXIT_OK, "{}", r.err);
    assert_eq!(field(&r.out, "rows"), "60");
    assert_eq!(field(&r.out, "id column"), "document_id", "guessed");
    let documents_id = field(&r.out, "dataset");

    let config = serde_json::json!({
        "name": "CLI test",
        "reference_data_id": reference_id,
        "document_set_id": documents_id,
        "field_mappings": invoice_to_po_mappings(),
        "threshold": 0.8,
    });
    let config_file = d.dir.join("config.json");
    std::fs::write(&config_file, config.to_string()).unwrap();
    let r = cli(&["configs", "create", s(&config_file), "--workspace", ws]);
    assert_eq!(r.code, EXIT_OK, "{}", r.err);
    let config_id = field(&r.out, "config");

    let r = cli(&["configs", "list", "--workspace", ws]);
    assert_eq!(r.code, EXIT_OK);
    assert_eq!(r.out.trim(), format!("{config_id}  CLI test"));

    let r = cli(&["run", &config_id, "--workspace", ws]);
    assert_eq!(r.code, EXIT_OK, "{}{}", r.out, r.err);
    assert_eq!(field(&r.out, "status"), "completed");
    assert_eq!(field(&r.out, "documents"), "60 of 60");
    assert!(r.err.contains("matching"), "progress on stderr: {}", r.err);
    let run_id = field(&r.out, "run");

    let r = cli(&[
        "eval",
        "--workspace",
        ws,
        "--truth",
        s(&d.truth),
        "--run",
        &run_id,
    ]);
    assert_eq!(r.code, EXIT_OK, "{}", r.err);
    assert_eq!(field(&r.out, "documents"), "60");
    assert!(
        r.out
            .contains("no-match documents correctly left unmatched: "),
        "{}",
        r.out
    );

    let r = cli(&[
        "eval",
        "--workspace",
        ws,
        "--truth",
        s(&d.truth),
        "--run",
        &run_id,
        "--json",
    ]);
    assert_eq!(r.code, EXIT_OK, "{}", r.err);
    let json: serde_json::Value = serde_json::from_str(&r.out).unwrap();
    assert_eq!(json["documents"], 60);
    assert_eq!(json["missing_predictions"], 0);
    let c = &json["top1"];
    let total = ["tp", "fn", "tn"]
        .iter()
        .map(|k| c[k].as_u64().unwrap())
        .sum::<u64>();
    assert!(
        total >= 60,
        "each document is TP, TN or FN (a wrong row is FP and FN): {c}"
    );
    assert!(json["top1"]["precision"].as_f64().is_some());

    // The run's own matches, written as a predictions file, score the same as the run.
    let (predictions, _) = {
        let session = matchbook_cli::Session::open(Path::new(ws), false).unwrap();
        matchbook_cli::predictions_of_run(session.workspace(), &run_id).unwrap()
    };
    let mut csv = String::from("document_id,reference_row_id,confidence\n");
    for (doc, p) in &predictions {
        let conf = p
            .top
            .as_ref()
            .map(|t| t.confidence.to_string())
            .unwrap_or_default();
        match &p.matched {
            Some(row) => csv.push_str(&format!("{doc},{row},{conf}\n")),
            None => csv.push_str(&format!("{doc},,\n")),
        }
    }
    let pred_file = d.dir.join("pred.csv");
    std::fs::write(&pred_file, csv).unwrap();
    let r = cli(&[
        "eval",
        "--truth",
        s(&d.truth),
        "--predictions",
        s(&pred_file),
        "--json",
    ]);
    assert_eq!(r.code, EXIT_OK, "{}", r.err);
    let from_file: serde_json::Value = serde_json::from_str(&r.out).unwrap();
    assert_eq!(from_file["top1"], json["top1"]);

    review_and_export(&d, &config_id, &run_id);
}

/// What a reviewer does in the window, by script: list runs and results, decide, export.
fn review_and_export(d: &Demo, config_id: &str, run_id: &str) {
    let ws = d.workspace.as_str();
    let r = cli(&["runs", "--workspace", ws, "--config", config_id, "--json"]);
    assert_eq!(r.code, EXIT_OK, "{}", r.err);
    let runs: serde_json::Value = serde_json::from_str(&r.out).unwrap();
    assert_eq!(runs["total"], 1);
    assert_eq!(runs["data"][0]["id"], run_id);
    let r = cli(&["runs", "--workspace", ws, "--status", "failed"]);
    assert_eq!((r.code, r.out.as_str()), (EXIT_OK, ""));

    // The review band of the run, as JSON; each line of the table names a result.
    let r = cli(&[
        "results",
        run_id,
        "--workspace",
        ws,
        "--status",
        "pending",
        "--min",
        "0.5",
        "--max",
        "0.8",
        "--json",
    ]);
    assert_eq!(r.code, EXIT_OK, "{}", r.err);
    let band: serde_json::Value = serde_json::from_str(&r.out).unwrap();
    let first = &band["data"][0];
    let result_id = first["id"].as_str().expect("a result in the review band");
    let confidence = first["confidence"].as_f64().unwrap();
    assert!((0.5..=0.8).contains(&confidence), "{confidence}");
    let candidate = first["candidates"][0]["reference_row_id"]
        .as_str()
        .unwrap()
        .to_string();

    let r = cli(&[
        "review",
        run_id,
        result_id,
        "--approve",
        "--candidate",
        &candidate,
        "--note",
        "checked by script",
        "--workspace",
        ws,
    ]);
    assert_eq!(r.code, EXIT_OK, "{}", r.err);
    assert_eq!(field(&r.out, "status"), "approved");
    assert_eq!(field(&r.out, "matched"), candidate);
    let r = cli(&["results", run_id, "--workspace", ws, "--status", "approved"]);
    assert_eq!(r.code, EXIT_OK, "{}", r.err);
    assert_eq!(r.out.lines().count(), 1, "{}", r.out);
    assert!(r.out.starts_with(result_id), "{}", r.out);

    // Both --approve and --reject, or neither: a usage error; an unknown result: a data error.
    let r = cli(&[
        "review",
        run_id,
        result_id,
        "--approve",
        "--reject",
        "--workspace",
        ws,
    ]);
    assert_eq!(r.code, EXIT_USAGE, "{}", r.err);
    let r = cli(&[
        "review",
        run_id,
        "no-such-result",
        "--reject",
        "--workspace",
        ws,
    ]);
    assert_eq!(r.code, EXIT_DATA, "{}", r.err);

    let xlsx = d.dir.join("export.xlsx");
    let r = cli(&[
        "export",
        run_id,
        "--out",
        s(&xlsx),
        "--workspace",
        ws,
        "--json",
    ]);
    assert_eq!(r.code, EXIT_OK, "{}", r.err);
    let out: serde_json::Value = serde_json::from_str(&r.out).unwrap();
    assert_eq!(out["matched"], 1, "only the approved result");
    assert_eq!(out["unmatched"], 59);
    assert_eq!(&std::fs::read(&xlsx).unwrap()[..2], b"PK");
    let csv = d.dir.join("export.csv");
    let r = cli(&["export", run_id, "--out", s(&csv), "--workspace", ws]);
    assert_eq!(r.code, EXIT_OK, "{}", r.err);
    let text = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(
        text.lines().count(),
        61,
        "a header and one line per invoice"
    );
    assert!(text.contains("checked by script"));
    let r = cli(&[
        "export",
        run_id,
        "--out",
        s(&d.dir.join("export.txt")),
        "--workspace",
        ws,
    ]);
    assert_eq!(r.code, EXIT_USAGE, "{}", r.err);

    // approve-all counts without --yes, approves with it; history lists the decision that
    // review --undo takes back.
    let r = cli(&[
        "approve-all",
        run_id,
        "--min",
        "0.9",
        "--workspace",
        ws,
        "--json",
    ]);
    assert_eq!(r.code, EXIT_OK, "{}", r.err);
    let count = json(&r.out)["count"].as_u64().unwrap();
    assert!(count > 0, "{}", r.out);
    let r = cli(&["results", run_id, "--workspace", ws, "--status", "approved"]);
    assert_eq!(
        r.out.lines().count(),
        1,
        "counting approved nothing: {}",
        r.out
    );
    let r = cli(&[
        "approve-all",
        run_id,
        "--min",
        "0.9",
        "--yes",
        "--note",
        "bulk",
        "--workspace",
        ws,
        "--json",
    ]);
    assert_eq!(r.code, EXIT_OK, "{}", r.err);
    let decisions = json(&r.out)["decisions"].as_array().unwrap().clone();
    assert_eq!(decisions.len() as u64, count);
    let r = cli(&[
        "results",
        run_id,
        "--workspace",
        ws,
        "--status",
        "approved",
        "--json",
    ]);
    assert_eq!(json(&r.out)["total"].as_u64().unwrap(), count + 1);
    let r = cli(&["approve-all", run_id, "--min", "1.5", "--workspace", ws]);
    assert_eq!(r.code, EXIT_DATA, "{}", r.err);

    let bulk_result = decisions[0]["result_id"].as_str().unwrap();
    let r = cli(&["history", run_id, bulk_result, "--workspace", ws]);
    assert_eq!(r.code, EXIT_OK, "{}", r.err);
    assert_eq!(r.out.lines().count(), 1, "{}", r.out);
    assert!(
        r.out.contains("pending -> approved") && r.out.contains("\"bulk\""),
        "{}",
        r.out
    );
    let decision = r.out.split_whitespace().next().unwrap().to_string();
    let r = cli(&[
        "review",
        run_id,
        bulk_result,
        "--undo",
        &decision,
        "--workspace",
        ws,
    ]);
    assert_eq!(r.code, EXIT_OK, "{}", r.err);
    assert_eq!(field(&r.out, "status"), "pending");
    let r = cli(&[
        "review",
        run_id,
        bulk_result,
        "--undo",
        &decision,
        "--workspace",
        ws,
    ]);
    assert_eq!(
        r.code, 1,
        "only the latest decision can be undone: {}",
        r.err
    );
    let r = cli(&["history", run_id, bulk_result, "--workspace", ws, "--json"]);
    let log = json(&r.out);
    assert_eq!(log.as_array().unwrap().len(), 2);
    assert_eq!(log[1]["reverts"], decision.as_str());
}

#[test]
fn data_errors_exit_3() {
    let d = demo();
    let ws = d.workspace.as_str();

    let r = cli(&[
        "import",
        "--workspace",
        ws,
        "--kind",
        "reference",
        "/no/such/file.csv",
    ]);
    assert_eq!(r.code, EXIT_DATA);
    assert!(r.err.contains("no such file"), "{}", r.err);

    let r = cli(&["run", "no-such-config", "--workspace", ws]);
    assert_eq!(r.code, EXIT_DATA, "{}", r.err);
    assert!(r.err.contains("[not_found]"), "{}", r.err);

    let bad = d.dir.join("bad.json");
    std::fs::write(&bad, "{\"name\": ").unwrap();
    let r = cli(&["configs", "create", s(&bad), "--workspace", ws]);
    assert_eq!(r.code, EXIT_DATA, "{}", r.err);

    let invalid = d.dir.join("invalid.json");
    std::fs::write(
        &invalid,
        r#"{"name": "x", "reference_data_id": "nope", "field_mappings": []}"#,
    )
    .unwrap();
    let r = cli(&["configs", "create", s(&invalid), "--workspace", ws]);
    assert_eq!(r.code, EXIT_DATA, "{}", r.err);

    let r = cli(&[
        "import",
        "--workspace",
        ws,
        "--kind",
        "reference",
        s(&d.pos),
        "--id-column",
        "no_such_column",
    ]);
    assert_eq!(r.code, EXIT_DATA, "{}", r.err);
    assert!(
        r.err.contains("[import_error]") || r.err.contains("[validation_error]"),
        "{}",
        r.err
    );

    let dup_truth = d.dir.join("dup.csv");
    std::fs::write(&dup_truth, "document_id,po_id\ndoc_1,po_1\ndoc_1,po_2\n").unwrap();
    let r = cli(&[
        "eval",
        "--truth",
        s(&dup_truth),
        "--predictions",
        s(&d.truth),
    ]);
    assert_eq!(r.code, EXIT_DATA, "{}", r.err);
    assert!(r.err.contains("row 3"), "{}", r.err);
}

#[test]
fn usage_errors_exit_2() {
    let r = cli(&["import", "--kind", "invoices", "x.csv", "--workspace", "w"]);
    assert_eq!(r.code, EXIT_USAGE);
    if std::env::var_os("MATCHBOOK_WORKSPACE").is_none() {
        let r = cli(&["configs", "list"]);
        assert_eq!(r.code, EXIT_USAGE, "{}", r.err);
        assert!(r.err.contains("--workspace"), "{}", r.err);
    }
}

#[test]
fn imports_a_workbook_sheet_and_a_file_without_header() {
    let d = demo();
    let ws = d.workspace.as_str();
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");

    let book = fixtures.join("invoices_small.xlsx");
    let r = cli(&[
        "import",
        "--workspace",
        ws,
        "--kind",
        "documents",
        s(&book),
        "--sheet",
        "Invoices",
    ]);
    assert_eq!(r.code, EXIT_OK, "{}", r.err);
    assert_eq!(field(&r.out, "rows"), "12");
    let r = cli(&[
        "import",
        "--workspace",
        ws,
        "--kind",
        "documents",
        s(&book),
        "--sheet",
        "No such sheet",
    ]);
    assert_eq!(r.code, EXIT_DATA, "{}", r.err);
    assert!(
        r.err.contains("Invoices"),
        "names the sheets there are: {}",
        r.err
    );

    // Without a header the first line is data and the columns are numbered.
    let headerless = d.dir.join("headerless.csv");
    std::fs::write(&headerless, "PO-1,Acme,10.00\nPO-2,Globex,20.00\n").unwrap();
    let r = cli(&[
        "import",
        "--workspace",
        ws,
        "--kind",
        "reference",
        s(&headerless),
        "--no-header",
        "--id-column",
        "column_1",
    ]);
    assert_eq!(r.code, EXIT_OK, "{}", r.err);
    assert_eq!(field(&r.out, "rows"), "2");
    assert!(
        field(&r.out, "columns").starts_with("3: column_1"),
        "{}",
        r.out
    );
}

/// The example config of docs/configs, which names no datasets: the ids come from the flags.
fn example_config(ext: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../../docs/configs/invoices-to-pos.{ext}"))
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"))
}

/// Imports the demo's two files with `--json`; returns the reference and document set ids.
fn import_both(d: &Demo) -> (String, String) {
    let ws = d.workspace.as_str();
    let r = cli(&[
        "import",
        "--workspace",
        ws,
        "--kind",
        "reference",
        s(&d.pos),
        "--id-column",
        "po_id",
        "--name",
        "POs",
        "--json",
    ]);
    assert_eq!(r.code, EXIT_OK, "{}", r.err);
    let reference = json(&r.out);
    assert_eq!(reference["kind"], "reference");
    assert_eq!(reference["id_column"], "po_id");
    let r = cli(&[
        "import",
        "--workspace",
        ws,
        "--kind",
        "documents",
        s(&d.invoices),
        "--json",
    ]);
    assert_eq!(r.code, EXIT_OK, "{}", r.err);
    let documents = json(&r.out);
    assert_eq!(documents["kind"], "documents");
    (
        reference["id"].as_str().unwrap().to_string(),
        documents["id"].as_str().unwrap().to_string(),
    )
}

#[test]
fn configs_from_toml_and_json_shown_and_run_as_json() {
    let d = demo();
    let ws = d.workspace.as_str();
    let (reference_id, documents_id) = import_both(&d);

    // TOML, with the dataset ids and name from the command line.
    let toml = example_config("toml");
    let r = cli(&[
        "configs",
        "create",
        s(&toml),
        "--workspace",
        ws,
        "--reference-data",
        &reference_id,
        "--documents",
        &documents_id,
        "--name",
        "From TOML",
        "--json",
    ]);
    assert_eq!(r.code, EXIT_OK, "{}", r.err);
    let created = json(&r.out);
    assert_eq!(created["name"], "From TOML");
    assert_eq!(created["reference_data_id"], reference_id.as_str());
    assert_eq!(created["field_mappings"].as_array().unwrap().len(), 6);
    assert_eq!(created["threshold"], 0.8);
    let toml_id = created["id"].as_str().unwrap().to_string();

    // JSON naming its datasets itself: the table, named after the file when the file has no name.
    let mut config: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(example_config("json")).unwrap()).unwrap();
    config["reference_data_id"] = reference_id.clone().into();
    let file = d.dir.join("invoices-to-pos.json");
    std::fs::write(&file, config.to_string()).unwrap();
    let r = cli(&["configs", "create", s(&file), "--workspace", ws]);
    assert_eq!(r.code, EXIT_OK, "{}", r.err);
    assert_eq!(field(&r.out, "name"), "invoices-to-pos");
    assert_eq!(field(&r.out, "documents"), "(every document set)");
    let json_id = field(&r.out, "config");

    let r = cli(&["configs", "list", "--workspace", ws, "--json"]);
    assert_eq!(r.code, EXIT_OK, "{}", r.err);
    let mut ids: Vec<String> = json(&r.out)
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    let mut expected = vec![toml_id.clone(), json_id.clone()];
    expected.sort();
    assert_eq!(ids, expected, "{}", r.out);

    let r = cli(&["configs", "show", &toml_id, "--workspace", ws]);
    assert_eq!(r.code, EXIT_OK, "{}", r.err);
    assert_eq!(field(&r.out, "name"), "From TOML");
    assert_eq!(
        field(&r.out, "reference data"),
        format!("{reference_id} (POs, 300 rows)")
    );
    assert_eq!(field(&r.out, "threshold"), "0.800");
    assert_eq!(field(&r.out, "schedule"), "never (runs only when started)");
    assert_eq!(field(&r.out, "fields"), "6");
    let po_line = r
        .out
        .lines()
        .find(|l| l.trim_start().starts_with("po_reference -> po_number"))
        .unwrap_or_else(|| panic!("a line per field:\n{}", r.out));
    assert!(po_line.contains("fuzzy"), "{po_line}");
    assert!(po_line.contains("normalizer reference"), "{po_line}");
    // Which keys candidate search picked, field by field, from each field's comparison.
    let search: Vec<&str> = r
        .out
        .lines()
        .skip_while(|l| !l.starts_with("candidate search"))
        .collect();
    let keys_of = |pair: &str| {
        search
            .iter()
            .find(|l| l.trim_start().starts_with(pair))
            .unwrap_or_else(|| panic!("no candidate search line for {pair}:\n{}", r.out))
            .to_string()
    };
    assert!(keys_of("po_reference -> po_number").contains("reference number and its typos"));
    assert!(keys_of("vendor_name -> vendor_name").contains("3-letter prefixes"));
    assert!(keys_of("total_amount -> net_amount").contains("amounts within the tolerance"));
    let r = cli(&["configs", "show", &toml_id, "--workspace", ws, "--json"]);
    assert_eq!(r.code, EXIT_OK, "{}", r.err);
    assert_eq!(json(&r.out), created);
    let r = cli(&["configs", "show", "no-such-config", "--workspace", ws]);
    assert_eq!(r.code, EXIT_DATA, "{}", r.err);

    let r = cli(&["run", &toml_id, "--workspace", ws, "--json"]);
    assert_eq!(r.code, EXIT_OK, "{}", r.err);
    let run = json(&r.out);
    assert_eq!(run["status"], "completed");
    assert_eq!(run["rows_processed"], 60);
    assert_eq!(run["matching_config_id"], toml_id.as_str());
    assert!(
        r.err.contains("matching"),
        "progress stays on stderr: {}",
        r.err
    );
}

#[test]
fn run_and_configs_show_print_the_block_sizes_of_the_reference_data() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws.sqlite");
    let ws = s(&ws);
    // "smith" 20 times, 10 other surnames once each, one row without a surname.
    let mut people = String::from("id,surname\n");
    for i in 0..20 {
        people.push_str(&format!("s{i},Smith\n"));
    }
    for i in 0..10 {
        people.push_str(&format!("o{i},Other{i}\n"));
    }
    people.push_str("m0,\n");
    let reference = dir.path().join("people.csv");
    std::fs::write(&reference, people).unwrap();
    let documents = dir.path().join("documents.csv");
    std::fs::write(&documents, "doc,surname\nd1,Smith\nd2,Other3\n").unwrap();
    let mut ids = Vec::new();
    for (kind, file, id) in [
        ("reference", &reference, "id"),
        ("documents", &documents, "doc"),
    ] {
        let r = cli(&[
            "import",
            "--workspace",
            ws,
            "--kind",
            kind,
            s(file),
            "--id-column",
            id,
            "--json",
        ]);
        assert_eq!(r.code, EXIT_OK, "{}", r.err);
        ids.push(json(&r.out)["id"].as_str().unwrap().to_string());
    }
    let config = serde_json::json!({
        "name": "Surnames",
        "reference_data_id": ids[0],
        "document_set_id": ids[1],
        "field_mappings": [
            { "source": "surname", "target": "surname", "strategy": "exact", "weight": 1.0 }
        ],
        "threshold": 0.8,
    });
    let file = dir.path().join("config.json");
    std::fs::write(&file, config.to_string()).unwrap();
    let r = cli(&["configs", "create", s(&file), "--workspace", ws]);
    assert_eq!(r.code, EXIT_OK, "{}", r.err);
    let config_id = field(&r.out, "config");
    // No run yet: nothing measured to show.
    let r = cli(&["configs", "show", &config_id, "--workspace", ws]);
    assert_eq!(r.code, EXIT_OK, "{}", r.err);
    assert!(!r.out.contains("block sizes"), "{}", r.out);

    let r = cli(&["run", &config_id, "--workspace", ws, "--no-progress"]);
    assert_eq!(r.code, EXIT_OK, "{}{}", r.out, r.err);
    let run_id = field(&r.out, "run");
    let line = "  surname -> surname  11 values; largest 20 rows (\"smith\"); median 20, p99 20; \
                66.7 % of rows in blocks over 16, 0.0 % over 4,096";
    let after = |out: &str, heading: &str| -> Vec<String> {
        out.lines()
            .skip_while(|l| !l.starts_with(heading))
            .skip(1)
            .map(String::from)
            .collect()
    };
    assert_eq!(
        after(&r.out, "block sizes of the reference data"),
        [line],
        "{}",
        r.out
    );
    let r = cli(&["configs", "show", &config_id, "--workspace", ws]);
    assert_eq!(r.code, EXIT_OK, "{}", r.err);
    assert_eq!(
        after(&r.out, &format!("block sizes measured by run {run_id}")),
        [line],
        "{}",
        r.out
    );
}

#[test]
fn malformed_config_files_name_file_and_line() {
    let d = demo();
    let ws = d.workspace.as_str();
    let bad = d.dir.join("bad.toml");
    std::fs::write(
        &bad,
        "name = \"x\"\nreference_data_id = \"r\"\nthreshold = 0.8 0.9\n",
    )
    .unwrap();
    let r = cli(&["configs", "create", s(&bad), "--workspace", ws]);
    assert_eq!(r.code, EXIT_DATA, "{}", r.err);
    assert!(r.err.contains(s(&bad)), "names the file: {}", r.err);
    assert!(r.err.contains("line 3, column "), "and the line: {}", r.err);

    // Well-formed, but a strategy that does not exist: placed in the text all the same.
    let text = std::fs::read_to_string(example_config("toml"))
        .unwrap()
        .replacen("strategy = \"exact\"", "strategy = \"exactly\"", 1);
    let line = text.lines().position(|l| l.contains("exactly")).unwrap() + 1;
    let wrong = d.dir.join("wrong.toml");
    std::fs::write(&wrong, text).unwrap();
    let r = cli(&[
        "configs",
        "create",
        s(&wrong),
        "--workspace",
        ws,
        "--reference-data",
        "x",
    ]);
    assert_eq!(r.code, EXIT_DATA, "{}", r.err);
    assert!(
        r.err.contains(&format!("line {line}, column ")),
        "{}",
        r.err
    );
    assert!(r.err.contains("exactly"), "{}", r.err);

    let bad = d.dir.join("bad.json");
    std::fs::write(&bad, "{\n  \"name\": \"x\",\n  \"threshold\": 0.8,,\n}").unwrap();
    let r = cli(&["configs", "create", s(&bad), "--workspace", ws]);
    assert_eq!(r.code, EXIT_DATA, "{}", r.err);
    assert!(r.err.contains("line 3, column "), "{}", r.err);
}

/// Every subcommand's help renders and exits 0, as `help` and as `--help`.
#[test]
fn every_help_text_renders() {
    let r = cli(&["--help"]);
    assert_eq!(r.code, EXIT_OK, "{}", r.err);
    assert!(r.out.contains("Example, from two files"), "{}", r.out);
    assert!(r.out.contains("matchbook-cli run CONFIG_ID"), "{}", r.out);
    let mut paths: Vec<Vec<&str>> = [
        "import",
        "configs",
        "run",
        "eval",
        "runs",
        "results",
        "review",
        "approve-all",
        "history",
        "export",
        "serve",
        "strategies",
    ]
    .iter()
    .map(|c| vec![*c])
    .collect();
    for sub in ["create", "list", "show"] {
        paths.push(vec!["configs", sub]);
    }
    for sub in ["generate", "show", "edit", "list", "to-config"] {
        paths.push(vec!["strategies", sub]);
    }
    for path in &paths {
        let mut args = path.clone();
        args.push("--help");
        let r = cli(&args);
        assert_eq!(r.code, EXIT_OK, "{args:?}: {}", r.err);
        assert!(r.out.contains("Usage:"), "{args:?}: {}", r.out);
        assert!(
            !r.out.contains('\x1b'),
            "plain text into a pipe: {:?}",
            r.out
        );
        let mut args = vec!["help"];
        args.extend(path);
        assert_eq!(cli(&args).code, EXIT_OK, "{args:?}");
    }
    // The real binary too: what a user types.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_matchbook-cli"))
        .args(["configs", "show", "--help"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("--json"));
}

/// Ctrl-C during a run: the real binary, a run big enough to take a few seconds, SIGINT once
/// matching is under way. The run must end cancelled with exit code 130, and the results it wrote
/// are kept, exactly as many as the run says it processed.
#[cfg(unix)]
#[test]
fn ctrl_c_cancels_the_run_and_keeps_its_results() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    let dir = tempfile::tempdir().unwrap();
    let data = generate(&DemoSpec {
        purchase_orders: 20_000,
        invoices: 10_000,
        seed: 11,
    });
    let pos = dir.path().join("pos.csv");
    let invoices = dir.path().join("invoices.csv");
    std::fs::write(&pos, &data.purchase_orders_csv).unwrap();
    std::fs::write(&invoices, &data.invoices_csv).unwrap();
    let d = Demo {
        workspace: dir.path().join("ws.sqlite").display().to_string(),
        pos,
        invoices,
        truth: dir.path().join("unused"),
        dir: dir.path().to_path_buf(),
        _dir: dir,
    };
    let ws = d.workspace.as_str();
    let (reference_id, documents_id) = import_both(&d);
    // Deliberately unselective: every PO in the invoice's currency within ten years is a
    // candidate, so matching takes seconds (about 0.1 s per 100 documents in a debug build)
    // instead of the example config's blink, and SIGINT lands long before the end.
    let slow = d.dir.join("slow.toml");
    std::fs::write(
        &slow,
        "name = \"slow\"\n\
         [[field_mappings]]\nsource = \"currency\"\ntarget = \"currency\"\n\
         strategy = \"exact\"\nweight = 0.5\n\
         [[field_mappings]]\nsource = \"invoice_date\"\ntarget = \"order_date\"\n\
         strategy = \"date_range\"\ntolerance_days = 3650\nweight = 0.5\n",
    )
    .unwrap();
    let r = cli(&[
        "configs",
        "create",
        s(&slow),
        "--workspace",
        ws,
        "--reference-data",
        &reference_id,
        "--documents",
        &documents_id,
        "--json",
    ]);
    assert_eq!(r.code, EXIT_OK, "{}", r.err);
    let config_id = json(&r.out)["id"].as_str().unwrap().to_string();

    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_matchbook-cli"))
        .args(["run", &config_id, "--workspace", ws])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Piped, progress is a line per tenth of matching: wait for one past 0 %, so results exist.
    let stderr = BufReader::new(child.stderr.take().unwrap());
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut all = String::new();
        for line in stderr.lines().map_while(Result::ok) {
            if line.contains("] matching") && !line.contains(" 0%") {
                let _ = tx.send(());
            }
            all.push_str(&line);
            all.push('\n');
        }
        all
    });
    rx.recv_timeout(Duration::from_secs(120))
        .expect("matching progress on stderr");
    let at = started.elapsed();
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = child.wait().unwrap();
    let err = reader.join().unwrap();
    let mut out = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut out).unwrap();
    eprintln!("SIGINT after {at:?}, exit after {:?}", started.elapsed());
    assert_eq!(status.code(), Some(130), "stdout:\n{out}\nstderr:\n{err}");
    assert_eq!(field(&out, "status"), "cancelled", "{out}");
    assert!(err.contains("cancelling run"), "{err}");
    let run_id = field(&out, "run");

    let r = cli(&["runs", "--workspace", ws, "--json"]);
    assert_eq!(r.code, EXIT_OK, "{}", r.err);
    let run = json(&r.out)["data"][0].clone();
    assert_eq!(run["id"], run_id.as_str());
    assert_eq!(run["status"], "cancelled");
    let processed = run["rows_processed"].as_u64().unwrap();
    assert!(processed > 0, "{run}");
    assert!(processed < 10_000, "cancelled before the end: {run}");
    let r = cli(&[
        "results",
        &run_id,
        "--workspace",
        ws,
        "--json",
        "--limit",
        "1",
    ]);
    assert_eq!(r.code, EXIT_OK, "{}", r.err);
    assert_eq!(json(&r.out)["total"].as_u64(), Some(processed));
}

/// A blocking HTTP/1.1 request on loopback: the status code and the body.
#[cfg(unix)]
fn http(url: &str, method: &str, path: &str, key: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let addr = url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {key}\r\n\
         Content-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let code = answer.split(' ').nth(1).unwrap().parse().unwrap();
    let body = answer.split_once("\r\n\r\n").unwrap().1.to_string();
    (code, body)
}

/// `serve`: the real binary on an ephemeral port. It prints its URL on stdout and the new key
/// once on stderr; the API answers with that key, runs started through it say `api`; SIGTERM
/// stops it cleanly; a second serve keeps the key without printing it.
#[cfg(unix)]
#[test]
fn serve_answers_with_the_printed_key_and_stops_on_sigterm() {
    use std::io::{BufRead, BufReader, Read};
    use std::process::{Command, Stdio};

    let d = demo();
    let ws = d.workspace.as_str();
    let (reference_id, documents_id) = import_both(&d);
    let r = cli(&[
        "configs",
        "create",
        s(&example_config("json")),
        "--workspace",
        ws,
        "--reference-data",
        &reference_id,
        "--documents",
        &documents_id,
        "--json",
    ]);
    assert_eq!(r.code, EXIT_OK, "{}", r.err);
    let config_id = json(&r.out)["id"].as_str().unwrap().to_string();

    let serve = || {
        let mut child = Command::new(env!("CARGO_BIN_EXE_matchbook-cli"))
            .args(["serve", "--port", "0", "--workspace", ws])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut url = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut url)
            .unwrap();
        (child, url.trim().to_string())
    };
    let (mut child, url) = serve();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    err.read_line(&mut line).unwrap();
    assert!(line.contains("shown once"), "{line}");
    let mut key = String::new();
    err.read_line(&mut key).unwrap();
    let key = key.trim().to_string();
    assert!(key.starts_with("mbk_"), "{key}");

    let (code, body) = http(&url, "GET", "/v1/matching/configs", &key);
    assert_eq!(code, 200, "{body}");
    assert!(body.contains(&config_id), "{body}");
    let (code, _) = http(&url, "GET", "/v1/matching/configs", "mbk_not_the_key");
    assert_eq!(code, 401);
    let (code, body) = http(
        &url,
        "POST",
        &format!("/v1/matching/configs/{config_id}/run"),
        &key,
    );
    assert_eq!(code, 202, "{body}");
    let run_id = json(&body)["id"].as_str().unwrap().to_string();

    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    let mut rest = String::new();
    err.read_to_string(&mut rest).unwrap();
    assert_eq!(status.code(), Some(0), "{rest}");
    assert!(rest.contains("stopped"), "{rest}");

    let r = cli(&["runs", "--workspace", ws, "--json"]);
    let runs = json(&r.out);
    let run = runs["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == run_id.as_str())
        .unwrap()
        .clone();
    assert_eq!(run["triggered_by"], "api", "{run}");

    // Serving again keeps the key and does not print it.
    let (mut child, url) = serve();
    let (code, _) = http(&url, "GET", "/v1/matching/runs", &key);
    assert_eq!(code, 200);
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(0));
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(!err.contains(&key), "the key is shown once only: {err}");
    assert!(err.contains(&key[..12]), "{err}");
}
