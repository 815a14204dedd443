//! An open dashboard keeps itself fresh: left open past the stale time,
//! every widget is fetched again from the upstream without any click or
//! navigation, and every badge reads fresh.

use anyhow::Result;
use larder_e2e::Harness;
use larder_protocol::Username;
use mock_api::{Config, RunningServer};
use serde_json::json;

#[tokio::test]
async fn an_open_dashboard_refreshes_what_turns_stale_by_itself() -> Result<()> {
    let api = RunningServer::start(Config {
        delay_scale: 0.0,
        test_controls: true,
        ..Config::default()
    })
    .await?;
    let app = Harness::launch(&[("LARDER_API_URL", &api.url())]).await?;
    app.sign_in("rhea").await?;
    app.wait_until("the dashboard", || app.all_ready(&[1, 2, 3, 4, 5]))
        .await?;
    // Everything turns stale 3 s after it is fetched.
    app.invoke("save_settings", json!({ "settings": { "staleSecs": 3 } }))
        .await?;
    let user = mock_api::data::user_for(&Username::parse("rhea")?).id;
    let before = Harness::widget_requests(&api.url(), &user).await?;

    app.wait_until("every widget fetched again, untouched", || async {
        let now = Harness::widget_requests(&api.url(), &user).await?;
        Ok(now.iter().zip(&before).all(|(now, before)| now > before))
    })
    .await?;
    app.wait_until("every badge to read fresh", || async {
        for n in 1..=5 {
            if app.widget_freshness(n).await? != "fresh" {
                return Ok(false);
            }
        }
        Ok(true)
    })
    .await?;
    app.close().await
}
