//! `configs create`, `configs list` and `configs show`.

use std::path::Path;

use engine::{ConfigInput, FieldMapping, MatchingConfig, Schedule};
use serde_json::Value;

use super::{io_err, print_json};
use crate::error::{CliError, EXIT_OK};
use crate::format::{score, thousands, Table};
use crate::session::Session;
use crate::Io;

/// What the command line may set on top of the file, so one hand-written file (such as
/// docs/configs/invoices-to-pos.toml) serves any workspace: dataset ids are only known after import.
#[derive(Debug, Default)]
pub struct Overrides {
    pub name: Option<String>,
    pub reference_data_id: Option<String>,
    pub document_set_id: Option<String>,
}

/// Creates a config from a `ConfigInput` in JSON or TOML (by the `.toml` extension). Datasets are
/// named by id, exactly as the service takes them, so a file written for the REST API works here
/// unchanged.
pub fn create(
    session: &Session,
    file: &Path,
    overrides: &Overrides,
    json: bool,
    io: &mut Io,
) -> Result<u8, CliError> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| CliError::data(format!("{}: {e}", file.display())))?;
    let input = read_config(file, &text, overrides)?;
    let config = session.workspace().create_config(&input)?;
    if json {
        print_json(&config, io)?;
        return Ok(EXIT_OK);
    }
    let mut table = Table::new();
    table
        .row("config", &config.id)
        .row("name", &config.name)
        .row("reference data", &config.reference_data_id)
        .row(
            "documents",
            config
                .document_set_id
                .as_deref()
                .unwrap_or("(every document set)"),
        )
        .row("fields", config.field_mappings.len().to_string())
        .row("threshold", score(Some(config.threshold)))
        .row("review floor", score(Some(config.review_floor)));
    table.write(io.out).map_err(io_err)?;
    Ok(EXIT_OK)
}

/// One config per line: id, then name, so `cut -d' ' -f1` gives the ids. `--json`: the service's
/// configs, oldest first as it lists them.
pub fn list(session: &Session, json: bool, io: &mut Io) -> Result<u8, CliError> {
    let configs = session.workspace().list_configs()?;
    if json {
        print_json(&configs, io)?;
        return Ok(EXIT_OK);
    }
    for config in configs {
        writeln!(io.out, "{}  {}", config.id, config.name).map_err(io_err)?;
    }
    Ok(EXIT_OK)
}

/// A config's settings, then one line per field mapping with the parameters it sets.
pub fn show(session: &Session, id: &str, json: bool, io: &mut Io) -> Result<u8, CliError> {
    let ws = session.workspace();
    let config = ws.get_config(id)?;
    if json {
        print_json(&config, io)?;
        return Ok(EXIT_OK);
    }
    // A dataset deleted since is not an error here: the config is still worth reading.
    let dataset = |id: &str| match ws.get_dataset(id) {
        Ok(d) => format!("{id} ({}, {} rows)", d.name, thousands(d.row_count)),
        Err(_) => format!("{id} (not in this workspace)"),
    };
    let mut table = Table::new();
    table
        .row("config", &config.id)
        .row("name", &config.name)
        .row("reference data", dataset(&config.reference_data_id))
        .row(
            "documents",
            config
                .document_set_id
                .as_deref()
                .map_or_else(|| "(every document set)".to_string(), dataset),
        )
        .row("threshold", score(Some(config.threshold)))
        .row("review floor", score(Some(config.review_floor)))
        .row("one-to-one", if config.one_to_one { "yes" } else { "no" })
        .row("schedule", schedule(config.schedule.as_ref()))
        .row("created", &config.created_at)
        .row("updated", &config.updated_at)
        .row("fields", config.field_mappings.len().to_string());
    table.write(io.out).map_err(io_err)?;
    write_fields(&config, io)?;
    Ok(EXIT_OK)
}

fn schedule(s: Option<&Schedule>) -> String {
    match s {
        None => "never (runs only when started)".into(),
        Some(Schedule::IntervalMinutes(m)) => format!("every {m} min"),
        Some(Schedule::Cron(c)) => format!("cron \"{c}\""),
    }
}

/// `  source -> target  strategy  weight w  parameters`, columns aligned.
fn write_fields(config: &MatchingConfig, io: &mut Io) -> Result<(), CliError> {
    let fields = &config.field_mappings;
    let pair = |f: &FieldMapping| format!("{} -> {}", f.source, f.target);
    let w_pair = fields.iter().map(|f| pair(f).len()).max().unwrap_or(0);
    let w_strategy = fields
        .iter()
        .map(|f| f.strategy.as_str().len())
        .max()
        .unwrap_or(0);
    let w_weight = fields
        .iter()
        .map(|f| f.weight.to_string().len())
        .max()
        .unwrap_or(0);
    for f in fields {
        let mut line = format!(
            "  {:<w_pair$}  {:<w_strategy$}  weight {:<w_weight$}",
            pair(f),
            f.strategy.as_str(),
            f.weight.to_string()
        );
        let params = parameters(f);
        if !params.is_empty() {
            line.push_str("  ");
            line.push_str(&params.join(", "));
        }
        writeln!(io.out, "{}", line.trim_end()).map_err(io_err)?;
    }
    Ok(())
}

/// The parameters a mapping sets, in words; defaults left out, as the file left them out.
fn parameters(f: &FieldMapping) -> Vec<String> {
    // The enums' serde names are what the user wrote in the file.
    let name = |v: Value| v.as_str().map(str::to_string).unwrap_or_default();
    let list = |v: &[f64]| {
        v.iter()
            .map(|x| x.to_string())
            .collect::<Vec<_>>()
            .join("/")
    };
    let mut out = Vec::new();
    if let Some(n) = f.normalizer {
        out.push(format!(
            "normalizer {}",
            name(serde_json::to_value(n).unwrap_or_default())
        ));
    }
    if let Some(m) = f.measure {
        out.push(format!(
            "measure {}",
            name(serde_json::to_value(m).unwrap_or_default())
        ));
    }
    if f.term_frequency == Some(true) {
        out.push("term frequency".into());
    }
    if let Some(t) = f.similarity_threshold {
        out.push(format!("min similarity {t}"));
    }
    if let Some(d) = f.tolerance_days {
        out.push(format!("within {d} days"));
    }
    if f.days_before.is_some() || f.days_after.is_some() {
        out.push(format!(
            "from {} days before to {} days after",
            f.days_before.unwrap_or(0),
            f.days_after.unwrap_or(0)
        ));
    }
    if let Some(o) = f.date_order {
        out.push(format!(
            "dates {}",
            name(serde_json::to_value(o).unwrap_or_default())
        ));
    }
    if let Some(p) = f.tolerance_percent {
        out.push(format!("within {p} %"));
    }
    if let Some(a) = f.tolerance_absolute {
        out.push(format!("within {a} absolute"));
    }
    if let Some(r) = &f.tax_rates {
        out.push(format!("tax rates {} %", list(r)));
    }
    if let Some(s) = &f.partial_shares {
        out.push(format!("partial shares {}", list(s)));
    }
    if let Some(s) = f.partial_score {
        out.push(format!("partial score {s}"));
    }
    if let Some(m) = f.mismatch_weight {
        out.push(format!("mismatch weight {m}"));
    }
    out
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
fn read_config(file: &Path, text: &str, overrides: &Overrides) -> Result<ConfigInput, CliError> {
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
            include_str!("../../../../docs/configs/invoices-to-pos.toml"),
            &o,
        )
        .unwrap();
        let json = read(
            "docs/configs/invoices-to-pos.json",
            include_str!("../../../../docs/configs/invoices-to-pos.json"),
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
