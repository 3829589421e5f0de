//! Entity-matching pipelines (spec B.7) and their runs (B.8): a pipeline's settings are stored
//! as the JSON the service hands over, beside the columns lists and lookups need; a run keeps its
//! status and, once done, its result.

use rusqlite::{params, OptionalExtension, Row};

use crate::{Result, Store, StoreError};

/// A pipeline as stored: `body` holds everything but the identity and times (JSON).
#[derive(Debug, Clone, PartialEq)]
pub struct EmPipelineRecord {
    pub id: i64,
    pub external_id: Option<String>,
    pub owner: String,
    pub created_time: i64,
    pub last_updated_time: i64,
    pub body: String,
}

/// A pipeline run as stored (`result` once finished).
#[derive(Debug, Clone, PartialEq)]
pub struct EmPipelineRunRecord {
    pub job_id: i64,
    pub pipeline_id: i64,
    pub status: String,
    pub created_time: i64,
    pub start_time: Option<i64>,
    pub status_time: i64,
    pub error_message: Option<String>,
}

fn pipeline_row(r: &Row) -> rusqlite::Result<EmPipelineRecord> {
    Ok(EmPipelineRecord {
        id: r.get(0)?,
        external_id: r.get(1)?,
        owner: r.get(2)?,
        created_time: r.get(3)?,
        last_updated_time: r.get(4)?,
        body: r.get(5)?,
    })
}

fn run_row(r: &Row) -> rusqlite::Result<EmPipelineRunRecord> {
    Ok(EmPipelineRunRecord {
        job_id: r.get(0)?,
        pipeline_id: r.get(1)?,
        status: r.get(2)?,
        created_time: r.get(3)?,
        start_time: r.get(4)?,
        status_time: r.get(5)?,
        error_message: r.get(6)?,
    })
}

const PIPELINE_COLUMNS: &str = "id, external_id, owner, created_time, last_updated_time, body";
const RUN_COLUMNS: &str =
    "job_id, pipeline_id, status, created_time, start_time, status_time, error_message";

fn not_found(kind: &'static str, id: i64) -> StoreError {
    StoreError::NotFound {
        kind,
        id: id.to_string(),
    }
}

impl Store {
    /// Stores a new pipeline; answers its id.
    /// Inserts pipelines in one transaction (all or none); their ids in order.
    pub fn insert_em_pipelines(&self, records: &[EmPipelineRecord]) -> Result<Vec<i64>> {
        let mut conn = self.write();
        let tx = conn.transaction()?;
        let mut ids = Vec::with_capacity(records.len());
        {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO em_pipelines (external_id, owner, created_time, last_updated_time, \
                 body) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for p in records {
                stmt.execute(params![
                    p.external_id,
                    p.owner,
                    p.created_time,
                    p.last_updated_time,
                    p.body
                ])?;
                ids.push(tx.last_insert_rowid());
            }
        }
        tx.commit()?;
        Ok(ids)
    }

    pub fn get_em_pipeline(&self, id: i64) -> Result<EmPipelineRecord> {
        self.read()
            .query_row(
                &format!("SELECT {PIPELINE_COLUMNS} FROM em_pipelines WHERE id = ?1"),
                [id],
                pipeline_row,
            )
            .optional()?
            .ok_or_else(|| not_found("pipeline", id))
    }

    pub fn em_pipeline_id(&self, external_id: &str) -> Result<Option<i64>> {
        Ok(self
            .read()
            .query_row(
                "SELECT id FROM em_pipelines WHERE external_id = ?1",
                [external_id],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Pipelines by id after `after`, at most `limit`.
    pub fn list_em_pipelines(&self, after: i64, limit: u32) -> Result<Vec<EmPipelineRecord>> {
        let conn = self.read();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {PIPELINE_COLUMNS} FROM em_pipelines WHERE id > ?1 ORDER BY id LIMIT ?2"
        ))?;
        let rows = stmt.query_map(params![after, limit], pipeline_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Replaces a pipeline's external id, body and update time.
    /// Updates pipelines in one transaction (all or none; an unknown id changes nothing).
    pub fn update_em_pipelines(&self, records: &[EmPipelineRecord]) -> Result<()> {
        let mut conn = self.write();
        let tx = conn.transaction()?;
        {
            let mut stmt = tx.prepare_cached(
                "UPDATE em_pipelines SET external_id = ?2, last_updated_time = ?3, body = ?4 \
                 WHERE id = ?1",
            )?;
            for p in records {
                let n = stmt.execute(params![p.id, p.external_id, p.last_updated_time, p.body])?;
                if n == 0 {
                    return Err(not_found("pipeline", p.id));
                }
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Deletes pipelines (and their runs) in one transaction.
    pub fn delete_em_pipelines(&self, ids: &[i64]) -> Result<()> {
        let mut conn = self.write();
        let tx = conn.transaction()?;
        for id in ids {
            tx.execute("DELETE FROM em_pipelines WHERE id = ?1", [id])?;
        }
        tx.commit()?;
        Ok(())
    }

    pub fn insert_em_pipeline_run(&self, r: &EmPipelineRunRecord) -> Result<i64> {
        let conn = self.write();
        conn.execute(
            "INSERT INTO em_pipeline_runs (pipeline_id, status, created_time, start_time, \
             status_time, error_message) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                r.pipeline_id,
                r.status,
                r.created_time,
                r.start_time,
                r.status_time,
                r.error_message
            ],
        )?;
        Ok(conn.last_insert_rowid())
    }

    pub fn get_em_pipeline_run(&self, job_id: i64) -> Result<EmPipelineRunRecord> {
        self.read()
            .query_row(
                &format!("SELECT {RUN_COLUMNS} FROM em_pipeline_runs WHERE job_id = ?1"),
                [job_id],
                run_row,
            )
            .optional()?
            .ok_or_else(|| not_found("pipeline run", job_id))
    }

    /// A run's result (JSON), once finished.
    pub fn em_pipeline_run_result(&self, job_id: i64) -> Result<Option<String>> {
        Ok(self
            .read()
            .query_row(
                "SELECT result FROM em_pipeline_runs WHERE job_id = ?1",
                [job_id],
                |r| r.get(0),
            )
            .optional()?
            .flatten())
    }

    /// A pipeline's runs, newest first, before `before` (a job id), at most `limit`.
    pub fn list_em_pipeline_runs(
        &self,
        pipeline_id: i64,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<EmPipelineRunRecord>> {
        let conn = self.read();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {RUN_COLUMNS} FROM em_pipeline_runs WHERE pipeline_id = ?1 \
             AND (?2 IS NULL OR job_id < ?2) ORDER BY job_id DESC LIMIT ?3"
        ))?;
        let rows = stmt.query_map(params![pipeline_id, before, limit], run_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn set_em_pipeline_run_status(
        &self,
        job_id: i64,
        status: &str,
        at: i64,
        result: Option<&str>,
        error: Option<&str>,
    ) -> Result<()> {
        self.write().execute(
            "UPDATE em_pipeline_runs SET status = ?2, status_time = ?3, \
             start_time = CASE WHEN ?2 = 'Running' THEN ?3 ELSE start_time END, \
             result = COALESCE(?4, result), error_message = ?5 WHERE job_id = ?1",
            params![job_id, status, at, result, error],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pipelines_and_runs_round_trip_page_and_cascade() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("w.sqlite")).unwrap();
        let p = EmPipelineRecord {
            id: 0,
            external_id: Some("p1".into()),
            owner: "tester".into(),
            created_time: 1,
            last_updated_time: 1,
            body: "{}".into(),
        };
        let ids = store
            .insert_em_pipelines(&[
                p.clone(),
                EmPipelineRecord {
                    external_id: None,
                    ..p.clone()
                },
            ])
            .unwrap();
        let (a, b) = (ids[0], ids[1]);
        // A batch with a taken external id inserts nothing.
        let taken = EmPipelineRecord {
            external_id: Some("p2".into()),
            ..p.clone()
        };
        store.insert_em_pipelines(&[taken, p.clone()]).unwrap_err();
        assert_eq!(store.em_pipeline_id("p2").unwrap(), None);
        assert_eq!(store.em_pipeline_id("p1").unwrap(), Some(a));
        assert_eq!(store.list_em_pipelines(0, 1).unwrap()[0].id, a);
        assert_eq!(store.list_em_pipelines(a, 10).unwrap()[0].id, b);
        // The external id p1 is a's: the batch fails and a's change is rolled back too.
        let renamed = EmPipelineRecord {
            id: a,
            body: "{\"y\":1}".into(),
            ..p.clone()
        };
        let clash = EmPipelineRecord {
            id: b,
            body: "{\"x\":1}".into(),
            last_updated_time: 5,
            ..p.clone()
        };
        store.update_em_pipelines(&[renamed, clash]).unwrap_err();
        assert_eq!(store.get_em_pipeline(a).unwrap().body, "{}");
        assert_eq!(store.em_pipeline_id("p1").unwrap(), Some(a));
        let run = EmPipelineRunRecord {
            job_id: 0,
            pipeline_id: a,
            status: "Queued".into(),
            created_time: 2,
            start_time: None,
            status_time: 2,
            error_message: None,
        };
        let r1 = store.insert_em_pipeline_run(&run).unwrap();
        let r2 = store.insert_em_pipeline_run(&run).unwrap();
        store
            .set_em_pipeline_run_status(r1, "Completed", 3, Some("{\"matches\":[]}"), None)
            .unwrap();
        assert_eq!(
            store.em_pipeline_run_result(r1).unwrap().as_deref(),
            Some("{\"matches\":[]}")
        );
        let runs = store.list_em_pipeline_runs(a, None, 10).unwrap();
        assert_eq!(
            runs.iter().map(|r| r.job_id).collect::<Vec<_>>(),
            vec![r2, r1]
        );
        assert_eq!(
            store.list_em_pipeline_runs(a, Some(r2), 10).unwrap()[0].job_id,
            r1
        );
        store.delete_em_pipelines(&[a]).unwrap();
        assert!(store.get_em_pipeline_run(r1).is_err());
    }
}
