//! Secrets at rest: the per-user cache keys and the session token.
//!
//! [`SecretStore`] keeps small named secrets. Two stores exist:
//! - [`KeychainSecrets`]: the OS keychain through the `keyring` crate
//!   (Secret Service on Linux, Keychain on macOS, Credential Manager on
//!   Windows);
//! - [`FileSecrets`]: for machines without one (headless Linux, CI), chosen
//!   explicitly: each secret is sealed with AES-256-GCM under a master key
//!   kept in a file only its owner can read (0600), so no secret is ever
//!   written in plaintext.
//!
//! [`seal`] and [`open`] ([`cipher`]) are the cipher both the cache and [`FileSecrets`]
//! use: AES-256-GCM with a random 96-bit nonce and the secret's context
//! (partition and entry key, or secret name) bound as associated data, so a
//! value moved to another key or user never decrypts.

mod cipher;
mod file;
mod keychain;

use std::{
    fmt,
    sync::{Arc, Mutex, PoisonError},
};

pub use cipher::{open, seal, SecretKey};
pub use file::FileSecrets;
pub use keychain::KeychainSecrets;

use crate::CoreError;

/// Small named secrets. Names are Larder's own (`cache-key.user.<hash>`,
/// `session-token`), never user input.
pub trait SecretStore: Send + Sync + fmt::Debug {
    fn get(&self, name: &str) -> Result<Option<Vec<u8>>, CoreError>;
    fn set(&self, name: &str, secret: &[u8]) -> Result<(), CoreError>;
    fn delete(&self, name: &str) -> Result<(), CoreError>;
    /// Whether this is an OS keychain (a key kept there may outlive a
    /// sign-out for offline use; a key in a file may not).
    fn is_keychain(&self) -> bool;
}

/// The secret holding a partition's cache key.
pub fn cache_key_name(partition: &str) -> String {
    format!("cache-key.{partition}")
}

/// The secret holding the session token.
pub const SESSION_TOKEN: &str = "session-token";

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
    fn get(&self, name: &str) -> Result<Option<Vec<u8>>, CoreError> {
        Ok(self
            .secrets
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(name)
            .cloned())
    }
    fn set(&self, name: &str, secret: &[u8]) -> Result<(), CoreError> {
        self.secrets
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(name.to_owned(), secret.to_vec());
        Ok(())
    }
    fn delete(&self, name: &str) -> Result<(), CoreError> {
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

/// The cache keys, fetched from a [`SecretStore`] once per partition and
/// then kept in memory.
#[derive(Debug, Clone)]
pub struct CacheKeys {
    secrets: Arc<dyn SecretStore>,
    known: Arc<Mutex<std::collections::HashMap<String, SecretKey>>>,
}

impl CacheKeys {
    pub fn new(secrets: Arc<dyn SecretStore>) -> Self {
        Self {
            secrets,
            known: Arc::default(),
        }
    }

    pub fn secrets(&self) -> &Arc<dyn SecretStore> {
        &self.secrets
    }

    /// The key of `partition`, created on first use. The lock is held
    /// across the lookup and the creation, so concurrent first reads of a
    /// partition agree on one key.
    pub fn key(&self, partition: &str) -> Result<SecretKey, CoreError> {
        let mut known = self.known.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(key) = known.get(partition) {
            return Ok(key.clone());
        }
        let name = cache_key_name(partition);
        let key = match self
            .secrets
            .get(&name)?
            .as_deref()
            .and_then(SecretKey::from_bytes)
        {
            Some(key) => key,
            None => {
                let key = SecretKey::random();
                self.secrets.set(&name, key.as_bytes())?;
                key
            }
        };
        known.insert(partition.to_owned(), key.clone());
        Ok(key)
    }

    /// Forgets `partition`'s key, everywhere.
    pub fn delete(&self, partition: &str) -> Result<(), CoreError> {
        self.known
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(partition);
        self.secrets.delete(&cache_key_name(partition))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concurrent_first_uses_agree_on_one_key() {
        let dir = tempfile::tempdir().expect("temp dir");
        let secrets: Arc<dyn SecretStore> = Arc::new(FileSecrets::open(dir.path()).expect("opens"));
        let keys = CacheKeys::new(secrets.clone());
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let keys = keys.clone();
                std::thread::spawn(move || keys.key("user.a").expect("key"))
            })
            .collect();
        let got: Vec<SecretKey> = handles
            .into_iter()
            .map(|h| h.join().expect("joined"))
            .collect();
        assert!(got.windows(2).all(|pair| pair[0] == pair[1]));
        assert_eq!(
            CacheKeys::new(secrets).key("user.a").expect("key"),
            got[0],
            "the one kept"
        );
    }

    #[test]
    fn cache_keys_are_created_once_and_deleted_everywhere() {
        let secrets: Arc<dyn SecretStore> = Arc::new(MemorySecrets::default());
        let keys = CacheKeys::new(secrets.clone());
        let first = keys.key("user.a").expect("key");
        assert_eq!(
            CacheKeys::new(secrets.clone()).key("user.a").expect("key"),
            first,
            "kept"
        );
        assert_ne!(keys.key("user.b").expect("key"), first);
        keys.delete("user.a").expect("deleted");
        assert_eq!(secrets.get(&cache_key_name("user.a")).expect("get"), None);
        assert_ne!(
            keys.key("user.a").expect("key"),
            first,
            "a new key after deletion"
        );
    }
}
