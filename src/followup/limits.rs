//! How much a reporter may add to a report: a number of messages per day, all sessions
//! together, and a total size for the report's files, its messages' included. (How fast one
//! session may write is limited in memory by the web layer.)

use crate::store::followup as repo;
use crate::store::{Db, StoreError};
use crate::types::ReportId;

/// The limits in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MessageLimits {
    pub per_report_per_day: i64,
    /// Bytes of files (as stored, sealed) per report.
    pub file_bytes_per_report: i64,
}

impl MessageLimits {
    pub fn new(per_report_per_day: u32, file_mib_per_report: u32) -> Self {
        Self {
            per_report_per_day: i64::from(per_report_per_day),
            file_bytes_per_report: i64::from(file_mib_per_report) * 1024 * 1024,
        }
    }
}

/// Why a reporter's message cannot be added now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// As many messages as a day allows were added to this report.
    TooManyMessages,
    /// The report holds as many files as it may.
    FilesFull,
}

/// Whether the reporter may add one more message with `file_bytes` of files to `report_id`.
pub async fn check(
    db: &Db,
    limits: MessageLimits,
    report_id: &ReportId,
    file_bytes: usize,
    now: i64,
) -> Result<Option<Refused>, StoreError> {
    let today = repo::reporter_messages_since(db, report_id, now - 24 * 3600).await?;
    if today >= limits.per_report_per_day {
        return Ok(Some(Refused::TooManyMessages));
    }
    if file_bytes > 0 {
        let stored = repo::attachment_bytes(db, report_id).await?;
        let incoming = i64::try_from(file_bytes).unwrap_or(i64::MAX);
        if stored.saturating_add(incoming) > limits.file_bytes_per_report {
            return Ok(Some(Refused::FilesFull));
        }
    }
    Ok(None)
}
