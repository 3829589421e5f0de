//! The recent workspaces of one user: a small JSON file in the app's configuration folder (not in
//! any workspace, since it is about all of them), most recently opened first, with the files no
//! longer on disk marked so the window can say so instead of failing when one is chosen.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Result, ServiceError};
use crate::workspace_files::same_file_key;

/// How many workspaces the list keeps: one per client or per month of a year fits.
pub const RECENT_MAX: usize = 12;

/// A workspace opened before, as the recent list shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RecentWorkspace {
    pub path: String,
    /// When it was last opened in the window (RFC 3339).
    pub opened_at: String,
    /// False when no file is at `path` any more (moved or deleted outside Matchbook).
    #[serde(default)]
    pub exists: bool,
}

#[derive(Default, Serialize, Deserialize)]
struct RecentFile {
    workspaces: Vec<RecentWorkspace>,
}

/// The recent list kept in `file`.
pub struct RecentList {
    file: PathBuf,
}

impl RecentList {
    pub fn new(file: impl Into<PathBuf>) -> RecentList {
        RecentList { file: file.into() }
    }

    pub fn file(&self) -> &Path {
        &self.file
    }

    /// The list, most recent first, each entry marked as existing or not. A missing file is an
    /// empty list; so is a damaged one, which the next change rewrites: losing the list must
    /// never keep the window from opening.
    pub fn list(&self) -> Vec<RecentWorkspace> {
        let mut entries = self.read().workspaces;
        for e in &mut entries {
            e.exists = Path::new(&e.path).is_file();
        }
        entries
    }

    /// Puts `path` first, opened at `now`.
    pub fn touch(&self, path: &Path, now: &str) -> Result<Vec<RecentWorkspace>> {
        self.change(|entries| {
            let key = same_file_key(path);
            entries.retain(|e| same_file_key(Path::new(&e.path)) != key);
            entries.insert(
                0,
                RecentWorkspace {
                    path: key.display().to_string(),
                    opened_at: now.to_string(),
                    exists: true,
                },
            );
        })
    }

    /// After a move: `from` leaves the list and `to` comes first.
    pub fn moved(&self, from: &Path, to: &Path, now: &str) -> Result<Vec<RecentWorkspace>> {
        self.forget(from)?;
        self.touch(to, now)
    }

    /// Takes `path` off the list (a file the user knows is gone).
    pub fn forget(&self, path: &Path) -> Result<Vec<RecentWorkspace>> {
        let key = same_file_key(path);
        self.change(|entries| {
            entries.retain(|e| {
                e.path != path.display().to_string() && same_file_key(Path::new(&e.path)) != key
            })
        })
    }

    fn read(&self) -> RecentFile {
        std::fs::read(&self.file)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    /// Applies `edit` and writes the list back whole: to a temporary file first, renamed over
    /// the old one, so a crash midway leaves the old list, not half of a new one.
    fn change(&self, edit: impl FnOnce(&mut Vec<RecentWorkspace>)) -> Result<Vec<RecentWorkspace>> {
        let mut recent = self.read();
        edit(&mut recent.workspaces);
        recent.workspaces.truncate(RECENT_MAX);
        let failed = |e: std::io::Error| {
            ServiceError::Internal(format!(
                "cannot save the recent workspaces in {}: {e}",
                self.file.display()
            ))
        };
        if let Some(dir) = self.file.parent() {
            std::fs::create_dir_all(dir).map_err(failed)?;
        }
        let json = serde_json::to_vec_pretty(&recent)
            .map_err(|e| ServiceError::Internal(format!("recent workspaces: {e}")))?;
        let tmp = self.file.with_extension("json.tmp");
        std::fs::write(&tmp, json).map_err(failed)?;
        std::fs::rename(&tmp, &self.file).map_err(failed)?;
        Ok(self.list())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn most_recent_first_once_each_and_missing_files_marked() {
        let dir = tempfile::tempdir().unwrap();
        let list = RecentList::new(dir.path().join("config/recent-workspaces.json"));
        assert!(list.list().is_empty());
        let a = dir.path().join("a.sqlite");
        let b = dir.path().join("b.sqlite");
        std::fs::write(&a, b"").unwrap();
        std::fs::write(&b, b"").unwrap();
        list.touch(&a, "2026-01-01T00:00:00Z").unwrap();
        list.touch(&b, "2026-01-02T00:00:00Z").unwrap();
        // Another spelling of a: still one entry, now first.
        let again = dir.path().join("x/../a.sqlite");
        std::fs::create_dir(dir.path().join("x")).unwrap();
        let shown = list.touch(&again, "2026-01-03T00:00:00Z").unwrap();
        let paths: Vec<&str> = shown.iter().map(|e| e.path.as_str()).collect();
        let canon = |p: &Path| p.canonicalize().unwrap().display().to_string();
        assert_eq!(paths, [canon(&a), canon(&b)]);
        assert_eq!(shown[0].opened_at, "2026-01-03T00:00:00Z");

        std::fs::remove_file(&b).unwrap();
        let shown = list.list();
        assert!(shown[0].exists);
        assert!(!shown[1].exists, "a deleted file is marked missing");
        let shown = list.forget(Path::new(&shown[1].path)).unwrap();
        assert_eq!(shown.len(), 1);
    }

    #[test]
    fn a_move_replaces_the_old_path_and_the_list_is_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let list = RecentList::new(dir.path().join("recent.json"));
        for i in 0..RECENT_MAX + 3 {
            list.touch(&dir.path().join(format!("{i}.sqlite")), "t")
                .unwrap();
        }
        assert_eq!(list.list().len(), RECENT_MAX);
        let from = dir.path().join(format!("{}.sqlite", RECENT_MAX + 2));
        let to = dir.path().join("moved.sqlite");
        let shown = list.moved(&from, &to, "t2").unwrap();
        assert!(shown[0].path.ends_with("moved.sqlite"));
        assert!(shown
            .iter()
            .all(|e| !e.path.ends_with(&format!("{}.sqlite", RECENT_MAX + 2))));
    }

    #[test]
    fn a_damaged_list_reads_as_empty_and_is_rewritten() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("recent.json");
        std::fs::write(&file, b"{not json").unwrap();
        let list = RecentList::new(&file);
        assert!(list.list().is_empty());
        list.touch(&dir.path().join("a.sqlite"), "t").unwrap();
        assert_eq!(list.list().len(), 1);
    }
}
