//! The one CSRF check. A session extractor (the staff session, the reporter's session) leaves
//! the token it expects in the request; [`CsrfForm`] reads the form, compares its `csrf` field
//! in constant time and refuses the request with the surface's own error when they differ.
//! Forms read otherwise (the follow-up message, multipart) call [`matches`].

use super::error::{PageError, PageProblem, StaffError, StaffProblem};
use axum::Form;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Request};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use subtle::ConstantTimeEq;

/// Which pages a session belongs to, and so how a refused form looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    /// The reporter's follow-up pages: the public "could not read this form" page.
    Public,
    /// The back office: the staff "please try again" page.
    Staff,
}

/// The token the request's session expects, left by its extractor.
#[derive(Debug, Clone)]
pub struct ExpectedCsrf {
    pub token: String,
    pub surface: Surface,
}

/// Whether `sent` is the session's token `expected` (in constant time).
pub fn matches(expected: &str, sent: &str) -> bool {
    !expected.is_empty() && bool::from(sent.as_bytes().ct_eq(expected.as_bytes()))
}

/// A form whose `csrf` field is the session's token. Extract the session first (it is what
/// says which token to expect); without a session the form is refused. `CsrfForm` alone is a
/// form that carries nothing else.
#[derive(Debug)]
pub struct CsrfForm<T = NoFields>(pub T);

/// A form with no fields but its token (sign-out, claim, approve…).
#[derive(Debug, Default, serde::Deserialize)]
pub struct NoFields {}

impl<T, S> FromRequest<S> for CsrfForm<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let expected = request.extensions().get::<ExpectedCsrf>().cloned();
        let (parts, body) = request.into_parts();
        let bytes = Bytes::from_request(Request::from_parts(parts.clone(), body), state)
            .await
            .map_err(IntoResponse::into_response)?;
        let field = |name: &str| {
            form_urlencoded::parse(&bytes)
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
        };
        let sent = field("csrf").unwrap_or_default();
        let lang = field("lang");
        // The form itself is read as `axum::Form` reads it (content type, field errors).
        let Form(form) =
            Form::<T>::from_request(Request::from_parts(parts, Body::from(bytes)), state)
                .await
                .map_err(IntoResponse::into_response)?;
        match expected {
            Some(e) if matches(&e.token, &sent) => Ok(Self(form)),
            Some(ExpectedCsrf {
                surface: Surface::Public,
                ..
            }) => {
                let mut error = PageError::from(PageProblem::BadRequest);
                if let Some(lang) = lang.as_deref().and_then(super::i18n::known) {
                    error = error.lang(lang);
                }
                Err(error.into_response())
            }
            _ => Err(StaffError::from(StaffProblem::BadCsrf).into_response()),
        }
    }
}
