//! Profile commands: `get_profile`, `get_posts`, `get_followers`. Ids and
//! pages arrive as any string or integer, so a bad one gets a typed error
//! from the core rather than a deserialisation failure.

use larder_core::Larder;
use larder_protocol::{CommandError, FollowersEnvelope, PostsEnvelope, ProfileEnvelope};
use tauri::State;

#[tauri::command]
pub async fn get_profile(
    larder: State<'_, Larder>,
    user_id: String,
) -> Result<ProfileEnvelope, CommandError> {
    Ok(larder.get_profile(&user_id).await?)
}

#[tauri::command]
pub async fn get_posts(
    larder: State<'_, Larder>,
    user_id: String,
    page: i64,
) -> Result<PostsEnvelope, CommandError> {
    Ok(larder.get_posts(&user_id, page).await?)
}

#[tauri::command]
pub async fn get_followers(
    larder: State<'_, Larder>,
    user_id: String,
    page: i64,
) -> Result<FollowersEnvelope, CommandError> {
    Ok(larder.get_followers(&user_id, page).await?)
}
