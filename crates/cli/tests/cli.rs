//! The command line end to end on a real workspace file: import both sides of the demo data,
//! create a config from JSON, run it, and score the run against the generator's truth; plus the
//! exit codes of the usual mistakes.

use std::path::{Path, PathBuf};

use engine::demo::{generate, invoice_to_po_mappings, DemoSpec};
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
        let session = matchbook_cli::Session::open(Path::new(ws)).unwrap();
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
