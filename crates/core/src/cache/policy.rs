//! How long a cached value is fresh, kept, and served despite errors.

use std::time::Duration;

use std::collections::BTreeMap;

use larder_protocol::{AppConfig, CachePolicy, Freshness, Settings};

/// The seed's default hard TTL: 10 minutes.
pub const DEFAULT_TTL: Duration = Duration::from_secs(600);

/// One resource's cache policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Fresh for this long: served without asking the upstream.
    pub stale_after: Duration,
    /// Past this, the value is expired and a read waits for the upstream.
    pub ttl: Duration,
    /// While the upstream fails, a value this old is still served (marked
    /// stale) rather than an error.
    pub stale_if_error: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            stale_after: Duration::from_secs(30),
            ttl: DEFAULT_TTL,
            stale_if_error: Duration::from_secs(24 * 3600),
        }
    }
}

impl From<CachePolicy> for Policy {
    /// The API's published policy; the stale time never exceeds the TTL.
    fn from(published: CachePolicy) -> Self {
        let ttl = Duration::from_secs(published.ttl_secs);
        Self {
            stale_after: Duration::from_secs(published.stale_secs).min(ttl),
            ttl,
            ..Self::default()
        }
    }
}

impl Policy {
    /// How fresh a value of this `age` is.
    pub fn freshness(&self, age: Duration) -> Freshness {
        if age < self.stale_after {
            Freshness::Fresh
        } else if age < self.ttl {
            Freshness::Stale
        } else {
            Freshness::Expired
        }
    }

    /// Whether a value of this `age` may stand in for a failed fetch.
    pub fn usable_on_error(&self, age: Duration) -> bool {
        age < self.stale_if_error
    }
}

/// Every resource's policy: the API's published one, unless the user's
/// settings override the stale time or the TTL.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Policies {
    published: BTreeMap<String, CachePolicy>,
    stale_secs: Option<u64>,
    ttl_secs: Option<u64>,
}

impl Policies {
    pub fn new(config: &AppConfig, settings: &Settings) -> Self {
        Self {
            published: config.cache.clone(),
            stale_secs: settings.stale_secs,
            ttl_secs: settings.ttl_secs,
        }
    }

    /// The policy of the resource published as `name` (`widget:3`,
    /// `profile`, …); [`Policy::default`] for one the API does not name.
    pub fn for_name(&self, name: &str) -> Policy {
        let base = self
            .published
            .get(name)
            .map(|published| Policy::from(*published))
            .unwrap_or_default();
        let ttl = self.ttl_secs.map_or(base.ttl, Duration::from_secs);
        let stale_after = self
            .stale_secs
            .map_or(base.stale_after, Duration::from_secs)
            .min(ttl);
        Policy {
            stale_after,
            ttl,
            ..base
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_map_to_freshness() {
        let policy = Policy {
            stale_after: Duration::from_secs(30),
            ttl: Duration::from_secs(600),
            stale_if_error: Duration::from_secs(3600),
        };
        assert_eq!(policy.freshness(Duration::ZERO), Freshness::Fresh);
        assert_eq!(policy.freshness(Duration::from_secs(29)), Freshness::Fresh);
        assert_eq!(policy.freshness(Duration::from_secs(30)), Freshness::Stale);
        assert_eq!(policy.freshness(Duration::from_secs(599)), Freshness::Stale);
        assert_eq!(
            policy.freshness(Duration::from_secs(600)),
            Freshness::Expired
        );
        assert!(policy.usable_on_error(Duration::from_secs(3599)));
        assert!(!policy.usable_on_error(Duration::from_secs(3600)));
    }

    #[test]
    fn a_published_stale_time_is_capped_by_the_ttl() {
        let policy = Policy::from(CachePolicy {
            stale_secs: 900,
            ttl_secs: 600,
        });
        assert_eq!(policy.stale_after, Duration::from_secs(600));
    }

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
        let published = Policies::new(&config, &Settings::default());
        assert_eq!(
            published.for_name("widget:3").stale_after,
            Duration::from_secs(120)
        );
        assert_eq!(published.for_name("unknown"), Policy::default());
        let overridden = Policies::new(
            &config,
            &Settings {
                ttl_secs: Some(60),
                ..Settings::default()
            },
        );
        let policy = overridden.for_name("widget:3");
        assert_eq!(policy.ttl, Duration::from_secs(60));
        assert_eq!(
            policy.stale_after,
            Duration::from_secs(60),
            "capped by the TTL"
        );
    }
}
