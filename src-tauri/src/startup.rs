//! How long the app takes to start: from the process's first instruction to the window's first
//! request for its screen's data (the UI is mounted and asks for what it shows). Logged always;
//! with MATCHBOOK_STARTUP_PROBE set, printed and the app quits, so a script can time cold starts
//! (scripts/measure-start.sh) without a driver in between.

use std::sync::OnceLock;
use std::time::Instant;

static STARTED: OnceLock<Instant> = OnceLock::new();
static ANSWERED: OnceLock<()> = OnceLock::new();

/// Called first thing in `main`.
pub fn mark_process_start() {
    STARTED.get_or_init(Instant::now);
}

/// Called by the command the window sends first for its screen; acts once.
pub fn first_screen_request() {
    if ANSWERED.set(()).is_err() {
        return;
    }
    let Some(started) = STARTED.get() else { return };
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    tracing::info!(ms, "window asked for its first screen's data");
    if std::env::var_os("MATCHBOOK_STARTUP_PROBE").is_some() {
        println!("startup_ms {ms:.0}");
        std::process::exit(0);
    }
}
