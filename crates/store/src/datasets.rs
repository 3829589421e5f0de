//! Reference datasets, document sets and their rows.

use engine::index::free_in_background;
use engine::{CancelToken, Dataset, DatasetKind, DatasetStatus, Document, Record, RowPage};
use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::{from_json, to_json, Result, Store, StoreError};

/// Loops over reference rows look at the cancel token this often.
const CANCEL_EVERY: usize = 16_384;

const DATASET_COLUMNS: &str =
    "id, kind, name, source_type, source_file, columns, row_count, id_column, filename_column, created_at";
/// Read with DATASET_COLUMNS: where an import stands and where the rows come from.
const DATASET_STATE: &str = "status, version, error, rows_imported, sql_source";

fn kind_str(k: DatasetKind) -> &'static str {
    match k {
        DatasetKind::Reference => "reference",
        DatasetKind::Documents => "documents",
    }
}

fn dataset_from_row(r: &Row) -> rusqlite::Result<(Dataset, String, Option<String>)> {
    let kind: String = r.get(1)?;
    let columns: String = r.get(5)?;
    let status: String = r.get(10)?;
    Ok((
        Dataset {
            id: r.get(0)?,
            kind: if kind == "documents" {
                DatasetKind::Documents
            } else {
                DatasetKind::Reference
            },
            name: r.get(2)?,
            source_type: r.get(3)?,
            source_file: r.get(4)?,
            columns: Vec::new(),
            row_count: r.get::<_, i64>(6)? as u64,
            id_column: r.get(7)?,
            filename_column: r.get(8)?,
            created_at: r.get(9)?,
            status: DatasetStatus::parse(&status).unwrap_or(DatasetStatus::Failed),
            version: r.get::<_, i64>(11)? as u32,
            error: r.get(12)?,
            rows_imported: r.get::<_, Option<i64>>(13)?.map(|n| n as u64),
            sql: None,
        },
        columns,
        r.get(14)?,
    ))
}

fn finish_dataset((mut d, columns, sql): (Dataset, String, Option<String>)) -> Result<Dataset> {
    d.columns = from_json("dataset columns", &columns)?;
    d.sql = sql
        .map(|s| from_json("dataset SQL source", &s))
        .transpose()?;
    Ok(d)
}

/// The dataset (hidden versions included) whose rows `id` reads now: itself, or the version a
/// refresh made current.
pub(crate) fn rows_set_of(conn: &Connection, id: &str) -> Result<String> {
    let found: Option<Option<String>> = conn
        .query_row("SELECT rows_from FROM datasets WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .optional()?;
    Ok(found.flatten().unwrap_or_else(|| id.to_string()))
}

pub(crate) fn get_dataset_on(conn: &Connection, id: &str) -> Result<Dataset> {
    let sql = format!(
        "SELECT {DATASET_COLUMNS}, {DATASET_STATE} FROM datasets WHERE id = ?1 AND version_of IS NULL"
    );
    let row = conn.query_row(&sql, [id], dataset_from_row).optional()?;
    finish_dataset(row.ok_or_else(|| StoreError::NotFound {
        kind: "dataset",
        id: id.to_string(),
    })?)
}

pub(crate) fn insert_dataset_row(tx: &rusqlite::Transaction, d: &Dataset) -> Result<()> {
    tx.execute(
        &format!("INSERT INTO datasets ({DATASET_COLUMNS}, {DATASET_STATE}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"),
        params![
            d.id,
            kind_str(d.kind),
            d.name,
            d.source_type,
            d.source_file,
            to_json(&d.columns)?,
            d.row_count as i64,
            d.id_column,
            d.filename_column,
            d.created_at,
            d.status.as_str(),
            d.version as i64,
            d.error,
            d.rows_imported.map(|n| n as i64),
            d.sql.as_ref().map(to_json).transpose()?
        ],
    )?;
    Ok(())
}

impl Store {
    /// Stores a reference dataset and all its rows in one transaction: either everything is there
    /// afterwards or nothing is.
    pub fn insert_reference_dataset(&self, dataset: &Dataset, rows: &[Record]) -> Result<()> {
        let mut conn = self.write();
        let tx = conn.transaction()?;
        insert_dataset_row(&tx, dataset)?;
        {
            let mut stmt =
                tx.prepare_cached("INSERT INTO reference_rows (dataset_id, ordinal, row_id, vals) VALUES (?1, ?2, ?3, ?4)")?;
            for (i, r) in rows.iter().enumerate() {
                stmt.execute(params![dataset.id, i as i64, r.id, to_json(&r.values)?])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Stores a document set and all its documents in one transaction.
    pub fn insert_document_set(&self, dataset: &Dataset, docs: &[Document]) -> Result<()> {
        let mut conn = self.write();
        let tx = conn.transaction()?;
        insert_dataset_row(&tx, dataset)?;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO documents (set_id, ordinal, document_id, document_filename, vals) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for (i, d) in docs.iter().enumerate() {
                stmt.execute(params![
                    dataset.id,
                    i as i64,
                    d.document_id,
                    d.document_filename,
                    to_json(&d.values)?
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    pub fn list_datasets(&self) -> Result<Vec<Dataset>> {
        let conn = self.read();
        let mut stmt = conn.prepare(&format!(
            "SELECT {DATASET_COLUMNS}, {DATASET_STATE} FROM datasets WHERE version_of IS NULL ORDER BY created_at DESC, id"
        ))?;
        let rows = stmt.query_map([], dataset_from_row)?;
        rows.map(|r| finish_dataset(r?)).collect()
    }

    pub fn get_dataset(&self, id: &str) -> Result<Dataset> {
        get_dataset_on(&self.read(), id)
    }

    /// Deletes a dataset and its rows. Configs pointing at it stay (their next run fails).
    pub fn delete_dataset(&self, id: &str) -> Result<()> {
        let n = self.write().execute(
            "DELETE FROM datasets WHERE id = ?1 AND version_of IS NULL",
            [id],
        )?;
        if n == 0 {
            return Err(StoreError::NotFound {
                kind: "dataset",
                id: id.to_string(),
            });
        }
        Ok(())
    }

    /// A page of rows of either kind of dataset, in file order. Documents show their document id.
    pub fn dataset_rows(&self, id: &str, page: u32, limit: u32) -> Result<RowPage> {
        let conn = self.read();
        let d = get_dataset_on(&conn, id)?;
        let offset = (page.max(1) as i64 - 1) * limit as i64;
        let sql = match d.kind {
            DatasetKind::Reference => {
                "SELECT row_id, vals FROM reference_rows WHERE dataset_id = ?1 ORDER BY ordinal LIMIT ?2 OFFSET ?3"
            }
            DatasetKind::Documents => {
                "SELECT document_id, vals FROM documents WHERE set_id = ?1 ORDER BY ordinal LIMIT ?2 OFFSET ?3"
            }
        };
        let rows_id = match d.kind {
            DatasetKind::Reference => rows_set_of(&conn, id)?,
            DatasetKind::Documents => id.to_string(),
        };
        let mut stmt = conn.prepare(sql)?;
        let rows = stmt
            .query_map(params![rows_id, limit as i64, offset], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })?
            .map(|r| {
                let (id, vals) = r?;
                Ok(Record {
                    id,
                    values: from_json("row values", &vals)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(RowPage {
            columns: d.columns.iter().map(|c| c.name.clone()).collect(),
            rows,
            total: d.row_count,
            page: page.max(1),
            limit,
        })
    }

    /// Every row of a reference dataset, for a run. Uses its own connection so the UI's reads are
    /// not queued behind a long scan. SQLite reads on one thread; the JSON of the rows is parsed on
    /// all cores, which halves loading a million rows. `None` once `cancel` is set: it is looked at
    /// every few thousand rows, so a cancelled run stops loading within milliseconds.
    pub fn load_reference(
        &self,
        id: &str,
        cancel: &CancelToken,
    ) -> Result<Option<(Dataset, Vec<Record>)>> {
        self.load_reference_at(id, None, cancel)
    }

    /// Like `load_reference`, reading the rows of version `rows_id` (a run's pinned rows) when
    /// given; the dataset returned then has that version's columns and row count.
    pub fn load_reference_at(
        &self,
        id: &str,
        rows_id: Option<&str>,
        cancel: &CancelToken,
    ) -> Result<Option<(Dataset, Vec<Record>)>> {
        let conn = self.scan_connection()?;
        let mut d = get_dataset_on(&conn, id)?;
        let rows_id = match rows_id {
            Some(r) => r.to_string(),
            None => rows_set_of(&conn, id)?,
        };
        if rows_id != id {
            let (columns, count): (String, i64) = conn.query_row(
                "SELECT columns, row_count FROM datasets WHERE id = ?1",
                [&rows_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            d.columns = from_json("dataset columns", &columns)?;
            d.row_count = count as u64;
        }
        if d.kind != DatasetKind::Reference {
            return Err(StoreError::NotFound {
                kind: "reference data",
                id: id.to_string(),
            });
        }
        let mut stmt = conn.prepare(
            "SELECT row_id, vals FROM reference_rows WHERE dataset_id = ?1 ORDER BY ordinal",
        )?;
        let mut rows = stmt.query([&rows_id])?;
        let Some(out) = parse_while_reading(d.row_count as usize, cancel, || {
            rows.next()?.map(|r| Ok((r.get(0)?, r.get(1)?))).transpose()
        })?
        else {
            return Ok(None);
        };
        Ok(Some((d, out)))
    }

    /// Up to `limit` documents of a set in file order, starting at position `from`, for runs that
    /// stream documents instead of loading them all. Returns the documents and the next position.
    pub fn documents_chunk(
        &self,
        set_id: &str,
        from: u64,
        limit: usize,
    ) -> Result<(Vec<Document>, u64)> {
        let conn = self.read();
        let mut stmt = conn.prepare_cached(
            "SELECT ordinal, document_id, document_filename, vals FROM documents \
             WHERE set_id = ?1 AND ordinal >= ?2 ORDER BY ordinal LIMIT ?3",
        )?;
        let mut rows = stmt.query(params![set_id, from as i64, limit as i64])?;
        let mut out = Vec::with_capacity(limit);
        let mut next = from;
        while let Some(r) = rows.next()? {
            let ordinal: i64 = r.get(0)?;
            let vals: String = r.get(3)?;
            out.push(Document {
                document_id: r.get(1)?,
                document_filename: r.get(2)?,
                values: from_json("document values", &vals)?,
            });
            next = ordinal as u64 + 1;
        }
        Ok((out, next))
    }

    /// The documents of `set_id` with these ids, in the order asked; ids the set lacks are skipped.
    pub fn documents_by_ids(&self, set_id: &str, ids: &[String]) -> Result<Vec<Document>> {
        let conn = self.read();
        let mut stmt = conn.prepare_cached(
            "SELECT document_id, document_filename, vals FROM documents \
             WHERE set_id = ?1 AND document_id = ?2",
        )?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let mut rows = stmt.query(params![set_id, id])?;
            if let Some(r) = rows.next()? {
                let vals: String = r.get(2)?;
                out.push(Document {
                    document_id: r.get(0)?,
                    document_filename: r.get(1)?,
                    values: from_json("document values", &vals)?,
                });
            }
        }
        Ok(out)
    }

    /// Reference rows by id, in the order asked; unknown ids are skipped.
    pub fn reference_rows_by_ids(&self, dataset_id: &str, ids: &[String]) -> Result<Vec<Record>> {
        self.reference_rows_at(dataset_id, None, ids)
    }

    /// Like `reference_rows_by_ids`, from version `rows_id` (a run's pinned rows) when given.
    pub fn reference_rows_at(
        &self,
        dataset_id: &str,
        rows_id: Option<&str>,
        ids: &[String],
    ) -> Result<Vec<Record>> {
        let conn = self.read();
        let rows_id = match rows_id {
            Some(r) => r.to_string(),
            None => rows_set_of(&conn, dataset_id)?,
        };
        // A past version may have other columns than the dataset shows now (a `SELECT *` whose
        // table changed): its values are put under the current columns by name.
        let realign = if rows_id != dataset_id {
            let columns_of = |id: &str| -> Result<Vec<engine::Column>> {
                let text: Option<String> = conn
                    .query_row("SELECT columns FROM datasets WHERE id = ?1", [id], |r| {
                        r.get(0)
                    })
                    .optional()?;
                text.map_or(Ok(Vec::new()), |t| from_json("dataset columns", &t))
            };
            let (then, now) = (columns_of(&rows_id)?, columns_of(dataset_id)?);
            (then != now).then(|| {
                now.iter()
                    .map(|c| then.iter().position(|t| t.name == c.name))
                    .collect::<Vec<_>>()
            })
        } else {
            None
        };
        let mut stmt = conn.prepare_cached(
            "SELECT vals FROM reference_rows WHERE dataset_id = ?1 AND row_id = ?2",
        )?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let vals: Option<String> = stmt
                .query_row(params![rows_id, id], |r| r.get(0))
                .optional()?;
            if let Some(v) = vals {
                let values: Vec<String> = from_json("row values", &v)?;
                let values = match &realign {
                    Some(map) => map
                        .iter()
                        .map(|i| i.and_then(|i| values.get(i).cloned()).unwrap_or_default())
                        .collect(),
                    None => values,
                };
                out.push(Record {
                    id: id.clone(),
                    values,
                });
            }
        }
        Ok(out)
    }
}

/// Rows read from SQLite (`next`, one thread: a connection reads alone) are parsed on the other
/// cores as they come, a chunk of `CANCEL_EVERY` at a time, instead of after the last is read:
/// reading and parsing overlap, and the raw JSON of a chunk is freed once parsed rather than all
/// held until the end. Records come back in the order read. `None` once `cancel` is set, looked
/// at between chunks.
fn parse_while_reading(
    expected: usize,
    cancel: &CancelToken,
    mut next: impl FnMut() -> Result<Option<(String, String)>>,
) -> Result<Option<Vec<Record>>> {
    type Parsed = (usize, Result<Vec<Record>>);
    let parsers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 16);
    let (to_parse, chunks) =
        std::sync::mpsc::sync_channel::<(usize, Vec<(String, String)>)>(2 * parsers);
    // Only the parsers hold the receiving end: should every one of them stop, sending fails
    // instead of waiting forever for a parser that is gone.
    let chunks = std::sync::Arc::new(std::sync::Mutex::new(chunks));
    let (read, parsed): (Result<bool>, Option<Vec<Parsed>>) = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..parsers)
            .map(|_| {
                let chunks = chunks.clone();
                scope.spawn(move || {
                    let mut done: Vec<Parsed> = Vec::new();
                    loop {
                        // The lock is held while taking a chunk, never while parsing one.
                        let chunk = chunks.lock().map(|rx| rx.recv());
                        let Ok(Ok((at, raw))) = chunk else {
                            return done;
                        };
                        let records = raw
                            .into_iter()
                            .map(|(id, vals)| {
                                Ok(Record {
                                    values: from_json("row values", &vals)?,
                                    id,
                                })
                            })
                            .collect();
                        done.push((at, records));
                    }
                })
            })
            .collect();
        drop(chunks);
        let read = (|| {
            let mut chunk = Vec::with_capacity(CANCEL_EVERY.min(expected));
            let mut at = 0;
            loop {
                let row = next()?;
                let end = row.is_none();
                chunk.extend(row);
                if chunk.len() == CANCEL_EVERY || (end && !chunk.is_empty()) {
                    if cancel.is_cancelled() {
                        return Ok(false);
                    }
                    let full = std::mem::replace(&mut chunk, Vec::with_capacity(CANCEL_EVERY));
                    if to_parse.send((at, full)).is_err() {
                        return Err(StoreError::Corrupt("a row parser stopped".into()));
                    }
                    at += 1;
                }
                if end {
                    return Ok(true);
                }
            }
        })();
        drop(to_parse);
        // A parser that panicked lost its chunks: no partial reference is returned.
        let parsed = workers
            .into_iter()
            .map(|w| w.join().ok())
            .collect::<Option<Vec<_>>>()
            .map(|parts| parts.into_iter().flatten().collect());
        (read, parsed)
    });
    let mut parsed = parsed.ok_or_else(|| StoreError::Corrupt("a row parser stopped".into()))?;
    if !read? || cancel.is_cancelled() {
        // Millions of small strings take a while to free: not on the cancel's path.
        free_in_background(parsed);
        return Ok(None);
    }
    parsed.sort_unstable_by_key(|p| p.0);
    let mut out = Vec::with_capacity(expected);
    for (_, part) in parsed {
        out.extend(part?);
    }
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(n: usize, bad_at: Option<usize>) -> impl FnMut() -> Result<Option<(String, String)>> {
        let mut i = 0;
        move || {
            i += 1;
            Ok((i <= n).then(|| {
                let vals = if Some(i) == bad_at {
                    "[\"cut".to_string()
                } else {
                    format!("[\"v{i}\"]")
                };
                (format!("r{i}"), vals)
            }))
        }
    }

    #[test]
    fn rows_parsed_while_read_come_back_in_order_or_not_at_all() {
        let n = 3 * CANCEL_EVERY + 5;
        let got = parse_while_reading(n, &CancelToken::new(), rows(n, None))
            .unwrap()
            .unwrap();
        assert_eq!(got.len(), n);
        assert!(got
            .iter()
            .enumerate()
            .all(|(i, r)| r.id == format!("r{}", i + 1) && r.values == [format!("v{}", i + 1)]));
        let none = parse_while_reading(0, &CancelToken::new(), rows(0, None)).unwrap();
        assert_eq!(none, Some(Vec::new()));
        // A row whose stored values do not parse fails the load, whichever chunk it is in.
        let bad = parse_while_reading(n, &CancelToken::new(), rows(n, Some(CANCEL_EVERY + 7)));
        assert!(matches!(bad, Err(StoreError::Corrupt(m)) if m.starts_with("row values")));
        let cancel = CancelToken::new();
        cancel.cancel();
        assert_eq!(
            parse_while_reading(n, &cancel, rows(n, None)).unwrap(),
            None
        );
    }
}
