//! The core against the real mock API on an ephemeral loopback port.

use larder_core::{ApiClient, CoreError, Larder};
use larder_protocol::{Role, UsernameError, WidgetData, WidgetId};
use mock_api::RunningServer;

async fn server() -> RunningServer {
    mock_api::testing::start_instant()
        .await
        .expect("mock-api starts")
}

/// A Larder on `url` with its cache in a fresh temporary folder.
fn larder_at(url: &str) -> (tempfile::TempDir, Larder) {
    let dir = tempfile::tempdir().expect("temp dir");
    let larder = Larder::open(
        ApiClient::new(url).expect("valid url"),
        &dir.path().join("cache"),
    )
    .expect("the cache opens");
    (dir, larder)
}

fn larder(server: &RunningServer) -> (tempfile::TempDir, Larder) {
    larder_at(&server.url())
}

fn widget(n: u8) -> WidgetId {
    WidgetId::new(n).expect("valid id")
}

#[tokio::test]
async fn signs_in_and_fetches_every_widget() {
    let server = server().await;
    let (_dir, larder) = larder(&server);
    let session = larder.sign_in("  alice ").await.expect("sign in");
    assert_eq!(session.user.name, "alice");
    assert_eq!(session.user.role, Role::Member);
    assert_eq!(larder.session(), Some(session.clone()));

    for id in WidgetId::ALL {
        let envelope = larder.get_widget(id).await.expect("widget");
        assert_eq!(envelope.data.widget_id, id);
        assert_eq!(envelope.data.user_id, session.user.id);
        let kind_matches = matches!(
            (id.get(), &envelope.data.data),
            (1, WidgetData::Profile(_))
                | (2, WidgetData::Activity(_))
                | (3, WidgetData::Analytics(_))
                | (4, WidgetData::Notifications(_))
                | (5, WidgetData::Kpis(_))
        );
        assert!(kind_matches, "widget {id} has the wrong kind");
    }
}

#[tokio::test]
async fn users_see_only_their_own_data() {
    let server = server().await;
    let (_a, alice) = larder(&server);
    let (_b, bob) = larder(&server);
    let alice_id = alice.sign_in("alice").await.expect("alice").user.id;
    let bob_id = bob.sign_in("bob").await.expect("bob").user.id;
    assert_ne!(alice_id, bob_id);
    assert_eq!(
        alice.get_widget(widget(1)).await.expect("a").data.user_id,
        alice_id
    );
    assert_eq!(
        bob.get_widget(widget(1)).await.expect("b").data.user_id,
        bob_id
    );
}

#[tokio::test]
async fn invalid_usernames_are_refused_before_anything_is_sent() {
    // Nothing listens on this URL: a request would fail as Unreachable, so
    // an InvalidUsername error proves nothing was sent.
    let (_dir, larder) = larder_at("http://127.0.0.1:9");
    let long = "x".repeat(65);
    for (input, expected) in [
        ("", UsernameError::Empty),
        ("   ", UsernameError::Empty),
        (long.as_str(), UsernameError::TooLong { chars: 65 }),
    ] {
        match larder.sign_in(input).await {
            Err(CoreError::InvalidUsername(err)) => assert_eq!(err, expected),
            other => panic!("{input:?}: expected InvalidUsername, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn an_unreachable_api_is_reported_plainly() {
    let (_dir, larder) = larder_at("http://127.0.0.1:9");
    assert!(matches!(
        larder.sign_in("alice").await,
        Err(CoreError::Unreachable(_))
    ));
    assert_eq!(larder.session(), None);
}

#[tokio::test]
async fn widgets_need_a_session_and_sign_out_ends_it() {
    let server = server().await;
    let (_dir, larder) = larder(&server);
    assert!(matches!(
        larder.get_widget(widget(1)).await,
        Err(CoreError::NotSignedIn)
    ));
    larder.sign_in("carol").await.expect("sign in");
    larder.sign_out().await;
    assert_eq!(larder.session(), None);
    assert!(matches!(
        larder.get_widget(widget(1)).await,
        Err(CoreError::NotSignedIn)
    ));
}

#[tokio::test]
async fn a_revoked_token_ends_the_session() {
    let server = server().await;
    let (_dir, larder) = larder(&server);
    larder.sign_in("dave").await.expect("sign in");
    // Revoke every token server-side, as an expired session would be.
    server.state().clear_sessions();
    assert!(matches!(
        larder.get_widget(widget(5)).await,
        Err(CoreError::SessionExpired)
    ));
    assert_eq!(larder.session(), None);
}
