//! Review bands a run left to be filled when its results are read: which results still lack
//! their whole band, and storing it once found, so that every later read and every decision sees
//! the same candidates.

use engine::Candidate;
use rusqlite::params;

use crate::results::pack;
use crate::{Result, Store};

impl Store {
    /// Of `result_ids` in `run_id` (every result of the run when `None`), those whose review band
    /// is still to be filled, in the order asked (by id for the whole run).
    pub fn incomplete_bands(
        &self,
        run_id: &str,
        result_ids: Option<&[String]>,
    ) -> Result<Vec<String>> {
        let conn = self.read();
        match result_ids {
            None => {
                let mut stmt = conn.prepare_cached(
                    "SELECT id FROM results WHERE run_id = ?1 AND band_complete = 0 ORDER BY id",
                )?;
                let ids = stmt.query_map([run_id], |r| r.get(0))?;
                Ok(ids.collect::<rusqlite::Result<_>>()?)
            }
            Some(ids) => {
                let mut stmt = conn.prepare_cached(
                    "SELECT band_complete FROM results WHERE run_id = ?1 AND id = ?2",
                )?;
                let mut out = Vec::new();
                for id in ids {
                    let whole: Option<bool> = stmt
                        .query_row(params![run_id, id], |r| r.get(0))
                        .map(Some)
                        .or_else(|e| match e {
                            rusqlite::Error::QueryReturnedNoRows => Ok(None),
                            e => Err(e),
                        })?;
                    if whole == Some(false) {
                        out.push(id.clone());
                    }
                }
                Ok(out)
            }
        }
    }

    /// Stores the whole review band of results whose band was still to be filled: their candidates
    /// replaced, in one transaction. A result filled meanwhile (another reader) keeps its own; the
    /// match, confidence, status and decisions are never touched.
    pub fn fill_bands(&self, run_id: &str, filled: &[(String, Vec<Candidate>)]) -> Result<()> {
        let mut conn = self.write();
        let tx = conn.transaction()?;
        {
            let mut stmt = tx.prepare_cached(
                "UPDATE results SET candidates = ?3, band_complete = 1 \
                 WHERE run_id = ?1 AND id = ?2 AND band_complete = 0",
            )?;
            for (id, candidates) in filled {
                stmt.execute(params![run_id, id, pack(candidates)?])?;
            }
        }
        tx.commit()?;
        Ok(())
    }
}
