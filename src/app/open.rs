//! Opening a case: the policy checked for the acting user, the view audited before anything is
//! unsealed (and the marks of new activity and new related reports cleared in the same
//! transaction), then the report, its notes, files, conversation, assessments, related reports
//! and links gathered, as far as the actor may see them. Also downloading an attachment, and
//! the warning signs the assessment form opens, each audited first.

use super::cases::{case_for, may_be_assigned};
use super::{App, CaseError, commit};
use crate::assess::saved::{self, Detail};
use crate::followup::conversation::{self, Message};
use crate::intake::attachments::AttachmentKind;
use crate::intake::sealed::{OpenedParts, attachment_aad, open_report, open_report_parts};
use crate::link::index::{self, Shown};
use crate::staff::audit_action::AuditAction;
use crate::staff::policy::{Action, Actor, ReportAccess, can_see};
use crate::store::assessments::{self, AssessmentRow};
use crate::store::cases::{self, CaseRow, NoteRow};
use crate::store::links::{self, ManualLink};
use crate::store::staff::{self as staff_repo, UserRow};
use crate::store::{StoreError, followup, reports};
use crate::types::{ReportId, Visibility};
use std::cmp::Reverse;
use std::collections::{BTreeMap, HashMap};

/// A case as its view shows it.
pub struct OpenedCase {
    pub case: CaseRow,
    /// The report, each sealed group opened on its own.
    pub report: OpenedParts,
    pub notes: Vec<OpenedNote>,
    pub files: Vec<FileInfo>,
    /// The accounts the case may be given to.
    pub assignable: Vec<UserRow>,
    pub messages: Vec<Message>,
    /// Newest first.
    pub assessments: Vec<OpenedAssessment>,
    pub related: Related,
    /// Links made by hand to reports the actor may see.
    pub manual: Vec<(ManualLink, CaseRow)>,
}

/// An internal note; `body` is `None` when it cannot be opened (damaged, or moved here).
pub struct OpenedNote {
    pub row: NoteRow,
    pub body: Option<String>,
}

/// What the case view lists of an attachment.
pub struct FileInfo {
    pub id: String,
    /// From 1.
    pub number: i64,
    /// The kind as stored (`jpeg`, `pdf`…), empty when its metadata cannot be opened.
    pub kind: String,
    pub size: u64,
}

/// A saved assessment; `detail` is `None` when it cannot be opened.
pub struct OpenedAssessment {
    pub row: AssessmentRow,
    pub detail: Option<Detail>,
}

/// The case view's related reports: the most recently filed holders of each identifier, each
/// listed once with everything it shares (newest first), and the identifiers held by more
/// reports than listed.
#[derive(Default)]
pub struct Related {
    pub reports: Vec<RelatedReport>,
    pub crowded: Vec<Crowded>,
}

/// Another report sharing identifiers with this one.
pub struct RelatedReport {
    pub case: CaseRow,
    /// What it shares, shown from this report's own sealed copy (`None`: that copy cannot be
    /// opened).
    pub shared: Vec<Option<Shown>>,
}

/// An identifier held by more reports than are listed.
pub struct Crowded {
    pub identifier: Option<Shown>,
    /// Other reports holding it, counted up to [`crate::link::RELATED_COUNTED`].
    pub count: usize,
    /// More than `count` hold it.
    pub more: bool,
    pub listed: usize,
}

/// Opens a case for `actor`: refused unless they may open the report; audited (`report.view`)
/// before anything is unsealed, nothing shown when the trail cannot record.
pub async fn open_case(
    app: &App<'_>,
    actor: &Actor,
    id: &ReportId,
) -> Result<OpenedCase, CaseError> {
    let case = case_for(app, actor, id, Action::OpenReport).await?;
    let mut tx = app.begin().await?;
    app.record(
        &mut tx,
        &actor.user_id,
        AuditAction::ReportView,
        Some(&case.id),
        "",
    )
    .await?;
    if case.new_activity {
        followup::clear_new_activity_in(tx.conn(), &case.id).await?;
    }
    if case.new_link {
        links::clear_new_link_in(tx.conn(), &case.id).await?;
    }
    commit(tx).await?;

    let stored = reports::by_id(app.db, &case.id)
        .await?
        .ok_or(StoreError::Corrupt)?;
    let report = open_report_parts(app.sealer, &stored);
    let notes = cases::notes(app.db, &case.id)
        .await?
        .into_iter()
        .map(|row| {
            // Bound to the report and the author: a note moved to another report in the
            // database does not open there.
            let body = app
                .sealer
                .open(
                    &crate::seal::bound::note(&row.report_id, &row.author_id, &row.id),
                    &row.body,
                )
                .ok()
                .map(|b| String::from_utf8_lossy(&b).into_owned());
            OpenedNote { row, body }
        })
        .collect();
    let files = reports::attachment_metas(app.db, &case.id)
        .await?
        .into_iter()
        .map(|f| {
            let meta: serde_json::Value = app
                .sealer
                .open(&attachment_aad(&case.id, &f.id, "meta"), &f.meta)
                .ok()
                .and_then(|m| serde_json::from_slice(&m).ok())
                .unwrap_or_default();
            FileInfo {
                number: f.position + 1,
                kind: meta["kind"].as_str().unwrap_or("").to_owned(),
                size: meta["size"].as_u64().unwrap_or(0),
                id: f.id,
            }
        })
        .collect();
    let assignable = staff_repo::list_users(app.db)
        .await?
        .into_iter()
        .filter(may_be_assigned)
        .collect();
    let messages = conversation::read(app.db, app.sealer, &case.id).await?;
    let assessments = assessment_history(app, &case.id).await?;
    let related = related_reports(app, actor, &case.id).await?;
    let manual = manual_links(app, actor, &case.id).await?;
    Ok(OpenedCase {
        case,
        report,
        notes,
        files,
        assignable,
        messages,
        assessments,
        related,
        manual,
    })
}

/// The saved assessments of a report, newest first, opened.
pub async fn assessment_history(
    app: &App<'_>,
    report_id: &ReportId,
) -> Result<Vec<OpenedAssessment>, StoreError> {
    Ok(assessments::of_report(app.db, report_id)
        .await?
        .into_iter()
        .rev()
        .map(|row| OpenedAssessment {
            detail: saved::open(app.sealer, &row),
            row,
        })
        .collect())
}

/// The other reports sharing an identifier with this one, as far as `actor` may see them: for
/// each identifier, the [`crate::link::RELATED_LISTED`] most recently filed, with the identifiers
/// they share; and, for an identifier held by more, how many (up to
/// [`crate::link::RELATED_COUNTED`]). Their cases are read in one query.
async fn related_reports(
    app: &App<'_>,
    actor: &Actor,
    report_id: &ReportId,
) -> Result<Related, StoreError> {
    let own = links::of_report(app.db, report_id).await?;
    let holders = links::holders(
        app.db,
        report_id,
        &own,
        &Visibility::of(actor),
        crate::link::RELATED_LISTED,
        crate::link::RELATED_COUNTED,
    )
    .await?;
    let shown: Vec<Option<Shown>> = own
        .iter()
        .map(|row| index::open(app.sealer, report_id, row))
        .collect();
    // Each listed report with what it shares, newest first.
    let mut shares: BTreeMap<Reverse<&ReportId>, Vec<Option<Shown>>> = BTreeMap::new();
    let mut crowded = Vec::new();
    for (h, identifier) in holders.iter().zip(&shown) {
        for other in &h.latest {
            shares
                .entry(Reverse(other))
                .or_default()
                .push(identifier.clone());
        }
        if h.more || h.count > h.latest.len() {
            crowded.push(Crowded {
                identifier: identifier.clone(),
                count: h.count,
                more: h.more,
                listed: h.latest.len(),
            });
        }
    }
    let ids: Vec<ReportId> = shares.keys().map(|k| k.0.clone()).collect();
    let mut found: HashMap<ReportId, CaseRow> = cases::get_many(app.db, &ids)
        .await?
        .into_iter()
        .map(|c| (c.id.clone(), c))
        .collect();
    let mut reports = Vec::new();
    for (other, shared) in shares {
        let Some(case) = found.remove(other.0) else {
            continue;
        };
        if !can_see(actor, &ReportAccess::of(&case)) {
            continue;
        }
        reports.push(RelatedReport { case, shared });
    }
    Ok(Related { reports, crowded })
}

/// Links made by hand, as far as `actor` may see the other reports (read in one query).
async fn manual_links(
    app: &App<'_>,
    actor: &Actor,
    report_id: &ReportId,
) -> Result<Vec<(ManualLink, CaseRow)>, StoreError> {
    let made = links::manual(app.db, report_id).await?;
    let ids: Vec<ReportId> = made.iter().map(|l| l.other_id.clone()).collect();
    let found: HashMap<ReportId, CaseRow> = cases::get_many(app.db, &ids)
        .await?
        .into_iter()
        .map(|c| (c.id.clone(), c))
        .collect();
    Ok(made
        .into_iter()
        .filter_map(|link| {
            let other = found.get(&link.other_id)?;
            can_see(actor, &ReportAccess::of(other)).then(|| (link.clone(), other.clone()))
        })
        .collect())
}

/// An attachment to download, opened.
pub struct Download {
    /// From 1.
    pub number: i64,
    /// `None` when its metadata cannot be opened.
    pub kind: Option<AttachmentKind>,
    pub content: Vec<u8>,
}

/// Opens one attachment of a case for `actor`, audited (`attachment.download`) before it is
/// handed over. An attachment the report does not have is [`CaseError::NotFound`].
pub async fn download(
    app: &App<'_>,
    actor: &Actor,
    id: &ReportId,
    attachment_id: &str,
) -> Result<Download, CaseError> {
    let case = case_for(app, actor, id, Action::DownloadAttachment).await?;
    let file = reports::attachment(app.db, &case.id, attachment_id)
        .await?
        .ok_or(CaseError::NotFound)?;
    let kind = app
        .sealer
        .open(&attachment_aad(&case.id, &file.id, "meta"), &file.meta)
        .ok()
        .and_then(|m| serde_json::from_slice::<serde_json::Value>(&m).ok())
        .and_then(|m| m["kind"].as_str().and_then(AttachmentKind::from_str_id));
    let content = app
        .sealer
        .open(
            &attachment_aad(&case.id, &file.id, "content"),
            &file.content,
        )
        .map_err(StoreError::from)?;
    let number = file.position + 1;
    app.audit_alone(
        &actor.user_id,
        AuditAction::AttachmentDownload,
        Some(&case.id),
        &format!("attachment={number}"),
    )
    .await?;
    Ok(Download {
        number,
        kind,
        content: content.to_vec(),
    })
}

/// The case and the warning signs its reporter ticked, for the assessment form's suggestions.
/// Opening them is reading sealed content, so it is audited first (`report.view`, detail
/// `assessment`), as the case view is.
pub async fn reporter_signs(
    app: &App<'_>,
    actor: &Actor,
    id: &ReportId,
) -> Result<(CaseRow, Vec<String>), CaseError> {
    let case = case_for(app, actor, id, Action::Assess).await?;
    app.audit_alone(
        &actor.user_id,
        AuditAction::ReportView,
        Some(&case.id),
        "assessment",
    )
    .await?;
    let stored = reports::by_id(app.db, &case.id)
        .await?
        .ok_or(StoreError::Corrupt)?;
    let signs = open_report(app.sealer, &stored)?.signs.warning_signs;
    Ok((case, signs))
}
