//! `datasets`: the workspace's reference data and document sets, with where each import stands
//! (status, version, the error of a failed one), as a table or the service's JSON.

use engine::{Dataset, DatasetKind, DatasetStatus};

use super::{io_err, print_json};
use crate::error::{CliError, EXIT_OK};
use crate::format::thousands;
use crate::session::Session;
use crate::Io;

#[derive(Debug, clap::Args)]
pub struct DatasetsArgs {
    /// Print the service's JSON (an array of datasets) instead of a table.
    #[arg(long)]
    json: bool,
}

/// A line per dataset: id, kind, status, version, rows, name; a failed import's error under it.
pub fn run(session: &Session, args: DatasetsArgs, io: &mut Io) -> Result<u8, CliError> {
    let datasets = session.workspace().list_datasets()?;
    if args.json {
        print_json(&datasets, io)?;
        return Ok(EXIT_OK);
    }
    for d in &datasets {
        writeln!(
            io.out,
            "{}  {:<9}  {:<9}  v{:<3}  {:>12}  {}",
            d.id,
            match d.kind {
                DatasetKind::Reference => "reference",
                DatasetKind::Documents => "documents",
            },
            d.status.as_str(),
            d.version,
            rows(d),
            d.name
        )
        .map_err(io_err)?;
        if let Some(error) = d
            .error
            .as_deref()
            .filter(|_| d.status == DatasetStatus::Failed)
        {
            writeln!(io.out, "    error: {error}").map_err(io_err)?;
        }
    }
    if datasets.is_empty() {
        writeln!(io.err, "(no datasets: `import` makes one)").map_err(io_err)?;
    }
    Ok(EXIT_OK)
}

/// "1,200 rows", or while importing the rows read so far.
fn rows(d: &Dataset) -> String {
    match (d.status, d.rows_imported) {
        (DatasetStatus::Importing, Some(n)) => format!("{} so far", thousands(n)),
        _ => format!("{} rows", thousands(d.row_count)),
    }
}
