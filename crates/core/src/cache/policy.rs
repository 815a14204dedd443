//! How long a cached value is fresh, kept, and served despite errors.

use std::time::Duration;

use larder_protocol::{CachePolicy, Freshness};

/// While the upstream fails, a value this old is still served.
pub const STALE_IF_ERROR: Duration = Duration::from_secs(24 * 3600);

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
        Self::from(CachePolicy::DEFAULT)
    }
}

impl From<CachePolicy> for Policy {
    /// The API's published policy; the stale time never exceeds the TTL.
    fn from(published: CachePolicy) -> Self {
        let ttl = Duration::from_secs(published.ttl_secs);
        Self {
            stale_after: Duration::from_secs(published.stale_secs).min(ttl),
            ttl,
            stale_if_error: STALE_IF_ERROR,
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
}
