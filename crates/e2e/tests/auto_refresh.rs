//! An open dashboard keeps itself fresh: left open past the stale time,
//! every widget is fetched again from the upstream without any click or
//! navigation, and every badge reads fresh.

use anyhow::Result;
use larder_e2e::Harness;
use larder_protocol::Username;
use serde_json::json;

#[tokio::test]
async fn an_open_dashboard_refreshes_what_turns_stale_by_itself() -> Result<()> {
    let api = mock_api::testing::start_instant().await?;
    let app = Harness::signed_in(&api, "rhea").await?;
    // Everything turns stale 3 s after it is fetched.
    app.invoke("save_settings", json!({ "settings": { "staleSecs": 3 } }))
        .await?;
    let user = mock_api::data::user_for(&Username::parse("rhea")?).id;
    let before = Harness::widget_requests(&api, &user);

    app.wait_until("every widget fetched again, untouched", || async {
        let now = Harness::widget_requests(&api, &user);
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
