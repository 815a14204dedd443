//! The data commands that read: every read goes through the cache under
//! its resource's policy. While offline, reads are answered from the cache
//! alone (expired entries included, marked stale) and send no request; the
//! connectivity watcher's probe notices when the API is back.

use std::{sync::Arc, time::Duration};

use futures_util::FutureExt;
use larder_protocol::{
    CacheEntryInfo, CacheStats, Envelope, FollowersEnvelope, Freshness, PostsEnvelope,
    ProfileEnvelope, Source, WidgetEnvelope, WidgetId,
};
use serde::de::DeserializeOwned;

use super::{ActiveSession, Larder};
use larder_store::CacheEntry;

use crate::{
    cache::{CacheUpdate, FetchFn, Read},
    resource::decode,
    CoreError, Resource,
};

/// The error an offline read of a cached value carries.
fn offline() -> CoreError {
    CoreError::Unreachable("offline: showing cached data".into())
}

/// The error of an offline read with nothing cached to show: it must not
/// claim to show cached data.
fn offline_nothing_cached() -> CoreError {
    CoreError::Unreachable("offline, and nothing is saved for this yet".into())
}

/// An envelope from a cached entry.
fn envelope<T: DeserializeOwned>(
    entry: &CacheEntry,
    state: Freshness,
    source: Source,
    error: Option<CoreError>,
) -> Result<Envelope<T>, CoreError> {
    Ok(Envelope {
        data: decode(&entry.payload)?,
        fetched_at: entry.fetched_at_ms,
        state,
        source,
        error: error.map(Into::into),
        pending: Vec::new(),
    })
}

fn read_envelope<T: DeserializeOwned>(read: Read) -> Result<Envelope<T>, CoreError> {
    envelope(&read.entry, read.state, read.source, read.error)
}

impl Larder {
    /// Fetches `resource` for `session`, conditionally on the cached ETag.
    pub(super) fn fetch_fn(&self, session: &ActiveSession, resource: Resource) -> FetchFn {
        let client = self.inner.client.clone();
        let token = session.token.clone();
        let user_id = session.user.id.clone();
        let resource = Arc::new(resource);
        Arc::new(move |etag: Option<String>| {
            let (client, token, user_id, resource) = (
                client.clone(),
                token.clone(),
                user_id.clone(),
                resource.clone(),
            );
            async move {
                client
                    .resource_if_changed(&token, &user_id, &resource, etag.as_deref())
                    .await
            }
            .boxed()
        })
    }

    /// Reads `resource` for the shown account through the cache.
    pub(crate) async fn read_resource<T: DeserializeOwned>(
        &self,
        resource: Resource,
    ) -> Result<Envelope<T>, CoreError> {
        self.read_resource_as(&self.signed_in()?, resource).await
    }

    /// Reads `resource` for `session` (shown or not) through the cache.
    pub(super) async fn read_resource_as<T: DeserializeOwned>(
        &self,
        session: &ActiveSession,
        resource: Resource,
    ) -> Result<Envelope<T>, CoreError> {
        let session = session.clone();
        let key = resource.key();
        let policy = self.policy_for(&resource.policy_name());
        if self.inner.client.connectivity().is_offline() {
            return self.read_offline(&session, &key, policy);
        }
        let engine = &self.inner.engine;
        let fetch = self.fetch_fn(&session, resource);
        let read = engine
            .read_in(session.epoch, &session.user.id, &key, policy, fetch)
            .await;
        read_envelope(self.check_session(&session, read)?)
    }

    /// `key` from the cache alone, sending nothing: expired values are
    /// served too, marked stale with the offline error.
    fn read_offline<T: DeserializeOwned>(
        &self,
        session: &ActiveSession,
        key: &str,
        policy: crate::cache::Policy,
    ) -> Result<Envelope<T>, CoreError> {
        let Some(mut read) = self.inner.engine.peek(&session.user.id, key, policy)? else {
            return Err(offline_nothing_cached());
        };
        if read.state != Freshness::Fresh {
            read.state = Freshness::Stale;
            read.error = Some(offline());
        }
        read_envelope(read)
    }

    /// One widget for the signed-in user, through the cache.
    #[tracing::instrument(skip(self))]
    pub async fn get_widget(&self, widget: WidgetId) -> Result<WidgetEnvelope, CoreError> {
        let session = self.signed_in()?;
        let envelope = self
            .read_resource_as(&session, Resource::Widget(widget))
            .await?;
        Ok(self.overlaid(&session.user.id, envelope))
    }

    /// `envelope` (`user_id`'s) with their outbox's waiting changes
    /// applied, if it is the widget they change.
    fn overlaid(&self, user_id: &str, envelope: WidgetEnvelope) -> WidgetEnvelope {
        if envelope.data.widget_id == WidgetId::NOTIFICATIONS {
            self.with_overlay(user_id, envelope)
        } else {
            envelope
        }
    }

    /// A user's profile.
    #[tracing::instrument(skip_all)]
    pub async fn get_profile(&self, user_id: &str) -> Result<ProfileEnvelope, CoreError> {
        self.read_resource(Resource::profile(user_id)?).await
    }

    /// Page `page` (from 1) of a user's posts.
    #[tracing::instrument(skip(self, user_id))]
    pub async fn get_posts(&self, user_id: &str, page: i64) -> Result<PostsEnvelope, CoreError> {
        self.read_resource(Resource::posts(user_id, page)?).await
    }

    /// Page `page` (from 1) of a user's followers.
    #[tracing::instrument(skip(self, user_id))]
    pub async fn get_followers(
        &self,
        user_id: &str,
        page: i64,
    ) -> Result<FollowersEnvelope, CoreError> {
        self.read_resource(Resource::followers(user_id, page)?)
            .await
    }

    /// Fetches `widget` from the upstream now (Retry, refresh), sharing a
    /// fetch under way. While offline it sends nothing and answers from the
    /// cache, marked offline, as every read does; the connectivity probe
    /// notices when the API is back.
    #[tracing::instrument(skip(self))]
    pub async fn refresh_widget(&self, widget: WidgetId) -> Result<WidgetEnvelope, CoreError> {
        let session = self.signed_in()?;
        let envelope = self
            .refresh_resource_as(&session, Resource::Widget(widget))
            .await?;
        Ok(self.overlaid(&session.user.id, envelope))
    }

    /// Fetches `resource` from the upstream now, as [`Self::refresh_widget`].
    pub(super) async fn refresh_resource<T: DeserializeOwned>(
        &self,
        resource: Resource,
    ) -> Result<Envelope<T>, CoreError> {
        self.refresh_resource_as(&self.signed_in()?, resource).await
    }

    /// [`Self::refresh_resource`] for `session`.
    async fn refresh_resource_as<T: DeserializeOwned>(
        &self,
        session: &ActiveSession,
        resource: Resource,
    ) -> Result<Envelope<T>, CoreError> {
        let session = session.clone();
        let key = resource.key();
        if self.inner.client.connectivity().is_offline() {
            let policy = self.policy_for(&resource.policy_name());
            let mut envelope: Envelope<T> = self.read_offline(&session, &key, policy)?;
            // Asked to refresh and could not: never claim it is fresh.
            envelope.state = Freshness::Stale;
            envelope.error = Some(offline().into());
            return Ok(envelope);
        }
        let fetch = self.fetch_fn(&session, resource);
        let refreshed = self
            .inner
            .engine
            .refresh_since(session.epoch, &session.user.id, &key, fetch, 0)
            .await;
        let entry = self.check_session(&session, refreshed)?;
        envelope(&entry, Freshness::Fresh, Source::Network, None)
    }

    /// The dashboard's widgets already cached, in dashboard order, read
    /// without any request: what the UI paints on its first frame.
    pub fn cached_dashboard(&self) -> Vec<WidgetEnvelope> {
        WidgetId::ALL
            .into_iter()
            .filter_map(|widget| self.cached_widget(widget))
            .collect()
    }

    /// What the cache holds of `user_id`'s profile page (the profile, the
    /// first page of posts and of followers), read without any request.
    pub fn cached_profile_page(
        &self,
        user_id: &str,
    ) -> Result<larder_protocol::ProfilePage, CoreError> {
        self.signed_in()?;
        Ok(larder_protocol::ProfilePage {
            user_id: user_id.to_owned(),
            profile: self.peeked(&Resource::profile(user_id)?),
            posts: self.peeked(&Resource::posts(user_id, 1)?),
            followers: self.peeked(&Resource::followers(user_id, 1)?),
        })
    }

    /// `widget`'s cached envelope (with the outbox's overlay), read without
    /// any request.
    pub(super) fn cached_widget(&self, widget: WidgetId) -> Option<WidgetEnvelope> {
        let session = self.read_session()?;
        let envelope = self.peeked_as(&session, &Resource::Widget(widget))?;
        Some(self.overlaid(&session.user.id, envelope))
    }

    /// `resource`'s cached envelope for the shown account, read without
    /// any request (a hit, as a read from the cache is).
    pub(super) fn peeked<T: DeserializeOwned>(&self, resource: &Resource) -> Option<Envelope<T>> {
        self.peeked_as(&self.read_session()?, resource)
    }

    /// [`Self::peeked`] for `session`.
    fn peeked_as<T: DeserializeOwned>(
        &self,
        session: &ActiveSession,
        resource: &Resource,
    ) -> Option<Envelope<T>> {
        let policy = self.policy_for(&resource.policy_name());
        let read = self
            .inner
            .engine
            .peek(&session.user.id, &resource.key(), policy)
            .ok()??;
        read_envelope(read).ok()
    }

    /// `resource`'s stored entry for `session`, as it is: no request, and
    /// not counted as a hit (as a read from the cache is).
    pub(super) fn stored(&self, session: &ActiveSession, resource: &Resource) -> Option<CacheEntry> {
        self.inner
            .engine
            .store()
            .get(&session.user.id, &resource.key())
            .ok()?
    }

    /// `user_id`'s widget 4 as cached with their outbox's overlay as it is
    /// now, to push when the outbox changes, so that every window shows what
    /// was marked read (or sent, or refused) wherever it was done. Read
    /// from the store as it is, not counted as a hit.
    pub(crate) fn notifications_for_outbox(&self, user_id: &str) -> Option<WidgetEnvelope> {
        let session = self.active_sessions().into_iter().find(|s| s.user.id == user_id)?;
        let resource = Resource::Widget(WidgetId::NOTIFICATIONS);
        let entry = self.stored(&session, &resource)?;
        let now = self.inner.engine.now_ms();
        let age = Duration::from_millis(now.saturating_sub(entry.fetched_at_ms));
        let state = self.policy_for(&resource.policy_name()).freshness(age);
        let envelope = envelope(&entry, state, Source::Cache, None).ok()?;
        Some(self.with_overlay(&session.user.id, envelope))
    }

    beneath_the_facade! {
        /// The envelope to push for a cache update, when it is a widget of the
        /// signed-in user.
        pub fn envelope_for_update(&self, update: &CacheUpdate) -> Option<WidgetEnvelope> {
            let session = self.read_session()?;
            let is_widget = matches!(Resource::from_key(&update.key), Some(Resource::Widget(_)));
            if update.user_id != session.user.id || !is_widget {
                return None;
            }
            let envelope = envelope(&update.entry, Freshness::Fresh, Source::Network, None).ok()?;
            Some(self.overlaid(&session.user.id, envelope))
        }
    }

    /// The signed-in user's cache entries, for the cache inspector.
    pub fn cache_stats(&self) -> Result<CacheStats, CoreError> {
        let session = self.signed_in()?;
        let engine = &self.inner.engine;
        let now = engine.now_ms();
        let mut stats = CacheStats::default();
        for (key, entry) in engine.store().entries(&session.user.id)? {
            let age = Duration::from_millis(now.saturating_sub(entry.fetched_at_ms));
            let policy = Resource::from_key(&key)
                .map(|resource| self.policy_for(&resource.policy_name()))
                .unwrap_or_default();
            let bytes = entry.encode().map(|b| b.len() as u64).unwrap_or(0);
            stats.total_bytes += bytes;
            stats.entries.push(CacheEntryInfo {
                hits: engine.hits(&session.user.id, &key),
                key,
                bytes,
                age_secs: age.as_secs(),
                state: policy.freshness(age),
            });
        }
        Ok(stats)
    }
}
