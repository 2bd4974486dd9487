//! Safety on every response: strict CSP, no referrer, no caching of pages, no framing; request
//! logs without IP addresses, query strings or content; and in-memory rate limits that work
//! behind Tor or a reverse proxy (global and per form token, per IP only where IPs mean
//! something). Nothing here writes an IP address anywhere.

use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Instant;
use tower::ServiceBuilder;
use tower::layer::util::{Identity, Stack};
use tower_http::set_header::SetResponseHeaderLayer;

/// The content security policy: only this site's own style sheet, script and images.
pub const CSP: &str = "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; \
                       form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// [`CSP`] and the one thing the staff pages with passkeys need: their script asks this site
/// for a passkey challenge (`connect-src 'self'`).
pub const PASSKEY_CSP: &str = "default-src 'none'; style-src 'self'; script-src 'self'; \
                               img-src 'self'; connect-src 'self'; form-action 'self'; \
                               frame-ancestors 'none'; base-uri 'none'";

/// Gives a page that uses `static/passkey.js` the policy its script needs.
pub fn allow_passkey_script(mut response: axum::response::Response) -> axum::response::Response {
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(PASSKEY_CSP),
    );
    response
}

type H = SetResponseHeaderLayer<HeaderValue>;

fn always(name: HeaderName, value: &'static str) -> H {
    SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value))
}

/// The security headers layer. `Cache-Control: no-store` is the default; static files override it.
#[allow(clippy::type_complexity)]
pub fn headers() -> ServiceBuilder<
    Stack<H, Stack<H, Stack<H, Stack<H, Stack<H, Stack<H, Stack<H, Stack<H, Identity>>>>>>>>,
> {
    ServiceBuilder::new()
        // A response that brings its own policy (an attachment download's sandbox) keeps it.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .layer(always(header::REFERRER_POLICY, "no-referrer"))
        .layer(always(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(always(header::X_FRAME_OPTIONS, "DENY"))
        .layer(always(
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ))
        .layer(always(
            HeaderName::from_static("cross-origin-resource-policy"),
            "same-origin",
        ))
        .layer(always(
            HeaderName::from_static("permissions-policy"),
            "camera=(), microphone=(), geolocation=(), interest-cohort=()",
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
}

/// Logs one line per request: method, route pattern (never the actual path or query), status
/// and duration. No IP address, no receipt, no content.
pub async fn log_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "(unmatched)".to_owned());
    let started = Instant::now();
    let response = next.run(request).await;
    tracing::info!(
        %method,
        route,
        status = response.status().as_u16(),
        ms = started.elapsed().as_millis() as u64,
        "request"
    );
    response
}

/// Rate-limit settings. The global numbers are ceilings that protect the server; under them,
/// clients are kept apart without identifying anyone: by the one-time form token a page
/// issued, by follow-up session and by report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateSettings {
    /// Ceiling: reports accepted per second across all clients.
    pub intake_per_second: u32,
    /// Burst above that rate.
    pub intake_burst: u32,
    /// Ceiling: forms (one-time tokens) issued per second across all clients.
    pub forms_per_second: u32,
    /// Submissions of one form (one token) per hour, counting corrected re-submissions.
    pub per_form_per_hour: u32,
    /// Submissions per minute from one IP address; 0 turns it off (behind Tor or a proxy,
    /// where every client has the same address).
    pub per_ip_per_minute: u32,
    /// Ceiling: receipt sign-in attempts per second across all clients.
    pub receipt_attempts_per_second: u32,
    /// Receipt sign-in attempts with one sign-in form (one token) per hour.
    pub receipt_attempts_per_form: u32,
    /// Fewer seconds than this between showing a form and sending it flags the report as
    /// possible junk (no person reads and fills a report that fast).
    pub min_fill_seconds: u32,
    /// Messages one follow-up session may send per hour.
    pub messages_per_session_per_hour: u32,
    /// Messages a reporter may add to one report per day, all sessions together.
    pub messages_per_report_per_day: u32,
    /// Total size of the files of one report, its messages' included, in MiB.
    pub attachment_mib_per_report: u32,
}

impl Default for RateSettings {
    fn default() -> Self {
        Self {
            intake_per_second: 500,
            intake_burst: 1000,
            forms_per_second: 500,
            per_form_per_hour: 30,
            per_ip_per_minute: 0,
            receipt_attempts_per_second: 100,
            receipt_attempts_per_form: 10,
            min_fill_seconds: 3,
            messages_per_session_per_hour: 20,
            messages_per_report_per_day: 50,
            attachment_mib_per_report: 100,
        }
    }
}

/// The in-memory limiters (lost on restart, never written to disk). Keys are random token
/// parts and session hashes, never an address or anything that names a person.
pub struct RateLimits {
    settings: RateSettings,
    intake: DefaultDirectRateLimiter,
    forms: DefaultDirectRateLimiter,
    receipts: DefaultDirectRateLimiter,
    per_form: DefaultKeyedRateLimiter<[u8; 16]>,
    per_signin_form: DefaultKeyedRateLimiter<[u8; 16]>,
    per_session: DefaultKeyedRateLimiter<Vec<u8>>,
    per_ip: Option<DefaultKeyedRateLimiter<IpAddr>>,
}

fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN)
}

fn per_second(rate: u32, burst: u32) -> DefaultDirectRateLimiter {
    DefaultDirectRateLimiter::direct(Quota::per_second(nz(rate)).allow_burst(nz(burst)))
}

fn keyed_per_hour<K: std::hash::Hash + Eq + Clone>(
    n: u32,
    burst: u32,
) -> DefaultKeyedRateLimiter<K> {
    DefaultKeyedRateLimiter::keyed(Quota::per_hour(nz(n)).allow_burst(nz(burst)))
}

impl RateLimits {
    pub fn new(s: RateSettings) -> Self {
        Self {
            settings: s,
            intake: per_second(s.intake_per_second, s.intake_burst),
            forms: per_second(s.forms_per_second, s.forms_per_second.saturating_mul(2)),
            receipts: per_second(
                s.receipt_attempts_per_second,
                s.receipt_attempts_per_second.saturating_mul(5),
            ),
            per_form: keyed_per_hour(s.per_form_per_hour, s.per_form_per_hour),
            per_signin_form: keyed_per_hour(
                s.receipt_attempts_per_form,
                s.receipt_attempts_per_form,
            ),
            per_session: keyed_per_hour(
                s.messages_per_session_per_hour,
                s.messages_per_session_per_hour.div_ceil(2),
            ),
            per_ip: (s.per_ip_per_minute > 0).then(|| {
                DefaultKeyedRateLimiter::keyed(
                    Quota::per_minute(nz(s.per_ip_per_minute)).allow_burst(nz(s.per_ip_per_minute)),
                )
            }),
        }
    }

    /// The settings these limiters were built from.
    pub fn settings(&self) -> &RateSettings {
        &self.settings
    }

    /// One more submission under the ceiling (and from this IP, if limited per IP). Checked
    /// before the request's body is read.
    pub fn allow_submission(&self, ip: Option<IpAddr>) -> bool {
        if let (Some(limiter), Some(ip)) = (&self.per_ip, ip)
            && limiter.check_key(&ip).is_err()
        {
            return false;
        }
        self.intake.check().is_ok()
    }

    /// One more form (one-time token) issued under the ceiling.
    pub fn allow_form_issue(&self) -> bool {
        self.forms.check().is_ok()
    }

    /// One more receipt sign-in attempt under the ceiling (guessing is also slowed per report
    /// in the database, and per sign-in form).
    pub fn allow_receipt_attempt(&self) -> bool {
        self.receipts.check().is_ok()
    }

    /// One more receipt sign-in attempt with this sign-in form.
    pub fn allow_signin_form(&self, token_random: &[u8; 16]) -> bool {
        self.per_signin_form.check_key(token_random).is_ok()
    }

    /// One more submission of this form.
    pub fn allow_form(&self, token_random: &[u8; 16]) -> bool {
        self.per_form.check_key(token_random).is_ok()
    }

    /// One more message from this follow-up session (its id hash).
    pub fn allow_message(&self, session_id_hash: &[u8]) -> bool {
        self.per_session
            .check_key(&session_id_hash.to_vec())
            .is_ok()
    }

    /// Forgets idle keys; run periodically so memory stays small.
    pub fn forget_idle(&self) {
        self.per_form.retain_recent();
        self.per_signin_form.retain_recent();
        self.per_session.retain_recent();
        if let Some(l) = &self.per_ip {
            l.retain_recent();
        }
    }
}

impl std::fmt::Debug for RateLimits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RateLimits")
    }
}

/// The value of the cookie `name` sent with a request, if any (pairs that do not parse are
/// skipped).
pub fn cookie(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_owned())
}

/// The `Set-Cookie` value of a session cookie: no expiry (it ends with the browser), only sent
/// to `path`, out of reach of scripts, never sent along from another site, and only over HTTPS
/// when `secure`.
pub fn session_cookie(
    name: &'static str,
    value: &str,
    path: &'static str,
    secure: bool,
) -> HeaderValue {
    let cookie = cookie::Cookie::build((name, value))
        .path(path)
        .http_only(true)
        .same_site(cookie::SameSite::Strict)
        .secure(secure)
        .build();
    HeaderValue::from_str(&cookie.to_string()).unwrap_or_else(|_| cleared_cookie(name, path))
}

/// The `Set-Cookie` value that removes the cookie `name` set for `path`.
pub fn cleared_cookie(name: &'static str, path: &'static str) -> HeaderValue {
    let cookie = cookie::Cookie::build((name, ""))
        .path(path)
        .http_only(true)
        .same_site(cookie::SameSite::Strict)
        .max_age(cookie::time::Duration::ZERO)
        .build();
    // Names and paths are this crate's constants (the tests below check the result), so this
    // cannot fail; an empty value would be ignored by browsers.
    HeaderValue::from_str(&cookie.to_string()).unwrap_or_else(|_| HeaderValue::from_static(""))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderMap;

    #[test]
    fn cookies_carry_every_attribute() {
        assert_eq!(
            session_cookie("tipline_staff", "abc", "/staff", true),
            "tipline_staff=abc; HttpOnly; SameSite=Strict; Secure; Path=/staff"
        );
        assert_eq!(
            session_cookie("tipline_followup", "abc", "/followup", false),
            "tipline_followup=abc; HttpOnly; SameSite=Strict; Path=/followup"
        );
        assert_eq!(
            cleared_cookie("tipline_staff", "/staff"),
            "tipline_staff=; HttpOnly; SameSite=Strict; Path=/staff; Max-Age=0"
        );
    }

    #[test]
    fn the_named_cookie_is_read_from_every_cookie_header() {
        let mut headers = HeaderMap::new();
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("a=1; broken; b = 2"),
        );
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("tipline_staff=XYZ"),
        );
        assert_eq!(cookie(&headers, "a").as_deref(), Some("1"));
        assert_eq!(cookie(&headers, "b").as_deref(), Some("2"));
        assert_eq!(cookie(&headers, "tipline_staff").as_deref(), Some("XYZ"));
        assert_eq!(cookie(&headers, "broken"), None);
        assert_eq!(cookie(&headers, "c"), None);
    }
}
