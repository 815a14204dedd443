//! The cache's size limit: past it, the least recently used entries go,
//! across users, and neither the signed-in user's dashboard nor a kept
//! user's (signed out keeping the cache, so it is theirs to come back to
//! offline) is ever evicted to make room.

use std::sync::Arc;

use larder_core::{ApiClient, Larder, MemorySecrets, MemorySessions};
use larder_protocol::{Settings, WidgetId};

mod common;
use common::prewarmed;

#[tokio::test]
async fn the_signed_in_dashboard_survives_any_limit() {
    let api = common::quick_api().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let larder = Larder::open_with(
        ApiClient::new(&api.url()).expect("url"),
        &dir.path().join("cache"),
        Arc::new(MemorySessions::default()),
        Arc::new(MemorySecrets::as_keychain()),
    )
    .expect("opens");
    larder
        .apply_settings(Settings {
            keep_cache_on_sign_out: true,
            ..Settings::default()
        })
        .expect("valid");
    let ann = larder.sign_in("ann").await.expect("sign in").user.id;
    prewarmed(&larder).await;
    larder.get_profile(&ann).await.expect("profile");
    larder.sign_out().await;
    let bob = larder.sign_in("bob").await.expect("sign in").user.id;
    prewarmed(&larder).await;
    let config = larder.refresh_config().await.expect("config");
    larder.get_posts(&bob, 1).await.expect("posts");
    let store = larder.engine().store();
    assert_eq!(
        store.stored_count(&ann).expect("count"),
        6,
        "ann's cache was kept"
    );

    // The default limit (256 MiB) is far away: nothing goes.
    assert_eq!(larder.enforce_cache_limit().expect("pass").removed, 0);

    // A limit smaller than bob's dashboard alone.
    let report = larder.evict_to(1).expect("pass");
    assert_eq!(
        report.removed, 2,
        "ann's profile and bob's posts: {report:?}"
    );
    assert_eq!(
        store.stored_count(&ann).expect("count"),
        5,
        "ann's dashboard"
    );
    for (who, user) in [("ann", &ann), ("bob", &bob)] {
        for widget in WidgetId::ALL {
            assert!(
                store
                    .get(user, &format!("widget:{widget}"))
                    .expect("get")
                    .is_some(),
                "{who}'s widget {widget} stays"
            );
        }
    }
    assert_eq!(store.stored_count(&bob).expect("count"), 5);
    // The cached config, which an offline start needs, stays too.
    let reopened = Larder::new(
        ApiClient::new(&api.url()).expect("url"),
        larder.engine().clone(),
        Arc::new(MemorySessions::default()),
    );
    assert_eq!(reopened.config(), config);
}
