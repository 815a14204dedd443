//! The stores' derived values and actions in the real webview: the top
//! bar's unread count is widget 4's, and "Mark all read" marks every
//! unread notification through the outbox: offline, the count drops to
//! nothing at once and each change waits; when the API is back, each
//! reaches it exactly once. The banner that says so comes without moving
//! the page under the pointer.

use anyhow::Result;
use larder_e2e::Harness;
use mock_api::{testing::Controls, RunningServer};

/// The top bar's unread count as shown ("3 unread"), or `None`.
async fn unread_in_top_bar(app: &Harness) -> Result<Option<String>> {
    if !app.has_test_id("unread-count").await? {
        return Ok(None);
    }
    Ok(Some(app.by_test_id("unread-count").await?.text().await?))
}

#[tokio::test]
async fn mark_all_read_goes_through_the_outbox_and_the_count_follows() -> Result<()> {
    let sessions = tempfile::tempdir()?;
    let config = mock_api::Config {
        sessions_file: Some(sessions.path().join("sessions.json")),
        ..mock_api::testing::instant()
    };
    let api = RunningServer::start(config.clone()).await?;
    let (url, addr) = (api.url(), api.addr());
    let app = Harness::launch(&[("LARDER_API_URL", &url)]).await?;
    app.sign_in("ula").await?;
    app.wait_until("the dashboard", || app.all_ready(&[1, 2, 3, 4, 5]))
        .await?;
    let unread = app.unread_notifications().await?;
    assert!(!unread.is_empty(), "widget 4 always has one unread");
    assert_eq!(
        unread_in_top_bar(&app).await?,
        Some(format!("{} unread", unread.len())),
        "the top bar counts what the widget shows"
    );

    let widget_top = || {
        app.script(
            "return document.querySelector('[data-testid=widget-1]').getBoundingClientRect().top",
        )
    };
    let top_before = widget_top().await?;
    assert!(!app.has_test_id("connectivity").await?, "no banner yet");

    drop(api); // offline: the changes wait in the outbox
    app.click("[data-testid=mark-all-read]").await?;
    app.wait_until("every notification to show read", || async {
        Ok(app.unread_notifications().await?.is_empty())
    })
    .await?;
    assert_eq!(unread_in_top_bar(&app).await?, None, "nothing unread");
    // The banner saying the changes wait comes without moving the page.
    app.wait_until("the banner", || app.has_test_id("connectivity"))
        .await?;
    assert_eq!(widget_top().await?, top_before, "the page did not move");
    for note in &unread {
        assert!(
            app.has_test_id(&format!("pending-{note}")).await?,
            "{note} waits"
        );
    }

    // The API is back: each change reaches it once, by itself.
    let api = RunningServer::start_at(config, addr).await?;
    app.wait_until("the marks to clear", || async {
        for note in &unread {
            if app.has_test_id(&format!("pending-{note}")).await? {
                return Ok(false);
            }
        }
        Ok(true)
    })
    .await?;
    let stats = Controls::of(&api).stats();
    let applied: usize = stats.applied.values().map(|n| *n as usize).sum();
    assert_eq!(applied, unread.len(), "each change applied once: {stats:?}");
    app.close().await
}
