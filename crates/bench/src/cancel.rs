//! The `cancel` subcommand: how long a cancel takes to stop a run. It starts a run on a kept
//! workspace, cancels it after a delay, and times `cancel_run` until the run is recorded as
//! cancelled; the delays are spread so cancels land while reference rows load, while the index is
//! built and while documents are scored.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::Args;
use engine::{RunStatus, TriggeredBy};
use matchbook_cli::Session;

use crate::{kept, BenchError};

#[derive(Debug, Args)]
pub struct CancelArgs {
    /// A workspace the scale benchmark kept, e.g. DIR/100000x1000000/workspace.sqlite.
    #[arg(long)]
    workspace: PathBuf,
    /// The config to run; default: the workspace's only config.
    #[arg(long)]
    config: Option<String>,
    /// Seconds after the start at which to cancel, comma separated.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "0.2,0.8,1.5,2.5,3.5,5,7,9"
    )]
    after: Vec<f64>,
}

pub fn run(args: &CancelArgs) -> Result<(), BenchError> {
    let session = Session::open(&args.workspace, false)?;
    let ws = session.workspace();
    let config = kept::config_id(ws, args.config.as_deref())?;
    println!("| cancel after (s) | phase | rows scored | cancel took (ms) | final status |");
    println!("|---:|---|---:|---:|---|");
    let mut worst = Duration::ZERO;
    for &after in &args.after {
        let run = ws.start_run(&config, TriggeredBy::Manual)?;
        std::thread::sleep(Duration::from_secs_f64(after.max(0.0)));
        let progress = ws.run_progress(&run.id)?;
        let asked = Instant::now();
        let stopped = match ws.cancel_run(&run.id) {
            Ok(r) => r,
            // It finished before the cancel: nothing to time.
            Err(service::ServiceError::Conflict(_)) => {
                println!("| {after} | finished first | | | |");
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        let took = asked.elapsed();
        let stopped = if stopped.status.is_active() {
            ws.wait_for_run(&run.id, Duration::from_secs(600))?
        } else {
            stopped
        };
        let took = if stopped.status == RunStatus::Cancelled {
            took
        } else {
            asked.elapsed()
        };
        worst = worst.max(took);
        println!(
            "| {after} | {} | {} | {:.0} | {} |",
            serde_json::to_value(progress.phase)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            stopped.rows_processed.unwrap_or(0),
            took.as_secs_f64() * 1000.0,
            stopped.status.as_str(),
        );
    }
    println!();
    println!("slowest cancel: {:.0} ms", worst.as_secs_f64() * 1000.0);
    Ok(())
}
