//! `GET /config`: the app configuration the API publishes: feature flags,
//! the default cache policy per resource, and the theme.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::Settings;

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

impl CachePolicy {
    /// What applies to a resource the API publishes no policy for: fresh
    /// for 30 s, kept 10 minutes.
    pub const DEFAULT: Self = Self {
        stale_secs: 30,
        ttl_secs: 600,
    };
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
    /// How long the API remembers an `Idempotency-Key` (per user) for the
    /// requests that change data; 0 when it publishes none.
    #[serde(default)]
    pub idempotency_key_ttl_secs: u64,
}

impl AppConfig {
    /// The policy in effect for the resource published as `name`
    /// (`widget:3`, `profile`, …): the settings' overrides, else the
    /// published policy, else [`CachePolicy::DEFAULT`]. The stale time never
    /// exceeds the TTL. The backend and the UI both use this one rule.
    pub fn policy_for(&self, name: &str, settings: &Settings) -> CachePolicy {
        let published = self
            .cache
            .get(name)
            .copied()
            .unwrap_or(CachePolicy::DEFAULT);
        let ttl_secs = settings.ttl_secs.unwrap_or(published.ttl_secs);
        let stale_secs = settings.stale_secs.unwrap_or(published.stale_secs);
        CachePolicy {
            stale_secs: stale_secs.min(ttl_secs),
            ttl_secs,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_override_the_published_policy() {
        let mut config = AppConfig::default();
        config.cache.insert(
            "widget:3".into(),
            CachePolicy {
                stale_secs: 120,
                ttl_secs: 600,
            },
        );
        let defaults = Settings::default();
        assert_eq!(config.policy_for("widget:3", &defaults).stale_secs, 120);
        assert_eq!(
            config.policy_for("unknown", &defaults),
            CachePolicy::DEFAULT
        );
        let short_ttl = Settings {
            ttl_secs: Some(60),
            ..Settings::default()
        };
        assert_eq!(
            config.policy_for("widget:3", &short_ttl),
            CachePolicy {
                stale_secs: 60,
                ttl_secs: 60
            },
            "the stale time is capped by the TTL"
        );
        let published_cap = CachePolicy {
            stale_secs: 900,
            ttl_secs: 600,
        };
        config.cache.insert("profile".into(), published_cap);
        assert_eq!(config.policy_for("profile", &defaults).stale_secs, 600);
    }
}
