//! The API's routes, one module per resource, plus the bearer-token
//! extractor they share.

pub mod auth;
pub mod widgets;

use axum::{extract::FromRequestParts, http::request::Parts, Router};
use larder_protocol::User;

use crate::{ApiError, AppState};

/// All routes, before state and middleware are applied.
pub fn router() -> Router<AppState> {
    Router::new().merge(auth::router()).merge(widgets::router())
}

/// The signed-in caller, from `Authorization: Bearer <token>`.
#[derive(Debug, Clone)]
pub struct Caller {
    pub token: String,
    pub user: User,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .ok_or(ApiError::MissingToken)?;
        let token = header
            .to_str()
            .ok()
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|token| !token.is_empty())
            .ok_or(ApiError::MissingToken)?;
        let user = state.session_user(token).ok_or(ApiError::InvalidToken)?;
        Ok(Self {
            token: token.to_owned(),
            user,
        })
    }
}
