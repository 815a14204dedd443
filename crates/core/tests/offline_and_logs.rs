//! Offline means offline for every command, and nothing leaks: while the
//! API cannot be reached, refresh and the admins' system health answer from the cache
//! and mark-as-read refuses, all without sending a request (counted on a
//! loopback link that can be cut); and the logs of a whole session, at
//! every level, never carry the user's id, username or token, nor does any
//! `Debug` output.

use std::{
    io::Write,
    sync::{Arc, Mutex, OnceLock, PoisonError},
    time::Duration,
};

use larder_core::{
    ApiClient, CoreError, Larder, MemorySessions, ProbeSchedule, SessionPersistence,
};
use larder_protocol::{Connectivity, Freshness, Source, WidgetId};
use mock_api::RunningServer;

mod common;
use common::{eventually, prewarmed, Link};

/// Every log line of this test binary, at every level.
fn captured() -> &'static Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = Arc::new(Mutex::new(Vec::new()));
        let writer = logs.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || Buffer(writer.clone()))
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");
        logs
    })
}

struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

struct Fixture {
    _api: RunningServer,
    link: Link,
    larder: Larder,
    sessions: Arc<MemorySessions>,
    _dir: tempfile::TempDir,
}

async fn fixture() -> Fixture {
    captured();
    let api = common::quick_api().await;
    let link = Link::to(api.addr()).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let sessions = Arc::new(MemorySessions::default());
    let secrets = Arc::new(
        larder_core::FileSecrets::open(&dir.path().join("secrets")).expect("secrets open"),
    );
    let larder = Larder::open_with(
        ApiClient::new(link.url()).expect("url"),
        &dir.path().join("cache"),
        sessions.clone(),
        secrets,
    )
    .expect("opens");
    Fixture {
        _api: api,
        link,
        larder,
        sessions,
        _dir: dir,
    }
}

fn w(n: u8) -> WidgetId {
    WidgetId::new(n).expect("valid")
}

/// Cuts the link and lets one failed request tell the client it is offline.
async fn go_offline(f: &Fixture) {
    f.link.set_cut(true);
    let _ = f.larder.client().config().await;
    assert_eq!(
        f.larder.client().connectivity().current(),
        Connectivity::Offline
    );
}

#[tokio::test]
async fn offline_commands_answer_from_the_cache_and_send_nothing() {
    let f = fixture().await;
    f.larder.sign_in("admin-olga").await.expect("sign in");
    prewarmed(&f.larder).await;
    f.larder
        .get_role_widget(larder_protocol::RoleWidget::SystemHealth)
        .await
        .expect("health, online");
    go_offline(&f).await;
    let refused = f.link.refused();

    for n in 1..=5 {
        let refreshed = f.larder.refresh_widget(w(n)).await.expect("from the cache");
        assert_eq!(refreshed.source, Source::Cache, "widget {n}");
        assert_eq!(refreshed.state, Freshness::Stale, "never claimed fresh");
        assert!(refreshed.error.is_some(), "marked offline");
    }
    let health = f
        .larder
        .get_role_widget(larder_protocol::RoleWidget::SystemHealth)
        .await
        .expect("from the cache");
    assert_eq!(health.source, Source::Cache);
    // A change is kept in the outbox, shown at once, and not sent.
    let marked = f
        .larder
        .mark_notification_read("n1")
        .await
        .expect("kept in the outbox");
    assert_eq!(marked.pending, ["n1"]);
    assert_eq!(f.larder.outbox().expect("outbox").changes.len(), 1);
    // Nothing cached: the error says so, and never claims cached data.
    match f.larder.get_profile("u_someone_else").await {
        Err(CoreError::Unreachable(message)) => {
            assert!(!message.contains("showing cached data"), "{message}");
        }
        other => panic!("expected Unreachable, got {other:?}"),
    }
    assert_eq!(
        f.link.refused(),
        refused,
        "not one connection was attempted"
    );
}

#[tokio::test]
async fn a_whole_session_logs_no_user_id_username_or_token() {
    const USERNAME: &str = "leakcheck-quinn";
    let f = fixture().await;
    let _background = f.larder.start_background(ProbeSchedule {
        first: Duration::from_millis(20),
        max: Duration::from_millis(50),
    });
    let user = f.larder.sign_in(USERNAME).await.expect("sign in").user;
    prewarmed(&f.larder).await;
    let token = f.sessions.token(&user.id).expect("kept").expect("a token");
    f.larder.get_profile(&user.id).await.expect("profile");
    f.larder.get_posts(&user.id, 1).await.expect("posts");
    f.larder
        .get_followers(&user.id, 1)
        .await
        .expect("followers");

    // Offline: a prewarm's requests fail (and are logged), reads come from
    // the cache.
    f.link.set_cut(true);
    f.larder.prewarm().expect("prewarm");
    prewarmed(&f.larder).await;
    f.larder
        .get_profile(&user.id)
        .await
        .expect("profile, offline");
    let _ = f.larder.get_posts(&user.id, 2).await;

    // Back online: the probe notices and revalidates.
    f.link.set_cut(false);
    eventually("the probe to notice the API is back", || async {
        f.larder.client().connectivity().current() == Connectivity::Online
    })
    .await;
    let larder_debug = format!("{:?}", f.larder);
    let session_debug = format!("{:?}", f.larder.session());
    f.larder.sign_out().await;
    tokio::time::sleep(Duration::from_millis(100)).await;

    assert!(!session_debug.contains(&token), "{session_debug}");
    for (what, secret) in [
        ("token", token.as_str()),
        ("user id", &user.id),
        ("username", USERNAME),
    ] {
        assert!(
            !larder_debug.contains(secret),
            "Larder's Debug carries the {what}: {larder_debug}"
        );
    }
    assert!(
        larder_debug.contains(&larder_core::log_id(&user.id)),
        "{larder_debug}"
    );
    let logs = String::from_utf8_lossy(&captured().lock().unwrap_or_else(PoisonError::into_inner))
        .into_owned();
    assert!(logs.contains("signed in"), "the capture works: {logs}");
    assert!(logs.contains("upstream"), "upstream requests were logged");
    for (what, secret) in [
        ("token", token.as_str()),
        ("user id", &user.id),
        ("username", USERNAME),
    ] {
        let hits: Vec<&str> = logs.lines().filter(|line| line.contains(secret)).collect();
        assert!(
            hits.is_empty(),
            "{} log lines carry the {what}:\n{}",
            hits.len(),
            hits.join("\n")
        );
    }
}
