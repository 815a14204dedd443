//! Test helpers shared by the core's integration tests: a clock moved by
//! hand, a loopback link to mock-api that can be cut, mock-api itself, a
//! Larder on a hand-moved clock, and a wait for the prewarm.

#![allow(dead_code)] // each test file uses a different subset

use std::{
    sync::{
        atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering},
        Arc,
    },
    time::Duration,
};

use larder_core::{cache::Clock, Larder};

pub mod kill;
pub mod signed_in;

#[allow(unused_imports)] // each test file uses a different subset
pub use kill::{spawn_self, was_killed, KillPlan, KillableChild};
use tokio::net::{TcpListener, TcpStream};

/// A clock the test moves by hand.
#[derive(Debug)]
pub struct ManualClock(AtomicU64);

impl Default for ManualClock {
    fn default() -> Self {
        Self(AtomicU64::new(1_000_000))
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

impl ManualClock {
    pub fn at(now_ms: u64) -> Self {
        Self(AtomicU64::new(now_ms))
    }

    pub fn advance(&self, by: Duration) {
        self.0.fetch_add(by.as_millis() as u64, Ordering::SeqCst);
    }
}

/// A TCP link on its own loopback port to an upstream address. Cutting it
/// drops every open connection; while cut, it accepts each new connection
/// and closes it at once, as a dead network does to a client, and counts
/// the attempts.
#[derive(Debug, Clone)]
pub struct Link {
    url: String,
    cut: Arc<AtomicBool>,
    cuts: tokio::sync::watch::Sender<u64>,
    refused: Arc<AtomicUsize>,
}

impl Link {
    pub async fn to(upstream: std::net::SocketAddr) -> Self {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await.expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let link = Self {
            url,
            cut: Arc::default(),
            cuts: tokio::sync::watch::channel(0).0,
            refused: Arc::default(),
        };
        let (cut, refused, cuts) = (link.cut.clone(), link.refused.clone(), link.cuts.clone());
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                if cut.load(Ordering::SeqCst) {
                    refused.fetch_add(1, Ordering::SeqCst);
                    drop(client);
                    continue;
                }
                let mut cut_now = cuts.subscribe();
                tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(upstream).await {
                        tokio::select! {
                            _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                            _ = cut_now.changed() => {}
                        }
                    }
                });
            }
        });
        link
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn set_cut(&self, cut: bool) {
        self.cut.store(cut, Ordering::SeqCst);
        if cut {
            self.cuts.send_modify(|n| *n += 1);
        }
    }

    /// Connections turned away while cut.
    pub fn refused(&self) -> usize {
        self.refused.load(Ordering::SeqCst)
    }
}

/// Waits (bounded) for the running prewarm to finish.
pub async fn prewarmed(larder: &Larder) {
    let mut progress = larder.prewarm_progress();
    while !progress.borrow_and_update().is_done() {
        tokio::time::timeout(Duration::from_secs(20), progress.changed())
            .await
            .expect("prewarm within 20 s")
            .expect("channel open");
    }
}

/// Polls `check` every 20 ms for up to 10 s.
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..500 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("timed out waiting for {what}");
}

/// A self-verifying payload for the kill tests: `header|`, then bytes
/// seeded by a SHA-256 of the header (splitmix64), so every byte follows
/// from the header. Mostly 200 B-8 KB, one in 16 of 16-64 KB (which sled
/// keeps in separate files).
pub fn derived_payload(header: &str, seed_label: &str) -> Vec<u8> {
    use sha2::{Digest, Sha256};
    let seed = Sha256::digest(seed_label);
    let mut state = u64::from_le_bytes(seed[..8].try_into().expect("8 bytes"));
    let mut next = || {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    let len = if next() % 16 == 0 {
        16 * 1024 + next() % (48 * 1024)
    } else {
        200 + next() % 8000
    } as usize;
    let mut payload = format!("{header} n{len:05}|").into_bytes();
    while payload.len() < len {
        payload.extend_from_slice(&next().to_le_bytes());
    }
    payload.truncate(len);
    payload
}

/// Starts mock-api on an ephemeral loopback port with no delays and its
/// test controls on.
pub async fn controlled_api() -> mock_api::RunningServer {
    mock_api::testing::start_instant()
        .await
        .expect("mock-api starts")
}

/// A Larder for `api_url` whose cache (encrypted, in `dir`) ages by
/// `clock`, with its keys and sessions in memory.
pub fn larder_on(api_url: &str, dir: &std::path::Path, clock: Arc<ManualClock>) -> Larder {
    Machine::default().larder(api_url, dir, clock)
}

/// What outlives one run of Larder on a computer besides its data folder:
/// the keychain and the kept session. Each [`Machine::larder`] is a new
/// run over them.
#[derive(Debug, Clone, Default)]
pub struct Machine {
    pub secrets: Arc<larder_core::MemorySecrets>,
    pub sessions: Arc<larder_core::MemorySessions>,
}

impl Machine {
    /// A machine whose keys sit in a keychain (so a kept cache keeps its key).
    pub fn with_keychain() -> Self {
        Self {
            secrets: Arc::new(larder_core::MemorySecrets::as_keychain()),
            ..Self::default()
        }
    }

    /// A run of Larder for `api_url`, its cache in `dir`, on `clock`.
    pub fn larder(&self, api_url: &str, dir: &std::path::Path, clock: Arc<ManualClock>) -> Larder {
        let keys = larder_core::CacheKeys::new(self.secrets.clone());
        let (store, _) = larder_store::CacheStore::open_encrypted(&dir.join("cache"), keys)
            .expect("the cache opens");
        Larder::new(
            larder_core::ApiClient::new(api_url).expect("url"),
            larder_core::cache::Engine::new(store, clock),
            self.sessions.clone(),
        )
    }
}

/// Starts mock-api on an ephemeral loopback port with no delays.
pub async fn quick_api() -> mock_api::RunningServer {
    mock_api::testing::start_instant()
        .await
        .expect("mock-api starts")
}
