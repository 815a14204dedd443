//! The cache engine against the real mock API: fresh, stale and expired
//! reads (entries aged with a manual clock), single-flight, stale-if-error,
//! user isolation and the sign-out fence. Upstream calls are counted with
//! mock-api's test controls.

use std::{sync::Arc, time::Duration};

use larder_core::{service::widget_key, Larder};
use larder_protocol::{test_controls::FaultKind, Freshness, Source, WidgetId};
use mock_api::{testing::Controls, Config, RunningServer};

mod common;
use common::{prewarmed, ManualClock};

struct Fixture {
    api: RunningServer,
    clock: Arc<ManualClock>,
    larder: Larder,
    _dir: tempfile::TempDir,
}

async fn fixture(delay_scale: f64) -> Fixture {
    let api = RunningServer::start(Config {
        delay_scale,
        test_controls: true,
        ..Config::default()
    })
    .await
    .expect("mock-api starts");
    let dir = tempfile::tempdir().expect("temp dir");
    let clock = Arc::new(ManualClock::default());
    let larder = common::larder_on(&api.url(), dir.path(), clock.clone());
    Fixture {
        api,
        clock,
        larder,
        _dir: dir,
    }
}

impl Fixture {
    fn upstream_calls(&self, user_id: &str, widget: u8) -> u64 {
        Controls::of(&self.api).widget_requests(user_id, w(widget))
    }

    fn inject(&self, widget: u8, fault: FaultKind, times: Option<u32>) {
        Controls::of(&self.api).fault(w(widget), fault, times);
    }

    /// Waits (bounded) until `widget` has been requested `n` times.
    async fn await_calls(&self, user_id: &str, widget: u8, n: u64) {
        for _ in 0..200 {
            if self.upstream_calls(user_id, widget) >= n {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("widget {widget} was not requested {n} times");
    }
}

fn w(n: u8) -> WidgetId {
    WidgetId::new(n).expect("valid")
}

#[tokio::test]
async fn fresh_stale_and_expired_reads() {
    let f = fixture(0.0).await;
    let user = f.larder.sign_in("alice").await.expect("sign in").user.id;
    prewarmed(&f.larder).await;

    // The prewarm fetched it; reads are now fresh hits.
    let first = f.larder.get_widget(w(1)).await.expect("hit");
    assert_eq!(
        (first.source, first.state),
        (Source::Cache, Freshness::Fresh)
    );
    let hit = f.larder.get_widget(w(1)).await.expect("hit");
    assert_eq!((hit.source, hit.state), (Source::Cache, Freshness::Fresh));
    assert_eq!(hit.data, first.data);
    assert_eq!(f.upstream_calls(&user, 1), 1, "a fresh hit asks nobody");

    // Past the 30 s stale time: served from the cache at once, revalidated
    // in the background with If-None-Match.
    f.clock.advance(Duration::from_secs(45));
    let stale = f.larder.get_widget(w(1)).await.expect("stale");
    assert_eq!(
        (stale.source, stale.state),
        (Source::Cache, Freshness::Stale)
    );
    f.await_calls(&user, 1, 2).await;
    let mut renewed = f.larder.get_widget(w(1)).await.expect("renewed");
    for _ in 0..100 {
        if renewed.state == Freshness::Fresh {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
        renewed = f.larder.get_widget(w(1)).await.expect("renewed");
    }
    assert_eq!(
        renewed.state,
        Freshness::Fresh,
        "revalidation renewed fetched_at"
    );
    assert!(renewed.fetched_at > first.fetched_at);

    // Past the 10 min TTL: the read waits for the network.
    f.clock.advance(Duration::from_secs(11 * 60));
    let expired = f.larder.get_widget(w(1)).await.expect("refetched");
    assert_eq!(
        (expired.source, expired.state),
        (Source::Network, Freshness::Fresh)
    );
}

#[tokio::test]
async fn concurrent_reads_make_one_upstream_request() {
    let f = fixture(0.05).await;
    let user = f.larder.sign_in("bob").await.expect("sign in").user.id;
    let reads = (0..10).map(|_| f.larder.get_widget(w(2)));
    let results = futures_util::future::join_all(reads).await;
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(f.upstream_calls(&user, 2), 1);
}

#[tokio::test]
async fn expired_entries_stand_in_for_failures() {
    let f = fixture(0.0).await;
    f.larder.sign_in("carol").await.expect("sign in");
    let good = f.larder.get_widget(w(3)).await.expect("first");
    f.clock.advance(Duration::from_secs(11 * 60));
    // 503s and cut bodies are retried (3 tries), so they fail 3 times; a
    // malformed body is final at once.
    for (fault, times) in [
        (
            FaultKind::Status {
                status: 503,
                retry_after_secs: None,
            },
            3,
        ),
        (FaultKind::MalformedJson, 1),
        (FaultKind::Truncated, 3),
    ] {
        f.inject(3, fault.clone(), Some(times));
        let served = f.larder.get_widget(w(3)).await.expect("stale-if-error");
        assert_eq!(served.state, Freshness::Stale, "{fault:?}");
        assert_eq!(served.source, Source::Cache);
        assert!(served.error.is_some(), "{fault:?} is reported");
        assert_eq!(served.data, good.data);
    }
}

#[tokio::test]
async fn users_never_see_each_others_entries() {
    let f = fixture(0.0).await;
    let alice = f.larder.sign_in("alice").await.expect("alice").user.id;
    prewarmed(&f.larder).await;
    let key = widget_key(w(5));
    let store = f.larder.engine().store().clone();
    let alices = store.get(&alice, &key).expect("get").expect("cached");
    // Bob signs in on the same store (alice's partition is purged on
    // sign-out, so keep a copy to compare).
    let bob = f.larder.sign_in("bob").await.expect("bob").user.id;
    prewarmed(&f.larder).await;
    let bobs = f.larder.get_widget(w(5)).await.expect("bob's");
    assert_eq!(bobs.data.user_id, bob);
    assert_ne!(store.get(&bob, &key).expect("get"), Some(alices));
    for n in 1..=5 {
        let envelope = f.larder.get_widget(w(n)).await.expect("bob's");
        assert_eq!(envelope.data.user_id, bob, "widget {n}");
    }
}

#[tokio::test]
async fn nothing_is_written_after_sign_out() {
    let f = fixture(0.0).await;
    // The prewarm's fetch of widget 4 is held up 300 ms upstream.
    f.inject(4, FaultKind::Delay { ms: 300 }, Some(1));
    let user = f.larder.sign_in("dave").await.expect("sign in").user.id;
    let pending = {
        let larder = f.larder.clone();
        tokio::spawn(async move { larder.get_widget(w(4)).await })
    };
    f.await_calls(&user, 4, 1).await;
    assert!(
        f.larder
            .engine()
            .store()
            .get(&user, &widget_key(w(4)))
            .expect("get")
            .is_none(),
        "still in flight"
    );
    f.larder.sign_out().await;
    let _ = pending.await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    let store = f.larder.engine().store();
    assert!(
        store.get(&user, &widget_key(w(4))).expect("get").is_none(),
        "a fetch that finished after sign-out must not be cached"
    );
}

#[tokio::test]
async fn sign_in_prewarms_every_widget_once_and_reports_progress() {
    let f = fixture(0.02).await;
    let mut progress = f.larder.prewarm_progress();
    let user = f.larder.sign_in("erin").await.expect("sign in").user.id;
    // Ten reads of the slow widget race the prewarm; they share its fetch.
    let reads = (0..10).map(|_| f.larder.get_widget(w(3)));
    assert!(futures_util::future::join_all(reads)
        .await
        .iter()
        .all(Result::is_ok));
    loop {
        let current = *progress.borrow_and_update();
        if current.is_done() {
            assert_eq!((current.warmed, current.failed, current.total), (5, 0, 5));
            break;
        }
        tokio::time::timeout(Duration::from_secs(10), progress.changed())
            .await
            .expect("progress within 10 s")
            .expect("channel open");
    }
    for n in 1..=5 {
        assert_eq!(f.upstream_calls(&user, n), 1, "widget {n} fetched once");
    }

    // Prewarmed again with every widget fresh: done from its first report,
    // never "0 of 5", and nothing is fetched.
    f.larder.prewarm().expect("prewarm");
    let current = *progress.borrow_and_update();
    assert_eq!((current.warmed, current.failed, current.total), (5, 0, 5));
    tokio::time::sleep(Duration::from_millis(50)).await;
    for n in 1..=5 {
        assert_eq!(
            f.upstream_calls(&user, n),
            1,
            "widget {n} not fetched again"
        );
    }
}

#[tokio::test]
async fn updates_are_pushed_when_a_fetch_changes_or_confirms_the_value() {
    let f = fixture(0.0).await;
    let mut updates = f.larder.engine().subscribe();
    f.larder.sign_in("fay").await.expect("sign in");
    // Prewarm stores all five: five updates.
    let mut keys = Vec::new();
    for _ in 0..5 {
        let update = tokio::time::timeout(Duration::from_secs(10), updates.recv())
            .await
            .expect("an update")
            .expect("open");
        assert!(f.larder.envelope_for_update(&update).is_some());
        keys.push(update.key);
    }
    keys.sort();
    assert_eq!(
        keys,
        ["widget:1", "widget:2", "widget:3", "widget:4", "widget:5"]
    );
    // A refresh within the same minute gets a 304, which confirms the
    // value as of now: that is pushed too, with the new time, so a window
    // can show it as just updated. (Data changes each minute.)
    let before = f.larder.get_widget(w(2)).await.expect("cached");
    f.clock.advance(Duration::from_secs(5));
    let after = f.larder.refresh_widget(w(2)).await.expect("refreshed");
    let pushed = tokio::time::timeout(Duration::from_secs(5), updates.recv())
        .await
        .expect("pushed")
        .expect("open");
    let envelope = f.larder.envelope_for_update(&pushed).expect("a widget");
    assert_eq!(envelope.data, after.data);
    assert!(envelope.fetched_at > before.fetched_at, "the newer time");
}

#[tokio::test]
async fn transient_failures_are_retried_and_429_waits_for_retry_after() {
    let f = fixture(0.0).await;
    let user = f.larder.sign_in("gil").await.expect("sign in").user.id;
    // Let the sign-in prewarm finish so it shares no flight below.
    prewarmed(&f.larder).await;
    f.inject(
        2,
        FaultKind::Status {
            status: 502,
            retry_after_secs: None,
        },
        Some(2),
    );
    let calls_before = f.upstream_calls(&user, 2);
    let envelope = f
        .larder
        .refresh_widget(w(2))
        .await
        .expect("the third try succeeds");
    assert_eq!(envelope.data.widget_id, w(2));
    assert_eq!(f.upstream_calls(&user, 2) - calls_before, 3);

    f.inject(
        1,
        FaultKind::Status {
            status: 429,
            retry_after_secs: Some(1),
        },
        Some(1),
    );
    let started = std::time::Instant::now();
    f.larder
        .refresh_widget(w(1))
        .await
        .expect("succeeds after Retry-After");
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After was honoured"
    );

    // A body that is not JSON is final: one request, no retry.
    f.inject(4, FaultKind::MalformedJson, None);
    let calls_before = f.upstream_calls(&user, 4);
    assert!(f.larder.refresh_widget(w(4)).await.is_err());
    assert_eq!(f.upstream_calls(&user, 4) - calls_before, 1);
}

#[tokio::test]
async fn stats_count_hits_and_clearing_removes_entries() {
    let f = fixture(0.0).await;
    f.larder.sign_in("hal").await.expect("sign in");
    prewarmed(&f.larder).await;
    for _ in 0..3 {
        f.larder.get_widget(w(5)).await.expect("hit");
    }
    let stats = f.larder.cache_stats().expect("stats");
    assert_eq!(stats.entries.len(), 5);
    let kpis = stats
        .entries
        .iter()
        .find(|e| e.key == "widget:5")
        .expect("listed");
    assert_eq!(kpis.hits, 3);
    assert_eq!(kpis.state, Freshness::Fresh);
    assert_eq!(
        stats.total_bytes,
        stats.entries.iter().map(|e| e.bytes).sum::<u64>()
    );

    f.larder.clear_cache(Some("widget:5")).expect("cleared");
    assert_eq!(f.larder.cache_stats().expect("stats").entries.len(), 4);
    assert!(f.larder.clear_cache(Some("../../x")).is_err());
    f.larder.clear_cache(None).expect("cleared all");
    assert!(f.larder.cache_stats().expect("stats").entries.is_empty());
}
