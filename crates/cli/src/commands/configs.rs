//! `configs create` and `configs list`.

use std::path::Path;

use engine::ConfigInput;

use super::io_err;
use crate::error::{CliError, EXIT_OK};
use crate::format::{score, Table};
use crate::session::Session;
use crate::Io;

/// Creates a config from a JSON `ConfigInput`. Datasets are named by id, exactly as the service
/// takes them, so a file written for the REST API works here unchanged.
pub fn create(session: &Session, file: &Path, io: &mut Io) -> Result<u8, CliError> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| CliError::data(format!("{}: {e}", file.display())))?;
    let input: ConfigInput = serde_json::from_str(&text).map_err(|e| {
        CliError::data(format!(
            "{}: not a valid config (line {}, column {}): {e}",
            file.display(),
            e.line(),
            e.column()
        ))
    })?;
    let config = session.workspace().create_config(&input)?;
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

/// One config per line: id, then name, so `cut -d' ' -f1` gives the ids.
pub fn list(session: &Session, io: &mut Io) -> Result<u8, CliError> {
    for config in session.workspace().list_configs()? {
        writeln!(io.out, "{}  {}", config.id, config.name).map_err(io_err)?;
    }
    Ok(EXIT_OK)
}
