//! tipline: a self-hostable, secure, multilingual reporting hotline for human trafficking and
//! child sexual exploitation.
//!
//! The rooms follow the path of a report, and their layers point one way ([`LAYERS`], checked
//! by `tests/it/layers.rs`): [`types`] (shared types, the leaf) → [`clock`] → [`seal`] (keys,
//! envelope encryption) → [`store`] (all SQL, SQLite or PostgreSQL) → the domain rooms
//! [`assess`], [`link`], [`search`], [`staff`], [`triage`], [`intake`], [`followup`] →
//! [`app`] (use cases, background jobs) → [`web`] (extract, call, render) → `fuzz` (the fuzz
//! targets, with the `fuzz-targets` feature), [`dev`] and [`cli`] (commands, configuration,
//! wiring).
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::await_holding_lock
    )
)]

pub mod app;
pub mod assess;
pub mod cli;
pub mod clock;
#[cfg(feature = "dev-seed")]
pub mod dev;
pub mod followup;
pub mod forward;
#[cfg(feature = "fuzz-targets")]
pub mod fuzz;
pub mod intake;
pub mod link;
pub mod seal;
pub mod search;
pub mod staff;
pub mod store;
pub mod triage;
pub mod types;
pub mod web;

/// The rooms of the house, lowest first, each with the rooms it may use. A room may only use
/// rooms listed before it, so the layers point one way:
///
/// types → clock → seal → store → the domain rooms (assess, link, search, staff, triage,
/// intake, followup; next forward, stats, ops) → app → web, then dev and cli.
///
/// `tests/it/layers.rs` reads this table, scans every `crate::` path in `src/`, and fails with
/// the list of edges it does not allow. A new room is added here, with what it may use.
pub const LAYERS: &[(&str, &[&str])] = &[
    // Shared types: std and crates only.
    ("types", &[]),
    // Time as a parameter.
    ("clock", &["types"]),
    // Keys and envelope encryption: no database.
    ("seal", &["types", "clock"]),
    // All SQL.
    ("store", &["types", "clock", "seal"]),
    // The domain rooms.
    ("assess", &["types", "clock", "seal", "store"]),
    ("link", &["types", "clock", "seal", "store"]),
    ("search", &["types", "clock", "seal", "store"]),
    ("staff", &["types", "clock", "seal", "store"]),
    ("triage", &["types", "clock", "seal", "store", "staff"]),
    (
        "intake",
        &[
            "types", "clock", "seal", "store", "assess", "link", "search",
        ],
    ),
    (
        "followup",
        &[
            "types", "clock", "seal", "store", "intake", "link", "search", "staff", "triage",
        ],
    ),
    (
        "forward",
        &[
            "types", "clock", "seal", "store", "assess", "link", "staff", "triage",
        ],
    ),
    ("stats", &["types", "clock", "seal", "store", "triage"]),
    ("ops", &["types", "clock", "seal", "store"]),
    // Use cases and background jobs.
    (
        "app",
        &[
            "types", "clock", "seal", "store", "assess", "link", "search", "staff", "triage",
            "intake", "followup", "forward", "stats", "ops",
        ],
    ),
    // HTTP: extracts, calls and renders.
    (
        "web",
        &[
            "types", "clock", "seal", "store", "assess", "link", "search", "staff", "triage",
            "intake", "followup", "forward", "stats", "ops", "app",
        ],
    ),
    // Fuzz targets: the parsers a stranger reaches, checked one input at a time.
    (
        "fuzz",
        &["types", "seal", "link", "search", "intake", "web"],
    ),
    // Synthetic reports for tests and benchmarks, beside the command line.
    (
        "dev",
        &[
            "types", "clock", "seal", "store", "assess", "link", "intake",
        ],
    ),
    // Commands, configuration and the wiring of everything.
    (
        "cli",
        &[
            "types", "clock", "seal", "store", "assess", "link", "search", "staff", "triage",
            "intake", "followup", "forward", "stats", "ops", "app", "web", "dev",
        ],
    ),
];
