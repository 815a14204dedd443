//! Larder's logic, free of any GUI: it can be tested with plain `cargo test`
//! against the real mock API, with no webview.
//!
//! # Layout
//! - [`cache`]: the per-user sled cache: entry frames with checksums,
//!   storage with crash recovery, and freshness policy.
//! - [`client`]: the HTTP client for the upstream API (timeouts, error
//!   mapping).
//! - [`retry`]: the retry policy (backoff with jitter, `Retry-After`).
//! - [`service`]: [`Larder`], the session holder the desktop commands call.
//! - [`error`]: [`CoreError`], the crate's one error type, and its mapping to
//!   the wire's `CommandError`.

pub mod cache;
pub mod client;
pub mod error;
pub mod retry;
pub mod service;

pub use client::ApiClient;
pub use error::CoreError;
pub use service::Larder;

/// The current time in Unix milliseconds.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or_default()
}
