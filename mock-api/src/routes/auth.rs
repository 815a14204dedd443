//! `/auth`: a username-only sign-in, standing in for a real identity
//! provider. Any valid username signs in; the token is random and lives
//! until logout.

use axum::{
    extract::{rejection::JsonRejection, State},
    http::StatusCode,
    routing::{get, post},
    Json, Router,
};
use larder_protocol::{LoginRequest, LoginResponse, User, Username};

use super::Caller;
use crate::{data, ApiError, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/login", post(login))
        .route("/auth/logout", post(logout))
        .route("/auth/session", get(session))
}

/// `POST /auth/login {"username"}`: 200 with a token and the user.
async fn login(
    State(state): State<AppState>,
    body: Result<Json<LoginRequest>, JsonRejection>,
) -> Result<Json<LoginResponse>, ApiError> {
    let Json(request) = body.map_err(|rejection| match rejection {
        JsonRejection::MissingJsonContentType(_) => ApiError::UnsupportedMediaType,
        other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge,
        other => ApiError::MalformedBody(other.body_text()),
    })?;
    let username = Username::parse(&request.username).map_err(ApiError::InvalidUsername)?;
    let user = state.user_for(&username);
    let token = data::new_token();
    state.insert_session(token.clone(), user.clone());
    // Logs never carry a user id (a real API's may be an e-mail address).
    tracing::debug!("signed in");
    Ok(Json(LoginResponse { token, user }))
}

/// `POST /auth/logout`: 204, and the token stops working.
async fn logout(State(state): State<AppState>, caller: Caller) -> StatusCode {
    state.remove_session(&caller.token);
    StatusCode::NO_CONTENT
}

/// `GET /auth/session`: the caller's user.
async fn session(caller: Caller) -> Json<User> {
    Json(caller.user)
}
