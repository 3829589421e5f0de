//! `summary`: a run at a glance, as the review desk shows it: its band limits, how many results
//! fell where, what reviewers decided and what ai-resolve suggested.

use clap::Args;

use super::{io_err, print_json};
use crate::error::{CliError, EXIT_OK};
use crate::format::{thousands, Table};
use crate::session::Session;
use crate::Io;

#[derive(Debug, Args)]
pub struct SummaryArgs {
    /// The run, as `runs` prints it.
    run_id: String,
    /// Print the service's JSON (with the confidence histogram and, for smart runs, the m and u
    /// estimates per field) instead of a table.
    #[arg(long)]
    json: bool,
}

pub fn run(session: &Session, args: SummaryArgs, io: &mut Io) -> Result<u8, CliError> {
    let s = session.workspace().run_summary(&args.run_id)?;
    if args.json {
        print_json(&s, io)?;
        return Ok(EXIT_OK);
    }
    let mut table = Table::new();
    table
        .row("run", &s.run.id)
        .row("type", s.run.run_type.as_str())
        .row("status", s.run.status.as_str())
        .row("threshold", format!("{:.3}", s.threshold))
        .row("review floor", format!("{:.3}", s.review_floor))
        .row("matched", thousands(s.matched))
        .row("review band", thousands(s.review))
        .row("below the band", thousands(s.below))
        .row("no candidate", thousands(s.no_candidate))
        .row(
            "decided",
            format!(
                "{} approved, {} rejected, {} pending",
                thousands(s.counts.approved),
                thousands(s.counts.rejected),
                thousands(s.counts.pending)
            ),
        )
        .row(
            "ai suggestions",
            format!(
                "{} made, {} open, {} accepted, {} dismissed",
                thousands(s.suggestions.made),
                thousands(s.suggestions.open),
                thousands(s.suggestions.accepted),
                thousands(s.suggestions.dismissed)
            ),
        );
    table.write(io.out).map_err(io_err)?;
    Ok(EXIT_OK)
}
