//! Larder's storage engine: the per-user sled cache and the outbox's
//! records on disk, sealed under per-user keys. It knows nothing of HTTP,
//! sessions or widgets: the core decides what to store and when; this
//! crate keeps it safe.
//!
//! # Layout
//! - [`entry`]: the frame every cached value is stored in (checksum,
//!   schema, fetch time).
//! - [`sealing`]: values sealed under their partition's key.
//! - [`store`]: [`CacheStore`], one database with a tree per user, and its
//!   memory tier ([`hot`]).
//! - [`layout`], [`compaction`], `live`: the folder's generations, the
//!   copy that shrinks it, and the swap to the new one while it runs.
//! - [`outbox_store`]: the outbox's records, sealed like the cache.
//! - [`retention`], [`eviction`]: what is kept across sign-outs, and what
//!   goes first when the folder is over its limit.
//! - [`secrets`]: keys and the token at rest (keychain or sealed files).
//! - [`error`]: [`StoreError`] and the folder's [`FolderError`].

pub mod compaction;
pub mod entry;
pub mod error;
pub mod eviction;
pub mod hot;
pub mod layout;
mod live;
pub mod outbox_store;
pub mod retention;
pub mod sealing;
pub mod secrets;
pub mod store;
mod trees;

pub use compaction::{compact, copy_live, live_bytes, needs_compaction, CompactionReport};
pub use entry::{CacheEntry, EntryError};
pub use error::{FolderError, StoreError};
pub use layout::{folder_bytes, CacheDir, LiveDb};
pub use live::OpenOutcome;
pub use secrets::{
    CacheKeys, FileSecrets, KeychainSecrets, MemorySecrets, SecretError, SecretStore,
};
pub use store::CacheStore;

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
