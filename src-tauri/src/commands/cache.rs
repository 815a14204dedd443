//! Cache commands: `cache_stats`, `clear_cache`, `set_aside_cache`.

use larder_protocol::{CacheStats, CommandError};
use tauri::State;

use crate::AppState;

/// The signed-in user's cache entries.
#[tauri::command]
pub async fn cache_stats(state: State<'_, AppState>) -> Result<CacheStats, CommandError> {
    Ok(state.larder().await?.cache_stats()?)
}

/// Clears one entry (`key`), or the user's whole cache without one.
#[tauri::command]
pub async fn clear_cache(
    state: State<'_, AppState>,
    key: Option<String>,
) -> Result<(), CommandError> {
    Ok(state.larder().await?.clear_cache(key.as_deref())?)
}

/// Sets the user's cache aside whole (its key is gone or does not match)
/// and starts afresh. Async so it runs on the runtime, where the new
/// prewarm is spawned.
#[tauri::command]
pub async fn set_aside_cache(
    state: State<'_, AppState>,
) -> Result<larder_protocol::SetAsideCache, CommandError> {
    Ok(state.larder().await?.set_aside_cache()?)
}
