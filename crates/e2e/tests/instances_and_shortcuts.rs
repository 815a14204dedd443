//! A second Larder on the same data: on Windows it hands over to the first
//! window, which comes forward, and exits; on Linux without a D-Bus session
//! (as under Xvfb here) the single-instance plugin lets it through and the
//! cache's lock has it say plainly that one is already running. Ctrl+R
//! refreshes the dashboard from the upstream without reloading the page.

use anyhow::Result;
use fantoccini::{key::Key, Locator};
use larder_e2e::Harness;
use larder_protocol::Username;

/// No session bus: the single-instance plugin stands aside.
#[cfg(target_os = "linux")]
const NO_BUS: (&str, &str) = (
    "DBUS_SESSION_BUS_ADDRESS",
    "unix:path=/nonexistent/larder-e2e-bus",
);

/// Windows: the single-instance plugin always answers there, so a second
/// launch hands over to the running window (restored, shown, focused) and
/// exits at once, before it touches the cache.
#[cfg(windows)]
#[tokio::test]
async fn a_second_launch_exits_and_brings_the_first_window_forward() -> Result<()> {
    use std::time::{Duration, Instant};
    let api = mock_api::testing::start_instant().await?;
    let first = Harness::launch(&[("LARDER_API_URL", &api.url())]).await?;
    first.by_test_id("username").await?;
    first
        .script(
            "window.larderHandovers = []; \
             window.__TAURI__.event.listen('instance-handover', (e) => window.larderHandovers.push(e.payload)); \
             return null",
        )
        .await?;
    // Minimised first where the driver can, so coming forward means
    // something; msedgedriver may not minimise a WebView2 host window.
    if let Err(err) = first.client.minimize_window().await {
        println!("note: the window could not be minimised through WebDriver ({err})");
    }

    let mut second = first.start_plain_beside()?;
    let started = Instant::now();
    let status = loop {
        if let Some(status) = second.try_wait()? {
            break status;
        }
        if started.elapsed() > larder_e2e::WAIT_LIMIT {
            let _ = second.kill();
            anyhow::bail!("the second launch did not exit");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(status.success(), "the second launch exited with {status}");
    first
        .wait_until("the first window to hear of the hand-over", || async {
            let handovers = first.script("return window.larderHandovers").await?;
            Ok(handovers == serde_json::json!([{ "broughtForward": true }]))
        })
        .await?;
    // The first one still works.
    first.sign_in("petra").await?;
    first
        .wait_until("the dashboard", || first.all_ready(&[1, 2, 3, 4, 5]))
        .await?;
    first.close().await
}

/// macOS has no end-to-end run (tauri-driver does not support WKWebView).
#[cfg(target_os = "macos")]
#[test]
fn a_second_instance_is_told_that_larder_is_already_running() {
    println!("SKIPPED on macos: tauri-driver does not support WKWebView");
}

/// Linux without a session bus: the single-instance plugin stands aside,
/// the second window opens and the cache's lock has it say that Larder is
/// already running. (On Windows the plugin always answers: the test above.)
#[cfg(target_os = "linux")]
#[tokio::test]
async fn a_second_instance_is_told_that_larder_is_already_running() -> Result<()> {
    let api = mock_api::testing::start_instant().await?;
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
    let api = mock_api::testing::start_instant().await?;
    let app = Harness::signed_in(&api, "olga").await?;
    let user = mock_api::data::user_for(&Username::parse("olga")?).id;
    let before = Harness::widget_requests(&api, &user)[0];
    app.script("window.larderMarker = 42; return null").await?;

    let body = app.client.find(Locator::Css("body")).await?;
    body.send_keys(&(Key::Control + "r")).await?;
    app.wait_until("widget 1 to be fetched again", || async {
        Ok(Harness::widget_requests(&api, &user)[0] > before)
    })
    .await?;
    let marker = app.script("return window.larderMarker ?? null").await?;
    assert_eq!(marker, 42, "the page was not reloaded");
    app.wait_until("the dashboard again", || app.all_ready(&[1, 2, 3, 4, 5]))
        .await?;
    app.close().await
}
