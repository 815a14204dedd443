//! Session commands: `bootstrap`, `unlock`, `retry_keychain`,
//! `use_file_secrets`, `sign_in` (a first account or one more),
//! `sign_out`, `switch_account`.

use larder_core::Larder;
use larder_protocol::{
    Bootstrap, CommandError, SecretStoreChoice, Session, WindowKind, WindowTarget,
};
use tauri::{AppHandle, Runtime, State};

use crate::AppState;

/// The first payload the UI hydrates from: session, config, settings,
/// connectivity, prewarm progress and the dashboard's cached envelopes,
/// read without any request. When this run could not open the cache, the
/// reason, so the window can say it.
///
/// A window opened on a post or a profile (see [`crate::windows`]) also
/// gets what the cache holds of that page, so it paints it at once.
#[tauri::command]
pub async fn bootstrap<R: Runtime>(
    window: tauri::Window<R>,
    state: State<'_, AppState>,
) -> Result<Bootstrap, CommandError> {
    let larder = state.larder().await?;
    Ok(payload_for(
        &state,
        &larder,
        WindowTarget::from_label(window.label()).as_ref(),
    ))
}

/// [`payload`], plus what the cache holds of the view `target` a window
/// opened on.
pub(crate) fn payload_for(
    state: &AppState,
    larder: &Larder,
    target: Option<&WindowTarget>,
) -> Bootstrap {
    let mut bootstrap = payload(state, larder);
    if let (Some(target), Some(_)) = (target, &bootstrap.session) {
        match target.kind {
            WindowKind::Post => bootstrap.post_page = larder.cached_post_page(&target.id).ok(),
            WindowKind::Profile => {
                bootstrap.profile_page = larder.cached_profile_page(&target.id).ok()
            }
        }
    }
    bootstrap
}

/// The payload `bootstrap` answers, from `larder` as it is now.
pub(crate) fn payload(state: &AppState, larder: &Larder) -> Bootstrap {
    let endpoint = state.endpoint();
    let prewarm = larder.prewarm_state();
    let session = larder.session();
    // An outbox that cannot be read now must not stop the start: the shell
    // asks again once it listens, and says why if it still fails.
    let outbox = match &session {
        Some(_) => larder.outbox().unwrap_or_else(|err| {
            tracing::warn!(%err, "the outbox could not be read for the bootstrap");
            Default::default()
        }),
        None => Default::default(),
    };
    Bootstrap {
        session,
        locked: larder.locked(),
        api_url: endpoint.url.clone(),
        embedded_api: endpoint.is_embedded(),
        config: larder.config(),
        settings: larder.settings(),
        connectivity: larder.connectivity(),
        prewarm,
        widgets: larder.cached_dashboard(),
        role_widgets: larder.cached_role_widgets(),
        outbox,
        post_page: None,
        profile_page: None,
        refused: Vec::new(),
        cache_rebuilt: larder
            .rebuilt_cache()
            .map(|moved_to| moved_to.display().to_string()),
        refused_settings: state.persistence().refused_settings(),
    }
}

/// Tries again to resume a kept session whose token could not be read (a
/// locked keychain), then answers as `bootstrap` does; still locked, it
/// answers `CacheLocked` with the reason.
#[tauri::command]
pub async fn unlock(state: State<'_, AppState>) -> Result<Bootstrap, CommandError> {
    let larder = state.larder().await?;
    larder.unlock()?;
    Ok(payload(&state, &larder))
}

/// When starting could not finish (no keychain answered, or the cache was
/// unavailable): tries again (after the user started or unlocked a
/// keychain, or freed the disk), then answers as `bootstrap` does.
#[tauri::command]
pub async fn retry_keychain<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<Bootstrap, CommandError> {
    crate::startup::finish(&app, None)?;
    let larder = state.larder().await?;
    Ok(payload(&state, &larder))
}

/// When no keychain answered at start: keeps the keys in a protected file
/// from now on, remembered in the settings (and changeable there), then
/// finishes starting and answers as `bootstrap` does.
#[tauri::command]
pub async fn use_file_secrets<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<Bootstrap, CommandError> {
    state
        .persistence()
        .save_secret_store(&app, SecretStoreChoice::File)?;
    crate::startup::finish(&app, Some(SecretStoreChoice::File))?;
    let larder = state.larder().await?;
    Ok(payload(&state, &larder))
}

#[tauri::command]
pub async fn sign_in(
    state: State<'_, AppState>,
    username: String,
) -> Result<Session, CommandError> {
    Ok(state.larder().await?.sign_in(&username).await?)
}

/// Signs the shown account out; answers with the session shown next (the
/// first other account signed in), if any.
#[tauri::command]
pub async fn sign_out(state: State<'_, AppState>) -> Result<Option<Session>, CommandError> {
    let larder = state.larder().await?;
    larder.sign_out().await;
    Ok(larder.session())
}

/// Shows signed-in account `user_id` in every window and answers as
/// `bootstrap` does, for that account: its cached dashboard, outbox and
/// prewarm progress, read without any request or secret, and the changes
/// refused while it was not shown. An account not
/// signed in is `NotSignedIn`, and the one shown stays.
#[tauri::command]
pub async fn switch_account(
    state: State<'_, AppState>,
    user_id: String,
) -> Result<Bootstrap, CommandError> {
    let larder = state.larder().await?;
    larder.switch_account(&user_id)?;
    let mut answer = payload(&state, &larder);
    answer.refused = larder.take_unseen_refusals();
    Ok(answer)
}
