//! The kept session: the user in `session.json` (tauri-plugin-store), the
//! token in the secret store, never in a plain file.

use std::sync::Arc;

use larder_core::{
    secrets::SESSION_TOKEN, CoreError, PersistedSession, SecretStore, SessionPersistence,
};
use larder_protocol::User;
use tauri::{AppHandle, Runtime};
use tauri_plugin_store::{Store, StoreExt};

use super::{PersistenceError, StorePaths, SESSION_STORE};
use crate::SetupError;

/// The session kept in `session.json` (the user) and the secret store
/// (the token).
pub struct StoreSessions<R: Runtime> {
    store: Arc<Store<R>>,
    secrets: Arc<dyn SecretStore>,
}

impl<R: Runtime> std::fmt::Debug for StoreSessions<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreSessions")
            .field("secrets", &self.secrets)
            .finish_non_exhaustive()
    }
}

impl<R: Runtime> StoreSessions<R> {
    pub fn open(
        app: &AppHandle<R>,
        paths: &StorePaths,
        secrets: Arc<dyn SecretStore>,
    ) -> Result<Self, SetupError> {
        Ok(Self {
            store: app.store(&paths.session)?,
            secrets,
        })
    }
}

fn store_error(source: tauri_plugin_store::Error) -> CoreError {
    PersistenceError::Store {
        file: SESSION_STORE,
        source,
    }
    .into()
}

impl<R: Runtime> SessionPersistence for StoreSessions<R> {
    fn load(&self) -> Result<Option<PersistedSession>, CoreError> {
        let Some(user) = self.kept_user() else {
            return Ok(None);
        };
        let token = self
            .secrets
            .get(SESSION_TOKEN)?
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .filter(|token| !token.is_empty());
        Ok(token.map(|token| PersistedSession { user, token }))
    }

    fn kept_user(&self) -> Option<User> {
        self.store
            .get("user")
            .and_then(|value| serde_json::from_value::<User>(value).ok())
    }

    fn save(&self, session: &PersistedSession) -> Result<(), CoreError> {
        self.secrets.set(SESSION_TOKEN, session.token.as_bytes())?;
        let user = serde_json::to_value(&session.user).map_err(|source| {
            CoreError::from(PersistenceError::Encode {
                what: "the user",
                source,
            })
        })?;
        self.store.set("user", user);
        self.store.save().map_err(store_error)
    }

    fn clear(&self) -> Result<(), CoreError> {
        self.secrets.delete(SESSION_TOKEN)?;
        self.store.delete("user");
        self.store.save().map_err(store_error)
    }
}
