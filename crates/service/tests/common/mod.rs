//! Support shared by the service's integration tests: a runtime that cannot hang the suite,
//! opening a workspace as a test reviewer (with a test clock where a test moves time), the
//! fixture files, importing, the small invoice fixtures with a config for them, and running a
//! config to completion.

// Each test binary uses its own subset of these helpers.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use engine::{ConfigInput, DatasetKind, FieldMapping, Run, RunStatus, Strategy, TriggeredBy};
use service::{Clock, ImportRequest, OpenOptions, Workspace};

/// Generous: debug builds on a loaded 2-core CI machine; a healthy run takes a few seconds.
pub const WAIT: Duration = Duration::from_secs(60);

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

/// Opens (or creates) the workspace at `path` as the reviewer "tester", its runs executed on
/// `rt` (a plain runtime too, so a test can hand it one nobody drives).
pub fn open(rt: &tokio::runtime::Runtime, path: &Path) -> Workspace {
    open_with(rt, path, OpenOptions::default())
}

/// As `open`, with time read from `clock`.
pub fn open_with_clock(
    rt: &tokio::runtime::Runtime,
    path: &Path,
    clock: Arc<dyn Clock>,
) -> Workspace {
    open_with(
        rt,
        path,
        OpenOptions {
            clock,
            ..OpenOptions::default()
        },
    )
}

fn open_with(rt: &tokio::runtime::Runtime, path: &Path, opts: OpenOptions) -> Workspace {
    // Review decisions name their reviewer; a fixed one keeps them independent of $USER.
    let opts = OpenOptions {
        user: "tester".into(),
        ..opts
    };
    Workspace::open(path, rt.handle().clone(), opts).unwrap()
}

/// A file in the repository's tests/fixtures.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures")
        .join(name)
}

/// An import of `path` as `kind` with every option left to detection.
pub fn import_request(path: impl AsRef<Path>, kind: DatasetKind) -> ImportRequest {
    ImportRequest::new(path.as_ref().display().to_string(), kind)
}

/// Imports `path` as `kind` with the given id column; the import must succeed.
pub fn import(
    ws: &Workspace,
    path: impl AsRef<Path>,
    kind: DatasetKind,
    id_column: &str,
) -> engine::Dataset {
    let mut req = import_request(path, kind);
    req.id_column = Some(id_column.into());
    ws.import_dataset(&req).unwrap()
}

/// The small PO and invoice fixtures, imported: (reference data, documents).
pub fn import_small_invoices(ws: &Workspace) -> (engine::Dataset, engine::Dataset) {
    (
        import(
            ws,
            fixture("pos_small.csv"),
            DatasetKind::Reference,
            "po_id",
        ),
        import(
            ws,
            fixture("invoices_small.csv"),
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
        blocking_keys: None,
        blocking_strategy: None,
    }
}

/// Starts a manual run of the config and waits for it, which must complete.
pub fn run_to_completion(ws: &Workspace, config_id: &str) -> Run {
    let run = ws.start_run(config_id, TriggeredBy::Manual).unwrap();
    let run = ws.wait_for_run(&run.id, WAIT).unwrap();
    assert_eq!(run.status, RunStatus::Completed, "{:?}", run.error);
    run
}
