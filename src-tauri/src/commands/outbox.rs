//! The outbox: `mark_notification_read` (a change kept first, sent once),
//! `outbox` (what waits) and `discard_change`.

use larder_protocol::{CommandError, WidgetEnvelope};
use tauri::State;

use crate::AppState;

/// Marks a notification read: kept in the outbox first and answered at
/// once, online or not, with widget 4's envelope showing it read and
/// pending; the outbox sends it when it can.
#[tauri::command]
pub async fn mark_notification_read(
    state: State<'_, AppState>,
    id: String,
) -> Result<WidgetEnvelope, CommandError> {
    Ok(state.larder().await?.mark_notification_read(&id).await?)
}

/// The signed-in user's outbox: changes not yet confirmed by the API.
#[tauri::command]
pub async fn outbox(state: State<'_, AppState>) -> Result<larder_protocol::Outbox, CommandError> {
    Ok(state.larder().await?.outbox()?)
}

/// Drops one waiting change and rolls it back; answers the outbox left and
/// whether the API may still apply it.
#[tauri::command]
pub async fn discard_change(
    state: State<'_, AppState>,
    id: String,
) -> Result<larder_protocol::Discarded, CommandError> {
    Ok(state.larder().await?.discard_change(&id)?)
}
