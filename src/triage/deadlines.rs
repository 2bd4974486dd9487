//! The deadlines a hotline promises, after the EU Whistleblower Directive's channel rules
//! (art. 9): acknowledge within 7 days of receipt; give feedback within 3 months of the
//! acknowledgement, or of the end of those 7 days if none was sent. A policy the hotline
//! adopts and may change in the configuration.

use crate::types::Status;
use serde::Serialize;
use time::{Duration, OffsetDateTime};

/// The hotline's promises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeadlinePolicy {
    pub acknowledge_days: i64,
    pub feedback_months: u8,
}

impl Default for DeadlinePolicy {
    fn default() -> Self {
        Self {
            acknowledge_days: 7,
            feedback_months: 3,
        }
    }
}

/// A promise that has passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Overdue {
    Acknowledgement,
    Feedback,
}

fn add_months(t: OffsetDateTime, months: u8) -> OffsetDateTime {
    // Count months from year 0, add, and clamp the day once (31 January + 3 months = 30 April).
    let date = t.date();
    let index = date.year() * 12 + i32::from(u8::from(date.month())) - 1 + i32::from(months);
    let (year, month) = (index.div_euclid(12), index.rem_euclid(12) + 1);
    let month = u8::try_from(month)
        .ok()
        .and_then(|m| time::Month::try_from(m).ok())
        .unwrap_or(date.month());
    let day = date.day().min(month.length(year));
    time::Date::from_calendar_date(year, month, day)
        .map(|d| t.replace_date(d))
        .unwrap_or(t)
}

impl DeadlinePolicy {
    /// When the acknowledgement is due.
    pub fn acknowledge_by(&self, received_at: i64) -> i64 {
        received_at + Duration::days(self.acknowledge_days).whole_seconds()
    }

    /// When feedback is due: from the acknowledgement, or from the end of the acknowledgement
    /// period if none was sent.
    pub fn feedback_by(&self, received_at: i64, acknowledged_at: Option<i64>) -> i64 {
        let from = acknowledged_at.unwrap_or_else(|| self.acknowledge_by(received_at));
        let from = OffsetDateTime::from_unix_timestamp(from).unwrap_or(OffsetDateTime::UNIX_EPOCH);
        add_months(from, self.feedback_months).unix_timestamp()
    }

    /// What is overdue for a case at `now`. Forwarding counts as feedback given.
    pub fn overdue(
        &self,
        status: Status,
        received_at: i64,
        acknowledged_at: Option<i64>,
        now: i64,
    ) -> Vec<Overdue> {
        let mut out = Vec::new();
        if status == Status::New && now > self.acknowledge_by(received_at) {
            out.push(Overdue::Acknowledgement);
        }
        if matches!(
            status,
            Status::New | Status::Acknowledged | Status::InAssessment
        ) && now > self.feedback_by(received_at, acknowledged_at)
        {
            out.push(Overdue::Feedback);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn acknowledgement_is_due_after_seven_days_and_feedback_three_months_later() {
        let p = DeadlinePolicy::default();
        let received = datetime!(2026-01-31 10:00 UTC).unix_timestamp();
        assert_eq!(
            p.acknowledge_by(received),
            datetime!(2026-02-07 10:00 UTC).unix_timestamp()
        );
        // No acknowledgement: three months from the end of the 7 days.
        assert_eq!(
            p.feedback_by(received, None),
            datetime!(2026-05-07 10:00 UTC).unix_timestamp()
        );
        // Acknowledged on 31 January: 30 April (no 31st).
        assert_eq!(
            p.feedback_by(received, Some(received)),
            datetime!(2026-04-30 10:00 UTC).unix_timestamp()
        );
        let day8 = datetime!(2026-02-08 10:00 UTC).unix_timestamp();
        assert_eq!(
            p.overdue(Status::New, received, None, day8),
            vec![Overdue::Acknowledgement]
        );
        assert!(
            p.overdue(Status::Acknowledged, received, Some(received), day8)
                .is_empty()
        );
        let june = datetime!(2026-06-01 00:00 UTC).unix_timestamp();
        assert_eq!(
            p.overdue(Status::InAssessment, received, Some(received), june),
            vec![Overdue::Feedback]
        );
        assert!(
            p.overdue(Status::Forwarded, received, Some(received), june)
                .is_empty()
        );
    }
}
