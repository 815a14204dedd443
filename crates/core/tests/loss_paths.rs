//! The stories in which Larder used to lose what the user saw or did, each
//! against the real mock API: the dashboard offline days after the last
//! sync, a change discarded while on its way, a change discarded before it
//! was sent, an acknowledged change undone by an answer from before it,
//! and the size limit evicting a kept or an admin's dashboard.

use std::{sync::Arc, time::Duration};

use larder_core::Larder;
use larder_protocol::{
    test_controls::FaultKind, Freshness, Settings, WidgetData, WidgetEnvelope, WidgetId,
};

mod common;
use common::{eventually, prewarmed, signed_in::fixture, Link, Machine, ManualClock};

/// The notifications of widget 4's envelope: (id, read).
fn notifications(envelope: &WidgetEnvelope) -> Vec<(String, bool)> {
    match &envelope.data.data {
        WidgetData::Notifications(center) => center
            .notifications
            .iter()
            .map(|n| (n.id.clone(), n.read))
            .collect(),
        other => panic!("widget 4 holds notifications, not {other:?}"),
    }
}

/// The notification ids `user` had applied, in order.
fn applied(stats: &larder_protocol::test_controls::RequestStats, user: &str) -> Vec<String> {
    stats
        .applied_log
        .get(user)
        .into_iter()
        .flatten()
        .filter_map(|line| line.split(' ').next().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn offline_days_after_the_last_sync_the_dashboard_is_all_there() {
    let api = common::controlled_api().await;
    let link = Link::to(api.addr()).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let machine = Machine::default();
    let clock = Arc::new(ManualClock::at(1_800_000_000_000));
    let larder = machine.larder(link.url(), dir.path(), clock.clone());
    larder.sign_in("walt").await.expect("signed in");
    prewarmed(&larder).await;
    assert_eq!(larder.cached_dashboard().len(), WidgetId::ALL.len());
    larder.flush().expect("flushed");
    drop(larder);

    // Two days later, on a train: no network.
    link.set_cut(true);
    clock.advance(Duration::from_secs(2 * 86_400));
    let larder = machine.larder(link.url(), dir.path(), clock.clone());
    larder.restore_session().expect("the session is restored");
    assert_eq!(larder.sweep_once().expect("swept"), 0, "nothing swept");
    for widget in WidgetId::ALL {
        let shown = larder.get_widget(widget).await.unwrap_or_else(|err| {
            panic!("widget {widget} must show its cached data offline: {err}")
        });
        assert_eq!(shown.state, Freshness::Stale, "widget {widget}");
    }
    // Back online, the signed-in user's old entries are still the only
    // copy until they are refetched: the sweep leaves them.
    link.set_cut(false);
    larder.client().config().await.expect("online");
    assert_eq!(larder.sweep_once().expect("swept"), 0);
    assert_eq!(larder.cached_dashboard().len(), WidgetId::ALL.len());
}

#[tokio::test]
async fn a_change_discarded_on_its_way_is_reported_and_the_next_one_still_goes() {
    let f = fixture("dora").await;
    f.fault(FaultKind::DelayChange { ms: 1500 }, 1);
    f.larder
        .mark_notification_read("n1")
        .await
        .expect("recorded");
    let route = "POST /api/widgets/4/notifications/n1/read";
    eventually("the change to reach the API", || async {
        f.stats().count(&f.user, route) == 1
    })
    .await;
    let on_its_way = f.larder.outbox().expect("outbox").changes[0].clone();
    let discarded = f.larder.discard_change(&on_its_way.id).expect("discarded");
    assert!(discarded.may_still_arrive, "it was on its way");
    assert!(discarded.outbox.changes.is_empty());
    f.larder
        .mark_notification_read("n2")
        .await
        .expect("recorded");
    f.outbox_len_becomes(0).await;
    eventually("the next change to be applied", || async {
        applied(&f.stats(), &f.user).len() == 2
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        applied(&f.stats(), &f.user),
        ["n1", "n2"],
        "the one on its way arrived once, and the next was sent once"
    );
}

#[tokio::test]
async fn a_change_discarded_before_it_is_sent_is_never_applied() {
    let f = fixture("abe").await;
    f.go_offline().await;
    f.larder
        .mark_notification_read("n1")
        .await
        .expect("recorded");
    let waiting = f.larder.outbox().expect("outbox").changes[0].clone();
    let discarded = f.larder.discard_change(&waiting.id).expect("discarded");
    assert!(!discarded.may_still_arrive, "never sent");
    f.link.set_cut(false);
    f.larder
        .mark_notification_read("n2")
        .await
        .expect("recorded");
    f.outbox_len_becomes(0).await;
    eventually("the second change to be applied", || async {
        !applied(&f.stats(), &f.user).is_empty()
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(applied(&f.stats(), &f.user), ["n2"]);
    let shown = f
        .larder
        .get_widget(WidgetId::NOTIFICATIONS)
        .await
        .expect("widget 4");
    assert!(
        notifications(&shown).contains(&("n2".into(), true)),
        "{shown:?}"
    );
}

#[tokio::test]
async fn an_acknowledged_change_stays_shown_until_newer_data_arrives() {
    let f = fixture("ivy").await;
    let before = f
        .larder
        .get_widget(WidgetId::NOTIFICATIONS)
        .await
        .expect("widget 4");
    let (target, _) = notifications(&before)
        .into_iter()
        .find(|(_, read)| !read)
        .expect("an unread notification");
    // A refresh whose answer is read before the change and arrives after
    // everything else.
    f.fault(FaultKind::SlowAnswer { ms: 3000 }, 1);
    let larder = f.larder.clone();
    let slow = tokio::spawn(async move { larder.refresh_widget(WidgetId::NOTIFICATIONS).await });
    let gets = || async { f.stats().count(&f.user, "GET /api/widgets/4") };
    eventually("the slow read to reach the API", || async {
        gets().await >= 2
    })
    .await;
    // The read after the change takes a while too.
    f.fault(FaultKind::SlowAnswer { ms: 800 }, 1);
    f.larder
        .mark_notification_read(&target)
        .await
        .expect("recorded");
    f.outbox_len_becomes(0).await;
    let widget = || async {
        f.larder
            .get_widget(WidgetId::NOTIFICATIONS)
            .await
            .expect("widget 4")
    };
    let acknowledged = widget().await;
    assert!(
        notifications(&acknowledged).contains(&(target.clone(), true)),
        "acknowledged, so shown read before any newer data: {acknowledged:?}"
    );
    // The API's own view replaces the overlay: read by a request that
    // started after the change, not by joining the slow one.
    eventually("a read that started after the change", || async {
        gets().await >= 3
    })
    .await;
    let _ = slow.await.expect("the slow read ends");
    let cached = f
        .larder
        .engine()
        .store()
        .get(&f.user, "widget:4")
        .expect("read")
        .expect("cached");
    let cached: larder_protocol::WidgetResponse =
        serde_json::from_slice(&cached.payload).expect("decodes");
    match cached.data {
        WidgetData::Notifications(center) => assert!(
            center
                .notifications
                .iter()
                .any(|n| n.id == target && n.read),
            "the cache keeps the newest answer, not the slow one from before the change"
        ),
        other => panic!("{other:?}"),
    }
    let shown = widget().await;
    assert!(
        notifications(&shown).contains(&(target.clone(), true)),
        "an answer from before the change must not undo it: {shown:?}"
    );
    assert_eq!(applied(&f.stats(), &f.user), [target]);
}

/// Fills `larder`'s dashboard for the signed-in user, and their profile.
async fn fill(larder: &Larder) -> String {
    prewarmed(larder).await;
    let me = larder.session().expect("signed in").user.id;
    larder.get_profile(&me).await.expect("profile");
    me
}

#[tokio::test]
async fn the_size_limit_keeps_the_kept_and_the_admins_dashboards() {
    let api = common::quick_api().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let machine = Machine::with_keychain();
    let larder = machine.larder(&api.url(), dir.path(), Arc::default());
    larder
        .apply_settings(Settings {
            keep_cache_on_sign_out: true,
            ..Settings::default()
        })
        .expect("settings");
    larder.sign_in("admin-ann").await.expect("signed in");
    let ann = fill(&larder).await;
    larder
        .get_role_widget(larder_protocol::RoleWidget::SystemHealth)
        .await
        .expect("health");
    assert_eq!(larder.sign_out().await, 0);
    larder.sign_in("bob").await.expect("signed in");
    let bob = fill(&larder).await;

    let report = larder.evict_to(0).expect("evicted");
    assert!(report.removed >= 2, "{report:?}");
    let store = larder.engine().store();
    for (user, keys) in [(&ann, vec!["admin:health"]), (&bob, vec![])] {
        for widget in WidgetId::ALL {
            let key = format!("widget:{widget}");
            assert!(store.get(user, &key).expect("get").is_some(), "{key}");
        }
        for key in keys {
            assert!(store.get(user, key).expect("get").is_some(), "{key}");
        }
        assert!(
            store
                .get(user, &format!("profile:{user}"))
                .expect("get")
                .is_none(),
            "profiles make room"
        );
    }
}

#[tokio::test]
async fn a_change_older_than_the_key_lifetime_is_reconciled_not_resent() {
    let api = common::controlled_api().await;
    let link = Link::to(api.addr()).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let clock = Arc::new(ManualClock::at(1_800_000_000_000));
    let larder = Machine::default().larder(link.url(), dir.path(), clock.clone());
    larder.refresh_config().await.expect("config");
    let lifetime = larder.config().idempotency_key_ttl_secs;
    assert!(lifetime > 0, "the API publishes its key lifetime");
    let mut refused = larder.refused_changes();
    let user = larder.sign_in("kim").await.expect("signed in").user.id;
    prewarmed(&larder).await;
    let _background = larder.start_background(larder_core::ProbeSchedule {
        first: Duration::from_millis(100),
        max: Duration::from_millis(200),
    });
    // Applied, but the answer is lost; every try after that fails (503),
    // until the network goes too. (The newest rule applies first.)
    let controls = mock_api::testing::Controls::of(&api);
    for (fault, times) in [
        (FaultKind::RefuseChange { status: 503 }, 100),
        (FaultKind::DropAfterCommit, 1),
    ] {
        controls.fault(WidgetId::NOTIFICATIONS, fault, Some(times));
    }
    let stats = || controls.stats();
    let route = "POST /api/widgets/4/notifications/n3/read";
    larder.mark_notification_read("n3").await.expect("recorded");
    // The attempt ends (its own retries included) without a 2xx.
    eventually("the attempt to be recorded as failed", || async {
        larder
            .outbox()
            .expect("outbox")
            .changes
            .first()
            .is_some_and(|change| change.last_error.is_some())
    })
    .await;
    assert_eq!(stats().applied(&user), 1, "applied by the first try");
    link.set_cut(true);
    let sent = stats().count(&user, route);
    assert_eq!(
        larder.outbox().expect("outbox").changes.len(),
        1,
        "its answer never came: still waiting"
    );
    // Back a day and more later: the API may have forgotten the key.
    clock.advance(Duration::from_secs(lifetime + 3600));
    link.set_cut(false);
    eventually("the outbox to empty", || async {
        larder.outbox().expect("outbox").changes.is_empty()
    })
    .await;
    let stats = stats();
    assert_eq!(
        stats.count(&user, route),
        sent,
        "not sent again blindly: {stats:?}"
    );
    assert_eq!(stats.applied(&user), 1);
    assert!(
        refused.try_recv().is_err(),
        "in effect on the API, so not refused"
    );
}

#[test]
fn a_cache_sled_proves_damaged_is_set_aside_and_the_window_is_told() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cache = dir.path().join("cache");
    let open = || {
        larder_core::Larder::open_with(
            larder_core::ApiClient::new("http://127.0.0.1:9").expect("url"),
            &cache,
            Arc::new(larder_core::MemorySessions::default()),
            Arc::new(larder_core::MemorySecrets::default()),
        )
        .expect("opens")
    };
    let first = open();
    assert_eq!(first.rebuilt_cache(), None);
    drop(first);
    let current = std::fs::read_to_string(cache.join("CURRENT")).expect("CURRENT");
    std::fs::write(cache.join(current.trim()).join("conf"), b"\xff not sled's").expect("damaged");
    let moved_to = open().rebuilt_cache().expect("reported");
    assert!(moved_to.exists(), "kept for inspection, not deleted");
}

#[tokio::test]
async fn the_sweeper_still_clears_old_entries_nobody_can_come_back_to() {
    let api = common::controlled_api().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let clock = Arc::new(ManualClock::at(1_800_000_000_000));
    let larder = Machine::default().larder(&api.url(), dir.path(), clock.clone());
    larder.sign_in("walt").await.expect("signed in");
    prewarmed(&larder).await;
    // An entry of a partition no session ever marked (a cache from before
    // partitions were kept), fetched long ago.
    let store = larder.engine().store();
    store
        .put(
            "u_nobody",
            "widget:1",
            &larder_store::CacheEntry {
                payload: b"{}".to_vec(),
                fetched_at_ms: 1_000,
                etag: None,
            },
        )
        .expect("put");
    clock.advance(Duration::from_secs(8 * 86_400));
    // Offline, nothing goes.
    larder
        .client()
        .connectivity()
        .set(larder_protocol::Connectivity::Offline);
    assert_eq!(larder.sweep_once().expect("swept"), 0);
    // Online, the old entry nobody can come back to goes; the signed-in
    // user's, however old, stay.
    larder
        .client()
        .connectivity()
        .set(larder_protocol::Connectivity::Online);
    assert_eq!(larder.sweep_once().expect("swept"), 1);
    assert!(store.get("u_nobody", "widget:1").expect("get").is_none());
    assert_eq!(larder.cached_dashboard().len(), WidgetId::ALL.len());
}
