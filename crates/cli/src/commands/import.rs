//! `import`: a CSV, XLSX/XLS/ODS or JSON file becomes a reference dataset or a document set; or,
//! with `--from-sql`, the rows of a PostgreSQL query become reference data, and `--refresh` re-runs
//! a dataset's stored query into a new version. The database side lives in the submodules: `sql`
//! (its options, the password, the request), `wait` (progress, Ctrl-C and the outcome) and
//! `detach` (`--no-wait`: the import goes on in a process of its own).

mod detach;
mod sql;
mod wait;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::{ArgGroup, Args, ValueEnum};
use engine::{Dataset, DatasetKind};
use service::ImportRequest;

use super::{io_err, print_json};
use crate::error::{CliError, EXIT_OK};
use crate::format::{duration, Table};
use crate::session::WorkspaceArg;
use crate::Io;

/// What `import --help` adds after the options: the database import in a few lines.
const AFTER_HELP: &str = "\
From PostgreSQL, the rows of one SELECT become reference data, typed from the query's columns:
  matchbook import --from-sql --host db.example.com --database erp --user reader \\
      --query \"SELECT * FROM purchase_orders\" --id-column po_id
  matchbook import --refresh DATASET_ID      (the stored query again, into a new version)

The password is never an option: --password-stdin reads it from stdin, else PGPASSWORD, else the
PostgreSQL password file (PGPASSFILE or ~/.pgpass, as psql reads it); --save-password writes it
there (mode 0600) so later refreshes find it. The password is never stored in the workspace.

The command waits, showing the rows imported so far on stderr, then prints the dataset. Ctrl-C
cancels and exits with 130: a first import leaves nothing, a refresh keeps the version in use.
--no-wait prints the dataset (status importing) at once while the rows go on streaming in a
background process; `datasets` shows when it is ready.";

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
#[command(after_help = AFTER_HELP)]
#[command(group(
    ArgGroup::new("source")
        .required(true)
        .args(["file", "from_sql", "refresh"])
))]
#[command(group(
    ArgGroup::new("file_options")
        .multiple(true)
        .args(["filename_column", "delimiter", "encoding", "no_header", "sheet"])
))]
pub struct ImportArgs {
    /// What the file holds. Not needed from a database: that is always reference data.
    #[arg(long, value_enum, required_unless_present_any = ["from_sql", "refresh"])]
    kind: Option<KindArg>,
    /// The file: CSV/TSV/TXT, XLSX/XLSM/XLS/ODS or a JSON array of objects.
    file: Option<PathBuf>,
    /// Display name; defaults to the file name without extension (from a database, to
    /// "DATABASE: TABLE" of the query's first table).
    #[arg(long, conflicts_with = "refresh")]
    name: Option<String>,
    /// Column that identifies a row; guessed when absent.
    #[arg(long, value_name = "COLUMN", conflicts_with = "refresh")]
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
    #[command(flatten)]
    sql: sql::SqlArgs,
}

/// A file import, or (with `--from-sql`, `--refresh`) a database one, waited for unless
/// `--no-wait`. Opens the workspace itself: `--no-wait` hands its path to another process.
pub fn run(workspace: &WorkspaceArg, args: ImportArgs, io: &mut Io) -> Result<u8, CliError> {
    if let Some(job) = sql::job(&args)? {
        if args.sql.no_wait {
            return detach::start(workspace, &job, args.json, io);
        }
        let shown = wait::Shown {
            json: args.json,
            progress: !args.sql.no_progress,
        };
        return wait::run(&workspace.open()?, &job, shown, io);
    }
    import_file(workspace, args, io)
}

/// The hidden `import-worker` command: the background process of `import --no-wait`.
pub fn worker(workspace: &WorkspaceArg, io: &mut Io) -> Result<u8, CliError> {
    detach::worker(workspace, io)
}

fn import_file(workspace: &WorkspaceArg, args: ImportArgs, io: &mut Io) -> Result<u8, CliError> {
    // clap requires both for a file import (the `source` group and `--kind`).
    let (Some(file), Some(kind)) = (args.file, args.kind) else {
        return Err(CliError::Usage("import needs --kind and a file".into()));
    };
    // The service reports a missing file as an import error naming only the file; checking here
    // gives the clearer "no such file" without changing the exit code (both are data errors).
    if !file.is_file() {
        return Err(CliError::data(format!("{}: no such file", file.display())));
    }
    let session = workspace.open()?;
    let request = ImportRequest {
        name: args.name,
        id_column: args.id_column,
        filename_column: args.filename_column,
        delimiter: args.delimiter,
        encoding: args.encoding,
        has_header: args.no_header.then_some(false),
        sheet: args.sheet,
        ..ImportRequest::new(file.display().to_string(), kind.into())
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
/// columns the import chose; from a database also where from, its status, version and error.
fn summary(dataset: &Dataset, took: Duration) -> Table {
    let columns = dataset
        .columns
        .iter()
        .map(|c| format!("{} ({})", c.name, c.kind))
        .collect::<Vec<_>>()
        .join(", ");
    let mut table = Table::new();
    table.row("dataset", &dataset.id).row(
        "name",
        format!(
            "{} ({})",
            dataset.name,
            match dataset.kind {
                DatasetKind::Reference => "reference data",
                DatasetKind::Documents => "documents",
            }
        ),
    );
    if let Some(sql) = &dataset.sql {
        table
            .row("source", sql.connection.display())
            .row("status", dataset.status.as_str())
            .row("version", dataset.version.to_string());
    }
    table
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
    if let Some(error) = &dataset.error {
        table.row("error", error);
    }
    table.row("time", duration(took));
    table
}
