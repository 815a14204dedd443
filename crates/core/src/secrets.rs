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
//! [`seal`] and [`open`] are the cipher both the cache and [`FileSecrets`]
//! use: AES-256-GCM with a random 96-bit nonce and the secret's context
//! (partition and entry key, or secret name) bound as associated data, so a
//! value moved to another key or user never decrypts.

use std::{
    fmt,
    path::{Path, PathBuf},
    sync::{Arc, Mutex, PoisonError},
};

use aes_gcm::{
    aead::{Aead, KeyInit, Payload},
    Aes256Gcm, Nonce,
};
use rand::RngCore;

use crate::CoreError;

/// A 256-bit key. Its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretKey([u8; 32]);

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(..)")
    }
}

impl SecretKey {
    pub fn random() -> Self {
        let mut bytes = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut bytes);
        Self(bytes)
    }

    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        <[u8; 32]>::try_from(bytes).ok().map(Self)
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

/// The sealed format's version byte.
const SEALED_V1: u8 = 1;
const NONCE_LEN: usize = 12;

/// Encrypts `plaintext` under `key`, bound to `context`.
pub fn seal(key: &SecretKey, context: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, CoreError> {
    let cipher = Aes256Gcm::new(key.as_bytes().into());
    let mut nonce = [0u8; NONCE_LEN];
    rand::thread_rng().fill_bytes(&mut nonce);
    let sealed = cipher
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: plaintext,
                aad: context,
            },
        )
        .map_err(|_| CoreError::Cache("a value could not be encrypted".into()))?;
    let mut out = Vec::with_capacity(1 + NONCE_LEN + sealed.len());
    out.push(SEALED_V1);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&sealed);
    Ok(out)
}

/// Decrypts what [`seal`] made with the same key and context; `None` for
/// anything else (another key, another context, a damaged value).
pub fn open(key: &SecretKey, context: &[u8], sealed: &[u8]) -> Option<Vec<u8>> {
    let (&version, rest) = sealed.split_first()?;
    if version != SEALED_V1 || rest.len() < NONCE_LEN {
        return None;
    }
    let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
    Aes256Gcm::new(key.as_bytes().into())
        .decrypt(
            Nonce::from_slice(nonce),
            Payload {
                msg: ciphertext,
                aad: context,
            },
        )
        .ok()
}

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

/// Secrets sealed under a master key in `<dir>/master.key` (0600), each in
/// `<dir>/<name>.sealed` (0600).
#[derive(Debug)]
pub struct FileSecrets {
    dir: PathBuf,
    master: SecretKey,
}

fn io_error(what: &str, err: std::io::Error) -> CoreError {
    CoreError::Cache(format!("{what}: {err}"))
}

/// Writes `bytes` to `path` atomically, readable by its owner only.
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), CoreError> {
    use std::io::Write;
    let fail = |err| io_error("a secret could not be written", err);
    // A temporary name of its own, so concurrent writers never share one.
    let tmp = path.with_extension(format!("tmp{:016x}", rand::random::<u64>()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&tmp).map_err(fail)?;
    file.write_all(bytes).map_err(fail)?;
    file.sync_all().map_err(fail)?;
    std::fs::rename(&tmp, path).map_err(fail)
}

impl FileSecrets {
    /// Opens (or creates) the store in `dir`. A master key file that is
    /// not a key is replaced, with a warning: the secrets it sealed are
    /// lost (the user signs in again), nothing else is.
    pub fn open(dir: &Path) -> Result<Self, CoreError> {
        std::fs::create_dir_all(dir)
            .map_err(|err| io_error("the secrets folder could not be made", err))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
        }
        let path = dir.join("master.key");
        let master = match std::fs::read(&path) {
            Ok(bytes) => SecretKey::from_bytes(&bytes),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => None,
            Err(err) => return Err(io_error("the master key could not be read", err)),
        };
        let master = match master {
            Some(master) => master,
            None => {
                if path.exists() {
                    tracing::warn!("the master key file is damaged; a new one replaces it");
                }
                let master = SecretKey::random();
                write_private(&path, master.as_bytes())?;
                master
            }
        };
        tracing::warn!(
            dir = %dir.display(),
            "secrets are kept in a private key file, not an OS keychain"
        );
        Ok(Self {
            dir: dir.to_owned(),
            master,
        })
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.sealed"))
    }
}

impl SecretStore for FileSecrets {
    fn get(&self, name: &str) -> Result<Option<Vec<u8>>, CoreError> {
        match std::fs::read(self.path(name)) {
            Ok(sealed) => Ok(open(&self.master, name.as_bytes(), &sealed)),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(err) => Err(io_error("a secret could not be read", err)),
        }
    }

    fn set(&self, name: &str, secret: &[u8]) -> Result<(), CoreError> {
        write_private(
            &self.path(name),
            &seal(&self.master, name.as_bytes(), secret)?,
        )
    }

    fn delete(&self, name: &str) -> Result<(), CoreError> {
        match std::fs::remove_file(self.path(name)) {
            Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
                Err(io_error("a secret could not be deleted", err))
            }
            _ => Ok(()),
        }
    }

    fn is_keychain(&self) -> bool {
        false
    }
}

/// Secrets in the OS keychain, under the service `service`.
#[derive(Debug, Clone)]
pub struct KeychainSecrets {
    service: String,
}

fn keychain_error(err: keyring::Error) -> CoreError {
    CoreError::Cache(format!("the keychain failed: {err}"))
}

impl KeychainSecrets {
    /// The keychain, if one answers: a lookup of a name that does not exist
    /// must come back as "no entry", not as a platform failure.
    pub fn probe(service: &str) -> Result<Self, CoreError> {
        let store = Self {
            service: service.to_owned(),
        };
        store.get("probe")?;
        Ok(store)
    }

    fn entry(&self, name: &str) -> Result<keyring::Entry, CoreError> {
        keyring::Entry::new(&self.service, name).map_err(keychain_error)
    }
}

impl SecretStore for KeychainSecrets {
    fn get(&self, name: &str) -> Result<Option<Vec<u8>>, CoreError> {
        match self.entry(name)?.get_secret() {
            Ok(secret) => Ok(Some(secret)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(err) => Err(keychain_error(err)),
        }
    }

    fn set(&self, name: &str, secret: &[u8]) -> Result<(), CoreError> {
        self.entry(name)?.set_secret(secret).map_err(keychain_error)
    }

    fn delete(&self, name: &str) -> Result<(), CoreError> {
        match self.entry(name)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(err) => Err(keychain_error(err)),
        }
    }

    fn is_keychain(&self) -> bool {
        true
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
    fn sealed_values_open_only_with_their_key_and_context() {
        let key = SecretKey::random();
        let sealed = seal(&key, b"user.a\0widget:1", b"payload").expect("sealed");
        assert_eq!(
            open(&key, b"user.a\0widget:1", &sealed).as_deref(),
            Some(&b"payload"[..])
        );
        assert_eq!(
            open(&key, b"user.b\0widget:1", &sealed),
            None,
            "another user"
        );
        assert_eq!(
            open(&key, b"user.a\0widget:2", &sealed),
            None,
            "another entry"
        );
        assert_eq!(
            open(&SecretKey::random(), b"user.a\0widget:1", &sealed),
            None,
            "another key"
        );
        for i in 0..sealed.len() {
            let mut flipped = sealed.clone();
            flipped[i] ^= 0x40;
            assert_eq!(open(&key, b"user.a\0widget:1", &flipped), None, "byte {i}");
        }
        assert_eq!(open(&key, b"", &[]), None);
        assert!(
            !sealed.windows(7).any(|w| w == b"payload"),
            "ciphertext, not plaintext"
        );
    }

    #[test]
    fn file_secrets_survive_a_reopen_and_are_never_plaintext() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = FileSecrets::open(dir.path()).expect("opens");
        store.set(SESSION_TOKEN, b"tok_very_secret").expect("set");
        let reopened = FileSecrets::open(dir.path()).expect("reopens");
        assert_eq!(
            reopened.get(SESSION_TOKEN).expect("get").as_deref(),
            Some(&b"tok_very_secret"[..])
        );
        for entry in std::fs::read_dir(dir.path()).expect("list") {
            let path = entry.expect("entry").path();
            let bytes = std::fs::read(&path).expect("read");
            assert!(
                !bytes.windows(15).any(|w| w == b"tok_very_secret"),
                "{}",
                path.display()
            );
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
                assert_eq!(mode & 0o077, 0, "{} is private", path.display());
            }
        }
        reopened.delete(SESSION_TOKEN).expect("delete");
        assert_eq!(reopened.get(SESSION_TOKEN).expect("get"), None);
        reopened
            .delete(SESSION_TOKEN)
            .expect("deleting twice is fine");
    }

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
