//! A post's page (Bearer), each part its own request so a client can build
//! the page as its inputs become known:
//! - `GET /posts/:id`: the post (`<author id>-p<n>`), 404 for an unknown one;
//! - `GET /posts/:id/comments?page=&limit=`: its comments, paged;
//! - `GET /posts?tag=…&exclude=…`: other posts with that tag.
//!
//! Each answers after its own delay with an ETag (304 on a match), and
//! injected faults (`"resource": "post" | "comments" | "related"`) apply.

use axum::{
    extract::{rejection::PathRejection, Path, State},
    http::HeaderMap,
    response::Response,
    routing::get,
    Router,
};
use larder_protocol::{
    profile::is_plain_id,
    test_controls::{FaultResource, FaultTarget},
};

use super::{answer, pagination, query_map, Caller, QueryMap};
use crate::{post_data, ApiError, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/posts", get(related))
        .route("/posts/{id}", get(post))
        .route("/posts/{id}/comments", get(comments))
}

/// Dates count back from the start of today, so a page is stable all day.
fn today() -> u64 {
    crate::data::now_ms() / 86_400_000 * 86_400_000
}

fn post_id(path: Result<Path<String>, PathRejection>) -> Result<String, ApiError> {
    let Path(id) = path.map_err(|rejection| ApiError::BadRequest(rejection.body_text()))?;
    if post_data::parse_post_id(&id).is_none() || !is_plain_id(&id) {
        return Err(ApiError::PostNotFound(id.chars().take(64).collect()));
    }
    Ok(id)
}

async fn post(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let id = post_id(path)?;
    let not_found = || ApiError::PostNotFound(id.clone());
    let (author_id, _) = post_data::parse_post_id(&id).ok_or_else(not_found)?;
    let author = state.known_user(author_id).ok_or_else(not_found)?;
    let found = post_data::post(&author, &id, today()).ok_or_else(not_found)?;
    answer::respond(
        &state,
        &caller,
        &headers,
        FaultTarget::resource(FaultResource::Post),
        post_data::POST_DELAY_MS,
        || answer::encode(&found),
    )
    .await
}

async fn comments(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
    query: QueryMap,
) -> Result<Response, ApiError> {
    let id = post_id(path)?;
    let (page, limit) = pagination(&query_map(query)?)?;
    answer::respond(
        &state,
        &caller,
        &headers,
        FaultTarget::resource(FaultResource::Comments),
        post_data::COMMENTS_DELAY_MS,
        || answer::encode(&post_data::comments(&id, page, limit, today())),
    )
    .await
}

async fn related(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    query: QueryMap,
) -> Result<Response, ApiError> {
    let query = query_map(query)?;
    let tag = query
        .get("tag")
        .filter(|tag| is_plain_id(tag))
        .ok_or_else(|| ApiError::BadRequest("tag must be 1 to 64 of A-Z a-z 0-9 _ -".into()))?
        .clone();
    let exclude = query.get("exclude").cloned().unwrap_or_default();
    answer::respond(
        &state,
        &caller,
        &headers,
        FaultTarget::resource(FaultResource::Related),
        post_data::RELATED_DELAY_MS,
        || answer::encode(&post_data::related(&tag, &exclude, today())),
    )
    .await
}
