//! The local REST API's key: one per workspace, created the first time the API is served, kept
//! only as a SHA-256 hash. The whole key is shown once, when it is created or rotated.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use store::ApiKeyRecord;
use ts_rs::TS;

use crate::error::Result;
use crate::{new_id, Workspace};

/// Keys start with this, so a leaked one is recognisable in logs and secret scanners.
pub const KEY_PREFIX: &str = "mbk_";
/// Characters of a key kept in clear to tell keys apart: the marker and 8 hex digits.
const SHOWN_CHARS: usize = KEY_PREFIX.len() + 8;

/// What settings show of the active key: never the key itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ApiKeyInfo {
    /// The key's first characters, e.g. "mbk_1a2b3c4d".
    pub prefix: String,
    pub created_at: String,
}

/// A key just created: the only time its whole text is known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NewApiKey {
    pub key: String,
    pub info: ApiKeyInfo,
}

/// The port the API listens on unless told otherwise.
pub const DEFAULT_API_PORT: u16 = 8750;

/// Whether the desktop app serves the REST API, and on which port; kept in the workspace so the
/// switch survives a restart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ApiSettings {
    pub enabled: bool,
    pub port: u16,
}

/// What the settings screen shows of the REST API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ApiServerStatus {
    pub settings: ApiSettings,
    /// Listening now.
    pub running: bool,
    /// The base URL while running, e.g. "http://127.0.0.1:8750".
    #[ts(optional)]
    pub url: Option<String>,
    /// The active key, if one was ever created.
    #[ts(optional)]
    pub key: Option<ApiKeyInfo>,
    /// The whole key, only in the answer that created or rotated it.
    #[ts(optional)]
    pub new_key: Option<String>,
    /// Why the server is not running although enabled (e.g. the port is taken).
    #[ts(optional)]
    pub error: Option<String>,
}

fn hash(key: &str) -> String {
    let digest = Sha256::digest(key.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// 244 random bits from two version 4 UUIDs (the OS generator), as 64 hex digits.
fn generate() -> String {
    let a = uuid::Uuid::new_v4().simple().to_string();
    let b = uuid::Uuid::new_v4().simple().to_string();
    format!("{KEY_PREFIX}{a}{b}")
}

fn info(r: ApiKeyRecord) -> ApiKeyInfo {
    ApiKeyInfo {
        prefix: r.prefix,
        created_at: r.created_at,
    }
}

impl Workspace {
    fn new_key_record(&self) -> (String, ApiKeyRecord) {
        let key = generate();
        let record = ApiKeyRecord {
            id: new_id(),
            prefix: key[..SHOWN_CHARS].to_string(),
            created_at: self.now(),
        };
        (key, record)
    }

    /// The active key, if one exists.
    pub fn api_key_info(&self) -> Result<Option<ApiKeyInfo>> {
        Ok(self.store.active_api_key()?.map(info))
    }

    /// Creates the workspace's key if it has none (the first time the API is served). Returns
    /// the new key, or `None` when one already existed.
    pub fn ensure_api_key(&self) -> Result<Option<NewApiKey>> {
        let (key, record) = self.new_key_record();
        if self.store.create_api_key_if_none(&record, &hash(&key))? {
            Ok(Some(NewApiKey {
                key,
                info: info(record),
            }))
        } else {
            Ok(None)
        }
    }

    /// Replaces the key: the old one stops working at once.
    pub fn rotate_api_key(&self) -> Result<NewApiKey> {
        let (key, record) = self.new_key_record();
        self.store.replace_api_key(&record, &hash(&key))?;
        Ok(NewApiKey {
            key,
            info: info(record),
        })
    }

    pub fn api_settings(&self) -> Result<ApiSettings> {
        let enabled = self.store.setting("api.enabled")?.as_deref() == Some("true");
        let port = self
            .store
            .setting("api.port")?
            .and_then(|p| p.parse().ok())
            .unwrap_or(DEFAULT_API_PORT);
        Ok(ApiSettings { enabled, port })
    }

    pub fn set_api_settings(&self, s: &ApiSettings) -> Result<()> {
        if s.port < 1024 {
            return Err(crate::ServiceError::validation(
                "port",
                "choose a port from 1024 to 65535",
            ));
        }
        self.store
            .set_setting("api.enabled", if s.enabled { "true" } else { "false" })?;
        self.store.set_setting("api.port", &s.port.to_string())?;
        Ok(())
    }

    /// The active key's prefix when `presented` is the active key. Looking up by hash means the
    /// comparison never touches the key's text, so its timing says nothing about it.
    pub fn verify_api_key(&self, presented: &str) -> Result<Option<String>> {
        if !presented.starts_with(KEY_PREFIX) {
            return Ok(None);
        }
        Ok(self
            .store
            .api_key_by_hash(&hash(presented))?
            .map(|r| r.prefix))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_long_random_and_hashed() {
        let (a, b) = (generate(), generate());
        assert_ne!(a, b);
        assert_eq!(a.len(), KEY_PREFIX.len() + 64);
        assert_eq!(hash(&a).len(), 64);
        assert_ne!(hash(&a), hash(&b));
    }
}
