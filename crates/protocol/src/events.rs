//! Events the backend pushes to every window, and their payloads.

use serde::{Deserialize, Serialize};

/// A widget's cached value changed (prewarm or background revalidation);
/// the payload is its new `WidgetEnvelope`. Not sent when a revalidation
/// finds the data unchanged (a 304, or the same bytes).
pub const WIDGET_UPDATED: &str = "widget-updated";
/// Prewarm made progress; the payload is a [`PrewarmProgress`].
pub const PREWARM_PROGRESS: &str = "prewarm-progress";

/// The connectivity changed; the payload is the new
/// [`crate::Connectivity`].
pub const CONNECTIVITY_CHANGED: &str = "connectivity-changed";
/// The session began or ended (sign-in, sign-out, or the API rejected the
/// session); the payload is the `Option<Session>` now in effect.
pub const SESSION_CHANGED: &str = "session-changed";

/// "n of 5 warmed".
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
