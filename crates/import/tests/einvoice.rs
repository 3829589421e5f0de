//! E-invoices read as documents: a Peppol UBL invoice, an XRechnung CII invoice and a Factur-X PDF
//! (built here with its CII embedded as the standard asks), alone and as a folder; and the errors
//! of files that are not what they claim, each naming the file.

use std::path::{Path, PathBuf};

use import::{read_table, FileFormat, ImportOptions};
use lopdf::{dictionary, Document, Object, Stream, StringFormat};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/einvoices")
        .join(name)
}

/// Column name to value of the table's row `i`.
fn row(t: &import::Table, i: usize) -> std::collections::HashMap<String, String> {
    t.columns
        .iter()
        .cloned()
        .zip(t.rows[i].iter().cloned())
        .collect()
}

fn read(path: &Path) -> Result<import::Table, import::ImportError> {
    read_table(path, &ImportOptions::default())
}

/// A one-page PDF carrying `xml` as an embedded file named `name`, the way Factur-X attaches it
/// (file specification with /AFRelationship, EmbeddedFiles name tree, /AF on the catalog).
pub fn factur_x_pdf(xml: &[u8], name: &str) -> Vec<u8> {
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let content = doc.add_object(Stream::new(dictionary! {}, b"BT ET".to_vec()));
    let page = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id, "Contents" => content,
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(
            dictionary! {"Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1},
        ),
    );
    let mut file = Stream::new(
        dictionary! {"Type" => "EmbeddedFile", "Subtype" => "text/xml"},
        xml.to_vec(),
    );
    file.compress().unwrap();
    let file = doc.add_object(file);
    let literal = |s: &str| Object::String(s.as_bytes().to_vec(), StringFormat::Literal);
    let spec = doc.add_object(dictionary! {
        "Type" => "Filespec",
        "F" => literal(name),
        "UF" => literal(name),
        "EF" => dictionary! {"F" => file},
        "AFRelationship" => "Data",
    });
    let catalog = doc.add_object(dictionary! {
        "Type" => "Catalog", "Pages" => pages_id,
        "Names" => dictionary! {"EmbeddedFiles" => dictionary! {
            "Names" => vec![literal(name), spec.into()]}},
        "AF" => vec![spec.into()],
    });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

#[test]
fn a_peppol_ubl_invoice_is_one_row_of_its_header() {
    let t = read(&fixture("ubl-peppol-invoice.xml")).unwrap();
    assert_eq!(t.format, FileFormat::EInvoice);
    assert_eq!(t.rows.len(), 1);
    let r = row(&t, 0);
    assert_eq!(r["document_id"], "ubl-peppol-invoice.xml");
    assert_eq!(r["format"], "ubl");
    assert_eq!(r["invoice_number"], "INV-2024-0042");
    assert_eq!(r["invoice_date"], "2024-02-20");
    assert_eq!(r["due_date"], "2024-03-21");
    // The legal name, entities resolved, rather than the trading name.
    assert_eq!(r["seller_name"], "Northbridge Logistics GmbH & Co. KG");
    assert_eq!(r["seller_vat_id"], "DE123456789");
    assert_eq!(r["buyer_name"], "Matchbook Demo AG");
    assert_eq!(r["order_reference"], "PO-2024-000101");
    assert_eq!(r["currency"], "EUR");
    assert_eq!(
        (
            &*r["net_amount"],
            &*r["tax_amount"],
            &*r["gross_amount"],
            &*r["payable_amount"]
        ),
        ("1250.00", "237.50", "1487.50", "1487.50")
    );
}

#[test]
fn a_cii_invoice_reads_its_vat_id_tax_in_its_currency_and_iso_dates() {
    let t = read(&fixture("cii-xrechnung-invoice.xml")).unwrap();
    let r = row(&t, 0);
    assert_eq!(r["format"], "cii");
    assert_eq!(r["invoice_number"], "RE-7781");
    assert_eq!(r["invoice_date"], "2024-03-05");
    assert_eq!(r["due_date"], "2024-04-04");
    assert_eq!(r["seller_name"], "Acme Office Supplies Ltd");
    // The VAT registration (schemeID VA), not the tax number (FC) listed first.
    assert_eq!(r["seller_vat_id"], "GB123456782");
    assert_eq!(r["order_reference"], "PO 2024/102");
    assert_eq!(r["currency"], "GBP");
    // The tax total in the invoice currency, not the one in EUR listed first.
    assert_eq!(r["tax_amount"], "69.98");
    assert_eq!(
        (&*r["net_amount"], &*r["gross_amount"]),
        ("349.90", "419.88")
    );
}

#[test]
fn a_factur_x_pdf_and_a_folder_of_invoices_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let cii = std::fs::read(fixture("cii-xrechnung-invoice.xml")).unwrap();
    let pdf = dir.path().join("acme-RE-7781.pdf");
    std::fs::write(&pdf, factur_x_pdf(&cii, "factur-x.xml")).unwrap();
    let t = read(&pdf).unwrap();
    let r = row(&t, 0);
    assert_eq!(r["format"], "factur-x");
    assert_eq!(r["invoice_number"], "RE-7781");
    assert_eq!(r["gross_amount"], "419.88");

    std::fs::copy(
        fixture("ubl-peppol-invoice.xml"),
        dir.path().join("northbridge.xml"),
    )
    .unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not an invoice").unwrap();
    let t = read(dir.path()).unwrap();
    assert_eq!(t.format, FileFormat::EInvoice);
    let ids: Vec<&str> = t.rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(ids, ["acme-RE-7781.pdf", "northbridge.xml"]);
    assert_eq!(row(&t, 1)["invoice_number"], "INV-2024-0042");
}

#[test]
fn files_that_are_not_e_invoices_are_refused_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    };
    let cases: Vec<(PathBuf, &str)> = vec![
        (
            write("broken.xml", b"<Invoice><cbc:ID>1</Invoice>"),
            "malformed",
        ),
        (
            write("order.xml", b"<Order><ID>1</ID></Order>"),
            "not an e-invoice",
        ),
        (
            write(
                "nameless.xml",
                b"<Invoice xmlns='urn:oasis:names:specification:ubl:schema:xsd:Invoice-2'/>",
            ),
            "no invoice number",
        ),
        (
            write("plain.pdf", &factur_x_pdf(b"hello", "readme.txt")),
            "no invoice XML",
        ),
        (
            write("fake.pdf", b"%PDF-1.7 not really"),
            "PDF could not be read",
        ),
        (
            write("latin1.xml", b"<Invoice><ID>\xe9</ID></Invoice>"),
            "not UTF-8",
        ),
    ];
    for (path, want) in cases {
        let e = read(&path).unwrap_err();
        let name = path.file_name().unwrap().to_str().unwrap();
        assert_eq!(e.file, name, "{e}");
        assert!(e.to_string().contains(want), "{name}: {e}");
    }
    let deep = format!(
        "<Invoice>{}{}</Invoice>",
        "<a>".repeat(500),
        "</a>".repeat(500)
    );
    let e = read(&write("deep.xml", deep.as_bytes())).unwrap_err();
    assert!(e.message.contains("deeper"), "{e}");
    let empty = tempfile::tempdir().unwrap();
    let e = read(empty.path()).unwrap_err();
    assert!(e.message.contains("no e-invoices"), "{e}");
}
