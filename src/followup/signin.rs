//! Signing in with the receipt: the public lookup part finds the report, the salted keyed hash
//! checks the secret, so one guess tests one report only. Failures are counted per report and
//! lock it for a while: while locked, a wrong secret waits before it is refused, and the right
//! one still opens (the web layer also limits attempts per sign-in form and under a global
//! ceiling); no IP address is kept.
//! A successful sign-in opens a short reporter session.

use crate::seal::token::{new_token, token_hash};
use crate::seal::{ReceiptCode, ReceiptHasher};
use crate::store::followup as repo;
use crate::store::{Db, StoreError, reports};
use crate::types::ReportId;

/// Failures allowed before a report's receipt sign-in locks.
pub const FREE_FAILURES: i64 = 5;
/// The first lock, doubled for each further failure, up to a day.
pub const FIRST_LOCK_SECONDS: i64 = 15 * 60;
const MAX_LOCK_SECONDS: i64 = 24 * 3600;
/// How long a wrong secret waits for its answer while its report is locked.
const LOCKED_DELAY: std::time::Duration = std::time::Duration::from_secs(1);

/// Reporter session lifetimes: short, because the device may be shared or seized.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReporterSessionPolicy {
    pub idle: i64,
    pub absolute: i64,
}

impl Default for ReporterSessionPolicy {
    fn default() -> Self {
        Self {
            idle: 15 * 60,
            absolute: 2 * 3600,
        }
    }
}

/// A signed-in reporter.
#[derive(Debug, Clone)]
pub struct ReporterSession {
    pub id_hash: Vec<u8>,
    pub report_id: ReportId,
    pub csrf_token: String,
}

/// Checks a typed receipt; on success opens a session and returns its token.
pub async fn sign_in(
    db: &Db,
    receipts: &ReceiptHasher,
    typed: &str,
    now: i64,
) -> Result<Option<String>, StoreError> {
    let Some(code) = ReceiptCode::parse(typed) else {
        return Ok(None);
    };
    let Some(report) = reports::by_lookup(db, code.lookup()).await? else {
        return Ok(None);
    };
    let (_, _, failures, locked_until) = repo::flags(db, &report.id).await?;
    // The right secret always opens its report, locked or not: a stranger who knows a
    // receipt's public part cannot lock its reporter out. A lock only slows wrong secrets.
    if !receipts.verify(&report.receipt_salt, &report.receipt_hash, &code) {
        if locked_until > now {
            tokio::time::sleep(LOCKED_DELAY).await;
        }
        let failures = failures + 1;
        let lock = if failures >= FREE_FAILURES {
            let doublings = u32::try_from((failures - FREE_FAILURES).min(10)).unwrap_or(10);
            now + (FIRST_LOCK_SECONDS << doublings).min(MAX_LOCK_SECONDS)
        } else {
            0
        };
        repo::record_receipt_failure(db, &report.id, lock).await?;
        return Ok(None);
    }
    repo::clear_receipt_failures(db, &report.id).await?;
    let (token, hash) = new_token();
    let (csrf, _) = new_token();
    repo::insert_session(db, &hash, &report.id, &csrf, now).await?;
    Ok(Some(token))
}

/// The live session behind a token.
pub async fn resolve(
    db: &Db,
    token: &str,
    now: i64,
    policy: ReporterSessionPolicy,
) -> Result<Option<ReporterSession>, StoreError> {
    let hash = token_hash(token);
    let Some(row) = repo::session(db, &hash).await? else {
        return Ok(None);
    };
    if now - row.last_seen_at > policy.idle || now - row.created_at > policy.absolute {
        repo::delete_session(db, &hash).await?;
        return Ok(None);
    }
    if now - row.last_seen_at >= 60 {
        repo::touch_session(db, &hash, now).await?;
    }
    Ok(Some(ReporterSession {
        id_hash: hash,
        report_id: row.report_id,
        csrf_token: row.csrf_token,
    }))
}

/// Ends a reporter session.
pub async fn end(db: &Db, token: &str) -> Result<(), StoreError> {
    repo::delete_session(db, &token_hash(token)).await
}
