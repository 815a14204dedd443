//! `GET /config`: the app configuration the API publishes: feature flags,
//! the default cache policy per resource, and the theme.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The light or dark look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    #[default]
    Light,
    Dark,
}

/// How long a resource's cached value stays fresh, and how long it may be
/// kept at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CachePolicy {
    /// Fresh for this long; stale (served, then revalidated) after.
    pub stale_secs: u64,
    /// Dropped after this long (the hard TTL).
    pub ttl_secs: u64,
}

/// The API's published configuration. The default (no flags, no
/// policies) stands in until the API has been reached once.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppConfig {
    pub feature_flags: BTreeMap<String, bool>,
    /// Keyed by resource: `widget:1` … `widget:5`, `profile`, `posts`,
    /// `followers`.
    pub cache: BTreeMap<String, CachePolicy>,
    pub theme: Theme,
}
