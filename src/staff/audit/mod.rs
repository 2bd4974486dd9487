//! The audit trail: who viewed, changed, exported or forwarded what and when — never the
//! content.
//!
//! Append-only and tamper-evident. Entry `n` carries
//! `mac_n = HMAC-SHA256(audit key, "tipline-audit-v1" ‖ mac_{n-1} ‖ seq ‖ at ‖ actor ‖ action ‖
//! report_id ‖ detail)`, every field length-prefixed, `mac_0` being 32 zero bytes. The audit key
//! is derived from the key directory ([`KEY_PURPOSE`]), never stored in the database, so someone
//! who can write to the database cannot edit, delete, insert or re-chain entries unseen.
//!
//! The newest head (sequence number and mac) is kept twice: in the one-row table `audit_head`,
//! and in the file [`HEAD_FILE`] in the key directory, rewritten atomically after every append.
//! Cutting off the newest entries and fixing up `audit_head` therefore still shows: the file
//! names an entry the database no longer has, or one with another mac.
//!
//! Appends are serialised by the database: each transaction starts by updating the
//! `audit_head` row, which takes the row lock in PostgreSQL and the write lock in SQLite, so
//! several requests, or several app nodes on one PostgreSQL, never read the same head. A mutex in
//! each [`AuditLog`] keeps one node from contending with itself.
//!
//! A change to a case and the entry recording it commit in one transaction ([`AuditLog::begin`],
//! [`AuditTx`]): the change runs after the lock is taken, and the head file moves forward only
//! after the commit, so a crash or a refused entry never leaves a change without its trace.
//!
//! Here: what an entry may hold, appending, listing. `chain` computes the macs (no IO),
//! `head_file` keeps the head file, `verify` walks the trail; the SQL is `store::audit`'s.

mod chain;
mod head_file;
mod verify;

pub use head_file::{HEAD_FILE, head_path};
pub use verify::{Verified, VerifyError, verify};

use super::audit_action::AuditAction;
use crate::seal::keys::{KeyRing, Secret32};
use crate::store::audit::{self as repo, AuditRow, NewEntry};
use crate::store::{Db, StoreError};
use crate::types::ReportId;
use chain::{Fields, chain_mac};
use head_file::{parse_head_file, write_head_file};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::sync::{Mutex, OwnedMutexGuard};

/// The purpose label for [`KeyRing::derive`] and the head file name, so serve and verify agree.
pub const KEY_PURPOSE: &str = "audit-chain";
/// Most records one [`AuditLog::list`] call returns.
pub const MAX_LIST: i64 = 1000;

/// Longest actor, action name, report id and detail accepted, in bytes: the trail names who and
/// what, it never holds content.
pub const MAX_ACTOR: usize = 128;
pub const MAX_ACTION: usize = 64;
pub const MAX_REPORT_ID: usize = 128;
pub const MAX_DETAIL: usize = 512;

/// One thing that happened, as handed to [`AuditLog::append`].
#[derive(Debug, Clone, Copy)]
pub struct AuditEntry<'a> {
    /// A staff user id, or `"cli"` / `"system"`.
    pub actor: &'a str,
    /// What happened: one of the kinds the trail knows, stored as its string
    /// ([`AuditAction::as_str`]), so no other name can be written.
    pub action: AuditAction,
    /// The report concerned, if any.
    pub report_id: Option<&'a ReportId>,
    /// Short, and never report content: e.g. `status=acknowledged`.
    pub detail: &'a str,
}

/// One stored entry, as shown to the auditor. Its action is the string stored (rows written
/// under an older name keep it; [`AuditAction::parse`] reads both).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AuditRecord {
    pub seq: i64,
    /// Unix seconds.
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub report_id: Option<ReportId>,
    pub detail: String,
}

/// Which records [`AuditLog::list`] returns; `None` matches everything.
#[derive(Debug, Default, Clone)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub report_id: Option<ReportId>,
}

/// Why an append or a listing failed; each says what to do.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("not a valid audit entry: {0}")]
    Invalid(&'static str),
    #[error(
        "the audit_head row is missing from the database: the audit trail was tampered with; run `tipline audit verify` and restore the database from a backup"
    )]
    HeadRowMissing,
    #[error(
        "the audit trail does not match its head file {path}: {reason}; nothing more is recorded until this is resolved. Run `tipline audit verify`; if the database was restored from a backup on purpose, move the head file aside (keep it as evidence) and try again"
    )]
    HeadConflict { path: PathBuf, reason: String },
    #[error(
        "cannot read the audit head file {path}: {source}; check that the key directory is readable by tipline"
    )]
    HeadRead {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "audit entry {seq} was recorded, but the head file {path} could not be written: {source}; check that the key directory is writable by tipline and has free space"
    )]
    HeadWrite {
        seq: i64,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl From<sqlx::Error> for AuditError {
    fn from(e: sqlx::Error) -> Self {
        Self::Store(StoreError::Query(e))
    }
}

/// The audit trail of one instance. Cloning is cheap and clones share one append mutex.
#[derive(Clone)]
pub struct AuditLog {
    db: Db,
    key: Secret32,
    head_path: PathBuf,
    appending: Arc<Mutex<()>>,
}

impl std::fmt::Debug for AuditLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditLog")
            .field("head_path", &self.head_path)
            .finish_non_exhaustive()
    }
}

/// A database transaction holding the append lock of an [`AuditLog`] (see
/// [`AuditLog::begin`]): a change and the audit entries that record it, committed together.
pub struct AuditTx {
    log: AuditLog,
    _one_at_a_time: OwnedMutexGuard<()>,
    tx: sqlx::Transaction<'static, sqlx::Any>,
    /// The newest entry so far, in this transaction.
    seq: i64,
    mac: Vec<u8>,
    recorded: bool,
}

impl std::fmt::Debug for AuditTx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditTx")
            .field("seq", &self.seq)
            .finish_non_exhaustive()
    }
}

impl AuditTx {
    /// The connection of the transaction, for the change the entries record.
    pub fn conn(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.tx
    }

    /// The transaction itself, for the store functions that take one.
    pub fn transaction(&mut self) -> &mut sqlx::Transaction<'static, sqlx::Any> {
        &mut self.tx
    }

    /// Adds one entry at `at` (unix seconds) to the transaction and returns its sequence
    /// number; it is kept only if [`AuditTx::commit`] succeeds.
    pub async fn record(&mut self, entry: AuditEntry<'_>, at: i64) -> Result<i64, AuditError> {
        validate(&entry)?;
        let seq = self.seq + 1;
        let mac = chain_mac(
            &self.log.key,
            &self.mac,
            &Fields {
                seq,
                at,
                actor: entry.actor,
                action: entry.action.as_str(),
                report_id: entry.report_id.map(ReportId::as_str),
                detail: entry.detail,
            },
        );
        repo::insert(
            &mut self.tx,
            &NewEntry {
                seq,
                at,
                actor: entry.actor,
                action: entry.action.as_str(),
                report_id: entry.report_id,
                detail: entry.detail,
                prev_mac: &self.mac,
                mac: &mac,
            },
        )
        .await?;
        self.seq = seq;
        self.mac = mac.to_vec();
        self.recorded = true;
        Ok(seq)
    }

    /// Commits the change and its entries together, then moves the head file forward (only
    /// after the commit, so it never names an entry that was rolled back).
    ///
    /// [`AuditError::HeadWrite`] means everything IS committed but the head file could not be
    /// updated; it still names an earlier entry of the same chain, which the next append and
    /// `tipline audit verify` accept.
    pub async fn commit(mut self) -> Result<(), AuditError> {
        if !self.recorded {
            self.tx.commit().await?;
            return Ok(());
        }
        repo::set_head(&mut self.tx, self.seq, &self.mac).await?;
        self.tx.commit().await?;
        let (seq, mac) = (self.seq, self.mac);
        let path = self.log.head_path.clone();
        let written = tokio::task::spawn_blocking(move || write_head_file(&path, seq, &mac))
            .await
            .unwrap_or_else(|e| Err(std::io::Error::other(e.to_string())));
        written.map_err(|source| AuditError::HeadWrite {
            seq,
            path: self.log.head_path.clone(),
            source,
        })
    }
}

impl AuditLog {
    pub fn new(db: Db, key: Secret32, head_path: PathBuf) -> Self {
        Self {
            db,
            key,
            head_path,
            appending: Arc::new(Mutex::new(())),
        }
    }

    /// The audit trail with the key derived from `keys` and the head file in `key_dir`, as
    /// `tipline serve` and `tipline audit verify` both find them.
    pub fn for_key_dir(db: Db, keys: &KeyRing, key_dir: &Path) -> Self {
        Self::new(db, keys.derive(KEY_PURPOSE), head_path(key_dir))
    }

    /// Appends one entry at `at` (unix seconds) and returns its sequence number, after commit
    /// and after the head file was rewritten.
    ///
    /// Fails closed: if the head file names an entry the database no longer has (entries were
    /// cut off) or one with another mac (the trail was rewritten), nothing is recorded and
    /// [`AuditError::HeadConflict`] says what to do. [`AuditError::HeadWrite`] means the entry
    /// IS committed but the head file could not be updated.
    pub async fn append(&self, entry: AuditEntry<'_>, at: i64) -> Result<i64, AuditError> {
        validate(&entry)?;
        let mut tx = self.begin().await?;
        let seq = tx.record(entry, at).await?;
        tx.commit().await?;
        Ok(seq)
    }

    /// Opens a database transaction that holds the append lock, so that a change and the entry
    /// recording it commit together or not at all: run the change on [`AuditTx::conn`], add
    /// its entries with [`AuditTx::record`], then [`AuditTx::commit`]. Dropped without a
    /// commit, nothing of either is kept.
    ///
    /// The lock is taken first (this node's mutex, then the first statement of the
    /// transaction, which takes the `audit_head` row lock in PostgreSQL and the write lock in
    /// SQLite), so appends stay serialised across requests and nodes, and the change runs
    /// after it: never call [`AuditLog::append`] while holding an [`AuditTx`] of the same log.
    ///
    /// Fails closed as [`AuditLog::append`] does when the trail no longer matches its head
    /// file.
    pub async fn begin(&self) -> Result<AuditTx, AuditError> {
        let one_at_a_time = Arc::clone(&self.appending).lock_owned().await;
        let mut tx = self.db.pool().begin().await?;
        // First statement of the transaction: takes the lock that serialises appends.
        let repo::Head { seq, mac } = repo::lock_head(&mut tx)
            .await?
            .ok_or(AuditError::HeadRowMissing)?;
        self.check_head_file(&mut tx, seq, &mac).await?;
        Ok(AuditTx {
            log: self.clone(),
            _one_at_a_time: one_at_a_time,
            tx,
            seq,
            mac,
            recorded: false,
        })
    }

    /// Refuses to extend a trail that no longer matches the head file, so that the evidence of
    /// a cut is kept rather than overwritten. A missing file is written afresh.
    async fn check_head_file(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        prev_seq: i64,
        prev_mac: &[u8],
    ) -> Result<(), AuditError> {
        let conflict = |reason: String| AuditError::HeadConflict {
            path: self.head_path.clone(),
            reason,
        };
        let text = match tokio::fs::read_to_string(&self.head_path).await {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if prev_seq > 0 {
                    tracing::warn!(
                        path = %self.head_path.display(),
                        "the audit head file is missing; writing it afresh"
                    );
                }
                return Ok(());
            }
            Err(source) => {
                return Err(AuditError::HeadRead {
                    path: self.head_path.clone(),
                    source,
                });
            }
        };
        let file = parse_head_file(&text).map_err(|reason| conflict(reason.to_owned()))?;
        if file.seq > prev_seq {
            return Err(conflict(format!(
                "it records entry {}, but the newest entry in the database is {prev_seq}",
                file.seq
            )));
        }
        let stored = if file.seq == prev_seq {
            Some(prev_mac.to_vec())
        } else {
            repo::mac_of(tx, file.seq).await?
        };
        match stored {
            Some(mac) if mac == file.mac => Ok(()),
            Some(_) => Err(conflict(format!(
                "entry {} in the database differs from the one it records",
                file.seq
            ))),
            None => Err(conflict(format!(
                "entry {} it records is missing from the database",
                file.seq
            ))),
        }
    }

    /// Newest first, filtered, paginated (`limit` is capped at [`MAX_LIST`]).
    pub async fn list(
        &self,
        filter: &AuditFilter,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<AuditRecord>, AuditError> {
        let rows = repo::list(
            &self.db,
            filter.actor.as_deref(),
            filter.report_id.as_ref(),
            limit.clamp(0, MAX_LIST),
            offset.max(0),
        )
        .await?;
        Ok(rows.into_iter().map(AuditRecord::from).collect())
    }
}

fn validate(entry: &AuditEntry<'_>) -> Result<(), AuditError> {
    if entry.actor.is_empty() || entry.actor.len() > MAX_ACTOR {
        return Err(AuditError::Invalid("the actor must be 1 to 128 bytes"));
    }
    if entry
        .report_id
        .is_some_and(|id| id.as_str().is_empty() || id.as_str().len() > MAX_REPORT_ID)
    {
        return Err(AuditError::Invalid("the report id must be 1 to 128 bytes"));
    }
    if entry.detail.len() > MAX_DETAIL {
        return Err(AuditError::Invalid(
            "the detail must be at most 512 bytes (it never holds report content)",
        ));
    }
    Ok(())
}

impl From<AuditRow> for AuditRecord {
    fn from(row: AuditRow) -> Self {
        Self {
            seq: row.seq,
            at: row.at,
            actor: row.actor,
            action: row.action,
            report_id: row.report_id,
            detail: row.detail,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_must_name_and_never_hold_content() {
        let (r1, empty) = (ReportId::new("r1"), ReportId::new(""));
        let ok = AuditEntry {
            actor: "u1",
            action: AuditAction::ReportView,
            report_id: Some(&r1),
            detail: "",
        };
        assert!(validate(&ok).is_ok());
        for action in AuditAction::ALL {
            assert!(validate(&AuditEntry { action, ..ok }).is_ok(), "{action}");
            assert!(action.as_str().len() <= MAX_ACTION, "{action}");
        }
        for bad in [
            AuditEntry { actor: "", ..ok },
            AuditEntry {
                report_id: Some(&empty),
                ..ok
            },
            AuditEntry {
                detail: &"x".repeat(MAX_DETAIL + 1),
                ..ok
            },
        ] {
            assert!(validate(&bad).is_err(), "{bad:?}");
        }
    }
}
