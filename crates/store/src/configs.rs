//! Matching configs.

use engine::MatchingConfig;
use rusqlite::{params, OptionalExtension, Row};

use crate::{from_json, to_json, Result, Store, StoreError};

const CONFIG_COLUMNS: &str =
    "id, name, reference_data_id, document_set_id, target_type, target_value, \
     field_mappings, threshold, review_floor, created_at, updated_at, one_to_one, schedule, blocking";

type RawConfig = (
    MatchingConfig,
    String,
    String,
    Option<String>,
    Option<String>,
);

/// The blocking keys a config names and how they combine, as stored in one column.
#[derive(serde::Serialize, serde::Deserialize)]
struct StoredBlocking {
    keys: Option<Vec<engine::BlockingKey>>,
    strategy: Option<engine::BlockingStrategy>,
}

fn config_from_row(r: &Row) -> rusqlite::Result<RawConfig> {
    Ok((
        MatchingConfig {
            id: r.get(0)?,
            name: r.get(1)?,
            reference_data_id: r.get(2)?,
            document_set_id: r.get(3)?,
            target_type: r.get(4)?,
            target_value: serde_json::Value::Null,
            field_mappings: Vec::new(),
            threshold: r.get(7)?,
            review_floor: r.get(8)?,
            created_at: r.get(9)?,
            updated_at: r.get(10)?,
            one_to_one: r.get(11)?,
            schedule: None,
            blocking_keys: None,
            blocking_strategy: None,
        },
        r.get(5)?,
        r.get(6)?,
        r.get(12)?,
        r.get(13)?,
    ))
}

fn finish(
    (mut c, target_value, mappings, schedule, blocking): RawConfig,
) -> Result<MatchingConfig> {
    c.target_value = from_json("config target_value", &target_value)?;
    c.field_mappings = from_json("config field_mappings", &mappings)?;
    c.schedule = schedule
        .map(|s| from_json("config schedule", &s))
        .transpose()?;
    if let Some(b) = blocking {
        let b: StoredBlocking = from_json("config blocking", &b)?;
        c.blocking_keys = b.keys;
        c.blocking_strategy = b.strategy;
    }
    Ok(c)
}

fn blocking_json(c: &MatchingConfig) -> Result<Option<String>> {
    if c.blocking_keys.is_none() && c.blocking_strategy.is_none() {
        return Ok(None);
    }
    to_json(&StoredBlocking {
        keys: c.blocking_keys.clone(),
        strategy: c.blocking_strategy,
    })
    .map(Some)
}

fn schedule_json(c: &MatchingConfig) -> Result<Option<String>> {
    c.schedule.as_ref().map(to_json).transpose()
}

impl Store {
    /// Stores a new config. A schedule is anchored at its creation, so it does not fire at once
    /// for slots before the config existed.
    pub fn insert_config(&self, c: &MatchingConfig) -> Result<()> {
        self.write().execute(
            &format!("INSERT INTO configs ({CONFIG_COLUMNS}, schedule_fired_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, \
             CASE WHEN ?13 IS NULL THEN NULL ELSE ?10 END)"),
            params![
                c.id,
                c.name,
                c.reference_data_id,
                c.document_set_id,
                c.target_type,
                to_json(&c.target_value)?,
                to_json(&c.field_mappings)?,
                c.threshold,
                c.review_floor,
                c.created_at,
                c.updated_at,
                c.one_to_one,
                schedule_json(c)?,
                blocking_json(c)?
            ],
        )?;
        Ok(())
    }

    /// Replaces the editable parts of a config. The reference data it is bound to never changes.
    /// A new or changed schedule is anchored at `updated_at` (its past slots are not due); an
    /// unchanged one keeps its anchor, so editing a config's name does not move its next run.
    pub fn update_config(&self, c: &MatchingConfig) -> Result<()> {
        // SET expressions read the row as it was, so `schedule IS ?11` compares with the old one.
        let n = self.write().execute(
            "UPDATE configs SET name = ?2, document_set_id = ?3, target_type = ?4, target_value = ?5, \
             field_mappings = ?6, threshold = ?7, review_floor = ?8, updated_at = ?9, one_to_one = ?10, \
             schedule = ?11, blocking = ?12, schedule_fired_at = CASE WHEN ?11 IS NULL THEN NULL \
             WHEN schedule IS ?11 THEN COALESCE(schedule_fired_at, updated_at) ELSE ?9 END WHERE id = ?1",
            params![
                c.id,
                c.name,
                c.document_set_id,
                c.target_type,
                to_json(&c.target_value)?,
                to_json(&c.field_mappings)?,
                c.threshold,
                c.review_floor,
                c.updated_at,
                c.one_to_one,
                schedule_json(c)?,
                blocking_json(c)?
            ],
        )?;
        if n == 0 {
            return Err(StoreError::NotFound {
                kind: "config",
                id: c.id.clone(),
            });
        }
        Ok(())
    }

    pub fn get_config(&self, id: &str) -> Result<MatchingConfig> {
        let sql = format!("SELECT {CONFIG_COLUMNS} FROM configs WHERE id = ?1");
        let row = self
            .read()
            .query_row(&sql, [id], config_from_row)
            .optional()?;
        finish(row.ok_or_else(|| StoreError::NotFound {
            kind: "config",
            id: id.to_string(),
        })?)
    }

    /// Newest first.
    pub fn list_configs(&self) -> Result<Vec<MatchingConfig>> {
        let conn = self.read();
        let mut stmt = conn.prepare(&format!(
            "SELECT {CONFIG_COLUMNS} FROM configs ORDER BY created_at DESC, id"
        ))?;
        let rows = stmt.query_map([], config_from_row)?;
        rows.map(|r| finish(r?)).collect()
    }

    /// Newest first, starting after the config whose (created_at, id) is `after`: cursor paging
    /// that neither skips nor repeats a config when others are created or deleted meanwhile.
    pub fn list_configs_after(
        &self,
        after: Option<(&str, &str)>,
        limit: u32,
    ) -> Result<Vec<MatchingConfig>> {
        let conn = self.read();
        let rows = match after {
            None => {
                let mut stmt = conn.prepare_cached(&format!(
                    "SELECT {CONFIG_COLUMNS} FROM configs ORDER BY created_at DESC, id LIMIT ?1"
                ))?;
                let rows = stmt.query_map([limit], config_from_row)?;
                rows.collect::<rusqlite::Result<Vec<_>>>()?
            }
            Some((created_at, id)) => {
                let mut stmt = conn.prepare_cached(&format!(
                    "SELECT {CONFIG_COLUMNS} FROM configs WHERE created_at < ?1 OR (created_at = ?1 AND id > ?2) \
                     ORDER BY created_at DESC, id LIMIT ?3"
                ))?;
                let rows = stmt.query_map(params![created_at, id, limit], config_from_row)?;
                rows.collect::<rusqlite::Result<Vec<_>>>()?
            }
        };
        rows.into_iter().map(finish).collect()
    }

    pub fn count_configs(&self) -> Result<u64> {
        let n: i64 = self
            .read()
            .query_row("SELECT count(*) FROM configs", [], |r| r.get(0))?;
        Ok(n as u64)
    }

    /// Deletes a config; its runs and results stay for audit (spec A.4.5).
    pub fn delete_config(&self, id: &str) -> Result<()> {
        let n = self
            .write()
            .execute("DELETE FROM configs WHERE id = ?1", [id])?;
        if n == 0 {
            return Err(StoreError::NotFound {
                kind: "config",
                id: id.to_string(),
            });
        }
        Ok(())
    }

    /// Counts of datasets, configs and runs, for the workspace summary.
    pub fn counts(&self) -> Result<(u32, u32, u32)> {
        Ok(self.read().query_row(
            "SELECT (SELECT count(*) FROM datasets WHERE version_of IS NULL), (SELECT count(*) FROM configs), (SELECT count(*) FROM runs)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?)
    }
}
