//! The OS keychain store against a real keychain. These tests are
//! `#[ignore]`d in a plain `cargo test`, where no keychain may exist (or
//! where the only one is the user's own), so such a run reports them as
//! ignored rather than passed. `cargo xtask test` runs them with
//! `--ignored` against throwaway keychains:
//! - on Linux, a real Secret Service: inside `dbus-run-session`, with
//!   gnome-keyring started on a throwaway keyring and unlocked;
//! - the Windows build, under Wine (`cargo xtask wine-test`): Wine's
//!   Credential Manager (`CredWriteW`/`CredReadW`, which the `keyring`
//!   crate's Windows backend calls), kept in a throwaway Wine prefix. That
//!   is Wine's implementation of the API, not Windows's.
//!
//! Locking is the Secret Service's alone (Windows's Credential Manager has
//! no lock), so the locked-keyring test exists on Linux only.

use std::sync::Arc;

use larder_core::{secrets::SESSION_TOKEN, CacheKeys, KeychainSecrets, SecretStore};

// On Linux both tests use the one test keyring, and the first points the
// session bus elsewhere for a moment: `cargo xtask test` runs them one at a
// time.

#[test]
#[cfg_attr(
    target_os = "linux",
    ignore = "needs a real Secret Service; cargo xtask test provides one"
)]
#[cfg_attr(
    windows,
    ignore = "writes to the Credential Manager; cargo xtask wine-test runs it in a throwaway Wine prefix"
)]
#[cfg_attr(
    target_os = "macos",
    ignore = "writes to the login Keychain of a signed-in user"
)]
fn the_os_keychain_keeps_and_deletes_secrets() {
    // A service of its own, so runs never see each other's secrets.
    let service = format!("dev.larder.test.{:016x}", rand::random::<u64>());

    // With the session bus pointed nowhere, the probe reports no keychain.
    #[cfg(target_os = "linux")]
    {
        let real_bus = std::env::var_os("DBUS_SESSION_BUS_ADDRESS");
        std::env::set_var(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/larder-bus",
        );
        assert!(
            KeychainSecrets::probe(&service).is_err(),
            "no bus, no keychain"
        );
        match real_bus {
            Some(address) => std::env::set_var("DBUS_SESSION_BUS_ADDRESS", address),
            None => std::env::remove_var("DBUS_SESSION_BUS_ADDRESS"),
        }
    }

    let keychain = KeychainSecrets::probe(&service).expect("the keychain answers");
    assert!(keychain.is_keychain());
    assert_eq!(keychain.get(SESSION_TOKEN).expect("get"), None);
    keychain
        .set(SESSION_TOKEN, b"tok_in_the_keychain")
        .expect("set");
    assert_eq!(
        keychain.get(SESSION_TOKEN).expect("get").as_deref(),
        Some(&b"tok_in_the_keychain"[..])
    );
    keychain.delete(SESSION_TOKEN).expect("delete");
    assert_eq!(keychain.get(SESSION_TOKEN).expect("get"), None);
    keychain
        .delete(SESSION_TOKEN)
        .expect("deleting twice is fine");

    // Cache keys kept there are found again by a new process's key holder.
    let shared: Arc<dyn SecretStore> = Arc::new(keychain);
    let key = CacheKeys::new(shared.clone())
        .key_or_create("user.k", || true, None)
        .expect("created");
    assert_eq!(
        CacheKeys::new(shared.clone()).key("user.k").expect("found"),
        Some(key.clone())
    );
    CacheKeys::new(shared.clone())
        .delete("user.k")
        .expect("deleted");
    assert_eq!(
        CacheKeys::new(shared.clone())
            .key("user.k")
            .expect("looked up"),
        None
    );
    assert_ne!(
        CacheKeys::new(shared.clone())
            .key_or_create("user.k", || true, None)
            .expect("a new one"),
        key
    );
    // Nothing is left behind, should this run against a keychain in use.
    CacheKeys::new(shared).delete("user.k").expect("deleted");
}

/// Locks the default collection through the Secret Service's own `Lock`
/// method, as a screen lock or `secret-tool lock` does.
#[cfg(target_os = "linux")]
fn lock_default_collection() {
    let status = std::process::Command::new("dbus-send")
        .args([
            "--session",
            "--print-reply",
            "--dest=org.freedesktop.secrets",
            "/org/freedesktop/secrets",
            "org.freedesktop.Secret.Service.Lock",
            "array:objpath:/org/freedesktop/secrets/aliases/default",
        ])
        .stdout(std::process::Stdio::null())
        .status()
        .expect("dbus-send runs");
    assert!(status.success(), "the collection was locked");
}

/// Unlocks it again the way the test keyring was unlocked at the start: a
/// replacement daemon given the password on stdin (the Secret Service's own
/// `Unlock` needs a prompt, and there is no display to show one).
#[cfg(target_os = "linux")]
fn unlock_default_collection() {
    use std::io::Write;
    let mut daemon = std::process::Command::new("gnome-keyring-daemon")
        .args(["--replace", "--unlock", "--components=secrets"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("gnome-keyring-daemon starts");
    daemon
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"larder-test")
        .expect("password written");
    assert!(daemon.wait().expect("waited").success(), "unlocked");
}

/// Reads `name` on a thread, so a keychain that waits on an unlock prompt
/// nobody can see fails the test instead of hanging it.
#[cfg(target_os = "linux")]
fn get_within(
    keychain: &KeychainSecrets,
    name: &'static str,
) -> Result<Option<Vec<u8>>, larder_core::SecretError> {
    let (done, answer) = std::sync::mpsc::channel();
    let reader = keychain.clone();
    std::thread::spawn(move || {
        let _ = done.send(reader.get(name));
    });
    answer
        .recv_timeout(std::time::Duration::from_secs(20))
        .expect("the keychain answered within 20 s")
}

#[cfg(target_os = "linux")]
#[test]
#[ignore = "needs a real Secret Service; cargo xtask test provides one"]
fn a_locked_keyring_locks_the_cache_and_loses_nothing() {
    use larder_store::{CacheEntry, CacheStore, StoreError};
    let service = format!("dev.larder.test.{:016x}", rand::random::<u64>());
    let keychain = KeychainSecrets::probe(&service).expect("the Secret Service answers");
    keychain
        .set(SESSION_TOKEN, b"tok_locked_away")
        .expect("set");
    let dir = tempfile::tempdir().expect("temp dir");
    let cache = dir.path().join("cache");
    let entry = |n: u8| CacheEntry {
        payload: vec![n; 300],
        fetched_at_ms: 1_000,
        etag: None,
    };
    let open = || {
        let keys = CacheKeys::new(Arc::new(keychain.clone()) as Arc<dyn SecretStore>);
        CacheStore::open_encrypted(&cache, keys).expect("opens").0
    };
    {
        let store = open();
        for n in 1..=5 {
            store
                .put("u_k", &format!("widget:{n}"), &entry(n))
                .expect("put");
        }
        store.flush().expect("flush");
    }

    lock_default_collection();
    let got = get_within(&keychain, SESSION_TOKEN);
    assert!(
        matches!(got, Err(larder_core::SecretError::Locked { .. })),
        "{got:?}"
    );
    {
        let store = open();
        for n in 1..=5 {
            let read = store.get("u_k", &format!("widget:{n}"));
            assert!(
                matches!(
                    read,
                    Err(StoreError::Secret(larder_core::SecretError::Locked { .. }))
                ),
                "widget {n}: {read:?}"
            );
        }
        assert!(
            store.put("u_k", "widget:1", &entry(9)).is_err(),
            "nothing written"
        );
        assert_eq!(
            store
                .sweep(u64::MAX, &|_, _| Some(std::time::Duration::ZERO))
                .expect("sweep"),
            0
        );
        assert_eq!(
            store.stored_count("u_k").expect("count"),
            5,
            "nothing removed"
        );
    }

    unlock_default_collection();
    assert_eq!(
        get_within(&keychain, SESSION_TOKEN)
            .expect("unlocked")
            .as_deref(),
        Some(&b"tok_locked_away"[..])
    );
    let store = open();
    for n in 1..=5 {
        assert_eq!(
            store.get("u_k", &format!("widget:{n}")).expect("get"),
            Some(entry(n))
        );
    }
}
