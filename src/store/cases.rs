//! The cases repository: what staff change on a report (assignee, status, restriction) and
//! its internal notes. Every change is a conditional update, so two people acting at once
//! cannot both succeed where only one should.

use super::reports::Triage;
use super::{Db, StoreError};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

/// A report as the back office lists it: clear columns only, no sealed content.
#[derive(Debug, Clone)]
pub struct CaseRow {
    pub id: String,
    pub triage: Triage,
    pub assignee_id: Option<String>,
    pub assignee_name: Option<String>,
    pub restricted: bool,
    pub acknowledged_at: Option<i64>,
    pub closed_reason: Option<String>,
    /// The reporter wrote and no one has opened the case since.
    pub new_activity: bool,
    /// A newer report shares an identifier and no one has opened the case since.
    pub new_link: bool,
    /// Signs of junk, comma-separated; `None` for none.
    pub suspect: Option<String>,
}

const CASE_SELECT: &str = "SELECT r.id, r.category, r.country, r.received_at, r.status, \
     r.urgency, r.child_involved, r.channel, r.campaign_id, r.language, r.assignee_id, \
     u.username AS assignee_name, r.restricted, r.acknowledged_at, r.closed_reason, r.new_activity, r.new_link, r.suspect \
     FROM reports r LEFT JOIN staff_users u ON u.id = r.assignee_id";

fn case_from(row: &AnyRow) -> Result<CaseRow, sqlx::Error> {
    Ok(CaseRow {
        id: row.try_get("id")?,
        triage: Triage::from_row(row)?,
        assignee_id: row.try_get("assignee_id")?,
        assignee_name: row.try_get("assignee_name")?,
        restricted: row.try_get::<i64, _>("restricted")? != 0,
        acknowledged_at: row.try_get("acknowledged_at")?,
        closed_reason: row.try_get("closed_reason")?,
        new_activity: row.try_get::<i64, _>("new_activity")? != 0,
        new_link: row.try_get::<i64, _>("new_link")? != 0,
        suspect: row.try_get("suspect")?,
    })
}

/// Cases in any of `statuses`.
pub async fn list(db: &Db, statuses: &[&str]) -> Result<Vec<CaseRow>, StoreError> {
    let placeholders: Vec<String> = (1..=statuses.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "{CASE_SELECT} WHERE r.status IN ({})",
        placeholders.join(", ")
    );
    let mut q = sqlx::query(&sql);
    for s in statuses {
        q = q.bind(s.to_string());
    }
    let rows = q.fetch_all(db.pool()).await?;
    Ok(rows.iter().map(case_from).collect::<Result<_, _>>()?)
}

/// One case.
pub async fn get(db: &Db, id: &str) -> Result<Option<CaseRow>, StoreError> {
    let row = sqlx::query(&format!("{CASE_SELECT} WHERE r.id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    Ok(row.as_ref().map(case_from).transpose()?)
}

/// The cases among `ids` that exist, in no particular order.
pub async fn get_many(db: &Db, ids: &[String]) -> Result<Vec<CaseRow>, StoreError> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(super::db::IDS_PER_STATEMENT) {
        let list: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!("{CASE_SELECT} WHERE r.id IN ({})", list.join(", "));
        let mut q = sqlx::query(&sql);
        for id in chunk {
            q = q.bind(id.as_str());
        }
        for row in q.fetch_all(db.pool()).await? {
            out.push(case_from(&row)?);
        }
    }
    Ok(out)
}

/// Takes an unassigned case; false if someone else was quicker.
pub async fn claim(db: &Db, id: &str, user_id: &str, now: i64) -> Result<bool, StoreError> {
    claim_in(&mut *db.pool().acquire().await?, id, user_id, now).await
}

/// [`claim`] on a connection (in a transaction).
pub async fn claim_in(
    conn: &mut AnyConnection,
    id: &str,
    user_id: &str,
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
pub async fn assign(db: &Db, id: &str, user_id: Option<&str>, now: i64) -> Result<(), StoreError> {
    assign_in(&mut *db.pool().acquire().await?, id, user_id, now).await
}

/// [`assign`] on a connection (in a transaction).
pub async fn assign_in(
    conn: &mut AnyConnection,
    id: &str,
    user_id: Option<&str>,
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
    id: &str,
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
    id: &str,
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
    id: &str,
    restricted: bool,
    now: i64,
) -> Result<(), StoreError> {
    set_restricted_in(&mut *db.pool().acquire().await?, id, restricted, now).await
}

/// [`set_restricted`] on a connection (in a transaction).
pub async fn set_restricted_in(
    conn: &mut AnyConnection,
    id: &str,
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
#[derive(Debug, Clone)]
pub struct NoteRow {
    pub id: String,
    pub report_id: String,
    pub author_id: String,
    pub author_name: String,
    pub created_at: i64,
    pub body: Vec<u8>,
}

pub async fn add_note(
    db: &Db,
    id: &str,
    report_id: &str,
    author_id: &str,
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
    report_id: &str,
    author_id: &str,
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

pub async fn notes(db: &Db, report_id: &str) -> Result<Vec<NoteRow>, StoreError> {
    let rows = sqlx::query(
        "SELECT n.id, n.report_id, n.author_id, u.username, n.created_at, n.body FROM report_notes n JOIN staff_users u ON u.id = n.author_id \
         WHERE n.report_id = $1 ORDER BY n.created_at, n.id",
    )
    .bind(report_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(NoteRow {
                id: r.try_get("id")?,
                report_id: r.try_get("report_id")?,
                author_id: r.try_get("author_id")?,
                author_name: r.try_get("username")?,
                created_at: r.try_get("created_at")?,
                body: r.try_get("body")?,
            })
        })
        .collect()
}
