//! Issue 11 through the real `matchbook-cli` binary on a workspace file: config files with an
//! unknown top-level field, too many mappings or a pair mapped twice are refused as validation
//! errors; a fresh run's export says why it has no matches; the one-to-one loser is exported as
//! having lost its row; and `eval` sweeps a one-to-one run one-to-one.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};

const EXIT_OK: i32 = 0;
const EXIT_DATA: i32 = 3;

struct Output {
    code: i32,
    out: String,
    err: String,
}

fn cli(args: &[&str]) -> Output {
    let o = Command::new(env!("CARGO_BIN_EXE_matchbook-cli"))
        .args(args)
        .env_remove("MATCHBOOK_WORKSPACE")
        .output()
        .expect("the binary runs");
    Output {
        code: o.status.code().unwrap_or(-1),
        out: String::from_utf8_lossy(&o.stdout).into_owned(),
        err: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

fn ok_json(args: &[&str]) -> Value {
    let r = cli(args);
    assert_eq!(r.code, EXIT_OK, "{args:?}: {}", r.err);
    serde_json::from_str(&r.out).unwrap_or_else(|e| panic!("not JSON ({e}): {}", r.out))
}

/// Two invoices quote PO-1: I1 exactly (confidence 1), I2 with another amount (0.8). I3 quotes
/// PO-2 under another vendor name (0.7). The truth: I1 is PO-1's, I2 a duplicate with no order
/// of its own, I3 is PO-2's.
struct Fixture {
    dir: tempfile::TempDir,
    ws: String,
    reference: String,
    documents: String,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| {
            std::fs::write(dir.path().join(name), text).unwrap();
            dir.path().join(name).display().to_string()
        };
        let pos = write(
            "pos.csv",
            "po_id,po_number,vendor,amount\nP1,PO-1,Acme,100\nP2,PO-2,Beta,200\n",
        );
        let invoices = write(
            "invoices.csv",
            "document_id,po_reference,vendor,amount\n\
             I1,PO-1,Acme,100\nI2,PO-1,Acme,150\nI3,PO-2,Beta Trading,200\n",
        );
        write("truth.csv", "document_id,po_id\nI1,P1\nI2,\nI3,P2\n");
        let ws = dir.path().join("ws.sqlite").display().to_string();
        let reference = ok_json(&[
            "import",
            "--workspace",
            &ws,
            "--kind",
            "reference",
            &pos,
            "--id-column",
            "po_id",
            "--json",
        ])["id"]
            .as_str()
            .unwrap()
            .to_string();
        let documents = ok_json(&[
            "import",
            "--workspace",
            &ws,
            "--kind",
            "documents",
            &invoices,
            "--json",
        ])["id"]
            .as_str()
            .unwrap()
            .to_string();
        Fixture {
            dir,
            ws,
            reference,
            documents,
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn config(&self) -> Value {
        json!({
            "name": "One to one",
            "reference_data_id": self.reference,
            "document_set_id": self.documents,
            "field_mappings": [
                {"source": "po_reference", "target": "po_number", "strategy": "exact", "weight": 0.5},
                {"source": "vendor", "target": "vendor", "strategy": "exact", "weight": 0.3},
                {"source": "amount", "target": "amount", "strategy": "numeric_range", "weight": 0.2}
            ],
            "threshold": 0.6,
            "review_floor": 0.3,
            "one_to_one": true
        })
    }

    fn create(&self, file: &Path) -> Output {
        let file = file.to_str().unwrap();
        cli(&["configs", "create", file, "--workspace", &self.ws, "--json"])
    }

    /// Writes `text` to the config file `name`, creates a config from it and checks it was
    /// refused as bad input (exit 3, `validation_error`); returns stderr.
    fn refused(&self, name: &str, text: &str) -> String {
        let file = self.path(name);
        std::fs::write(&file, text).unwrap();
        let r = self.create(&file);
        assert_eq!(r.code, EXIT_DATA, "{}{}", r.out, r.err);
        assert!(r.err.contains("[validation_error]"), "{}", r.err);
        r.err
    }
}

#[test]
fn config_files_with_unknown_fields_too_many_or_repeated_mappings_are_refused() {
    let f = Fixture::new();
    let err = f.refused(
        "typo.toml",
        &format!(
            "name = \"typo\"\nreference_data_id = \"{}\"\nthresold = 0.95\n\n\
             [[field_mappings]]\nsource = \"po_reference\"\ntarget = \"po_number\"\n\
             strategy = \"exact\"\nweight = 1\n",
            f.reference
        ),
    );
    assert!(err.contains("line 3"), "{err}");
    assert!(err.contains("unknown field `thresold`"), "{err}");

    let mut many = f.config();
    many["field_mappings"] = (0..51)
        .map(|i| json!({"source": format!("f{i}"), "target": "vendor", "strategy": "exact", "weight": 1.0 / 51.0}))
        .collect();
    many.as_object_mut().unwrap().remove("document_set_id");
    let err = f.refused("many.json", &many.to_string());
    assert!(err.contains("error: field_mappings: "), "{err}");
    assert!(err.contains("at most 50"), "{err}");

    let mut twice = f.config();
    twice["field_mappings"][0]["weight"] = json!(0.25);
    let mut again = twice["field_mappings"][0].clone();
    again["strategy"] = json!("numeric_range");
    twice["field_mappings"].as_array_mut().unwrap().push(again);
    let err = f.refused("twice.json", &twice.to_string());
    assert!(err.contains("error: field_mappings[3]: "), "{err}");

    let r = cli(&["configs", "list", "--workspace", &f.ws, "--json"]);
    assert_eq!(r.out.trim(), "[]", "nothing was created");
}

/// Creates the one-to-one config and runs it: the run's id.
fn one_to_one_run(f: &Fixture) -> String {
    let file = f.path("config.json");
    std::fs::write(&file, f.config().to_string()).unwrap();
    let r = f.create(&file);
    assert_eq!(r.code, EXIT_OK, "{}", r.err);
    let config: Value = serde_json::from_str(&r.out).unwrap();
    let id = config["id"].as_str().unwrap();
    let run = ok_json(&["run", id, "--workspace", &f.ws, "--json"]);
    assert_eq!(run["status"], "completed", "{run}");
    run["id"].as_str().unwrap().to_string()
}

#[test]
fn a_fresh_runs_export_says_why_it_has_no_matches_and_names_the_loser() {
    let f = Fixture::new();
    let run_id = one_to_one_run(&f);
    let out = f.path("out.csv");
    let r = cli(&[
        "export",
        &run_id,
        "--out",
        out.to_str().unwrap(),
        "--workspace",
        &f.ws,
    ]);
    assert_eq!(r.code, EXIT_OK, "{}", r.err);
    assert!(r.err.contains("nothing is approved yet"), "{}", r.err);
    assert!(r.err.contains("--include-unreviewed"), "{}", r.err);
    assert!(r.err.contains("2 unreviewed matches"), "{}", r.err);

    let text = std::fs::read_to_string(&out).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().unwrap().clone();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let reason_of = |doc: &str| {
        let row = rows
            .iter()
            .find(|r| &r[column("document_id")] == doc)
            .unwrap();
        row[column("reason")].to_string()
    };
    assert_eq!(
        reason_of("I2"),
        "lost its reference row to another document (one-to-one)",
        "{text}"
    );
    assert_eq!(reason_of("I1"), "match not reviewed", "{text}");

    // With the option the matches are exported and nothing needs saying.
    let r = cli(&[
        "export",
        &run_id,
        "--out",
        out.to_str().unwrap(),
        "--workspace",
        &f.ws,
        "--include-unreviewed",
        "--json",
    ]);
    assert_eq!(r.code, EXIT_OK, "{}", r.err);
    let outcome: Value = serde_json::from_str(&r.out).unwrap();
    assert_eq!(outcome["matched"], 2);
    assert_eq!(outcome["unreviewed_left_out"], 0);
    assert!(!r.err.contains("note:"), "{}", r.err);
}

#[test]
fn eval_sweeps_a_one_to_one_run_one_to_one() {
    let f = Fixture::new();
    let run_id = one_to_one_run(&f);
    let truth = f.path("truth.csv");
    let e = ok_json(&[
        "eval",
        "--workspace",
        &f.ws,
        "--truth",
        truth.to_str().unwrap(),
        "--run",
        &run_id,
        "--json",
    ]);
    // The run itself: I1 -> P1, I2 left out (it lost P1), I3 -> P2: all right.
    assert_eq!(e["top1"]["f1"], 1.0, "{e}");
    assert_eq!(e["one_to_one"], true, "{e}");
    // Taking top candidates, any threshold that admits I3 (0.7) also admits I2's claim on P1
    // (0.8): F1 0.8 at best. Assigned one-to-one, the sweep finds what the run reached.
    let best = &e["best_f1_threshold"];
    assert_eq!(best["f1"], 1.0, "{e}");
    assert!(best["threshold"].as_f64().unwrap() <= 0.7 + 1e-9, "{e}");
}
