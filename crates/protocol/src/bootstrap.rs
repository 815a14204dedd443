//! The payload of the `bootstrap` command: everything the UI hydrates from on
//! its first frame.

use serde::{Deserialize, Serialize};

use crate::Session;

/// Session and app state at start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Bootstrap {
    /// The signed-in user, if any.
    pub session: Option<Session>,
    /// The API base URL in use.
    pub api_url: String,
    /// Whether that API is the one embedded in the app.
    pub embedded_api: bool,
}
