//! Data that arrives over the wire rather than as a path on this machine: a file uploaded to the
//! REST API, rows sent as JSON (spec A.3.2), and a dataset written back out as CSV (A.3.5).

use std::io::Write;
use std::path::{Path, PathBuf};

use engine::{Dataset, DatasetKind};
use import::{FileFormat, Table};
use serde_json::Value;

use crate::dto::ImportRequest;
use crate::error::{Result, ServiceError};
use crate::Workspace;

/// A table sent as JSON: the columns and their order come from the first row's keys (spec
/// A.3.2); every later row is checked against them.
#[derive(Debug, Clone, PartialEq)]
pub struct RowsImport {
    pub kind: DatasetKind,
    pub name: String,
    pub id_column: Option<String>,
    pub filename_column: Option<String>,
    pub data: Vec<Value>,
}

/// A file's bytes with the name it had on the client, whose extension says its format.
pub struct UploadImport<'a> {
    pub file_name: &'a str,
    pub bytes: &'a [u8],
    /// The same options as an import from a path; its `path` is ignored.
    pub options: ImportRequest,
}

fn type_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn text_of(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The table of JSON rows, or the first row that does not fit, named by its index.
fn rows_table(name: &str, data: &[Value]) -> Result<Table> {
    let Some(first) = data.first() else {
        return Err(ServiceError::validation(
            "data",
            "must hold at least one row",
        ));
    };
    let Value::Object(first) = first else {
        return Err(ServiceError::validation(
            "data[0]",
            format!("is {}, not an object of column values", type_of(first)),
        ));
    };
    if first.is_empty() {
        return Err(ServiceError::validation(
            "data[0]",
            "has no values: the first row names the columns",
        ));
    }
    let columns: Vec<String> = first.keys().cloned().collect();
    // The type a column got from the first row; null says nothing yet, so the first non-null
    // value decides.
    let mut types: Vec<Option<&'static str>> = first
        .values()
        .map(|v| Some(type_of(v)).filter(|t| *t != "null"))
        .collect();
    let mut rows = Vec::with_capacity(data.len());
    for (i, row) in data.iter().enumerate() {
        let Value::Object(map) = row else {
            return Err(ServiceError::validation(
                format!("data[{i}]"),
                format!("is {}, not an object of column values", type_of(row)),
            ));
        };
        if let Some(extra) = map.keys().find(|k| !first.contains_key(*k)) {
            return Err(ServiceError::validation(
                format!("data[{i}].{extra}"),
                format!(
                    "is not a column; the first row sets the columns ({})",
                    columns.join(", ")
                ),
            ));
        }
        rows.push(row_values(i, map, &columns, &mut types)?);
    }
    Ok(Table {
        file: name.to_string(),
        format: FileFormat::Json,
        columns,
        row_numbers: (1..=rows.len() as u64).collect(),
        rows,
        header_row: 0,
        delimiter: b',',
        encoding: "utf-8",
        sheets: Vec::new(),
        sheet: None,
    })
}

/// One row's values in column order. A value must be text, a number, true/false or null, and of
/// the type its column took from earlier rows (null fits any).
fn row_values(
    i: usize,
    map: &serde_json::Map<String, Value>,
    columns: &[String],
    types: &mut [Option<&'static str>],
) -> Result<Vec<String>> {
    let mut values = Vec::with_capacity(columns.len());
    for (c, column) in columns.iter().enumerate() {
        let v = map.get(column).unwrap_or(&Value::Null);
        let t = type_of(v);
        if matches!(v, Value::Array(_) | Value::Object(_)) {
            return Err(ServiceError::validation(
                format!("data[{i}].{column}"),
                format!("is {t}; only text, numbers, true/false and null can be stored"),
            ));
        }
        match types[c] {
            _ if t == "null" => {}
            None => types[c] = Some(t),
            Some(expected) if expected != t => {
                return Err(ServiceError::validation(
                    format!("data[{i}].{column}"),
                    format!("is a {t}, but the column holds a {expected} in earlier rows"),
                ))
            }
            Some(_) => {}
        }
        values.push(text_of(v));
    }
    Ok(values)
}

/// A private folder for one upload, removed with everything in it when dropped.
struct UploadDir(PathBuf);

impl Drop for UploadDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The client's file name reduced to a safe last component that keeps its extension.
fn safe_file_name(name: &str) -> Result<String> {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | ' ') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_string();
    if cleaned.is_empty() || Path::new(&cleaned).extension().is_none() {
        return Err(ServiceError::validation(
            "file",
            format!(
                "'{name}' has no file extension; name the file .csv, .tsv, .xlsx, .xls, .ods or .json"
            ),
        ));
    }
    Ok(cleaned)
}

impl Workspace {
    /// Creates a dataset from JSON rows (spec A.3.2), all or nothing.
    pub fn import_rows(&self, req: &RowsImport) -> Result<Dataset> {
        let name = req.name.trim();
        if name.is_empty() {
            return Err(ServiceError::validation("name", "a table needs a name"));
        }
        let table = rows_table(name, &req.data)?;
        let opts = ImportRequest {
            name: Some(name.to_string()),
            id_column: req.id_column.clone(),
            filename_column: req.filename_column.clone(),
            ..ImportRequest::new(String::new(), req.kind)
        };
        for (field, column) in [
            ("id_column", &req.id_column),
            ("filename_column", &req.filename_column),
        ] {
            if let Some(c) = column.as_deref().filter(|c| !c.is_empty()) {
                if !table.columns.iter().any(|x| x == c) {
                    return Err(ServiceError::validation(
                        field,
                        format!("'{c}' is not a column of the rows"),
                    ));
                }
            }
        }
        self.store_table(&opts, name.to_string(), &table)
    }

    /// Imports a file sent over the wire, exactly as if it had been imported from disk under the
    /// name it had on the client (errors name that file).
    pub fn import_upload(&self, upload: &UploadImport) -> Result<Dataset> {
        let file_name = safe_file_name(upload.file_name)?;
        let dir = UploadDir(std::env::temp_dir().join(format!(
            "matchbook-upload-{}",
            uuid::Uuid::new_v4().simple()
        )));
        let io = |e: std::io::Error| {
            ServiceError::Internal(format!("cannot keep the uploaded file {file_name}: {e}"))
        };
        std::fs::create_dir_all(&dir.0).map_err(io)?;
        let path = dir.0.join(&file_name);
        std::fs::write(&path, upload.bytes).map_err(io)?;
        let mut req = upload.options.clone();
        req.path = path.display().to_string();
        if req.name.as_deref().is_none_or(|n| n.trim().is_empty()) {
            req.name = Path::new(&file_name)
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned());
        }
        self.import_dataset(&req)
    }

    /// Writes a dataset as CSV: a header of its columns, then every row in import order.
    pub fn write_dataset_csv(&self, id: &str, out: &mut dyn Write) -> Result<()> {
        const PAGE: u32 = 500;
        let dataset = self.store.get_dataset(id)?;
        let mut w = csv::Writer::from_writer(out);
        let failed = |e: csv::Error| ServiceError::Internal(format!("cannot write the CSV: {e}"));
        w.write_record(dataset.columns.iter().map(|c| &c.name))
            .map_err(failed)?;
        let mut page = 1;
        loop {
            let rows = self.store.dataset_rows(id, page, PAGE)?;
            for r in &rows.rows {
                w.write_record(&r.values).map_err(failed)?;
            }
            if (rows.rows.len() as u32) < PAGE {
                break;
            }
            page += 1;
        }
        w.flush()
            .map_err(|e| ServiceError::Internal(format!("cannot write the CSV: {e}")))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_first_row_sets_columns_and_types() {
        let t = rows_table(
            "t",
            &[
                json!({"id": "V1", "amount": 10.5, "ok": true}),
                json!({"id": "V2", "amount": null}),
            ],
        )
        .unwrap();
        assert_eq!(t.columns, ["id", "amount", "ok"]);
        assert_eq!(t.rows[0], ["V1", "10.5", "true"]);
        assert_eq!(t.rows[1], ["V2", "", ""]);
    }

    #[test]
    fn rows_that_do_not_fit_are_named() {
        let err = |data: &[Value]| match rows_table("t", data) {
            Err(ServiceError::Validation { field, .. }) => field,
            other => panic!("expected a validation error, got {other:?}"),
        };
        assert_eq!(err(&[]), "data");
        assert_eq!(err(&[json!(1)]), "data[0]");
        assert_eq!(err(&[json!({"a": 1}), json!({"a": "x"})]), "data[1].a");
        assert_eq!(err(&[json!({"a": 1}), json!({"b": 1})]), "data[1].b");
        assert_eq!(err(&[json!({"a": [1]})]), "data[0].a");
    }

    #[test]
    fn uploaded_names_are_reduced_to_a_safe_file_name() {
        assert_eq!(safe_file_name("../../etc/pos.csv").unwrap(), "pos.csv");
        assert_eq!(safe_file_name("C:\\x\\a b.xlsx").unwrap(), "a b.xlsx");
        assert!(safe_file_name("noext").is_err());
        assert!(safe_file_name(".csv").is_err());
    }
}
