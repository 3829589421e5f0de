//! `import --from-sql` and `import --refresh` end to end: the real binary against a real
//! PostgreSQL server (tests/pgtest) and a real workspace file. Typed columns in the output and in
//! `datasets`, refusals and the server's errors storing nothing, a refresh into version 2, the
//! password from PGPASSWORD, stdin or the password file, `--no-wait`, and Ctrl-C.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_matchbook-cli");

/// Where the password comes from for one command.
enum Pw<'a> {
    None,
    Env(&'a str),
    Stdin(&'a str),
}

/// A workspace of its own and a password file of its own (PGPASSFILE), so neither the user's
/// `~/.pgpass` nor a PGPASSWORD in the test's environment takes part.
struct Ws {
    dir: tempfile::TempDir,
    path: PathBuf,
    pgpass: PathBuf,
}

fn ws() -> Ws {
    let dir = tempfile::tempdir().unwrap();
    Ws {
        path: dir.path().join("ws.sqlite"),
        pgpass: dir.path().join("pgpass"),
        dir,
    }
}

impl Ws {
    fn command(&self, args: &[&str], pw: &Pw) -> Command {
        let mut c = Command::new(BIN);
        c.args(args)
            .arg("--workspace")
            .arg(&self.path)
            .env("PGPASSFILE", &self.pgpass)
            .env_remove("PGPASSWORD")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .stdin(Stdio::null());
        match pw {
            Pw::Env(p) => {
                c.env("PGPASSWORD", p);
            }
            Pw::Stdin(_) => {
                c.arg("--password-stdin").stdin(Stdio::piped());
            }
            Pw::None => {}
        }
        c
    }

    fn run(&self, args: &[&str], pw: Pw) -> Output {
        let mut child = self
            .command(args, &pw)
            .spawn()
            .expect("spawn matchbook-cli");
        if let Pw::Stdin(p) = pw {
            let mut stdin = child.stdin.take().unwrap();
            writeln!(stdin, "{p}").unwrap();
        }
        child.wait_with_output().unwrap()
    }

    /// `datasets --json`.
    fn datasets(&self) -> Vec<Value> {
        let out = ok(self.run(&["datasets", "--json"], Pw::None));
        serde_json::from_str::<Value>(&out)
            .unwrap()
            .as_array()
            .unwrap()
            .clone()
    }
}

/// `import --from-sql` on the test server, up to the query.
fn from_sql(query: &str) -> Vec<String> {
    let port = pgtest::server().port.to_string();
    [
        "import",
        "--from-sql",
        "--host",
        "127.0.0.1",
        "--port",
        &port,
        "--database",
        pgtest::DATABASE,
        "--user",
        pgtest::USER,
        "--query",
        query,
    ]
    .map(String::from)
    .to_vec()
}

fn args<'a>(base: &'a [String], more: &[&'a str]) -> Vec<&'a str> {
    base.iter()
        .map(String::as_str)
        .chain(more.iter().copied())
        .collect()
}

fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Exit code and stderr of a command that must fail.
fn fails(out: Output) -> (i32, String) {
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

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// The value after `key` on the line that starts with it, as the summaries print them.
fn field(text: &str, key: &str) -> String {
    text.lines()
        .find_map(|l| l.strip_prefix(key).filter(|rest| rest.starts_with(' ')))
        .map(|rest| rest.trim().to_string())
        .unwrap_or_else(|| panic!("no '{key}' in:\n{text}"))
}

fn columns(dataset: &Value) -> Vec<(String, String)> {
    dataset["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_string(),
                c["type"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn typed_table(name: &str) {
    pgtest::server().execute(&format!(
        "DROP TABLE IF EXISTS {name};
         CREATE TABLE {name} (id int, amount numeric(12,2), due date, note text);
         INSERT INTO {name} VALUES (1, 10.50, '2024-01-02', 'first'), (2, 20.00, '2024-02-03', NULL),
           (3, 7.25, '2024-03-04', 'third');"
    ));
}

const TYPED: [(&str, &str); 4] = [
    ("id", "number"),
    ("amount", "number"),
    ("due", "date"),
    ("note", "string"),
];

#[test]
fn a_typed_table_imports_as_json_and_shows_in_the_listing() {
    let w = ws();
    typed_table("cli_typed");
    let base = from_sql("SELECT * FROM cli_typed ORDER BY id");
    let out = ok(w.run(
        &args(&base, &["--id-column", "id", "--json"]),
        Pw::Env(pgtest::PASSWORD),
    ));
    let d = json(&out);
    assert_eq!(d["status"], "ready", "{d}");
    assert_eq!(
        (d["row_count"].as_u64(), d["version"].as_u64()),
        (Some(3), Some(1))
    );
    assert_eq!(d["kind"], "reference");
    assert_eq!(d["name"], "erp: cli_typed");
    assert_eq!(d["id_column"], "id");
    assert_eq!(d["sql"]["query"], "SELECT * FROM cli_typed ORDER BY id");
    let expected: Vec<(String, String)> = TYPED
        .iter()
        .map(|(n, k)| (n.to_string(), k.to_string()))
        .collect();
    assert_eq!(columns(&d), expected);

    let listed = w.datasets();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["id"], d["id"]);
    assert_eq!(listed[0]["status"], "ready");
    assert_eq!(listed[0]["row_count"], 3);
    assert_eq!(columns(&listed[0]), expected);
    let table = ok(w.run(&["datasets"], Pw::None));
    let line = table.lines().next().unwrap();
    for part in [
        d["id"].as_str().unwrap(),
        "reference",
        "ready",
        "v1",
        "3 rows",
    ] {
        assert!(line.contains(part), "{part} in {line}");
    }

    // The table people read: the same dataset under another name, typed columns listed.
    let out = ok(w.run(
        &args(&base, &["--name", "Orders"]),
        Pw::Env(pgtest::PASSWORD),
    ));
    assert_eq!(field(&out, "rows"), "3");
    assert_eq!(field(&out, "status"), "ready");
    assert_eq!(field(&out, "version"), "1");
    assert_eq!(
        field(&out, "columns"),
        "4: id (number), amount (number), due (date), note (string)"
    );
    assert_eq!(field(&out, "name"), "Orders (reference data)");
    assert!(field(&out, "source").ends_with("/erp"), "{out}");
}

#[test]
fn a_query_that_is_not_a_select_is_refused_and_nothing_is_stored() {
    let w = ws();
    typed_table("cli_untouched");
    let base = from_sql("DELETE FROM cli_untouched");
    let (code, err) = fails(w.run(&args(&base, &[]), Pw::Env(pgtest::PASSWORD)));
    assert_eq!(code, 3, "{err}");
    assert!(err.starts_with("error: query: "), "{err}");
    assert!(err.contains("only a SELECT"), "{err}");
    assert!(w.datasets().is_empty());
    let left: i64 = pgtest::server()
        .client()
        .query_one("SELECT count(*) FROM cli_untouched", &[])
        .unwrap()
        .get(0);
    assert_eq!(left, 3, "the statement never ran");
}

#[test]
fn a_sql_error_prints_the_servers_message() {
    let w = ws();
    let base = from_sql("SELECT po_id FROM cli_no_such_table");
    let (code, err) = fails(w.run(&args(&base, &[]), Pw::Env(pgtest::PASSWORD)));
    assert_eq!(code, 3, "{err}");
    assert!(err.starts_with("error: query: "), "{err}");
    assert!(
        err.contains("relation \"cli_no_such_table\" does not exist"),
        "{err}"
    );
    assert!(w.datasets().is_empty());
}

#[test]
fn a_refresh_after_a_change_makes_version_2_with_the_new_rows() {
    let w = ws();
    typed_table("cli_refresh");
    let query_file = w.dir.path().join("query.sql");
    std::fs::write(&query_file, "SELECT id, amount FROM cli_refresh\n").unwrap();
    let port = pgtest::server().port.to_string();
    let out = ok(w.run(
        &[
            "import",
            "--from-sql",
            "--host",
            "127.0.0.1",
            "--port",
            &port,
            "--database",
            pgtest::DATABASE,
            "--user",
            pgtest::USER,
            "--query-file",
            query_file.to_str().unwrap(),
            "--json",
        ],
        Pw::Env(pgtest::PASSWORD),
    ));
    let id = json(&out)["id"].as_str().unwrap().to_string();
    pgtest::server().execute("INSERT INTO cli_refresh VALUES (4, 1, NULL, 'x'), (5, 2, NULL, 'y')");

    let out = ok(w.run(&["import", "--refresh", &id], Pw::Stdin(pgtest::PASSWORD)));
    assert_eq!(field(&out, "dataset"), id);
    assert_eq!(field(&out, "version"), "2");
    assert_eq!(field(&out, "rows"), "5");
    assert_eq!(field(&out, "status"), "ready");
    let listed = w.datasets();
    assert_eq!(
        (
            listed[0]["version"].as_u64(),
            listed[0]["row_count"].as_u64()
        ),
        (Some(2), Some(5))
    );

    // A refresh that fails keeps version 2 and says why, in the server's words.
    pgtest::server().execute("ALTER TABLE cli_refresh RENAME TO cli_refresh_gone");
    let (code, err) = fails(w.run(
        &["import", "--refresh", &id, "--json"],
        Pw::Env(pgtest::PASSWORD),
    ));
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("relation \"cli_refresh\" does not exist"),
        "{err}"
    );
    assert!(err.contains("version 2 is still in use"), "{err}");
    let listed = w.datasets();
    assert_eq!(listed[0]["status"], "failed");
    assert_eq!(
        (
            listed[0]["version"].as_u64(),
            listed[0]["row_count"].as_u64()
        ),
        (Some(2), Some(5))
    );
    let table = ok(w.run(&["datasets"], Pw::None));
    assert!(
        table.contains("failed") && table.contains("    error: "),
        "{table}"
    );
    assert!(
        table.contains("relation \"cli_refresh\" does not exist"),
        "{table}"
    );
}

#[test]
fn the_password_comes_from_pgpassword_stdin_or_the_password_file() {
    let w = ws();
    let base = from_sql("SELECT 1 AS id, 'a' AS label");
    ok(w.run(&args(&base, &[]), Pw::Env(pgtest::PASSWORD)));
    ok(w.run(&args(&base, &[]), Pw::Stdin(pgtest::PASSWORD)));
    // --password-stdin wins over PGPASSWORD.
    let mut child = w
        .command(&args(&base, &["--password-stdin"]), &Pw::Env("wrong"))
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(pgtest::PASSWORD.as_bytes())
        .unwrap();
    ok(child.wait_with_output().unwrap());

    // A wrong password fails naming the password, and stores nothing.
    let before = w.datasets().len();
    for pw in [Pw::Env("wrong"), Pw::Stdin("wrong")] {
        let (code, err) = fails(w.run(&args(&base, &[]), pw));
        assert_eq!(code, 3, "{err}");
        assert!(err.starts_with("error: password: "), "{err}");
        assert!(err.contains("password authentication failed"), "{err}");
    }
    // No password anywhere: the server asks for one.
    let (_, err) = fails(w.run(&args(&base, &[]), Pw::None));
    assert!(err.starts_with("error: password: "), "{err}");
    assert_eq!(w.datasets().len(), before);

    // --save-password writes the password file (0600); then no password is needed.
    ok(w.run(
        &args(&base, &["--save-password"]),
        Pw::Stdin(pgtest::PASSWORD),
    ));
    let saved = std::fs::read_to_string(&w.pgpass).unwrap();
    assert!(
        saved.ends_with(&format!(":{}\n", pgtest::PASSWORD)),
        "{saved}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&w.pgpass).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    ok(w.run(&args(&base, &[]), Pw::None));
    // Nothing to save without a password given.
    let (code, err) = fails(w.run(&args(&base, &["--save-password"]), Pw::None));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--save-password"), "{err}");
}

#[test]
fn the_user_defaults_to_user_from_the_environment() {
    let w = ws();
    let port = pgtest::server().port.to_string();
    let out = w
        .command(
            &[
                "import",
                "--from-sql",
                "--host",
                "127.0.0.1",
                "--port",
                &port,
                "--database",
                pgtest::DATABASE,
                "--query",
                "SELECT 1 AS id",
                "--json",
            ],
            &Pw::Env(pgtest::PASSWORD),
        )
        .env("USER", pgtest::USER)
        .output()
        .unwrap();
    let d = json(&ok(out));
    assert_eq!(d["sql"]["connection"]["user"], pgtest::USER);
    assert_eq!(d["sql"]["connection"]["host"], "127.0.0.1");
}

#[test]
fn no_wait_returns_at_once_with_status_importing_and_the_import_goes_on() {
    let w = ws();
    let base = from_sql("SELECT g AS id, md5(g::text) AS h FROM generate_series(1, 50000) g");
    let out = ok(w.run(
        &args(&base, &["--no-wait", "--json"]),
        Pw::Stdin(pgtest::PASSWORD),
    ));
    let d = json(&out);
    assert_eq!(d["status"], "importing", "{d}");
    assert_eq!(columns(&d).len(), 2, "the columns are known at once");
    let id = d["id"].as_str().unwrap().to_string();
    // The rows go on streaming in the background process until the dataset is ready.
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let listed = w.datasets();
        let now = listed
            .iter()
            .find(|x| x["id"] == id.as_str())
            .expect("listed");
        if now["status"] != "importing" {
            assert_eq!(now["status"], "ready", "{now}");
            assert_eq!(now["row_count"], 50000);
            break;
        }
        assert!(Instant::now() < deadline, "still importing: {now}");
        std::thread::sleep(Duration::from_millis(200));
    }
    // A refused one says why, as without --no-wait.
    let (code, err) = fails(w.run(
        &args(&from_sql("DROP TABLE x"), &["--no-wait"]),
        Pw::Env(pgtest::PASSWORD),
    ));
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains("error: query: ") && err.contains("only a SELECT"),
        "{err}"
    );
}

/// SIGINT once rows are streaming in: the import is cancelled, the command exits with 130 and
/// the workspace holds nothing of it.
#[cfg(unix)]
#[test]
fn ctrl_c_cancels_the_import_and_leaves_nothing() {
    use std::io::{BufRead, BufReader};

    let w = ws();
    let base = from_sql("SELECT g AS id, md5(g::text) AS h FROM generate_series(1, 20000000) g");
    let mut child = w
        .command(&args(&base, &[]), &Pw::Env(pgtest::PASSWORD))
        .spawn()
        .unwrap();
    let stderr = BufReader::new(child.stderr.take().unwrap());
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut all = String::new();
        for line in stderr.lines().map_while(Result::ok) {
            if line.contains("importing") {
                let _ = tx.send(());
            }
            all.push_str(&line);
            all.push('\n');
        }
        all
    });
    rx.recv_timeout(Duration::from_secs(60))
        .expect("import progress on stderr");
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = child.wait().unwrap();
    let err = reader.join().unwrap();
    assert_eq!(status.code(), Some(130), "{err}");
    assert!(err.contains("cancelling the import"), "{err}");
    assert!(err.contains("cancelled: nothing was stored"), "{err}");
    assert!(w.datasets().is_empty());
    let rows: i64 = rusqlite::Connection::open(&w.path)
        .unwrap()
        .query_row("SELECT count(*) FROM reference_rows", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 0);
}

#[test]
fn the_options_are_checked_before_anything_runs() {
    let w = ws();
    // Connection options belong to --from-sql; a file's options do not apply to a database.
    let out = w.run(
        &["import", "--host", "h", "--kind", "reference", "f.csv"],
        Pw::None,
    );
    assert_eq!(fails(out).0, 2);
    let out = w.run(&["import", "--refresh", "x", "--delimiter", ";"], Pw::None);
    assert_eq!(fails(out).0, 2);
    let out = w.run(&["import", "--from-sql"], Pw::None);
    let (code, err) = fails(out);
    assert_eq!(code, 2);
    assert!(err.contains("--query"), "{err}");
    let mut base = from_sql("SELECT 1 AS id");
    base.extend(["--kind".into(), "documents".into()]);
    let (code, err) = fails(w.run(&args(&base, &[]), Pw::Env(pgtest::PASSWORD)));
    assert_eq!(code, 2);
    assert!(err.contains("reference data"), "{err}");
    // An unknown dataset to refresh names it.
    let (code, err) = fails(w.run(&["import", "--refresh", "nope"], Pw::None));
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("nope"), "{err}");
    // Help documents the options.
    let help = ok(w.run(&["import", "--help"], Pw::None));
    for option in [
        "--from-sql",
        "--refresh",
        "--host",
        "--port",
        "--database",
        "--user",
        "--query",
        "--query-file",
        "--timeout",
        "--password-stdin",
        "--save-password",
        "--no-wait",
        "PGPASSWORD",
    ] {
        assert!(help.contains(option), "{option} in:\n{help}");
    }
}
