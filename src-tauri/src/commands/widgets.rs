//! Widget commands: `get_widget`, `refresh_widget`, `prewarm`, the
//! notifications widget's `mark_notification_read`, and `report_screen`
//! for the automatic refresh of what is on screen, and the outbox's
//! `outbox` and `discard_change`.

use larder_core::CoreError;
use larder_protocol::{CommandError, WidgetEnvelope, WidgetId};
use tauri::State;

use crate::AppState;

/// Ids arrive as any integer so an unknown one gets a typed
/// `UnknownWidget` error, not a deserialisation failure.
fn widget_id(id: i64) -> Result<WidgetId, CoreError> {
    Ok(id.to_string().parse()?)
}

/// One widget's envelope, from the cache when it can.
#[tauri::command]
pub async fn get_widget(
    state: State<'_, AppState>,
    id: i64,
) -> Result<WidgetEnvelope, CommandError> {
    Ok(state.larder()?.get_widget(widget_id(id)?).await?)
}

/// One widget, fetched from the upstream now.
#[tauri::command]
pub async fn refresh_widget(
    state: State<'_, AppState>,
    id: i64,
) -> Result<WidgetEnvelope, CommandError> {
    Ok(state.larder()?.refresh_widget(widget_id(id)?).await?)
}

/// Warms every widget in the background; returns at once. Async so it
/// runs on the runtime, where the prewarm task is spawned.
#[tauri::command]
pub async fn prewarm(state: State<'_, AppState>) -> Result<(), CommandError> {
    Ok(state.larder()?.prewarm()?)
}

/// Marks a notification read: kept in the outbox first and answered at
/// once, online or not, with widget 4's envelope showing it read and
/// pending; the outbox sends it when it can.
#[tauri::command]
pub async fn mark_notification_read(
    state: State<'_, AppState>,
    id: String,
) -> Result<WidgetEnvelope, CommandError> {
    Ok(state.larder()?.mark_notification_read(&id).await?)
}

/// The admin widget's data; a 403 for anyone but admins.
#[tauri::command]
pub async fn get_system_health(
    state: State<'_, AppState>,
) -> Result<larder_protocol::HealthEnvelope, CommandError> {
    Ok(state.larder()?.get_system_health().await?)
}

/// What the window shows, and whether it is visible or focused; the core
/// keeps that fresh while it is visible. Arrives as plain JSON so a
/// malformed report is a typed error.
#[tauri::command]
pub fn report_screen(
    state: State<'_, AppState>,
    report: serde_json::Value,
) -> Result<(), CommandError> {
    let report: larder_protocol::ScreenReport =
        serde_json::from_value(report).map_err(|err| CommandError::InvalidScreenReport {
            message: err.to_string(),
        })?;
    Ok(state.larder()?.report_screen(report)?)
}

/// The signed-in user's outbox: changes not yet confirmed by the API.
#[tauri::command]
pub fn outbox(state: State<'_, AppState>) -> Result<larder_protocol::Outbox, CommandError> {
    Ok(state.larder()?.outbox()?)
}

/// Drops one waiting change and rolls it back; answers the outbox left and
/// whether the API may still apply it.
#[tauri::command]
pub fn discard_change(
    state: State<'_, AppState>,
    id: String,
) -> Result<larder_protocol::Discarded, CommandError> {
    Ok(state.larder()?.discard_change(&id)?)
}
