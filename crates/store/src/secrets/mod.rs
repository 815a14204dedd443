//! Secrets at rest: the per-user cache keys and the session token.
//!
//! [`SecretStore`] keeps small named secrets. Two stores exist:
//! - [`KeychainSecrets`]: the OS keychain through the `keyring` crate
//!   (Secret Service on Linux, Keychain on macOS, Credential Manager on
//!   Windows);
//! - [`FileSecrets`]: for machines without one, chosen by the user when no
//!   keychain answers (or with `LARDER_SECRETS=file`), never silently: each
//!   secret is sealed with AES-256-GCM under a master key
//!   kept in a file only its owner can read (0600), so no secret is ever
//!   written in plaintext.
//!
//! [`seal`] and [`open`] ([`cipher`]) are the cipher both the cache and [`FileSecrets`]
//! use: AES-256-GCM with a random 96-bit nonce and the secret's context
//! (partition and entry key, or secret name) bound as associated data, so a
//! value moved to another key or user never decrypts.

mod cache_keys;
mod cipher;
mod error;
mod file;
mod keychain;
mod migrate;

use std::{
    fmt,
    sync::{Mutex, PoisonError},
};

pub use cache_keys::{fitting_key, CacheKeys};
pub use cipher::{open, seal, sealed_key_id, KeyId, OpenError, SecretKey};
pub use error::SecretError;
pub use file::FileSecrets;
pub use keychain::KeychainSecrets;
pub use migrate::move_secrets;

/// Small named secrets. Names are Larder's own (`cache-key.user.<hash>`,
/// `session-token`), never user input.
pub trait SecretStore: Send + Sync + fmt::Debug {
    /// The secret, `None` when the store answers that it does not exist.
    fn get(&self, name: &str) -> Result<Option<Vec<u8>>, SecretError>;
    fn set(&self, name: &str, secret: &[u8]) -> Result<(), SecretError>;
    fn delete(&self, name: &str) -> Result<(), SecretError>;
    /// Whether this is an OS keychain (a key kept there may outlive a
    /// sign-out for offline use; a key in a file may not).
    fn is_keychain(&self) -> bool;
}

/// The secret holding a partition's cache key.
pub fn cache_key_name(partition: &str) -> String {
    format!("cache-key.{partition}")
}

/// The secret that held the one session token before Larder kept several
/// accounts; it is moved to its account's own name on first use.
pub const SESSION_TOKEN: &str = "session-token";

/// The secret holding the session token of the account whose cache lives
/// in `partition` (named by partition, so the keychain never shows a user
/// id).
pub fn session_token_name(partition: &str) -> String {
    format!("session-token.{partition}")
}

/// Secrets in memory only (tests). [`MemorySecrets::as_keychain`] makes one
/// that behaves as a keychain would.
#[derive(Debug, Default)]
pub struct MemorySecrets {
    secrets: Mutex<std::collections::HashMap<String, Vec<u8>>>,
    keychain: bool,
}

impl MemorySecrets {
    pub fn as_keychain() -> Self {
        Self {
            keychain: true,
            ..Self::default()
        }
    }
}

impl SecretStore for MemorySecrets {
    fn get(&self, name: &str) -> Result<Option<Vec<u8>>, SecretError> {
        Ok(self
            .secrets
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(name)
            .cloned())
    }
    fn set(&self, name: &str, secret: &[u8]) -> Result<(), SecretError> {
        self.secrets
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(name.to_owned(), secret.to_vec());
        Ok(())
    }
    fn delete(&self, name: &str) -> Result<(), SecretError> {
        self.secrets
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(name);
        Ok(())
    }
    fn is_keychain(&self) -> bool {
        self.keychain
    }
}
