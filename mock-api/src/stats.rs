//! Request counts by route and user, for `/__admin/stats`: the cache's
//! single-flight tests count upstream calls with them.

use std::sync::{Mutex, PoisonError};

use larder_protocol::test_controls::RequestStats;

/// Thread-safe counters. The lock is held for one increment or copy.
#[derive(Debug, Default)]
pub struct Stats {
    inner: Mutex<RequestStats>,
}

impl Stats {
    /// Counts one request to `route` ("GET /api/widgets/3"), from `user`
    /// when the request carried a live token.
    pub fn record(&self, route: &str, user: Option<&str>) {
        let mut stats = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        stats.total += 1;
        *stats.by_route.entry(route.to_owned()).or_default() += 1;
        if let Some(user) = user {
            *stats
                .by_user
                .entry(user.to_owned())
                .or_default()
                .entry(route.to_owned())
                .or_default() += 1;
        }
    }

    /// Counts one change applied for `user`, and logs it (`what`).
    pub fn record_applied(&self, user: &str, what: String) {
        let mut stats = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        *stats.applied.entry(user.to_owned()).or_default() += 1;
        stats
            .applied_log
            .entry(user.to_owned())
            .or_default()
            .push(what);
    }

    pub fn snapshot(&self) -> RequestStats {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub fn reset(&self) {
        *self.inner.lock().unwrap_or_else(PoisonError::into_inner) = RequestStats::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_by_route_and_user_and_resets() {
        let stats = Stats::default();
        stats.record("GET /api/widgets/3", Some("u1"));
        stats.record("GET /api/widgets/3", Some("u1"));
        stats.record("GET /api/widgets/3", Some("u2"));
        stats.record("POST /auth/login", None);
        let snap = stats.snapshot();
        assert_eq!(snap.total, 4);
        assert_eq!(snap.by_route["GET /api/widgets/3"], 3);
        assert_eq!(snap.count("u1", "GET /api/widgets/3"), 2);
        assert_eq!(snap.count("u2", "GET /api/widgets/3"), 1);
        assert_eq!(snap.count("u3", "GET /api/widgets/3"), 0);
        stats.reset();
        assert_eq!(stats.snapshot(), RequestStats::default());
    }
}
