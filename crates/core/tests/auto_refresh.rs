//! The automatic refresh against the real mock API: with the dashboard on
//! a visible window, widgets that turn stale (aged with a manual clock) are
//! each requested once more from the upstream and their new values are
//! announced for the window; what is off screen is not; the setting and a
//! bad report are honoured. The schedule's timing itself is tested on
//! tokio's paused clock in `src/auto_refresh.rs`.

use std::{sync::Arc, time::Duration};

use larder_core::{
    auto_refresh::{Target, CHECK_EVERY, MAX_JITTER},
    ApiClient, CoreError, Larder, ProbeSchedule, Resource,
};
use larder_protocol::{test_controls::RequestStats, ScreenReport, ScreenView, Settings, WidgetId};
use mock_api::RunningServer;

mod common;
use common::{prewarmed, ManualClock};

fn stats(api: &RunningServer) -> RequestStats {
    mock_api::testing::Controls::of(api).stats()
}

fn dashboard(visible: bool) -> ScreenReport {
    ScreenReport {
        visible,
        focused: visible,
        view: ScreenView::Dashboard,
    }
}

#[tokio::test]
async fn stale_widgets_on_a_visible_dashboard_are_refetched_by_themselves() {
    let api = common::controlled_api().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let clock = Arc::new(ManualClock::default());
    let larder = common::larder_on(&api.url(), dir.path(), clock.clone());
    let user = larder.sign_in("avery").await.expect("sign in").user.id;
    prewarmed(&larder).await;
    for id in WidgetId::ALL {
        larder.get_widget(id).await.expect("widget");
    }
    let _background = larder.start_background(ProbeSchedule::default());
    let mut updates = larder.cache_updates();
    larder
        .report_screen("main", dashboard(true))
        .expect("reported");

    // Everything turns stale (analytics' policy is longer: 2 minutes).
    clock.advance(Duration::from_secs(121) + MAX_JITTER);
    let widget_calls = |stats: &RequestStats| {
        WidgetId::ALL.map(|id| stats.count(&user, &format!("GET /api/widgets/{}", id.get())))
    };
    let seen = std::sync::Mutex::new([0; 5]);
    let settled = tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            let calls = widget_calls(&stats(&api));
            *seen.lock().expect("not poisoned") = calls;
            if calls == [2; 5] {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
    assert!(
        settled.is_ok(),
        "each stale widget refetched once: {:?}",
        seen.lock().expect("not poisoned")
    );
    let mut announced = std::collections::HashSet::new();
    while announced.len() < WidgetId::ALL.len() {
        match tokio::time::timeout(Duration::from_secs(10), updates.recv()).await {
            Ok(Ok(update)) => announced.insert(update.key),
            _ => break,
        };
    }
    for id in WidgetId::ALL {
        assert!(
            announced.contains(&Resource::Widget(id).key()),
            "widget {} announced: {announced:?}",
            id.get()
        );
    }
    // A profile is not on screen, so nothing of it was asked for.
    let profile_calls = stats(&api).count(&user, &format!("GET /users/{user}"));
    assert_eq!(profile_calls, 0);

    // One more check period: nothing is due again yet.
    tokio::time::sleep(CHECK_EVERY + Duration::from_millis(500)).await;
    assert_eq!(widget_calls(&stats(&api)), [2; 5]);
}

#[tokio::test]
async fn the_setting_and_bad_reports_are_honoured() {
    let dir = tempfile::tempdir().expect("temp dir");
    let api = common::quick_api().await;
    let larder = Larder::open(ApiClient::new(&api.url()).expect("url"), dir.path()).expect("opens");
    assert!(!larder.enabled(), "nobody is signed in");
    larder.sign_in("blair").await.expect("sign in");
    assert!(larder.enabled());
    larder
        .apply_settings(Settings {
            auto_refresh: Some(false),
            ..Settings::default()
        })
        .expect("valid");
    assert!(!larder.enabled(), "turned off for a metered connection");

    let bad = ScreenReport {
        visible: true,
        focused: true,
        view: ScreenView::Profile {
            user_id: "../etc".into(),
        },
    };
    assert!(matches!(
        larder.report_screen("main", bad),
        Err(CoreError::InvalidUserId(_))
    ));
}

#[tokio::test]
async fn each_gain_of_focus_is_counted_once_and_the_os_decides_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let api = common::quick_api().await;
    let larder = Larder::open(ApiClient::new(&api.url()).expect("url"), dir.path()).expect("opens");
    larder
        .report_screen(
            "main",
            ScreenReport {
                visible: true,
                focused: false,
                view: ScreenView::Dashboard,
            },
        )
        .expect("reported");
    let screen = larder.screen();
    assert!(screen.visible && !screen.focused);
    assert_eq!(screen.focus_count, 0);
    assert_eq!(screen.items.len(), 5, "the dashboard's widgets");
    let window = |focused| larder_core::NativeWindow {
        minimized: false,
        shown: true,
        focused,
    };
    larder.report_window("main", window(true));
    assert_eq!(larder.screen().focus_count, 1, "gained");
    larder.report_window("main", window(true));
    assert_eq!(
        larder.screen().focus_count,
        1,
        "still focused: not a new gain"
    );
    larder.report_window("main", window(false));
    assert!(!larder.screen().focused);
    larder.report_window("main", window(true));
    assert_eq!(larder.screen().focus_count, 2, "gained again");
}

#[tokio::test]
async fn every_visible_window_is_kept_fresh_and_none_while_all_are_hidden() {
    let dir = tempfile::tempdir().expect("temp dir");
    let api = common::quick_api().await;
    let larder = Larder::open(ApiClient::new(&api.url()).expect("url"), dir.path()).expect("opens");
    let user = larder.sign_in("blair").await.expect("sign in").user.id;
    let profile = |visible| ScreenReport {
        visible,
        focused: false,
        view: ScreenView::Profile {
            user_id: user.clone(),
        },
    };
    let profile_items = vec![
        Resource::profile(&user).expect("id"),
        Resource::posts(&user, 1).expect("id"),
        Resource::followers(&user, 1).expect("id"),
    ];
    let window = format!("profile-{user}");
    larder
        .report_screen("main", dashboard(true))
        .expect("reported");
    larder
        .report_screen(&window, profile(true))
        .expect("reported");
    let dashboard_items = larder.screen().items[..5].to_vec();
    assert_eq!(larder.screen().items.len(), 5 + 3, "both windows' items");
    assert_eq!(&larder.screen().items[5..], &profile_items[..]);

    // A second dashboard adds nothing: each item is refreshed once.
    larder
        .report_screen("post-x", dashboard(true))
        .expect("reported");
    assert_eq!(larder.screen().items.len(), 8);
    larder.forget_window("post-x");

    // The main window minimised: only the profile's window is on screen.
    let minimised = larder_core::NativeWindow {
        minimized: true,
        shown: true,
        focused: false,
    };
    larder.report_window("main", minimised);
    let screen = larder.screen();
    assert!(screen.visible);
    assert_eq!(screen.items, profile_items);

    // Both hidden: nothing is on screen, so nothing is polled.
    larder
        .report_screen(&window, profile(false))
        .expect("reported");
    let screen = larder.screen();
    assert!(!screen.visible, "no window is visible");
    assert!(screen.items.is_empty());

    // The profile's window closes while hidden; the main one comes back.
    larder.forget_window(&window);
    larder.report_window(
        "main",
        larder_core::NativeWindow {
            minimized: false,
            ..minimised
        },
    );
    let screen = larder.screen();
    assert!(screen.visible);
    assert_eq!(
        screen.items, dashboard_items,
        "the closed window counts no more"
    );

    // Focus moving from one window to another is a gain: what is on
    // screen and stale is revalidated.
    let before = larder.screen().focus_count;
    larder
        .report_screen(&window, profile(true))
        .expect("reported");
    larder.report_window(
        &window,
        larder_core::NativeWindow {
            minimized: false,
            shown: true,
            focused: true,
        },
    );
    assert_eq!(larder.screen().focus_count, before + 1);
}
