//! The core's two doors: `start` opens in order and returns the running
//! core, and its one event stream announces what the start did.

use std::sync::Arc;

use larder_core::{
    ApiClient, CoreEvent, MemorySecrets, MemorySessions, ProbeSchedule, SessionPersistence, Startup,
};
use larder_protocol::Settings;

mod common;

fn startup(
    api: &mock_api::RunningServer,
    dir: &std::path::Path,
    sessions: Arc<dyn SessionPersistence>,
    settings: Settings,
) -> Startup {
    Startup {
        client: ApiClient::new(&api.url()).expect("url"),
        cache_dir: dir.join("cache"),
        sessions,
        secrets: Arc::new(MemorySecrets::default()),
        previous_secrets: None,
        settings,
        probes: ProbeSchedule::default(),
    }
}

#[tokio::test]
async fn start_restores_the_kept_session_and_its_stream_announces_it() {
    let api = common::quick_api().await;
    let sessions: Arc<dyn SessionPersistence> = Arc::new(MemorySessions::default());
    let first_dir = tempfile::tempdir().expect("temp dir");
    let first = larder_core::start(startup(
        &api,
        first_dir.path(),
        sessions.clone(),
        Settings::default(),
    ))
    .expect("starts");
    let session = first.larder.sign_in("ada").await.expect("signed in");
    drop(first);

    let settings = Settings {
        ttl_secs: Some(120),
        ..Settings::default()
    };
    let second_dir = tempfile::tempdir().expect("temp dir");
    let mut running =
        larder_core::start(startup(&api, second_dir.path(), sessions, settings.clone()))
            .expect("starts again");
    assert_eq!(running.larder.session(), Some(session.clone()));
    assert_eq!(running.larder.settings(), settings, "the settings apply");
    // The stream was open before the session was restored.
    let announced = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        loop {
            match running.events.next().await.expect("the stream is open") {
                CoreEvent::SessionChanged(announced) => return announced,
                _ => continue,
            }
        }
    })
    .await
    .expect("the restored session is announced");
    assert_eq!(announced, Some(session));
}

#[tokio::test]
async fn a_setting_the_core_refuses_stops_the_start_with_its_reason() {
    let api = common::quick_api().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let bad = Settings {
        ttl_secs: Some(1),
        ..Settings::default()
    };
    let err = larder_core::start(startup(
        &api,
        dir.path(),
        Arc::new(MemorySessions::default()),
        bad,
    ))
    .expect_err("refused");
    assert!(
        matches!(err, larder_core::CoreError::InvalidSetting(ref e) if e.field == "ttlSecs"),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_change_pushes_widget_4_as_the_outbox_leaves_it_for_every_window() {
    let api = common::quick_api().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let mut running = larder_core::start(startup(
        &api,
        dir.path(),
        Arc::new(MemorySessions::default()),
        Settings::default(),
    ))
    .expect("starts");
    let larder = running.larder.clone();
    larder.sign_in("ada").await.expect("signed in");
    common::prewarmed(&larder).await;
    // What the sign-in and its prewarm announced is past.
    while let Ok(Some(_)) =
        tokio::time::timeout(std::time::Duration::from_millis(300), running.events.next()).await
    {
    }
    // The API goes away: nothing is sent or fetched again, so only the
    // outbox can announce the change.
    drop(api);
    larder.mark_notification_read("n2").await.expect("kept");

    // Every window hears widget 4 with n2 marked, not only the one where
    // it was done (which has the command's answer).
    let pushed = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        loop {
            match running.events.next().await.expect("the stream is open") {
                CoreEvent::WidgetUpdated(envelope)
                    if envelope.value.pending.iter().any(|id| id == "n2") =>
                {
                    return envelope
                }
                _ => continue,
            }
        }
    })
    .await
    .expect("widget 4 is pushed with the change");
    let larder_protocol::WidgetData::Notifications(center) = &pushed.value.data.data else {
        panic!("widget 4 is the notifications: {pushed:?}");
    };
    let n2 = center
        .notifications
        .iter()
        .find(|note| note.id == "n2")
        .expect("n2");
    assert!(n2.read, "shown read");
}
