//! Several accounts on one cache, against the real mock API: each account
//! is prewarmed once and a switch sends nothing; a hidden account's outbox
//! keeps sending, with its own token and backoff, and nothing of it
//! reaches the windows while another account is shown; signing out of one,
//! or the API rejecting one, leaves the others signed in and their fetches
//! unfenced; every account kept is restored at the next start.

use std::{sync::Arc, time::Duration};

use larder_core::{ApiClient, CoreError, CoreEvent, Larder, MemorySecrets, MemorySessions};
use larder_protocol::{test_controls::FaultKind, WidgetData, WidgetId};
use mock_api::testing::Controls;

mod common;
use common::{eventually, prewarmed, signed_in::fixture};

fn names(larder: &Larder) -> (String, Vec<String>) {
    let session = larder.session().expect("signed in");
    (
        session.user.name,
        session.accounts.into_iter().map(|user| user.name).collect(),
    )
}

/// Ada signed in (the fixture's user), then bob beside her, shown, both
/// dashboards warmed; bob's user id.
async fn ada_and_bob() -> (common::signed_in::Fixture, String) {
    let f = fixture("ada").await;
    let bob = f.larder.sign_in("bob").await.expect("sign in").user.id;
    prewarmed(&f.larder).await;
    (f, bob)
}

#[tokio::test]
async fn each_account_is_prewarmed_once_and_a_switch_sends_nothing() {
    let (f, bob) = ada_and_bob().await;
    assert_eq!(
        names(&f.larder),
        ("bob".to_owned(), vec!["ada".to_owned(), "bob".to_owned()]),
        "bob shown, ada still signed in"
    );
    let controls = Controls::of(&f.api);
    for widget in WidgetId::ALL {
        assert_eq!(
            controls.widget_requests(&f.user, widget),
            1,
            "{widget} for ada"
        );
        assert_eq!(
            controls.widget_requests(&bob, widget),
            1,
            "{widget} for bob"
        );
    }

    let before = f.stats().total;
    let shown = f.larder.switch_account(&f.user).expect("switched");
    assert_eq!(shown.user.id, f.user);
    let dashboard = f.larder.cached_dashboard();
    assert_eq!(
        dashboard.len(),
        WidgetId::ALL.len(),
        "ada's, from the cache"
    );
    let profile = dashboard
        .iter()
        .find_map(|envelope| match &envelope.data.data {
            WidgetData::Profile(profile) => Some(profile.display_name.clone()),
            _ => None,
        })
        .expect("the profile widget");
    assert!(profile.to_lowercase().contains("ada"), "{profile}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(f.stats().total, before, "a switch sends nothing");

    assert!(matches!(
        f.larder.switch_account("u_nobody"),
        Err(CoreError::NotSignedIn)
    ));
    assert_eq!(
        f.larder.session().expect("shown").user.id,
        f.user,
        "unchanged"
    );
}

#[tokio::test]
async fn a_hidden_accounts_change_is_sent_and_never_reaches_the_window() {
    let (f, bob) = ada_and_bob().await;
    f.larder.switch_account(&f.user).expect("switched");
    // Ada's change is told to come back in 3 s; bob's goes meanwhile.
    Controls::of(&f.api).fault_for(
        &f.user,
        WidgetId::NOTIFICATIONS,
        FaultKind::RateLimitChange {
            retry_after_secs: 3,
        },
        Some(1),
    );
    f.larder.mark_notification_read("n2").await.expect("kept");
    f.larder.switch_account(&bob).expect("switched");

    // Everything told to the windows from now on, as it is told.
    let mut events = larder_core::Events::of(&f.larder);
    let told = Arc::new(std::sync::Mutex::new(Vec::new()));
    let collector = tokio::spawn({
        let told = told.clone();
        async move {
            while let Some(event) = events.next().await {
                told.lock().expect("lock").push(event);
            }
        }
    });
    f.larder.mark_notification_read("n1").await.expect("kept");
    f.outbox_len_becomes(0).await;
    assert_eq!(f.stats().applied(&bob), 1, "bob's, despite ada's backoff");
    assert_eq!(
        f.stats().applied(&f.user),
        0,
        "ada's still backing off: {:?}",
        f.stats()
    );
    eventually("ada's change, sent while bob is shown", || async {
        f.stats().applied(&f.user) == 1
    })
    .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    collector.abort();
    let told = std::mem::take(&mut *told.lock().expect("lock"));
    assert!(!told.is_empty(), "the windows were told of bob's change");
    for event in told {
        let user = match &event {
            CoreEvent::WidgetUpdated(pushed) => Some(&pushed.user),
            CoreEvent::RoleWidgetUpdated(pushed) => Some(&pushed.user),
            CoreEvent::OutboxChanged(pushed) => Some(&pushed.user),
            CoreEvent::ChangeRefused(pushed) => Some(&pushed.user),
            _ => None,
        };
        if let Some(user) = user {
            assert_eq!(user, &bob, "ada's data reached bob's window: {event:?}");
        }
    }

    f.larder.switch_account(&f.user).expect("switched");
    assert!(f.larder.outbox().expect("outbox").changes.is_empty());
    assert!(f.notification_read_upstream("n2").await);
    assert_eq!(f.stats().applied(&f.user), 1, "applied once");
}

#[tokio::test]
async fn one_account_ending_leaves_the_others_signed_in() {
    let (f, bob) = ada_and_bob().await;

    // The API rejects bob's session: bob ends, ada is shown.
    Controls::of(&f.api).fault_for(
        &bob,
        WidgetId::ALL[1],
        FaultKind::Status {
            status: 401,
            retry_after_secs: None,
        },
        Some(1),
    );
    assert!(matches!(
        f.larder.refresh_widget(WidgetId::ALL[1]).await,
        Err(CoreError::SessionExpired)
    ));
    assert_eq!(names(&f.larder), ("ada".to_owned(), vec!["ada".to_owned()]));

    // Ada's fetches are not fenced by it: a refresh is stored.
    let before = f.larder.cached_dashboard()[0].fetched_at;
    tokio::time::sleep(Duration::from_millis(5)).await;
    let refreshed = f
        .larder
        .refresh_widget(WidgetId::ALL[0])
        .await
        .expect("ada's");
    assert!(refreshed.fetched_at > before);
    assert_eq!(
        f.larder.cached_dashboard()[0].fetched_at,
        refreshed.fetched_at
    );

    // Signing bob in again, then out: ada stays signed in and shown.
    f.larder.sign_in("bob").await.expect("sign in");
    f.larder.sign_out().await;
    assert_eq!(names(&f.larder), ("ada".to_owned(), vec!["ada".to_owned()]));
    f.larder
        .refresh_widget(WidgetId::ALL[0])
        .await
        .expect("still ada's");
}

#[tokio::test]
async fn every_kept_account_is_restored_and_the_last_shown_is_shown() {
    let api = common::quick_api().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let sessions = Arc::new(MemorySessions::default());
    let secrets = Arc::new(MemorySecrets::default());
    let open = || {
        Larder::open_with(
            ApiClient::new(&api.url()).expect("url"),
            dir.path(),
            sessions.clone(),
            secrets.clone(),
        )
        .expect("opens")
    };
    let (ada, bob) = {
        let larder = open();
        let ada = larder.sign_in("ada").await.expect("sign in").user.id;
        let bob = larder.sign_in("bob").await.expect("sign in").user.id;
        prewarmed(&larder).await;
        larder.switch_account(&ada).expect("switched");
        larder.switch_account(&bob).expect("switched");
        (ada, bob)
    };
    let larder = open();
    let restored = larder.restore_session().expect("restored");
    assert_eq!(restored.user.id, bob, "the one shown last, not the first");
    let ids: Vec<String> = restored.accounts.into_iter().map(|u| u.id).collect();
    assert_eq!(ids, vec![ada.clone(), bob.clone()]);
    larder.switch_account(&ada).expect("ada restored too");
    assert_eq!(larder.cached_dashboard().len(), WidgetId::ALL.len());
}

#[tokio::test]
async fn a_change_refused_while_its_account_is_hidden_is_told_at_the_switch() {
    let (f, bob) = ada_and_bob().await;
    f.larder.switch_account(&f.user).expect("switched");
    Controls::of(&f.api).fault_for(
        &f.user,
        WidgetId::NOTIFICATIONS,
        FaultKind::RefuseChange { status: 422 },
        Some(1),
    );
    f.larder.mark_notification_read("n3").await.expect("kept");
    // Shown before the sender gets to it: refused while bob is shown.
    f.larder.switch_account(&bob).expect("switched");
    let mut refused = f.larder.refused_changes();
    let route = "POST /api/widgets/4/notifications/n3/read";
    eventually("ada's change to be refused", || async {
        f.stats().count(&f.user, route) == 1
    })
    .await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(refused.try_recv().is_err(), "not told to bob's windows");
    assert!(f.larder.take_unseen_refusals().is_empty(), "none of bob's");

    f.larder.switch_account(&f.user).expect("switched");
    let unseen = f.larder.take_unseen_refusals();
    assert_eq!(unseen.len(), 1, "told once ada is shown: {unseen:?}");
    assert!(unseen[0].reason.contains("422"), "{}", unseen[0].reason);
    assert!(f.larder.take_unseen_refusals().is_empty(), "once");
    assert!(f.larder.outbox().expect("outbox").changes.is_empty());
    assert_eq!(f.stats().applied(&f.user), 0, "not applied");
}

#[tokio::test]
async fn what_the_windows_showed_of_one_account_is_not_kept_fresh_for_the_next() {
    let f = fixture("ada").await;
    let report = |view| larder_protocol::ScreenReport {
        visible: true,
        focused: true,
        view,
    };
    f.larder
        .report_screen(
            "main",
            report(larder_protocol::ScreenView::Profile {
                user_id: f.user.clone(),
            }),
        )
        .expect("reported");
    assert_eq!(f.larder.screen().items.len(), 3, "ada's profile page");
    f.larder.sign_in("bob").await.expect("sign in");
    assert!(
        f.larder.screen().items.is_empty(),
        "forgotten at the switch"
    );
    assert!(f.larder.screen().visible, "the window is still shown");
    f.larder
        .report_screen("main", report(larder_protocol::ScreenView::Dashboard))
        .expect("reported");
    assert_eq!(f.larder.screen().items.len(), 5, "bob's dashboard");
}
