//! Starting the app in two steps, so a missing keychain is a choice in the
//! window rather than a dead end:
//!
//! 1. [`start`] (in Tauri's setup): the settings, the API endpoint, then
//!    step 2;
//! 2. [`finish`]: the secret store, the cache, the kept session and the
//!    background tasks. When no keychain answers (and none was chosen), it
//!    records the problem for `bootstrap` and stops; the window then offers
//!    Retry (`retry_keychain`) or a protected file (`use_file_secrets`),
//!    which run this step again.
//!
//! Where keys are kept, in order: `LARDER_SECRETS` (for scripts and CI),
//! the choice just made in the window, the `secretStore` setting, the
//! keychain. A choice that differs from where the keys were moves them over
//! (see [`larder_core::Larder::adopt_secrets`]).

use std::sync::Arc;

use larder_core::{
    ApiClient, CoreError, FileSecrets, KeychainSecrets, Larder, ProbeSchedule, SecretStore,
};
use larder_protocol::{CommandError, SecretStoreChoice};
use tauri::{AppHandle, Manager, Runtime};

use crate::{
    api_endpoint,
    persistence::{self, StorePaths, KEYCHAIN_SERVICE},
    push,
    state::{AppState, BackgroundTasks},
    SetupError,
};

/// Step 1: the settings and the API endpoint, then [`finish`]. A missing
/// keychain or a cache held by another Larder does not stop the window
/// from opening: it explains the problem instead.
pub fn start<R: Runtime>(app: &AppHandle<R>) -> Result<(), SetupError> {
    let paths = StorePaths::in_dir(&crate::folders::data_dir(app)?);
    let (settings, refused) = persistence::load_settings_reporting(app, &paths)?;
    let endpoint = tauri::async_runtime::block_on(api_endpoint::resolve(
        &settings,
        paths.embedded_sessions.clone(),
    ))?;
    tracing::info!(url = %endpoint.url, embedded = endpoint.is_embedded(), "API endpoint");
    // A URL no client can use stops the start here, with its reason, rather
    // than in every later attempt of step 2.
    ApiClient::new(&endpoint.url)?;
    let state = AppState::new(paths, endpoint);
    state.set_refused_settings(refused);
    app.manage(state);
    // The background tasks and the prewarm are spawned on Tauri's runtime.
    match tauri::async_runtime::block_on(async { finish(app, None) }) {
        Ok(()) | Err(CommandError::NoKeychain { .. } | CommandError::AlreadyRunning) => Ok(()),
        Err(err) => Err(SetupError::Start(err)),
    }
}

/// Step 2: opens the secret store (see the module's order), the cache and
/// the kept session, and starts the background tasks. Does nothing once
/// done; on failure the reason is what commands answer until it succeeds.
/// Must run on Tauri's async runtime.
pub fn finish<R: Runtime>(
    app: &AppHandle<R>,
    choice: Option<SecretStoreChoice>,
) -> Result<(), CommandError> {
    let state = app.state::<AppState>();
    let _opening = state.opening();
    if state.is_ready() {
        return Ok(());
    }
    match open(app, &state, choice) {
        Ok((larder, background)) => {
            state.set_ready(larder, background);
            Ok(())
        }
        Err(err) => {
            tracing::error!(%err, "Larder cannot open its data; the window says why");
            state.set_degraded(err.clone());
            Err(err)
        }
    }
}

fn open<R: Runtime>(
    app: &AppHandle<R>,
    state: &AppState,
    choice: Option<SecretStoreChoice>,
) -> Result<(Larder, BackgroundTasks), CommandError> {
    let paths = state.paths();
    let internal = |err: SetupError| CommandError::Internal {
        message: err.to_string(),
    };
    let settings = persistence::load_settings(app, paths).map_err(internal)?;
    let chosen = choice.or(settings.secret_store);
    let (secrets, from_environment) = persistence::choose_secrets(paths, chosen)?;
    let client = ApiClient::new(&state.endpoint().url)?;
    let sessions =
        Arc::new(persistence::StoreSessions::open(app, paths, secrets.clone()).map_err(internal)?);
    let larder = Larder::open_with(client, &paths.cache, sessions, secrets.clone())?;
    if !from_environment {
        adopt_from_the_other_store(&larder, paths, chosen.unwrap_or_default());
    }
    larder.apply_settings(settings)?;
    let background = BackgroundTasks {
        push: push::forward(app.clone(), larder.clone()),
        core: larder.start_background(ProbeSchedule::default()),
    };
    larder.restore_session();
    Ok((larder, background))
}

/// Moves keys left in the store the user chose before into the one in use
/// (best effort: what cannot be moved now stays where it is, readable
/// after switching back).
fn adopt_from_the_other_store(larder: &Larder, paths: &StorePaths, in_use: SecretStoreChoice) {
    let other: Option<Arc<dyn SecretStore>> = match in_use {
        SecretStoreChoice::Keychain if paths.secrets.join("master.key").is_file() => {
            FileSecrets::open(&paths.secrets)
                .ok()
                .map(|store| Arc::new(store) as Arc<dyn SecretStore>)
        }
        SecretStoreChoice::File => KeychainSecrets::probe(KEYCHAIN_SERVICE)
            .ok()
            .map(|store| Arc::new(store) as Arc<dyn SecretStore>),
        SecretStoreChoice::Keychain => None,
    };
    let Some(other) = other else { return };
    match larder.adopt_secrets(other) {
        Ok(0) => {}
        Ok(moved) => tracing::info!(moved, "moved keys to where the settings keep them"),
        Err(CoreError::Keychain(err)) => {
            tracing::warn!(%err, "keys could not be moved from the other store yet")
        }
        Err(err) => tracing::warn!(%err, "keys could not be moved from the other store"),
    }
}
