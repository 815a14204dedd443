//! Starting the app in two steps, so a missing keychain is a choice in the
//! window rather than a dead end:
//!
//! 1. [`start`] (in Tauri's setup): the settings, the API endpoint, then
//!    step 2 on a thread of its own, beside the window's start;
//! 2. [`finish`]: the secret store, the cache, the kept session and the
//!    background tasks. Any failure is recorded for `bootstrap`, so the
//!    window says why rather than the app exiting. When no keychain
//!    answers (and none was chosen), it records the problem and stops; the
//!    window then offers Retry (`retry_keychain`) or a protected file
//!    (`use_file_secrets`), which run this step again.
//!
//! Where keys are kept is [`crate::secret_choice`]'s to say; the order
//! the core opens in is [`larder_core::start`]'s.

use std::sync::Arc;

use larder_core::{ApiClient, Larder, ProbeSchedule, Startup};
use larder_protocol::{CommandError, SecretStoreChoice};
use tauri::{AppHandle, Manager, Runtime};

use crate::{
    api_endpoint,
    persistence::{Persistence, StorePaths},
    push, secret_choice,
    state::{AppState, BackgroundTasks},
    SetupError,
};

/// Step 1: the settings and the API endpoint, then [`finish`]. A missing
/// keychain or a cache held by another Larder does not stop the window
/// from opening: it explains the problem instead.
pub fn start<R: Runtime>(app: &AppHandle<R>) -> Result<(), SetupError> {
    let paths = StorePaths::in_dir(&crate::folders::data_dir(app)?);
    let persistence = Persistence::load(app, paths)?;
    let endpoint = tauri::async_runtime::block_on(api_endpoint::resolve(
        &persistence.settings(),
        persistence.paths().embedded_sessions.clone(),
    ))?;
    tracing::info!(url = %endpoint.url, embedded = endpoint.is_embedded(), "API endpoint");
    // A URL no client can use stops the start here, with its reason, rather
    // than in every later attempt of step 2. (Checked without building the
    // client, which step 2 does, off this thread: loading the system's
    // certificates would hold back the window.)
    ApiClient::check_url(&endpoint.url)?;
    app.manage(AppState::new(persistence, endpoint));
    // Step 2 runs beside the window rather than before it: the webview
    // starts its processes and asks for its page meanwhile, and the page's
    // first frame and the commands wait for the outcome (`AppState::larder`).
    app.state::<AppState>().start_begun();
    let opener = app.clone();
    let spawned = std::thread::Builder::new()
        .name("larder-start".into())
        .spawn(move || {
            // The background tasks and the prewarm are spawned on Tauri's
            // runtime.
            let outcome = tauri::async_runtime::block_on(async { finish(&opener, None) });
            opener.state::<AppState>().start_done();
            match outcome {
                Ok(()) | Err(CommandError::NoKeychain { .. } | CommandError::AlreadyRunning) => {}
                // Recorded for `bootstrap`: the window says why.
                Err(err) => tracing::error!(%err, "Larder could not open its data"),
            }
        });
    if let Err(err) = spawned {
        app.state::<AppState>().start_done();
        return Err(SetupError::Start(CommandError::Internal {
            message: format!("could not start opening the cache: {err}"),
        }));
    }
    Ok(())
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
    let persistence = state.persistence();
    let secrets = secret_choice::choose(
        &persistence.paths().secrets,
        choice,
        persistence.settings().secret_store,
    )?;
    let sessions = persistence
        .sessions(app, secrets.store.clone())
        .map_err(|err| CommandError::Internal {
            message: err.to_string(),
        })?;
    let running = larder_core::start(Startup {
        client: ApiClient::new(&state.endpoint().url)?,
        cache_dir: persistence.paths().cache.clone(),
        sessions: Arc::new(sessions),
        secrets: secrets.store,
        previous_secrets: secrets.previous,
        settings: persistence.settings(),
        probes: ProbeSchedule::default(),
    })?;
    let background = BackgroundTasks {
        push: push::forward(app.clone(), running.events),
        core: running.guard,
    };
    Ok((running.larder, background))
}
