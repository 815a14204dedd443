//! What the cache benchmark's parts share: latency samples, timing one
//! cache hit, payloads and entries, and the cache as the app opens it.

use std::{
    hint::black_box,
    path::Path,
    sync::Arc,
    time::{Duration, Instant},
};

use futures_util::FutureExt;
use larder_core::{
    cache::{Engine, FetchFn, Policy},
    CoreError,
};
use larder_protocol::{Freshness, Source};
use larder_store::{CacheEntry, CacheStore, OpenOutcome};
use rand::{rngs::StdRng, Rng, SeedableRng};
use sha2::{Digest, Sha256};

/// A set of latencies, sorted for percentiles.
pub struct Latencies(Vec<Duration>);

impl Latencies {
    pub fn new(mut samples: Vec<Duration>) -> Self {
        samples.sort_unstable();
        Self(samples)
    }

    pub fn percentile(&self, p: f64) -> Duration {
        let index = ((self.0.len() as f64 - 1.0) * p).round() as usize;
        self.0[index]
    }

    pub fn p50(&self) -> Duration {
        self.percentile(0.50)
    }

    pub fn p99(&self) -> Duration {
        self.percentile(0.99)
    }
}

pub fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

pub fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// A fetch that must never run: every measured read is a cache hit.
pub fn no_fetch() -> FetchFn {
    Arc::new(|_etag| {
        async {
            Err(CoreError::Unreachable(
                "the benchmark's reads must all be cache hits".into(),
            ))
        }
        .boxed()
    })
}

/// `len` bytes of JSON-like text, varied enough not to be trivially
/// compressible.
pub fn payload(len: usize, seed: u64) -> Vec<u8> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        out.extend_from_slice(
            format!(
                "{{\"id\":{},\"value\":{:.3}}},",
                rng.gen::<u32>(),
                rng.gen::<f64>()
            )
            .as_bytes(),
        );
    }
    out.truncate(len);
    out
}

/// A strong ETag over `body`, as mock-api makes them.
pub fn etag_of(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

pub fn fresh_entry(payload: Vec<u8>) -> CacheEntry {
    CacheEntry {
        etag: Some(etag_of(&payload)),
        payload,
        fetched_at_ms: larder_core::now_ms(),
    }
}

/// Times one read of `(user, key)` through the engine, which must be a
/// fresh hit from the cache.
pub async fn timed_hit(engine: &Engine, user: &str, key: &str, fetch: &FetchFn) -> Duration {
    let started = Instant::now();
    let read = engine
        .read(user, key, Policy::default(), fetch.clone())
        .await
        .expect("a cache hit");
    let elapsed = started.elapsed();
    assert_eq!(
        (read.source, read.state),
        (Source::Cache, Freshness::Fresh),
        "a measured read was not a fresh hit"
    );
    black_box(read);
    elapsed
}

/// The cache as the app opens it: `<dir>/cache`, every value sealed with
/// AES-256-GCM under per-user keys kept in `<dir>/secrets` (the file
/// store; keys are read once per user, then held in memory, as with the
/// keychain).
pub fn encrypted(dir: &Path) -> Result<(CacheStore, OpenOutcome), larder_store::StoreError> {
    let secrets = larder_core::FileSecrets::open(&dir.join("secrets")).expect("the secrets open");
    let keys = larder_core::CacheKeys::new(Arc::new(secrets));
    CacheStore::open_encrypted(&dir.join("cache"), keys)
}
