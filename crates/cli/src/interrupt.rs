//! Ctrl-C while a command waits for work running in the background (a run, a database import):
//! the first press asks the command to cancel that work, the second quits at once.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::error::EXIT_INTERRUPTED;

/// Ctrl-C while something is awaited: the first sets a flag the waiting loop reads (and answers
/// by cancelling the work through the service), the second quits at once.
///
/// Tokio's signal handling rather than the `ctrlc` crate: the session already has a runtime to
/// run the listener on and tokio already carries the handler (signal-hook-registry), so no extra
/// crate or thread is needed; and it is installed only here, while work is awaited, so every
/// other command keeps the default Ctrl-C that simply ends the process, whereas `ctrlc` installs
/// one process-wide handler for good.
pub(crate) struct Interrupt {
    requested: Arc<AtomicBool>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Interrupt {
    /// Listens on `runtime`; `what` names the awaited work in the message of a second Ctrl-C
    /// ("the run", "the import").
    pub(crate) fn listen(runtime: &tokio::runtime::Handle, what: &'static str) -> Interrupt {
        let requested = Arc::new(AtomicBool::new(false));
        // The listener is created here, not inside the task, so the handler is in place when
        // this returns rather than whenever the task is first polled.
        let _entered = runtime.enter();
        let task = signals().map(|mut next| {
            let flag = requested.clone();
            runtime.spawn(async move {
                if next.recv().await.is_none() {
                    return;
                }
                flag.store(true, Ordering::SeqCst);
                if next.recv().await.is_some() {
                    eprintln!("\ninterrupted again: quitting without waiting for {what} to stop");
                    std::process::exit(EXIT_INTERRUPTED.into());
                }
            })
        });
        Interrupt { requested, task }
    }

    pub(crate) fn requested(&self) -> bool {
        self.requested.load(Ordering::SeqCst)
    }
}

impl Drop for Interrupt {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// The stream of Ctrl-C presses, or `None` where it cannot be had (then Ctrl-C just ends the
/// process, as before).
#[cfg(unix)]
fn signals() -> Option<tokio::signal::unix::Signal> {
    tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt()).ok()
}

#[cfg(windows)]
fn signals() -> Option<tokio::signal::windows::CtrlC> {
    tokio::signal::windows::ctrl_c().ok()
}
