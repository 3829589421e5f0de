//! `packages create`, `list`, `show`, `edit` and `delete` (and, in `package_runs`, `run` and
//! `runs`): package configs (spec A.8), bundles of
//! document types each scored by its own matching config, and when such a package passes.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use engine::package::{PackageConfig, Presence};
use serde_json::{json, Value};
use service::{CursorQuery, PackageConfigInput, PackageConfigPatch};

use super::{io_err, print_json};
use crate::error::{CliError, EXIT_OK};
use crate::format::{score, Table};
use crate::session::Session;
use crate::Io;

#[derive(Debug, Subcommand)]
pub enum PackagesCommand {
    /// Create a package config from a JSON file (the body of spec A.8.2).
    ///
    /// The file holds its name, its document types (each with the matching config that scores
    /// it and whether it is required, expected or optional) and, optionally, its pass criteria.
    #[command(after_help = "\
Example file:
  {
    \"name\": \"Invoice with delivery note\",
    \"document_type_configs\": [
      {\"document_type\": \"invoice\", \"matching_config_id\": \"CONFIG_ID\", \"presence\": \"required\"},
      {\"document_type\": \"delivery_note\", \"matching_config_id\": \"CONFIG_ID\", \"presence\": \"expected\"}
    ],
    \"pass_criteria\": {\"min_confidence\": 0.85},
    \"rules\": [{\"kind\": \"three_way\", \"invoice_type\": \"invoice\", \"delivery_type\": \"delivery_note\",
               \"invoice_amount_field\": \"total_amount\", \"delivered_quantity_field\": \"delivered_quantity\",
               \"unit_price_column\": \"unit_price\", \"quantity_tolerance_percent\": 2, \"price_tolerance_percent\": 1}]
  }
Left-out criteria take the defaults: all required matched, min confidence 0.8, review on expected.
The optional three-way rule holds (on_fail: review, or failed) a bundle whose invoice and delivery
note name different orders, or that invoices more than the delivered quantity at the order's unit
price within the tolerances.")]
    Create(CreateArgs),
    /// List package configs, newest first: id, name, then the document types.
    List {
        /// At most this many (1 to 100; default 20).
        #[arg(long)]
        limit: Option<u32>,
        /// Where to go on: the cursor a previous page ended with.
        #[arg(long)]
        cursor: Option<String>,
        /// Print the service's page (configs and pagination) as JSON instead of a list.
        #[arg(long)]
        json: bool,
    },
    /// Show a package config: its document types with their matching configs, and its criteria.
    Show {
        /// The package config, as `packages list` prints it.
        package_id: String,
        /// Print the service's package config as JSON instead.
        #[arg(long)]
        json: bool,
    },
    /// Change a package config: the name, the document types (replaced as a whole) and the pass
    /// criteria (merged key by key).
    #[command(
        after_help = "Example: packages edit PACKAGE_ID --set '{\"name\": \"Strict\", \"pass_criteria\": {\"min_confidence\": 0.9}}'"
    )]
    Edit(EditArgs),
    /// Delete a package config, and with it every package run made from it.
    /// Judge a bundle: each file's rows are documents of a type of the package, matched through
    /// that type's config as a normal run; prints the verdict (passed, failed, review, error).
    #[command(
        after_help = "Example: packages run --config PACKAGE_ID --invoice inv.csv --delivery-note dn.csv"
    )]
    Run(super::package_runs::RunArgs),
    /// List package runs, newest first: id, verdict, when, package config.
    Runs(super::package_runs::RunsArgs),
    Delete {
        /// The package config to delete.
        package_id: String,
        /// Print `{"id": ..., "deleted": true}` instead of a sentence.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    /// The JSON file: name, document_type_configs and optionally pass_criteria.
    file: PathBuf,
    /// Print the created package config as JSON instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct EditArgs {
    /// The package config to change.
    package_id: String,
    /// The change, as a JSON object with any of name, document_type_configs and pass_criteria.
    #[arg(long, value_name = "JSON", value_parser = parse_json)]
    set: Value,
    /// Print the changed package config as JSON instead of a table.
    #[arg(long)]
    json: bool,
}

/// A malformed `--set` is a usage error (exit 2) reported by clap with the argument named.
fn parse_json(text: &str) -> Result<Value, serde_json::Error> {
    serde_json::from_str(text)
}

pub fn run(session: &Session, command: PackagesCommand, io: &mut Io) -> Result<u8, CliError> {
    let ws = session.workspace();
    let (package, json) = match command {
        PackagesCommand::Create(args) => {
            let file = &args.file;
            let text = std::fs::read_to_string(file)
                .map_err(|e| CliError::data(format!("{}: {e}", file.display())))?;
            let value: Value = serde_json::from_str(&text)
                .map_err(|e| CliError::data(format!("{}: not JSON: {e}", file.display())))?;
            let input: PackageConfigInput = service::input_from_json(value)?;
            (ws.create_package_config(&input)?, args.json)
        }
        PackagesCommand::List {
            limit,
            cursor,
            json,
        } => return list(session, CursorQuery { cursor, limit }, json, io),
        PackagesCommand::Show { package_id, json } => (ws.get_package_config(&package_id)?, json),
        PackagesCommand::Edit(args) => {
            let patch: PackageConfigPatch = service::input_from_json(args.set)?;
            (
                ws.patch_package_config(&args.package_id, &patch)?,
                args.json,
            )
        }
        PackagesCommand::Run(args) => return super::package_runs::run(session, args, io),
        PackagesCommand::Runs(args) => return super::package_runs::runs(session, args, io),
        PackagesCommand::Delete { package_id, json } => {
            return delete(session, &package_id, json, io)
        }
    };
    if json {
        print_json(&package, io)?;
        return Ok(EXIT_OK);
    }
    write_package(&package, io)?;
    Ok(EXIT_OK)
}

/// One package config per line: id, name, then its document types, so `cut -d' ' -f1` gives the
/// ids. When there is more, stderr says so and gives the cursor of the next page.
fn list(session: &Session, query: CursorQuery, json: bool, io: &mut Io) -> Result<u8, CliError> {
    let page = session.workspace().package_config_page(&query)?;
    if json {
        print_json(&page, io)?;
        return Ok(EXIT_OK);
    }
    for p in &page.data {
        let types: Vec<&str> = p
            .document_type_configs
            .iter()
            .map(|s| s.document_type.as_str())
            .collect();
        writeln!(io.out, "{}  {}  [{}]", p.id, p.name, types.join(", ")).map_err(io_err)?;
    }
    if let Some(next) = page.pagination.next_cursor.as_deref() {
        writeln!(
            io.err,
            "({} of {} package configs; the next page: --cursor {next})",
            page.data.len(),
            page.pagination.total
        )
        .map_err(io_err)?;
    }
    Ok(EXIT_OK)
}

fn delete(session: &Session, id: &str, json: bool, io: &mut Io) -> Result<u8, CliError> {
    session.workspace().delete_package_config(id)?;
    if json {
        print_json(&json!({ "id": id, "deleted": true }), io)?;
    } else {
        writeln!(
            io.out,
            "deleted package config {id} and every package run made from it"
        )
        .map_err(io_err)?;
    }
    Ok(EXIT_OK)
}

/// The package config, id first, then one line per document type
/// (`  invoice -> CONFIG_ID (required)`, the arrows aligned), then its criteria.
fn write_package(p: &PackageConfig, io: &mut Io) -> Result<(), CliError> {
    let yes_no = |b: bool| if b { "yes" } else { "no" };
    let criteria = &p.pass_criteria;
    let mut table = Table::new();
    table
        .row("package", &p.id)
        .row("name", &p.name)
        .row("created", &p.created_at)
        .row("updated", &p.updated_at)
        .row(
            "all required matched",
            yes_no(criteria.all_required_matched),
        )
        .row("min confidence", score(Some(criteria.min_confidence)))
        .row(
            "review on expected",
            yes_no(criteria.allow_review_on_expected),
        )
        .row("document types", p.document_type_configs.len().to_string());
    table.write(io.out).map_err(io_err)?;
    let width = p
        .document_type_configs
        .iter()
        .map(|s| s.document_type.len())
        .max()
        .unwrap_or(0);
    for s in &p.document_type_configs {
        writeln!(
            io.out,
            "  {:<width$} -> {} ({})",
            s.document_type,
            s.matching_config_id,
            presence(s.presence)
        )
        .map_err(io_err)?;
    }
    Ok(())
}

/// The presence as the JSON file spells it.
fn presence(p: Presence) -> &'static str {
    match p {
        Presence::Required => "required",
        Presence::Expected => "expected",
        Presence::Optional => "optional",
    }
}
