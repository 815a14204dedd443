//! A post's page: `get_post`, `get_comments`, `get_related`, `post_page`
//! and `prewarm_post`. Ids, tags and pages arrive as any string or integer, so
//! a bad one gets a typed error from the core rather than a
//! deserialisation failure.

use larder_protocol::{CommandError, CommentsEnvelope, PostEnvelope, PostPage, RelatedEnvelope};
use tauri::State;

use crate::AppState;

#[tauri::command]
pub async fn get_post(
    state: State<'_, AppState>,
    id: String,
) -> Result<PostEnvelope, CommandError> {
    Ok(state.larder().await?.get_post(&id).await?)
}

#[tauri::command]
pub async fn get_comments(
    state: State<'_, AppState>,
    post_id: String,
    page: i64,
) -> Result<CommentsEnvelope, CommandError> {
    Ok(state.larder().await?.get_comments(&post_id, page).await?)
}

#[tauri::command]
pub async fn get_related(
    state: State<'_, AppState>,
    tag: String,
    exclude: String,
) -> Result<RelatedEnvelope, CommandError> {
    Ok(state.larder().await?.get_related(&tag, &exclude).await?)
}

/// What the cache holds of a post's page, read without any request.
#[tauri::command]
pub async fn post_page(state: State<'_, AppState>, id: String) -> Result<PostPage, CommandError> {
    Ok(state.larder().await?.cached_post_page(&id)?)
}

/// Warms a post's page in the background; async so it runs on the
/// runtime, where the warming task is spawned.
#[tauri::command]
pub async fn prewarm_post(state: State<'_, AppState>, id: String) -> Result<(), CommandError> {
    Ok(state.larder().await?.prewarm_post(&id)?)
}
