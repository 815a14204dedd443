//! Events the backend pushes to every window, and their payloads.

use serde::{Deserialize, Serialize};

/// A widget's cached value was stored (prewarm, revalidation, a change
/// sent or rolled back), changed or confirmed as of now; the payload is its
/// new `WidgetEnvelope`, [`ForUser`] its account.
pub const WIDGET_UPDATED: &str = "widget-updated";
/// A role widget's cached value was stored, changed or confirmed; the
/// payload is its new [`crate::RoleEnvelope`], [`ForUser`].
pub const ROLE_WIDGET_UPDATED: &str = "role-widget-updated";
/// The shown account's outbox changed; the payload is the
/// [`crate::Outbox`], [`ForUser`].
pub const OUTBOX_CHANGED: &str = "outbox-changed";
/// The API refused a change for good and it was rolled back; the payload is
/// a [`crate::RefusedChange`], [`ForUser`].
pub const CHANGE_REFUSED: &str = "change-refused";

/// A pushed value and the account it belongs to. Only the shown account's
/// values are pushed, but a switch can cross one on its way; each layout
/// applies only its own account's, so no account's data ever reaches a
/// layout of another.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForUser<T> {
    /// The account's user id (empty for nobody: what is left after the
    /// last account signed out).
    pub user: String,
    pub value: T,
}

impl<T> ForUser<T> {
    pub fn new(user: impl Into<String>, value: T) -> Self {
        Self {
            user: user.into(),
            value,
        }
    }
}
/// Prewarm made progress; the payload is a [`PrewarmProgress`].
pub const PREWARM_PROGRESS: &str = "prewarm-progress";

/// The connectivity changed; the payload is the new
/// [`crate::Connectivity`].
pub const CONNECTIVITY_CHANGED: &str = "connectivity-changed";
/// The account shown or the accounts signed in changed (sign-in, a switch,
/// sign-out, or the API rejected a session); the payload is the
/// `Option<Session>` now in effect.
pub const SESSION_CHANGED: &str = "session-changed";

/// Larder was launched again while running: the second launch handed over
/// and exited, and this window was brought forward; the payload is an
/// [`InstanceHandover`].
pub const INSTANCE_HANDOVER: &str = "instance-handover";

/// What a second launch's hand-over did to the running window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InstanceHandover {
    /// Whether the window was restored, shown and focused without an
    /// error from the OS.
    pub brought_forward: bool,
}

/// "n of total warmed": the five widgets and the user's role widgets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrewarmProgress {
    /// Widgets now in the cache.
    pub warmed: u8,
    /// Widgets whose fetch failed.
    pub failed: u8,
    pub total: u8,
}

impl PrewarmProgress {
    pub fn is_done(&self) -> bool {
        self.warmed + self.failed >= self.total
    }
}
