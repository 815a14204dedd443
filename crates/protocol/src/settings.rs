//! The user's settings: persisted by the desktop shell, edited in the
//! settings view, and checked here so every side applies the same limits.

use serde::{Deserialize, Serialize};

use crate::Theme;

/// The longest API URL accepted.
pub const API_URL_MAX_CHARS: usize = 2048;
/// The cache's size limit when none is set, in MiB.
pub const CACHE_LIMIT_MIB_DEFAULT: u64 = 256;
/// The smallest and largest size limit a user may set, in MiB. The floor
/// keeps room for a dashboard and a few profiles; the ceiling (64 GiB) is
/// only a guard against typos.
pub const CACHE_LIMIT_MIB_RANGE: std::ops::RangeInclusive<u64> = 16..=65_536;

/// The shortest and longest hard TTL a user may set, in seconds.
pub const TTL_SECS_RANGE: std::ops::RangeInclusive<u64> = 10..=7 * 86_400;

/// Where Larder keeps its keys and the session token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SecretStoreChoice {
    /// The operating system's keychain (the default).
    #[default]
    Keychain,
    /// Sealed files under a private key file in the app's data folder, for
    /// machines without a keychain.
    File,
}

impl SecretStoreChoice {
    /// What this choice protects against and what it does not, in one
    /// sentence, for the window that offers it.
    pub fn explain(self) -> &'static str {
        match self {
            Self::Keychain => {
                "The system keychain keeps Larder's keys apart from its data, locked with your login."
            }
            Self::File => {
                "A protected file keeps your cached data unreadable to other users of this computer \
                 and to anyone who copies the data folder without it, but not to someone who can \
                 read your own files."
            }
        }
    }
}

/// Larder's settings. Every field has a default, so a settings file from an
/// older version (or a missing one) still loads.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    /// The API to use instead of the embedded one; `None` keeps the default.
    pub api_url: Option<String>,
    /// Overrides every resource's stale time, in seconds.
    pub stale_secs: Option<u64>,
    /// Overrides every resource's hard TTL, in seconds.
    pub ttl_secs: Option<u64>,
    /// Keep the user's cache at sign-out, for offline use.
    pub keep_cache_on_sign_out: bool,
    /// Where keys are kept; `None` is the keychain, as chosen by default.
    /// A change applies at the next start, which moves the keys over.
    pub secret_store: Option<SecretStoreChoice>,
    /// The most the cache may hold, in MiB (default
    /// [`CACHE_LIMIT_MIB_DEFAULT`]); past it, the least recently used
    /// entries go first, never the signed-in user's dashboard.
    pub cache_limit_mib: Option<u64>,
    /// Revalidates what is on screen when it turns stale, while the window
    /// is visible; `None` is on. Off suits metered connections: data then
    /// refreshes only when read (a navigation, Ctrl+R, Retry).
    pub auto_refresh: Option<bool>,
    pub theme: Theme,
}

/// Why a setting was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SettingsError {
    /// The setting's field name, as serialised (`apiUrl`, `ttlSecs`, …).
    pub field: String,
    pub message: String,
}

impl std::fmt::Display for SettingsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for SettingsError {}

/// A saved setting that this Larder cannot use (written by an older one,
/// or edited by hand): left out at start, its default in effect until the
/// user saves the settings again. The window shows it, with the field
/// marked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefusedSetting {
    /// The setting's field name, as serialised (`apiUrl`, …).
    pub field: String,
    /// The value as saved: the text of a string, else its JSON.
    pub stored: String,
    /// Why it cannot be used.
    pub message: String,
}

/// Whether `url` keeps the bearer token off the wire in cleartext: an
/// `https://` URL, or an `http://` one whose host is this computer
/// (`localhost`, `127.0.0.0/8`, `[::1]`). Written by hand because the
/// protocol crate depends on serde only (it builds for wasm too); the host
/// is taken exactly as a URL parser would, up to the first `/`, `?` or `#`,
/// after any `user@` part.
pub fn is_secure_api_url(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    if lower.starts_with("https://") {
        return true;
    }
    let Some(rest) = lower.strip_prefix("http://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') || authority.contains('\\') {
        // Credentials in the URL, or a backslash some parsers treat as a
        // separator: never a plain loopback address.
        return false;
    }
    let host = match authority.strip_prefix('[') {
        Some(v6) => match v6.split_once(']') {
            Some((host, port)) if port.is_empty() || port.starts_with(':') => host,
            _ => return false,
        },
        None => authority.split(':').next().unwrap_or_default(),
    };
    if host == "localhost" || host == "::1" {
        return true;
    }
    let octets: Vec<&str> = host.split('.').collect();
    octets.len() == 4
        && octets[0] == "127"
        && octets
            .iter()
            .all(|o| !o.is_empty() && o.len() <= 3 && o.parse::<u8>().is_ok())
}

impl Settings {
    /// Whether what is on screen refreshes by itself (the default).
    pub fn auto_refresh(&self) -> bool {
        self.auto_refresh.unwrap_or(true)
    }

    /// The cache's size limit in bytes.
    pub fn cache_limit_bytes(&self) -> u64 {
        self.cache_limit_mib
            .unwrap_or(CACHE_LIMIT_MIB_DEFAULT)
            .saturating_mul(1024 * 1024)
    }

    /// Checks every field's range and shape.
    pub fn validate(&self) -> Result<(), SettingsError> {
        let refuse = |field: &str, message: String| SettingsError {
            field: field.to_owned(),
            message,
        };
        if let Some(url) = &self.api_url {
            let chars = url.chars().count();
            let lower = url.to_ascii_lowercase();
            let scheme_ok = lower.starts_with("http://") || lower.starts_with("https://");
            if chars == 0
                || chars > API_URL_MAX_CHARS
                || !scheme_ok
                || url.contains(char::is_whitespace)
            {
                return Err(refuse(
                    "apiUrl",
                    format!("must be an https:// URL of at most {API_URL_MAX_CHARS} characters"),
                ));
            }
            if !is_secure_api_url(url) {
                return Err(refuse(
                    "apiUrl",
                    "must use https:// (http:// is allowed only for this computer: \
                     localhost, 127.0.0.0/8 or ::1), so the session token is never sent in cleartext"
                        .into(),
                ));
            }
        }
        if let Some(limit) = self.cache_limit_mib {
            if !CACHE_LIMIT_MIB_RANGE.contains(&limit) {
                return Err(refuse(
                    "cacheLimitMib",
                    format!(
                        "must be from {} to {} MiB",
                        CACHE_LIMIT_MIB_RANGE.start(),
                        CACHE_LIMIT_MIB_RANGE.end()
                    ),
                ));
            }
        }
        if let Some(ttl) = self.ttl_secs {
            if !TTL_SECS_RANGE.contains(&ttl) {
                return Err(refuse(
                    "ttlSecs",
                    format!(
                        "must be from {} to {} seconds",
                        TTL_SECS_RANGE.start(),
                        TTL_SECS_RANGE.end()
                    ),
                ));
            }
        }
        if let Some(stale) = self.stale_secs {
            let ttl = self.ttl_secs.unwrap_or(*TTL_SECS_RANGE.end());
            if stale > ttl {
                return Err(refuse(
                    "staleSecs",
                    format!("must be at most the TTL ({ttl} seconds)"),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_missing_fields_default() {
        assert!(Settings::default().validate().is_ok());
        let parsed: Settings = serde_json::from_str(r#"{"theme":"dark"}"#).expect("parse");
        assert_eq!(parsed.theme, Theme::Dark);
        assert!(!parsed.keep_cache_on_sign_out);
    }

    #[test]
    fn refuses_out_of_range_values_by_field() {
        let field = |settings: Settings| settings.validate().expect_err("refused").field;
        let url = |u: &str| Settings {
            api_url: Some(u.into()),
            ..Settings::default()
        };
        assert_eq!(field(url("")), "apiUrl");
        assert_eq!(field(url("ftp://x")), "apiUrl");
        assert_eq!(field(url("http://a b")), "apiUrl");
        assert_eq!(
            field(url(&format!("http://{}", "a".repeat(3000)))),
            "apiUrl"
        );
        assert!(url("http://127.0.0.1:8787").validate().is_ok());
        for secure in [
            "https://api.example.com",
            "http://localhost:8787/",
            "http://127.1.2.3",
            "http://[::1]:9000/api",
            "HTTPS://API.EXAMPLE.COM",
        ] {
            assert!(url(secure).validate().is_ok(), "{secure}");
        }
        for cleartext in [
            "http://api.example.com",
            "http://10.0.0.1:8787",
            "http://127.0.0.1.evil.com",
            "http://localhost.evil.com",
            "http://127.0.0.1@evil.com",
            "http://evil.com/127.0.0.1",
            "http://[::2]",
            "http://[::1]evil",
            "http://127.0.0.256",
            "http://0x7f.0.0.1",
        ] {
            assert_eq!(field(url(cleartext)), "apiUrl", "{cleartext}");
        }
        for ttl in [0, 9, 7 * 86_400 + 1] {
            let s = Settings {
                ttl_secs: Some(ttl),
                ..Settings::default()
            };
            assert_eq!(field(s), "ttlSecs");
        }
        let s = Settings {
            ttl_secs: Some(60),
            stale_secs: Some(61),
            ..Settings::default()
        };
        assert_eq!(field(s), "staleSecs");
        for limit in [0, 15, 65_537, u64::MAX] {
            let s = Settings {
                cache_limit_mib: Some(limit),
                ..Settings::default()
            };
            assert_eq!(field(s), "cacheLimitMib", "{limit}");
        }
        assert_eq!(Settings::default().cache_limit_bytes(), 256 * 1024 * 1024);
    }
}
