//! Strategies (spec A.5): learned matching plans, stored as JSON beside who they are for, versioned.

use rusqlite::{params, OptionalExtension, Row};

use crate::{from_json, to_json, Result, Store, StoreError};

/// A strategy as stored. The plan is kept as JSON, whatever keys it holds: the store does not
/// read it, the service validates it.
#[derive(Debug, Clone, PartialEq)]
pub struct StrategyRecord {
    pub id: String,
    pub name: Option<String>,
    pub matching_config_id: Option<String>,
    pub reference_data_id: String,
    pub document_set_id: Option<String>,
    pub target_type: String,
    pub user_prompt: Option<String>,
    pub strategy: serde_json::Value,
    pub version: u32,
    pub version_hash: String,
    pub created_at: String,
    pub updated_at: String,
}

/// Which strategies a list holds: newest first, optionally only one config's, starting after the
/// strategy whose (created_at, id) is `after` and at most `limit` of them (all when `None`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StrategyListQuery {
    pub matching_config_id: Option<String>,
    pub after: Option<(String, String)>,
    pub limit: Option<u32>,
}

const STRATEGY_COLUMNS: &str = "id, name, matching_config_id, reference_data_id, document_set_id, \
     target_type, user_prompt, strategy, version, version_hash, created_at, updated_at";

fn strategy_from_row(r: &Row) -> rusqlite::Result<(StrategyRecord, String)> {
    Ok((
        StrategyRecord {
            id: r.get(0)?,
            name: r.get(1)?,
            matching_config_id: r.get(2)?,
            reference_data_id: r.get(3)?,
            document_set_id: r.get(4)?,
            target_type: r.get(5)?,
            user_prompt: r.get(6)?,
            strategy: serde_json::Value::Null,
            version: r.get(8)?,
            version_hash: r.get(9)?,
            created_at: r.get(10)?,
            updated_at: r.get(11)?,
        },
        r.get(7)?,
    ))
}

fn finish((mut s, plan): (StrategyRecord, String)) -> Result<StrategyRecord> {
    s.strategy = from_json("strategy", &plan)?;
    Ok(s)
}

impl Store {
    pub fn insert_strategy(&self, s: &StrategyRecord) -> Result<()> {
        self.write().execute(
            &format!(
                "INSERT INTO strategies ({STRATEGY_COLUMNS}) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
            ),
            params![
                s.id,
                s.name,
                s.matching_config_id,
                s.reference_data_id,
                s.document_set_id,
                s.target_type,
                s.user_prompt,
                to_json(&s.strategy)?,
                s.version,
                s.version_hash,
                s.created_at,
                s.updated_at
            ],
        )?;
        Ok(())
    }

    pub fn get_strategy(&self, id: &str) -> Result<StrategyRecord> {
        let sql = format!("SELECT {STRATEGY_COLUMNS} FROM strategies WHERE id = ?1");
        let row = self
            .read()
            .query_row(&sql, [id], strategy_from_row)
            .optional()?;
        finish(row.ok_or_else(|| StoreError::NotFound {
            kind: "strategy",
            id: id.to_string(),
        })?)
    }

    /// Writes a new version of a strategy: its name, plan, version, hash and `updated_at`. Only
    /// over the version before it (`s.version - 1`): two edits made from the same version cannot
    /// both land, the second is [`StoreError::Stale`] and is made again on the newer one.
    pub fn update_strategy(&self, s: &StrategyRecord) -> Result<()> {
        let conn = self.write();
        let n = conn.execute(
            "UPDATE strategies SET name = ?2, strategy = ?3, version = ?4, version_hash = ?5, \
             updated_at = ?6 WHERE id = ?1 AND version = ?4 - 1",
            params![
                s.id,
                s.name,
                to_json(&s.strategy)?,
                s.version,
                s.version_hash,
                s.updated_at
            ],
        )?;
        if n == 1 {
            return Ok(());
        }
        let exists: bool = conn
            .query_row(
                "SELECT 1 FROM strategies WHERE id = ?1",
                [&s.id],
                |_| Ok(()),
            )
            .optional()?
            .is_some();
        Err(if exists {
            StoreError::Stale(format!(
                "strategy {} changed meanwhile: it is no longer at version {}",
                s.id,
                s.version.saturating_sub(1)
            ))
        } else {
            StoreError::NotFound {
                kind: "strategy",
                id: s.id.clone(),
            }
        })
    }

    /// Newest first; cursor paging on (created_at, id) as for configs, so a walk neither skips nor
    /// repeats a strategy generated meanwhile.
    pub fn list_strategies(&self, q: &StrategyListQuery) -> Result<Vec<StrategyRecord>> {
        let (after_created, after_id) = match &q.after {
            Some((created_at, id)) => (Some(created_at.as_str()), Some(id.as_str())),
            None => (None, None),
        };
        // SQLite reads a negative LIMIT as "no limit".
        let limit = q.limit.map_or(-1, i64::from);
        let conn = self.read();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {STRATEGY_COLUMNS} FROM strategies \
             WHERE (?1 IS NULL OR matching_config_id = ?1) \
             AND (?2 IS NULL OR created_at < ?2 OR (created_at = ?2 AND id > ?3)) \
             ORDER BY created_at DESC, id LIMIT ?4"
        ))?;
        let rows = stmt.query_map(
            params![q.matching_config_id, after_created, after_id, limit],
            strategy_from_row,
        )?;
        rows.map(|r| finish(r?)).collect()
    }

    /// How many strategies the list holds (of one config when given), whatever the cursor.
    pub fn count_strategies(&self, matching_config_id: Option<&str>) -> Result<u64> {
        let n: i64 = self.read().query_row(
            "SELECT count(*) FROM strategies WHERE ?1 IS NULL OR matching_config_id = ?1",
            [matching_config_id],
            |r| r.get(0),
        )?;
        Ok(n as u64)
    }
}
