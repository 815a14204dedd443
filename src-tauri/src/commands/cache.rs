//! Cache commands: `cache_stats`, `clear_cache`.

use larder_core::Larder;
use larder_protocol::{CacheStats, CommandError};
use tauri::State;

/// The signed-in user's cache entries.
#[tauri::command]
pub fn cache_stats(larder: State<'_, Larder>) -> Result<CacheStats, CommandError> {
    Ok(larder.cache_stats()?)
}

/// Clears one entry (`key`), or the user's whole cache without one.
#[tauri::command]
pub fn clear_cache(larder: State<'_, Larder>, key: Option<String>) -> Result<(), CommandError> {
    Ok(larder.clear_cache(key.as_deref())?)
}
