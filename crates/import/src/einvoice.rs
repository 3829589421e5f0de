//! E-invoices as documents: UBL 2.1 invoices and credit notes (Peppol BIS Billing 3.0, XRechnung
//! UBL), UN/CEFACT Cross Industry Invoices (XRechnung CII, Factur-X/ZUGFeRD), and Factur-X/ZUGFeRD
//! PDFs carrying their CII XML as an embedded file. Each invoice is one row of its header fields;
//! a folder of them is one row per file, so a package can be fed what suppliers send.

mod pdf;
mod xml;

use std::path::Path;

use crate::error::{error, ImportError};
use crate::limits::MAX_FILE_BYTES;
use crate::{file_label, unreadable, FileFormat, Table};

pub use xml::Invoice;

/// The columns of an e-invoice table, in order.
pub const COLUMNS: [&str; 15] = [
    "document_id",
    "document_filename",
    "format",
    "invoice_number",
    "invoice_date",
    "due_date",
    "seller_name",
    "seller_vat_id",
    "buyer_name",
    "order_reference",
    "currency",
    "net_amount",
    "tax_amount",
    "gross_amount",
    "payable_amount",
];

/// The largest e-invoice file read (XML or PDF), far above real ones (a few hundred KB).
const MAX_EINVOICE_BYTES: u64 = 64 << 20;

/// Whether `path` names a file read as an e-invoice.
pub fn is_einvoice_path(path: &Path) -> bool {
    matches!(
        path.extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .as_deref(),
        Some("xml" | "pdf")
    )
}

/// One e-invoice file (XML or PDF) as a one-row table, or a folder's e-invoices as one row each
/// (by file name; other files in it are left alone).
pub fn read_einvoices(path: &Path) -> Result<Table, ImportError> {
    let label = file_label(path);
    let files: Vec<std::path::PathBuf> = if path.is_dir() {
        let mut files: Vec<_> = std::fs::read_dir(path)
            .map_err(|e| unreadable(&label, e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file() && is_einvoice_path(p))
            .collect();
        files.sort();
        if files.is_empty() {
            return Err(error(
                &label,
                None,
                None,
                "The folder holds no e-invoices (.xml or .pdf files).".into(),
            ));
        }
        files
    } else {
        vec![path.to_path_buf()]
    };
    let mut rows = Vec::with_capacity(files.len());
    for file in &files {
        let name = file_label(file);
        let invoice = read_one(file, &name)?;
        rows.push(invoice.row(&name));
    }
    Ok(Table {
        file: label,
        format: FileFormat::EInvoice,
        columns: COLUMNS.iter().map(|c| c.to_string()).collect(),
        row_numbers: (1..=rows.len() as u64).collect(),
        rows,
        header_row: 0,
        delimiter: b',',
        encoding: "utf-8",
        sheets: Vec::new(),
        sheet: None,
    })
}

/// One file: XML read directly, a PDF through its embedded XML.
fn read_one(path: &Path, name: &str) -> Result<Invoice, ImportError> {
    let size = std::fs::metadata(path)
        .map_err(|e| unreadable(name, e))?
        .len();
    if size > MAX_EINVOICE_BYTES.min(MAX_FILE_BYTES) {
        return Err(error(
            name,
            None,
            None,
            format!(
                "The file is {size} bytes; an e-invoice is read up to {MAX_EINVOICE_BYTES} bytes."
            ),
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| unreadable(name, e))?;
    let is_pdf = bytes.starts_with(b"%PDF")
        || path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("pdf"));
    if is_pdf {
        let embedded = pdf::embedded_invoice_xml(&bytes).map_err(|m| error(name, None, None, m))?;
        let mut invoice = xml::parse(&embedded)
            .map_err(|m| error(name, None, None, format!("The embedded invoice XML: {m}")))?;
        invoice.format = "factur-x";
        return Ok(invoice);
    }
    xml::parse(&bytes).map_err(|m| error(name, None, None, m))
}
