//! Indexing again what the index step set aside. A queued postings row that cannot be read is
//! set aside (see `store::search::index_queued`) so that indexing goes on for every other
//! report; the store holds no keys, so an app node derives such a report's postings again from
//! its sealed content and messages, exactly as filing and answering did, and queues them anew.

use super::index::{Posting, TermIndex, Text};
use crate::followup::conversation;
use crate::intake::sealed::open_report;
use crate::intake::submit::texts_of_content;
use crate::seal::Sealer;
use crate::store::{Db, StoreError, reports, search};
use std::time::Duration;

/// Reports taken off the set-aside list per round.
const PER_ROUND: usize = 64;
/// How often an app node looks for set-aside reports.
const EVERY: Duration = Duration::from_secs(5);

/// The postings of a stored report and its messages, as filing and each message queued them
/// (one list: a term counts once, at its weight over all the texts). `None` if the report is
/// gone.
pub async fn postings_of(
    db: &Db,
    sealer: &Sealer,
    terms: &TermIndex,
    report_id: &str,
) -> Result<Option<Vec<Posting>>, StoreError> {
    let Some(stored) = reports::by_id(db, report_id).await? else {
        return Ok(None);
    };
    let content = open_report(sealer, &stored)?;
    let messages = conversation::read(db, sealer, report_id).await?;
    let language = stored.triage.language.as_str();
    let mut texts = texts_of_content(&content, language);
    texts.extend(messages.iter().map(|m| Text {
        text: &m.body,
        language,
    }));
    Ok(Some(terms.postings(&texts)))
}

/// Derives the postings of set-aside reports again and queues them; returns how many were
/// queued. A report that cannot be opened (its sealed content is damaged too) stays set aside,
/// and the others go on.
pub async fn requeue_set_aside(
    db: &Db,
    sealer: &Sealer,
    terms: &TermIndex,
) -> Result<usize, StoreError> {
    let mut queued = 0;
    let mut failed = 0;
    for id in search::set_aside_reports(db, PER_ROUND).await? {
        match postings_of(db, sealer, terms, &id).await {
            Ok(postings) => {
                search::requeue_set_aside(db, &id, &postings.unwrap_or_default()).await?;
                queued += 1;
            }
            // Unreadable content stays set aside; a database failure ends the round.
            Err(StoreError::Seal(_) | StoreError::Corrupt) => failed += 1,
            Err(e) => return Err(e),
        }
    }
    if failed > 0 {
        tracing::warn!(
            reports = failed,
            "set-aside reports could not be opened to index them again; they stay set aside"
        );
    }
    Ok(queued)
}

/// Runs [`requeue_set_aside`] every few seconds, for as long as the server runs.
pub async fn keep(db: Db, sealer: std::sync::Arc<Sealer>, terms: TermIndex) {
    let mut tick = tokio::time::interval(EVERY);
    loop {
        tick.tick().await;
        if let Err(e) = requeue_set_aside(&db, &sealer, &terms).await {
            tracing::warn!(error = %e, "indexing set-aside reports again failed; retried later");
        }
    }
}
