//! The `matchbook-cli` binary; everything lives in the library so tests drive the same code.

// The app's allocator (see src-tauri/src/main.rs), so the CLI runs as fast as the app.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    matchbook_cli::main_with_args(std::env::args())
}
