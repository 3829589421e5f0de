//! `export`: a run's matches and unmatched documents to CSV or XLSX, and a note on stderr when
//! unreviewed matches were left out.

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use service::{ExportFormat, ExportOutcome, ExportRequest};

use super::{io_err, print_json};
use crate::error::{CliError, EXIT_OK};
use crate::format::Table;
use crate::session::Session;
use crate::Io;

#[derive(Debug, Clone, Copy, ValueEnum)]
enum FormatArg {
    Csv,
    Xlsx,
}

impl From<FormatArg> for ExportFormat {
    fn from(format: FormatArg) -> Self {
        match format {
            FormatArg::Csv => ExportFormat::Csv,
            FormatArg::Xlsx => ExportFormat::Xlsx,
        }
    }
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The run to export.
    run_id: String,
    /// The file to write (replaced if it exists).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// The file format. Default: from the file's extension (.csv or .xlsx).
    #[arg(long, value_enum)]
    format: Option<FormatArg>,
    /// Also export matches at or above the threshold that nobody reviewed.
    #[arg(long)]
    include_unreviewed: bool,
    /// Print what was written as JSON.
    #[arg(long)]
    json: bool,
}

/// Writes a run's matches and unmatched documents; the format follows the file's extension
/// unless given.
pub fn run(session: &Session, args: ExportArgs, io: &mut Io) -> Result<u8, CliError> {
    let format = match args.format {
        Some(f) => f.into(),
        None => format_of(&args.out)?,
    };
    let outcome = session.workspace().export_results(&ExportRequest {
        run_id: args.run_id,
        path: args.out.display().to_string(),
        format,
        include_unreviewed_matches: Some(args.include_unreviewed),
    })?;
    if args.json {
        print_json(&outcome, io)?;
        return Ok(EXIT_OK);
    }
    let mut table = Table::new();
    table
        .row("file", &outcome.path)
        .row("matched", outcome.matched.to_string())
        .row("unmatched", outcome.unmatched.to_string());
    table.write(io.out).map_err(io_err)?;
    unreviewed_note(&outcome, io)?;
    Ok(EXIT_OK)
}

/// The format named by the file's extension, in any case.
fn format_of(out: &Path) -> Result<ExportFormat, CliError> {
    match out
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("xlsx") => Ok(ExportFormat::Xlsx),
        Some("csv") => Ok(ExportFormat::Csv),
        _ => Err(CliError::Usage(format!(
            "{}: say --format csv or xlsx, or name the file .csv or .xlsx",
            out.display()
        ))),
    }
}

/// Says why matches the run found are not among the exported ones: only approved matches are
/// exported unless asked, so a fresh run's export has no matches at all, which reads like a
/// broken run without this.
fn unreviewed_note(outcome: &ExportOutcome, io: &mut Io) -> Result<(), CliError> {
    let left = outcome.unreviewed_left_out;
    if left == 0 {
        return Ok(());
    }
    let (matches, are) = if left == 1 {
        ("match", "is")
    } else {
        ("matches", "are")
    };
    let text = if outcome.matched == 0 {
        format!(
            "note: nothing is approved yet, so no match was exported; {left} unreviewed \
             {matches} {are} listed as unmatched (\"match not reviewed\"). Add --include-unreviewed \
             to export them as matches, or approve them first (review, approve-all)."
        )
    } else {
        format!(
            "note: {left} unreviewed {matches} left out of the matches (listed as unmatched); \
             add --include-unreviewed to export them too."
        )
    };
    writeln!(io.err, "{text}").map_err(io_err)
}
