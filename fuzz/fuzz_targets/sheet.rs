//! Workbooks from any bytes: written to a file (the spreadsheet reader opens paths) as XLSX or
//! ODS, by the first byte, and read through the same checks as an import. Seed it with the
//! workbooks of scripts/fuzz-corpus.py: random bytes rarely make a zip archive.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use import::{read_table, ImportOptions};
use libfuzzer_sys::fuzz_target;

fn dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("matchbook-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, bytes)) = data.split_first() else {
        return;
    };
    let name = if flags & 1 == 0 {
        "fuzz.xlsx"
    } else {
        "fuzz.ods"
    };
    let path = dir().join(name);
    std::fs::write(&path, bytes).unwrap();
    let opts = ImportOptions {
        has_header: flags & 2 == 0,
        ..ImportOptions::default()
    };
    let _ = read_table(&path, &opts);
});
