//! Generator of a demo workspace: purchase orders, the messy invoices that refer to them, and the
//! truth of which invoice belongs to which order.
//!
//! The same seed always gives the same files. The generator also builds benchmark inputs of a
//! million rows, so rows are written field by field into reused buffers: no regexes, no
//! formatting machinery beyond `write!`.

use std::collections::HashSet;
use std::fmt::Write as _;

use chrono::{Datelike, Days, NaiveDate};

use crate::csv_out::{csv_writer, finish};
use crate::rng::Rng;
use engine::domain::{FieldMapping, FuzzyMeasure, Normalizer, Strategy};

mod delivery;
pub use delivery::{DELIVERY_NOTE_COLUMNS, DELIVERY_TRUTH_COLUMNS};

#[derive(Debug, Clone)]
pub struct DemoSpec {
    pub purchase_orders: usize,
    pub invoices: usize,
    pub seed: u64,
}

impl Default for DemoSpec {
    /// The size of the demo workspace a new user gets: big enough to show every review case,
    /// small enough to match in a blink.
    fn default() -> Self {
        DemoSpec {
            purchase_orders: 500,
            invoices: 400,
            seed: 42,
        }
    }
}

#[derive(Debug, Clone)]
pub struct DemoData {
    pub purchase_orders_csv: String,
    pub invoices_csv: String,
    /// document_id,po_id (empty po_id: the invoice has no PO).
    pub truth_csv: String,
    /// Delivery notes (goods receipts) for the orders; empty unless asked for
    /// (`generate_with_deliveries`).
    pub delivery_notes_csv: String,
    /// delivery_note_id,po_id.
    pub delivery_truth_csv: String,
}

pub const PURCHASE_ORDER_COLUMNS: [&str; 8] = [
    "po_id",
    "po_number",
    "vendor_id",
    "vendor_name",
    "net_amount",
    "currency",
    "order_date",
    "description",
];

pub const INVOICE_COLUMNS: [&str; 9] = [
    "document_id",
    "document_filename",
    "invoice_number",
    "vendor_name",
    "po_reference",
    "invoice_date",
    "total_amount",
    "currency",
    "description",
];

pub const TRUTH_COLUMNS: [&str; 2] = ["document_id", "po_id"];

/// Share of invoices that belong to no purchase order in the data.
const NO_PO_SHARE: f64 = 0.12;
/// Share of invoices with a PO that do not quote its number.
const MISSING_REFERENCE_SHARE: f64 = 0.2;
/// Order dates fall in 2024-01-01..=2025-06-30, 547 days.
const ORDER_DAYS: u64 = 547;
/// Invoices are dated up to this many days after the order.
const MAX_INVOICE_DELAY_DAYS: u64 = 40;

const NAME_STARTS: [&str; 40] = [
    "North", "South", "East", "West", "Blue", "Green", "Silver", "Golden", "Red", "Black", "White",
    "High", "Iron", "Stone", "Oak", "Pine", "Maple", "River", "Lake", "Sun", "Star", "Bright",
    "Swift", "Clear", "Grand", "Royal", "Prime", "Summit", "Alpen", "Nord", "Cedar", "Elm", "Fox",
    "Eagle", "Falcon", "Harbor", "Crown", "Key", "Bay", "Rock",
];
const NAME_ENDS: [&str; 30] = [
    "bridge", "field", "gate", "wood", "stone", "brook", "ford", "haven", "point", "ridge", "view",
    "well", "side", "way", "land", "port", "mark", "line", "dale", "crest", "vale", "works",
    "light", "spring", "hill", "wick", "ton", "by", "mont", "shire",
];
const TRADES: [&str; 24] = [
    "Logistics",
    "Industries",
    "Supplies",
    "Consulting",
    "Engineering",
    "Systems",
    "Software",
    "Foods",
    "Chemicals",
    "Packaging",
    "Electronics",
    "Textiles",
    "Office Supplies",
    "Facility Services",
    "Metalworks",
    "Plastics",
    "Transport",
    "Catering",
    "Printing",
    "Energy",
    "Medical",
    "Tools",
    "Furniture",
    "Security",
];
/// Legal forms and how invoices write them instead (abbreviated, expanded, re-punctuated).
const LEGAL_FORMS: [(&str, &[&str]); 12] = [
    (
        "GmbH",
        &["G.m.b.H.", "Gesellschaft mit beschraenkter Haftung", "Gmbh"],
    ),
    ("Ltd", &["Ltd.", "Limited", "LTD"]),
    ("Limited", &["Ltd", "Ltd."]),
    ("Inc.", &["Inc", "Incorporated"]),
    ("Corp.", &["Corp", "Corporation"]),
    ("Corporation", &["Corp.", "Corp"]),
    ("LLC", &["L.L.C.", "Limited Liability Company"]),
    ("AG", &["A.G.", "Aktiengesellschaft"]),
    ("S.A.", &["SA", "S.A", "Societe Anonyme"]),
    ("B.V.", &["BV", "B.V"]),
    ("plc", &["PLC", "p.l.c.", "Public Limited Company"]),
    ("Co.", &["Co", "Company", "& Co."]),
];
const ITEMS: [&str; 24] = [
    "Freight services",
    "Office supplies",
    "Printer toner",
    "Laptop computers",
    "Software licences",
    "Consulting services",
    "Spare parts",
    "Maintenance visit",
    "Cleaning services",
    "Packaging material",
    "Cardboard boxes",
    "Steel fittings",
    "Safety equipment",
    "Catering",
    "Network cables",
    "Desk chairs",
    "Training course",
    "Security services",
    "Electricity",
    "Lab chemicals",
    "Forklift rental",
    "Marketing brochures",
    "Cloud hosting",
    "Pallets",
];
const SITES: [&str; 10] = [
    "Hamburg",
    "Munich",
    "London",
    "Rotterdam",
    "Lyon",
    "Vienna",
    "Zurich",
    "Madrid",
    "Chicago",
    "Dublin",
];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const CURRENCIES: [&str; 3] = ["EUR", "USD", "GBP"];
/// VAT rates as per-mille multipliers: 19 %, 20 %, 21 % and 7 %.
const VAT_PER_MILLE: [u64; 4] = [1190, 1200, 1210, 1070];

struct Vendor {
    id: String,
    /// The name without its legal form, so invoices can vary the form.
    base: String,
    legal: usize,
    currency: &'static str,
    /// How this vendor numbers its invoices.
    numbering: u8,
}

impl Vendor {
    fn name(&self) -> String {
        full_name(&self.base, self.legal)
    }
}

struct PurchaseOrder {
    /// Running number, 1-based: po_id "po_N" and the number in "PO-YYYY-NNNNNN".
    number: u64,
    vendor: usize,
    net_cents: u64,
    date: NaiveDate,
    item: usize,
    site: usize,
    description_style: u8,
}

fn first_order_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default()
}

/// Builds the demo files. Deterministic for `spec.seed`.
pub fn generate(spec: &DemoSpec) -> DemoData {
    generate_inner(spec, false)
}

/// As `generate`, the orders with their quantity and unit price, and delivery notes for them
/// (for the three-way match). The invoices and the other order columns are those of `generate`.
pub fn generate_with_deliveries(spec: &DemoSpec) -> DemoData {
    generate_inner(spec, true)
}

fn generate_inner(spec: &DemoSpec, deliveries: bool) -> DemoData {
    let mut rng = Rng(spec.seed);
    let mut taken: HashSet<String> = HashSet::new();
    let vendors: Vec<Vendor> = (0..(spec.purchase_orders / 8).max(20))
        .map(|i| new_vendor(&mut rng, &mut taken, i + 1))
        .collect();
    let orders: Vec<PurchaseOrder> = (0..spec.purchase_orders)
        .map(|i| new_order(&mut rng, &vendors, i as u64 + 1))
        .collect();

    let lines = deliveries.then_some(spec.seed);
    let purchase_orders_csv = write_orders(&orders, &vendors, lines);
    let (invoices_csv, truth_csv) = write_invoices(&mut rng, spec, &orders, &vendors, &taken);
    let (delivery_notes_csv, delivery_truth_csv) = if deliveries {
        delivery::write_delivery_notes(spec.seed, &orders, &vendors)
    } else {
        Default::default()
    };
    DemoData {
        purchase_orders_csv,
        invoices_csv,
        truth_csv,
        delivery_notes_csv,
        delivery_truth_csv,
    }
}

/// The invoice-to-PO config the demo workspace starts with.
pub fn invoice_to_po_mappings() -> Vec<FieldMapping> {
    let mut po = FieldMapping::new("po_reference", "po_number", Strategy::Fuzzy, 0.3);
    po.normalizer = Some(Normalizer::Reference);
    po.similarity_threshold = Some(0.8);
    po.rationale = Some(
        "Invoices quote the PO number in many spellings (PO 2024/123, po2024000123); the reference \
         normaliser compares their letter and digit skeletons, zero padding aside."
            .into(),
    );
    let mut vendor = FieldMapping::new("vendor_name", "vendor_name", Strategy::Fuzzy, 0.25);
    vendor.normalizer = Some(Normalizer::CompanyName);
    vendor.measure = Some(FuzzyMeasure::JaroWinkler);
    vendor.similarity_threshold = Some(0.85);
    vendor.rationale = Some(
        "Vendors write their name with varying case, legal form (GmbH, Ltd/Limited) and the odd \
         typo; the company-name normaliser drops the legal form, Jaro-Winkler forgives typos."
            .into(),
    );
    let mut amount = FieldMapping::new("total_amount", "net_amount", Strategy::NumericRange, 0.25);
    amount.tolerance_absolute = Some(0.01);
    amount.tolerance_percent = Some(0.0);
    amount.tax_rates = Some(vec![7.0, 19.0, 20.0, 21.0]);
    amount.partial_shares = Some(vec![0.25, 0.5, 0.75]);
    amount.partial_score = Some(0.8);
    amount.rationale = Some(
        "Invoice totals are the net order amount plus VAT (7-21 %), or a partial delivery of it; \
         rounded to the cent, so the tolerance is one cent."
            .into(),
    );
    let mut date = FieldMapping::new("invoice_date", "order_date", Strategy::DateRange, 0.1);
    date.days_before = Some(0);
    date.days_after = Some(45);
    date.mismatch_weight = Some(1.0);
    date.rationale = Some(
        "An invoice comes 0 to 45 days after its order; a date outside that window is strong \
         evidence against the pair."
            .into(),
    );
    let mut currency = FieldMapping::new("currency", "currency", Strategy::Exact, 0.05);
    currency.mismatch_weight = Some(0.5);
    currency.rationale = Some("A vendor invoices in the currency of the order.".into());
    let mut description = FieldMapping::new("description", "description", Strategy::Exact, 0.05);
    description.mismatch_weight = Some(0.2);
    description.rationale =
        Some("When the invoice names the goods, they are the ordered ones.".into());
    vec![po, vendor, amount, date, currency, description]
}

/// The delivery-note-to-PO config of the demo's three-way match: notes quote the order number
/// and the vendor, and arrive within a month of the order.
pub fn delivery_to_po_mappings() -> Vec<FieldMapping> {
    let mut po = FieldMapping::new("po_reference", "po_number", Strategy::Fuzzy, 0.5);
    po.normalizer = Some(Normalizer::Reference);
    po.similarity_threshold = Some(0.8);
    po.rationale =
        Some("Delivery notes quote the order number, in the supplier's spelling.".into());
    let mut vendor = FieldMapping::new("vendor_name", "vendor_name", Strategy::Fuzzy, 0.3);
    vendor.normalizer = Some(Normalizer::CompanyName);
    vendor.measure = Some(FuzzyMeasure::JaroWinkler);
    vendor.similarity_threshold = Some(0.85);
    vendor.rationale = Some("The supplier on the note is the order's vendor.".into());
    let mut date = FieldMapping::new("delivery_date", "order_date", Strategy::DateRange, 0.2);
    date.days_before = Some(0);
    date.days_after = Some(45);
    date.mismatch_weight = Some(1.0);
    date.rationale = Some("Goods arrive after the order, within weeks.".into());
    vec![po, vendor, date]
}

fn new_vendor(rng: &mut Rng, taken: &mut HashSet<String>, n: usize) -> Vendor {
    let legal = rng.index(LEGAL_FORMS.len());
    let mut base = vendor_base(rng);
    if taken.contains(&full_name(&base, legal)) {
        base = vendor_base(rng);
    }
    // The name space (~350k) is not much larger than the vendor list of a million-row demo, so
    // clashes happen; a numeral keeps names unique so that a vendor name identifies a vendor.
    let stem = base.clone();
    let mut k = 2;
    while taken.contains(&full_name(&base, legal)) {
        base = format!("{stem} {k}");
        k += 1;
    }
    taken.insert(full_name(&base, legal));
    let currency = match rng.below(100) {
        0..=59 => "EUR",
        60..=84 => "USD",
        _ => "GBP",
    };
    Vendor {
        id: format!("V{n:05}"),
        base,
        legal,
        currency,
        numbering: rng.below(4) as u8,
    }
}

fn vendor_base(rng: &mut Rng) -> String {
    let mut s = String::with_capacity(32);
    s.push_str(rng.pick(&NAME_STARTS));
    s.push_str(rng.pick(&NAME_ENDS));
    s.push(' ');
    s.push_str(rng.pick(&TRADES));
    s
}

fn full_name(base: &str, legal: usize) -> String {
    let mut s = String::with_capacity(base.len() + 12);
    s.push_str(base);
    s.push(' ');
    s.push_str(LEGAL_FORMS[legal].0);
    s
}

fn new_order(rng: &mut Rng, vendors: &[Vendor], number: u64) -> PurchaseOrder {
    // Squaring skews amounts towards small orders, as in real purchasing.
    let u = rng.unit();
    let net_cents = 5_000 + (u * u * 1_995_000.0) as u64;
    PurchaseOrder {
        number,
        vendor: rng.index(vendors.len()),
        net_cents,
        date: first_order_day() + Days::new(rng.below(ORDER_DAYS)),
        item: rng.index(ITEMS.len()),
        site: rng.index(SITES.len()),
        description_style: rng.below(4) as u8,
    }
}

/// The orders CSV; with `lines` (the seed), each order's quantity and unit price too.
fn write_orders(orders: &[PurchaseOrder], vendors: &[Vendor], lines: Option<u64>) -> String {
    let mut w = csv_writer();
    let mut header: Vec<&str> = PURCHASE_ORDER_COLUMNS.to_vec();
    if lines.is_some() {
        header.extend(["quantity", "unit_price"]);
    }
    let _ = w.write_record(&header);
    let (mut quantity, mut price) = (String::new(), String::new());
    let (mut id, mut number, mut amount, mut date, mut description) = (
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
    );
    let names: Vec<String> = vendors.iter().map(Vendor::name).collect();
    for po in orders {
        id.clear();
        let _ = write!(id, "po_{}", po.number);
        number.clear();
        write_po_number(&mut number, po.date.year(), po.number);
        amount.clear();
        write_plain_amount(&mut amount, po.net_cents);
        date.clear();
        write_iso_date(&mut date, po.date);
        description.clear();
        write_order_description(&mut description, po);
        let vendor = &vendors[po.vendor];
        for field in [
            id.as_str(),
            number.as_str(),
            vendor.id.as_str(),
            names[po.vendor].as_str(),
            amount.as_str(),
            vendor.currency,
            date.as_str(),
            description.as_str(),
        ] {
            let _ = w.write_field(field);
        }
        if let Some(seed) = lines {
            delivery::order_line(seed, po, &mut quantity, &mut price);
            let _ = w.write_field(&quantity);
            let _ = w.write_field(&price);
        }
        let _ = w.write_record(None::<&[u8]>);
    }
    finish(w)
}

fn write_invoices(
    rng: &mut Rng,
    spec: &DemoSpec,
    orders: &[PurchaseOrder],
    vendors: &[Vendor],
    taken: &HashSet<String>,
) -> (String, String) {
    let mut invoices = csv_writer();
    let mut truth = csv_writer();
    let _ = invoices.write_record(INVOICE_COLUMNS);
    let _ = truth.write_record(TRUTH_COLUMNS);

    let n = spec.invoices as u64;
    // Exactly this many invoices have no PO, spread at random (selection sampling), so the share
    // holds for small demos too.
    let mut no_po_left = if orders.is_empty() {
        n
    } else {
        (n as f64 * NO_PO_SHARE).round() as u64
    };
    let mut buf = InvoiceBuffers::default();
    for i in 0..n {
        buf.clear();
        let has_po = rng.below(n - i) >= no_po_left;
        if !has_po {
            no_po_left -= 1;
        }
        let _ = write!(buf.document_id, "doc_{}", i + 1);
        let seq = 1000 + i;
        let currency = if has_po {
            fill_invoice_of_order(rng, &mut buf, orders, vendors, seq)
        } else {
            fill_invoice_without_order(rng, &mut buf, orders, vendors, taken, seq)
        };
        write_invoice_row(&mut invoices, &buf, currency);
        let _ = truth.write_record([buf.document_id.as_str(), buf.po_id.as_str()]);
    }
    (finish(invoices), finish(truth))
}

/// Fills `buf` with an invoice for a random order, `seq` its running number; returns its
/// currency.
fn fill_invoice_of_order(
    rng: &mut Rng,
    buf: &mut InvoiceBuffers,
    orders: &[PurchaseOrder],
    vendors: &[Vendor],
    seq: u64,
) -> &'static str {
    let po = &orders[rng.index(orders.len())];
    let vendor = &vendors[po.vendor];
    write_messy_vendor(rng, &mut buf.vendor_name, &vendor.base, vendor.legal);
    write_invoice_number(
        &mut buf.invoice_number,
        vendor.numbering,
        po.date.year(),
        seq,
    );
    write_filename(
        &mut buf.filename,
        &vendor.base,
        vendor.legal,
        &buf.invoice_number,
    );
    if !rng.chance(MISSING_REFERENCE_SHARE) {
        write_messy_po_number(rng, &mut buf.po_reference, po.date.year(), po.number);
    }
    let invoice_date = po.date + Days::new(rng.below(MAX_INVOICE_DELAY_DAYS + 1));
    write_messy_date(rng, &mut buf.invoice_date, invoice_date);
    let total = match rng.below(100) {
        0..=54 => po.net_cents,
        55..=92 => vat_inclusive(po.net_cents, rng.pick(&VAT_PER_MILLE)),
        // A partial delivery or instalment.
        _ => po.net_cents * (20 + rng.below(61)) / 100,
    };
    write_messy_amount(rng, &mut buf.total, total, vendor.currency);
    write_invoice_description(rng, &mut buf.description, po);
    let _ = write!(buf.po_id, "po_{}", po.number);
    vendor.currency
}

/// Fills `buf` with an invoice that belongs to no order: from a known vendor half the time,
/// else from one in no order; returns its currency.
fn fill_invoice_without_order(
    rng: &mut Rng,
    buf: &mut InvoiceBuffers,
    orders: &[PurchaseOrder],
    vendors: &[Vendor],
    taken: &HashSet<String>,
    seq: u64,
) -> &'static str {
    let (base, legal, numbering, currency) = if rng.chance(0.5) && !vendors.is_empty() {
        let v = &vendors[rng.index(vendors.len())];
        (v.base.clone(), v.legal, v.numbering, v.currency)
    } else {
        let legal = rng.index(LEGAL_FORMS.len());
        let mut base = vendor_base(rng);
        if taken.contains(&full_name(&base, legal)) {
            base.push_str(" Group");
        }
        (base, legal, rng.below(4) as u8, rng.pick(&CURRENCIES))
    };
    let date = first_order_day() + Days::new(rng.below(ORDER_DAYS + MAX_INVOICE_DELAY_DAYS));
    write_messy_vendor(rng, &mut buf.vendor_name, &base, legal);
    write_invoice_number(&mut buf.invoice_number, numbering, date.year(), seq);
    write_filename(&mut buf.filename, &base, legal, &buf.invoice_number);
    if rng.chance(0.4) {
        // A PO number past the last one: it looks right but matches nothing.
        let bogus = orders.len() as u64 + 1 + rng.below(orders.len().max(1000) as u64);
        write_messy_po_number(rng, &mut buf.po_reference, date.year(), bogus);
    }
    write_messy_date(rng, &mut buf.invoice_date, date);
    let u = rng.unit();
    write_messy_amount(
        rng,
        &mut buf.total,
        2_000 + (u * u * 2_000_000.0) as u64,
        currency,
    );
    buf.description.push_str(rng.pick(&ITEMS));
    currency
}

#[derive(Default)]
struct InvoiceBuffers {
    document_id: String,
    filename: String,
    invoice_number: String,
    vendor_name: String,
    po_reference: String,
    invoice_date: String,
    total: String,
    description: String,
    po_id: String,
}

impl InvoiceBuffers {
    fn clear(&mut self) {
        for s in [
            &mut self.document_id,
            &mut self.filename,
            &mut self.invoice_number,
            &mut self.vendor_name,
            &mut self.po_reference,
            &mut self.invoice_date,
            &mut self.total,
            &mut self.description,
            &mut self.po_id,
        ] {
            s.clear();
        }
    }
}

fn write_invoice_row(w: &mut csv::Writer<Vec<u8>>, b: &InvoiceBuffers, currency: &str) {
    let _ = w.write_record([
        b.document_id.as_str(),
        b.filename.as_str(),
        b.invoice_number.as_str(),
        b.vendor_name.as_str(),
        b.po_reference.as_str(),
        b.invoice_date.as_str(),
        b.total.as_str(),
        currency,
        b.description.as_str(),
    ]);
}

fn vat_inclusive(net_cents: u64, per_mille: u64) -> u64 {
    (net_cents * per_mille + 500) / 1000
}

fn write_po_number(out: &mut String, year: i32, number: u64) {
    let _ = write!(out, "PO-{year}-{number:06}");
}

/// The PO number as suppliers write it: canonical or one of the usual deformations.
fn write_messy_po_number(rng: &mut Rng, out: &mut String, year: i32, number: u64) {
    let _ = match rng.below(6) {
        0 | 1 => write!(out, "PO-{year}-{number:06}"),
        2 => write!(out, "PO {year}/{number}"),
        3 => write!(out, "{year}{number:06}"),
        4 => write!(out, "po{year}{number:06}"),
        _ => write!(out, "P-O{year}-{number:06}"),
    };
}

fn write_invoice_number(out: &mut String, numbering: u8, year: i32, seq: u64) {
    let _ = match numbering {
        0 => write!(out, "INV-{year}-{seq:05}"),
        1 => write!(out, "{seq:06}"),
        2 => write!(out, "RE{year}{seq:05}"),
        _ => write!(out, "F-{seq}"),
    };
}

/// "invoice-<vendor-slug>-<invoice-number>.pdf", the slug from the vendor's proper name.
fn write_filename(out: &mut String, base: &str, legal: usize, invoice_number: &str) {
    out.push_str("invoice-");
    for c in base
        .chars()
        .chain(" ".chars())
        .chain(LEGAL_FORMS[legal].0.chars())
    {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    if !out.ends_with('-') {
        out.push('-');
    }
    out.push_str(invoice_number);
    out.push_str(".pdf");
}

/// The vendor's name as an invoice writes it: legal form kept, varied or dropped, case changed,
/// sometimes a typo.
fn write_messy_vendor(rng: &mut Rng, out: &mut String, base: &str, legal: usize) {
    let start = out.len();
    out.push_str(base);
    if rng.chance(0.1) {
        typo(rng, out, start);
    }
    let (canonical, variants) = LEGAL_FORMS[legal];
    match rng.below(100) {
        0..=49 => {
            out.push(' ');
            out.push_str(canonical);
        }
        50..=79 => {
            out.push(' ');
            out.push_str(rng.pick(variants));
        }
        _ => {}
    }
    match rng.below(100) {
        0..=11 => out[start..].make_ascii_uppercase(),
        12..=19 => out[start..].make_ascii_lowercase(),
        _ => {}
    }
}

/// Swaps, drops or doubles one letter of `out[start..]` (ASCII by construction; anything else is
/// left alone).
fn typo(rng: &mut Rng, out: &mut String, start: usize) {
    let len = out.len() - start;
    if len < 4 || !out[start..].is_ascii() {
        return;
    }
    // Not the first letter: people rarely get that wrong.
    let at = start + 1 + rng.index(len - 2);
    let Some(c) = out[at..].chars().next() else {
        return;
    };
    if !c.is_ascii_alphabetic() {
        return;
    }
    match rng.below(3) {
        0 => {
            let next = out.as_bytes()[at + 1] as char;
            if next.is_ascii_alphabetic() {
                let swapped: String = [next, c].iter().collect();
                out.replace_range(at..at + 2, &swapped);
            }
        }
        1 => {
            out.remove(at);
        }
        _ => out.insert(at, c),
    }
}

fn write_iso_date(out: &mut String, d: NaiveDate) {
    let _ = write!(out, "{:04}-{:02}-{:02}", d.year(), d.month(), d.day());
}

fn write_messy_date(rng: &mut Rng, out: &mut String, d: NaiveDate) {
    let _ = match rng.below(3) {
        0 => write!(out, "{:04}-{:02}-{:02}", d.year(), d.month(), d.day()),
        1 => write!(out, "{:02}.{:02}.{:04}", d.day(), d.month(), d.year()),
        _ => write!(
            out,
            "{} {} {}",
            d.day(),
            MONTHS[d.month0() as usize],
            d.year()
        ),
    };
}

fn write_plain_amount(out: &mut String, cents: u64) {
    let _ = write!(out, "{}.{:02}", cents / 100, cents % 100);
}

/// "1234.56", "1,234.56", "1.234,56" or "EUR 1234.56".
fn write_messy_amount(rng: &mut Rng, out: &mut String, cents: u64, currency: &str) {
    match rng.below(4) {
        0 => write_plain_amount(out, cents),
        1 => write_grouped_amount(out, cents, ',', '.'),
        2 => write_grouped_amount(out, cents, '.', ','),
        _ => {
            out.push_str(currency);
            out.push(' ');
            write_plain_amount(out, cents);
        }
    }
}

fn write_grouped_amount(out: &mut String, cents: u64, group: char, decimal: char) {
    let digits = (cents / 100).to_string();
    // The first group holds 1 to 3 digits, every later one exactly 3.
    let lead = match digits.len() % 3 {
        0 => 3,
        r => r,
    };
    out.push_str(digits.get(..lead).unwrap_or(&digits));
    let mut i = lead;
    while let Some(chunk) = digits.get(i..i + 3) {
        out.push(group);
        out.push_str(chunk);
        i += 3;
    }
    out.push(decimal);
    let _ = write!(out, "{:02}", cents % 100);
}

fn write_order_description(out: &mut String, po: &PurchaseOrder) {
    out.push_str(ITEMS[po.item]);
    let _ = match po.description_style {
        0 => Ok(()),
        1 => write!(
            out,
            ", {} {}",
            MONTHS[po.date.month0() as usize],
            po.date.year()
        ),
        2 => write!(out, " for {} site", SITES[po.site]),
        _ => write!(out, " (Q{} {})", po.date.month0() / 3 + 1, po.date.year()),
    };
}

fn write_invoice_description(rng: &mut Rng, out: &mut String, po: &PurchaseOrder) {
    match rng.below(4) {
        0 | 1 => write_order_description(out, po),
        2 => {
            out.push_str("Invoice: ");
            out.push_str(ITEMS[po.item]);
        }
        _ => {
            out.push_str(ITEMS[po.item]);
            out.push_str(" - ");
            out.push_str(SITES[po.site]);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use engine::domain::DatasetKind;
    use import::{
        guess_filename_column, guess_id_column, read_csv_bytes, to_documents, to_records,
        ImportOptions, Table,
    };

    fn spec(purchase_orders: usize, invoices: usize, seed: u64) -> DemoSpec {
        DemoSpec {
            purchase_orders,
            invoices,
            seed,
        }
    }

    fn table(name: &str, csv: &str) -> Table {
        read_csv_bytes(name, csv.as_bytes(), &ImportOptions::default()).unwrap()
    }

    #[test]
    fn same_seed_same_output_other_seed_other_output() {
        let a = generate(&spec(300, 250, 7));
        let b = generate(&spec(300, 250, 7));
        let c = generate(&spec(300, 250, 8));
        assert_eq!(a.purchase_orders_csv, b.purchase_orders_csv);
        assert_eq!(a.invoices_csv, b.invoices_csv);
        assert_eq!(a.truth_csv, b.truth_csv);
        assert_ne!(a.purchase_orders_csv, c.purchase_orders_csv);
        assert_ne!(a.invoices_csv, c.invoices_csv);
    }

    #[test]
    fn row_counts_and_headers() {
        let data = generate(&spec(400, 300, 1));
        let pos = table("pos.csv", &data.purchase_orders_csv);
        let invoices = table("invoices.csv", &data.invoices_csv);
        let truth = table("truth.csv", &data.truth_csv);
        assert_eq!(pos.columns, PURCHASE_ORDER_COLUMNS);
        assert_eq!(invoices.columns, INVOICE_COLUMNS);
        assert_eq!(truth.columns, TRUTH_COLUMNS);
        assert_eq!(pos.rows.len(), 400);
        assert_eq!(invoices.rows.len(), 300);
        assert_eq!(truth.rows.len(), 300);
        assert_eq!(pos.delimiter, b',');
        assert_eq!(invoices.delimiter, b',');
    }

    #[test]
    fn vendors_scale_with_orders() {
        let vendors = |n: usize| {
            let pos = table("pos.csv", &generate(&spec(n, 0, 3)).purchase_orders_csv);
            pos.rows
                .iter()
                .map(|r| r[2].clone())
                .collect::<HashSet<_>>()
                .len()
        };
        assert!(vendors(100) <= 20);
        let many = vendors(4000);
        assert!((400..=500).contains(&many), "{many}");
    }

    #[test]
    fn orders_are_well_formed() {
        let pos = table("pos.csv", &generate(&spec(500, 0, 11)).purchase_orders_csv);
        let first = first_order_day();
        let last = NaiveDate::from_ymd_opt(2025, 6, 30).unwrap();
        for row in &pos.rows {
            let number = &row[1];
            assert!(
                number.starts_with("PO-20") && number.len() == 14,
                "{number}"
            );
            let amount: f64 = row[4].parse().unwrap();
            assert!((50.0..=20_000.0).contains(&amount), "{amount}");
            assert_eq!(row[4].split('.').nth(1).map(str::len), Some(2));
            assert!(CURRENCIES.contains(&row[5].as_str()));
            let date = NaiveDate::parse_from_str(&row[6], "%Y-%m-%d").unwrap();
            assert!(first <= date && date <= last, "{date}");
            assert_eq!(&number[3..7], &row[6][..4]);
            let suffix = row[3].rsplit(' ').next().unwrap();
            assert!(LEGAL_FORMS.iter().any(|(f, _)| *f == suffix), "{}", row[3]);
        }
    }

    #[test]
    fn truth_refers_to_existing_orders_and_no_po_share_is_plausible() {
        let data = generate(&spec(1000, 2000, 5));
        let pos = to_records(&table("pos.csv", &data.purchase_orders_csv), Some("po_id")).unwrap();
        let ids: HashSet<_> = pos.iter().map(|r| r.id.as_str()).collect();
        let truth = table("truth.csv", &data.truth_csv);
        let invoices = table("invoices.csv", &data.invoices_csv);
        let mut without = 0;
        for (t, inv) in truth.rows.iter().zip(&invoices.rows) {
            assert_eq!(t[0], inv[0]);
            if t[1].is_empty() {
                without += 1;
            } else {
                assert!(ids.contains(t[1].as_str()), "{}", t[1]);
            }
        }
        let share = without as f64 / truth.rows.len() as f64;
        assert!((0.05..=0.20).contains(&share), "{share}");
    }

    #[test]
    fn invoices_are_messy_but_traceable() {
        let data = generate(&spec(500, 1000, 9));
        let pos = table("pos.csv", &data.purchase_orders_csv);
        let invoices = table("invoices.csv", &data.invoices_csv);
        let truth = table("truth.csv", &data.truth_csv);
        let by_id: HashMap<_, _> = pos.rows.iter().map(|r| (r[0].as_str(), r)).collect();
        let mut exact_vendor = 0;
        let mut empty_reference = 0;
        let mut formats = HashSet::new();
        for (inv, t) in invoices.rows.iter().zip(&truth.rows) {
            assert!(
                inv[1].starts_with("invoice-") && inv[1].ends_with(".pdf"),
                "{}",
                inv[1]
            );
            assert!(inv[1].contains(&inv[2]));
            if inv[6].contains(',') {
                formats.insert(if inv[6].rfind(',') > inv[6].rfind('.') {
                    "eu"
                } else {
                    "us"
                });
            }
            if inv[6].starts_with(|c: char| c.is_ascii_alphabetic()) {
                formats.insert("code");
            }
            let Some(po) = by_id.get(t[1].as_str()) else {
                continue;
            };
            exact_vendor += usize::from(inv[3] == po[3]);
            empty_reference += usize::from(inv[4].is_empty());
            assert_eq!(inv[7], po[5]);
            let digits: String = inv[4].chars().filter(char::is_ascii_digit).collect();
            let po_digits: String = po[1].chars().filter(char::is_ascii_digit).collect();
            assert!(
                digits.is_empty()
                    || po_digits
                        .ends_with(digits.trim_start_matches("2024").trim_start_matches("2025")),
                "{} vs {}",
                inv[4],
                po[1]
            );
        }
        let with_po = truth.rows.iter().filter(|t| !t[1].is_empty()).count();
        assert!(
            exact_vendor > with_po / 5 && exact_vendor < with_po * 3 / 4,
            "{exact_vendor}"
        );
        let missing = empty_reference as f64 / with_po as f64;
        assert!((0.1..=0.3).contains(&missing), "{missing}");
        assert_eq!(formats.len(), 3, "{formats:?}");
    }

    #[test]
    fn round_trips_through_import() {
        let data = generate(&spec(800, 600, 21));
        let pos = table("pos.csv", &data.purchase_orders_csv);
        let id = guess_id_column(&pos.columns, DatasetKind::Reference);
        assert_eq!(id.as_deref(), Some("po_id"));
        let records = to_records(&pos, id.as_deref()).unwrap();
        assert_eq!(records.len(), 800);
        assert!(records.iter().all(|r| r.values.len() == 8));

        let invoices = table("invoices.csv", &data.invoices_csv);
        let id = guess_id_column(&invoices.columns, DatasetKind::Documents);
        let file = guess_filename_column(&invoices.columns);
        assert_eq!(id.as_deref(), Some("document_id"));
        assert_eq!(file.as_deref(), Some("document_filename"));
        let docs = to_documents(&invoices, id.as_deref(), file.as_deref()).unwrap();
        assert_eq!(docs.len(), 600);
        assert!(docs
            .iter()
            .all(|d| d.document_filename.is_some() && d.values.len() == 9));
        let unique: HashSet<_> = docs.iter().map(|d| &d.document_filename).collect();
        assert_eq!(unique.len(), 600);
    }

    #[test]
    fn small_and_degenerate_specs_do_not_panic() {
        for (p, i) in [(0, 0), (0, 10), (1, 1), (5, 0), (3, 50)] {
            let data = generate(&spec(p, i, 0));
            let truth = table("truth.csv", &data.truth_csv);
            assert_eq!(truth.rows.len(), i);
            if p == 0 {
                assert!(truth.rows.iter().all(|t| t[1].is_empty()));
            }
        }
    }

    #[test]
    fn mapping_weights_sum_to_one() {
        let mappings = invoice_to_po_mappings();
        let total: f64 = mappings.iter().map(|m| m.weight).sum();
        assert!((total - 1.0).abs() < 1e-9, "{total}");
        let invoices = table("invoices.csv", &generate(&spec(20, 5, 1)).invoices_csv);
        let pos = table("pos.csv", &generate(&spec(20, 5, 1)).purchase_orders_csv);
        for m in &mappings {
            assert!(invoices.columns.contains(&m.source), "{}", m.source);
            assert!(pos.columns.contains(&m.target), "{}", m.target);
        }
    }

    // Uses engine::parse: every generated date and amount must be readable by the matcher.
    #[test]
    fn generated_dates_and_amounts_parse() {
        use engine::parse::{parse_date, parse_number};
        let data = generate(&spec(200, 400, 13));
        let invoices = table("invoices.csv", &data.invoices_csv);
        for row in &invoices.rows {
            assert!(parse_date(&row[5]).is_some(), "{}", row[5]);
            assert!(parse_number(&row[6]).is_some(), "{}", row[6]);
        }
        let pos = table("pos.csv", &data.purchase_orders_csv);
        for row in &pos.rows {
            assert!(parse_date(&row[6]).is_some(), "{}", row[6]);
            assert!(parse_number(&row[4]).is_some(), "{}", row[4]);
        }
    }
}
