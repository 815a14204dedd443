//! Profile reads (profile, pages of posts and followers) and the
//! mark-as-read mutation against the real mock API, with the input checks
//! every one of them makes before anything is sent.

use larder_core::{ApiClient, CoreError, Larder};
use larder_protocol::{Freshness, Source, WidgetData, WidgetId};
use mock_api::RunningServer;

async fn signed_in() -> (RunningServer, tempfile::TempDir, Larder, String) {
    let api = mock_api::testing::start_instant()
        .await
        .expect("mock-api starts");
    let dir = tempfile::tempdir().expect("temp dir");
    let larder = Larder::open(
        ApiClient::new(&api.url()).expect("url"),
        &dir.path().join("c"),
    )
    .expect("opens");
    let user = larder.sign_in("alice").await.expect("sign in").user.id;
    (api, dir, larder, user)
}

#[tokio::test]
async fn profile_posts_and_followers_are_cached_per_page() {
    let (_api, _dir, larder, user) = signed_in().await;

    let profile = larder.get_profile(&user).await.expect("profile");
    assert_eq!(profile.data.id, user);
    assert_eq!(profile.source, Source::Network);
    let again = larder.get_profile(&user).await.expect("profile");
    assert_eq!(
        (again.source, again.state),
        (Source::Cache, Freshness::Fresh)
    );

    let one = larder.get_posts(&user, 1).await.expect("page 1");
    let two = larder.get_posts(&user, 2).await.expect("page 2");
    assert_eq!((one.data.page, two.data.page), (1, 2));
    assert!(one.data.has_more);
    assert_ne!(one.data.items, two.data.items);
    let followers = larder.get_followers(&user, 1).await.expect("followers");
    assert_eq!(followers.data.page, 1);

    let keys: Vec<_> = larder
        .cache_stats()
        .expect("stats")
        .entries
        .into_iter()
        .map(|e| e.key)
        .collect();
    for key in [
        format!("profile:{user}"),
        format!("posts:{user}:1"),
        format!("posts:{user}:2"),
        format!("followers:{user}:1"),
    ] {
        assert!(keys.contains(&key), "{key} cached");
    }
}

#[tokio::test]
async fn bad_ids_and_pages_are_typed_errors_and_send_nothing() {
    let (_api, _dir, larder, user) = signed_in().await;
    for bad in ["", "../etc/passwd", "a b", "ünï", &"x".repeat(5000)] {
        assert!(
            matches!(
                larder.get_profile(bad).await,
                Err(CoreError::InvalidUserId(_))
            ),
            "{bad:?}"
        );
        assert!(matches!(
            larder.get_followers(bad, 1).await,
            Err(CoreError::InvalidUserId(_))
        ));
        assert!(matches!(
            larder.mark_notification_read(bad).await,
            Err(CoreError::InvalidNotificationId(_))
        ));
    }
    for page in [0, -1, i64::MAX, 1_000_000] {
        assert!(
            matches!(larder.get_posts(&user, page).await, Err(CoreError::InvalidPage(p)) if p == page)
        );
    }
    assert!(matches!(
        larder.get_profile("u_nobody").await,
        Err(CoreError::UpstreamStatus { status: 404, .. })
    ));
}

#[tokio::test]
async fn marking_a_notification_read_shows_at_once_then_reaches_the_api() {
    let (_api, _dir, larder, _user) = signed_in().await;
    let notifications = WidgetId::new(4).expect("valid");
    let before = larder.get_widget(notifications).await.expect("widget 4");
    let WidgetData::Notifications(center) = &before.data.data else {
        panic!("widget 4 lists notifications");
    };
    let unread = center
        .notifications
        .iter()
        .find(|n| !n.read)
        .expect("an unread notification")
        .id
        .clone();

    // Kept and shown at once (nothing is sent yet: no background here).
    let shown = larder.mark_notification_read(&unread).await.expect("kept");
    assert!(is_read(&shown, &unread));
    assert_eq!(shown.pending, std::slice::from_ref(&unread));
    assert_eq!(shown.source, Source::Cache);
    assert_eq!(larder.outbox().expect("outbox").changes.len(), 1);
    // Every read shows it too, until it is sent.
    let read_again = larder.get_widget(notifications).await.expect("widget 4");
    assert_eq!(read_again.pending, std::slice::from_ref(&unread));

    // The outbox sends it; windows get the API's own widget pushed.
    let mut updates = larder.cache_updates();
    let _background = larder.start_background(larder_core::ProbeSchedule::default());
    let pushed = loop {
        let update = tokio::time::timeout(std::time::Duration::from_secs(10), updates.recv())
            .await
            .expect("an update")
            .expect("open");
        if let Some(envelope) = larder.envelope_for_update(&update) {
            if envelope.data.widget_id == notifications && envelope.pending.is_empty() {
                break envelope;
            }
        }
    };
    assert!(is_read(&pushed, &unread), "the API has it read");
    assert!(larder.outbox().expect("outbox").changes.is_empty());
}

fn is_read(envelope: &larder_protocol::WidgetEnvelope, id: &str) -> bool {
    match &envelope.data.data {
        WidgetData::Notifications(center) => {
            center.notifications.iter().any(|n| n.id == id && n.read)
        }
        _ => false,
    }
}
