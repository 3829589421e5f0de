//! A real PostgreSQL server for tests, from the Debian package (scripts/setup-debian.sh installs
//! it): one per test process, in its own temporary data directory, listening on a free loopback
//! port with password authentication, and gone when the test process ends, however it ends.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use postgres::{Client, NoTls};

/// The superuser the tests connect as, and its password.
pub const USER: &str = "matchbook";
pub const PASSWORD: &str = "s3cret-for-tests";
pub const DATABASE: &str = "erp";

/// A running server. Shared by every test of the process: tests use their own tables.
pub struct PgServer {
    pub port: u16,
    pub data_dir: PathBuf,
    pid: u32,
}

static SERVER: OnceLock<PgServer> = OnceLock::new();

/// The process's server, started on first use. Panics with what to install when PostgreSQL is
/// missing: the tests need the real server, they never skip.
pub fn server() -> &'static PgServer {
    SERVER.get_or_init(|| {
        start().unwrap_or_else(|e| panic!("starting PostgreSQL for the tests: {e}"))
    })
}

impl PgServer {
    /// A superuser connection to the test database.
    pub fn client(&self) -> Client {
        postgres::Config::new()
            .host("127.0.0.1")
            .port(self.port)
            .user(USER)
            .password(PASSWORD)
            .dbname(DATABASE)
            .connect(NoTls)
            .expect("connecting to the test server")
    }

    /// Runs SQL (several statements allowed) on the test database.
    pub fn execute(&self, sql: &str) {
        self.client()
            .batch_execute(sql)
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    /// Ends every other session whose current query contains `marker` (as if the network dropped
    /// under it), returning how many were ended.
    pub fn terminate_sessions(&self, marker: &str) -> i64 {
        self.client()
            .query_one(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity \
                 WHERE pid <> pg_backend_pid() AND strpos(query, $1) > 0",
                &[&marker],
            )
            .expect("terminating sessions")
            .get(0)
    }

    /// How many other sessions are running a query that contains `marker`.
    pub fn sessions_running(&self, marker: &str) -> i64 {
        self.client()
            .query_one(
                "SELECT count(*) FROM pg_stat_activity \
                 WHERE pid <> pg_backend_pid() AND strpos(query, $1) > 0",
                &[&marker],
            )
            .expect("reading pg_stat_activity")
            .get(0)
    }

    pub fn pid(&self) -> u32 {
        self.pid
    }
}

fn bin_dir() -> Result<PathBuf, String> {
    if let Some(dir) = std::env::var_os("MATCHBOOK_PG_BIN") {
        return Ok(PathBuf::from(dir));
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .map_err(|_| "no /usr/lib/postgresql: install the Debian package postgresql (bash scripts/setup-debian.sh)".to_string())?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let v = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((v, bin))
        })
        .collect();
    versions.sort();
    versions
        .pop()
        .map(|(_, b)| b)
        .ok_or_else(|| "no initdb under /usr/lib/postgresql/*/bin".to_string())
}

/// The uid and gid to run the server as: PostgreSQL refuses to run as root.
fn server_user() -> Option<(u32, u32)> {
    // SAFETY: getuid has no preconditions.
    if unsafe { libc::getuid() } != 0 {
        return None;
    }
    let name = std::ffi::CString::new("postgres").ok()?;
    // SAFETY: a valid C string; the returned record is read at once, before any other call.
    let pw = unsafe { libc::getpwnam(name.as_ptr()) };
    if pw.is_null() {
        return None;
    }
    // SAFETY: checked non-null above.
    Some(unsafe { ((*pw).pw_uid, (*pw).pw_gid) })
}

fn as_server_user(cmd: &mut Command, user: Option<(u32, u32)>) {
    use std::os::unix::process::CommandExt;
    if let Some((uid, gid)) = user {
        cmd.uid(uid).gid(gid);
    }
}

fn chown(path: &Path, user: Option<(u32, u32)>) -> Result<(), String> {
    if let Some((uid, gid)) = user {
        std::os::unix::fs::chown(path, Some(uid), Some(gid))
            .map_err(|e| format!("chown {}: {e}", path.display()))?;
    }
    Ok(())
}

fn free_port() -> Result<u16, String> {
    let l = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(l.local_addr().map_err(|e| e.to_string())?.port())
}

/// Removes data directories left by test processes that no longer run.
fn sweep_old(root: &Path) {
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix("pg-"))
            .and_then(|p| p.parse::<i32>().ok())
        else {
            continue;
        };
        // SAFETY: signal 0 only checks that the process exists.
        if unsafe { libc::kill(pid, 0) } != 0 {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

fn start() -> Result<PgServer, String> {
    let bin = bin_dir()?;
    let user = server_user();
    // Under the system's temporary directory: the server's user must reach it, which a
    // checkout under /root is not.
    let root = std::env::temp_dir().join("matchbook-pgtest");
    std::fs::create_dir_all(&root).map_err(|e| e.to_string())?;
    sweep_old(&root);
    let dir = root.join(format!("pg-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    chown(&dir, user)?;
    let pwfile = dir.join("pw");
    std::fs::write(&pwfile, PASSWORD).map_err(|e| e.to_string())?;
    chown(&pwfile, user)?;
    let data = dir.join("data");

    let mut initdb = Command::new(bin.join("initdb"));
    initdb
        .arg("-D")
        .arg(&data)
        .args([
            "-U",
            USER,
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "--no-sync",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        ])
        .arg(format!("--pwfile={}", pwfile.display()))
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    as_server_user(&mut initdb, user);
    let out = initdb
        .output()
        .map_err(|e| format!("running initdb: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "initdb failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }

    let port = free_port()?;
    let log = std::fs::File::create(dir.join("server.log")).map_err(|e| e.to_string())?;
    let (tx, rx) = std::sync::mpsc::channel();
    let postgres = bin.join("postgres");
    let data_for_thread = data.clone();
    let dir_for_thread = dir.clone();
    // The server is the child of a thread that lives as long as the process, and asks the kernel
    // for SIGINT (fast shutdown) when that thread's process dies: no server outlives the tests,
    // even when they are killed.
    std::thread::Builder::new()
        .name("pgtest-server".into())
        .spawn(move || {
            use std::os::unix::process::CommandExt;
            let mut cmd = Command::new(postgres);
            cmd.arg("-D")
                .arg(&data_for_thread)
                .args([
                    "-p",
                    &port.to_string(),
                    "-c",
                    "listen_addresses=127.0.0.1",
                    "-c",
                    "fsync=off",
                    "-c",
                    "synchronous_commit=off",
                    "-c",
                    "full_page_writes=off",
                    "-c",
                    "max_connections=50",
                ])
                .arg("-k")
                .arg(&dir_for_thread)
                .stdout(log.try_clone().expect("log file"))
                .stderr(log);
            as_server_user(&mut cmd, user);
            // SAFETY: prctl is async-signal-safe; nothing else runs between fork and exec here.
            unsafe {
                cmd.pre_exec(|| {
                    libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGINT);
                    Ok(())
                });
            }
            match cmd.spawn() {
                Ok(mut child) => {
                    let _ = tx.send(Ok(child.id()));
                    let _ = child.wait();
                }
                Err(e) => {
                    let _ = tx.send(Err(format!("starting postgres: {e}")));
                }
            }
        })
        .map_err(|e| e.to_string())?;
    let pid = rx.recv().map_err(|e| e.to_string())??;

    let server = PgServer {
        port,
        data_dir: data,
        pid,
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let attempt = postgres::Config::new()
            .host("127.0.0.1")
            .port(port)
            .user(USER)
            .password(PASSWORD)
            .dbname("postgres")
            .connect(NoTls);
        match attempt {
            Ok(mut c) => {
                c.batch_execute(&format!("CREATE DATABASE {DATABASE}"))
                    .map_err(|e| e.to_string())?;
                return Ok(server);
            }
            Err(e) if Instant::now() > deadline => {
                let log = std::fs::read_to_string(dir.join("server.log")).unwrap_or_default();
                return Err(format!(
                    "the server did not accept connections in 60 s: {e}\n{log}"
                ));
            }
            Err(_) => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}
