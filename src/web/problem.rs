//! RFC 9457 problem details for the API (`application/problem+json`), with an `errors`
//! extension member listing each wrong field as a JSON Pointer and a message.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// One wrong field.
#[derive(Debug, Serialize, Clone, PartialEq, Eq, utoipa::ToSchema)]
pub struct FieldProblem {
    /// JSON Pointer (RFC 6901) into the submitted report, e.g. `/phones/2`.
    pub pointer: String,
    /// Stable code (also the translation key).
    pub code: String,
    /// Message in the requested language.
    pub detail: String,
}

/// A problem document (RFC 9457 problem details).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// URI reference of the problem type, e.g. /api/v1/problems/validation.
    #[serde(rename = "type")]
    pub kind: String,
    /// The problem in the language of Accept-Language.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// More about this problem, when there is more to say.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub detail: Option<String>,
    /// One entry per wrong field.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
}

/// The kinds of API problem, each with its status and type URI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    Validation,
    MalformedBody,
    UnsupportedMediaType,
    TooLarge,
    RateLimited,
    Unavailable,
    Unauthorized,
    /// An `Idempotency-Key` sent again with another request.
    KeyReused,
    /// An `Idempotency-Key` shorter or longer than the document allows.
    KeyInvalid,
}

impl ProblemKind {
    pub fn status(self) -> StatusCode {
        match self {
            Self::Validation => StatusCode::UNPROCESSABLE_ENTITY,
            Self::MalformedBody => StatusCode::BAD_REQUEST,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::KeyReused => StatusCode::UNPROCESSABLE_ENTITY,
            Self::KeyInvalid => StatusCode::BAD_REQUEST,
        }
    }

    /// The problem of a message the follow-up refuses (see [`super::error::Refusal`]): too many
    /// is a rate limit, anything else could not be taken now.
    pub fn refused(refusal: super::error::Refusal) -> Self {
        match refusal {
            super::error::Refusal::TooMany => Self::RateLimited,
            _ => Self::Unavailable,
        }
    }

    pub fn slug(self) -> &'static str {
        match self {
            Self::Validation => "validation",
            Self::MalformedBody => "malformed-body",
            Self::UnsupportedMediaType => "unsupported-media-type",
            Self::TooLarge => "too-large",
            Self::RateLimited => "rate-limited",
            Self::Unavailable => "unavailable",
            Self::Unauthorized => "unauthorized",
            Self::KeyReused => "idempotency-key-reused",
            Self::KeyInvalid => "idempotency-key-invalid",
        }
    }

    /// The Fluent key of the title.
    pub fn title_key(self) -> String {
        format!("api-problem-{}", self.slug())
    }
}

impl Problem {
    pub fn new(kind: ProblemKind, title: String) -> Self {
        Self {
            kind: format!("/api/v1/problems/{}", kind.slug()),
            title,
            status: kind.status().as_u16(),
            detail: None,
            errors: Vec::new(),
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&self).unwrap_or_default();
        (
            status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            body,
        )
            .into_response()
    }
}
