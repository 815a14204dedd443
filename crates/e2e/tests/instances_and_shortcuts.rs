//! A second Larder on the same data is told plainly that one is already
//! running (without a D-Bus session, as under Xvfb here, the single-instance
//! plugin lets it through, and the cache's lock decides), and Ctrl+R
//! refreshes the dashboard from the upstream without reloading the page.

use anyhow::Result;
use fantoccini::{key::Key, Locator};
use larder_e2e::Harness;
use larder_protocol::Username;
use mock_api::{Config, RunningServer};

/// No session bus: the single-instance plugin stands aside.
#[cfg(target_os = "linux")]
const NO_BUS: (&str, &str) = (
    "DBUS_SESSION_BUS_ADDRESS",
    "unix:path=/nonexistent/larder-e2e-bus",
);

/// Linux only: elsewhere the single-instance plugin always answers (there
/// is no D-Bus to take away), so a second launch exits and hands over to
/// the first, and no second window ever appears to be told anything.
#[cfg(not(target_os = "linux"))]
#[test]
fn a_second_instance_is_told_that_larder_is_already_running() {
    println!(
        "SKIPPED on {}: the second window only exists where the single-instance plugin can be \
         bypassed (Linux without D-Bus)",
        std::env::consts::OS
    );
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn a_second_instance_is_told_that_larder_is_already_running() -> Result<()> {
    let api = RunningServer::start(Config {
        delay_scale: 0.0,
        ..Config::default()
    })
    .await?;
    let first = Harness::launch(&[("LARDER_API_URL", &api.url()), NO_BUS]).await?;
    first.by_test_id("username").await?;

    let second = first.launch_beside().await?;
    let notice = second.by_test_id("startup-error").await?.text().await?;
    assert!(notice.contains("already running"), "{notice}");
    second.close().await?;

    // The first one is untouched.
    first.sign_in("petra").await?;
    first
        .wait_until("the dashboard", || first.all_ready(&[1, 2, 3, 4, 5]))
        .await?;
    first.close().await
}

#[tokio::test]
async fn ctrl_r_refreshes_the_dashboard_without_reloading_the_page() -> Result<()> {
    let api = RunningServer::start(Config {
        delay_scale: 0.0,
        test_controls: true,
        ..Config::default()
    })
    .await?;
    let app = Harness::launch(&[("LARDER_API_URL", &api.url())]).await?;
    app.sign_in("olga").await?;
    app.wait_until("the dashboard", || app.all_ready(&[1, 2, 3, 4, 5]))
        .await?;
    let user = mock_api::data::user_for(&Username::parse("olga")?).id;
    let before = Harness::widget_requests(&api.url(), &user).await?[0];
    app.script("window.larderMarker = 42; return null").await?;

    let body = app.client.find(Locator::Css("body")).await?;
    body.send_keys(&(Key::Control + "r")).await?;
    app.wait_until("widget 1 to be fetched again", || async {
        Ok(Harness::widget_requests(&api.url(), &user).await?[0] > before)
    })
    .await?;
    let marker = app.script("return window.larderMarker ?? null").await?;
    assert_eq!(marker, 42, "the page was not reloaded");
    app.wait_until("the dashboard again", || app.all_ready(&[1, 2, 3, 4, 5]))
        .await?;
    app.close().await
}
