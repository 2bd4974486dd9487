//! The case workflow: new → acknowledged → in assessment → forwarded → closed (with a reason),
//! and re-open. Each move names the permission it needs, so the role policy decides who.

use crate::staff::policy::Action;
use crate::types::Status;

/// Why a case was closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseReason {
    NotTrafficking,
    Duplicate,
    InsufficientInformation,
    ReferredElsewhere,
}

impl CloseReason {
    pub const ALL: [CloseReason; 4] = [
        CloseReason::NotTrafficking,
        CloseReason::Duplicate,
        CloseReason::InsufficientInformation,
        CloseReason::ReferredElsewhere,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotTrafficking => "not_trafficking",
            Self::Duplicate => "duplicate",
            Self::InsufficientInformation => "insufficient_information",
            Self::ReferredElsewhere => "referred_elsewhere",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// Why a move is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowError {
    #[error("this case cannot move from {from} to {to}")]
    NotAllowed {
        from: &'static str,
        to: &'static str,
    },
    #[error("closing a case needs a reason")]
    ReasonNeeded,
}

/// The permission a move needs, or why it cannot happen at all.
pub fn required_permission(
    from: Status,
    to: Status,
    reason: Option<CloseReason>,
) -> Result<Action, WorkflowError> {
    use Status::*;
    let refuse = || WorkflowError::NotAllowed {
        from: from.as_str(),
        to: to.as_str(),
    };
    match (from, to) {
        (New, Acknowledged)
        | (Acknowledged, InAssessment)
        | (New, InAssessment)
        | (InAssessment, Forwarded) => Ok(Action::ChangeStatus),
        (Closed, InAssessment) => Ok(Action::Reopen),
        (Closed, _) => Err(refuse()),
        (_, Closed) => reason
            .map(|_| Action::Close)
            .ok_or(WorkflowError::ReasonNeeded),
        _ => Err(refuse()),
    }
}

/// The moves offered from a status (the policy then filters by role).
pub fn next_statuses(from: Status) -> Vec<Status> {
    Status::ALL
        .into_iter()
        .filter(|to| {
            *to != from && required_permission(from, *to, Some(CloseReason::Duplicate)).is_ok()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workflow_moves_forward_closes_with_a_reason_and_reopens() {
        use Status::*;
        assert_eq!(
            required_permission(New, Acknowledged, None),
            Ok(Action::ChangeStatus)
        );
        assert_eq!(
            required_permission(InAssessment, Forwarded, None),
            Ok(Action::ChangeStatus)
        );
        assert_eq!(
            required_permission(Forwarded, Closed, None),
            Err(WorkflowError::ReasonNeeded)
        );
        assert_eq!(
            required_permission(Forwarded, Closed, Some(CloseReason::ReferredElsewhere)),
            Ok(Action::Close)
        );
        assert_eq!(
            required_permission(Closed, InAssessment, None),
            Ok(Action::Reopen)
        );
        assert!(required_permission(Forwarded, New, None).is_err());
        assert!(required_permission(Closed, Forwarded, None).is_err());
        assert_eq!(next_statuses(New), vec![Acknowledged, InAssessment, Closed]);
        assert_eq!(next_statuses(Closed), vec![InAssessment]);
    }
}
