//! The conversation between a reporter and the hotline: messages sealed like the report, files
//! cleaned and sealed like the first ones, and the status told to the reporter in plain words
//! (never the internal reason).

use crate::intake::attachments::CleanAttachment;
use crate::intake::submit::seal_attachments;
use crate::link::identifiers::{Sources, extract};
use crate::link::index::BlindIndex;
use crate::seal::Sealer;
use crate::seal::bound::{self, Writer};
use crate::store::followup::{self as repo, FROM_STAFF};
use crate::store::links::IdentifierRow;
use crate::store::reports::NewAttachment;
use crate::store::{Db, StoreError};
use crate::types::{ReportId, Status, UserId};
use std::sync::Arc;

/// Longest message, in characters.
pub const MAX_MESSAGE: usize = 10_000;

/// Who wrote a message: the reporter, or the staff member `staff_id`.
fn writer(staff_id: Option<&UserId>) -> Writer<'_> {
    staff_id.map_or(Writer::Reporter, Writer::Staff)
}

/// The status as the reporter sees it: plain words, never the internal reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReporterStatus {
    Received,
    BeingLookedAt,
    PassedToAuthorities,
    Closed,
}

impl ReporterStatus {
    /// `in_hand`: someone at the hotline has taken the case or written to the reporter, so a
    /// new case is already being looked at from the reporter's point of view.
    pub fn from_status(status: &str, in_hand: bool) -> Self {
        match Status::parse(status) {
            Some(Status::New) | None if in_hand => Self::BeingLookedAt,
            Some(Status::New) | None => Self::Received,
            Some(Status::Acknowledged | Status::InAssessment) => Self::BeingLookedAt,
            Some(Status::Forwarded) => Self::PassedToAuthorities,
            Some(Status::Closed) => Self::Closed,
        }
    }

    /// Stable id for the API.
    pub fn id(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::BeingLookedAt => "being_looked_at",
            Self::PassedToAuthorities => "passed_to_authorities",
            Self::Closed => "closed",
        }
    }

    /// The Fluent key of the plain words.
    pub fn key(self) -> &'static str {
        match self {
            Self::Received => "followup-status-received",
            Self::BeingLookedAt => "followup-status-looking",
            Self::PassedToAuthorities => "followup-status-forwarded",
            Self::Closed => "followup-status-closed",
        }
    }
}

/// One message, opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub id: String,
    /// True when the hotline wrote it.
    pub from_hotline: bool,
    /// The staff member who wrote it (shown to staff only).
    pub staff_name: Option<String>,
    pub at: i64,
    pub body: String,
    /// False when the sealed body could not be opened (damaged at rest); the body is empty.
    pub readable: bool,
}

/// A message to post: who wrote it, the text, cleaned files, and the identifiers it brings.
pub struct Outgoing<'a> {
    pub report_id: &'a ReportId,
    /// `None` for the reporter.
    pub staff_id: Option<&'a UserId>,
    pub body: &'a str,
    /// Its files, cleaned. Given up to sealing, which lets go of them where it runs.
    pub files: Vec<CleanAttachment>,
    pub identifiers: &'a [IdentifierRow],
    /// Its words for search.
    pub postings: &'a [crate::types::postings::Posting],
}

/// A message sealed and ready to store: its id, its sealed body and its sealed files.
struct SealedMessage {
    id: String,
    body: Vec<u8>,
    attachments: Vec<NewAttachment>,
}

impl SealedMessage {
    /// Seals the message `body` of `staff_id` (none: the reporter) on `report_id`, with its
    /// `files` numbered from `first` (the next free attachment position).
    fn seal(
        sealer: &Sealer,
        report_id: &ReportId,
        staff_id: Option<&UserId>,
        body: &str,
        files: &[CleanAttachment],
        first: i64,
    ) -> Self {
        let id = uuid::Uuid::now_v7().to_string();
        let aad = bound::message(report_id, writer(staff_id), &id);
        let body = sealer.seal(&aad, body.as_bytes());
        let attachments = seal_attachments(sealer, report_id, files, first);
        Self {
            id,
            body,
            attachments,
        }
    }

    /// Seals `message` as [`Self::seal`] does. A message with files (up to five 10 MiB ones)
    /// is sealed, and its files let go of, on a blocking thread rather than on the async
    /// workers that serve everyone else, as intake does with a report's; one without stays
    /// where it is.
    async fn seal_off_workers(
        sealer: &Arc<Sealer>,
        message: &mut Outgoing<'_>,
        first: i64,
    ) -> Result<Self, StoreError> {
        if message.files.is_empty() {
            return Ok(Self::seal(
                sealer,
                message.report_id,
                message.staff_id,
                message.body,
                &[],
                first,
            ));
        }
        let files = std::mem::take(&mut message.files);
        let sealer = Arc::clone(sealer);
        let report_id = message.report_id.clone();
        let staff_id = message.staff_id.cloned();
        let body = message.body.to_owned();
        let sealed = tokio::task::spawn_blocking(move || {
            Self::seal(&sealer, &report_id, staff_id.as_ref(), &body, &files, first)
        })
        .await;
        match sealed {
            Ok(sealed) => Ok(sealed),
            Err(e) => match e.try_into_panic() {
                Ok(panic) => std::panic::resume_unwind(panic),
                // Cancelled: the runtime is shutting down; nothing was stored.
                Err(_) => Err(StoreError::WriterGone),
            },
        }
    }

    fn row<'a>(&'a self, message: &Outgoing<'a>) -> repo::NewMessage<'a> {
        repo::NewMessage {
            id: &self.id,
            report_id: message.report_id,
            staff_id: message.staff_id,
            body: &self.body,
            attachments: &self.attachments,
            identifiers: message.identifiers,
            postings: message.postings,
        }
    }
}

/// Seals and stores a message (and its files: see [`SealedMessage::seal_off_workers`]).
pub async fn post(
    db: &Db,
    sealer: &Arc<Sealer>,
    mut message: Outgoing<'_>,
    now: i64,
) -> Result<String, StoreError> {
    let first = if message.files.is_empty() {
        0
    } else {
        repo::next_attachment_position(db, message.report_id).await?
    };
    let sealed = SealedMessage::seal_off_workers(sealer, &mut message, first).await?;
    repo::add_message(db, &sealed.row(&message), now).await?;
    Ok(sealed.id)
}

/// [`post`] inside `tx` (a staff member's message, committed with its audit entry). The back
/// office writes text only, so the message is sealed where it is, holding the transaction no
/// longer than a blocking thread's hand-over would.
pub async fn post_in(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    sealer: &Sealer,
    message: Outgoing<'_>,
    now: i64,
) -> Result<String, StoreError> {
    let first = if message.files.is_empty() {
        0
    } else {
        repo::next_attachment_position_in(tx, message.report_id).await?
    };
    let sealed = SealedMessage::seal(
        sealer,
        message.report_id,
        message.staff_id,
        message.body,
        &message.files,
        first,
    );
    repo::add_message_in(tx, &sealed.row(&message), now).await?;
    Ok(sealed.id)
}

/// Opens stored messages, oldest first as given. A message that cannot be opened (damaged at
/// rest) keeps its place with an empty body and `readable` false.
pub fn open_messages(sealer: &Sealer, rows: Vec<repo::MessageRow>) -> Vec<Message> {
    rows.into_iter()
        .map(|m| {
            // Bound to the report and the writer: a message moved to another report, or given
            // another writer, in the database does not open.
            let aad = bound::message(&m.report_id, writer(m.staff_id.as_ref()), &m.id);
            let body = sealer.open(&aad, &m.body).ok();
            Message {
                from_hotline: m.author == FROM_STAFF,
                staff_name: m.staff_name,
                at: m.created_at,
                readable: body.is_some(),
                body: body
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
                    .unwrap_or_default(),
                id: m.id,
            }
        })
        .collect()
}

/// The identifiers a reporter's message brings (phone numbers, addresses, links…), ready to
/// store behind the blind index so that new information links reports too.
pub fn identifiers_in(
    index: &BlindIndex,
    sealer: &Sealer,
    report_id: &ReportId,
    text: &str,
    country: Option<&str>,
) -> Vec<IdentifierRow> {
    let found = extract(&Sources {
        phones: &[],
        emails: &[],
        websites: &[],
        handles: &[],
        plates: &[],
        venue: "",
        city: "",
        free_texts: &[text],
        country,
    });
    index.rows(sealer, report_id, &found)
}

/// The conversation of a report, oldest first, opened. A message that cannot be opened (damaged
/// at rest) keeps its place with an empty body and `readable` false, so that one damaged row
/// does not hide the others.
pub async fn read(
    db: &Db,
    sealer: &Sealer,
    report_id: &ReportId,
) -> Result<Vec<Message>, StoreError> {
    Ok(open_messages(sealer, repo::messages(db, report_id).await?))
}
