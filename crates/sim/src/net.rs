//! What the simulated world is made of besides the core: a network that
//! hands each request to the mock API in the same process (and can go down),
//! a wall clock the history moves, a keychain and a protected file that
//! fail on demand (either in use, as the user chose), and the kept session
//! between runs.

use std::sync::{
    atomic::{AtomicBool, AtomicU64, Ordering},
    Arc, Mutex, PoisonError,
};

use axum::{body::Body, Router};
use futures_util::{future::BoxFuture, FutureExt};
use larder_core::{
    cache::Clock,
    transport::{HttpRequest, HttpResponse, Transport, TransportError},
    KeptSessions, MemoryAccounts, MemorySecrets, SecretError, SecretStore,
};
use tower::ServiceExt;

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The network between the core and the mock API: requests go straight to
/// its router (no sockets), unless the network is down.
#[derive(Debug, Clone)]
pub struct Network {
    router: Router,
    down: Arc<AtomicBool>,
}

impl Network {
    pub fn new(router: Router) -> Self {
        Self {
            router,
            down: Arc::default(),
        }
    }

    pub fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
    }

    pub fn is_down(&self) -> bool {
        self.down.load(Ordering::SeqCst)
    }
}

impl Transport for Network {
    fn send(
        &self,
        request: HttpRequest,
    ) -> BoxFuture<'static, Result<HttpResponse, TransportError>> {
        let (router, down) = (self.router.clone(), self.down.clone());
        async move {
            if down.load(Ordering::SeqCst) {
                return Err(TransportError::NoAnswer("the network is down".into()));
            }
            let mut target = request.url.path().to_owned();
            if let Some(query) = request.url.query() {
                target = format!("{target}?{query}");
            }
            let mut builder = axum::http::Request::builder()
                .method(request.method)
                .uri(target);
            for (name, value) in &request.headers {
                builder = builder.header(name, value);
            }
            let built = builder
                .body(Body::from(request.body))
                .map_err(|err| TransportError::NoAnswer(err.to_string()))?;
            let response = router
                .oneshot(built)
                .await
                .map_err(|err| TransportError::NoAnswer(err.to_string()))?;
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            let body = axum::body::to_bytes(response.into_body(), usize::MAX)
                .await
                .map_err(|err| TransportError::BrokenBody {
                    status,
                    message: err.to_string(),
                })?;
            // The network went down while the answer was on its way: the
            // API did the work, the client never hears of it.
            if down.load(Ordering::SeqCst) {
                return Err(TransportError::NoAnswer("the network went down".into()));
            }
            Ok(HttpResponse {
                status,
                headers,
                body: body.to_vec(),
            })
        }
        .boxed()
    }
}

/// The computer's wall clock, in Unix milliseconds, moved by the history.
#[derive(Debug)]
pub struct WallClock(AtomicU64);

impl WallClock {
    pub fn at(ms: u64) -> Self {
        Self(AtomicU64::new(ms))
    }

    pub fn advance(&self, ms: u64) {
        self.0.fetch_add(ms, Ordering::SeqCst);
    }
}

impl Clock for WallClock {
    fn now_ms(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// How the keychain answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeychainMode {
    Normal,
    /// Every read fails: locked.
    Locked,
    /// Every read answers "no such item".
    NotFound,
    /// Every cache key read answers another key.
    OtherKey,
}

/// One value sealed under a partition's key, if the partition holds any.
pub type HoldsSealed = Arc<dyn Fn(&str) -> Option<Vec<u8>> + Send + Sync>;

/// A secret store that misbehaves on demand, over a real in-memory one:
/// the OS keychain ([`Keychain::default`]) or the protected file
/// ([`Keychain::file_store`], which answers as it is told too: a file can
/// be unreadable, or restored from another machine).
pub struct Keychain {
    real: MemorySecrets,
    mode: Mutex<KeychainMode>,
    file: bool,
}

impl Default for Keychain {
    fn default() -> Self {
        Self {
            real: MemorySecrets::as_keychain(),
            mode: Mutex::new(KeychainMode::Normal),
            file: false,
        }
    }
}

impl std::fmt::Debug for Keychain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keychain")
            .field("mode", &self.mode())
            .finish_non_exhaustive()
    }
}

impl Keychain {
    pub fn set_mode(&self, mode: KeychainMode) {
        *lock(&self.mode) = mode;
    }

    pub fn mode(&self) -> KeychainMode {
        *lock(&self.mode)
    }

    /// The protected file the user can choose instead of the keychain.
    pub fn file_store() -> Self {
        Self {
            real: MemorySecrets::default(),
            mode: Mutex::new(KeychainMode::Normal),
            file: true,
        }
    }

    fn locked() -> SecretError {
        SecretError::Locked {
            source: Arc::new(keyring::Error::NoStorageAccess(
                "locked by the simulation".into(),
            )),
        }
    }
}

impl SecretStore for Keychain {
    fn get(&self, name: &str) -> Result<Option<Vec<u8>>, SecretError> {
        match self.mode() {
            KeychainMode::Normal => self.real.get(name),
            KeychainMode::Locked => Err(Self::locked()),
            KeychainMode::NotFound => Ok(None),
            // Another key under the same name, the same one every time
            // (restored from another machine, say), where a key exists.
            KeychainMode::OtherKey if name.starts_with("cache-key.") => {
                Ok(self.real.get(name)?.map(|_| other_key(name)))
            }
            KeychainMode::OtherKey => self.real.get(name),
        }
    }

    fn set(&self, name: &str, secret: &[u8]) -> Result<(), SecretError> {
        if self.mode() == KeychainMode::Locked {
            return Err(Self::locked());
        }
        self.real.set(name, secret)
    }

    fn delete(&self, name: &str) -> Result<(), SecretError> {
        if self.mode() == KeychainMode::Locked {
            return Err(Self::locked());
        }
        self.real.delete(name)
    }

    fn is_keychain(&self) -> bool {
        !self.file
    }
}

/// The secret store in use, as the core sees it: the keychain or the
/// protected file, whichever the user chose. It keeps the key that sealed
/// each partition's data and reports any other key set while sealed data
/// exists: an invariant's breach.
pub struct Secrets {
    pub keychain: Arc<Keychain>,
    pub file: Arc<Keychain>,
    use_file: AtomicBool,
    /// Answers whether a partition holds sealed data (set once the store
    /// is open).
    holds_sealed: Mutex<Option<HoldsSealed>>,
    /// The key each partition's sealed data was sealed under.
    truth: Mutex<std::collections::HashMap<String, Vec<u8>>>,
    /// Keys replaced while sealed data existed.
    replaced: Mutex<Vec<String>>,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Secrets")
            .field("use_file", &self.uses_file())
            .finish_non_exhaustive()
    }
}

impl Default for Secrets {
    fn default() -> Self {
        Self {
            keychain: Arc::default(),
            file: Arc::new(Keychain::file_store()),
            use_file: AtomicBool::new(false),
            holds_sealed: Mutex::default(),
            truth: Mutex::default(),
            replaced: Mutex::default(),
        }
    }
}

impl Secrets {
    pub fn uses_file(&self) -> bool {
        self.use_file.load(Ordering::SeqCst)
    }

    /// Chooses the other store (the setting changed; it applies at the
    /// next start).
    pub fn switch(&self) {
        self.use_file.fetch_xor(true, Ordering::SeqCst);
    }

    fn in_use(&self) -> &Keychain {
        if self.uses_file() {
            &self.file
        } else {
            &self.keychain
        }
    }

    /// The store not in use, which the app adopts keys from at each start.
    pub fn other(&self) -> Arc<Keychain> {
        if self.uses_file() {
            self.keychain.clone()
        } else {
            self.file.clone()
        }
    }

    pub fn watch(&self, holds_sealed: HoldsSealed) {
        *lock(&self.holds_sealed) = Some(holds_sealed);
    }

    /// Stops watching (the process that opened the store has ended).
    pub fn unwatch(&self) {
        *lock(&self.holds_sealed) = None;
    }

    pub fn replaced(&self) -> Vec<String> {
        lock(&self.replaced).clone()
    }
}

impl SecretStore for Secrets {
    fn get(&self, name: &str) -> Result<Option<Vec<u8>>, SecretError> {
        self.in_use().get(name)
    }

    fn set(&self, name: &str, secret: &[u8]) -> Result<(), SecretError> {
        let partition = name.strip_prefix("cache-key.");
        let sample: Option<Vec<u8>> = partition.and_then(|partition| {
            lock(&self.holds_sealed)
                .as_ref()
                .and_then(|sealed| sealed(partition))
        });
        if let (Some(partition), Some(sample)) = (partition, sample.as_deref()) {
            // The key the data is sealed under, as its values name it; for
            // values of the first format, which name none, the key that
            // was set before them.
            let replaced = match larder_store::secrets::sealed_key_id(sample) {
                Some(sealed_under) => larder_store::secrets::SecretKey::from_bytes(secret)
                    .is_none_or(|key| key.id() != sealed_under),
                None => lock(&self.truth).get(partition).map(Vec::as_slice) != Some(secret),
            };
            if replaced {
                lock(&self.replaced).push(partition.to_owned());
            }
        }
        self.in_use().set(name, secret)?;
        if let (Some(partition), None) = (partition, sample) {
            lock(&self.truth).insert(partition.to_owned(), secret.to_vec());
        }
        Ok(())
    }

    fn delete(&self, name: &str) -> Result<(), SecretError> {
        self.in_use().delete(name)
    }

    fn is_keychain(&self) -> bool {
        self.in_use().is_keychain()
    }
}

/// The key another machine would have under `name`: fixed by the name.
fn other_key(name: &str) -> Vec<u8> {
    use rand::{RngCore, SeedableRng};
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    name.hash(&mut hasher);
    let mut key = [0u8; 32];
    rand::rngs::StdRng::seed_from_u64(hasher.finish()).fill_bytes(&mut key);
    key.to_vec()
}

/// The accounts kept between runs: the list in memory (a file), each
/// token in the keychain (so a locked keychain locks them too), as the
/// desktop shell keeps them.
pub fn kept_sessions(keychain: Arc<Secrets>) -> KeptSessions {
    KeptSessions::new(Box::<MemoryAccounts>::default(), keychain)
}
