//! Work the app does without being asked: prewarming the dashboard, and
//! watching connectivity. While offline, one probe at a time (with
//! exponential backoff) asks the API whether it is back; on recovery, the
//! signed-in user's stale and expired entries are revalidated once the
//! window is visible, what is on screen first, a few at a time.

use std::{sync::PoisonError, time::Duration};

use futures_util::{stream::FuturesUnordered, StreamExt};
use larder_protocol::{events::PrewarmProgress, Connectivity, Freshness};
use tokio::sync::watch;

use super::Larder;
use larder_store::store::partition_name;
use crate::{CoreError, Resource};

/// How many revalidations a reconnect runs at once.
pub const RECONNECT_IN_FLIGHT: usize = 3;

/// `stale`, with what is on screen first (in the screen's order), the rest
/// after it in their own order.
fn on_screen_first(mut stale: Vec<Resource>, on_screen: &[Resource]) -> Vec<Resource> {
    stale.sort_by_key(|resource| {
        on_screen
            .iter()
            .position(|shown| shown == resource)
            .unwrap_or(usize::MAX)
    });
    stale
}

/// How often the sweeper and the size limit run.
pub(super) const SWEEP_EVERY: Duration = Duration::from_secs(600);

/// When the offline probe asks the API again: after `first`, then doubling
/// up to `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProbeSchedule {
    pub first: Duration,
    pub max: Duration,
}

impl Default for ProbeSchedule {
    fn default() -> Self {
        Self {
            first: Duration::from_secs(2),
            max: Duration::from_secs(30),
        }
    }
}

/// Stops the background tasks when dropped.
#[derive(Debug)]
pub struct BackgroundGuard {
    sweeper: tokio::task::AbortHandle,
    watcher: tokio::task::AbortHandle,
    limiter: tokio::task::AbortHandle,
    config: tokio::task::AbortHandle,
    auto_refresh: tokio::task::AbortHandle,
    outbox: tokio::task::AbortHandle,
}

impl Drop for BackgroundGuard {
    fn drop(&mut self) {
        self.sweeper.abort();
        self.watcher.abort();
        self.limiter.abort();
        self.config.abort();
        self.auto_refresh.abort();
        self.outbox.abort();
    }
}

impl Larder {
    beneath_the_facade! {
        /// Starts the sweeper, the connectivity watcher, the size limit's pass,
        /// the automatic refresh of what is on screen, the outbox's sender and
        /// a first fetch of the API's config; they stop when the guard is
        /// dropped. Must be called on a tokio runtime.
        pub fn start_background(&self, probe: ProbeSchedule) -> BackgroundGuard {
            let sweeper = tokio::spawn(self.clone().run_sweeper());
            let larder = self.clone();
            let watcher = tokio::spawn(async move { larder.watch_connectivity(probe).await });
            let limiter = tokio::spawn(self.clone().run_size_limit());
            // The API's newest config, fetched once at start (the cached one
            // serves until then, and offline).
            let larder = self.clone();
            let config = tokio::spawn(async move {
                if let Err(err) = larder.refresh_config().await {
                    tracing::info!(%err, "the API's config could not be fetched; using the cached one");
                }
            });
            BackgroundGuard {
                sweeper: sweeper.abort_handle(),
                watcher: watcher.abort_handle(),
                limiter: limiter.abort_handle(),
                config: config.abort_handle(),
                auto_refresh: self.spawn_auto_refresh().abort_handle(),
                outbox: tokio::spawn(self.clone().run_outbox()).abort_handle(),
            }
        }
    }

    beneath_the_facade! {
        /// Moves every kept account's session token and every partition's key
        /// that the store in use lacks from `old` (the store the user chose
        /// before), so changing
        /// where keys are kept loses nothing. A partition's key moves only if
        /// it opens what is sealed in that partition: a store that answers
        /// another key (restored from another machine) gives nothing, and keeps
        /// what it has. From then on, a key still missing from the store in
        /// use is looked for in `old` too (see [`crate::CacheKeys`]). Call it
        /// before the first read.
        pub fn adopt_secrets(
            &self,
            old: std::sync::Arc<dyn crate::SecretStore>,
        ) -> Result<usize, CoreError> {
            let store = self.inner.engine.store();
            let Some(current) = store.secret_store() else {
                return Ok(0);
            };
            store.set_fallback_secrets(old.clone());
            let partitions = store.partition_names();
            // The token of a session kept by an older Larder, each kept
            // account's token, and each partition's key.
            let mut names = vec![larder_store::secrets::SESSION_TOKEN.to_owned()];
            names.extend(self.inner.persistence.kept().users.iter().map(|user| {
                larder_store::secrets::session_token_name(&partition_name(&user.id))
            }));
            names.extend(
                partitions
                    .iter()
                    .map(|partition| larder_store::secrets::cache_key_name(partition)),
            );
            let fits = |name: &str, secret: &[u8]| {
                let Some(partition) = partitions
                    .iter()
                    .find(|partition| larder_store::secrets::cache_key_name(partition) == name)
                else {
                    return true; // a session token
                };
                let sample = store.sealed_sample(partition);
                larder_store::secrets::fitting_key(name, secret, sample.as_deref()).is_ok()
            };
            Ok(larder_store::secrets::move_secrets(
                old.as_ref(),
                current.as_ref(),
                &names,
                &fits,
            )?)
        }
    }

    async fn watch_connectivity(self, probe: ProbeSchedule) {
        let mut changes = self.inner.client.connectivity().subscribe();
        let mut previous = *changes.borrow_and_update();
        loop {
            if previous == Connectivity::Offline {
                self.probe_until_answered(probe, &mut changes).await;
            } else if changes.changed().await.is_err() {
                return;
            }
            let now = *changes.borrow_and_update();
            if now == Connectivity::Online && previous != Connectivity::Online {
                tracing::info!("the API is back; revalidating");
                self.revalidate_stale();
            }
            previous = now;
        }
    }

    /// Asks the API for its config on `probe`'s schedule until something
    /// answers, or until another request changes the state first.
    async fn probe_until_answered(
        &self,
        probe: ProbeSchedule,
        changes: &mut watch::Receiver<Connectivity>,
    ) {
        let mut delay = probe.first;
        loop {
            tokio::select! {
                // In order, so one history always takes the same branch.
                biased;
                () = tokio::time::sleep(delay) => {}
                changed = changes.changed() => {
                    if changed.is_err() || *changes.borrow() != Connectivity::Offline {
                        return;
                    }
                }
            }
            match self.refresh_config().await {
                Ok(_) => return,
                Err(err) => tracing::debug!(%err, "the API is still unreachable"),
            }
            delay = (delay * 2).min(probe.max);
        }
    }

    /// Re-reads every stale or expired entry of the signed-in user through
    /// the cache, in the background; changed values are pushed as usual.
    /// Nothing is sent while the window is hidden: it waits to be shown,
    /// then revalidates what is on screen first, at most
    /// [`RECONNECT_IN_FLIGHT`] at a time (a reconnect after a day away
    /// must not send every entry at once). A newer reconnect replaces a
    /// pass that has not finished.
    fn revalidate_stale(&self) {
        let larder = self.clone();
        let task = tokio::spawn(async move {
            let mut screen = larder.inner.screen.subscribe();
            if screen.wait_for(|screen| screen.visible).await.is_err() {
                return;
            }
            if let Err(err) = larder.refresh_config().await {
                tracing::debug!(%err, "the API's config could not be refreshed");
            }
            let Some(session) = larder.read_session() else {
                return;
            };
            let now = larder.inner.engine.now_ms();
            let entries = match larder.inner.engine.store().entries(&session.user.id) {
                Ok(entries) => entries,
                Err(err) => return tracing::warn!(%err, "the cache could not be listed"),
            };
            let stale = entries.into_iter().filter_map(|(key, entry)| {
                let resource = Resource::from_key(&key)?;
                let age = Duration::from_millis(now.saturating_sub(entry.fetched_at_ms));
                let state = larder.policy_for(&resource.policy_name()).freshness(age);
                (state != Freshness::Fresh).then_some(resource)
            });
            let on_screen = screen.borrow().items.clone();
            let order = on_screen_first(stale.collect(), &on_screen);
            futures_util::stream::iter(order)
                .map(|resource| {
                    let larder = larder.clone();
                    async move {
                        // Hidden again meanwhile: the rest waits.
                        let mut screen = larder.inner.screen.subscribe();
                        if screen.wait_for(|screen| screen.visible).await.is_err() {
                            return;
                        }
                        let read: Result<larder_protocol::Envelope<serde_json::Value>, CoreError> =
                            larder.read_resource(resource).await;
                        if let Err(err) = read {
                            tracing::debug!(%err, "a revalidation failed");
                        }
                    }
                })
                .buffer_unordered(RECONNECT_IN_FLIGHT)
                .collect::<()>()
                .await;
        });
        let previous = self
            .inner
            .reconnect_pass
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .replace(task.abort_handle());
        if let Some(previous) = previous {
            previous.abort();
        }
    }

    /// Fetches everything the shown account's dashboard shows (see
    /// [`Self::prewarm_for`]).
    pub fn prewarm(&self) -> Result<(), CoreError> {
        self.prewarm_for(&self.signed_in()?);
        Ok(())
    }

    /// Fetches everything `session`'s dashboard shows in parallel in the
    /// background, in the dashboard's order: the five widgets, and the role
    /// widgets of the user's role only, reporting "n of total warmed" while
    /// the account is shown. A widget already fresh in the cache counts as
    /// warmed from the start, so a warm open reports itself done at once
    /// rather than "0 of 5" for an instant; the others are read through the
    /// cache under `session`, so in-flight ones are shared, and a switch
    /// meanwhile changes nothing of what is fetched for whom.
    pub(super) fn prewarm_for(&self, session: &super::ActiveSession) {
        let user_id = session.user.id.clone();
        let dashboard: Vec<Resource> = super::roles::dashboard(session.user.role).collect();
        let total = u8::try_from(dashboard.len()).unwrap_or(u8::MAX);
        let (fresh, to_warm): (Vec<Resource>, Vec<Resource>) = dashboard
            .into_iter()
            .partition(|resource| self.is_fresh(&user_id, resource));
        let start = PrewarmProgress {
            warmed: fresh.len() as u8,
            failed: 0,
            total,
        };
        let larder = self.clone();
        let session = session.clone();
        let mut prewarms = self
            .inner
            .prewarm
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let task = tokio::spawn(async move {
            let mut reads: FuturesUnordered<_> = to_warm
                .into_iter()
                .map(|resource| {
                    let (larder, session) = (larder.clone(), session.clone());
                    async move {
                        larder
                            .read_resource_as::<serde_json::Value>(&session, resource)
                            .await
                            .map(drop)
                    }
                })
                .collect();
            let mut progress = start;
            while let Some(result) = reads.next().await {
                match result {
                    Ok(()) => progress.warmed += 1,
                    Err(err) => {
                        tracing::warn!(%err, "a widget could not be prewarmed");
                        progress.failed += 1;
                    }
                }
                larder.record_progress(&session.user.id, progress);
            }
        });
        if let Some(previous) = prewarms.insert(
            user_id.clone(),
            super::Prewarm {
                task: task.abort_handle(),
                progress: start,
            },
        ) {
            previous.task.abort();
        }
        drop(prewarms);
        self.publish_progress(&user_id);
    }

    /// Keeps `user_id`'s prewarm progress, and tells windows if the
    /// account is shown.
    fn record_progress(&self, user_id: &str, progress: PrewarmProgress) {
        if let Some(prewarm) = self
            .inner
            .prewarm
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get_mut(user_id)
        {
            prewarm.progress = progress;
        }
        self.publish_progress(user_id);
    }

    /// Tells windows how far `user_id`'s prewarm has come, if the account
    /// is shown (none yet counts as not started).
    pub(super) fn publish_progress(&self, user_id: &str) {
        let progress = self
            .inner
            .prewarm
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(user_id)
            .map(|prewarm| prewarm.progress)
            .unwrap_or_default();
        self.while_shown(user_id, || {
            self.inner.progress.send_replace(progress);
        });
    }

    /// How far prewarm has come.
    pub fn prewarm_state(&self) -> PrewarmProgress {
        *self.inner.progress.borrow()
    }

    beneath_the_facade! {
        /// Prewarm progress, as it changes.
        pub fn prewarm_progress(&self) -> watch::Receiver<PrewarmProgress> {
            self.inner.progress.subscribe()
        }
    }
}

#[cfg(test)]
mod tests {
    use larder_protocol::WidgetId;

    use super::*;

    #[test]
    fn what_is_on_screen_is_revalidated_first_the_rest_in_order() {
        let widget = |n| Resource::Widget(WidgetId::new(n).expect("1 to 5"));
        let profile = Resource::profile("u1").expect("valid");
        let stale = vec![widget(1), profile.clone(), widget(4), widget(2)];
        let on_screen = [widget(2), widget(3), widget(4)];
        assert_eq!(
            on_screen_first(stale, &on_screen),
            vec![widget(2), widget(4), widget(1), profile]
        );
    }
}
