//! Developer tooling: a room of the house the server never enters. Nothing here runs when
//! tipline serves reporters or staff; it exists so that tests and benchmarks can work at the
//! scale of a real hotline.
//!
//! Compiled only with the `dev-seed` cargo feature (on for `cargo test` and `cargo bench`, off
//! in the server a hotline runs). [`seed`] generates synthetic reports (`tipline dev seed`) and
//! files them through the same validation, sealing and indexing as intake.
//!
//! Owns: synthetic reports for tests and benchmarks.
//! May use: `types`, `clock`, `seal`, `store`, `assess`, `link`, `intake`; only `cli` (and the benchmarks) use it (see `LAYERS` in `src/lib.rs`).

pub mod seed;
