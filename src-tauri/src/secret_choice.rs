//! Where the cache's keys and the session token are kept, decided here
//! and only here, in this order: `LARDER_SECRETS` (`keychain` or `file`,
//! for scripts and CI), the choice just made in the window, the
//! `secretStore` setting, the OS keychain. Without a keychain and without
//! a choice, [`choose`] says so, and the window offers one.
//!
//! A choice that differs from where the keys were names the other store
//! as [`SecretChoice::previous`]: the core moves its keys over at start.

use std::{path::Path, sync::Arc};

use larder_core::{FileSecrets, KeychainSecrets, SecretStore};
use larder_protocol::SecretStoreChoice;

use crate::persistence::PersistenceError;

/// Chooses where secrets live: `keychain` (the default) or `file`.
pub const SECRETS_ENV: &str = "LARDER_SECRETS";
/// The keychain service name.
pub const KEYCHAIN_SERVICE: &str = "dev.larder.desktop";

/// The store in use, and the one chosen before whose keys move into it.
#[derive(Debug)]
pub struct SecretChoice {
    pub store: Arc<dyn SecretStore>,
    pub previous: Option<Arc<dyn SecretStore>>,
}

/// [`SECRETS_ENV`]'s value that, in development builds only, makes every
/// keychain absent.
pub const NO_KEYCHAIN_FOR_TESTS: &str = "absent-keychain";

/// The secret store (see the module's order): `window` is the choice just
/// made in the window, `setting` the saved one; `secrets_dir` holds the
/// file store.
pub fn choose(
    secrets_dir: &Path,
    window: Option<SecretStoreChoice>,
    setting: Option<SecretStoreChoice>,
) -> Result<SecretChoice, PersistenceError> {
    let choice = window.or(setting);
    let variable = std::env::var(SECRETS_ENV).ok();
    // Development builds only: the keychain answers nowhere, as on a
    // machine without one, whatever the OS (the end-to-end tests' way to
    // the choice in the window). Release builds refuse the value.
    let absent = cfg!(debug_assertions) && variable.as_deref() == Some(NO_KEYCHAIN_FOR_TESTS);
    let from_environment = match variable.as_deref().map(str::trim) {
        Some("file") => Some(SecretStoreChoice::File),
        Some("keychain") => Some(SecretStoreChoice::Keychain),
        None | Some("") => None,
        Some(NO_KEYCHAIN_FOR_TESTS) if absent => None,
        Some(other) => {
            return Err(PersistenceError::SecretsChoice {
                variable: SECRETS_ENV,
                value: other.chars().take(32).collect(),
            })
        }
    };
    let in_use = from_environment.or(choice).unwrap_or_default();
    let store: Arc<dyn SecretStore> = match in_use {
        SecretStoreChoice::File => {
            Arc::new(FileSecrets::open(secrets_dir).map_err(PersistenceError::FileSecrets)?)
        }
        SecretStoreChoice::Keychain if absent => {
            return Err(PersistenceError::NoKeychain(
                larder_core::SecretError::unavailable("no keychain (a development build's switch)"),
            ))
        }
        SecretStoreChoice::Keychain => Arc::new(
            KeychainSecrets::probe(KEYCHAIN_SERVICE).map_err(PersistenceError::NoKeychain)?,
        ),
    };
    // The environment's choice is for one run (a script, CI): it moves no
    // keys out of the store the settings keep them in.
    let previous = match from_environment {
        Some(_) => None,
        None => other_store(secrets_dir, in_use),
    };
    Ok(SecretChoice { store, previous })
}

/// The store other than `in_use`, where it exists: its keys move into the
/// one in use (best effort: what cannot move now stays where it is,
/// readable after switching back).
fn other_store(secrets_dir: &Path, in_use: SecretStoreChoice) -> Option<Arc<dyn SecretStore>> {
    match in_use {
        SecretStoreChoice::Keychain if secrets_dir.join("master.key").is_file() => {
            FileSecrets::open(secrets_dir)
                .ok()
                .map(|store| Arc::new(store) as Arc<dyn SecretStore>)
        }
        SecretStoreChoice::File => KeychainSecrets::probe(KEYCHAIN_SERVICE)
            .ok()
            .map(|store| Arc::new(store) as Arc<dyn SecretStore>),
        SecretStoreChoice::Keychain => None,
    }
}
