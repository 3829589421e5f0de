//! JSON from any bytes: an array of flat objects becomes a table, anything else an error, never
//! a panic or a stack overflow.
#![no_main]

use import::{read_json_bytes, ImportOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(table) = read_json_bytes("fuzz.json", data, &ImportOptions::default()) {
        let _ = import::infer_columns(&table);
        let _ = import::to_records(&table, None);
    }
});
