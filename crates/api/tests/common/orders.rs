//! Generated purchase orders and the invoices against them, as suppliers write them.

use chrono::{Days, NaiveDate};

/// A small deterministic generator (64-bit LCG): the same tables every run.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

const VENDORS: [&str; 16] = [
    "Acme Supplies Ltd",
    "Northwind Traders GmbH",
    "Blue River Logistics Inc",
    "Keller Maschinenbau AG",
    "Summit Office Partners",
    "Granite Building Materials",
    "Harbor Foods Ltd",
    "Orion Electrical Supply",
    "Pinecrest Packaging",
    "Redwood Chemicals plc",
    "Silverline Transport",
    "Meridian Print Works",
    "Falcon Industrial Tools",
    "Evergreen Cleaning Services",
    "Atlas Steel Trading",
    "Cobalt IT Solutions",
];

/// 300 purchase orders and 200 invoices against them, the way suppliers write them: the PO
/// reference in another format (one in ten missing), the vendor's name shortened or in capitals,
/// the amount with 19 % or 20 % VAT, dated 1 to 9 days after the order. (orders CSV, invoices CSV)
pub fn orders_and_invoices() -> (String, String) {
    let mut rng = Rng(42);
    let start = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    let mut orders = String::from("po_id,po_number,vendor_name,net_amount,order_date\n");
    let mut rows = Vec::new();
    for i in 0..300u64 {
        let number = 10_000 + i * 7;
        let vendor = VENDORS[rng.below(VENDORS.len() as u64) as usize];
        let net = (rng.below(900_000) + 5_000) as f64 / 100.0;
        let date = start + Days::new(rng.below(300));
        orders.push_str(&format!(
            "P{i:04},PO-2024-{number},{vendor},{net:.2},{date}\n"
        ));
        rows.push((number, vendor, net, date));
    }
    let mut invoices = String::from(
        "document_id,document_filename,vendor_name,po_reference,total_amount,invoice_date\n",
    );
    for j in 0..200u64 {
        // 37 is prime to 300: 200 different orders.
        let (number, vendor, net, date) = rows[((j * 37) % 300) as usize];
        let vendor = match rng.below(3) {
            0 => vendor.to_uppercase(),
            1 => vendor
                .trim_end_matches(" Ltd")
                .trim_end_matches(" GmbH")
                .trim_end_matches(" Inc")
                .to_string(),
            _ => vendor.to_string(),
        };
        let po = match (j % 10, rng.below(3)) {
            (9, _) => String::new(),
            (_, 0) => format!("PO 2024/{number}"),
            (_, 1) => format!("2024-{number}"),
            _ => format!("PO-2024-{number}"),
        };
        let vat = if rng.below(2) == 0 { 1.19 } else { 1.2 };
        let invoice_date = date + Days::new(1 + rng.below(9));
        invoices.push_str(&format!(
            "INV-{j:04},inv_{j:04}.pdf,{vendor},{po},{:.2},{invoice_date}\n",
            net * vat
        ));
    }
    (orders, invoices)
}
