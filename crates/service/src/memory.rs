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
