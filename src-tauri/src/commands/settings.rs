//! Settings commands: `get_settings`, `save_settings`. New cache times apply
//! to the next read; a new API URL applies at the next start.

use larder_core::CoreError;
use larder_protocol::{CommandError, Settings, SettingsError};
use tauri::{AppHandle, Runtime, State};

use crate::AppState;

#[tauri::command]
pub async fn get_settings(state: State<'_, AppState>) -> Result<Settings, CommandError> {
    Ok(state.larder().await?.settings())
}

/// Checks, saves and applies `settings`. They arrive as plain JSON so that
/// a wrongly typed field is a typed `InvalidSetting`, and nothing is saved
/// unless every field is valid.
#[tauri::command]
pub async fn save_settings<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    settings: serde_json::Value,
) -> Result<Settings, CommandError> {
    let settings: Settings = serde_json::from_value(settings).map_err(|err| {
        CoreError::InvalidSetting(SettingsError {
            field: "settings".into(),
            message: err.to_string(),
        })
    })?;
    let larder = state.larder().await?;
    state.persistence().save_settings(&app, &settings)?;
    larder.apply_settings(settings.clone())?;
    Ok(settings)
}
