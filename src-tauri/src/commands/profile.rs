//! Profile commands: `get_profile`, `get_posts`, `get_followers`. Ids and
//! pages arrive as any string or integer, so a bad one gets a typed error
//! from the core rather than a deserialisation failure.

use larder_protocol::{CommandError, FollowersEnvelope, PostsEnvelope, ProfileEnvelope};
use tauri::State;

use crate::AppState;

#[tauri::command]
pub async fn get_profile(
    state: State<'_, AppState>,
    user_id: String,
) -> Result<ProfileEnvelope, CommandError> {
    Ok(state.larder().await?.get_profile(&user_id).await?)
}

#[tauri::command]
pub async fn get_posts(
    state: State<'_, AppState>,
    user_id: String,
    page: i64,
) -> Result<PostsEnvelope, CommandError> {
    Ok(state.larder().await?.get_posts(&user_id, page).await?)
}

#[tauri::command]
pub async fn get_followers(
    state: State<'_, AppState>,
    user_id: String,
    page: i64,
) -> Result<FollowersEnvelope, CommandError> {
    Ok(state.larder().await?.get_followers(&user_id, page).await?)
}
