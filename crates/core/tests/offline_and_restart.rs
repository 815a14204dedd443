//! Restarts, connectivity and the session's lifecycle against the real mock
//! API, reached through a loopback link the tests can cut: a restored
//! session served from the cache offline without a request storm, recovery
//! revalidating through the probe, a 401 ending the session but keeping the
//! cache, keep-cache-on-sign-out, and policies from the API's config and
//! the user's settings.

use std::{sync::Arc, time::Duration};

use larder_core::SecretStore;
use larder_core::{
    cache::Engine, ApiClient, CacheKeys, Larder, MemorySecrets, MemorySessions, PersistedSession,
    ProbeSchedule, SessionPersistence,
};
use larder_protocol::{CommandError, Connectivity, Freshness, Settings, Source, WidgetId};
use larder_store::CacheStore;
use mock_api::RunningServer;

mod common;
use common::{eventually, prewarmed, Link, ManualClock};

struct Fixture {
    api: RunningServer,
    link: Link,
    clock: Arc<ManualClock>,
    engine: Engine,
    sessions: Arc<MemorySessions>,
    _dir: tempfile::TempDir,
}

impl Fixture {
    async fn new() -> Self {
        let api = mock_api::testing::start_instant()
            .await
            .expect("mock-api starts");
        let link = Link::to(api.addr()).await;
        let dir = tempfile::tempdir().expect("temp dir");
        let keys = CacheKeys::new(Arc::new(MemorySecrets::as_keychain()));
        let (store, _) =
            CacheStore::open_encrypted(&dir.path().join("cache"), keys).expect("opens");
        let clock = Arc::new(ManualClock::default());
        let engine = Engine::new(store, clock.clone());
        Self {
            api,
            link,
            clock,
            engine,
            sessions: Arc::default(),
            _dir: dir,
        }
    }

    /// A Larder as one run of the app: over the link, on the shared cache
    /// and the shared session store.
    fn larder(&self) -> Larder {
        Larder::new(
            ApiClient::new(self.link.url()).expect("url"),
            self.engine.clone(),
            self.sessions.clone(),
        )
    }
}

fn w(n: u8) -> WidgetId {
    WidgetId::new(n).expect("valid")
}

#[tokio::test]
async fn a_restart_offline_serves_the_restored_dashboard_without_a_request_storm() {
    let f = Fixture::new().await;
    let first_run = f.larder();
    let user = first_run.sign_in("alice").await.expect("sign in").user;
    prewarmed(&first_run).await;
    drop(first_run);

    // The network goes, and every entry ages past its TTL.
    f.link.set_cut(true);
    f.clock.advance(Duration::from_secs(3600));
    let larder = f.larder();
    let restored = larder.restore_session().expect("a session was kept");
    assert_eq!(restored.user, user);

    // The first frame is served from the cache without a request.
    let refused = f.link.refused();
    let dashboard = larder.cached_dashboard();
    let order: Vec<_> = dashboard.iter().map(|e| e.data.widget_id).collect();
    assert_eq!(order, WidgetId::ALL.to_vec());
    assert_eq!(f.link.refused(), refused);

    // The restore's prewarm finds the API gone.
    prewarmed(&larder).await;
    assert_eq!(
        larder.client().connectivity().current(),
        Connectivity::Offline
    );
    let after_prewarm = f.link.refused();
    assert!(after_prewarm > refused, "the prewarm tried the API");

    for _ in 0..20 {
        for id in WidgetId::ALL {
            let envelope = larder.get_widget(id).await.expect("served from the cache");
            assert_eq!(envelope.source, Source::Cache);
            assert_eq!(envelope.state, Freshness::Stale, "expired, served as stale");
            assert!(matches!(
                envelope.error,
                Some(CommandError::Unreachable { .. })
            ));
            assert_eq!(envelope.data.user_id, user.id);
        }
    }
    assert_eq!(
        f.link.refused(),
        after_prewarm,
        "100 offline reads sent nothing"
    );
    // Something never cached is an error, still without a request.
    assert!(matches!(
        larder.get_profile(&user.id).await,
        Err(larder_core::CoreError::Unreachable(_))
    ));
    assert_eq!(f.link.refused(), after_prewarm);
}

#[tokio::test]
async fn on_recovery_the_probe_notices_and_stale_entries_revalidate() {
    let f = Fixture::new().await;
    let (larder, _background) = alice_with_a_quick_probe(&f).await;
    // A visible window that shows nothing the automatic refresh would
    // fetch: what revalidates below is the reconnect's pass.
    larder.report_screen("main", shown(true)).expect("reported");

    f.link.set_cut(true);
    f.clock.advance(Duration::from_secs(3600));
    let served = larder.get_widget(w(1)).await.expect("stale-if-error");
    assert_eq!(served.state, Freshness::Stale);
    assert_eq!(
        larder.client().connectivity().current(),
        Connectivity::Offline
    );

    // The probe keeps asking, one request at a time, with backoff.
    eventually("the probe to try again", || async { f.link.refused() >= 4 }).await;

    // The API comes back; nothing but the probe asks it.
    f.link.set_cut(false);
    eventually("connectivity to recover", || async {
        larder.client().connectivity().current() == Connectivity::Online
    })
    .await;
    eventually("every widget to be revalidated", || async {
        dashboard_all(&larder, |state| state == Freshness::Fresh)
    })
    .await;
    let envelope = larder.get_widget(w(3)).await.expect("hit");
    assert_eq!(
        (envelope.source, envelope.state),
        (Source::Cache, Freshness::Fresh)
    );
}

/// "alice" signed in and prewarmed, the background running with a probe
/// that asks again within 50 to 200 ms.
async fn alice_with_a_quick_probe(f: &Fixture) -> (Larder, larder_core::BackgroundGuard) {
    let larder = f.larder();
    let background = larder.start_background(ProbeSchedule {
        first: Duration::from_millis(50),
        max: Duration::from_millis(200),
    });
    larder.sign_in("alice").await.expect("sign in");
    prewarmed(&larder).await;
    (larder, background)
}

/// Whether all five widgets are cached, each in a state `holds`.
fn dashboard_all(larder: &Larder, holds: impl Fn(Freshness) -> bool) -> bool {
    let stats = larder.cache_stats().expect("stats");
    stats.entries.len() == 5 && stats.entries.iter().all(|e| holds(e.state))
}

fn shown(visible: bool) -> larder_protocol::ScreenReport {
    larder_protocol::ScreenReport {
        visible,
        focused: visible,
        view: larder_protocol::ScreenView::Other,
    }
}

#[tokio::test]
async fn a_reconnect_while_minimised_sends_nothing_until_the_window_is_restored() {
    let f = Fixture::new().await;
    let (larder, _background) = alice_with_a_quick_probe(&f).await;
    // The page says visible; the OS says minimised (as on Windows, where
    // the page is never told).
    larder.report_screen("main", shown(true)).expect("reported");
    let minimised = larder_core::NativeWindow {
        minimized: true,
        shown: true,
        focused: false,
    };
    larder.report_window("main", minimised);
    assert!(!larder.screen().visible);

    f.link.set_cut(true);
    f.clock.advance(Duration::from_secs(3600));
    larder.get_widget(w(1)).await.expect("stale-if-error");
    f.link.set_cut(false);
    eventually("connectivity to recover", || async {
        larder.client().connectivity().current() == Connectivity::Online
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        dashboard_all(&larder, |state| state != Freshness::Fresh),
        "nothing revalidated while minimised"
    );

    larder.report_window(
        "main",
        larder_core::NativeWindow {
            minimized: false,
            focused: true,
            ..minimised
        },
    );
    eventually("every widget to be revalidated once restored", || async {
        dashboard_all(&larder, |state| state == Freshness::Fresh)
    })
    .await;
}

#[tokio::test]
async fn a_rejected_session_ends_cleanly_and_keeps_the_cache() {
    let f = Fixture::new().await;
    let first_run = f.larder();
    let user = first_run.sign_in("alice").await.expect("sign in").user;
    prewarmed(&first_run).await;
    drop(first_run);

    // The kept token is no longer valid upstream.
    f.sessions
        .save(&PersistedSession {
            user: user.clone(),
            token: "revoked".into(),
        })
        .expect("saved");
    let larder = f.larder();
    larder.restore_session().expect("restored");
    prewarmed(&larder).await;
    let changes = larder.session_changes();

    assert!(matches!(
        larder.refresh_widget(w(2)).await,
        Err(larder_core::CoreError::SessionExpired)
    ));
    assert_eq!(larder.session(), None);
    assert_eq!(*changes.borrow(), None, "the UI is told to show sign-in");
    assert_eq!(f.sessions.kept().users, vec![], "not restored again");
    assert_eq!(f.sessions.token(&user.id).expect("read"), None);
    let kept = f.engine.store().entries(&user.id).expect("entries");
    assert_eq!(kept.len(), 5, "the cache survives a 401");
}

#[tokio::test]
async fn sign_out_purges_unless_the_cache_is_kept_for_offline_use() {
    let f = Fixture::new().await;
    let larder = f.larder();

    let alice = larder.sign_in("alice").await.expect("sign in").user;
    prewarmed(&larder).await;
    larder.sign_out().await;
    assert!(f
        .engine
        .store()
        .entries(&alice.id)
        .expect("entries")
        .is_empty());
    assert_eq!(f.sessions.kept().users, vec![]);
    assert_eq!(f.sessions.token(&alice.id).expect("read"), None);

    larder
        .apply_settings(Settings {
            keep_cache_on_sign_out: true,
            ..Settings::default()
        })
        .expect("valid");
    let bob = larder.sign_in("bob").await.expect("sign in").user;
    prewarmed(&larder).await;
    // Offline: sign-out does not wait for the API. The key is in the
    // (test) keychain, so the kept cache stays readable.
    f.link.set_cut(true);
    let _ = larder.refresh_widget(w(1)).await;
    assert_eq!(
        larder.client().connectivity().current(),
        Connectivity::Offline
    );
    larder.sign_out().await;
    assert_eq!(larder.session(), None);
    assert_eq!(f.engine.store().entries(&bob.id).expect("entries").len(), 5);
}

#[tokio::test]
async fn policies_come_from_the_published_config_and_the_settings() {
    let f = Fixture::new().await;
    let larder = f.larder();
    let config = larder.refresh_config().await.expect("config");
    assert_eq!(config.cache["widget:1"].stale_secs, 60);
    assert_eq!(config.cache["widget:2"].stale_secs, 30);
    larder.sign_in("alice").await.expect("sign in");
    prewarmed(&larder).await;

    f.clock.advance(Duration::from_secs(45));
    let w1 = larder.get_widget(w(1)).await.expect("hit");
    let w2 = larder.get_widget(w(2)).await.expect("hit");
    assert_eq!(w1.state, Freshness::Fresh, "widget 1 is fresh for 60 s");
    assert_eq!(w2.state, Freshness::Stale, "widget 2 only for 30 s");

    larder
        .apply_settings(Settings {
            stale_secs: Some(10),
            ..Settings::default()
        })
        .expect("valid");
    assert_eq!(
        larder.get_widget(w(1)).await.expect("hit").state,
        Freshness::Stale
    );
    assert!(larder
        .apply_settings(Settings {
            ttl_secs: Some(0),
            ..Settings::default()
        })
        .is_err());
    assert_eq!(
        larder.settings().stale_secs,
        Some(10),
        "a refused setting changes nothing"
    );

    // A later start reads the cached config before reaching the API.
    f.link.set_cut(true);
    assert_eq!(f.larder().config(), config);
    drop(f.api);
}

#[tokio::test]
async fn a_cache_kept_without_a_keychain_loses_its_key_at_sign_out() {
    let api = mock_api::testing::start_instant()
        .await
        .expect("mock-api starts");
    let dir = tempfile::tempdir().expect("temp dir");
    let secrets = Arc::new(MemorySecrets::default());
    let larder = Larder::open_with(
        ApiClient::new(&api.url()).expect("url"),
        &dir.path().join("cache"),
        Arc::new(MemorySessions::default()),
        secrets.clone(),
    )
    .expect("opens");
    larder
        .apply_settings(Settings {
            keep_cache_on_sign_out: true,
            ..Settings::default()
        })
        .expect("valid");
    let user = larder.sign_in("mia").await.expect("sign in").user;
    prewarmed(&larder).await;
    let key_name =
        larder_store::secrets::cache_key_name(&larder_store::store::partition_name(&user.id));
    assert!(secrets.get(&key_name).expect("get").is_some());
    larder.sign_out().await;
    assert_eq!(
        secrets.get(&key_name).expect("get"),
        None,
        "the key is gone"
    );
    assert!(
        larder
            .engine()
            .store()
            .entries(&user.id)
            .expect("entries")
            .is_empty(),
        "nothing readable is left"
    );
}
