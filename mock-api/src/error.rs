//! The API's one error type. Every failure becomes a JSON body
//! `{"error": "<message for a person>", "code": "<machine_code>"}` with the
//! matching status; internals never reach the client.

use axum::{
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use larder_protocol::{ApiErrorBody, UsernameError};

/// Everything the API can refuse.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    InvalidUsername(UsernameError),
    #[error("the request body is not valid JSON for this endpoint: {0}")]
    MalformedBody(String),
    #[error("the request body must be JSON (Content-Type: application/json)")]
    UnsupportedMediaType,
    #[error("a bearer token is required")]
    MissingToken,
    #[error("the token is unknown or has been revoked")]
    InvalidToken,
    #[error("no widget {0:?}")]
    WidgetNotFound(String),
    #[error("the userId query parameter is required")]
    MissingUserId,
    #[error("this token may not read another user's data")]
    ForeignUser,
    #[error("the path or query is invalid: {0}")]
    BadRequest(String),
    #[error("no such route")]
    RouteNotFound,
}

impl ApiError {
    fn status(&self) -> StatusCode {
        match self {
            Self::InvalidUsername(_)
            | Self::MalformedBody(_)
            | Self::MissingUserId
            | Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::MissingToken | Self::InvalidToken => StatusCode::UNAUTHORIZED,
            Self::ForeignUser => StatusCode::FORBIDDEN,
            Self::WidgetNotFound(_) | Self::RouteNotFound => StatusCode::NOT_FOUND,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            Self::InvalidUsername(_) => "invalid_username",
            Self::MalformedBody(_) => "malformed_body",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::MissingToken => "missing_token",
            Self::InvalidToken => "invalid_token",
            Self::WidgetNotFound(_) => "widget_not_found",
            Self::MissingUserId => "missing_user_id",
            Self::ForeignUser => "forbidden",
            Self::BadRequest(_) => "bad_request",
            Self::RouteNotFound => "not_found",
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ApiErrorBody {
            error: self.to_string(),
            code: self.code().to_owned(),
        };
        (self.status(), Json(body)).into_response()
    }
}
