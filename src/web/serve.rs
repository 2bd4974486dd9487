//! Serving HTTP with bounds a handful of slow or large clients cannot exhaust: a cap on open
//! connections, a deadline for a request's headers (a half-sent request is dropped, an idle
//! keep-alive connection too), a deadline for the whole request (longer where files are
//! uploaded), and a graceful stop that lets requests in flight finish.
//!
//! hyper's own HTTP/1 connection is driven here rather than through `axum::serve`, which has no
//! header-read timeout and no connection cap.

use super::AppState;
use axum::Router;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

/// The bounds on connections and requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServeLimits {
    /// Most connections open at once; further clients wait in the kernel's queue until one
    /// closes (the header deadline frees a slot held by a silent client within that time).
    pub max_connections: usize,
    /// Longest wait for a request's headers, from the moment the connection waits for one.
    pub header_timeout: Duration,
    /// Longest time to read and answer a request that carries no files.
    pub request_timeout: Duration,
    /// Longest time to read and answer a request that uploads files (a slow phone over Tor).
    pub upload_timeout: Duration,
}

impl Default for ServeLimits {
    fn default() -> Self {
        Self {
            max_connections: 1024,
            header_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            upload_timeout: Duration::from_secs(600),
        }
    }
}

/// The routes whose POST carries files: they get the large body limit and the long deadline.
pub const UPLOAD_ROUTES: &[&str] = &["/report", "/api/v1/reports", "/followup/report/messages"];

/// Whether this request may upload files.
pub fn is_upload(method: &Method, route: Option<&str>) -> bool {
    method == Method::POST && route.is_some_and(|r| UPLOAD_ROUTES.contains(&r))
}

/// Middleware: ends a request that takes longer than its deadline with 408.
pub async fn deadline(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let limits = state.serve_limits;
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned());
    let limit = if is_upload(request.method(), route.as_deref()) {
        limits.upload_timeout
    } else {
        limits.request_timeout
    };
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => super::error::TimedOut.into_response(),
    }
}

/// Serves `app` on `listener` within `limits` until `stop` completes, then lets the requests in
/// flight finish (at most `grace`).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ServeLimits,
    stop: impl Future<Output = ()> + Send,
    grace: Duration,
) {
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .keep_alive(true);
    tokio::pin!(stop);
    loop {
        let slot = tokio::select! {
            slot = Arc::clone(&slots).acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
            () = &mut stop => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors or a connection reset before accept: wait a
                    // moment rather than spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let _ = stream.set_nodelay(true);
        let service = app
            .clone()
            .map_request(move |mut request: Request<Incoming>| {
                request.extensions_mut().insert(ConnectInfo(peer));
                request.map(axum::body::Body::new)
            });
        let connection =
            builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            // A connection that ends badly (reset, header deadline) is not worth a log line.
            let _ = connection.await;
            drop(slot);
        });
    }
    drop(listener);
    if tokio::time::timeout(grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("requests still running at shutdown were cut off");
    }
}
