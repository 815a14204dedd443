//! Keys never destroy data: a secret store that fails, answers "not
//! found", or answers another key leaves every cached value in place, and
//! everything reads back once the real key is available again. A kept
//! session whose token cannot be read is locked, not signed out.

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicBool, AtomicU32, Ordering},
        Arc, Mutex, PoisonError,
    },
};

use larder_core::{
    secrets::{cache_key_name, session_token_name, SecretKey},
    ApiClient, CacheKeys, CoreError, Larder, MemorySecrets, PersistedSession, SecretError,
    SecretStore, SessionPersistence,
};
use larder_protocol::LockReason;
use larder_store::{CacheEntry, CacheStore, StoreError};

/// A secret store that misbehaves on demand, over a real in-memory one.
#[derive(Debug, Default)]
struct FaultySecrets {
    real: MemorySecrets,
    /// Answers this many more reads with "the keychain is locked".
    fail_next: AtomicU32,
    /// Answers "no such item" for every read while set.
    not_found: AtomicBool,
    /// Answers a different key for every cache key while set.
    other_key: AtomicBool,
    /// Writes attempted, so a test can check that none replaced a key.
    writes: Mutex<Vec<String>>,
}

fn locked() -> SecretError {
    SecretError::Locked {
        source: Arc::new(keyring::Error::NoStorageAccess(
            "locked for the test".into(),
        )),
    }
}

impl SecretStore for FaultySecrets {
    fn get(&self, name: &str) -> Result<Option<Vec<u8>>, SecretError> {
        if self
            .fail_next
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
        {
            return Err(locked());
        }
        if self.not_found.load(Ordering::SeqCst) {
            return Ok(None);
        }
        if self.other_key.load(Ordering::SeqCst) && name.starts_with("cache-key.") {
            return Ok(Some(SecretKey::random().as_bytes().to_vec()));
        }
        self.real.get(name)
    }
    fn set(&self, name: &str, secret: &[u8]) -> Result<(), SecretError> {
        self.writes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(name.to_owned());
        self.real.set(name, secret)
    }
    fn delete(&self, name: &str) -> Result<(), SecretError> {
        self.real.delete(name)
    }
    fn is_keychain(&self) -> bool {
        true
    }
}

const USERS: [&str; 3] = ["u_alice", "u_bob", "u_carol"];
const KEYS: [&str; 5] = [
    "widget:1",
    "widget:2",
    "widget:3",
    "profile:u_x",
    "posts:u_x:2",
];

fn entry(user: &str, key: &str) -> CacheEntry {
    CacheEntry {
        payload: format!("{user}/{key}/payload").repeat(20).into_bytes(),
        fetched_at_ms: 1_000,
        etag: Some(format!("\"{user}{key}\"")),
    }
}

fn open(dir: &std::path::Path, secrets: &Arc<FaultySecrets>) -> CacheStore {
    let keys = CacheKeys::new(secrets.clone() as Arc<dyn SecretStore>);
    CacheStore::open_encrypted(dir, keys).expect("opens").0
}

fn stored(store: &CacheStore) -> usize {
    USERS
        .iter()
        .map(|user| store.stored_count(user).expect("count"))
        .sum()
}

/// Every way of failing at once, against one store: nothing readable is
/// removed, nothing replaces a key, and all of it reads back afterwards.
#[test]
fn no_secret_fault_loses_a_single_entry() {
    let temp = tempfile::tempdir().expect("temp dir");
    let dir = temp.path().join("cache");
    let secrets = Arc::new(FaultySecrets::default());
    {
        let store = open(&dir, &secrets);
        for user in USERS {
            for key in KEYS {
                store.put(user, key, &entry(user, key)).expect("put");
            }
        }
        store.flush().expect("flush");
    }
    let total = USERS.len() * KEYS.len();
    let keys_before: HashMap<String, Option<Vec<u8>>> = USERS
        .iter()
        .map(|user| {
            let name = cache_key_name(&larder_store::store::partition_name(user));
            let key = secrets.real.get(&name).expect("get");
            (name, key)
        })
        .collect();
    secrets
        .writes
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clear();

    // Locked: reads and writes fail with a typed error, the sweep skips
    // the partitions, and nothing is removed.
    secrets.fail_next.store(1_000, Ordering::SeqCst);
    let store = open(&dir, &secrets);
    for user in USERS {
        for key in KEYS {
            assert!(
                matches!(
                    store.get(user, key),
                    Err(StoreError::Secret(SecretError::Locked { .. }))
                ),
                "a locked keychain must be a typed error: {user} {key}"
            );
        }
        assert!(store
            .put(user, "widget:9", &entry(user, "widget:9"))
            .is_err());
    }
    assert_eq!(
        store
            .sweep(u64::MAX, &|_, _| Some(std::time::Duration::ZERO))
            .expect("sweep"),
        0
    );
    assert_eq!(stored(&store), total, "nothing removed, nothing added");
    drop(store);
    // It fails N times, then answers: the first reads fail, later ones work.
    secrets.fail_next.store(3, Ordering::SeqCst);
    let store = open(&dir, &secrets);
    let outcomes: Vec<bool> = USERS
        .iter()
        .chain(USERS.iter())
        .map(|user| store.get(user, "widget:1").is_ok())
        .collect();
    assert_eq!(outcomes, [false, false, false, true, true, true]);
    drop(store);

    // "No such item": reads say the key is missing; writes never create one.
    secrets.not_found.store(true, Ordering::SeqCst);
    let store = open(&dir, &secrets);
    for user in USERS {
        assert!(matches!(
            store.get(user, "widget:2"),
            Err(StoreError::Secret(SecretError::NotFound { .. }))
        ));
        assert!(matches!(
            store.put(user, "widget:2", &entry(user, "other")),
            Err(StoreError::Secret(SecretError::NotFound { .. }))
        ));
        assert!(store.entries(user).is_err());
    }
    assert_eq!(
        store
            .sweep(u64::MAX, &|_, _| Some(std::time::Duration::ZERO))
            .expect("sweep"),
        0
    );
    drop(store);
    secrets.not_found.store(false, Ordering::SeqCst);

    // Another key: it does not match what the partition holds, so it is
    // never used; every value is kept, and writes are refused too.
    secrets.other_key.store(true, Ordering::SeqCst);
    let store = open(&dir, &secrets);
    for user in USERS {
        for key in KEYS {
            assert!(
                matches!(
                    store.get(user, key),
                    Err(StoreError::Secret(SecretError::Mismatch { .. }))
                ),
                "{user} {key}"
            );
        }
        assert!(store
            .put(user, "widget:9", &entry(user, "widget:9"))
            .is_err());
    }
    assert_eq!(
        store
            .sweep(u64::MAX, &|_, _| Some(std::time::Duration::ZERO))
            .expect("sweep"),
        0
    );
    assert_eq!(stored(&store), total, "nothing removed");
    drop(store);
    secrets.other_key.store(false, Ordering::SeqCst);

    // No key was ever replaced.
    for (name, before) in &keys_before {
        assert_eq!(&secrets.real.get(name).expect("get"), before, "{name}");
    }
    assert!(
        secrets
            .writes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_empty(),
        "no key was written while values existed"
    );

    // The real key is back: every value reads back exactly as written.
    let store = open(&dir, &secrets);
    let mut read_back = 0;
    for user in USERS {
        for key in KEYS {
            assert_eq!(
                store.get(user, key).expect("get"),
                Some(entry(user, key)),
                "{user} {key}"
            );
            read_back += 1;
        }
    }
    assert_eq!(read_back, total, "0 entries lost");
}

#[tokio::test]
async fn a_locked_keychain_locks_the_session_instead_of_ending_it() {
    let api = mock_api::testing::start_instant()
        .await
        .expect("mock-api starts");
    let temp = tempfile::tempdir().expect("temp dir");
    let secrets = Arc::new(FaultySecrets::default());
    let client = ApiClient::new(&api.url()).expect("url");
    let login = client
        .login(&larder_protocol::Username::parse("mia").expect("valid"))
        .await
        .expect("login");
    // Kept as the desktop shell keeps it: the token in the secret store.
    let persistence = Arc::new(larder_core::KeptSessions::new(
        Box::<larder_core::MemoryAccounts>::default(),
        secrets.clone(),
    ));
    persistence
        .save(&PersistedSession {
            user: login.user.clone(),
            token: login.token.clone(),
        })
        .expect("kept");
    secrets.fail_next.store(u32::MAX, Ordering::SeqCst);
    let larder = Larder::open_with(
        client,
        &temp.path().join("cache"),
        persistence,
        secrets.clone(),
    )
    .expect("opens");
    assert_eq!(larder.restore_session(), None, "not signed in");
    let locked = larder
        .locked()
        .expect("a locked session, not a signed-out one");
    assert_eq!(locked.user, login.user);
    assert_eq!(locked.reason, LockReason::KeychainLocked);
    assert!(matches!(
        larder.unlock(),
        Err(CoreError::Keychain(SecretError::Locked { .. }))
    ));
    assert!(
        secrets
            .real
            .get(&session_token_name(&larder_store::store::partition_name(
                &login.user.id
            )))
            .expect("get")
            .is_some(),
        "the token is kept"
    );

    secrets.fail_next.store(0, Ordering::SeqCst);
    let session = larder.unlock().expect("unlocked").expect("a session");
    assert_eq!(session.user, login.user);
    assert_eq!(larder.locked(), None);
}

#[tokio::test]
async fn a_switch_reads_no_secret_once_both_accounts_are_open() {
    let api = mock_api::testing::start_instant()
        .await
        .expect("mock-api starts");
    let temp = tempfile::tempdir().expect("temp dir");
    let secrets = Arc::new(FaultySecrets::default());
    let persistence = Arc::new(larder_core::KeptSessions::new(
        Box::<larder_core::MemoryAccounts>::default(),
        secrets.clone(),
    ));
    let larder = Larder::open_with(
        ApiClient::new(&api.url()).expect("url"),
        &temp.path().join("cache"),
        persistence,
        secrets.clone(),
    )
    .expect("opens");
    let warmed = || async {
        for _ in 0..500 {
            if larder.prewarm_state().is_done() && larder.cached_dashboard().len() == 5 {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("the dashboard was never warmed");
    };
    let ada = larder.sign_in("ada").await.expect("sign in").user.id;
    warmed().await;
    larder.sign_in("bob").await.expect("sign in");
    warmed().await;
    // The keychain locks: every read of a secret fails from now on.
    secrets.fail_next.store(u32::MAX, Ordering::SeqCst);
    let shown = larder.switch_account(&ada).expect("no secret needed");
    assert_eq!(shown.user.id, ada);
    assert_eq!(larder.cached_dashboard().len(), 5, "ada's, from the cache");
    assert_eq!(larder.locked(), None, "nothing locked");
}
