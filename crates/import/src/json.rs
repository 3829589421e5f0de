//! JSON files holding an array of flat objects, one per row, as APIs and scripts export tables.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use super::limits::{check_columns, check_file_size, check_next_row, check_values};
use super::sniff::{check_no_nul, check_text_start, read_text_file};
use super::{decode, file_label, FileFormat, ImportOptions, Table};
use crate::error::{error, ImportError};

pub(super) fn read_json(path: &Path, opts: &ImportOptions) -> Result<Table, ImportError> {
    let file = file_label(path);
    let bytes = read_text_file(path, &file, opts.encoding)?;
    read_json_bytes(&file, &bytes, opts)
}

/// One element of the top-level array. Objects keep their keys in file order (serde_json's own
/// map sorts them) and their values unparsed, so a number keeps the digits it was written with
/// (`349.90` stays `349.90`).
enum Element {
    Object(Vec<(String, Box<RawValue>)>),
    /// Anything else, described for the error ("a number").
    Other(&'static str),
}

/// The top level: the records, or what the file holds instead.
enum Top {
    Array(Vec<Element>),
    Other(&'static str),
}

/// Reads JSON content already in memory; `file` is the name used in the table and in errors.
pub fn read_json_bytes(
    file: &str,
    bytes: &[u8],
    opts: &ImportOptions,
) -> Result<Table, ImportError> {
    check_file_size(file, bytes.len() as u64)?;
    check_text_start(file, bytes, opts.encoding)?;
    let (text, encoding) = decode(bytes, opts.encoding);
    check_no_nul(file, &text)?;
    let elements = top_array(file, &text)?;
    let (columns, rows, row_numbers) = read_records(file, elements)?;
    Ok(Table {
        file: file.to_string(),
        format: FileFormat::Json,
        columns,
        rows,
        header_row: 0,
        row_numbers,
        delimiter: b',',
        encoding,
        sheets: Vec::new(),
        sheet: None,
    })
}

/// The elements of the file's top-level array; anything else at the top is refused.
fn top_array(file: &str, text: &str) -> Result<Vec<Element>, ImportError> {
    match serde_json::from_str::<Top>(text) {
        Ok(Top::Array(elements)) => Ok(elements),
        Ok(Top::Other(what)) => Err(error(
            file,
            None,
            None,
            format!(
                "The file holds {what}, not a list of records. It must be a JSON array of objects, one per row: [{{\"id\": 1, \"name\": \"...\"}}, ...]."
            ),
        )),
        Err(e) => Err(error(
            file,
            Some(e.line() as u64).filter(|&l| l > 0),
            None,
            format!("The file is not valid JSON: {e}."),
        )),
    }
}

/// A table's columns, rows and the record number of each row.
type Parts = (Vec<String>, Vec<Vec<String>>, Vec<u64>);

/// The columns, rows and record numbers of the array's elements, one row per element.
fn read_records(file: &str, elements: Vec<Element>) -> Result<Parts, ImportError> {
    let mut columns = Columns::default();
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut row_numbers: Vec<u64> = Vec::new();
    for (i, element) in elements.into_iter().enumerate() {
        let record = i as u64 + 1;
        let fields = match element {
            Element::Object(fields) => fields,
            Element::Other(what) => {
                return Err(error(
                    file,
                    Some(record),
                    None,
                    format!(
                        "Record {record} is {what}, not an object; every element of the array must be an object of named values."
                    ),
                ))
            }
        };
        let values = record_values(file, record, fields, &mut columns)?;
        // A record whose values are all null (or an empty object) is still a record the file
        // lists: it is kept as a row of empty values, so the rows stored match the records
        // written, and an id column points at it by number if it lacks an id.
        let names = &columns.names;
        check_next_row(file, record, rows.len(), names.len())?;
        check_values(file, record, values.iter().map(String::as_str), |i| {
            names[i].clone()
        })?;
        rows.push(values);
        row_numbers.push(record);
    }
    let columns = columns.names;
    if columns.is_empty() {
        return Err(error(
            file,
            None,
            None,
            "The file has no records with values: the array is empty or holds only empty objects."
                .to_string(),
        ));
    }
    // Records before a key's first appearance lack it: it is as empty for them as null.
    for row in &mut rows {
        row.resize(columns.len(), String::new());
    }
    Ok((columns, rows, row_numbers))
}

/// The columns so far: the keys in the order they first appear, and each one's position.
#[derive(Default)]
struct Columns {
    names: Vec<String>,
    index: HashMap<String, usize>,
}

impl Columns {
    /// The column of `key`, added after the others when `record` is the first to have it.
    fn position(&mut self, file: &str, record: u64, key: &str) -> Result<usize, ImportError> {
        if let Some(&c) = self.index.get(key) {
            return Ok(c);
        }
        check_columns(file, record, self.names.len() + 1).map_err(|e| ImportError {
            column: Some(key.to_string()),
            message: format!(
                "Record {record} brings the number of names (columns) above {}, the most one import takes.",
                super::limits::MAX_COLUMNS
            ),
            ..e
        })?;
        self.index.insert(key.to_string(), self.names.len());
        self.names.push(key.to_string());
        Ok(self.names.len() - 1)
    }
}

/// One record's values in column order, as wide as the columns after it (keys it brings first
/// are added to them).
fn record_values(
    file: &str,
    record: u64,
    fields: Vec<(String, Box<RawValue>)>,
    columns: &mut Columns,
) -> Result<Vec<String>, ImportError> {
    let mut values = vec![String::new(); columns.names.len()];
    let mut seen = vec![false; columns.names.len()];
    for (raw_key, raw) in fields {
        let key = raw_key.trim();
        if key.is_empty() {
            return Err(error(
                file,
                Some(record),
                None,
                format!(
                    "Record {record} has a value with an empty name; every value needs a name."
                ),
            ));
        }
        let column = columns.position(file, record, key)?;
        if column == values.len() {
            values.push(String::new());
            seen.push(false);
        }
        if std::mem::replace(&mut seen[column], true) {
            return Err(error(
                file,
                Some(record),
                Some(key.to_string()),
                format!("Record {record} has the name \"{key}\" twice; names must be unique within a record."),
            ));
        }
        values[column] = value_text(&raw).map_err(|what| {
            error(
                file,
                Some(record),
                Some(key.to_string()),
                format!(
                    "Record {record} has {what} under \"{key}\"; only text, numbers, true/false and null can be imported. Flatten the data first."
                ),
            )
        })?;
    }
    Ok(values)
}

/// A value's text: strings as they are, numbers as written, true/false, null as empty. A nested
/// object or array gives its description as the error.
fn value_text(raw: &RawValue) -> Result<String, &'static str> {
    let text = raw.get();
    Ok(match text.as_bytes().first() {
        Some(b'"') => serde_json::from_str::<String>(text).map_err(|_| "an unreadable text")?,
        Some(b'{') => return Err("a nested object"),
        Some(b'[') => return Err("a list"),
        Some(b'n') => String::new(),
        // true, false, or a number as written.
        _ => text.to_string(),
    })
}

impl<'de> Deserialize<'de> for Top {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TopVisitor;
        impl<'de> Visitor<'de> for TopVisitor {
            type Value = Top;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array of objects")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Top, A::Error> {
                let mut elements = Vec::new();
                while let Some(element) = seq.next_element::<Element>()? {
                    elements.push(element);
                }
                Ok(Top::Array(elements))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Top, A::Error> {
                // Read to the end so the rest of the file is still checked to be valid JSON.
                while map
                    .next_entry::<de::IgnoredAny, de::IgnoredAny>()?
                    .is_some()
                {}
                Ok(Top::Other("a single object"))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Top, E> {
                Ok(Top::Other("true or false"))
            }
            fn visit_i64<E>(self, _: i64) -> Result<Top, E> {
                Ok(Top::Other("a number"))
            }
            fn visit_u64<E>(self, _: u64) -> Result<Top, E> {
                Ok(Top::Other("a number"))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Top, E> {
                Ok(Top::Other("a number"))
            }
            fn visit_str<E>(self, _: &str) -> Result<Top, E> {
                Ok(Top::Other("a text"))
            }
            fn visit_unit<E>(self) -> Result<Top, E> {
                Ok(Top::Other("null"))
            }
        }
        deserializer.deserialize_any(TopVisitor)
    }
}

impl<'de> Deserialize<'de> for Element {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ObjectVisitor;
        impl<'de> Visitor<'de> for ObjectVisitor {
            type Value = Element;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Element, A::Error> {
                let mut fields = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    fields.push((key, map.next_value::<Box<RawValue>>()?));
                }
                Ok(Element::Object(fields))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Element, A::Error> {
                while seq.next_element::<de::IgnoredAny>()?.is_some() {}
                Ok(Element::Other("a list"))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Element, E> {
                Ok(Element::Other("true or false"))
            }
            fn visit_i64<E>(self, _: i64) -> Result<Element, E> {
                Ok(Element::Other("a number"))
            }
            fn visit_u64<E>(self, _: u64) -> Result<Element, E> {
                Ok(Element::Other("a number"))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Element, E> {
                Ok(Element::Other("a number"))
            }
            fn visit_str<E>(self, _: &str) -> Result<Element, E> {
                Ok(Element::Other("a text"))
            }
            fn visit_unit<E>(self) -> Result<Element, E> {
                Ok(Element::Other("null"))
            }
        }
        deserializer.deserialize_any(ObjectVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Table, ImportError> {
        read_json_bytes("t.json", text.as_bytes(), &ImportOptions::default())
    }

    #[test]
    fn columns_are_the_union_of_keys_in_first_seen_order() {
        let t = read(
            r#"[
              {"zeta": "a", "id": 1, "amount": 349.90},
              {"id": 2, "extra": true, "zeta": null, "amount": -1e3},
              {},
              {"id": 3, "amount": 0, "extra": false, "zeta": "caf\u00e9 \"x\""}
            ]"#,
        )
        .unwrap();
        assert_eq!(t.format, FileFormat::Json);
        assert_eq!(t.columns, ["zeta", "id", "amount", "extra"]);
        assert_eq!(
            t.rows,
            [
                ["a", "1", "349.90", ""],
                ["", "2", "-1e3", "true"],
                ["", "", "", ""],
                ["café \"x\"", "3", "0", "false"],
            ]
        );
        // The empty object is a record too: kept, so rows match the records written.
        assert_eq!(t.row_numbers, [1, 2, 3, 4]);
        assert_eq!(t.header_row, 0);
    }

    #[test]
    fn a_record_of_only_nulls_is_kept() {
        let t =
            read(r#"[{"id": 1, "v": "a"}, {"id": null, "v": null}, {"id": 3, "v": "c"}]"#).unwrap();
        assert_eq!(t.rows.len(), 3, "3 records in, 3 rows out");
        assert_eq!(t.rows[1], ["", ""]);
        assert_eq!(t.row_numbers, [1, 2, 3]);
        // An id column then names the record that lacks its id, instead of losing it.
        let err = super::super::to_records(&t, Some("id")).unwrap_err();
        assert_eq!(err.row, Some(2));
        assert_eq!(err.column.as_deref(), Some("id"));
    }

    #[test]
    fn nested_values_name_the_record_and_key() {
        let err = read(r#"[{"id": 1}, {"id": 2}, {"id": 3, "lines": [1, 2]}]"#).unwrap_err();
        assert_eq!(err.file, "t.json");
        assert_eq!(err.row, Some(3));
        assert_eq!(err.column.as_deref(), Some("lines"));
        assert!(err.message.contains("Record 3"), "{}", err.message);
        assert!(err.message.contains("a list"), "{}", err.message);
        let err = read(r#"[{"id": 1, "vendor": {"name": "x"}}]"#).unwrap_err();
        assert_eq!(err.row, Some(1));
        assert_eq!(err.column.as_deref(), Some("vendor"));
        assert!(err.message.contains("nested object"), "{}", err.message);
    }

    #[test]
    fn wrong_shapes_are_explained() {
        let err = read(r#"{"id": 1}"#).unwrap_err();
        assert_eq!(err.row, None);
        assert!(err.message.contains("a single object"), "{}", err.message);
        assert!(err.message.contains("array of objects"), "{}", err.message);
        let err = read("42").unwrap_err();
        assert!(err.message.contains("a number"), "{}", err.message);
        let err = read(r#"[{"id": 1}, "two"]"#).unwrap_err();
        assert_eq!(err.row, Some(2));
        assert!(
            err.message.contains("Record 2 is a text"),
            "{}",
            err.message
        );
        let err = read("[]").unwrap_err();
        assert!(err.message.contains("no records"), "{}", err.message);
        let err = read(r#"[{"id": 1, " id": 2}]"#).unwrap_err();
        assert_eq!(err.column.as_deref(), Some("id"));
        assert!(err.message.contains("twice"), "{}", err.message);
    }

    #[test]
    fn invalid_json_names_the_line() {
        let err = read("[\n  {\"id\": 1},\n  {\"id\": 2,}\n]").unwrap_err();
        assert_eq!(err.row, Some(3));
        assert!(err.message.contains("not valid JSON"), "{}", err.message);
        let err = read("[{\"id\": 1}").unwrap_err();
        assert_eq!(err.row, Some(1));
        // Valid JSON after a top-level object is still checked.
        let err = read("{\"id\": 1} x").unwrap_err();
        assert!(err.message.contains("not valid JSON"), "{}", err.message);
    }

    #[test]
    fn duplicate_ids_are_reported_by_record() {
        let t = read(r#"[{"id": "a"}, {"id": "b"}, {"id": "a"}]"#).unwrap();
        let err = super::super::to_records(&t, Some("id")).unwrap_err();
        assert_eq!(err.row, Some(3));
        assert!(err.message.contains("record 1"), "{}", err.message);
        let err = super::super::to_records(&t, Some("nope")).unwrap_err();
        assert_eq!(err.row, None);
    }

    #[test]
    fn bom_and_forced_encoding() {
        let t = read_json_bytes(
            "t.json",
            b"\xEF\xBB\xBF[{\"name\": \"M\xC3\xBCller\"}]",
            &ImportOptions::default(),
        )
        .unwrap();
        assert_eq!(t.rows, [["Müller"]]);
        let opts = ImportOptions {
            encoding: Some(super::super::TextEncoding::Windows1252),
            ..ImportOptions::default()
        };
        let t = read_json_bytes("t.json", b"[{\"name\": \"M\xC3\xBCller\"}]", &opts).unwrap();
        assert_eq!(t.rows, [["MÃ¼ller"]]);
        assert_eq!(t.encoding, "windows-1252");
    }
}
