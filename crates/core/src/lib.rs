//! Larder's logic, free of any GUI: it can be tested with plain `cargo test`
//! against the real mock API, with no webview.
//!
//! # Layout
//! - [`cache`]: the per-user sled cache: entry frames with checksums,
//!   storage with crash recovery, and freshness policy.
//! - [`client`]: the HTTP client for the upstream API (timeouts, error
//!   mapping).
//! - [`connectivity`]: online, degraded or offline, from request outcomes.
//! - [`transport`]: the client's door to the network (or to an API in the
//!   same process, for the simulation).
//! - [`random`]: the source of randomness (seeded in the simulation).
//! - [`resource`]: what is cached: keys, URLs and body checks.
//! - [`retry`]: the retry policy (backoff with jitter, `Retry-After`).
//! - [`service`]: [`Larder`], the session holder the desktop commands call.
//! - [`session_store`]: keeping the session across restarts.
//! - [`secrets`]: keys and the token at rest (keychain or sealed files).
//! - [`error`]: [`CoreError`], the crate's one error type, and its mapping to
//!   the wire's `CommandError`.

pub mod auto_refresh;
pub mod cache;
pub mod client;
pub mod connectivity;
pub mod error;
pub mod random;
pub mod resource;
pub mod retry;
pub mod secrets;
pub mod service;
pub mod session_store;
pub mod transport;

pub use client::ApiClient;
pub use error::CoreError;
pub use resource::Resource;
pub use secrets::{
    CacheKeys, FileSecrets, KeychainSecrets, MemorySecrets, SecretError, SecretStore,
};
pub use service::{BackgroundGuard, Larder, NativeWindow, ProbeSchedule};
pub use session_store::{MemorySessions, PersistedSession, SessionPersistence};

/// The current time in Unix milliseconds.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or_default()
}

/// A short, stable stand-in for a user id in logs: logs never carry the id
/// itself (a real API's ids may be e-mail addresses), nor any token.
pub fn log_id(user_id: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("larder-log:{user_id}"));
    digest[..6].iter().map(|b| format!("{b:02x}")).collect()
}

/// A cache key as logs may carry it: keys that name a user
/// (`profile:<id>`, `posts:<id>:<page>`) have that part replaced by its
/// [`log_id`]; widget keys name no one and stay as they are.
pub fn log_key(key: &str) -> String {
    match key.split_once(':') {
        Some(("widget", _)) | None => key.to_owned(),
        Some((kind, rest)) => format!("{kind}:{}", log_id(rest)),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn log_ids_are_short_stable_and_opaque() {
        let id = super::log_id("alice@example.com");
        assert_eq!(id.len(), 12);
        assert_eq!(id, super::log_id("alice@example.com"));
        assert_ne!(id, super::log_id("bob@example.com"));
        assert!(!id.contains("alice"));
    }

    #[test]
    fn logged_keys_never_carry_a_user_id() {
        assert_eq!(super::log_key("widget:3"), "widget:3");
        let logged = super::log_key("posts:u_83f3a:2");
        assert!(
            logged.starts_with("posts:") && !logged.contains("u_83f3a"),
            "{logged}"
        );
        assert!(!super::log_key("profile:alice").contains("alice"));
    }
}
