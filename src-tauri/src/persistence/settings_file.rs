//! `settings.json`, through tauri-plugin-store: each saved value is taken
//! only if the settings still validate with it, and a save writes nothing
//! unless every field is valid.

use larder_protocol::{CommandError, RefusedSetting, Settings};
use serde_json::{Map, Value};
use tauri::{AppHandle, Runtime};
use tauri_plugin_store::StoreExt;

use super::{PersistenceError, StorePaths, SETTINGS_STORE};
use crate::SetupError;

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

/// The saved settings, with each saved value left out and why. A stored
/// value that is malformed or out of range is left out (its default
/// applies) and logged, never fatal; the file is left as it is until the
/// user saves new settings.
pub(super) fn load<R: Runtime>(
    app: &AppHandle<R>,
    paths: &StorePaths,
) -> Result<(Settings, Vec<RefusedSetting>), SetupError> {
    let store = app.store(&paths.settings)?;
    let check = |fields: &Map<String, Value>| -> Result<Settings, String> {
        let settings = serde_json::from_value::<Settings>(Value::Object(fields.clone()))
            .map_err(|_| "not a value this setting can take".to_owned())?;
        larder_core::validate_settings(&settings).map_err(|err| err.message)?;
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
pub(super) fn save<R: Runtime>(
    app: &AppHandle<R>,
    paths: &StorePaths,
    settings: &Settings,
) -> Result<(), CommandError> {
    larder_core::validate_settings(settings)
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
