//! [`Larder`]: the signed-in session and the data commands the desktop shell
//! exposes. It holds the API client, the cache engine, the session, the
//! settings and the API's config; every command of the app is one method
//! here.
//!
//! - this module: construction, settings, config, and the session (sign-in,
//!   restore, sign-out, and the API rejecting the session);
//! - [`reads`]: the data commands, through the cache;
//! - [`background`]: prewarm, the connectivity watcher and its probe.

mod background;
mod reads;

use std::sync::{Arc, PoisonError, RwLock};

use larder_protocol::{
    events::PrewarmProgress, AppConfig, LockedSession, Session, Settings, User, Username,
};
use tokio::sync::watch;

pub use background::{BackgroundGuard, ProbeSchedule};

use crate::{
    cache::{CacheEntry, Engine, Policy},
    session_store::{MemorySessions, PersistedSession, SessionPersistence},
    ApiClient, CoreError,
};

/// The partition for app-wide data (the API's config), apart from every
/// user's.
const APP_PARTITION: &str = "~app";
const CONFIG_KEY: &str = "config";

/// The app's state. Cheap to clone: everything sits behind one `Arc`. Its
/// `Debug` shows no secret and no user id: the session appears as its
/// [`crate::log_id`], the token not at all.
#[derive(Clone)]
pub struct Larder {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Larder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Larder")
            .field("api", &self.inner.client.base_url())
            .field("session", &self.read_session())
            .field("locked", &self.locked().map(|l| crate::log_id(&l.user.id)))
            .field("connectivity", &self.inner.client.connectivity().current())
            .finish_non_exhaustive()
    }
}

struct Inner {
    client: ApiClient,
    /// The per-user cache every data read goes through.
    engine: Engine,
    /// The signed-in session. A `std::sync::RwLock` is enough: it is only
    /// held to copy or swap the value, never across an `.await`.
    session: RwLock<Option<ActiveSession>>,
    /// The session as the UI sees it, announced on every change.
    session_changes: watch::Sender<Option<Session>>,
    /// A kept session that could not be resumed because its secrets could
    /// not be read (a locked keychain): not signed out, waiting for Retry.
    locked: RwLock<Option<Locked>>,
    persistence: Arc<dyn SessionPersistence>,
    settings: RwLock<Settings>,
    /// The API's config: the last one fetched, or the cached one.
    config: RwLock<AppConfig>,
    /// The latest prewarm's progress.
    progress: watch::Sender<PrewarmProgress>,
    /// The running prewarm, aborted by sign-out or a new prewarm.
    prewarm: std::sync::Mutex<Option<tokio::task::AbortHandle>>,
}

/// A kept session waiting for its secrets, and why.
#[derive(Debug, Clone)]
struct Locked {
    session: LockedSession,
    error: crate::SecretError,
}

/// A session with its secret; the token never leaves the core, and its
/// `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
struct ActiveSession {
    token: String,
    user: User,
    /// The cache engine's epoch this session runs under: unique per
    /// session, so an ended session's outcome never reaches a newer one.
    epoch: u64,
}

impl std::fmt::Debug for ActiveSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ActiveSession")
            .field("user", &crate::log_id(&self.user.id))
            .field("epoch", &self.epoch)
            .finish_non_exhaustive()
    }
}

/// The cache key of a widget.
pub fn widget_key(widget: larder_protocol::WidgetId) -> String {
    crate::Resource::Widget(widget).key()
}

fn read_lock<T: Clone>(lock: &RwLock<T>) -> T {
    lock.read().unwrap_or_else(PoisonError::into_inner).clone()
}

fn write_lock<T>(lock: &RwLock<T>, value: T) {
    // Every write replaces the whole value, so a poisoned lock never holds
    // a half-written one.
    *lock.write().unwrap_or_else(PoisonError::into_inner) = value;
}

impl Larder {
    /// A Larder that keeps sessions with `persistence`.
    pub fn new(
        client: ApiClient,
        engine: Engine,
        persistence: Arc<dyn SessionPersistence>,
    ) -> Self {
        let config = cached_config(&engine).unwrap_or_default();
        Self {
            inner: Arc::new(Inner {
                client,
                engine,
                session: RwLock::new(None),
                session_changes: watch::channel(None).0,
                locked: RwLock::new(None),
                persistence,
                settings: RwLock::default(),
                config: RwLock::new(config),
                progress: watch::channel(PrewarmProgress::default()).0,
                prewarm: std::sync::Mutex::new(None),
            }),
        }
    }

    /// A Larder whose cache lives in `cache_dir` (opened, or rebuilt if it
    /// would not open), on the system clock, keeping sessions in memory.
    /// Its values are encrypted under keys held in memory only.
    pub fn open(client: ApiClient, cache_dir: &std::path::Path) -> Result<Self, CoreError> {
        Self::open_with(
            client,
            cache_dir,
            Arc::new(MemorySessions::default()),
            Arc::new(crate::MemorySecrets::default()),
        )
    }

    /// [`Self::open`], keeping sessions with `persistence` and the cache's
    /// keys in `secrets`. A cache held by another running Larder is
    /// [`CoreError::AlreadyRunning`].
    pub fn open_with(
        client: ApiClient,
        cache_dir: &std::path::Path,
        persistence: Arc<dyn SessionPersistence>,
        secrets: Arc<dyn crate::SecretStore>,
    ) -> Result<Self, CoreError> {
        let keys = crate::CacheKeys::new(secrets);
        // `?` maps a held lock to `AlreadyRunning` and storage failures to
        // `Storage` (see `From<StoreError> for CoreError`).
        let (store, outcome) = crate::cache::CacheStore::open_encrypted(cache_dir, keys)?;
        if let crate::cache::OpenOutcome::Rebuilt { moved_to } = outcome {
            tracing::warn!(moved_to = %moved_to.display(), "the cache would not open; it was moved aside and rebuilt");
        }
        let engine = Engine::new(store, Arc::new(crate::cache::SystemClock));
        Ok(Self::new(client, engine, persistence))
    }

    pub fn client(&self) -> &ApiClient {
        &self.inner.client
    }

    pub fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    pub fn settings(&self) -> Settings {
        read_lock(&self.inner.settings)
    }

    /// Validates and applies `settings`. Policies apply to the next read;
    /// the API URL is the shell's to apply at its next start.
    pub fn apply_settings(&self, settings: Settings) -> Result<(), CoreError> {
        settings.validate()?;
        write_lock(&self.inner.settings, settings);
        Ok(())
    }

    /// The API's config: the last one fetched, the cached one, or the
    /// default before the API was ever reached.
    pub fn config(&self) -> AppConfig {
        read_lock(&self.inner.config)
    }

    /// Fetches the API's config, keeps it and caches it for offline starts.
    pub async fn refresh_config(&self) -> Result<AppConfig, CoreError> {
        let config = self.inner.client.config().await?;
        self.keep_config(&config);
        Ok(config)
    }

    fn keep_config(&self, config: &AppConfig) {
        write_lock(&self.inner.config, config.clone());
        let entry = serde_json::to_vec(config).map(|payload| CacheEntry {
            payload,
            fetched_at_ms: self.inner.engine.now_ms(),
            etag: None,
        });
        if let Ok(entry) = entry {
            if let Err(err) = self
                .inner
                .engine
                .store()
                .put(APP_PARTITION, CONFIG_KEY, &entry)
            {
                tracing::warn!(%err, "the API's config could not be cached");
            }
        }
    }

    /// The policy of the resource published as `name`, from the config
    /// and the settings (read in place: reads are a hot path).
    pub fn policy_for(&self, name: &str) -> Policy {
        let config = self
            .inner
            .config
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        let settings = self
            .inner
            .settings
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        Policy::from(config.policy_for(name, &settings))
    }

    /// The signed-in user's session, if any.
    pub fn session(&self) -> Option<Session> {
        self.read_session().map(|s| Session { user: s.user })
    }

    /// The session, as it changes (sign-in, sign-out, rejected by the API).
    pub fn session_changes(&self) -> watch::Receiver<Option<Session>> {
        self.inner.session_changes.subscribe()
    }

    /// Validates `username` (nothing is sent when it is invalid), signs in,
    /// keeps the session and warms the dashboard in the background.
    #[tracing::instrument(skip_all)]
    pub async fn sign_in(&self, username: &str) -> Result<Session, CoreError> {
        let username = Username::parse(username)?;
        let login = self.inner.client.login(&username).await?;
        let (token, user) = (login.token, login.user);
        let session = self.new_session(token, user);
        if let Err(err) = self.inner.persistence.save(&PersistedSession {
            user: session.user.clone(),
            token: session.token.clone(),
        }) {
            tracing::warn!(%err, "the session will not survive a restart");
        }
        tracing::info!(user = %crate::log_id(&session.user.id), "signed in");
        let user = session.user.clone();
        write_lock(&self.inner.locked, None);
        self.begin_session(session);
        // Sign-in does not wait for the dashboard.
        self.prewarm()?;
        Ok(Session { user })
    }

    /// Restores the session kept by the last run, if any, and warms the
    /// dashboard in the background (served from the cache when offline).
    /// When its token cannot be read (a locked keychain), the session is
    /// not ended: it is [`Self::locked`], and [`Self::unlock`] tries again.
    /// Must be called on a tokio runtime.
    #[tracing::instrument(skip_all)]
    pub fn restore_session(&self) -> Option<Session> {
        let kept = match self.inner.persistence.load() {
            Ok(kept) => kept?,
            Err(CoreError::Keychain(err)) => {
                let user = self.inner.persistence.kept_user()?;
                tracing::warn!(%err, user = %crate::log_id(&user.id), "the kept session's token cannot be read; waiting for the keychain");
                let session = LockedSession {
                    user,
                    reason: crate::error::lock_reason(&err),
                };
                write_lock(
                    &self.inner.locked,
                    Some(Locked {
                        session,
                        error: err,
                    }),
                );
                return None;
            }
            Err(err) => {
                tracing::warn!(%err, "the kept session could not be read");
                return None;
            }
        };
        tracing::info!(user = %crate::log_id(&kept.user.id), "restored the session");
        write_lock(&self.inner.locked, None);
        self.reload_cached_config();
        let user = kept.user.clone();
        let session = self.new_session(kept.token, kept.user);
        self.begin_session(session);
        if let Err(err) = self.prewarm() {
            tracing::warn!(%err, "the restored session could not be prewarmed");
        }
        Some(Session { user })
    }

    /// The kept session waiting for its secrets, if any.
    pub fn locked(&self) -> Option<LockedSession> {
        read_lock(&self.inner.locked).map(|locked| locked.session)
    }

    /// Tries again to resume a locked session (after the keychain was
    /// unlocked): the session, or why it is still locked.
    pub fn unlock(&self) -> Result<Option<Session>, CoreError> {
        if let Some(session) = self.session() {
            return Ok(Some(session));
        }
        let restored = self.restore_session();
        match (restored, read_lock(&self.inner.locked)) {
            (Some(session), _) => Ok(Some(session)),
            (None, Some(locked)) => Err(CoreError::Keychain(locked.error)),
            (None, None) => Ok(None),
        }
    }

    /// Reads the API's config from the cache again, when it could not be
    /// read at start (its key was locked) and nothing newer was fetched.
    fn reload_cached_config(&self) {
        if read_lock(&self.inner.config) != AppConfig::default() {
            return;
        }
        if let Some(config) = cached_config(&self.inner.engine) {
            write_lock(&self.inner.config, config);
        }
    }

    /// A session for `user` under a fresh cache epoch.
    fn new_session(&self, token: String, user: User) -> ActiveSession {
        self.inner.engine.end_epoch();
        ActiveSession {
            token,
            user,
            epoch: self.inner.engine.epoch(),
        }
    }

    fn begin_session(&self, session: ActiveSession) {
        let user = session.user.clone();
        write_lock(&self.inner.session, Some(session));
        self.inner
            .session_changes
            .send_replace(Some(Session { user }));
    }

    /// Signs out, in order: revokes the token upstream on a best-effort
    /// basis (not waited for when offline); fences off every fetch of the
    /// session, so none is written afterwards; purges the user's cache,
    /// unless the settings keep it for offline use.
    #[tracing::instrument(skip_all)]
    pub async fn sign_out(&self) {
        let Some(session) = self
            .inner
            .session
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
        else {
            return;
        };
        self.inner.session_changes.send_replace(None);
        let client = self.inner.client.clone();
        let token = session.token.clone();
        let logout = async move {
            if let Err(err) = client.logout(&token).await {
                tracing::warn!(%err, "logout could not reach the API; the session is ended locally");
            }
        };
        if self.inner.client.connectivity().is_offline() {
            tokio::spawn(logout);
        } else if tokio::time::timeout(LOGOUT_WAIT, logout).await.is_err() {
            tracing::warn!("logout took too long; the session is ended locally");
        }
        self.fence_session();
        let store = self.inner.engine.store();
        let kept = if !self.settings().keep_cache_on_sign_out {
            store.purge_user(&session.user.id)
        } else if store.keys_in_keychain() {
            tracing::info!(
                "kept the signed-out user's cache (and its key, in the keychain) for offline use"
            );
            Ok(())
        } else {
            // A key in a file must not outlive the session, and values
            // without their key are of no use to anyone: both go.
            tracing::warn!("keeping the cache after sign-out needs an OS keychain; it was purged");
            store.purge_user(&session.user.id)
        };
        if let Err(err) = kept {
            tracing::warn!(%err, "the signed-out user's cache could not be purged");
        }
        self.forget_session();
    }

    /// Stops the prewarm and fences off every fetch under way.
    fn fence_session(&self) {
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
    }

    fn forget_session(&self) {
        if let Err(err) = self.inner.persistence.clear() {
            tracing::warn!(%err, "the kept session could not be removed");
        }
    }

    /// The API rejected `expected` (401): the session ends, unless a newer
    /// sign-in replaced it. The cache stays; the UI shows sign-in.
    fn end_rejected_session(&self, expected: &ActiveSession) {
        {
            let mut guard = self
                .inner
                .session
                .write()
                .unwrap_or_else(PoisonError::into_inner);
            if guard.as_ref() != Some(expected) {
                return;
            }
            *guard = None;
        }
        tracing::info!("the API rejected the session; signed out, cache kept");
        self.fence_session();
        self.forget_session();
        self.inner.session_changes.send_replace(None);
    }

    /// Passes `result` through; a 401 in it ends `session` first.
    fn check_session<T>(
        &self,
        session: &ActiveSession,
        result: Result<T, CoreError>,
    ) -> Result<T, CoreError> {
        if let Err(CoreError::SessionExpired) = &result {
            self.end_rejected_session(session);
        }
        result
    }

    fn read_session(&self) -> Option<ActiveSession> {
        read_lock(&self.inner.session)
    }

    fn signed_in(&self) -> Result<ActiveSession, CoreError> {
        self.read_session().ok_or(CoreError::NotSignedIn)
    }
}

/// The API's config as last cached, if it can be read.
fn cached_config(engine: &Engine) -> Option<AppConfig> {
    match engine.store().get(APP_PARTITION, CONFIG_KEY) {
        Ok(entry) => serde_json::from_slice(&entry?.payload).ok(),
        Err(err) => {
            tracing::info!(%err, "the cached config cannot be read now");
            None
        }
    }
}

/// The longest sign-out waits for the API to revoke the token.
const LOGOUT_WAIT: std::time::Duration = std::time::Duration::from_secs(3);
