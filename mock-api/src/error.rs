//! The API's one error type. Every failure becomes a JSON body
//! `{"error": "<message for a person>", "code": "<machine_code>"}` with the
//! matching status; internals never reach the client.

use axum::{
    http::{header, HeaderValue, StatusCode},
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
    #[error("this route does not accept that method")]
    MethodNotAllowed,
    #[error("the request body is larger than 64 KB")]
    PayloadTooLarge,
    #[error("too many requests; retry in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    #[error("no user {0:?}")]
    UserNotFound(String),
    #[error("{0}")]
    InvalidPagination(String),
    #[error("this needs the {} role", role_name(.0))]
    RoleOnly(larder_protocol::Role),
    #[error("no post {0:?}")]
    PostNotFound(String),
    #[error("no notification {0:?}")]
    NotificationNotFound(String),
    #[error("the server failed on purpose (injected fault {0})")]
    InjectedStatus(u16),
    #[error("the Idempotency-Key header is not valid: {0}")]
    BadIdempotencyKey(String),
    #[error("a request with this Idempotency-Key is still being processed")]
    IdempotencyKeyInFlight,
    #[error("this Idempotency-Key was used for a different request")]
    IdempotencyKeyReused,
    #[error("the server could not build its answer: {0}")]
    Internal(String),
}

impl ApiError {
    fn status(&self) -> StatusCode {
        match self {
            Self::InvalidUsername(_)
            | Self::MalformedBody(_)
            | Self::MissingUserId
            | Self::BadRequest(_)
            | Self::BadIdempotencyKey(_) => StatusCode::BAD_REQUEST,
            Self::IdempotencyKeyInFlight => StatusCode::CONFLICT,
            Self::IdempotencyKeyReused => StatusCode::UNPROCESSABLE_ENTITY,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::MissingToken | Self::InvalidToken => StatusCode::UNAUTHORIZED,
            Self::ForeignUser | Self::RoleOnly(_) => StatusCode::FORBIDDEN,
            Self::WidgetNotFound(_)
            | Self::RouteNotFound
            | Self::UserNotFound(_)
            | Self::NotificationNotFound(_)
            | Self::PostNotFound(_) => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::InvalidPagination(_) => StatusCode::BAD_REQUEST,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            Self::InjectedStatus(status) => {
                StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
            }
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
            Self::MethodNotAllowed => "method_not_allowed",
            Self::PayloadTooLarge => "payload_too_large",
            Self::RateLimited { .. } => "rate_limited",
            Self::UserNotFound(_) => "user_not_found",
            Self::InvalidPagination(_) => "invalid_pagination",
            Self::RoleOnly(larder_protocol::Role::Admin) => "admin_only",
            Self::RoleOnly(larder_protocol::Role::Manager) => "manager_only",
            Self::RoleOnly(larder_protocol::Role::Member) => "member_only",
            Self::NotificationNotFound(_) => "notification_not_found",
            Self::PostNotFound(_) => "post_not_found",
            Self::InjectedStatus(_) => "injected_fault",
            Self::BadIdempotencyKey(_) => "bad_idempotency_key",
            Self::IdempotencyKeyInFlight => "idempotency_key_in_flight",
            Self::IdempotencyKeyReused => "idempotency_key_reused",
            Self::Internal(_) => "internal",
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ApiErrorBody {
            error: self.to_string(),
            code: self.code().to_owned(),
        };
        let mut response = (self.status(), Json(body)).into_response();
        if let Self::RateLimited { retry_after_secs } = self {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
        }
        response
    }
}

fn role_name(role: &larder_protocol::Role) -> &'static str {
    match role {
        larder_protocol::Role::Admin => "admin",
        larder_protocol::Role::Manager => "manager",
        larder_protocol::Role::Member => "member",
    }
}
