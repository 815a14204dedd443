//! Session commands: `bootstrap`, `sign_in`, `sign_out`.

use larder_core::Larder;
use larder_protocol::{Bootstrap, CommandError, Session};
use tauri::State;

use crate::api_endpoint::ApiEndpoint;

/// The first payload the UI hydrates from.
#[tauri::command]
pub fn bootstrap(larder: State<'_, Larder>, endpoint: State<'_, ApiEndpoint>) -> Bootstrap {
    Bootstrap {
        session: larder.session(),
        api_url: endpoint.url.clone(),
        embedded_api: endpoint.is_embedded(),
    }
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
