//! What staff do on a case: claim, assign, move along the workflow, restrict, write an internal
//! note. Each loads the case, checks the policy for the acting user, and writes the change and
//! its audit entry in one transaction.

use super::{App, CaseError, commit};
use crate::staff::audit_action::AuditAction;
use crate::staff::policy::{Action, Actor, ReportAccess, allowed, can_see};
use crate::store::cases::{self, CaseRow};
use crate::store::staff::{self as staff_repo, UserRow};
use crate::triage::workflow::{CloseReason, required_permission};
use crate::types::{ReportId, Status, UserId};

/// Longest internal note, in characters.
pub const MAX_NOTE: usize = 20_000;

/// The case if it exists and `actor` may do `action` on it. A case the actor may open but not
/// act on is [`CaseError::Forbidden`]; one they may not open looks like none at all.
pub async fn case_for(
    app: &App<'_>,
    actor: &Actor,
    id: &ReportId,
    action: Action,
) -> Result<CaseRow, CaseError> {
    match cases::get(app.db, id).await? {
        Some(case) if allowed(actor, action, Some(&ReportAccess::of(&case))) => Ok(case),
        Some(case) if allowed(actor, Action::OpenReport, Some(&ReportAccess::of(&case))) => {
            Err(CaseError::Forbidden)
        }
        _ => Err(CaseError::NotFound),
    }
}

/// Whether a case may be given to this account: an enabled analyst or supervisor.
pub fn may_be_assigned(user: &UserRow) -> bool {
    !user.disabled && matches!(user.role.as_str(), "analyst" | "supervisor")
}

/// Records one entry about `report_id` by `actor` in the transaction.
async fn record(
    app: &App<'_>,
    tx: &mut crate::staff::audit::AuditTx,
    actor: &Actor,
    action: AuditAction,
    report_id: &ReportId,
    detail: &str,
) -> Result<(), CaseError> {
    app.record(tx, &actor.user_id, action, Some(report_id), detail)
        .await
}

/// `actor` takes an unassigned case; [`CaseError::Conflict`] if someone else was quicker.
pub async fn claim(app: &App<'_>, actor: &Actor, id: &ReportId) -> Result<(), CaseError> {
    let case = case_for(app, actor, id, Action::Claim).await?;
    let mut tx = app.begin().await?;
    if !cases::claim_in(tx.conn(), &case.id, &actor.user_id, app.now()).await? {
        return Err(CaseError::Conflict);
    }
    record(app, &mut tx, actor, AuditAction::ReportClaim, &case.id, "").await?;
    commit(tx).await
}

/// Gives a case to `assignee` (a user id), or to nobody; [`CaseError::Conflict`] if that
/// account may not hold cases.
pub async fn assign(
    app: &App<'_>,
    actor: &Actor,
    id: &ReportId,
    assignee: Option<&UserId>,
) -> Result<(), CaseError> {
    let case = case_for(app, actor, id, Action::Assign).await?;
    let target = match assignee {
        None => None,
        Some(user_id) => match staff_repo::user_by_id(app.db, user_id).await? {
            Some(u) if may_be_assigned(&u) => Some(u.id),
            _ => return Err(CaseError::Conflict),
        },
    };
    let mut tx = app.begin().await?;
    cases::assign_in(tx.conn(), &case.id, target.as_ref(), app.now()).await?;
    let detail = format!(
        "assignee={}",
        target.as_ref().map_or("none", UserId::as_str)
    );
    record(
        app,
        &mut tx,
        actor,
        AuditAction::ReportAssign,
        &case.id,
        &detail,
    )
    .await?;
    commit(tx).await
}

/// Moves a case to `to` (`None`: a status the workflow does not know), with a reason when it
/// closes. [`CaseError::Conflict`] for a move the workflow does not allow, or when the case
/// moved meanwhile; [`CaseError::Forbidden`] when the move needs a permission the actor lacks.
pub async fn change_status(
    app: &App<'_>,
    actor: &Actor,
    id: &ReportId,
    to: Option<Status>,
    reason: Option<CloseReason>,
) -> Result<(), CaseError> {
    let case = case_for(app, actor, id, Action::OpenReport).await?;
    let from = Status::parse(&case.triage.status).unwrap_or(Status::New);
    let to = to.ok_or(CaseError::Conflict)?;
    let reason = reason.filter(|_| to == Status::Closed);
    let needed = required_permission(from, to, reason).map_err(|_| CaseError::Conflict)?;
    if !allowed(actor, needed, Some(&ReportAccess::of(&case))) {
        return Err(CaseError::Forbidden);
    }
    let mut tx = app.begin().await?;
    let moved = cases::set_status_in(
        tx.conn(),
        &case.id,
        from.as_str(),
        to.as_str(),
        reason.map(CloseReason::as_str),
        app.now(),
    )
    .await?;
    if !moved {
        return Err(CaseError::Conflict);
    }
    let detail = match reason {
        Some(r) => format!("{}->{} reason={}", from.as_str(), to.as_str(), r.as_str()),
        None => format!("{}->{}", from.as_str(), to.as_str()),
    };
    record(
        app,
        &mut tx,
        actor,
        AuditAction::ReportStatus,
        &case.id,
        &detail,
    )
    .await?;
    commit(tx).await
}

/// Restricts a case to its assignee and supervisors, or lifts the restriction.
pub async fn restrict(
    app: &App<'_>,
    actor: &Actor,
    id: &ReportId,
    restricted: bool,
) -> Result<(), CaseError> {
    let case = case_for(app, actor, id, Action::Restrict).await?;
    let mut tx = app.begin().await?;
    cases::set_restricted_in(tx.conn(), &case.id, restricted, app.now()).await?;
    let detail = if restricted { "on" } else { "off" };
    record(
        app,
        &mut tx,
        actor,
        AuditAction::ReportRestrict,
        &case.id,
        detail,
    )
    .await?;
    commit(tx).await
}

/// Adds an internal note, sealed and bound to the report and its author. A blank note, or one
/// longer than [`MAX_NOTE`] characters, is not kept (and not audited).
pub async fn add_note(
    app: &App<'_>,
    actor: &Actor,
    id: &ReportId,
    body: &str,
) -> Result<(), CaseError> {
    let case = case_for(app, actor, id, Action::WriteNote).await?;
    let body = body.trim();
    if body.is_empty() || body.chars().count() > MAX_NOTE {
        return Ok(());
    }
    let note_id = uuid::Uuid::now_v7().to_string();
    let sealed = app.sealer.seal(
        &crate::seal::bound::note(&case.id, &actor.user_id, &note_id),
        body.as_bytes(),
    );
    let mut tx = app.begin().await?;
    cases::add_note_in(
        tx.conn(),
        &note_id,
        &case.id,
        &actor.user_id,
        &sealed,
        app.now(),
    )
    .await?;
    record(app, &mut tx, actor, AuditAction::NoteAdd, &case.id, "").await?;
    commit(tx).await
}

/// How two reports are linked by hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkKind {
    /// This report is a duplicate of the other.
    Duplicate,
    Linked,
}

impl LinkKind {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "duplicate" => Some(Self::Duplicate),
            "linked" => Some(Self::Linked),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Duplicate => "duplicate",
            Self::Linked => "linked",
        }
    }
}

/// Marks a report as a duplicate of another, or links the two by hand. Both must be visible to
/// `actor`; another report they may not see (or the report itself) is [`CaseError::NotFound`].
pub async fn link(
    app: &App<'_>,
    actor: &Actor,
    id: &ReportId,
    other_id: &ReportId,
    kind: LinkKind,
) -> Result<(), CaseError> {
    let case = case_for(app, actor, id, Action::LinkReports).await?;
    let other = match cases::get(app.db, other_id).await? {
        Some(o) if o.id != case.id && can_see(actor, &ReportAccess::of(&o)) => o,
        _ => return Err(CaseError::NotFound),
    };
    let mut tx = app.begin().await?;
    crate::store::links::add_manual_in(
        tx.conn(),
        &case.id,
        &other.id,
        kind.as_str(),
        &actor.user_id,
        app.now(),
    )
    .await?;
    let detail = format!("{} other={}", kind.as_str(), other.id);
    record(
        app,
        &mut tx,
        actor,
        AuditAction::ReportLink,
        &case.id,
        &detail,
    )
    .await?;
    commit(tx).await
}
