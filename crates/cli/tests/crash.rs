//! Crash safety (issue 11): the real CLI killed with SIGKILL at pseudo-random moments of imports,
//! runs and review loops. After each kill the file must pass SQLite's integrity check, every
//! dataset must hold exactly its rows (all or nothing), no run may be left running, every run's
//! counters must agree with its stored results, and every decision the CLI acknowledged must be
//! in the file. The moments come from a fixed seed, so a failure can be replayed.

mod common;

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{cli, field, fixture, ok, BIN};

/// A small deterministic generator (xorshift), so the kill moments are the same on every run.
struct Moments(u64);

impl Moments {
    /// A delay in `0..max_ms` milliseconds.
    fn next(&mut self, max_ms: u64) -> Duration {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        Duration::from_millis(self.0 % max_ms.max(1))
    }
}

/// Kills the whole process group of `child` (the shell and the CLI it runs) with SIGKILL.
fn kill_group(child: &mut std::process::Child) {
    // Never a group of 0 or 1: that would be this test's own group, or every process.
    assert!(child.id() > 1);
    let status = Command::new("kill")
        .args(["-KILL", "--", &format!("-{}", child.id())])
        .status()
        .unwrap();
    assert!(status.success());
    let _ = child.wait();
}

/// `matchbook-cli ARGS --workspace WS` with its output discarded.
fn quiet(ws: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .arg("--workspace")
        .arg(ws)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    cmd
}

/// Starts `cmd` in a process group of its own, kills the group after `delay` and checks the
/// workspace.
fn kill_after(cmd: &mut Command, delay: Duration, ws: &Path) {
    let mut child = cmd.process_group(0).spawn().unwrap();
    std::thread::sleep(delay);
    kill_group(&mut child);
    check_workspace(ws);
}

/// The invariants every kill must leave intact.
fn check_workspace(ws: &Path) {
    let conn = rusqlite::Connection::open(ws).unwrap();
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
    let mut stmt = conn
        .prepare(
            "SELECT id, kind, row_count, \
             (SELECT count(*) FROM reference_rows WHERE dataset_id = d.id) + \
             (SELECT count(*) FROM documents WHERE set_id = d.id) FROM datasets d",
        )
        .unwrap();
    let datasets: Vec<(String, String, i64, i64)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for (id, kind, declared, stored) in datasets {
        assert_eq!(declared, stored, "{kind} dataset {id}: half an import");
    }
    // A new process settles the runs of the killed one before anything else reads them.
    ok(cli(ws, &["runs"]));
    let mut stmt = conn
        .prepare(
            "SELECT id, status, coalesce(rows_processed, 0), \
             (SELECT count(*) FROM results WHERE run_id = r.id) FROM runs r",
        )
        .unwrap();
    let runs: Vec<(String, String, i64, i64)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for (id, status, processed, results) in runs {
        // A queued run of a dead process waits for a long-lived one (the app, `serve`) to take
        // it over; a running one must have been failed.
        assert_ne!(status, "running", "run {id} left running by a dead process");
        assert_eq!(
            processed, results,
            "run {id} ({status}): counters against rows"
        );
    }
}

#[test]
fn killed_imports_leave_all_or_nothing() {
    let f = fixture(300, 40);
    let data = datagen::demo::generate(&datagen::demo::DemoSpec {
        purchase_orders: 40_000,
        invoices: 10,
        seed: 5,
    });
    let big = f.dir.path().join("big.csv");
    std::fs::write(&big, &data.purchase_orders_csv).unwrap();
    let mut moments = Moments(0x9e37_79b9_7f4a_7c15);
    for _ in 0..6 {
        let mut import = quiet(
            &f.ws,
            &["import", "--kind", "reference", big.to_str().unwrap()],
        );
        kill_after(&mut import, moments.next(1_500), &f.ws);
    }
}

#[test]
fn killed_runs_are_failed_with_counters_matching_their_results() {
    let f = fixture(60_000, 6_000);
    let mut moments = Moments(0x2545_f491_4f6c_dd1d);
    for _ in 0..6 {
        let mut run = quiet(&f.ws, &["run", &f.config_id]);
        kill_after(&mut run, moments.next(3_000), &f.ws);
    }
}

#[test]
fn killed_review_loops_lose_no_acknowledged_decision() {
    let f = fixture(2_000, 300);
    let out = ok(cli(&f.ws, &["run", &f.config_id]));
    let run_id = field(&out, "run");
    let page = ok(cli(
        &f.ws,
        &["results", &run_id, "--json", "--limit", "300"],
    ));
    let page: serde_json::Value = serde_json::from_str(&page).unwrap();
    let ids: Vec<String> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    let mut moments = Moments(0xdead_beef_cafe_f00d);
    let mut acknowledged: Vec<String> = Vec::new();
    for chunk in ids.chunks(50) {
        // A decision is acknowledged once its `review` call has exited 0: then the shell echoes it.
        let mut script = String::new();
        for id in chunk {
            script.push_str(&format!(
                "{BIN} review {run_id} {id} --approve --workspace '{}' >/dev/null && echo {id}\n",
                f.ws.display()
            ));
        }
        let acks = f.dir.path().join("acks.txt");
        let mut shell = Command::new("sh");
        shell
            .arg("-c")
            .arg(script)
            .stdout(std::fs::File::create(&acks).unwrap())
            .stderr(Stdio::null());
        // A decision takes some tens of milliseconds: the kill lands inside the loop of 50.
        kill_after(&mut shell, moments.next(600), &f.ws);
        acknowledged.extend(
            std::fs::read_to_string(&acks)
                .unwrap()
                .lines()
                .map(str::to_string),
        );
    }
    assert!(
        !acknowledged.is_empty(),
        "no decision was made before the kills"
    );
    assert!(
        acknowledged.len() < ids.len(),
        "every loop ended before its kill: the kills tested nothing"
    );
    let conn = rusqlite::Connection::open(&f.ws).unwrap();
    for id in &acknowledged {
        let status: String = conn
            .query_row("SELECT status FROM results WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .unwrap();
        let logged: i64 = conn
            .query_row(
                "SELECT count(*) FROM review_decisions WHERE result_id = ?1",
                [id],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!((status.as_str(), logged), ("approved", 1), "result {id}");
    }
    eprintln!(
        "{} acknowledged decisions over {} kills, none lost",
        acknowledged.len(),
        ids.chunks(50).count()
    );
}
