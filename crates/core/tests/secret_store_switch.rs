//! Changing where keys are kept loses nothing: a cache filled with its keys
//! in one store reads back in full once they are adopted into another, and
//! the old store no longer holds them.

use std::sync::Arc;

use larder_core::{
    secrets::cache_key_name, ApiClient, FileSecrets, Larder, MemorySecrets, MemorySessions,
    SecretStore,
};

mod common;
use common::prewarmed;

#[tokio::test]
async fn keys_adopted_from_the_old_store_open_the_whole_cache() {
    let api = common::quick_api().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let cache = dir.path().join("cache");
    let file: Arc<dyn SecretStore> =
        Arc::new(FileSecrets::open(&dir.path().join("secrets")).expect("opens"));
    let user = {
        let larder = Larder::open_with(
            ApiClient::new(&api.url()).expect("url"),
            &cache,
            Arc::new(MemorySessions::default()),
            file.clone(),
        )
        .expect("opens");
        let user = larder.sign_in("mo").await.expect("sign in").user.id;
        prewarmed(&larder).await;
        larder.engine().store().flush().expect("flush");
        user
    };
    // Reopened with the keys now kept elsewhere (as after a settings change).
    let keychain: Arc<dyn SecretStore> = Arc::new(MemorySecrets::as_keychain());
    let larder = Larder::open_with(
        ApiClient::new(&api.url()).expect("url"),
        &cache,
        Arc::new(MemorySessions::default()),
        keychain.clone(),
    )
    .expect("reopens");
    let store = larder.engine().store();
    assert!(
        store.get(&user, "widget:1").is_err(),
        "locked before the keys move"
    );
    assert!(larder.adopt_secrets(file.clone()).expect("adopted") >= 1);
    for n in 1..=5 {
        assert!(
            store
                .get(&user, &format!("widget:{n}"))
                .expect("get")
                .is_some(),
            "widget {n}"
        );
    }
    let name = cache_key_name(&larder_store::store::partition_name(&user));
    assert_eq!(file.get(&name).expect("get"), None, "moved, not copied");
    assert!(keychain.get(&name).expect("get").is_some());
}
