//! Package configs (spec A.8): document-type slots over matching configs and their pass
//! criteria, stored as JSON; deleting one deletes its package runs (the foreign key cascades).

use engine::package::{
    DocumentTypeConfig, PackageConfig, PackageRun, PackageVerdict, PassCriteria,
};
use rusqlite::{params, OptionalExtension, Row};

use crate::{from_json, to_json, Result, Store, StoreError};

const COLUMNS: &str =
    "id, name, document_type_configs, pass_criteria, created_at, updated_at, rules";

/// A row before its JSON columns are read (which can fail with a message naming them).
struct Raw {
    id: String,
    name: String,
    slots: String,
    criteria: String,
    created_at: String,
    updated_at: String,
    rules: String,
}

fn raw(r: &Row) -> rusqlite::Result<Raw> {
    Ok(Raw {
        id: r.get(0)?,
        name: r.get(1)?,
        slots: r.get(2)?,
        criteria: r.get(3)?,
        created_at: r.get(4)?,
        updated_at: r.get(5)?,
        rules: r.get(6)?,
    })
}

fn finish(r: Raw) -> Result<PackageConfig> {
    Ok(PackageConfig {
        document_type_configs: from_json::<Vec<DocumentTypeConfig>>(
            "package config slots",
            &r.slots,
        )?,
        pass_criteria: from_json::<PassCriteria>("package pass criteria", &r.criteria)?,
        rules: from_json("package rules", &r.rules)?,
        id: r.id,
        name: r.name,
        created_at: r.created_at,
        updated_at: r.updated_at,
    })
}

fn not_found(id: &str) -> StoreError {
    StoreError::NotFound {
        kind: "package config",
        id: id.to_string(),
    }
}

impl Store {
    pub fn insert_package_config(&self, c: &PackageConfig) -> Result<()> {
        self.write().execute(
            &format!("INSERT INTO package_configs ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"),
            params![
                c.id,
                c.name,
                to_json(&c.document_type_configs)?,
                to_json(&c.pass_criteria)?,
                c.created_at,
                c.updated_at,
                to_json(&c.rules)?
            ],
        )?;
        Ok(())
    }

    pub fn get_package_config(&self, id: &str) -> Result<PackageConfig> {
        let row = self
            .read()
            .query_row(
                &format!("SELECT {COLUMNS} FROM package_configs WHERE id = ?1"),
                [id],
                raw,
            )
            .optional()?;
        finish(row.ok_or_else(|| not_found(id))?)
    }

    /// Writes a config's name, slots, criteria, rules and `updated_at`.
    pub fn update_package_config(&self, c: &PackageConfig) -> Result<()> {
        let n = self.write().execute(
            "UPDATE package_configs SET name = ?2, document_type_configs = ?3, pass_criteria = ?4, \
             updated_at = ?5, rules = ?6 WHERE id = ?1",
            params![
                c.id,
                c.name,
                to_json(&c.document_type_configs)?,
                to_json(&c.pass_criteria)?,
                c.updated_at,
                to_json(&c.rules)?
            ],
        )?;
        if n == 0 {
            return Err(not_found(&c.id));
        }
        Ok(())
    }

    /// Deletes a config and, through the foreign key, every package run made from it.
    pub fn delete_package_config(&self, id: &str) -> Result<()> {
        let n = self
            .write()
            .execute("DELETE FROM package_configs WHERE id = ?1", [id])?;
        if n == 0 {
            return Err(not_found(id));
        }
        Ok(())
    }

    /// Newest first (ids are time-ordered, so they break ties within a millisecond), after the
    /// config whose (created_at, id) is `after`, at most `limit`.
    pub fn list_package_configs(
        &self,
        after: Option<(&str, &str)>,
        limit: u32,
    ) -> Result<Vec<PackageConfig>> {
        let (after_created, after_id) = after.unzip();
        let conn = self.read();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM package_configs \
             WHERE (?1 IS NULL OR created_at < ?1 OR (created_at = ?1 AND id < ?2)) \
             ORDER BY created_at DESC, id DESC LIMIT ?3"
        ))?;
        let rows = stmt.query_map(params![after_created, after_id, i64::from(limit)], raw)?;
        rows.map(|r| finish(r?)).collect()
    }

    pub fn count_package_configs(&self) -> Result<u64> {
        let n: i64 = self
            .read()
            .query_row("SELECT count(*) FROM package_configs", [], |r| r.get(0))?;
        Ok(n as u64)
    }

    /// How many package runs a config has (what deleting it deletes).
    pub fn count_package_runs_of(&self, package_config_id: &str) -> Result<u64> {
        let n: i64 = self.read().query_row(
            "SELECT count(*) FROM package_runs WHERE package_config_id = ?1",
            [package_config_id],
            |r| r.get(0),
        )?;
        Ok(n as u64)
    }
}

/// Which package runs a list holds: newest first, optionally of one config and one verdict,
/// after the run whose (created_at, id) is `after`, at most `limit`.
#[derive(Debug, Clone, Default)]
pub struct PackageRunQuery {
    pub package_config_id: Option<String>,
    pub status: Option<PackageVerdict>,
    pub after: Option<(String, String)>,
    pub limit: u32,
}

const RUN_COLUMNS: &str = "id, package_config_id, status, document_results, input_documents, \
     error, created_at, completed_at, rule_results";

fn run_row(r: &Row) -> rusqlite::Result<(PackageRun, String, String, String)> {
    let status: String = r.get(2)?;
    Ok((
        PackageRun {
            id: r.get(0)?,
            package_config_id: r.get(1)?,
            status: PackageVerdict::parse(&status).unwrap_or(PackageVerdict::Error),
            document_results: Vec::new(),
            input_documents: Default::default(),
            rule_results: Vec::new(),
            error: r.get(5)?,
            created_at: r.get(6)?,
            completed_at: r.get(7)?,
        },
        r.get(3)?,
        r.get(4)?,
        r.get(8)?,
    ))
}

fn run_finish(
    (mut run, results, inputs, rules): (PackageRun, String, String, String),
) -> Result<PackageRun> {
    run.document_results = from_json("package run results", &results)?;
    run.rule_results = from_json("package run rule results", &rules)?;
    run.input_documents = from_json("package run inputs", &inputs)?;
    Ok(run)
}

impl Store {
    /// Records a package run (final: creation is synchronous).
    pub fn insert_package_run(&self, r: &PackageRun) -> Result<()> {
        self.write().execute(
            &format!(
                "INSERT INTO package_runs ({RUN_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
            ),
            params![
                r.id,
                r.package_config_id,
                r.status.as_str(),
                to_json(&r.document_results)?,
                to_json(&r.input_documents)?,
                r.error,
                r.created_at,
                r.completed_at,
                to_json(&r.rule_results)?
            ],
        )?;
        Ok(())
    }

    pub fn get_package_run(&self, id: &str) -> Result<PackageRun> {
        let row = self
            .read()
            .query_row(
                &format!("SELECT {RUN_COLUMNS} FROM package_runs WHERE id = ?1"),
                [id],
                run_row,
            )
            .optional()?;
        run_finish(row.ok_or_else(|| StoreError::NotFound {
            kind: "package run",
            id: id.to_string(),
        })?)
    }

    pub fn list_package_runs(&self, q: &PackageRunQuery) -> Result<Vec<PackageRun>> {
        let (after_created, after_id) = match &q.after {
            Some((c, i)) => (Some(c.as_str()), Some(i.as_str())),
            None => (None, None),
        };
        let conn = self.read();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {RUN_COLUMNS} FROM package_runs \
             WHERE (?1 IS NULL OR package_config_id = ?1) AND (?2 IS NULL OR status = ?2) \
             AND (?3 IS NULL OR created_at < ?3 OR (created_at = ?3 AND id < ?4)) \
             ORDER BY created_at DESC, id DESC LIMIT ?5"
        ))?;
        let rows = stmt.query_map(
            params![
                q.package_config_id,
                q.status.map(PackageVerdict::as_str),
                after_created,
                after_id,
                i64::from(q.limit)
            ],
            run_row,
        )?;
        rows.map(|r| run_finish(r?)).collect()
    }

    /// How many package runs pass the filters of `q` (its cursor and limit aside).
    pub fn count_package_runs(&self, q: &PackageRunQuery) -> Result<u64> {
        let n: i64 = self.read().query_row(
            "SELECT count(*) FROM package_runs \
             WHERE (?1 IS NULL OR package_config_id = ?1) AND (?2 IS NULL OR status = ?2)",
            params![q.package_config_id, q.status.map(PackageVerdict::as_str)],
            |r| r.get(0),
        )?;
        Ok(n as u64)
    }
}

#[cfg(test)]
mod tests {
    use engine::package::Presence;

    use super::*;

    fn config(id: &str, created_at: &str) -> PackageConfig {
        PackageConfig {
            id: id.into(),
            name: format!("bundle {id}"),
            document_type_configs: vec![DocumentTypeConfig {
                document_type: "invoice".into(),
                matching_config_id: "c1".into(),
                presence: Presence::Required,
            }],
            pass_criteria: PassCriteria::default(),
            rules: vec![engine::package::PackageRule::ThreeWay(
                engine::package::ThreeWayRule {
                    invoice_type: "invoice".into(),
                    delivery_type: "delivery_note".into(),
                    invoice_amount_field: "total".into(),
                    delivered_quantity_field: "quantity".into(),
                    unit_price_column: "unit_price".into(),
                    quantity_tolerance_percent: 2.0,
                    price_tolerance_percent: 1.0,
                    on_fail: PackageVerdict::Review,
                },
            )],
            created_at: created_at.into(),
            updated_at: created_at.into(),
        }
    }

    #[test]
    fn package_configs_round_trip_page_newest_first_and_cascade_to_their_runs() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("w.sqlite")).unwrap();
        for (id, at) in [
            ("a", "2026-01-01"),
            ("b", "2026-01-02"),
            ("c", "2026-01-02"),
        ] {
            store.insert_package_config(&config(id, at)).unwrap();
        }
        assert_eq!(
            store.get_package_config("a").unwrap(),
            config("a", "2026-01-01")
        );
        assert_eq!(store.count_package_configs().unwrap(), 3);
        let first = store.list_package_configs(None, 2).unwrap();
        let ids: Vec<&str> = first.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["c", "b"]);
        let last = &first[1];
        assert_eq!(last.id, "b");
        let rest = store
            .list_package_configs(Some((&last.created_at, &last.id)), 2)
            .unwrap();
        assert_eq!(rest.len(), 1);
        assert_eq!(rest[0].id, "a");

        let mut renamed = config("a", "2026-01-01");
        renamed.name = "renamed".into();
        renamed.pass_criteria.min_confidence = 0.9;
        store.update_package_config(&renamed).unwrap();
        assert_eq!(store.get_package_config("a").unwrap(), renamed);

        store
            .write()
            .execute(
                "INSERT INTO package_runs (id, package_config_id, status, document_results, \
                 input_documents, created_at) VALUES ('r1', 'a', 'passed', '[]', '{}', 'x')",
                [],
            )
            .unwrap();
        assert_eq!(store.count_package_runs_of("a").unwrap(), 1);
        store.delete_package_config("a").unwrap();
        assert_eq!(store.count_package_runs_of("a").unwrap(), 0, "runs go too");
        assert!(matches!(
            store.get_package_config("a"),
            Err(StoreError::NotFound { .. })
        ));
        assert!(matches!(
            store.delete_package_config("a"),
            Err(StoreError::NotFound { .. })
        ));
        assert!(matches!(
            store.update_package_config(&config("zz", "x")),
            Err(StoreError::NotFound { .. })
        ));
    }
}
