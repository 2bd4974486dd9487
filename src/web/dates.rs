//! How pages show a moment: every date and time a page shows is UTC and goes through here.

use time::OffsetDateTime;
use time::macros::format_description;

/// The day of `unix` seconds, `YYYY-MM-DD` (UTC); empty when out of range.
pub fn day(unix: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(format_description!("[year]-[month]-[day]")).ok())
        .unwrap_or_default()
}

/// The day and minute of `unix` seconds, `YYYY-MM-DD HH:MM UTC`; empty when out of range.
pub fn minute(unix: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| {
            t.format(format_description!(
                "[year]-[month]-[day] [hour]:[minute] UTC"
            ))
            .ok()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_and_minutes_in_utc() {
        // 2024-02-29 23:59:30 UTC
        assert_eq!(day(1_709_251_170), "2024-02-29");
        assert_eq!(minute(1_709_251_170), "2024-02-29 23:59 UTC");
        assert_eq!(day(i64::MAX), "");
    }
}
