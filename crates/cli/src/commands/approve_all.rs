//! `approve-all`: count, or with `--yes` approve, a run's pending results at or above a
//! confidence, each with its own decision in the review log.

use clap::Args;
use service::{BulkApproveInput, ErrorCode, ResultQuery};

use super::{io_err, print_json};
use crate::error::{CliError, EXIT_OK};
use crate::format::score;
use crate::session::Session;
use crate::Io;

#[derive(Debug, Args)]
#[command(after_help = "\
Without --yes it only prints how many results it would approve. With --yes it approves them,
each with its own decision in the review log; `review RUN RESULT --undo DECISION` undoes one.")]
pub struct ApproveAllArgs {
    run_id: String,
    /// Approve pending results with at least this confidence (above 0, at most 1).
    #[arg(long, value_name = "CONFIDENCE")]
    min: f64,
    /// Only results with at most this confidence.
    #[arg(long, value_name = "CONFIDENCE")]
    max: Option<f64>,
    /// Only results whose document, matched row, notes or values contain this text.
    #[arg(long)]
    search: Option<String>,
    /// A note kept with every decision.
    #[arg(long)]
    note: Option<String>,
    /// Approve them; without it, only count them.
    #[arg(long)]
    yes: bool,
    /// Print the count, or the decisions made, as JSON.
    #[arg(long)]
    json: bool,
}

/// Counts, or with `yes` approves, the pending results at or above `min`.
pub fn run(session: &Session, a: ApproveAllArgs, io: &mut Io) -> Result<u8, CliError> {
    let ws = session.workspace();
    // Bulk approval only ever takes pending results (the service's rule).
    let query = ResultQuery {
        max_confidence: a.max,
        search: a.search,
        ..Default::default()
    };
    let mut count = ws.bulk_approve_count(&a.run_id, &query, a.min)?;
    if !a.yes {
        if a.json {
            print_json(&serde_json::json!({ "count": count }), io)?;
        } else {
            writeln!(
                io.out,
                "{count} pending results at or above {}; add --yes to approve them",
                score(Some(a.min))
            )
            .map_err(io_err)?;
        }
        return Ok(EXIT_OK);
    }
    // The count just read is the one confirmed: if a reviewer decides one in between, the
    // service refuses (conflict) rather than approve a different set. With --yes nobody confirmed
    // a number, so "what is pending now" is counted again (another approve-all, or a reviewer,
    // got there first) instead of failing the script.
    let mut attempts = 0;
    let outcome = loop {
        let input = BulkApproveInput {
            query: query.clone(),
            min_confidence: a.min,
            expected: count,
            notes: a.note.clone(),
        };
        match ws.bulk_approve(&a.run_id, &input) {
            Err(e) if e.code() == ErrorCode::Conflict && attempts < 5 => {
                attempts += 1;
                count = ws.bulk_approve_count(&a.run_id, &query, a.min)?;
            }
            other => break other?,
        }
    };
    if a.json {
        print_json(&outcome, io)?;
    } else {
        writeln!(io.out, "approved {} results", outcome.decisions.len()).map_err(io_err)?;
    }
    Ok(EXIT_OK)
}
