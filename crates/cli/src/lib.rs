//! Matchbook's headless command line. Every subcommand goes through the service layer, exactly as
//! the desktop shell does, so the CLI can never disagree with the app about what a config, a run
//! or an import means.
//!
//! Layout: `lib.rs` holds the argument grammar and dispatch, `commands/` one module per
//! subcommand, `eval` the pure scoring of predictions against a truth file (also used by the
//! benchmark), `session` the tokio runtime plus open workspace, `error` the exit codes.

mod commands;
mod error;
mod format;
mod session;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

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
130 run cancelled by Ctrl-C (its results so far are kept)."
    )
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Import a CSV/TSV, XLSX/XLS/ODS or JSON file as reference data or as a document set.
    Import(ImportArgs),
    /// Create, list and show matching configs.
    #[command(subcommand)]
    Configs(ConfigsCommand),
    /// Run a config and wait for it, showing progress; Ctrl-C cancels and keeps what is done.
    ///
    /// Matches the config's documents against its reference data, then prints a summary (or,
    /// with --json, the finished run).
    Run(RunArgs),
    /// Score a run (or a predictions file) against a truth file: precision, recall, F1 and the
    /// threshold that would have given the best F1.
    Eval(EvalArgs),
    /// List runs, newest first.
    Runs(RunsArgs),
    /// List a run's results, best confidence first, filtered like the review queue.
    Results(ResultsArgs),
    /// Approve or reject one result, or undo its latest decision (the review log keeps all).
    Review(ReviewArgs),
    /// Approve every pending result of a run at or above a confidence, in one transaction.
    ApproveAll(ApproveAllArgs),
    /// A result's decisions, oldest first: who decided what, when (the ids `review --undo` takes).
    History(HistoryArgs),
    /// Write a run's matches and unmatched documents to CSV or XLSX.
    Export(ExportArgs),
    /// Serve the matching REST API on 127.0.0.1 and start scheduled runs, until Ctrl-C.
    Serve(ServeArgs),
}

#[derive(Debug, Args)]
#[command(after_help = "\
The API listens on 127.0.0.1 only. Requests need the workspace's key as
'Authorization: Bearer <key>'; the first serve of a workspace creates the key and prints it once
on stderr (the workspace keeps only its hash). The OpenAPI document is at /v1/openapi.json.
Prints the base URL on stdout when listening. Ctrl-C (or SIGTERM) stops it.

Example:
  matchbook serve --workspace w.sqlite --port 8750
  curl -H \"Authorization: Bearer $KEY\" http://127.0.0.1:8750/v1/matching/configs")]
struct ServeArgs {
    /// The port on 127.0.0.1; 0 picks a free one (the URL printed says which).
    #[arg(long, default_value_t = service::DEFAULT_API_PORT)]
    port: u16,
    /// Replace the workspace's API key before serving; the new key is printed once and the old
    /// one stops working.
    #[arg(long)]
    rotate_key: bool,
    /// Do not start the configs' scheduled runs while serving.
    #[arg(long)]
    no_schedules: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum RunStatusArg {
    Queued,
    Running,
    Completed,
    Failed,
    Cancelled,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ReviewStatusArg {
    Pending,
    Approved,
    Rejected,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum FormatArg {
    Csv,
    Xlsx,
}

#[derive(Debug, Args)]
struct RunsArgs {
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

#[derive(Debug, Args)]
struct ResultsArgs {
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

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("decision").required(true).args(["approve", "reject", "undo"])))]
struct ReviewArgs {
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
    /// A note kept with the decision.
    #[arg(long)]
    note: Option<String>,
    /// Print the updated result as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
#[command(after_help = "\
Without --yes it only prints how many results it would approve. With --yes it approves them,
each with its own decision in the review log; `review RUN RESULT --undo DECISION` undoes one.")]
struct ApproveAllArgs {
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

#[derive(Debug, Args)]
struct HistoryArgs {
    run_id: String,
    result_id: String,
    /// Print the decisions as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct ExportArgs {
    /// The run to export.
    run_id: String,
    /// The file to write (replaced if it exists).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// The file format. Default: from the file's extension (.csv or .xlsx).
    #[arg(long, value_enum)]
    format: Option<FormatArg>,
    /// Also export matches at or above the threshold that nobody reviewed.
    #[arg(long)]
    include_unreviewed: bool,
    /// Print what was written as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum KindArg {
    Reference,
    Documents,
}

#[derive(Debug, Args)]
struct ImportArgs {
    /// What the file holds.
    #[arg(long, value_enum)]
    kind: KindArg,
    /// The file: CSV/TSV/TXT, XLSX/XLSM/XLS/ODS or a JSON array of objects.
    file: PathBuf,
    /// Display name; defaults to the file name without extension.
    #[arg(long)]
    name: Option<String>,
    /// Column that identifies a row; guessed when absent.
    #[arg(long, value_name = "COLUMN")]
    id_column: Option<String>,
    /// For documents: column with the document's file name; guessed when absent.
    #[arg(long, value_name = "COLUMN")]
    filename_column: Option<String>,
    /// Field delimiter: , ; tab or |. Detected when absent.
    #[arg(long, value_name = "D")]
    delimiter: Option<String>,
    /// Text files: force the encoding (utf-8, windows-1252, utf-16le, utf-16be). Detected when
    /// absent.
    #[arg(long, value_name = "ENC")]
    encoding: Option<String>,
    /// The first row is data: columns are named column_1, column_2, ...
    #[arg(long)]
    no_header: bool,
    /// Workbooks: the sheet to read; the first when absent.
    #[arg(long, value_name = "NAME")]
    sheet: Option<String>,
    /// Print the created dataset as JSON instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Subcommand)]
enum ConfigsCommand {
    /// Create a config from a JSON or TOML file (TOML when its name ends in .toml).
    #[command(
        long_about = "Create a config from a JSON or TOML file (TOML when its name ends in .toml).\n\n\
            The file holds what the service's create_config takes: name, reference_data_id, \
            document_set_id (absent: every document set), field_mappings, threshold, \
            review_floor, one_to_one and schedule. The flags below fill in or replace the name \
            and the dataset ids, so one file serves any workspace.",
        after_help = "Examples: docs/configs/invoices-to-pos.toml and docs/configs/invoices-to-pos.json"
    )]
    Create(ConfigsCreateArgs),
    /// List configs: id, then name.
    List {
        /// Print the service's configs as JSON instead of a list.
        #[arg(long)]
        json: bool,
    },
    /// Show a config: its datasets, threshold, review floor, schedule and field mappings.
    Show {
        /// The config, as `configs list` prints it.
        config_id: String,
        /// Print the service's config as JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
struct ConfigsCreateArgs {
    /// The config file: .json or .toml.
    file: PathBuf,
    /// Display name, instead of the file's `name` (default: the file name without extension).
    #[arg(long)]
    name: Option<String>,
    /// The reference dataset to match against, instead of the file's `reference_data_id`.
    #[arg(long, value_name = "DATASET_ID")]
    reference_data: Option<String>,
    /// The document set to match, instead of the file's `document_set_id`.
    #[arg(long, value_name = "DATASET_ID")]
    documents: Option<String>,
    /// Print the created config as JSON instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
#[command(after_help = "\
On a terminal, progress is a bar redrawn in place on stderr; into a pipe or file, a line per phase.
Ctrl-C cancels the run, waits for it to stop, prints the summary with the partial counts and
exits with 130; the results written so far are kept. A second Ctrl-C quits at once.")]
struct RunArgs {
    /// The config to run, as `configs list` prints it.
    config_id: String,
    /// Do not show progress on stderr.
    #[arg(long)]
    no_progress: bool,
    /// Print the finished run as JSON instead of a summary.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("source").required(true).args(["run", "predictions"])))]
struct EvalArgs {
    /// CSV with a header and two columns: document_id, true reference id (empty: no true match).
    #[arg(long, value_name = "TRUTH.csv")]
    truth: PathBuf,
    /// Score the results of this run (needs --workspace).
    #[arg(long, value_name = "RUN_ID")]
    run: Option<String>,
    /// Score a CSV with a header and columns document_id, reference_row_id, confidence (empty
    /// reference_row_id: unmatched).
    #[arg(long, value_name = "PRED.csv")]
    predictions: Option<PathBuf>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
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

fn dispatch(cli: Cli, io: &mut Io) -> Result<u8, CliError> {
    let workspace = cli.workspace;
    // Only `serve` lives long enough to take over the queued runs of a process that died; any
    // other command would start them and exit.
    let takes_over = matches!(cli.command, Command::Serve(_));
    let open = || match &workspace {
        Some(path) => Session::open(path, takes_over),
        None => Err(CliError::Usage(
            "this command needs a workspace: pass --workspace PATH or set MATCHBOOK_WORKSPACE"
                .into(),
        )),
    };
    match cli.command {
        Command::Import(args) => commands::import::run(&open()?, &args, io),
        Command::Configs(ConfigsCommand::Create(a)) => commands::configs::create(
            &open()?,
            &a.file,
            &commands::configs::Overrides {
                name: a.name,
                reference_data_id: a.reference_data,
                document_set_id: a.documents,
            },
            a.json,
            io,
        ),
        Command::Configs(ConfigsCommand::List { json }) => {
            commands::configs::list(&open()?, json, io)
        }
        Command::Configs(ConfigsCommand::Show { config_id, json }) => {
            commands::configs::show(&open()?, &config_id, json, io)
        }
        Command::Run(args) => commands::run::run(&open()?, &args, io),
        Command::Runs(a) => commands::review::runs(
            &open()?,
            a.config,
            a.status.map(|s| match s {
                RunStatusArg::Queued => engine::RunStatus::Queued,
                RunStatusArg::Running => engine::RunStatus::Running,
                RunStatusArg::Completed => engine::RunStatus::Completed,
                RunStatusArg::Failed => engine::RunStatus::Failed,
                RunStatusArg::Cancelled => engine::RunStatus::Cancelled,
            }),
            a.limit,
            a.json,
            io,
        ),
        Command::Results(a) => commands::review::results(
            &open()?,
            commands::review::ResultsArgs {
                run_id: a.run_id,
                status: a.status.map(|s| match s {
                    ReviewStatusArg::Pending => engine::ReviewStatus::Pending,
                    ReviewStatusArg::Approved => engine::ReviewStatus::Approved,
                    ReviewStatusArg::Rejected => engine::ReviewStatus::Rejected,
                }),
                min: a.min,
                max: a.max,
                search: a.search,
                page: a.page,
                limit: a.limit,
                json: a.json,
            },
            io,
        ),
        Command::Review(a) => match a.undo {
            Some(decision_id) => {
                commands::review::undo(&open()?, &a.run_id, &a.result_id, &decision_id, a.json, io)
            }
            None => commands::review::review(
                &open()?,
                &a.run_id,
                &a.result_id,
                service::ReviewInput {
                    status: if a.approve {
                        engine::ReviewStatus::Approved
                    } else {
                        engine::ReviewStatus::Rejected
                    },
                    notes: a.note,
                    reference_row_id: a.candidate,
                },
                a.json,
                io,
            ),
        },
        Command::ApproveAll(a) => commands::review::approve_all(
            &open()?,
            &commands::review::ApproveAll {
                run_id: a.run_id,
                min: a.min,
                max: a.max,
                search: a.search,
                note: a.note,
                yes: a.yes,
                json: a.json,
            },
            io,
        ),
        Command::History(a) => {
            commands::review::history(&open()?, &a.run_id, &a.result_id, a.json, io)
        }
        Command::Export(a) => commands::review::export(
            &open()?,
            &a.run_id,
            &a.out,
            a.format.map(|f| match f {
                FormatArg::Csv => service::ExportFormat::Csv,
                FormatArg::Xlsx => service::ExportFormat::Xlsx,
            }),
            a.include_unreviewed,
            a.json,
            io,
        ),
        Command::Serve(a) => commands::serve::run(
            &open()?,
            &commands::serve::ServeOptions {
                port: a.port,
                rotate_key: a.rotate_key,
                schedules: !a.no_schedules,
            },
            io,
        ),
        Command::Eval(args) => {
            // A predictions file needs no workspace; only opening one when asked keeps `eval`
            // usable on files from elsewhere.
            let session = match args.run {
                Some(_) => Some(open()?),
                None => None,
            };
            commands::eval::run(session.as_ref(), &args, io)
        }
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
