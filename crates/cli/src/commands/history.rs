//! `history`: a result's decisions, oldest first, with the ids `review --undo` takes.

use clap::Args;

use super::{io_err, print_json};
use crate::error::{CliError, EXIT_OK};
use crate::session::Session;
use crate::Io;

#[derive(Debug, Args)]
pub struct HistoryArgs {
    run_id: String,
    result_id: String,
    /// Print the decisions as JSON.
    #[arg(long)]
    json: bool,
}

/// A result's decisions, oldest first: id, when, status change, by whom, what it undid, note.
pub fn run(session: &Session, args: HistoryArgs, io: &mut Io) -> Result<u8, CliError> {
    let ws = session.workspace();
    // Looked up first so an unknown result, or one of another run, is "not found" rather than
    // an empty history.
    ws.get_result(&args.run_id, &args.result_id)?;
    let decisions = ws.result_decisions(&args.result_id)?;
    if args.json {
        print_json(&decisions, io)?;
        return Ok(EXIT_OK);
    }
    for d in &decisions {
        writeln!(
            io.out,
            "{}  {}  {} -> {}  by {}{}{}",
            d.id,
            d.decided_at,
            d.previous_status.as_str(),
            d.status.as_str(),
            d.decided_by,
            d.reverts
                .as_deref()
                .map(|r| format!("  (undoes {r})"))
                .unwrap_or_default(),
            d.notes
                .as_deref()
                .map(|n| format!("  \"{n}\""))
                .unwrap_or_default(),
        )
        .map_err(io_err)?;
    }
    Ok(EXIT_OK)
}
