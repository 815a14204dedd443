//! The OS keychain store against a real Secret Service. `cargo xtask test`
//! runs this on Linux inside `dbus-run-session` with gnome-keyring
//! unlocked, and sets `LARDER_TEST_KEYCHAIN=1`; without that variable there
//! is no keychain to talk to, and the test says it was skipped.

use std::sync::Arc;

use larder_core::{secrets::SESSION_TOKEN, CacheKeys, KeychainSecrets, SecretStore};

#[test]
fn the_os_keychain_keeps_and_deletes_secrets() {
    if std::env::var_os("LARDER_TEST_KEYCHAIN").is_none() {
        eprintln!("skipped: no Secret Service here (cargo xtask test provides one)");
        return;
    }
    // A service of its own, so runs never see each other's secrets.
    let service = format!("dev.larder.test.{:016x}", rand::random::<u64>());

    // With the session bus pointed nowhere, the probe reports no keychain.
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

    let keychain = KeychainSecrets::probe(&service).expect("the Secret Service answers");
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
        .key("user.k")
        .expect("created");
    assert_eq!(
        CacheKeys::new(shared.clone()).key("user.k").expect("found"),
        key
    );
    CacheKeys::new(shared.clone())
        .delete("user.k")
        .expect("deleted");
    assert_ne!(
        CacheKeys::new(shared).key("user.k").expect("a new one"),
        key
    );
}
