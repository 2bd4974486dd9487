//! Every kind of thing the audit trail records, in one place, with the string each is stored
//! as. The strings are covered by the chain mac, so a stored row can never be renamed: a new name
//! is only ever given to new rows, and [`AuditAction::parse`] still reads the old one.
//!
//! Style: `area.thing` in lower case, words joined by `_` (`report.cluster_member`,
//! `session.sign_in_failed`).

/// What an audit entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuditAction {
    /// A report opened in the case view (detail `assessment` when the assessment form opened
    /// its warning signs).
    ReportView,
    /// A report shown on a page of search results.
    ReportSearchResult,
    /// The cluster view of a report opened.
    ReportCluster,
    /// A report drawn in the cluster view of another (detail `cluster=<id>`).
    ReportClusterMember,
    ReportClaim,
    ReportAssign,
    ReportStatus,
    ReportRestrict,
    /// Two reports linked by hand, or one marked the duplicate of another.
    ReportLink,
    NoteAdd,
    AssessmentSave,
    AttachmentDownload,
    /// Staff wrote to the reporter.
    MessageSend,
    /// An auditor opened the audit trail.
    AuditView,
    SessionSignIn,
    SessionSignOut,
    /// Failed sign-ins of one account, folded per window.
    SessionSignInFailed,
    /// Sign-ins refused by the limits, folded per window.
    SessionSignInLimited,
    UserAdd,
    UserDisable,
    UserEnable,
    UserReset,
    UserPasswordSet,
    UserTotpEnrolled,
    /// A staff member added a passkey to their account (detail: its name).
    UserPasskeyAdded,
    /// ... renamed one (detail: old and new name).
    UserPasskeyRenamed,
    /// ... removed one (detail: its name).
    UserPasskeyRemoved,
    /// ... made new recovery codes (the old ones stop working).
    UserRecoveryCodesMade,
    /// A supervisor changed whether content roles must sign in with a passkey.
    SettingPasskeysRequired,
    /// An admin made or reset an account that reads report content: it waits for a supervisor.
    UserContentAccessRequested,
    /// A supervisor approved such an account.
    UserContentAccessApproved,
    /// The command line granted such an account without approval.
    UserContentAccessGranted,
}

impl AuditAction {
    pub const ALL: [Self; 32] = [
        Self::ReportView,
        Self::ReportSearchResult,
        Self::ReportCluster,
        Self::ReportClusterMember,
        Self::ReportClaim,
        Self::ReportAssign,
        Self::ReportStatus,
        Self::ReportRestrict,
        Self::ReportLink,
        Self::NoteAdd,
        Self::AssessmentSave,
        Self::AttachmentDownload,
        Self::MessageSend,
        Self::AuditView,
        Self::SessionSignIn,
        Self::SessionSignOut,
        Self::SessionSignInFailed,
        Self::SessionSignInLimited,
        Self::UserAdd,
        Self::UserDisable,
        Self::UserEnable,
        Self::UserReset,
        Self::UserPasswordSet,
        Self::UserTotpEnrolled,
        Self::UserPasskeyAdded,
        Self::UserPasskeyRenamed,
        Self::UserPasskeyRemoved,
        Self::UserRecoveryCodesMade,
        Self::SettingPasskeysRequired,
        Self::UserContentAccessRequested,
        Self::UserContentAccessApproved,
        Self::UserContentAccessGranted,
    ];

    /// The string new entries are stored with.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::ReportView => "report.view",
            Self::ReportSearchResult => "report.search_result",
            Self::ReportCluster => "report.cluster",
            Self::ReportClusterMember => "report.cluster_member",
            Self::ReportClaim => "report.claim",
            Self::ReportAssign => "report.assign",
            Self::ReportStatus => "report.status",
            Self::ReportRestrict => "report.restrict",
            Self::ReportLink => "report.link",
            Self::NoteAdd => "note.add",
            Self::AssessmentSave => "assessment.save",
            Self::AttachmentDownload => "attachment.download",
            Self::MessageSend => "message.send",
            Self::AuditView => "audit.view",
            Self::SessionSignIn => "session.sign_in",
            Self::SessionSignOut => "session.sign_out",
            Self::SessionSignInFailed => "session.sign_in_failed",
            Self::SessionSignInLimited => "session.sign_in_limited",
            Self::UserAdd => "user.add",
            Self::UserDisable => "user.disable",
            Self::UserEnable => "user.enable",
            Self::UserReset => "user.reset",
            Self::UserPasswordSet => "user.password_set",
            Self::UserTotpEnrolled => "user.totp_enrolled",
            Self::UserPasskeyAdded => "user.passkey_added",
            Self::UserPasskeyRenamed => "user.passkey_renamed",
            Self::UserPasskeyRemoved => "user.passkey_removed",
            Self::UserRecoveryCodesMade => "user.recovery_codes_made",
            Self::SettingPasskeysRequired => "setting.passkeys_required",
            Self::UserContentAccessRequested => "user.content_access_requested",
            Self::UserContentAccessApproved => "user.content_access_approved",
            Self::UserContentAccessGranted => "user.content_access_granted",
        }
    }

    /// The action a stored string names, including the names older rows were written with.
    pub fn parse(stored: &str) -> Option<Self> {
        match stored {
            // Written before the names were made consistent (kept: the chain mac covers it).
            "report.search-result" => Some(Self::ReportSearchResult),
            _ => Self::ALL.into_iter().find(|a| a.as_str() == stored),
        }
    }

    /// Whether the action gives someone access to report content (the audit page flags it).
    pub fn grants_content_access(self) -> bool {
        matches!(
            self,
            Self::UserContentAccessRequested
                | Self::UserContentAccessApproved
                | Self::UserContentAccessGranted
        )
    }
}

impl std::fmt::Display for AuditAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_one_style_distinct_and_read_back() {
        let mut seen = std::collections::HashSet::new();
        for action in AuditAction::ALL {
            let s = action.as_str();
            assert!(seen.insert(s), "{s} twice");
            let (area, thing) = s.split_once('.').unwrap();
            assert!(
                !area.is_empty() && !thing.is_empty() && !thing.contains('.'),
                "{s}"
            );
            assert!(
                s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'.' || b == b'_'),
                "{s} is not area.thing_with_underscores"
            );
            assert_eq!(AuditAction::parse(s), Some(action));
        }
        assert_eq!(
            AuditAction::parse("report.search-result"),
            Some(AuditAction::ReportSearchResult),
            "rows written under the old name still read"
        );
        assert_eq!(AuditAction::parse("report.unknown"), None);
    }
}
