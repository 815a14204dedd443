//! The payload of the `bootstrap` command: everything the UI hydrates from on
//! its first frame, so cached widgets paint with no further round trip.

use serde::{Deserialize, Serialize};

use crate::{events::PrewarmProgress, AppConfig, Connectivity, Session, Settings, WidgetEnvelope};

/// Session and app state at start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Bootstrap {
    /// The signed-in user, if any.
    pub session: Option<Session>,
    /// A kept session that cannot be resumed now because its secrets
    /// cannot be read (a locked keychain): not a signed-out session. The
    /// UI says why and offers Retry.
    #[serde(default)]
    pub locked: Option<LockedSession>,
    /// The API base URL in use.
    pub api_url: String,
    /// Whether that API is the one embedded in the app.
    pub embedded_api: bool,
    /// The API's published config (the last one seen, when offline).
    pub config: AppConfig,
    pub settings: Settings,
    pub connectivity: Connectivity,
    pub prewarm: PrewarmProgress,
    /// The dashboard's widgets already in the cache, in dashboard order,
    /// read without any request.
    pub widgets: Vec<WidgetEnvelope>,
    /// The signed-in user's role widgets already in the cache (only their
    /// role's), in dashboard order, read without any request.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub role_widgets: Vec<crate::RoleEnvelope>,
    /// The signed-in user's changes waiting to sync, so the first frame's
    /// banner counts them without a second call.
    #[serde(default)]
    pub outbox: crate::Outbox,
    /// Changes the API refused for good while their account was not shown
    /// (a switch's answer carries them, once), so the user is told.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub refused: Vec<crate::RefusedChange>,
    /// In a window opened on a post: what the cache holds of its page,
    /// read without any request, so that window paints it at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_page: Option<crate::PostPage>,
    /// In a window opened on a profile: what the cache holds of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_page: Option<crate::ProfilePage>,
    /// Where the cache was moved at this start because sled proved it
    /// damaged (a fresh one took its place): the window says so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_rebuilt: Option<String>,
    /// Saved settings left out at this start because they cannot be used
    /// (their defaults apply): the window shows each, with its field
    /// marked, until the settings are saved again.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub refused_settings: Vec<crate::RefusedSetting>,
}

/// A kept session whose token cannot be read right now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LockedSession {
    pub user: crate::User,
    pub reason: crate::LockReason,
}
