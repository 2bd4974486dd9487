//! The one mapping from what went wrong to what a person sees: each kind has a status and a
//! translated title and text. Internal causes are logged with a reference to quote; the page
//! shows only the reference.

use axum::http::StatusCode;

/// What a person is told when a page cannot do what they asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageProblem {
    NotFound,
    TooMany,
    TooLarge,
    BadRequest,
    Internal,
    /// A state-changing request sent from another site (see [`super::guard`]).
    CrossSite,
}

impl PageProblem {
    pub fn status(self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::TooMany => StatusCode::TOO_MANY_REQUESTS,
            Self::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::BadRequest => StatusCode::BAD_REQUEST,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            Self::CrossSite => StatusCode::FORBIDDEN,
        }
    }

    /// The Fluent key prefix: `<prefix>-title` and `<prefix>-text`.
    pub fn key(self) -> &'static str {
        match self {
            Self::NotFound => "page-not-found",
            Self::TooMany => "too-many",
            Self::TooLarge => "too-large",
            Self::BadRequest => "bad-request",
            Self::Internal => "server-error",
            Self::CrossSite => "cross-site",
        }
    }
}

/// Logs an internal error with its whole cause chain and returns a short reference to show.
pub fn log_internal(context: &str, error: &dyn std::error::Error) -> String {
    let reference = uuid::Uuid::now_v7().simple().to_string();
    let reference = reference
        .get(reference.len() - 10..)
        .unwrap_or("")
        .to_owned();
    let mut chain = error.to_string();
    let mut source = error.source();
    while let Some(s) = source {
        chain.push_str(": ");
        chain.push_str(&s.to_string());
        source = s.source();
    }
    tracing::error!(reference, context, error = chain, "internal error");
    reference
}
