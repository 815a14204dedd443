//! Background work never asks the keychain: a locked keychain would prompt
//! for an unlock, unbidden, every ten minutes. The sweeper and the size
//! limit use only keys this run already loaded; the signed-in user's key is
//! loaded when the session begins, on the user's own action.

use std::sync::{
    atomic::{AtomicUsize, Ordering},
    Arc,
};

use larder_core::{ApiClient, Larder, MemorySecrets, MemorySessions, SecretError, SecretStore};

mod common;
use common::prewarmed;

/// A keychain that counts every question it is asked.
#[derive(Debug)]
struct Counting {
    real: MemorySecrets,
    asked: AtomicUsize,
}

impl SecretStore for Counting {
    fn get(&self, name: &str) -> Result<Option<Vec<u8>>, SecretError> {
        self.asked.fetch_add(1, Ordering::SeqCst);
        self.real.get(name)
    }
    fn set(&self, name: &str, secret: &[u8]) -> Result<(), SecretError> {
        self.asked.fetch_add(1, Ordering::SeqCst);
        self.real.set(name, secret)
    }
    fn delete(&self, name: &str) -> Result<(), SecretError> {
        self.asked.fetch_add(1, Ordering::SeqCst);
        self.real.delete(name)
    }
    fn is_keychain(&self) -> bool {
        true
    }
}

#[tokio::test]
async fn the_sweeper_and_the_size_limit_never_ask_the_keychain() {
    let api = common::quick_api().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let cache = dir.path().join("cache");
    let keychain = Arc::new(Counting {
        real: MemorySecrets::as_keychain(),
        asked: AtomicUsize::new(0),
    });
    let open = || {
        Larder::open_with(
            ApiClient::new(&api.url()).expect("url"),
            &cache,
            Arc::new(MemorySessions::default()),
            keychain.clone(),
        )
        .expect("opens")
    };
    {
        // Two users fill their caches; both are kept for offline use.
        let larder = open();
        larder
            .apply_settings(larder_protocol::Settings {
                keep_cache_on_sign_out: true,
                ..larder_protocol::Settings::default()
            })
            .expect("valid");
        for name in ["kim", "lee"] {
            larder.sign_in(name).await.expect("sign in");
            prewarmed(&larder).await;
            larder.sign_out().await;
        }
        larder.engine().store().flush().expect("flush");
    }

    // The next run, nobody signed in yet: the passes find every key
    // missing from memory and ask nobody.
    let larder = open();
    let before = keychain.asked.load(Ordering::SeqCst);
    larder.sweep_once().expect("sweeps");
    let report = larder.evict_to(0).expect("evicts");
    assert_eq!(
        keychain.asked.load(Ordering::SeqCst),
        before,
        "not one question"
    );
    assert!(
        report.locked_bytes > 0,
        "what it cannot read is counted, not read: {report:?}"
    );

    // Signing in loads that user's key: the passes then read their data
    // from memory, still without a question.
    larder.sign_in("kim").await.expect("sign in");
    prewarmed(&larder).await;
    let signed_in = keychain.asked.load(Ordering::SeqCst);
    larder.sweep_once().expect("sweeps");
    larder.evict_to(u64::MAX).expect("evicts");
    assert_eq!(keychain.asked.load(Ordering::SeqCst), signed_in);
}
