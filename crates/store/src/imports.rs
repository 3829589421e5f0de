//! The life of a database import: a dataset registered as `importing`, rows appended in batches
//! (each its own short transaction, so reviewers' writes never wait behind an import), progress
//! with a cancel request any process can make, and an end that is all or nothing: the rows
//! become the dataset's current version, or they are deleted.
//!
//! Every import, the first and each refresh, writes its rows under a hidden dataset of its own
//! (`version_of`, with that version's columns), and only at the end points the dataset at it
//! (`rows_from`), so runs keep reading the previous version until then. Versions no run pinned
//! are dropped when a newer one lands. An import owns its dataset by a token while it runs.

use engine::{Column, Dataset, DatasetStatus, Record};
use rusqlite::{params, OptionalExtension};

use crate::datasets::{get_dataset_on, insert_dataset_row};
use crate::{to_json, Result, Store, StoreError};

/// Where one import writes: the dataset it is for, the hidden dataset its rows go under, the
/// version they become, and the token by which it owns the dataset while it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportSlot {
    pub dataset_id: String,
    pub rows_id: String,
    pub version: u32,
    pub token: String,
    /// A new import of a dataset whose first import failed: cancelling it leaves the dataset
    /// failed rather than deleting it.
    pub retry: bool,
}

fn version_id(dataset_id: &str, version: u32) -> String {
    format!("{dataset_id}@v{version}")
}

/// The hidden dataset that takes one version's rows: the dataset's description, no rows yet.
fn insert_version_row(tx: &rusqlite::Transaction, d: &Dataset, slot: &ImportSlot) -> Result<()> {
    // A version row left by an import that ended badly is replaced, rows and all.
    tx.execute("DELETE FROM datasets WHERE id = ?1", [&slot.rows_id])?;
    let staged = Dataset {
        id: slot.rows_id.clone(),
        row_count: 0,
        status: DatasetStatus::Importing,
        version: slot.version,
        error: None,
        rows_imported: None,
        ..d.clone()
    };
    insert_dataset_row(tx, &staged)?;
    tx.execute(
        "UPDATE datasets SET version_of = ?2 WHERE id = ?1",
        params![slot.rows_id, d.id],
    )?;
    Ok(())
}

/// Whether `slot` still owns its dataset: an import failed as stale, or cancelled and ended,
/// must not write any more.
fn owns(conn: &rusqlite::Connection, slot: &ImportSlot) -> Result<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM datasets WHERE id = ?1 AND status = 'importing' AND import_token = ?2",
            params![slot.dataset_id, slot.token],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

fn not_owned(slot: &ImportSlot) -> StoreError {
    StoreError::Stale(format!(
        "the import of reference data {} was ended elsewhere (cancelled, or failed as stopped)",
        slot.dataset_id
    ))
}

impl Store {
    /// Registers a dataset whose first import starts now: `importing`, version 0, no rows yet.
    pub fn begin_import(&self, dataset: &Dataset, now_ms: i64, token: &str) -> Result<ImportSlot> {
        let mut d = dataset.clone();
        d.status = DatasetStatus::Importing;
        d.version = 0;
        d.row_count = 0;
        d.rows_imported = Some(0);
        let slot = ImportSlot {
            dataset_id: d.id.clone(),
            rows_id: version_id(&d.id, 1),
            version: 1,
            token: token.to_string(),
            retry: false,
        };
        let mut conn = self.write();
        let tx = conn.transaction()?;
        insert_dataset_row(&tx, &d)?;
        tx.execute(
            "UPDATE datasets SET import_heartbeat_ms = ?2, import_token = ?3 WHERE id = ?1",
            params![d.id, now_ms, token],
        )?;
        insert_version_row(&tx, &d, &slot)?;
        tx.commit()?;
        Ok(slot)
    }

    /// Starts a refresh of a dataset read from a database (or a new try of a failed first
    /// import): the dataset shows `importing` (its current rows stay in use) and a hidden
    /// dataset is made for the next version's rows.
    pub fn begin_refresh(
        &self,
        id: &str,
        now_ms: i64,
        token: &str,
    ) -> Result<(Dataset, ImportSlot)> {
        let mut conn = self.write();
        let tx = conn.transaction()?;
        let d = get_dataset_on(&tx, id)?;
        if d.status == DatasetStatus::Importing {
            return Err(StoreError::Stale(format!(
                "reference data {id} is already importing; wait for it or cancel it first"
            )));
        }
        if d.sql.is_none() {
            return Err(StoreError::Stale(format!(
                "reference data {id} was not imported from a database, so it cannot be refreshed"
            )));
        }
        let version = d.version + 1;
        let slot = ImportSlot {
            dataset_id: d.id.clone(),
            rows_id: version_id(&d.id, version),
            version,
            token: token.to_string(),
            retry: d.version == 0,
        };
        insert_version_row(&tx, &d, &slot)?;
        tx.execute(
            "UPDATE datasets SET status = 'importing', error = NULL, rows_imported = 0,
                 import_heartbeat_ms = ?2, cancel_requested_at = NULL, import_token = ?3
             WHERE id = ?1",
            params![id, now_ms, token],
        )?;
        let d = get_dataset_on(&tx, id)?;
        tx.commit()?;
        Ok((d, slot))
    }

    /// The columns of the rows being imported, known before the first row arrives. A first import
    /// shows them at once; a refresh keeps them with its hidden version until it lands.
    pub fn set_import_columns(
        &self,
        slot: &ImportSlot,
        columns: &[Column],
        id_column: Option<&str>,
    ) -> Result<()> {
        let mut conn = self.write();
        let tx = conn.transaction()?;
        if !owns(&tx, slot)? {
            return Err(not_owned(slot));
        }
        let columns = to_json(&columns)?;
        tx.execute(
            "UPDATE datasets SET columns = ?2, id_column = ?3 WHERE id = ?1",
            params![slot.rows_id, columns, id_column],
        )?;
        tx.execute(
            "UPDATE datasets SET columns = ?2, id_column = ?3 WHERE id = ?1 AND version = 0",
            params![slot.dataset_id, columns, id_column],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Appends rows at positions `first_ordinal..` in one transaction, while the import still
    /// owns its dataset.
    pub fn append_import_rows(
        &self,
        slot: &ImportSlot,
        first_ordinal: u64,
        rows: &[Record],
    ) -> Result<()> {
        let mut conn = self.write();
        let tx = conn.transaction()?;
        if !owns(&tx, slot)? {
            return Err(not_owned(slot));
        }
        {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO reference_rows (dataset_id, ordinal, row_id, vals) VALUES (?1, ?2, ?3, ?4)",
            )?;
            for (i, r) in rows.iter().enumerate() {
                stmt.execute(params![
                    slot.rows_id,
                    (first_ordinal + i as u64) as i64,
                    r.id,
                    to_json(&r.values)?
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Records how many rows were read and that the importer is alive; returns whether the import
    /// should stop: someone asked to cancel it (from any process), or it no longer owns its
    /// dataset (ended elsewhere).
    pub fn import_progress(&self, slot: &ImportSlot, rows: u64, now_ms: i64) -> Result<bool> {
        let cancel: Option<Option<String>> = self
            .write()
            .query_row(
                "UPDATE datasets SET rows_imported = ?2, import_heartbeat_ms = ?3
                 WHERE id = ?1 AND status = 'importing' AND import_token = ?4
                 RETURNING cancel_requested_at",
                params![slot.dataset_id, rows as i64, now_ms, slot.token],
                |r| r.get(0),
            )
            .optional()?;
        Ok(!matches!(cancel, Some(None)))
    }

    /// Asks the importer of `id` to stop. Stale when it is not importing.
    pub fn request_import_cancel(&self, id: &str, now: &str) -> Result<()> {
        let conn = self.write();
        let d = get_dataset_on(&conn, id)?;
        if d.status != DatasetStatus::Importing {
            return Err(StoreError::Stale(format!(
                "reference data {id} is {}, not importing: there is nothing to cancel",
                d.status.as_str()
            )));
        }
        conn.execute(
            "UPDATE datasets SET cancel_requested_at = ?2 WHERE id = ?1",
            params![id, now],
        )?;
        Ok(())
    }

    /// Makes the imported rows the dataset's current version, in one transaction, and drops the
    /// versions that are neither current nor pinned by a run.
    pub fn finish_import(&self, slot: &ImportSlot, row_count: u64) -> Result<Dataset> {
        let mut conn = self.write();
        let tx = conn.transaction()?;
        if !owns(&tx, slot)? {
            return Err(not_owned(slot));
        }
        let (columns, id_column): (String, Option<String>) = tx.query_row(
            "SELECT columns, id_column FROM datasets WHERE id = ?1",
            [&slot.rows_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        tx.execute(
            "UPDATE datasets SET row_count = ?2, status = 'ready' WHERE id = ?1",
            params![slot.rows_id, row_count as i64],
        )?;
        tx.execute(
            "UPDATE datasets SET status = 'ready', version = ?2, error = NULL, row_count = ?3,
                 columns = ?4, id_column = ?5, rows_from = ?6, rows_imported = ?3,
                 cancel_requested_at = NULL, import_token = NULL WHERE id = ?1",
            params![
                slot.dataset_id,
                slot.version as i64,
                row_count as i64,
                columns,
                id_column,
                slot.rows_id
            ],
        )?;
        drop_unpinned_versions(&tx, slot)?;
        let d = get_dataset_on(&tx, &slot.dataset_id)?;
        tx.commit()?;
        Ok(d)
    }

    /// Ends an import that failed: its rows are deleted and the dataset says why. A failed
    /// refresh leaves the previous version in use. Nothing happens when the import no longer
    /// owns the dataset.
    pub fn fail_import(&self, slot: &ImportSlot, error: &str) -> Result<()> {
        let mut conn = self.write();
        let tx = conn.transaction()?;
        if !owns(&tx, slot)? {
            return Ok(());
        }
        drop_staged(&tx, slot)?;
        tx.execute(
            "UPDATE datasets SET status = 'failed', error = ?2, cancel_requested_at = NULL,
                 import_token = NULL WHERE id = ?1",
            params![slot.dataset_id, error],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Ends a cancelled import leaving nothing of it: a first import's dataset is deleted; a
    /// refresh's rows are, and the dataset is back to its previous version, ready (or failed,
    /// for a new try of a failed first import).
    pub fn abandon_import(&self, slot: &ImportSlot) -> Result<()> {
        let mut conn = self.write();
        let tx = conn.transaction()?;
        if !owns(&tx, slot)? {
            return Ok(());
        }
        if slot.version == 1 && !slot.retry {
            tx.execute("DELETE FROM datasets WHERE id = ?1", [&slot.dataset_id])?;
        } else {
            drop_staged(&tx, slot)?;
            let (status, error) = if slot.retry {
                ("failed", Some("the import was cancelled"))
            } else {
                ("ready", None)
            };
            tx.execute(
                "UPDATE datasets SET status = ?2, error = ?3, cancel_requested_at = NULL,
                     rows_imported = NULL, import_token = NULL WHERE id = ?1",
                params![slot.dataset_id, status, error],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Imports whose importer stopped beating before `older_than_ms` (its process died or
    /// sleeps), with the slot each was writing to, so they can be failed.
    pub fn stale_imports(&self, older_than_ms: i64) -> Result<Vec<ImportSlot>> {
        let conn = self.read();
        let mut stmt = conn.prepare(
            "SELECT id, version, COALESCE(import_token, '') FROM datasets
             WHERE status = 'importing' AND version_of IS NULL
               AND COALESCE(import_heartbeat_ms, 0) < ?1",
        )?;
        let rows = stmt.query_map([older_than_ms], |r| {
            let id: String = r.get(0)?;
            let version = r.get::<_, i64>(1)? as u32 + 1;
            Ok(ImportSlot {
                rows_id: version_id(&id, version),
                dataset_id: id,
                version,
                token: r.get(2)?,
                retry: version == 1,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Pins the rows `dataset_id` reads now to a run, so that a later refresh keeps them for it;
    /// returns the pinned version's id. One statement, so no refresh lands in between.
    pub fn pin_reference_rows(&self, run_id: &str, dataset_id: &str) -> Result<Option<String>> {
        let pinned: Option<Option<String>> = self
            .write()
            .query_row(
                "UPDATE runs SET reference_rows_from =
                     (SELECT COALESCE(rows_from, id) FROM datasets WHERE id = ?2)
                 WHERE id = ?1 RETURNING reference_rows_from",
                params![run_id, dataset_id],
                |r| r.get(0),
            )
            .optional()?;
        Ok(pinned.flatten())
    }

    /// The rows a run matched against, when it pinned them.
    pub fn run_reference_rows(&self, run_id: &str) -> Result<Option<String>> {
        let pinned: Option<Option<String>> = self
            .read()
            .query_row(
                "SELECT reference_rows_from FROM runs WHERE id = ?1",
                [run_id],
                |r| r.get(0),
            )
            .optional()?;
        Ok(pinned.flatten())
    }
}

/// Deletes the dataset's versions that are neither the one just landed nor pinned by a run.
fn drop_unpinned_versions(tx: &rusqlite::Transaction, slot: &ImportSlot) -> Result<()> {
    tx.execute(
        "DELETE FROM datasets WHERE version_of = ?1 AND id <> ?2 AND id NOT IN
             (SELECT reference_rows_from FROM runs WHERE reference_rows_from IS NOT NULL)",
        params![slot.dataset_id, slot.rows_id],
    )?;
    Ok(())
}

/// Deletes the version an import was writing, never the one in use.
fn drop_staged(tx: &rusqlite::Transaction, slot: &ImportSlot) -> Result<()> {
    tx.execute(
        "DELETE FROM datasets WHERE id = ?1 AND version_of = ?2
           AND id IS NOT (SELECT rows_from FROM datasets WHERE id = ?2)",
        params![slot.rows_id, slot.dataset_id],
    )?;
    Ok(())
}
