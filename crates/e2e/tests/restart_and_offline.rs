//! Restarts in the real webview: a warm start paints the cached dashboard
//! without waiting for the upstream, an offline start shows it with the
//! offline badge, and settings survive a restart. The app talks to a mock
//! API started here, whose sessions outlive the app's restarts.

use anyhow::Result;
use larder_e2e::Harness;
use larder_protocol::{test_controls::FaultKind, WidgetId};
use mock_api::testing::Controls;

const ALL: [u8; 5] = [1, 2, 3, 4, 5];

#[tokio::test]
async fn a_warm_start_paints_the_cached_dashboard_without_the_upstream() -> Result<()> {
    let api = Harness::quick_api().await?;
    let app = Harness::signed_in(&api, "hana").await?;

    // From now on the upstream never answers widget 3.
    Controls::of(&api).fault(WidgetId::new(3)?, FaultKind::Hang, None);

    let app = app.relaunch(&[]).await?;
    // Straight onto the dashboard (the session was restored), painted
    // from the cache: widget 3 included, though its upstream hangs.
    app.wait_until("the cached dashboard", || app.all_ready(&ALL))
        .await?;
    assert_eq!(app.by_test_id("user-name").await?.text().await?, "hana");
    assert_eq!(app.widget_freshness(3).await?, "fresh");
    assert!(!app.has_test_id("sign-in").await?);
    app.close().await
}

#[tokio::test]
async fn an_offline_start_shows_the_cached_dashboard_marked_offline() -> Result<()> {
    let api = Harness::quick_api().await?;
    let app = Harness::signed_in(&api, "ivan").await?;
    let url = api.url();
    drop(api); // the API is gone

    let app = app.relaunch(&[("LARDER_API_URL", &url)]).await?;
    app.wait_until("the cached dashboard", || app.all_ready(&ALL))
        .await?;
    app.wait_until("every widget marked offline", || async {
        for n in ALL {
            if app.widget_freshness(n).await? != "offline" {
                return Ok(false);
            }
        }
        Ok(true)
    })
    .await?;
    let banner = app.by_test_id("connectivity").await?;
    assert_eq!(banner.attr("data-state").await?.as_deref(), Some("offline"));
    let badge = app.by_test_id("widget-1").await?.text().await?;
    assert!(badge.contains("offline, showing data from"), "{badge}");
    app.close().await
}

#[tokio::test]
async fn settings_survive_a_restart() -> Result<()> {
    let api = Harness::quick_api().await?;
    let app = Harness::signed_in(&api, "judy").await?;
    app.by_test_id("nav-settings").await?.click().await?;
    let ttl = app.by_test_id("setting-ttl").await?;
    ttl.send_keys("120").await?;
    app.by_test_id("setting-dark").await?.click().await?;
    app.by_test_id("save-settings").await?.click().await?;
    let message = app.by_test_id("settings-message").await?.text().await?;
    assert!(message.starts_with("Saved"), "{message}");
    let theme = app
        .script("return document.documentElement.dataset.theme")
        .await?;
    assert_eq!(theme, "dark");

    // A bad value is refused by field and changes nothing.
    let ttl = app.by_test_id("setting-ttl").await?;
    ttl.clear().await?;
    ttl.send_keys("5").await?;
    app.by_test_id("save-settings").await?.click().await?;
    app.wait_until("the refusal", || async {
        Ok(app
            .by_test_id("settings-message")
            .await?
            .text()
            .await?
            .contains("ttlSecs"))
    })
    .await?;

    let app = app.relaunch(&[]).await?;
    app.wait_until("the dashboard", || app.all_ready(&ALL))
        .await?;
    let theme = app
        .script("return document.documentElement.dataset.theme")
        .await?;
    assert_eq!(theme, "dark");
    app.by_test_id("nav-settings").await?.click().await?;
    let ttl = app.by_test_id("setting-ttl").await?;
    assert_eq!(ttl.prop("value").await?.as_deref(), Some("120"));
    let dark = app.by_test_id("setting-dark").await?;
    assert_eq!(dark.prop("checked").await?.as_deref(), Some("true"));
    app.close().await
}
