//! One module per subcommand. Each owns its arguments (the clap `Args` and value enums only it
//! uses) and a `run` that takes the open session (or, for `import`, `eval` and `serve`, the
//! workspace flag to open), those arguments and the output streams, calls the service, and
//! returns the exit code (errors bubble up as `CliError`).

pub mod ai_resolve;
pub mod approve_all;
pub mod configs;
pub mod datasets;
pub mod em;
pub mod eval;
pub mod export;
pub mod history;
pub mod import;
pub mod match_one;
pub mod package_runs;
pub mod packages;
pub mod pipelines;
pub mod results;
pub mod review;
pub mod run;
pub mod runs;
pub mod serve;
pub mod strategies;
pub mod summary;

use crate::error::CliError;

/// A failed write (closed pipe, full disk) ends the command as a failure instead of being
/// ignored: a script reading the output must not take a truncated answer for a whole one.
pub(crate) fn io_err(e: std::io::Error) -> CliError {
    CliError::Failed(format!("cannot write output: {e}"))
}

/// Prints a service value as pretty JSON: the shape every other client of the service gets, so a
/// script written against the REST API reads `--json` output unchanged.
pub(crate) fn print_json<T: serde::Serialize>(
    value: &T,
    io: &mut crate::Io,
) -> Result<(), CliError> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| CliError::Failed(format!("cannot encode the answer: {e}")))?;
    writeln!(io.out, "{text}").map_err(io_err)
}
