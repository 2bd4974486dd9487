//! Indexing again what the index step set aside. A queued postings row that cannot be read is
//! set aside (see `store::search::index_queued`) so that indexing goes on for every other
//! report; the store holds no keys, so an app node derives such a report's postings again from
//! its sealed content and messages, as filing and each message did, and queues them anew.

use crate::followup::conversation;
use crate::intake::sealed::open_report;
use crate::intake::submit::texts_of_content;
use crate::seal::Sealer;
use crate::search::index::{TermIndex, Text};
use crate::store::search;
use crate::store::{Db, StoreError, reports};
use crate::types::ReportId;
use crate::types::postings::{Posting, merge_best};
use std::time::Duration;

/// Reports taken off the set-aside list per round.
const PER_ROUND: usize = 64;
/// How often an app node looks for set-aside reports.
const EVERY: Duration = Duration::from_secs(5);

/// A report's postings derived again from what is sealed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Derived {
    pub postings: Vec<Posting>,
    /// Messages whose sealed body could not be opened, left out.
    pub unreadable_messages: usize,
}

/// The postings of a stored report and its messages as filing and each message queued them:
/// the report's texts weighed together, each message on its own, each term at its best impact
/// (as the index step merges them). A message that cannot be opened is left out and counted.
/// `None` if the report is gone.
pub async fn postings_of(
    db: &Db,
    sealer: &Sealer,
    terms: &TermIndex,
    report_id: &ReportId,
) -> Result<Option<Derived>, StoreError> {
    let Some(stored) = reports::by_id(db, report_id).await? else {
        return Ok(None);
    };
    let content = open_report(sealer, &stored)?;
    let language = stored.triage.language.as_str();
    let mut postings = terms.postings(&texts_of_content(&content, language));
    let mut unreadable_messages = 0;
    for m in conversation::read(db, sealer, report_id).await? {
        if m.readable {
            postings.extend(terms.postings(&[Text {
                text: &m.body,
                language,
            }]));
        } else {
            unreadable_messages += 1;
        }
    }
    let postings = merge_best(postings);
    Ok(Some(Derived {
        postings,
        unreadable_messages,
    }))
}

/// What one round did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Round {
    /// Reports whose sealed content could not be opened: they stay set aside.
    pub unreadable: usize,
    /// Messages left out because they could not be opened.
    pub unreadable_messages: usize,
    /// The last report looked at; the next round goes on after it (empty: from the start).
    pub last: String,
}

/// Derives the postings of up to [`PER_ROUND`] set-aside reports after `after` again and queues
/// them. A report that cannot be opened (its sealed content is damaged too) stays set aside,
/// and the others go on.
pub async fn requeue_set_aside(
    db: &Db,
    sealer: &Sealer,
    terms: &TermIndex,
    after: &str,
) -> Result<Round, StoreError> {
    let mut round = Round::default();
    let taken = search::set_aside_reports(db, after, PER_ROUND).await?;
    let full = taken.len() == PER_ROUND;
    for report in &taken {
        match postings_of(db, sealer, terms, &report.report_id).await {
            Ok(derived) => {
                // Gone since: its set-aside row went with it.
                let derived = derived.unwrap_or_default();
                round.unreadable_messages += derived.unreadable_messages;
                // Set aside again meanwhile: the next round derives it again.
                search::requeue_set_aside(db, report, &derived.postings).await?;
            }
            // Unreadable content stays set aside; a database failure ends the round.
            Err(StoreError::Seal(_) | StoreError::Corrupt) => round.unreadable += 1,
            Err(e) => return Err(e),
        }
    }
    if full {
        round.last = taken
            .last()
            .map(|r| r.report_id.to_string())
            .unwrap_or_default();
    }
    Ok(round)
}

/// Runs [`requeue_set_aside`] every few seconds until the database is closed (the server
/// stopped). Warns when reports or messages could not be opened, once for as long as the
/// figures stay the same.
pub async fn keep(db: Db, sealer: std::sync::Arc<Sealer>, terms: TermIndex) {
    let mut tick = tokio::time::interval(EVERY);
    let mut after = String::new();
    let mut told = (0, 0);
    loop {
        tick.tick().await;
        if db.pool().is_closed() {
            return;
        }
        match requeue_set_aside(&db, &sealer, &terms, &after).await {
            Ok(round) => {
                let failed = (round.unreadable, round.unreadable_messages);
                if failed != (0, 0) && failed != told {
                    tracing::warn!(
                        reports = round.unreadable,
                        messages = round.unreadable_messages,
                        "set-aside reports or messages of them could not be opened to index them again; those reports stay set aside, those messages unsearchable: restore them from a backup"
                    );
                }
                told = failed;
                after = round.last;
            }
            Err(e) => {
                tracing::warn!(error = %e, "indexing set-aside reports again failed; retried later");
            }
        }
    }
}
