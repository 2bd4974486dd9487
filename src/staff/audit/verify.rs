//! `tipline audit verify`: walks the whole chain as stored and checks it against the head row
//! and the head file, naming the first broken entry.

use super::chain::{Fields, GENESIS_MAC, chain_mac, same_mac};
use super::head_file::{HeadFile, parse_head_file};
use crate::seal::keys::Secret32;
use crate::store::audit::{self as repo, ChainedRow, Head};
use crate::store::{Db, StoreError};
use crate::types::ReportId;
use std::path::{Path, PathBuf};

/// Rows read per query by [`verify`].
const VERIFY_PAGE: i64 = 1000;

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

impl From<StoreError> for VerifyError {
    fn from(e: StoreError) -> Self {
        match e {
            // The driver's own words, as before the SQL moved to the store.
            StoreError::Query(e) => Self::Store(e.to_string()),
            e => Self::Store(e.to_string()),
        }
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
        let Some(Head {
            seq: head_seq,
            mac: head_mac,
        }) = repo::head(db).await?
        else {
            return Err(VerifyError::DbHeadMismatch {
                head_seq: 0,
                last_seq: walk.last_seq,
            });
        };
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
        let rows = repo::after(db, walk.last_seq, VERIFY_PAGE).await?;
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
    row: &ChainedRow,
) -> Result<(), VerifyError> {
    let seq = row.entry.seq;
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
    let record = &row.entry;
    let (prev_mac, mac) = (&row.prev_mac, &row.mac);
    let computed = chain_mac(
        key,
        &walk.last_mac,
        &Fields {
            seq,
            at: record.at,
            actor: &record.actor,
            action: &record.action,
            report_id: record.report_id.as_ref().map(ReportId::as_str),
            detail: &record.detail,
        },
    );
    if !same_mac(mac, &computed) {
        return Err(broken(
            "mac does not match (edited or re-chained)".to_owned(),
        ));
    }
    if *prev_mac != walk.last_mac {
        return Err(broken(
            "its link to the entry before it was edited".to_owned(),
        ));
    }
    if let Some(file) = file
        && file.seq == seq
        && file.mac != *mac
    {
        return Err(VerifyError::HeadMismatch { seq });
    }
    walk.entries += 1;
    walk.last_seq = seq;
    walk.last_mac = mac.clone();
    Ok(())
}
