//! The core's one error type. Each variant states a fact about what went
//! wrong; [`From<CoreError> for CommandError`] turns it into the typed error
//! the UI matches on.

use larder_protocol::{CommandError, LockReason, UsernameError, WidgetIdError};

use larder_store::{secrets::SecretError, StoreError};

/// `Clone`, because one failed upstream fetch is handed to every caller
/// that shares it.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CoreError {
    #[error("invalid username: {0}")]
    InvalidUsername(#[from] UsernameError),
    #[error(transparent)]
    UnknownWidget(#[from] WidgetIdError),
    #[error("{0:?} is not a user id")]
    InvalidUserId(String),
    #[error("{0:?} is not a post id")]
    InvalidPostId(String),
    #[error("{0:?} is not a tag")]
    InvalidTag(String),
    #[error("there is no page {0}")]
    InvalidPage(i64),
    #[error("{0:?} is not a notification id")]
    InvalidNotificationId(String),
    #[error("no waiting change {0:?}")]
    UnknownChange(String),
    #[error("invalid setting: {0}")]
    InvalidSetting(#[from] larder_protocol::SettingsError),
    #[error("another Larder already has the cache open")]
    AlreadyRunning,
    #[error("no user is signed in")]
    NotSignedIn,
    /// Asked for a role widget of another role than the signed-in user's:
    /// refused before anything is read or sent.
    #[error("{widget} is only for the {role:?} role")]
    NotForRole {
        widget: larder_protocol::RoleWidget,
        role: larder_protocol::Role,
    },
    #[error(transparent)]
    UnknownRoleWidget(#[from] larder_protocol::RoleWidgetError),
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
    /// The API URL would send the token in cleartext to another machine.
    #[error("the API URL {url:?} must use https:// (http:// is only for this computer)")]
    InsecureApiUrl { url: String },
    /// A secret (the session token, a cache key) could not be read or
    /// kept. A transient one ([`SecretError::is_transient`]) leaves the
    /// cache locked, not empty.
    #[error(transparent)]
    Keychain(#[from] SecretError),
    /// The cache's storage failed, or a value is kept but unreadable.
    #[error(transparent)]
    Storage(StoreError),
    /// The store that keeps the session between runs failed.
    #[error("the kept session could not be read or written")]
    SessionStore(#[source] std::sync::Arc<dyn std::error::Error + Send + Sync>),
    #[error("{0:?} is not a cache key")]
    InvalidCacheKey(String),
}

impl From<StoreError> for CoreError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Locked { .. } => CoreError::AlreadyRunning,
            StoreError::Secret(err) => CoreError::Keychain(err),
            other => CoreError::Storage(other),
        }
    }
}

/// Why cached data cannot be read, as the UI explains it.
pub fn lock_reason(err: &SecretError) -> LockReason {
    match err {
        SecretError::Locked { .. } => LockReason::KeychainLocked,
        SecretError::Unavailable { .. } => LockReason::KeychainUnavailable,
        SecretError::AccessDenied { .. } => LockReason::AccessDenied,
        SecretError::NotFound { .. } | SecretError::Open { .. } => LockReason::KeyMissing,
        SecretError::Mismatch { .. } => LockReason::WrongKey,
        SecretError::Io { .. } | SecretError::Rejected { .. } | SecretError::Seal => {
            LockReason::KeychainUnavailable
        }
    }
}

impl From<CoreError> for CommandError {
    fn from(err: CoreError) -> Self {
        match err {
            CoreError::InvalidUsername(error) => CommandError::InvalidUsername { error },
            CoreError::UnknownWidget(err) => CommandError::UnknownWidget { id: err.id },
            CoreError::InvalidUserId(id) => CommandError::InvalidUserId { id },
            CoreError::InvalidPage(page) => CommandError::InvalidPage { page },
            CoreError::InvalidPostId(id) => CommandError::InvalidPostId { id },
            CoreError::InvalidTag(tag) => CommandError::InvalidTag { tag },
            CoreError::InvalidNotificationId(id) => CommandError::InvalidNotificationId { id },
            CoreError::UnknownChange(id) => CommandError::UnknownChange { id },
            CoreError::InvalidSetting(error) => CommandError::InvalidSetting { error },
            CoreError::AlreadyRunning => CommandError::AlreadyRunning,
            CoreError::NotSignedIn => CommandError::NotSignedIn,
            CoreError::NotForRole { widget, role } => CommandError::NotForRole {
                widget: widget.title().to_owned(),
                role,
            },
            CoreError::UnknownRoleWidget(err) => CommandError::UnknownWidget { id: err.name },
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
            CoreError::Keychain(err) => CommandError::CacheLocked {
                reason: lock_reason(&err),
            },
            CoreError::Storage(
                StoreError::WrongKey | StoreError::UnknownFormat(_) | StoreError::UnknownSchema(_),
            ) => CommandError::CacheLocked {
                reason: LockReason::WrongKey,
            },
            CoreError::Storage(err) => CommandError::Storage {
                message: err.to_string(),
            },
            err @ CoreError::InsecureApiUrl { .. } => CommandError::InvalidSetting {
                error: larder_protocol::SettingsError {
                    field: "apiUrl".into(),
                    message: err.to_string(),
                },
            },
            err @ (CoreError::InvalidApiUrl { .. } | CoreError::SessionStore(_)) => {
                CommandError::Internal {
                    message: err.to_string(),
                }
            }
        }
    }
}
