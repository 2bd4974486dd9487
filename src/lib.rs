//! tipline: a self-hostable, secure, multilingual reporting hotline for human trafficking and
//! child sexual exploitation.
//!
//! The modules follow the path of a report:
//! [`intake`] (public form and API: parse, validate, clean attachments) →
//! [`seal`] (keys, envelope encryption, receipt codes) →
//! [`store`] (SQLite or PostgreSQL, one code path, group commit) →
//! [`triage`] (queue, workflow, deadlines) with [`staff`] (accounts, roles, audit trail) →
//! [`web`] (routes, pages, translations, security headers) and [`cli`] (commands, config).
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
pub mod intake;
pub mod link;
pub mod reseal;
pub mod seal;
pub mod search;
pub mod staff;
pub mod store;
pub mod triage;
pub mod types;
pub mod web;
