//! `ai-resolve`: settle a completed run's review band from the data and reviewers' decisions,
//! wait for the pass, and say how much of the band it settled. Suggestions are shown by
//! `results` (only them with `--suggested`), accepted or dismissed with `review
//! --accept-suggestion | --dismiss-suggestion`, and a dismissed one reopened with
//! `--restore-suggestion`.

use std::time::{Duration, Instant};

use clap::Args;
use service::AiResolveInput;

use super::run::progress::Progress;
use super::{io_err, print_json};
use crate::error::{CliError, EXIT_FAILURE, EXIT_OK};
use crate::format::{duration, percent, share, thousands, Table};
use crate::session::Session;
use crate::Io;

const POLL: Duration = Duration::from_millis(100);

#[derive(Debug, Args)]
#[command(after_help = "\
Only pending results get a suggestion; decisions already taken are never changed. The pass cannot
be cancelled (it takes seconds); the run is `ai_resolving` until it ends.")]
pub struct AiResolveArgs {
    /// The completed run, as `runs` prints it.
    run_id: String,
    /// Only this result (repeatable); without it, every pending result of the review band.
    #[arg(long = "result", value_name = "RESULT_ID")]
    results: Vec<String>,
    /// Do not show progress on stderr.
    #[arg(long)]
    no_progress: bool,
    /// Print the run's summary as JSON instead.
    #[arg(long)]
    json: bool,
}

pub fn run(session: &Session, args: AiResolveArgs, io: &mut Io) -> Result<u8, CliError> {
    let ws = session.workspace();
    let mut progress = Progress::new(io.err_is_terminal);
    if !args.no_progress {
        progress.subscribe(ws);
    }
    let started = Instant::now();
    let input = AiResolveInput {
        result_ids: (!args.results.is_empty()).then_some(args.results),
    };
    let run = ws.ai_resolve(&args.run_id, &input)?;
    let finished = loop {
        let current = ws.wait_for_run(&run.id, POLL)?;
        progress.show(&run.id, started.elapsed(), io.err);
        if !current.status.is_active() {
            break current;
        }
    };
    progress.clear(io.err);
    let summary = ws.run_summary(&finished.id)?;
    if args.json {
        print_json(&summary, io)?;
    } else {
        let s = &summary.suggestions;
        let band = summary.review;
        let mut table = Table::new();
        table
            .row("run", &finished.id)
            .row("review band", thousands(band))
            .row(
                "suggestions",
                format!(
                    "{} ({} of the band)",
                    thousands(s.made),
                    percent(share(s.made, band))
                ),
            )
            .row(
                "open",
                format!(
                    "{} (accepted {}, dismissed {})",
                    thousands(s.open),
                    s.accepted,
                    s.dismissed
                ),
            )
            .row("time", duration(started.elapsed()));
        if let Some(e) = &finished.error {
            table.row("error", e);
        }
        table.write(io.out).map_err(io_err)?;
    }
    Ok(if finished.error.is_some() {
        EXIT_FAILURE
    } else {
        EXIT_OK
    })
}
