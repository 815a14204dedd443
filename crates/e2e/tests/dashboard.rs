//! The vertical slice in the real webview: sign in, then five independent
//! widgets, where a slow one never holds back the fast ones.
//!
//! "Slow" is made certain rather than timed: widget 3's request never
//! answers, so no load on the machine can let it finish before the others.
//! The second test has every widget arrive, at the embedded API's own
//! (scaled) pace.

use anyhow::Result;
use larder_e2e::Harness;
use larder_protocol::{test_controls::FaultKind, WidgetId};
use mock_api::{testing::Controls, RunningServer};

/// Alice signed in on an API where widget 3's request never answers, the
/// other four widgets ready. The API is returned to keep it running.
async fn alice_with_widget_3_hanging() -> Result<(RunningServer, Harness)> {
    let api = Harness::quick_api().await?;
    Controls::of(&api).fault(WidgetId::new(3)?, FaultKind::Hang, None);
    let app = Harness::launch(&[("LARDER_API_URL", &api.url())]).await?;
    app.sign_in("alice").await?;
    app.wait_until("widgets 1, 2, 4 and 5 to be ready", || {
        app.all_ready(&[1, 2, 4, 5])
    })
    .await?;
    Ok((api, app))
}

#[tokio::test]
async fn a_widget_whose_upstream_never_answers_holds_back_no_other() -> Result<()> {
    let (_api, app) = alice_with_widget_3_hanging().await?;
    assert_eq!(
        app.widget_state(3).await?,
        "loading",
        "widget 3's request has not been answered"
    );

    let user = app.by_test_id("user-name").await?.text().await?;
    assert_eq!(user, "alice");
    app.close().await
}

/// The app with its embedded API, as `cargo xtask run` starts it, with the
/// widgets' own delays (scaled down): every widget arrives.
#[tokio::test]
async fn the_embedded_api_serves_the_whole_dashboard() -> Result<()> {
    let app = Harness::launch(&[("LARDER_MOCK_DELAY_SCALE", "0.2")]).await?;
    app.sign_in("alice").await?;
    app.wait_until("all five widgets to be ready", || {
        app.all_ready(&[1, 2, 3, 4, 5])
    })
    .await?;
    app.close().await
}

/// Leaving the dashboard while a widget is still loading, then coming
/// back: the widget is still an island of its own, loading, and the rest
/// of the window keeps working.
#[tokio::test]
async fn coming_back_to_a_dashboard_left_while_a_widget_loaded_works() -> Result<()> {
    let (_api, app) = alice_with_widget_3_hanging().await?;

    for _ in 0..2 {
        app.click("[data-testid=nav-settings]").await?;
        app.by_test_id("settings-view").await?;
        app.click("[data-testid=nav-dashboard]").await?;
        app.wait_until("widgets 1, 2, 4 and 5 to be ready again", || {
            app.all_ready(&[1, 2, 4, 5])
        })
        .await?;
        assert_eq!(app.widget_state(3).await?, "loading");
    }
    // The UI still answers: another view opens.
    app.click("[data-testid=nav-cache]").await?;
    app.by_test_id("cache-view").await?;
    app.close().await
}
