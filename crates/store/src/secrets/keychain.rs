//! [`KeychainSecrets`]: the OS keychain through the `keyring` crate
//! (Secret Service on Linux, Keychain on macOS, Credential Manager on
//! Windows).

use super::{SecretError, SecretStore};

/// Secrets in the OS keychain, under the service `service`.
#[derive(Debug, Clone)]
pub struct KeychainSecrets {
    service: String,
}

impl KeychainSecrets {
    /// The keychain, if one answers: a lookup of a name that does not exist
    /// must come back as "no entry", not as a platform failure. A locked
    /// keychain still answers a lookup, so it passes; reading a secret from
    /// it then fails with [`SecretError::Locked`].
    pub fn probe(service: &str) -> Result<Self, SecretError> {
        let store = Self {
            service: service.to_owned(),
        };
        store.get("probe")?;
        Ok(store)
    }

    fn entry(&self, name: &str) -> Result<keyring::Entry, SecretError> {
        keyring::Entry::new(&self.service, name)
            .map_err(|err| SecretError::from_keychain(name, err))
    }
}

impl SecretStore for KeychainSecrets {
    fn get(&self, name: &str) -> Result<Option<Vec<u8>>, SecretError> {
        match self.entry(name)?.get_secret() {
            Ok(secret) => Ok(Some(secret)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(err) => Err(SecretError::from_keychain(name, err)),
        }
    }

    fn set(&self, name: &str, secret: &[u8]) -> Result<(), SecretError> {
        self.entry(name)?
            .set_secret(secret)
            .map_err(|err| SecretError::from_keychain(name, err))
    }

    fn delete(&self, name: &str) -> Result<(), SecretError> {
        match self.entry(name)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(err) => Err(SecretError::from_keychain(name, err)),
        }
    }

    fn is_keychain(&self) -> bool {
        true
    }
}
