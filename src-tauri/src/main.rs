//! Entry point of the Matchbook desktop app: parses the command line and opens the window.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

// Matching allocates millions of small values from several threads; see docs/PERFORMANCE.md.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let launch = match matchbook_app::LaunchOptions::parse(std::env::args().skip(1)) {
        Ok(l) if l.help => {
            println!("{}", matchbook_app::USAGE);
            return;
        }
        Ok(l) => l,
        Err(message) => {
            eprintln!("{message}\n{}", matchbook_app::USAGE);
            std::process::exit(2);
        }
    };
    matchbook_app::run(launch);
}
