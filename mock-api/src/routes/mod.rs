//! The API's routes, one module per resource, plus the bearer-token
//! extractor and the way reads answer ([`answer`]) that they share.

mod answer;
pub mod auth;
pub mod config;
pub mod posts;
pub mod role_widgets;
pub mod test_controls;
pub mod users;
pub mod widgets;

use std::collections::HashMap;

use axum::{
    extract::{rejection::QueryRejection, FromRequestParts, Query},
    http::{request::Parts, HeaderMap},
    Router,
};
use larder_protocol::{profile::PAGE_LIMIT_MAX, User};

use crate::{ApiError, AppState};

/// All routes, before state and middleware are applied.
pub fn router() -> Router<AppState> {
    Router::new()
        .merge(auth::router())
        .merge(config::router())
        .merge(widgets::router())
        .merge(users::router())
        .merge(role_widgets::router())
        .merge(posts::router())
}

/// The token of `Authorization: Bearer <token>`, if present and non-empty.
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
        .filter(|token| !token.is_empty())
}

/// The query string as a map; a malformed one is a 400.
pub type QueryMap = Result<Query<HashMap<String, String>>, QueryRejection>;

pub fn query_map(query: QueryMap) -> Result<HashMap<String, String>, ApiError> {
    query
        .map(|Query(map)| map)
        .map_err(|rejection| ApiError::BadRequest(rejection.body_text()))
}

/// `page` (1 or more, default 1) and `limit` (1 to 100, default 10).
pub fn pagination(query: &HashMap<String, String>) -> Result<(u32, u32), ApiError> {
    let number = |name: &str, default: u32, min: u32, max: u32| -> Result<u32, ApiError> {
        match query.get(name) {
            None => Ok(default),
            Some(raw) => raw
                .parse::<u32>()
                .ok()
                .filter(|n| (min..=max).contains(n))
                .ok_or_else(|| {
                    ApiError::InvalidPagination(format!(
                        "{name} must be a whole number from {min} to {max}"
                    ))
                }),
        }
    };
    Ok((
        number("page", 1, 1, u32::MAX)?,
        number("limit", 10, 1, PAGE_LIMIT_MAX)?,
    ))
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
        let token = bearer_token(&parts.headers).ok_or(ApiError::MissingToken)?;
        let user = state.session_user(token).ok_or(ApiError::InvalidToken)?;
        Ok(Self {
            token: token.to_owned(),
            user,
        })
    }
}
