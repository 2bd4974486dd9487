//! The triage queue: open reports ordered by urgency, then new reporter activity, then age, filtered by status, category,
//! country and assignee, showing only what the role policy lets the viewer see. The order,
//! the filters and the role rule are one query (`store::cases::queue_page`); the queue is read
//! a page at a time from an opaque cursor holding the last row's place in the order.

use super::deadlines::{DeadlinePolicy, Overdue};
use crate::staff::policy::Actor;
use crate::store::cases::{self, CaseRow, QueueKey, QueueSelection};
use crate::store::{Db, StoreError};
use crate::types::Status;
use crate::types::{ReportId, UserId, Visibility};
use data_encoding::BASE64URL_NOPAD;

/// Cases on one page of the queue.
pub const PAGE_SIZE: usize = 50;

/// The queue's total is counted up to this; beyond it the page says "more than" it.
pub const COUNT_CAP: usize = 1_000;

/// What the queue is narrowed to.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct QueueFilter {
    /// One status, or all open statuses when `None`.
    pub status: Option<Status>,
    pub category: Option<String>,
    pub country: Option<String>,
    /// `Some(Some(user))` for one person's reports, `Some(None)` for unassigned ones.
    pub assignee: Option<Option<UserId>>,
}

/// One line of the queue.
#[derive(Debug, Clone)]
pub struct QueueItem {
    pub case: CaseRow,
    pub overdue: Vec<Overdue>,
}

/// One page of the queue.
#[derive(Debug, Clone)]
pub struct QueuePage {
    pub items: Vec<QueueItem>,
    /// The cursor of the next page, when there is one.
    pub next: Option<String>,
    /// How many cases the filter selects, up to [`COUNT_CAP`].
    pub total: usize,
    /// More than [`COUNT_CAP`] cases are selected.
    pub more: bool,
}

/// The cursor of the page that follows `key`: its fields, URL-safe base64. Opaque to the
/// viewer; [`decode_cursor`] checks every field, so a tampered cursor is simply not one.
pub fn encode_cursor(key: &QueueKey) -> String {
    let text = format!(
        "1.{}.{}.{}.{}.{}",
        u8::from(key.junk),
        key.urgency,
        u8::from(key.quiet),
        key.received_at,
        key.id
    );
    BASE64URL_NOPAD.encode(text.as_bytes())
}

/// The key a cursor holds, or `None` when it is not one this queue wrote.
pub fn decode_cursor(cursor: &str) -> Option<QueueKey> {
    if cursor.len() > 200 {
        return None;
    }
    let bytes = BASE64URL_NOPAD.decode(cursor.as_bytes()).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let mut parts = text.splitn(6, '.');
    if parts.next()? != "1" {
        return None;
    }
    let flag = |s: &str| match s {
        "0" => Some(false),
        "1" => Some(true),
        _ => None,
    };
    let junk = flag(parts.next()?)?;
    let urgency: u8 = parts.next()?.parse().ok().filter(|u| *u <= 3)?;
    let quiet = flag(parts.next()?)?;
    let received_at: i64 = parts.next()?.parse().ok()?;
    let id = parts.next()?;
    let id_ok = !id.is_empty()
        && id.len() <= 64
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    id_ok.then(|| QueueKey {
        junk,
        urgency,
        quiet,
        received_at,
        id: ReportId::from(id),
    })
}

/// The page of the queue as `actor` may see it at `now`, after `cursor` (the first page when
/// it is `None` or not a cursor this queue wrote).
pub async fn queue(
    db: &Db,
    actor: &Actor,
    filter: &QueueFilter,
    cursor: Option<&str>,
    deadlines: &DeadlinePolicy,
    now: i64,
) -> Result<QueuePage, StoreError> {
    let statuses: Vec<&str> = match filter.status {
        Some(s) => vec![s.as_str()],
        None => Status::ALL
            .into_iter()
            .filter(|s| s.is_open())
            .map(Status::as_str)
            .collect(),
    };
    let visibility = Visibility::of(actor);
    let sel = QueueSelection {
        statuses: &statuses,
        category: filter.category.as_deref(),
        country: filter.country.as_deref(),
        assignee: filter.assignee.as_ref().map(Option::as_ref),
        visibility: &visibility,
    };
    let after = cursor.and_then(decode_cursor);
    let mut rows = cases::queue_page(db, &sel, after.as_ref(), PAGE_SIZE + 1).await?;
    let next = if rows.len() > PAGE_SIZE {
        rows.truncate(PAGE_SIZE);
        rows.last().map(|last| encode_cursor(&QueueKey::of(last)))
    } else {
        None
    };
    let counted = cases::queue_count(db, &sel, COUNT_CAP).await?;
    let items = rows
        .into_iter()
        .map(|case| {
            let status = Status::parse(&case.triage.status).unwrap_or(Status::New);
            let overdue =
                deadlines.overdue(status, case.triage.received_at, case.acknowledged_at, now);
            QueueItem { case, overdue }
        })
        .collect();
    Ok(QueuePage {
        items,
        next,
        total: counted.min(COUNT_CAP),
        more: counted > COUNT_CAP,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> QueueKey {
        QueueKey {
            junk: true,
            urgency: 2,
            quiet: false,
            received_at: 1_700_000_000,
            id: "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b".into(),
        }
    }

    #[test]
    fn a_cursor_holds_its_key() {
        assert_eq!(decode_cursor(&encode_cursor(&key())), Some(key()));
        let negative = QueueKey {
            received_at: -5,
            ..key()
        };
        assert_eq!(decode_cursor(&encode_cursor(&negative)), Some(negative));
    }

    #[test]
    fn a_tampered_cursor_is_no_cursor() {
        let b64 = |s: &str| BASE64URL_NOPAD.encode(s.as_bytes());
        for bad in [
            String::new(),
            "not base64!".into(),
            b64("2.0.0.0.1.abc"),
            b64("1.2.0.0.1.abc"),
            b64("1.0.4.0.1.abc"),
            b64("1.0.0.1.x.abc"),
            b64("1.0.0.1.1."),
            b64("1.0.0.1.1.a'b"),
            b64("1.0.0.1.1.a.b"),
            b64(&format!("1.0.0.1.1.{}", "a".repeat(65))),
            "A".repeat(201),
        ] {
            assert_eq!(decode_cursor(&bad), None, "{bad}");
        }
    }
}
