//! Entry point of the Matchbook desktop app: runs a command-line subcommand without a window
//! (`matchbook run CONFIG`), or parses the window's flags and opens the window.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::process::ExitCode;

// Matching allocates millions of small values from several threads; see docs/PERFORMANCE.md.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    matchbook_app::startup::mark_process_start();
    let args: Vec<String> = std::env::args().collect();
    if matches!(args.get(1..), Some([flag]) if flag == "--version" || flag == "-V") {
        println!("matchbook {}", env!("CARGO_PKG_VERSION"));
        return ExitCode::SUCCESS;
    }
    // Decided before anything of Tauri starts, so a command works where no display is.
    if matchbook_app::wants_cli(args.get(1..).unwrap_or_default()) {
        return matchbook_cli::main_with_args(args);
    }
    service::prefer_small_pages();
    service::set_memory_release(matchbook_cli::release_mimalloc);
    let launch = match matchbook_app::LaunchOptions::parse(args.into_iter().skip(1)) {
        Ok(l) if l.help => {
            println!("{}", matchbook_app::USAGE);
            return ExitCode::SUCCESS;
        }
        Ok(l) => l,
        Err(message) => {
            eprintln!("{message}\n{}", matchbook_app::USAGE);
            return ExitCode::from(2);
        }
    };
    matchbook_app::run(launch);
    ExitCode::SUCCESS
}
