//! Telling junk from reports without tracking anyone. A report is flagged as possible junk,
//! never refused or deleted: an analyst sees why and the queue lists it after the others. The
//! signs are what a script leaves and a person does not: a field hidden from people (and from
//! screen readers and autofill) filled in, a form sent faster than anyone reads it, or the same
//! text arriving again and again. Nothing about the sender is kept: the repeated-text watch
//! holds keyed hashes of texts for an hour, in memory, under a key that dies with the process.

use crate::seal::keys::Secret32;
use crate::seal::receipt::mac_with;
use hmac::Mac;
use std::collections::HashMap;
use std::sync::Mutex;

/// Why a report looks like junk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Sign {
    /// The hidden field was filled in.
    Honeypot,
    /// The form came back sooner after it was shown than a person could fill it.
    TooFast,
    /// The same text arrived several times, each within the hour of the one before.
    RepeatedText,
}

impl Sign {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Honeypot => "honeypot",
            Self::TooFast => "too_fast",
            Self::RepeatedText => "repeated_text",
        }
    }

    /// Reads a sign as stored; unknown ones are skipped.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "honeypot" => Some(Self::Honeypot),
            "too_fast" => Some(Self::TooFast),
            "repeated_text" => Some(Self::RepeatedText),
            _ => None,
        }
    }
}

/// The signs seen on one submission.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Suspicion(Vec<Sign>);

impl Suspicion {
    pub fn none() -> Self {
        Self::default()
    }

    pub fn add(&mut self, sign: Sign) {
        if !self.0.contains(&sign) {
            self.0.push(sign);
            self.0.sort();
        }
    }

    pub fn signs(&self) -> &[Sign] {
        &self.0
    }

    pub fn is_suspect(&self) -> bool {
        !self.0.is_empty()
    }

    /// As stored: comma-separated sign names, `None` when there is none.
    pub fn to_column(&self) -> Option<String> {
        self.is_suspect().then(|| {
            self.0
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(",")
        })
    }

    /// Reads the stored column.
    pub fn from_column(column: Option<&str>) -> Self {
        let mut s = Self::none();
        for sign in column.unwrap_or("").split(',').filter_map(Sign::parse) {
            s.add(sign);
        }
        s
    }
}

/// How long a text is remembered after it last arrived.
const WINDOW_SECONDS: i64 = 3600;
/// The same text this many times within the window (this one included) is flagged.
const REPEATS_FLAGGED: u32 = 3;
/// Most texts remembered at once; past it the oldest half is forgotten.
const MOST_REMEMBERED: usize = 200_000;

/// Counts how often each text arrived, each arrival within the hour of the one before: a text
/// that keeps coming stays flagged; one that stops is forgotten an hour later.
#[derive(Debug)]
pub struct RepeatWatch {
    key: Secret32,
    /// Keyed hash of a text → (last arrival, arrivals).
    seen: Mutex<HashMap<[u8; 16], (i64, u32)>>,
}

impl RepeatWatch {
    /// A watch under a fresh random key, never stored.
    pub fn new() -> Self {
        Self {
            key: Secret32::random(),
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// Records one more arrival of `text` at `now`; true if it is now a repeated text.
    pub fn arrived(&self, text: &str, now: i64) -> bool {
        let normalised: String = text
            .split_whitespace()
            .map(str::to_lowercase)
            .collect::<Vec<_>>()
            .join(" ");
        if normalised.is_empty() {
            return false;
        }
        let mut mac = mac_with(&self.key);
        mac.update(normalised.as_bytes());
        let full = mac.finalize().into_bytes();
        let mut digest = [0u8; 16];
        digest.copy_from_slice(full.get(..16).unwrap_or(&[0u8; 16]));
        let Ok(mut seen) = self.seen.lock() else {
            return false;
        };
        if seen.len() >= MOST_REMEMBERED {
            forget_older_than(&mut seen, now - WINDOW_SECONDS / 2);
        }
        let entry = seen.entry(digest).or_insert((now, 0));
        if now - entry.0 > WINDOW_SECONDS {
            entry.1 = 0;
        }
        entry.0 = now;
        entry.1 = entry.1.saturating_add(1);
        entry.1 >= REPEATS_FLAGGED
    }

    /// Forgets texts that last arrived more than the window ago; run periodically.
    pub fn forget_old(&self, now: i64) {
        if let Ok(mut seen) = self.seen.lock() {
            forget_older_than(&mut seen, now - WINDOW_SECONDS);
        }
    }
}

impl Default for RepeatWatch {
    fn default() -> Self {
        Self::new()
    }
}

fn forget_older_than(seen: &mut HashMap<[u8; 16], (i64, u32)>, cutoff: i64) {
    seen.retain(|_, (first, _)| *first >= cutoff);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_third_arrival_of_a_text_within_the_hour_is_flagged_whatever_its_spacing() {
        let watch = RepeatWatch::new();
        assert!(!watch.arrived("Cheap   watches, buy now", 0));
        assert!(!watch.arrived("cheap watches, BUY now", 10));
        assert!(watch.arrived("Cheap watches, buy now ", 20));
        assert!(!watch.arrived("Another text entirely", 30));
        assert!(!watch.arrived("", 40));
        // A text that keeps coming stays flagged, however long the flood lasts...
        for hour in 1..5 {
            assert!(watch.arrived("Cheap watches, buy now", 20 + hour * (WINDOW_SECONDS - 1)));
        }
        // ...and an hour after it stopped, the count starts again.
        assert!(!watch.arrived("Cheap watches, buy now", 20 + 5 * WINDOW_SECONDS + 10));
    }

    #[test]
    fn suspicion_round_trips_through_its_column() {
        let mut s = Suspicion::none();
        assert_eq!(s.to_column(), None);
        s.add(Sign::TooFast);
        s.add(Sign::Honeypot);
        s.add(Sign::TooFast);
        assert_eq!(s.to_column().as_deref(), Some("honeypot,too_fast"));
        assert_eq!(Suspicion::from_column(Some("honeypot,too_fast,future")), s);
    }
}
