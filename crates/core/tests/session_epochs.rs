//! A request of an ended session never reaches a newer one: sign-out, a
//! new sign-in of the same user and a late 401 from the old session's
//! request, raced against the real mock API.

use std::{sync::Arc, time::Duration};

use larder_core::{cache::Engine, ApiClient, Larder};
use larder_protocol::{test_controls::FaultKind, WidgetId};
use larder_store::CacheStore;

mod common;
use common::ManualClock;

#[tokio::test]
async fn a_401_from_an_ended_session_never_ends_a_newer_one() {
    let api = common::controlled_api().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let keys = larder_core::CacheKeys::new(Arc::new(larder_core::MemorySecrets::as_keychain()));
    let (store, _) = CacheStore::open_encrypted(&dir.path().join("cache"), keys).expect("opens");
    let larder = Larder::new(
        ApiClient::new(&api.url()).expect("url"),
        Engine::new(store, Arc::new(ManualClock::default())),
        Arc::new(larder_core::MemorySessions::default()),
    );
    let controls = mock_api::testing::Controls::of(&api);
    // The first request for widget 1 is answered 401, but only after it
    // has been in flight for 500 ms.
    controls.fault(
        WidgetId::new(1).expect("valid"),
        FaultKind::LateStatus {
            status: 401,
            ms: 500,
        },
        Some(1),
    );

    // The first session's prewarm sends that request.
    let user = larder.sign_in("erin").await.expect("sign in").user;
    let calls = || controls.widget_requests(&user.id, WidgetId::new(1).expect("valid"));
    for _ in 0..200 {
        if calls() >= 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(calls(), 1, "the first session's request is in flight");

    // Sign out and in again as the same user while it is still in flight.
    larder.sign_out().await;
    let again = larder.sign_in("erin").await.expect("sign in again").user;
    assert_eq!(again.id, user.id, "the same user");
    let widget = larder
        .get_widget(WidgetId::new(1).expect("valid"))
        .await
        .expect("the new session's read is its own request, not the old one's 401");
    assert_eq!(widget.data.user_id, user.id);
    assert!(calls() >= 2, "a new request was sent");

    // Let the old request's 401 arrive (it was delayed by 500 ms on a real
    // server, so only real time brings it), then check the new session.
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(
        larder.session().map(|s| s.user.id),
        Some(user.id),
        "the newer session is still signed in"
    );
}
