//! [`Larder`]: the signed-in session and the data commands the desktop shell
//! exposes. It holds the API client, the cache engine, the session, the
//! settings and the API's config; every command of the app is one method
//! here.
//!
//! - this module: construction, settings and config;
//! - [`session`]: the signed-in accounts: sign-in (or adding an account),
//!   restore (each account, or locked, waiting for the keychain), switching
//!   the account shown; [`session_end`]: sign-out and the API rejecting a
//!   session;
//! - [`reads`]: the data commands that read, through the cache;
//! - [`roles`]: the role widgets, each for one role only;
//! - [`posts`]: a post's page, each part read once its input is known;
//! - [`writes`]: clearing the cache;
//! - [`outbox`]: changes for the API (mark as read), kept durably, and
//!   [`outbox_sender`], which sends each exactly once;
//! - [`retention`]: what the sweeper and the size limit may remove, and
//!   whose data they must keep;
//! - [`background`]: prewarm, the connectivity watcher and its probe.
//! - [`screen`]: what the window shows, and the automatic refresh of it.

mod background;
mod outbox;
mod outbox_sender;
mod posts;
mod reads;
mod retention;
mod roles;
mod screen;
mod session;
mod session_end;
mod writes;

use std::sync::{Arc, PoisonError, RwLock};

use larder_protocol::{events::PrewarmProgress, AppConfig, LockedSession, Session, Settings, User};
use tokio::sync::watch;

pub use background::{BackgroundGuard, ProbeSchedule};
pub use screen::NativeWindow;

use larder_store::CacheEntry;

use crate::{
    cache::{Engine, Policy},
    session_store::{MemorySessions, SessionPersistence},
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
            .field("accounts", &read_lock(&self.inner.accounts))
            .field("locked", &self.locked().map(|l| crate::log_id(&l.user.id)))
            .field("connectivity", &self.inner.client.connectivity().current())
            .finish_non_exhaustive()
    }
}

struct Inner {
    client: ApiClient,
    /// The per-user cache every data read goes through.
    engine: Engine,
    /// The signed-in accounts and the one shown. A `std::sync::RwLock` is
    /// enough: it is only held to copy or change the value, never across
    /// an `.await`.
    accounts: RwLock<Accounts>,
    /// The session shown as the UI sees it, announced on every change.
    session_changes: watch::Sender<Option<Session>>,
    /// Kept accounts that could not be resumed because their secrets could
    /// not be read (a locked keychain): not signed out, waiting for Retry.
    locked: RwLock<Vec<Locked>>,
    persistence: Arc<dyn SessionPersistence>,
    settings: RwLock<Settings>,
    /// The API's config: the last one fetched, or the cached one.
    config: RwLock<AppConfig>,
    /// The shown account's prewarm progress.
    progress: watch::Sender<PrewarmProgress>,
    /// Each account's running prewarm (aborted by its sign-out or its next
    /// prewarm) and its latest progress.
    prewarm: std::sync::Mutex<std::collections::HashMap<String, Prewarm>>,
    /// Whether the kept session has been restored (or found locked, or
    /// absent): the sweeper and the size limit wait for it, so they know
    /// whose data to keep.
    restored: watch::Sender<bool>,
    /// What each window shows and whether it is visible: its page's and
    /// its native window's reports, all combined into `screen`.
    screen_inputs: std::sync::Mutex<screen::Windows>,
    screen: watch::Sender<crate::auto_refresh::Screen>,
    /// The reconnect's revalidation pass, replaced by the next reconnect.
    reconnect_pass: std::sync::Mutex<Option<tokio::task::AbortHandle>>,
    /// The outbox's sender and announcements.
    outbox: outbox::OutboxChannels,
    /// Where a damaged cache was moved at open, a fresh one taking its
    /// place.
    rebuilt: std::sync::Mutex<Option<std::path::PathBuf>>,
}

/// An account's prewarm: its task and how far it has come.
#[derive(Debug)]
struct Prewarm {
    task: tokio::task::AbortHandle,
    progress: PrewarmProgress,
}

/// The signed-in accounts, in the order they were added, and the one the
/// windows show. Its `Debug` names users by their [`crate::log_id`] only.
#[derive(Clone, Default)]
struct Accounts {
    active: Vec<ActiveSession>,
    shown: Option<String>,
}

impl std::fmt::Debug for Accounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Accounts")
            .field("active", &self.active)
            .field("shown", &self.shown.as_deref().map(crate::log_id))
            .finish()
    }
}

impl Accounts {
    fn shown(&self) -> Option<&ActiveSession> {
        let shown = self.shown.as_deref()?;
        self.active.iter().find(|session| session.user.id == shown)
    }

    /// The session as the UI sees it: the account shown, and every one
    /// signed in.
    fn view(&self) -> Option<Session> {
        Some(Session {
            user: self.shown()?.user.clone(),
            accounts: self.active.iter().map(|s| s.user.clone()).collect(),
        })
    }
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
    beneath_the_facade! {
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
                    accounts: RwLock::default(),
                    session_changes: watch::channel(None).0,
                    locked: RwLock::default(),
                    persistence,
                    settings: RwLock::default(),
                    config: RwLock::new(config),
                    progress: watch::channel(PrewarmProgress::default()).0,
                    prewarm: std::sync::Mutex::default(),
                    restored: watch::channel(false).0,
                    screen_inputs: std::sync::Mutex::default(),
                    screen: watch::channel(crate::auto_refresh::Screen::default()).0,
                    reconnect_pass: std::sync::Mutex::default(),
                    outbox: outbox::OutboxChannels::default(),
                    rebuilt: std::sync::Mutex::default(),
                }),
            }
        }
    }

    beneath_the_facade! {
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
    }

    beneath_the_facade! {
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
            let (store, outcome) = larder_store::CacheStore::open_encrypted(cache_dir, keys)?;
            let engine = Engine::new(store, Arc::new(crate::cache::SystemClock));
            let larder = Self::new(client, engine, persistence);
            if let larder_store::OpenOutcome::Rebuilt { moved_to } = outcome {
                tracing::warn!(moved_to = %moved_to.display(), "the cache would not open; it was moved aside and rebuilt");
                *larder
                    .inner
                    .rebuilt
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner) = Some(moved_to);
            }
            Ok(larder)
        }
    }

    /// Where a damaged cache was moved at open, if it was: the window
    /// tells the user.
    pub fn rebuilt_cache(&self) -> Option<std::path::PathBuf> {
        self.inner
            .rebuilt
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    beneath_the_facade! {
        /// The API client, for tests and benches that look beneath the façade;
        /// the desktop shell uses only the methods around it.
        pub fn client(&self) -> &ApiClient {
            &self.inner.client
        }
    }

    /// Writes what the cache has buffered to disk now (it also does so by
    /// itself within half a second).
    pub fn flush(&self) -> Result<(), CoreError> {
        Ok(self.inner.engine.store().flush()?)
    }

    /// Online, degraded or offline, as every request's outcome says.
    pub fn connectivity(&self) -> larder_protocol::Connectivity {
        self.inner.client.connectivity().current()
    }

    beneath_the_facade! {
        /// Every change of connectivity from now on.
        pub fn connectivity_changes(&self) -> watch::Receiver<larder_protocol::Connectivity> {
            self.inner.client.connectivity().subscribe()
        }
    }

    beneath_the_facade! {
        /// Every change to a cached value from now on (for pushing to windows).
        pub fn cache_updates(&self) -> tokio::sync::broadcast::Receiver<crate::cache::CacheUpdate> {
            self.inner.engine.subscribe()
        }
    }

    beneath_the_facade! {
        /// The cache engine, for tests and benches that look beneath the
        /// façade; the desktop shell uses only the methods around it.
        pub fn engine(&self) -> &Engine {
            &self.inner.engine
        }
    }

    pub fn settings(&self) -> Settings {
        read_lock(&self.inner.settings)
    }

    /// Validates and applies `settings`. Policies apply to the next read;
    /// the API URL is the shell's to apply at its next start.
    pub fn apply_settings(&self, settings: Settings) -> Result<(), CoreError> {
        validate_settings(&settings)?;
        write_lock(&self.inner.settings, settings);
        Ok(())
    }

    /// The API's config: the last one fetched, the cached one, or the
    /// default before the API was ever reached.
    pub fn config(&self) -> AppConfig {
        read_lock(&self.inner.config)
    }

    beneath_the_facade! {
        /// Fetches the API's config, keeps it and caches it for offline starts.
        pub async fn refresh_config(&self) -> Result<AppConfig, CoreError> {
            let config = self.inner.client.config().await?;
            self.keep_config(&config);
            Ok(config)
        }
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

    beneath_the_facade! {
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
    }
}

/// Checks `settings` as a whole: every field's range and shape, and the
/// API URL with the one check the client uses ([`crate::client::check_api_url`]),
/// so a URL saved is always one the client can use.
pub fn validate_settings(settings: &Settings) -> Result<(), larder_protocol::SettingsError> {
    settings.validate()?;
    if let Some(url) = &settings.api_url {
        crate::client::check_api_url(url)?;
    }
    Ok(())
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
