//! What the app keeps, behind one object, [`Persistence`]: the user's
//! settings in `settings.json` ([`settings_file`], read once per start)
//! and the non-secret part of the session (the user) in `session.json`
//! ([`session_file`]), both with tauri-plugin-store. The session token and
//! the cache keys are in the secret store that [`crate::secret_choice`]
//! picks.

pub(crate) mod session_file;
mod settings_file;

use std::{
    path::PathBuf,
    sync::{Arc, Mutex, PoisonError},
};

use larder_core::{CoreError, SecretError, SecretStore};
use larder_protocol::{CommandError, RefusedSetting, SecretStoreChoice, Settings};
use tauri::{AppHandle, Runtime};

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

/// What can go wrong with the files and secrets the shell keeps.
#[derive(Debug, thiserror::Error)]
pub enum PersistenceError {
    /// No OS keychain answered and the file store was not chosen.
    #[error("no keychain answered ({0})")]
    NoKeychain(#[source] SecretError),
    /// The environment's choice of secret store (`variable`, that is
    /// `LARDER_SECRETS`) is neither `keychain` nor `file`.
    #[error("{variable} must be `keychain` or `file`, not {value:?}")]
    SecretsChoice {
        variable: &'static str,
        value: String,
    },
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
            err @ (PersistenceError::NoKeychain(_) | PersistenceError::SecretsChoice { .. }) => {
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

/// The shell's files: where they are, and the settings as saved (read
/// from disk once, at start; every save goes through here).
#[derive(Debug)]
pub struct Persistence {
    paths: StorePaths,
    settings: Mutex<Settings>,
    /// Saved values left out at start, until the settings are saved.
    refused: Mutex<Vec<RefusedSetting>>,
}

impl Persistence {
    /// Reads `settings.json` (see [`settings_file`]).
    pub fn load<R: Runtime>(app: &AppHandle<R>, paths: StorePaths) -> Result<Self, SetupError> {
        let (settings, refused) = settings_file::load(app, &paths)?;
        Ok(Self::with(paths, settings, refused))
    }

    /// A persistence holding `settings` as if read from disk.
    pub fn with(paths: StorePaths, settings: Settings, refused: Vec<RefusedSetting>) -> Self {
        Self {
            paths,
            settings: Mutex::new(settings),
            refused: Mutex::new(refused),
        }
    }

    pub fn paths(&self) -> &StorePaths {
        &self.paths
    }

    /// The settings as saved.
    pub fn settings(&self) -> Settings {
        self.settings
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Saved settings left out at start (see `Bootstrap.refusedSettings`);
    /// none once the settings are saved again.
    pub fn refused_settings(&self) -> Vec<RefusedSetting> {
        self.refused
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Sets the refused values as a start would have found them.
    #[cfg(test)]
    pub fn set_refused_settings(&self, refused: Vec<RefusedSetting>) {
        *self.refused.lock().unwrap_or_else(PoisonError::into_inner) = refused;
    }

    /// Validates and saves `settings`; nothing is written when one is
    /// refused. Every saved value is then a valid one.
    pub fn save_settings<R: Runtime>(
        &self,
        app: &AppHandle<R>,
        settings: &Settings,
    ) -> Result<(), CommandError> {
        let mut saved = self.settings.lock().unwrap_or_else(PoisonError::into_inner);
        settings_file::save(app, &self.paths, settings)?;
        *saved = settings.clone();
        self.refused
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
        Ok(())
    }

    /// Remembers `choice` as where secrets are kept from now on.
    pub fn save_secret_store<R: Runtime>(
        &self,
        app: &AppHandle<R>,
        choice: SecretStoreChoice,
    ) -> Result<(), CommandError> {
        let mut settings = self.settings();
        settings.secret_store = Some(choice);
        self.save_settings(app, &settings)
    }

    /// The kept accounts, their tokens in `secrets`.
    pub fn sessions<R: Runtime>(
        &self,
        app: &AppHandle<R>,
        secrets: Arc<dyn SecretStore>,
    ) -> Result<larder_core::KeptSessions, SetupError> {
        session_file::open(app, &self.paths, secrets)
    }
}
