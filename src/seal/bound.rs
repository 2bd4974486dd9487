//! The associated data of values that belong to a report and have an author: conversation
//! messages, internal notes and saved assessments. Version 2 binds each to its report, its
//! author and its own id, so a database writer who moves a row to another report (or gives it
//! another author) makes it fail to open. Version 1 (bound to the own id only) is what values
//! written before it carry, until the re-sealing pass at start-up seals them again.

use super::envelope::Aad;
use crate::types::{ReportId, UserId};

/// Who wrote a conversation message, as bound into its associated data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writer<'a> {
    Reporter,
    Staff(&'a UserId),
}

impl Writer<'_> {
    fn id(self) -> String {
        match self {
            Self::Reporter => "reporter".to_owned(),
            Self::Staff(id) => format!("staff:{id}"),
        }
    }
}

/// A conversation message's body.
pub fn message(report_id: &ReportId, writer: Writer<'_>, message_id: &str) -> Aad {
    Aad::bound(
        "messages",
        report_id.as_str(),
        &writer.id(),
        message_id,
        "body",
    )
}

/// An internal note's body.
pub fn note(report_id: &ReportId, author_id: &UserId, note_id: &str) -> Aad {
    Aad::bound(
        "report_notes",
        report_id.as_str(),
        author_id.as_str(),
        note_id,
        "body",
    )
}

/// A saved assessment's sealed detail; the person it is about is part of its own id.
pub fn assessment(
    report_id: &ReportId,
    author_id: &UserId,
    assessment_id: &str,
    person: i64,
) -> Aad {
    Aad::bound(
        "assessments",
        report_id.as_str(),
        author_id.as_str(),
        &format!("{assessment_id}/person-{person}"),
        "detail",
    )
}

/// Version 1 forms, read only by the re-sealing pass.
pub mod legacy {
    use super::Aad;

    pub fn message(message_id: &str) -> Aad {
        Aad::field("messages", message_id, "body")
    }

    pub fn note(note_id: &str) -> Aad {
        Aad::field("report_notes", note_id, "body")
    }

    pub fn assessment(assessment_id: &str) -> Aad {
        Aad::field("assessments", assessment_id, "detail")
    }
}
