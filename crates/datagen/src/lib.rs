//! Generated data for the demo workspace, the benchmarks and the tests, and the one scoring of
//! predicted matches against a truth file that the CLI's `eval`, the bench and the tests share.
//! Not matching: the engine never depends on this crate (only its tests do).

mod csv_out;
pub mod demo;
pub mod in_memory;
pub mod people;
pub mod rng;
pub mod score;
pub mod tags;
