//! The `matchbook-cli` binary; everything lives in the library so tests drive the same code.

fn main() -> std::process::ExitCode {
    matchbook_cli::main_with_args(std::env::args())
}
