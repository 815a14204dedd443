//! What the app keeps: the user's [`Settings`] in `settings.json` and the
//! non-secret part of the session (the user) in `session.json`, both with
//! tauri-plugin-store; the session token and the cache keys in a
//! [`SecretStore`]: the OS keychain, or sealed files under a private key
//! file when the user chose them (the `secretStore` setting) or
//! `LARDER_SECRETS=file` does.

use std::{path::PathBuf, sync::Arc};

use larder_core::{
    secrets::SESSION_TOKEN, CoreError, FileSecrets, KeychainSecrets, PersistedSession, SecretError,
    SecretStore, SessionPersistence,
};
use larder_protocol::CommandError;
use larder_protocol::{RefusedSetting, SecretStoreChoice, Settings, User};
use serde_json::{Map, Value};
use tauri::{AppHandle, Runtime};
use tauri_plugin_store::{Store, StoreExt};

use crate::SetupError;

/// The store file that holds the user's settings.
pub const SETTINGS_STORE: &str = "settings.json";
/// The store file that holds the signed-in user (never the token).
pub const SESSION_STORE: &str = "session.json";
/// The folder of the file secret store, in the app's data folder.
pub const SECRETS_DIR: &str = "secrets";
/// The cache's folder, in the app's data folder.
pub const CACHE_DIR: &str = "cache";
/// The embedded API's sessions file, in the app's data folder.
pub const EMBEDDED_SESSIONS_FILE: &str = "embedded-api-sessions.json";
/// Chooses where secrets live: `keychain` (the default) or `file`.
pub const SECRETS_ENV: &str = "LARDER_SECRETS";
/// The keychain service name.
pub const KEYCHAIN_SERVICE: &str = "dev.larder.desktop";

/// What can go wrong with the files and secrets the shell keeps.
#[derive(Debug, thiserror::Error)]
pub enum PersistenceError {
    /// No OS keychain answered and the file store was not chosen.
    #[error("no keychain answered ({0})")]
    NoKeychain(#[source] SecretError),
    /// `LARDER_SECRETS` holds something other than `keychain` or `file`.
    #[error("{SECRETS_ENV} must be `keychain` or `file`, not {0:?}")]
    SecretsChoice(String),
    /// The file secret store could not be opened.
    #[error("the private key folder could not be used: {0}")]
    FileSecrets(#[source] SecretError),
    /// tauri-plugin-store could not open or save a store file.
    #[error("{file} could not be opened or saved: {source}")]
    Store {
        file: &'static str,
        #[source]
        source: tauri_plugin_store::Error,
    },
    /// A value could not be turned into the store's JSON.
    #[error("{what} could not be encoded: {source}")]
    Encode {
        what: &'static str,
        #[source]
        source: serde_json::Error,
    },
}

impl From<PersistenceError> for CommandError {
    fn from(err: PersistenceError) -> Self {
        match err {
            err @ (PersistenceError::NoKeychain(_) | PersistenceError::SecretsChoice(_)) => {
                CommandError::NoKeychain {
                    message: err.to_string(),
                }
            }
            other => CommandError::Internal {
                message: other.to_string(),
            },
        }
    }
}

/// The session store's failures, as the core's session persistence
/// reports them: secrets keep their own variant (a locked keychain must be
/// told from a broken file).
impl From<PersistenceError> for CoreError {
    fn from(err: PersistenceError) -> Self {
        CoreError::SessionStore(Arc::new(err))
    }
}

/// [`SECRETS_ENV`]'s value that, in development builds only, makes every
/// keychain absent.
pub const NO_KEYCHAIN_FOR_TESTS: &str = "absent-keychain";

/// The secret store, and whether the environment chose it: `LARDER_SECRETS`
/// (`keychain` or `file`, for scripts and CI) wins; then `choice` (the
/// window's, or the settings'); then the OS keychain. Without a keychain
/// and without a choice, this says so, and the window offers one.
pub fn choose_secrets(
    paths: &StorePaths,
    choice: Option<SecretStoreChoice>,
) -> Result<(Arc<dyn SecretStore>, bool), PersistenceError> {
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
            return Err(PersistenceError::SecretsChoice(
                other.chars().take(32).collect(),
            ))
        }
    };
    let store: Arc<dyn SecretStore> = match from_environment.or(choice).unwrap_or_default() {
        SecretStoreChoice::File => {
            Arc::new(FileSecrets::open(&paths.secrets).map_err(PersistenceError::FileSecrets)?)
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
    Ok((store, from_environment.is_some()))
}

/// Where the app's files live, all in its data folder (a temporary folder
/// in tests).
#[derive(Debug, Clone)]
pub struct StorePaths {
    pub settings: PathBuf,
    pub session: PathBuf,
    pub secrets: PathBuf,
    pub cache: PathBuf,
    /// The embedded API's sessions (token hashes only).
    pub embedded_sessions: PathBuf,
}

impl StorePaths {
    /// The files in `data_dir` (the app's data folder).
    pub fn in_dir(data_dir: &std::path::Path) -> Self {
        Self {
            settings: data_dir.join(SETTINGS_STORE),
            session: data_dir.join(SESSION_STORE),
            secrets: data_dir.join(SECRETS_DIR),
            cache: data_dir.join(CACHE_DIR),
            embedded_sessions: data_dir.join(EMBEDDED_SESSIONS_FILE),
        }
    }
}

/// The settings' keys, as serialised.
const SETTINGS_KEYS: [&str; 8] = [
    "apiUrl",
    "staleSecs",
    "ttlSecs",
    "keepCacheOnSignOut",
    "cacheLimitMib",
    "secretStore",
    "autoRefresh",
    "theme",
];

/// The saved settings. A stored value that is malformed or out of range is
/// ignored (its default applies) and logged, never fatal; the file is left
/// as it is until the user saves new settings.
pub fn load_settings<R: Runtime>(
    app: &AppHandle<R>,
    paths: &StorePaths,
) -> Result<Settings, SetupError> {
    Ok(load_settings_reporting(app, paths)?.0)
}

/// [`load_settings`], with each saved value it left out and why.
pub fn load_settings_reporting<R: Runtime>(
    app: &AppHandle<R>,
    paths: &StorePaths,
) -> Result<(Settings, Vec<RefusedSetting>), SetupError> {
    let store = app.store(&paths.settings)?;
    let check = |fields: &Map<String, Value>| -> Result<Settings, String> {
        let settings = serde_json::from_value::<Settings>(Value::Object(fields.clone()))
            .map_err(|_| "not a value this setting can take".to_owned())?;
        larder_core::service::validate_settings(&settings).map_err(|err| err.message)?;
        Ok(settings)
    };
    // Each saved value is taken only if the settings still parse and
    // validate with it, so one bad value never costs the others.
    let mut accepted = Map::new();
    let mut refused = Vec::new();
    for key in SETTINGS_KEYS {
        let Some(value) = store.get(key) else {
            continue;
        };
        let mut trial = accepted.clone();
        trial.insert(key.to_owned(), value.clone());
        match check(&trial) {
            Ok(_) => accepted = trial,
            Err(message) => {
                tracing::warn!(
                    setting = key,
                    "a saved setting is not valid; using its default"
                );
                refused.push(RefusedSetting {
                    field: key.to_owned(),
                    stored: match value {
                        Value::String(text) => text,
                        other => other.to_string(),
                    },
                    message,
                });
            }
        }
    }
    Ok((check(&accepted).unwrap_or_default(), refused))
}

/// Validates and saves `settings`; nothing is written when one is refused.
pub fn save_settings<R: Runtime>(
    app: &AppHandle<R>,
    paths: &StorePaths,
    settings: &Settings,
) -> Result<(), CommandError> {
    larder_core::service::validate_settings(settings)
        .map_err(|error| CommandError::InvalidSetting { error })?;
    let failed = |source| PersistenceError::Store {
        file: SETTINGS_STORE,
        source,
    };
    let store = app.store(&paths.settings).map_err(failed)?;
    let fields = match serde_json::to_value(settings) {
        Ok(Value::Object(fields)) => fields,
        Ok(_) => Map::new(),
        Err(source) => {
            return Err(PersistenceError::Encode {
                what: "the settings",
                source,
            }
            .into())
        }
    };
    for key in SETTINGS_KEYS {
        match fields.get(key) {
            Some(Value::Null) | None => {
                store.delete(key);
            }
            Some(value) => store.set(key, value.clone()),
        }
    }
    store.save().map_err(failed)?;
    Ok(())
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
