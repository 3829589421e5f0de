//! The app's log: plain-text lines in the OS log folder (Tauri's app log dir, e.g.
//! ~/.local/share/app.matchbook.desktop/logs on Linux), cut at a size and kept to a few files,
//! so that a user can send it with a support request and it never fills a disk.
//!
//! tracing formats the lines; file-rotate cuts the file once it passes [`MAX_BYTES`] and keeps
//! [`KEEP`] older ones (matchbook.log.1 is the newest of those). Logging is best effort: a log
//! folder that cannot be made leaves the app without a log, never without a window.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use file_rotate::compression::Compression;
use file_rotate::suffix::AppendCount;
use file_rotate::{ContentLimit, FileRotate};

/// The log file's name in the log folder.
pub const FILE_NAME: &str = "matchbook.log";
/// A log file is cut once it passes this size.
pub const MAX_BYTES: usize = 2 * 1024 * 1024;
/// How many cut files are kept besides the current one.
pub const KEEP: usize = 4;

/// A writer to `dir/matchbook.log` that rotates at `max_bytes`, keeping `keep` older files.
/// Each write is one whole log line (tracing writes an event at once), and a file is only cut
/// between writes, so no line is split across two files.
pub fn rotating_writer(
    dir: &Path,
    max_bytes: usize,
    keep: usize,
) -> std::io::Result<FileRotate<AppendCount>> {
    // file-rotate panics where it cannot create the folder: make it here, as an error.
    std::fs::create_dir_all(dir)?;
    Ok(FileRotate::new(
        dir.join(FILE_NAME),
        AppendCount::new(keep),
        ContentLimit::BytesSurpassed(max_bytes.max(1)),
        Compression::None,
        None,
    ))
}

/// Sends the app's log events (info and above, or MATCHBOOK_LOG's level) to the rotating file
/// in `dir`, and panics there too. Answers the folder, or None when no log could be set up.
pub fn init(dir: Option<PathBuf>) -> Option<PathBuf> {
    let dir = dir?;
    let writer = match rotating_writer(&dir, MAX_BYTES, KEEP) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("matchbook: no log file in {}: {e}", dir.display());
            return None;
        }
    };
    let level = std::env::var("MATCHBOOK_LOG")
        .ok()
        .and_then(|l| l.parse::<tracing::Level>().ok())
        .unwrap_or(tracing::Level::INFO);
    let installed = tracing_subscriber::fmt()
        .with_writer(Mutex::new(writer))
        .with_ansi(false)
        .with_max_level(level)
        .with_target(false)
        .try_init();
    if installed.is_err() {
        // Another subscriber (a test's) is already installed: its choice stands.
        return Some(dir);
    }
    log_panics();
    Some(dir)
}

/// Panics go to the log as well as to stderr, where nobody sees them in a desktop session.
fn log_panics() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        tracing::error!("panic: {info}");
        previous(info);
    }));
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// Writing past the size limit cuts the file, and past `keep` cuts the oldest is deleted:
    /// the current file and exactly `keep` older ones remain, each near the limit, none split a
    /// line.
    #[test]
    fn the_log_rotates_at_its_size_and_keeps_a_few_files() {
        let dir = tempfile::tempdir().unwrap();
        let logs = dir.path().join("logs");
        let mut w = rotating_writer(&logs, 1000, 3).unwrap();
        let line = format!("{}\n", "x".repeat(99));
        for i in 0..100 {
            // One write per line, as tracing makes them; a number keeps the order visible.
            w.write_all(format!("{i:03} {line}").as_bytes()).unwrap();
        }
        w.flush().unwrap();
        drop(w);
        let mut names: Vec<String> = std::fs::read_dir(&logs)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(
            names,
            [
                "matchbook.log",
                "matchbook.log.1",
                "matchbook.log.2",
                "matchbook.log.3"
            ]
        );
        for name in &names {
            let text = std::fs::read_to_string(logs.join(name)).unwrap();
            assert!(text.len() <= 1000 + 104, "{name}: {} bytes", text.len());
            assert!(
                text.lines().all(|l| l.len() == 103),
                "{name} has a split line"
            );
        }
        // The current file has the last lines; .1 the ones just before them.
        let current = std::fs::read_to_string(logs.join("matchbook.log")).unwrap();
        assert!(current.trim_end().ends_with(&line.trim_end()[..10]));
        assert!(current.contains("099 "));
        let newest_cut = std::fs::read_to_string(logs.join("matchbook.log.1")).unwrap();
        let first_current: u32 = current[..3].parse().unwrap();
        let last_cut: u32 = newest_cut.lines().last().unwrap()[..3].parse().unwrap();
        assert_eq!(last_cut + 1, first_current);
    }

    #[test]
    fn a_log_folder_that_cannot_be_made_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a-file");
        std::fs::write(&file, b"").unwrap();
        assert!(rotating_writer(&file.join("logs"), 1000, 3).is_err());
    }
}
