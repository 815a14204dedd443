//! The vertical slice in the real webview: sign in, then five independent
//! widgets, where the slow one never holds back the fast ones.

use anyhow::Result;
use larder_e2e::Harness;

/// Widget delays ×0.2: widgets 1 and 5 take 0.2 s, widget 3 takes 3 s.
const DELAY_SCALE: &str = "0.2";

#[tokio::test]
async fn fast_widgets_are_ready_while_the_slow_one_loads() -> Result<()> {
    let app = Harness::launch(&[("LARDER_MOCK_DELAY_SCALE", DELAY_SCALE)]).await?;
    app.sign_in("alice").await?;

    app.wait_until("widgets 1 and 5 to be ready", || async {
        Ok(app.widget_state(1).await? == "ready" && app.widget_state(5).await? == "ready")
    })
    .await?;
    assert_eq!(
        app.widget_state(3).await?,
        "loading",
        "the 3 s widget must still be loading when the 0.2 s ones are ready"
    );

    app.wait_until("all five widgets to be ready", || async {
        for n in 1..=5 {
            if app.widget_state(n).await? != "ready" {
                return Ok(false);
            }
        }
        Ok(true)
    })
    .await?;
    let user = app.by_test_id("user-name").await?.text().await?;
    assert_eq!(user, "alice");
    app.close().await
}
