//! `results`: a page of a run's results, filtered as the review queue filters them.

use clap::{Args, ValueEnum};
use engine::ReviewStatus;
use service::ResultQuery;

use super::{io_err, print_json};
use crate::error::{CliError, EXIT_OK};
use crate::format::percent;
use crate::session::Session;
use crate::Io;

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ReviewStatusArg {
    Pending,
    Approved,
    Rejected,
}

impl From<ReviewStatusArg> for ReviewStatus {
    fn from(status: ReviewStatusArg) -> Self {
        match status {
            ReviewStatusArg::Pending => ReviewStatus::Pending,
            ReviewStatusArg::Approved => ReviewStatus::Approved,
            ReviewStatusArg::Rejected => ReviewStatus::Rejected,
        }
    }
}

#[derive(Debug, Args)]
pub struct ResultsArgs {
    /// The run, as `run` and `runs` print it.
    run_id: String,
    /// Only results with this review status.
    #[arg(long, value_enum)]
    status: Option<ReviewStatusArg>,
    /// Lowest confidence, 0 to 1.
    #[arg(long)]
    min: Option<f64>,
    /// Highest confidence, 0 to 1.
    #[arg(long)]
    max: Option<f64>,
    /// Text in the document, its file name, the matched row, notes or either side's values.
    #[arg(long)]
    search: Option<String>,
    /// Only results with an open ai-resolve suggestion.
    #[arg(long)]
    suggested: bool,
    /// 1-based page.
    #[arg(long, default_value_t = 1)]
    page: u32,
    /// Results per page (1 to 500).
    #[arg(long, default_value_t = 50)]
    limit: u32,
    /// Print the service's JSON instead of a table.
    #[arg(long)]
    json: bool,
}

/// A page of a run's results: result id, status, confidence, document, matched row.
pub fn run(session: &Session, args: ResultsArgs, io: &mut Io) -> Result<u8, CliError> {
    let page = session.workspace().list_results(
        &args.run_id,
        &ResultQuery {
            status: args.status.map(ReviewStatus::from),
            min_confidence: args.min,
            max_confidence: args.max,
            search: args.search,
            has_suggestion: args.suggested.then_some(true),
            sort: None,
            page: Some(args.page),
            limit: Some(args.limit),
        },
    )?;
    if args.json {
        print_json(&page, io)?;
        return Ok(EXIT_OK);
    }
    for r in &page.data {
        // An open ai-resolve suggestion follows the line: what it suggests, never a decision.
        let suggestion = r.suggestion.as_ref().map_or(String::new(), |s| {
            match (s.status, &s.reference_row_id) {
                (ReviewStatus::Approved, Some(row)) => format!("  [ai suggests approving {row}]"),
                _ => "  [ai suggests rejecting]".to_string(),
            }
        });
        writeln!(
            io.out,
            "{}  {:<8}  {:>7}  {}  -> {}{suggestion}",
            r.id,
            r.status.as_str(),
            percent(Some(r.confidence)),
            r.document_id,
            r.matched_reference_row_id
                .as_deref()
                .unwrap_or("(no match)")
        )
        .map_err(io_err)?;
    }
    writeln!(
        io.err,
        "(page {} of {} results, {} per page)",
        page.page, page.total, page.limit
    )
    .map_err(io_err)?;
    Ok(EXIT_OK)
}
