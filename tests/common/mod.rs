//! Support shared by the integration tests: a runtime that cannot hang the suite, and opening a
//! workspace as a test reviewer.

use std::path::Path;
use std::time::Duration;

use service::{OpenOptions, Workspace};

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
