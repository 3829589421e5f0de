//! Workspace settings and the local REST API's keys. A key itself is never stored: only its
//! SHA-256 (computed by the caller) and a short prefix to tell keys apart.

use rusqlite::{params, OptionalExtension};

use crate::{Result, Store};

/// An API key as the store knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKeyRecord {
    pub id: String,
    pub prefix: String,
    pub created_at: String,
}

impl Store {
    /// The key in use, if one was ever created and not revoked since.
    pub fn active_api_key(&self) -> Result<Option<ApiKeyRecord>> {
        Ok(self
            .read()
            .query_row(
                "SELECT id, prefix, created_at FROM api_keys WHERE revoked_at IS NULL \
                 ORDER BY created_at DESC LIMIT 1",
                [],
                |r| {
                    Ok(ApiKeyRecord {
                        id: r.get(0)?,
                        prefix: r.get(1)?,
                        created_at: r.get(2)?,
                    })
                },
            )
            .optional()?)
    }

    /// Makes `key` the only valid key: every earlier one is revoked in the same transaction, so
    /// there is never a moment with two valid keys or none.
    pub fn replace_api_key(&self, key: &ApiKeyRecord, hash: &str) -> Result<()> {
        let mut conn = self.write();
        let tx = conn.transaction()?;
        tx.execute(
            "UPDATE api_keys SET revoked_at = ?1 WHERE revoked_at IS NULL",
            [&key.created_at],
        )?;
        tx.execute(
            "INSERT INTO api_keys (id, prefix, hash, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![key.id, key.prefix, hash, key.created_at],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Creates `key` unless a key is already active; returns whether it was created. Two
    /// processes serving one workspace for the first time cannot both create one.
    pub fn create_api_key_if_none(&self, key: &ApiKeyRecord, hash: &str) -> Result<bool> {
        let mut conn = self.write();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let exists: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM api_keys WHERE revoked_at IS NULL)",
            [],
            |r| r.get(0),
        )?;
        if exists {
            return Ok(false);
        }
        tx.execute(
            "INSERT INTO api_keys (id, prefix, hash, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![key.id, key.prefix, hash, key.created_at],
        )?;
        tx.commit()?;
        Ok(true)
    }

    /// The active key whose hash is `hash`, if any.
    pub fn api_key_by_hash(&self, hash: &str) -> Result<Option<ApiKeyRecord>> {
        Ok(self
            .read()
            .prepare_cached(
                "SELECT id, prefix, created_at FROM api_keys WHERE hash = ?1 AND revoked_at IS NULL",
            )?
            .query_row([hash], |r| {
                Ok(ApiKeyRecord {
                    id: r.get(0)?,
                    prefix: r.get(1)?,
                    created_at: r.get(2)?,
                })
            })
            .optional()?)
    }

    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .read()
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?)
    }

    pub fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        self.write().execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(id: &str, at: &str) -> ApiKeyRecord {
        ApiKeyRecord {
            id: id.into(),
            prefix: format!("mbk_{id}"),
            created_at: at.into(),
        }
    }

    #[test]
    fn one_key_is_active_and_rotation_revokes_the_old_one() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("w.sqlite")).unwrap();
        assert_eq!(store.active_api_key().unwrap(), None);
        assert!(store
            .create_api_key_if_none(&key("a", "2026-11-23T00:00:00.000Z"), "h1")
            .unwrap());
        assert!(!store
            .create_api_key_if_none(&key("b", "2026-11-23T00:00:01.000Z"), "h2")
            .unwrap());
        assert_eq!(store.api_key_by_hash("h1").unwrap().unwrap().id, "a");
        assert_eq!(store.api_key_by_hash("h2").unwrap(), None);
        store
            .replace_api_key(&key("c", "2026-11-23T00:00:02.000Z"), "h3")
            .unwrap();
        assert_eq!(store.api_key_by_hash("h1").unwrap(), None);
        assert_eq!(store.active_api_key().unwrap().unwrap().id, "c");
    }

    #[test]
    fn settings_are_replaced_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("w.sqlite")).unwrap();
        assert_eq!(store.setting("api.enabled").unwrap(), None);
        store.set_setting("api.enabled", "true").unwrap();
        store.set_setting("api.enabled", "false").unwrap();
        assert_eq!(
            store.setting("api.enabled").unwrap().as_deref(),
            Some("false")
        );
    }
}
