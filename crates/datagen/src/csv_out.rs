//! The generated files are written as CSV into memory, the same way for every generator.

pub(crate) fn csv_writer() -> csv::Writer<Vec<u8>> {
    csv::Writer::from_writer(Vec::new())
}

/// Writing into memory cannot fail, so errors are dropped rather than unwrapped.
pub(crate) fn finish(writer: csv::Writer<Vec<u8>>) -> String {
    let bytes = match writer.into_inner() {
        Ok(bytes) => bytes,
        Err(e) => e.into_inner().get_ref().clone(),
    };
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}
