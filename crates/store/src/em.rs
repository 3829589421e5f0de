//! Entity matching the Cognite way (spec Part B): models with their training data and fitted
//! parameters, and predict jobs with their results. Ids are Cognite's int64s (SQLite rowids);
//! the request and result payloads are stored as the JSON the service hands over.

use rusqlite::{params, OptionalExtension, Row};

use crate::{Result, Store, StoreError};

/// A model as stored. `training` is the fit's sources, targets and true matches (JSON), kept for
/// refit and for predict calls that leave them out; `fitted` the engine's model once trained.
#[derive(Debug, Clone, PartialEq)]
pub struct EmModelRecord {
    pub id: i64,
    pub external_id: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    /// Queued, Running, Completed or Failed.
    pub status: String,
    pub feature_type: String,
    /// JSON `[{source, target}]`.
    pub match_fields: String,
    /// `None`: unsupervised.
    pub classifier: Option<String>,
    pub ignore_missing_fields: bool,
    pub original_id: Option<i64>,
    pub created_time: i64,
    pub start_time: Option<i64>,
    pub status_time: i64,
    pub error_message: Option<String>,
}

/// A predict job as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct EmJobRecord {
    pub job_id: i64,
    pub model_id: Option<i64>,
    pub status: String,
    pub created_time: i64,
    pub start_time: Option<i64>,
    pub status_time: i64,
    pub error_message: Option<String>,
    /// The secret `X-Job-Token` answer header.
    pub token: String,
}

/// Filters of the model list; each matches exactly when given.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EmModelFilter {
    pub name: Option<String>,
    pub description: Option<String>,
    pub feature_type: Option<String>,
    /// `Some("")` selects the models without a classifier (unsupervised).
    pub classifier: Option<String>,
    pub original_id: Option<i64>,
}

const MODEL_COLUMNS: &str = "id, external_id, name, description, status, feature_type, \
     match_fields, classifier, ignore_missing_fields, original_id, created_time, start_time, \
     status_time, error_message";

fn model_row(r: &Row) -> rusqlite::Result<EmModelRecord> {
    Ok(EmModelRecord {
        id: r.get(0)?,
        external_id: r.get(1)?,
        name: r.get(2)?,
        description: r.get(3)?,
        status: r.get(4)?,
        feature_type: r.get(5)?,
        match_fields: r.get(6)?,
        classifier: r.get(7)?,
        ignore_missing_fields: r.get(8)?,
        original_id: r.get(9)?,
        created_time: r.get(10)?,
        start_time: r.get(11)?,
        status_time: r.get(12)?,
        error_message: r.get(13)?,
    })
}

const JOB_COLUMNS: &str =
    "job_id, model_id, status, created_time, start_time, status_time, error_message, token";

fn job_row(r: &Row) -> rusqlite::Result<EmJobRecord> {
    Ok(EmJobRecord {
        job_id: r.get(0)?,
        model_id: r.get(1)?,
        status: r.get(2)?,
        created_time: r.get(3)?,
        start_time: r.get(4)?,
        status_time: r.get(5)?,
        error_message: r.get(6)?,
        token: r.get(7)?,
    })
}

fn not_found(kind: &'static str, id: i64) -> StoreError {
    StoreError::NotFound {
        kind,
        id: id.to_string(),
    }
}

impl Store {
    /// Stores a new model (its id is assigned here) with its training data; answers the id.
    pub fn insert_em_model(&self, m: &EmModelRecord, training: &str) -> Result<i64> {
        let conn = self.write();
        conn.execute(
            "INSERT INTO em_models (external_id, name, description, status, feature_type, \
             match_fields, classifier, ignore_missing_fields, original_id, created_time, \
             start_time, status_time, error_message, training) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            params![
                m.external_id,
                m.name,
                m.description,
                m.status,
                m.feature_type,
                m.match_fields,
                m.classifier,
                m.ignore_missing_fields,
                m.original_id,
                m.created_time,
                m.start_time,
                m.status_time,
                m.error_message,
                training
            ],
        )?;
        Ok(conn.last_insert_rowid())
    }

    pub fn get_em_model(&self, id: i64) -> Result<EmModelRecord> {
        self.read()
            .query_row(
                &format!("SELECT {MODEL_COLUMNS} FROM em_models WHERE id = ?1"),
                [id],
                model_row,
            )
            .optional()?
            .ok_or_else(|| not_found("model", id))
    }

    /// The id of the model with `external_id`, if any.
    pub fn em_model_id(&self, external_id: &str) -> Result<Option<i64>> {
        Ok(self
            .read()
            .query_row(
                "SELECT id FROM em_models WHERE external_id = ?1",
                [external_id],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// The model's training data (JSON) and fitted model (JSON, once trained).
    pub fn em_model_payload(&self, id: i64) -> Result<(String, Option<String>)> {
        self.read()
            .query_row(
                "SELECT training, fitted FROM em_models WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .ok_or_else(|| not_found("model", id))
    }

    /// Models, oldest first, filtered, at most `limit` (`None`: all).
    pub fn list_em_models(
        &self,
        f: &EmModelFilter,
        limit: Option<u32>,
    ) -> Result<Vec<EmModelRecord>> {
        let conn = self.read();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {MODEL_COLUMNS} FROM em_models \
             WHERE (?1 IS NULL OR name = ?1) AND (?2 IS NULL OR description = ?2) \
             AND (?3 IS NULL OR feature_type = ?3) AND (?4 IS NULL OR COALESCE(classifier, '') = ?4) \
             AND (?5 IS NULL OR original_id = ?5) ORDER BY id LIMIT ?6"
        ))?;
        let limit = limit.map_or(-1, i64::from);
        let rows = stmt.query_map(
            params![
                f.name,
                f.description,
                f.feature_type,
                f.classifier,
                f.original_id,
                limit
            ],
            model_row,
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Sets the name and/or description of a model.
    pub fn update_em_model(
        &self,
        id: i64,
        name: Option<&str>,
        description: Option<&str>,
    ) -> Result<()> {
        let n = self.write().execute(
            "UPDATE em_models SET name = COALESCE(?2, name), \
             description = COALESCE(?3, description) WHERE id = ?1",
            params![id, name, description],
        )?;
        if n == 0 {
            return Err(not_found("model", id));
        }
        Ok(())
    }

    /// Moves a model's training on: Running (with its start), Completed (with the fitted
    /// model) or Failed (with the reason).
    pub fn set_em_model_status(
        &self,
        id: i64,
        status: &str,
        at: i64,
        fitted: Option<&str>,
        error: Option<&str>,
    ) -> Result<()> {
        self.write().execute(
            "UPDATE em_models SET status = ?2, status_time = ?3, \
             start_time = CASE WHEN ?2 = 'Running' THEN ?3 ELSE start_time END, \
             fitted = COALESCE(?4, fitted), error_message = ?5 WHERE id = ?1",
            params![id, status, at, fitted, error],
        )?;
        Ok(())
    }

    /// Deletes models in one transaction; their jobs stay (with no model).
    pub fn delete_em_models(&self, ids: &[i64]) -> Result<()> {
        let mut conn = self.write();
        let tx = conn.transaction()?;
        for id in ids {
            tx.execute("DELETE FROM em_models WHERE id = ?1", [id])?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Models left Queued or Running by a process that ended: failed, with the reason.
    pub fn fail_unfinished_em_work(&self, at: i64, reason: &str) -> Result<u64> {
        let conn = self.write();
        let models = conn.execute(
            "UPDATE em_models SET status = 'Failed', status_time = ?1, error_message = ?2 \
             WHERE status IN ('Queued', 'Running')",
            params![at, reason],
        )?;
        let jobs = conn.execute(
            "UPDATE em_jobs SET status = 'Failed', status_time = ?1, error_message = ?2 \
             WHERE status IN ('Queued', 'Running')",
            params![at, reason],
        )?;
        let runs = conn.execute(
            "UPDATE em_pipeline_runs SET status = 'Failed', status_time = ?1, error_message = ?2 \
             WHERE status IN ('Queued', 'Running')",
            params![at, reason],
        )?;
        Ok((models + jobs + runs) as u64)
    }

    /// Stores a new predict job with its request (JSON); answers the job id.
    pub fn insert_em_job(&self, j: &EmJobRecord, request: &str) -> Result<i64> {
        let conn = self.write();
        conn.execute(
            "INSERT INTO em_jobs (model_id, status, created_time, start_time, status_time, \
             error_message, token, request) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                j.model_id,
                j.status,
                j.created_time,
                j.start_time,
                j.status_time,
                j.error_message,
                j.token,
                request
            ],
        )?;
        Ok(conn.last_insert_rowid())
    }

    pub fn get_em_job(&self, job_id: i64) -> Result<EmJobRecord> {
        self.read()
            .query_row(
                &format!("SELECT {JOB_COLUMNS} FROM em_jobs WHERE job_id = ?1"),
                [job_id],
                job_row,
            )
            .optional()?
            .ok_or_else(|| not_found("job", job_id))
    }

    /// The job's request and, once completed, its result items (both JSON).
    pub fn em_job_payload(&self, job_id: i64) -> Result<(String, Option<String>)> {
        self.read()
            .query_row(
                "SELECT request, items FROM em_jobs WHERE job_id = ?1",
                [job_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .ok_or_else(|| not_found("job", job_id))
    }

    /// Moves a job on, as `set_em_model_status` does a model.
    pub fn set_em_job_status(
        &self,
        job_id: i64,
        status: &str,
        at: i64,
        items: Option<&str>,
        error: Option<&str>,
    ) -> Result<()> {
        self.write().execute(
            "UPDATE em_jobs SET status = ?2, status_time = ?3, \
             start_time = CASE WHEN ?2 = 'Running' THEN ?3 ELSE start_time END, \
             items = COALESCE(?4, items), error_message = ?5 WHERE job_id = ?1",
            params![job_id, status, at, items, error],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(name: &str) -> EmModelRecord {
        EmModelRecord {
            id: 0,
            external_id: Some(format!("ext-{name}")),
            name: Some(name.into()),
            description: None,
            status: "Queued".into(),
            feature_type: "simple".into(),
            match_fields: r#"[{"source":"name","target":"name"}]"#.into(),
            classifier: None,
            ignore_missing_fields: false,
            original_id: None,
            created_time: 1000,
            start_time: None,
            status_time: 1000,
            error_message: None,
        }
    }

    #[test]
    fn models_and_jobs_round_trip_move_on_and_are_deleted() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("w.sqlite")).unwrap();
        let a = store
            .insert_em_model(&model("a"), "{\"sources\":[]}")
            .unwrap();
        let b = store.insert_em_model(&model("b"), "{}").unwrap();
        assert!(a >= 1 && b > a);
        assert_eq!(store.em_model_id("ext-b").unwrap(), Some(b));
        let e = store.insert_em_model(&model("a"), "{}").unwrap_err();
        assert!(e.to_string().to_lowercase().contains("unique"), "{e}");

        store
            .set_em_model_status(a, "Running", 2000, None, None)
            .unwrap();
        store
            .set_em_model_status(a, "Completed", 3000, Some("{\"w\":1}"), None)
            .unwrap();
        let got = store.get_em_model(a).unwrap();
        assert_eq!(
            (got.status.as_str(), got.start_time, got.status_time),
            ("Completed", Some(2000), 3000)
        );
        assert_eq!(
            store.em_model_payload(a).unwrap(),
            (
                "{\"sources\":[]}".to_string(),
                Some("{\"w\":1}".to_string())
            )
        );
        store.update_em_model(b, Some("renamed"), None).unwrap();
        let filter = EmModelFilter {
            name: Some("renamed".into()),
            ..EmModelFilter::default()
        };
        assert_eq!(store.list_em_models(&filter, None).unwrap().len(), 1);
        assert_eq!(
            store
                .list_em_models(&EmModelFilter::default(), Some(1))
                .unwrap()
                .len(),
            1
        );

        let job = EmJobRecord {
            job_id: 0,
            model_id: Some(a),
            status: "Queued".into(),
            created_time: 4000,
            start_time: None,
            status_time: 4000,
            error_message: None,
            token: "secret".into(),
        };
        let j = store.insert_em_job(&job, "{}").unwrap();
        store
            .set_em_job_status(j, "Completed", 5000, Some("[]"), None)
            .unwrap();
        assert_eq!(store.get_em_job(j).unwrap().status, "Completed");
        assert_eq!(store.em_job_payload(j).unwrap().1.as_deref(), Some("[]"));

        store.delete_em_models(&[a, b]).unwrap();
        assert!(matches!(
            store.get_em_model(a),
            Err(StoreError::NotFound { .. })
        ));
        assert_eq!(store.get_em_job(j).unwrap().model_id, None);
        assert!(store.update_em_model(a, Some("x"), None).is_err());
    }

    #[test]
    fn unfinished_work_of_an_ended_process_is_failed() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("w.sqlite")).unwrap();
        let a = store.insert_em_model(&model("a"), "{}").unwrap();
        assert_eq!(
            store.fail_unfinished_em_work(9, "the app closed").unwrap(),
            1
        );
        let m = store.get_em_model(a).unwrap();
        assert_eq!(
            (m.status.as_str(), m.error_message.as_deref()),
            ("Failed", Some("the app closed"))
        );
    }
}
