//! [`Larder`]: the signed-in session and the data commands the desktop shell
//! exposes. It holds the API client, the cache engine and the current
//! session; every command of the app is one method here.

use std::sync::{Arc, PoisonError, RwLock};

use futures_util::{stream::FuturesUnordered, FutureExt, StreamExt};
use larder_protocol::{
    events::PrewarmProgress, CacheEntryInfo, CacheStats, Envelope, Freshness, Session, Source,
    User, Username, WidgetEnvelope, WidgetId, WidgetResponse,
};
use tokio::sync::watch;

use crate::{
    cache::{CacheEntry, CacheUpdate, Engine, FetchFn, Policy},
    ApiClient, CoreError,
};

/// The app's state. Cheap to clone: everything sits behind one `Arc`.
#[derive(Debug, Clone)]
pub struct Larder {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    client: ApiClient,
    /// The per-user cache every data read goes through.
    engine: Engine,
    /// The signed-in session. A `std::sync::RwLock` is enough: it is only
    /// held to copy or swap the value, never across an `.await`.
    session: RwLock<Option<ActiveSession>>,
    /// The latest prewarm's progress.
    progress: watch::Sender<PrewarmProgress>,
    /// The running prewarm, aborted by sign-out or a new prewarm.
    prewarm: std::sync::Mutex<Option<tokio::task::AbortHandle>>,
}

/// A session with its secret; the token never leaves the core.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ActiveSession {
    token: String,
    user: User,
}

/// The cache key of a widget.
pub fn widget_key(widget: WidgetId) -> String {
    format!("widget:{widget}")
}

/// A widget's envelope from a cached entry.
fn widget_envelope(
    entry: &CacheEntry,
    state: Freshness,
    source: Source,
    error: Option<CoreError>,
) -> Result<WidgetEnvelope, CoreError> {
    let data: WidgetResponse = serde_json::from_slice(&entry.payload)
        .map_err(|err| CoreError::InvalidResponse(err.to_string()))?;
    Ok(Envelope {
        data,
        fetched_at: entry.fetched_at_ms,
        state,
        source,
        error: error.map(Into::into),
    })
}

/// Fetches `widget` for `session`, conditionally on the cached ETag.
fn widget_fetch(client: &ApiClient, session: &ActiveSession, widget: WidgetId) -> FetchFn {
    let client = client.clone();
    let token = session.token.clone();
    let user_id = session.user.id.clone();
    Arc::new(move |etag: Option<String>| {
        let (client, token, user_id) = (client.clone(), token.clone(), user_id.clone());
        async move {
            client
                .widget_if_changed(&token, &user_id, widget, etag.as_deref())
                .await
        }
        .boxed()
    })
}

impl Larder {
    pub fn new(client: ApiClient, engine: Engine) -> Self {
        Self {
            inner: Arc::new(Inner {
                client,
                engine,
                session: RwLock::new(None),
                progress: watch::channel(PrewarmProgress::default()).0,
                prewarm: std::sync::Mutex::new(None),
            }),
        }
    }

    /// A Larder whose cache lives in `cache_dir` (opened, or rebuilt if it
    /// would not open), on the system clock.
    pub fn open(client: ApiClient, cache_dir: &std::path::Path) -> Result<Self, CoreError> {
        let (store, outcome) = crate::cache::CacheStore::open(cache_dir)?;
        if let crate::cache::OpenOutcome::Rebuilt { moved_to } = outcome {
            tracing::warn!(moved_to = %moved_to.display(), "the cache was rebuilt");
        }
        let engine = Engine::new(store, Arc::new(crate::cache::SystemClock));
        Ok(Self::new(client, engine))
    }

    pub fn client(&self) -> &ApiClient {
        &self.inner.client
    }

    pub fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    /// The signed-in user's session, if any.
    pub fn session(&self) -> Option<Session> {
        self.read_session().map(|s| Session { user: s.user })
    }

    /// Validates `username` (nothing is sent when it is invalid), signs in
    /// and keeps the session.
    #[tracing::instrument(skip_all)]
    pub async fn sign_in(&self, username: &str) -> Result<Session, CoreError> {
        let username = Username::parse(username)?;
        let login = self.inner.client.login(&username).await?;
        let user = login.user.clone();
        *self.write_session() = Some(ActiveSession {
            token: login.token,
            user: user.clone(),
        });
        tracing::info!(user = %crate::log_id(&user.id), "signed in");
        // Warm every widget in the background; sign-in does not wait.
        self.prewarm()?;
        Ok(Session { user })
    }

    /// Fetches every dashboard widget in parallel in the background, in the
    /// dashboard's order, reporting "n of 5 warmed". Reads go through the
    /// cache, so fresh entries are not refetched and in-flight ones are
    /// shared.
    pub fn prewarm(&self) -> Result<(), CoreError> {
        self.read_session().ok_or(CoreError::NotSignedIn)?;
        let total = WidgetId::ALL.len() as u8;
        self.inner.progress.send_replace(PrewarmProgress {
            warmed: 0,
            failed: 0,
            total,
        });
        let larder = self.clone();
        let task = tokio::spawn(async move {
            let mut reads: FuturesUnordered<_> = WidgetId::ALL
                .into_iter()
                .map(|widget| {
                    let larder = larder.clone();
                    async move { larder.get_widget(widget).await }
                })
                .collect();
            let mut progress = PrewarmProgress {
                warmed: 0,
                failed: 0,
                total,
            };
            while let Some(result) = reads.next().await {
                match result {
                    Ok(_) => progress.warmed += 1,
                    Err(err) => {
                        tracing::warn!(%err, "a widget could not be prewarmed");
                        progress.failed += 1;
                    }
                }
                larder.inner.progress.send_replace(progress);
            }
        });
        let previous = self
            .inner
            .prewarm
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .replace(task.abort_handle());
        if let Some(previous) = previous {
            previous.abort();
        }
        Ok(())
    }

    /// Prewarm progress, as it changes.
    pub fn prewarm_progress(&self) -> watch::Receiver<PrewarmProgress> {
        self.inner.progress.subscribe()
    }

    /// Fetches `widget` from the upstream now, sharing a fetch under way.
    #[tracing::instrument(skip(self))]
    pub async fn refresh_widget(&self, widget: WidgetId) -> Result<WidgetEnvelope, CoreError> {
        let session = self.read_session().ok_or(CoreError::NotSignedIn)?;
        let fetch = widget_fetch(&self.inner.client, &session, widget);
        let entry = match self
            .inner
            .engine
            .refresh(&session.user.id, &widget_key(widget), fetch)
            .await
        {
            Err(CoreError::SessionExpired) => {
                self.end_session_if(&session);
                return Err(CoreError::SessionExpired);
            }
            other => other?,
        };
        widget_envelope(&entry, Freshness::Fresh, Source::Network, None)
    }

    /// The signed-in user's cache entries, for the cache inspector.
    pub fn cache_stats(&self) -> Result<CacheStats, CoreError> {
        let session = self.read_session().ok_or(CoreError::NotSignedIn)?;
        let engine = &self.inner.engine;
        let now = engine.now_ms();
        let mut stats = CacheStats::default();
        for (key, entry) in engine.store().entries(&session.user.id)? {
            let age = std::time::Duration::from_millis(now.saturating_sub(entry.fetched_at_ms));
            let bytes = entry.encode().map(|b| b.len() as u64).unwrap_or(0);
            stats.total_bytes += bytes;
            stats.entries.push(CacheEntryInfo {
                hits: engine.hits(&session.user.id, &key),
                key,
                bytes,
                age_secs: age.as_secs(),
                state: Policy::default().freshness(age),
            });
        }
        Ok(stats)
    }

    /// Clears one entry, or the user's whole cache when `key` is `None`.
    pub fn clear_cache(&self, key: Option<&str>) -> Result<(), CoreError> {
        let session = self.read_session().ok_or(CoreError::NotSignedIn)?;
        let store = self.inner.engine.store();
        match key {
            Some(key) => {
                let valid = !key.is_empty()
                    && key.len() <= 128
                    && key
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '_' | '-'));
                if !valid {
                    return Err(CoreError::InvalidCacheKey(key.chars().take(32).collect()));
                }
                store.remove(&session.user.id, key)?;
            }
            None => store.purge_user(&session.user.id)?,
        }
        Ok(())
    }

    /// The envelope to push for a cache update, when it is a widget of the
    /// signed-in user.
    pub fn envelope_for_update(&self, update: &CacheUpdate) -> Option<WidgetEnvelope> {
        let session = self.read_session()?;
        if update.user_id != session.user.id || !update.key.starts_with("widget:") {
            return None;
        }
        widget_envelope(&update.entry, Freshness::Fresh, Source::Network, None).ok()
    }

    /// Ends the session locally at once: fetches still under way for it
    /// will not be written, and the user's cached data is purged. Then the
    /// token is revoked upstream on a best-effort basis: an unreachable API
    /// does not keep the user signed in.
    #[tracing::instrument(skip_all)]
    pub async fn sign_out(&self) {
        let Some(session) = self.write_session().take() else {
            return;
        };
        if let Some(prewarm) = self
            .inner
            .prewarm
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
        {
            prewarm.abort();
        }
        self.inner.engine.end_epoch();
        if let Err(err) = self.inner.engine.store().purge_user(&session.user.id) {
            tracing::warn!(%err, "the signed-out user's cache could not be purged");
        }
        if let Err(err) = self.inner.client.logout(&session.token).await {
            tracing::warn!(%err, "logout could not reach the API; the session is ended locally");
        }
    }

    /// One widget for the signed-in user, through the cache.
    #[tracing::instrument(skip(self))]
    pub async fn get_widget(&self, widget: WidgetId) -> Result<WidgetEnvelope, CoreError> {
        let session = self.read_session().ok_or(CoreError::NotSignedIn)?;
        let fetch = widget_fetch(&self.inner.client, &session, widget);
        let read = self
            .inner
            .engine
            .read(
                &session.user.id,
                &widget_key(widget),
                Policy::default(),
                fetch,
            )
            .await;
        let read = match read {
            Err(CoreError::SessionExpired) => {
                self.end_session_if(&session);
                return Err(CoreError::SessionExpired);
            }
            other => other?,
        };
        widget_envelope(&read.entry, read.state, read.source, read.error)
    }

    /// Drops the session if it is still `expected` (a newer sign-in wins).
    fn end_session_if(&self, expected: &ActiveSession) {
        let mut guard = self.write_session();
        if guard.as_ref() == Some(expected) {
            *guard = None;
        }
    }

    fn read_session(&self) -> Option<ActiveSession> {
        self.inner
            .session
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn write_session(&self) -> std::sync::RwLockWriteGuard<'_, Option<ActiveSession>> {
        // Every write replaces the whole value, so a poisoned lock never
        // holds a half-written session.
        self.inner
            .session
            .write()
            .unwrap_or_else(PoisonError::into_inner)
    }
}
