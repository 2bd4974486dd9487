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

use crate::seal::keys::{KeyRing, Secret32};
use crate::seal::receipt::mac_with;
use crate::store::{Db, StoreError};
use data_encoding::HEXLOWER;
use hmac::Mac;
use sqlx::Row;
use sqlx::any::AnyRow;
use std::fs;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::sync::{Mutex, OwnedMutexGuard};

/// The purpose label for [`KeyRing::derive`] and the head file name, so serve and verify agree.
pub const KEY_PURPOSE: &str = "audit-chain";
/// The head file; it lives in the KEY directory (outside the data directory and the database).
pub const HEAD_FILE: &str = "audit-head";

/// The mac before the first entry (`audit_head` is seeded with it by the migration).
const GENESIS_MAC: [u8; 32] = [0; 32];
/// Domain separation for the chain mac.
const MAC_LABEL: &[u8] = b"tipline-audit-v1";
/// First line of the head file.
const HEAD_FILE_TITLE: &str = "tipline audit head v1";
/// Rows read per query by [`verify`].
const VERIFY_PAGE: i64 = 1000;
/// Most records one [`AuditLog::list`] call returns.
pub const MAX_LIST: i64 = 1000;

/// Longest actor, report id and detail accepted, in bytes: the trail names who and what, it never
/// holds content.
pub const MAX_ACTOR: usize = 128;
pub const MAX_ACTION: usize = 64;
pub const MAX_REPORT_ID: usize = 128;
pub const MAX_DETAIL: usize = 512;

/// One thing that happened, as handed to [`AuditLog::append`].
#[derive(Debug, Clone, Copy)]
pub struct AuditEntry<'a> {
    /// A staff user id, or `"cli"` / `"system"`.
    pub actor: &'a str,
    /// A dotted id such as `report.view`, `report.status`, `note.add`, `attachment.download`,
    /// `user.add`, `session.sign_in`, `session.sign_in_failed` (lower-case letters, digits, `.`,
    /// `_` and `-`).
    pub action: &'a str,
    /// The report concerned, if any.
    pub report_id: Option<&'a str>,
    /// Short, and never report content: e.g. `status=acknowledged`.
    pub detail: &'a str,
}

/// One stored entry, as shown to the auditor.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AuditRecord {
    pub seq: i64,
    /// Unix seconds.
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub report_id: Option<String>,
    pub detail: String,
}

/// Which records [`AuditLog::list`] returns; `None` matches everything.
#[derive(Debug, Default, Clone)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub report_id: Option<String>,
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
                action: entry.action,
                report_id: entry.report_id,
                detail: entry.detail,
            },
        );
        sqlx::query(
            "INSERT INTO audit_log (seq, at, actor, action, report_id, detail, prev_mac, mac) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(seq)
        .bind(at)
        .bind(entry.actor)
        .bind(entry.action)
        .bind(entry.report_id)
        .bind(entry.detail)
        .bind(&self.mac)
        .bind(mac.to_vec())
        .execute(&mut *self.tx)
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
        sqlx::query("UPDATE audit_head SET seq = $1, mac = $2 WHERE id = 1")
            .bind(self.seq)
            .bind(&self.mac)
            .execute(&mut *self.tx)
            .await?;
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

/// The head file of a key directory.
pub fn head_path(key_dir: &Path) -> PathBuf {
    key_dir.join(HEAD_FILE)
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
        let head = sqlx::query("UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, mac")
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(AuditError::HeadRowMissing)?;
        let seq: i64 = head.try_get("seq")?;
        let mac: Vec<u8> = head.try_get("mac")?;
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
            sqlx::query("SELECT mac FROM audit_log WHERE seq = $1")
                .bind(file.seq)
                .fetch_optional(&mut **tx)
                .await?
                .map(|row| row.try_get::<Vec<u8>, _>("mac"))
                .transpose()?
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
        let mut conditions = Vec::new();
        let mut binds = Vec::new();
        if let Some(actor) = &filter.actor {
            binds.push(actor.as_str());
            conditions.push(format!("actor = ${}", binds.len()));
        }
        if let Some(report_id) = &filter.report_id {
            binds.push(report_id.as_str());
            conditions.push(format!("report_id = ${}", binds.len()));
        }
        let filter_sql = if conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conditions.join(" AND "))
        };
        let sql = format!(
            "SELECT seq, at, actor, action, report_id, detail FROM audit_log{filter_sql} \
             ORDER BY seq DESC LIMIT ${} OFFSET ${}",
            binds.len() + 1,
            binds.len() + 2
        );
        let mut query = sqlx::query(&sql);
        for value in binds {
            query = query.bind(value);
        }
        let rows = query
            .bind(limit.clamp(0, MAX_LIST))
            .bind(offset.max(0))
            .fetch_all(self.db.pool())
            .await?;
        rows.iter()
            .map(|row| record_from_row(row).map_err(AuditError::from))
            .collect()
    }
}

fn validate(entry: &AuditEntry<'_>) -> Result<(), AuditError> {
    if entry.actor.is_empty() || entry.actor.len() > MAX_ACTOR {
        return Err(AuditError::Invalid("the actor must be 1 to 128 bytes"));
    }
    if entry.action.is_empty()
        || entry.action.len() > MAX_ACTION
        || !entry
            .action
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
    {
        return Err(AuditError::Invalid(
            "the action must be a dotted id such as report.view (a-z, 0-9, '.', '_', '-')",
        ));
    }
    if entry
        .report_id
        .is_some_and(|id| id.is_empty() || id.len() > MAX_REPORT_ID)
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

fn record_from_row(row: &AnyRow) -> Result<AuditRecord, sqlx::Error> {
    Ok(AuditRecord {
        seq: row.try_get("seq")?,
        at: row.try_get("at")?,
        actor: row.try_get("actor")?,
        action: row.try_get("action")?,
        report_id: row.try_get("report_id")?,
        detail: row.try_get("detail")?,
    })
}

/// The fields an entry's mac covers, besides the previous mac.
#[derive(Debug, Clone, Copy)]
struct Fields<'a> {
    seq: i64,
    at: i64,
    actor: &'a str,
    action: &'a str,
    report_id: Option<&'a str>,
    detail: &'a str,
}

/// `HMAC(key, label ‖ len‖prev_mac ‖ seq ‖ at ‖ len‖actor ‖ len‖action ‖ tag[‖len‖report_id] ‖
/// len‖detail)`, integers as 8 bytes big-endian: no two different entries encode alike.
fn chain_mac(key: &Secret32, prev_mac: &[u8], f: &Fields<'_>) -> [u8; 32] {
    let mut mac = mac_with(key);
    let mut field = |bytes: &[u8]| {
        mac.update(&(bytes.len() as u64).to_be_bytes());
        mac.update(bytes);
    };
    field(MAC_LABEL);
    field(prev_mac);
    field(&f.seq.to_be_bytes());
    field(&f.at.to_be_bytes());
    field(f.actor.as_bytes());
    field(f.action.as_bytes());
    match f.report_id {
        None => field(&[0]),
        Some(id) => {
            field(&[1]);
            field(id.as_bytes());
        }
    }
    field(f.detail.as_bytes());
    mac.finalize().into_bytes().into()
}

/// Constant-time comparison of a stored mac with a computed one.
fn same_mac(stored: &[u8], computed: &[u8; 32]) -> bool {
    stored.len() == computed.len()
        && stored
            .iter()
            .zip(computed.iter())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

/// What the head file records.
#[derive(Debug, Clone, PartialEq, Eq)]
struct HeadFile {
    seq: i64,
    mac: Vec<u8>,
}

fn head_file_text(seq: i64, mac: &[u8]) -> String {
    format!(
        "{HEAD_FILE_TITLE}\nseq {seq}\nmac {}\n",
        HEXLOWER.encode(mac)
    )
}

fn parse_head_file(text: &str) -> Result<HeadFile, &'static str> {
    const DAMAGED: &str = "the head file is damaged";
    let mut lines = text.lines();
    if lines.next() != Some(HEAD_FILE_TITLE) {
        return Err(DAMAGED);
    }
    let seq = lines
        .next()
        .and_then(|l| l.strip_prefix("seq "))
        .and_then(|s| s.parse::<i64>().ok())
        .filter(|s| *s >= 1)
        .ok_or(DAMAGED)?;
    let mac = lines
        .next()
        .and_then(|l| l.strip_prefix("mac "))
        .and_then(|m| HEXLOWER.decode(m.as_bytes()).ok())
        .filter(|m| m.len() == 32)
        .ok_or(DAMAGED)?;
    if lines.any(|l| !l.is_empty()) {
        return Err(DAMAGED);
    }
    Ok(HeadFile { seq, mac })
}

/// Replaces the head file atomically: a private temporary file, synced, renamed over the old
/// one, and the directory synced, so a crash leaves either the old head or the new one.
fn write_head_file(path: &Path, seq: i64, mac: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| HEAD_FILE.to_owned());
    let tmp = dir.join(format!(".{name}.{:016x}.tmp", rand::random::<u64>()));
    let result = (|| {
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)?;
        file.set_permissions(fs::Permissions::from_mode(0o600))?;
        file.write_all(head_file_text(seq, mac).as_bytes())?;
        file.sync_all()?;
        drop(file);
        fs::rename(&tmp, path)?;
        fs::File::open(dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// What [`verify`] found: an intact trail of `entries` entries, the newest being `head_seq`.
#[derive(Debug, PartialEq, Eq)]
pub struct Verified {
    pub entries: i64,
    pub head_seq: i64,
}

/// What is wrong with the trail. [`VerifyError::Store`] and [`VerifyError::HeadFile`] mean it
/// could not be checked; every other variant is evidence of tampering (or of a database restored
/// from an older backup).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum VerifyError {
    #[error("audit entry {seq} is broken: {reason}")]
    Broken { seq: i64, reason: String },
    #[error(
        "audit entry {first_missing} is missing: the trail was cut off after entry {last_seq}, but the head file records entry {file_seq} (newest entries deleted, or the database restored from an older backup)"
    )]
    Truncated {
        file_seq: i64,
        last_seq: i64,
        first_missing: i64,
    },
    #[error(
        "audit entry {seq} is broken: it differs from the entry the head file records (the trail was rewritten, or the database restored from another branch)"
    )]
    HeadMismatch { seq: i64 },
    #[error(
        "the audit_head row of the database (entry {head_seq}) does not match the newest entry {last_seq}: entries were deleted or the head row was edited"
    )]
    DbHeadMismatch { head_seq: i64, last_seq: i64 },
    #[error(
        "the audit head file {path} is missing, but the trail has {entries} entries, so a cut-off end cannot be ruled out; check --key-dir, or restore the key directory from its backup"
    )]
    HeadFileMissing { path: PathBuf, entries: i64 },
    #[error("cannot check the audit head file {path}: {reason}")]
    HeadFile { path: PathBuf, reason: String },
    #[error(
        "cannot read the audit trail from the database: {0}; check the database URL, and that `tipline serve` has run once so the schema is up to date"
    )]
    Store(String),
}

impl From<sqlx::Error> for VerifyError {
    fn from(e: sqlx::Error) -> Self {
        Self::Store(e.to_string())
    }
}

/// Where the walk through the chain has got to.
struct Walk {
    entries: i64,
    last_seq: i64,
    last_mac: Vec<u8>,
}

/// Checks the whole trail: every mac, every link, contiguous sequence numbers from 1, the
/// `audit_head` row, and the head file at `head_path`. Names the first broken entry.
///
/// Safe to run while the server appends: the head file is read first (it only ever names
/// committed entries), and the walk follows the head row until it holds still.
pub async fn verify(db: &Db, key: &Secret32, head_path: &Path) -> Result<Verified, VerifyError> {
    let file = match tokio::fs::read_to_string(head_path).await {
        Ok(text) => Some(
            parse_head_file(&text).map_err(|reason| VerifyError::HeadFile {
                path: head_path.to_path_buf(),
                reason: reason.to_owned(),
            })?,
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            return Err(VerifyError::HeadFile {
                path: head_path.to_path_buf(),
                reason: e.to_string(),
            });
        }
    };
    let mut walk = Walk {
        entries: 0,
        last_seq: 0,
        last_mac: GENESIS_MAC.to_vec(),
    };
    // The head row as last read, when it was ahead of the walk.
    let mut ahead: Option<i64> = None;
    loop {
        walk_from(db, key, file.as_ref(), &mut walk).await?;
        if let Some(head_seq) = ahead
            && walk.last_seq < head_seq
        {
            // The head row named an entry that is not there (it commits with its entry).
            return Err(VerifyError::DbHeadMismatch {
                head_seq,
                last_seq: walk.last_seq,
            });
        }
        if let Some(file) = &file
            && file.seq > walk.last_seq
        {
            return Err(VerifyError::Truncated {
                file_seq: file.seq,
                last_seq: walk.last_seq,
                first_missing: walk.last_seq + 1,
            });
        }
        let head = sqlx::query("SELECT seq, mac FROM audit_head WHERE id = 1")
            .fetch_optional(db.pool())
            .await?;
        let Some(head) = head else {
            return Err(VerifyError::DbHeadMismatch {
                head_seq: 0,
                last_seq: walk.last_seq,
            });
        };
        let head_seq: i64 = head.try_get("seq")?;
        let head_mac: Vec<u8> = head.try_get("mac")?;
        if head_seq == walk.last_seq && head_mac == walk.last_mac {
            break;
        }
        // Appends committed after the walk read its last page: follow them.
        if head_seq > walk.last_seq {
            ahead = Some(head_seq);
            continue;
        }
        return Err(VerifyError::DbHeadMismatch {
            head_seq,
            last_seq: walk.last_seq,
        });
    }
    if file.is_none() && walk.entries > 0 {
        return Err(VerifyError::HeadFileMissing {
            path: head_path.to_path_buf(),
            entries: walk.entries,
        });
    }
    Ok(Verified {
        entries: walk.entries,
        head_seq: walk.last_seq,
    })
}

/// Checks every entry after `walk.last_seq`, page by page.
async fn walk_from(
    db: &Db,
    key: &Secret32,
    file: Option<&HeadFile>,
    walk: &mut Walk,
) -> Result<(), VerifyError> {
    loop {
        let rows = sqlx::query(
            "SELECT seq, at, actor, action, report_id, detail, prev_mac, mac FROM audit_log \
             WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(walk.last_seq)
        .bind(VERIFY_PAGE)
        .fetch_all(db.pool())
        .await?;
        for row in &rows {
            check_entry(key, file, walk, row)?;
        }
        if (rows.len() as i64) < VERIFY_PAGE {
            return Ok(());
        }
    }
}

fn check_entry(
    key: &Secret32,
    file: Option<&HeadFile>,
    walk: &mut Walk,
    row: &AnyRow,
) -> Result<(), VerifyError> {
    let seq: i64 = row.try_get("seq")?;
    let broken = |reason: String| VerifyError::Broken { seq, reason };
    let expected = walk.last_seq + 1;
    if seq != expected {
        return Err(broken(if seq > expected && expected + 1 == seq {
            format!("entry {expected} before it is missing (deleted)")
        } else if seq > expected {
            format!(
                "entries {expected} to {} before it are missing (deleted)",
                seq - 1
            )
        } else {
            format!("expected entry {expected} here")
        }));
    }
    let record = record_from_row(row)?;
    let prev_mac: Vec<u8> = row.try_get("prev_mac")?;
    let mac: Vec<u8> = row.try_get("mac")?;
    let computed = chain_mac(
        key,
        &walk.last_mac,
        &Fields {
            seq,
            at: record.at,
            actor: &record.actor,
            action: &record.action,
            report_id: record.report_id.as_deref(),
            detail: &record.detail,
        },
    );
    if !same_mac(&mac, &computed) {
        return Err(broken(
            "mac does not match (edited or re-chained)".to_owned(),
        ));
    }
    if prev_mac != walk.last_mac {
        return Err(broken(
            "its link to the entry before it was edited".to_owned(),
        ));
    }
    if let Some(file) = file
        && file.seq == seq
        && file.mac != mac
    {
        return Err(VerifyError::HeadMismatch { seq });
    }
    walk.entries += 1;
    walk.last_seq = seq;
    walk.last_mac = mac;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> Secret32 {
        KeyRing::from_bytes([0; 32], [byte; 32]).derive(KEY_PURPOSE)
    }

    fn fields<'a>(actor: &'a str, action: &'a str, report_id: Option<&'a str>) -> Fields<'a> {
        Fields {
            seq: 1,
            at: 1_700_000_000,
            actor,
            action,
            report_id,
            detail: "",
        }
    }

    #[test]
    fn the_mac_encoding_is_unambiguous_and_keyed() {
        let k = key(1);
        let base = chain_mac(&k, &GENESIS_MAC, &fields("ab", "c", None));
        assert_ne!(base, chain_mac(&k, &GENESIS_MAC, &fields("a", "bc", None)));
        assert_ne!(
            base,
            chain_mac(&k, &GENESIS_MAC, &fields("ab", "c", Some("")))
        );
        assert_ne!(
            chain_mac(&k, &GENESIS_MAC, &fields("a", "b", Some("c"))),
            chain_mac(&k, &GENESIS_MAC, &fields("a", "b\0\0\0\0\0\0\0\x01c", None))
        );
        assert_ne!(base, chain_mac(&k, &[1; 32], &fields("ab", "c", None)));
        assert_ne!(
            base,
            chain_mac(&key(2), &GENESIS_MAC, &fields("ab", "c", None))
        );
        assert_eq!(base, chain_mac(&k, &GENESIS_MAC, &fields("ab", "c", None)));
        assert!(same_mac(&base, &base));
        assert!(!same_mac(&base[..31], &base));
    }

    #[test]
    fn the_head_file_is_private_atomic_and_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = head_path(dir.path());
        write_head_file(&path, 7, &[9; 32]).unwrap();
        write_head_file(&path, 8, &[10; 32]).unwrap();
        let text = fs::read_to_string(&path).unwrap();
        assert_eq!(
            parse_head_file(&text),
            Ok(HeadFile {
                seq: 8,
                mac: vec![10; 32]
            })
        );
        let mode = fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1, "no temp left");
        assert!(parse_head_file("tipline audit head v1\nseq 0\nmac 00\n").is_err());
        assert!(parse_head_file(&text.replace("seq 8", "seq x")).is_err());
        assert!(parse_head_file("").is_err());
    }

    #[test]
    fn entries_must_name_and_never_hold_content() {
        let ok = AuditEntry {
            actor: "u1",
            action: "report.view",
            report_id: Some("r1"),
            detail: "",
        };
        assert!(validate(&ok).is_ok());
        for bad in [
            AuditEntry { actor: "", ..ok },
            AuditEntry {
                action: "Report View",
                ..ok
            },
            AuditEntry {
                report_id: Some(""),
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
