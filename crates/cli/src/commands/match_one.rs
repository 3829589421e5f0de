//! `match-one`: match one new document now against a config's reference data (through the same
//! warm index package runs use) and print its match and best candidates; nothing is stored.

use clap::Args;
use service::MatchOneInput;

use super::{io_err, print_json};
use crate::error::{CliError, EXIT_OK};
use crate::format::{percent, Table};
use crate::session::Session;
use crate::Io;

#[derive(Debug, Args)]
pub struct MatchOneArgs {
    /// The config whose reference data and fields to match with, as `configs list` prints it.
    config_id: String,
    /// The document's values as a JSON object, field name to value, e.g.
    /// '{"vendor_name": "Acme", "po_reference": "PO-17", "total_amount": 120.5}'.
    #[arg(long, value_name = "JSON")]
    values: String,
    /// Print the result (match, confidence, candidates with evidence) as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(session: &Session, args: MatchOneArgs, io: &mut Io) -> Result<u8, CliError> {
    let values: serde_json::Value = serde_json::from_str(&args.values)
        .map_err(|e| CliError::Usage(format!("--values is not JSON: {e}")))?;
    let values = values
        .as_object()
        .cloned()
        .ok_or_else(|| CliError::Usage("--values must be a JSON object".into()))?;
    let m = session.workspace().match_one(
        &args.config_id,
        &MatchOneInput {
            values,
            document_id: None,
        },
    )?;
    if args.json {
        print_json(&m, io)?;
        return Ok(EXIT_OK);
    }
    let mut table = Table::new();
    table
        .row(
            "match",
            m.matched_reference_row_id.as_deref().unwrap_or("(none)"),
        )
        .row("confidence", percent(Some(m.confidence)));
    table.write(io.out).map_err(io_err)?;
    for c in &m.candidates {
        writeln!(
            io.out,
            "  {}. {}  {}",
            c.rank,
            c.reference_row_id,
            percent(Some(c.confidence))
        )
        .map_err(io_err)?;
    }
    Ok(EXIT_OK)
}
