//! The re-sealing pass (issue 15): values written before envelope version 2 are sealed again,
//! bound to their report and author; each report gets its sealed manifest; what triage does not
//! need leaves the clear columns for sealed ones. It runs at start-up, before anything is
//! served, in batches in id order; each batch and how far the pass has come are committed
//! together, so a pass stopped half-way continues where it stopped, and a finished kind is
//! never read again. Only this pass opens version-1 values of these kinds: everywhere else a
//! version-1 message, note or assessment reads as damaged. A value that cannot be opened is
//! left as it is (it reads as damaged either way). No content or id is logged.

use crate::intake::sealed::{Profile, seal_manifest, seal_profile, seal_reasons};
use crate::seal::Sealer;
use crate::seal::bound::{self, Writer, legacy};
use crate::seal::envelope::{V1, version_of};
use crate::store::reports::SEALED_COLUMNS;
use crate::store::reseal::{self as repo, Resealed};
use crate::store::{Db, StoreError};

/// Rows per batch (one transaction each).
pub const BATCH: i64 = 500;

/// The kinds of rows, in the order the pass takes them.
pub const KINDS: [&str; 4] = ["messages", "notes", "assessments", "reports"];

/// Runs the pass to its end.
pub async fn run(db: &Db, sealer: &Sealer) -> Result<(), StoreError> {
    run_batches(db, sealer, BATCH, u64::MAX).await.map(|_| ())
}

/// Runs at most `max_batches` batches of `batch` rows; returns true when every kind is done.
pub async fn run_batches(
    db: &Db,
    sealer: &Sealer,
    batch: i64,
    max_batches: u64,
) -> Result<bool, StoreError> {
    let mut batches = 0u64;
    let mut resealed = 0usize;
    for kind in KINDS {
        let mut progress = repo::progress(db, kind).await?;
        while !progress.done {
            if batches >= max_batches {
                return Ok(false);
            }
            let (rows, last) = next_batch(db, sealer, kind, &progress.last_id, batch).await?;
            let done = last.is_none();
            let last_id = last.unwrap_or_else(|| progress.last_id.clone());
            resealed += rows.len();
            repo::write_batch(db, kind, &rows, &last_id, done).await?;
            progress = repo::Progress { last_id, done };
            batches += 1;
        }
    }
    if resealed > 0 {
        tracing::warn!(
            values = resealed,
            "sealed again the values written before their report binding"
        );
    }
    Ok(true)
}

/// The rows of one batch that need sealing again, and the last id read (`None` when there was
/// nothing left to read).
async fn next_batch(
    db: &Db,
    sealer: &Sealer,
    kind: &str,
    after: &str,
    limit: i64,
) -> Result<(Vec<Resealed>, Option<String>), StoreError> {
    let legacy_value = |blob: &[u8]| version_of(blob) == Some(V1);
    Ok(match kind {
        "messages" => {
            let rows = repo::messages_after(db, after, limit).await?;
            let last = rows.last().map(|r| r.id.clone());
            let out = rows
                .into_iter()
                .filter(|m| legacy_value(&m.body))
                .filter_map(|m| {
                    let plain = sealer.open(&legacy::message(&m.id), &m.body).ok()?;
                    let writer = match &m.staff_id {
                        Some(staff) => Writer::Staff(staff),
                        None => Writer::Reporter,
                    };
                    let body = sealer.seal(&bound::message(&m.report_id, writer, &m.id), &plain);
                    Some(Resealed::Message { id: m.id, body })
                })
                .collect();
            (out, last)
        }
        "notes" => {
            let rows = repo::notes_after(db, after, limit).await?;
            let last = rows.last().map(|r| r.id.clone());
            let out = rows
                .into_iter()
                .filter(|n| legacy_value(&n.body))
                .filter_map(|n| {
                    let plain = sealer.open(&legacy::note(&n.id), &n.body).ok()?;
                    let aad = bound::note(&n.report_id, &n.author_id, &n.id);
                    Some(Resealed::Note {
                        body: sealer.seal(&aad, &plain),
                        id: n.id,
                    })
                })
                .collect();
            (out, last)
        }
        "assessments" => {
            let rows = repo::assessments_after(db, after, limit).await?;
            let last = rows.last().map(|r| r.id.clone());
            let out = rows
                .into_iter()
                .filter(|a| legacy_value(&a.detail))
                .filter_map(|a| {
                    let plain = sealer.open(&legacy::assessment(&a.id), &a.detail).ok()?;
                    let mut detail: serde_json::Value = serde_json::from_slice(&plain).ok()?;
                    let fields = detail.as_object_mut()?;
                    fields.insert("presumed".into(), a.presumed.into());
                    fields.insert("trafficking_status".into(), a.trafficking_status.into());
                    let json = zeroize::Zeroizing::new(serde_json::to_vec(&detail).ok()?);
                    let aad = bound::assessment(&a.report_id, &a.created_by, &a.id, a.person);
                    Some(Resealed::Assessment {
                        detail: sealer.seal(&aad, &json),
                        id: a.id,
                    })
                })
                .collect();
            (out, last)
        }
        _ => {
            let rows = repo::reports_after(db, after, limit).await?;
            let last = rows.last().map(|r| r.stored.id.to_string());
            let out = rows
                .into_iter()
                .filter(|r| r.stored.manifest.is_none())
                .map(|r| {
                    let id = r.stored.id;
                    let profile = seal_profile(
                        sealer,
                        &id,
                        &Profile {
                            incident_month: r.incident_month,
                            age_groups: split(&r.age_groups),
                        },
                    );
                    let reasons = split(&r.urgency_reasons);
                    let reasons: Vec<&str> = reasons.iter().map(String::as_str).collect();
                    let urgency_why = seal_reasons(sealer, &id, &reasons);
                    // The groups present now, and the two this pass adds.
                    let groups: Vec<Option<Vec<u8>>> = SEALED_COLUMNS
                        .iter()
                        .map(|column| match *column {
                            "profile" | "urgency_why" => Some(Vec::new()),
                            _ => r
                                .stored
                                .sealed
                                .iter()
                                .find(|(c, _)| c == column)
                                .and_then(|(_, g)| g.as_ref().map(|_| Vec::new())),
                        })
                        .collect();
                    Resealed::Report {
                        manifest: seal_manifest(sealer, &id, &groups),
                        profile,
                        urgency_why,
                        id,
                    }
                })
                .collect();
            (out, last)
        }
    })
}

fn split(list: &str) -> Vec<String> {
    list.split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}
