//! Process-wide memory settings that matching depends on, applied once at start by every shell.

/// Turns transparent huge pages off for this process. Building an index and scoring allocate and
/// free large buffers in bursts; with huge pages the kernel zeroes 2 MiB at each fault after the
/// allocator hands memory back, which took 40 % of the CPU of a million-row run (its load and
/// index phase went from 7 s to 2.5 s without them; docs/PERFORMANCE.md). Failing to change the
/// setting changes nothing else, so the error is ignored.
pub fn prefer_small_pages() {
    #[cfg(target_os = "linux")]
    {
        let _ = rustix::thread::disable_transparent_huge_pages(true);
    }
}

/// How the process's allocator hands freed memory back to the system, when it does not do so
/// by itself: set once at start by a shell that links such an allocator.
static RELEASE: std::sync::OnceLock<fn()> = std::sync::OnceLock::new();

/// Registers how to give freed memory back. mimalloc, which the shells link, keeps a block freed
/// by another thread than the one that allocated it until that thread allocates again; a warm
/// index built on the worker threads and freed while they sit idle would stay resident for
/// good. Later calls change nothing.
pub fn set_memory_release(release: fn()) {
    let _ = RELEASE.set(release);
}

/// Gives freed memory back, where a shell said how (see `set_memory_release`).
pub(crate) fn release_memory() {
    if let Some(release) = RELEASE.get() {
        release();
    }
}
