//! Two site-wide guards that depend on where the site is reached: state-changing requests from
//! another site are refused (no login CSRF on the receipt sign-in, no forged staff forms), and
//! an `https://` public address is pinned with HSTS.

use super::AppState;
use super::error::{PageError, PageProblem};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Two years, the value browsers' preload lists expect.
pub const HSTS: &str = "max-age=63072000";

/// Paths open to cross-origin clients: the JSON API uses no cookies, so a foreign page gains
/// nothing by calling it that it could not do by itself.
const OPEN_TO_OTHER_SITES: &str = "/api/v1/";

/// Refuses cross-site writes with a translated 403 page (drawn by [`super::error::render_errors`],
/// which sits outside this guard); adds HSTS when served over https.
pub async fn site_guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let writes = matches!(
        *request.method(),
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    );
    let mut response = if writes
        && !request.uri().path().starts_with(OPEN_TO_OTHER_SITES)
        && from_another_site(request.headers(), &state.public_url)
    {
        PageError::from(PageProblem::CrossSite).into_response()
    } else {
        next.run(request).await
    };
    if state.public_url.starts_with("https://") {
        response.headers_mut().insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    response
}

/// Whether the browser says the request comes from another site. A browser that sends
/// `Sec-Fetch-Site` is believed (it is set by the browser alone, whatever the referrer policy);
/// otherwise `Origin` is compared with this site. Requests that carry neither (curl, scripts,
/// old browsers), or an opaque `Origin: null` without `Sec-Fetch-Site` (what an older browser
/// sends under this site's own `Referrer-Policy: no-referrer`), are not judged.
pub fn from_another_site(headers: &HeaderMap, public_url: &str) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        return !matches!(site.as_bytes(), b"same-origin" | b"none");
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return false;
    };
    let Ok(origin) = origin.to_str() else {
        return true;
    };
    if origin == "null" {
        return false;
    }
    if url::Url::parse(public_url).is_ok_and(|u| {
        u.origin()
            .ascii_serialization()
            .eq_ignore_ascii_case(origin)
    }) {
        return false;
    }
    // Behind a proxy or on a second address (an onion service), the browser's Origin names the
    // host it asked for, which is the Host header this request carries.
    let authority = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"));
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    !matches!((authority, host), (Some(a), Some(h)) if a.eq_ignore_ascii_case(h))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn only_the_site_itself_may_write() {
        let public = "https://report.example.org";
        let judge = |pairs| from_another_site(&headers(pairs), public);
        assert!(!judge(&[]));
        assert!(!judge(&[("sec-fetch-site", "same-origin")]));
        assert!(!judge(&[("sec-fetch-site", "none")]));
        assert!(judge(&[("sec-fetch-site", "cross-site")]));
        assert!(judge(&[("sec-fetch-site", "same-site")]));
        assert!(!judge(&[("origin", "https://report.example.org")]));
        assert!(judge(&[("origin", "https://evil.example")]));
        // Chromium under `Referrer-Policy: no-referrer` posts a same-origin form with
        // `Origin: null`; `Sec-Fetch-Site` tells the truth.
        assert!(!judge(&[
            ("origin", "null"),
            ("sec-fetch-site", "same-origin")
        ]));
        assert!(judge(&[
            ("origin", "null"),
            ("sec-fetch-site", "cross-site")
        ]));
        assert!(!judge(&[("origin", "null")]));
        assert!(judge(&[
            ("origin", "https://report.example.org"),
            ("sec-fetch-site", "cross-site")
        ]));
        assert!(!judge(&[
            ("origin", "http://abc.onion"),
            ("host", "abc.onion")
        ]));
        assert!(judge(&[
            ("origin", "http://abc.onion"),
            ("host", "other.onion")
        ]));
    }
}
