//! Sharing one workspace between processes (the app, `serve`, the CLI): who owns a run, whether
//! that owner is still alive, and the keeper thread that renews this process's leases, writes the
//! live progress of its runs to the file, acts on cancel requests from other processes, and shows
//! other processes' runs to this one's listeners.
//!
//! Leases and heartbeats use the system clock, never the workspace's injectable clock: they are
//! compared across processes.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use engine::{Phase, RunProgress, RunStatus};
use store::{Lease, LiveProgress, Owner, RunRecord};

use crate::lock;
use crate::runner::Inner;
use crate::runs::progress_of_record;

/// How often the keeper renews leases, writes progress and looks at other processes' runs: the
/// same ten updates a second that listeners in the owning process get.
pub(crate) const TICK: Duration = Duration::from_millis(100);
/// How often runs whose owner died are looked for while the workspace is open.
const SWEEP_EVERY: Duration = Duration::from_secs(2);
/// An owner on another host (a workspace on a shared folder) is alive while its heartbeat is this
/// fresh. Heartbeats come every tick, but may wait up to the store's busy timeout for the lock.
const REMOTE_LEASE: Duration = Duration::from_secs(30);
/// On this host a live process id is proof of life, unless its heartbeat is so old that the id
/// must have been reused by another program.
const LOCAL_LEASE: Duration = Duration::from_secs(300);

pub(crate) const INTERRUPTED: &str = "interrupted: the Matchbook process running it ended";

/// Owners alive in this process (one per open workspace), for judging leases that carry this
/// process's own id.
fn live_owners() -> &'static Mutex<HashSet<String>> {
    static OWNERS: OnceLock<Mutex<HashSet<String>>> = OnceLock::new();
    OWNERS.get_or_init(|| Mutex::new(HashSet::new()))
}

pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// A new owner for a workspace opened by this process, registered as alive until dropped.
pub(crate) struct OwnerHandle(pub(crate) Owner);

impl OwnerHandle {
    pub(crate) fn new() -> Self {
        let owner = Owner {
            id: uuid::Uuid::new_v4().to_string(),
            pid: std::process::id(),
            host: host_name(),
        };
        lock(live_owners()).insert(owner.id.clone());
        OwnerHandle(owner)
    }
}

impl Drop for OwnerHandle {
    fn drop(&mut self) {
        lock(live_owners()).remove(&self.0.id);
    }
}

fn host_name() -> String {
    ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .find_map(|p| std::fs::read_to_string(p).ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .unwrap_or_else(|| "localhost".into())
}

/// Whether the process with this id runs on this machine (and is not a zombie). Where the
/// process table cannot be read, the heartbeat alone decides.
fn pid_alive(pid: u32) -> Option<bool> {
    if !cfg!(target_os = "linux") {
        return None;
    }
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state follows the command name, which is in parentheses and may contain any byte.
        Ok(stat) => Some(
            stat.rfind(')')
                .and_then(|i| stat[i + 1..].trim_start().chars().next())
                .is_some_and(|state| state != 'Z' && state != 'X'),
        ),
        Err(_) => Some(false),
    }
}

/// Whether the owner named by `lease` may still be executing its runs.
pub(crate) fn owner_alive(lease: Option<&Lease>, me: &Owner, now_ms: i64) -> bool {
    // Runs from before leases existed have no owner: only a crash could have left them active.
    let Some(lease) = lease else { return false };
    let owner = &lease.owner;
    if owner.id == me.id {
        return true;
    }
    let age = Duration::from_millis(now_ms.saturating_sub(lease.heartbeat_ms).max(0) as u64);
    if owner.host != me.host {
        return age < REMOTE_LEASE;
    }
    if owner.pid == me.pid {
        return lock(live_owners()).contains(&owner.id);
    }
    match pid_alive(owner.pid) {
        Some(alive) => alive && age < LOCAL_LEASE,
        None => age < REMOTE_LEASE,
    }
}

/// Progress of a run as the file has it, with the phase and ETA its owner last wrote.
pub(crate) fn progress_of(rec: &RunRecord, now: &str) -> RunProgress {
    let mut p = progress_of_record(&rec.run, now);
    if rec.run.status == RunStatus::Running {
        if let Some(phase) = rec.phase {
            p.phase = phase;
        }
        if let Some(pp) = rec.phase_progress {
            p.phase_progress = pp;
        }
        p.estimated_seconds_remaining = rec.eta_seconds;
    }
    p
}

/// Starts the keeper of `inner` on a thread of its own; it ends when the workspace is gone.
pub(crate) fn spawn_keeper(inner: Weak<Inner>) {
    let spawned = std::thread::Builder::new()
        .name("matchbook-lease".into())
        .spawn(move || {
            let mut watch = Watch::default();
            let mut last_sweep: Option<Instant> = None;
            loop {
                std::thread::sleep(TICK);
                let Some(inner) = inner.upgrade() else { return };
                inner.renew();
                if last_sweep.is_none_or(|t| t.elapsed() >= SWEEP_EVERY) {
                    last_sweep = Some(Instant::now());
                    inner.recover_orphans();
                }
                watch.tick(&inner);
            }
        });
    // Without the keeper, other processes see this one's runs as orphans after a while; that
    // costs a run, not data, and a thread that cannot start means the process is failing anyway.
    drop(spawned);
}

/// Other processes' runs as last shown to this process's listeners.
#[derive(Default)]
struct Watch {
    shown: HashMap<String, RunProgress>,
    /// The newest run already looked at; None until the first look.
    last_seq: Option<i64>,
}

impl Watch {
    fn tick(&mut self, inner: &Arc<Inner>) {
        if !inner.has_listeners() {
            self.shown.clear();
            self.last_seq = None;
            return;
        }
        // The first look takes the runs that exist as they are; later looks also see runs that
        // started and ended between two looks.
        let after = match self.last_seq {
            Some(seq) => seq,
            None => match inner.store.newest_run_seq() {
                Ok(seq) => seq,
                Err(_) => return,
            },
        };
        let Ok(runs) = inner.store.runs_to_watch(after) else {
            return;
        };
        self.last_seq = Some(runs.iter().map(|(seq, _)| *seq).fold(after, i64::max));
        let now = inner.clock.now_string();
        let mut seen = HashSet::new();
        for (_, rec) in runs {
            if rec
                .lease
                .as_ref()
                .is_some_and(|l| l.owner.id == inner.owner.0.id)
            {
                continue;
            }
            if !rec.run.status.is_active() {
                // Started and ended between two looks: its end, once.
                if !self.shown.contains_key(&rec.run.id) {
                    inner.emit(&progress_of(&rec, &now));
                }
                continue;
            }
            let progress = progress_of(&rec, &now);
            seen.insert(rec.run.id.clone());
            let changed = self
                .shown
                .get(&rec.run.id)
                .is_none_or(|old| !same_progress(old, &progress));
            if changed {
                inner.emit(&progress);
                self.shown.insert(rec.run.id.clone(), progress);
            }
        }
        // Runs that left the active set since the last tick: show how they ended.
        let ended: Vec<String> = self
            .shown
            .keys()
            .filter(|id| !seen.contains(*id))
            .cloned()
            .collect();
        for id in ended {
            self.shown.remove(&id);
            if let Ok(rec) = inner.store.run_record(&id) {
                inner.emit(&progress_of(&rec, &now));
            }
        }
    }
}

fn same_progress(a: &RunProgress, b: &RunProgress) -> bool {
    (
        a.status,
        a.phase,
        a.phase_progress,
        a.rows_processed,
        a.rows_total,
        a.rows_matched,
    ) == (
        b.status,
        b.phase,
        b.phase_progress,
        b.rows_processed,
        b.rows_total,
        b.rows_matched,
    ) && a.estimated_seconds_remaining == b.estimated_seconds_remaining
}

impl Inner {
    /// One heartbeat: renews this owner's leases, writes the live progress of its running runs,
    /// and acts on cancel requests that other processes left for them.
    fn renew(&self) {
        let owned: Vec<(String, RunProgress)> = self.active_snapshot();
        if owned.is_empty() {
            return;
        }
        let live: Vec<LiveProgress> = owned
            .iter()
            .filter(|(_, p)| p.status == RunStatus::Running && p.phase != Phase::Queued)
            .map(|(id, p)| LiveProgress {
                run_id: id.clone(),
                phase: p.phase,
                phase_progress: p.phase_progress,
                rows_processed: p.rows_processed,
                rows_total: p.rows_total,
                rows_matched: p.rows_matched,
                eta_seconds: p.estimated_seconds_remaining,
            })
            .collect();
        let ids: Vec<String> = owned.into_iter().map(|(id, _)| id).collect();
        // A busy file (another process writing) only delays this heartbeat to the next tick.
        let Ok(states) = self
            .store
            .renew_leases(&self.owner.0, now_ms(), &live, &ids)
        else {
            return;
        };
        for state in states.into_iter().filter(|s| s.cancel_requested) {
            self.cancel_owned(&state.run_id);
        }
    }

    /// Every queued or running run whose owner has died: running ones are marked failed, queued
    /// ones are taken into this process's queue when it takes over runs.
    pub(crate) fn recover_orphans(&self) {
        if self.store.is_read_only() {
            return;
        }
        let Ok(active) = self.store.active_runs() else {
            return;
        };
        let now = now_ms();
        for rec in active {
            if owner_alive(rec.lease.as_ref(), &self.owner.0, now) {
                continue;
            }
            let id = &rec.run.id;
            match rec.run.status {
                RunStatus::Queued if self.takes_over => {
                    if let Ok(true) =
                        self.store
                            .adopt_queued(id, rec.lease.as_ref(), &self.owner.0, now)
                    {
                        self.enqueue(id);
                    }
                }
                RunStatus::Queued => {}
                _ => {
                    let lease = rec.lease.as_ref();
                    let _ = self.store.fail_orphaned(
                        id,
                        lease.map(|l| l.owner.id.as_str()),
                        lease.map(|l| l.heartbeat_ms),
                        &self.clock.now_string(),
                        INTERRUPTED,
                    );
                }
            }
        }
    }
}
