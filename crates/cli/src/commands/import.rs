//! `import`: a CSV, XLSX/XLS/ODS or JSON file becomes a reference dataset or a document set.

use std::time::Instant;

use engine::DatasetKind;
use service::ImportRequest;

use super::{io_err, print_json};
use crate::error::{CliError, EXIT_OK};
use crate::format::{duration, Table};
use crate::session::Session;
use crate::{ImportArgs, Io, KindArg};

pub fn run(session: &Session, args: &ImportArgs, io: &mut Io) -> Result<u8, CliError> {
    let kind = match args.kind {
        KindArg::Reference => DatasetKind::Reference,
        KindArg::Documents => DatasetKind::Documents,
    };
    // The service reports a missing file as an import error naming only the file; checking here
    // gives the clearer "no such file" without changing the exit code (both are data errors).
    if !args.file.is_file() {
        return Err(CliError::data(format!(
            "{}: no such file",
            args.file.display()
        )));
    }
    let request = ImportRequest {
        path: args.file.display().to_string(),
        kind,
        name: args.name.clone(),
        id_column: args.id_column.clone(),
        filename_column: args.filename_column.clone(),
        delimiter: args.delimiter.clone(),
        encoding: args.encoding.clone(),
        has_header: args.no_header.then_some(false),
        sheet: args.sheet.clone(),
    };
    let started = Instant::now();
    let dataset = session.workspace().import_dataset(&request)?;
    let took = started.elapsed();
    if args.json {
        print_json(&dataset, io)?;
        return Ok(EXIT_OK);
    }

    let columns = dataset
        .columns
        .iter()
        .map(|c| format!("{} ({})", c.name, c.kind))
        .collect::<Vec<_>>()
        .join(", ");
    let mut table = Table::new();
    table
        .row("dataset", &dataset.id)
        .row(
            "name",
            format!(
                "{} ({})",
                dataset.name,
                match dataset.kind {
                    DatasetKind::Reference => "reference data",
                    DatasetKind::Documents => "documents",
                }
            ),
        )
        .row("rows", dataset.row_count.to_string())
        .row("columns", format!("{}: {columns}", dataset.columns.len()))
        .row(
            "id column",
            dataset
                .id_column
                .as_deref()
                .unwrap_or("(none: rows are row-1, row-2, ...)"),
        );
    if dataset.kind == DatasetKind::Documents {
        table.row(
            "filename column",
            dataset.filename_column.as_deref().unwrap_or("(none)"),
        );
    }
    table.row("time", duration(took));
    table.write(io.out).map_err(io_err)?;
    Ok(EXIT_OK)
}
