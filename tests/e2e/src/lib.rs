//! End-to-end test support crate (the tests live in tests/).
