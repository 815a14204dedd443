//! Errors that cross a boundary.
//!
//! [`ApiErrorBody`] is the JSON body of every HTTP error the API sends.
//! [`CommandError`] is the one error type of every backend command; it is
//! serialised with its variant name in `kind`, so the UI can match on it.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::{SettingsError, UsernameError};

/// `{"error": "<message for a person>", "code": "<machine_code>"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiErrorBody {
    pub error: String,
    pub code: String,
}

/// Why the user's cached data cannot be read right now. Nothing is deleted
/// for any of these: each says what would make the data readable again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LockReason {
    /// The system keychain is locked (or its unlock prompt was dismissed).
    KeychainLocked,
    /// The system keychain does not answer.
    KeychainUnavailable,
    /// The operating system refused Larder access to its keys.
    AccessDenied,
    /// The keychain answers, but the key of this user's cache is not in it.
    KeyMissing,
    /// A cached value was sealed under another key than this user's.
    WrongKey,
}

impl LockReason {
    /// What happened and what to do, for a person.
    pub fn explain(self) -> &'static str {
        match self {
            Self::KeychainLocked => {
                "Your saved dashboard is locked because the system keychain is locked. \
                 Unlock the keychain (for example, by unlocking your desktop session), then choose Retry. \
                 Nothing has been deleted."
            }
            Self::KeychainUnavailable => {
                "The system keychain is not answering, so Larder cannot open your saved dashboard. \
                 Nothing has been deleted; choose Retry once the keychain is running again."
            }
            Self::AccessDenied => {
                "The system refused Larder access to the keys of your saved dashboard. \
                 Allow Larder in the keychain, then choose Retry. Nothing has been deleted."
            }
            Self::KeyMissing => {
                "The key to your saved dashboard is no longer in the system keychain, so it cannot be opened. \
                 Nothing has been deleted: if the keychain is restored, choose Retry."
            }
            Self::WrongKey => {
                "Some saved data was sealed under a different key and cannot be shown. It has been kept, not deleted."
            }
        }
    }
}

/// The typed error of every backend command. On the wire it is tagged by
/// its variant, serde's default: `{"invalid_user_id": {"id": "…"}}`, or
/// `"not_signed_in"` for one without fields. (Tagged inside the object,
/// as `{"kind": …}`, its decoder in the UI's wasm was three times the size:
/// serde buffers such an object whole before it can pick the variant.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommandError {
    /// The username was refused before anything was sent.
    InvalidUsername { error: UsernameError },
    /// The widget id is not one of the dashboard's widgets.
    UnknownWidget { id: String },
    /// The cache key is not one Larder uses.
    InvalidCacheKey { key: String },
    /// The user id is not one Larder sends (1 to 64 of `A-Za-z0-9_-`).
    InvalidUserId { id: String },
    /// The post id is not one Larder sends (1 to 64 of `A-Za-z0-9_-`).
    InvalidPostId { id: String },
    /// The tag is not one Larder sends (1 to 64 of `A-Za-z0-9_-`).
    InvalidTag { tag: String },
    /// The page number is outside 1 to [`crate::profile::PAGE_MAX`].
    InvalidPage { page: i64 },
    /// The notification id is not one Larder sends.
    InvalidNotificationId { id: String },
    /// A setting is out of range; nothing was saved.
    InvalidSetting { error: SettingsError },
    /// No change with this id waits in the outbox.
    UnknownChange { id: String },
    /// The window's screen report is not one the UI sends.
    InvalidScreenReport { message: String },
    /// A window could not be opened (the platform refused it).
    WindowUnavailable { message: String },
    /// Another Larder window already has this user's data open.
    AlreadyRunning,
    /// No OS keychain answered, and the file store was not chosen.
    NoKeychain { message: String },
    /// The command needs a signed-in user and there is none.
    NotSignedIn,
    /// The widget is only for another role than the signed-in user's.
    NotForRole { widget: String, role: crate::Role },
    /// The API rejected the session (401); the user must sign in again.
    SessionExpired,
    /// The API could not be reached (connection refused, DNS, timeout).
    Unreachable { message: String },
    /// The API answered with an error status.
    UpstreamStatus {
        status: u16,
        code: String,
        message: String,
    },
    /// The API answered 2xx with a body that could not be decoded.
    InvalidResponse { message: String },
    /// The user's cached data is kept but cannot be read right now.
    CacheLocked { reason: LockReason },
    /// The cache's storage on disk failed (a full disk, an I/O error).
    Storage { message: String },
    /// A setting or stored state of the app is unusable.
    Internal { message: String },
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidUsername { error } => write!(f, "{error}"),
            Self::UnknownWidget { id } => write!(f, "There is no widget {id:?}."),
            Self::InvalidCacheKey { key } => write!(f, "{key:?} is not a cache entry."),
            Self::InvalidUserId { id } => write!(f, "{id:?} is not a user id."),
            Self::InvalidPage { page } => write!(f, "There is no page {page}."),
            Self::InvalidPostId { id } => write!(f, "{id:?} is not a post."),
            Self::InvalidTag { tag } => write!(f, "{tag:?} is not a tag."),
            Self::InvalidNotificationId { id } => write!(f, "{id:?} is not a notification."),
            Self::InvalidSetting { error } => write!(f, "That setting is not valid ({error})."),
            Self::UnknownChange { id } => write!(f, "No change {id:?} is waiting to be sent."),
            Self::InvalidScreenReport { message } => {
                write!(f, "The window's report is not valid ({message}).")
            }
            Self::WindowUnavailable { message } => {
                write!(f, "The window could not be opened ({message}).")
            }
            Self::AlreadyRunning => write!(
                f,
                "Larder is already running. Switch to its window, or quit it and start again."
            ),
            Self::NoKeychain { message } => {
                write!(
                    f,
                    "Larder keeps its keys in the system keychain, but {message}."
                )
            }
            Self::NotSignedIn => write!(f, "You are not signed in."),
            Self::NotForRole { widget, role } => {
                let who = match role {
                    crate::Role::Admin => "admins",
                    crate::Role::Manager => "managers",
                    crate::Role::Member => "members",
                };
                write!(f, "Only {who} see {widget}.")
            }
            Self::SessionExpired => write!(f, "Your session has ended. Please sign in again."),
            Self::Unreachable { message } => {
                write!(f, "The server cannot be reached ({message}).")
            }
            Self::UpstreamStatus {
                status, message, ..
            } => write!(f, "The server answered {status}: {message}"),
            Self::InvalidResponse { message } => {
                write!(
                    f,
                    "The server sent a response Larder cannot read ({message})."
                )
            }
            Self::CacheLocked { reason } => f.write_str(reason.explain()),
            Self::Storage { message } => {
                write!(
                    f,
                    "Larder could not use its saved data on this computer ({message})."
                )
            }
            Self::Internal { message } => write!(f, "Larder hit an internal problem: {message}"),
        }
    }
}

impl std::error::Error for CommandError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_with_its_variant() {
        let json = serde_json::to_value(CommandError::UpstreamStatus {
            status: 503,
            code: "unavailable".into(),
            message: "down".into(),
        })
        .expect("serialise");
        assert_eq!(json["upstream_status"]["status"], 503);
        let back: CommandError = serde_json::from_value(json).expect("round trip");
        assert!(matches!(
            back,
            CommandError::UpstreamStatus { status: 503, .. }
        ));
    }

    #[test]
    fn a_variant_without_fields_is_its_name_alone() {
        let json = serde_json::to_string(&CommandError::NotSignedIn).expect("serialise");
        assert_eq!(json, r#""not_signed_in""#);
        let back: CommandError = serde_json::from_str(&json).expect("round trip");
        assert_eq!(back, CommandError::NotSignedIn);
    }

    #[test]
    fn a_locked_cache_says_so_and_promises_nothing_was_deleted() {
        let err = CommandError::CacheLocked {
            reason: LockReason::KeychainLocked,
        };
        let json = serde_json::to_string(&err).expect("serialise");
        assert_eq!(json, r#"{"cache_locked":{"reason":"keychain_locked"}}"#);
        assert!(err.to_string().contains("keychain is locked"));
        for reason in [
            LockReason::KeychainLocked,
            LockReason::KeychainUnavailable,
            LockReason::AccessDenied,
            LockReason::KeyMissing,
            LockReason::WrongKey,
        ] {
            assert!(reason.explain().contains("deleted"), "{reason:?}");
        }
    }

    #[test]
    fn username_errors_nest() {
        let err = CommandError::InvalidUsername {
            error: UsernameError::TooLong { chars: 70 },
        };
        let json = serde_json::to_string(&err).expect("serialise");
        assert_eq!(
            json,
            r#"{"invalid_username":{"error":{"reason":"too_long","chars":70}}}"#
        );
        assert!(err.to_string().contains("at most 64"));
    }
}
