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

/// Rate-limit settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateSettings {
    /// Reports accepted per second across all clients.
    pub intake_per_second: u32,
    /// Burst above that rate.
    pub intake_burst: u32,
    /// Submissions of one form (one token) per hour, counting corrected re-submissions.
    pub per_form_per_hour: u32,
    /// Submissions per minute from one IP address; 0 turns it off (behind Tor or a proxy,
    /// where every client has the same address).
    pub per_ip_per_minute: u32,
    /// Receipt sign-in attempts per second across all clients.
    pub receipt_attempts_per_second: u32,
}

impl Default for RateSettings {
    fn default() -> Self {
        Self {
            intake_per_second: 50,
            intake_burst: 200,
            per_form_per_hour: 30,
            per_ip_per_minute: 0,
            receipt_attempts_per_second: 5,
        }
    }
}

/// The in-memory limiters (lost on restart, never written to disk).
pub struct RateLimits {
    global: DefaultDirectRateLimiter,
    receipts: DefaultDirectRateLimiter,
    per_form: DefaultKeyedRateLimiter<[u8; 16]>,
    per_ip: Option<DefaultKeyedRateLimiter<IpAddr>>,
}

fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN)
}

impl RateLimits {
    pub fn new(s: RateSettings) -> Self {
        Self {
            global: DefaultDirectRateLimiter::direct(
                Quota::per_second(nz(s.intake_per_second)).allow_burst(nz(s.intake_burst)),
            ),
            receipts: DefaultDirectRateLimiter::direct(
                Quota::per_second(nz(s.receipt_attempts_per_second))
                    .allow_burst(nz(s.receipt_attempts_per_second.saturating_mul(5))),
            ),
            per_form: DefaultKeyedRateLimiter::keyed(
                Quota::per_hour(nz(s.per_form_per_hour)).allow_burst(nz(s.per_form_per_hour)),
            ),
            per_ip: (s.per_ip_per_minute > 0).then(|| {
                DefaultKeyedRateLimiter::keyed(
                    Quota::per_minute(nz(s.per_ip_per_minute)).allow_burst(nz(s.per_ip_per_minute)),
                )
            }),
        }
    }

    /// One more submission from anyone, from this IP (if limited per IP).
    pub fn allow_submission(&self, ip: Option<IpAddr>) -> bool {
        if let (Some(limiter), Some(ip)) = (&self.per_ip, ip)
            && limiter.check_key(&ip).is_err()
        {
            return false;
        }
        self.global.check().is_ok()
    }

    /// One more receipt sign-in attempt from anyone (guessing is throttled for everyone at
    /// once, and per report in the database).
    pub fn allow_receipt_attempt(&self) -> bool {
        self.receipts.check().is_ok()
    }

    /// One more submission of this form.
    pub fn allow_form(&self, token_random: &[u8; 16]) -> bool {
        self.per_form.check_key(token_random).is_ok()
    }

    /// Forgets idle keys; run periodically so memory stays small.
    pub fn forget_idle(&self) {
        self.per_form.retain_recent();
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

/// The value of the cookie `name` sent with a request, if any.
pub fn cookie(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, value)| value.to_owned())
}
