//! Users, sign-in and sessions.
//!
//! [`Username`] is the one place that decides what a valid username is; the UI
//! checks it before anything is sent, the backend checks it again, and the
//! API enforces it, all with the same code.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The longest username accepted, in characters, after trimming.
pub const USERNAME_MAX_CHARS: usize = 64;

/// Why a username was refused. The messages are written for a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "reason")]
pub enum UsernameError {
    /// Empty or only whitespace.
    Empty,
    /// Longer than [`USERNAME_MAX_CHARS`] characters.
    TooLong { chars: usize },
    /// Contains a control character (newline, NUL, ...).
    ControlCharacter,
}

impl fmt::Display for UsernameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => write!(f, "Please enter a username."),
            Self::TooLong { chars } => write!(
                f,
                "A username can have at most {USERNAME_MAX_CHARS} characters (this one has {chars})."
            ),
            Self::ControlCharacter => write!(f, "A username cannot contain control characters."),
        }
    }
}

impl std::error::Error for UsernameError {}

/// A validated username: trimmed, 1 to 64 characters, no control characters.
/// Any Unicode letters, digits, spaces and punctuation are allowed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Username(String);

impl Username {
    /// Validates and normalises (trims) a username.
    pub fn parse(raw: &str) -> Result<Self, UsernameError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(UsernameError::Empty);
        }
        if trimmed.chars().any(char::is_control) {
            return Err(UsernameError::ControlCharacter);
        }
        let chars = trimmed.chars().count();
        if chars > USERNAME_MAX_CHARS {
            return Err(UsernameError::TooLong { chars });
        }
        Ok(Self(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Username {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Username::parse(&raw).map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A user's role, derived by the API from the username.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Manager,
    Member,
}

/// A signed-in user as the API describes them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// Stable for a username: the same name always gets the same id.
    pub id: String,
    pub name: String,
    pub role: Role,
    pub organization_id: String,
}

/// Body of `POST /auth/login`. It is kept as a plain string so the API can
/// answer a bad username with its own 400 rather than a serde error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginRequest {
    pub username: String,
}

/// Answer to `POST /auth/login`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginResponse {
    /// Random and opaque; sent back as `Authorization: Bearer <token>`.
    pub token: String,
    pub user: User,
}

/// The session as the UI sees it. The token never crosses into the webview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    /// The account shown.
    pub user: User,
    /// Every signed-in account, the one shown included, in the order they
    /// were added: what the account switcher lists.
    #[serde(default)]
    pub accounts: Vec<User>,
}

impl Session {
    /// The session of `user`, signed in alone.
    pub fn alone(user: User) -> Self {
        Self {
            accounts: vec![user.clone()],
            user,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_accepts_unicode() {
        let name = Username::parse("  Zoë 山田 ").expect("valid");
        assert_eq!(name.as_str(), "Zoë 山田");
    }

    #[test]
    fn refuses_empty_and_whitespace() {
        assert_eq!(Username::parse(""), Err(UsernameError::Empty));
        assert_eq!(Username::parse(" \t  "), Err(UsernameError::Empty));
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        assert!(Username::parse(&"é".repeat(64)).is_ok());
        assert_eq!(
            Username::parse(&"é".repeat(65)),
            Err(UsernameError::TooLong { chars: 65 })
        );
    }

    #[test]
    fn refuses_control_characters() {
        assert_eq!(
            Username::parse("al\nice"),
            Err(UsernameError::ControlCharacter)
        );
        assert_eq!(Username::parse("a\0"), Err(UsernameError::ControlCharacter));
    }

    #[test]
    fn deserialising_validates() {
        assert!(serde_json::from_str::<Username>("\"  \"").is_err());
        let ok: Username = serde_json::from_str("\" bob \"").expect("valid");
        assert_eq!(ok.as_str(), "bob");
    }
}
