//! The cases repository: what staff change on a report (assignee, status, restriction) and
//! its internal notes. Every change is a conditional update, so two people acting at once
//! cannot both succeed where only one should.

use super::db::IntFlag;
use super::reports::Triage;
use super::visibility::{RoleRule, role_rule};
use super::{Db, StoreError};
use crate::types::{ReportId, UserId, Visibility};
use sqlx::{AnyConnection, FromRow, Row};

/// A report as the back office lists it: clear columns only, no sealed content.
#[derive(Debug, Clone, FromRow)]
pub struct CaseRow {
    pub id: ReportId,
    #[sqlx(flatten)]
    pub triage: Triage,
    pub assignee_id: Option<UserId>,
    pub assignee_name: Option<String>,
    #[sqlx(try_from = "IntFlag")]
    pub restricted: bool,
    pub acknowledged_at: Option<i64>,
    pub closed_reason: Option<String>,
    /// The reporter wrote and no one has opened the case since.
    #[sqlx(try_from = "IntFlag")]
    pub new_activity: bool,
    /// A newer report shares an identifier and no one has opened the case since.
    #[sqlx(try_from = "IntFlag")]
    pub new_link: bool,
    /// Signs of junk, comma-separated; `None` for none.
    pub suspect: Option<String>,
}

const CASE_SELECT: &str = "SELECT r.id, r.category, r.country, r.received_at, r.status, \
     r.urgency, r.child_involved, r.channel, r.campaign_id, r.language, r.assignee_id, \
     u.username AS assignee_name, r.restricted, r.acknowledged_at, r.closed_reason, r.new_activity, r.new_link, r.suspect \
     FROM reports r LEFT JOIN staff_users u ON u.id = r.assignee_id";

/// Cases in any of `statuses`.
pub async fn list(db: &Db, statuses: &[&str]) -> Result<Vec<CaseRow>, StoreError> {
    let placeholders: Vec<String> = (1..=statuses.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "{CASE_SELECT} WHERE r.status IN ({})",
        placeholders.join(", ")
    );
    let mut q = sqlx::query_as(&sql);
    for s in statuses {
        q = q.bind(s.to_string());
    }
    Ok(q.fetch_all(db.pool()).await?)
}

/// The queue's order as SQL over `reports r`: possible junk last, then by urgency (critical,
/// high, normal, anything else), a case with new reporter activity or a new link first, the
/// oldest first, the id last. Migration 0020 indexes exactly these expressions, so the first
/// page is read in index order rather than by sorting every open report; [`QueueKey::of`]
/// computes the same key in Rust.
const QUEUE_ORDER: [&str; 5] = [
    "(CASE WHEN r.suspect IS NULL THEN 0 ELSE 1 END)",
    "(CASE r.urgency WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END)",
    "(CASE WHEN r.new_activity <> 0 OR r.new_link <> 0 THEN 0 ELSE 1 END)",
    "r.received_at",
    "r.id",
];

/// The rank of an urgency in the queue, as [`QUEUE_ORDER`] computes it.
pub fn urgency_rank(urgency: &str) -> u8 {
    match urgency {
        "critical" => 0,
        "high" => 1,
        "normal" => 2,
        _ => 3,
    }
}

/// A case's place in the queue's order; a page starts after the last key of the page before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueKey {
    pub junk: bool,
    pub urgency: u8,
    /// No new reporter activity and no new link.
    pub quiet: bool,
    pub received_at: i64,
    pub id: ReportId,
}

impl QueueKey {
    pub fn of(case: &CaseRow) -> Self {
        Self {
            junk: case.suspect.is_some(),
            urgency: urgency_rank(&case.triage.urgency),
            quiet: !(case.new_activity || case.new_link),
            received_at: case.triage.received_at,
            id: case.id.clone(),
        }
    }
}

/// Which cases the queue lists.
#[derive(Debug, Clone)]
pub struct QueueSelection<'a> {
    /// Any of these statuses (must not be empty).
    pub statuses: &'a [&'a str],
    pub category: Option<&'a str>,
    pub country: Option<&'a str>,
    /// `Some(None)` for unassigned cases, `Some(Some(id))` for one person's.
    pub assignee: Option<Option<&'a UserId>>,
    /// The role rule.
    pub visibility: &'a Visibility,
}

/// A value bound into the queue's SQL.
enum Bind<'a> {
    Text(&'a str),
    Int(i64),
}

/// The selection as a condition over `reports r` and its parameters, `None` when the viewer
/// may see nothing.
fn queue_condition<'a>(sel: &QueueSelection<'a>) -> Option<(Vec<String>, Vec<Bind<'a>>)> {
    let mut parts = Vec::new();
    let mut binds = Vec::new();
    let next = |binds: &mut Vec<Bind<'a>>, b: Bind<'a>| {
        binds.push(b);
        format!("${}", binds.len())
    };
    match role_rule(sel.visibility, "r", |viewer| {
        next(&mut binds, Bind::Text(viewer))
    }) {
        RoleRule::Everything => {}
        RoleRule::Condition { sql, .. } => parts.push(sql),
        RoleRule::Nothing => return None,
    }
    let ps: Vec<String> = sel
        .statuses
        .iter()
        .map(|s| next(&mut binds, Bind::Text(s)))
        .collect();
    parts.push(format!("r.status IN ({})", ps.join(", ")));
    for (column, value) in [("category", sel.category), ("country", sel.country)] {
        if let Some(v) = value {
            let p = next(&mut binds, Bind::Text(v));
            parts.push(format!("r.{column} = {p}"));
        }
    }
    match sel.assignee {
        None => {}
        Some(None) => parts.push("r.assignee_id IS NULL".to_owned()),
        Some(Some(user)) => {
            let p = next(&mut binds, Bind::Text(user.as_str()));
            parts.push(format!("r.assignee_id = {p}"));
        }
    }
    Some((parts, binds))
}

fn bind_all<'q>(
    mut q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    binds: Vec<Bind<'q>>,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    for b in binds {
        q = match b {
            Bind::Text(s) => q.bind(s),
            Bind::Int(i) => q.bind(i),
        };
    }
    q
}

/// Up to `limit` cases of the selection in the queue's order, after `after` when given.
pub async fn queue_page(
    db: &Db,
    sel: &QueueSelection<'_>,
    after: Option<&QueueKey>,
    limit: usize,
) -> Result<Vec<CaseRow>, StoreError> {
    if sel.statuses.is_empty() {
        return Ok(Vec::new());
    }
    let Some((mut parts, mut binds)) = queue_condition(sel) else {
        return Ok(Vec::new());
    };
    if let Some(key) = after {
        let first = binds.len() + 1;
        binds.push(Bind::Int(i64::from(key.junk)));
        binds.push(Bind::Int(i64::from(key.urgency)));
        binds.push(Bind::Int(i64::from(key.quiet)));
        binds.push(Bind::Int(key.received_at));
        binds.push(Bind::Text(key.id.as_str()));
        let ps: Vec<String> = (first..first + 5).map(|i| format!("${i}")).collect();
        parts.push(format!(
            "({}) > ({})",
            QUEUE_ORDER.join(", "),
            ps.join(", ")
        ));
    }
    binds.push(Bind::Int(i64::try_from(limit).unwrap_or(i64::MAX)));
    let sql = format!(
        "{CASE_SELECT} WHERE {} ORDER BY {} LIMIT ${}",
        parts.join(" AND "),
        QUEUE_ORDER.join(", "),
        binds.len()
    );
    let rows = bind_all(sqlx::query(&sql), binds)
        .fetch_all(db.pool())
        .await?;
    Ok(rows
        .iter()
        .map(CaseRow::from_row)
        .collect::<Result<_, _>>()?)
}

/// How many cases the selection holds, counted up to `cap + 1`: a result above `cap` means
/// "more than `cap`", however many more.
pub async fn queue_count(
    db: &Db,
    sel: &QueueSelection<'_>,
    cap: usize,
) -> Result<usize, StoreError> {
    if sel.statuses.is_empty() {
        return Ok(0);
    }
    let Some((parts, mut binds)) = queue_condition(sel) else {
        return Ok(0);
    };
    binds.push(Bind::Int(
        i64::try_from(cap.saturating_add(1)).unwrap_or(i64::MAX),
    ));
    let sql = format!(
        "SELECT COUNT(*) AS n FROM (SELECT 1 AS one FROM reports r WHERE {} LIMIT ${}) c",
        parts.join(" AND "),
        binds.len()
    );
    let n: i64 = bind_all(sqlx::query(&sql), binds)
        .fetch_one(db.pool())
        .await?
        .try_get("n")?;
    Ok(usize::try_from(n).unwrap_or(0))
}

/// One case.
pub async fn get(db: &Db, id: &ReportId) -> Result<Option<CaseRow>, StoreError> {
    Ok(sqlx::query_as(&format!("{CASE_SELECT} WHERE r.id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?)
}

/// The cases among `ids` that exist, in no particular order.
pub async fn get_many(db: &Db, ids: &[ReportId]) -> Result<Vec<CaseRow>, StoreError> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(super::db::IDS_PER_STATEMENT) {
        let list: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!("{CASE_SELECT} WHERE r.id IN ({})", list.join(", "));
        let mut q = sqlx::query_as(&sql);
        for id in chunk {
            q = q.bind(id);
        }
        out.extend(q.fetch_all(db.pool()).await?);
    }
    Ok(out)
}

/// Takes an unassigned case; false if someone else was quicker.
pub async fn claim(db: &Db, id: &ReportId, user_id: &UserId, now: i64) -> Result<bool, StoreError> {
    claim_in(&mut *db.pool().acquire().await?, id, user_id, now).await
}

/// [`claim`] on a connection (in a transaction).
pub async fn claim_in(
    conn: &mut AnyConnection,
    id: &ReportId,
    user_id: &UserId,
    now: i64,
) -> Result<bool, StoreError> {
    let done = sqlx::query("UPDATE reports SET assignee_id = $1, updated_at = $2 WHERE id = $3 AND assignee_id IS NULL")
        .bind(user_id)
        .bind(now)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Gives a case to someone, or to nobody.
pub async fn assign(
    db: &Db,
    id: &ReportId,
    user_id: Option<&UserId>,
    now: i64,
) -> Result<(), StoreError> {
    assign_in(&mut *db.pool().acquire().await?, id, user_id, now).await
}

/// [`assign`] on a connection (in a transaction).
pub async fn assign_in(
    conn: &mut AnyConnection,
    id: &ReportId,
    user_id: Option<&UserId>,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE reports SET assignee_id = $1, updated_at = $2 WHERE id = $3")
        .bind(user_id)
        .bind(now)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Moves a case from `from` to `to`; false if it was no longer at `from`.
pub async fn set_status(
    db: &Db,
    id: &ReportId,
    from: &str,
    to: &str,
    closed_reason: Option<&str>,
    now: i64,
) -> Result<bool, StoreError> {
    let mut conn = db.pool().acquire().await?;
    set_status_in(&mut conn, id, from, to, closed_reason, now).await
}

/// [`set_status`] on a connection (in a transaction).
pub async fn set_status_in(
    conn: &mut AnyConnection,
    id: &ReportId,
    from: &str,
    to: &str,
    closed_reason: Option<&str>,
    now: i64,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE reports SET status = $1, closed_reason = $2, updated_at = $3, \
         acknowledged_at = CASE WHEN $1 = 'acknowledged' AND acknowledged_at IS NULL THEN $3 ELSE acknowledged_at END \
         WHERE id = $4 AND status = $5",
    )
    .bind(to)
    .bind(closed_reason)
    .bind(now)
    .bind(id)
    .bind(from)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_restricted(
    db: &Db,
    id: &ReportId,
    restricted: bool,
    now: i64,
) -> Result<(), StoreError> {
    set_restricted_in(&mut *db.pool().acquire().await?, id, restricted, now).await
}

/// [`set_restricted`] on a connection (in a transaction).
pub async fn set_restricted_in(
    conn: &mut AnyConnection,
    id: &ReportId,
    restricted: bool,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE reports SET restricted = $1, updated_at = $2 WHERE id = $3")
        .bind(i64::from(restricted))
        .bind(now)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// An internal note, still sealed.
#[derive(Debug, Clone, FromRow)]
pub struct NoteRow {
    pub id: String,
    pub report_id: ReportId,
    pub author_id: UserId,
    #[sqlx(rename = "username")]
    pub author_name: String,
    pub created_at: i64,
    pub body: Vec<u8>,
}

pub async fn add_note(
    db: &Db,
    id: &str,
    report_id: &ReportId,
    author_id: &UserId,
    body: &[u8],
    now: i64,
) -> Result<(), StoreError> {
    let mut conn = db.pool().acquire().await?;
    add_note_in(&mut conn, id, report_id, author_id, body, now).await
}

/// [`add_note`] on a connection (in a transaction).
pub async fn add_note_in(
    conn: &mut AnyConnection,
    id: &str,
    report_id: &ReportId,
    author_id: &UserId,
    body: &[u8],
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO report_notes (id, report_id, author_id, created_at, body) VALUES ($1, $2, $3, $4, $5)")
        .bind(id)
        .bind(report_id)
        .bind(author_id)
        .bind(now)
        .bind(body)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn notes(db: &Db, report_id: &ReportId) -> Result<Vec<NoteRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT n.id, n.report_id, n.author_id, u.username, n.created_at, n.body FROM report_notes n JOIN staff_users u ON u.id = n.author_id \
         WHERE n.report_id = $1 ORDER BY n.created_at, n.id",
    )
    .bind(report_id)
    .fetch_all(db.pool())
    .await?)
}
