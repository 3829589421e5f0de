//! A package's documents read from files (what suppliers send, what a clerk saved): every row of a
//! CSV, workbook or JSON file becomes one input document of a slot.

use std::path::Path;

use engine::DatasetKind;
use serde_json::Value;

use super::runs::InputRow;
use crate::error::Result;

/// The rows of `path` as input documents: the id from the column that holds ids (`document_id`,
/// `doc_id`, `id`, else the first `..._id`), else the file name and row; every column a value.
pub fn input_rows_from_file(path: &Path) -> Result<Vec<InputRow>> {
    let table = import::read_table(path, &import::ImportOptions::default())?;
    let id_column = import::guess_id_column(&table.columns, DatasetKind::Documents)
        .or_else(|| import::guess_id_column(&table.columns, DatasetKind::Reference));
    let id_index = id_column
        .as_ref()
        .and_then(|c| table.columns.iter().position(|x| x == c));
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(table
        .rows
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let id = id_index
                .and_then(|j| row.get(j))
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| {
                    if table.rows.len() == 1 {
                        stem.clone()
                    } else {
                        format!("{stem}#{}", i + 1)
                    }
                });
            InputRow {
                document_id: id,
                extraction_row_id: Some(format!("{}:{}", table.file, table.row_numbers[i])),
                values: table
                    .columns
                    .iter()
                    .zip(row)
                    .map(|(c, v)| (c.clone(), Value::String(v.clone())))
                    .collect(),
            }
        })
        .collect())
}
