//! `import`: a CSV, XLSX/XLS/ODS or JSON file becomes a reference dataset or a document set.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::{Args, ValueEnum};
use engine::{Dataset, DatasetKind};
use service::ImportRequest;

use super::{io_err, print_json};
use crate::error::{CliError, EXIT_OK};
use crate::format::{duration, Table};
use crate::session::Session;
use crate::Io;

#[derive(Debug, Clone, Copy, ValueEnum)]
enum KindArg {
    Reference,
    Documents,
}

impl From<KindArg> for DatasetKind {
    fn from(kind: KindArg) -> Self {
        match kind {
            KindArg::Reference => DatasetKind::Reference,
            KindArg::Documents => DatasetKind::Documents,
        }
    }
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// What the file holds.
    #[arg(long, value_enum)]
    kind: KindArg,
    /// The file: CSV/TSV/TXT, XLSX/XLSM/XLS/ODS or a JSON array of objects.
    file: PathBuf,
    /// Display name; defaults to the file name without extension.
    #[arg(long)]
    name: Option<String>,
    /// Column that identifies a row; guessed when absent.
    #[arg(long, value_name = "COLUMN")]
    id_column: Option<String>,
    /// For documents: column with the document's file name; guessed when absent.
    #[arg(long, value_name = "COLUMN")]
    filename_column: Option<String>,
    /// Field delimiter: , ; tab or |. Detected when absent.
    #[arg(long, value_name = "D")]
    delimiter: Option<String>,
    /// Text files: force the encoding (utf-8, windows-1252, utf-16le, utf-16be). Detected when
    /// absent.
    #[arg(long, value_name = "ENC")]
    encoding: Option<String>,
    /// The first row is data: columns are named column_1, column_2, ...
    #[arg(long)]
    no_header: bool,
    /// Workbooks: the sheet to read; the first when absent.
    #[arg(long, value_name = "NAME")]
    sheet: Option<String>,
    /// Print the created dataset as JSON instead of a table.
    #[arg(long)]
    json: bool,
}

pub fn run(session: &Session, args: ImportArgs, io: &mut Io) -> Result<u8, CliError> {
    // The service reports a missing file as an import error naming only the file; checking here
    // gives the clearer "no such file" without changing the exit code (both are data errors).
    if !args.file.is_file() {
        return Err(CliError::data(format!(
            "{}: no such file",
            args.file.display()
        )));
    }
    let request = ImportRequest {
        name: args.name,
        id_column: args.id_column,
        filename_column: args.filename_column,
        delimiter: args.delimiter,
        encoding: args.encoding,
        has_header: args.no_header.then_some(false),
        sheet: args.sheet,
        ..ImportRequest::new(args.file.display().to_string(), args.kind.into())
    };
    let started = Instant::now();
    let dataset = session.workspace().import_dataset(&request)?;
    let took = started.elapsed();
    if args.json {
        print_json(&dataset, io)?;
        return Ok(EXIT_OK);
    }
    summary(&dataset, took).write(io.out).map_err(io_err)?;
    Ok(EXIT_OK)
}

/// The imported dataset as people check it: its id, kind, size, columns and the id and filename
/// columns the import chose.
fn summary(dataset: &Dataset, took: Duration) -> Table {
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
    table
}
