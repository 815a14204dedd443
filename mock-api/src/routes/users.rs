//! `/users/:id`, `/users/:id/posts` and `/users/:id/followers` (Bearer):
//! profile data for any user who has signed in (or one of the community's
//! authors), with `page` (1 or more) and
//! `limit` (1 to 100) pagination.

use axum::{
    extract::{rejection::PathRejection, Path, State},
    http::HeaderMap,
    response::Response,
    routing::get,
    Json, Router,
};
use larder_protocol::{
    test_controls::{FaultResource, FaultTarget},
    Follower, Page, Post, User,
};

use super::{answer, pagination, query_map, Caller, QueryMap};
use crate::{profile_data, ApiError, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/users/{id}", get(profile))
        .route("/users/{id}/posts", get(posts))
        .route("/users/{id}/followers", get(followers))
}

type UserPath = Result<Path<String>, PathRejection>;

fn known_user(state: &AppState, path: UserPath) -> Result<User, ApiError> {
    let Path(id) = path.map_err(|rejection| ApiError::BadRequest(rejection.body_text()))?;
    state
        .known_user(&id)
        .ok_or_else(|| ApiError::UserNotFound(id.chars().take(64).collect()))
}

/// A profile, with an ETag; injected faults (`"resource": "profile"`)
/// apply.
async fn profile(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    path: UserPath,
) -> Result<Response, ApiError> {
    let user = known_user(&state, path)?;
    // A profile answers with no delay.
    answer::respond(
        &state,
        &caller,
        &headers,
        FaultTarget::resource(FaultResource::Profile),
        0,
        || answer::encode(&profile_data::profile(&user)),
    )
    .await
}

async fn posts(
    State(state): State<AppState>,
    _caller: Caller,
    path: UserPath,
    query: QueryMap,
) -> Result<Json<Page<Post>>, ApiError> {
    let user = known_user(&state, path)?;
    let (page, limit) = pagination(&query_map(query)?)?;
    // Dates count back from the start of today, so a page is stable all day.
    let today = crate::data::now_ms() / 86_400_000 * 86_400_000;
    Ok(Json(profile_data::posts(&user.id, page, limit, today)))
}

async fn followers(
    State(state): State<AppState>,
    _caller: Caller,
    path: UserPath,
    query: QueryMap,
) -> Result<Json<Page<Follower>>, ApiError> {
    let user = known_user(&state, path)?;
    let (page, limit) = pagination(&query_map(query)?)?;
    Ok(Json(profile_data::followers(&user.id, page, limit)))
}
