//! Profile reads (profile, pages of posts and followers) and the
//! mark-as-read mutation against the real mock API, with the input checks
//! every one of them makes before anything is sent.

use larder_core::{ApiClient, CoreError, Larder};
use larder_protocol::{
    test_controls::{FaultKind, FaultRequest, RequestStats},
    Freshness, Source, WidgetData, WidgetId,
};
use mock_api::{Config, RunningServer};

async fn signed_in() -> (RunningServer, tempfile::TempDir, Larder, String) {
    let api = RunningServer::start(Config {
        delay_scale: 0.0,
        ..Config::default()
    })
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
async fn marking_a_notification_read_refreshes_widget_four() {
    let (_api, _dir, larder, _user) = signed_in().await;
    let notifications = WidgetId::new(4).expect("valid");
    let mut updates = larder.engine().subscribe();
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

    let after = larder
        .mark_notification_read(&unread)
        .await
        .expect("marked");
    let WidgetData::Notifications(center) = &after.data.data else {
        panic!("widget 4 lists notifications");
    };
    let marked = center
        .notifications
        .iter()
        .find(|n| n.id == unread)
        .expect("listed");
    assert!(marked.read);
    assert_eq!(after.source, Source::Network);
    // Windows get the new envelope pushed.
    loop {
        let update = updates.recv().await.expect("an update");
        if update.key == "widget:4" {
            break;
        }
    }
    // The cache now holds the new value.
    let cached = larder.get_widget(notifications).await.expect("widget 4");
    assert_eq!(cached.data, after.data);
}

#[tokio::test]
async fn a_dropped_answer_is_retried_with_the_same_key_and_applied_once() {
    let api = RunningServer::start(Config {
        delay_scale: 0.0,
        test_controls: true,
        ..Config::default()
    })
    .await
    .expect("mock-api starts");
    let dir = tempfile::tempdir().expect("temp dir");
    let larder = Larder::open(ApiClient::new(&api.url()).expect("url"), dir.path()).expect("opens");
    let user = larder.sign_in("oona").await.expect("sign in").user.id;
    let http = reqwest::Client::new();
    http.post(format!("{}/__admin/faults", api.url()))
        .json(&FaultRequest {
            widget: 4,
            user_id: None,
            fault: FaultKind::DropAfterCommit,
            times: Some(1),
        })
        .send()
        .await
        .expect("fault set");

    // The first answer is lost after the change was applied; the client's
    // retry carries the same Idempotency-Key and gets the first answer.
    let after = larder.mark_notification_read("n1").await.expect("marked");
    let WidgetData::Notifications(center) = &after.data.data else {
        panic!("widget 4 lists notifications");
    };
    assert!(center.notifications.iter().any(|n| n.id == "n1" && n.read));
    let stats: RequestStats = http
        .get(format!("{}/__admin/stats", api.url()))
        .send()
        .await
        .expect("stats")
        .json()
        .await
        .expect("json");
    let route = "POST /api/widgets/4/notifications/n1/read";
    assert_eq!(stats.count(&user, route), 2, "sent twice");
    assert_eq!(stats.applied(&user), 1, "applied once");
}

#[tokio::test]
async fn only_admins_get_system_health_and_the_api_enforces_it() {
    let (api, _dir, larder, _user) = signed_in().await;
    assert!(matches!(
        larder.get_system_health().await,
        Err(CoreError::UpstreamStatus { status: 403, .. })
    ));
    let dir = tempfile::tempdir().expect("temp dir");
    let admin = Larder::open(
        ApiClient::new(&api.url()).expect("url"),
        &dir.path().join("c"),
    )
    .expect("opens");
    admin.sign_in("admin-ada").await.expect("sign in");
    let health = admin.get_system_health().await.expect("admins see it");
    assert!(health.data.active_sessions >= 2);
}
