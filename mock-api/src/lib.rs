//! mock-api: the strict upstream that Larder's backend calls and caches.
//!
//! It stands in for a real dashboard API: fake sign-in with bearer tokens,
//! five widgets and the role widgets with realistic payloads and deliberate delays (scalable for
//! tests), ETags, and JSON errors for every failure.
//!
//! The router is a library (`app`), so tests drive it with `oneshot` and the
//! desktop app can embed it in-process; `main.rs` only parses flags.
//!
//! # Layout
//! - [`config`]: the server's knobs (delay scale, jitter, ...).
//! - [`state`]: shared state: sessions, users, mutations.
//! - [`sessions`]: live sessions by token hash, optionally kept in a file.
//! - [`stats`], [`rate_limit`], [`faults`]: request counts, the per-token
//!   limit and injected faults.
//! - [`data`], [`profile_data`], [`post_data`], [`role_data`]:
//!   deterministic, per-user payloads.
//! - [`error`]: the one error type, rendered as `{"error", "code"}`.
//! - [`routes`]: one module per resource.
//! - [`testing`] (the `testing` feature): the kit Larder's tests use.

pub mod config;
pub mod data;
pub mod error;
pub mod faults;
pub mod idempotency;
pub mod post_data;
pub mod profile_data;
pub mod rate_limit;
pub mod role_data;
pub mod routes;
pub mod sessions;
pub mod state;
pub mod stats;
#[cfg(any(test, feature = "testing"))]
pub mod testing;

use std::{future::Future, net::SocketAddr, time::Instant};

use axum::{
    extract::{DefaultBodyLimit, Request, State},
    http::HeaderValue,
    middleware::Next,
    response::{IntoResponse, Response},
    Router,
};
use tokio::net::TcpListener;

pub use config::Config;
pub use error::ApiError;
pub use state::AppState;

/// The largest request body accepted.
pub const BODY_LIMIT: usize = 64 * 1024;

/// Builds the API's router over `state`. The `/__admin/` test controls are
/// only routed when the config enables them.
pub fn app(state: AppState) -> Router {
    let mut router = routes::router();
    if state.config().test_controls {
        router = router.merge(routes::test_controls::router());
    }
    router
        .fallback(|| async { ApiError::RouteNotFound })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            count_and_limit,
        ))
        .layer(axum::middleware::from_fn(response_time))
        .with_state(state)
}

/// Counts every request (except the test controls') by route and user, and
/// applies the per-token rate limit.
async fn count_and_limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if path.starts_with("/__admin/") {
        return next.run(request).await;
    }
    let route = format!("{} {}", request.method(), path);
    let token = routes::bearer_token(request.headers()).map(str::to_owned);
    let user = token.as_deref().and_then(|t| state.session_user(t));
    state
        .stats()
        .record(&route, user.as_ref().map(|u| u.id.as_str()));
    if let (Some(token), Some(_)) = (&token, &user) {
        if let Err(wait) = state.limiter().check(token) {
            let retry_after_secs = wait.as_secs_f64().ceil().max(1.0) as u64;
            return ApiError::RateLimited { retry_after_secs }.into_response();
        }
    }
    next.run(request).await
}

/// Adds `X-Response-Time` (milliseconds) to every response.
async fn response_time(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let mut response = next.run(request).await;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    if let Ok(value) = HeaderValue::from_str(&format!("{ms:.1}ms")) {
        response.headers_mut().insert("x-response-time", value);
    }
    response
}

/// Serves the API on `listener` until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown)
        .await
}

/// A server running in the background of the current tokio runtime, for
/// embedding in the desktop app and for tests. Dropping it shuts it down.
#[derive(Debug)]
pub struct RunningServer {
    addr: SocketAddr,
    state: AppState,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl RunningServer {
    /// Binds `127.0.0.1:0` (an ephemeral port) and serves `config` there.
    pub async fn start(config: Config) -> std::io::Result<Self> {
        Self::start_at(config, SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// Serves `config` at `addr`: for a test that stops the API and brings
    /// it back at the same address.
    pub async fn start_at(config: Config, addr: SocketAddr) -> std::io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let state = AppState::new(config);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let served = state.clone();
        tokio::spawn(async move {
            let shutdown = async move {
                // Either an explicit stop or the handle being dropped.
                let _ = stopped.await;
            };
            if let Err(err) = serve(listener, served, shutdown).await {
                tracing::error!(%err, "mock-api stopped with an error");
            }
        });
        Ok(Self {
            addr,
            state,
            _stop: stop,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL, for example `http://127.0.0.1:40123`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }
}
