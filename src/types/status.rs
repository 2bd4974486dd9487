//! Where a case stands in the workflow, as stored in `reports.status`. The moves between
//! statuses and who may make them are the workflow's (`triage::workflow`).

use std::fmt;

/// Where a case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    New,
    Acknowledged,
    InAssessment,
    Forwarded,
    Closed,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::New,
        Status::Acknowledged,
        Status::InAssessment,
        Status::Forwarded,
        Status::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Acknowledged => "acknowledged",
            Self::InAssessment => "in_assessment",
            Self::Forwarded => "forwarded",
            Self::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Whether the case still needs work (shown in the queue by default).
    pub fn is_open(self) -> bool {
        self != Self::Closed
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_read_back_what_they_write() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
        assert_eq!(Status::New.to_string(), "new");
        assert_eq!(Status::parse("open"), None);
    }
}
