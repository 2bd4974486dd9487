//! Time as a parameter: code asks a [`Clock`] for "now" so tests can control it.
//!
//! Owns: the clock trait, the system clock and the shared clock handle.
//! May use: `types`, though it needs nothing (see `LAYERS` in `src/lib.rs`).

use std::sync::Arc;
use time::OffsetDateTime;

/// A source of the current time.
pub trait Clock: Send + Sync {
    fn now(&self) -> OffsetDateTime;
}

/// The real wall clock (UTC).
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)]
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// A shared clock handle.
pub type SharedClock = Arc<dyn Clock>;
