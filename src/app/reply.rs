//! Writing to the reporter: the staff member's message is sealed, made searchable and stored
//! with its audit entry (`message.send`) in one transaction; then, if the reporter asked for it,
//! the content-free e-mail notice is sent — never the content, never the receipt.

use super::cases::case_for;
use super::{App, CaseError, commit};
use crate::followup::conversation::{self, MAX_MESSAGE, Outgoing};
use crate::intake::sealed::open_report;
use crate::search::index::Text;
use crate::staff::audit_action::AuditAction;
use crate::staff::policy::{Action, Actor};
use crate::store::{followup, reports};
use crate::types::ReportId;

/// The notice as the reporter reads it, in their language.
#[derive(Debug, Clone)]
pub struct NoticeText {
    pub subject: String,
    pub body: String,
}

/// Writes `body` to the reporter of case `id`. A blank message, or one longer than
/// [`MAX_MESSAGE`] characters, is not kept (and not audited). `notice` gives the notice's text
/// in the reporter's language (a code such as `fr`), when one is to be sent.
pub async fn reply(
    app: &App<'_>,
    actor: &Actor,
    id: &ReportId,
    body: &str,
    notice: impl FnOnce(&'static str) -> NoticeText,
) -> Result<(), CaseError> {
    let case = case_for(app, actor, id, Action::MessageReporter).await?;
    let body = body.trim();
    if body.is_empty() || body.chars().count() > MAX_MESSAGE {
        return Ok(());
    }
    let postings = app.terms.postings(&[Text {
        text: body,
        language: &case.triage.language,
    }]);
    let mut tx = app.begin().await?;
    conversation::post_in(
        tx.transaction(),
        app.sealer,
        Outgoing {
            report_id: &case.id,
            staff_id: Some(&actor.user_id),
            body,
            files: Vec::new(),
            identifiers: &[],
            postings: &postings,
        },
        app.now(),
    )
    .await?;
    app.record(
        &mut tx,
        &actor.user_id,
        AuditAction::MessageSend,
        Some(&case.id),
        "",
    )
    .await?;
    commit(tx).await?;
    send_notice(app, &case.id, &case.triage.language, notice).await;
    Ok(())
}

/// Tells a reporter who asked for it that there is a new message. The message is kept whatever
/// happens here: failures are logged, without the address.
async fn send_notice(
    app: &App<'_>,
    report_id: &ReportId,
    language: &str,
    text: impl FnOnce(&'static str) -> NoticeText,
) {
    let Some(notifier) = app.notifier.cloned() else {
        return;
    };
    let wanted = followup::flags(app.db, report_id)
        .await
        .map(|f| f.1)
        .unwrap_or(false);
    if !wanted {
        return;
    }
    let email = reports::by_id(app.db, report_id)
        .await
        .ok()
        .flatten()
        .and_then(|stored| open_report(app.sealer, &stored).ok())
        .and_then(|content| content.contact)
        .map(|c| c.email)
        .filter(|e| !e.is_empty());
    let Some(email) = email else { return };
    let NoticeText { subject, body } = text(crate::types::language_or_default(language));
    tokio::spawn(async move {
        if let Err(e) = notifier.send(&email, &subject, &body).await {
            tracing::error!(error = %e, "the e-mail notice of a new message was not sent");
        }
    });
}
