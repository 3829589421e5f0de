//! What the multi-process tests share: the real `matchbook-cli` binary run on a workspace made
//! by it from generated orders and invoices, and this process's own view of that workspace.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use datagen::demo::{generate, invoice_to_po_mappings, DemoSpec};
use service::{OpenOptions, Workspace};

pub const BIN: &str = env!("CARGO_BIN_EXE_matchbook-cli");

pub fn cli(ws: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .arg("--workspace")
        .arg(ws)
        .output()
        .expect("spawn matchbook-cli")
}

pub fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn field(text: &str, key: &str) -> String {
    text.lines()
        .find_map(|l| l.strip_prefix(key).filter(|rest| rest.starts_with(' ')))
        .map(|rest| rest.trim().to_string())
        .unwrap_or_else(|| panic!("no '{key}' in:\n{text}"))
}

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub ws: PathBuf,
    pub config_id: String,
}

/// A workspace with generated orders and invoices and a config over them, made by the CLI.
/// `orders` sets how long a run takes: long enough to act while it runs.
pub fn fixture(orders: usize, invoices: usize) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let data = generate(&DemoSpec {
        purchase_orders: orders,
        invoices,
        seed: 11,
    });
    let ws = dir.path().join("ws.sqlite");
    let pos = dir.path().join("pos.csv");
    let inv = dir.path().join("invoices.csv");
    std::fs::write(&pos, &data.purchase_orders_csv).unwrap();
    std::fs::write(&inv, &data.invoices_csv).unwrap();
    let out = ok(cli(
        &ws,
        &[
            "import",
            "--kind",
            "reference",
            pos.to_str().unwrap(),
            "--id-column",
            "po_id",
        ],
    ));
    let reference = field(&out, "dataset");
    let out = ok(cli(
        &ws,
        &["import", "--kind", "documents", inv.to_str().unwrap()],
    ));
    let documents = field(&out, "dataset");
    let config = serde_json::json!({
        "name": "processes",
        "reference_data_id": reference,
        "document_set_id": documents,
        "field_mappings": invoice_to_po_mappings(),
        "threshold": 0.8,
    });
    let file = dir.path().join("config.json");
    std::fs::write(&file, config.to_string()).unwrap();
    let out = ok(cli(&ws, &["configs", "create", file.to_str().unwrap()]));
    Fixture {
        config_id: field(&out, "config"),
        ws,
        dir,
    }
}

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// The test process's own view of the workspace, as a window has it. It never takes over runs,
/// so whatever happens to the CLI's runs is the CLI's doing or the lease's.
pub fn observer(rt: &tokio::runtime::Runtime, ws: &Path) -> Workspace {
    let opts = OpenOptions {
        user: "observer".into(),
        take_over_runs: false,
        ..OpenOptions::default()
    };
    Workspace::open(ws, rt.handle().clone(), opts).unwrap()
}

/// Exit code and stderr of a command that must fail.
pub fn fails(out: Output) -> (i32, String) {
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
