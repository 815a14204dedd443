//! A change made offline is kept and sent exactly once, in the real
//! webview: with the API gone, marking a notification read shows it read
//! and "waiting to sync", and the banner counts 1; after a restart, still
//! offline, it is still waiting; when the API is back at the same address,
//! the mark clears by itself and the server has the notification read.
//! Signing out with a change waiting asks first: staying keeps it, signing
//! out discards it and says so.

use anyhow::{Context, Result};
use larder_e2e::Harness;
use larder_protocol::Username;
use mock_api::{Config, RunningServer};

fn config(sessions: &std::path::Path) -> Config {
    mock_api::Config {
        // The app's session outlives the API's restart, as with a real API.
        sessions_file: Some(sessions.to_owned()),
        ..mock_api::testing::instant()
    }
}

async fn waiting_count(app: &Harness) -> Result<Option<String>> {
    if !app.has_test_id("waiting-changes").await? {
        return Ok(None);
    }
    Ok(app
        .by_test_id("waiting-changes")
        .await?
        .attr("data-count")
        .await?)
}

/// Signed in as `name` against the API at `url`, the dashboard shown, and
/// an unread notification's id.
async fn dashboard_with_an_unread_note(url: &str, name: &str) -> Result<(Harness, String)> {
    let app = Harness::launch(&[("LARDER_API_URL", url)]).await?;
    app.sign_in(name).await?;
    app.wait_until("the dashboard", || app.all_ready(&[1, 2, 3, 4, 5]))
        .await?;
    let note = app
        .unread_notifications()
        .await?
        .into_iter()
        .next()
        .context("the test needs an unread notification")?;
    Ok((app, note))
}

#[tokio::test]
async fn an_offline_change_survives_a_restart_and_syncs_once_when_the_api_is_back() -> Result<()> {
    let sessions = tempfile::tempdir()?;
    let sessions_file = sessions.path().join("sessions.json");
    let api = RunningServer::start(config(&sessions_file)).await?;
    let (url, addr) = (api.url(), api.addr());
    let (app, note) = dashboard_with_an_unread_note(&url, "uma").await?;

    drop(api); // the API is gone
    app.by_test_id(&format!("mark-read-{note}"))
        .await?
        .click()
        .await?;
    let pending = format!("pending-{note}");
    app.wait_until("the mark to wait for sync", || app.has_test_id(&pending))
        .await?;
    app.wait_until("the banner to count 1", || async {
        Ok(waiting_count(&app).await?.as_deref() == Some("1"))
    })
    .await?;

    // A restart, still offline: the change is still there, still waiting.
    let app = app.relaunch(&[("LARDER_API_URL", &url)]).await?;
    app.wait_until("the cached dashboard", || app.all_ready(&[1, 2, 3, 4, 5]))
        .await?;
    app.wait_until("the mark to still wait", || app.has_test_id(&pending))
        .await?;
    assert_eq!(waiting_count(&app).await?.as_deref(), Some("1"));

    // The API is back: the change reaches it once, by itself.
    let api = RunningServer::start_at(config(&sessions_file), addr).await?;
    app.wait_until("the mark to clear", || async {
        Ok(!app.has_test_id(&pending).await?)
    })
    .await?;
    let user = mock_api::data::user_for(&Username::parse("uma")?).id;
    assert!(api.state().read_notifications(&user).contains(&note));
    assert_eq!(api.state().stats().snapshot().applied(&user), 1);
    assert_eq!(waiting_count(&app).await?, None, "nothing waits");
    app.close().await
}

#[tokio::test]
async fn signing_out_with_a_change_waiting_asks_first() -> Result<()> {
    let sessions = tempfile::tempdir()?;
    let api = RunningServer::start(config(&sessions.path().join("sessions.json"))).await?;
    let (app, note) = dashboard_with_an_unread_note(&api.url(), "vic").await?;
    drop(api);
    app.by_test_id(&format!("mark-read-{note}"))
        .await?
        .click()
        .await?;
    app.wait_until("the change to wait", || async {
        Ok(waiting_count(&app).await?.as_deref() == Some("1"))
    })
    .await?;

    // Asked first; staying signed in keeps the change.
    app.by_test_id("sign-out").await?.click().await?;
    let question = app.by_test_id("sign-out-confirm").await?.text().await?;
    assert!(
        question.contains("1 change has not reached the server yet"),
        "{question}"
    );
    app.by_test_id("sign-out-cancel").await?.click().await?;
    assert!(app.has_test_id("user-name").await?, "still signed in");
    assert_eq!(waiting_count(&app).await?.as_deref(), Some("1"));

    // Signing out anyway discards it, and the sign-in view says so.
    app.by_test_id("sign-out").await?.click().await?;
    app.by_test_id("sign-out-anyway").await?.click().await?;
    let notice = app.by_test_id("signed-out-notice").await?.text().await?;
    assert!(
        notice.contains("1 change") && notice.contains("discarded"),
        "{notice}"
    );
    app.close().await
}
