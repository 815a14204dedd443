//! Reads through the cache with stale-while-revalidate, single-flight and a
//! session fence.
//!
//! | State of the entry | What [`Engine::read`] does |
//! |---|---|
//! | fresh | serves it |
//! | stale (within the TTL) | serves it at once and revalidates in the background with `If-None-Match`; a 304 only renews `fetched_at` |
//! | expired or missing | fetches, and the caller waits |
//! | expired, upstream failing, within stale-if-error | serves it, marked stale, with the error |
//!
//! At most one upstream request per (session epoch, user, key) is in
//! flight: reads, retries and background revalidations of one session share
//! it. Each runs in its own task, so a caller that gives up never strands
//! the others. A request of an ended session is never joined by a newer
//! one, so its outcome (a 401 above all) never reaches the newer session.
//!
//! Writes pass a fence: a fetch started under one of a user's session
//! epochs is never written after [`Engine::end_epoch`] ended it (that
//! user's sign-out or next sign-in). Each user has epochs of their own, so
//! one account's sign-in or sign-out never fences another's fetches.

use std::{
    collections::HashMap,
    fmt,
    sync::{Arc, Mutex, PoisonError, RwLock},
    time::Duration,
};

use futures_util::{
    future::{BoxFuture, Shared},
    FutureExt,
};
use larder_protocol::{Freshness, Source};

use larder_store::{CacheEntry, CacheStore};

use super::Policy;
use crate::{client::Fetched, CoreError};

/// The time source, so tests can age entries without waiting.
pub trait Clock: Send + Sync + fmt::Debug {
    /// Now, in Unix milliseconds.
    fn now_ms(&self) -> u64;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> u64 {
        crate::now_ms()
    }
}

/// Fetches a resource, conditionally on the cached ETag.
pub type FetchFn =
    Arc<dyn Fn(Option<String>) -> BoxFuture<'static, Result<Fetched, CoreError>> + Send + Sync>;

type Flight = Shared<BoxFuture<'static, Result<CacheEntry, CoreError>>>;
/// (session epoch, user id, key).
type FlightId = (u64, String, String);

/// A flight in the map: its serial (so a finished flight removes only
/// itself), when its request started, and its shared outcome. The map holds
/// it weakly: the flight's own task (and whoever awaits it) holds it
/// strongly, so a flight whose task is dropped (its runtime shut down)
/// goes with it, and with it the engine it captured.
struct InFlight {
    serial: u64,
    started_at_ms: u64,
    flight: futures_util::future::WeakShared<BoxFuture<'static, Result<CacheEntry, CoreError>>>,
}

/// A read's result: the entry and where and how fresh it came.
#[derive(Debug, Clone)]
pub struct Read {
    pub entry: CacheEntry,
    pub state: Freshness,
    pub source: Source,
    /// The upstream error an expired entry stands in for.
    pub error: Option<CoreError>,
}

/// The read-through engine over a [`CacheStore`]. Cheap to clone.
#[derive(Clone)]
pub struct Engine {
    store: CacheStore,
    clock: Arc<dyn Clock>,
    /// Upstream requests in flight, by (session epoch, user id, key).
    inflight: Arc<Mutex<HashMap<FlightId, InFlight>>>,
    /// Numbers the flights.
    serials: Arc<std::sync::atomic::AtomicU64>,
    /// Each user's current session epoch. Writes hold the read lock while
    /// they check it and write; ending an epoch takes the write lock, so no
    /// write of the old epoch can land after it.
    epochs: Arc<RwLock<super::epochs::Epochs>>,
    /// Announces every write that changed an entry's bytes.
    updates: tokio::sync::broadcast::Sender<CacheUpdate>,
    /// Reads served from the cache, by (user id, key), since start.
    hits: Arc<Mutex<HashMap<(String, String), u64>>>,
}

/// A stored value that differs from what was cached before: pushed to the
/// UI so it updates without polling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheUpdate {
    pub user_id: String,
    pub key: String,
    pub entry: CacheEntry,
}

impl fmt::Debug for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Engine")
            .field("store", &self.store)
            .field("clock", &self.clock)
            .finish_non_exhaustive()
    }
}

impl Engine {
    pub fn new(store: CacheStore, clock: Arc<dyn Clock>) -> Self {
        Self {
            store,
            clock,
            inflight: Arc::default(),
            serials: Arc::default(),
            epochs: Arc::default(),
            // Receivers that fall this far behind skip to the newest.
            updates: tokio::sync::broadcast::channel(64).0,
            hits: Arc::default(),
        }
    }

    /// Now, on the engine's clock.
    pub fn now_ms(&self) -> u64 {
        self.clock.now_ms()
    }

    /// Reads of (user, key) served from the cache since start.
    pub fn hits(&self, user_id: &str, key: &str) -> u64 {
        self.hits
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&(user_id.to_owned(), key.to_owned()))
            .copied()
            .unwrap_or(0)
    }

    fn count_hit(&self, user_id: &str, key: &str) {
        *self
            .hits
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry((user_id.to_owned(), key.to_owned()))
            .or_default() += 1;
    }

    /// Every change to a cached value from now on.
    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<CacheUpdate> {
        self.updates.subscribe()
    }

    /// Announces `key`'s stored value again, as if just written (a change
    /// shown over it was sent, dropped or rolled back).
    pub fn announce(&self, user_id: &str, key: &str) {
        if let Ok(Some(entry)) = self.store.get(user_id, key) {
            let _ = self.updates.send(CacheUpdate {
                user_id: user_id.to_owned(),
                key: key.to_owned(),
                entry,
            });
        }
    }

    /// The engine's time source.
    pub fn clock(&self) -> Arc<dyn Clock> {
        self.clock.clone()
    }

    pub fn store(&self) -> &CacheStore {
        &self.store
    }

    /// Ends `user_id`'s current session epoch: their fetches already under
    /// way will not write their results, and no later read joins them.
    /// Other users' epochs go on. Returns the new epoch, once no write of
    /// the old one is in progress.
    pub fn end_epoch(&self, user_id: &str) -> u64 {
        self.epochs
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .end(user_id)
    }

    /// `user_id`'s current session epoch.
    #[cfg(any(test, feature = "testing"))]
    pub fn epoch(&self, user_id: &str) -> u64 {
        self.epochs
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .of(user_id)
    }

    /// Reads `key` of `user_id` under `policy` in the current session
    /// epoch, fetching with `fetch` when needed (see the module's table).
    /// For the tests and benchmarks: the core reads in a session's epoch.
    #[cfg(any(test, feature = "testing"))]
    pub async fn read(
        &self,
        user_id: &str,
        key: &str,
        policy: Policy,
        fetch: FetchFn,
    ) -> Result<Read, CoreError> {
        self.read_in(self.epoch(user_id), user_id, key, policy, fetch)
            .await
    }

    /// [`Self::read`] for a session of `epoch`: its requests are shared
    /// only with that session's, and once the epoch has ended nothing they
    /// fetch is written.
    pub async fn read_in(
        &self,
        epoch: u64,
        user_id: &str,
        key: &str,
        policy: Policy,
        fetch: FetchFn,
    ) -> Result<Read, CoreError> {
        let Some(entry) = self.store.get(user_id, key)? else {
            let entry = self.flight(epoch, user_id, key, fetch, 0).await?;
            return Ok(Read {
                entry,
                state: Freshness::Fresh,
                source: Source::Network,
                error: None,
            });
        };
        let age = Duration::from_millis(self.clock.now_ms().saturating_sub(entry.fetched_at_ms));
        match policy.freshness(age) {
            Freshness::Fresh => {
                self.count_hit(user_id, key);
                Ok(Read {
                    entry,
                    state: Freshness::Fresh,
                    source: Source::Cache,
                    error: None,
                })
            }
            Freshness::Stale => {
                self.count_hit(user_id, key);
                // Revalidate in the background; the flight runs in its own
                // task, so dropping this handle does not cancel it.
                drop(self.flight(epoch, user_id, key, fetch, 0));
                Ok(Read {
                    entry,
                    state: Freshness::Stale,
                    source: Source::Cache,
                    error: None,
                })
            }
            Freshness::Expired => match self.flight(epoch, user_id, key, fetch, 0).await {
                Ok(fresh) => Ok(Read {
                    entry: fresh,
                    state: Freshness::Fresh,
                    source: Source::Network,
                    error: None,
                }),
                // A value of any age stands in when the API cannot be
                // reached: it is all the user has. Other failures use it
                // within the stale-if-error window.
                Err(err)
                    if !matches!(err, CoreError::SessionExpired)
                        && (policy.usable_on_error(age)
                            || matches!(err, CoreError::Unreachable(_))) =>
                {
                    self.count_hit(user_id, key);
                    Ok(Read {
                        entry,
                        state: Freshness::Stale,
                        source: Source::Cache,
                        error: Some(err),
                    })
                }
                Err(err) => Err(err),
            },
        }
    }

    /// The cached entry of `key`, if any, with its freshness under `policy`;
    /// never fetches. Offline reads and the first frame use this.
    pub fn peek(
        &self,
        user_id: &str,
        key: &str,
        policy: Policy,
    ) -> Result<Option<Read>, CoreError> {
        let Some(entry) = self.store.get(user_id, key)? else {
            return Ok(None);
        };
        self.count_hit(user_id, key);
        let age = Duration::from_millis(self.clock.now_ms().saturating_sub(entry.fetched_at_ms));
        Ok(Some(Read {
            entry,
            state: policy.freshness(age),
            source: Source::Cache,
            error: None,
        }))
    }

    /// Fetches `key` now in the current epoch, whatever its freshness
    /// (Retry, refresh), sharing any flight already under way. For the
    /// tests and benchmarks: the core refreshes in a session's epoch.
    #[cfg(any(test, feature = "testing"))]
    pub async fn refresh(
        &self,
        user_id: &str,
        key: &str,
        fetch: FetchFn,
    ) -> Result<CacheEntry, CoreError> {
        self.flight(self.epoch(user_id), user_id, key, fetch, 0).await
    }

    /// Fetches `key` for a session of `epoch` with a request that started
    /// no earlier than `since_ms` (engine time): a flight under way that
    /// started before is not joined, so the answer reflects everything the
    /// API had acknowledged by then.
    pub async fn refresh_since(
        &self,
        epoch: u64,
        user_id: &str,
        key: &str,
        fetch: FetchFn,
        since_ms: u64,
    ) -> Result<CacheEntry, CoreError> {
        self.flight(epoch, user_id, key, fetch, since_ms).await
    }

    /// The one upstream request for (epoch, user, key): joins the one in
    /// flight, if it started at `since_ms` or later, or starts one in its
    /// own task.
    fn flight(
        &self,
        epoch: u64,
        user_id: &str,
        key: &str,
        fetch: FetchFn,
        since_ms: u64,
    ) -> Flight {
        let mut inflight = self.inflight.lock().unwrap_or_else(PoisonError::into_inner);
        let id = (epoch, user_id.to_owned(), key.to_owned());
        if let Some(under_way) = inflight.get(&id) {
            if under_way.started_at_ms >= since_ms {
                if let Some(flight) = under_way.flight.upgrade() {
                    return flight;
                }
            }
        }
        let cached_etag = self
            .store
            .get(user_id, key)
            .ok()
            .flatten()
            .and_then(|e| e.etag);
        let engine = self.clone();
        let flight_id = id.clone();
        let serial = self
            .serials
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let started_at_ms = self.clock.now_ms();
        let flight = async move {
            let result = engine
                .fetch_and_store(&flight_id, started_at_ms, cached_etag, fetch)
                .await;
            let mut inflight = engine
                .inflight
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if inflight.get(&flight_id).is_some_and(|f| f.serial == serial) {
                inflight.remove(&flight_id);
            }
            result
        }
        .boxed()
        .shared();
        if let Some(weak) = flight.downgrade() {
            inflight.insert(
                id,
                InFlight {
                    serial,
                    started_at_ms,
                    flight: weak,
                },
            );
        }
        tokio::spawn(flight.clone());
        flight
    }

    /// Fetches, then stores the answer as of `started_at_ms` (when the
    /// request started: the value is at least that fresh), unless the
    /// session ended meanwhile or the cache already holds a value from a
    /// request that started later, which is kept and returned instead.
    async fn fetch_and_store(
        &self,
        (epoch, user_id, key): &FlightId,
        started_at_ms: u64,
        cached_etag: Option<String>,
        fetch: FetchFn,
    ) -> Result<CacheEntry, CoreError> {
        let entry = match fetch(cached_etag).await? {
            Fetched::Modified { body, etag } => CacheEntry {
                payload: body,
                fetched_at_ms: started_at_ms,
                etag,
            },
            Fetched::NotModified => {
                let mut entry = self.store.get(user_id, key)?.ok_or_else(|| {
                    CoreError::InvalidResponse("304 for an entry no longer cached".into())
                })?;
                entry.fetched_at_ms = entry.fetched_at_ms.max(started_at_ms);
                entry
            }
        };
        {
            let epochs = self.epochs.read().unwrap_or_else(PoisonError::into_inner);
            if epochs.of(user_id) != *epoch {
                tracing::debug!(key = %crate::log_key(key), "dropped a fetch that finished after its session ended");
                return Ok(entry);
            }
            if let Some(newer) = self
                .store
                .get(user_id, key)?
                .filter(|cached| cached.fetched_at_ms > entry.fetched_at_ms)
            {
                // A request that started later has already answered.
                return Ok(newer);
            }
            self.store.put(user_id, key, &entry)?;
        }
        // sled flushes on its own every 500 ms; a value fetched from the
        // network is worth keeping if the app is killed right after, so it
        // is flushed now (one fsync per upstream fetch, never per hit), and
        // windows hear of it once it is on disk.
        if let Err(err) = self.store.flush_async().await {
            tracing::warn!(%err, "the cache could not be flushed");
        }
        // Changed or confirmed (a 304), the value is new as of now, so the
        // windows hear of it: their "updated just now" depends on it. No
        // receiver is fine: nobody is listening yet.
        let _ = self.updates.send(CacheUpdate {
            user_id: user_id.clone(),
            key: key.clone(),
            entry: entry.clone(),
        });
        Ok(entry)
    }
}
