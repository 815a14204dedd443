//! [`SecretError`]: what can go wrong keeping a secret. Each variant says
//! whether the secret may still exist, so callers never mistake "the
//! keychain is locked" for "there is no key" and never destroy data that a
//! later unlock could read.

use std::sync::Arc;

/// The keychain's own error, shared so [`SecretError`] stays `Clone` (a
/// command's error is handed to every caller of a shared fetch).
pub type KeychainSource = Arc<keyring::Error>;

impl SecretError {
    /// "The keychain is not available", for `reason`: what a machine with
    /// no keychain answers (and what a development build's switch that
    /// pretends so gives the window).
    pub fn unavailable(reason: &str) -> Self {
        Self::Unavailable {
            source: Arc::new(keyring::Error::NoStorageAccess(reason.to_owned().into())),
        }
    }
}

/// Why a secret could not be read, written or removed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum SecretError {
    /// The keychain did not answer (no Secret Service on D-Bus, the
    /// service crashed). The secret may well exist.
    #[error("the system keychain is not available")]
    Unavailable {
        #[source]
        source: KeychainSource,
    },
    /// The keychain answered but is locked, or the unlock prompt was
    /// dismissed. The secret may well exist.
    #[error("the system keychain is locked")]
    Locked {
        #[source]
        source: KeychainSource,
    },
    /// The operating system refused access (file permissions, a keychain
    /// access-control list).
    #[error("access to {what} was denied")]
    AccessDenied {
        what: &'static str,
        #[source]
        source: Arc<std::io::Error>,
    },
    /// The store answered that the secret does not exist, where it must.
    #[error("the secret {name} is not in the store")]
    NotFound { name: String },
    /// A file of the file store could not be read or written.
    #[error("{what} failed")]
    Io {
        what: &'static str,
        #[source]
        source: Arc<std::io::Error>,
    },
    /// The keychain refused the secret itself (too long, badly encoded).
    #[error("the keychain refused the secret {name}")]
    Rejected {
        name: String,
        #[source]
        source: KeychainSource,
    },
    /// Encryption failed (the cipher refused its input).
    #[error("a value could not be sealed")]
    Seal,
    /// A sealed secret did not open under its master key: the secret file
    /// was damaged or belongs to another master key.
    #[error("the sealed secret {name} does not open")]
    Open { name: String },
    /// The store answered a key that does not match the data already
    /// sealed for it (another key, say from another machine): nothing is
    /// read or written with it, and the data stays, waiting for its own.
    #[error("the key {name} does not match the data sealed under it")]
    Mismatch { name: String },
}

impl SecretError {
    /// A file-store I/O failure; permission problems get their own variant.
    pub fn io(what: &'static str, err: std::io::Error) -> Self {
        if err.kind() == std::io::ErrorKind::PermissionDenied {
            Self::AccessDenied {
                what,
                source: Arc::new(err),
            }
        } else {
            Self::Io {
                what,
                source: Arc::new(err),
            }
        }
    }

    /// Maps the keychain's error for the secret `name`. `NoEntry` is
    /// `NotFound`; callers that treat absence as normal check for it first.
    pub fn from_keychain(name: &str, err: keyring::Error) -> Self {
        match err {
            keyring::Error::NoEntry => Self::NotFound {
                name: name.to_owned(),
            },
            keyring::Error::NoStorageAccess(_) => Self::Locked {
                source: Arc::new(err),
            },
            // The Secret Service refuses a write into a locked collection
            // with its `IsLocked` error, which the keyring crate passes on
            // as a platform failure; its D-Bus error name is the only
            // place the fact survives.
            keyring::Error::PlatformFailure(ref inner)
                if inner.to_string().contains("Secret.Error.IsLocked") =>
            {
                Self::Locked {
                    source: Arc::new(err),
                }
            }
            keyring::Error::PlatformFailure(_) => Self::Unavailable {
                source: Arc::new(err),
            },
            other => Self::Rejected {
                name: name.to_owned(),
                source: Arc::new(other),
            },
        }
    }

    /// Whether the secret may exist and a later try (after an unlock, or
    /// once the keychain is back) may read it.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::Unavailable { .. } | Self::Locked { .. } | Self::AccessDenied { .. }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keychain_errors_keep_their_meaning() {
        let locked = SecretError::from_keychain(
            "k",
            keyring::Error::NoStorageAccess(Box::new(std::io::Error::other("locked"))),
        );
        assert!(matches!(locked, SecretError::Locked { .. }) && locked.is_transient());
        let gone = SecretError::from_keychain(
            "k",
            keyring::Error::PlatformFailure(Box::new(std::io::Error::other("no dbus"))),
        );
        assert!(matches!(gone, SecretError::Unavailable { .. }) && gone.is_transient());
        let refused_write = SecretError::from_keychain(
            "k",
            keyring::Error::PlatformFailure(Box::new(std::io::Error::other(
                "MethodError(\"org.freedesktop.Secret.Error.IsLocked\", \"Cannot create an item in a locked collection\")",
            ))),
        );
        assert!(matches!(refused_write, SecretError::Locked { .. }));
        let missing = SecretError::from_keychain("k", keyring::Error::NoEntry);
        assert!(matches!(missing, SecretError::NotFound { .. }) && !missing.is_transient());
        let denied = SecretError::io(
            "reading a secret",
            std::io::Error::from(std::io::ErrorKind::PermissionDenied),
        );
        assert!(matches!(denied, SecretError::AccessDenied { .. }));
        assert!(
            std::error::Error::source(&denied).is_some(),
            "the cause is kept"
        );
    }
}
