//! Several processes on one workspace file, as people use them side by side (issue 11): a run
//! owned by a live process is never failed or started by another, its progress is readable from
//! the file by any process, concurrent writers wait for each other instead of failing, a run
//! whose process was killed is marked failed, and a read-only file opens for reading.
//!
//! Every other process here is the real `matchbook-cli` binary; the test process plays the
//! window (an open workspace with a progress listener).

mod common;

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{cli, field, fixture, observer, ok, runtime, Fixture, BIN};
use engine::{Phase, RunProgress, RunStatus, TriggeredBy};
use service::{OpenOptions, ResultQuery, ReviewInput, Workspace};

/// Starts `matchbook-cli run` in the background and waits until its run is executing.
// The child goes back to the caller, which waits for it (or kills and waits).
#[allow(clippy::zombie_processes)]
fn start_cli_run(f: &Fixture, ws: &Workspace) -> (Child, String) {
    let mut child = Command::new(BIN)
        .args(["run", &f.config_id, "--workspace"])
        .arg(&f.ws)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let runs = ws.list_runs(&Default::default()).unwrap();
        if let Some(run) = runs.iter().find(|r| r.status == RunStatus::Running) {
            return (child, run.id.clone());
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the CLI run never started");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn wait_ok(child: Child) -> String {
    let out = child.wait_with_output().unwrap();
    ok(out)
}

#[test]
fn a_live_run_survives_other_processes_and_shows_its_progress_to_them() {
    let f = fixture(60_000, 6_000);
    let rt = runtime();
    let window = observer(&rt, &f.ws);
    let seen: Arc<Mutex<Vec<RunProgress>>> = Arc::default();
    let sink = seen.clone();
    window.subscribe_progress(Box::new(move |p| {
        sink.lock().unwrap().push(p.clone());
        true
    }));
    let (child, run_id) = start_cli_run(&f, &window);

    // Every kind of command another process runs on the same file while the run goes on.
    let extra = f.dir.path().join("more.csv");
    std::fs::write(&extra, "document_id,vendor\nX-1,Acme\n").unwrap();
    ok(cli(&f.ws, &["runs"]));
    ok(cli(&f.ws, &["configs", "list"]));
    ok(cli(
        &f.ws,
        &["import", "--kind", "documents", extra.to_str().unwrap()],
    ));
    ok(cli(&f.ws, &["runs", "--json"]));

    // Progress is in the file while the run is running, phase and all.
    let mut live: Option<RunProgress> = None;
    let deadline = Instant::now() + Duration::from_secs(120);
    while Instant::now() < deadline {
        let p = window.run_progress(&run_id).unwrap();
        if p.status != RunStatus::Running {
            break;
        }
        if p.phase == Phase::Matching && p.rows_processed > 0 && p.rows_processed < p.rows_total {
            live = Some(p);
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = wait_ok(child);
    assert_eq!(field(&out, "status"), "completed", "{out}");
    let run = window.list_runs(&Default::default()).unwrap();
    let run = run.iter().find(|r| r.id == run_id).unwrap();
    assert_eq!(run.status, RunStatus::Completed);
    assert_eq!(run.rows_processed, Some(6_000));
    let live = live.expect("progress from the file while the run was matching");
    assert!(live.rows_total == 6_000, "{live:?}");

    // The "window" saw the CLI's run live: several updates while it ran, then its end.
    std::thread::sleep(Duration::from_millis(400));
    let seen = seen.lock().unwrap();
    let ours: Vec<&RunProgress> = seen.iter().filter(|p| p.run_id == run_id).collect();
    let running = ours
        .iter()
        .filter(|p| p.status == RunStatus::Running)
        .count();
    assert!(
        running >= 3,
        "live updates from the other process: {ours:?}"
    );
    assert_eq!(ours.last().unwrap().status, RunStatus::Completed);
}

#[test]
fn a_queued_run_is_started_only_by_the_process_whose_queue_holds_it() {
    let f = fixture(30_000, 3_000);
    let rt = runtime();
    let opts = OpenOptions {
        user: "owner".into(),
        ..OpenOptions::default()
    };
    let owner = Workspace::open(&f.ws, rt.handle().clone(), opts).unwrap();
    let first = owner.start_run(&f.config_id, TriggeredBy::Manual).unwrap();
    let second = owner.start_run(&f.config_id, TriggeredBy::Manual).unwrap();
    // Other processes come and go while the first runs and the second waits in this queue.
    for _ in 0..3 {
        ok(cli(&f.ws, &["runs"]));
        let run = owner.list_runs(&Default::default()).unwrap();
        let second_now = run.iter().find(|r| r.id == second.id).unwrap();
        let first_now = run.iter().find(|r| r.id == first.id).unwrap();
        assert_ne!(first_now.status, RunStatus::Failed, "{first_now:?}");
        if first_now.status == RunStatus::Running {
            assert_eq!(second_now.status, RunStatus::Queued, "{second_now:?}");
        }
    }
    for id in [&first.id, &second.id] {
        let run = owner.wait_for_run(id, Duration::from_secs(300)).unwrap();
        assert_eq!(run.status, RunStatus::Completed, "{run:?}");
    }
}

#[test]
fn a_run_whose_process_was_killed_is_failed_by_the_next_process() {
    let f = fixture(60_000, 6_000);
    let rt = runtime();
    let window = observer(&rt, &f.ws);
    let (mut child, run_id) = start_cli_run(&f, &window);
    child.kill().unwrap();
    child.wait().unwrap();
    // The open window notices within its sweep; a new process notices at once.
    ok(cli(&f.ws, &["runs"]));
    let run = window
        .wait_for_run(&run_id, Duration::from_secs(10))
        .unwrap();
    assert_eq!(run.status, RunStatus::Failed, "{run:?}");
    assert!(run.error.unwrap_or_default().contains("interrupted"));
}

#[test]
fn a_cancel_from_another_process_reaches_the_owner() {
    let f = fixture(60_000, 6_000);
    let rt = runtime();
    let window = observer(&rt, &f.ws);
    let (child, run_id) = start_cli_run(&f, &window);
    let run = window.cancel_run(&run_id).unwrap();
    assert_eq!(run.status, RunStatus::Cancelled);
    let out = child.wait_with_output().unwrap();
    // The CLI's run ended by a cancel it did not ask for: not a success, and it says so.
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("cancelled"), "{stdout}");
    // The owner did not finish it afterwards: it stays cancelled in the file.
    let runs = window.list_runs(&Default::default()).unwrap();
    let run = runs.iter().find(|r| r.id == run_id).unwrap();
    assert_eq!(run.status, RunStatus::Cancelled, "{run:?}");
}

/// Two processes and this one review the same runs' results as fast as they can: every decision
/// lands, none is refused as locked.
#[test]
fn concurrent_writers_wait_for_each_other() {
    let f = fixture(2_000, 400);
    ok(cli(&f.ws, &["run", &f.config_id]));
    let rt = runtime();
    let ws = observer(&rt, &f.ws);
    let run = ws.list_runs(&Default::default()).unwrap().remove(0);
    let results = ws
        .list_results(
            &run.id,
            &ResultQuery {
                limit: Some(400),
                ..Default::default()
            },
        )
        .unwrap()
        .data;
    assert_eq!(results.len(), 400);
    // Each CLI process approves every result of its own half by a loop of `review` calls; this
    // process rejects the other half meanwhile, and both halves get a bulk approval too.
    let ids: Vec<String> = results.iter().map(|r| r.id.clone()).collect();
    let script = |part: &[String]| {
        let mut s = String::new();
        for id in part {
            s.push_str(&format!(
                "{BIN} review {} {id} --approve --workspace {} >/dev/null || exit 1\n",
                run.id,
                f.ws.display()
            ));
        }
        s
    };
    let spawn = |part: &[String]| {
        Command::new("sh")
            .arg("-c")
            .arg(script(part))
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let a = spawn(&ids[0..60]);
    let b = spawn(&ids[60..120]);
    let mut refused = Vec::new();
    for id in &ids[120..400] {
        if let Err(e) = ws.review_result(
            &run.id,
            id,
            &ReviewInput {
                status: engine::ReviewStatus::Rejected,
                notes: None,
                reference_row_id: None,
            },
        ) {
            refused.push(e.to_string());
        }
    }
    for child in [a, b] {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "a CLI review was refused: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert!(refused.is_empty(), "refused: {refused:?}");
    let counts = ws.review_counts(&run.id).unwrap();
    assert_eq!((counts.approved, counts.rejected), (120, 280), "{counts:?}");
}

/// The user's id, from the process table (no libc binding needed for one number).
fn effective_uid() -> u32 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Uid:"))
                .and_then(|v| v.split_whitespace().nth(1).map(str::to_string))
        })
        .and_then(|v| v.parse().ok())
        .unwrap_or(u32::MAX)
}

/// A command on the workspace as a user who may read the file but not write it or its folder:
/// root's file seen by `nobody`, or, when the tests do not run as root, the file and folder made
/// read-only for this user.
fn cli_read_only(ws: &Path, args: &[&str]) -> Output {
    use std::os::unix::process::CommandExt;
    let mut cmd = Command::new(BIN);
    cmd.args(args).arg("--workspace").arg(ws);
    if effective_uid() == 0 {
        cmd.uid(65534).gid(65534);
    }
    cmd.output().expect("spawn matchbook-cli")
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn a_read_only_workspace_opens_for_reading_and_refuses_writes() {
    let f = fixture(300, 40);
    let out = ok(cli(&f.ws, &["run", &f.config_id]));
    let run_id = field(&out, "run");
    let results = ok(cli(&f.ws, &["results", &run_id, "--json"]));
    let results: serde_json::Value = serde_json::from_str(&results).unwrap();
    let result_id = results["data"][0]["id"].as_str().unwrap().to_string();
    let dir = f.dir.path();
    let root = effective_uid() == 0;
    let (file_mode, dir_mode) = if root { (0o644, 0o755) } else { (0o444, 0o555) };
    set_mode(&f.ws, file_mode);
    set_mode(dir, dir_mode);

    // Twice: once with nobody else on the file (SQLite's shared-memory index cannot be made),
    // once while another process has it open.
    let rt = runtime();
    for other_open in [false, true] {
        let _window = other_open.then(|| observer(&rt, &f.ws));
        let listed = cli_read_only(&f.ws, &["runs"]);
        assert!(
            listed.status.success(),
            "runs on a read-only workspace (other process open: {other_open}): {}",
            String::from_utf8_lossy(&listed.stderr)
        );
        assert!(String::from_utf8_lossy(&listed.stdout).contains(&run_id));
        let shown = cli_read_only(&f.ws, &["results", &run_id]);
        assert!(
            shown.status.success(),
            "{}",
            String::from_utf8_lossy(&shown.stderr)
        );
        for write in [
            vec!["review", run_id.as_str(), result_id.as_str(), "--approve"],
            vec!["run", f.config_id.as_str()],
        ] {
            let out = cli_read_only(&f.ws, &write);
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(1), "{write:?}: {err}");
            assert!(
                err.contains("read-only") && err.contains("[read_only]"),
                "{err}"
            );
        }
    }
    set_mode(dir, 0o755);
    set_mode(&f.ws, 0o644);
    // Nothing was written: the same results, still pending.
    let after = ok(cli(&f.ws, &["results", &run_id, "--json"]));
    let after: serde_json::Value = serde_json::from_str(&after).unwrap();
    assert_eq!(after["data"], results["data"]);
}

/// Two `approve-all --yes` at once on the same run: both finish, and every result is approved
/// exactly once between them.
#[test]
fn two_bulk_approvals_at_once_both_succeed() {
    let f = fixture(2_000, 400);
    let out = ok(cli(&f.ws, &["run", &f.config_id]));
    let run_id = field(&out, "run");
    let dry = ok(cli(&f.ws, &["approve-all", &run_id, "--min", "0.5"]));
    let pending: usize = dry.split_whitespace().next().unwrap().parse().unwrap();
    assert!(pending > 100, "{dry}");
    let spawn = || {
        Command::new(BIN)
            .args([
                "approve-all",
                &run_id,
                "--min",
                "0.5",
                "--yes",
                "--workspace",
            ])
            .arg(&f.ws)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn(), spawn());
    let mut approved = 0;
    for child in [a, b] {
        let out = ok(child.wait_with_output().unwrap());
        approved += out
            .trim()
            .strip_prefix("approved ")
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse::<usize>().ok())
            .unwrap_or_else(|| panic!("{out}"));
    }
    assert_eq!(approved, pending);
    let rt = runtime();
    let ws = observer(&rt, &f.ws);
    assert_eq!(
        ws.review_counts(&run_id).unwrap().approved as usize,
        pending
    );
}

/// A blocking HTTP/1.1 POST of a JSON body on loopback: the status code and the body.
fn http_post(url: &str, path: &str, key: &str, body: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let addr = url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {key}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let code = answer.split(' ').nth(1).unwrap().parse().unwrap();
    let body = answer.split_once("\r\n\r\n").unwrap().1.to_string();
    (code, body)
}

/// `serve` answers review requests while a CLI review loop writes to the same file from a third
/// process: no request is answered 500 (or 503), no CLI decision is refused.
#[test]
#[allow(clippy::zombie_processes)] // the server is stopped and waited for at the end
fn the_server_answers_every_review_beside_a_cli_writer() {
    use std::io::BufRead;
    let f = fixture(2_000, 400);
    let out = ok(cli(&f.ws, &["run", &f.config_id]));
    let run_id = field(&out, "run");
    let page = ok(cli(
        &f.ws,
        &["results", &run_id, "--json", "--limit", "400"],
    ));
    let page: serde_json::Value = serde_json::from_str(&page).unwrap();
    let ids: Vec<String> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    let mut server = Command::new(BIN)
        .args(["serve", "--port", "0", "--workspace"])
        .arg(&f.ws)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut url = String::new();
    std::io::BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut url)
        .unwrap();
    let url = url.trim().to_string();
    let mut err = std::io::BufReader::new(server.stderr.take().unwrap());
    let (mut notice, mut key) = (String::new(), String::new());
    err.read_line(&mut notice).unwrap();
    err.read_line(&mut key).unwrap();
    let key = key.trim().to_string();
    assert!(key.starts_with("mbk_"), "{notice}{key}");

    let mut script = String::new();
    for id in &ids[..60] {
        script.push_str(&format!(
            "{BIN} review {run_id} {id} --approve --workspace '{}' >/dev/null || exit 1\n",
            f.ws.display()
        ));
    }
    let writer = Command::new("sh")
        .arg("-c")
        .arg(script)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut failed = Vec::new();
    for id in &ids[60..] {
        let path = format!("/v1/matching/runs/{run_id}/results/{id}/review");
        let (code, body) = http_post(&url, &path, &key, r#"{"status":"rejected"}"#);
        if code != 200 {
            failed.push(format!("{code} {body}"));
        }
    }
    let out = writer.wait_with_output().unwrap();
    let _ = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status();
    let _ = server.wait();
    assert!(
        out.status.success(),
        "a CLI decision was refused: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(failed.is_empty(), "HTTP reviews failed: {failed:?}");
    let rt = runtime();
    let ws = observer(&rt, &f.ws);
    let counts = ws.review_counts(&run_id).unwrap();
    assert_eq!((counts.approved, counts.rejected), (60, 340), "{counts:?}");
}
