//! Session commands: `bootstrap`, `unlock`, `sign_in`, `sign_out`.

use larder_core::Larder;
use larder_protocol::{Bootstrap, CommandError, Session};
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
            |problem| problem.0.clone(),
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
        connectivity: larder.client().connectivity().current(),
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

#[tauri::command]
pub async fn sign_in(larder: State<'_, Larder>, username: String) -> Result<Session, CommandError> {
    Ok(larder.sign_in(&username).await?)
}

#[tauri::command]
pub async fn sign_out(larder: State<'_, Larder>) -> Result<(), CommandError> {
    larder.sign_out().await;
    Ok(())
}
