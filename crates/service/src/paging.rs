//! Paging (spec A.2): page-size limits, and cursor paging of the configs, runs and strategies lists, newest
//! first, keyed on what orders the list, so a walk to the end neither skips nor repeats an item
//! while others are added. Cursors are opaque to clients; today they are the hex of the last
//! item's sort key.

use engine::{MatchingConfig, Run, RunStatus};
use serde::{Deserialize, Serialize};
use store::{RunListQuery, StrategyListQuery};

use crate::error::{Result, ServiceError};
use crate::{MatchingStrategy, Workspace};

/// Page-size limits (spec A.2): rows default 100, results default 50, both at most 500.
pub const MAX_PAGE_LIMIT: u32 = 500;

pub(crate) fn page_limit(limit: Option<u32>, default: u32, field: &str) -> Result<u32> {
    match limit {
        None => Ok(default),
        Some(0) => Err(ServiceError::validation(field, "must be at least 1")),
        Some(l) if l > MAX_PAGE_LIMIT => Err(ServiceError::validation(
            field,
            format!("must be at most {MAX_PAGE_LIMIT}"),
        )),
        Some(l) => Ok(l),
    }
}

/// Default and largest page of a cursor list (spec A.2, inferred).
pub const CURSOR_DEFAULT_LIMIT: u32 = 20;
pub const CURSOR_MAX_LIMIT: u32 = 100;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CursorPagination {
    /// Items the whole list holds (with the filters, without the cursor).
    pub total: u64,
    pub limit: u32,
    pub has_more: bool,
    /// Send this back as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CursorPage<T> {
    pub data: Vec<T>,
    pub pagination: CursorPagination,
}

/// A cursor list request: where to start and how many.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CursorQuery {
    pub cursor: Option<String>,
    pub limit: Option<u32>,
}

fn encode(key: &str) -> String {
    key.bytes().map(|b| format!("{b:02x}")).collect()
}

fn decode(cursor: &str) -> Option<String> {
    if !cursor.len().is_multiple_of(2) || cursor.len() > 512 {
        return None;
    }
    let bytes = (0..cursor.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(cursor.get(i..i + 2)?, 16).ok())
        .collect::<Option<Vec<u8>>>()?;
    String::from_utf8(bytes).ok()
}

fn bad_cursor() -> ServiceError {
    ServiceError::validation(
        "cursor",
        "is not a cursor this list gave out; start again without one",
    )
}

pub(crate) fn cursor_limit(limit: Option<u32>) -> Result<u32> {
    match limit {
        None => Ok(CURSOR_DEFAULT_LIMIT),
        Some(0) => Err(ServiceError::validation("limit", "must be at least 1")),
        Some(l) if l > CURSOR_MAX_LIMIT => Err(ServiceError::validation(
            "limit",
            format!("must be at most {CURSOR_MAX_LIMIT}"),
        )),
        Some(l) => Ok(l),
    }
}

/// Where a page of a list sorted by creation starts: the (created_at, id) a cursor of `kind`
/// (`created_cursor`) holds, or `None` for the first page.
pub(crate) fn created_after(q: &CursorQuery, kind: &str) -> Result<Option<(String, String)>> {
    let Some(c) = &q.cursor else {
        return Ok(None);
    };
    let key = decode(c).ok_or_else(bad_cursor)?;
    let (created_at, id) = key
        .strip_prefix(kind)
        .and_then(|k| k.strip_prefix(':'))
        .and_then(|k| k.split_once('\n'))
        .ok_or_else(bad_cursor)?;
    Ok(Some((created_at.to_string(), id.to_string())))
}

/// The cursor after the item created at `created_at` with `id`, in a list of `kind`.
pub(crate) fn created_cursor(kind: &str, created_at: &str, id: &str) -> String {
    encode(&format!("{kind}:{created_at}\n{id}"))
}

impl Workspace {
    /// A page of the configs list, newest first.
    pub fn config_page(&self, q: &CursorQuery) -> Result<CursorPage<MatchingConfig>> {
        let limit = cursor_limit(q.limit)?;
        let after = created_after(q, "c")?;
        let mut data = self.store.list_configs_after(
            after.as_ref().map(|(a, b)| (a.as_str(), b.as_str())),
            limit + 1,
        )?;
        let has_more = data.len() > limit as usize;
        data.truncate(limit as usize);
        let next_cursor = has_more
            .then(|| data.last())
            .flatten()
            .map(|c| created_cursor("c", &c.created_at, &c.id));
        Ok(CursorPage {
            data,
            pagination: CursorPagination {
                total: self.store.count_configs()?,
                limit,
                has_more,
                next_cursor,
            },
        })
    }

    /// A page of the strategies list, newest first, optionally of one config.
    pub fn strategy_page(
        &self,
        matching_config_id: Option<&str>,
        q: &CursorQuery,
    ) -> Result<CursorPage<MatchingStrategy>> {
        let limit = cursor_limit(q.limit)?;
        let after = created_after(q, "s")?;
        let mut records = self.store.list_strategies(&StrategyListQuery {
            matching_config_id: matching_config_id.map(str::to_string),
            after,
            limit: Some(limit + 1),
        })?;
        let has_more = records.len() > limit as usize;
        records.truncate(limit as usize);
        let next_cursor = has_more
            .then(|| records.last())
            .flatten()
            .map(|s| created_cursor("s", &s.created_at, &s.id));
        Ok(CursorPage {
            data: records
                .into_iter()
                .map(crate::strategies::strategy_of)
                .collect::<Result<_>>()?,
            pagination: CursorPagination {
                total: self.store.count_strategies(matching_config_id)?,
                limit,
                has_more,
                next_cursor,
            },
        })
    }

    /// A page of the runs list, newest first, optionally of one config and in one status.
    pub fn run_cursor_page(
        &self,
        config_id: Option<&str>,
        status: Option<RunStatus>,
        q: &CursorQuery,
    ) -> Result<CursorPage<Run>> {
        let limit = cursor_limit(q.limit)?;
        let before_seq = match &q.cursor {
            None => None,
            Some(c) => Some(
                decode(c)
                    .as_deref()
                    .and_then(|k| k.strip_prefix("r:"))
                    .and_then(|n| n.parse::<i64>().ok())
                    .ok_or_else(bad_cursor)?,
            ),
        };
        let query = RunListQuery {
            config_id: config_id.map(str::to_string),
            status,
            limit: limit + 1,
            offset: 0,
            before_seq,
        };
        let mut keyed = self.store.list_runs_keyed(&query)?;
        let has_more = keyed.len() > limit as usize;
        keyed.truncate(limit as usize);
        let next_cursor = has_more
            .then(|| keyed.last())
            .flatten()
            .map(|(seq, _)| encode(&format!("r:{seq}")));
        Ok(CursorPage {
            data: keyed.into_iter().map(|(_, r)| r).collect(),
            pagination: CursorPagination {
                total: self.store.count_runs(&query)?,
                limit,
                has_more,
                next_cursor,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let c = encode("r:42");
        assert_eq!(decode(&c).as_deref(), Some("r:42"));
        assert_eq!(decode("zz"), None);
        assert_eq!(decode("abc"), None);
        assert_eq!(decode(""), Some(String::new()));
    }
}
