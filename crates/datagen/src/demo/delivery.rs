//! Goods receipts for the demo's three-way match: each order's quantity and unit price, and the
//! delivery notes suppliers send for them (most complete, some partial, some never sent), with the
//! truth of which note belongs to which order.
//!
//! Drawn from their own random stream, so the orders and invoices of a seed stay as they were.

use std::fmt::Write as _;

use chrono::{Datelike, Days};

use super::{write_iso_date, write_messy_po_number, write_messy_vendor, PurchaseOrder, Vendor};
use crate::csv_out::{csv_writer, finish};
use crate::rng::Rng;

pub const DELIVERY_NOTE_COLUMNS: [&str; 6] = [
    "delivery_note_id",
    "delivery_number",
    "po_reference",
    "vendor_name",
    "delivery_date",
    "delivered_quantity",
];

pub const DELIVERY_TRUTH_COLUMNS: [&str; 2] = ["delivery_note_id", "po_id"];

/// Share of orders no delivery note was received for (yet).
const UNDELIVERED_SHARE: f64 = 0.15;
/// Share of delivered orders that came short (a partial delivery).
const PARTIAL_SHARE: f64 = 0.2;
/// Share of notes that do not quote the order number.
const MISSING_REFERENCE_SHARE: f64 = 0.1;
/// Deliveries arrive up to this many days after the order.
const MAX_DELIVERY_DAYS: u64 = 30;

/// How many units an order is for: a function of the order alone (no draw from the stream the
/// invoices use), from 1 to 200 and mostly small, as order lines are.
pub(super) fn ordered_quantity(seed: u64, po: &PurchaseOrder) -> u64 {
    let mut rng = Rng(seed ^ po.number.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let u = rng.unit();
    1 + (u * u * 200.0) as u64
}

/// The order's unit price, to four decimals, so that quantity times price is its net amount.
pub(super) fn write_unit_price(out: &mut String, net_cents: u64, quantity: u64) {
    let ten_thousandths = (net_cents * 100 + quantity / 2) / quantity;
    let _ = write!(
        out,
        "{}.{:04}",
        ten_thousandths / 10_000,
        ten_thousandths % 10_000
    );
}

/// The `quantity` and `unit_price` columns of an order row.
pub(super) fn order_line(seed: u64, po: &PurchaseOrder, quantity: &mut String, price: &mut String) {
    let q = ordered_quantity(seed, po);
    quantity.clear();
    let _ = write!(quantity, "{q}");
    price.clear();
    write_unit_price(price, po.net_cents, q);
}

/// The delivery notes CSV and its truth CSV.
pub(super) fn write_delivery_notes(
    seed: u64,
    orders: &[PurchaseOrder],
    vendors: &[Vendor],
) -> (String, String) {
    let mut rng = Rng(seed ^ 0xDE11_7E27_0000_0001);
    let mut notes = csv_writer();
    let mut truth = csv_writer();
    let _ = notes.write_record(DELIVERY_NOTE_COLUMNS);
    let _ = truth.write_record(DELIVERY_TRUTH_COLUMNS);
    let (mut id, mut number, mut reference, mut vendor, mut date, mut quantity, mut po_id) =
        Default::default();
    let mut n = 0u64;
    for po in orders {
        if rng.chance(UNDELIVERED_SHARE) {
            continue;
        }
        n += 1;
        let ordered = ordered_quantity(seed, po);
        let delivered = if ordered > 1 && rng.chance(PARTIAL_SHARE) {
            (ordered * (30 + rng.below(66)) / 100).max(1)
        } else {
            ordered
        };
        let v = &vendors[po.vendor];
        let day = po.date + Days::new(1 + rng.below(MAX_DELIVERY_DAYS));
        fill(&mut [
            &mut id,
            &mut number,
            &mut reference,
            &mut vendor,
            &mut date,
            &mut quantity,
            &mut po_id,
        ]);
        let _ = write!(id, "dn_{n}");
        let _ = write!(number, "DN-{}-{n:06}", day.year());
        if !rng.chance(MISSING_REFERENCE_SHARE) {
            write_messy_po_number(&mut rng, &mut reference, po.date.year(), po.number);
        }
        write_messy_vendor(&mut rng, &mut vendor, &v.base, v.legal);
        write_iso_date(&mut date, day);
        let _ = write!(quantity, "{delivered}");
        let _ = write!(po_id, "po_{}", po.number);
        let _ = notes.write_record([
            id.as_str(),
            number.as_str(),
            reference.as_str(),
            vendor.as_str(),
            date.as_str(),
            quantity.as_str(),
        ]);
        let _ = truth.write_record([id.as_str(), po_id.as_str()]);
    }
    (finish(notes), finish(truth))
}

fn fill(buffers: &mut [&mut String]) {
    for b in buffers {
        b.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_price_times_quantity_gives_the_net_amount_within_the_price_rounding() {
        for (net, q) in [
            (123_456u64, 7u64),
            (5_000, 1),
            (1_999_999, 200),
            (10_001, 3),
        ] {
            let mut price = String::new();
            write_unit_price(&mut price, net, q);
            let total = price.parse::<f64>().unwrap() * q as f64;
            assert!(
                (total - net as f64 / 100.0).abs() <= q as f64 * 0.00005 + 1e-9,
                "{net} / {q} = {price}"
            );
        }
    }

    #[test]
    fn deliveries_leave_the_invoices_as_they_were_and_cover_most_orders() {
        use super::super::{generate, generate_with_deliveries, DemoSpec};
        let spec = DemoSpec {
            purchase_orders: 1000,
            invoices: 200,
            seed: 7,
        };
        let plain = generate(&spec);
        let with = generate_with_deliveries(&spec);
        assert_eq!(plain.invoices_csv, with.invoices_csv);
        assert_eq!(plain.truth_csv, with.truth_csv);
        assert!(plain.delivery_notes_csv.is_empty());
        // Same orders, two more columns whose product is the net amount.
        let mut orders = csv::Reader::from_reader(with.purchase_orders_csv.as_bytes());
        let header = orders.headers().unwrap().clone();
        assert_eq!(&header[8], "quantity");
        assert_eq!(&header[9], "unit_price");
        let mut quantities = std::collections::HashMap::new();
        for r in orders.records() {
            let r = r.unwrap();
            let (net, q, p): (f64, f64, f64) = (
                r[4].parse().unwrap(),
                r[8].parse().unwrap(),
                r[9].parse().unwrap(),
            );
            // The price is rounded to 1/10,000: off by at most half of that per unit.
            assert!((q * p - net).abs() <= q * 0.00005 + 1e-9, "{r:?}");
            quantities.insert(r[0].to_string(), q);
        }
        let plain_orders: Vec<String> = plain
            .purchase_orders_csv
            .lines()
            .map(String::from)
            .collect();
        for (i, line) in with.purchase_orders_csv.lines().enumerate().skip(1) {
            assert!(line.starts_with(&plain_orders[i]), "{line}");
        }
        // Most orders delivered, some short, none over; the truth names each note's order.
        let mut notes = csv::Reader::from_reader(with.delivery_notes_csv.as_bytes());
        let truth: Vec<(String, String)> = with
            .delivery_truth_csv
            .lines()
            .skip(1)
            .map(|l| {
                let (a, b) = l.split_once(',').unwrap();
                (a.to_string(), b.to_string())
            })
            .collect();
        let (mut n, mut short) = (0, 0);
        for (r, (id, po)) in notes.records().zip(&truth) {
            let r = r.unwrap();
            assert_eq!(&r[0], id);
            let delivered: f64 = r[5].parse().unwrap();
            let ordered = quantities[po];
            assert!(delivered >= 1.0 && delivered <= ordered, "{r:?}");
            short += usize::from(delivered < ordered);
            n += 1;
        }
        assert_eq!(n, truth.len());
        assert!((800..=900).contains(&n), "{n} notes for 1000 orders");
        assert!((100..=220).contains(&short), "{short} short deliveries");
    }
}
