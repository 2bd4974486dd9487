//! Urgency levels, as stored in `reports.urgency`. The rules that decide a report's level are
//! the assessment's (`assess::urgency`).

use serde::{Deserialize, Serialize};
use std::fmt;

/// Priority levels, most urgent first (so sorting ascending puts critical first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Critical,
    High,
    Normal,
    Low,
}

impl Level {
    pub const ALL: [Level; 4] = [Level::Critical, Level::High, Level::Normal, Level::Low];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Critical => "critical",
            Self::High => "high",
            Self::Normal => "normal",
            Self::Low => "low",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.as_str() == s)
    }

    /// The Fluent key of the label: `urgency-critical`, `urgency-high`, …
    pub fn fluent_key(self) -> String {
        format!("urgency-{}", self.as_str())
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
