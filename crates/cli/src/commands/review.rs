//! `review`: approve or reject one result (optionally pairing it with another of its
//! candidates), accept or dismiss its ai-resolve suggestion or restore a dismissed one, or undo
//! its latest decision; prints the result as it now stands.

use clap::Args;
use engine::{MatchResult, ReviewStatus};
use service::ReviewInput;

use super::{io_err, print_json};
use crate::error::{CliError, EXIT_OK};
use crate::format::Table;
use crate::session::Session;
use crate::Io;

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("decision").required(true).args(["approve", "reject", "undo", "accept_suggestion", "dismiss_suggestion", "restore_suggestion"])))]
pub struct ReviewArgs {
    /// The run the result belongs to.
    run_id: String,
    /// The result, as `results` prints it.
    result_id: String,
    /// Accept the match (or, with --candidate, another candidate's pairing).
    #[arg(long)]
    approve: bool,
    /// Refuse the match; a later run will not propose this pair again.
    #[arg(long)]
    reject: bool,
    /// Undo this decision (the result's latest, as `history` lists them): the result gets back
    /// its status, match and notes from before it.
    #[arg(long, value_name = "DECISION_ID", conflicts_with_all = ["note", "candidate"])]
    undo: Option<String>,
    /// Approve the pairing with this candidate's reference row instead of the proposed match.
    #[arg(long, value_name = "REFERENCE_ROW_ID", requires = "approve")]
    candidate: Option<String>,
    /// Make the result's open ai-resolve suggestion the decision (the log names it).
    #[arg(long, conflicts_with_all = ["note", "candidate"])]
    accept_suggestion: bool,
    /// Drop the result's open ai-resolve suggestion; the result stays pending.
    #[arg(long, conflicts_with_all = ["note", "candidate"])]
    dismiss_suggestion: bool,
    /// Reopen this dismissed ai-resolve suggestion (the suggestion's id, as `results --json`
    /// showed it), while the result is still pending and has had no later suggestion.
    #[arg(long, value_name = "SUGGESTION_ID", conflicts_with_all = ["note", "candidate"])]
    restore_suggestion: Option<String>,
    /// A note kept with the decision.
    #[arg(long)]
    note: Option<String>,
    /// Print the updated result as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(session: &Session, args: ReviewArgs, io: &mut Io) -> Result<u8, CliError> {
    let ws = session.workspace();
    let result = if let Some(decision_id) = &args.undo {
        ws.revert_decision(&args.run_id, &args.result_id, decision_id)?
    } else if let Some(suggestion_id) = &args.restore_suggestion {
        ws.restore_suggestion(&args.run_id, &args.result_id, suggestion_id)?
    } else if args.accept_suggestion {
        ws.accept_suggestion(&args.run_id, &args.result_id)?
    } else if args.dismiss_suggestion {
        ws.dismiss_suggestion(&args.run_id, &args.result_id)?
    } else {
        let input = ReviewInput {
            // clap's "decision" group: none of the above, so exactly one of --approve, --reject.
            status: if args.approve {
                ReviewStatus::Approved
            } else {
                ReviewStatus::Rejected
            },
            notes: args.note,
            reference_row_id: args.candidate,
        };
        ws.review_result(&args.run_id, &args.result_id, &input)?
    };
    if args.json {
        print_json(&result, io)?;
    } else {
        result_table(&result, io)?;
    }
    Ok(EXIT_OK)
}

fn result_table(r: &MatchResult, io: &mut Io) -> Result<(), CliError> {
    let mut table = Table::new();
    table
        .row("result", &r.id)
        .row("document", &r.document_id)
        .row("status", r.status.as_str())
        .row(
            "matched",
            r.matched_reference_row_id
                .as_deref()
                .unwrap_or("(no match)"),
        )
        .row("notes", r.notes.as_deref().unwrap_or(""));
    if let Some(s) = &r.suggestion {
        table.row(
            "suggestion",
            format!("{} ({})", s.status.as_str(), s.reason),
        );
    }
    table.write(io.out).map_err(io_err)
}
