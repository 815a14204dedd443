//! Widget commands: `get_widget`, `refresh_widget`, `prewarm`, and the
//! notifications widget's `mark_notification_read`.

use larder_core::{CoreError, Larder};
use larder_protocol::{CommandError, WidgetEnvelope, WidgetId};
use tauri::State;

/// Ids arrive as any integer so an unknown one gets a typed
/// `UnknownWidget` error, not a deserialisation failure.
fn widget_id(id: i64) -> Result<WidgetId, CoreError> {
    Ok(id.to_string().parse()?)
}

/// One widget's envelope, from the cache when it can.
#[tauri::command]
pub async fn get_widget(
    larder: State<'_, Larder>,
    id: i64,
) -> Result<WidgetEnvelope, CommandError> {
    Ok(larder.get_widget(widget_id(id)?).await?)
}

/// One widget, fetched from the upstream now.
#[tauri::command]
pub async fn refresh_widget(
    larder: State<'_, Larder>,
    id: i64,
) -> Result<WidgetEnvelope, CommandError> {
    Ok(larder.refresh_widget(widget_id(id)?).await?)
}

/// Warms every widget in the background; returns at once. Async so it
/// runs on the runtime, where the prewarm task is spawned.
#[tauri::command]
pub async fn prewarm(larder: State<'_, Larder>) -> Result<(), CommandError> {
    Ok(larder.prewarm()?)
}

/// Marks a notification read; returns widget 4's new envelope.
#[tauri::command]
pub async fn mark_notification_read(
    larder: State<'_, Larder>,
    id: String,
) -> Result<WidgetEnvelope, CommandError> {
    Ok(larder.mark_notification_read(&id).await?)
}

/// The admin widget's data; a 403 for anyone but admins.
#[tauri::command]
pub async fn get_system_health(
    larder: State<'_, Larder>,
) -> Result<larder_protocol::HealthEnvelope, CommandError> {
    Ok(larder.get_system_health().await?)
}
