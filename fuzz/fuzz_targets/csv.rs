//! Delimited text from any bytes: the reader must return a table or an error, never panic. The
//! first byte picks the options (header or not, forced delimiter and encoding), so they are
//! fuzzed too.
#![no_main]

use import::{read_csv_bytes, ImportOptions, TextEncoding};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, text)) = data.split_first() else {
        return;
    };
    let opts = ImportOptions {
        has_header: flags & 1 == 0,
        delimiter: [None, Some(b','), Some(b';'), Some(b'\t')][usize::from(flags >> 1 & 3)],
        encoding: [
            None,
            Some(TextEncoding::Utf8),
            Some(TextEncoding::Windows1252),
            Some(TextEncoding::Utf16Le),
        ][usize::from(flags >> 3 & 3)],
        sheet: None,
    };
    if let Ok(table) = read_csv_bytes("fuzz.csv", text, &opts) {
        // What the import does next must hold up too.
        let _ = import::infer_columns(&table);
        let _ = import::to_records(&table, table.columns.first().map(String::as_str));
    }
});
