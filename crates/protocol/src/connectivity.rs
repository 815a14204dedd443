//! Whether the upstream API can be reached, as judged from the outcomes of
//! real requests (never from a separate "is the network up" check).

use serde::{Deserialize, Serialize};

/// The app's view of the upstream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Connectivity {
    /// The last request was answered normally.
    #[default]
    Online,
    /// The API answers, but with server errors or too slowly.
    Degraded,
    /// The API could not be reached at all; reads are served from the cache.
    Offline,
}
