//! Reading a config file for `configs create`: JSON or TOML, with the command line's overrides
//! applied, checked as the service's `ConfigInput`, errors placed by line and column.

use std::path::Path;

use engine::ConfigInput;
use serde_json::{Map, Value};

use crate::error::CliError;

/// What the command line may set on top of the file, so one hand-written file (such as
/// docs/configs/invoices-to-pos.toml) serves any workspace: dataset ids are only known after import.
#[derive(Debug, Default)]
pub(super) struct Overrides {
    pub name: Option<String>,
    pub reference_data_id: Option<String>,
    pub document_set_id: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Format {
    Json,
    Toml,
}

impl Format {
    fn of(file: &Path) -> Format {
        match file.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("toml") => Format::Toml,
            _ => Format::Json,
        }
    }
}

/// Reads a config file, applies the command line's overrides, and checks it is a `ConfigInput`.
/// Every error names the file and, where the text shows the problem, its line and column.
pub(super) fn read_config(
    file: &Path,
    text: &str,
    overrides: &Overrides,
) -> Result<ConfigInput, CliError> {
    let format = Format::of(file);
    let located = |line: usize, column: usize, message: &str| {
        CliError::data(format!(
            "{}, line {line}, column {column}: not a valid config: {message}",
            file.display()
        ))
    };
    // Syntax first, into a plain value: the overrides are applied to that, whatever the format.
    let mut value = match format {
        Format::Json => serde_json::from_str::<Value>(text)
            .map_err(|e| located(e.line(), e.column(), &json_message(&e)))?,
        Format::Toml => {
            let table = toml::from_str::<toml::Table>(text).map_err(|e| {
                let (line, column) = line_column(text, e.span().map_or(0, |s| s.start));
                located(line, column, e.message().trim_end())
            })?;
            serde_json::to_value(table).map_err(|e| {
                CliError::data(format!("{}: not a valid config: {e}", file.display()))
            })?
        }
    };
    let Some(object) = value.as_object_mut() else {
        return Err(CliError::data(format!(
            "{}: not a valid config: the file must hold one object (a table in TOML) with name, \
             reference_data_id and field_mappings",
            file.display()
        )));
    };
    apply_overrides(file, object, overrides)?;

    serde_json::from_value::<ConfigInput>(value).map_err(|e| {
        let message = json_message(&e);
        // The value has lost its positions. Reading the text itself, without the overrides,
        // meets the same problem at the same place unless an override was what it is about;
        // the same message means the same problem, so its position is the one to show.
        let position = match format {
            Format::Json => serde_json::from_str::<ConfigInput>(text)
                .err()
                .filter(|t| json_message(t) == message)
                .map(|t| (t.line(), t.column())),
            Format::Toml => toml::from_str::<ConfigInput>(text)
                .err()
                .filter(|t| t.message().trim_end() == message)
                .and_then(|t| t.span())
                .map(|s| line_column(text, s.start)),
        };
        // What the typed read finds (an unknown field, a value of the wrong type, a missing
        // field) is what the service and the API call a validation error: tagged the same way.
        let message = format!("{message} [validation_error]");
        match position {
            Some((line, column)) => located(line, column, &message),
            None => CliError::data(format!("{}: not a valid config: {message}", file.display())),
        }
    })
}

/// Sets what the command line gives over the file's values, and the file's name as the name when
/// neither gives one; a config without reference data is refused here, where the flag that gives
/// it can be named.
fn apply_overrides(
    file: &Path,
    object: &mut Map<String, Value>,
    overrides: &Overrides,
) -> Result<(), CliError> {
    let mut set = |key: &str, v: &Option<String>| {
        if let Some(v) = v {
            object.insert(key.into(), Value::String(v.clone()));
        }
    };
    set("name", &overrides.name);
    set("reference_data_id", &overrides.reference_data_id);
    set("document_set_id", &overrides.document_set_id);
    if !object.contains_key("name") {
        // As `import --name` does: the file's name is a fair default for a display name.
        if let Some(stem) = file.file_stem().and_then(|s| s.to_str()) {
            object.insert("name".into(), Value::String(stem.into()));
        }
    }
    if !object.contains_key("reference_data_id") {
        return Err(CliError::data(format!(
            "{}: not a valid config: no reference_data_id; put it in the file or pass \
             --reference-data ID",
            file.display()
        )));
    }
    Ok(())
}

/// serde_json's message without the " at line L column C" it appends: the position is given
/// once, in front, the same way for both formats.
fn json_message(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    text.strip_suffix(&suffix).unwrap_or(&text).to_string()
}

/// 1-based line and column (in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit_once('\n')
        .map_or(before, |(_, last)| last)
        .chars()
        .count()
        + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use engine::Schedule;

    use super::*;

    fn read(name: &str, text: &str, o: &Overrides) -> Result<ConfigInput, String> {
        read_config(Path::new(name), text, o).map_err(|e| e.to_string())
    }

    const TOML: &str = r#"name = "From TOML"
reference_data_id = "ref"
threshold = 0.8

[[field_mappings]]
source = "po_reference"
target = "po_number"
strategy = "fuzzy"
weight = 1
tax_rates = [19, 20]

[schedule]
interval_minutes = 60
"#;

    #[test]
    fn toml_and_json_read_the_same() {
        let t = read("c.toml", TOML, &Overrides::default()).unwrap();
        assert_eq!(t.name, "From TOML");
        assert_eq!(
            t.field_mappings[0].weight, 1.0,
            "integers are read as numbers"
        );
        assert_eq!(t.schedule, Some(Schedule::IntervalMinutes(60)));
        let j = read(
            "c.json",
            &serde_json::to_string(&t).unwrap(),
            &Overrides::default(),
        )
        .unwrap();
        assert_eq!(t, j);
    }

    #[test]
    fn the_example_files_are_one_config() {
        let o = Overrides {
            reference_data_id: Some("ref".into()),
            ..Overrides::default()
        };
        let toml = read(
            "docs/configs/invoices-to-pos.toml",
            include_str!("../../../../../docs/configs/invoices-to-pos.toml"),
            &o,
        )
        .unwrap();
        let json = read(
            "docs/configs/invoices-to-pos.json",
            include_str!("../../../../../docs/configs/invoices-to-pos.json"),
            &o,
        )
        .unwrap();
        assert_eq!(toml, json);
        assert_eq!(toml.name, "invoices-to-pos");
        assert_eq!(toml.field_mappings.len(), 6);
    }

    #[test]
    fn overrides_fill_in_and_replace() {
        let o = Overrides {
            name: None,
            reference_data_id: Some("other".into()),
            document_set_id: Some("docs".into()),
        };
        let c = read("dir/my-config.json", r#"{"field_mappings": []}"#, &o).unwrap();
        assert_eq!(
            (c.name.as_str(), c.reference_data_id.as_str()),
            ("my-config", "other")
        );
        assert_eq!(c.document_set_id.as_deref(), Some("docs"));
        let e = read("x.json", r#"{"field_mappings": []}"#, &Overrides::default()).unwrap_err();
        assert!(e.contains("--reference-data"), "{e}");
    }

    #[test]
    fn errors_name_file_line_and_column() {
        let e = read(
            "bad.toml",
            "name = \"x\"\nthreshold = = 1\n",
            &Overrides::default(),
        )
        .unwrap_err();
        assert!(e.starts_with("bad.toml, line 2, column "), "{e}");

        // A wrong value found only by the typed read is still placed in the text.
        let bad = TOML.replace("\"fuzzy\"", "\"fuzy\"");
        let e = read("c.toml", &bad, &Overrides::default()).unwrap_err();
        assert!(e.starts_with("c.toml, line 8, column "), "{e}");
        assert!(e.contains("fuzy"), "{e}");

        let e = read(
            "c.json",
            "{\n  \"name\": \"x\",\n  \"reference_data_id\": 5, \"field_mappings\": []}",
            &Overrides::default(),
        )
        .unwrap_err();
        assert!(e.starts_with("c.json, line 3, column "), "{e}");

        let e = read("c.json", "[1]", &Overrides::default()).unwrap_err();
        assert!(e.contains("one object"), "{e}");
    }

    #[test]
    fn unknown_fields_are_refused_at_the_top_as_in_a_mapping() {
        let e = read(
            "c.toml",
            &TOML.replace("threshold = 0.8", "thresold = 0.95"),
            &Overrides::default(),
        )
        .unwrap_err();
        assert!(e.starts_with("c.toml, line 3, column "), "{e}");
        assert!(e.contains("unknown field `thresold`"), "{e}");
        assert!(e.ends_with("[validation_error]"), "{e}");
        let mut json: Value =
            serde_json::to_value(read("c.toml", TOML, &Overrides::default()).unwrap()).unwrap();
        json["thresold"] = 0.95.into();
        let e = read("c.json", &json.to_string(), &Overrides::default()).unwrap_err();
        assert!(e.contains("unknown field `thresold`"), "{e}");
    }

    #[test]
    fn line_column_counts_characters() {
        assert_eq!(line_column("ab\ncé d", 7), (2, 4));
        assert_eq!(line_column("", 0), (1, 1));
    }
}
