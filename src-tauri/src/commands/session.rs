//! Session commands: `bootstrap`, `unlock`, `retry_keychain`,
//! `use_file_secrets`, `sign_in`, `sign_out`.

use larder_core::Larder;
use larder_protocol::{Bootstrap, CommandError, SecretStoreChoice, Session};
use tauri::{AppHandle, Manager, Runtime, State};

use crate::{api_endpoint::ApiEndpoint, StartupProblem};

/// The first payload the UI hydrates from: session, config, settings,
/// connectivity, prewarm progress and the dashboard's cached envelopes,
/// read without any request. When this run could not open the cache, the
/// reason, so the window can say it.
#[tauri::command]
pub fn bootstrap<R: Runtime>(app: AppHandle<R>) -> Result<Bootstrap, CommandError> {
    let (Some(larder), Some(endpoint)) =
        (app.try_state::<Larder>(), app.try_state::<ApiEndpoint>())
    else {
        return Err(app.try_state::<StartupProblem>().map_or_else(
            || CommandError::Internal {
                message: "Larder has not finished starting".into(),
            },
            |problem| {
                problem.get().unwrap_or_else(|| CommandError::Internal {
                    message: "Larder has not finished starting".into(),
                })
            },
        ));
    };
    let prewarm = *larder.prewarm_progress().borrow();
    Ok(Bootstrap {
        session: larder.session(),
        locked: larder.locked(),
        api_url: endpoint.url.clone(),
        embedded_api: endpoint.is_embedded(),
        config: larder.config(),
        settings: larder.settings(),
        connectivity: larder.connectivity(),
        prewarm,
        widgets: larder.cached_dashboard(),
    })
}

/// Tries again to resume a kept session whose token could not be read (a
/// locked keychain), then answers as `bootstrap` does; still locked, it
/// answers `CacheLocked` with the reason.
#[tauri::command]
pub async fn unlock<R: Runtime>(app: AppHandle<R>) -> Result<Bootstrap, CommandError> {
    if let Some(larder) = app.try_state::<Larder>() {
        larder.unlock()?;
    }
    bootstrap(app)
}

/// When no keychain answered at start: tries it again (after the user
/// started or unlocked one), then answers as `bootstrap` does.
#[tauri::command]
pub async fn retry_keychain<R: Runtime>(app: AppHandle<R>) -> Result<Bootstrap, CommandError> {
    crate::startup::finish(&app, None)?;
    bootstrap(app)
}

/// When no keychain answered at start: keeps the keys in a protected file
/// from now on, remembered in the settings (and changeable there), then
/// finishes starting and answers as `bootstrap` does.
#[tauri::command]
pub async fn use_file_secrets<R: Runtime>(app: AppHandle<R>) -> Result<Bootstrap, CommandError> {
    let mut settings =
        crate::persistence::load_settings(&app).map_err(|err| CommandError::Internal {
            message: err.to_string(),
        })?;
    settings.secret_store = Some(SecretStoreChoice::File);
    crate::persistence::save_settings(&app, &settings)?;
    crate::startup::finish(&app, Some(SecretStoreChoice::File))?;
    bootstrap(app)
}

#[tauri::command]
pub async fn sign_in(larder: State<'_, Larder>, username: String) -> Result<Session, CommandError> {
    Ok(larder.sign_in(&username).await?)
}

#[tauri::command]
pub async fn sign_out(larder: State<'_, Larder>) -> Result<(), CommandError> {
    larder.sign_out().await;
    Ok(())
}
