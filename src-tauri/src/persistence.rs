//! What the app keeps in tauri-plugin-store: the user's [`Settings`] in
//! `settings.json`, and the non-secret part of the session (the user) in
//! `session.json`. The session token is kept apart from the store's JSON,
//! in a file only its owner can read.

use std::{path::PathBuf, sync::Arc};

use larder_core::{CoreError, PersistedSession, SessionPersistence, TokenFile};
use larder_protocol::{Settings, User};
use serde_json::{Map, Value};
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_store::{Store, StoreExt};

use crate::SetupError;

/// The store file that holds the user's settings.
pub const SETTINGS_STORE: &str = "settings.json";
/// The store file that holds the signed-in user (never the token).
pub const SESSION_STORE: &str = "session.json";
/// The token's file name, in the app's data folder.
pub const TOKEN_FILE: &str = "session.token";

/// Where the store files live. Managed as state, so tests can point it at
/// a temporary folder.
#[derive(Debug, Clone)]
pub struct StorePaths {
    pub settings: PathBuf,
    pub session: PathBuf,
    pub token: PathBuf,
}

impl StorePaths {
    /// The files in `data_dir` (the app's data folder).
    pub fn in_dir(data_dir: &std::path::Path) -> Self {
        Self {
            settings: data_dir.join(SETTINGS_STORE),
            session: data_dir.join(SESSION_STORE),
            token: data_dir.join(TOKEN_FILE),
        }
    }
}

fn paths<R: Runtime>(app: &AppHandle<R>) -> StorePaths {
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
    let mut settings = Settings::default();
    for key in SETTINGS_KEYS {
        let Some(value) = store.get(key) else {
            continue;
        };
        let mut one = Map::new();
        one.insert(key.to_owned(), value);
        let candidate = serde_json::from_value::<Settings>(Value::Object(one))
            .ok()
            .map(|parsed| merge(&settings, &parsed, key))
            .filter(|merged| merged.validate().is_ok());
        match candidate {
            Some(merged) => settings = merged,
            None => tracing::warn!(
                setting = key,
                "a saved setting is not valid; using its default"
            ),
        }
    }
    Ok(settings)
}

/// `base` with the field `key` taken from `from`.
fn merge(base: &Settings, from: &Settings, key: &str) -> Settings {
    let mut merged = base.clone();
    match key {
        "apiUrl" => merged.api_url.clone_from(&from.api_url),
        "staleSecs" => merged.stale_secs = from.stale_secs,
        "ttlSecs" => merged.ttl_secs = from.ttl_secs,
        "keepCacheOnSignOut" => merged.keep_cache_on_sign_out = from.keep_cache_on_sign_out,
        _ => merged.theme = from.theme,
    }
    merged
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

/// The session kept in `session.json` (the user) and the token file.
pub struct StoreSessions<R: Runtime> {
    store: Arc<Store<R>>,
    token: TokenFile,
}

impl<R: Runtime> std::fmt::Debug for StoreSessions<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreSessions")
            .field("token", &self.token.path())
            .finish_non_exhaustive()
    }
}

impl<R: Runtime> StoreSessions<R> {
    pub fn open(app: &AppHandle<R>) -> Result<Self, SetupError> {
        let paths = paths(app);
        Ok(Self {
            store: app.store(paths.session)?,
            token: TokenFile::new(paths.token),
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
        let (Some(user), Some(token)) = (user, self.token.read()?) else {
            return Ok(None);
        };
        Ok(Some(PersistedSession { user, token }))
    }

    fn save(&self, session: &PersistedSession) -> Result<(), CoreError> {
        self.token.write(&session.token)?;
        let user =
            serde_json::to_value(&session.user).map_err(|err| CoreError::Cache(err.to_string()))?;
        self.store.set("user", user);
        self.store.save().map_err(store_error)
    }

    fn clear(&self) -> Result<(), CoreError> {
        self.token.remove()?;
        self.store.delete("user");
        self.store.save().map_err(store_error)
    }
}
