//! The role policy, in one place: what each role may see and do. Every staff route asks
//! [`allowed`]; the queue (and later search and related reports) filter with [`can_see`]. A
//! refusal about a report looks exactly like a report that does not exist.

use crate::types::{UserId, Visibility};
use serde::Serialize;

/// A staff role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Works the queue: opens unrestricted reports, claims, and works on reports assigned to them.
    Analyst,
    /// Everything an analyst does, on all reports, plus assigning, closing, re-opening and
    /// restricting.
    Supervisor,
    /// Reads the audit trail; no report content.
    Auditor,
    /// Manages users and settings; no report content.
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Analyst, Role::Supervisor, Role::Auditor, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Analyst => "analyst",
            Self::Supervisor => "supervisor",
            Self::Auditor => "auditor",
            Self::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Whether this role can read report content. An admin who gives such a role (a new
    /// account, or a reset) needs a supervisor's approval before the account works.
    pub fn reads_content(self) -> bool {
        matches!(self, Self::Analyst | Self::Supervisor)
    }
}

/// Something a staff member asks to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// See the triage queue.
    ViewQueue,
    /// Open a report (every opening is audited).
    OpenReport,
    /// Take an unassigned report for oneself.
    Claim,
    /// Write an internal note.
    WriteNote,
    /// Write to the reporter.
    MessageReporter,
    /// Assess a person against the trafficking indicators.
    Assess,
    /// Mark a report as a duplicate of another, or link two by hand.
    LinkReports,
    /// Move a report along the workflow (acknowledge, assess, forward).
    ChangeStatus,
    /// Give a report to someone.
    Assign,
    /// Close a report with a reason.
    Close,
    /// Re-open a closed report.
    Reopen,
    /// Mark a report restricted (or lift it).
    Restrict,
    /// Download an attachment.
    DownloadAttachment,
    /// Read the audit trail.
    ViewAudit,
    /// List, add, disable and reset staff accounts.
    ManageUsers,
    /// Approve an account an admin gave a role that reads report content.
    ApproveAccounts,
    /// Choose how content roles sign in (require passkeys).
    ChooseSignInPolicy,
}

impl Action {
    pub const ALL: [Action; 17] = [
        Action::ViewQueue,
        Action::OpenReport,
        Action::Claim,
        Action::WriteNote,
        Action::MessageReporter,
        Action::Assess,
        Action::LinkReports,
        Action::ChangeStatus,
        Action::Assign,
        Action::Close,
        Action::Reopen,
        Action::Restrict,
        Action::DownloadAttachment,
        Action::ViewAudit,
        Action::ManageUsers,
        Action::ApproveAccounts,
        Action::ChooseSignInPolicy,
    ];

    /// Whether the action is about one report.
    pub fn on_report(self) -> bool {
        !matches!(
            self,
            Self::ViewQueue
                | Self::ViewAudit
                | Self::ManageUsers
                | Self::ApproveAccounts
                | Self::ChooseSignInPolicy
        )
    }
}

/// Who is asking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: UserId,
    pub role: Role,
}

/// What the policy needs to know about a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportAccess {
    pub restricted: bool,
    pub assignee: Option<UserId>,
}

impl ReportAccess {
    /// What the policy needs of a case as stored.
    pub fn of(case: &crate::store::cases::CaseRow) -> Self {
        Self {
            restricted: case.restricted,
            assignee: case.assignee_id.clone(),
        }
    }

    fn assigned_to(&self, actor: &Actor) -> bool {
        self.assignee.as_ref() == Some(&actor.user_id)
    }
}

/// Which reports an actor may know exist: the one rule behind [`can_see`]. The data lives in
/// `types` so that the store can turn it into a query condition (`store::visibility`) without
/// knowing the policy.
impl Visibility {
    pub fn of(actor: &Actor) -> Self {
        match actor.role {
            Role::Supervisor => Self::Everything,
            Role::Analyst => Self::UnrestrictedOrAssignedTo(actor.user_id.clone()),
            Role::Auditor | Role::Admin => Self::Nothing,
        }
    }

    pub fn admits(&self, report: &ReportAccess) -> bool {
        match self {
            Self::Everything => true,
            Self::UnrestrictedOrAssignedTo(user) => {
                !report.restricted || report.assignee.as_ref() == Some(user)
            }
            Self::Nothing => false,
        }
    }
}

/// Whether `actor` may see that `report` exists at all (queue, lists, search).
pub fn can_see(actor: &Actor, report: &ReportAccess) -> bool {
    Visibility::of(actor).admits(report)
}

/// Whether `actor` may do `action` (on `report`, for report actions).
pub fn allowed(actor: &Actor, action: Action, report: Option<&ReportAccess>) -> bool {
    use Action::*;
    match (actor.role, action) {
        (Role::Auditor, ViewAudit)
        | (Role::Admin, ManageUsers)
        | (Role::Supervisor, ApproveAccounts | ChooseSignInPolicy) => true,
        (Role::Auditor | Role::Admin, _) => false,
        (_, ViewAudit | ManageUsers | ApproveAccounts | ChooseSignInPolicy) => false,
        (Role::Analyst | Role::Supervisor, ViewQueue) => true,
        (role, action) => {
            let Some(report) = report else {
                return false;
            };
            if !can_see(actor, report) {
                return false;
            }
            match (role, action) {
                (Role::Supervisor, _) => true,
                (Role::Analyst, OpenReport | DownloadAttachment) => true,
                (Role::Analyst, Claim) => report.assignee.is_none(),
                (
                    Role::Analyst,
                    WriteNote | MessageReporter | Assess | LinkReports | ChangeStatus,
                ) => report.assigned_to(actor),
                (Role::Analyst, _) => false,
                _ => false,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role) -> Actor {
        Actor {
            user_id: "me".into(),
            role,
        }
    }

    fn report(restricted: bool, assignee: Option<&str>) -> ReportAccess {
        ReportAccess {
            restricted,
            assignee: assignee.map(UserId::from),
        }
    }

    #[test]
    fn analysts_work_only_what_is_theirs_and_never_restricted_cases_of_others() {
        let a = actor(Role::Analyst);
        let open = report(false, None);
        let mine = report(false, Some("me"));
        let theirs = report(false, Some("other"));
        let restricted_theirs = report(true, Some("other"));
        let restricted_mine = report(true, Some("me"));
        assert!(allowed(&a, Action::OpenReport, Some(&open)));
        assert!(allowed(&a, Action::Claim, Some(&open)));
        assert!(!allowed(&a, Action::Claim, Some(&theirs)));
        assert!(!allowed(&a, Action::WriteNote, Some(&theirs)));
        assert!(allowed(&a, Action::WriteNote, Some(&mine)));
        assert!(allowed(&a, Action::MessageReporter, Some(&mine)));
        assert!(!allowed(&a, Action::MessageReporter, Some(&theirs)));
        assert!(allowed(&a, Action::ChangeStatus, Some(&mine)));
        assert!(!allowed(&a, Action::Close, Some(&mine)));
        assert!(!allowed(&a, Action::OpenReport, Some(&restricted_theirs)));
        assert!(!can_see(&a, &restricted_theirs));
        assert!(allowed(&a, Action::OpenReport, Some(&restricted_mine)));
    }

    #[test]
    fn auditors_and_admins_never_see_report_content() {
        for role in [Role::Auditor, Role::Admin] {
            let who = actor(role);
            for action in Action::ALL.into_iter().filter(|a| a.on_report()) {
                assert!(
                    !allowed(&who, action, Some(&report(false, Some("me")))),
                    "{role:?} {action:?}"
                );
            }
            assert!(!allowed(&who, Action::ViewQueue, None));
        }
        assert!(allowed(&actor(Role::Auditor), Action::ViewAudit, None));
        assert!(allowed(&actor(Role::Admin), Action::ManageUsers, None));
        assert!(!allowed(&actor(Role::Supervisor), Action::ViewAudit, None));
    }

    #[test]
    fn content_roles_are_exactly_those_that_may_open_a_report() {
        for role in Role::ALL {
            let opens = allowed(&actor(role), Action::OpenReport, Some(&report(false, None)));
            assert_eq!(role.reads_content(), opens, "{role:?}");
        }
        let only_supervisors: Vec<Role> = Role::ALL
            .into_iter()
            .filter(|r| allowed(&actor(*r), Action::ApproveAccounts, None))
            .collect();
        assert_eq!(only_supervisors, vec![Role::Supervisor]);
    }

    #[test]
    fn supervisors_do_everything_on_reports() {
        let s = actor(Role::Supervisor);
        for action in Action::ALL.into_iter().filter(|a| a.on_report()) {
            assert!(
                allowed(&s, action, Some(&report(true, Some("other")))),
                "{action:?}"
            );
        }
    }
}
