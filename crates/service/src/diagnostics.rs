//! What a user pastes into a support request: the version, the open workspace's file and size,
//! the SQLite library and schema, where the logs are, and the operating system.

use std::path::Path;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::Result;
use crate::workspace_files::side_files;
use crate::Workspace;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Diagnostics {
    /// Matchbook's version.
    pub version: String,
    pub workspace_path: String,
    /// The database file alone.
    #[ts(type = "number")]
    pub workspace_bytes: u64,
    /// Its write-ahead log: changes not yet copied into the database file.
    #[ts(type = "number")]
    pub wal_bytes: u64,
    pub read_only: bool,
    /// The workspace's schema version (SQLite's `user_version`).
    #[ts(type = "number")]
    pub schema_version: i64,
    pub sqlite_version: String,
    /// The folder the app writes its logs to; none for a shell that keeps no log file.
    pub log_dir: Option<String>,
    /// The operating system and processor, e.g. "Debian GNU/Linux 12 (bookworm), linux x86_64".
    pub os: String,
    pub datasets: u32,
    pub configs: u32,
    pub runs: u32,
}

impl Workspace {
    /// The diagnostics of this workspace, with `log_dir` where the calling shell logs.
    pub fn diagnostics(&self, log_dir: Option<&Path>) -> Result<Diagnostics> {
        let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
        let [wal, _] = side_files(&self.path);
        let info = self.info()?;
        Ok(Diagnostics {
            version: env!("CARGO_PKG_VERSION").to_string(),
            workspace_path: info.path,
            workspace_bytes: size(&self.path),
            wal_bytes: size(&wal),
            read_only: self.is_read_only(),
            schema_version: self.store.schema_version()?,
            sqlite_version: store::sqlite_version().to_string(),
            log_dir: log_dir.map(|d| d.display().to_string()),
            os: os_description(),
            datasets: info.datasets,
            configs: info.configs,
            runs: info.runs,
        })
    }
}

/// The distribution's own name where it says it (os-release), then the kernel family and
/// processor, which is what tells two machines apart in a bug report.
fn os_description() -> String {
    let family = format!("{} {}", std::env::consts::OS, std::env::consts::ARCH);
    let pretty = ["/etc/os-release", "/usr/lib/os-release"]
        .iter()
        .find_map(|p| std::fs::read_to_string(p).ok())
        .and_then(|text| {
            text.lines()
                .find_map(|l| l.strip_prefix("PRETTY_NAME="))
                .map(|v| v.trim().trim_matches('"').to_string())
        })
        .filter(|v| !v.is_empty());
    match pretty {
        Some(name) => format!("{name}, {family}"),
        None => family,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::OpenOptions;

    #[test]
    fn diagnostics_name_the_file_its_size_and_sqlite() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.sqlite");
        let ws = Workspace::open(&path, rt.handle().clone(), OpenOptions::default()).unwrap();
        let d = ws
            .diagnostics(Some(Path::new("/var/log/matchbook")))
            .unwrap();
        assert_eq!(d.workspace_path, path.display().to_string());
        assert!(d.workspace_bytes > 0);
        assert!(d.schema_version > 0);
        assert!(d.sqlite_version.starts_with("3."), "{}", d.sqlite_version);
        assert_eq!(d.log_dir.as_deref(), Some("/var/log/matchbook"));
        assert!(d.os.contains(std::env::consts::ARCH), "{}", d.os);
        assert_eq!(d.version, env!("CARGO_PKG_VERSION"));
    }
}
