//! Sources, targets and confirmed matches as Cognite sends them: any JSON objects, of which only
//! the string values of the match fields count; references by id or external id.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use ts_rs::TS;

use crate::error::{Result, ServiceError};

/// A source or a target: any JSON object (only string values are matched; nested objects are
/// ignored).
pub type EmEntity = Map<String, Value>;

/// A pair of fields compared: the source's field with the target's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct MatchField {
    pub source: String,
    pub target: String,
}

impl MatchField {
    /// Cognite's default: name with name.
    pub fn default_fields() -> Vec<MatchField> {
        vec![MatchField {
            source: "name".into(),
            target: "name".into(),
        }]
    }
}

/// A reference by id or external id (`{"id": 1}` or `{"externalId": "x"}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(untagged)]
#[ts(export)]
pub enum IdEither {
    Id {
        #[ts(type = "number")]
        id: i64,
    },
    ExternalId {
        #[serde(rename = "externalId")]
        external_id: String,
    },
}

impl IdEither {
    /// The reference a body gives as `id` and/or `externalId` (the id wins); `None` for neither.
    pub fn of(id: Option<i64>, external_id: Option<&str>) -> Option<IdEither> {
        match (id, external_id) {
            (Some(id), _) => Some(IdEither::Id { id }),
            (None, Some(e)) => Some(IdEither::ExternalId {
                external_id: e.to_string(),
            }),
            (None, None) => None,
        }
    }
}

/// A confirmed match: one source and one target, each by id or external id.
/// (Its TypeScript type is `shapes::TrueMatchShape`: ts-rs warns at every build on `alias`.)
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TrueMatch {
    // The from/to names are what the SDK's refit documentation still uses.
    #[serde(default, alias = "fromId", skip_serializing_if = "Option::is_none")]
    pub source_id: Option<i64>,
    #[serde(
        default,
        alias = "fromExternalId",
        skip_serializing_if = "Option::is_none"
    )]
    pub source_external_id: Option<String>,
    #[serde(default, alias = "toId", skip_serializing_if = "Option::is_none")]
    pub target_id: Option<i64>,
    #[serde(
        default,
        alias = "toExternalId",
        skip_serializing_if = "Option::is_none"
    )]
    pub target_external_id: Option<String>,
}

/// The entities a file holds: a JSON array of objects as it is, or every row of a CSV, workbook
/// or e-invoice file as an object of its columns (an `id` column of whole numbers as numbers, so
/// confirmed matches can name it by id).
pub fn entities_from_file(path: &std::path::Path) -> Result<Vec<EmEntity>> {
    let is_json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    if is_json {
        let text = std::fs::read_to_string(path)
            .map_err(|e| ServiceError::validation("file", format!("{}: {e}", path.display())))?;
        let value: Value = serde_json::from_str(&text).map_err(|e| {
            ServiceError::validation("file", format!("{}: not JSON: {e}", path.display()))
        })?;
        return match value {
            Value::Array(items) => items
                .into_iter()
                .enumerate()
                .map(|(i, v)| match v {
                    Value::Object(o) => Ok(o),
                    _ => Err(ServiceError::validation(
                        format!("[{i}]"),
                        format!("{}: item {i} is not an object", path.display()),
                    )),
                })
                .collect(),
            _ => Err(ServiceError::validation(
                "file",
                format!("{}: not a JSON array of objects", path.display()),
            )),
        };
    }
    let table = import::read_table(path, &import::ImportOptions::default())?;
    Ok(table
        .rows
        .iter()
        .map(|row| {
            table
                .columns
                .iter()
                .zip(row)
                .map(|(c, v)| {
                    let value = match (c.as_str(), v.trim().parse::<i64>()) {
                        ("id", Ok(n)) => Value::from(n),
                        _ => Value::String(v.clone()),
                    };
                    (c.clone(), value)
                })
                .collect()
        })
        .collect())
}

/// The entities' values for the match fields, in their order: the string value, "" for a value
/// that is not a string, and for a missing field "" when `ignore_missing` (else an error naming
/// the item and the field).
pub fn field_values(
    items: &[EmEntity],
    fields: impl Fn(&MatchField) -> &str,
    match_fields: &[MatchField],
    ignore_missing: bool,
    what: &str,
) -> Result<Vec<Vec<String>>> {
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            match_fields
                .iter()
                .map(|m| {
                    let name = fields(m);
                    match item.get(name) {
                        Some(Value::String(s)) => Ok(s.clone()),
                        Some(_) => Ok(String::new()),
                        None if ignore_missing => Ok(String::new()),
                        None => Err(ServiceError::validation(
                            format!("{what}[{i}].{name}"),
                            format!(
                                "has no field {name:?} (a match field); set ignoreMissingFields \
                                 to treat missing fields as empty"
                            ),
                        )),
                    }
                })
                .collect()
        })
        .collect()
}

/// Where each confirmed match's source and target are among `sources` and `targets`.
pub fn resolve_true_matches(
    matches: &[TrueMatch],
    sources: &[EmEntity],
    targets: &[EmEntity],
) -> Result<Vec<(usize, usize)>> {
    let (s_at, t_at) = (Lookup::new(sources), Lookup::new(targets));
    matches
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let field = |side: &str| format!("trueMatches[{i}].{side}");
            let source = s_at
                .find(m.source_id, m.source_external_id.as_deref())
                .ok_or_else(|| {
                    ServiceError::validation(field("source"), "names no source of the request")
                })?;
            let target = t_at
                .find(m.target_id, m.target_external_id.as_deref())
                .ok_or_else(|| {
                    ServiceError::validation(field("target"), "names no target of the request")
                })?;
            Ok((source, target))
        })
        .collect()
}

/// Entities by `id` and by `externalId`, so that resolving a list of matches costs one pass
/// over the entities rather than one per match (a pipeline names hundreds among 100k).
pub struct Lookup<'a> {
    by_id: HashMap<i64, usize>,
    by_external_id: HashMap<&'a str, usize>,
}

impl<'a> Lookup<'a> {
    pub fn new(items: &'a [EmEntity]) -> Lookup<'a> {
        let (mut by_id, mut by_external_id) = (HashMap::new(), HashMap::new());
        // The first entity of an id wins, as a scan from the front would find it.
        for (i, item) in items.iter().enumerate() {
            if let Some(id) = item.get("id").and_then(Value::as_i64) {
                by_id.entry(id).or_insert(i);
            }
            if let Some(ext) = item.get("externalId").and_then(Value::as_str) {
                by_external_id.entry(ext).or_insert(i);
            }
        }
        Lookup {
            by_id,
            by_external_id,
        }
    }

    /// The entity an `id` names, else the one an `externalId` names (an id takes precedence,
    /// as in Cognite's references).
    pub fn find(&self, id: Option<i64>, external_id: Option<&str>) -> Option<usize> {
        match (id, external_id) {
            (Some(id), _) => self.by_id.get(&id).copied(),
            (None, Some(ext)) => self.by_external_id.get(ext).copied(),
            (None, None) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn items(v: Value) -> Vec<EmEntity> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_object().unwrap().clone())
            .collect()
    }

    #[test]
    fn values_are_the_strings_of_the_match_fields_and_a_missing_one_is_named() {
        let sources = items(json!([{"id": 1, "name": "KKL_21PT1019.PV", "n": 3}, {"id": 2}]));
        let fields = vec![
            MatchField {
                source: "name".into(),
                target: "name".into(),
            },
            MatchField {
                source: "n".into(),
                target: "n".into(),
            },
        ];
        let e = field_values(&sources, |m| &m.source, &fields, false, "sources").unwrap_err();
        assert_eq!(
            crate::ApiError::from(e).field.as_deref(),
            Some("sources[1].name")
        );
        let v = field_values(&sources, |m| &m.source, &fields, true, "sources").unwrap();
        assert_eq!(
            v,
            vec![
                vec!["KKL_21PT1019.PV".to_string(), String::new()],
                vec![String::new(), String::new()]
            ]
        );
    }

    #[test]
    fn true_matches_resolve_by_id_or_external_id() {
        let sources = items(json!([{"id": 7, "name": "a"}, {"externalId": "s2", "name": "b"}]));
        let targets = items(json!([{"externalId": "t1"}, {"id": 9}]));
        let m = |s: Value| serde_json::from_value::<TrueMatch>(s).unwrap();
        let got = resolve_true_matches(
            &[
                m(json!({"sourceId": 7, "targetExternalId": "t1"})),
                m(json!({"sourceExternalId": "s2", "targetId": 9})),
            ],
            &sources,
            &targets,
        )
        .unwrap();
        assert_eq!(got, vec![(0, 0), (1, 1)]);
        let e = resolve_true_matches(
            &[m(json!({"sourceId": 8, "targetId": 9}))],
            &sources,
            &targets,
        )
        .unwrap_err();
        assert_eq!(
            crate::ApiError::from(e).field.as_deref(),
            Some("trueMatches[0].source")
        );
    }
}
