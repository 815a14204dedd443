//! The kept accounts: the list in `session.json` (tauri-plugin-store),
//! each token in the secret store, never in a plain file (see
//! [`larder_core::KeptSessions`]).
//!
//! `session.json` holds `accounts` (the users, in the order added) and
//! `shown` (the id of the account shown last). An older Larder kept one
//! `user` there; that form is read as a list of one, and rewritten in the
//! current form together with its token's move.

use std::sync::Arc;

use larder_core::{AccountList, CoreError, KeptAccounts, KeptSessions, SecretStore};
use larder_protocol::User;
use tauri::{AppHandle, Runtime};
use tauri_plugin_store::{Store, StoreExt};

use super::{PersistenceError, StorePaths, SESSION_STORE};
use crate::SetupError;

/// The list of accounts in `session.json`.
pub struct StoreAccounts<R: Runtime> {
    store: Arc<Store<R>>,
}

impl<R: Runtime> std::fmt::Debug for StoreAccounts<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreAccounts").finish_non_exhaustive()
    }
}

/// The accounts kept in `session.json`, their tokens in `secrets`.
pub fn open<R: Runtime>(
    app: &AppHandle<R>,
    paths: &StorePaths,
    secrets: Arc<dyn SecretStore>,
) -> Result<KeptSessions, SetupError> {
    let list = StoreAccounts {
        store: app.store(&paths.session)?,
    };
    Ok(KeptSessions::new(Box::new(list), secrets))
}

fn store_error(source: tauri_plugin_store::Error) -> CoreError {
    PersistenceError::Store {
        file: SESSION_STORE,
        source,
    }
    .into()
}

impl<R: Runtime> AccountList for StoreAccounts<R> {
    fn read(&self) -> (KeptAccounts, bool) {
        // A value that does not decode is read as nothing kept: the user
        // signs in again, and nothing in the cache is lost.
        if let Some(users) = self.store.get("accounts") {
            let users: Vec<User> = serde_json::from_value(users).unwrap_or_default();
            let shown = self
                .store
                .get("shown")
                .and_then(|shown| serde_json::from_value::<String>(shown).ok());
            return (KeptAccounts { users, shown }, false);
        }
        match self
            .store
            .get("user")
            .and_then(|user| serde_json::from_value::<User>(user).ok())
        {
            Some(user) => (KeptAccounts::default().with(&user), true),
            None => (KeptAccounts::default(), false),
        }
    }

    fn write(&self, accounts: &KeptAccounts) -> Result<(), CoreError> {
        let users = serde_json::to_value(&accounts.users).map_err(|source| {
            CoreError::from(PersistenceError::Encode {
                what: "the accounts",
                source,
            })
        })?;
        self.store.set("accounts", users);
        match &accounts.shown {
            Some(shown) => self.store.set("shown", shown.clone()),
            None => {
                self.store.delete("shown");
            }
        }
        self.store.delete("user");
        self.store.save().map_err(store_error)
    }
}

#[cfg(test)]
#[path = "session_file_tests.rs"]
mod tests;
