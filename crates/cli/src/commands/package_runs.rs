//! `packages run` and `packages runs`: judge a bundle of documents read from files (spec A.9),
//! and list the bundles judged, by package config and verdict.

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::Args;
use engine::package::{PackageRun, PackageVerdict, RuleStatus, SlotStatus};
use service::{input_rows_from_file, CursorQuery, InputRow, PackageRunFilter, PackageRunInput};

use super::{io_err, print_json};
use crate::error::{CliError, EXIT_OK};
use crate::format::{percent, Table};
use crate::session::Session;
use crate::Io;

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The package config, as `packages list` prints it.
    #[arg(long = "config", value_name = "PACKAGE_ID")]
    package_id: String,
    /// The invoice(s): a CSV, workbook or JSON file, one document per row (type `invoice`).
    #[arg(long, value_name = "FILE")]
    invoice: Vec<PathBuf>,
    /// The delivery note(s), as --invoice (type `delivery_note`).
    #[arg(long = "delivery-note", value_name = "FILE")]
    delivery_note: Vec<PathBuf>,
    /// Documents of any type of the package: TYPE=FILE, repeatable.
    #[arg(long = "doc", value_name = "TYPE=FILE", value_parser = parse_doc)]
    docs: Vec<(String, PathBuf)>,
    /// Print the package run (verdict, each type's result, the rules' outcomes) as JSON.
    #[arg(long)]
    json: bool,
}

fn parse_doc(text: &str) -> Result<(String, PathBuf), String> {
    let (t, f) = text
        .split_once('=')
        .ok_or_else(|| format!("{text:?} is not TYPE=FILE"))?;
    if t.trim().is_empty() || f.is_empty() {
        return Err(format!("{text:?} is not TYPE=FILE"));
    }
    Ok((t.trim().to_string(), PathBuf::from(f)))
}

#[derive(Debug, Args)]
pub struct RunsArgs {
    /// Only the runs of this package config.
    #[arg(long = "config", value_name = "PACKAGE_ID")]
    package_id: Option<String>,
    /// Only runs with this verdict: passed, failed, review or error.
    #[arg(long, value_parser = parse_verdict)]
    status: Option<PackageVerdict>,
    /// At most this many (1 to 100; default 20).
    #[arg(long)]
    limit: Option<u32>,
    /// Where to go on: the cursor a previous page ended with.
    #[arg(long)]
    cursor: Option<String>,
    /// Print the service's page (runs and pagination) as JSON.
    #[arg(long)]
    json: bool,
}

fn parse_verdict(text: &str) -> Result<PackageVerdict, String> {
    PackageVerdict::parse(text)
        .ok_or_else(|| format!("{text:?} is not a verdict (passed, failed, review, error)"))
}

/// Reads the files, runs the package, prints its verdict. The exit status is 0 whatever the
/// verdict: the verdict is the answer, not a failure of the command.
pub fn run(session: &Session, args: RunArgs, io: &mut Io) -> Result<u8, CliError> {
    let mut input_documents: BTreeMap<String, Vec<InputRow>> = BTreeMap::new();
    let files = args
        .invoice
        .into_iter()
        .map(|f| ("invoice".to_string(), f))
        .chain(
            args.delivery_note
                .into_iter()
                .map(|f| ("delivery_note".to_string(), f)),
        )
        .chain(args.docs);
    for (t, file) in files {
        let rows = input_rows_from_file(&file)?;
        input_documents.entry(t).or_default().extend(rows);
    }
    if input_documents.is_empty() {
        return Err(CliError::Usage(
            "give the bundle's documents: --invoice FILE, --delivery-note FILE or --doc TYPE=FILE"
                .into(),
        ));
    }
    let run = session.workspace().run_package(&PackageRunInput {
        package_config_id: args.package_id,
        input_documents,
    })?;
    if args.json {
        print_json(&run, io)?;
        return Ok(EXIT_OK);
    }
    write_run(&run, io)?;
    Ok(EXIT_OK)
}

/// One package run per line: id, verdict, when, package config.
pub fn runs(session: &Session, args: RunsArgs, io: &mut Io) -> Result<u8, CliError> {
    let page = session.workspace().package_run_page(
        &PackageRunFilter {
            package_config_id: args.package_id,
            status: args.status,
        },
        &CursorQuery {
            cursor: args.cursor,
            limit: args.limit,
        },
    )?;
    if args.json {
        print_json(&page, io)?;
        return Ok(EXIT_OK);
    }
    for r in &page.data {
        writeln!(
            io.out,
            "{}  {}  {}  {}",
            r.id,
            r.status.as_str(),
            r.created_at,
            r.package_config_id
        )
        .map_err(io_err)?;
    }
    if let Some(next) = page.pagination.next_cursor.as_deref() {
        writeln!(
            io.err,
            "({} of {} package runs; the next page: --cursor {next})",
            page.data.len(),
            page.pagination.total
        )
        .map_err(io_err)?;
    }
    Ok(EXIT_OK)
}

/// The verdict, then a line per document type and per rule.
fn write_run(run: &PackageRun, io: &mut Io) -> Result<(), CliError> {
    let mut table = Table::new();
    table
        .row("package run", &run.id)
        .row("verdict", run.status.as_str());
    if let Some(e) = &run.error {
        table.row("error", e);
    }
    table.write(io.out).map_err(io_err)?;
    for d in &run.document_results {
        writeln!(
            io.out,
            "  {}: {} {}{}{}",
            d.document_type,
            slot(d.status),
            percent(d.confidence),
            d.matched_reference_row_id
                .as_deref()
                .map(|r| format!(" -> {r}"))
                .unwrap_or_default(),
            d.matching_run_id
                .as_deref()
                .map(|r| format!("  (run {r})"))
                .unwrap_or_default(),
        )
        .map_err(io_err)?;
    }
    for r in &run.rule_results {
        let status = match r.status {
            RuleStatus::Passed => "passed",
            RuleStatus::Failed => "failed",
            RuleStatus::Skipped => "skipped",
        };
        writeln!(io.out, "  {} {status}: {}", r.kind, r.message).map_err(io_err)?;
    }
    Ok(())
}

fn slot(s: SlotStatus) -> &'static str {
    match s {
        SlotStatus::Matched => "matched",
        SlotStatus::Review => "review",
        SlotStatus::Unmatched => "unmatched",
        SlotStatus::Missing => "missing",
        SlotStatus::Skipped => "skipped",
        SlotStatus::Error => "error",
    }
}
