//! Matchbook's benchmark binary: how long importing and matching take at several sizes, how much
//! memory a run needs, and how fast the string-similarity implementations are on the project's own
//! data. A binary rather than a timed test, so numbers come from a release build on demand and CI
//! never depends on the speed of the machine it lands on.
//!
//! `scale` (the default) drives the parent side, `child` is the hidden `run-once` subcommand the
//! parent re-invokes for each run so peak memory measures the matching job alone, `similarity`
//! compares the string measures, `machine` describes the computer for the report. `cancel` and
//! `review` reopen a workspace the scale benchmark kept, through the helpers in `kept`.

// The allocator the app ships with (see src-tauri/src/main.rs), so the numbers are the app's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod cancel;
mod child;
mod em;
mod kept;
mod machine;
mod packages;
mod review;
mod scale;
mod similarity;
mod sql;
mod workload;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

/// Exit codes as in matchbook-cli: 1 failure, 2 usage.
const EXIT_FAILURE: u8 = 1;
const EXIT_USAGE: u8 = 2;

/// Benchmarks of Matchbook's import and matching.
#[derive(Debug, Parser)]
#[command(
    name = "matchbook-bench",
    about,
    args_conflicts_with_subcommands = true,
    max_term_width = 100
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    scale: ScaleArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Time string-similarity implementations on vendor-name pairs from the demo generator.
    Similarity(similarity::SimilarityArgs),
    /// How long a cancel takes to stop a run, asked at several moments of one (load, index,
    /// scoring), on a workspace the scale benchmark kept (`--keep`).
    Cancel(cancel::CancelArgs),
    /// Time the review desk's calls (queue pages, search, counters, bulk approval and its undo,
    /// export, config preview) on a copy of a workspace the scale benchmark kept (`--keep`).
    Review(review::ReviewArgs),
    /// Time package runs of three documents once the configs' indexes are warm, on a copy of a
    /// workspace the scale benchmark kept (`--keep`).
    Packages(packages::PackagesArgs),
    /// An entity-matching pipeline over generated industrial tags: run time and F1, with
    /// confirmed matches, then with its generated rules accepted.
    Em(em::EmArgs),
    /// Reference data from a real PostgreSQL server (started for the bench): time to the columns
    /// and to ready, rows per second, beside the same rows from a CSV file.
    SqlImport(sql::SqlArgs),
    /// Internal: execute one run in this process and print its timings as JSON.
    #[command(hide = true)]
    RunOnce(child::RunOnceArgs),
}

/// Documents x reference rows, as given on the command line ("2000x20000").
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Size {
    pub documents: usize,
    pub reference: usize,
}

impl std::fmt::Display for Size {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}x{}", self.documents, self.reference)
    }
}

fn parse_size(s: &str) -> Result<Size, String> {
    let (d, r) = s
        .split_once(['x', 'X'])
        .ok_or_else(|| format!("'{s}' is not DOCUMENTSxREFERENCE, e.g. 2000x20000"))?;
    let number = |t: &str| {
        t.trim()
            .replace('_', "")
            .parse::<usize>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| format!("'{t}' in '{s}' is not a positive number"))
    };
    Ok(Size {
        documents: number(d)?,
        reference: number(r)?,
    })
}

#[derive(Debug, Args)]
struct ScaleArgs {
    /// Sizes to benchmark, DOCUMENTSxREFERENCE, comma separated.
    #[arg(
        long,
        value_delimiter = ',',
        value_parser = parse_size,
        default_value = "2000x20000,20000x200000,100000x1000000"
    )]
    sizes: Vec<Size>,
    /// The kinds of data to run: invoices to purchase orders (at `--sizes`) and FEBRL-style people
    /// without a social security number (at `--people-sizes`), comma separated.
    #[arg(long, value_delimiter = ',', default_value = "invoices,people")]
    data: Vec<workload::Kind>,
    /// People sizes: originals in the reference file; the documents are about as many
    /// (duplicates of nine in ten, and people in no reference row), comma separated.
    #[arg(long, value_delimiter = ',', default_value = "5000,100000")]
    people_sizes: Vec<usize>,
    /// Seed of the generated data; the same seed gives the same files.
    #[arg(long, default_value_t = 20261122)]
    seed: u64,
    /// Documents per size on which blocking recall is checked by comparing them with every
    /// reference row (outside the timed run; costs documents x reference rows). Default: 500, or
    /// fewer so that the check compares at most 50 million pairs. 0 skips it.
    #[arg(long, value_name = "N")]
    recall_sample: Option<usize>,
    /// Keep the generated CSV files and workspaces under DIR (one folder per size) instead of a
    /// temporary folder that is removed at the end.
    #[arg(long, value_name = "DIR")]
    keep: Option<PathBuf>,
}

fn main() -> ExitCode {
    service::prefer_small_pages();
    service::set_memory_release(matchbook_cli::release_mimalloc);
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_USAGE } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let result = match cli.command {
        Some(Command::RunOnce(args)) => child::run_once(&args),
        Some(Command::Cancel(args)) => cancel::run(&args),
        Some(Command::Review(args)) => review::run(&args),
        Some(Command::Packages(args)) => packages::run(&args),
        Some(Command::Em(args)) => em::run(&args),
        Some(Command::SqlImport(args)) => sql::run(&args),
        Some(Command::Similarity(args)) => similarity::run(&args),
        None => scale::run(&cli.scale),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

/// Why a benchmark stopped.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Service(#[from] service::ServiceError),
    #[error(transparent)]
    Cli(#[from] matchbook_cli::CliError),
    #[error("{context}: {source}")]
    Io {
        context: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    Failed(String),
}

impl BenchError {
    fn exit_code(&self) -> u8 {
        match self {
            BenchError::Usage(_) => EXIT_USAGE,
            _ => EXIT_FAILURE,
        }
    }

    pub fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> BenchError {
        let context = context.into();
        move |source| BenchError::Io { context, source }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse() {
        assert_eq!(
            parse_size("2000x20_000"),
            Ok(Size {
                documents: 2000,
                reference: 20000
            })
        );
        assert!(parse_size("2000").is_err());
        assert!(parse_size("0x10").is_err());
    }
}
