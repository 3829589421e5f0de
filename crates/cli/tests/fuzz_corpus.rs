//! Issue 11's reliability suite: scripts/fuzz-corpus.py writes more than 500 malformed CSV, TSV,
//! JSON, XLSX and ODS files (every hostile file of the issue among them), and each is imported
//! through the real `matchbook-cli import` binary under a 2 GiB address-space cap (`prlimit`) and
//! a time limit. Every import must end with exit 0 (imported) or 3 (a data error naming the
//! file), never a panic (101), an abort or another signal, and a refused file must leave the
//! workspace exactly as it was. Files the corpus marks `refuse` must be refused.
//!
//! Needs python3 and prlimit (util-linux), as on Debian.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use service::{OpenOptions, Workspace};

/// Each import's limit. The largest case (a million rows) takes about 5 s in a debug build.
const TIME_LIMIT: Duration = Duration::from_secs(20);
/// Each import's address space: what the process may map in all, so a file that makes the
/// reader allocate without bound fails the test instead of the machine.
const MEMORY_LIMIT: u64 = 2 << 30;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

struct Outcome {
    code: Option<i32>,
    stderr: String,
    took: Duration,
}

fn import(workspace: &Path, file: &Path) -> Outcome {
    let started = Instant::now();
    let err_path = workspace.with_extension("stderr");
    let err_file = std::fs::File::create(&err_path).unwrap();
    let mut child = Command::new("prlimit")
        .arg(format!("--as={MEMORY_LIMIT}"))
        .arg("--")
        .arg(env!("CARGO_BIN_EXE_matchbook-cli"))
        .arg("--workspace")
        .arg(workspace)
        .args(["import", "--kind", "reference"])
        .arg(file)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(err_file)
        .spawn()
        .expect("prlimit (util-linux) runs the binary");
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > TIME_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "{}: still running after {TIME_LIMIT:?}",
                file.file_name().unwrap().to_string_lossy()
            );
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Outcome {
        code: status.code(),
        stderr: std::fs::read_to_string(&err_path).unwrap_or_default(),
        took: started.elapsed(),
    }
}

/// Every dataset of the workspace with its row count, as another process sees it.
fn snapshot(ws: &Workspace) -> Vec<(String, u64)> {
    let mut datasets: Vec<_> = ws
        .list_datasets()
        .unwrap()
        .into_iter()
        .map(|d| (d.id, d.row_count))
        .collect();
    datasets.sort();
    datasets
}

#[test]
fn every_malformed_file_is_imported_or_refused_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    let generated = Command::new("python3")
        .arg(repo().join("scripts/fuzz-corpus.py"))
        .arg(&corpus)
        .output()
        .expect("python3 runs scripts/fuzz-corpus.py");
    assert!(
        generated.status.success(),
        "{}",
        String::from_utf8_lossy(&generated.stderr)
    );
    let cases = std::fs::read_to_string(corpus.join("cases.tsv")).unwrap();
    let cases: Vec<(String, String)> = cases
        .lines()
        .skip(1)
        .map(|l| {
            let (file, expect) = l.split_once('\t').unwrap();
            (file.to_string(), expect.to_string())
        })
        .collect();
    assert!(cases.len() >= 500, "only {} cases", cases.len());

    let workspace = dir.path().join("ws.sqlite");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let ws = Workspace::open(&workspace, rt.handle().clone(), OpenOptions::default()).unwrap();

    let (mut refused, mut imported) = (0, 0);
    let mut failures = Vec::new();
    let mut slowest = (Duration::ZERO, String::new());
    for (file, expect) in &cases {
        let before = snapshot(&ws);
        let outcome = import(&workspace, &corpus.join(file));
        let after = snapshot(&ws);
        if outcome.took > slowest.0 {
            slowest = (outcome.took, file.clone());
        }
        let problem = match outcome.code {
            _ if outcome.stderr.contains("panicked") => Some("panicked".to_string()),
            Some(3) if !outcome.stderr.contains(file.as_str()) => {
                Some("the error does not name the file".to_string())
            }
            Some(3) if after != before => Some("refused, yet the workspace changed".to_string()),
            Some(3) => {
                refused += 1;
                None
            }
            Some(0) if expect == "refuse" => Some("imported, but must be refused".to_string()),
            Some(0) if after.len() != before.len() + 1 => {
                Some("imported, but not exactly one dataset was added".to_string())
            }
            Some(0) => {
                imported += 1;
                None
            }
            Some(code) => Some(format!("exit code {code}")),
            None => Some("killed by a signal (abort or out of memory)".to_string()),
        };
        if let Some(problem) = problem {
            failures.push(format!("{file}: {problem}\n  {}", outcome.stderr.trim()));
        }
    }
    println!(
        "fuzz corpus: {} cases tried, {refused} clean errors, {imported} imported, {} failures (panics, aborts, other exits), slowest {:.2?} ({})",
        cases.len(),
        failures.len(),
        slowest.0,
        slowest.1
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
