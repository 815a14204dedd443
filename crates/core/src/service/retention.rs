//! Whose data the cache must keep, and the two tasks that remove data: the
//! sweeper (entries past their horizon) and the size limit (the least
//! recently used entries, across users).
//!
//! Every signed-in account, every account whose kept session waits for the
//! keychain (locked) and every user whose data was not purged by signing out (kept:
//! signed out keeping the cache, ended by a 401 or a lost token) can come
//! back to their data offline, where it is the only copy. So:
//! - the sweeper never removes their entries for age, and removes nothing
//!   at all for age while the API cannot be reached; other users' entries
//!   go once past their horizon, which follows the TTL setting;
//! - the size limit never removes their dashboard's widgets (the role
//!   widgets included);
//! - both wait until the kept session has been restored, so the first pass
//!   knows who is signed in.

use std::{collections::BTreeSet, time::Duration};

use super::{background::SWEEP_EVERY, Larder};
use larder_store::store::partition_name;

use crate::{cache::policy::STALE_IF_ERROR, CoreError, Resource};

impl Larder {
    beneath_the_facade! {
        /// The partitions whose data is the only copy a user can come back to:
        /// every signed-in account's, every locked one's and every kept one.
        pub fn protected_partitions(&self) -> BTreeSet<String> {
            let mut protected = BTreeSet::new();
            for session in self.active_sessions() {
                protected.insert(partition_name(&session.user.id));
            }
            for locked in super::read_lock(&self.inner.locked) {
                protected.insert(partition_name(&locked.session.user.id));
            }
            match self.inner.engine.store().kept_partitions() {
                Ok(kept) => protected.extend(kept),
                Err(err) => tracing::warn!(%err, "the kept partitions could not be listed"),
            }
            protected
        }
    }

    /// Waits until the kept session has been restored (or found locked or
    /// absent).
    async fn restored(&self) {
        let mut restored = self.inner.restored.subscribe();
        // An error means the app is going away: nothing more to wait for.
        let _ = restored.wait_for(|done| *done).await;
    }

    beneath_the_facade! {
        /// One sweep: removes damaged entries everywhere and, unless the API
        /// is unreachable, entries of unprotected users past their horizon
        /// (the longer of their TTL and the stale-if-error window). Returns
        /// how many were removed.
        pub fn sweep_once(&self) -> Result<usize, CoreError> {
            let offline = self.inner.client.connectivity().is_offline();
            let protected = self.protected_partitions();
            let horizon = |partition: &str, key: &str| -> Option<Duration> {
                if offline || protected.contains(partition) {
                    return None;
                }
                let ttl = Resource::from_key(key)
                    .map(|resource| self.policy_for(&resource.policy_name()).ttl)
                    .unwrap_or_default();
                Some(ttl.max(STALE_IF_ERROR))
            };
            let now = self.inner.engine.now_ms();
            Ok(self.inner.engine.store().sweep(now, &horizon)?)
        }
    }

    /// Sweeps every [`SWEEP_EVERY`] (the first time once the session is
    /// restored), then compacts the folder if it has outgrown what it
    /// holds.
    pub(super) async fn run_sweeper(self) {
        self.restored().await;
        let mut tick = tokio::time::interval(SWEEP_EVERY);
        loop {
            tick.tick().await;
            match self.sweep_once() {
                Ok(0) => {}
                Ok(removed) => tracing::debug!(removed, "swept old cache entries"),
                Err(err) => tracing::warn!(%err, "the cache sweep failed"),
            }
            // A compaction, when due, runs on a blocking thread; reads go
            // on meanwhile.
            let store = self.inner.engine.store().clone();
            let compacting = store.clone();
            match store
                .run_blocking(move || compacting.compact_if_due())
                .await
            {
                Ok(Ok(_)) => {}
                Ok(Err(err)) => tracing::warn!(%err, "the cache could not be compacted"),
                Err(err) => tracing::warn!(%err, "the cache compaction stopped"),
            }
        }
    }

    /// Applies the size limit every [`SWEEP_EVERY`], the first time once
    /// the session is restored.
    pub(super) async fn run_size_limit(self) {
        self.restored().await;
        let mut tick = tokio::time::interval(SWEEP_EVERY);
        loop {
            tick.tick().await;
            let pass = self.clone();
            let store = self.inner.engine.store();
            match store.run_blocking(move || pass.enforce_cache_limit()).await {
                Ok(Ok(report)) if report.removed > 0 => tracing::info!(
                    removed = report.removed,
                    before = report.live_bytes_before,
                    after = report.live_bytes_after,
                    "evicted the least recently used cache entries"
                ),
                Ok(Ok(_)) => {}
                Ok(Err(err)) => tracing::warn!(%err, "the cache size limit could not be applied"),
                Err(err) => tracing::warn!(%err, "the cache size limit pass stopped"),
            }
        }
    }

    beneath_the_facade! {
        /// Keeps the cache within the `cacheLimitMib` setting (see
        /// [`Self::evict_to`]). Blocking: the background runs it on a blocking
        /// thread.
        pub fn enforce_cache_limit(&self) -> Result<larder_store::eviction::Eviction, CoreError> {
            self.evict_to(self.settings().cache_limit_bytes())
        }
    }

    beneath_the_facade! {
        /// Removes the least recently used entries, across users, while the
        /// cache holds more than `limit` bytes; the dashboards of the signed-in,
        /// locked and kept users are never removed to make room, nor the API's
        /// cached config (which offline starts need).
        pub fn evict_to(&self, limit: u64) -> Result<larder_store::eviction::Eviction, CoreError> {
            let protected = self.protected_partitions();
            let app = partition_name(super::APP_PARTITION);
            let keep = |partition: &str, key: &str| {
                partition == app
                    || (protected.contains(partition)
                        && Resource::from_key(key).is_some_and(|r| r.is_dashboard()))
            };
            Ok(self.inner.engine.store().evict_to(limit, &keep)?)
        }
    }
}
