//! [`KeychainSecrets`]: the OS keychain through the `keyring` crate
//! (Secret Service on Linux, Keychain on macOS, Credential Manager on
//! Windows).

use super::SecretStore;
use crate::CoreError;

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
