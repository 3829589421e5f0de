//! Support shared by the integration tests: a runtime that cannot hang the suite, and opening a
//! workspace as a test reviewer; the small invoice fixtures and a config for them.

// Each test binary uses its own subset of these helpers.
#![allow(dead_code)]

use std::path::Path;
use std::time::Duration;

use engine::{ConfigInput, DatasetKind, FieldMapping, Strategy};
use service::{ImportRequest, OpenOptions, Workspace};

/// A runtime that, when dropped, gives the run worker a bounded time to stop: a worker stuck in a
/// deadlock then fails the test instead of hanging the whole suite.
pub struct TestRuntime(Option<tokio::runtime::Runtime>);

impl std::ops::Deref for TestRuntime {
    type Target = tokio::runtime::Runtime;
    fn deref(&self) -> &Self::Target {
        self.0.as_ref().expect("runtime")
    }
}

impl Drop for TestRuntime {
    fn drop(&mut self) {
        if let Some(rt) = self.0.take() {
            rt.shutdown_timeout(Duration::from_secs(10));
        }
    }
}

pub fn runtime() -> TestRuntime {
    TestRuntime(Some(
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap(),
    ))
}

pub fn open(rt: &TestRuntime, path: &Path) -> Workspace {
    let opts = OpenOptions {
        user: "tester".into(),
        ..OpenOptions::default()
    };
    Workspace::open(path, rt.handle().clone(), opts).unwrap()
}

pub fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures")
        .join(name)
        .display()
        .to_string()
}

pub fn import(ws: &Workspace, path: &str, kind: DatasetKind, id_column: &str) -> engine::Dataset {
    ws.import_dataset(&ImportRequest {
        path: path.to_string(),
        kind,
        name: None,
        id_column: Some(id_column.into()),
        filename_column: None,
        delimiter: None,
        encoding: None,
        has_header: None,
        sheet: None,
    })
    .unwrap()
}

/// The small PO and invoice fixtures, imported: (reference data, documents).
pub fn import_small_invoices(ws: &Workspace) -> (engine::Dataset, engine::Dataset) {
    (
        import(
            ws,
            &fixture("pos_small.csv"),
            DatasetKind::Reference,
            "po_id",
        ),
        import(
            ws,
            &fixture("invoices_small.csv"),
            DatasetKind::Documents,
            "document_id",
        ),
    )
}

pub fn invoice_config(reference_id: &str, documents_id: &str) -> ConfigInput {
    let mut vendor = FieldMapping::new("vendor_name", "vendor_name", Strategy::Fuzzy, 0.3);
    vendor.similarity_threshold = Some(0.5);
    let mut po = FieldMapping::new("po_reference", "po_number", Strategy::Fuzzy, 0.4);
    po.similarity_threshold = Some(0.6);
    let mut amount = FieldMapping::new("total_amount", "net_amount", Strategy::NumericRange, 0.2);
    amount.tolerance_percent = Some(22.0);
    let mut date = FieldMapping::new("invoice_date", "order_date", Strategy::DateRange, 0.1);
    date.tolerance_days = Some(45);
    ConfigInput {
        name: "Invoices to POs".into(),
        reference_data_id: reference_id.into(),
        document_set_id: Some(documents_id.into()),
        field_mappings: vec![vendor, po, amount, date],
        threshold: Some(0.7),
        review_floor: Some(0.4),
        one_to_one: None,
        schedule: None,
    }
}
