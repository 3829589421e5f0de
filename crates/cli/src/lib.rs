//! Matchbook's headless command line. Every subcommand goes through the service layer, exactly as
//! the desktop shell does, so the CLI can never disagree with the app about what a config, a run
//! or an import means.
//!
//! Layout: `lib.rs` holds the top-level grammar (the subcommands and `--workspace`) and hands
//! each subcommand to its module in `commands/`, which owns that subcommand's arguments;
//! `session` the tokio runtime plus open workspace, `error` the exit codes, `format` the text
//! helpers of the human-readable output.

mod allocator;
mod commands;
mod error;
mod format;
mod interrupt;
mod session;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use commands::{
    ai_resolve, approve_all, configs, datasets, em, eval, export, history, import, match_one,
    packages, pipelines, results, review, run, runs, serve, strategies, summary,
};
use session::WorkspaceArg;

pub use allocator::release_mimalloc;
pub use commands::eval::predictions_of_run;
pub use error::{CliError, EXIT_DATA, EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE};
pub use session::Session;

/// Match invoices to purchase orders without a window: import data, write a config, run it,
/// review and export the results, through the same service layer as the desktop app.
#[derive(Debug, Parser)]
#[command(name = "matchbook-cli", version, max_term_width = 100)]
struct Cli {
    /// The workspace file (SQLite); created when it does not exist.
    #[arg(long, env = "MATCHBOOK_WORKSPACE", global = true, value_name = "PATH")]
    workspace: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

/// The top-level `after_help`: the workflow from two files to reviewed matches, under the name
/// the program was called by (`matchbook` and `matchbook-cli` both run these commands).
fn workflow_example(bin: &str) -> String {
    format!(
        "\
Example, from two files to reviewed matches:
  export MATCHBOOK_WORKSPACE=invoices.sqlite
  {bin} import --kind reference purchase_orders.xlsx --id-column po_id
  {bin} import --kind documents invoices.csv
  {bin} configs create docs/configs/invoices-to-pos.toml --reference-data REF_ID --documents DOC_ID
  {bin} run CONFIG_ID
  {bin} results RUN_ID --status pending --min 0.5 --max 0.85
  {bin} review RUN_ID RESULT_ID --approve --note \"PO checked\"
  {bin} export RUN_ID --out matches.xlsx
  {bin} eval --run RUN_ID --truth truth.csv

Each command prints the id the next one needs; --json prints the service's JSON for scripts.

Exit codes: 0 done, 1 failed, 2 usage error, 3 bad input (file, config or unknown id),
130 run or import cancelled by Ctrl-C (a run's results so far are kept)."
    )
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Import a CSV/TSV, XLSX/XLS/ODS or JSON file as reference data or as a document set, or
    /// the rows of a PostgreSQL query as reference data (--from-sql; --refresh re-runs it).
    Import(import::ImportArgs),
    /// List the datasets: id, kind, import status, version, rows and name.
    Datasets(datasets::DatasetsArgs),
    /// The background process of `import --no-wait`: reads the import from stdin, starts it,
    /// reports on stdout and waits for it. Not for people.
    #[command(hide = true)]
    ImportWorker,
    /// Create, list and show matching configs.
    #[command(subcommand)]
    Configs(configs::ConfigsCommand),
    /// Learn matching strategies from the data, show and edit them, and make configs from them.
    #[command(subcommand)]
    Strategies(strategies::StrategiesCommand),
    /// Create, list, show, edit and delete package configs: document types (invoice, delivery
    /// note, ...) each scored by its own matching config, and when the package passes.
    #[command(subcommand)]
    Packages(packages::PackagesCommand),
    /// Entity matching the Cognite way: train models on sources and targets (supervised with
    /// confirmed matches), predict each source's best targets, list the models.
    #[command(subcommand)]
    Em(em::EmCommand),
    /// Entity-matching pipelines over the workspace's datasets: create, show, run (with
    /// confirmed and rejected matches, rules and generated rules), list runs, accept or reject
    /// generated rules.
    #[command(subcommand)]
    Pipelines(pipelines::PipelinesCommand),
    /// Run a config and wait for it, showing progress; Ctrl-C cancels and keeps what is done.
    ///
    /// Matches the config's documents against its reference data, then prints a summary (or,
    /// with --json, the finished run).
    Run(run::RunArgs),
    /// Run a config with a strategy's match model (confidence is the match probability), and
    /// wait for it as `run` does.
    SmartRun(run::SmartRunArgs),
    /// Settle a completed run's review band with suggestions learned from the data and from
    /// reviewers' decisions; accept or dismiss them with `review`.
    AiResolve(ai_resolve::AiResolveArgs),
    /// Match one new document now against a config's reference data and print its match and
    /// best candidates; nothing is stored.
    MatchOne(match_one::MatchOneArgs),
    /// Score a run (or a predictions file) against a truth file: precision, recall, F1 and the
    /// threshold that would have given the best F1.
    Eval(eval::EvalArgs),
    /// List runs, newest first.
    Runs(runs::RunsArgs),
    /// A run at a glance: band limits, counts per band, decisions and ai-resolve suggestions.
    Summary(summary::SummaryArgs),
    /// List a run's results, best confidence first, filtered like the review queue.
    Results(results::ResultsArgs),
    /// Approve or reject one result, or undo its latest decision (the review log keeps all).
    Review(review::ReviewArgs),
    /// Approve every pending result of a run at or above a confidence, in one transaction.
    ApproveAll(approve_all::ApproveAllArgs),
    /// A result's decisions, oldest first: who decided what, when (the ids `review --undo` takes).
    History(history::HistoryArgs),
    /// Write a run's matches and unmatched documents to CSV or XLSX.
    Export(export::ExportArgs),
    /// Serve the matching REST API on 127.0.0.1 and start scheduled runs, until Ctrl-C.
    Serve(serve::ServeArgs),
}

/// Where a command writes. Commands take this rather than printing directly so tests can read
/// what a command said, and so the progress indicator knows whether it may redraw a line.
pub struct Io<'a> {
    pub out: &'a mut dyn Write,
    pub err: &'a mut dyn Write,
    /// stderr is a terminal: progress may overwrite its line in place.
    pub err_is_terminal: bool,
}

/// Runs the command line `args` (the first item is the program name, as in `std::env::args()`).
pub fn main_with_args(args: impl IntoIterator<Item = String>) -> ExitCode {
    service::prefer_small_pages();
    service::set_memory_release(release_mimalloc);
    // Unlocked handles: holding stderr's lock for the whole command would block (and so
    // deadlock) any worker thread of the service that writes a line to stderr while a run is
    // awaited.
    let (mut out, mut err) = (std::io::stdout(), std::io::stderr());
    let err_is_terminal = err.is_terminal();
    let code = run_with_io(
        args,
        &mut Io {
            out: &mut out,
            err: &mut err,
            err_is_terminal,
        },
    );
    ExitCode::from(code)
}

/// Whether `name` is one of the command line's subcommands (or `help`). The desktop binary asks
/// this to decide whether its arguments are a command to run without a window, so a subcommand
/// added here is a subcommand of `matchbook` too.
pub fn is_subcommand(name: &str) -> bool {
    name == "help"
        || Cli::command()
            .get_subcommands()
            .any(|c| c.get_name() == name || c.get_all_aliases().any(|a| a == name))
}

/// The program name as the user typed it, for help text: "matchbook" or "matchbook-cli".
fn program_name(arg0: Option<&String>) -> String {
    arg0.and_then(|a| Path::new(a).file_stem())
        .and_then(|s| s.to_str())
        .filter(|s| !s.is_empty())
        .unwrap_or("matchbook-cli")
        .to_string()
}

/// `main_with_args` with its output captured; returns the exit code.
pub fn run_with_io(args: impl IntoIterator<Item = String>, io: &mut Io) -> u8 {
    let args: Vec<String> = args.into_iter().collect();
    let command = Cli::command().after_help(workflow_example(&program_name(args.first())));
    let parsed = command
        .try_get_matches_from(args)
        .and_then(|m| Cli::from_arg_matches(&m));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version are answers, not usage errors.
            let code = if e.use_stderr() { EXIT_USAGE } else { EXIT_OK };
            // Colour only for a person at a terminal; `--help > file` gets plain text.
            let rendered = e.render();
            let text = if io.err_is_terminal {
                rendered.ansi().to_string()
            } else {
                rendered.to_string()
            };
            let target = if e.use_stderr() {
                &mut *io.err
            } else {
                &mut *io.out
            };
            let _ = write!(target, "{text}");
            return code;
        }
    };
    let result = dispatch(cli, io);
    let _ = io.out.flush();
    match result {
        Ok(code) => code,
        Err(e) => {
            let _ = writeln!(io.err, "error: {}", e.describe());
            e.exit_code()
        }
    }
}

/// Hands the subcommand to its module. Every command but `import`, `eval` and `serve` needs the
/// workspace and gets it open; those three decide for themselves whether and how to open it.
fn dispatch(cli: Cli, io: &mut Io) -> Result<u8, CliError> {
    let workspace = WorkspaceArg::new(cli.workspace);
    match cli.command {
        Command::Import(args) => import::run(&workspace, args, io),
        Command::Datasets(args) => datasets::run(&workspace.open()?, args, io),
        Command::ImportWorker => import::worker(&workspace, io),
        Command::Configs(command) => configs::run(&workspace.open()?, command, io),
        Command::Strategies(command) => strategies::run(&workspace.open()?, command, io),
        Command::Packages(command) => packages::run(&workspace.open()?, command, io),
        Command::Em(command) => em::run(&workspace.open()?, command, io),
        Command::Pipelines(command) => pipelines::run(&workspace.open()?, command, io),
        Command::Run(args) => run::run(&workspace.open()?, args, io),
        Command::SmartRun(args) => run::smart_run(&workspace.open()?, args, io),
        Command::AiResolve(args) => ai_resolve::run(&workspace.open()?, args, io),
        Command::MatchOne(args) => match_one::run(&workspace.open()?, args, io),
        Command::Eval(args) => eval::run(&workspace, args, io),
        Command::Runs(args) => runs::run(&workspace.open()?, args, io),
        Command::Summary(args) => summary::run(&workspace.open()?, args, io),
        Command::Results(args) => results::run(&workspace.open()?, args, io),
        Command::Review(args) => review::run(&workspace.open()?, args, io),
        Command::ApproveAll(args) => approve_all::run(&workspace.open()?, args, io),
        Command::History(args) => history::run(&workspace.open()?, args, io),
        Command::Export(args) => export::run(&workspace.open()?, args, io),
        Command::Serve(args) => serve::run(&workspace, args, io),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> (u8, String, String) {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = run_with_io(
            std::iter::once("matchbook-cli")
                .chain(args.iter().copied())
                .map(String::from),
            &mut Io {
                out: &mut out,
                err: &mut err,
                err_is_terminal: false,
            },
        );
        (
            code,
            String::from_utf8_lossy(&out).into_owned(),
            String::from_utf8_lossy(&err).into_owned(),
        )
    }

    #[test]
    fn help_exits_zero_on_stdout() {
        let (code, out, _) = run(&["--help"]);
        assert_eq!(code, EXIT_OK);
        assert!(out.contains("import"), "{out}");
    }

    #[test]
    fn unknown_subcommand_is_a_usage_error() {
        let (code, _, err) = run(&["frobnicate"]);
        assert_eq!(code, EXIT_USAGE);
        assert!(err.contains("frobnicate"), "{err}");
    }

    #[test]
    fn eval_needs_run_or_predictions() {
        let (code, _, _) = run(&["eval", "--truth", "t.csv"]);
        assert_eq!(code, EXIT_USAGE);
        let (code, _, _) = run(&[
            "eval",
            "--truth",
            "t.csv",
            "--run",
            "r",
            "--predictions",
            "p.csv",
        ]);
        assert_eq!(code, EXIT_USAGE);
    }
}
