//! The core's one error type. Each variant states a fact about what went
//! wrong; [`From<CoreError> for CommandError`] turns it into the typed error
//! the UI matches on.

use larder_protocol::{CommandError, UsernameError, WidgetIdError};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CoreError {
    #[error("invalid username: {0}")]
    InvalidUsername(#[from] UsernameError),
    #[error(transparent)]
    UnknownWidget(#[from] WidgetIdError),
    #[error("{0:?} is not a user id")]
    InvalidUserId(String),
    #[error("there is no page {0}")]
    InvalidPage(i64),
    #[error("{0:?} is not a notification id")]
    InvalidNotificationId(String),
    #[error("invalid setting: {0}")]
    InvalidSetting(#[from] larder_protocol::SettingsError),
    #[error("another Larder already has the cache open")]
    AlreadyRunning,
    #[error("{0}")]
    NoKeychain(String),
    #[error("no user is signed in")]
    NotSignedIn,
    #[error("the API rejected the session")]
    SessionExpired,
    #[error("the API cannot be reached: {0}")]
    Unreachable(String),
    #[error("the API answered {status} ({code}): {message}")]
    UpstreamStatus {
        status: u16,
        code: String,
        message: String,
    },
    #[error("the API asks to wait {retry_after_secs} s before trying again")]
    RateLimited { retry_after_secs: u64 },
    #[error("the API's response could not be decoded: {0}")]
    InvalidResponse(String),
    #[error("the API URL {url:?} is not a usable http(s) URL")]
    InvalidApiUrl { url: String },
    #[error("the local cache failed: {0}")]
    Cache(String),
    #[error("{0:?} is not a cache key")]
    InvalidCacheKey(String),
}

impl From<crate::cache::StoreError> for CoreError {
    fn from(err: crate::cache::StoreError) -> Self {
        if let crate::cache::StoreError::Locked { .. } = err {
            return CoreError::AlreadyRunning;
        }
        CoreError::Cache(err.to_string())
    }
}

impl From<CoreError> for CommandError {
    fn from(err: CoreError) -> Self {
        match err {
            CoreError::InvalidUsername(error) => CommandError::InvalidUsername { error },
            CoreError::UnknownWidget(err) => CommandError::UnknownWidget { id: err.id },
            CoreError::InvalidUserId(id) => CommandError::InvalidUserId { id },
            CoreError::InvalidPage(page) => CommandError::InvalidPage { page },
            CoreError::InvalidNotificationId(id) => CommandError::InvalidNotificationId { id },
            CoreError::InvalidSetting(error) => CommandError::InvalidSetting { error },
            CoreError::AlreadyRunning => CommandError::AlreadyRunning,
            CoreError::NoKeychain(message) => CommandError::NoKeychain { message },
            CoreError::NotSignedIn => CommandError::NotSignedIn,
            CoreError::SessionExpired => CommandError::SessionExpired,
            CoreError::Unreachable(message) => CommandError::Unreachable { message },
            CoreError::UpstreamStatus {
                status,
                code,
                message,
            } => CommandError::UpstreamStatus {
                status,
                code,
                message,
            },
            CoreError::InvalidResponse(message) => CommandError::InvalidResponse { message },
            CoreError::RateLimited { retry_after_secs } => CommandError::UpstreamStatus {
                status: 429,
                code: "rate_limited".into(),
                message: format!("too many requests; retry in {retry_after_secs} s"),
            },
            CoreError::InvalidCacheKey(key) => CommandError::InvalidCacheKey { key },
            err @ (CoreError::InvalidApiUrl { .. } | CoreError::Cache(_)) => {
                CommandError::Internal {
                    message: err.to_string(),
                }
            }
        }
    }
}
