//! What the app keeps: the user's [`Settings`] in `settings.json` and the
//! non-secret part of the session (the user) in `session.json`, both with
//! tauri-plugin-store; the session token and the cache keys in a
//! [`SecretStore`]: the OS keychain, or, when chosen explicitly with
//! `LARDER_SECRETS=file`, sealed files under a private key file.

use std::{path::PathBuf, sync::Arc};

use larder_core::{
    secrets::SESSION_TOKEN, CoreError, FileSecrets, KeychainSecrets, PersistedSession, SecretStore,
    SessionPersistence,
};
use larder_protocol::{Settings, User};
use serde_json::{Map, Value};
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_store::{Store, StoreExt};

use crate::SetupError;

/// The store file that holds the user's settings.
pub const SETTINGS_STORE: &str = "settings.json";
/// The store file that holds the signed-in user (never the token).
pub const SESSION_STORE: &str = "session.json";
/// The folder of the file secret store, in the app's data folder.
pub const SECRETS_DIR: &str = "secrets";
/// Chooses where secrets live: `keychain` (the default) or `file`.
pub const SECRETS_ENV: &str = "LARDER_SECRETS";
/// The keychain service name.
pub const KEYCHAIN_SERVICE: &str = "dev.larder.desktop";

/// The secret store: the OS keychain unless `LARDER_SECRETS=file` chooses
/// the file store. Without a keychain and without that choice, this says
/// how to make it.
pub fn choose_secrets(paths: &StorePaths) -> Result<Arc<dyn SecretStore>, CoreError> {
    match std::env::var(SECRETS_ENV).ok().as_deref().map(str::trim) {
        Some("file") => Ok(Arc::new(FileSecrets::open(&paths.secrets)?)),
        None | Some("") | Some("keychain") => match KeychainSecrets::probe(KEYCHAIN_SERVICE) {
            Ok(keychain) => Ok(Arc::new(keychain)),
            Err(err) => Err(CoreError::NoKeychain(format!(
                "no OS keychain answered ({err}). To keep Larder's keys in a private file \
                 instead, start it with {SECRETS_ENV}=file"
            ))),
        },
        Some(other) => Err(CoreError::NoKeychain(format!(
            "{SECRETS_ENV} must be `keychain` or `file`, not {:?}",
            other.chars().take(32).collect::<String>()
        ))),
    }
}

/// Where the store files live. Managed as state, so tests can point it at
/// a temporary folder.
#[derive(Debug, Clone)]
pub struct StorePaths {
    pub settings: PathBuf,
    pub session: PathBuf,
    pub secrets: PathBuf,
}

impl StorePaths {
    /// The files in `data_dir` (the app's data folder).
    pub fn in_dir(data_dir: &std::path::Path) -> Self {
        Self {
            settings: data_dir.join(SETTINGS_STORE),
            session: data_dir.join(SESSION_STORE),
            secrets: data_dir.join(SECRETS_DIR),
        }
    }
}

pub fn paths<R: Runtime>(app: &AppHandle<R>) -> StorePaths {
    match app.try_state::<StorePaths>() {
        Some(paths) => paths.inner().clone(),
        None => StorePaths::in_dir(&app.path().app_data_dir().unwrap_or_default()),
    }
}

/// The settings' keys, as serialised.
const SETTINGS_KEYS: [&str; 5] = [
    "apiUrl",
    "staleSecs",
    "ttlSecs",
    "keepCacheOnSignOut",
    "theme",
];

/// The saved settings. A stored value that is malformed or out of range is
/// ignored (its default applies) and logged, never fatal; the file is left
/// as it is until the user saves new settings.
pub fn load_settings<R: Runtime>(app: &AppHandle<R>) -> Result<Settings, SetupError> {
    let store = app.store(paths(app).settings)?;
    let parse = |fields: &Map<String, Value>| {
        serde_json::from_value::<Settings>(Value::Object(fields.clone()))
            .ok()
            .filter(|settings| settings.validate().is_ok())
    };
    // Each saved value is taken only if the settings still parse and
    // validate with it, so one bad value never costs the others.
    let mut accepted = Map::new();
    for key in SETTINGS_KEYS {
        let Some(value) = store.get(key) else {
            continue;
        };
        let mut trial = accepted.clone();
        trial.insert(key.to_owned(), value);
        if parse(&trial).is_some() {
            accepted = trial;
        } else {
            tracing::warn!(
                setting = key,
                "a saved setting is not valid; using its default"
            );
        }
    }
    Ok(parse(&accepted).unwrap_or_default())
}

/// Validates and saves `settings`; nothing is written when one is refused.
pub fn save_settings<R: Runtime>(app: &AppHandle<R>, settings: &Settings) -> Result<(), CoreError> {
    settings.validate()?;
    let failed = |err: tauri_plugin_store::Error| {
        CoreError::Cache(format!("the settings could not be saved: {err}"))
    };
    let store = app.store(paths(app).settings).map_err(failed)?;
    let Value::Object(fields) =
        serde_json::to_value(settings).map_err(|err| CoreError::Cache(err.to_string()))?
    else {
        return Err(CoreError::Cache("settings are not an object".into()));
    };
    for key in SETTINGS_KEYS {
        match fields.get(key) {
            Some(Value::Null) | None => {
                store.delete(key);
            }
            Some(value) => store.set(key, value.clone()),
        }
    }
    store.save().map_err(failed)
}

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
    pub fn open(app: &AppHandle<R>, secrets: Arc<dyn SecretStore>) -> Result<Self, SetupError> {
        Ok(Self {
            store: app.store(paths(app).session)?,
            secrets,
        })
    }
}

fn store_error(err: tauri_plugin_store::Error) -> CoreError {
    CoreError::Cache(format!("the session store failed: {err}"))
}

impl<R: Runtime> SessionPersistence for StoreSessions<R> {
    fn load(&self) -> Result<Option<PersistedSession>, CoreError> {
        let user = self
            .store
            .get("user")
            .and_then(|value| serde_json::from_value::<User>(value).ok());
        let token = self
            .secrets
            .get(SESSION_TOKEN)?
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .filter(|token| !token.is_empty());
        let (Some(user), Some(token)) = (user, token) else {
            return Ok(None);
        };
        Ok(Some(PersistedSession { user, token }))
    }

    fn save(&self, session: &PersistedSession) -> Result<(), CoreError> {
        self.secrets.set(SESSION_TOKEN, session.token.as_bytes())?;
        let user =
            serde_json::to_value(&session.user).map_err(|err| CoreError::Cache(err.to_string()))?;
        self.store.set("user", user);
        self.store.save().map_err(store_error)
    }

    fn clear(&self) -> Result<(), CoreError> {
        self.secrets.delete(SESSION_TOKEN)?;
        self.store.delete("user");
        self.store.save().map_err(store_error)
    }
}
