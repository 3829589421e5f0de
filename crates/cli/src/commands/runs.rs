//! `runs`: the runs of the workspace, newest first, as a table or the service's JSON page.

use clap::{Args, ValueEnum};
use engine::RunStatus;
use service::RunFilter;

use super::{io_err, print_json};
use crate::error::{CliError, EXIT_OK};
use crate::format::score;
use crate::session::Session;
use crate::Io;

#[derive(Debug, Clone, Copy, ValueEnum)]
enum RunStatusArg {
    Queued,
    Running,
    Completed,
    Failed,
    Cancelled,
}

impl From<RunStatusArg> for RunStatus {
    fn from(status: RunStatusArg) -> Self {
        match status {
            RunStatusArg::Queued => RunStatus::Queued,
            RunStatusArg::Running => RunStatus::Running,
            RunStatusArg::Completed => RunStatus::Completed,
            RunStatusArg::Failed => RunStatus::Failed,
            RunStatusArg::Cancelled => RunStatus::Cancelled,
        }
    }
}

#[derive(Debug, Args)]
pub struct RunsArgs {
    /// Only runs of this config.
    #[arg(long, value_name = "CONFIG_ID")]
    config: Option<String>,
    /// Only runs in this state.
    #[arg(long, value_enum)]
    status: Option<RunStatusArg>,
    /// At most this many runs (1 to 500).
    #[arg(long, default_value_t = 50)]
    limit: u32,
    /// Print the service's JSON instead of a table.
    #[arg(long)]
    json: bool,
}

/// Runs, newest first: id, status, config, rows matched of processed, average confidence.
pub fn run(session: &Session, args: RunsArgs, io: &mut Io) -> Result<u8, CliError> {
    let page = session.workspace().run_page(&RunFilter {
        config_id: args.config,
        status: args.status.map(RunStatus::from),
        limit: Some(args.limit),
        page: None,
    })?;
    if args.json {
        print_json(&page, io)?;
        return Ok(EXIT_OK);
    }
    for r in &page.data {
        writeln!(
            io.out,
            "{}  {:<9}  {}/{} matched  avg {}  {}",
            r.id,
            r.status.as_str(),
            r.rows_matched.unwrap_or(0),
            r.rows_processed.unwrap_or(0),
            score(r.avg_confidence),
            r.config_name
        )
        .map_err(io_err)?;
    }
    if page.total > page.data.len() as u64 {
        writeln!(
            io.err,
            "({} of {} runs; --limit shows more)",
            page.data.len(),
            page.total
        )
        .map_err(io_err)?;
    }
    Ok(EXIT_OK)
}
