//! Widget reads: `get_widget`, `refresh_widget`, `prewarm`, and the role
//! widgets' `get_role_widget` and `refresh_role_widget`.

use larder_core::CoreError;
use larder_protocol::{CommandError, RoleEnvelope, RoleWidget, WidgetEnvelope, WidgetId};
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
    let answer = state.larder().await?.get_widget(widget_id(id)?).await;
    tracing::debug!(id, ok = answer.is_ok(), "get_widget answered");
    Ok(answer?)
}

/// One widget, fetched from the upstream now.
#[tauri::command]
pub async fn refresh_widget(
    state: State<'_, AppState>,
    id: i64,
) -> Result<WidgetEnvelope, CommandError> {
    Ok(state.larder().await?.refresh_widget(widget_id(id)?).await?)
}

/// Warms every widget in the background; returns at once. Async so it
/// runs on the runtime, where the prewarm task is spawned.
#[tauri::command]
pub async fn prewarm(state: State<'_, AppState>) -> Result<(), CommandError> {
    Ok(state.larder().await?.prewarm()?)
}

/// Role widgets arrive by name as any string, so an unknown one gets a
/// typed `UnknownWidget` error, not a deserialisation failure.
fn role_widget(name: &str) -> Result<RoleWidget, CoreError> {
    Ok(RoleWidget::parse(name)?)
}

/// A role widget of the signed-in user's role, from the cache when it can;
/// another role's is refused (`NotForRole`) with nothing read or sent.
#[tauri::command]
pub async fn get_role_widget(
    state: State<'_, AppState>,
    widget: String,
) -> Result<RoleEnvelope, CommandError> {
    let widget = role_widget(&widget)?;
    Ok(state.larder().await?.get_role_widget(widget).await?)
}

/// A role widget, fetched from the upstream now (Retry).
#[tauri::command]
pub async fn refresh_role_widget(
    state: State<'_, AppState>,
    widget: String,
) -> Result<RoleEnvelope, CommandError> {
    let widget = role_widget(&widget)?;
    Ok(state.larder().await?.refresh_role_widget(widget).await?)
}
